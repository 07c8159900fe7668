import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delivery guarantee, story by story: whatever fails, every target of an accepted event is
 * dispatched exactly once. Each story runs the real scripts through workflows/event-router.yml (and
 * event-replay.yml) on the emulator, ends by counting the consumer runs, and prints the requests it
 * cost; the costs docs/delivery.md quotes ("What it costs") are asserted here. rfc.pr.created has
 * two targets: ci-dispatcher.yml, then merge-orchestrator.yml.
 */
class DeliveryStoriesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String PR_CREATED = "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}";
    static final String SECOND_TARGET = "/repos/" + REPO + "/actions/workflows/merge-orchestrator\\.yml/dispatches";
    static final Map<String, Long> EACH_TARGET_ONCE = Map.of("ci-dispatcher.yml", 1L, "merge-orchestrator.yml", 1L);

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final RouterFixture fixture = testbed.checkout();

    @Test
    void aTargetFailsUntilRetriesRunOutThenTheJobIsReRun() throws Exception {
        Path event = emit("rfc.pr.created", PR_CREATED);
        github.clearJournal();
        github.injectFault("POST", SECOND_TARGET, GitHubEmulator.Fault.status(502), 5);
        WorkflowRunner.JobRun failed = fixture.route(event);
        assertEquals("failure", failed.step("route").outcome(), RouterWorkflowTest.describe(failed));
        assertEquals("success", failed.step("Release the claim").outcome(), RouterWorkflowTest.describe(failed));
        assertEquals(Map.of("ci-dispatcher.yml", 1L), runsPerWorkflow());
        assertTrue(failed.summary().contains("gh workflow run event-replay.yml -f event_ids=" + eventId(event)), failed.summary());
        Cost firstAttempt = requests("first attempt");

        WorkflowRunner.JobRun rerun = fixture.route(event, fixture.lastRunId(), 2, null);
        assertTrue(rerun.succeeded(), RouterWorkflowTest.describe(rerun));
        assertEquals("resume", rerun.step("dedupe").outputs().get("claim"));
        assertEquals("ci-dispatcher.yml", rerun.step("dedupe").outputs().get("dispatched"));
        assertEquals(EACH_TARGET_ONCE, runsPerWorkflow());
        assertEquals(List.of("already-dispatched", "dispatched"), targetStatuses(RouterWorkflowTest.lastLogRecord(rerun)));
        Cost rerunCost = requests("re-run");
        System.out.println("story: a target fails until retries run out, then the job is re-run: requests " + firstAttempt
                + " (first attempt, 5 of them the failing target's) + " + rerunCost);
        assertEquals(new Cost(9, 8), rerunCost, "docs/delivery.md: a re-run after a failure");
    }

    @Test
    void aTargetFailsUntilRetriesRunOutThenTheEventIsReplayed() throws Exception {
        Path event = emit("rfc.pr.created", PR_CREATED);
        github.injectFault("POST", SECOND_TARGET, GitHubEmulator.Fault.status(502), 5);
        WorkflowRunner.JobRun failed = fixture.route(event);
        assertEquals("failure", failed.step("route").outcome(), RouterWorkflowTest.describe(failed));
        // The router uploads its log as an artifact; a maintainer runs the replay workflow.
        github.addArtifact(REPO, "event-log-" + fixture.lastRunId() + "-1", zip(failed.workspace().resolve("event_log.jsonl")));
        github.clearJournal();

        WorkflowRunner.JobRun replay = fixture.replay(Map.of("inputs.event_ids", eventId(event), "inputs.status", "failed",
                "inputs.type", "", "inputs.since", "7d", "inputs.artifacts", "10"));
        assertTrue(replay.succeeded(), RouterWorkflowTest.describe(replay));
        assertTrue(replay.step("Replay").stdout().contains("sent rfc.pr.created " + eventId(event)), RouterWorkflowTest.describe(replay));
        Cost replaying = requests("replay workflow");

        WorkflowRunner.JobRun routed = fixture.route(fixture.lastDelivered());
        assertTrue(routed.succeeded(), RouterWorkflowTest.describe(routed));
        assertEquals("resume", routed.step("dedupe").outputs().get("claim"), "the claim was released");
        assertEquals(EACH_TARGET_ONCE, runsPerWorkflow());
        Cost routedCost = requests("router run of the replayed event");
        System.out.println("story: a target fails, then the event is replayed: requests " + replaying + " (replay workflow) + " + routedCost);
        assertEquals(new Cost(13, 12), replaying, "docs/delivery.md: a replay of one event");
        assertEquals(new Cost(9, 8), routedCost, "docs/delivery.md: then a router run as on resume");
    }

    @Test
    void theRunnerIsLostBetweenTwoTargetsThenTheJobIsReRun() throws Exception {
        Path event = emit("rfc.pr.created", PR_CREATED);
        github.clearJournal();
        // The second dispatch never reaches GitHub, and the runner goes away while it hangs: no release step runs.
        github.injectFault("POST", SECOND_TARGET, GitHubEmulator.Fault.stall(60_000), 1);
        int runId = 5150;
        WorkflowRunner.JobRun lost = fixture.route(event, runId, 1,
                new WorkflowRunner.RunnerLost("route", () -> !github.journal("POST", SECOND_TARGET).isEmpty()));
        assertEquals("lost", lost.step("route").outcome(), RouterWorkflowTest.describe(lost));
        assertEquals(Map.of("ci-dispatcher.yml", 1L), runsPerWorkflow());
        Cost firstAttempt = requests("lost attempt");

        WorkflowRunner.JobRun rerun = fixture.route(event, runId, 2, null);
        assertTrue(rerun.succeeded(), RouterWorkflowTest.describe(rerun));
        assertEquals("resume", rerun.step("dedupe").outputs().get("claim"), "the same run, a later attempt");
        assertEquals(EACH_TARGET_ONCE, runsPerWorkflow());
        JsonNode record = RouterWorkflowTest.lastLogRecord(rerun);
        assertEquals(List.of("already-dispatched", "dispatched"), targetStatuses(record));
        assertEquals(1, github.journal("GET", "/repos/" + REPO + "/actions/runs").size(), "one look at the runs finds the first target's");
        System.out.println("story: the runner is lost between two targets, then the job is re-run: requests " + firstAttempt
                + " + " + requests("re-run"));
    }

    @Test
    void gitHubDeliversTheEventTwiceAfterSuccess() throws Exception {
        Path event = emit("rfc.pr.created", PR_CREATED);
        github.clearJournal();
        assertTrue(fixture.route(event).succeeded());
        Cost first = requests("first delivery");
        WorkflowRunner.JobRun again = fixture.route(event);
        assertEquals("duplicate", again.step("dedupe").outputs().get("claim"));
        assertEquals("skipped", again.step("route").outcome());
        assertEquals(EACH_TARGET_ONCE, runsPerWorkflow());
        Cost duplicate = requests("second delivery (duplicate)");
        // Once the state issue and the history branch exist, the happy path costs what docs/delivery.md says.
        Path next = emit("rfc.pr.created", PR_CREATED.replace("456", "457"));
        github.clearJournal();
        assertTrue(fixture.route(next).succeeded());
        assertEquals(2, github.journal().stream().filter(e -> e.path().endsWith("/dispatches")).count(), "one request per target");
        Cost happy = requests("next event (happy path)");
        System.out.println("story: GitHub delivers the event twice: requests " + first + " + " + duplicate + "; the next event: " + happy);
        assertEquals(21, first.all(), "docs/delivery.md: the first event a repository ever routes");
        assertEquals(new Cost(3, 3), duplicate, "docs/delivery.md: a duplicate delivery");
        assertEquals(new Cost(9, 8), happy, "docs/delivery.md: the happy path");
    }

    @Test
    void aProducerRetriesAfterALostAnswer() throws Exception {
        // GitHub accepts the first dispatch but the answer never arrives: emit sends it again, same event_id.
        github.injectFault("POST", "/repos/" + REPO + "/dispatches", GitHubEmulator.Fault.dropAfterAccept(), 1);
        Scripts.Result emitted = fixture.emit("rfc.pr.created", PR_CREATED);
        assertEquals(0, emitted.exitCode(), emitted.toString());
        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(2, delivered.size(), "delivered twice");
        assertEquals(eventId(delivered.get(0)), eventId(delivered.get(1)));
        github.clearJournal();
        for (Path event : delivered) {
            assertTrue(fixture.route(event).succeeded());
        }
        assertEquals(EACH_TARGET_ONCE, runsPerWorkflow());
        System.out.println("story: a producer retries after a lost answer: requests " + requests("two router runs"));
    }

    @Test
    void theCronSweepAndTheEventPathHandleTheSameItem() throws Exception {
        // The event path first: the sweep's claim of the same natural key is a duplicate.
        Scripts.Result emitted = fixture.script(Scripts.ROOT.resolve("emit.java").toString(), "rfc.issue.assigned",
                "--payload", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}", "--dedupe-key", "rfc.issue.assigned/123");
        assertEquals(0, emitted.exitCode(), emitted.toString());
        assertTrue(fixture.route(fixture.lastDelivered()).succeeded());
        assertEquals("duplicate", sweepClaim("rfc.issue.assigned/123"));
        // The sweep first: the event, when it comes, is a duplicate at the router.
        assertEquals("new", sweepClaim("rfc.issue.assigned/124"));
        fixture.script(Scripts.ROOT.resolve("emit.java").toString(), "rfc.issue.assigned",
                "--payload", "{\"issue\":124,\"series\":\"RFC-093\",\"micro\":\"03\"}", "--dedupe-key", "rfc.issue.assigned/124");
        WorkflowRunner.JobRun late = fixture.route(fixture.lastDelivered());
        assertEquals("duplicate", late.step("dedupe").outputs().get("claim"));
        assertEquals(Map.of("pr-flow-monitor.yml", 1L), runsPerWorkflow(), "the sweep started #124's monitor itself");
    }

    // ---- helpers ----

    /** The sweep's claim, as rfc-assignment.yml makes it (a cron run: its own run id). */
    String sweepClaim(String key) {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_RUN_ID", "777000");
        Scripts.Result claim = Scripts.jbang(fixture.workspace(), env, null, Scripts.ROOT.resolve("dedupe.java").toString(),
                "claim", "--key", key, "--ttl", "24h");
        assertEquals(0, claim.exitCode(), claim.toString());
        return claim.stdout().strip();
    }

    Path emit(String type, String data) {
        Scripts.Result result = fixture.emit(type, data);
        assertEquals(0, result.exitCode(), result.toString());
        return fixture.lastDelivered();
    }

    Map<String, Long> runsPerWorkflow() {
        Map<String, Long> counts = new TreeMap<>();
        for (Map<String, Object> run : github.workflowRuns(REPO)) {
            counts.merge(String.valueOf(run.get("workflow_file")), 1L, Long::sum);
        }
        return counts;
    }

    /** Requests made: all of them, and those the rate limit counts (a 304 does not); docs/delivery.md quotes them as "all (counted)". */
    record Cost(int all, int counted) {
        @Override
        public String toString() {
            return all + " (" + counted + ")";
        }
    }

    /** The requests since the journal was last cleared, printed by kind; clears it. */
    Cost requests(String what) {
        List<GitHubEmulator.JournalEntry> journal = github.journal();
        Map<String, Long> byKind = new TreeMap<>();
        journal.forEach(e -> byKind.merge(e.method() + " " + e.path().replaceAll("/\\d+", "/N").replaceAll("[0-9a-f-]{36}", "ID"), 1L, Long::sum));
        long notModified = journal.stream().filter(e -> e.status() == 304).count();
        System.out.println("  " + what + ": " + journal.size() + " requests (" + notModified + " of them 304) " + byKind);
        github.clearJournal();
        return new Cost(journal.size(), (int) (journal.size() - notModified));
    }

    static List<String> targetStatuses(JsonNode record) {
        return java.util.stream.StreamSupport.stream(record.path("targets").spliterator(), false).map(t -> t.path("status").asText()).toList();
    }

    static String eventId(Path event) throws IOException {
        return JSON.readTree(event.toFile()).at("/client_payload/event_id").asText();
    }

    static byte[] zip(Path log) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("event_log.jsonl"));
            zip.write(Files.readAllBytes(log));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
