import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The wrapper's fast path for an alias of a catalog (docs/wrapper.md): which script an alias names,
 * when JBang would read a local catalog, or fetch a remote catalog or script, again. What is mirrored
 * here is JBang's resolution, the same on every JDK, so these stories run once, on the JDK the suite
 * runs on; FastPathEndToEndTest's stories of the launch itself run on JDK 25 as well
 * (FastPathJdk25EndToEndTest). Remote catalogs and scripts come from a local web server; a copy older
 * than cache-evict is made by setting its modification time back, never by waiting.
 */
class FastPathCatalogEndToEndTest extends FastPathFixture {
    @Test
    void anAliasOfALocalCatalogHasTheFastPathUntilItsEntryChanges() throws IOException {
        Path catalogDir = Files.createDirectories(work.resolve("catalog"));
        Files.writeString(catalogDir.resolve("hello.java"), script("hello"));
        Files.writeString(catalogDir.resolve("bonjour.java"), script("bonjour"));
        Path catalog = catalogDir.resolve("jbang-catalog.json");
        Files.writeString(catalog, "{\"aliases\": {\"hi\": {\"script-ref\": \"hello.java\", \"description\": \"says \\\"hello\\\"\"}}}\n");
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        Run add = jbang(elsewhere, Map.of(), "catalog", "add", "--global", "--name", "fp", catalog.toString());
        assertEquals(0, add.exitCode(), add.toString());
        assertTrue(add.path().startsWith("launcher: not a .java file or an alias@catalog"), add.toString());

        Run hi = fast(elsewhere, Map.of(), "hi@fp", "a");
        assertEquals("hello a picocli 4.7.7\n", hi.stdout());
        // The alias's options change: arguments of its own, before the user's.
        Files.writeString(catalog, "{\"aliases\": {\"hi\": {\"script-ref\": \"hello.java\", \"arguments\": [\"first\"]}}}\n");
        Run arguments = jbang(elsewhere, Map.of(), "hi@fp", "a");
        assertEquals("launcher: changed " + catalog.toRealPath(), arguments.path(), arguments.toString());
        assertEquals("hello first|a picocli 4.7.7\n", arguments.stdout());
        Run again = jbang(elsewhere, Map.of(), "hi@fp", "b");
        assertEquals("fast path", again.path(), again.toString());
        assertEquals("hello first|b picocli 4.7.7\n", again.stdout());
        // The alias's script-ref changes.
        Files.writeString(catalog, "{\"aliases\": {\"hi\": {\"script-ref\": \"bonjour.java\"}}}\n");
        Run script = jbang(elsewhere, Map.of(), "hi@fp", "a");
        assertEquals("launcher: changed " + catalog.toRealPath(), script.path(), script.toString());
        assertEquals("bonjour a picocli 4.7.7\n", script.stdout());
        assertEquals("fast path", jbang(elsewhere, Map.of(), "hi@fp", "a").path());
        // The script behind the alias changes.
        Files.writeString(catalogDir.resolve("bonjour.java"), script("salut"));
        Run edited = jbang(elsewhere, Map.of(), "hi@fp", "a");
        assertEquals("launcher: changed " + catalogDir.toRealPath().resolve("bonjour.java"), edited.path(), edited.toString());
        assertEquals("salut a picocli 4.7.7\n", edited.stdout());
        assertEquals("fast path", jbang(elsewhere, Map.of(), "hi@fp", "a").path());
        // A catalog file nearer to the current directory could name the catalog too.
        Files.writeString(elsewhere.resolve("jbang-catalog.json"), "{}\n");
        Run nearer = jbang(elsewhere, Map.of(), "hi@fp", "a");
        assertEquals("launcher: new file " + elsewhere.toRealPath().resolve("jbang-catalog.json"), nearer.path(), nearer.toString());
        assertEquals("fast path", jbang(elsewhere, Map.of(), "hi@fp", "a").path());
        // The catalog registered under that name elsewhere.
        Path moved = Files.createDirectories(work.resolve("moved"));
        Files.writeString(moved.resolve("jbang-catalog.json"),
                "{\"aliases\": {\"hi\": {\"script-ref\": \"" + catalogDir.resolve("hello.java") + "\"}}}\n");
        Run force = jbang(elsewhere, Map.of(), "catalog", "add", "--global", "--force", "--name", "fp", moved.resolve("jbang-catalog.json").toString());
        assertEquals(0, force.exitCode(), force.toString());
        Run registered = jbang(elsewhere, Map.of(), "hi@fp", "a");
        assertEquals("launcher: changed " + jbangDir.resolve("jbang-catalog.json"), registered.path(), registered.toString());
        assertEquals("hello a picocli 4.7.7\n", registered.stdout());
        assertEquals("fast path", jbang(elsewhere, Map.of(), "hi@fp", "a").path());
    }

