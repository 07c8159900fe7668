import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * events stats over the event history and logs: the window and the filters on every source, the
 * cost of reading a week (one request, whatever the number of events), the day table, the drift
 * report, the time to dispatch, cron-caught items, --max-rejected and the Markdown summary; log files and
 * artifacts (the tests RouteTest had when stats was route's), and --repo before or after the command.
 */
class EventsStatsTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ZIPBALL = "/repos/" + REPO + "/zipball/event-bus-history";
    static final String READY = "{\"pr\":456,\"checks_status\":\"green\"}";
    /** A fixed week: records between these times, read with --since/--until given as RFC 3339. */
    static final Instant MONDAY = Instant.parse("2026-11-23T00:00:00.000Z");

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().summary("summary.md");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");

    InProcess.Run stats(String... args) {
        return EventsTest.events(testbed.env(), "stats", List.of(args));
    }

    JsonNode statsJson(String... args) throws IOException {
        return EventsTest.eventsJson(testbed.env(), "stats", List.of(args));
    }

    /** A record as the scripts write it: emitted at timestamp, received latency later, with its event. */
    static ObjectNode record(String type, String status, String source, Instant timestamp, long latencyMs) {
        String id = UUID.randomUUID().toString();
        ObjectNode event = EventsReplayTest.event(type, id, timestamp, READY);
        ((ObjectNode) event.get("client_payload")).put("source", source);
        ObjectNode record = JSON.createObjectNode();
        record.put("event_id", id);
        record.put("event_type", type);
        record.put("source", source);
        record.putNull("trace_id");
        record.put("timestamp", events.TIMESTAMP.format(timestamp));
        record.put("received_at", events.TIMESTAMP.format(timestamp.plusMillis(latencyMs)));
        record.put("latency_ms", latencyMs);
        record.put("status", status);
        record.putArray("targets");
        record.put("run_id", "1");
        record.put("run_attempt", "1");
        record.putNull("error");
        record.set("event", event);
        return record;
    }

    /** The same event recorded again by another step (a duplicate, a second rejection). */
    static ObjectNode again(ObjectNode record, String status, long laterMs) {
        ObjectNode copy = record.deepCopy();
        copy.put("status", status);
        copy.putArray("targets");
        copy.put("received_at", events.TIMESTAMP.format(Instant.parse(record.get("received_at").asText()).plusMillis(laterMs)));
        return copy;
    }

    static ObjectNode rejected(String source, Instant timestamp, String error) {
        return record("rfc.pr.ready", "rejected", source, timestamp, 100).put("error", error);
    }

    /** A routed record whose targets were dispatched these many ms after the event's timestamp. */
    static ObjectNode routed(String type, Instant timestamp, long latencyMs, long... dispatchedAfterMs) {
        ObjectNode record = record(type, "routed", "producer", timestamp, latencyMs);
        ArrayNode targets = record.putArray("targets");
        for (int i = 0; i < dispatchedAfterMs.length; i++) {
            targets.addObject().put("workflow", "w" + i + ".yml").put("status", "dispatched").put("run_id", 1)
                    .put("html_url", "x").put("dispatched_at", events.TIMESTAMP.format(timestamp.plusMillis(dispatchedAfterMs[i]))).putNull("error");
        }
        return record;
    }

    static ObjectNode cronCaught(Instant receivedAt, String key) {
        ObjectNode record = JSON.createObjectNode();
        record.put("event_id", UUID.nameUUIDFromBytes(key.getBytes()).toString());
        record.putNull("event_type");
        record.putNull("source");
        record.putNull("trace_id");
        record.putNull("timestamp");
        record.put("received_at", events.TIMESTAMP.format(receivedAt));
        record.putNull("latency_ms");
        record.put("status", "cron-caught");
        record.putArray("targets");
        record.putNull("error");
        record.set("event", JSON.createObjectNode().set("client_payload", JSON.createObjectNode().put("event_id", record.get("event_id").asText())));
        record.put("key", key);
        return record;
    }

    static Instant day(int day, int hour) {
        return MONDAY.plus(day, ChronoUnit.DAYS).plus(hour, ChronoUnit.HOURS);
    }

    // ---- what reading costs -------------------------------------------------------------------

    @Test
    void readingAWeekOfHistoryCostsOneRequestWhateverTheNumberOfEvents() throws IOException {
        long[] bytes = new long[2];
        int[] requests = new int[2];
        int[] counts = {10, 200};
        for (int i = 0; i < counts.length; i++) {
            github.reset();
            List<ObjectNode> records = new ArrayList<>();
            Instant now = Instant.now();
            for (int n = 0; n < counts[i]; n++) {
                records.add(record("rfc.pr.ready", "routed", "producer", now.minus(n % 7, ChronoUnit.DAYS).minus(1 + n % 50, ChronoUnit.MINUTES), 900));
            }
            // And a record older than the week, which the window leaves out.
            records.add(record("rfc.pr.ready", "routed", "producer", now.minus(9, ChronoUnit.DAYS), 900));
            RouteHistoryTest.append(github, records);
            github.clearJournal();
            InProcess.Run run = stats("--history", "--since", "7d", "--json");
            assertEquals(0, run.exitCode(), run.toString());
            JsonNode report = JSON.readTree(run.out());
            assertEquals(counts[i], report.get("records").asInt(), "the week's records");
            assertEquals(List.of("GET " + ZIPBALL), github.journal().stream().map(e -> e.method() + " " + e.path()).toList());
            requests[i] = report.get("api_requests").asInt();
            bytes[i] = report.at("/history/bytes").asLong();
            assertTrue(report.at("/history/days_in_all").asInt() > report.at("/history/days").asInt(), report.toString());
            assertTrue(run.err().startsWith("stats: read the history of " + REPO + " (" + counts[i] + " record files of "), run.err());
            assertTrue(run.err().endsWith(" bytes) with 1 API request\n"), run.err());
        }
        assertEquals(1, requests[0]);
        assertEquals(requests[0], requests[1], "the same for 10 and for 200 events");
        System.out.println("events stats --history --since 7d: " + requests[0] + " API request for 10 events (" + bytes[0] + " bytes), "
                + requests[1] + " for 200 events (" + bytes[1] + " bytes)");
    }

    @Test
    void theZipballRedirectIsFollowedWithoutTheToken() throws IOException {
        byte[] archive = EventsTest.zip(Map.of("octo-org-octo-repo-abc1234/events/2026-11-27/043813123-routed-x-1-1.json",
                record("rfc.pr.ready", "routed", "producer", Instant.parse("2026-11-27T04:38:13.000Z"), 123) + "\n"));
        SignedStorage seen = againstSignedStorage("127.0.0.1", null, archive, "--history", "--json");
        assertEquals(0, seen.run().exitCode(), seen.run().toString());
        assertEquals(1, JSON.readTree(seen.run().out()).get("records").asInt());
        assertEquals(List.of("Bearer " + GitHubEmulator.DEFAULT_TOKEN), seen.api());
        assertEquals(List.of("null"), seen.storage());
    }

    /** What a run of stats against a GitHub with signed storage saw: the Authorization of each request, to the API and to storage. */
    record SignedStorage(InProcess.Run run, List<String> api, List<String> storage) {
    }

    /**
     * stats against a GitHub on loopback whose downloads (a zipball, an artifact's /zip) answer 302 to a signed URL on
     * another host, as GitHub's do; its other API requests get artifactList (null: every request is a download).
     */
    SignedStorage againstSignedStorage(String storageHost, String artifactList, byte[] archive, String... args) throws IOException {
        List<String> apiAuthorization = Collections.synchronizedList(new ArrayList<>());
        List<String> storageAuthorization = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int port = server.getAddress().getPort();
        server.createContext("/repos/", exchange -> {
            apiAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if (exchange.getRequestURI().getPath().matches("/repos/[^/]+/[^/]+")) {
                // GET /repos/{owner}/{repo}: what replay and stats trust artifacts by (the id, the default branch).
                byte[] body = "{\"id\":1,\"default_branch\":\"main\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else if (artifactList == null || exchange.getRequestURI().getPath().endsWith("/zip")) {
                // GitHub sends the client to signed storage on another host.
                exchange.getResponseHeaders().add("Location", "http://" + storageHost + ":" + port + "/storage/7.zip?sig=signed");
                exchange.sendResponseHeaders(302, -1);
            } else {
                byte[] body = artifactList.getBytes(StandardCharsets.UTF_8);
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
            Map<String, String> env = testbed.env();
            env.put("GITHUB_API_URL", "http://127.0.0.1:" + port);
            List<String> all = new ArrayList<>(List.of("stats"));
            all.addAll(List.of(args));
            return new SignedStorage(EventsTest.events(env, all.toArray(String[]::new)), apiAuthorization, storageAuthorization);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void noHistoryYetIsAWarningAndAnEmptyReport() throws IOException {
        InProcess.Run run = stats("--history", "--since", "7d", "--status", "rejected", "--max-rejected", "0");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("warning: no branch event-bus-history in " + REPO + " (404)"), run.err());
        assertTrue(run.err().endsWith("stats: read the history of " + REPO + " (no branch yet) with 1 API request\n"), run.err());
        assertTrue(run.out().startsWith("0 of 0 records from the history of " + REPO + " (0 days), received since "), run.out());
    }

    // ---- window and filters --------------------------------------------------------------------

    @Test
    void theWindowAndTheFiltersApplyToTheHistoryAndToLogsAlike() throws IOException {
        RouteHistoryTest.append(github, List.of(
                record("rfc.pr.ready", "routed", "producer", day(-3, 10), 500),     // before the window
                record("rfc.pr.ready", "routed", "producer", day(0, 10), 500),
                record("rfc.pr.created", "routed", "scanner", day(2, 10), 700),
                rejected("scanner", day(4, 10), "/client_payload/data/pr: must be >= 1 (rule: minimum)"),
                record("rfc.chain.broken", "unrouted", "producer", day(6, 23), 300),
                record("rfc.pr.ready", "routed", "producer", day(7, 1), 500)));      // after the window
        Path log = Files.writeString(temp.resolve("event_log.jsonl"), String.join("\n",
                record("rfc.pr.ready", "failed", "producer", day(1, 10), 200).toString(),
                record("rfc.pr.ready", "failed", "producer", day(8, 10), 200).toString()) + "\n");
        String since = "2026-11-23T00:00:00Z";
        String until = "2026-11-30T00:00:00Z";

        JsonNode week = statsJson("--history", log.toString(), "--since", since, "--until", until);
        assertEquals(5, week.get("records").asInt(), week.toString());
        assertEquals(7, week.get("records_read").asInt(), "the days the window may hold, and the whole log");
        assertEquals(JSON.readTree("{\"since\":\"2026-11-23T00:00:00.000Z\",\"until\":\"2026-11-30T00:00:00.000Z\"}"),
                ((ObjectNode) week.get("window").deepCopy()).without("now"));
        assertEquals(5, week.at("/history/days").asInt(), "23, 25, 27, 29 and the 30th, which until touches");
        assertEquals(6, week.at("/history/days_in_all").asInt());
        assertEquals(1, week.get("logs").asInt());

        assertEquals(2, statsJson("--history", log.toString(), "--since", since, "--until", until, "--type", "rfc.pr.*")
                .at("/all/counts/routed").asInt(), "rfc.pr.ready and rfc.pr.created");
        JsonNode scanner = statsJson("--history", "--since", since, "--until", until, "--source", "scanner");
        assertEquals(2, scanner.get("records").asInt());
        assertEquals("source scanner", scanner.get("filters").asText());
        JsonNode failedOrRejected = statsJson("--history", log.toString(), "--since", since, "--until", until, "--status", "failed,rejected");
        assertEquals(JSON.readTree("{\"routed\":0,\"unrouted\":0,\"duplicate\":0,\"rejected\":1,\"failed\":1}"), failedOrRejected.at("/all/counts"));

        InProcess.Run text = stats("--history", log.toString(), "--since", since, "--until", until, "--type", "rfc.pr.*");
        assertTrue(text.out().startsWith("4 of 7 records from 1 log and the history of " + REPO + " (5 days), received since "
                + "2026-11-23T00:00:00.000Z until 2026-11-30T00:00:00.000Z; type rfc.pr.*\n"), text.out());
    }

    @Test
    void durationsCountBackFromGitHubsClock() throws IOException {
        Instant now = Instant.now();
        RouteHistoryTest.append(github, List.of(
                record("rfc.pr.ready", "routed", "producer", now.minus(2, ChronoUnit.HOURS), 100),
                record("rfc.pr.ready", "routed", "producer", now.minus(30, ChronoUnit.MINUTES), 100)));
        assertEquals(1, statsJson("--history", "--since", "1h").get("records").asInt());
        github.advanceClock(Duration.ofHours(1));
        assertEquals(0, statsJson("--history", "--since", "1h").get("records").asInt(), "an hour later on GitHub's clock");
        assertEquals(2, statsJson("--history", "--since", "4h").get("records").asInt());
    }

    // ---- what the report holds -------------------------------------------------------------------

    /** A week: routed events with their dispatch times, a duplicate, rejections of two rules and two sources, cron-caught items. */
    void aWeekInTheHistory() throws IOException {
        ObjectNode twiceRejected = rejected("emitter-a", day(1, 9), "/client_payload/data/pr: must be >= 1 (rule: minimum)");
        ObjectNode routedTwice = routed("rfc.pr.created", day(0, 8), 400, 300, 500);
        RouteHistoryTest.append(github, List.of(
                routed("rfc.pr.ready", day(0, 9), 1000, 1200),
                routedTwice,
                again(routedTwice, "duplicate", 60_000),
                routed("rfc.pr.ready", day(1, 9), 2000, 2400),
                twiceRejected,
                again(twiceRejected, "rejected", 5_000),
                rejected("emitter-b", day(1, 10), "/client_payload/source: does not match the pattern (rule: pattern); "
                        + "/client_payload/data: required property 'pr' not found (rule: required)"),
                rejected("emitter-b", day(3, 10), "/client_payload/data/pr: must be >= 1 (rule: minimum)"),
                cronCaught(day(1, 6), "rfc.issue.assigned/7"),
                cronCaught(day(3, 6), "rfc.issue.assigned/8"),
                cronCaught(day(3, 7), "rfc.issue.assigned/9"),
                routed("rfc.pr.ready", day(3, 12), 3000, 3100)));
    }

    static final String[] WEEK = {"--history", "--since", "2026-11-23T00:00:00Z", "--until", "2026-11-26T00:00:00Z"};

    @Test
    void byDayCountsEachDayAndStatusAndTheDistinctEventsOfIt() throws IOException {
        aWeekInTheHistory();
        List<String> args = new ArrayList<>(List.of(WEEK));
        args.addAll(List.of("--by", "day"));
        InProcess.Run run = stats(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("""
                day         routed  unrouted  duplicate  rejected  failed  cron-caught  total  events
                2026-11-23       2         0          1         0       0            0      3       2
                2026-11-24       1         0          0         3       0            1      5       3
                2026-11-25       0         0          0         0       0            0      0       0
                """), run.out());
        JsonNode report = statsJson(WEEK);
        assertEquals(JSON.readTree("{\"day\":\"2026-11-24\",\"counts\":{\"routed\":1,\"unrouted\":0,\"duplicate\":0,\"rejected\":3,"
                + "\"failed\":0,\"cron-caught\":1},\"total\":5,\"events\":3}"), report.at("/by_day/1"));
        assertEquals(JSON.readTree("{\"total\":1,\"by_day\":{\"2026-11-24\":1}}"), report.get("cron_caught"));
        assertTrue(run.out().contains("\ncron-caught: 1 item the cron paths caught that no event had handled\n"), run.out());
        assertFalse(stats(WEEK).out().contains("day         routed"), "the day table only with --by day");
        assertEquals(3, statsJson("--history", "--since", "2026-11-23T00:00:00Z", "--until", "2026-11-30T00:00:00Z")
                .at("/cron_caught/total").asInt());
    }

    @Test
    void theDriftReportGroupsRejectedRecordsByRuleAndBySource() throws IOException {
        aWeekInTheHistory();
        JsonNode drift = statsJson(WEEK).get("drift");
        assertEquals(JSON.readTree("{\"rejected_records\":3,\"rejected_events\":2,\"by_rule\":{\"minimum\":2,\"pattern\":1,\"required\":1},"
                + "\"by_source\":{\"emitter-a\":2,\"emitter-b\":1}}"), drift);
        InProcess.Run run = stats(WEEK);
        assertTrue(run.out().contains("""
                schema drift: 3 rejected records (2 events)
                rule      rejected
                minimum          2
                pattern          1
                required         1

                source     rejected
                emitter-a         2
                emitter-b         1
                """), run.out());
    }

    @Test
    void latencyIsOverRoutedRecordsAndTheTimeToDispatchIsPerEventType() throws IOException {
        aWeekInTheHistory();
        JsonNode report = statsJson(WEEK);
        assertEquals("routed", report.get("latency_over").asText());
        assertEquals(JSON.readTree("{\"count\":3,\"median\":1000,\"p95\":2000}"), report.at("/all/latency_ms"), "400, 1000, 2000");
        assertEquals(JSON.readTree("[{\"event_type\":\"rfc.pr.created\",\"targets\":2,\"median\":300,\"p95\":500},"
                + "{\"event_type\":\"rfc.pr.ready\",\"targets\":2,\"median\":1200,\"p95\":2400}]"), report.get("dispatch_ms"));
        InProcess.Run run = stats(WEEK);
        assertTrue(run.out().contains("""
                time to dispatch  targets  median ms  p95 ms
                rfc.pr.created          2        300     500
                rfc.pr.ready            2       1200    2400
                (from the event's timestamp to each target's dispatched_at)
                """), run.out());
    }

    @Test
    void maxRejectedExitsOneAboveTheLimitOfRejectedEvents() throws IOException {
        aWeekInTheHistory();
        List<String> args = new ArrayList<>(List.of(WEEK));
        args.addAll(List.of("--status", "rejected", "--max-rejected", "1"));
        InProcess.Run over = stats(args.toArray(String[]::new));
        assertEquals(1, over.exitCode(), over.toString());
        assertTrue(over.err().contains("stats: 2 events rejected by a schema rule since 2026-11-23T00:00:00.000Z until 2026-11-26T00:00:00.000Z, "
                + "more than --max-rejected 1: the drift report lists the rejected records by rule and by source\n"), over.err());
        assertTrue(over.out().contains("schema drift: 3 rejected records (2 events)"), "the report comes first: " + over.out());

        args.set(args.size() - 1, "2");
        assertEquals(0, stats(args.toArray(String[]::new)).exitCode());
        args.add("--json");
        JsonNode report = JSON.readTree(stats(args.toArray(String[]::new)).out());
        assertEquals(JSON.readTree("{\"limit\":2,\"rejected_events\":2,\"exceeded\":false,\"sender_rejected_events\":0}"), report.get("max_rejected"));

        InProcess.Run quiet = stats("--history", "--since", "2026-11-27T00:00:00Z", "--status", "rejected", "--max-rejected", "0");
        assertEquals(0, quiet.exitCode(), "no rejection since the 27th: " + quiet);
    }

    @Test
    void theSummaryHasAMermaidChartOfEventsPerDayAndTheTables() throws IOException {
        aWeekInTheHistory();
        List<String> args = new ArrayList<>(List.of(WEEK));
        args.addAll(List.of("--by", "day"));
        assertEquals(0, stats(args.toArray(String[]::new)).exitCode());
        String markdown = Files.readString(summary);
        assertTrue(markdown.startsWith("### Event log statistics\n\n8 of 12 records from the history of " + REPO + " (3 days), received since "
                + "2026-11-23T00:00:00.000Z until 2026-11-26T00:00:00.000Z.\n"), markdown);
        assertTrue(markdown.contains("""
                #### Events per day

                ```mermaid
                xychart-beta
                  title "Events per day"
                  x-axis ["11-23", "11-24", "11-25"]
                  y-axis "Events" 0 --> 3
                  bar [2, 3, 0]
                ```
                """), markdown);
        assertTrue(markdown.contains("| Event type | routed | unrouted | duplicate | rejected | failed | cron-caught | Total | Routed median ms "
                + "| Routed p95 ms |"), markdown);
        assertTrue(markdown.contains("Latency: `received_at` minus `timestamp`, over routed records only."), markdown);
        assertTrue(markdown.contains("| 2026-11-24 | 1 | 0 | 0 | 3 | 0 | 1 | 5 | 3 |"), markdown);
        assertTrue(markdown.contains("| `rfc.pr.ready` | 2 | 1200 | 2400 |"), markdown);
        assertTrue(markdown.contains(":x: 3 rejected records (2 events).\n\n| Rule | Rejected |\n|---|--:|\n| `minimum` | 2 |"), markdown);
        assertTrue(markdown.contains("| `emitter-a` | 2 |"), markdown);
        assertTrue(markdown.contains("#### Cron-caught\n\n1 item the cron paths caught that no event had handled."), markdown);
    }

    @Test
    void badUsageIsExitTwo() {
        assertUsage(stats("--by", "week"), "--by: the report can be split by day, not by 'week'");
        assertUsage(stats("--history", "--since", "last week"), "--since must be a duration such as 7d, 24h or 90m, or an RFC 3339 time");
        assertUsage(stats("--history", "--until", "soon"), "--until must be a duration");
        assertUsage(stats("--history", "--status", "lost"), "--status: unknown status 'lost' (one of: routed, unrouted, duplicate, rejected, "
                + "failed, shadowed, cron-caught, emitted, reconciled, acted)");
        assertUsage(stats("--history", "--type", "RFC"), "--type must be an event type or a glob such as rfc.pr.*, not 'RFC'");
        assertUsage(stats("--history", "--max-rejected", "-1"), "--max-rejected must be 0 or more");
        assertTrue(github.journal().isEmpty(), "nothing read");
    }

    static void assertUsage(InProcess.Run run, String message) {
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith(message), run.toString());
    }

    @Test
    void theRepositoryAndVerboseMayComeBeforeOrAfterTheCommand() throws IOException {
        Path records = write("first.jsonl", logLine("rfc.pr.ready", "routed", "e1", "t1", 0, 5));
        for (List<String> args : List.of(List.of("--repo", "someone/else", "stats", "--json", records.toString()),
                List.of("stats", "--repo", "someone/else", "--verbose", "--json", records.toString()))) {
            InProcess.Run run = EventsTest.events(testbed.env(), args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(1, JSON.readTree(run.out()).get("records").asInt(), run.toString());
        }
        // --repo names the repository whose history is read, wherever it is given.
        for (List<String> args : List.of(List.of("--repo", "someone/else", "stats", "--history"),
                List.of("stats", "--history", "--repo", "someone/else"))) {
            github.clearJournal();
            InProcess.Run history = EventsTest.events(testbed.env(), args.toArray(String[]::new));
            assertEquals(0, history.exitCode(), history.toString());
            assertEquals(1, github.journal("GET", "/repos/someone/else/zipball/event-bus-history").size(), github.journal().toString());
        }
    }

    // ---- log files and artifacts --------------------------------------------------------------

    static final Instant T0 = Instant.parse("2026-11-27T04:00:00.000Z");

    /** A record as one line of a log, emitted emittedAtMs after T0 and received latencyMs later. */
    static String logLine(String type, String status, String eventId, String traceId, long emittedAtMs, long latencyMs) {
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
                logLine("rfc.pr.ready", "routed", "e1", "trace-a", 0, 100),
                logLine("rfc.pr.ready", "routed", "e2", "trace-a", 5_000, 300),
                logLine("rfc.pr.ready", "duplicate", "e2", "trace-a", 5_000, 200),
                "") + "\n");
        Path second = write("second.jsonl", String.join("\n",
                logLine("rfc.pr.ready", "failed", "e3", "trace-b", 10_000, 1000),
                logLine("rfc.pr.ready", "unrouted", "e4", "trace-b", 11_000, 400),
                logLine("rfc.chain.broken", "rejected", "e5", "trace-c", 20_000, 50),
                "{\"cut short"));
        return List.of(first, second);
    }

    @Test
    void statsCountsPerTypeAndStatusWithNearestRankLatenciesAndTraceSpans() throws IOException {
        List<Path> logs = twoLogs();
        InProcess.Run run = stats(logs.get(0).toString(), logs.get(1).toString());
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
        InProcess.Run run = stats("--json", logs.get(0).toString(), logs.get(1).toString());
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
        String lines = IntStream.rangeClosed(1, 20).mapToObj(i -> logLine("rfc.pr.ready", "routed", "e" + i, "t" + i, 0, i * 10L))
                .collect(Collectors.joining("\n"));
        Map<String, String> env = testbed.env();
        env.put("EVENT_LOG", write("default.jsonl", lines).toString());
        InProcess.Run run = EventsTest.events(env, "stats", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(JSON.readTree("{\"count\":20,\"median\":100,\"p95\":190}"), JSON.readTree(run.out()).at("/all/latency_ms"));
    }

    @Test
    void statsOfAMissingLogIsInvalidInput() {
        InProcess.Run run = stats(temp.resolve("nope.jsonl").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith(temp.resolve("nope.jsonl") + ": no such file"), run.toString());
    }

    @Test
    void statsFromArtifactsReadsTheNewestEventLogArtifacts() throws IOException {
        github.addArtifact(REPO, "event-log-1", EventsTest.zip(Map.of("event_log.jsonl", logLine("rfc.pr.ready", "routed", "old", "t1", 0, 1))));
        github.addArtifact(REPO, "coverage", EventsTest.zip(Map.of("event_log.jsonl", logLine("rfc.pr.ready", "routed", "other", "t2", 0, 1))));
        github.addArtifact(REPO, "event-log-2", EventsTest.zip(Map.of("event_log.jsonl", logLine("rfc.pr.ready", "routed", "e2", "t3", 0, 20)
                + "\n" + logLine("rfc.pr.ready", "duplicate", "e2", "t3", 0, 30), "notes.txt", "not a log")));
        github.addArtifact(REPO, "event-log-3", EventsTest.zip(Map.of("logs/event_log.jsonl", logLine("rfc.chain.broken", "unrouted", "e3", "t4", 0, 40))));

        InProcess.Run run = stats("--json", "--from-artifacts", "2");
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
            github.addArtifact(REPO, i == 1 ? "event-log-oldest" : "build-" + i, EventsTest.zip(Map.of("event_log.jsonl",
                    logLine("rfc.pr.ready", "routed", "e" + i, "t" + i, 0, i))));
        }
        InProcess.Run run = stats("--json", "--from-artifacts", "1");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, JSON.readTree(run.out()).at("/all/total").asInt());
        assertEquals(2, github.journal("GET", "/repos/" + REPO + "/actions/artifacts").size());
    }

    @Test
    void theArtifactDownloadRedirectIsFollowedWithoutTheToken() throws IOException {
        byte[] archive = EventsTest.zip(Map.of("event_log.jsonl", logLine("rfc.pr.ready", "routed", "e1", "t1", 0, 5)));
        SignedStorage seen = againstSignedStorage("localhost", "{\"total_count\":1,\"artifacts\":[{\"id\":7,\"name\":\"event-log-9\",\"expired\":false,"
                + "\"workflow_run\":{\"id\":9,\"repository_id\":1,\"head_repository_id\":1,\"head_branch\":\"main\"}}]}",
                archive, "--json", "--from-artifacts", "1");
        assertEquals(0, seen.run().exitCode(), seen.run().toString());
        assertEquals(1, JSON.readTree(seen.run().out()).get("records").asInt());
        assertEquals(List.of("Bearer " + GitHubEmulator.DEFAULT_TOKEN, "Bearer " + GitHubEmulator.DEFAULT_TOKEN, "Bearer " + GitHubEmulator.DEFAULT_TOKEN),
                seen.api(), "the repository, the artifact list, the download's redirect");
        assertEquals(List.of("null"), seen.storage());
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(temp.resolve(name), text);
    }
}
