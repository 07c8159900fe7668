import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RFC's whole chain, from an assigned issue to the merge attempt, each hop driven by the
 * workflows' YAML on the emulator: the producers on the events GitHub delivers, the router on each
 * repository_dispatch, the consumers on the runs the router started. One trace_id runs through it.
 */
class ChainTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String BRANCH = "copilot/rfc-093-02";

    @AutoClose
    static final GitHubEmulator github = GitHubEmulator.start(0);
    @TempDir
    static Path jbangDir;

    @TempDir
    Path temp;
    RouterFixture fixture;
    final List<Path> events = new ArrayList<>();

    @BeforeEach
    void checkOut() throws IOException {
        github.reset();
        fixture = new RouterFixture(github, temp, jbangDir);
        github.addWorkflow(REPO, "ci.yml", Map.of()); // the repository's CI, which the CI dispatcher starts
    }

    @Test
    void fromTheAssignedIssueToTheMergeAttemptByWorkflowDispatch() throws Exception {
        // A person assigns an RFC micro-task issue.
        int issue = DedupeTest.openIssue(github, "RFC-093-02: add the widget");
        Path assigned = github.deliverIssueAssigned(REPO, issue, "Copilot", "octocat");
        expectSuccess(fixture.runWorkflow("rfc-assignment.yml", "emit", "issues", assigned, Map.of()));
        routeTheEvent("rfc.issue.assigned", "pr-flow-monitor.yml");
        assertTrue(labels(issue).contains("rfc:in-progress"), "the PR flow monitor follows the issue");

        // Copilot pushes the branch the monitor named and opens a pull request for the issue.
        github.addBranch(REPO, BRANCH);
        github.commitFile(REPO, BRANCH, "widget.txt", "the widget\n", "Add the widget");
        int pr = github.createPullRequest(REPO, BRANCH, "main", "RFC-093-02: add the widget", "Fixes #" + issue, "Copilot");
        Path opened = github.deliverPullRequest(REPO, pr, "opened");
        expectSuccess(fixture.runWorkflow("pr-creation-detector.yml", "emit", "pull_request", opened, Map.of()));
        routeTheEvent("rfc.pr.created", "ci-dispatcher.yml", "merge-orchestrator.yml");
        assertTrue(github.workflowRuns(REPO).stream().anyMatch(r -> "ci.yml".equals(r.get("workflow_file"))
                && BRANCH.equals(r.get("head_branch"))), "the CI dispatcher started CI on the branch");

        // CI passes: the readiness evaluator finds the pull request green and mergeable.
        String sha = String.valueOf(((Map<?, ?>) github.pullRequest(REPO, pr).get("head")).get("sha"));
        github.addCommitStatus(REPO, sha, "success", "ci");
        Path ciDone = github.deliverWorkflowRunCompleted(REPO, "CI", sha, "success", List.of(pr));
        expectSuccess(fixture.runWorkflow("readiness-evaluator.yml", "evaluate", "workflow_run", ciDone, Map.of()));
        List<WorkflowRunner.JobRun> merge = routeTheEvent("rfc.pr.ready", "merge-orchestrator.yml");

        // The merge attempt: the end of the chain "PR ready -> merge attempt".
        assertEquals(true, github.pullRequest(REPO, pr).get("merged"), "the merge orchestrator merged the pull request");
        String attemptedAt = merge.get(0).step("merge").outputs().get("merge_attempted_at");
        assertTrue(attemptedAt != null && attemptedAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), merge.get(0).summary());
        assertTrue(merge.get(0).summary().contains("Merge attempt of #" + pr + " at " + attemptedAt + ": 200"), merge.get(0).summary());

        // One trace through the chain: every event carries the first event's id.
        Set<String> traces = new LinkedHashSet<>();
        for (Path event : events) {
            traces.add(JSON.readTree(event.toFile()).at("/client_payload/trace_id").asText());
        }
        String first = JSON.readTree(events.get(0).toFile()).at("/client_payload/event_id").asText();
        assertEquals(Set.of(first), traces, "events: " + events);
    }

    @Test
    void aPullRequestThatCannotBeMergedIsBlockedAndTheAuthorToldWhy() throws Exception {
        int issue = DedupeTest.openIssue(github, "RFC-093-03: the other widget");
        github.addBranch(REPO, "copilot/rfc-093-03");
        github.commitFile(REPO, "copilot/rfc-093-03", "other.txt", "x\n", "Add it");
        int pr = github.createPullRequest(REPO, "copilot/rfc-093-03", "main", "RFC-093-03", "Closes #" + issue, "Copilot");
        github.setMergeable(REPO, pr, "dirty");
        String sha = String.valueOf(((Map<?, ?>) github.pullRequest(REPO, pr).get("head")).get("sha"));
        github.addCommitStatus(REPO, sha, "failure", "ci");
        Path ciDone = github.deliverWorkflowRunCompleted(REPO, "CI", sha, "failure", List.of(pr));
        expectSuccess(fixture.runWorkflow("readiness-evaluator.yml", "evaluate", "workflow_run", ciDone, Map.of()));
        routeTheEvent("rfc.pr.blocked", "auto-remediator.yml");
        JsonNode blocked = JSON.readTree(events.get(0).toFile());
        assertEquals(JSON.readTree("[\"checks:failing\",\"merge-conflict\"]"), blocked.at("/client_payload/data/blockers"));
        assertTrue(labels(pr).contains("rfc:blocked"));
        assertTrue(github.comments(REPO, pr).stream().anyMatch(c -> String.valueOf(c.get("body")).contains("`merge-conflict`: rebase")),
                "the author is told what to do");
    }

    @Test
    void aPullRequestFromAForkIsNotTheChains() throws Exception {
        github.addFork(REPO, "mallory/octo-repo");
        github.addBranch("mallory/octo-repo", BRANCH);
        github.commitFile("mallory/octo-repo", BRANCH, "evil.txt", "x\n", "Looks like an RFC branch");
        int pr = github.createPullRequest(REPO, "mallory:" + BRANCH, "main", "RFC-093-02", "Fixes #1", "mallory");
        Path opened = github.deliverPullRequest(REPO, pr, "opened");
        int delivered = github.deliveredEvents(REPO).size();
        WorkflowRunner.JobRun detector = fixture.runWorkflow("pr-creation-detector.yml", "emit", "pull_request", opened, Map.of());
        assertEquals(delivered, github.deliveredEvents(REPO).size(), "nothing emitted: " + RouterWorkflowTest.describe(detector));
    }

    // ---- helpers ----

    /** The event GitHub delivered last goes through the router; the consumers it started run; returns their runs. */
    List<WorkflowRunner.JobRun> routeTheEvent(String type, String... consumers) throws Exception {
        Path event = fixture.lastDelivered();
        events.add(event);
        assertEquals(type, JSON.readTree(event.toFile()).path("action").asText());
        int before = github.workflowRuns(REPO).size();
        WorkflowRunner.JobRun router = fixture.route(event);
        expectSuccess(router);
        assertEquals("routed", RouterWorkflowTest.lastLogRecord(router).path("status").asText(), RouterWorkflowTest.describe(router));
        List<WorkflowRunner.JobRun> runs = fixture.runConsumers(before);
        runs.forEach(ChainTest::expectSuccess);
        List<String> started = github.workflowRuns(REPO).subList(before, github.workflowRuns(REPO).size()).stream()
                .map(r -> String.valueOf(r.get("workflow_file"))).filter(f -> !f.equals("ci.yml")).toList();
        assertEquals(List.of(consumers), started, type + " started these consumers");
        return runs;
    }

    static void expectSuccess(WorkflowRunner.JobRun run) {
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
    }

    static List<String> labels(int number) {
        return github.issues(REPO).stream().filter(i -> ((Number) i.get("number")).intValue() == number).findFirst()
                .map(i -> ((List<?>) i.get("labels")).stream().map(l -> String.valueOf(((Map<?, ?>) l).get("name"))).toList())
                .orElseThrow();
    }
}
