///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Writes the shared blocks into the scripts: each copy between its marker lines is made from
//DESCRIPTION shared/<Block>.java and holds only the members that script uses. --check only reports the
//DESCRIPTION copies that differ. A copy edited by hand is refused (exit 1, nothing written) unless --force.
//JAVA 17+

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The scripts are single files by design, so the code they share is copied into each of them.
 * Each copy has one source, shared/NAME.java, a compilation unit of the package {@code shared}
 * that compiles on its own. A script asks for a block with two marker lines; this tool fills in
 * what lies between them with the members of the source that the script uses, adds the imports
 * they need and drops imports nothing uses any more. It also writes the table of blocks in
 * docs/shared-blocks.md, which says how all this works.
 *
 * <pre>
 *   ./jbang tests/support/SharedBlocks.java           bring every copy up to date
 *   ./jbang tests/support/SharedBlocks.java --check   list the copies that differ from their source (exit 1)
 *   ./jbang tests/support/SharedBlocks.java --force   overwrite copies edited by hand as well
 * </pre>
 *
 * How a source becomes a copy: its opening // comment is the copy's first lines; its package and
 * imports of the package shared are dropped; the interface named after the file, if there is one,
 * is a holder whose members become the script's own; every other top-level type becomes a member
 * type of the script (a class gets static). Of those members, a script gets the ones it uses (see
 * {@link #select}).
 */
final class SharedBlocks {
    static final String COMMAND = "./jbang tests/support/SharedBlocks.java";
    static final Pattern BEGIN = Pattern.compile("^    // ---- shared block (\\w+): .*$");
    static final Pattern END = Pattern.compile("^    // ---- end of shared block (\\w+)(?:, generated text sha256:([0-9a-f]{12}))? ----$");
    static final String BUNDLED_SCHEMAS = "BundledSchemas";
    /** The page whose table of blocks this tool writes, between these two lines. */
    static final String DOC = "docs/shared-blocks.md";
    static final String TABLE_BEGIN = "<!-- the table of blocks: written by " + COMMAND + " from shared/ and the scripts -->";
    static final String TABLE_END = "<!-- end of the table of blocks -->";
    /** The one line of shared/BundledSchemas.java that the schemas of schemas/ are written into. */
    static final String BUNDLED_SCHEMAS_CALL = "    static final Map<String, String> BUNDLED_SCHEMAS = bundledSchemas();";
    static final String ROUTES_SCHEMA = "RoutesSchema";
    /** The line of shared/RoutesSchema.java that schemas/event-routes.schema.json is written into, compacted. */
    static final String ROUTES_SCHEMA_LINE = "    static final String ROUTES_SCHEMA = \"{}\";";
    static final String ROUTES_SCHEMA_FILE = "schemas/event-routes.schema.json";
    private static final String USAGE = "usage: " + COMMAND + " [--check | --force] [REPOSITORY]";
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)(\\.\\*)?;$");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Set<String> TYPE_KEYWORDS = Set.of("class", "interface", "record", "enum");
    /** Words after which a name is being declared (int count, class Box), as after a type's name (String text). */
    private static final Set<String> DECLARING = Set.of("boolean", "byte", "char", "double", "float", "int", "long", "short", "void", "var",
            "class", "interface", "enum", "record");
    /** The other keywords: after them a name is used (return text, new Box, extends Failure, static Response). */
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "break", "case", "catch", "const", "continue", "default", "do",
            "else", "extends", "final", "finally", "for", "goto", "if", "implements", "import", "instanceof", "native", "new", "package",
            "private", "protected", "public", "return", "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
            "transient", "try", "volatile", "while", "yield", "permits", "sealed", "when", "true", "false", "null");
    /** Imports sorted by name (picocli.CommandLine before picocli.CommandLine.Command), as the scripts keep them. */
    private static final Comparator<String> IMPORT_ORDER = Comparator.comparing(line -> line.substring(0, line.length() - 1));
    /** Lines of the "left out" comment are wrapped at this width. */
    private static final int WIDTH = 110;

    private SharedBlocks() {
    }

    public static void main(String... args) throws IOException {
        boolean check = false;
        boolean force = false;
        Path root = Path.of(".");
        for (String arg : args) {
            switch (arg) {
                case "--check" -> check = true;
                case "--force" -> force = true;
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    if (arg.startsWith("-")) {
                        System.err.println("unknown option " + arg + "; " + USAGE);
                        System.exit(2);
                    }
                    root = Path.of(arg);
                }
            }
        }
        System.exit(run(root.toAbsolutePath().normalize(), check, force, System.err));
    }

    /**
     * Brings every copy up to date (or with check, only reports those that differ). A copy edited by
     * hand stops it before anything is written, unless force. Returns the exit code.
     */
    static int run(Path root, boolean check, boolean force, PrintStream err) throws IOException {
        List<Plan> plans = plans(root);
        List<Plan> stale = new ArrayList<>(plans.stream().filter(Plan::stale).toList());
        Plan doc = docPlan(root, plans);
        if (doc != null && doc.stale()) {
            stale.add(doc);
        }
        List<String> edits = plans.stream().flatMap(plan -> plan.handEdits().stream().map(edit -> edit.describe(root.relativize(plan.script()))))
                .toList();
        if (check) {
            for (Plan plan : stale) {
                err.println(root.relativize(plan.script()) + (plan == doc ? ": the table of blocks is out of date"
                        : ": the shared block(s) " + String.join(", ", plan.staleBlocks()) + " differ from their source") + "; run " + COMMAND);
            }
            edits.forEach(err::println);
            return stale.isEmpty() ? 0 : 1;
        }
        if (!edits.isEmpty() && !force) {
            edits.forEach(err::println);
            err.println("nothing written");
            return 1;
        }
        for (Plan plan : stale) {
            Files.writeString(plan.script(), plan.expected());
            err.println("updated " + root.relativize(plan.script()) + (plan.handEdits().isEmpty() ? ""
                    : " (--force: overwrote the hand edits in " + plan.handEdits().stream().map(HandEdit::block).collect(Collectors.joining(", ")) + ")"));
        }
        err.println(stale.isEmpty() ? "every shared block is up to date" : stale.size() + " file(s) updated");
        return 0;
    }

    /** What each script with shared blocks should hold. */
    static List<Plan> plans(Path root) throws IOException {
        Map<String, SourceFile> sources = new HashMap<>();
        List<Plan> plans = new ArrayList<>();
        for (Path script : scripts(root)) {
            String current = Files.readString(script);
            if (!blocksOf(current).isEmpty()) {
                plans.add(plan(root, script, current, sources));
            }
        }
        return plans;
    }

    /**
     * docs/shared-blocks.md with its table of blocks made from the sources and the plans: each block,
     * what it is (its source's comment up to the first ": " or ". "), its source, the scripts that
     * hold it, and what each leaves out. Null when the page or its marker lines are not there.
     */
    static Plan docPlan(Path root, List<Plan> plans) throws IOException {
        Path page = root.resolve(DOC);
        if (!Files.isRegularFile(page)) {
            return null;
        }
        String current = Files.readString(page);
        int begin = current.indexOf(TABLE_BEGIN + "\n");
        int end = current.indexOf(TABLE_END, Math.max(begin, 0));
        if (begin < 0 || end < 0) {
            return null;
        }
        Map<String, List<String>> holders = new TreeMap<>();
        Map<String, List<String>> leftOut = new TreeMap<>();
        for (Plan plan : plans) {
            String script = plan.script().getFileName().toString().replaceFirst("\\.java$", "");
            for (var block : plan.leftOut().entrySet()) {
                holders.computeIfAbsent(block.getKey(), k -> new ArrayList<>()).add(script);
                if (!block.getValue().isEmpty()) {
                    leftOut.computeIfAbsent(block.getKey(), k -> new ArrayList<>())
                            .add(script + ": " + block.getValue().stream().map(m -> "`" + m + "`").collect(Collectors.joining(", ")));
                }
            }
        }
        StringBuilder table = new StringBuilder(TABLE_BEGIN).append("\n\n| block | source | what it is | in | left out where unused |\n|---|---|---|---|---|\n");
        for (var block : holders.entrySet()) {
            String comment = SourceFile.read(root, block.getKey()).comment().stream().map(l -> l.strip().substring(2).strip())
                    .collect(Collectors.joining(" "));
            Matcher first = Pattern.compile("[:.](?: |$)").matcher(comment);
            String what = first.find() ? comment.substring(0, first.start()) : comment;
            table.append("| `").append(block.getKey()).append("` | ").append(sourceOf(block.getKey()).replaceAll("(\\S+/\\S*)", "`$1`"))
                    .append(" | ").append(what.replace("|", "\\|")).append(" | ").append(String.join(", ", block.getValue()))
                    .append(" | ").append(String.join("; ", leftOut.getOrDefault(block.getKey(), List.of()))).append(" |\n");
        }
        String expected = current.substring(0, begin) + table.append("\n") + current.substring(end);
        return new Plan(page, current, expected, List.of("the table of blocks"), List.of(), Map.of());
    }

    /** The top-level scripts (the files blocks are copied into). */
    static List<Path> scripts(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The blocks a script asks for, by name, in order. */
    static List<String> blocksOf(String script) {
        return script.lines().map(BEGIN::matcher).filter(Matcher::matches).map(m -> m.group(1)).toList();
    }

    static String sourceOf(String block) {
        return "shared/" + block + ".java" + (block.equals(BUNDLED_SCHEMAS) ? " and schemas/" : block.equals(ROUTES_SCHEMA) ? " and " + ROUTES_SCHEMA_FILE : "");
    }

    static String beginMarker(String block) {
        return "    // ---- shared block " + block + ": generated from " + sourceOf(block) + " by " + COMMAND + "; edit the source, not this copy ----";
    }

    static String endMarker(String block, List<String> generated) {
        return "    // ---- end of shared block " + block + ", generated text sha256:" + hash(generated) + " ----";
    }

    /** The first 12 hex digits of the SHA-256 of the lines: what the end marker records of the text it closes. */
    static String hash(List<String> lines) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a script should hold: its text with every block made from its source, the blocks whose
     * copy differs from that, and those among them that were edited by hand.
     */
    record Plan(Path script, String current, String expected, List<String> staleBlocks, List<HandEdit> handEdits,
                Map<String, List<String>> leftOut) {
        boolean stale() {
            return !current.equals(expected);
        }
    }

    /** A copy that differs from what its source makes and from what this tool last wrote there. */
    record HandEdit(String block, int line, boolean unrecorded) {
        String describe(Path script) {
            String why = unrecorded ? "differs from what its source makes, and its end marker records no sha256 of what was generated there"
                    + " (written by hand, or by a generator older than the record)"
                    : "was edited by hand: it differs from what its source makes and from what " + COMMAND + " last wrote there";
            return script + ":" + line + ": the copy of shared block " + block + " " + why + ". Move any edit into "
                    + sourceOf(block) + " (git diff " + script + " shows it) and run " + COMMAND + " again, or run it with --force to overwrite the copy.";
        }
    }

    static Plan plan(Path root, Path script, String current) throws IOException {
        return plan(root, script, current, new HashMap<>());
    }

    private static Plan plan(Path root, Path script, String current, Map<String, SourceFile> cache) throws IOException {
        List<String> lines = current.lines().toList();
        List<Region> regions = regions(lines, script);
        List<SourceFile> sources = new ArrayList<>();
        for (Region region : regions) {
            SourceFile source = cache.get(region.block());
            if (source == null) {
                source = SourceFile.read(root, region.block());
                cache.put(region.block(), source);
            }
            sources.add(source);
        }
        // The script's own code: every line outside the generated regions but its imports.
        List<String> code = code(current).lines().toList();
        StringBuilder own = new StringBuilder();
        int next = 0;
        for (Region region : regions) {
            appendOwn(lines, code, next, region.begin(), own);
            next = region.end() + 1;
        }
        appendOwn(lines, code, next, lines.size(), own);
        Set<Unit> kept = select(sources, uses(own.toString()));

        List<String> out = new ArrayList<>();
        List<String> staleBlocks = new ArrayList<>();
        List<HandEdit> handEdits = new ArrayList<>();
        Map<String, List<String>> leftOut = new LinkedHashMap<>();
        next = 0;
        for (int r = 0; r < regions.size(); r++) {
            Region region = regions.get(r);
            SourceFile source = sources.get(r);
            out.addAll(lines.subList(next, region.begin()));
            List<String> omitted = source.leftOut(kept);
            leftOut.put(region.block(), omitted);
            List<String> generated = source.render(kept, omitted, script.getFileName().toString());
            List<String> copy = lines.subList(region.begin() + 1, region.end());
            if (!copy.equals(generated) || !lines.get(region.begin()).equals(beginMarker(region.block()))
                    || !lines.get(region.end()).equals(endMarker(region.block(), generated))) {
                staleBlocks.add(region.block());
            }
            boolean untouched = region.hash() != null ? region.hash().equals(hash(copy)) : copy.isEmpty();
            if (!copy.equals(generated) && !untouched) {
                int line = region.begin() + 1;
                while (line < region.end() && line - region.begin() - 1 < generated.size() && lines.get(line).equals(generated.get(line - region.begin() - 1))) {
                    line++;
                }
                handEdits.add(new HandEdit(region.block(), line + 1, region.hash() == null));
            }
            out.add(beginMarker(region.block()));
            out.addAll(generated);
            out.add(endMarker(region.block(), generated));
            next = region.end() + 1;
        }
        out.addAll(lines.subList(next, lines.size()));
        String expected = withImports(out, sources.stream().flatMap(s -> s.imports().stream()).toList());
        return new Plan(script, current, expected, staleBlocks, handEdits, leftOut);
    }

    private static void appendOwn(List<String> lines, List<String> code, int from, int to, StringBuilder own) {
        for (int i = from; i < to; i++) {
            if (!IMPORT.matcher(lines.get(i)).matches() && !lines.get(i).startsWith("package ")) {
                own.append(code.get(i)).append('\n');
            }
        }
    }

    /** A block's place in a script: its begin and end marker lines, and the hash its end marker recorded. */
    record Region(String block, int begin, int end, String hash) {
    }

    private static List<Region> regions(List<String> lines, Path script) {
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher begin = BEGIN.matcher(lines.get(i));
            if (!begin.matches()) {
                continue;
            }
            String block = begin.group(1);
            int end = i + 1;
            Matcher m = null;
            for (; end < lines.size(); end++) {
                m = END.matcher(lines.get(end));
                if (m.matches() || BEGIN.matcher(lines.get(end)).matches()) {
                    break;
                }
            }
            if (end >= lines.size() || !m.matches() || !m.group(1).equals(block)) {
                throw new IllegalStateException(script.getFileName() + ":" + (i + 1) + ": shared block " + block
                        + " has no end marker; add the line: // ---- end of shared block " + block + " ----");
            }
            regions.add(new Region(block, i, end, m.group(2)));
            i = end;
        }
        return regions;
    }

    /**
     * The members a script gets: those it uses, and those they use, and so on. A member is used when
     * its name occurs as an identifier (comments and string literals do not count) in the script's own
     * code (everything outside the generated regions but the imports) or in a member already kept,
     * other than itself:
     * <ul>
     *   <li>a method by {@code name(...)} or {@code ::name}, a field by its name not followed by
     *       {@code (}, a type by its name anywhere;</li>
     *   <li>{@code T.name}, with T one of the shared types, is a use of T's member only (so
     *       {@code EventLog.append} does not keep {@code History.append}); any other use of a name
     *       counts for every member of that name, but a static method or field of a type is used only
     *       as T.name or by its plain name inside T ({@code List.of} keeps no {@code Violation.of});</li>
     *   <li>a member of a type is kept only with its type; constructors, abstract methods, initializers
     *       and annotated members (picocli's options, {@code @Override}) are kept whenever their type is,
     *       since a framework or the language calls them without naming them;</li>
     *   <li>an enum, and a type written on one line, is kept whole.</li>
     * </ul>
     */
    static Set<Unit> select(List<SourceFile> sources, List<Use> roots) {
        List<Unit> units = new ArrayList<>();
        Set<String> sharedTypes = new TreeSet<>();
        for (SourceFile source : sources) {
            for (Unit unit : source.units()) {
                units.add(unit);
                if (unit.kind == Kind.TYPE) {
                    sharedTypes.add(unit.name);
                }
                units.addAll(unit.members);
            }
        }
        Set<Unit> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        // Every name used so far, by whom (null: the script's own code).
        Map<String, List<UseBy>> used = new HashMap<>();
        roots.forEach(use -> used.computeIfAbsent(use.name(), k -> new ArrayList<>()).add(new UseBy(use, null)));
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Unit unit : units) {
                if (kept.contains(unit) || (unit.container != null && !kept.contains(unit.container))) {
                    continue;
                }
                boolean keep = unit.always || used.getOrDefault(unit.name, List.of()).stream()
                        .anyMatch(by -> by.unit() != unit && unit.usedBy(by.use(), by.unit(), sharedTypes));
                if (keep) {
                    kept.add(unit);
                    unit.uses.forEach(use -> used.computeIfAbsent(use.name(), k -> new ArrayList<>()).add(new UseBy(use, unit)));
                    changed = true;
                }
            }
        }
        return kept;
    }

    private record UseBy(Use use, Unit unit) {
    }

    /**
     * One occurrence of a name in code: what qualifies it (the identifier before a '.' or '::', "?" for
     * an expression), whether it is called, and where it is.
     */
    record Use(String name, String qualifier, boolean call, int at) {
    }

    /**
     * The names code uses (comments and literals already blanked), with their qualifier and whether
     * they are called. A name being declared is no use: one right after a type's name, a primitive
     * type, void, var, class, record..., ']' or '...' (String text, int close(), class Box, byte[] b).
     */
    static List<Use> uses(String code) {
        List<Use> uses = new ArrayList<>();
        Matcher m = IDENTIFIER.matcher(code);
        while (m.find()) {
            if (m.start() > 0 && Character.isJavaIdentifierPart(code.charAt(m.start() - 1))) {
                continue; // the tail of a number such as 0x1F
            }
            int after = m.end();
            while (after < code.length() && Character.isWhitespace(code.charAt(after))) {
                after++;
            }
            int before = m.start() - 1;
            while (before >= 0 && Character.isWhitespace(code.charAt(before))) {
                before--;
            }
            if (declared(code, before)) {
                continue;
            }
            boolean call = after < code.length() && code.charAt(after) == '(';
            String qualifier = null;
            boolean methodReference = before >= 1 && code.charAt(before) == ':' && code.charAt(before - 1) == ':';
            boolean member = before >= 0 && code.charAt(before) == '.' && !(before >= 1 && code.charAt(before - 1) == '.');
            if (methodReference || member) {
                call |= methodReference;
                int q = before - (methodReference ? 2 : 1);
                while (q >= 0 && Character.isWhitespace(code.charAt(q))) {
                    q--;
                }
                int start = q;
                while (start >= 0 && Character.isJavaIdentifierPart(code.charAt(start))) {
                    start--;
                }
                qualifier = start < q ? code.substring(start + 1, q + 1) : "?";
            }
            uses.add(new Use(m.group(), qualifier, call, m.start()));
        }
        return uses;
    }

    /** Whether the name after position before (its last non-space character) is being declared. */
    private static boolean declared(String code, int before) {
        if (before < 0) {
            return false;
        }
        char c = code.charAt(before);
        if (c == ']' || (c == '.' && before >= 2 && code.startsWith("...", before - 2))) {
            return true;
        }
        if (!Character.isJavaIdentifierPart(c)) {
            return false;
        }
        int start = before;
        while (start > 0 && Character.isJavaIdentifierPart(code.charAt(start - 1))) {
            start--;
        }
        String word = code.substring(start, before + 1);
        if (Character.isDigit(word.charAt(0)) || (start > 0 && code.charAt(start - 1) == '@')) {
            return false; // a number, or an annotation's name
        }
        return DECLARING.contains(word) || !KEYWORDS.contains(word);
    }

    /**
     * The uses of a member's code, without the name it declares: the first occurrence of its name, which
     * uses() already skips unless a generic type comes before it (static List<String> names()).
     */
    private static List<Use> usesOf(String code, String name) {
        Matcher first = Pattern.compile("(?<![\\w$])" + Pattern.quote(name == null ? "" : name) + "(?![\\w$])").matcher(code);
        int declaration = name != null && first.find() ? first.start() : -1;
        return uses(code).stream().filter(use -> use.at() != declaration).toList();
    }

    enum Kind { FIELD, METHOD, TYPE, OTHER }

    /** A member a script can get: a field, a method (all overloads count apart), a type with its own members, or an initializer. */
    static final class Unit {
        final String name;
        final Kind kind;
        final boolean always;
        final boolean isStatic;
        final Unit container;
        final int gap;
        /** The lines of a member kept whole; for a type whose members are chosen one by one, its head (to its '{') and its tail (its '}'). */
        final List<String> lines;
        final List<String> tail;
        final List<Unit> members = new ArrayList<>();
        final List<Use> uses;

        Unit(String name, Kind kind, boolean always, boolean isStatic, Unit container, int gap, List<String> lines, List<String> tail,
             List<Use> uses) {
            this.name = name;
            this.kind = kind;
            this.always = always;
            this.isStatic = isStatic;
            this.container = container;
            this.gap = gap;
            this.lines = lines;
            this.tail = tail;
            this.uses = uses;
        }

        /** Whether use, in the script's own code (by null) or in the member by, is a use of this member. */
        boolean usedBy(Use use, Unit by, Set<String> sharedTypes) {
            if (!use.name().equals(name) || (kind == Kind.METHOD && !use.call()) || (kind == Kind.FIELD && use.call())) {
                return false;
            }
            if (use.qualifier() != null && sharedTypes.contains(use.qualifier())) {
                return container != null && container.name.equals(use.qualifier());
            }
            // A static method or field of a type is named T.name, or plainly inside T: List.of(...) is no use of Violation.of.
            if (container != null && isStatic && kind != Kind.TYPE) {
                return use.qualifier() == null && by != null && (by == container || by.container == container);
            }
            return true;
        }

        String qualifiedName() {
            return container == null ? name : container.name + "." + name;
        }

        void render(Set<Unit> kept, List<String> out) {
            out.addAll(lines);
            if (tail != null) {
                renderAll(members, kept, out);
                out.addAll(tail);
            }
        }

        static void renderAll(List<Unit> units, Set<Unit> kept, List<String> out) {
            boolean first = true;
            for (Unit unit : units) {
                if (!kept.contains(unit)) {
                    continue;
                }
                for (int i = 0; !first && i < unit.gap; i++) {
                    out.add("");
                }
                first = false;
                unit.render(kept, out);
            }
        }

        @Override
        public String toString() {
            return qualifiedName();
        }
    }

    /** A shared source, read: its opening comment, its imports, and the members it gives a script. */
    record SourceFile(String block, List<String> comment, List<String> imports, List<Unit> units) {

        static SourceFile read(Path root, String block) throws IOException {
            String where = "shared/" + block + ".java";
            Path file = root.resolve(where);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("no source for the shared block " + block + ": " + where);
            }
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            if (block.equals(BUNDLED_SCHEMAS)) {
                int call = lines.indexOf(BUNDLED_SCHEMAS_CALL);
                if (call < 0) {
                    throw new IllegalStateException(where + ": needs the line the schemas are written into: " + BUNDLED_SCHEMAS_CALL.strip());
                }
                lines.remove(call);
                lines.addAll(call, bundledSchemasCall(root));
            }
            if (block.equals(ROUTES_SCHEMA)) {
                int line = lines.indexOf(ROUTES_SCHEMA_LINE);
                if (line < 0) {
                    throw new IllegalStateException(where + ": needs the line the routes schema is written into: " + ROUTES_SCHEMA_LINE.strip());
                }
                lines.set(line, ROUTES_SCHEMA_LINE.replace("\"{}\"", javaString(compact(Files.readString(root.resolve(ROUTES_SCHEMA_FILE), StandardCharsets.UTF_8)))));
            }
            int i = 0;
            List<String> comment = new ArrayList<>();
            for (; i < lines.size() && lines.get(i).startsWith("//"); i++) {
                comment.add("    " + lines.get(i));
            }
            for (; i < lines.size() && lines.get(i).isBlank(); i++) {
                // the blank line before the package
            }
            if (i >= lines.size() || !lines.get(i).equals("package shared;")) {
                throw new IllegalStateException(where + ": after its opening // comment a source says `package shared;`");
            }
            List<String> imports = new ArrayList<>();
            for (i++; i < lines.size() && (lines.get(i).isBlank() || IMPORT.matcher(lines.get(i)).matches()); i++) {
                Matcher m = IMPORT.matcher(lines.get(i));
                if (m.matches() && !m.group(2).startsWith("shared.")) {
                    if (m.group(1) != null || m.group(3) != null) {
                        throw new IllegalStateException(where + ": import each class by name (a copy's imports are sorted and pruned by name): " + lines.get(i));
                    }
                    imports.add(lines.get(i));
                }
            }
            List<String> body = unwrap(block, where, lines.subList(i, lines.size()));
            List<String> code = code(String.join("\n", body)).lines().collect(Collectors.toCollection(ArrayList::new));
            while (code.size() < body.size()) {
                code.add("");
            }
            List<Unit> units = split(body, code, 0, body.size(), null, where);
            for (Unit unit : units) {
                if (unit.kind == Kind.OTHER) {
                    throw new IllegalStateException(where + ": an initializer cannot be copied into a script: " + unit.lines);
                }
            }
            return new SourceFile(block, comment, imports, units);
        }

        /** The copy's lines: the source's comment, what was left out, a blank line, the members kept. */
        List<String> render(Set<Unit> kept, List<String> omitted, String script) {
            List<String> out = new ArrayList<>(comment);
            if (!omitted.isEmpty()) {
                out.addAll(wrap("    // Left out of this copy, as " + script + " does not use them: " + String.join(", ", omitted) + ".", "    //   "));
            }
            out.add("");
            Unit.renderAll(units, kept, out);
            while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                out.remove(out.size() - 1);
            }
            return out;
        }

        /**
         * The members not kept, each name once: a method as name() (listed when none of its overloads
         * is kept), a member of a kept type as Type.member, a type not kept without its members.
         */
        List<String> leftOut(Set<Unit> kept) {
            Set<String> names = new LinkedHashSet<>();
            Set<String> keptNames = new TreeSet<>();
            for (Unit unit : units) {
                List<Unit> all = new ArrayList<>(List.of(unit));
                if (kept.contains(unit)) {
                    all.addAll(unit.members);
                }
                for (Unit u : all) {
                    if (u.kind != Kind.OTHER) {
                        (kept.contains(u) ? keptNames : names).add(u.qualifiedName() + (u.kind == Kind.METHOD ? "()" : ""));
                    }
                }
            }
            names.removeAll(keptNames);
            return List.copyOf(names);
        }
    }

    private static List<String> wrap(String text, String continuation) {
        List<String> lines = new ArrayList<>();
        String rest = text;
        while (rest.length() > WIDTH) {
            int cut = rest.lastIndexOf(' ', WIDTH);
            if (cut <= continuation.length()) {
                break;
            }
            lines.add(rest.substring(0, cut));
            rest = continuation + rest.substring(cut + 1);
        }
        lines.add(rest);
        return lines;
    }

    /**
     * A source's declarations as members of a script's class: the holder's members as they are, every
     * other top-level type indented one level, a class made static.
     */
    private static List<String> unwrap(String block, String where, List<String> lines) {
        List<String> code = code(String.join("\n", lines)).lines().collect(Collectors.toCollection(ArrayList::new));
        while (code.size() < lines.size()) {
            code.add("");
        }
        List<String> out = new ArrayList<>();
        int at = 0;
        for (Declaration declaration : declarations(lines, code, 0, lines.size(), where)) {
            for (; at < declaration.start(); at++) {
                out.add(lines.get(at)); // the blank lines between declarations
            }
            at = declaration.end() + 1;
            if (declaration.kind() != Kind.TYPE) {
                throw new IllegalStateException(where + ": only types at the top level of a source: " + lines.get(declaration.start()));
            }
            if (declaration.keyword().equals("interface") && declaration.name().equals(block)) {
                if (declaration.bodyLine() < 0) {
                    throw new IllegalStateException(where + ": write the holder interface " + block + " on several lines");
                }
                for (Declaration member : declarations(lines, code, declaration.bodyLine() + 1, declaration.end(), where)) {
                    if (!member.isStatic() && (member.kind() == Kind.FIELD || member.kind() == Kind.METHOD || "class".equals(member.keyword()))) {
                        throw new IllegalStateException(where + ": " + member.name() + ": write static, as the copy is a member of the script's class: "
                                + lines.get(member.start()).strip());
                    }
                }
                out.addAll(lines.subList(declaration.bodyLine() + 1, declaration.end()));
                continue;
            }
            boolean madeStatic = !declaration.keyword().equals("class");
            Pattern header = Pattern.compile("^(\\s*)((?:(?:public|protected|private|abstract|final|sealed|non-sealed|strictfp)\\s+)*class\\s+"
                    + Pattern.quote(declaration.name()) + "\\b.*)$");
            for (int i = declaration.start(); i <= declaration.end(); i++) {
                String line = lines.get(i);
                Matcher m = header.matcher(line);
                if (!madeStatic && m.matches()) {
                    line = m.group(1) + "static " + m.group(2);
                    madeStatic = true;
                }
                out.add(line.isEmpty() ? line : "    " + line);
            }
            if (!madeStatic) {
                throw new IllegalStateException(where + ": start the line of class " + declaration.name() + " with its modifiers");
            }
        }
        out.addAll(lines.subList(at, lines.size()));
        return out;
    }

    /** One declaration in a class body (or a compilation unit): where its lines are, and what it declares. */
    record Declaration(int gap, int start, int end, int bodyLine, Kind kind, String keyword, String name, boolean isStatic, boolean annotated,
                       boolean abstractMethod) {
    }

    /**
     * The declarations of lines [from, to) of a class body, in order. A declaration takes the comments
     * and annotations above it, and ends with the line of its ';' or of the '}' closing its body.
     */
    static List<Declaration> declarations(List<String> lines, List<String> code, int from, int to, String where) {
        List<Declaration> declarations = new ArrayList<>();
        int gap = 0;
        for (int i = from; i < to; ) {
            if (lines.get(i).isBlank()) {
                gap++;
                i++;
                continue;
            }
            int start = i;
            int depth = 0;
            boolean assigned = false;
            int bodyLine = -1;
            int end = -1;
            boolean semicolon = false;
            for (int j = i; j < to && end < 0; j++) {
                String line = code.get(j);
                for (int k = 0; k < line.length() && end < 0; k++) {
                    char c = line.charAt(k);
                    if (c == '(' || c == '[' || c == '{') {
                        if (c == '{' && depth == 0 && !assigned && bodyLine < 0) {
                            bodyLine = j;
                        }
                        depth++;
                    } else if (c == ')' || c == ']' || c == '}') {
                        depth--;
                        if (depth < 0) {
                            throw new IllegalStateException(where + ": unbalanced '" + c + "' in: " + lines.get(j).strip());
                        }
                        if (c == '}' && depth == 0 && !assigned && bodyLine >= 0) {
                            end = j;
                        }
                    } else if (c == ';' && depth == 0) {
                        end = j;
                        semicolon = true;
                    } else if (c == '=' && depth == 0) {
                        assigned = true;
                    }
                }
            }
            if (end < 0) {
                boolean onlyComments = true;
                for (int j = start; j < to; j++) {
                    onlyComments &= code.get(j).isBlank();
                }
                if (!onlyComments) {
                    throw new IllegalStateException(where + ": cannot find the end of the declaration that starts: " + lines.get(start).strip());
                }
                break; // comments after the last declaration stay with the closing brace
            }
            declarations.add(declare(String.join("\n", code.subList(start, end + 1)), gap, start, end, semicolon ? -1 : bodyLine, where));
            gap = 0;
            i = end + 1;
        }
        return declarations;
    }

    private static Declaration declare(String code, int gap, int start, int end, int bodyLine, String where) {
        // Drop annotations (with their arguments), noting that there were some.
        StringBuilder text = new StringBuilder();
        boolean annotated = false;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '@' && i + 1 < code.length() && Character.isJavaIdentifierStart(code.charAt(i + 1))) {
                annotated = true;
                int j = i + 1;
                while (j < code.length() && (Character.isJavaIdentifierPart(code.charAt(j)) || code.charAt(j) == '.')) {
                    j++;
                }
                int k = j;
                while (k < code.length() && Character.isWhitespace(code.charAt(k))) {
                    k++;
                }
                if (k < code.length() && code.charAt(k) == '(') {
                    int depth = 0;
                    for (; k < code.length(); k++) {
                        depth += code.charAt(k) == '(' ? 1 : code.charAt(k) == ')' ? -1 : 0;
                        if (depth == 0) {
                            break;
                        }
                    }
                    j = k + 1;
                }
                text.append(' ');
                i = j - 1;
            } else {
                text.append(c);
            }
        }
        int delimiter = 0;
        while (delimiter < text.length() && "({=;".indexOf(text.charAt(delimiter)) < 0) {
            delimiter++;
        }
        List<String> words = new ArrayList<>();
        Matcher m = IDENTIFIER.matcher(text.substring(0, delimiter));
        while (m.find()) {
            words.add(m.group());
        }
        boolean isStatic = words.contains("static");
        for (int w = 0; w < words.size() - 1; w++) {
            if (TYPE_KEYWORDS.contains(words.get(w))) {
                return new Declaration(gap, start, end, bodyLine, Kind.TYPE, words.get(w), words.get(w + 1), isStatic, annotated, false);
            }
        }
        char d = delimiter < text.length() ? text.charAt(delimiter) : ';';
        String last = words.isEmpty() ? null : words.get(words.size() - 1);
        if (d == '(' && last != null) {
            return new Declaration(gap, start, end, bodyLine, Kind.METHOD, null, last, isStatic, annotated, bodyLine < 0);
        }
        if (d == '{' && (last == null || last.equals("static"))) {
            return new Declaration(gap, start, end, bodyLine, Kind.OTHER, null, null, isStatic, annotated, false);
        }
        if (d == '{') {
            return new Declaration(gap, start, end, bodyLine, Kind.METHOD, null, last, isStatic, annotated, false); // a compact constructor
        }
        if (last == null) {
            throw new IllegalStateException(where + ": cannot tell what this declares: " + code.strip());
        }
        return new Declaration(gap, start, end, bodyLine, Kind.FIELD, null, last, isStatic, annotated, false);
    }

    /** The members of lines [from, to), and of each type among them one level down. */
    static List<Unit> split(List<String> lines, List<String> code, int from, int to, Unit container, String where) {
        List<Unit> units = new ArrayList<>();
        for (Declaration d : declarations(lines, code, from, to, where)) {
            boolean constructor = container != null && d.kind() == Kind.METHOD && d.name().equals(container.name);
            boolean always = d.kind() == Kind.OTHER || constructor || d.annotated() || d.abstractMethod();
            // A type's members are chosen one by one when its '{' ends a line and its '}' is a line of its own.
            boolean divisible = container == null && d.kind() == Kind.TYPE && !d.keyword().equals("enum") && d.bodyLine() >= 0
                    && d.bodyLine() < d.end() && code.get(d.bodyLine()).stripTrailing().endsWith("{") && code.get(d.end()).strip().equals("}");
            Unit unit;
            if (divisible) {
                String head = String.join("\n", code.subList(d.start(), d.bodyLine() + 1)) + "\n" + code.get(d.end());
                unit = new Unit(d.name(), d.kind(), always, d.isStatic(), container, d.gap(), lines.subList(d.start(), d.bodyLine() + 1),
                        trailing(lines, code, d.bodyLine() + 1, d.end() + 1), usesOf(head, d.name()));
                unit.members.addAll(split(lines, code, d.bodyLine() + 1, d.end(), unit, where));
            } else {
                unit = new Unit(d.name(), d.kind(), always, d.isStatic(), container, d.gap(), lines.subList(d.start(), d.end() + 1), null,
                        usesOf(String.join("\n", code.subList(d.start(), d.end() + 1)), d.name()));
            }
            units.add(unit);
        }
        return units;
    }

    /** The last line of a type body (its '}') with the comment lines just above it that belong to no member. */
    private static List<String> trailing(List<String> lines, List<String> code, int from, int to) {
        int first = to - 1;
        while (first - 1 >= from && code.get(first - 1).isBlank() && !lines.get(first - 1).isBlank()) {
            first--;
        }
        return lines.subList(first, to);
    }

    /** Java text with comments and the insides of string, character and text block literals blanked; line breaks are kept. */
    static String code(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(text, i, end, out);
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(text, i, end, out);
            } else if (text.startsWith("\"\"\"", i)) {
                int j = i + 3;
                while (j < n && !text.startsWith("\"\"\"", j)) {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                end = Math.min(n, j + 3);
                out.append('"');
                blank(text, i + 1, end - 1, out);
                out.append('"');
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                end = Math.min(n, j + 1);
                out.append(c);
                blank(text, i + 1, end - 1, out);
                if (end - 1 > i) {
                    out.append(c);
                }
            } else {
                out.append(c);
                end = i + 1;
            }
            i = end;
        }
        return out.toString();
    }

    private static void blank(String text, int from, int to, StringBuilder out) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            out.append(c == '\n' || c == '\r' ? c : ' ');
        }
    }

    /** The script's imports plus the blocks', without those whose name the code no longer uses, sorted. */
    private static String withImports(List<String> lines, List<String> blockImports) {
        int first = -1;
        int last = -1;
        TreeSet<String> imports = new TreeSet<>(IMPORT_ORDER);
        imports.addAll(blockImports);
        for (int i = 0; i < lines.size(); i++) {
            if (IMPORT.matcher(lines.get(i)).matches()) {
                first = first < 0 ? i : first;
                last = i;
                imports.add(lines.get(i));
            }
        }
        if (first < 0) {
            throw new IllegalStateException("a script with shared blocks needs at least one import line to place imports");
        }
        List<String> code = new ArrayList<>(lines.subList(0, first));
        code.addAll(lines.subList(last + 1, lines.size()));
        Set<String> words = new HashSet<>();
        Matcher word = Pattern.compile("\\w+").matcher(String.join("\n", code));
        while (word.find()) {
            words.add(word.group());
        }
        List<String> used = imports.stream().filter(line -> {
            Matcher m = IMPORT.matcher(line);
            m.matches();
            return m.group(3) != null || words.contains(m.group(2).substring(m.group(2).lastIndexOf('.') + 1));
        }).toList();
        List<String> result = new ArrayList<>(lines.subList(0, first));
        result.addAll(used);
        result.addAll(lines.subList(last + 1, lines.size()));
        return String.join("\n", result) + "\n";
    }

    /**
     * The line of shared/BundledSchemas.java that names no schema, written with the schemas of
     * schemas/ as compact string constants: the bottom layer of every script's schemas. Bundled as
     * source rather than with //FILES, because JBang refuses to build a script whose //FILES are
     * missing (a script copied alone) and cannot expand a glob of a remote script.
     */
    static List<String> bundledSchemasCall(Path root) throws IOException {
        Path schemas = root.resolve("schemas");
        List<String> names = new ArrayList<>(List.of("envelope.schema.json"));
        try (Stream<Path> events = Files.list(schemas.resolve("events"))) {
            events.map(p -> "events/" + p.getFileName()).filter(n -> n.endsWith(".schema.json")).sorted().forEach(names::add);
        }
        List<String> lines = new ArrayList<>();
        lines.add(BUNDLED_SCHEMAS_CALL.substring(0, BUNDLED_SCHEMAS_CALL.length() - 2));
        for (int i = 0; i < names.size(); i++) {
            String compact = compact(Files.readString(schemas.resolve(names.get(i)), StandardCharsets.UTF_8));
            lines.add("            \"" + names.get(i) + "\", " + javaString(compact) + (i < names.size() - 1 ? "," : ");"));
        }
        return lines;
    }

    /** JSON without the whitespace between tokens; strings are kept as they are. */
    static String compact(String json) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A Java string literal; characters outside printable ASCII as \\u escapes, so the script's encoding never matters. */
    static String javaString(String text) {
        StringBuilder literal = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                literal.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                literal.append(String.format("\\u%04x", (int) c));
            } else {
                literal.append(c);
            }
        }
        return literal.append('"').toString();
    }
}
