import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.event.ruler.Ruler;

/**
 * The shared blocks: one source each that compiles on its own, every copy made from it with only the
 * members its script uses, and a copy edited by hand never overwritten silently.
 */
class SharedBlocksTest {
    static final Path ROOT = Scripts.ROOT;
    /** The scripts at the top of the repository: emit, validate, dedupe, route (and events, once it is there). */
    static final List<String> SCRIPTS = scripts();

    @TempDir
    Path temp;

    @Test
    void everyCopyOfASharedBlockIsItsSource() throws IOException {
        List<SharedBlocks.Plan> plans = SharedBlocks.plans(ROOT);
        List<String> stale = plans.stream().filter(SharedBlocks.Plan::stale).map(p -> p.script().getFileName() + " " + p.staleBlocks()).toList();
        assertEquals(List.of(), stale, "these copies differ from their sources; edit shared/, not the copies, and run " + SharedBlocks.COMMAND);
        assertEquals(SCRIPTS.size(), plans.size(), "every script has shared blocks: " + plans.stream().map(SharedBlocks.Plan::script).toList());
        SharedBlocks.Plan doc = SharedBlocks.docPlan(ROOT, plans);
        assertTrue(doc != null, SharedBlocks.DOC + " has the marker lines of its table");
        assertEquals(doc.expected(), doc.current(), "the table of blocks in " + SharedBlocks.DOC + " is out of date; run " + SharedBlocks.COMMAND);
    }

    // --- what a script gets

    /** The members the issue found copied where nobody used them are left out now, and only those the script does not use. */
    @Test
    void aScriptGetsOnlyTheMembersItUses() throws IOException {
        assertLeftOut("emit.java", "Actions", "Actions.appendSummary()", "Actions.cell()", "Actions.code()");
        assertLeftOut("dedupe.java", "Actions", "Actions.appendSummary()", "Actions.cell()", "Actions.code()");
        assertLeftOut("validate.java", "Json", "UUID_TEXT");
        assertLeftOut("dedupe.java", "Json", "EVENT_TYPE");
        assertLeftOut("dedupe.java", "EventInput", "EventInput.logged()");
        assertLeftOut("validate.java", "Training", "loopbackGitHub()");
        // The script that uses them still has them.
        assertTrue(read("route.java").contains("static String cell(String text)"));
        assertTrue(read("validate.java").contains("JsonNode logged()"));
        assertTrue(read("emit.java").contains("static final Pattern UUID_TEXT"));
        assertTrue(read("emit.java").contains("static String loopbackGitHub("));
    }

    private static void assertLeftOut(String script, String block, String... members) throws IOException {
        Map<String, List<String>> leftOut = SharedBlocks.plan(ROOT, ROOT.resolve(script), read(script)).leftOut();
        assertEquals(List.of(members), leftOut.get(block), script + ": " + leftOut);
        String text = read(script);
        for (String member : members) {
            String name = member.substring(member.lastIndexOf('.') + 1).replace("()", "");
            assertFalse(Pattern.compile("^ +[\\w<>\\[\\], ]+ " + name + (member.endsWith("()") ? "\\(" : " = "), Pattern.MULTILINE).matcher(text).find(),
                    script + " still declares " + member);
        }
    }

