import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * route --plan, the compiled router's routing step: the same matching and inputs as a dispatch, written as
 * one output per route of the file (route-N) for the router's route-N jobs, which call the consumers; no
 * request to GitHub, the targets logged as called.
 */
class RoutePlanTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final Path EXAMPLE_ROUTES = Scripts.ROOT.resolve("event-routes.yml");
    static final Path EXAMPLES = Scripts.ROOT.resolve("schemas/examples");

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().workspace().output("output.txt").summary("summary.md")
            .eventLog("event_log.jsonl").run("4242", "1");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    Path output;
    Path log;

    @BeforeEach
    void reset() throws IOException {
        output = temp.resolve("output.txt");
        log = temp.resolve("event_log.jsonl");
        // The checkout: the consumers of the example routes, which --plan checks for on: workflow_call.
        Path workflows = Files.createDirectories(temp.resolve(".github/workflows"));
        for (String consumer : List.of("pr-flow-monitor.yml", "ci-dispatcher.yml", "merge-orchestrator.yml", "auto-remediator.yml",
                "rfc-cleanup-duplicates.yml", "cleanup-stalled-prs.yml")) {
            Files.copy(Scripts.ROOT.resolve("workflows").resolve(consumer), workflows.resolve(consumer));
        }
    }

    InProcess.Run plan(Map<String, String> env, Path routes, Path event, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--plan", "--routes", routes.toString(), "--event", event.toString()));
        args.addAll(List.of(more));
        return RouteTest.route(env, args.toArray(String[]::new));
    }

    /** The example event as the router receives it on its first delivery: emitted a moment ago. */
    Path example(String relative) throws IOException {
        return example(relative, Instant.now());
    }

    Path example(String relative, Instant timestamp) throws IOException {
        var document = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(EXAMPLES.resolve(relative).toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) document.get("client_payload")).put("timestamp", route.TIMESTAMP.format(timestamp));
        return Files.writeString(temp.resolve(relative.replace('/', '-')), document.toPrettyString());
    }

    Map<String, String> outputs() throws IOException {
        return WorkflowRunner.parseOutputs(output);
    }

    JsonNode onlyRecord() throws IOException {
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), lines.toString());
        return JSON.readTree(lines.get(0));
    }

    // ---- the outputs ----

    @Test
    void aMatchingEventWritesItsRoutesInputsAsJsonAndEveryOtherRouteEmpty() throws IOException {
        Path event = example("rfc.pr.created/valid-with-trace-id.json");
        InProcess.Run run = plan(testbed.env(), EXAMPLE_ROUTES, event);
        assertEquals(0, run.exitCode(), run.toString());

        Map<String, String> outputs = outputs();
        String id = "ea9c0727-e0a5-4667-b239-a10a0f924ebd";
        String trace = "3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11";
        Map<String, String> routes = new LinkedHashMap<>();
        for (int n = 1; n <= 7; n++) {
            routes.put("route-" + n, outputs.get("route-" + n));
        }
        assertEquals("", routes.get("route-1"));
        assertEquals(JSON.readTree("{\"pr\":\"457\",\"issue\":\"124\",\"branch\":\"copilot/rfc-093-03\",\"event_id\":\"" + id
                + "\",\"trace_id\":\"" + trace + "\"}"), JSON.readTree(routes.get("route-2")), "the inputs as strings, as a dispatch sends them");
        assertEquals(JSON.readTree("{\"pr\":\"457\",\"event_id\":\"" + id + "\",\"trace_id\":\"" + trace + "\"}"), JSON.readTree(routes.get("route-3")));
        for (int n = 4; n <= 7; n++) {
            assertEquals("", routes.get("route-" + n), "route-" + n);
        }
        assertEquals("routed", outputs.get("status"));
        assertEquals(List.of("called ci-dispatcher.yml (job route-2)", "called merge-orchestrator.yml (job route-3)"), run.out().lines().toList(),
                "one line per target");
        assertTrue(run.err().contains("2 workflows to call (jobs route-2, route-3)"), run.err());

        assertEquals(List.of(), github.journal(), "no request: the router's jobs call the consumers");
        JsonNode record = onlyRecord();
        assertEquals("routed", record.get("status").asText());
        assertEquals(List.of("called", "called"), RouteTest.statuses(record));
        assertEquals("4242", record.get("run_id").asText());
        assertTrue(Files.readString(temp.resolve("summary.md")).contains("called by job `route-2` of this run"));
    }

    @Test
    void anEventNoRouteMatchesSetsEveryOutputEmpty() throws IOException {
        Path routes = Files.writeString(temp.resolve("routes.yml"), """
                routes:
                  - event: rfc.chain.broken
                    when: {data: {reason: [CI_STUCK]}}
                    workflow: cleanup-stalled-prs.yml
                    inputs: {chain_id: data.chain_id, reason: data.reason}
                """);
        InProcess.Run run = plan(testbed.env(), routes, example("rfc.chain.broken/valid-duplicate-pr.json"));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(Map.of("status", "unrouted", "dispatched", "", "route-1", ""), outputs());
        assertEquals("unrouted\n", run.out());
        assertEquals("unrouted", onlyRecord().get("status").asText());
    }

    @Test
    void aRouteInLogModeIsRecordedAndNotCalled() throws IOException {
        Path routes = Files.writeString(temp.resolve("routes.yml"), """
                routes:
                  - event: rfc.pr.ready
                    workflow: merge-orchestrator.yml
                    inputs: {pr: data.pr, event_id: event_id}
                    mode: log
                """);
        InProcess.Run run = plan(testbed.env(), routes, example("rfc.pr.ready/valid-with-trace-id.json"));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", outputs().get("route-1"));
        assertEquals("shadowed", outputs().get("status"));
        assertEquals(List.of("would-dispatch"), RouteTest.statuses(onlyRecord()));
        assertTrue(run.err().contains("would be called; nothing was called"), run.err());
    }

    @Test
    void onResumeTheWorkflowsTheDedupeStoreRecordedAreNotCalledAgain() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "resume");
        env.put("EVENT_BUS_DISPATCHED", "ci-dispatcher.yml");
        InProcess.Run run = plan(env, EXAMPLE_ROUTES, example("rfc.pr.created/valid-with-trace-id.json"));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", outputs().get("route-2"), "recorded as started: not called again");
        assertTrue(outputs().get("route-3").startsWith("{\"pr\":\"457\""), outputs().toString());
        assertEquals(List.of("already-dispatched", "called"), RouteTest.statuses(onlyRecord()));
        assertTrue(run.err().contains("processed again (EVENT_BUS_CLAIM=resume)") && run.err().contains("re-run its failed job"), run.err());
        assertEquals(List.of(), github.journal(), "no look at the runs: a called consumer is no run of its own");
    }

    @Test
    void whenOneTargetCannotBePlannedNoneIsCalled() throws IOException {
        Path routes = Files.writeString(temp.resolve("routes.yml"), """
                routes:
                  - event: rfc.pr.ready
                    workflow: merge-orchestrator.yml
                    inputs: {pr: data.pr, event_id: event_id}
                  - event: rfc.pr.ready
                    workflow: auto-remediator.yml
                    inputs: {pr: data.pr, blockers: data.blockers}
                """);
        InProcess.Run run = plan(testbed.env(), routes, example("rfc.pr.ready/valid-with-trace-id.json"));
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(Map.of("status", "failed", "dispatched", "", "route-1", "", "route-2", ""), outputs(),
                "all or nothing: the release step gives the claim up with nothing called");
        JsonNode record = onlyRecord();
        assertEquals("failed", record.get("status").asText());
        assertEquals(List.of("failed", "failed"), RouteTest.statuses(record));
        assertTrue(record.at("/targets/0/error").asText().contains("not called: route 2 (auto-remediator.yml) failed"), record.toString());
        assertTrue(record.at("/targets/1/error").asText().contains("no value at data.blockers"), record.toString());
        // The release step reads the log: nothing in it counts as started.
        assertEquals(List.of(), dedupe.Release.dispatchedTargets(new dedupe.Source(log.toString(), Files.readString(log)),
                java.util.UUID.fromString(record.get("event_id").asText())));
    }

    @Test
    void withTheHistoryOnTheRecordIsAppendedThere() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_HISTORY", "true");
        InProcess.Run run = plan(env, EXAMPLE_ROUTES, example("rfc.pr.ready/valid-with-trace-id.json"));
        assertEquals(0, run.exitCode(), run.toString());
        List<JsonNode> records = RouteHistoryTest.records(github);
        assertEquals(1, records.size());
        assertEquals(List.of("called"), RouteTest.statuses(records.get(0)));
        assertTrue(github.journal().stream().noneMatch(e -> e.path().contains("/actions/")), "nothing of Actions: " + github.journal());
    }

    @Test
    void aDryRunPrintsTheCallsAndWritesNothing() throws IOException {
        // rfc.pr.ready with head_sha: route 4 (route 5 takes an older one without).
        InProcess.Run run = plan(testbed.env(), EXAMPLE_ROUTES, example("rfc.pr.ready/valid-with-head-sha.json"), "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("  call merge-orchestrator.yml as job route-4 with {\"pr\":"), run.out());
        assertTrue(!Files.exists(output) && !Files.exists(log));
    }

    // ---- what --plan refuses ----

    @Test
    void routesOtherThanThoseTheRouterWasCompiledFromAreRefused() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_ROUTES_DIGEST", "0123456789abcdef");
        InProcess.Run run = plan(env, EXAMPLE_ROUTES, example("rfc.pr.ready/valid-with-trace-id.json"));
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("these routes are not the ones the router was compiled from (EVENT_BUS_ROUTES_DIGEST 0123456789abcdef"),
                run.err());
        assertTrue(!Files.exists(output) && !Files.exists(log), "nothing written");

        // Reordered routes change it; a when or a mode does not (--plan reads those at run time).
        String digest = digest(EXAMPLE_ROUTES);
        String routes = Files.readString(EXAMPLE_ROUTES);
        assertEquals(digest, digest(Files.writeString(temp.resolve("log.yml"), routes.replace("routes:\n", "mode: log\nroutes:\n")
                .replace("[BRANCH_ONLY, CI_STUCK]", "[CI_STUCK]"))));
        assertTrue(!digest.equals(digest(Files.writeString(temp.resolve("other.yml"), routes.replace("workflow: pr-flow-monitor.yml",
                "workflow: ci-dispatcher.yml")))));
        env.put("EVENT_BUS_ROUTES_DIGEST", digest);
        assertEquals(0, plan(env, EXAMPLE_ROUTES, example("rfc.pr.ready/valid-with-trace-id.json")).exitCode());
    }

    @Test
    void aConsumerWithoutAWorkflowCallTriggerIsRefusedWithTheRoutesLine() throws IOException {
        Files.writeString(temp.resolve(".github/workflows/merge-orchestrator.yml"), """
                on:
                  workflow_dispatch:
                    inputs:
                      pr: {required: true, type: string}
                jobs: {}
                """);
        InProcess.Run run = plan(testbed.env(), EXAMPLE_ROUTES, example("rfc.pr.ready/valid-with-trace-id.json"));
        assertEquals(2, run.exitCode(), run.toString());
        List<String> routes = Files.readAllLines(EXAMPLE_ROUTES);
        int line = routes.indexOf(routes.stream().filter(l -> l.contains("workflow: merge-orchestrator.yml")).findFirst().orElseThrow()) + 1;
        assertTrue(run.err().contains(EXAMPLE_ROUTES + ":" + line + ": .github/workflows/merge-orchestrator.yml has no workflow_call trigger"), run.err());
    }

    @Test
    void oneEventAtATime() throws IOException {
        String line = JSON.readTree(example("rfc.pr.ready/valid-with-trace-id.json").toFile()).toString();
        Path two = Files.writeString(temp.resolve("two.jsonl"), line + "\n" + line + "\n");
        InProcess.Run run = plan(testbed.env(), EXAMPLE_ROUTES, two);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("--plan decides the routes of one event"), run.err());
    }

    @Test
    void anEventEmittedLongAgoIsCalledAgainWithAWarning() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        InProcess.Run run = plan(env, EXAMPLE_ROUTES, example("rfc.pr.ready/valid-with-head-sha.json", Instant.now().minus(Duration.ofHours(3))));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(outputs().get("route-4").startsWith("{"), outputs().toString());
        assertTrue(run.err().contains("::warning title=Event processed again::"), run.err());
        assertEquals(List.of(), github.journal());
    }

    static String digest(Path routes) {
        return route.RoutesFile.load(routes, new picocli.CommandLine(new route()).getCommandSpec()).digest();
    }
}
