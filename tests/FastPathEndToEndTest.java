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
class FastPathEndToEndTest {
    static final String FAST = "[jbang wrapper] fast path";
    static final String LAUNCHER = "[jbang wrapper] launcher: ";

    @TempDir
    static Path shared;
    static Path jbangDir;
    static Path fileRepo;
    static Path localRepo;

    @TempDir
    Path work;

    /** A JBang home with the suite's copy of JBang (else the wrapper fetches it), and a file repository with picocli and itu. */
    @BeforeAll
    static void jbangHome() throws IOException {
        jbangDir = shared.resolve("jbang-home");
        copySuiteJBang(jbangDir);
        fileRepo = shared.resolve("file-repo");
        localRepo = shared.resolve("m2");
        publish(picocli.CommandLine.class, "info/picocli/picocli/4.7.7");
        publish(com.ethlo.time.ITU.class, "com/ethlo/time/itu/1.14.0");
    }

    /** Gives a JBang home the suite's copy of JBang, if there is one yet (else the wrapper fetches it with Maven there). */
    static void copySuiteJBang(Path home) throws IOException {
        Path suiteCli = Scripts.SUITE_JBANG_DIR.resolve("wrapper/jbang-cli-0.132.1");
        if (Files.isDirectory(suiteCli)) {
            copyTree(suiteCli, home.resolve("wrapper/jbang-cli-0.132.1"));
        }
    }

