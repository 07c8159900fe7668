import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * events record: a consumer's outcome on record, in the event history (always) and in $EVENT_LOG, with
 * GitHub's clock as acted_at; malformed input is exit 2 with one line, and nothing is sent or written.
 */
class EventsRecordTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String EVENT_ID = "3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11";
    static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().with("GITHUB_WORKFLOW", "Merge orchestrator").run("4242", "2")
            .eventLog("event_log.jsonl").output("output.txt");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path log = temp.resolve("event_log.jsonl");
    final Path output = temp.resolve("output.txt");

    InProcess.Run record(String... args) {
        List<String> all = new ArrayList<>(List.of("record"));
        all.addAll(List.of(args));
        return EventsTest.events(testbed.env(), all.toArray(String[]::new));
    }

    @Test
    void theMergeAttemptIsRecordedInTheHistoryAndTheEventLog() throws IOException {
        InProcess.Run run = record("merge-attempted", "--event-id", EVENT_ID, "--type", "rfc.pr.ready",
                "--detail", "result=merged", "--detail", "sha=" + SHA, "--detail", "method=squash");
        assertEquals(0, run.exitCode(), run.toString());

        List<JsonNode> history = RouteHistoryTest.records(github);
        assertEquals(1, history.size(), history.toString());
        JsonNode record = history.get(0);
        assertEquals(List.of("status", "outcome", "event_id", "event_type", "acted_at", "run_id", "run_attempt", "source", "detail"),
                fieldNames(record), "the fields DESIGN lists, in its order");
        assertEquals("acted", record.get("status").asText());
        assertEquals("merge-attempted", record.get("outcome").asText());
        assertEquals(EVENT_ID, record.get("event_id").asText());
        assertEquals("rfc.pr.ready", record.get("event_type").asText());
        assertEquals("4242", record.get("run_id").asText());
        assertEquals("2", record.get("run_attempt").asText());
        assertEquals("Merge orchestrator", record.get("source").asText(), "$GITHUB_WORKFLOW");
        assertEquals(JSON.readTree("{\"result\":\"merged\",\"sha\":\"" + SHA + "\",\"method\":\"squash\"}"), record.get("detail"));

        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size());
        assertEquals(record, JSON.readTree(lines.get(0)), "the same record in $EVENT_LOG");
        assertEquals(record, JSON.readTree(run.out()), "and on stdout, one JSON line");
        assertEquals("acted_at=" + record.get("acted_at").asText() + "\n", Files.readString(output));
        // The record's file is filed under the day and time it was acted on.
        String stamp = record.get("acted_at").asText();
        assertTrue(RouteHistoryTest.paths(github).get(0).startsWith("events/" + stamp.substring(0, 10) + "/"
                + stamp.substring(11, 23).replace(":", "").replace(".", "") + "-acted-" + EVENT_ID + "-4242-2"), RouteHistoryTest.paths(github).toString());
    }

    @Test
    void actedAtIsGitHubsClockNotTheRunners() throws IOException {
        github.advanceClock(Duration.ofDays(3));
        Instant before = Instant.now().plus(Duration.ofDays(3)).minusSeconds(2);
        InProcess.Run run = record("monitor-started", "--event-id", EVENT_ID);
        assertEquals(0, run.exitCode(), run.toString());
        Instant actedAt = Instant.parse(JSON.readTree(run.out()).get("acted_at").asText());
        assertTrue(!actedAt.isBefore(before) && actedAt.isBefore(Instant.now().plus(Duration.ofDays(3)).plusSeconds(2)),
                "acted_at " + actedAt + " is three days ahead, as GitHub's clock is");
        assertEquals(0, github.journal("GET", "/rate_limit").stream().filter(e -> e.status() != 200).count());
    }

    @Test
    void anOutcomeWithoutTypeHasANullTypeAndNoDetails() throws IOException {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_WORKFLOW");
        InProcess.Run run = EventsTest.events(env, "record", "ci-dispatched", "--event-id", EVENT_ID);
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode record = RouteHistoryTest.records(github).get(0);
        assertTrue(record.get("event_type").isNull(), record.toString());
        assertTrue(record.get("source").isNull(), record.toString());
        assertEquals(JSON.createObjectNode(), record.get("detail"));
    }

    @Test
    void aRecordCostsTwoRequestsOnceTheHistoryExists() {
        assertEquals(0, record("merge-attempted", "--event-id", EVENT_ID).exitCode());
        github.clearJournal();
        InProcess.Run run = record("merge-attempted", "--event-id", "5b0f3c9e-1d7a-4e2b-9c3f-8a6d2e1f0b47");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of("GET /rate_limit", "PUT /repos/" + REPO + "/contents/"),
                github.journal().stream().map(e -> e.method() + " " + e.path().replaceFirst("/contents/.*", "/contents/")).toList());
        assertTrue(run.err().contains("(2 API requests)"), run.err());
    }

    @Test
    void aRefusedAppendIsExitOneAndTheRecordStaysInTheEventLog() throws IOException {
        github.injectFault("PUT", "/repos/" + REPO + "/contents/.*", GitHubEmulator.Fault.status(403), 1);
        InProcess.Run run = record("merge-attempted", "--event-id", EVENT_ID);
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("could not be appended to the event history; it is in " + log), run.err());
        assertEquals(1, Files.readAllLines(log).size());
        assertFalse(github.refs(REPO).contains("refs/heads/event-bus-history"), "nothing in the history");
    }

    @Test
    void dryRunPrintsTheRecordAndSendsNothing() {
        github.clearJournal();
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        InProcess.Run run = EventsTest.events(env, "record", "merge-attempted", "--event-id", EVENT_ID, "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("{\"status\":\"acted\",\"outcome\":\"merge-attempted\""), run.out());
        assertEquals(List.of(), github.journal());
        assertFalse(Files.exists(log));
    }

    @Test
    void malformedInputIsExitTwoWithOneLineAndNothingWritten() {
        String[][] cases = {
            {"OUTCOME must be a lowercase letter, then up to 63 lowercase letters, digits and hyphens (such as merge-attempted), not 'Merge_Attempted'",
                "Merge_Attempted", "--event-id", EVENT_ID},
            {"OUTCOME must be", "2merged", "--event-id", EVENT_ID},
            {"OUTCOME must be", "m".repeat(65), "--event-id", EVENT_ID},
            {"OUTCOME must be a lowercase letter, then up to 63 lowercase letters, digits and hyphens (such as merge-attempted), not 'a%0Ab'",
                "a\nb", "--event-id", EVENT_ID},
            {"--event-id must be an event_id (a lowercase UUID), not '3F0C5A0E-8D1B-4C1E-9A57-2B7D9F0E6A11'",
                "merge-attempted", "--event-id", EVENT_ID.toUpperCase()},
            {"--event-id must be an event_id (a lowercase UUID), not 'pr-456'", "merge-attempted", "--event-id", "pr-456"},
            {"Missing required option: '--event-id=ID'", "merge-attempted"},
            {"--type must be an event type such as rfc.pr.ready", "merge-attempted", "--event-id", EVENT_ID, "--type", "ready"},
            {"--detail must be KEY=VALUE with KEY lowercase letters, digits and _ (such as result=merged), not 'merged'",
                "merge-attempted", "--event-id", EVENT_ID, "--detail", "merged"},
            {"--detail must be KEY=VALUE", "merge-attempted", "--event-id", EVENT_ID, "--detail", "Sha=abc"},
            {"--detail must be KEY=VALUE", "merge-attempted", "--event-id", EVENT_ID, "--detail", "=abc"},
            {"--detail sha: the value must be one line", "merge-attempted", "--event-id", EVENT_ID, "--detail", "sha=a\nb"},
            {"--detail sha is given twice", "merge-attempted", "--event-id", EVENT_ID, "--detail", "sha=a", "--detail", "sha=b"},
        };
        for (String[] c : cases) {
            github.clearJournal();
            InProcess.Run run = record(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().startsWith(c[0]), run.toString());
            assertEquals(2, run.err().lines().count(), "the reason and where help is: " + run.err());
            assertEquals(List.of(), github.journal(), "nothing sent: " + c[0]);
            assertFalse(Files.exists(log), "nothing written: " + c[0]);
            assertFalse(Files.exists(output), "no output: " + c[0]);
            assertEquals("", run.out());
        }
    }

    @Test
    void noTokenIsExitTwoBeforeAnythingIsWritten() {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        InProcess.Run run = EventsTest.events(env, "record", "merge-attempted", "--event-id", EVENT_ID);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("no token: set GITHUB_TOKEN or GH_TOKEN"), run.err());
        assertFalse(Files.exists(log));
        assertNull(github.journal().stream().findFirst().orElse(null));
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
