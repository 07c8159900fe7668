import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RFC's whole chain, from an assigned issue to the merge attempt, each hop driven by the
 * workflows' YAML on the emulator: the producers on the events GitHub delivers, the router on each
 * repository_dispatch, the consumers on the runs the router started. One trace_id runs through it.
 * In both routing modes: the dispatch router (event-router.yml, a workflow_dispatch per consumer) and
 * the compiled one (event-router-call.yml, the consumers called as jobs of the router's run).
 */
class ChainTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String BRANCH = "copilot/rfc-093-02";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final RouterFixture fixture = testbed.checkout();

    @Test
    void fromTheAssignedIssueToTheMergeAttemptByWorkflowDispatch() throws Exception {
        List<RfcChain.Hop> hops = theChain(RfcChain.Routing.DISPATCH);
        for (RfcChain.Hop hop : hops) {
            assertEquals(hop.consumers().stream().map(c -> "dispatched").toList(), RouteTest.statuses(routerRecord(hop)));
        }
        assertEquals(List.of("pr-flow-monitor.yml", "ci-dispatcher.yml", "merge-orchestrator.yml", "merge-orchestrator.yml"), dispatched(),
                "one workflow_dispatch per consumer (and CI, which the CI dispatcher starts, is not one of them)");
    }

    @Test
    void fromTheAssignedIssueToTheMergeAttemptByWorkflowCall() throws Exception {
        List<RfcChain.Hop> hops = theChain(RfcChain.Routing.CALL);
        for (RfcChain.Hop hop : hops) {
            JsonNode record = routerRecord(hop);
            assertEquals(hop.consumers().stream().map(c -> "called").toList(), RouteTest.statuses(record), record.toString());
            assertTrue(hop.router().steps().stream().anyMatch(s -> s.stdout().contains("called " + hop.consumers().get(0) + " (job route-")),
                    RouterWorkflowTest.describe(hop.router()));
        }
        assertEquals(List.of(), dispatched(), "no workflow_dispatch request: the consumers ran as jobs of the routers' runs");
        assertTrue(github.workflowRuns(REPO).stream().allMatch(r -> "ci.yml".equals(r.get("workflow_file"))),
                "the only workflow run started by request is CI's: " + github.workflowRuns(REPO));
    }

    /**
     * The chain from the assigned issue to the merge attempt, each hop through the producer, the router (as
     * routing says) and the consumers; one trace_id through it; the pull request ends merged.
     */
    List<RfcChain.Hop> theChain(RfcChain.Routing routing) throws Exception {
        RfcChain chain = new RfcChain(github, fixture, routing);
        int issue = DedupeTest.openIssue(github, "RFC-093-02: add the widget");
        expect(chain.assign(issue), "rfc.issue.assigned", "pr-flow-monitor.yml");
        assertTrue(labels(issue).contains("rfc:in-progress"), "the PR flow monitor follows the issue");

        int pr = chain.openPullRequest(BRANCH, issue);
        expect(chain.pullRequestOpened(pr), "rfc.pr.created", "ci-dispatcher.yml", "merge-orchestrator.yml");
        assertTrue(github.workflowRuns(REPO).stream().anyMatch(r -> "ci.yml".equals(r.get("workflow_file"))
                && BRANCH.equals(r.get("head_branch"))), "the CI dispatcher started CI on the branch");

        RfcChain.Hop ready = expect(chain.ciFinished(pr, "success"), "rfc.pr.ready", "merge-orchestrator.yml");

        // The merge attempt: the end of the chain "PR ready -> merge attempt".
        assertEquals(true, github.pullRequest(REPO, pr).get("merged"), "the merge orchestrator merged the pull request");
        WorkflowRunner.JobRun merge = ready.consumerRuns().get(0);
        String attemptedAt = merge.step("merge").outputs().get("merge_attempted_at");
        assertTrue(attemptedAt != null && attemptedAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), merge.summary());
        assertTrue(merge.summary().contains("Merge attempt of #" + pr + " at " + attemptedAt + ": 200"), merge.summary());

        // One trace through the chain: every event carries the first event's id, and every consumer was given it.
        Set<String> traces = new LinkedHashSet<>();
        for (RfcChain.Hop hop : chain.hops()) {
            traces.add(JSON.readTree(hop.event().toFile()).at("/client_payload/trace_id").asText());
        }
        String first = JSON.readTree(chain.hops().get(0).event().toFile()).at("/client_payload/event_id").asText();
        assertEquals(Set.of(first), traces);
        for (RfcChain.Hop hop : chain.hops()) {
            for (WorkflowRunner.JobRun consumer : hop.consumerRuns()) {
                assertTrue(consumer.summary().contains("trace `" + first + "`"), consumer.summary());
            }
        }

        // What each consumer did, on record in the event history (events record) under its event's id and type.
        JsonNode monitored = acted(chain.hops().get(0), "monitor-started");
        assertEquals(String.valueOf(issue), monitored.at("/detail/issue").asText(), monitored.toString());
        JsonNode dispatchedCi = acted(chain.hops().get(1), "ci-dispatched");
        assertEquals(JSON.readTree("{\"pr\":\"" + pr + "\",\"workflow\":\"ci.yml\",\"ref\":\"" + BRANCH + "\"}"), dispatchedCi.get("detail"));
        JsonNode attempted = acted(ready, "merge-attempted");
        assertEquals("merged", attempted.at("/detail/result").asText(), attempted.toString());
        // source is $GITHUB_WORKFLOW: a called workflow has its caller's (GitHub docs, "Reusing workflows").
        assertEquals(routing == RfcChain.Routing.DISPATCH ? "Merge orchestrator" : "Event router (workflow_call)",
                attempted.path("source").asText(), attempted.toString());
        return chain.hops();
    }

    /**
     * The one outcome record (events record: status acted) in the event history under the hop's event id, with this
     * outcome and the hop's event type, written by a consumer of the hop.
     */
    static JsonNode acted(RfcChain.Hop hop, String outcome) throws IOException {
        String id = JSON.readTree(hop.event().toFile()).at("/client_payload/event_id").asText();
        List<JsonNode> found = RouteHistoryTest.records(testbed.github()).stream()
                .filter(r -> "acted".equals(r.path("status").asText()) && id.equals(r.path("event_id").asText())).toList();
        assertEquals(List.of(outcome), found.stream().map(r -> r.path("outcome").asText()).toList(),
                "the outcomes on record for " + hop.eventType() + " " + id + ": " + found);
        assertEquals(hop.eventType(), found.get(0).path("event_type").asText(), found.toString());
        return found.get(0);
    }

    /** The router's record of the hop's event in the checkout's event log. */
    static JsonNode routerRecord(RfcChain.Hop hop) throws IOException {
        String id = JSON.readTree(hop.event().toFile()).at("/client_payload/event_id").asText();
        JsonNode found = null;
        for (String line : Files.readAllLines(hop.router().workspace().resolve("event_log.jsonl"))) {
            JsonNode record = JSON.readTree(line);
            found = id.equals(record.path("event_id").asText()) && record.has("targets") ? record : found;
        }
        assertTrue(found != null, "no record of " + id);
        return found;
    }

    /** The workflows dispatched by request, CI's left out. */
    static List<String> dispatched() {
        return testbed.github().journal("POST", "/repos/" + REPO + "/actions/workflows/[^/]+/dispatches").stream()
                .map(e -> e.path().replaceFirst(".*/workflows/", "").replaceFirst("/dispatches$", ""))
                .filter(w -> !w.equals("ci.yml")).toList();
    }

    @Test
    void aPullRequestThatCannotBeMergedIsBlockedAndTheAuthorToldWhy() throws Exception {
        RfcChain chain = new RfcChain(github, fixture);
        int issue = DedupeTest.openIssue(github, "RFC-093-03: the other widget");
        int pr = chain.openPullRequest("copilot/rfc-093-03", issue);
        github.setMergeable(REPO, pr, "dirty");
        RfcChain.Hop blocked = expect(chain.ciFinished(pr, "failure"), "rfc.pr.blocked", "auto-remediator.yml");
        assertEquals(JSON.readTree("[\"checks:failing:build\",\"merge-conflict\"]"),
                JSON.readTree(blocked.event().toFile()).at("/client_payload/data/blockers"));
        assertTrue(labels(pr).contains("rfc:blocked"));
        assertTrue(github.comments(REPO, pr).stream().anyMatch(c -> String.valueOf(c.get("body")).contains("`merge-conflict`: rebase")),
                "the author is told what to do");
        // The remediation on record: the pull request, how many blockers, and the comment GitHub created.
        JsonNode posted = acted(blocked, "remediation-posted");
        Object commentId = github.comments(REPO, pr).stream().filter(c -> String.valueOf(c.get("body")).contains("is blocked"))
                .reduce((a, b) -> b).orElseThrow().get("id");
        assertEquals(JSON.readTree("{\"pr\":\"" + pr + "\",\"blockers\":\"2\",\"comment_id\":\"" + commentId + "\"}"), posted.get("detail"));
    }

    @Test
    void aPullRequestFromAForkIsNotTheChains() throws Exception {
        github.addFork(REPO, "mallory/octo-repo");
        github.addBranch("mallory/octo-repo", BRANCH);
        github.commitFile("mallory/octo-repo", BRANCH, "evil.txt", "x\n", "Looks like an RFC branch");
        int pr = github.createPullRequest(REPO, "mallory:" + BRANCH, "main", "RFC-093-02", "Fixes #1", "mallory");
        Path opened = github.deliverPullRequestTarget(REPO, pr, "opened");
        int delivered = github.deliveredEvents(REPO).size();
        WorkflowRunner.JobRun detector = fixture.runWorkflow("pr-creation-detector.yml", "emit", "pull_request_target", opened, Map.of());
        assertEquals(delivered, github.deliveredEvents(REPO).size(), "nothing emitted: " + RouterWorkflowTest.describe(detector));
    }

    // ---- helpers ----

    /** The hop emitted this type, the router routed it, and it started these consumers, all successfully. */
    static RfcChain.Hop expect(RfcChain.Hop hop, String type, String... consumers) throws IOException {
        assertEquals(type, hop.eventType());
        assertTrue(hop.succeeded(), RouterWorkflowTest.describe(hop.producer()) + RouterWorkflowTest.describe(hop.router())
                + hop.consumerRuns().stream().map(RouterWorkflowTest::describe).toList());
        assertEquals("routed", RouterWorkflowTest.lastLogRecord(hop.router()).path("status").asText());
        assertEquals(List.of(consumers), hop.consumers(), type + " started these consumers");
        return hop;
    }

    static List<String> labels(int number) {
        return testbed.github().issues(REPO).stream().filter(i -> ((Number) i.get("number")).intValue() == number).findFirst()
                .map(i -> ((List<?>) i.get("labels")).stream().map(l -> String.valueOf(((Map<?, ?>) l).get("name"))).toList())
                .orElseThrow();
    }
}
