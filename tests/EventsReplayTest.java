import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * events replay in-process against the GitHub emulator: which events of the logs are selected, what
 * is sent (one repository_dispatch per event, as it was first sent), and what is not.
 */
class EventsReplayTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DISPATCHES = "/repos/" + REPO + "/dispatches";
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    static final String READY = "{\"pr\":456,\"checks_status\":\"green\"}";
    static final String BROKEN = "{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\"}";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().summary("summary.md");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");

    InProcess.Run replay(String... args) {
        return replay(testbed.env(), args);
    }

    static InProcess.Run replay(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("replay"));
        all.addAll(List.of(args));
        return EventsTest.events(env, all.toArray(String[]::new));
    }

    // ---- building logs ------------------------------------------------------------------------

    /** An event document as emit sends it. */
    static ObjectNode event(String type, String id, Instant timestamp, String data) {
        try {
            ObjectNode document = JSON.createObjectNode().put("event_type", type);
            document.putObject("client_payload").put("event_id", id).put("source", "test").put("timestamp", events.TIMESTAMP.format(timestamp))
                    .set("data", JSON.readTree(data));
            return document;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A record as the router's steps write it for a delivered event: its fields from the event, who sent it
     * (github-actions[bot], as GitHub delivers what a workflow emits), the status, when it was received, the event.
     */
    static String record(JsonNode event, String status, Instant receivedAt) {
        return record(event, status, receivedAt, "github-actions[bot]");
    }

    /** The same with the sender given; null: a record with no sender (an emitted record, or one from before records had it). */
    static String record(JsonNode event, String status, Instant receivedAt, String sender) {
        ObjectNode record = JSON.createObjectNode();
        record.put("event_id", event.at("/client_payload/event_id").asText());
        record.put("event_type", event.get("event_type").asText());
        record.put("source", "test");
        if (sender != null) {
            record.put("sender", sender);
        }
        record.putNull("trace_id");
        record.put("timestamp", event.at("/client_payload/timestamp").asText());
        if (receivedAt != null) {
            record.put("received_at", events.TIMESTAMP.format(receivedAt));
        }
        record.put("status", status);
        record.putArray("targets");
        record.set("event", event);
        return record.toString();
    }

    Path log(String name, String... records) throws IOException {
        return Files.writeString(temp.resolve(name), String.join("\n", records) + "\n");
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    /** The bodies of the repository dispatches sent, in order. */
    static List<JsonNode> sent() throws IOException {
        List<JsonNode> bodies = new ArrayList<>();
        for (GitHubEmulator.JournalEntry entry : testbed.github().journal("POST", DISPATCHES)) {
            bodies.add(JSON.readTree(entry.requestBody()));
        }
        return bodies;
    }

    // ---- selection --------------------------------------------------------------------------

    @Test
    void byDefaultTheEventsWhoseLastRecordFailedAreSentAsTheyWereFirstSent() throws IOException {
        String a = id(), b = id(), c = id(), d = id(), e = id(), f = id();
        ObjectNode eventA = event("rfc.pr.ready", a, NOW.minusSeconds(600), READY);
        ObjectNode eventF = event("rfc.chain.broken", f, NOW.minusSeconds(500), BROKEN);
        Path log = log("event_log.jsonl",
                record(eventA, "failed", NOW.minusSeconds(590)),
                record(event("rfc.pr.ready", b, NOW.minusSeconds(580), READY), "failed", NOW.minusSeconds(570)),
                record(event("rfc.pr.ready", c, NOW.minusSeconds(560), READY), "routed", NOW.minusSeconds(550)),
                record(event("rfc.pr.ready", b, NOW.minusSeconds(580), READY), "routed", NOW.minusSeconds(540)),
                record(event("rfc.pr.ready", d, NOW.minusSeconds(530), "{\"pr\":\"456\"}"), "rejected", NOW.minusSeconds(520)),
                record(event("rfc.pr.ready", e, NOW.minusSeconds(510), READY), "unrouted", NOW.minusSeconds(505)),
                record(eventF, "routed", NOW.minusSeconds(495)),
                record(eventF, "failed", NOW.minusSeconds(490)));

        InProcess.Run run = replay(log.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("sent rfc.pr.ready " + a + "\nsent rfc.chain.broken " + f + "\n", run.out());
        assertEquals("replay: 2 sent, 0 invalid, 0 failed\n", run.err());
        assertEquals(List.of(eventA, eventF), sent(), "the original envelope and event_id");
        assertEquals(2, github.journal().size(), "one request per event: " + github.journal());
        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(2, delivered.size());
        JsonNode webhook = JSON.readTree(delivered.get(1).toFile());
        assertEquals("rfc.chain.broken", webhook.get("action").asText());
        assertEquals(eventF.get("client_payload"), webhook.get("client_payload"));
        String markdown = Files.readString(summary);
        assertTrue(markdown.startsWith("### Event replay\n\n2 sent, 0 invalid, 0 failed.\n"), markdown);
        assertTrue(markdown.contains("| `rfc.pr.ready` | `" + a + "` | failed | sent |"), markdown);
    }

    @Test
    void acrossLogsTheRecordReceivedLastDecides() throws IOException {
        String x = id(), y = id(), z = id();
        ObjectNode eventX = event("rfc.pr.ready", x, NOW.minusSeconds(3600), READY);
        ObjectNode eventY = event("rfc.pr.ready", y, NOW.minusSeconds(3600), READY);
        ObjectNode eventZ = event("rfc.pr.ready", z, NOW.minusSeconds(3600), READY);
        // Artifacts come newest first, so the order of the logs says nothing.
        Path newer = log("newer.jsonl",
                record(eventX, "failed", NOW.minusSeconds(600)),
                record(eventY, "routed", NOW.minusSeconds(600)),
                record(eventZ, "failed", NOW.minusSeconds(600)));
        Path older = log("older.jsonl",
                record(eventX, "routed", NOW.minusSeconds(900)),
                record(eventY, "failed", NOW.minusSeconds(300)),
                record(eventZ, "routed", NOW.minusSeconds(300)));

        InProcess.Run run = replay(newer.toString(), older.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("sent rfc.pr.ready " + x + "\nsent rfc.pr.ready " + y + "\n", run.out());
        assertEquals(List.of(eventX, eventY), sent());
    }

    /** Four failed events: two types, received 3 days, 2 days, 1 hour and (by timestamp only) 30 minutes ago. */
    record Logged(Path log, String oldChain, String oldReady, String newChain, String newReady) {
    }

    Logged fourFailedEvents() throws IOException {
        // Relative windows (--since 45m) are read against the clock when replay runs: the records are placed from the clock
        // now, not from NOW, which another class may have fixed long before this test (it uses this class's helpers).
        Instant now = Instant.now();
        String oldChain = id(), oldReady = id(), newChain = id(), newReady = id();
        ObjectNode noReceivedAt = event("rfc.pr.ready", newReady, now.minus(Duration.ofMinutes(30)), READY);
        Path log = log("event_log.jsonl",
                record(event("rfc.chain.broken", oldChain, now.minus(Duration.ofDays(3)), BROKEN), "failed", now.minus(Duration.ofDays(3))),
                record(event("rfc.pr.ready", oldReady, now.minus(Duration.ofDays(2)), READY), "failed", now.minus(Duration.ofDays(2))),
                record(event("rfc.chain.broken", newChain, now.minus(Duration.ofHours(1)), BROKEN), "failed", now.minus(Duration.ofHours(1))),
                record(noReceivedAt, "failed", null));
        return new Logged(log, oldChain, oldReady, newChain, newReady);
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of(List.of(), "oldChain oldReady newChain newReady"),
                Arguments.of(List.of("--type", "rfc.chain.*"), "oldChain newChain"),
                Arguments.of(List.of("--type", "rfc.pr.ready"), "oldReady newReady"),
                Arguments.of(List.of("--type", "*.broken"), "oldChain newChain"),
                Arguments.of(List.of("--since", "24h"), "newChain newReady"),
                Arguments.of(List.of("--since", "90m"), "newChain newReady"),
                Arguments.of(List.of("--since", "45m"), "newReady"),
                Arguments.of(List.of("--since", "50h"), "oldReady newChain newReady"),
                Arguments.of(List.of("--since", "7d"), "oldChain oldReady newChain newReady"),
                Arguments.of(List.of("--since", events.TIMESTAMP.format(NOW.minus(Duration.ofHours(36)))), "newChain newReady"),
                Arguments.of(List.of("--since", "2020-01-01T00:00:00+02:00"), "oldChain oldReady newChain newReady"),
                Arguments.of(List.of("--type", "rfc.pr.*", "--since", "24h"), "newReady"),
                Arguments.of(List.of("--event-id", "oldReady", "--event-id", "oldChain"), "oldChain oldReady"),
                Arguments.of(List.of("--event-id", "newReady,oldReady"), "oldReady newReady"),
                Arguments.of(List.of("--event-id", "newChain", "--type", "rfc.pr.*"), ""),
                Arguments.of(List.of("--status", "routed"), ""));
    }

    @ParameterizedTest
    @MethodSource("filters")
    void filtersNarrowTheSelectionAndADryRunSendsNothingWithoutAToken(List<String> filter, String expected) throws IOException {
        Logged logged = fourFailedEvents();
        Map<String, String> names = Map.of("oldChain", logged.oldChain(), "oldReady", logged.oldReady(), "newChain", logged.newChain(),
                "newReady", logged.newReady());
        List<String> args = new ArrayList<>(List.of(logged.log().toString(), "--dry-run"));
        for (String arg : filter) {
            String named = arg;
            for (var name : names.entrySet()) {
                named = named.replace(name.getKey(), name.getValue());
            }
            args.add(named);
        }
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");

        InProcess.Run run = replay(env, args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.toString());
        StringBuilder lines = new StringBuilder();
        for (String name : expected.isEmpty() ? new String[0] : expected.split(" ")) {
            lines.append("would-send ").append(name.endsWith("Chain") ? "rfc.chain.broken " : "rfc.pr.ready ").append(names.get(name)).append('\n');
        }
        assertEquals(lines.toString(), run.out());
        if (expected.isEmpty()) {
            assertTrue(run.err().contains("replay: no event to replay: none of the 4 events in 4 records of 1 log"), run.err());
        } else {
            assertTrue(run.err().endsWith("replay: " + expected.split(" ").length + " would be sent, 0 invalid, 0 failed (dry run: nothing sent)\n"),
                    run.err());
        }
        assertTrue(github.journal().isEmpty(), "a dry run sends nothing");
    }

    @Test
    void theDefaultLogIsEventLogAndAnEventIdAskedForButNotThereIsNotFound() throws IOException {
        String failed = id();
        String missing = id();
        Path log = log("default.jsonl", record(event("rfc.pr.ready", failed, NOW, READY), "failed", NOW));
        Map<String, String> env = testbed.env();
        env.put("EVENT_LOG", log.toString());

        InProcess.Run run = replay(env, "--event-id", failed, "--event-id", missing);
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals("not-found " + missing + ": in none of the 1 log read\nsent rfc.pr.ready " + failed + "\n", run.out());
        assertTrue(run.err().endsWith("replay: 1 sent, 0 invalid, 1 not found, 0 failed\n"), run.err());
        assertEquals(1, github.journal().size());
    }

    @Test
    void anEventIdWhoseLastRecordIsNotSelectedSaysHowToReplayIt() throws IOException {
        String routed = id();
        Path log = log("event_log.jsonl", record(event("rfc.pr.ready", routed, NOW, READY), "routed", NOW));
        InProcess.Run run = replay(log.toString(), "--event-id", routed);
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.out());
        assertTrue(run.err().contains("replay: " + routed + ": its last record is routed, which the selection leaves out; add --status routed "
                + "to replay it"), run.err());
        assertTrue(github.journal().isEmpty());
    }

    // ---- what is not sent -------------------------------------------------------------------

    @Test
    void aRejectedEventStillInvalidIsNotSentAndIsSentAfterASchemaFix() throws IOException {
        String deploy = id();
        String ready = id();
        ObjectNode deployEvent = event("team.deploy.done", deploy, NOW.minusSeconds(60), "{\"service\":\"api\"}");
        Path log = log("event_log.jsonl",
                record(deployEvent, "rejected", NOW.minusSeconds(59)),
                record(event("rfc.pr.ready", ready, NOW.minusSeconds(30), "{\"pr\":\"456\",\"checks_status\":\"green\"}"), "rejected", NOW.minusSeconds(29)));

        InProcess.Run invalid = replay(log.toString(), "--status", "rejected");
        assertEquals(0, invalid.exitCode(), "an invalid event is listed, and is no failure to send: " + invalid);
        List<String> lines = invalid.out().lines().toList();
        assertEquals(2, lines.size(), invalid.out());
        assertTrue(lines.get(0).startsWith("invalid team.deploy.done " + deploy + ": /event_type: unknown event type 'team.deploy.done'"), lines.get(0));
        assertTrue(lines.get(1).startsWith("invalid rfc.pr.ready " + ready + ": /client_payload/data/pr: "), lines.get(1));
        assertTrue(lines.get(1).endsWith("(rule: type)"), lines.get(1));
        assertEquals("replay: 0 sent, 2 invalid, 0 failed\n", invalid.err());
        assertTrue(github.journal().isEmpty(), "nothing sent while invalid");

        // The schema the team forgot to add.
        Path schemas = Files.createDirectories(temp.resolve("schemas/events"));
        Files.writeString(schemas.resolve("team.deploy.done.schema.json"), """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "$id": "https://example.com/schemas/events/team.deploy.done.schema.json",
                 "$ref": "../envelope.schema.json",
                 "properties": {"event_type": {"const": "team.deploy.done"},
                                "client_payload": {"properties": {"data": {"type": "object", "required": ["service"]}}}}}
                """);
        InProcess.Run fixed = replay(log.toString(), "--status", "rejected", "--schemas", temp.resolve("schemas").toString());
        assertEquals(0, fixed.exitCode(), fixed.toString());
        assertTrue(fixed.out().startsWith("sent team.deploy.done " + deploy + "\ninvalid rfc.pr.ready " + ready + ": "), fixed.out());
        assertEquals(List.of(deployEvent), sent());
        assertEquals(1, github.journal().size());

        // An event whose last record failed is checked all the same: nothing this replay trusts checked it.
        github.clearJournal();
        String failed = id();
        Path failedLog = log("failed.jsonl", record(event("rfc.pr.ready", failed, NOW, "{\"pr\":\"abc\",\"checks_status\":\"green\"}"), "failed", NOW));
        InProcess.Run failedRun = replay(failedLog.toString());
        assertEquals(0, failedRun.exitCode(), failedRun.toString());
        assertTrue(failedRun.out().startsWith("invalid rfc.pr.ready " + failed + ": /client_payload/data/pr: "), failedRun.out());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void aRecordWithoutItsEventDocumentIsSkipped() throws IOException {
        String none = id();
        String text = id();
        ObjectNode withoutEvent = (ObjectNode) JSON.readTree(record(event("rfc.pr.ready", none, NOW, READY), "failed", NOW));
        withoutEvent.remove("event");
        ObjectNode unreadable = (ObjectNode) JSON.readTree(record(event("rfc.pr.ready", text, NOW, READY), "failed", NOW.plusMillis(1)));
        unreadable.put("event", "{\"event_type\": \"rfc.pr.ready\", cut short");
        Path log = log("event_log.jsonl", withoutEvent.toString(), unreadable.toString(), "{not a record");
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");

        InProcess.Run run = replay(env, log.toString());
        assertEquals(0, run.exitCode(), "nothing that could be sent was refused: " + run);
        assertEquals("skipped " + none + ": the record holds no event document\nskipped " + text + ": the record holds no event document\n",
                run.out());
        assertTrue(run.err().startsWith(log + ":3: skipped: not a JSON object\n"), run.err());
        assertTrue(run.err().endsWith("\nreplay: 0 sent, 0 invalid, 2 skipped, 0 failed\n"), run.err());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void aRefusedEventFailsAndTheOthersAreStillSentOneRequestEach() throws IOException {
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.status(422), 1);
        String first = id(), second = id(), third = id();
        Path log = log("event_log.jsonl",
                record(event("rfc.pr.ready", first, NOW, READY), "failed", NOW),
                record(event("rfc.pr.ready", second, NOW, READY), "failed", NOW.plusMillis(1)),
                record(event("rfc.chain.broken", third, NOW, BROKEN), "failed", NOW.plusMillis(2)));

        InProcess.Run run = replay(log.toString());
        assertEquals(1, run.exitCode(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("failed rfc.pr.ready " + first + ": GitHub refused to create repository dispatch events (422 "),
                run.out());
        assertEquals(List.of("sent rfc.pr.ready " + second, "sent rfc.chain.broken " + third), lines.subList(1, 3));
        assertEquals("replay: 2 sent, 0 invalid, 1 failed\n", run.err());
        assertEquals(3, github.journal().size(), "one request per event: " + github.journal());
        assertEquals(2, github.deliveredEvents(REPO).size());
    }

    // ---- where the logs come from -------------------------------------------------------------

    @Test
    void eventsAreReadFromTheNewestEventLogArtifacts() throws IOException {
        String failed = id();
        String routedLater = id();
        ObjectNode event = event("rfc.pr.ready", failed, NOW.minusSeconds(120), READY);
        github.addArtifact(REPO, "event-log-100-1", EventsTest.zip(Map.of("event_log.jsonl",
                record(event, "failed", NOW.minusSeconds(110)) + "\n"
                        + record(event("rfc.pr.ready", routedLater, NOW.minusSeconds(100), READY), "failed", NOW.minusSeconds(100)))));
        github.addArtifact(REPO, "event-log-101-1", EventsTest.zip(Map.of("event_log.jsonl",
                record(event("rfc.pr.ready", routedLater, NOW.minusSeconds(100), READY), "routed", NOW.minusSeconds(50)))));

        InProcess.Run run = replay("--from-artifacts", "20");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("sent rfc.pr.ready " + failed + "\n", run.out());
        assertTrue(run.err().contains("events replay: 2 of 20 artifacts found whose name starts with 'event-log-'"), run.err());
        assertEquals(1, github.journal("GET", "/repos/" + REPO + "/actions/artifacts").size());
        assertEquals(2, github.journal("GET", "/repos/" + REPO + "/actions/artifacts/\\d+/zip").size());
        assertEquals(List.of(event), sent());
    }

    // ---- bad usage: exit 2, nothing sent --------------------------------------------------------

    static Stream<Arguments> badUsage() {
        return Stream.of(
                Arguments.of(List.of("--status", "failed,faild"), "--status: unknown status 'faild' (one of: routed, unrouted, duplicate, rejected, "
                        + "failed, shadowed, cron-caught, emitted, reconciled, acted)"),
                Arguments.of(List.of("--event-id", "3F0C5A0E-8D1B-4C1E-9A57-2B7D9F0E6A11"), "--event-id must be an event_id (a lowercase UUID)"),
                Arguments.of(List.of("--since", "yesterday"), "--since must be a duration such as 7d, 24h or 90m, or an RFC 3339 time"),
                Arguments.of(List.of("--type", "RFC.PR.*"), "--type must be an event type or a glob such as rfc.pr.*"),
                Arguments.of(List.of("--from-artifacts", "0"), "--from-artifacts must be at least 1"),
                Arguments.of(List.of("--max-attempts", "0"), "--max-attempts must be at least 1"),
                Arguments.of(List.of("--schemas", "/no/such/dir"), "--schemas: no such directory: /no/such/dir"));
    }

    @ParameterizedTest
    @MethodSource("badUsage")
    void badUsageExitsTwoNamingTheProblem(List<String> args, String message) throws IOException {
        Path log = log("event_log.jsonl", record(event("rfc.pr.ready", id(), NOW, READY), "failed", NOW));
        List<String> all = new ArrayList<>(List.of(log.toString()));
        all.addAll(args);
        InProcess.Run run = replay(all.toArray(String[]::new));
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith(message), run.toString());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void schemasThatCannotBeLoadedStopTheReplayBeforeAnythingIsSent() throws IOException {
        Path log = log("event_log.jsonl",
                record(event("rfc.pr.ready", id(), NOW, READY), "failed", NOW),
                record(event("rfc.pr.ready", id(), NOW, READY), "rejected", NOW.plusMillis(1)));
        Map<String, String> env = testbed.env();
        env.put("EVENT_SCHEMAS", temp.resolve("no-such-dir").toString());
        InProcess.Run run = replay(env, log.toString(), "--status", "failed,rejected");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("$EVENT_SCHEMAS: no such directory: "), run.toString());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void withoutATokenNothingIsSentAndAMissingLogIsNamed() throws IOException {
        Path log = log("event_log.jsonl", record(event("rfc.pr.ready", id(), NOW, READY), "failed", NOW));
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        InProcess.Run noToken = replay(env, log.toString());
        assertEquals(2, noToken.exitCode(), noToken.toString());
        assertTrue(noToken.err().startsWith("no token: set GITHUB_TOKEN or GH_TOKEN"), noToken.toString());
        assertEquals("", noToken.out());

        InProcess.Run missing = replay(temp.resolve("nope.jsonl").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().startsWith(temp.resolve("nope.jsonl") + ": no such file"), missing.toString());
        assertTrue(github.journal().isEmpty());
    }

    // ---- the whole loop: route fails a target, replay, route again -----------------------------

    @Test
    void aReplayedEventIsRoutedAgainToTheTargetItMissedOnly() throws Exception {
        github.addWorkflow(REPO, "ci-dispatcher.yml", RouteTest.inputs("pr", "issue", "branch"), "CI ${{ inputs.event_id }}");
        github.addWorkflow(REPO, "merge-orchestrator.yml", RouteTest.inputs("pr"), "Merge ${{ inputs.event_id }}");
        github.injectFault("POST", "/repos/" + REPO + "/actions/workflows/merge-orchestrator\\.yml/dispatches", GitHubEmulator.Fault.status(422), 1);
        ObjectNode document = (ObjectNode) JSON.readTree(RouteTest.EXAMPLES.resolve("rfc.pr.created/valid-with-trace-id.json").toFile());
        ((ObjectNode) document.get("client_payload")).put("timestamp", events.TIMESTAMP.format(NOW));
        String eventId = document.at("/client_payload/event_id").asText();
        // As GitHub delivers it to the router: a webhook payload whose sender the record keeps.
        ObjectNode delivery = JSON.createObjectNode().put("action", "rfc.pr.created");
        delivery.set("client_payload", document.get("client_payload"));
        delivery.putObject("sender").put("login", "github-actions[bot]").put("type", "Bot");
        Path event = Files.writeString(temp.resolve("event.json"), delivery.toString());
        Path log = temp.resolve("event_log.jsonl");
        Map<String, String> env = testbed.env();
        env.put("GITHUB_REF_NAME", "main");
        env.put("GITHUB_WORKSPACE", temp.toString());
        env.put("EVENT_LOG", log.toString());

        InProcess.Run failed = RouteTest.route(env, "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event.toString());
        assertEquals(1, failed.exitCode(), failed.toString());
        github.clearJournal();

        InProcess.Run replayed = replay(env, "--event-id", eventId);
        assertEquals(0, replayed.exitCode(), replayed.toString());
        assertEquals("sent rfc.pr.created " + eventId + "\n", replayed.out());
        assertEquals(List.of(document), sent(), "the event as route logged it, to the byte");

        // The router gets the event again; the claim step answers resume.
        github.clearJournal();
        Path delivered = github.deliveredEvents(REPO).get(github.deliveredEvents(REPO).size() - 1);
        env.put("EVENT_BUS_CLAIM", "resume");
        InProcess.Run again = RouteTest.route(env, "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", delivered.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(2, github.journal().size(), "one lookup and the missing target: " + github.journal());
        assertEquals(List.of("ci-dispatcher.yml", "merge-orchestrator.yml"),
                github.workflowRuns(REPO).stream().map(r -> r.get("workflow_file")).toList());
        assertTrue(again.out().startsWith("already-dispatched ci-dispatcher.yml run "), again.out());

        // Routed at last: the default replay has nothing left to send.
        github.clearJournal();
        InProcess.Run nothing = replay(env);
        assertEquals(0, nothing.exitCode(), nothing.toString());
        assertEquals("", nothing.out());
        assertFalse(nothing.err().isEmpty());
        assertTrue(github.journal().isEmpty());
    }

    // ---- the event history ----------------------------------------------------------------------

    @Test
    void replayHistoryReadsTheHistoryWithOneRequestAndTheWindowAndFiltersSelect() throws IOException {
        String failed = id(), routedLater = id(), routed = id(), old = id(), otherSource = id(), fromLog = id();
        ObjectNode failedEvent = event("rfc.pr.ready", failed, NOW.minus(Duration.ofDays(2)), READY);
        ObjectNode laterEvent = event("rfc.pr.ready", routedLater, NOW.minus(Duration.ofDays(2)), READY);
        ObjectNode otherEvent = event("rfc.pr.ready", otherSource, NOW.minus(Duration.ofDays(1)), READY);
        ((ObjectNode) otherEvent.get("client_payload")).put("source", "elsewhere");
        ObjectNode otherRecord = (ObjectNode) JSON.readTree(record(otherEvent, "failed", NOW.minus(Duration.ofDays(1))));
        otherRecord.put("source", "elsewhere");
        List<JsonNode> history = new ArrayList<>();
        for (String line : List.of(
                record(failedEvent, "failed", NOW.minus(Duration.ofDays(2))),
                record(laterEvent, "failed", NOW.minus(Duration.ofDays(2))),
                record(laterEvent, "routed", NOW.minus(Duration.ofDays(1))),
                record(event("rfc.pr.ready", routed, NOW.minus(Duration.ofHours(3)), READY), "routed", NOW.minus(Duration.ofHours(3))),
                record(event("rfc.pr.ready", old, NOW.minus(Duration.ofDays(10)), READY), "failed", NOW.minus(Duration.ofDays(10))))) {
            history.add(JSON.readTree(line));
        }
        history.add(otherRecord);
        RouteHistoryTest.append(github, history);
        Path log = log("event_log.jsonl", record(event("rfc.pr.ready", fromLog, NOW.minus(Duration.ofHours(1)), READY), "failed",
                NOW.minus(Duration.ofHours(1))));
        github.clearJournal();

        InProcess.Run run = replay("--history", "--since", "7d", "--source", "test");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("sent rfc.pr.ready " + failed + "\n", run.out(), "failed within the week, and not routed since");
        assertTrue(run.err().startsWith("replay: read the history of " + REPO + " (5 record files of "), run.err());
        assertTrue(run.err().contains(" with 1 API request\n"), run.err());
        assertEquals(List.of("GET /repos/" + REPO + "/zipball/event-bus-history", "POST " + DISPATCHES),
                github.journal().stream().map(e -> e.method() + " " + e.path()).toList());

        InProcess.Run both = replay(log.toString(), "--history", "--since", "7d", "--until", "2h", "--dry-run");
        assertEquals(0, both.exitCode(), both.toString());
        assertEquals(List.of("would-send rfc.pr.ready " + failed, "would-send rfc.pr.ready " + otherSource), both.out().lines().toList(),
                "the log's event was received within the last 2 hours");
    }
}