    @Test
    void anAliasOfARemoteCatalogHasTheFastPathWhileJBangsCopiesAreFresh() throws IOException {
        try (Remote remote = remote("fresh", "hi hello.java")) {
            Run hi = fast(remote.dir(), Map.of(), "hi@fresh", "a");
            assertEquals("hello a picocli 4.7.7\n", hi.stdout());
            assertEquals(List.of("200"), remote.site().requests(Remote.CATALOG));
            assertEquals(List.of("200"), remote.site().requests("/acme/tools/blob/v1.0.0/hello.java"));

            // 11 hours old: JBang would still use its copies, so the fast path holds.
            age(remote.catalogUrl(), 11);
            age(remote.script("hello.java"), 11);
            assertEquals("fast path", jbang(remote.dir(), Map.of(), "hi@fresh", "a").path());
            // 13 hours: JBang asks the server again (which answers "not modified"), through the launcher.
            age(remote.catalogUrl(), 13);
            Run catalog = jbang(remote.dir(), Map.of(), "hi@fresh", "a");
            assertEquals(STALE.formatted(remote.catalogUrl(), 43200), catalog.path(), catalog.toString());
            assertEquals("hello a picocli 4.7.7\n", catalog.stdout());
            assertEquals(List.of("200", "304"), remote.site().requests(Remote.CATALOG));
            assertEquals("fast path", jbang(remote.dir(), Map.of(), "hi@fresh", "a").path());
            age(remote.script("hello.java"), 13);
            Run script = jbang(remote.dir(), Map.of(), "hi@fresh", "a");
            assertEquals(STALE.formatted(remote.script("hello.java"), 43200), script.path(), script.toString());
            assertEquals(List.of("200", "304"), remote.site().requests("/acme/tools/blob/v1.0.0/hello.java"));
            assertEquals("fast path", jbang(remote.dir(), Map.of(), "hi@fresh", "a").path());

            // JBang's cache-evict setting, from the nearest jbang.properties.
            Path properties = Files.writeString(remote.dir().resolve("jbang.properties"), "# one hour\ncache-evict : PT1H\n");
            assertTrue(jbang(remote.dir(), Map.of(), "hi@fresh", "a").path().startsWith("launcher: new file "));
            assertEquals("fast path", jbang(remote.dir(), Map.of(), "hi@fresh", "a").path());
            age(remote.catalogUrl(), 2);
            assertEquals(STALE.formatted(remote.catalogUrl(), 3600), jbang(remote.dir(), Map.of(), "hi@fresh", "a").path());
            Files.writeString(properties, "cache-evict=never\n");
            assertTrue(jbang(remote.dir(), Map.of(), "hi@fresh", "a").path().startsWith("launcher: changed "));
            age(remote.catalogUrl(), 24 * 1000);
            assertEquals("fast path", jbang(remote.dir(), Map.of(), "hi@fresh", "a").path());
            // 0: JBang fetches every time, so the command is not saved.
            Files.writeString(properties, "cache-evict=0\n");
            Run always = jbang(remote.dir(), Map.of(), "hi@fresh", "a");
            assertTrue(always.stderr().contains("[jbang wrapper] not saved: cannot tell JBang's cache-evict setting, or it is 0"), always.toString());
            assertTrue(jbang(remote.dir(), Map.of(), "hi@fresh", "a").path().startsWith("launcher: "));
        }
    }

    @Test
    void aRemoteCatalogServedAnewIsReadOnceJBangsCopyIsEvicted() throws IOException {
        try (Remote remote = remote("moved", "hi hello.java")) {
            assertEquals("hello a picocli 4.7.7\n", fast(remote.dir(), Map.of(), "hi@moved", "a").stdout());
            remote.serveCatalog("hi bonjour.java");
            // Until its copy is evicted, JBang itself keeps the catalog it has: so does the fast path.
            assertEquals("hello a picocli 4.7.7\n", jbang(remote.dir(), Map.of("JBANG_WRAPPER_FAST", "false"), "hi@moved", "a").stdout());
            Run kept = jbang(remote.dir(), Map.of(), "hi@moved", "a");
            assertEquals("fast path", kept.path());
            assertEquals("hello a picocli 4.7.7\n", kept.stdout());

            age(remote.catalogUrl(), 13);
            Run moved = jbang(remote.dir(), Map.of(), "hi@moved", "a");
            assertEquals(STALE.formatted(remote.catalogUrl(), 43200), moved.path(), moved.toString());
            assertEquals("bonjour a picocli 4.7.7\n", moved.stdout(), "the new script-ref");
            assertTrue(moved.saved(), moved.toString());
            assertEquals(List.of("200", "200"), remote.site().requests(Remote.CATALOG));
            Run again = jbang(remote.dir(), Map.of(), "hi@moved", "a");
            assertEquals("fast path", again.path(), again.toString());
            assertEquals("bonjour a picocli 4.7.7\n", again.stdout());
        }
    }

