import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * events reconcile: GitHub accepts a repository dispatch (204) and starts no router for it; the
 * producer's emitted record in the event history is then the only trace of the event, and reconcile
 * sends it again once the grace has passed, once: after a router has recorded it, nothing more.
 */
class EventsReconcileTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DISPATCHES = "/repos/" + REPO + "/dispatches";
    static final String ZIPBALL = "/repos/" + REPO + "/zipball/event-bus-history";
    static final String READY = "{\"pr\":456,\"checks_status\":\"green\"}";

    /** A workflow step's environment, with the history on. */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").run("31337", "1").workspace().output("output.txt").summary("summary.md")
            .with("EVENT_BUS_HISTORY", "true");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    Path summary;

    @BeforeEach
    void reset() {
        github.addWorkflow(REPO, "merge.yml", Map.of("pr", true, "event_id", false));
        summary = temp.resolve("summary.md");
    }

    static InProcess.Run reconcile(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("reconcile"));
        all.addAll(List.of(args));
        return EventsTest.events(env, all.toArray(String[]::new));
    }

    InProcess.Run reconcile(String... args) {
        return reconcile(testbed.env(), args);
    }

    List<String> requests() {
        return github.journal().stream().map(e -> e.method() + " " + e.path()).toList();
    }

    @Test
    void anEventGitHubNeverDeliveredIsReplayedAfterTheGraceOnceAndALateOriginalIsADuplicate() throws IOException {
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.undelivered(), 1);
        InProcess.Run emit = EmitTest.emit(testbed.env(), "rfc.pr.ready", "--payload", READY, "--source", "producer");
        assertEquals(0, emit.exitCode(), emit.toString());
        String id = emit.verdict();
        assertTrue(github.deliveredEvents(REPO).isEmpty(), "GitHub accepted the event and started no router");
        JsonNode emitted = RouteHistoryTest.records(github).get(0);
        assertEquals("emitted", emitted.get("status").asText());

        // Within the grace: a router may still be on its way.
        github.clearJournal();
        InProcess.Run early = reconcile();
        assertEquals(0, early.exitCode(), early.toString());
        assertEquals("", early.out());
        assertTrue(early.err().startsWith("reconcile: 0 replayed, 0 failed, of 0 events emitted since "), early.err());
        assertTrue(early.err().contains(" (grace 15m) that no router received; 1 emitted within the grace left for a later run; "
                + "the history read with 1 API request\n"), early.err());
        assertEquals(List.of("GET " + ZIPBALL), requests());

        github.advanceClock(Duration.ofMinutes(16));
        InProcess.Run dry = reconcile("--dry-run");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertEquals("would-replay rfc.pr.ready " + id + "\n", dry.out());
        assertTrue(dry.err().startsWith("reconcile: 1 would be replayed, 0 failed, of 1 event emitted since "), dry.err());
        assertTrue(dry.err().contains("(dry run: nothing sent)"), dry.err());
        assertTrue(github.journal("POST", DISPATCHES).isEmpty());

        github.clearJournal();
        InProcess.Run run = reconcile();
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("replayed rfc.pr.ready " + id + "\n", run.out());
        assertTrue(run.err().startsWith("reconcile: 1 replayed, 0 failed, of 1 event emitted since "), run.err());
        assertEquals(List.of("GET " + ZIPBALL, "POST " + DISPATCHES), requests().subList(0, 2), "one request to read, one per event replayed");
        assertEquals(3, requests().size(), "and its memory: " + requests());
        assertTrue(requests().get(2).matches("PUT /repos/" + REPO + "/contents/events/\\d{4}-\\d{2}-\\d{2}/\\d+-reconciled-" + id + "-31337-1\\.json"),
                requests().toString());
        assertEquals(emitted.get("event"), JSON.readTree(github.journal("POST", DISPATCHES).get(0).requestBody()),
                "the event as it was emitted: its event_id and timestamp kept");
        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(1, delivered.size(), "GitHub delivers the replay");
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains("### Event reconciliation\n\n1 replayed, 0 failed, of 1 event"), markdown);
        assertTrue(markdown.contains("| `rfc.pr.ready` | `" + id + "` | " + emitted.get("received_at").asText() + " | replayed |"), markdown);

        // The router: claimed, then routed; both steps record it in the history.
        assertEquals("new", DedupeTest.dedupe(testbed.env(), "claim", "--event", delivered.get(0).toString()).verdict());
        Path routes = Files.writeString(temp.resolve("routes.yml"),
                "routes:\n  - event: rfc.pr.ready\n    workflow: merge.yml\n    inputs: {pr: data.pr, event_id: event_id}\n");
        InProcess.Run routed = RouteTest.route(testbed.env(), "--routes", routes.toString(), "--event", delivered.get(0).toString());
        assertEquals(0, routed.exitCode(), routed.toString());
        assertEquals(1, github.workflowRuns(REPO).size());

        // The original, delivered late after all, is a duplicate: its target is not started twice.
        assertEquals("duplicate", DedupeTest.dedupe(testbed.env(), "claim", "--event", delivered.get(0).toString()).verdict());
        assertEquals(List.of("duplicate", "emitted", "reconciled", "routed"),
                RouteHistoryTest.records(github).stream().map(r -> r.get("status").asText()).sorted().toList());

        github.advanceClock(Duration.ofHours(1));
        github.clearJournal();
        InProcess.Run after = reconcile();
        assertEquals(0, after.exitCode(), after.toString());
        assertEquals("", after.out(), "a router recorded the event: nothing to replay");
        assertTrue(after.err().startsWith("reconcile: 0 replayed, 0 failed, of 0 events"), after.err());
        assertEquals(List.of("GET " + ZIPBALL), requests());
    }

    @Test
    void anyRecordOfARouterStepOrACronPathMeansTheEventWasReceived() throws IOException {
        Instant hourAgo = Instant.now().minus(1, ChronoUnit.HOURS);
        List<ObjectNode> records = new ArrayList<>();
        List<String> handled = List.of("routed", "unrouted", "duplicate", "rejected", "failed", "shadowed", "cron-caught");
        for (String status : handled) {
            ObjectNode event = EventsReplayTest.event("rfc.pr.ready", UUID.randomUUID().toString(), hourAgo, READY);
            records.add(record(event, "emitted", hourAgo));
            records.add(record(event, status, hourAgo.plusSeconds(40)));
        }
        String lost = UUID.randomUUID().toString();
        records.add(record(EventsReplayTest.event("rfc.chain.broken", lost, hourAgo,
                "{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\"}"), "emitted", hourAgo));
        String recent = UUID.randomUUID().toString();
        records.add(record(EventsReplayTest.event("rfc.pr.ready", recent, Instant.now(), READY), "emitted", Instant.now().minusSeconds(300)));
        String old = UUID.randomUUID().toString();
        Instant twoDaysAgo = Instant.now().minus(2, ChronoUnit.DAYS);
        records.add(record(EventsReplayTest.event("rfc.pr.ready", old, twoDaysAgo, READY), "emitted", twoDaysAgo));
        // Emitted twice (a producer's retry): the newer emission, 4 minutes ago, may still be on its way.
        String retried = UUID.randomUUID().toString();
        ObjectNode retriedEvent = EventsReplayTest.event("rfc.pr.ready", retried, hourAgo, READY);
        records.add(record(retriedEvent, "emitted", hourAgo));
        records.add(record(retriedEvent, "emitted", Instant.now().minusSeconds(240)));
        RouteHistoryTest.append(github, records);

        github.clearJournal();
        InProcess.Run run = reconcile("--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("would-replay rfc.chain.broken " + lost + "\n", run.out());
        assertTrue(run.err().contains("2 emitted within the grace left for a later run"), run.err());
        assertEquals(List.of("GET " + ZIPBALL), requests());

        InProcess.Run week = reconcile("--dry-run", "--since", "7d", "--grace", "1m");
        assertEquals(0, week.exitCode(), week.toString());
        assertEquals(List.of("would-replay rfc.pr.ready " + old, "would-replay rfc.chain.broken " + lost,
                "would-replay rfc.pr.ready " + recent, "would-replay rfc.pr.ready " + retried), week.out().lines().toList(),
                "oldest first: a week back, and a grace of a minute");
    }

    @Test
    void aReplayGitHubRefusesIsExitOneAndTheOthersAreStillSent() throws IOException {
        Instant hourAgo = Instant.now().minus(1, ChronoUnit.HOURS);
        String refused = UUID.randomUUID().toString();
        String sent = UUID.randomUUID().toString();
        RouteHistoryTest.append(github, List.of(
                record(EventsReplayTest.event("rfc.pr.ready", refused, hourAgo, READY), "emitted", hourAgo),
                record(EventsReplayTest.event("rfc.pr.ready", sent, hourAgo, READY), "emitted", hourAgo.plusSeconds(1))));
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.status(422), 1);
        InProcess.Run run = reconcile();
        assertEquals(1, run.exitCode(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).startsWith("failed rfc.pr.ready " + refused + ": GitHub refused to create repository dispatch events (422"),
                run.out());
        assertEquals("replayed rfc.pr.ready " + sent, lines.get(1));
        assertTrue(run.err().startsWith("reconcile: 1 replayed, 1 failed, of 2 events"), run.err());
        assertEquals(1, github.deliveredEvents(REPO).size());
    }

    @Test
    void noHistoryYetIsAWarningAndNothingToDo() {
        InProcess.Run run = reconcile();
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("warning: no branch event-bus-history in " + REPO + " (404): no script has appended a record yet"),
                run.err());
        assertTrue(run.err().contains("reconcile: 0 replayed, 0 failed, of 0 events"), run.err());
    }

    @Test
    void badUsageIsExitTwoWithNothingSent() {
        assertUsage(reconcile("--grace", "15"), "--grace must be a duration such as 15m, 2h or 1d, not '15'");
        assertUsage(reconcile("--since", "yesterday"), "--since must be a duration such as 7d, 24h or 90m, or an RFC 3339 time");
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        assertUsage(reconcile(env), "no token: set GITHUB_TOKEN or GH_TOKEN");
        assertTrue(github.journal().isEmpty());
    }

    static void assertUsage(InProcess.Run run, String message) {
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith(message), run.toString());
    }

    /** A record as a script writes it, received at the given time. */
    static ObjectNode record(JsonNode event, String status, Instant receivedAt) {
        try {
            return (ObjectNode) JSON.readTree(EventsReplayTest.record(event, status, receivedAt));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
