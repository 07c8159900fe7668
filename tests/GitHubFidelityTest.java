import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The emulator against GitHub itself: each request that api.github.com answered in the recordings of the npm package
 * {@code @octokit/fixtures} (scenarios/api.github.com/SCENARIO/raw-fixture.json, recorded by Octokit's maintainers
 * with a real token) is sent again to the emulator, whose state is prepared as the recording's was, and the answers are
 * compared: the status, the headers that matter (Location, Link, Content-Type) and the keys of the JSON body, recursively
 * (the keys of objects, not their values); a key the emulator adds says whether GitHub's current OpenAPI description of
 * the operation declares it (GitHub's objects have grown since the recordings). Every difference must be listed,
 * with its reason, in docs/testing.md ("Checked against GitHub's recorded answers"); the test fails on a difference
 * that is not listed, and on a listed one that no longer occurs.
 *
 * <p>Replayed are the requests of operations the emulator serves (those the scripts and workflows make, and a few that
 * tests need); the others are skipped with the reason in {@link #OPERATIONS}.
 */
class GitHubFidelityTest {
    static final String FIXTURES_VERSION = "23.1.2";
    /** sha256 of octokit-fixtures-23.1.2.tgz as the npm registry served it on 2026-12-04. */
    static final String FIXTURES_SHA256 = "5a9b0221d7c18f593dc57b5f292e946e8cadfac2b0d4578b38d7e9bd63836c64";
    static final Path FIXTURES = Scripts.ROOT.resolve("tests/target/octokit-fixtures");
    static final List<String> SCENARIOS = List.of("git-refs", "get-archive", "lock-issue", "labels", "add-labels-to-issue",
            "create-status", "errors", "create-file", "get-content", "paginate-issues");
    static final String TOKEN = "0000000000000000000000000000000000000001"; // the recordings' (normalised) token
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator gh = testbed.github();
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Scripts.TIMEOUT).build();

    /**
     * What each recorded request is, by method and path below /repos/{owner}/{repo}: its template, and either the
     * operation the emulator answers it with (and who in event-bus makes it), or why it is skipped. A request that
     * matches no row fails the test, so a new recording cannot slip through unexamined.
     */
    record Operation(String method, Pattern path, String template, String openapiFile, String replayAs, String why) {
        boolean replayed() {
            return openapiFile != null;
        }
    }

    static final List<Operation> OPERATIONS = List.of(
            replayed("POST", "/git/refs", "/git/refs", "git__create-ref.json", null, "dedupe.java's write tickets, the history branch"),
            replayed("DELETE", "/git/refs/(.+)", "/git/refs/{ref}", "git__delete-ref.json", null, "dedupe.java gives tickets back"),
            replayed("PATCH", "/git/refs/(.+)", "/git/refs/{ref}", "git__update-ref.json", null,
                    "served for tests; the scripts create and delete refs only"),
            // GitHub no longer describes GET /git/refs/ (all refs); the scripts list refs with git/matching-refs, whose
            // answer is the same array of refs. The recordings list branches only, so they are replayed as heads.
            replayed("GET", "/git/refs/", "/git/refs/", "git__list-matching-refs.json", "/git/matching-refs/heads",
                    "dedupe.java lists its tickets with git/matching-refs"),
            // The scripts read the history as a zipball; the tarball is the same operation in the other format, the
            // same 302 to codeload (repos/download-tarball-archive and -zipball-archive), so it is replayed as a zipball.
            replayed("GET", "/tarball/(.+)", "/tarball/{ref}", "repos__download-zipball-archive.json", "/zipball/$1",
                    "route.java and events.java read the history's zipball"),
            replayed("GET", "codeload:/legacy\\.tar\\.gz/(.+)", "codeload:/legacy.tar.gz/{ref}", "", "/legacy.zip/$1",
                    "the download the zipball redirects to"),
            replayed("POST", "/issues", "/issues", "issues__create.json", null, "dedupe.java opens its store"),
            replayed("PUT", "/issues/\\d+/lock", "/issues/{number}/lock", "issues__lock.json", null, "dedupe.java locks its store"),
            replayed("POST", "/issues/\\d+/labels", "/issues/{number}/labels", "issues__add-labels.json", null,
                    "pr-flow-monitor.yml, auto-remediator.yml, rfc-cleanup-duplicates.yml"),
            replayed("GET", "/issues(\\?.*)?", "/issues", "issues__list-for-repo.json", null, "dedupe.java looks for its store by label"),
            replayed("POST", "/statuses/[0-9a-f]{40}", "/statuses/{sha}", "repos__create-commit-status.json", null,
                    "served for tests and the demo's CI"),
            replayed("GET", "/commits/[0-9a-f]{40}/status", "/commits/{ref}/status", "repos__get-combined-status-for-ref.json", null,
                    "readiness-evaluator.yml"),
            replayed("GET", "/commits/[0-9a-f]{40}/statuses", "/commits/{ref}/statuses", "repos__list-commit-statuses-for-ref.json", null,
                    "served for merge latency (a head's statuses, issue 20)"),
            replayed("PUT", "/contents/(.+)", "/contents/{path}", "repos__create-or-update-file-contents.json", null,
                    "every script that appends to the history"),
            replayed("POST", "/labels", "/labels", "issues__create-label.json", null,
                    "served for the errors scenario: GitHub's 422 Validation Failed body, the error shape every script reads"),
            replayed("GET", "/labels/([^/]+)", "/labels/{name}", "issues__get-label.json", null, "served for tests"),
            skipped("DELETE", "/issues/\\d+/lock", "/issues/{number}/lock", "event-bus never unlocks an issue"),
            skipped("GET", "/labels", "/labels", "event-bus lists no labels"),
            skipped("PATCH", "/labels/([^/]+)", "/labels/{name}", "event-bus edits no labels"),
            skipped("DELETE", "/labels/([^/]+)", "/labels/{name}", "event-bus deletes no labels"),
            skipped("GET", "/contents/(.*)", "/contents/{path}", "event-bus reads files from the history's zipball, not the contents API"),
            skipped("POST", "org:/repos", "org:/repos", "the test makes the repository (GitHubEmulator.addRepository, empty)"),
            skipped("DELETE", "", "", "the recording deletes its temporary repository; the emulator is reset instead"));

    static Operation replayed(String method, String path, String template, String file, String replayAs, String calledBy) {
        return new Operation(method, Pattern.compile(path), template(template), file, replayAs, calledBy);
    }

    static Operation skipped(String method, String path, String template, String why) {
        return new Operation(method, Pattern.compile(path), template(template), null, null, why);
    }

    static String template(String path) {
        return path.startsWith("codeload:") ? "codeload /{owner}/{repo}" + path.substring("codeload:".length())
                : path.startsWith("org:") ? "/orgs/{org}" + path.substring("org:".length())
                : "/repos/{owner}/{repo}" + path;
    }

    @BeforeAll
    static void fixtures() throws Exception {
        Path scenarios = FIXTURES.resolve("package/scenarios/api.github.com");
        if (Files.isDirectory(scenarios)) {
            return;
        }
        Files.createDirectories(FIXTURES);
        Path tarball = FIXTURES.resolve("octokit-fixtures-" + FIXTURES_VERSION + ".tgz");
        // The npm registry answers now and then with a transient error (NOTES.md): try a few times.
        Scripts.Result pack = null;
        for (int attempt = 1; attempt <= 3 && !Files.exists(tarball); attempt++) {
            pack = WorkflowLintTest.run(List.of("npm", "pack", "--silent", "--pack-destination", FIXTURES.toString(),
                    "@octokit/fixtures@" + FIXTURES_VERSION));
        }
        assertTrue(Files.exists(tarball), "npm pack @octokit/fixtures@" + FIXTURES_VERSION + ": " + pack);
        assertEquals(FIXTURES_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tarball))),
                "the package is the one docs/testing.md describes");
        Scripts.Result untar = WorkflowLintTest.run(List.of("tar", "xzf", tarball.toString(), "-C", FIXTURES.toString()));
        assertEquals(0, untar.exitCode(), untar.stderr());
    }

    static Stream<String> scenarios() {
        return SCENARIOS.stream();
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void theEmulatorAnswersAsGitHubAnsweredTheRecording(String scenario) throws Exception {
        Replay replay = new Replay(scenario);
        List<String> differences = replay.run();
        Set<String> listed = listedDifferences(scenario);
        List<String> unlisted = differences.stream().filter(d -> !listed.contains(d)).toList();
        List<String> gone = listed.stream().filter(d -> !differences.contains(d)).toList();
        assertTrue(unlisted.isEmpty(), scenario + ": differences from GitHub's recorded answers that docs/testing.md does not list "
                + "(fix the emulator, or list them with the reason):\n  " + String.join("\n  ", unlisted));
        assertTrue(gone.isEmpty(), scenario + ": docs/testing.md lists differences that no longer occur:\n  " + String.join("\n  ", gone));
        // get-content reads files with the contents API, which event-bus never calls: all of it is skipped, and says why.
        assertTrue(!replay.compared.isEmpty() || scenario.equals("get-content"), scenario + " compared nothing; skipped: " + replay.skipped);
        System.out.printf("%s: %d requests compared, %d listed differences; skipped: %s%n", scenario, replay.compared.size(),
                new LinkedHashSet<>(differences).size(), replay.skipped);
    }

    static final String SECTION = "### Checked against GitHub's recorded answers";

    /** The rows of docs/testing.md's table of differences, "scenario | request | difference" (backticks removed), of one scenario. */
    static Set<String> listedDifferences(String scenario) throws IOException {
        String doc = Files.readString(Scripts.ROOT.resolve("docs/testing.md"));
        int start = doc.indexOf(SECTION);
        assertTrue(start >= 0, "docs/testing.md has the section \"" + SECTION.substring(4) + "\"");
        Set<String> listed = new LinkedHashSet<>();
        String[] lines = doc.substring(start).split("\n");
        for (int i = 1; i < lines.length && !lines[i].startsWith("#"); i++) {
            String[] cells = lines[i].split("(?<!\\\\)\\|");
            if (lines[i].startsWith("|") && !lines[i].startsWith("|---") && cells.length >= 5 && clean(cells[1]).equals(scenario)) {
                listed.add(clean(cells[1]) + " | " + clean(cells[2]) + " | " + clean(cells[3]));
            }
        }
        return listed;
    }

    static String clean(String cell) {
        return cell.trim().replace("`", "").replace("\\|", "|");
    }

    /** One scenario's replay: the emulator reset and prepared, every recorded request examined in order. */
    static final class Replay {
        final String scenario;
        final List<String> compared = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final List<String> differences = new ArrayList<>();
        /** Recorded value -> the emulator's: repository names and ids, commit and blob shas. */
        final Map<String, String> substitutions = new LinkedHashMap<>();

        Replay(String scenario) {
            this.scenario = scenario;
        }

        List<String> run() throws Exception {
            testbed.github().reset();
            testbed.github().addUser(TOKEN, "octokit-fixture-user-a", true);
            JsonNode recording;
            try (InputStream in = Files.newInputStream(FIXTURES.resolve("package/scenarios/api.github.com/" + scenario + "/raw-fixture.json"))) {
                recording = JSON.readTree(in);
            }
            for (JsonNode recorded : recording) {
                examine(recorded);
            }
            return differences;
        }

        void examine(JsonNode recorded) throws Exception {
            String method = recorded.get("method").asText().toUpperCase(java.util.Locale.ROOT);
            String scope = recorded.get("scope").asText();
            String path = recorded.get("path").asText();
            // The repository: made when the recording made its own (POST /orgs/{org}/repos), or named in the path.
            if (method.equals("POST") && path.matches("/orgs/[^/]+/repos")) {
                JsonNode made = recorded.get("response");
                String name = scenario;
                testbed.github().addRepository(made.get("owner").get("login").asText() + "/" + name, "main", true);
                substitutions.put("/" + made.get("name").asText(), "/" + name);
                substitutions.put("/repositories/" + made.get("id").asText() + "/", "/repositories/" + repositoryId(made.get("owner").get("login").asText() + "/" + name) + "/");
                skipped.add(method + " " + path + ": " + operation("POST", "org:/repos").why());
                return;
            }
            Matcher repoPath = Pattern.compile("^/(?:repos/([^/]+)/([^/]+)|repositories/(\\d+))(.*)$").matcher(path);
            String rest;
            if (scope.contains("codeload.github.com")) {
                Matcher m = Pattern.compile("^/([^/]+)/([^/]+)(/.*)$").matcher(path);
                assertTrue(m.matches(), path);
                ensureRepository(m.group(1), m.group(2));
                rest = "codeload:" + m.group(3);
            } else {
                assertTrue(repoPath.matches(), "a repository's request: " + method + " " + path);
                if (repoPath.group(1) != null) {
                    ensureRepository(repoPath.group(1), repoPath.group(2));
                }
                rest = repoPath.group(4);
            }
            Operation op = operation(method, rest);
            if (!op.replayed()) {
                skipped.add(method + " " + op.template() + ": " + op.why());
                return;
            }
            String request = path;
            if (op.replayAs() != null) {
                Matcher m = op.path().matcher(rest);
                assertTrue(m.matches());
                String translated = m.replaceFirst(op.replayAs().replace("codeload:", ""));
                request = scope.contains("codeload.github.com")
                        ? path.substring(0, path.length() - rest.length() + "codeload:".length()) + translated
                        : path.substring(0, path.length() - rest.length()) + translated;
            }
            String url = scope.contains("codeload.github.com") ? testbed.github().url() + "/_emulator/codeload" + substitute(request)
                    : testbed.github().url() + substitute(request);
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Scripts.TIMEOUT)
                    .header("Authorization", "token " + TOKEN)
                    .header("Accept", recorded.path("reqheaders").path("accept").asText("application/vnd.github.v3+json"))
                    .header("User-Agent", "octokit-fixtures-replay");
            JsonNode body = recorded.get("body");
            if (body != null && body.isObject()) {
                builder.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(substitute(JSON.writeValueAsString(body))));
            } else {
                builder.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> answer = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            String what = scenario + " | " + method + " " + op.template();
            compared.add(method + " " + op.template());
            int status = recorded.get("status").asInt();
            if (status != answer.statusCode()) {
                differences.add(what + " | status " + status + ", emulator " + answer.statusCode());
                return;
            }
            JsonNode actual = null;
            String contentType = answer.headers().firstValue("content-type").orElse(null);
            if (contentType != null && contentType.startsWith("application/json") && answer.body().length > 0) {
                actual = JSON.readTree(answer.body());
                learn(recorded.get("response"), actual);
            }
            Map<String, String> headers = recordedHeaders(recorded);
            for (String header : List.of("location", "link", "content-type")) {
                String expected = headers.get(header) == null ? null : normalise(headers.get(header));
                String got = answer.headers().firstValue(header).orElse(null);
                if (!java.util.Objects.equals(expected, got)) {
                    differences.add(what + " | header " + header + ": " + show(expected) + ", emulator " + show(got));
                }
            }
            if (actual != null && recorded.get("response").isContainerNode()) {
                JsonNode schema = responseSchema(op.openapiFile(), status);
                compareKeys(what, "", recorded.get("response"), actual, schema);
            }
        }

        /** Recorded headers by lower-case name (rawHeaders: name, value, name, value ...). */
        Map<String, String> recordedHeaders(JsonNode recorded) {
            Map<String, String> headers = new LinkedHashMap<>();
            JsonNode raw = recorded.get("rawHeaders");
            for (int i = 0; raw != null && i + 1 < raw.size(); i += 2) {
                headers.putIfAbsent(raw.get(i).asText().toLowerCase(java.util.Locale.ROOT), raw.get(i + 1).asText());
            }
            return headers;
        }

        /** A recorded URL or header in the emulator's terms: its host, its repository's name and id, its commits. */
        String normalise(String value) {
            String v = value.replace("https://codeload.github.com/", testbed.github().url() + "/_emulator/codeload/")
                    .replace("https://api.github.com", testbed.github().url())
                    .replace("/legacy.tar.gz/", "/legacy.zip/");
            return substitute(v);
        }

        String substitute(String text) {
            String out = text;
            for (Map.Entry<String, String> s : substitutions.entrySet()) {
                out = out.replace(s.getKey(), s.getValue());
            }
            return out;
        }

        /** Recorded and emulator answers walked together: each recorded sha learns the emulator's at the same place. */
        void learn(JsonNode recorded, JsonNode actual) {
            if (recorded == null || actual == null) {
                return;
            }
            if (recorded.isTextual() && actual.isTextual() && SHA.matcher(recorded.asText()).matches()
                    && SHA.matcher(actual.asText()).matches()) {
                substitutions.putIfAbsent(recorded.asText(), actual.asText());
            } else if (recorded.isObject()) {
                recorded.properties().forEach(e -> learn(e.getValue(), actual.get(e.getKey())));
            } else if (recorded.isArray()) {
                for (int i = 0; i < Math.min(recorded.size(), actual.size()); i++) {
                    learn(recorded.get(i), actual.get(i));
                }
            }
        }

        void compareKeys(String what, String pointer, JsonNode recorded, JsonNode actual, JsonNode schema) {
            if (recorded.isObject() && actual.isObject()) {
                Set<String> declared = declared(schema);
                for (Iterator<String> it = recorded.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!actual.has(key)) {
                        differences.add(what + " | missing key " + pointer + "/" + key);
                    } else {
                        compareKeys(what, pointer + "/" + key, recorded.get(key), actual.get(key), property(schema, key));
                    }
                }
                for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!recorded.has(key)) {
                        differences.add(what + " | extra key " + pointer + "/" + key
                                + (declared.contains(key) ? ", in GitHub's description" : ", not in GitHub's description"));
                    }
                }
            } else if (recorded.isArray() && actual.isArray()) {
                if (recorded.size() != actual.size()) {
                    differences.add(what + " | " + pointer + " has " + recorded.size() + " items, emulator " + actual.size());
                }
                for (int i = 0; i < Math.min(recorded.size(), actual.size()); i++) {
                    compareKeys(what, pointer + "/*", recorded.get(i), actual.get(i), items(schema));
                }
            } else if (recorded.isContainerNode() != actual.isContainerNode() && !recorded.isNull() && !actual.isNull()) {
                differences.add(what + " | " + pointer + " is " + recorded.getNodeType() + ", emulator " + actual.getNodeType());
            }
        }

        void ensureRepository(String owner, String name) {
            String mapped = substitute("/" + name).substring(1);
            if (mapped.equals(name) && !name.equals(scenario)) {
                // A repository the recording did not make (get-content's hello-world): made here, its branch master.
                substitutions.putIfAbsent("/" + name, "/" + name);
                try {
                    testbed.github().addRepository(owner + "/" + name, "master");
                } catch (IllegalArgumentException e) {
                    // made already
                }
            }
        }
    }

    static Operation operation(String method, String rest) {
        for (Operation op : OPERATIONS) {
            if (op.method().equals(method) && op.path().matcher(rest).matches()) {
                return op;
            }
        }
        throw new AssertionError("a recorded request no row of OPERATIONS describes: " + method + " " + rest);
    }

    @Test
    void theComparisonSeesWhatDiffers() throws Exception {
        // The comparison itself can fail: a missing key, an undeclared extra key, an item count, a changed status.
        Replay replay = new Replay("self-check");
        JsonNode schema = responseSchema("issues__get-label.json", 200);
        replay.compareKeys("x", "", JSON.readTree("{\"id\":1,\"name\":\"a\",\"gone\":2,\"list\":[{\"a\":1},{\"a\":1}]}"),
                JSON.readTree("{\"id\":1,\"name\":\"a\",\"color\":\"ededed\",\"made_up\":3,\"list\":[{\"b\":1}]}"), schema);
        assertEquals(List.of("x | missing key /gone", "x | /list has 2 items, emulator 1", "x | missing key /list/*/a",
                "x | extra key /list/*/b, not in GitHub's description", "x | extra key /color, in GitHub's description",
                "x | extra key /made_up, not in GitHub's description"), replay.differences);
    }

    static long repositoryId(String fullName) {
        try {
            HttpResponse<String> repo = http.send(HttpRequest.newBuilder(URI.create(testbed.github().url() + "/repos/" + fullName))
                    .header("Authorization", "token " + TOKEN).header("User-Agent", "octokit-fixtures-replay").build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(repo.body()).get("id").asLong();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String show(String value) {
        return value == null ? "absent" : "\"" + value + "\"";
    }

    /** The schema of an operation's answer (GitHub's OpenAPI, dereferenced), or a missing node. */
    static JsonNode responseSchema(String file, int status) throws IOException {
        if (file.isEmpty()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        try (InputStream in = GitHubFidelityTest.class.getClassLoader().getResourceAsStream("github/openapi/" + file)) {
            return JSON.readTree(in).at("/responses/" + status + "/content/application~1json/schema");
        }
    }

    /** The property names a schema declares for an object (through allOf, anyOf and oneOf). */
    static Set<String> declared(JsonNode schema) {
        Set<String> names = new TreeSet<>();
        if (schema == null || schema.isMissingNode()) {
            return names;
        }
        schema.path("properties").fieldNames().forEachRemaining(names::add);
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            schema.path(combinator).forEach(branch -> names.addAll(declared(branch)));
        }
        return names;
    }

    static JsonNode property(JsonNode schema, String key) {
        if (schema == null || schema.isMissingNode()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        if (schema.path("properties").has(key)) {
            return schema.path("properties").get(key);
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode branch : schema.path(combinator)) {
                JsonNode found = property(branch, key);
                if (!found.isMissingNode()) {
                    return found;
                }
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    static JsonNode items(JsonNode schema) {
        if (schema == null || schema.isMissingNode()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        if (schema.has("items")) {
            return schema.get("items");
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode branch : schema.path(combinator)) {
                JsonNode found = items(branch);
                if (!found.isMissingNode()) {
                    return found;
                }
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
