import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RFC's chain end to end, with workflows/event-router.yml as written: a producer emits
 * with the real emit.java, the emulator delivers the event file as GitHub would, and the
 * router job's run: steps execute with the environment Actions gives (WorkflowRunner).
 */
class RouterWorkflowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final RouterFixture fixture = testbed.checkout();

    // ---- the chain ----

    @Test
    void issueAssignedStartsThePrFlowMonitorWithTheRightInputs() throws Exception {
        Path event = emit("rfc.issue.assigned", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}");
        WorkflowRunner.JobRun run = fixture.route(event);
        assertTrue(run.succeeded(), describe(run));
        Map<String, Object> dispatched = onlyRun("pr-flow-monitor.yml");
        String eventId = eventId(event);
        assertEquals(Map.of("issue", "123", "series", "RFC-093", "micro", "02", "event_id", eventId, "trace_id", eventId),
                dispatched.get("inputs"));
        assertEquals("main", dispatched.get("ref"));
        assertEquals(1, github.workflowRuns(REPO).size());
        JsonNode record = lastLogRecord(run);
        assertEquals("routed", record.get("status").asText());
        assertEquals("pr-flow-monitor.yml", record.at("/targets/0/workflow").asText());
        assertTrue(record.get("latency_ms").asLong() >= 0);
    }

    @Test
    void prCreatedStartsTheCiDispatcherAndTheMergeOrchestrator() throws Exception {
        WorkflowRunner.JobRun run = fixture.route(emit("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}"));
        assertTrue(run.succeeded(), describe(run));
        assertEquals(Map.of("ci-dispatcher.yml", 1L, "merge-orchestrator.yml", 1L), runsPerWorkflow());
        assertEquals("copilot/rfc-093-02", inputsOf(onlyRun("ci-dispatcher.yml")).get("branch"));
    }

    @Test
    void prReadyStartsTheMergeOrchestrator() throws Exception {
        WorkflowRunner.JobRun run = fixture.route(emit("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}"));
        assertTrue(run.succeeded(), describe(run));
        assertEquals(Map.of("merge-orchestrator.yml", 1L), runsPerWorkflow());
        assertEquals("456", inputsOf(onlyRun("merge-orchestrator.yml")).get("pr"));
    }

    @Test
    void chainBrokenGoesToTheCleanUpItsReasonNames() throws Exception {
        fixture.route(emit("rfc.chain.broken", "{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\"}"));
        fixture.route(emit("rfc.chain.broken", "{\"chain_id\":\"RFC-093-03\",\"reason\":\"CI_STUCK\"}"));
        assertEquals(Map.of("rfc-cleanup-duplicates.yml", 1L, "cleanup-stalled-prs.yml", 1L), runsPerWorkflow());
        assertEquals("RFC-093-02", inputsOf(onlyRun("rfc-cleanup-duplicates.yml")).get("chain_id"));
        assertEquals("CI_STUCK", inputsOf(onlyRun("cleanup-stalled-prs.yml")).get("reason"));
    }

    @Test
    void theSameEventDeliveredTwiceIsProcessedOnce() throws Exception {
        Path event = emit("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}");
        WorkflowRunner.JobRun first = fixture.route(event);
        WorkflowRunner.JobRun second = fixture.route(event);
        assertEquals("false", first.step("dedupe").outputs().get("duplicate"), describe(first));
        assertEquals("true", second.step("dedupe").outputs().get("duplicate"), describe(second));
        assertEquals("skipped", second.step("Route").outcome());
        assertTrue(second.succeeded(), "a duplicate is a normal outcome");
        assertEquals(1, github.workflowRuns(REPO).size());
        assertEquals("duplicate", lastLogRecord(second).get("status").asText());
    }

    @Test
    void aMalformedPayloadIsRejectedWithALogRecordAndAClearSummary() throws Exception {
        // A producer that bypasses emit's local validation: the dispatch itself is accepted by GitHub.
        Path event = rawDispatch("rfc.pr.ready", "{\"pr\":\"456\",\"checks_status\":\"green\"}");
        WorkflowRunner.JobRun run = fixture.route(event);
        assertEquals("failure", run.step("Validate").outcome());
        assertEquals(2, run.step("Validate").exitCode());
        assertTrue(run.step("Validate").stderr().lines().anyMatch(l -> l.startsWith("::error ")
                && l.contains(",title=Invalid event (type)::/client_payload/data/pr: ") && l.endsWith(" (rule: type)")), describe(run));
        assertEquals("skipped", run.step("dedupe").outcome());
        assertEquals("skipped", run.step("Route").outcome());
        assertEquals("success", run.step("Statistics").outcome(), describe(run));
        assertTrue(github.workflowRuns(REPO).isEmpty());
        JsonNode record = lastLogRecord(run);
        assertEquals("rejected", record.get("status").asText());
        ValidateTest.assertNamesFieldAndRule(record.get("error").asText(), "", "/client_payload/data/pr", "type");
        assertTrue(run.summary().contains("| `/client_payload/data/pr` | type |"), run.summary());
    }

    @Test
    void anEventSentWithAPersonsTokenIsRejectedNamingTheSender() throws Exception {
        // alice may write to the repository, so GitHub accepts her dispatch; the router does not act on it.
        github.addUser("ghp_alice00000000000000000000000000000", "alice", true);
        Scripts.Result emitted = fixture.scriptAs("ghp_alice00000000000000000000000000000", Scripts.ROOT.resolve("emit.java").toString(),
                "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(0, emitted.exitCode(), emitted.toString());
        WorkflowRunner.JobRun run = fixture.route(fixture.lastDelivered());
        assertEquals("failure", run.step("Validate").outcome(), describe(run));
        assertEquals("skipped", run.step("Route").outcome());
        assertTrue(github.workflowRuns(REPO).isEmpty());
        JsonNode record = lastLogRecord(run);
        assertEquals("rejected", record.get("status").asText());
        ValidateTest.assertNamesFieldAndRule(record.get("error").asText(), "", "/sender/login", "sender");
        assertTrue(record.get("error").asText().contains("'alice' may not send events"), record.toString());
    }

    @Test
    void aRefusedDispatchIsLoggedAsFailedAndTheOtherTargetStillRuns() throws Exception {
        github.injectFault("POST", "/repos/" + REPO + "/actions/workflows/ci-dispatcher\\.yml/dispatches",
                GitHubEmulator.Fault.status(422), 1);
        WorkflowRunner.JobRun run = fixture.route(emit("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}"));
        assertEquals("failure", run.step("Route").outcome(), describe(run));
        assertEquals(1, run.step("Route").exitCode());
        assertEquals(Map.of("merge-orchestrator.yml", 1L), runsPerWorkflow());
        JsonNode record = lastLogRecord(run);
        assertEquals("failed", record.get("status").asText());
        assertTrue(record.toString().contains("\"workflow\":\"ci-dispatcher.yml\",\"status\":\"failed\""), record.toString());
    }

    // ---- helpers ----

    /** A producer emits with the real emit.java; returns the event file the emulator delivered. */
    Path emit(String type, String data) {
        int before = github.deliveredEvents(REPO).size();
        Scripts.Result result = fixture.emit(type, data);
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(before + 1, github.deliveredEvents(REPO).size());
        return fixture.lastDelivered();
    }

    Path rawDispatch(String type, String data) throws Exception {
        return fixture.rawDispatch(type, data);
    }

    Map<String, Long> runsPerWorkflow() {
        Map<String, Long> counts = new HashMap<>();
        for (Map<String, Object> run : github.workflowRuns(REPO)) {
            counts.merge(String.valueOf(run.get("workflow_file")), 1L, Long::sum);
        }
        return counts;
    }

    Map<String, Object> onlyRun(String workflow) {
        List<Map<String, Object>> runs = github.workflowRuns(REPO).stream().filter(r -> workflow.equals(r.get("workflow_file"))).toList();
        assertEquals(1, runs.size(), workflow + " runs: " + runs);
        return runs.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> inputsOf(Map<String, Object> run) {
        return (Map<String, Object>) run.get("inputs");
    }

    static String eventId(Path event) throws IOException {
        return JSON.readTree(event.toFile()).at("/client_payload/event_id").asText();
    }

    /** The newest record of the event log the router job wrote (EVENT_LOG is relative to the workspace). */
    static JsonNode lastLogRecord(WorkflowRunner.JobRun run) throws IOException {
        Path log = run.workspace().resolve("event_log.jsonl");
        assertTrue(Files.exists(log), "no event log was written");
        List<String> lines = Files.readAllLines(log);
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    static String describe(WorkflowRunner.JobRun run) {
        StringBuilder text = new StringBuilder();
        for (WorkflowRunner.Step step : run.steps()) {
            text.append("[").append(step.outcome()).append("] ").append(step.name()).append(" exit ").append(step.exitCode())
                    .append("\n").append(step.stdout()).append(step.stderr()).append("\n");
        }
        return text.toString();
    }
}
