import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * workflows/event-report.yml's weekly report, run as GitHub would on the emulator: one job summary with the week's
 * outcomes, the merge latency beside the baseline window, the drift report with the sender rule's refusals apart, the
 * cron-caught items; and the drift gate that fails the job on schema drift only.
 */
class EventReportWorkflowTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();
    /** Two days ago, on the hour: inside the report's 7 days. */
    final Instant recent = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
    /** A week, three weeks ago: the baseline. */
    final Instant baseline = Instant.now().minus(Duration.ofDays(21)).truncatedTo(ChronoUnit.DAYS);


    /** A week with one pull request found ready and merged 40 s later, a cron-caught item and an event from a person. */
    void aWeek() throws IOException {
        ObjectNode ready = EventsStatsTest.routed("rfc.pr.ready", recent, 800, 1200);
        RouteHistoryTest.append(github, List.of(ready,
                EventsOutcomesTest.acted(ready, true, "merge-attempted", 40_000),
                EventsStatsTest.cronCaught(recent.plusSeconds(600), "rfc.issue.assigned/7"),
                EventsStatsTest.rejected("octocat-laptop", recent.plusSeconds(900), "sender: octocat may not emit events (rule: sender)")
                        .put("sender", "octocat")));
        // GitHub's side: merged 60 s after green this week, 300 s after green in the baseline week.
        github.addMergedPullRequests(REPO, "main", List.of(
                past(baseline.plusSeconds(3600), 300), past(baseline.plusSeconds(7200), 300),
                past(recent, 60), past(recent.plusSeconds(3600), 60)));
    }

    static GitHubEmulator.PastPullRequest past(Instant green, long mergedAfter) {
        return new GitHubEmulator.PastPullRequest(null, green.minusSeconds(600), green.plusSeconds(mergedAfter),
                List.of(new GitHubEmulator.PastCheckRun("build", "completed", "success", green.minusSeconds(300), green)), List.of());
    }

    WorkflowRunner.JobRun report() throws IOException, InterruptedException {
        return report(Map.of("since", "7d", "baseline_since", events.TIMESTAMP.format(baseline),
                "baseline_until", events.TIMESTAMP.format(baseline.plus(Duration.ofDays(7)))));
    }

    /** A run by workflow_dispatch with these inputs: the event file GitHub writes for it holds them. */
    WorkflowRunner.JobRun report(Map<String, String> inputs) throws IOException, InterruptedException {
        Path event = java.nio.file.Files.writeString(temp.resolve("workflow_dispatch.json"),
                RouterFixture.YAML.createObjectNode().set("inputs", RouterFixture.YAML.valueToTree(inputs)).toString());
        return fixture.runWorkflow("event-report.yml", "report", "workflow_dispatch", event, inputs);
    }

    @Test
    void theWeeklyReportShowsOutcomesMergeLatencyBesideTheBaselineDriftAndCronCaught() throws Exception {
        aWeek();
        WorkflowRunner.JobRun run = report();
        assertTrue(run.succeeded(), "no schema drift, a sender refused: the gate passes. " + RouterWorkflowTest.describe(run));
        String summary = run.summary();
        assertTrue(summary.contains("#### Time to outcome"), summary);
        assertTrue(summary.contains("| `rfc.pr.ready` | `merge-attempted` | 1 | 40000 | 40000 | 40000 | 0 |"), summary);
        assertTrue(summary.contains("title \"rfc.pr.ready to merge-attempted: median seconds per day\""), summary);
        assertTrue(summary.contains("### Merge latency"), summary);
        assertTrue(summary.contains("| 2 | 2 | 60.0 | 60 | 60 |"), "this week: " + summary);
        assertTrue(summary.contains("| 2 | 2 | 300.0 | 300 | 300 |"), "the baseline: " + summary);
        assertTrue(summary.contains("Ratio of the means (first / second): **0.20**"), summary);
        assertTrue(summary.contains("#### Schema drift\n\n:white_check_mark: No event rejected by a schema rule."), summary);
        assertTrue(summary.contains("Refused by the sender rule, which is not schema drift: 1 record (1 event)."), summary);
        assertTrue(summary.contains("#### Cron-caught\n\n1 item the cron paths caught"), summary);
        assertEquals("success", run.step("Drift gate").outcome());
    }

    @Test
    void theDriftGateFailsTheJobOnSchemaDriftAfterTheReport() throws Exception {
        aWeek();
        RouteHistoryTest.append(github, List.of(EventsStatsTest.rejected("emitter-b", recent.plusSeconds(1200),
                "/client_payload/data/pr: must be >= 1 (rule: minimum)")));
        WorkflowRunner.JobRun run = report();
        assertEquals("success", run.step("Merge latency").outcome(), "the report is complete first");
        assertEquals("failure", run.step("Drift gate").outcome(), RouterWorkflowTest.describe(run));
        assertTrue(run.step("Drift gate").stderr().contains("1 event rejected by a schema rule"), run.step("Drift gate").stderr());
    }

    @Test
    void withoutABaselineTheWeekIsMeasuredAloneAndTheSummarySaysHowToSetOne() throws Exception {
        aWeek();
        WorkflowRunner.JobRun run = report(Map.of("since", "7d"));
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertTrue(run.summary().contains("No baseline window: set EVENT_BUS_BASELINE_SINCE and EVENT_BUS_BASELINE_UNTIL"), run.summary());
        assertTrue(run.summary().contains("| 2 | 2 | 60.0 | 60 | 60 |"), run.summary());
    }
}
