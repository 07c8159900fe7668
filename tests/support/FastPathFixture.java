import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * What the fast-path tests share (FastPathEndToEndTest, its run on JDK 25, FastPathRecordTest): a
 * JBang home of the class's own with the suite's copy of JBang, a file repository, a small script
 * with //DEPS and //CDS, runs of ./jbang that say which path they took, and a web server for
 * remote catalogs and scripts.
 *
 * The script is a small one of the test's own, with //DEPS and //CDS, in a fresh JBANG_DIR whose
 * dependencies come from a file repository inside the test's directory: no network, and a
 * dependency jar the test may delete.
 */
abstract class FastPathFixture {
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
                + "//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr\n"
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
        builder.environment().putAll(jdkEnvironment());
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

    /** What every run of a class gets on top of the suite's environment: here nothing, FastPathJdk25EndToEndTest's JAVA_HOME. */
    Map<String, String> jdkEnvironment() {
        return Map.of();
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

    /** Where the build machines have their JDK 25, beside Java 17. */
    static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    /**
     * A JDK 25: -Deventbus.jdk25=DIR when given (none if DIR holds no JDK 25), else
     * /usr/lib/jvm/temurin-25-jdk-amd64, else any JDK 25 under /usr/lib/jvm; null when there is none.
     */
    static Path temurin25() throws IOException {
        String given = System.getProperty("eventbus.jdk25");
        if (given != null && !given.isEmpty()) {
            return isJdk25(Path.of(given)) ? Path.of(given) : null;
        }
        if (isJdk25(TEMURIN_25)) {
            return TEMURIN_25;
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            for (Path dir : dirs.sorted().toList()) {
                if (isJdk25(dir)) {
                    return dir;
                }
            }
        }
        return null;
    }

    static boolean isJdk25(Path dir) throws IOException {
        Path release = dir.resolve("release");
        return Files.isRegularFile(release) && Files.isExecutable(dir.resolve("bin/java"))
                && Files.readString(release).contains("JAVA_VERSION=\"25");
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

    // ---- the saved record, and JBang's own answer ---------------------------------------------

    /** The pinned JBang version, as the wrapper says it. */
    static String jbangVersion() throws IOException {
        return Files.readAllLines(Scripts.JBANG).stream().filter(l -> l.startsWith("readonly JBANG_CLI_VERSION="))
                .findFirst().orElseThrow().substring("readonly JBANG_CLI_VERSION=".length());
    }

    /** JAVA_HOME as the runs of this class see it (null: java on PATH). */
    String javaHomeOfRuns() {
        return jdkEnvironment().getOrDefault("JAVA_HOME", System.getenv("JAVA_HOME"));
    }

    /**
     * The saved record for a script run from dir: named after the physical directory, the script as
     * given and JAVA_HOME, percent-encoded, or the SHA-256 of that (and a newline) when longer than
     * 200 characters (the wrapper's record_name).
     */
    Path record(Path dir, String script) throws IOException {
        String javaHome = javaHomeOfRuns();
        String name = (dir.toRealPath() + "\n" + script + "\n" + (javaHome == null ? "" : javaHome))
                .replace("%", "%25").replace("/", "%2F").replace("\n", "%0A");
        if (name.length() > 200) {
            name = sha256((name + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return jbangDir.resolve("wrapper/fast").resolve(name);
    }

    /** The values of one key of a saved record, in order, decoded (%XX is a byte). */
    static List<String> recordValues(Path record, String key) throws IOException {
        List<String> values = new ArrayList<>();
        for (String line : Files.readAllLines(record)) {
            if (line.startsWith(key + " ")) {
                values.add(decode(line.substring(key.length() + 1)));
            }
        }
        return values;
    }

    static String decode(String value) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                bytes.write(Integer.parseInt(new String(raw, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The command JBang's own launcher answers for ./jbang ARGS in dir, as a list: the pinned
     * dev.jbang.Main run as the wrapper runs it (the same JDK, environment and class path), which
     * prints the command line and exits 255 (JBang's launch protocol), unquoted by bash as JBang's
     * own jbang script does (eval).
     */
    List<String> launcherCommand(Path dir, Map<String, String> env, String... args) throws IOException {
        String javaHome = javaHomeOfRuns();
        Path lib = jbangDir.resolve("wrapper/jbang-cli-" + jbangVersion());
        List<String> command = new ArrayList<>(List.of(javaHome == null ? "java" : javaHome + "/bin/java",
                "-classpath", lib + "/*", "dev.jbang.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(Scripts.baseEnvironment(jbangDir));
        builder.environment().putAll(jdkEnvironment());
        builder.environment().put("JBANG_REPO", localRepo.toString());
        builder.environment().putAll(env);
        // What the wrapper exports for JBang (stdin is not a terminal here).
        builder.environment().put("JBANG_RUNTIME_SHELL", "bash");
        builder.environment().put("JBANG_STDIN_NOTTY", "true");
        Scripts.Result printed = Scripts.exec(builder, null);
        assertEquals(255, printed.exitCode(), "JBang's Main prints a command and exits 255: " + printed);
        ProcessBuilder unquote = new ProcessBuilder("bash", "-c", "eval \"c=($1)\"; printf '%s\\0' \"${c[@]}\"", "unquote",
                printed.stdout().strip());
        Scripts.Result words = Scripts.exec(unquote, null);
        assertEquals(0, words.exitCode(), words.toString());
        return List.of(words.stdout().split("\0"));
    }

    /** Waits until no AOT cache is being created in the JBang home (JDK 25 creates them in the background). */
    static void awaitNoAotCreation() throws Exception {
        long deadline = System.nanoTime() + Scripts.TIMEOUT.toNanos();
        while (true) {
            try (Stream<Path> files = Files.walk(jbangDir)) {
                if (files.noneMatch(p -> p.getFileName().toString().endsWith(".pending"))) {
                    return;
                }
            } catch (java.io.UncheckedIOException e) {
                // a file went while walking: look again
            }
            assertTrue(System.nanoTime() < deadline, "still creating an AOT cache in " + jbangDir);
            Thread.sleep(200);
        }
    }
}
