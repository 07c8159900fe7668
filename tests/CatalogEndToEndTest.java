import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The catalog as a consuming repository uses it: registered from the checkout in a fresh
 * JBANG_DIR (so the wrapper bootstraps JBang from Maven Central there too), then
 * `jbang <alias>@org` run from a directory with no schemas, which proves the schemas are bundled into the scripts.
 *
 * And the catalog an organisation publishes in its ORG/jbang-catalog repository (docs/catalog.md), written by
 * tests/support/OrgCatalog.java and served, with the scripts at a commit of event-bus, by a local HTTP server: `jbang emit@ORG`
 * runs the scripts at that commit, and JBang refuses a script-ref outside the trusted prefixes. Then the form the
 * workflows use, `emit@ORG/jbang-catalog/COMMIT`: JBang runs what it holds of the catalog at that commit, and reads
 * nothing it holds for another.
 */
class CatalogEndToEndTest {
    static final Path CATALOG = Scripts.ROOT.resolve("jbang-catalog.json");

    @TempDir
    static Path jbangDir;
    @TempDir
    static Path elsewhere;

    @BeforeAll
    static void registerCatalog() {
        Scripts.Result add = Scripts.run(elsewhere, jbangDir, Map.of(), null, "catalog", "add", "--global", "--name", "org", CATALOG.toString());
        assertEquals(0, add.exitCode(), add.toString());
    }

    @Test
    void validateThroughTheCatalogUsesTheBundledSchemas() throws IOException {
        Path valid = Files.copy(Scripts.ROOT.resolve("schemas/examples/rfc.pr.created/valid-with-trace-id.json"), elsewhere.resolve("valid.json"));
        Path invalid = Files.copy(Scripts.ROOT.resolve("schemas/examples/rfc.pr.created/invalid-pr-zero.json"), elsewhere.resolve("invalid.json"));

        Scripts.Result ok = Scripts.run(elsewhere, jbangDir, Map.of(), null, "validate@org", valid.getFileName().toString());
        assertEquals(0, ok.exitCode(), ok.toString());
        Scripts.Result bad = Scripts.run(elsewhere, jbangDir, Map.of(), null, "validate@org", invalid.getFileName().toString());
        assertEquals(2, bad.exitCode(), bad.toString());
        ValidateTest.assertNamesFieldAndRule(bad.stderr(), "invalid.json: ", "/client_payload/data/pr", "minimum");
        Scripts.Result check = Scripts.run(elsewhere, jbangDir, Map.of(), null, "validate@org", "--check-schemas");
        assertEquals(0, check.exitCode(), check.toString());
        assertTrue(check.stderr().contains("in the bundled RFC schemas: 0 problems"), check.toString());
    }

    @Test
    void everyAliasHasHelpAndADescriptionMatchingItsScript() throws IOException {
        JsonNode aliases = new ObjectMapper().readTree(CATALOG.toFile()).get("aliases");
        assertFalse(aliases.isEmpty());
        for (Iterator<Map.Entry<String, JsonNode>> it = aliases.fields(); it.hasNext(); ) {
            var alias = it.next();
            Path script = Scripts.ROOT.resolve(alias.getValue().get("script-ref").asText());
            assertTrue(Files.isRegularFile(script), "script-ref of " + alias.getKey());
            assertEquals(Scripts.summary(script), alias.getValue().get("description").asText(), "description of " + alias.getKey());
            Scripts.Result help = Scripts.run(elsewhere, jbangDir, Map.of(), null, alias.getKey() + "@org", "--help");
            assertEquals(0, help.exitCode(), alias.getKey() + ": " + help);
            assertTrue(help.stdout().startsWith("Usage: "), alias.getKey() + ": " + help);
        }
    }

    // ---- the organisation's catalog ----------------------------------------------------------

    /** The release: a commit of event-bus. */
    static final String COMMIT = "4f1c9e3a0b7d2e6f8a5c1b9d3e7f0a2c4b6d8e1f";
    /** The commit of acme/jbang-catalog that holds the catalog naming it. */
    static final String CATALOG_COMMIT = "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c";