    /**
     * What "uses" means: a name in the script's own code or in a kept member (not in a comment or a
     * string), transitively; a member used only by itself or by dropped members is dropped; a method
     * needs a call, a field a name that is not called; Type.name counts for that shared type only, and
     * a type's static member is used only as Type.name or inside Type; constructors and annotated
     * members come with their type.
     */
    @Test
    void aMemberIsKeptWhenTheScriptOrAKeptMemberNamesIt() throws IOException {
        Files.createDirectories(temp.resolve("shared"));
        Files.writeString(temp.resolve("shared/Alpha.java"), """
                // Alpha: members to keep and to drop.
                package shared;

                import java.util.List;
                import java.util.UUID;

                interface Alpha {
                    static int used() {
                        return helper();
                    }

                    static int helper() {
                        return 1;
                    }

                    static int unused() {
                        return orphan() + (int) ID.getMostSignificantBits();
                    }

                    static int orphan() {
                        return 2;
                    }

                    static final UUID ID = UUID.randomUUID();

                    static int recursive(int n) {
                        return n == 0 ? 0 : recursive(n - 1);
                    }

                    static final int COUNT = 3;

                    static final int size = 4;

                    static class Box {
                        Box() {
                        }

                        @Override
                        public String toString() {
                            return "box";
                        }

                        int open() {
                            return 0;
                        }

                        int close() {
                            return 0;
                        }
                    }

                    static List<String> none() {
                        return List.of();
                    }
                }
                """);
        Files.writeString(temp.resolve("shared/Gamma.java"), """
                // Gamma: a type of its own.
                package shared;

                final class Gamma {
                    static int close() {
                        return inner();
                    }

                    static int inner() {
                        return 1;
                    }

                    static int of() {
                        return 2;
                    }
                }
                """);
        String script = """
                import java.util.List;

                class s {
                    int run(List<String> list) {
                        // COUNT and unused() are named here, in a comment, only
                        String text = "COUNT unused()";
                        return used() + new Box().open() + Gamma.close() + list.size() + text.length() + List.of().size();
                    }

                    // ---- shared block Alpha: generated from shared/Alpha.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
                    // ---- end of shared block Alpha ----

                    // ---- shared block Gamma: generated from shared/Gamma.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
                    // ---- end of shared block Gamma ----
                }
                """;
        SharedBlocks.Plan plan = SharedBlocks.plan(temp, temp.resolve("s.java"), script);
        assertEquals(List.of("unused()", "orphan()", "ID", "recursive()", "COUNT", "size", "Box.close()", "none()"), plan.leftOut().get("Alpha"));
        assertEquals(List.of("Gamma.of()"), plan.leftOut().get("Gamma"), "a static member is used as Gamma.of() or plainly inside Gamma, not by List.of()");
        String copy = plan.expected();
        assertTrue(copy.contains("    static int helper() {"), copy);
        assertTrue(copy.contains("        Box() {"), "a constructor comes with its type: " + copy);
        assertTrue(copy.contains("        public String toString() {"), "an annotated member comes with its type: " + copy);
        assertTrue(copy.contains("    static final class Gamma {"), "a top-level class becomes a static member class: " + copy);
        assertFalse(copy.contains("import java.util.UUID;"), "an import only the dropped members needed is not added: " + copy);
        assertTrue(copy.contains("    // Left out of this copy, as s.java does not use them: unused(), orphan(), ID, recursive(), COUNT, size,"), copy);
    }

    /** No member of a source is dead: each is used by at least one script that has its block, and no script has a block it does not use. */
    @Test
    void everyMemberOfEverySourceIsUsedSomewhere() throws IOException {
        Map<String, Set<String>> unusedEverywhere = new TreeMap<>();
        for (SharedBlocks.Plan plan : SharedBlocks.plans(ROOT)) {
            for (var block : plan.leftOut().entrySet()) {
                unusedEverywhere.merge(block.getKey(), new LinkedHashSet<>(block.getValue()), (a, b) -> {
                    a.retainAll(b);
                    return a;
                });
                String text = plan.expected();
                int begin = text.indexOf(SharedBlocks.beginMarker(block.getKey()));
                String copy = text.substring(begin, text.indexOf("// ---- end of shared block " + block.getKey(), begin));
                assertTrue(copy.lines().anyMatch(l -> l.startsWith("    ") && !l.strip().startsWith("//") && !l.isBlank()),
                        plan.script().getFileName() + " uses nothing of the block " + block.getKey() + "; remove its markers");
            }
        }
        unusedEverywhere.values().removeIf(Set::isEmpty);
        assertEquals(Map.of(), unusedEverywhere, "members no script uses are dead code in shared/");
        try (Stream<Path> sources = Files.list(ROOT.resolve("shared"))) {
            Set<String> blocks = sources.map(p -> p.getFileName().toString().replace(".java", "")).collect(Collectors.toCollection(TreeSet::new));
            Set<String> used = new TreeSet<>();
            for (String script : SCRIPTS) {
                used.addAll(SharedBlocks.blocksOf(read(script)));
            }
            assertEquals(blocks, used, "a source no script copies is dead code");
        }
        for (String script : SCRIPTS) {
            assertTrue(SharedBlocks.blocksOf(read(script)).containsAll(List.of("Cli", "Training", "Actions", "Json", "Source")), script);
        }
    }

