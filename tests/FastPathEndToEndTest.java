import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapper's fast path (docs/wrapper.md): after JBang's launcher built a script and printed
 * its command, the next run with nothing changed starts the script's JVM directly, and every
 * change JBang would act on makes the run go through the launcher again, which builds anew.
 * Which path a run took is what the wrapper says with JBANG_WRAPPER_DEBUG=1 ("[jbang wrapper]
 * fast path" or "[jbang wrapper] launcher: why"), never how long it took.
 *
 * The script is a small one of the test's own, with //DEPS and //CDS, in a fresh JBANG_DIR whose
 * dependencies come from a file repository inside the test's directory: no network, and a
 * dependency jar the test may delete.
 *
 * Remote catalogs and scripts come from a local web server (CatalogEndToEndTest.Site). JBang keeps
 * its copy of each URL in its cache and fetches it again once the copy is older than its
 * cache-evict setting (12 hours): the tests make a copy that old by setting its modification time
 * back, never by waiting.
 */
class FastPathEndToEndTest extends FastPathFixture {
    @Test
    void theSecondRunSkipsTheLauncherWithTheSameResult() throws IOException {
        writeScript(script("hello"));
        Run first = jbang("hello.java", "a b", "it's", "$HOME", "--verbose", "-h", "x\ny", "\\");
        assertEquals(0, first.exitCode(), first.toString());
        assertEquals("launcher: no saved command for this directory, script and JAVA_HOME", first.path());
        assertEquals("hello a b|it's|$HOME|--verbose|-h|x\ny|\\ picocli 4.7.7\n", first.stdout());
        Run second = jbang("hello.java", "other", "args");
        assertEquals("fast path", second.path(), second.toString());
        assertEquals("hello other|args picocli 4.7.7\n", second.stdout());
        Run noArgs = jbang("hello.java");
        assertEquals("fast path", noArgs.path(), noArgs.toString());
        assertEquals("hello  picocli 4.7.7\n", noArgs.stdout());
    }

    @Test
    void editingTheScriptGoesThroughTheLauncherAndRebuilds() throws IOException {
        Path script = writeScript(script("hello"));
        fast(work, Map.of(), "hello.java", "x");
        Files.writeString(script, script("bonjour"));
        Run edited = jbang("hello.java", "x");
        assertEquals("launcher: changed " + script.toRealPath(), edited.path(), edited.toString());
        assertEquals("bonjour x picocli 4.7.7\n", edited.stdout());
        assertTrue(edited.saved(), edited.toString());
        Run again = jbang("hello.java", "x");
        assertEquals("fast path", again.path(), again.toString());
        assertEquals("bonjour x picocli 4.7.7\n", again.stdout());
    }

    @Test
    void aTouchedButUnchangedScriptKeepsTheFastPath() throws IOException {
        Path script = writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        // A new inode and times, the same content: what a checkout or a cache restore does.
        Path copy = Files.writeString(work.resolve("copy.tmp"), Files.readString(script));
        Files.move(copy, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Run touched = jbang("hello.java");
        assertEquals("fast path", touched.path(), touched.toString());
    }

    @Test
    void aChangedDepsLineGoesThroughTheLauncher() throws IOException {
        Path script = writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        Files.writeString(script, script("hello", "com.ethlo.time:itu:1.14.0"));
        Run changed = jbang("hello.java");
        assertEquals("launcher: changed " + script.toRealPath(), changed.path(), changed.toString());
        assertEquals(0, changed.exitCode(), changed.toString());
        Run again = jbang("hello.java");
        assertEquals("fast path", again.path(), again.toString());
        String dryRun = jbang(work, Map.of("JBANG_WRAPPER_DRYRUN", "1"), "hello.java").stdout();
        assertTrue(dryRun.contains("itu-1.14.0.jar"), "the new dependency is on the class path: " + dryRun);
    }

    @Test
    void aMissingJarGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        // The script's own build in JBang's cache.
        Path built = builtJar();
        Files.delete(built);
        Run rebuilt = jbang("hello.java");
        assertEquals("launcher: missing " + built, rebuilt.path(), rebuilt.toString());
        assertEquals(0, rebuilt.exitCode(), rebuilt.toString());
        assertTrue(Files.exists(built), "JBang built the script again");
        // A dependency: JBang resolves it again (from the file repository).
        Path dependency = localRepo.resolve("info/picocli/picocli/4.7.7/picocli-4.7.7.jar");
        Files.delete(dependency);
        Run resolved = jbang("hello.java");
        assertEquals("launcher: missing " + dependency, resolved.path(), resolved.toString());
        assertEquals(0, resolved.exitCode(), resolved.toString());
        assertTrue(Files.exists(dependency), "JBang resolved the dependency again");
        assertEquals("fast path", jbang("hello.java").path());
    }

    @Test
    void aChangedJarGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        Path built = builtJar();
        byte[] content = Files.readAllBytes(built);
        Files.write(built, new byte[] {'P', 'K'}); // another file at the same path
        Run changed = jbang("hello.java");
        assertEquals("launcher: changed " + built, changed.path(), changed.toString());
        Files.write(built, content);
    }

    @Test
    void anotherJavaHomeGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        // The same JDK at another path: JBang would print that path.
        Path link = Files.createSymbolicLink(work.resolve("jdk-link"), Path.of(System.getProperty("java.home")).toRealPath());
        Run linked = jbang(work, Map.of("JAVA_HOME", link.toString()), "hello.java");
        assertEquals("launcher: no saved command for this directory, script and JAVA_HOME", linked.path(), linked.toString());
        Run again = jbang(work, Map.of("JAVA_HOME", link.toString()), "hello.java");
        assertEquals("fast path", again.path(), again.toString());
        assertEquals("hello  picocli 4.7.7\n", again.stdout());
    }

    @Test
    void aJdkUpdatedInPlaceGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        // A JDK of its own (java.home is where libjvm.so really is): a copy of bin/java and lib/server/libjvm.so,
        // links to the rest of the JDK of the class's runs (javac among them), and a release file that can change.
        String runs = javaHomeOfRuns();
        Path real = Path.of(runs != null ? runs : System.getProperty("java.home")).toRealPath();
        Path jdk = Files.createDirectories(work.resolve("jdk"));
        linkAllBut(real, jdk, "bin", "lib", "release");
        linkAllBut(real.resolve("lib"), Files.createDirectories(jdk.resolve("lib")), "server");
        linkAllBut(real.resolve("lib/server"), Files.createDirectories(jdk.resolve("lib/server")), "libjvm.so");
        linkAllBut(real.resolve("bin"), Files.createDirectories(jdk.resolve("bin")), "java");
        Files.copy(real.resolve("lib/server/libjvm.so"), jdk.resolve("lib/server/libjvm.so"));
        Files.copy(real.resolve("bin/java").toRealPath(), jdk.resolve("bin/java"), StandardCopyOption.COPY_ATTRIBUTES);
        Path release = Files.copy(real.resolve("release"), jdk.resolve("release"));
        Map<String, String> env = Map.of("JAVA_HOME", jdk.toString());
        fast(work, env, "hello.java");
        assertTrue(jbang(work, Map.of("JAVA_HOME", jdk.toString(), "JBANG_WRAPPER_DRYRUN", "1"), "hello.java").stdout()
                .startsWith(jdk.toRealPath() + "/bin/java "), "JBang runs the script with that JDK");
        // An update of the JDK at the same path shows in its release file.
        Files.writeString(release, Files.readString(release).replace("JAVA_RUNTIME_VERSION=\"", "JAVA_RUNTIME_VERSION=\"99."));
        Run updated = jbang(work, env, "hello.java");
        assertTrue(updated.path().startsWith("launcher: "), updated.toString());
        assertEquals(0, updated.exitCode(), updated.toString());
        assertEquals("fast path", jbang(work, env, "hello.java").path());
    }

    @Test
    void jdk25UsesTheAotCacheWhichATrainingRunRecords() throws Exception {
        assumeTrue(jdkEnvironment().isEmpty(), "this class's runs are on JDK 25 throughout");
        Path jdk25 = temurin25();
        assumeTrue(jdk25 != null, "no JDK 25 under /usr/lib/jvm");
        writeScript(script("hello"));
        Map<String, String> env = Map.of("JAVA_HOME", jdk25.toString());
        fast(work, Map.of(), "hello.java");
        Run other = jbang(work, env, "hello.java", "x");
        assertEquals("launcher: no saved command for this directory, script and JAVA_HOME", other.path(), other.toString());
        assertEquals("hello x picocli 4.7.7\n", other.stdout(), "nothing of the AOT training on stdout");
        // The first run on JDK 25 recorded training data; the cache is created in the background once it exited.
        Path aot = awaitAotCache();
        String command = jbang(work, Map.of("JAVA_HOME", jdk25.toString(), "JBANG_WRAPPER_DRYRUN", "1"), "hello.java").stdout();
        assertTrue(command.contains("-XX:AOTCache=" + aot), command);
        assertTrue(!command.contains("-Xshare:") && !command.contains(".jsa"), "no AppCDS options beside the AOT cache: " + command);
        Run cached = jbang(work, env, "hello.java", "y");
        assertEquals("fast path", cached.path(), cached.toString());
        assertEquals("hello y picocli 4.7.7\n", cached.stdout());
        awaitNoPending(jbangDir.resolve("wrapper")); // the launcher's own AOT cache, before the directory goes
        // JDK 17 again: its own saved command and its AppCDS archive.
        String jdk17 = jbang(work, Map.of("JBANG_WRAPPER_DRYRUN", "1"), "hello.java").stdout();
        assertTrue(jdk17.contains("-XX:SharedArchiveFile=") && !jdk17.contains("AOT"), jdk17);
    }

    @Test
    void aChangedJavaOptionsVariableGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        Run options = jbang(work, Map.of("JBANG_JAVA_OPTIONS", "-Dgreeting=hi"), "hello.java");
        assertEquals("launcher: saved for another context, not: env JBANG_JAVA_OPTIONS=-Dgreeting=hi", options.path(), options.toString());
        String command = jbang(work, Map.of("JBANG_JAVA_OPTIONS", "-Dgreeting=hi", "JBANG_WRAPPER_DRYRUN", "1"), "hello.java").stdout();
        assertTrue(command.contains("-Dgreeting=hi"), "JBang passes the options to the script JVM: " + command);
    }

    @Test
    void aJBangPropertiesFileGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        Files.writeString(work.resolve("jbang.properties"), "run.java-options=-Dfrom=properties\n");
        Run configured = jbang("hello.java");
        assertEquals("launcher: new file " + work.toRealPath().resolve("jbang.properties"), configured.path(), configured.toString());
    }

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

    @Test
    void whatTheFastPathLeavesToTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java");
        assertEquals("launcher: JBANG_WRAPPER_FAST=false", jbang(work, Map.of("JBANG_WRAPPER_FAST", "false"), "hello.java").path());
        assertEquals("launcher: not a .java file or an alias@catalog: --verbose", jbang("--verbose", "hello.java").path());
        assertEquals("launcher: not a .java file or an alias@catalog: --version", jbang("--version").path());
        for (String arg : List.of("100%", "@args.txt", "", "caf\u00e9")) {
            assertEquals("launcher: an argument JBang would rewrite", jbang("hello.java", arg).path(), "argument " + arg);
        }
    }

    // ---- the saved command is the one JBang's launcher prints --------------------------------

    /**
     * The fast path runs what the pinned JBang's launcher would run (docs/wrapper.md, "What the fast
     * path mirrors of JBang"): asked for the same script and arguments, JBang's Main prints the
     * saved command followed by those arguments, but for the one difference the page lists (where
     * JBang put its class-data sharing option, the record holds a mark: the wrapper chooses that
     * option on each run). And the wrapper's dry runs print the same command line through either path.
     */
    void assertTheLauncherRunsTheSavedCommand(Path dir, String script, String... args) throws Exception {
        awaitNoAotCreation();
        Path record = record(dir, script);
        List<String> cds = recordValues(record, "cds");
        List<String> saved = new ArrayList<>();
        for (String elem : recordValues(record, "command")) {
            saved.add(elem.equals("\u0001cds\u0001") ? "<class-data sharing>" : elem);
        }
        saved.addAll(List.of(args));
        List<String> jbangArgs = new ArrayList<>(List.of(script));
        jbangArgs.addAll(List.of(args));
        List<String> launcher = new ArrayList<>();
        for (String elem : launcherCommand(dir, Map.of(), jbangArgs.toArray(String[]::new))) {
            boolean option = cds.size() == 1
                    && (elem.equals("-XX:SharedArchiveFile=" + cds.get(0)) || elem.equals("-XX:ArchiveClassesAtExit=" + cds.get(0)));
            launcher.add(option ? "<class-data sharing>" : elem);
        }
        assertEquals(launcher, saved, "JBang's launcher runs the saved command (" + record + ")");

        Run fast = jbang(dir, Map.of("JBANG_WRAPPER_DRYRUN", "1"), jbangArgs.toArray(String[]::new));
        assertEquals("fast path", fast.path(), fast.toString());
        Run slow = jbang(dir, Map.of("JBANG_WRAPPER_DRYRUN", "1", "JBANG_WRAPPER_FAST", "false"), jbangArgs.toArray(String[]::new));
        assertEquals(slow.stdout(), fast.stdout(), "the same command line through the launcher and the fast path");
    }

    @Test
    void aScriptsSavedCommandIsTheOneJBangsLauncherPrints() throws Exception {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java", "x");
        assertTheLauncherRunsTheSavedCommand(work, "hello.java", "a b", "it's", "$HOME", "-h");
    }

    @Test
    void anAliasesSavedCommandIsTheOneJBangsLauncherPrints() throws Exception {
        // A local catalog whose alias has arguments and Java options of its own.
        Path catalog = Files.writeString(work.resolve("jbang-catalog.json"),
                "{\"aliases\": {\"hi\": {\"script-ref\": \"hello.java\", \"arguments\": [\"first\"], \"java-options\": [\"-Dgreeting=hi\"]}}}\n");
        Files.writeString(work.resolve("hello.java"), script("hello"));
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        assertEquals(0, jbang(elsewhere, Map.of(), "catalog", "add", "--global", "--name", "eq", catalog.toString()).exitCode());
        assertEquals("hello first|x picocli 4.7.7\n", fast(elsewhere, Map.of(), "hi@eq", "x").stdout());
        assertTrue(recordValues(record(elsewhere, "hi@eq"), "command").contains("-Dgreeting=hi"), "the alias's Java options are in the command");
        assertTheLauncherRunsTheSavedCommand(elsewhere, "hi@eq", "y", "z z");
        // A remote catalog and script: JBang's copies of them in its cache.
        try (Remote remote = remote("eqremote", "ho bonjour.java first")) {
            fast(remote.dir(), Map.of(), "ho@eqremote", "x");
            assertTheLauncherRunsTheSavedCommand(remote.dir(), "ho@eqremote", "y");
        }
    }
}
