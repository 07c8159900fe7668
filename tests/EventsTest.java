import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * events.java in-process against the GitHub emulator: its command line (help, version, a missing command) and
 * stats over event log files and artifacts. The runner {@link #events} serves the other Events tests too.
 */
class EventsTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();

    /** One emulator for the class, closed after it; reset before each test. */
    @AutoClose
    static final GitHubEmulator github = GitHubEmulator.start(0);

    @TempDir
    Path temp;
    Path summary;
    Path log;

    @BeforeEach
    void resetEmulator() {
        github.reset();
        summary = temp.resolve("summary.md");
        log = temp.resolve("logs/event_log.jsonl");
    }

    /** A workflow step's environment; $EVENT_LOG is a log nobody wrote yet. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_API_URL", github.url());
        env.put("GITHUB_TOKEN", GitHubEmulator.DEFAULT_TOKEN);
        env.put("GITHUB_REPOSITORY", REPO);
        env.put("GITHUB_REF_NAME", "main");
        env.put("GITHUB_STEP_SUMMARY", summary.toString());
        env.put("EVENT_LOG", log.toString());
        env.put("GITHUB_WORKSPACE", temp.toString());
        return env;
    }

    /** events.java's command line in this JVM, with this environment. */
    static InProcess.Run events(Map<String, String> env, String... args) {
        events command = new events();
        command.env = env;
        return InProcess.run(events.newCommandLine(command), args);
    }

    // ---- the command line -------------------------------------------------------------------

    @Test
    void helpListsTheCommandsTheEnvironmentAndTheExitCodes() {
        InProcess.Run help = events(Map.of(), "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().startsWith("Usage: events "), help.toString());
        for (String command : List.of("stats", "replay", "reconcile")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " is listed: " + help);
        }
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("GITHUB_REPOSITORY") && help.out().contains("--repo"),
                help.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stats", "replay", "reconcile"})
    void eachCommandHasHelpWithTheOptionsItInheritsAndTheSameVersion(String command) {
        InProcess.Run help = events(Map.of(), command, "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().startsWith("Usage: events " + command + " "), help.toString());
        assertTrue(help.out().contains("--repo=OWNER/NAME") && help.out().contains("--verbose") && help.out().contains("Exit codes:"),
                help.toString());
        InProcess.Run version = events(Map.of(), command, "--version");
        assertEquals(0, version.exitCode(), version.toString());
        assertEquals(events(Map.of(), "--version").out(), version.out());
        assertEquals("events 0.1.0\n", version.out());
    }

    @Test
    void withoutACommandItSaysWhichThereAreAndExitsTwo() {
        InProcess.Run run = events(Map.of(), new String[0]);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("Missing subcommand: one of stats, replay, reconcile\n"), run.toString());
    }

    @Test
    void theRepositoryAndVerboseMayComeBeforeOrAfterTheCommand() throws IOException {
        Path records = write("first.jsonl", record("rfc.pr.ready", "routed", "e1", "t1", 0, 5));
        for (List<String> args : List.of(List.of("--repo", "someone/else", "stats", "--json", records.toString()),
                List.of("stats", "--repo", "someone/else", "--verbose", "--json", records.toString()))) {
            InProcess.Run run = events(env(), args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(1, JSON.readTree(run.out()).get("records").asInt(), run.toString());
        }
        // --repo names the repository whose history is read, wherever it is given.
        InProcess.Run history = events(env(), "stats", "--history", "--repo", "someone/else");
        assertEquals(0, history.exitCode(), history.toString());
        assertEquals(1, github.journal("GET", "/repos/someone/else/zipball/event-bus-history").size(), github.journal().toString());
    }

    // ---- stats over logs and artifacts (from RouteTest, when stats was route's) ------------------

    static final Instant T0 = Instant.parse("2026-11-27T04:00:00.000Z");

    static String record(String type, String status, String eventId, String traceId, long emittedAtMs, long latencyMs) {
        ObjectNode record = JSON.createObjectNode();
        record.put("event_id", eventId);
        record.put("event_type", type);
        record.put("source", "test");
        record.put("trace_id", traceId);
        record.put("timestamp", T0.plusMillis(emittedAtMs).toString());
        record.put("received_at", T0.plusMillis(emittedAtMs + latencyMs).toString());
        record.put("latency_ms", latencyMs);
        record.put("status", status);
        record.putArray("targets");
        return record.toString();
    }

    /**
     * Two logs: rfc.pr.ready routed with latencies 100 and 300 (nearest rank: median 100, p95 300; the others'
     * latencies do not count), one rejected event; three traces, trace-a spanning 0 to 5.3 s; one line cut short.
     */
    List<Path> twoLogs() throws IOException {
        Path first = write("first.jsonl", String.join("\n",
                record("rfc.pr.ready", "routed", "e1", "trace-a", 0, 100),
                record("rfc.pr.ready", "routed", "e2", "trace-a", 5_000, 300),
                record("rfc.pr.ready", "duplicate", "e2", "trace-a", 5_000, 200),
                "") + "\n");
        Path second = write("second.jsonl", String.join("\n",
                record("rfc.pr.ready", "failed", "e3", "trace-b", 10_000, 1000),
                record("rfc.pr.ready", "unrouted", "e4", "trace-b", 11_000, 400),
                record("rfc.chain.broken", "rejected", "e5", "trace-c", 20_000, 50),
                "{\"cut short"));
        return List.of(first, second);
    }

    @Test
    void statsCountsPerTypeAndStatusWithNearestRankLatenciesAndTraceSpans() throws IOException {
        List<Path> logs = twoLogs();
        InProcess.Run run = events(env(), "stats", logs.get(0).toString(), logs.get(1).toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("""
                6 records from 2 logs (1 lines skipped)

                event type        routed  unrouted  duplicate  rejected  failed  total  routed median ms  routed p95 ms
                rfc.chain.broken       0         0          0         1       0      1                 -              -
                rfc.pr.ready           2         1          1         0       1      5               100            300
                all                    2         1          1         1       1      6               100            300
                (latency_ms: received_at minus timestamp, over routed records only)

                schema drift: 1 rejected record (1 event)
                rule       rejected
                (no rule)         1

                source  rejected
                test           1

                trace    events  first                     last                      span ms
                trace-a       2  2026-11-27T04:00:00.000Z  2026-11-27T04:00:05.300Z     5300
                trace-b       2  2026-11-27T04:00:10.000Z  2026-11-27T04:00:11.400Z     1400
                trace-c       1  2026-11-27T04:00:20.000Z  2026-11-27T04:00:20.050Z       50
                """, run.out());
        assertEquals(logs.get(1) + ":4: skipped: not a JSON object\n", run.err());
    }

    @Test
    void statsJsonAndMarkdownSummary() throws IOException {
        List<Path> logs = twoLogs();
        InProcess.Run run = events(env(), "stats", "--json", logs.get(0).toString(), logs.get(1).toString());
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals(6, report.get("records").asInt());
        assertEquals(1, report.get("skipped_lines").asInt());
        JsonNode ready = report.get("event_types").get(1);
        assertEquals("rfc.pr.ready", ready.get("event_type").asText());
        assertEquals(JSON.readTree("{\"routed\":2,\"unrouted\":1,\"duplicate\":1,\"rejected\":0,\"failed\":1}"), ready.get("counts"));
        assertEquals(JSON.readTree("{\"count\":2,\"median\":100,\"p95\":300}"), ready.get("latency_ms"), "over routed records only");
        assertEquals(6, report.at("/all/total").asInt());
        assertEquals(JSON.readTree("{\"trace_id\":\"trace-a\",\"events\":2,\"first\":\"2026-11-27T04:00:00.000Z\","
                + "\"last\":\"2026-11-27T04:00:05.300Z\",\"span_ms\":5300}"), report.at("/traces/0"));

        String markdown = Files.readString(summary);
        assertTrue(markdown.startsWith("### Event log statistics\n\n6 records from 2 logs (1 lines skipped).\n"), markdown);
        assertTrue(markdown.contains("| Event type | routed | unrouted | duplicate | rejected | failed | Total | Routed median ms | Routed p95 ms |"),
                markdown);
        assertTrue(markdown.contains("| `rfc.pr.ready` | 2 | 1 | 1 | 0 | 1 | 5 | 100 | 300 |"), markdown);
        assertTrue(markdown.contains("| **all** | 2 | 1 | 1 | 1 | 1 | 6 | 100 | 300 |"), markdown);
        assertTrue(markdown.contains("| trace-a | 2 | 2026-11-27T04:00:00.000Z | 2026-11-27T04:00:05.300Z | 5300 |"), markdown);
    }

    @Test
    void statsPercentilesUseTheNearestRank() throws IOException {
        // latencies 10, 20, ..., 200: median = 10th value (100), p95 = 19th value (190)
        String lines = IntStream.rangeClosed(1, 20).mapToObj(i -> record("rfc.pr.ready", "routed", "e" + i, "t" + i, 0, i * 10L))
                .collect(Collectors.joining("\n"));
        Map<String, String> env = env();
        env.put("EVENT_LOG", write("default.jsonl", lines).toString());
        InProcess.Run run = events(env, "stats", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(JSON.readTree("{\"count\":20,\"median\":100,\"p95\":190}"), JSON.readTree(run.out()).at("/all/latency_ms"));
    }

    @Test
    void statsOfAMissingLogIsInvalidInput() {
        InProcess.Run run = events(env(), "stats", temp.resolve("nope.jsonl").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith(temp.resolve("nope.jsonl") + ": no such file"), run.toString());
    }

    @Test
    void statsFromArtifactsReadsTheNewestEventLogArtifacts() throws IOException {
        github.addArtifact(REPO, "event-log-1", zip(Map.of("event_log.jsonl", record("rfc.pr.ready", "routed", "old", "t1", 0, 1))));
        github.addArtifact(REPO, "coverage", zip(Map.of("event_log.jsonl", record("rfc.pr.ready", "routed", "other", "t2", 0, 1))));
        github.addArtifact(REPO, "event-log-2", zip(Map.of("event_log.jsonl", record("rfc.pr.ready", "routed", "e2", "t3", 0, 20)
                + "\n" + record("rfc.pr.ready", "duplicate", "e2", "t3", 0, 30), "notes.txt", "not a log")));
        github.addArtifact(REPO, "event-log-3", zip(Map.of("logs/event_log.jsonl", record("rfc.chain.broken", "unrouted", "e3", "t4", 0, 40))));

        InProcess.Run run = events(env(), "stats", "--json", "--from-artifacts", "2");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals(3, report.get("records").asInt(), report.toPrettyString());
        assertEquals(2, report.get("logs").asInt());
        assertEquals(JSON.readTree("{\"count\":1,\"median\":20,\"p95\":20}"), report.at("/all/latency_ms"), "the routed record's");
        assertEquals(1, github.journal("GET", "/repos/" + REPO + "/actions/artifacts").size());
        assertEquals(2, github.journal("GET", "/repos/" + REPO + "/actions/artifacts/\\d+/zip").size());
    }

    @Test
    void statsFromArtifactsFollowsPagination() throws IOException {
        for (int i = 1; i <= 120; i++) {
            github.addArtifact(REPO, i == 1 ? "event-log-oldest" : "build-" + i, zip(Map.of("event_log.jsonl",
                    record("rfc.pr.ready", "routed", "e" + i, "t" + i, 0, i))));
        }
        InProcess.Run run = events(env(), "stats", "--json", "--from-artifacts", "1");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, JSON.readTree(run.out()).at("/all/total").asInt());
        assertEquals(2, github.journal("GET", "/repos/" + REPO + "/actions/artifacts").size());
    }

    @Test
    void theArtifactDownloadRedirectIsFollowedWithoutTheToken() throws IOException {
        List<String> apiAuthorization = Collections.synchronizedList(new ArrayList<>());
        List<String> storageAuthorization = Collections.synchronizedList(new ArrayList<>());
        byte[] archive = zip(Map.of("event_log.jsonl", record("rfc.pr.ready", "routed", "e1", "t1", 0, 5)));
        HttpServer server = HttpServer.create(new InetSocketAddress(0), 0);
        int port = server.getAddress().getPort();
        server.createContext("/repos/", exchange -> {
            apiAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if (exchange.getRequestURI().getPath().endsWith("/zip")) {
                // GitHub sends the client to signed storage on another host.
                exchange.getResponseHeaders().add("Location", "http://localhost:" + port + "/storage/7.zip?sig=signed");
                exchange.sendResponseHeaders(302, -1);
            } else {
                byte[] body = "{\"total_count\":1,\"artifacts\":[{\"id\":7,\"name\":\"event-log-9\",\"expired\":false}]}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.createContext("/storage/", exchange -> {
            storageAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(200, archive.length);
            exchange.getResponseBody().write(archive);
            exchange.close();
        });
        server.start();
        try {
            Map<String, String> env = env();
            env.put("GITHUB_API_URL", "http://127.0.0.1:" + port);
            InProcess.Run run = events(env, "stats", "--json", "--from-artifacts", "1");
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(1, JSON.readTree(run.out()).get("records").asInt());
            assertEquals(List.of("Bearer " + GitHubEmulator.DEFAULT_TOKEN, "Bearer " + GitHubEmulator.DEFAULT_TOKEN), apiAuthorization);
            assertEquals(List.of("null"), storageAuthorization);
        } finally {
            server.stop(0);
        }
    }


    Path write(String name, String text) throws IOException {
        return Files.writeString(temp.resolve(name), text);
    }

    /** A zip archive of these files, as an artifact download or a zipball holds them. */
    static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var entry : new java.util.TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
