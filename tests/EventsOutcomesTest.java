import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * events stats and what consumers recorded they did (events record): the time from each event to each outcome per
 * event type and outcome, in all and per day, its chart in the job summary, the type taken from the event's other
 * records; and the drift gate, which counts schema drift only (the sender rule's refusals are shown apart).
 */
class EventsOutcomesTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] WEEK = {"--history", "--since", "2026-11-23T00:00:00Z", "--until", "2026-11-26T00:00:00Z"};

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().summary("summary.md");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");

    InProcess.Run stats(String... args) {
        return EventsTest.events(testbed.env(), "stats", List.of(args));
    }

    JsonNode statsJson(String... args) throws IOException {
        return EventsTest.eventsJson(testbed.env(), "stats", List.of(args));
    }

    /** An outcome as events record writes it: type null unless given. */
    static ObjectNode acted(String eventId, String type, String outcome, Instant actedAt) {
        ObjectNode record = JSON.createObjectNode();
        record.put("status", "acted");
        record.put("outcome", outcome);
        record.put("event_id", eventId);
        record.put("event_type", type);
        record.put("acted_at", events.TIMESTAMP.format(actedAt));
        record.put("run_id", "77");
        record.put("run_attempt", "1");
        record.put("source", "Merge orchestrator");
        record.putObject("detail").put("result", "merged");
        return record;
    }

    static ObjectNode acted(ObjectNode event, boolean withType, String outcome, long afterMs) {
        Instant timestamp = Instant.parse(event.get("timestamp").asText());
        return acted(event.get("event_id").asText(), withType ? event.get("event_type").asText() : null, outcome, timestamp.plusMillis(afterMs));
    }

    /**
     * Three pull requests found ready and merged 30 s, 60 s and 120 s later (the first recorded without --type, and
     * again by a re-run 90 s later), a pull request created and its CI dispatched 10 s later, and an outcome of an
     * event no record tells of.
     */
    void aWeekOfOutcomes() throws IOException {
        ObjectNode ready1 = EventsStatsTest.routed("rfc.pr.ready", EventsStatsTest.day(0, 9), 1000, 1500);
        ObjectNode ready2 = EventsStatsTest.routed("rfc.pr.ready", EventsStatsTest.day(1, 9), 1000, 1500);
        ObjectNode ready3 = EventsStatsTest.routed("rfc.pr.ready", EventsStatsTest.day(1, 10), 1000, 1500);
        ObjectNode created = EventsStatsTest.routed("rfc.pr.created", EventsStatsTest.day(0, 8), 1000, 1500);
        RouteHistoryTest.append(github, List.of(ready1, ready2, ready3, created,
                acted(ready1, false, "merge-attempted", 30_000),
                acted(ready1, false, "merge-attempted", 90_000),
                acted(ready2, true, "merge-attempted", 60_000),
                acted(ready3, true, "merge-attempted", 120_000),
                acted(created, false, "ci-dispatched", 10_000),
                acted(UUID.randomUUID().toString(), null, "merge-attempted", EventsStatsTest.day(2, 1))));
    }

    @Test
    void theTimeFromEachEventToEachOutcomePerEventTypeAndOutcome() throws IOException {
        aWeekOfOutcomes();
        JsonNode report = statsJson(WEEK);
        assertEquals(JSON.readTree("""
                [{"event_type":"(none)","outcome":"merge-attempted","count":0,"mean_ms":null,"median_ms":null,"p95_ms":null,"untimed":1},
                 {"event_type":"rfc.pr.created","outcome":"ci-dispatched","count":1,"mean_ms":10000,"median_ms":10000,"p95_ms":10000,"untimed":0},
                 {"event_type":"rfc.pr.ready","outcome":"merge-attempted","count":3,"mean_ms":70000,"median_ms":60000,"p95_ms":120000,"untimed":0}]
                """), report.get("outcomes"), "30 s, 60 s and 120 s: the re-run's second record of the first is not counted");
        InProcess.Run run = stats(WEEK);
        assertTrue(run.out().contains("""
                time to outcome  outcome          count  mean ms  median ms  p95 ms  untimed
                (none)           merge-attempted      0        -          -       -        1
                rfc.pr.created   ci-dispatched        1    10000      10000   10000        0
                rfc.pr.ready     merge-attempted      3    70000      60000  120000        0
                (from the event's timestamp to the outcome's acted_at, the first of each event; rfc.pr.ready to merge-attempted \
                is the RFC's time from readiness to merge attempt; untimed: no record of the event read gives its timestamp)
                """), run.out());
        assertEquals(6, report.at("/all/counts/acted").asInt(), "acted is a status of its own in the counts");
        assertEquals(4, report.get("traces").size(), "an outcome starts no trace of its own");
    }

    @Test
    void perDayTheTimesOfTheOutcomesOfThatDay() throws IOException {
        aWeekOfOutcomes();
        JsonNode report = statsJson(WEEK);
        assertEquals(JSON.readTree("""
                {"day":"2026-11-24","event_type":"rfc.pr.ready","outcome":"merge-attempted","count":2,"mean_ms":90000,"median_ms":60000,
                 "p95_ms":120000,"untimed":0}
                """), report.at("/outcomes_by_day/2"));
        List<String> args = new ArrayList<>(List.of(WEEK));
        args.addAll(List.of("--by", "day"));
        InProcess.Run run = stats(args.toArray(String[]::new));
        assertTrue(run.out().contains("""
                day         event type      outcome          count  mean ms  median ms  p95 ms  untimed
                2026-11-23  rfc.pr.created  ci-dispatched        1    10000      10000   10000        0
                2026-11-23  rfc.pr.ready    merge-attempted      1    30000      30000   30000        0
                2026-11-24  rfc.pr.ready    merge-attempted      2    90000      60000  120000        0
                2026-11-25  (none)          merge-attempted      0        -          -       -        1
                """), run.out());
        assertTrue(run.out().contains("\n2026-11-23       2         0          0         0       0      3      5       2\n"),
                "acted is a column of the day table, and an outcome is not an event of the day: " + run.out());
        assertFalse(stats(WEEK).out().contains("day         event type"), "per day only with --by day");
    }

    @Test
    void theSummaryChartsTheMedianTimeToMergeAttemptPerDay() throws IOException {
        aWeekOfOutcomes();
        assertEquals(0, stats(WEEK).exitCode());
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains("#### Time to outcome\n"), markdown);
        assertTrue(markdown.contains("| `rfc.pr.ready` | `merge-attempted` | 3 | 70000 | 60000 | 120000 | 0 |"), markdown);
        // The RFC's pair first; days without a timed outcome are left off the axis rather than drawn as 0.
        assertTrue(markdown.contains("""
                ```mermaid
                xychart-beta
                  title "rfc.pr.ready to merge-attempted: median seconds per day"
                  x-axis ["11-23", "11-24"]
                  y-axis "Seconds" 0 --> 60
                  bar [30.0, 60.0]
                ```
                """), markdown);
        assertTrue(markdown.indexOf("rfc.pr.ready to merge-attempted: median") < markdown.indexOf("rfc.pr.created to ci-dispatched: median"), markdown);
        assertFalse(markdown.contains("(none) to merge-attempted: median"), "no chart without a timed outcome");
    }

    @Test
    void anOutcomeWithoutTypeTakesItsEventsTypeForTheFilterToo() throws IOException {
        aWeekOfOutcomes();
        List<String> args = new ArrayList<>(List.of(WEEK));
        args.addAll(List.of("--type", "rfc.pr.ready", "--status", "acted"));
        JsonNode report = statsJson(args.toArray(String[]::new));
        assertEquals(1, report.get("outcomes").size(), report.toString());
        assertEquals(3, report.at("/outcomes/0/count").asInt(), "timed from the routed records outside the --status filter");
        assertEquals(4, report.at("/all/counts/acted").asInt(), "the re-run's record is counted as a record");
    }

    @Test
    void outcomesFromALogFileToo() throws IOException {
        ObjectNode ready = EventsStatsTest.routed("rfc.pr.ready", EventsStatsTest.day(0, 9), 1000, 1500);
        Path log = Files.writeString(temp.resolve("event_log.jsonl"), ready + "\n" + acted(ready, false, "merge-attempted", 4_500) + "\n");
        JsonNode report = statsJson(log.toString());
        assertEquals(JSON.readTree("[{\"event_type\":\"rfc.pr.ready\",\"outcome\":\"merge-attempted\",\"count\":1,\"mean_ms\":4500,"
                + "\"median_ms\":4500,\"p95_ms\":4500,\"untimed\":0}]"), report.get("outcomes"));
    }

    // ---- the drift gate counts schema drift only ---------------------------------------------

    void driftAndSenders() throws IOException {
        ObjectNode byPerson = EventsStatsTest.rejected("emitter-a", EventsStatsTest.day(0, 9),
                "sender: octocat may not emit events (allowed: github-actions[bot]) (rule: sender)").put("sender", "octocat");
        RouteHistoryTest.append(github, List.of(byPerson, EventsStatsTest.again(byPerson, "rejected", 1000),
                EventsStatsTest.rejected("emitter-a", EventsStatsTest.day(0, 10), "sender: mallory may not emit events (rule: sender)")
                        .put("sender", "mallory"),
                EventsStatsTest.rejected("emitter-b", EventsStatsTest.day(1, 10), "/client_payload/data/pr: must be >= 1 (rule: minimum)")));
    }

    @Test
    void senderRefusalsAreCountedApartFromSchemaDrift() throws IOException {
        driftAndSenders();
        JsonNode report = statsJson(WEEK);
        assertEquals(JSON.readTree("{\"rejected_records\":1,\"rejected_events\":1,\"by_rule\":{\"minimum\":1},\"by_source\":{\"emitter-b\":1}}"),
                report.get("drift"));
        assertEquals(JSON.readTree("{\"rejected_records\":3,\"rejected_events\":2,\"by_sender\":{\"octocat\":2,\"mallory\":1}}"),
                report.get("sender_rejected"));
        InProcess.Run run = stats(WEEK);
        assertTrue(run.out().contains("""
                schema drift: 1 rejected record (1 event)
                rule     rejected
                minimum         1

                source     rejected
                emitter-b         1

                refused by the sender rule (not schema drift): 3 records (2 events)
                sender   refused
                octocat        2
                mallory        1
                """), run.out());
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains("Refused by the sender rule, which is not schema drift: 3 records (2 events).\n\n| Sender | Refused |\n"
                + "|---|--:|\n| `octocat` | 2 |\n| `mallory` | 1 |\n"), markdown);
    }

    @Test
    void theDriftGateCountsSchemaDriftOnly() throws IOException {
        driftAndSenders();
        InProcess.Run senders = stats("--history", "--since", "2026-11-23T00:00:00Z", "--until", "2026-11-24T00:00:00Z",
                "--status", "rejected", "--max-rejected", "0", "--json");
        assertEquals(0, senders.exitCode(), "the day holds only sender refusals: no drift. " + senders);
        assertEquals(JSON.readTree("{\"limit\":0,\"rejected_events\":0,\"exceeded\":false,\"sender_rejected_events\":2}"),
                JSON.readTree(senders.out()).get("max_rejected"));

        InProcess.Run drift = stats("--history", "--since", "2026-11-23T00:00:00Z", "--until", "2026-11-26T00:00:00Z",
                "--status", "rejected", "--max-rejected", "0");
        assertEquals(1, drift.exitCode(), drift.toString());
        assertTrue(drift.err().contains("stats: 1 event rejected by a schema rule since 2026-11-23T00:00:00.000Z until 2026-11-26T00:00:00.000Z, "
                + "more than --max-rejected 0: the drift report lists the rejected records by rule and by source; 2 events refused by "
                + "the sender rule are not counted (not schema drift)\n"), drift.err());
    }
}
