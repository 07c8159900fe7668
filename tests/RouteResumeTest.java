import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * route.java processing an event again, in-process against the GitHub emulator: a resumed claim
 * (EVENT_BUS_CLAIM, EVENT_BUS_DISPATCHED) or a late event skips the targets it already started,
 * found by the event_id in their runs' titles; a first processing costs one request per target.
 */
class RouteResumeTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path PR_CREATED = RouteTest.EXAMPLES.resolve("rfc.pr.created/valid-with-trace-id.json");
    static final String EVENT_ID = "ea9c0727-e0a5-4667-b239-a10a0f924ebd";
    static final String RUNS = "/repos/" + REPO + "/actions/runs";
    static final String DISPATCHES = RouteTest.DISPATCHES;

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").summary("summary.md").eventLog("event_log.jsonl").workspace();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");
    final Path log = temp.resolve("event_log.jsonl");

    /** rfc.pr.created goes to ci-dispatcher.yml and merge-orchestrator.yml; both show the event_id in their run-name. */
    static void consumersWithRunNames() {
        testbed.github().addWorkflow(REPO, "ci-dispatcher.yml", RouteTest.inputs("pr", "issue", "branch"), "CI for PR ${{ inputs.pr }} (${{ inputs.event_id }})");
        testbed.github().addWorkflow(REPO, "merge-orchestrator.yml", RouteTest.inputs("pr"), "Merge ${{ inputs.event_id }}");
    }

    /** The rfc.pr.created example with its timestamp set. */
    Path event(Instant timestamp) throws IOException {
        ObjectNode document = (ObjectNode) JSON.readTree(PR_CREATED.toFile());
        ((ObjectNode) document.get("client_payload")).put("timestamp", route.TIMESTAMP.format(timestamp));
        return Files.writeString(temp.resolve("event-" + timestamp.toEpochMilli() + ".json"), document.toString());
    }

    InProcess.Run route(Map<String, String> env, Path event) {
        return RouteTest.route(env, "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event.toString());
    }

    List<JsonNode> logRecords() throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            records.add(JSON.readTree(line));
        }
        return records;
    }

    Map<String, Object> runOf(String workflow) {
        List<Map<String, Object>> runs = github.workflowRuns(REPO).stream().filter(r -> workflow.equals(r.get("workflow_file"))).toList();
        assertEquals(1, runs.size(), workflow + ": " + runs);
        return runs.get(0);
    }

    // ---- a first processing: nothing looked up ------------------------------------------------

    @Test
    void aNewEventCostsOneRequestPerTargetAndNoLookup() throws IOException {
        consumersWithRunNames();
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "new");
        env.put("EVENT_BUS_DISPATCHED", "");

        InProcess.Run run = route(env, event(Instant.now()));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(2, github.workflowRuns(REPO).size());
        assertEquals(2, github.journal().size(), "one request per target: " + github.journal());
        assertTrue(github.journal("GET", RUNS).isEmpty());
        // GitHub titles each run with its run-name: what a later lookup finds.
        assertEquals("Merge " + EVENT_ID, runOf("merge-orchestrator.yml").get("display_title"));
    }

    // ---- resume: a target failed, the job runs again ------------------------------------------

    @Test
    void aFailedTargetIsAnErrorWithItsReplayAndAResumeSendsOnlyWhatIsMissing() throws IOException {
        consumersWithRunNames();
        github.injectFault("POST", "/repos/" + REPO + "/actions/workflows/merge-orchestrator\\.yml/dispatches", GitHubEmulator.Fault.status(422), 1);
        Path event = event(Instant.now());
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        env.put("EVENT_BUS_CLAIM", "new");

        Path output = temp.resolve("output.txt");
        env.put("GITHUB_OUTPUT", output.toString());

        InProcess.Run first = route(env, event);
        assertEquals(1, first.exitCode(), first.toString());
        assertEquals("status=failed\ndispatched=ci-dispatcher.yml\n", Files.readString(output), "for dedupe release");
        String annotation = "::error title=Event not routed::route: rfc.pr.created " + EVENT_ID + ": 1 of 2 targets failed (merge-orchestrator.yml); "
                + "once the cause is fixed, replay it: gh workflow run event-replay.yml -f event_ids=" + EVENT_ID;
        assertTrue(first.err().contains(annotation + "\n"), first.toString());
        assertEquals(1, first.err().lines().filter(l -> l.startsWith("::error title=Event not routed::")).count(), first.err());
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains("#### Failed events"), markdown);
        assertTrue(markdown.contains("- `rfc.pr.created` `" + EVENT_ID + "`, failed: `merge-orchestrator.yml`"), markdown);
        assertTrue(markdown.contains("  gh workflow run event-replay.yml -f event_ids=" + EVENT_ID + "\n"), markdown);
        assertTrue(markdown.contains("  jbang events@event-bus replay --from-artifacts 20 --event-id " + EVENT_ID + "\n"), markdown);
        Map<String, Object> ciRun = runOf("ci-dispatcher.yml");

        // The job is re-run: the claim step answers resume, and its store knows nothing of the targets.
        github.clearJournal();
        env.put("EVENT_BUS_CLAIM", "resume");
        Files.delete(output);
        InProcess.Run again = route(env, event);
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals("status=routed\ndispatched=ci-dispatcher.yml,merge-orchestrator.yml\n", Files.readString(output));
        assertEquals(1, github.journal("GET", RUNS).size(), "one lookup: " + github.journal());
        assertEquals(1, github.journal("POST", DISPATCHES).size());
        assertEquals(2, github.journal().size());
        assertEquals("merge-orchestrator.yml", github.workflowRuns(REPO).get(1).get("workflow_file"));
        runOf("ci-dispatcher.yml");
        Map<String, Object> mergeRun = runOf("merge-orchestrator.yml");
        assertEquals("already-dispatched ci-dispatcher.yml run " + ciRun.get("id") + " " + ciRun.get("html_url") + "\n"
                + "dispatched merge-orchestrator.yml run " + mergeRun.get("id") + " " + mergeRun.get("html_url") + "\n", again.out());
        assertTrue(again.err().contains("route: rfc.pr.created " + EVENT_ID + ": dispatched 1 workflow, 1 already dispatched (EVENT_BUS_CLAIM=resume)"),
                again.toString());

        JsonNode record = logRecords().get(1);
        assertEquals("routed", record.get("status").asText());
        assertEquals(List.of("already-dispatched", "dispatched"), RouteTest.statuses(record));
        assertEquals(((Number) ciRun.get("id")).longValue(), record.at("/targets/0/run_id").asLong());
        assertEquals(ciRun.get("html_url"), record.at("/targets/0/html_url").asText());
        assertFalse(record.at("/targets/0/dispatched_at").isNull(), "the run's creation time: " + record);
        assertTrue(Files.readString(summary).contains("already dispatched: [run " + ciRun.get("id") + "](" + ciRun.get("html_url") + "), not sent again"),
                Files.readString(summary));
    }

    @Test
    void workflowsTheDedupeStoreRecordedAreSkippedWithoutARequest() throws IOException {
        consumersWithRunNames();
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "resume");
        env.put("EVENT_BUS_DISPATCHED", "ci-dispatcher.yml, merge-orchestrator.yml");

        InProcess.Run run = route(env, event(Instant.now()));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(github.journal().isEmpty(), "every target is known: nothing to look up or send: " + github.journal());
        assertEquals("already-dispatched ci-dispatcher.yml\nalready-dispatched merge-orchestrator.yml\n", run.out());
        JsonNode record = logRecords().get(0);
        assertEquals("routed", record.get("status").asText());
        assertEquals(List.of("already-dispatched", "already-dispatched"), RouteTest.statuses(record));
        assertTrue(record.at("/targets/0/run_id").isNull(), record.toString());
        assertTrue(Files.readString(summary).contains("already dispatched: recorded by the dedupe store, not sent again"), Files.readString(summary));
    }

    @Test
    void oneRecordedWorkflowIsSkippedAndTheOtherLookedUpThenSent() throws IOException {
        // Neither consumer has a run-name: the lookup finds nothing, and the one not recorded is sent.
        RouteTest.RFC_WORKFLOWS.forEach((file, inputs) -> github.addWorkflow(REPO, file, inputs));
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "resume");
        env.put("EVENT_BUS_DISPATCHED", "ci-dispatcher.yml");

        InProcess.Run run = route(env, event(Instant.now()));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, github.journal("GET", RUNS).size());
        assertEquals(List.of("merge-orchestrator.yml"), github.workflowRuns(REPO).stream().map(r -> r.get("workflow_file")).toList());
        assertTrue(run.out().startsWith("already-dispatched ci-dispatcher.yml\ndispatched merge-orchestrator.yml run "), run.out());
        assertEquals(List.of("already-dispatched", "dispatched"), RouteTest.statuses(logRecords().get(0)));
    }

    @Test
    void aDryRunShowsTheRecordedWorkflowsAsSkippedAndSendsNothing() throws IOException {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        env.put("EVENT_BUS_CLAIM", "resume");
        env.put("EVENT_BUS_DISPATCHED", "ci-dispatcher.yml");

        InProcess.Run run = RouteTest.route(env, "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event(Instant.now()).toString(), "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("rfc.pr.created " + EVENT_ID + ": 2 routes match; processed again (EVENT_BUS_CLAIM=resume)"), run.out());
        assertTrue(run.out().contains("  skip ci-dispatcher.yml: already dispatched (EVENT_BUS_DISPATCHED)"), run.out());
        assertTrue(run.out().contains("  dispatch merge-orchestrator.yml on main"), run.out());
        assertTrue(github.journal().isEmpty());
    }

    // ---- a late event: a replay, or GitHub delivering it again -----------------------------------

    @Test
    void aLateEventIsLookedUpFromAMinuteBeforeItsTimestamp() throws IOException {
        consumersWithRunNames();
        Instant emitted = Instant.now().minus(Duration.ofMinutes(11)).truncatedTo(ChronoUnit.MILLIS);

        InProcess.Run run = route(testbed.env(), event(emitted));
        assertEquals(0, run.exitCode(), run.toString());
        List<GitHubEmulator.JournalEntry> lookups = github.journal("GET", RUNS);
        assertEquals(1, lookups.size(), github.journal().toString());
        Map<String, String> query = query(lookups.get(0).query());
        assertEquals(Map.of("event", "workflow_dispatch", "per_page", "100",
                "created", ">=" + emitted.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS)), query);
        assertEquals(2, github.journal("POST", DISPATCHES).size(), "nothing found: both sent");
        assertTrue(run.err().contains("dispatched 2 workflows"), run.toString());

        // Delivered once more: both runs are found, nothing is sent.
        github.clearJournal();
        InProcess.Run again = route(testbed.env(), event(emitted));
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(1, github.journal().size(), github.journal().toString());
        assertEquals(2, github.workflowRuns(REPO).size());
        assertTrue(again.out().startsWith("already-dispatched ci-dispatcher.yml run "), again.out());
        assertTrue(again.err().contains("dispatched 0 workflows, 2 already dispatched (its timestamp is 11 minutes old)"), again.toString());
        assertEquals(List.of("already-dispatched", "already-dispatched"), RouteTest.statuses(logRecords().get(1)));
    }

    @Test
    void anEventWithinTenMinutesIsAFirstProcessing() throws IOException {
        consumersWithRunNames();
        InProcess.Run run = route(testbed.env(), event(Instant.now().minus(Duration.ofMinutes(9))));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(2, github.journal().size(), github.journal().toString());
        assertTrue(github.journal("GET", RUNS).isEmpty());
    }

    @Test
    void theLookupFollowsThePagesUntilEveryTargetIsFound() throws Exception {
        consumersWithRunNames();
        github.addWorkflow(REPO, "other.yml", Map.of());
        Path event = event(Instant.now().minus(Duration.ofHours(1)));
        assertEquals(0, route(testbed.env(), event).exitCode());
        // 150 newer runs of another workflow push the event's runs to the second page.
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 150; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(github.url() + "/repos/" + REPO + "/actions/workflows/other.yml/dispatches"))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"main\"}")).build();
            assertEquals(204, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        github.clearJournal();

        InProcess.Run again = route(testbed.env(), event);
        assertEquals(0, again.exitCode(), again.toString());
        List<GitHubEmulator.JournalEntry> lookups = github.journal("GET", RUNS);
        assertEquals(2, lookups.size(), "one request per 100 runs: " + lookups);
        assertEquals("2", query(lookups.get(1).query()).get("page"));
        assertTrue(github.journal("POST", DISPATCHES).isEmpty());
        assertEquals(List.of("already-dispatched", "already-dispatched"), RouteTest.statuses(logRecords().get(1)));
    }

    @Test
    void whenTheRunsCannotBeListedTheTargetsFailRatherThanRunTwice() throws IOException {
        consumersWithRunNames();
        github.injectFault("GET", RUNS, GitHubEmulator.Fault.status(503), 1);
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "resume");

        InProcess.Run run = RouteTest.route(env, "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event(Instant.now()).toString(),
                "--max-attempts", "1");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(github.journal("POST", DISPATCHES).isEmpty());
        assertTrue(run.err().contains("ci-dispatcher.yml: not sent: whether this event already started it could not be checked ("), run.toString());
        JsonNode record = logRecords().get(0);
        assertEquals("failed", record.get("status").asText());
        assertEquals(List.of("failed", "failed"), RouteTest.statuses(record));
    }

    @Test
    void aNumericWorkflowIdIsMatchedByTheRunsWorkflowId() throws Exception {
        consumersWithRunNames();
        HttpRequest get = HttpRequest.newBuilder(URI.create(github.url() + "/repos/" + REPO + "/actions/workflows/merge-orchestrator.yml"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).build();
        long id = JSON.readTree(HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString()).body()).get("id").asLong();
        github.clearJournal();
        Path routes = Files.writeString(temp.resolve("routes.yml"), "routes:\n  - {event: rfc.pr.created, workflow: " + id
                + ", inputs: {pr: data.pr, event_id: event_id}}\n");
        Path event = event(Instant.now());
        assertEquals(0, RouteTest.route(testbed.env(), "--routes", routes.toString(), "--event", event.toString()).exitCode());
        assertEquals("merge-orchestrator.yml", runOf("merge-orchestrator.yml").get("workflow_file"));

        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "resume");
        InProcess.Run again = RouteTest.route(env, "--routes", routes.toString(), "--event", event.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().startsWith("already-dispatched " + id + " run "), again.out());
        assertEquals(1, github.workflowRuns(REPO).size());
    }

    // ---- the environment ------------------------------------------------------------------------

    @Test
    void aBadClaimOrDispatchedListIsInvalidInput() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_CLAIM", "duplicate");
        InProcess.Run claim = route(env, event(Instant.now()));
        assertEquals(2, claim.exitCode(), claim.toString());
        assertTrue(claim.err().startsWith("EVENT_BUS_CLAIM must be new or resume"), claim.toString());

        env.put("EVENT_BUS_CLAIM", "resume");
        env.put("EVENT_BUS_DISPATCHED", "ci-dispatcher.yml;rm -rf");
        InProcess.Run dispatched = route(env, event(Instant.now()));
        assertEquals(2, dispatched.exitCode(), dispatched.toString());
        assertTrue(dispatched.err().startsWith("EVENT_BUS_DISPATCHED must list workflow file names"), dispatched.toString());

        env.put("EVENT_BUS_DISPATCHED", "ci-dispatcher.yml");
        String line = JSON.readTree(event(Instant.now()).toFile()).toString();
        Path two = Files.writeString(temp.resolve("two.jsonl"), line + "\n" + line + "\n");
        InProcess.Run several = route(env, two);
        assertEquals(2, several.exitCode(), several.toString());
        assertTrue(several.err().contains("the input holds 2 events"), several.toString());
        assertTrue(github.journal().isEmpty());
    }

    // ---- consumers that cannot be found again ---------------------------------------------------

    @Test
    void consumersWhoseRunNameDoesNotShowTheEventIdAreWarnedAboutOnce() throws IOException {
        Path workflows = Files.createDirectories(temp.resolve(".github/workflows"));
        String dispatch = "on:\n  workflow_dispatch:\n    inputs:\n      pr: {required: true}\n      event_id: {required: false}\n      id: {required: false}\n";
        Files.writeString(workflows.resolve("titled.yml"), "run-name: Merge PR ${{ inputs.pr }} for ${{ inputs.event_id }}\n" + dispatch);
        Files.writeString(workflows.resolve("renamed.yml"), "run-name: \"Event ${{ github.event.inputs.id }}\"\n" + dispatch);
        Files.writeString(workflows.resolve("untitled.yml"), dispatch);
        Files.writeString(workflows.resolve("no-event-id.yml"), "run-name: PR ${{ inputs.pr }}\n" + dispatch);
        Files.writeString(workflows.resolve("not-mapped.yml"), "run-name: Merge ${{ inputs.event_id }}\n" + dispatch);
        Path routes = Files.writeString(temp.resolve("routes.yml"), """
                routes:
                  - {event: rfc.pr.created, workflow: titled.yml, inputs: {pr: data.pr, event_id: event_id}}
                  - {event: rfc.pr.created, workflow: renamed.yml, inputs: {pr: data.pr, id: event_id}}
                  - {event: rfc.pr.created, workflow: untitled.yml, inputs: {pr: data.pr, event_id: event_id}}
                  - {event: rfc.pr.ready, workflow: untitled.yml, inputs: {pr: data.pr, event_id: event_id}}
                  - {event: rfc.pr.created, workflow: no-event-id.yml, inputs: {pr: data.pr, event_id: event_id}}
                  - {event: rfc.pr.created, workflow: not-mapped.yml, inputs: {pr: data.pr}}
                """);
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        env.remove("GITHUB_TOKEN");

        InProcess.Run run = RouteTest.route(env, "--routes", routes.toString(), "--event", event(Instant.now()).toString(), "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        List<String> warnings = run.err().lines().filter(l -> l.startsWith("::warning ")).toList();
        String suffix = " has no run-name with ${{ inputs.event_id }}: a re-run cannot find the run it started and could start it again";
        assertEquals(List.of(
                "::warning title=Consumer cannot be found again::.github/workflows/untitled.yml" + suffix,
                "::warning title=Consumer cannot be found again::.github/workflows/no-event-id.yml" + suffix,
                "::warning title=Consumer cannot be found again::.github/workflows/not-mapped.yml" + suffix), warnings, run.err());
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        Matcher pair = Pattern.compile("([^&=]+)=([^&]*)").matcher(raw);
        while (pair.find()) {
            query.put(URLDecoder.decode(pair.group(1), StandardCharsets.UTF_8), URLDecoder.decode(pair.group(2), StandardCharsets.UTF_8));
        }
        return query;
    }
}
