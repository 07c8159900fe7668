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

/** The shared blocks: one source each that compiles on its own, and every copy made from it. */
class SharedBlocksTest {
    static final Path ROOT = Scripts.ROOT;
    static final List<String> SCRIPTS = List.of("emit.java", "validate.java", "dedupe.java", "route.java");

    @TempDir
    Path temp;

    @Test
    void everyCopyOfASharedBlockIsItsSource() throws IOException {
        List<SharedBlocks.Plan> plans = SharedBlocks.plans(ROOT);
        List<String> stale = plans.stream().filter(SharedBlocks.Plan::stale).map(p -> p.script().getFileName() + " " + p.staleBlocks()).toList();
        assertEquals(List.of(), stale, "these copies differ from their sources; edit shared/, not the copies, and run " + SharedBlocks.COMMAND);
        assertEquals(SCRIPTS.size(), plans.size(), "every script has shared blocks: " + plans.stream().map(SharedBlocks.Plan::script).toList());
    }

    /** Every source is copied somewhere, and every script says where its copies come from. */
    @Test
    void everySourceIsCopiedSomewhere() throws IOException {
        try (Stream<Path> sources = Files.list(ROOT.resolve("shared"))) {
            Set<String> blocks = sources.map(p -> p.getFileName().toString().replace(".java", "")).collect(Collectors.toCollection(TreeSet::new));
            Set<String> used = new TreeSet<>();
            for (String script : SCRIPTS) {
                String text = read(script);
                for (String block : SharedBlocks.blocksOf(text)) {
                    used.add(block);
                    assertTrue(text.contains(SharedBlocks.beginMarker(block)), script + ": " + block);
                }
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

    // --- copies and their sources

    /** An edited copy is put back from its source. */
    @Test
    void anEditedCopyIsPutBack() throws IOException {
        String script = read("emit.java");
        String edited = script.replace("static boolean inActions(Map<String, String> env) {", "static boolean inActions(Map<String, String> env) { // edited");
        assertNotEquals(script, edited);
        assertEquals(script, SharedBlocks.plan(ROOT, ROOT.resolve("emit.java"), edited).expected(), "the tool restores the copy from its source");
    }

    /** A copy the tool wrote is rewritten when its source changes, with no --force: that is the normal way to change shared code. */
    @Test
    void aCopyAsTheToolWroteItFollowsItsSource() throws IOException {
        Path repo = copyOfTheRepository();
        Path actions = repo.resolve("shared/Actions.java");
        Files.writeString(actions, Files.readString(actions).replace("// Escaping as @actions/core's command.ts does it.",
                "// Escaping as @actions/core's command.ts does it (toolkit packages/core/src/command.ts)."));
        Output check = run(repo, true);
        assertEquals(1, check.code());
        assertTrue(check.err().contains("emit.java: the shared block(s) Actions differ from their source"), check.err());
        Output written = run(repo, false);
        assertEquals(0, written.code(), written.err());
        for (String script : SCRIPTS) {
            assertTrue(Files.readString(repo.resolve(script)).contains("(toolkit packages/core/src/command.ts)"), script);
        }
    }

    record Output(int code, String err) {
    }

    private static Output run(Path repo, boolean check) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SharedBlocks.run(repo, check, new PrintStream(err, true, StandardCharsets.UTF_8));
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

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file));
    }
}
