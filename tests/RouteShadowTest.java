import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rollout modes: `mode: log` at the top of the routes file or on one route, and `route --shadow`,
 * dispatch nothing and record what would have been dispatched (status shadowed, targets
 * would-dispatch), so that a repository can run the bus beside its cron jobs before it switches.
 */
class RouteShadowTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DISPATCHES = "/repos/" + REPO + "/actions/workflows/[^/]+/dispatches";
    static final String READY = "{\"pr\":456,\"checks_status\":\"green\"}";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").run("5150", "1").summary("summary.md").output("output.txt")
            .eventLog("event_log.jsonl").workspace();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    Path summary;
    Path log;
    Path output;

    @BeforeEach
    void reset() {
        for (String workflow : List.of("merge.yml", "notify.yml")) {
            github.addWorkflow(REPO, workflow, Map.of("pr", true, "event_id", false));
        }
        summary = temp.resolve("summary.md");
        log = temp.resolve("event_log.jsonl");
        output = temp.resolve("output.txt");
    }

    Path routes(String yaml) throws IOException {
        return Files.writeString(temp.resolve("routes.yml"), yaml);
    }

    /** A just-emitted rfc.pr.ready event, as a file. */
    Path event(String id) throws IOException {
        return Files.writeString(temp.resolve("event-" + id + ".json"),
                EventsReplayTest.event("rfc.pr.ready", id, Instant.now(), READY).toString());
    }

    InProcess.Run route(Map<String, String> env, Path routes, Path event, String... more) {
        List<String> args = new ArrayList<>(List.of("--routes", routes.toString(), "--event", event.toString()));
        args.addAll(List.of(more));
        return RouteTest.route(env, args.toArray(String[]::new));
    }

    JsonNode onlyRecord() throws IOException {
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), lines.toString());
        return JSON.readTree(lines.get(0));
    }

    static final String TWO_ROUTES = """
            routes:
              - event: rfc.pr.ready
                workflow: merge.yml
                inputs: {pr: data.pr, event_id: event_id}
              - event: rfc.pr.*
                workflow: notify.yml
                inputs: {pr: data.pr}
            """;

    @Test
    void aFileInLogModeDispatchesNothingAndRecordsWhatWouldHaveBeen() throws IOException {
        String id = UUID.randomUUID().toString();
        InProcess.Run run = route(testbed.env(), routes("mode: log\n" + TWO_ROUTES), event(id));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("would-dispatch merge.yml\nwould-dispatch notify.yml\n", run.out());
        assertEquals("route: rfc.pr.ready " + id + ": shadowed (mode: log): 2 workflows would be dispatched; nothing was sent\n", run.err());
        assertTrue(github.journal().isEmpty(), "not one request: " + github.journal());

        JsonNode record = onlyRecord();
        assertEquals("shadowed", record.get("status").asText());
        assertEquals(JSON.readTree("[{\"workflow\":\"merge.yml\",\"status\":\"would-dispatch\",\"run_id\":null,\"html_url\":null,"
                + "\"dispatched_at\":null,\"error\":null},{\"workflow\":\"notify.yml\",\"status\":\"would-dispatch\",\"run_id\":null,"
                + "\"html_url\":null,\"dispatched_at\":null,\"error\":null}]"), record.get("targets"));
        assertEquals("status=shadowed\ndispatched=\n", Files.readString(output));
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains(":eyes: **Shadow mode** (`mode: log` in " + temp.resolve("routes.yml") + ")"), markdown);
        assertTrue(markdown.contains("| `merge.yml` | pr=456, event_id=" + id + " | :eyes: would dispatch (shadow mode: not sent) |"), markdown);
    }

    @Test
    void aRouteInLogModeIsShadowedWhileTheOthersAreDispatched() throws IOException {
        String yaml = TWO_ROUTES.replace("    workflow: merge.yml\n", "    workflow: merge.yml\n    mode: log\n");
        InProcess.Run run = route(testbed.env(), routes(yaml), event(UUID.randomUUID().toString()));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("would-dispatch merge.yml\ndispatched notify.yml run "), run.out());
        assertTrue(run.err().endsWith(": dispatched 1 workflow, 1 in log mode (not sent)\n"), run.err());
        assertEquals(1, github.journal("POST", DISPATCHES).size());
        assertEquals("notify.yml", github.workflowRuns(REPO).get(0).get("workflow_file"));
        JsonNode record = onlyRecord();
        assertEquals("routed", record.get("status").asText(), "a target was dispatched");
        assertEquals(List.of("would-dispatch", "dispatched"), RouteTest.statuses(record));
        assertEquals("status=routed\ndispatched=notify.yml\n", Files.readString(output), "only what was sent counts as dispatched");
    }

    @Test
    void aRouteSayingDispatchOverridesTheFilesLogMode() throws IOException {
        String yaml = "mode: log\n" + TWO_ROUTES.replace("    workflow: notify.yml\n", "    workflow: notify.yml\n    mode: dispatch\n");
        InProcess.Run run = route(testbed.env(), routes(yaml), event(UUID.randomUUID().toString()));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of("would-dispatch", "dispatched"), RouteTest.statuses(onlyRecord()));
        assertEquals(1, github.journal("POST", DISPATCHES).size());
    }

    @Test
    void shadowForcesLogModeForTheRunAndTheHistoryGetsTheShadowedRecord() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_HISTORY", "true");
        InProcess.Run first = route(env, routes(TWO_ROUTES), event(UUID.randomUUID().toString()), "--shadow");
        assertEquals(0, first.exitCode(), first.toString());
        github.clearJournal();
        String id = UUID.randomUUID().toString();
        InProcess.Run run = route(env, routes(TWO_ROUTES), event(id), "--shadow");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("would-dispatch merge.yml\nwould-dispatch notify.yml\n", run.out());
        assertTrue(run.err().contains(": shadowed (--shadow): 2 workflows would be dispatched; nothing was sent"), run.err());
        assertEquals(List.of("PUT /repos/" + REPO + "/contents/events/"), github.journal().stream()
                .map(e -> e.method() + " " + e.path().replaceFirst("/events/.*", "/events/")).toList(), "one append, no dispatch");
        JsonNode appended = RouteHistoryTest.records(github).stream().filter(r -> r.get("event_id").asText().equals(id)).findFirst().orElseThrow();
        assertEquals("shadowed", appended.get("status").asText());
        assertEquals(List.of("would-dispatch", "would-dispatch"), RouteTest.statuses(appended));
        assertTrue(Files.readString(summary).contains(":eyes: **Shadow mode** (`route --shadow`)"));
    }

    @Test
    void dryRunStillOnlyPrintsAndSaysWhichTargetsAreInLogMode() throws IOException {
        String yaml = TWO_ROUTES.replace("    workflow: merge.yml\n", "    workflow: merge.yml\n    mode: log\n");
        InProcess.Run run = route(testbed.env(), routes(yaml), event(UUID.randomUUID().toString()), "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("  would-dispatch merge.yml on main with {\"pr\":\"456\",\"event_id\":"), run.out());
        assertTrue(run.out().contains(" (mode: log: recorded as shadowed, not sent)"), run.out());
        assertTrue(run.out().contains("  dispatch notify.yml on main with {\"pr\":\"456\"}"), run.out());
        assertTrue(github.journal().isEmpty());
        assertFalse(Files.exists(log));
    }

    @Test
    void anUnknownModeIsExitTwoNamingItsLine() throws IOException {
        InProcess.Run top = route(testbed.env(), routes("mode: shadow\n" + TWO_ROUTES), event(UUID.randomUUID().toString()));
        assertEquals(2, top.exitCode(), top.toString());
        assertTrue(top.err().startsWith(temp.resolve("routes.yml") + ":1: mode: 'shadow' is not log (record the targets as "
                + "would-dispatch, send nothing) or dispatch (send them; the default)"), top.toString());

        String yaml = TWO_ROUTES.replace("    workflow: notify.yml\n", "    workflow: notify.yml\n    mode: [log]\n");
        InProcess.Run route = route(testbed.env(), routes(yaml), event(UUID.randomUUID().toString()));
        assertEquals(2, route.exitCode(), route.toString());
        assertTrue(route.err().startsWith(temp.resolve("routes.yml") + ":7: mode: "), route.toString());
        assertTrue(route.err().contains("is not log (record the targets"), route.toString());
        assertTrue(github.journal().isEmpty());
        assertFalse(Files.exists(log));
    }

    @Test
    void graphDrawsARouteInLogModeDotted() throws IOException {
        String yaml = "mode: log\n" + TWO_ROUTES.replace("    workflow: notify.yml\n", "    workflow: notify.yml\n    mode: dispatch\n"
                + "    when: {data: {pr: [{numeric: [\">\", 0]}]}}\n");
        InProcess.Run run = RouteTest.route(testbed.env(), "graph", "--routes", routes(yaml).toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("  e1 -.->|\"mode: log\"| w1\n"), run.out());
        assertTrue(run.out().contains("  e2 -->|\"data.pr: numeric #gt; 0\"| w2\n"), run.out());
    }
}