    @Test
    void anOrganisationsCatalogRunsTheScriptsAtTheReleaseItNames(@TempDir Path home, @TempDir Path orgRepo, @TempDir Path work) throws Exception {
        try (Site site = Site.start()) {
            // github.com/acme/event-bus at the commit: the checkout's scripts.
            String release = site.url("/acme/event-bus/blob/" + COMMIT + "/");
            for (String alias : OrgCatalog.ALIASES) {
                site.serve("/acme/event-bus/blob/" + COMMIT + "/" + alias + ".java", Files.readAllBytes(Scripts.ROOT.resolve(alias + ".java")));
            }
            // github.com/acme/jbang-catalog: the organisation's catalog, which already names a tool of its own.
            String hello = site.url("/acme/tools/blob/v2.0.0/hello.java");
            site.serve("/acme/tools/blob/v2.0.0/hello.java", "class hello { public static void main(String... a) { System.out.println(\"hello\"); } }\n");
            Path catalogFile = Files.writeString(orgRepo.resolve("jbang-catalog.json"),
                    "{\"aliases\": {\"hello\": {\"script-ref\": \"" + hello + "\"}}}\n");

            // The release command, as the release runs it, from the checkout.
            Scripts.Result written = Scripts.jbang(Scripts.ROOT, Map.of(), null,
                    "tests/support/OrgCatalog.java", "--org", "acme", "--commit", COMMIT, "--base-url", release, "--output", catalogFile.toString());
            assertEquals(0, written.exitCode(), written.toString());
            JsonNode aliases = new ObjectMapper().readTree(catalogFile.toFile()).get("aliases");
            assertEquals(hello, aliases.at("/hello/script-ref").asText(), "the organisation's own alias is kept");
            JsonNode checkout = new ObjectMapper().readTree(CATALOG.toFile()).get("aliases");
            for (String alias : OrgCatalog.ALIASES) {
                assertEquals(release + alias + ".java", aliases.at("/" + alias + "/script-ref").asText(), alias);
                assertEquals(checkout.at("/" + alias + "/description").asText(), aliases.at("/" + alias + "/description").asText(), alias);
            }
            // The organisation commits the file; its commit is CATALOG_COMMIT.
            String catalogUrl = site.url("/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/jbang-catalog.json");
            site.serve("/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/jbang-catalog.json", Files.readAllBytes(catalogFile));

            // On github.com, JBang resolves emit@acme/jbang-catalog/CATALOG_COMMIT by itself, from
            // https://github.com/acme/jbang-catalog/blob/CATALOG_COMMIT/jbang-catalog.json (the next test shows that form
            // with JBang's copies). A web server here is not github.com, so the served catalog is registered under the name
            // acme; everything after that is what a workflow does: trust exactly the two prefixes, run the aliases.
            FastPathEndToEndTest.copySuiteJBang(home);
            assertEquals(0, Scripts.run(work, home, Map.of(), null, "catalog", "add", "--global", "--name", "acme", catalogUrl).exitCode());
            Scripts.Result trust = Scripts.run(work, home, Map.of(), null, "trust", "add",
                    site.url("/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/"), release);
            assertEquals(0, trust.exitCode(), trust.toString());

            Scripts.Result help = Scripts.run(work, home, Map.of(), null, "emit@acme", "--help");
            assertEquals(0, help.exitCode(), help.toString());
            assertTrue(help.stdout().startsWith("Usage: emit "), help.toString());

            Path valid = Files.copy(Scripts.ROOT.resolve("schemas/examples/rfc.pr.ready/valid-with-trace-id.json"), work.resolve("valid.json"));
            Path invalid = Files.copy(Scripts.ROOT.resolve("schemas/examples/rfc.pr.ready/invalid-pr-zero.json"), work.resolve("invalid.json"));
            Scripts.Result ok = Scripts.run(work, home, Map.of(), null, "validate@acme", valid.getFileName().toString());
            assertEquals(0, ok.exitCode(), ok.toString());
            Scripts.Result bad = Scripts.run(work, home, Map.of(), null, "validate@acme", invalid.getFileName().toString());
            assertEquals(2, bad.exitCode(), bad.toString());
            ValidateTest.assertNamesFieldAndRule(bad.stderr(), "invalid.json: ", "/client_payload/data/pr", "minimum");

            Scripts.Result dryRun = Scripts.run(work, home, Map.of(), null,
                    "emit@acme", "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--dry-run");
            assertEquals(0, dryRun.exitCode(), dryRun.toString());
            JsonNode event = new ObjectMapper().readTree(dryRun.stdout());
            assertEquals("rfc.pr.ready", event.get("event_type").asText(), dryRun.toString());
            assertEquals(456, event.at("/client_payload/data/pr").asInt(), dryRun.toString());

            // The organisation's other alias names a script outside the trusted prefixes: JBang asks whether to trust
            // it, and with no terminal to ask on, it refuses (exit 10) without downloading it.
            Scripts.Result refused = Scripts.run(work, home, Map.of(), null, "hello@acme");
            assertEquals(10, refused.exitCode(), refused.toString());
            // (JBang's "[jbang] [ERROR] <url> is not from a trusted source..." line is dropped with its progress lines.)
            assertTrue(refused.stderr().startsWith("If you trust the url to be safe to run"), refused.toString());
            assertTrue(refused.stderr().contains("jbang trust add " + site.url("/acme/tools/blob/v2.0.0/")), refused.toString());
            assertEquals(List.of(), site.requests("/acme/tools/blob/v2.0.0/hello.java"), "nothing fetched from an untrusted prefix");
            // Every script came from the release's prefix, each once.
            for (String alias : List.of("emit", "validate")) {
                assertEquals(List.of("200"), site.requests("/acme/event-bus/blob/" + COMMIT + "/" + alias + ".java"), alias);
            }
        }
    }

