import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RFC's chain end to end, with workflows/event-router.yml as written: a producer emits
 * with the real emit.java, the emulator delivers the event file as GitHub would, and the
 * router job's run: steps execute with the environment Actions gives (WorkflowRunner).
 */
class RouterWorkflowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final Path WORKFLOWS = Scripts.ROOT.resolve("workflows");

    static GitHubEmulator github;
    static WorkflowRunner router;
    @TempDir
    static Path jbangDir;
    @TempDir
    static Path bin;

    @TempDir
    Path temp;
    Path workspace;
    int runId = 1000;

    @BeforeAll
    static void setUp() throws IOException {
        github = GitHubEmulator.start(0);
        router = new WorkflowRunner(WORKFLOWS.resolve("event-router.yml"));
        // setup-jbang puts jbang on PATH; here it is the repository's wrapper.
        Files.createSymbolicLink(bin.resolve("jbang"), Scripts.JBANG);
    }

    @AfterAll
    static void tearDown() {
        github.close();
    }

    @BeforeEach
    void resetAndCheckOut() throws IOException {
        github.reset();
        registerConsumerWorkflows();
        // actions/checkout: the consuming repository with its routes and workflows.
        workspace = Files.createDirectories(temp.resolve("workspace"));
        Files.createDirectories(workspace.resolve(".git"));
        Files.createDirectories(workspace.resolve(".github/workflows"));
        Files.copy(WORKFLOWS.resolve("event-routes.yml"), workspace.resolve(".github/event-routes.yml"));
        for (Path workflow : workflowFiles()) {
            Files.copy(workflow, workspace.resolve(".github/workflows").resolve(workflow.getFileName()));
        }
    }

    // ---- the chain ----

    @Test
    void issueAssignedStartsThePrFlowMonitorWithTheRightInputs() throws Exception {
        Path event = emit("rfc.issue.assigned", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}");
        WorkflowRunner.JobRun run = route(event);
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
        WorkflowRunner.JobRun run = route(emit("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}"));
        assertTrue(run.succeeded(), describe(run));
        assertEquals(Map.of("ci-dispatcher.yml", 1L, "merge-orchestrator.yml", 1L), runsPerWorkflow());
        assertEquals("copilot/rfc-093-02", inputsOf(onlyRun("ci-dispatcher.yml")).get("branch"));
    }

    @Test
    void prReadyStartsTheMergeOrchestrator() throws Exception {
        WorkflowRunner.JobRun run = route(emit("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}"));
        assertTrue(run.succeeded(), describe(run));
        assertEquals(Map.of("merge-orchestrator.yml", 1L), runsPerWorkflow());
        assertEquals("456", inputsOf(onlyRun("merge-orchestrator.yml")).get("pr"));
    }

    @Test
    void chainBrokenGoesToTheCleanUpItsReasonNames() throws Exception {
        route(emit("rfc.chain.broken", "{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\"}"));
        route(emit("rfc.chain.broken", "{\"chain_id\":\"RFC-093-03\",\"reason\":\"CI_STUCK\"}"));
        assertEquals(Map.of("rfc-cleanup-duplicates.yml", 1L, "cleanup-stalled-prs.yml", 1L), runsPerWorkflow());
        assertEquals("RFC-093-02", inputsOf(onlyRun("rfc-cleanup-duplicates.yml")).get("chain_id"));
        assertEquals("CI_STUCK", inputsOf(onlyRun("cleanup-stalled-prs.yml")).get("reason"));
    }

    @Test
    void theSameEventDeliveredTwiceIsProcessedOnce() throws Exception {
        Path event = emit("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}");
        WorkflowRunner.JobRun first = route(event);
        WorkflowRunner.JobRun second = route(event);
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
        WorkflowRunner.JobRun run = route(event);
        assertEquals("failure", run.step("Validate").outcome());
        assertEquals(2, run.step("Validate").exitCode());
        assertTrue(run.step("Validate").stderr().contains("::error "), describe(run));
        assertEquals("skipped", run.step("dedupe").outcome());
        assertEquals("skipped", run.step("Route").outcome());
        assertEquals("success", run.step("Statistics").outcome(), describe(run));
        assertTrue(github.workflowRuns(REPO).isEmpty());
        JsonNode record = lastLogRecord(run);
        assertEquals("rejected", record.get("status").asText());
        assertTrue(record.get("error").asText().contains("/client_payload/data/pr"), record.toString());
        assertTrue(run.summary().contains("`/client_payload/data/pr`"), run.summary());
    }

    @Test
    void aRefusedDispatchIsLoggedAsFailedAndTheOtherTargetStillRuns() throws Exception {
        github.injectFault("POST", "/repos/" + REPO + "/actions/workflows/ci-dispatcher\\.yml/dispatches",
                GitHubEmulator.Fault.status(422), 1);
        WorkflowRunner.JobRun run = route(emit("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}"));
        assertEquals("failure", run.step("Route").outcome(), describe(run));
        assertEquals(1, run.step("Route").exitCode());
        assertEquals(Map.of("merge-orchestrator.yml", 1L), runsPerWorkflow());
        JsonNode record = lastLogRecord(run);
        assertEquals("failed", record.get("status").asText());
        assertTrue(record.toString().contains("\"workflow\":\"ci-dispatcher.yml\",\"status\":\"failed\""), record.toString());
    }

    // ---- helpers ----

    /** A producer step: the real emit.java; returns the event file the emulator delivered. */
    Path emit(String type, String data) throws IOException {
        int before = github.deliveredEvents(REPO).size();
        Scripts.Result result = Scripts.run(workspace, jbangDir, producerEnv(), null,
                Scripts.ROOT.resolve("emit.java").toString(), type, "--payload", data, "--source", "test-producer");
        assertEquals(0, result.exitCode(), result.toString());
        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(before + 1, delivered.size());
        return delivered.get(delivered.size() - 1);
    }

    /** A dispatch sent without emit (e.g. curl), so nothing checked it first. */
    Path rawDispatch(String type, String data) throws Exception {
        String body = "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + java.util.UUID.randomUUID()
                + "\",\"source\":\"curl\",\"timestamp\":\"" + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                + "\",\"data\":" + data + "}}";
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(github.url() + "/repos/" + REPO + "/dispatches"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                .header("User-Agent", "curl/8")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        assertEquals(204, java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        List<Path> delivered = github.deliveredEvents(REPO);
        return delivered.get(delivered.size() - 1);
    }

    WorkflowRunner.JobRun route(Path event) throws Exception {
        runId++;
        Map<String, String> environment = runnerEnv();
        environment.put("GITHUB_EVENT_PATH", event.toString());
        environment.put("GITHUB_EVENT_NAME", "repository_dispatch");
        environment.put("GITHUB_RUN_ID", String.valueOf(runId));
        environment.put("GITHUB_REF_NAME", "main");
        Map<String, String> context = Map.of("repository_owner", "octo-org", "token", GitHubEmulator.DEFAULT_TOKEN,
                "run_id", String.valueOf(runId), "run_attempt", "1");
        // The catalog is this checkout's, not one on GitHub.
        Map<String, String> overrides = Map.of("EVENT_BUS_CATALOG", Scripts.ROOT.resolve("jbang-catalog.json").toString());
        return router.run("route", workspace, context, environment, overrides);
    }

    Map<String, String> runnerEnv() {
        Map<String, String> env = new HashMap<>(Scripts.baseEnvironment(jbangDir));
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("GITHUB_API_URL", github.url());
        env.put("GITHUB_REPOSITORY", REPO);
        env.put("GITHUB_SERVER_URL", "https://github.com");
        return env;
    }

    Map<String, String> producerEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_API_URL", github.url());
        env.put("GITHUB_TOKEN", GitHubEmulator.DEFAULT_TOKEN);
        env.put("GITHUB_REPOSITORY", REPO);
        return env;
    }

    static List<Path> workflowFiles() throws IOException {
        try (Stream<Path> files = Files.list(WORKFLOWS)) {
            return files.filter(p -> p.toString().endsWith(".yml") && !p.getFileName().toString().equals("event-routes.yml")).sorted().toList();
        }
    }

    /** The consumers exist in the repository with the workflow_dispatch inputs their files declare. */
    static void registerConsumerWorkflows() throws IOException {
        for (Path file : workflowFiles()) {
            JsonNode inputs = YAML.readTree(file.toFile()).path("on").path("workflow_dispatch").path("inputs");
            if (YAML.readTree(file.toFile()).path("on").has("workflow_dispatch")) {
                Map<String, Boolean> declared = new LinkedHashMap<>();
                inputs.fields().forEachRemaining(i -> declared.put(i.getKey(), i.getValue().path("required").asBoolean(false)));
                github.addWorkflow(REPO, file.getFileName().toString(), declared);
            }
        }
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
