import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
 * Remote catalogs and scripts come from a local web server (CatalogEndToEndTest.Site); the stories
 * of which script an alias names and when JBang reads a copy again are FastPathCatalogEndToEndTest's.
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