    /**
     * The form the workflows run, emit@acme/jbang-catalog/CATALOG_COMMIT (JBang 0.132.1, ImplicitCatalogRef.parse: ORG/REPO/REF
     * reads https://github.com/ORG/REPO/blob/REF/jbang-catalog.json). github.com cannot be reached from here, so what JBang would
     * have downloaded is put where it keeps its copies, as `jbang` itself leaves them: Util.downloadAndCacheFile keeps a URL's
     * file in $JBANG_DIR/cache/urls/<SHA-256 of the URL>/<file name>, and the URL is the one it requests, raw.githubusercontent.com
     * for a github.com blob (Util.swizzleURL). With cache-evict=never JBang uses them without asking the server. A proxy that
     * refuses every connection stands for the network: it notes each host JBang tries, and nothing leaves the machine.
     */
    @Test
    void emitAtTheCatalogsCommitRunsWhatJBangHoldsAndAnotherCommitIsNotUsed(@TempDir Path home, @TempDir Path work) throws Exception {
        FastPathEndToEndTest.copySuiteJBang(home);
        String[] catalog = orgCatalog("--org", "acme", "--commit", COMMIT);
        assertEquals("0", catalog[0], catalog[2]);
        cacheCopy(home, "https://github.com/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/jbang-catalog.json",
                catalog[1].getBytes(StandardCharsets.UTF_8));
        for (String alias : OrgCatalog.ALIASES) {
            cacheCopy(home, "https://github.com/acme/event-bus/blob/" + COMMIT + "/" + alias + ".java",
                    Files.readAllBytes(Scripts.ROOT.resolve(alias + ".java")));
        }
        Files.writeString(home.resolve("jbang.properties"), "cache-evict=never\n");
        try (Site api = Site.start(); RefusingProxy proxy = RefusingProxy.start()) {
            Map<String, String> env = Map.of("JBANG_JAVA_OPTIONS", proxy.javaOptions(), "GITHUB_API_URL", api.url(""),
                    "GITHUB_TOKEN", "ghs_test", "GITHUB_REPOSITORY", "acme/app");
            Scripts.Result trust = Scripts.run(work, home, env, null, "trust", "add",
                    "https://github.com/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/", "https://github.com/acme/event-bus/blob/" + COMMIT + "/");
            assertEquals(0, trust.exitCode(), trust.toString());

            String pinned = "emit@acme/jbang-catalog/" + CATALOG_COMMIT;
            Scripts.Result dryRun = verbose(work, home, env, pinned, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--dry-run");
            assertEquals(0, dryRun.exitCode(), dryRun.toString());
            assertEquals(456, new ObjectMapper().readTree(dryRun.stdout()).at("/client_payload/data/pr").asInt(), dryRun.toString());
            // JBang fetched nothing of acme's: the catalog and emit.java came from its copies. (It only asks for its own built-in
            // import, JBangHub's catalog, where it looks for a catalog of that name and for an alias named like the script-ref.)
            assertEquals(List.of(), requested(dryRun), dryRun.stderr());
            assertTrue(Files.readString(home.resolve("implicit-catalog.json")).contains("\"catalog-ref\": \"https://github.com/acme/jbang-catalog/blob/"
                    + CATALOG_COMMIT + "/jbang-catalog.json\""), "what JBang notes for the name");

            // Another commit of the catalog: JBang holds a catalog of acme's, but not at that commit, so it asks the network
            // for exactly that one (here: refused), also under the same name on gitlab.com and bitbucket.org, and gives up.
            String other = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
            proxy.clear();
            Scripts.Result refused = verbose(work, home, env, "emit@acme/jbang-catalog/" + other, "rfc.pr.ready",
                    "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
            assertEquals(2, refused.exitCode(), refused.toString());
            assertTrue(refused.stderr().contains("[ERROR] Unknown catalog 'acme/jbang-catalog/" + other + "'"), refused.stderr());
            assertTrue(refused.stderr().contains("No catalog found at https://github.com/acme/jbang-catalog/blob/" + other + "/jbang-catalog.json"),
                    refused.stderr());
            assertEquals(List.of("https://raw.githubusercontent.com/acme/jbang-catalog/" + other + "/jbang-catalog.json",
                    "https://gitlab.com/acme/jbang-catalog/-/raw/" + other + "/jbang-catalog.json",
                    "https://bitbucket.org/acme/jbang-catalog/raw/" + other + "/jbang-catalog.json"), requested(refused), refused.stderr());
            assertEquals(List.of("raw.githubusercontent.com:443", "gitlab.com:443", "bitbucket.org:443"),
                    proxy.connects().stream().distinct().toList(), "every attempt went to the refusing proxy");
            assertEquals(List.of(), api.requests("/repos/acme/app/dispatches"), "nothing was sent");
            assertFalse(Files.readString(home.resolve("implicit-catalog.json")).contains(other));
        }
    }

    /** What JBang keeps of a URL it downloaded, where JBang 0.132.1 keeps it (see the test above). */
    static void cacheCopy(Path jbangDir, String url, byte[] content) throws IOException {
        String requested = url.replaceFirst("^https://github.com/(.*)/blob/(.*)$", "https://raw.githubusercontent.com/$1/$2");
        Path dir = Files.createDirectories(jbangDir.resolve("cache/urls").resolve(FastPathEndToEndTest.sha256(requested.getBytes(StandardCharsets.UTF_8))));
        Files.write(dir.resolve(requested.substring(requested.lastIndexOf('/') + 1)), content);
    }

    /** ./jbang --verbose ARGS, with JBang's own lines on stderr kept (Scripts.run drops them). */
    static Scripts.Result verbose(Path work, Path home, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Scripts.JBANG.toString(), "--verbose"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().clear();
        builder.environment().putAll(Scripts.baseEnvironment(home));
        builder.environment().putAll(env);
        return Scripts.exec(builder, null);
    }

    /** JBang's built-in catalog imports JBangHub's, which it reads on every lookup it cannot answer from local catalogs. */
    static final String JBANGHUB = "https://raw.githubusercontent.com/jbanghub/jbang-catalog/main/jbang-catalog.json";

    /** The URLs JBang says it requested ("Requesting HTTP GET URL" with --verbose), in order, JBangHub's catalog left out. */
    static List<String> requested(Scripts.Result run) {
        List<String> urls = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Requesting HTTP GET (\\S+)").matcher(run.stderr());
        while (m.find()) {
            if (!m.group(1).equals(JBANGHUB)) {
                urls.add(m.group(1));
            }
        }
        return urls;
    }

    @Test
    void theReleaseCommandNamesOnlyWhatDoesNotMove() throws Exception {
        // Branches and HEAD move; tags can be moved (deleted and made again); a short or upper-case commit is not the
        // form GitHub's URLs and JBang's implicit catalog names use, and a short one may become ambiguous.
        for (String moving : List.of("main", "master", "HEAD", "develop", "v1", "v1.0.0", "2.3", "v2.0.0-rc.1", "latest", "1234567",
                "0123456789abcdef0123456789abcdef0123456", COMMIT.toUpperCase(), COMMIT + "0")) {
            String[] run = orgCatalog("--org", "acme", "--commit", moving);
            assertEquals("2", run[0], moving + ": " + run[2]);
            assertTrue(run[2].startsWith("--commit " + moving + ": not a commit (40 hex digits)"), run[2]);
            assertEquals("", run[1]);
        }
        assertEquals("2", orgCatalog("--org", "acme", "--tag", "v1.0.0")[0], "--tag is gone");
        String[] base = orgCatalog("--org", "acme", "--commit", COMMIT, "--base-url", "https://ghe.example.com/acme/event-bus/blob/main/");
        assertEquals("2", base[0], base[2]);
        assertTrue(base[2].contains("does not contain /" + COMMIT + "/"), base[2]);
        assertEquals("2", orgCatalog("--org", "-acme", "--commit", COMMIT)[0]);

        String[] run = orgCatalog("--org", "acme", "--commit", COMMIT);
        assertEquals("0", run[0], run[2]);
        JsonNode catalog = new ObjectMapper().readTree(run[1]);
        assertEquals(List.of("aliases"), iterable(catalog.fieldNames()));
        assertEquals(OrgCatalog.ALIASES, iterable(catalog.get("aliases").fieldNames()));
        assertEquals("https://github.com/acme/event-bus/blob/" + COMMIT + "/route.java", catalog.at("/aliases/route/script-ref").asText());
        String[] ghes = orgCatalog("--org", "acme", "--commit", COMMIT, "--base-url", "https://ghe.example.com/acme/event-bus/blob/" + COMMIT);
        assertEquals("0", ghes[0], ghes[2]);
        assertEquals("https://ghe.example.com/acme/event-bus/blob/" + COMMIT + "/emit.java",
                new ObjectMapper().readTree(ghes[1]).at("/aliases/emit/script-ref").asText());
    }

    @Test
    void theReleaseCommandUpdatesAnExistingCatalogInPlace(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jbang-catalog.json"), """
                {
                  "catalogs": {"tools": {"catalog-ref": "https://github.com/acme/tools/blob/v3.1.0/jbang-catalog.json"}},
                  "aliases": {
                    "emit": {"script-ref": "https://github.com/acme/event-bus/blob/v0.9.0/emit.java", "description": "old"},
                    "lint": {"script-ref": "https://github.com/acme/tools/blob/v3.1.0/lint.java"}
                  }
                }
                """);
        String[] run = orgCatalog("--org", "acme", "--commit", COMMIT, "--output", file.toString());
        assertEquals("0", run[0], run[2]);
        assertEquals("", run[1], "the catalog goes to the file only");
        assertTrue(run[2].contains("emit: https://github.com/acme/event-bus/blob/v0.9.0/emit.java -> https://github.com/acme/event-bus/blob/"
                + COMMIT + "/emit.java"), run[2]);
        JsonNode catalog = new ObjectMapper().readTree(file.toFile());
        assertEquals(List.of("catalogs", "aliases"), iterable(catalog.fieldNames()));
        assertEquals(List.of("emit", "lint", "validate", "dedupe", "route", "events"), iterable(catalog.get("aliases").fieldNames()));
        assertEquals("https://github.com/acme/tools/blob/v3.1.0/lint.java", catalog.at("/aliases/lint/script-ref").asText());
        assertEquals(Scripts.summary(Scripts.ROOT.resolve("emit.java")), catalog.at("/aliases/emit/description").asText());
        String text = Files.readString(file);
        assertTrue(text.startsWith("{\n  \"catalogs\": {\n    \"tools\": {\n      \"catalog-ref\": "), text);
        assertTrue(text.endsWith("}\n"), text);
        // Run again at the same commit: the same file, nothing to report.
        String[] again = orgCatalog("--org", "acme", "--commit", COMMIT, "--output", file.toString());
        assertEquals("0", again[0], again[2]);
        assertEquals(text, Files.readString(file));
        assertTrue(!again[2].contains(" -> "), again[2]);

        Files.writeString(file, "[]\n");
        String[] notACatalog = orgCatalog("--org", "acme", "--commit", COMMIT, "--output", file.toString());
        assertEquals("2", notACatalog[0], notACatalog[2]);
        assertEquals("[]\n", Files.readString(file), "left as it was");
    }

    /** OrgCatalog in this JVM, from the checkout: its exit code, stdout and stderr. */
    static String[] orgCatalog(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--checkout", Scripts.ROOT.toString()));
        int code = new CommandLine(new OrgCatalog()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    /**
     * An HTTP proxy on 127.0.0.1 that refuses every request (403) and notes its target: CONNECT host:port for https, the URL
     * for http. Given to a JVM with -Dhttps.proxyHost/-Dhttp.proxyHost, it stands for a network that cannot be reached, so
     * a test sees what a program tried without anything leaving the machine.
     */
    static final class RefusingProxy implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final List<String> targets = Collections.synchronizedList(new ArrayList<>());

        private RefusingProxy(java.net.ServerSocket server) {
            this.server = server;
        }

        static RefusingProxy start() throws IOException {
            RefusingProxy proxy = new RefusingProxy(new java.net.ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
            Thread accept = new Thread(proxy::serve, "refusing-proxy");
            accept.setDaemon(true);
            accept.start();
            return proxy;
        }

        /** JVM options that send http and https through this proxy, loopback addresses excepted. */
        String javaOptions() {
            int port = server.getLocalPort();
            return "-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=" + port + " -Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=" + port;
        }

        List<String> connects() {
            return List.copyOf(targets);
        }

        void clear() {
            targets.clear();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (java.net.Socket socket = server.accept()) {
                    String line = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    if (line != null) {
                        String[] parts = line.split(" ");
                        targets.add(parts.length > 1 ? parts[1] : line);
                    }
                    socket.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed, or a client gone: nothing to note
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * A web server on 127.0.0.1 that serves what a test gives it at the paths GitHub would serve it, answers a
     * request with the ETag of what it serves with 304, and notes the status of each request by path.
     *
     * Its URLs name the loopback address as 127.1: JBang trusts localhost and 127.0.0.1 without asking
     * (TrustedSources.isLocalhostAuthority), and 127.1, the same address, gets the trust check any other host gets.
     */
    static final class Site implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, byte[]> files = new ConcurrentHashMap<>();
        private final Map<String, List<String>> requests = new ConcurrentHashMap<>();

        private Site(HttpServer server) {
            this.server = server;
        }

        static Site start() throws IOException {
            Site site = new Site(HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0));
            site.server.createContext("/", site::handle);
            site.server.start();
            return site;
        }

        String url(String path) {
            return "http://127.1:" + server.getAddress().getPort() + path;
        }

        void serve(String path, byte[] content) {
            files.put(path, content.clone());
        }

        void serve(String path, String text) {
            serve(path, text.getBytes(StandardCharsets.UTF_8));
        }

        /** The status of each request for a path so far, in order ("200", "304", "404"). */
        List<String> requests(String path) {
            return List.copyOf(requests.getOrDefault(path, List.of()));
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                byte[] body = files.get(path);
                int status;
                if (!"GET".equals(exchange.getRequestMethod())) {
                    status = 405;
                } else if (body == null) {
                    status = 404;
                } else {
                    String etag = "\"" + FastPathEndToEndTest.sha256(body) + "\"";
                    exchange.getResponseHeaders().set("ETag", etag);
                    status = etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match")) ? 304 : 200;
                }
                requests.computeIfAbsent(path, p -> Collections.synchronizedList(new ArrayList<>())).add(String.valueOf(status));
                if (status == 200) {
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } else {
                    exchange.sendResponseHeaders(status, -1);
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
