import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scripts as users do: `./jbang <script> ...` as a real process, in a directory of
 * the test's choosing, with a controlled environment (no GitHub variables unless the test
 * sets them, NO_COLOR, no JBang version check) and stdout, stderr and exit code kept apart.
 */
final class Scripts {
    /** The checkout: -Deventbus.root (set by the pom), else the nearest directory up from here with ./jbang and emit.java. */
    static final Path ROOT = System.getProperty("eventbus.root") != null
            ? Path.of(System.getProperty("eventbus.root")).toAbsolutePath().normalize()
            : findCheckout();
    static final Path JBANG = ROOT.resolve("jbang");
    /**
     * One JBang home for the tests of one JVM, so each script compiles once per run and per JVM:
     * -Deventbus.jbang-home (the pom gives each of surefire's forks its own, so that two JVMs never
     * build the same script into one home at once), else tests/target/jbang-home.
     */
    static final Path SUITE_JBANG_DIR = System.getProperty("eventbus.jbang-home") != null
            ? Path.of(System.getProperty("eventbus.jbang-home")).toAbsolutePath().normalize()
            : ROOT.resolve("tests/target/jbang-home");
    /** How long a process may run: a bound for a hung process, not a measure of speed. */
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private Scripts() {
    }

    private static Path findCheckout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("jbang")) && Files.isRegularFile(dir.resolve("emit.java"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside an event-bus checkout (no ./jbang and emit.java above " + Path.of("").toAbsolutePath() + ")");
    }

    /** The environment every run starts from: PATH, HOME and JAVA_HOME of this JVM, nothing from GitHub. */
    static Map<String, String> baseEnvironment(Path jbangDir) {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("PATH", "HOME", "JAVA_HOME", "TMPDIR", "LANG")) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.put("JBANG_DIR", jbangDir.toString());
        env.put("JBANG_NO_VERSION_CHECK", "true");
        env.put("NO_COLOR", "1");
        return env;
    }

    static Result jbang(Path workDir, Map<String, String> extraEnv, String stdin, String... args) {
        return run(workDir, SUITE_JBANG_DIR, extraEnv, stdin, args);
    }

    static Result run(Path workDir, Path jbangDir, Map<String, String> extraEnv, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(JBANG.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(baseEnvironment(jbangDir));
        builder.environment().putAll(extraEnv);
        Result result = exec(builder, stdin);
        return new Result(result.exitCode(), result.stdout(), withoutJBangProgress(result.stderr()));
    }

    /**
     * Runs the process builder describes (command, directory, environment) to its end: stdin is
     * the given text (none when null), stdout and stderr go to files, so neither can fill a pipe
     * and stall it. A process still running after {@link #TIMEOUT} fails the test.
     */
    static Result exec(ProcessBuilder builder, String stdin) {
        try {
            Path out = Files.createTempFile("script-out", ".txt");
            Path err = Files.createTempFile("script-err", ".txt");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process process = builder.start();
            if (stdin != null) {
                try (var input = process.getOutputStream()) {
                    input.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after " + TIMEOUT.toMinutes() + " minutes: " + builder.command());
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** JBang's own build progress ("[jbang] Building jar...") and the wrapper's are not the script's output. */
    static String withoutJBangProgress(String stderr) {
        StringBuilder kept = new StringBuilder();
        for (String line : stderr.split("\n", -1)) {
            if (!line.startsWith("[jbang]") && !line.startsWith("[jbang wrapper]")) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString().strip();
    }

    /** The first //DESCRIPTION line of a script: its one-line summary. */
    static String summary(Path script) throws IOException {
        return Files.readAllLines(script).stream()
                .filter(l -> l.startsWith("//DESCRIPTION "))
                .map(l -> l.substring("//DESCRIPTION ".length()).strip())
                .findFirst().orElseThrow();
    }
}
