import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./jbang route.java` as the router step runs it: a real process in a checkout with
 * .github/event-routes.yml and the consumer workflows, the event file GitHub delivered,
 * and the emulator as GitHub. Few runs, since each costs a JVM start.
 */
class RouteEndToEndTest {
    static final String SCRIPT = Scripts.ROOT.resolve("route.java").toString();
    /** What reads the router's records: stats and replay are events.java's. */
    static final String EVENTS = Scripts.ROOT.resolve("events.java").toString();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().with("GITHUB_ACTIONS", "true").refName("main").with("GITHUB_RUN_ID", "777");
    final GitHubEmulator github = testbed.github();

    /** The consuming repository's checkout: the example routes file and the six consumer workflows. */
    @TempDir
    Path checkout;

    @BeforeEach
    void setUpCheckout() throws IOException {
        Files.createDirectories(checkout.resolve(".github/workflows"));
        Files.copy(Scripts.ROOT.resolve("event-routes.yml"), checkout.resolve(".github/event-routes.yml"));
        RouteTest.RFC_WORKFLOWS.forEach((file, inputs) -> {
            // Each run shows the event it was started for, so that a re-run of the router can find it.
            String runName = file + " for ${{ inputs.event_id }}";
            github.addWorkflow(REPO, file, inputs, runName);
            String declared = inputs.entrySet().stream()
                    .map(i -> "      " + i.getKey() + ":\n        required: " + i.getValue() + "\n        type: string\n")
                    .collect(Collectors.joining());
            try {
                Files.writeString(checkout.resolve(".github/workflows/" + file),
                        "name: " + file + "\nrun-name: " + runName + "\non:\n  workflow_dispatch:\n    inputs:\n" + declared
                                + "permissions: {}\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The router step's environment inside Actions. */
    Map<String, String> actionsEnv(Path event) {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_WORKSPACE", checkout.toString());
        env.put("GITHUB_EVENT_PATH", event.toString());
        env.put("GITHUB_STEP_SUMMARY", checkout.resolve("summary.md").toString());
        env.put("GITHUB_OUTPUT", checkout.resolve("output.txt").toString());
        env.put("EVENT_LOG", checkout.resolve("event_log.jsonl").toString());
        return env;
    }

    /** An example event as its producer sends it: just emitted. */
    static JsonNode emitted(String example) throws IOException {
        ObjectNode document = (ObjectNode) JSON.readTree(Scripts.ROOT.resolve("schemas/examples/" + example).toFile());
        ((ObjectNode) document.get("client_payload")).put("timestamp", route.TIMESTAMP.format(Instant.now()));
        return document;
    }

    @Test
    void theDeliveredEventIsRoutedWithNoArgumentsThenStatsAndGraphReportOnIt() throws Exception {
        Path event = RouteTest.deliver(github, emitted("rfc.pr.created/valid-with-trace-id.json"));
        Map<String, String> env = actionsEnv(event);

        Scripts.Result run = Scripts.jbang(checkout, env, null, SCRIPT);
        assertEquals(0, run.exitCode(), run.toString());
        List<Map<String, Object>> runs = github.workflowRuns(REPO);
        assertEquals(List.of("ci-dispatcher.yml", "merge-orchestrator.yml"), runs.stream().map(r -> r.get("workflow_file")).toList());
        assertEquals("dispatched ci-dispatcher.yml run " + runs.get(0).get("id") + " " + runs.get(0).get("html_url") + "\n"
                + "dispatched merge-orchestrator.yml run " + runs.get(1).get("id") + " " + runs.get(1).get("html_url") + "\n", run.stdout());
        assertEquals("route: rfc.pr.created ea9c0727-e0a5-4667-b239-a10a0f924ebd: dispatched 2 workflows", run.stderr());
        assertEquals(2, github.journal().size() - 1, "the delivery plus one request per target: " + github.journal());
        assertEquals("status=routed\ndispatched=ci-dispatcher.yml,merge-orchestrator.yml\n", Files.readString(checkout.resolve("output.txt")));
        JsonNode record = JSON.readTree(Files.readAllLines(checkout.resolve("event_log.jsonl")).get(0));
        assertEquals("routed", record.get("status").asText());
        assertEquals("777", record.get("run_id").asText());

        Scripts.Result stats = Scripts.jbang(checkout, env, null, EVENTS, "stats", "--json");
        assertEquals(0, stats.exitCode(), stats.toString());
        assertEquals(1, JSON.readTree(stats.stdout()).at("/event_types/0/counts/routed").asInt(), stats.stdout());

        Scripts.Result graph = Scripts.jbang(checkout, env, null, SCRIPT, "graph");
        assertEquals(0, graph.exitCode(), graph.toString());
        assertTrue(graph.stdout().startsWith("flowchart LR\n"), graph.toString());
        String summary = Files.readString(checkout.resolve("summary.md"));
        assertTrue(summary.contains("### Event routing") && summary.contains("### Event log statistics") && summary.contains("```mermaid"), summary);
    }

    @Test
    void aRefusedDispatchExitsOneIsReplayedAndABadRoutesFileExitsTwoNamingItsLine() throws Exception {
        github.reset(); // no workflows registered: GitHub answers 404 to the dispatch
        JsonNode document = emitted("rfc.pr.ready/valid-with-trace-id.json");
        String eventId = document.at("/client_payload/event_id").asText();
        Path event = RouteTest.deliver(github, document);
        Map<String, String> env = actionsEnv(event);

        Scripts.Result refused = Scripts.jbang(checkout, env, null, SCRIPT);
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().startsWith("::error file=.github/event-routes.yml,line="), refused.toString());
        assertTrue(refused.stderr().contains("title=Dispatch failed::merge-orchestrator.yml: workflow merge-orchestrator.yml not found"),
                refused.toString());
        assertTrue(refused.stderr().contains("::error title=Event not routed::route: rfc.pr.ready " + eventId + ": 1 of 1 targets failed "
                + "(merge-orchestrator.yml); once the cause is fixed, replay it: gh workflow run event-replay.yml -f event_ids=" + eventId),
                refused.toString());
        assertEquals("failed", JSON.readTree(Files.readAllLines(checkout.resolve("event_log.jsonl")).get(0)).get("status").asText());

        // The replay sends the event as it came, once.
        github.clearJournal();
        Scripts.Result replay = Scripts.jbang(checkout, env, null, EVENTS, "replay");
        assertEquals(0, replay.exitCode(), replay.toString());
        assertEquals("sent rfc.pr.ready " + eventId + "\n", replay.stdout());
        assertEquals("replay: 1 sent, 0 invalid, 0 failed", replay.stderr());
        assertEquals(1, github.journal().size(), github.journal().toString());
        assertEquals(document, JSON.readTree(github.journal("POST", "/repos/" + REPO + "/dispatches").get(0).requestBody()));

        Files.writeString(checkout.resolve(".github/event-routes.yml"), "routes:\n  - event: rfc.pr.ready\n    workflow: merge-orchestrator.yml\n    on: push\n");
        env.remove("GITHUB_ACTIONS");
        Scripts.Result bad = Scripts.jbang(checkout, env, null, SCRIPT);
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().startsWith(".github/event-routes.yml:4: unknown key 'on'"), bad.toString());
        assertTrue(github.journal("POST", ".*/actions/workflows/.*").isEmpty(), "nothing more was sent");
    }

    @Test
    void helpListsTheSubcommandsAndExitCodes() {
        Scripts.Result help = Scripts.jbang(checkout, Map.of(), null, SCRIPT, "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.stdout().startsWith("Usage: route "), help.toString());
        assertTrue(help.stdout().contains("replay") && help.stdout().contains("stats") && help.stdout().contains("graph")
                && help.stdout().contains("reconcile") && help.stdout().contains("Exit codes:"), help.toString());
        assertTrue(help.stdout().contains("--shadow") && help.stdout().contains("EVENT_BUS_HISTORY") && help.stdout().contains("mode: log"),
                help.toString());
        assertTrue(help.stdout().contains("EVENT_BUS_CLAIM") && help.stdout().contains("EVENT_BUS_DISPATCHED")
                && help.stdout().contains("${{ inputs.event_id }}"), help.toString());
    }
}