    /** The class-data sharing and AOT training plumbing is one block: none of it left in Cli or GitHub. */
    @Test
    void theTrainingPlumbingIsABlockOfItsOwn() throws IOException {
        for (String source : List.of("shared/Cli.java", "shared/GitHub.java")) {
            String text = read(source);
            for (String word : List.of("train", "Training", "recording", "loopback", "AOT", "CDS", "/proc/self")) {
                assertFalse(text.contains(word), source + " still holds training plumbing: " + word);
            }
        }
        String training = read("shared/Training.java");
        assertTrue(training.contains("static void trainIfRecording(") && training.contains("static boolean recording(")
                && training.contains("static String loopbackGitHub("), training);
    }

    /**
     * Each script's training workload does its usual work through the Training block (against the
     * loopback server where it calls GitHub). At run time a failing workload is silent by design,
     * so this is where a broken one shows.
     */
    @Test
    void eachScriptsTrainingWorkloadRuns() throws Exception {
        Map<String, String> outputs = new TreeMap<>();
        for (var workload : Map.<String, Training>of("emit", emit::training, "validate", validate::training, "dedupe", dedupe::training,
                "route", route::training).entrySet()) {
            StringWriter out = new StringWriter();
            workload.getValue().run(new PrintWriter(out, true));
            outputs.put(workload.getKey(), out.toString());
        }
        // emit, dedupe and route reach the loopback server; validate checks its two canned events.
        assertTrue(outputs.get("emit").contains("emit: sent rfc.pr.ready "), outputs.toString());
        assertTrue(outputs.get("dedupe").contains("dedupe: 3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11 has no live claim"), outputs.toString());
        assertTrue(outputs.get("route").contains("route: rfc.pr.ready 3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11: dispatched 1 workflow"), outputs.toString());
        assertTrue(outputs.get("validate").contains("2 events checked: 1 valid, 1 invalid"), outputs.toString());
    }

    interface Training {
        void run(PrintWriter out) throws Exception;
    }

    // --- the sources compile on their own

    @Test
    void theSourcesCompileOnTheirOwn() throws IOException, URISyntaxException {
        List<String> errors = compile(ROOT.resolve("shared"));
        assertEquals(List.of(), errors, "shared/*.java must compile together, as an editor checks them");
    }

    /** The compile check can fail: a source without an import it needs is an error. */
    @Test
    void aSourceMissingAnImportDoesNotCompile() throws IOException, URISyntaxException {
        Path shared = copyOfTheRepository().resolve("shared");
        Path actions = shared.resolve("Actions.java");
        String text = Files.readString(actions);
        assertTrue(text.contains("import java.nio.file.Files;\n"));
        Files.writeString(actions, text.replace("import java.nio.file.Files;\n", ""));
        List<String> errors = compile(shared);
        assertTrue(errors.stream().anyMatch(e -> e.contains("Actions.java") && e.contains("Files")), errors.toString());
    }

