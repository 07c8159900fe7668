import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shared blocks: one source each, every copy identical to it, and the check that says so can fail. */
class SharedBlocksTest {
    static final Path ROOT = Scripts.ROOT;

    @Test
    void everyCopyOfASharedBlockIsItsSource() throws IOException {
        Map<Path, String> stale = SharedBlocks.stale(ROOT);
        assertTrue(stale.isEmpty(), "these scripts differ from their shared blocks' sources; run " + SharedBlocks.COMMAND
                + " (and edit shared/, not the copies): " + stale.keySet());
    }

    @Test
    void anEditedCopyIsFoundAndPutBack() throws IOException {
        String script = Files.readString(ROOT.resolve("emit.java"));
        String edited = script.replace("static boolean inActions(Map<String, String> env) {", "static boolean inActions(Map<String, String> env) { // edited");
        assertNotEquals(script, edited);
        assertEquals(script, SharedBlocks.render(ROOT, edited), "the tool restores the copy from its source");
    }

    @Test
    void everySourceIsCopiedSomewhereAndEveryScriptSaysWhereItsCopiesComeFrom() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Path script : SharedBlocks.scripts(ROOT)) {
            String text = Files.readString(script);
            for (String block : SharedBlocks.blocksOf(text)) {
                used.add(block);
                String source = block.equals(SharedBlocks.BUNDLED_SCHEMAS) ? "schemas/" : "shared/" + block + ".java";
                assertTrue(text.contains(SharedBlocks.beginMarker(block, source)), script + ": " + block);
            }
        }
        try (Stream<Path> sources = Files.list(ROOT.resolve("shared"))) {
            Set<String> blocks = sources.map(p -> p.getFileName().toString().replace(".java", "")).collect(Collectors.toCollection(TreeSet::new));
            blocks.add(SharedBlocks.BUNDLED_SCHEMAS);
            assertEquals(blocks, used, "a block no script uses is dead code");
        }
        // The five scripts carry the plumbing every script needs.
        for (String script : List.of("emit.java", "validate.java", "dedupe.java", "route.java", "events.java")) {
            assertTrue(SharedBlocks.blocksOf(Files.readString(ROOT.resolve(script))).containsAll(List.of("Cli", "Actions", "Json", "Source")), script);
        }
    }

    @Test
    void theBundledSchemasAreTheSchemasDirectoryCompacted() throws IOException {
        String bundled = String.join("\n", SharedBlocks.bundledSchemas(ROOT).lines());
        assertTrue(bundled.contains("\"events/rfc.pr.ready.schema.json\", \"{\\\"$schema\\\":"), bundled.substring(0, 400));
        assertEquals("{\"a\":\"b c\",\"d\":[1,2]}", SharedBlocks.compact("{ \"a\": \"b c\",\n  \"d\": [ 1, 2 ] }"));
        assertEquals("\"\\\"\\\\\\u00e9\"", SharedBlocks.javaString("\"\\\u00e9"));
    }
}