    /** Copies the jar a class came from, and its pom, into the file repository. */
    static void publish(Class<?> type, String directory) throws IOException {
        try {
            Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.createDirectories(fileRepo.resolve(directory));
            Files.copy(jar, dir.resolve(jar.getFileName()));
            Path pom = jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", ".pom"));
            Files.copy(pom, dir.resolve(pom.getFileName()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String script(String greeting, String... extraDeps) {
        StringBuilder deps = new StringBuilder("//DEPS info.picocli:picocli:4.7.7\n");
        for (String dep : extraDeps) {
            deps.append("//DEPS ").append(dep).append('\n');
        }
        return "///usr/bin/env jbang \"$0\" \"$@\" ; exit $?\n"
                + "//JAVA 17+\n"
                + "//REPOS local=" + fileRepo.toUri() + "\n"
                + deps
                + "//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off,cds+dynamic=off\n"
                + "//CDS\n"
                + "class hello {\n"
                + "    public static void main(String... args) {\n"
                + "        System.out.println(\"" + greeting + " \" + String.join(\"|\", args) + \" picocli \" + picocli.CommandLine.VERSION);\n"
                + "    }\n"
                + "}\n";
    }

    record Run(int exitCode, String stdout, String stderr) {
        /** The path the wrapper took: "fast path", or the launcher's reason. */
        String path() {
            List<String> said = stderr.lines().filter(l -> l.startsWith(FAST) || l.startsWith(LAUNCHER)).toList();
            assertEquals(1, said.size(), "one path per run: " + this);
            return said.get(0).substring("[jbang wrapper] ".length());
        }

        boolean saved() {
            return stderr.contains("[jbang wrapper] saved the command");
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** ./jbang ARGS in dir, as Scripts runs it, with the wrapper saying which path it took (stderr kept whole). */
    Run jbang(Path dir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Scripts.JBANG.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(Scripts.baseEnvironment(jbangDir));
        builder.environment().put("JBANG_REPO", localRepo.toString());
        builder.environment().put("JBANG_WRAPPER_DEBUG", "1");
        builder.environment().putAll(env);
        Scripts.Result r = Scripts.exec(builder, null);
        return new Run(r.exitCode(), r.stdout(), r.stderr());
    }

    Run jbang(String... args) {
        return jbang(work, Map.of(), args);
    }

    /** Runs until a run takes the fast path (the first builds and saves), and returns that run. */
    Run fast(Path dir, Map<String, String> env, String... args) {
        Run first = jbang(dir, env, args);
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.path().startsWith("launcher: "), first.toString());
        assertTrue(first.saved(), first.toString());
        Run second = jbang(dir, env, args);
        assertEquals(0, second.exitCode(), second.toString());
        assertEquals("fast path", second.path(), second.toString());
        assertEquals(first.stdout(), second.stdout(), "the same output either way");
        return second;
    }

    Path writeScript(String text) throws IOException {
        return Files.writeString(work.resolve("hello.java"), text);
    }

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
        // links to the rest of the test's JDK, and a release file that can change.
        Path real = Path.of(System.getProperty("java.home")).toRealPath();
        Path jdk = Files.createDirectories(work.resolve("jdk"));
        linkAllBut(real, jdk, "bin", "lib", "release");
        linkAllBut(real.resolve("lib"), Files.createDirectories(jdk.resolve("lib")), "server");
        linkAllBut(real.resolve("lib/server"), Files.createDirectories(jdk.resolve("lib/server")), "libjvm.so");
        Files.copy(real.resolve("lib/server/libjvm.so"), jdk.resolve("lib/server/libjvm.so"));
        Files.copy(real.resolve("bin/java").toRealPath(), Files.createDirectories(jdk.resolve("bin")).resolve("java"), StandardCopyOption.COPY_ATTRIBUTES);
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

    static void linkAllBut(Path from, Path to, String... except) throws IOException {
        try (Stream<Path> parts = Files.list(from)) {
            for (Path part : parts.toList()) {
                if (!List.of(except).contains(part.getFileName().toString()) && Files.exists(part)) {
                    Files.createSymbolicLink(to.resolve(part.getFileName()), part.toRealPath());
                }
            }
        }
    }

    @Test
    void jdk25UsesTheAotCacheWhichATrainingRunRecords() throws Exception {
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

    // ---- remote catalogs and scripts ---------------------------------------------------------

    /** The catalog a web server serves for the organisation acme, and the directory the test runs its aliases from. */
    record Remote(CatalogEndToEndTest.Site site, Path dir, String catalogUrl) implements AutoCloseable {
        static final String CATALOG = "/acme/jbang-catalog/blob/HEAD/jbang-catalog.json";

        String script(String name) {
            return site.url("/acme/tools/blob/v1.0.0/" + name);
        }

        void serveScript(String name, String text) {
            site.serve("/acme/tools/blob/v1.0.0/" + name, text);
        }

        /** Serves the catalog: aliases by name, each its script's file name (and its arguments, if any). */
        void serveCatalog(String... aliases) {
            StringBuilder json = new StringBuilder("{\"aliases\": {");
            for (int i = 0; i < aliases.length; i++) {
                String[] alias = aliases[i].split(" ");
                json.append(i > 0 ? ", " : "").append('"').append(alias[0]).append("\": {\"script-ref\": \"").append(script(alias[1])).append('"');
                if (alias.length > 2) {
                    json.append(", \"arguments\": [\"").append(alias[2]).append("\"]");
                }
                json.append('}');
            }
            site.serve(CATALOG, json.append("}}\n").toString());
        }

        @Override
        public void close() {
            site.close();
        }
    }

    /** Serves acme's catalog with these aliases ("name script [argument]"), registers it under the name given, and trusts acme's scripts. */
    Remote remote(String name, String... aliases) throws IOException {
        CatalogEndToEndTest.Site site = CatalogEndToEndTest.Site.start();
        Remote remote = new Remote(site, Files.createDirectories(work.resolve("elsewhere")), site.url(Remote.CATALOG));
        remote.serveScript("hello.java", script("hello"));
        remote.serveScript("bonjour.java", script("bonjour"));
        remote.serveCatalog(aliases);
        Run add = jbang(remote.dir(), Map.of(), "catalog", "add", "--global", "--name", name, remote.catalogUrl());
        assertEquals(0, add.exitCode(), add.toString());
        Run trust = jbang(remote.dir(), Map.of(), "trust", "add", remote.site().url("/acme/tools/"));
        assertEquals(0, trust.exitCode(), trust.toString());
        return remote;
    }

    /** JBang's copy of a URL: the one file in its cache directory, named after the URL's SHA-256. */
    static Path cached(String url) throws IOException {
        try (Stream<Path> files = Files.list(jbangDir.resolve("cache/urls").resolve(sha256(url.getBytes(java.nio.charset.StandardCharsets.UTF_8))))) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), url + ": " + all);
            return all.get(0);
        }
    }

    /** Makes JBang's copy of a URL as old as it would be that many hours after JBang fetched it. */
    static void age(String url, int hours) throws IOException {
        Files.setLastModifiedTime(cached(url), FileTime.from(Instant.now().minus(Duration.ofHours(hours))));
    }

    static final String STALE = "launcher: JBang would fetch %s again: its copy is older than cache-evict (%d s)";

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

    Path builtJar() throws IOException {
        try (Stream<Path> dirs = Files.list(jbangDir.resolve("cache/jars"))) {
            String hash = sha256(Files.readAllBytes(work.resolve("hello.java")));
            return dirs.filter(d -> d.getFileName().toString().equals("hello.java." + hash)).findFirst().orElseThrow().resolve("hello.jar");
        }
    }

    Path awaitAotCache() throws Exception {
        Path dir = builtJar().getParent();
        long deadline = System.nanoTime() + Scripts.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertTrue(names.stream().noneMatch(n -> n.endsWith(".aot.off")), "the AOT cache could not be created: " + names);
                var aot = names.stream().filter(n -> n.endsWith(".aot")).findFirst();
                if (aot.isPresent() && names.stream().noneMatch(n -> n.endsWith(".pending"))) {
                    return dir.resolve(aot.get());
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no AOT cache in " + dir + " after " + Scripts.TIMEOUT);
    }

    static void awaitNoPending(Path dir) throws Exception {
        long deadline = System.nanoTime() + Scripts.TIMEOUT.toNanos();
        while (true) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.noneMatch(p -> p.getFileName().toString().endsWith(".pending"))) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "still creating an AOT cache in " + dir);
            Thread.sleep(200);
        }
    }

    static Path temurin25() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            for (Path dir : dirs.sorted().toList()) {
                Path release = dir.resolve("release");
                if (Files.isRegularFile(release) && Files.readString(release).contains("JAVA_VERSION=\"25")) {
                    return dir;
                }
            }
        }
        return null;
    }

    static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
