import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The wrapper's saved commands as an attacker or a bare machine meets them (DESIGN "Trust", "The
 * wrapper's saved commands"; docs/wrapper.md): no credential is ever written under
 * $JBANG_DIR/wrapper/fast/; a record is read as data, so shell code in it never runs; a record whose
 * command does not start with the java the wrapper resolved, or that is cut short or garbled, is
 * ignored and the script still runs, through JBang's launcher; and the wrapper names the commands
 * it misses in one line.
 *
 * A tampered record stands for what a restored cache could bring: each story writes one over the
 * record a first run saved, then checks the run's output, the path it took, and that a marker file
 * the shell code would create does not exist.
 */
class FastPathRecordTest extends FastPathFixture {
    static final String IGNORED = "launcher: ignored the saved command: ";

    // ---- no credential is saved --------------------------------------------------------------

    @Test
    void noCredentialIsEverWrittenUnderTheSavedCommands() throws IOException {
        String id = UUID.randomUUID().toString();
        Map<String, String> secrets = new HashMap<>(Map.of(
                "JBANG_AUTH_BASIC_USERNAME", "user-" + id,
                "JBANG_AUTH_BASIC_PASSWORD", "password-" + id,
                "JBANG_DEPLOY_KEY", "key-" + id,
                "JBANG_MAVEN_Secret", "secret-" + id,
                "GITHUB_TOKEN", "ghs_" + id));
        writeScript(script("hello"));
        assertEquals("hello x picocli 4.7.7\n", fast(work, secrets, "hello.java", "x").stdout());
        String context = recordValues(record(work, "hello.java"), "context").get(0);
        assertTrue(context.contains("\nsecret JBANG_AUTH_BASIC_PASSWORD\n") && context.contains("\nsecret JBANG_MAVEN_Secret"),
                "credentials count by name: " + context);

        // The decision (docs/wrapper.md): JBang reads a credential only to download, and the fast
        // path holds only while JBang would download nothing, so another value runs the same command...
        Map<String, String> changed = new HashMap<>(secrets);
        changed.put("JBANG_AUTH_BASIC_PASSWORD", "another-" + id);
        assertEquals("fast path", jbang(work, changed, "hello.java").path());
        // ...while a credential set or unset goes through the launcher once.
        Map<String, String> unset = new HashMap<>(secrets);
        unset.remove("JBANG_DEPLOY_KEY");
        Run without = jbang(work, unset, "hello.java");
        assertEquals("launcher: saved for another context", without.path(), without.toString());

        // A credential's value that reaches the command (here through the launcher's options): nothing saved.
        Map<String, String> leaking = new HashMap<>(secrets);
        leaking.put("JBANG_JAVA_OPTIONS", "-Dpassword=password-" + id);
        Run leak = jbang(work, leaking, "hello.java");
        assertTrue(leak.stderr().contains("[jbang wrapper] not saved: it would hold the value of JBANG_AUTH_BASIC_PASSWORD"), leak.toString());
        assertEquals("hello  picocli 4.7.7\n", leak.stdout());
        // A script whose directive takes an environment variable (JBang's ${env.NAME}): nothing saved, ever.
        Files.writeString(work.resolve("token.java"),
                script("token").replace("//CDS\n", "//CDS\n//RUNTIME_OPTIONS -Dtoken=${env.GITHUB_TOKEN}\n"));
        Run token = jbang(work, secrets, "token.java");
        assertEquals(0, token.exitCode(), token.toString());
        assertTrue(token.stderr().contains("[jbang wrapper] not saved: a directive of " + work.toRealPath().resolve("token.java")
                + " has a ${...} property"), token.toString());

        List<Path> files = allFiles(jbangDir.resolve("wrapper/fast"));
        assertTrue(files.size() >= 2, "records were saved: " + files);
        for (Path file : files) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertFalse(content.contains(id), file + " holds a credential:\n" + content);
        }
    }

    static List<Path> allFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    // ---- a tampered record falls back to the launcher ---------------------------------------

    /** The record a first run saved for hello.java, as text, after a second run took the fast path with it. */
    String savedRecord() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java", "x");
        return Files.readString(record(work, "hello.java"));
    }

    /** Writes text over the saved record, runs hello.java: it says hello all the same, by the path expected, and the marker is not there. */
    Run forged(String text, String path) throws IOException {
        Files.writeString(record(work, "hello.java"), text, StandardCharsets.ISO_8859_1);
        Run run = jbang("hello.java", "x");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("hello x picocli 4.7.7\n", run.stdout(), "the script ran, and nothing else: " + run);
        assertTrue(run.path().startsWith(path), "expected " + path + " in " + run);
        assertFalse(Files.exists(work.resolve("marker")), "shell code of the record ran: " + run);
        return run;
    }

    @Test
    void aRecordIsReadAsDataAndShellCodeInItNeverRuns() throws IOException {
        String good = savedRecord();
        String touch = "touch " + work.resolve("marker");
        // What the wrapper used to write and source: a bash script.
        forged("rec_format=3\n" + touch + "\nrec_command=($(" + touch + ") `" + touch + "`); " + touch + "\n",
                IGNORED + "it is not one this wrapper writes");
        assertEquals("fast path", jbang("hello.java", "x").path(), "the launcher saved the command again");
        // Shell code as the main class, as a file to check, as a context line.
        forged(good.replace("\ncommand hello\n", "\ncommand $(" + touch + ")\n"), IGNORED + "the main class is not a class name: $(" + touch + ")");
        forged(good.replace("\nabsent ", "\nfile " + "0".repeat(64) + " racy `" + touch + "`\nabsent "), IGNORED + "line ");
        forged(good.replace("\nend\n", "\nend\n" + touch + "\n"), IGNORED + "it is cut short");
        forged(good.replaceFirst("\ncontext ", "\ncontext \\$(" + touch + ")%0A"), "launcher: saved for another context");
        // In a JVM option, the same text is only data: the script's JVM gets it as it is, from the fast path.
        String option = "-Dx=`" + touch + "`;" + touch + " $(" + touch + ")";
        forged(good.replace("\ncommand -classpath\n", "\ncommand " + option + "\ncommand -classpath\n"), "fast path");
        // And an older wrapper, which sourced its records, runs nothing of this one: its first line is a syntax error to bash.
        assertTrue(good.startsWith("jbang-wrapper-fast 3 (data, not a shell script)\n"), good);
        Scripts.Result sourced = Scripts.exec(new ProcessBuilder("bash", "-c", "source \"$1\" 2>/dev/null; echo \"status $?\"", "old",
                record(work, "hello.java").toString()).directory(work.toFile()), null);
        assertTrue(sourced.stdout().matches("status [12]\n"), "nothing of the record ran: " + sourced);
    }

    @Test
    void aRecordWhoseCommandStartsWithAnotherBinaryFallsBackToTheLauncher() throws IOException {
        String good = savedRecord();
        List<String> command = recordValues(record(work, "hello.java"), "command");
        String java = command.get(0);
        assertTrue(java.endsWith("/bin/java"), java);
        forged(good.replace("\ncommand " + java + "\n", "\ncommand /bin/echo\n"),
                IGNORED + "the command starts with /bin/echo, not with the java the wrapper runs (" + java + ")");
        assertEquals("fast path", jbang("hello.java", "x").path(), "the launcher saved the command again");
        // A java, but not the one the wrapper resolved (here: the same JDK through a link).
        Path link = Files.createSymbolicLink(work.resolve("jdk-link"), Path.of(java).getParent().getParent());
        forged(good.replace("\ncommand " + java + "\n", "\ncommand " + link + "/bin/java\n")
                .replace("\njdk " + link.toRealPath() + "\n", "\njdk " + link + "\n"), IGNORED + "the command starts with " + link + "/bin/java");
        // The right java, its JDK named otherwise.
        forged(good.replace("\njdk " + Path.of(java).getParent().getParent() + "\n", "\njdk /tmp\n"), IGNORED + "its JDK, class path or archive");
    }

    @Test
    void aRecordCutShortOrGarbledFallsBackToTheLauncher() throws IOException {
        String good = savedRecord();
        String built = builtJar().toString();
        byte[] noise = new byte[600];
        new Random(17).nextBytes(noise);
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(good.substring(0, good.length() / 2), IGNORED);
        cases.put(good.substring(0, good.lastIndexOf("end\n")), IGNORED + "it is cut short");
        cases.put("", IGNORED + "it is not one this wrapper writes");
        cases.put(new String(noise, StandardCharsets.ISO_8859_1), IGNORED + "it is not one this wrapper writes");
        cases.put(good.replace("\njdk ", "\nhello\u0000world\njdk "), IGNORED + "it is cut short"); // a NUL ends what bash reads
        cases.put(good.replace("\njdk ", "\n\njdk "), IGNORED + "it has an empty line");
        cases.put(good.replace("\njdk ", "\nunknown key\njdk "), IGNORED + "line ");
        cases.put(good.replaceFirst("\n(jdk [^\n]*\n)", "\n$1$1"), IGNORED + "line ");
        cases.put(good.replace("\ncommand -classpath\n", "\ncommand %zz\ncommand -classpath\n"), IGNORED + "line ");
        cases.put(good.replaceFirst("\nfile [^\n]*" + java.util.regex.Pattern.quote(built) + "\n", "\n"),
                IGNORED + "its JDK, class path or archive is not among its files");
        cases.put(good.replaceFirst("\ncds [^\n]*\n", "\ncds /tmp/hello.jsa\n"), IGNORED + "its JDK, class path or archive");
        cases.put(good.replace("\ncommand -classpath\n", "\ncommand -javaagent:/tmp/agent.jar\ncommand -classpath\n"),
                IGNORED + "the command has -javaagent:/tmp/agent.jar");
        cases.put(good.replace("\ncommand -classpath\n", "\ncommand -XX:OnError=" + "touch%20marker" + "\ncommand -classpath\n"),
                IGNORED + "the command has -XX:OnError=touch marker");
        cases.put(good.replace("jbang-wrapper-fast 3 ", "jbang-wrapper-fast 2 "), IGNORED + "it is not one this wrapper writes");
        for (Map.Entry<String, String> forgery : cases.entrySet()) {
            forged(forgery.getKey(), forgery.getValue()); // each time over the record the launcher saved again
        }
        assertEquals("fast path", jbang("hello.java", "x").path(), "saved again");
    }

    // ---- what the wrapper needs --------------------------------------------------------------

    /** A directory for PATH with a link to every command on this PATH but the ones named. */
    Path pathWithout(String... names) throws IOException {
        Path dir = Files.createDirectories(work.resolve("path-without-" + String.join("-", names)));
        Set<String> skip = new HashSet<>(List.of(names));
        for (String entry : System.getenv("PATH").split(":")) {
            Path from = Path.of(entry.isEmpty() ? "." : entry);
            if (!Files.isDirectory(from)) {
                continue;
            }
            try (Stream<Path> commands = Files.list(from)) {
                for (Path command : commands.toList()) {
                    Path link = dir.resolve(command.getFileName().toString());
                    if (!skip.contains(command.getFileName().toString()) && Files.isExecutable(command) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, command.toAbsolutePath());
                    }
                }
            }
        }
        return dir;
    }

    @Test
    void aMissingCommandIsNamedInOneLine() throws IOException {
        Run run = jbang(work, Map.of("PATH", pathWithout("mktemp").toString()), "--version");
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals("", run.stdout());
        assertEquals("jbang wrapper: missing on PATH: mktemp (it needs readlink, mktemp, mv, rm and mkdir; see docs/wrapper.md)\n", run.stderr());
        Run two = jbang(work, Map.of("PATH", pathWithout("readlink", "mv").toString()), "--version");
        assertEquals("jbang wrapper: missing on PATH: readlink mv (it needs readlink, mktemp, mv, rm and mkdir; see docs/wrapper.md)\n", two.stderr());
    }

    @Test
    void anotherShellThanBashFourIsNamedInOneLine() throws IOException {
        // /bin/sh is dash on Debian, bash 3.2 on macOS: either way the wrapper's first lines say what it needs.
        ProcessBuilder sh = new ProcessBuilder("sh", Scripts.JBANG.toString(), "--version").directory(work.toFile());
        Scripts.Result result = Scripts.exec(sh, null);
        String bash = Scripts.exec(new ProcessBuilder("sh", "-c", "echo \"${BASH_VERSION-}\""), null).stdout().strip();
        assumeTrue(bash.isEmpty() || bash.startsWith("3.") || bash.matches("4\\.[0-3]\\..*"), "sh is bash " + bash);
        assertEquals(1, result.exitCode(), result.toString());
        assertTrue(result.stderr().matches("jbang wrapper: bash 4\\.4 or newer is needed, this is .* \\(on macOS: brew install bash\\)\n"), result.toString());
    }

    @Test
    void withoutStatOrASha256CommandEveryRunGoesThroughTheLauncher() throws IOException {
        writeScript(script("hello"));
        fast(work, Map.of(), "hello.java", "x");
        Run noSha = jbang(work, Map.of("PATH", pathWithout("sha256sum", "shasum").toString()), "hello.java", "x");
        assertEquals("launcher: the fast path needs sha256sum (or shasum) on PATH", noSha.path(), noSha.toString());
        assertEquals("hello x picocli 4.7.7\n", noSha.stdout());
        Run noStat = jbang(work, Map.of("PATH", pathWithout("stat").toString()), "hello.java", "x");
        assertEquals("launcher: the fast path needs stat on PATH", noStat.path(), noStat.toString());
        assertEquals("hello x picocli 4.7.7\n", noStat.stdout());
        // shasum (macOS has no sha256sum) does as well.
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/shasum")), "no shasum here");
        Path shasumOnly = pathWithout("sha256sum");
        Files.writeString(work.resolve("hello.java"), script("hello") + "\n"); // another content: hashed by shasum when saved
        Map<String, String> env = Map.of("PATH", shasumOnly.toString());
        Run saved = jbang(work, env, "hello.java", "y");
        assertTrue(saved.saved(), saved.toString());
        Run fast = jbang(work, env, "hello.java", "y");
        assertEquals("fast path", fast.path(), fast.toString());
        assertEquals("hello y picocli 4.7.7\n", fast.stdout());
        List<String> hashes = new ArrayList<>();
        for (String line : Files.readAllLines(record(work, "hello.java"))) {
            if (line.startsWith("file ")) {
                hashes.add(line.split(" ")[1]);
            }
        }
        assertEquals(sha256(Files.readAllBytes(work.resolve("hello.java"))), hashes.get(0), "the script's SHA-256, by shasum");
    }
}