    @Test
    void aRemoteScriptServedWithNewContentIsRebuiltOnceJBangsCopyIsEvicted() throws IOException {
        try (Remote remote = remote("edited", "hi hello.java")) {
            fast(remote.dir(), Map.of(), "hi@edited", "a");
            Path copy = cached(remote.script("hello.java"));
            remote.serveScript("hello.java", script("salut"));
            assertEquals("hello a picocli 4.7.7\n", jbang(remote.dir(), Map.of(), "hi@edited", "a").stdout());

            age(remote.script("hello.java"), 13);
            Run rebuilt = jbang(remote.dir(), Map.of(), "hi@edited", "a");
            assertEquals(STALE.formatted(remote.script("hello.java"), 43200), rebuilt.path(), rebuilt.toString());
            assertEquals("salut a picocli 4.7.7\n", rebuilt.stdout());
            assertTrue(rebuilt.stderr().contains("[jbang] Building jar for hello.java"), rebuilt.toString());
            assertEquals(script("salut"), Files.readString(copy));
            assertTrue(Files.isRegularFile(jbangDir.resolve("cache/jars/hello.java." + sha256(Files.readAllBytes(copy)) + "/hello.jar")));
            Run again = jbang(remote.dir(), Map.of(), "hi@edited", "a");
            assertEquals("fast path", again.path(), again.toString());
            assertEquals("salut a picocli 4.7.7\n", again.stdout());

            // JBang's copy changed in its cache, whatever did it: the content decides.
            Files.writeString(copy, script("hallo"));
            Run changed = jbang(remote.dir(), Map.of(), "hi@edited", "a");
            assertEquals("launcher: changed " + copy, changed.path(), changed.toString());
            assertEquals("hallo a picocli 4.7.7\n", changed.stdout(), "JBang builds what its cache holds");
        }
    }

    @Test
    void aRemoteCatalogFetchedAgainForAnotherAliasKeepsTheFastPathOfAnAliasItDidNotChange() throws IOException {
        try (Remote remote = remote("shared", "hi hello.java", "ho bonjour.java")) {
            fast(remote.dir(), Map.of(), "hi@shared", "a");
            fast(remote.dir(), Map.of(), "ho@shared", "a");
            // A new alias in the catalog; ho's launcher run fetches it.
            remote.serveCatalog("hi hello.java", "ho bonjour.java", "hey hello.java");
            age(remote.catalogUrl(), 13);
            assertEquals(STALE.formatted(remote.catalogUrl(), 43200), jbang(remote.dir(), Map.of(), "ho@shared", "a").path());
            Run hi = jbang(remote.dir(), Map.of(), "hi@shared", "a");
            assertEquals("fast path", hi.path(), "hi's entry is the same: " + hi);
            assertEquals("hello a picocli 4.7.7\n", hi.stdout());
            // hi's entry changes: its arguments.
            remote.serveCatalog("hi hello.java first", "ho bonjour.java", "hey hello.java");
            age(remote.catalogUrl(), 13);
            assertEquals(STALE.formatted(remote.catalogUrl(), 43200), jbang(remote.dir(), Map.of(), "ho@shared", "a").path());
            Run changed = jbang(remote.dir(), Map.of(), "hi@shared", "a");
            assertEquals("launcher: changed alias hi in " + remote.catalogUrl() + " (cached as " + cached(remote.catalogUrl()) + ")",
                    changed.path(), changed.toString());
            assertEquals("hello first|a picocli 4.7.7\n", changed.stdout());
            assertEquals("fast path", jbang(remote.dir(), Map.of(), "hi@shared", "a").path());
        }
    }

    @Test
    void aCatalogAtATagWithRelativeScriptRefsUnderItsImplicitName() throws IOException {
        // What JBang notes in implicit-catalog.json once it found hi@acme/tools/v1.0.0 on github.com, at
        // https://github.com/acme/tools/blob/v1.0.0/jbang-catalog.json; here, the web server's.
        try (Remote remote = remote("tagged", "unused hello.java")) {
            String catalog = "/acme/tools/blob/v1.0.0/jbang-catalog.json";
            remote.site().serve(catalog, "{\"aliases\": {\"hi\": {\"script-ref\": \"hello.java\"}}}\n");
            Path implicit = jbangDir.resolve("implicit-catalog.json");
            Files.writeString(implicit, "{\"catalogs\": {\"acme/tools/v1.0.0\": {\"catalog-ref\": \"" + remote.site().url(catalog) + "\"}}}\n");
            try {
                Run hi = fast(remote.dir(), Map.of(), "hi@acme/tools/v1.0.0", "a");
                assertEquals("hello a picocli 4.7.7\n", hi.stdout());
                assertEquals(List.of("200"), remote.site().requests("/acme/tools/blob/v1.0.0/hello.java"));
                age(remote.script("hello.java"), 13);
                assertEquals(STALE.formatted(remote.script("hello.java"), 43200), jbang(remote.dir(), Map.of(), "hi@acme/tools/v1.0.0", "a").path());
            } finally {
                Files.delete(implicit);
            }
        }
    }
}
