import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * cron-caught means "no event ever handled it": dedupe claim --key answers duplicate, from the event history, for a key
 * whose event was routed or acted on however long ago, so rfc-assignment.yml's sweep (which claims each issue's key) never
 * starts an issue whose event was routed again nor counts it as cron-caught when its claim has expired (the 25-hour
 * story), and an issue the sweep itself started is not started again either (its monitor recorded that it started, under
 * the key's event id).
 */
class CronCaughtTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();


    static String idOf(String key) {
        return dedupe.nameBasedUuid(dedupe.DEDUPE_KEY_NAMESPACE, key).toString();
    }

    // ---- dedupe claim --key and the history ---------------------------------------------------

    /** A record of the key's event with this status, received (or acted on) long ago. */
    static ObjectNode recordOf(String key, String status, Instant at) {
        ObjectNode record = EventsStatsTest.record("rfc.issue.assigned", status, "rfc-assignment", at, 500);
        record.put("event_id", idOf(key));
        return record;
    }

    @Test
    void aKeyIsADuplicateWhenItsEventWasRoutedOrActedOnHoweverLongAgo() throws IOException {
        Instant longAgo = Instant.now().minus(Duration.ofDays(200));
        RouteHistoryTest.append(github, List.of(
                recordOf("rfc.issue.assigned/1", "routed", longAgo),
                EventsOutcomesTest.acted(idOf("rfc.issue.assigned/2"), null, "monitor-started", longAgo.plusSeconds(60)),
                recordOf("rfc.issue.assigned/3", "cron-caught", longAgo),
                recordOf("rfc.issue.assigned/4", "shadowed", longAgo),
                recordOf("rfc.issue.assigned/5", "failed", longAgo),
                recordOf("rfc.issue.assigned/6", "duplicate", longAgo),
                EventsStatsTest.record("rfc.issue.assigned", "routed", "elsewhere", longAgo, 500)));
        List<String> verdicts = new java.util.ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            InProcess.Run claim = DedupeTest.dedupe(testbed.env(), "claim", "--key", "rfc.issue.assigned/" + i);
            assertEquals(0, claim.exitCode(), claim.toString());
            verdicts.add(claim.verdict());
            if (i == 1) {
                assertTrue(claim.err().contains("is a duplicate: handled by an event (routed at " + Instant.parse(events.TIMESTAMP.format(longAgo.plusMillis(500))) + ", in the event "
                        + "history; read with 1 API request"), claim.err());
            }
        }
        assertEquals(List.of("duplicate", "duplicate", "new", "new", "new", "new", "new"), verdicts,
                "routed, acted on; then cron-caught alone, shadowed (log mode), failed, duplicate, or no record: no event handled it");
    }

    // ---- the sweep: rfc-assignment.yml ---------------------------------------------------------

    /**
     * A stand-in for the GitHub CLI on the emulator: the two commands the sweep runs, through the REST API
     * (gh issue list lists issues, not pull requests, with the fields --json names; gh workflow run dispatches).
     */
    static final String GH = """
            #!/usr/bin/env bash
            set -euo pipefail
            auth="Authorization: Bearer ${GH_TOKEN:-$GITHUB_TOKEN}"
            case "$1 $2" in
              "issue list")
                shift 2; repo=""; filter="."
                while (($#)); do case "$1" in --repo) repo=$2; shift 2 ;; --jq) filter=$2; shift 2 ;; *) shift ;; esac; done
                curl -fsS -H "$auth" "$GITHUB_API_URL/repos/$repo/issues?state=open&per_page=100" \\
                  | jq -c '[.[] | select(has("pull_request") | not)]' | jq -r "$filter" ;;
              "workflow run")
                workflow=$3; shift 3; repo=""; inputs='{}'
                while (($#)); do case "$1" in
                  --repo) repo=$2; shift 2 ;;
                  -f) inputs=$(jq -c --arg k "${2%%=*}" --arg v "${2#*=}" '.[$k] = $v' <<<"$inputs"); shift 2 ;;
                  *) shift ;;
                esac; done
                curl -fsS -X POST -H "$auth" "$GITHUB_API_URL/repos/$repo/actions/workflows/$workflow/dispatches" \\
                  -d "{\\"ref\\":\\"main\\",\\"inputs\\":$inputs}" ;;
              *) echo "gh stand-in: $* is not emulated" >&2; exit 1 ;;
            esac
            """;

    /** A scheduled run of the sweep job, with the gh stand-in on PATH. */
    WorkflowRunner.JobRun sweep() throws IOException, InterruptedException {
        Path bin = temp.resolve("bin");
        if (!Files.exists(bin.resolve("gh"))) {
            Files.createDirectories(bin);
            Files.writeString(bin.resolve("gh"), GH);
            Files.setPosixFilePermissions(bin.resolve("gh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return fixture.runWorkflow("rfc-assignment.yml", "sweep", "schedule", null, Map.of(),
                Map.of("PATH", bin + ":" + System.getenv("PATH")));
    }

    Map<String, Long> runsPerWorkflow() {
        Map<String, Long> counts = new TreeMap<>();
        github.workflowRuns(REPO).forEach(run -> counts.merge(String.valueOf(run.get("workflow_file")), 1L, Long::sum));
        return counts;
    }

    long historyRecords(String status) throws IOException {
        return RouteHistoryTest.records(github).stream().filter(r -> status.equals(r.path("status").asText())).count();
    }

    @Test
    void twentyFiveHoursAfterAnEventHandledIssue91TheSweepLeavesItAlone() throws Exception {
        RfcChain chain = new RfcChain(github, fixture);
        int issue = DedupeTest.openIssue(github, "RFC-093-02: add the widget");
        assertTrue(chain.assign(issue).succeeded(), "the event path: emitted, routed, the monitor started");
        assertEquals(Map.of("pr-flow-monitor.yml", 1L), runsPerWorkflow());

        github.advanceClock(Duration.ofHours(25));
        // What the sweep's claim alone answers now: its 24 h claim has expired.
        Scripts.Result claimAlone = fixture.script(Scripts.ROOT.resolve("dedupe.java").toString(), "check", "--key",
                "rfc.issue.assigned/" + issue);
        assertEquals("new", claimAlone.stdout().strip(), "without the history, the item looks new: " + claimAlone);

        github.clearJournal();
        WorkflowRunner.JobRun sweep = sweep();
        String cost = requests();
        WorkflowRunner.Step step = sweep.step("Handle assigned RFC issues that no event handled");
        assertEquals("success", step.outcome(), RouterWorkflowTest.describe(sweep));
        assertTrue(step.stdout().contains("#" + issue + ": handled through its event (duplicate)"), step.stdout());
        assertTrue(step.stderr().matches("(?s).*is a duplicate: handled by an event \\((routed|acted [a-z-]+) at .*"),
                "routed by the router, and acted on by the monitor it started: " + step.stderr());
        assertEquals(Map.of("pr-flow-monitor.yml", 1L), runsPerWorkflow(), "the monitor is not started again");
        assertEquals(0, historyRecords("cron-caught"), "and the issue is not cron-caught");
        System.out.println("the sweep over 1 issue an event handled, its claim expired: " + cost);
        assertEquals(0, github.journal().stream().filter(e -> !e.method().equals("GET")).count(), "nothing written: " + cost);
        assertTrue(cost.startsWith("4 requests "), "the issue list, the store (its refs, its comments) and the history: " + cost);
    }

    @Test
    void anIssueNoEventHandledIsCaughtOnceAndNotStartedAgainADayLater() throws Exception {
        int issue = DedupeTest.openIssue(github, "RFC-093-03: the widget's docs");
        github.deliverIssueAssigned(REPO, issue, "Copilot", "octocat"); // GitHub's event, whose producer run never came
        int before = github.workflowRuns(REPO).size();
        github.clearJournal();
        WorkflowRunner.JobRun first = sweep();
        String cost = requests();
        String said = first.step("Handle assigned RFC issues that no event handled").stdout();
        assertTrue(said.contains("#" + issue + ": no event handled it (new); starting the monitor"), RouterWorkflowTest.describe(first));
        System.out.println("the sweep over 1 issue no event handled (the first claim of the repository opens the store): " + cost);
        assertTrue(cost.contains("GET /repos/octo-org/octo-repo/zipball/event-bus-history=1"), "the history read once: " + cost);
        assertEquals(1, historyRecords("cron-caught"));
        List<Map<String, Object>> runs = github.workflowRuns(REPO);
        assertEquals("pr-flow-monitor.yml", runs.get(runs.size() - 1).get("workflow_file"));
        @SuppressWarnings("unchecked")
        Map<String, Object> inputs = (Map<String, Object>) runs.get(runs.size() - 1).get("inputs");
        assertEquals(idOf("rfc.issue.assigned/" + issue), inputs.get("event_id"), "the monitor gets the key's event id");
        List<WorkflowRunner.JobRun> monitor = fixture.runConsumers(before);
        assertTrue(monitor.get(0).succeeded(), RouterWorkflowTest.describe(monitor.get(0)));
        assertEquals(1, historyRecords("acted"), "the monitor recorded that it started");

        github.advanceClock(Duration.ofHours(25));
        github.clearJournal();
        WorkflowRunner.JobRun next = sweep();
        String nextCost = requests();
        System.out.println("the sweep a day later, over that issue (its claim expired, its monitor acted): " + nextCost);
        assertTrue(nextCost.startsWith("4 requests "), "the issue list, the store (its refs, its comment) and the history: " + nextCost);
        WorkflowRunner.Step again = next.step("Handle assigned RFC issues that no event handled");
        assertTrue(again.stdout().contains("#" + issue + ": handled through its event (duplicate)"), RouterWorkflowTest.describe(next));
        assertTrue(again.stderr().contains("is a duplicate: handled by an event (acted monitor-started at "), again.stderr());
        assertEquals(Map.of("pr-flow-monitor.yml", 1L), runsPerWorkflow(), "started once");
        assertEquals(1, historyRecords("cron-caught"), "caught once");
    }

    /** The requests since the journal was cleared, by kind. */
    String requests() {
        List<GitHubEmulator.JournalEntry> journal = github.journal();
        Map<String, Long> byKind = new TreeMap<>();
        journal.forEach(e -> byKind.merge(e.method() + " " + e.path().replaceAll("/\\d+", "/N").replaceAll("[0-9a-f-]{36}", "ID")
                .replaceAll("/contents/.*", "/contents/PATH").replaceAll("refs/event-bus/.*", "refs/event-bus/..."), 1L, Long::sum));
        return journal.size() + " requests " + byKind;
    }

    static String eventId(Path event) throws IOException {
        JsonNode json = JSON.readTree(event.toFile());
        return json.at("/client_payload/event_id").asText(UUID.randomUUID().toString());
    }
}
