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
 * tests/OrgCatalog.java and served, with the scripts at a release tag, by a local HTTP server: `jbang emit@ORG`
 * runs the scripts at that tag, and JBang refuses a script-ref outside the trusted prefixes.
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

    static final String TAG = "v1.0.0";

    @Test
    void anOrganisationsCatalogRunsTheScriptsAtTheReleaseItNames(@TempDir Path home, @TempDir Path orgRepo, @TempDir Path work) throws Exception {
        try (Site site = Site.start()) {
            // github.com/acme/event-bus at the tag: the checkout's scripts.
            String release = site.url("/acme/event-bus/blob/" + TAG + "/");
            for (String alias : OrgCatalog.ALIASES) {
                site.serve("/acme/event-bus/blob/" + TAG + "/" + alias + ".java", Files.readAllBytes(Scripts.ROOT.resolve(alias + ".java")));
            }
            // github.com/acme/jbang-catalog: the organisation's catalog, which already names a tool of its own.
            String hello = site.url("/acme/tools/blob/v2.0.0/hello.java");
            site.serve("/acme/tools/blob/v2.0.0/hello.java", "class hello { public static void main(String... a) { System.out.println(\"hello\"); } }\n");
            Path catalogFile = Files.writeString(orgRepo.resolve("jbang-catalog.json"),
                    "{\"aliases\": {\"hello\": {\"script-ref\": \"" + hello + "\"}}}\n");

            // The release command, as the release runs it, from the checkout.
            Scripts.Result written = Scripts.jbang(Scripts.ROOT, Map.of(), null,
                    "tests/OrgCatalog.java", "--org", "acme", "--tag", TAG, "--base-url", release, "--output", catalogFile.toString());
            assertEquals(0, written.exitCode(), written.toString());
            JsonNode aliases = new ObjectMapper().readTree(catalogFile.toFile()).get("aliases");
            assertEquals(hello, aliases.at("/hello/script-ref").asText(), "the organisation's own alias is kept");
            JsonNode checkout = new ObjectMapper().readTree(CATALOG.toFile()).get("aliases");
            for (String alias : OrgCatalog.ALIASES) {
                assertEquals(release + alias + ".java", aliases.at("/" + alias + "/script-ref").asText(), alias);
                assertEquals(checkout.at("/" + alias + "/description").asText(), aliases.at("/" + alias + "/description").asText(), alias);
            }
            String catalogUrl = site.url("/acme/jbang-catalog/blob/HEAD/jbang-catalog.json");
            site.serve("/acme/jbang-catalog/blob/HEAD/jbang-catalog.json", Files.readAllBytes(catalogFile));

            // On github.com, JBang resolves emit@acme by itself: from the catalog at
            // https://github.com/acme/jbang-catalog/blob/HEAD/jbang-catalog.json, which it then notes in
            // $JBANG_DIR/implicit-catalog.json. Offline, registering the served catalog under the name acme is the
            // only way to make acme resolve without github.com; everything after that is what a workflow does.
            FastPathEndToEndTest.copySuiteJBang(home);
            assertEquals(0, Scripts.run(work, home, Map.of(), null, "catalog", "add", "--global", "--name", "acme", catalogUrl).exitCode());
            Scripts.Result trust = Scripts.run(work, home, Map.of(), null, "trust", "add", site.url("/acme/jbang-catalog/"), release);
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
                assertEquals(List.of("200"), site.requests("/acme/event-bus/blob/" + TAG + "/" + alias + ".java"), alias);
            }
        }
    }

    @Test
    void theReleaseCommandNamesOnlyWhatDoesNotMove() throws Exception {
        for (String moving : List.of("main", "master", "HEAD", "develop", "v1", "latest", "1234567", "0123456789abcdef0123456789abcdef0123456")) {
            String[] run = orgCatalog("--org", "acme", "--tag", moving);
            assertEquals("2", run[0], moving + ": " + run[2]);
            assertTrue(run[2].startsWith("--tag " + moving + ": not a release tag (v1.2.3) or a 40-hex commit"), run[2]);
            assertEquals("", run[1]);
        }
        String[] base = orgCatalog("--org", "acme", "--tag", TAG, "--base-url", "https://ghe.example.com/acme/event-bus/blob/main/");
        assertEquals("2", base[0], base[2]);
        assertTrue(base[2].contains("does not contain /" + TAG + "/"), base[2]);
        assertEquals("2", orgCatalog("--org", "-acme", "--tag", TAG)[0]);

        String commit = "0123456789abcdef0123456789abcdef01234567";
        for (String tag : List.of(TAG, "2.3", "v2.0.0-rc.1", commit)) {
            String[] run = orgCatalog("--org", "acme", "--tag", tag);
            assertEquals("0", run[0], tag + ": " + run[2]);
            JsonNode catalog = new ObjectMapper().readTree(run[1]);
            assertEquals(List.of("aliases"), iterable(catalog.fieldNames()));
            assertEquals(OrgCatalog.ALIASES, iterable(catalog.get("aliases").fieldNames()));
            assertEquals("https://github.com/acme/event-bus/blob/" + tag + "/route.java", catalog.at("/aliases/route/script-ref").asText());
        }
        String[] ghes = orgCatalog("--org", "acme", "--tag", TAG, "--base-url", "https://ghe.example.com/acme/event-bus/blob/" + TAG);
        assertEquals("0", ghes[0], ghes[2]);
        assertEquals("https://ghe.example.com/acme/event-bus/blob/" + TAG + "/emit.java",
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
        String[] run = orgCatalog("--org", "acme", "--tag", TAG, "--output", file.toString());
        assertEquals("0", run[0], run[2]);
        assertEquals("", run[1], "the catalog goes to the file only");
        assertTrue(run[2].contains("emit: https://github.com/acme/event-bus/blob/v0.9.0/emit.java -> https://github.com/acme/event-bus/blob/"
                + TAG + "/emit.java"), run[2]);
        JsonNode catalog = new ObjectMapper().readTree(file.toFile());
        assertEquals(List.of("catalogs", "aliases"), iterable(catalog.fieldNames()));
        assertEquals(List.of("emit", "lint", "validate", "dedupe", "route", "events"), iterable(catalog.get("aliases").fieldNames()));
        assertEquals("https://github.com/acme/tools/blob/v3.1.0/lint.java", catalog.at("/aliases/lint/script-ref").asText());
        assertEquals(Scripts.summary(Scripts.ROOT.resolve("emit.java")), catalog.at("/aliases/emit/description").asText());
        String text = Files.readString(file);
        assertTrue(text.startsWith("{\n  \"catalogs\": {\n    \"tools\": {\n      \"catalog-ref\": "), text);
        assertTrue(text.endsWith("}\n"), text);
        // Run again at the same tag: the same file, nothing to report.
        String[] again = orgCatalog("--org", "acme", "--tag", TAG, "--output", file.toString());
        assertEquals("0", again[0], again[2]);
        assertEquals(text, Files.readString(file));
        assertTrue(!again[2].contains(" -> "), again[2]);

        Files.writeString(file, "[]\n");
        String[] notACatalog = orgCatalog("--org", "acme", "--tag", TAG, "--output", file.toString());
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