    private List<String> compile(Path shared) throws IOException, URISyntaxException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<Path> sources;
        try (Stream<Path> files = Files.list(shared)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> library : List.of(CommandLine.class, ObjectMapper.class, JsonParser.class, JsonProperty.class, Schema.class, Ruler.class)) {
            classpath.add(Path.of(library.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        classpath.add(System.getProperty("java.class.path"));
        Path classes = Files.createTempDirectory(temp, "classes");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-classpath", String.join(File.pathSeparator, classpath),
                    "--release", "17", "-proc:none", "-implicit:none");
            javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null)).toList();
    }

    // --- a copy edited by hand

    @Test
    void aCopyEditedByHandIsRefusedNamingScriptBlockAndSourceAndForceOverwritesIt() throws IOException {
        Path repo = copyOfTheRepository();
        Path emit = repo.resolve("emit.java");
        String original = Files.readString(emit);
        String edited = original.replace("static boolean inActions(Map<String, String> env) {", "static boolean inActions(Map<String, String> env) { // fixed here");
        assertNotEquals(original, edited);
        Files.writeString(emit, edited);
        // A source changed as well: its copies are due, but nothing is written while an edit is refused.
        Path json = repo.resolve("shared/Json.java");
        Files.writeString(json, Files.readString(json).replace("lowercase UUIDs, as the envelope", "lowercase UUIDs (v4 or v5), as the envelope"));
        String validate = Files.readString(repo.resolve("validate.java"));

        Output refused = run(repo, false, false);
        assertEquals(1, refused.code(), refused.err());
        int line = (int) edited.substring(0, edited.indexOf("// fixed here")).lines().count();
        assertTrue(refused.err().contains("emit.java:" + line + ": the copy of shared block Actions was edited by hand"), refused.err());
        assertTrue(refused.err().contains("Move any edit into shared/Actions.java") && refused.err().contains("--force"), refused.err());
        assertTrue(refused.err().contains("nothing written"), refused.err());
        assertEquals(edited, Files.readString(emit), "the edited copy is kept");
        assertEquals(validate, Files.readString(repo.resolve("validate.java")), "no script is written");

        Output check = run(repo, true, false);
        assertEquals(1, check.code(), check.err());
        assertTrue(check.err().contains("emit.java:" + line + ": the copy of shared block Actions was edited by hand"), check.err());

        Output forced = run(repo, false, true);
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.err().contains("overwrote the hand edits in Actions"), forced.err());
        String regenerated = Files.readString(emit);
        assertFalse(regenerated.contains("// fixed here"));
        assertTrue(regenerated.contains("lowercase UUIDs (v4 or v5)"), "the source's change reached the copy");
        assertEquals(0, run(repo, true, false).code(), "up to date");
    }

    /** A copy the tool wrote is rewritten when its source changes, with no --force: that is the normal way to change shared code. */
    @Test
    void aCopyAsTheToolWroteItFollowsItsSource() throws IOException {
        Path repo = copyOfTheRepository();
        Path actions = repo.resolve("shared/Actions.java");
        Files.writeString(actions, Files.readString(actions).replace("// Escaping as @actions/core's command.ts does it.",
                "// Escaping as @actions/core's command.ts does it (toolkit packages/core/src/command.ts)."));
        Output check = run(repo, true, false);
        assertEquals(1, check.code());
        assertTrue(check.err().contains("emit.java: the shared block(s) Actions differ from their source"), check.err());
        assertFalse(check.err().contains("edited by hand"), check.err());
        Output written = run(repo, false, false);
        assertEquals(0, written.code(), written.err());
        for (String script : SCRIPTS) {
            assertTrue(Files.readString(repo.resolve(script)).contains("(toolkit packages/core/src/command.ts)"), script);
        }
        // A member a script starts to use arrives with the next run: emit.java calls Actions.cell.
        Path emit = repo.resolve("emit.java");
        assertFalse(Files.readString(emit).contains("static String cell("));
        Files.writeString(emit, Files.readString(emit).replace("    public static void main(String... args) {",
                "    static String cellOf(String text) {\n        return Actions.cell(text);\n    }\n\n    public static void main(String... args) {"));
        assertEquals(0, run(repo, false, false).code());
        assertTrue(Files.readString(emit).contains("static String cell("));
    }

    /** A block whose end marker records no hash (a copy from before, or written by hand) is refused too, unless empty (a new block). */
    @Test
    void aCopyWithNoRecordIsRefusedAndAnEmptyOneIsFilledIn() throws IOException {
        Path repo = copyOfTheRepository();
        Path emit = repo.resolve("emit.java");
        String text = Files.readString(emit);
        String unrecorded = text.replaceFirst("    // ---- end of shared block Ids, generated text sha256:[0-9a-f]+ ----", "    // ---- end of shared block Ids ----");
        assertNotEquals(text, unrecorded);
        Files.writeString(emit, unrecorded);
        assertEquals(0, run(repo, false, false).code(), "a copy equal to its source only gets its record back");
        assertEquals(text, Files.readString(emit));

        Files.writeString(emit, unrecorded.replace("static byte[] toBytes(UUID uuid) {", "static byte[] toBytes(UUID uuid) { // mine"));
        Output refused = run(repo, false, false);
        assertEquals(1, refused.code(), refused.err());
        assertTrue(refused.err().contains("shared block Ids differs from what its source makes, and its end marker records no sha256"), refused.err());

        int begin = text.indexOf(SharedBlocks.beginMarker("Ids"));
        int end = text.indexOf("\n", text.indexOf("// ---- end of shared block Ids", begin));
        Files.writeString(emit, text.substring(0, text.indexOf('\n', begin) + 1) + "    // ---- end of shared block Ids ----" + text.substring(end));
        assertEquals(0, run(repo, false, false).code(), "an empty block is filled in");
        assertEquals(text, Files.readString(emit));
    }

    record Output(int code, String err) {
    }

    private static Output run(Path repo, boolean check, boolean force) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SharedBlocks.run(repo, check, force, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(code, err.toString(StandardCharsets.UTF_8));
    }

    /** The scripts, shared/ and schemas/ in a directory of the test's own. */
    private Path copyOfTheRepository() throws IOException {
        Path repo = Files.createTempDirectory(temp, "repo");
        List<Path> files = new ArrayList<>(SharedBlocks.scripts(ROOT));
        for (String dir : List.of("shared", "schemas")) {
            try (Stream<Path> walk = Files.walk(ROOT.resolve(dir))) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        for (Path file : files) {
            Path target = repo.resolve(ROOT.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target);
        }
        return repo;
    }

    // --- the bundled schemas

    @Test
    void theBundledSchemasAreTheSchemasDirectoryCompacted() throws IOException {
        String bundled = String.join("\n", SharedBlocks.bundledSchemasCall(ROOT));
        assertTrue(bundled.startsWith("    static final Map<String, String> BUNDLED_SCHEMAS = bundledSchemas(\n"), bundled.substring(0, 200));
        assertTrue(bundled.contains("\"events/rfc.pr.ready.schema.json\", \"{\\\"$schema\\\":"), bundled.substring(0, 400));
        assertTrue(read("emit.java").contains(bundled), "emit.java carries the schemas of schemas/");
        assertTrue(read("shared/BundledSchemas.java").contains(SharedBlocks.BUNDLED_SCHEMAS_CALL + "\n"));
        assertEquals("{\"a\":\"b c\",\"d\":[1,2]}", SharedBlocks.compact("{ \"a\": \"b c\",\n  \"d\": [ 1, 2 ] }"));
        assertEquals("\"\\\"\\\\\\u00e9\"", SharedBlocks.javaString("\"\\\u00e9"));
    }

    private static List<String> scripts() {
        try {
            List<String> scripts = SharedBlocks.scripts(ROOT).stream().map(p -> p.getFileName().toString()).toList();
            assertTrue(scripts.containsAll(List.of("emit.java", "validate.java", "dedupe.java", "route.java")), scripts.toString());
            return scripts;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file));
    }
}
