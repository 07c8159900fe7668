///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Writes the shared blocks into the scripts: each copy between its marker lines comes from
//DESCRIPTION shared/<Block>.java (and BundledSchemas from schemas/); --check only reports copies that differ.
//JAVA 17+

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The scripts are single files by design, so the code they share is copied into each of them.
 * Each copy has one source: shared/NAME.java for a block of code, schemas/ for the bundled
 * schemas. A script asks for a block with two marker lines; this tool fills in what lies between
 * them, adds the imports the block needs and drops imports nothing uses any more.
 *
 * <pre>
 *   ./jbang tests/SharedBlocks.java           bring every copy up to date
 *   ./jbang tests/SharedBlocks.java --check   list the copies that differ from their source (exit 1)
 * </pre>
 */
final class SharedBlocks {
    static final String COMMAND = "./jbang tests/SharedBlocks.java";
    static final Pattern BEGIN = Pattern.compile("^    // ---- shared block (\\w+): .*$");
    static final String BUNDLED_SCHEMAS = "BundledSchemas";
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+);$");
    /** Imports sorted by name (picocli.CommandLine before picocli.CommandLine.Command), as the scripts keep them. */
    private static final Comparator<String> IMPORT_ORDER = Comparator.comparing(line -> line.substring(0, line.length() - 1));

    private SharedBlocks() {
    }

    public static void main(String... args) throws IOException {
        boolean check = List.of(args).contains("--check");
        Path root = Path.of(args.length > 0 && !args[args.length - 1].startsWith("--") ? args[args.length - 1] : ".").toAbsolutePath().normalize();
        Map<Path, String> stale = stale(root);
        if (check) {
            stale.keySet().forEach(script -> System.err.println(root.relativize(script) + ": a shared block differs from its source"));
            System.exit(stale.isEmpty() ? 0 : 1);
        }
        for (var script : stale.entrySet()) {
            Files.writeString(script.getKey(), script.getValue());
            System.err.println("updated " + root.relativize(script.getKey()));
        }
        System.err.println(stale.isEmpty() ? "every shared block is up to date" : stale.size() + " script(s) updated");
    }

    /** The scripts whose text differs from what their blocks' sources make, with the text they should have. */
    static Map<Path, String> stale(Path root) throws IOException {
        Map<Path, String> stale = new TreeMap<>();
        for (Path script : scripts(root)) {
            String current = Files.readString(script);
            if (blocksOf(current).isEmpty()) {
                continue;
            }
            String expected = render(root, current);
            if (!expected.equals(current)) {
                stale.put(script, expected);
            }
        }
        return stale;
    }

    /** The top-level scripts (the files every block is copied into). */
    static List<Path> scripts(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The blocks a script asks for, by name, in order. */
    static List<String> blocksOf(String script) {
        return script.lines().map(BEGIN::matcher).filter(Matcher::matches).map(m -> m.group(1)).toList();
    }

    /** The script with every block between its markers rewritten from its source, and its imports brought in line. */
    static String render(Path root, String script) throws IOException {
        List<String> lines = new ArrayList<>(script.lines().toList());
        List<String> imports = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher begin = BEGIN.matcher(lines.get(i));
            if (!begin.matches()) {
                out.add(lines.get(i));
                continue;
            }
            String name = begin.group(1);
            int end = lines.indexOf(endMarker(name));
            if (end < i) {
                throw new IllegalStateException("shared block " + name + " has no end marker: " + endMarker(name));
            }
            Block block = name.equals(BUNDLED_SCHEMAS) ? bundledSchemas(root) : Block.read(root.resolve("shared/" + name + ".java"));
            imports.addAll(block.imports());
            out.add(beginMarker(name, block.source()));
            out.addAll(block.lines());
            out.add(endMarker(name));
            i = end;
        }
        return withImports(out, imports);
    }

    static String beginMarker(String name, String source) {
        return "    // ---- shared block " + name + ": generated from " + source + " by " + COMMAND + "; edit the source, not this copy ----";
    }

    static String endMarker(String name) {
        return "    // ---- end of shared block " + name + " ----";
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
        String body = String.join("\n", code);
        List<String> used = imports.stream().filter(line -> {
            Matcher m = IMPORT.matcher(line);
            m.matches();
            String name = m.group(2).substring(m.group(2).lastIndexOf('.') + 1);
            return Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(body).find();
        }).toList();
        List<String> result = new ArrayList<>(lines.subList(0, first));
        result.addAll(used);
        result.addAll(lines.subList(last + 1, lines.size()));
        return String.join("\n", result) + "\n";
    }

    /** A block: its imports and its lines (a comment saying why, then members indented as class members). */
    record Block(String source, List<String> imports, List<String> lines) {
        static Block read(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("no source for a shared block: " + file);
            }
            List<String> imports = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (IMPORT.matcher(line).matches()) {
                    imports.add(line);
                } else if (line.startsWith("// ")) {
                    lines.add("    " + line);
                } else if (!(line.isEmpty() && (lines.isEmpty() || lines.get(lines.size() - 1).isEmpty()))) {
                    lines.add(line);
                }
            }
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return new Block("shared/" + file.getFileName(), imports, lines);
        }
    }

    /**
     * The schemas of schemas/ as string constants, compacted to one line each: the bottom layer of every
     * script's schemas. Bundled as source rather than with //FILES, because JBang refuses to build a
     * script whose //FILES are missing (a script copied alone) and cannot expand a glob of a remote script.
     */
    static Block bundledSchemas(Path root) throws IOException {
        Path schemas = root.resolve("schemas");
        List<String> names = new ArrayList<>(List.of("envelope.schema.json"));
        try (Stream<Path> events = Files.list(schemas.resolve("events"))) {
            events.map(p -> "events/" + p.getFileName()).filter(n -> n.endsWith(".schema.json")).sorted().forEach(names::add);
        }
        List<String> lines = new ArrayList<>();
        lines.add("    // The RFC schemas of schemas/, one compact line each: the bottom layer of EventSchemas.");
        lines.add("    static final Map<String, String> BUNDLED_SCHEMAS = bundledSchemas(");
        for (int i = 0; i < names.size(); i++) {
            String compact = compact(Files.readString(schemas.resolve(names.get(i)), StandardCharsets.UTF_8));
            lines.add("            \"" + names.get(i) + "\", " + javaString(compact) + (i < names.size() - 1 ? "," : ");"));
        }
        lines.add("");
        lines.add("    private static Map<String, String> bundledSchemas(String... nameAndText) {");
        lines.add("        Map<String, String> schemas = new LinkedHashMap<>();");
        lines.add("        for (int i = 0; i < nameAndText.length; i += 2) {");
        lines.add("            schemas.put(nameAndText[i], nameAndText[i + 1]);");
        lines.add("        }");
        lines.add("        return schemas;");
        lines.add("    }");
        return new Block("schemas/", List.of("import java.util.LinkedHashMap;", "import java.util.Map;"), lines);
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
