import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * workflows/chain-health-scan.yml as written, on its schedule, against states built the way GitHub makes them: it
 * reports duplicate pull requests for one micro id (on different branches: GitHub allows one open pull request per
 * head branch and base), an open pull request GitHub reports as conflicting (mergeable false; GitHub computes no
 * mergeability for a closed one), a lone branch past its threshold and CI queued or in progress past its threshold;
 * each state once, and again when it changes. Thresholds are crossed by moving GitHub's clock, never by waiting.
 * Then the duplicates clean-up on what the scan reports.
 */
class ChainHealthScanTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();


    @Test
    void pullRequestsForOneMicroIdOnTwoBranchesAreDuplicates() throws Exception {
        int first = pullRequest("copilot/rfc-093-02");
        int retry = pullRequest("copilot/rfc-093-02-retry");
        pullRequest("copilot/rfc-093-03");   // another micro id: not a duplicate
        WorkflowRunner.JobRun scan = scan();
        assertEquals(List.of("RFC-093-02 DUPLICATE_PR"), reported());
        assertTrue(scan.step("Find broken chains").stdout().contains("RFC-093-02 DUPLICATE_PR prs=" + first + "," + retry), RouterWorkflowTest.describe(scan));
    }

    @Test
    void aForksPullRequestIsNotTheChains() throws Exception {
        pullRequest("copilot/rfc-093-02");
        github.addFork(REPO, "mallory/octo-repo");
        github.addBranch("mallory/octo-repo", "copilot/rfc-093-02-retry");
        github.commitFile("mallory/octo-repo", "copilot/rfc-093-02-retry", "evil.txt", "x\n", "Looks like a retry");
        github.createPullRequest(REPO, "mallory:copilot/rfc-093-02-retry", "main", "RFC-093-02", "Fixes #1", "mallory");
        scan();
        assertEquals(List.of(), reported());
    }

    @Test
    void anUnchangedStateIsReportedOnce() throws Exception {
        pullRequest("copilot/rfc-093-02");
        pullRequest("copilot/rfc-093-02-retry");
        scan();
        WorkflowRunner.JobRun again = scan();
        assertEquals(List.of("RFC-093-02 DUPLICATE_PR"), reported(), "two scans, one event");
        assertTrue(again.step("Emit rfc.chain.broken").stdout().contains("RFC-093-02 DUPLICATE_PR: unchanged since it was reported"),
                RouterWorkflowTest.describe(again));
    }

    @Test
    void aChangedStateIsReportedAgain() throws Exception {
        pullRequest("copilot/rfc-093-02");
        pullRequest("copilot/rfc-093-02-retry");
        scan();
        pullRequest("copilot/rfc-093-02-third");
        scan();
        assertEquals(List.of("RFC-093-02 DUPLICATE_PR", "RFC-093-02 DUPLICATE_PR"), reported());
        List<JsonNode> sent = dispatches();
        assertTrue(!sent.get(0).at("/client_payload/event_id").equals(sent.get(1).at("/client_payload/event_id")),
                "a new state is a new event, not a duplicate of the first");
    }

    @Test
    void anOpenPullRequestGitHubReportsAsConflictingIsReported() throws Exception {
        int pr = pullRequest("copilot/rfc-093-02");
        int draft = pullRequest("copilot/rfc-094-01", true);
        github.setMergeable(REPO, pr, "dirty");
        github.setMergeable(REPO, draft, "dirty");
        scan();
        assertEquals(List.of("RFC-093-02 PR_CONFLICT"), reported(), "a draft is its author's work in progress");
    }

    @Test
    void aClosedPullRequestsMergeabilityIsNeverRead() throws Exception {
        int pr = pullRequest("copilot/rfc-093-02");
        github.setMergeable(REPO, pr, "dirty");
        close(pr);
        github.clearJournal();
        scan();
        assertEquals(List.of(), reported(), "GitHub computes no mergeability for a closed pull request");
        assertEquals(List.of(), github.journal("GET", ".*/pulls/" + pr));
    }

    @Test
    void mergeabilityNotComputedYetIsLeftToTheNextScan() throws Exception {
        // GitHub answers mergeable null until its background job has run: asked again, then left alone.
        int pr = pullRequest("copilot/rfc-093-02");
        github.setMergeable(REPO, pr, "unknown");
        github.clearJournal();
        scan();
        assertEquals(List.of(), reported());
        assertEquals(3, github.journal("GET", ".*/pulls/" + pr).size(), "asked three times");
    }

    @Test
    void aBranchWithNoPullRequestIsReportedPastItsThreshold() throws Exception {
        branch("copilot/rfc-094-01");
        scan();
        assertEquals(List.of(), reported(), "a fresh branch: its pull request may be on its way");
        github.advanceClock(Duration.ofHours(3));
        scan();
        assertEquals(List.of("RFC-094-01 BRANCH_ONLY"), reported());
    }

    @Test
    void aBranchWhosePullRequestWasClosedIsNotABranchWithout() throws Exception {
        int pr = pullRequest("copilot/rfc-094-01");
        close(pr);
        github.advanceClock(Duration.ofHours(3));
        scan();
        assertEquals(List.of(), reported());
    }

    @Test
    void aNewCommitOnALoneBranchIsAChangedState() throws Exception {
        branch("copilot/rfc-094-01");
        github.advanceClock(Duration.ofHours(3));
        scan();
        github.commitFile(REPO, "copilot/rfc-094-01", "more.txt", "more\n", "More work");
        github.advanceClock(Duration.ofHours(3));
        scan();
        assertEquals(List.of("RFC-094-01 BRANCH_ONLY", "RFC-094-01 BRANCH_ONLY"), reported());
    }

    @Test
    void checksQueuedOrInProgressPastTheThresholdAreStuck() throws Exception {
        int stuck = pullRequest("copilot/rfc-093-02");
        int done = pullRequest("copilot/rfc-093-03");
        github.addCheckRun(REPO, headSha(stuck), "build", "in_progress", null, null, null);
        github.addCheckRun(REPO, headSha(stuck), "lint", "queued", null, null, null);
        github.addCheckRun(REPO, headSha(done), "build", "completed", "success", null, null);
        scan();
        assertEquals(List.of(), reported(), "started moments ago");
        github.advanceClock(Duration.ofHours(3));
        WorkflowRunner.JobRun scan = scan();
        assertEquals(List.of("RFC-093-02 CI_STUCK"), reported());
        assertTrue(scan.step("Find broken chains").stdout().lines().anyMatch(l -> l.matches("RFC-093-02 CI_STUCK pr=" + stuck + "@[0-9a-f]{40};check-runs=\\d+,\\d+")),
                RouterWorkflowTest.describe(scan));
    }

    // ---- the clean-up of what the scan reports ----

    @Test
    void theDuplicatesCleanUpKeepsTheOldestAcrossBranches() throws Exception {
        int first = pullRequest("copilot/rfc-093-02");
        int retry = pullRequest("copilot/rfc-093-02-retry");
        WorkflowRunner.JobRun run = cleanUp("RFC-093-02", "DUPLICATE_PR");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals("open", github.pullRequest(REPO, first).get("state"));
        assertEquals("closed", github.pullRequest(REPO, retry).get("state"));
        assertTrue(github.comments(REPO, retry).stream().anyMatch(c -> String.valueOf(c.get("body")).contains("a duplicate of #" + first)));
        assertEquals(JSON.readTree("{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\",\"action\":\"closed-duplicates\",\"prs\":\"" + retry
                + "\",\"kept\":\"" + first + "\"}"), cleanedUp().get("detail"), "what was done, on record");
    }

    @Test
    void theDuplicatesCleanUpLabelsAConflictingPullRequest() throws Exception {
        int pr = pullRequest("copilot/rfc-093-02");
        int other = pullRequest("copilot/rfc-093-02-retry");
        github.setMergeable(REPO, pr, "dirty");
        WorkflowRunner.JobRun run = cleanUp("RFC-093-02", "PR_CONFLICT");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals(List.of("rfc:conflict"), labels(pr));
        assertEquals(List.of(), labels(other));
        assertEquals(JSON.readTree("{\"chain_id\":\"RFC-093-02\",\"reason\":\"PR_CONFLICT\",\"action\":\"labelled-conflicting\",\"prs\":\"" + pr + "\"}"),
                cleanedUp().get("detail"), "what was done, on record");
    }

    @Test
    void theDuplicatesCleanUpWithNothingLeftToDoRecordsThatNothingWasDone() throws Exception {
        pullRequest("copilot/rfc-093-02");
        WorkflowRunner.JobRun run = cleanUp("RFC-093-02", "DUPLICATE_PR");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals("", cleanedUp().at("/detail/prs").asText(), "no pull request closed: the duplicate had gone before the event came");
    }

    @Test
    void theStalledCleanUpStartsCiAgainOnAStuckChainAndRecordsIt() throws Exception {
        github.addWorkflow(REPO, "ci.yml", Map.of()); // the repository's CI, which the clean-up starts again
        branch("copilot/rfc-093-02");
        WorkflowRunner.JobRun run = stalledCleanUp("RFC-093-02", "CI_STUCK");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertTrue(github.workflowRuns(REPO).stream().anyMatch(r -> "ci.yml".equals(r.get("workflow_file"))
                && "copilot/rfc-093-02".equals(r.get("head_branch"))), "CI started again on the chain's branch");
        assertEquals(JSON.readTree("{\"chain_id\":\"RFC-093-02\",\"reason\":\"CI_STUCK\",\"action\":\"restarted-ci\","
                + "\"branch\":\"copilot/rfc-093-02\",\"workflow\":\"ci.yml\"}"), cleanedUp().get("detail"));
    }

    @Test
    void theStalledCleanUpReportsALoneBranchAndRecordsIt() throws Exception {
        branch("copilot/rfc-093-02");
        WorkflowRunner.JobRun run = stalledCleanUp("RFC-093-02", "BRANCH_ONLY");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertTrue(run.summary().contains("`copilot/rfc-093-02` has no pull request"), run.summary());
        assertEquals(JSON.readTree("{\"chain_id\":\"RFC-093-02\",\"reason\":\"BRANCH_ONLY\",\"action\":\"reported-branch\","
                + "\"branch\":\"copilot/rfc-093-02\"}"), cleanedUp().get("detail"));
    }

    @Test
    void aCleanUpThatFailsRecordsNothing() throws Exception {
        WorkflowRunner.JobRun run = stalledCleanUp("not-a-chain", "CI_STUCK");
        assertEquals("failure", run.step("Restart CI, or report the branch").outcome(), RouterWorkflowTest.describe(run));
        assertEquals("skipped", run.step("Record the outcome").outcome(), RouterWorkflowTest.describe(run));
        assertTrue(github.refs(REPO).stream().noneMatch(r -> r.equals("refs/heads/event-bus-history")), "no outcome on record: no history at all");
    }

    @Test
    void theStalledCleanUpRefusesAReasonNotItsOwnAndDoesNothing() throws Exception {
        github.addWorkflow(REPO, "ci.yml", Map.of());
        branch("copilot/rfc-093-02");
        WorkflowRunner.JobRun run = stalledCleanUp("RFC-093-02", "DUPLICATE_PR");
        WorkflowRunner.Step cleanUp = run.step("Restart CI, or report the branch");
        assertEquals(2, cleanUp.exitCode(), RouterWorkflowTest.describe(run));
        assertTrue(cleanUp.stdout().contains("::error::not a reason of this clean-up: DUPLICATE_PR"), cleanUp.stdout());
        assertTrue(github.workflowRuns(REPO).stream().noneMatch(r -> "ci.yml".equals(r.get("workflow_file"))), "CI not started");
        assertEquals("", run.summary(), "no branch reported");
        assertEquals("skipped", run.step("Record the outcome").outcome(), RouterWorkflowTest.describe(run));
    }

    @Test
    void theStalledCleanUpPrintsABadChainIdQuotedSoItCannotIssueWorkflowCommands() throws Exception {
        WorkflowRunner.JobRun run = stalledCleanUp("x\n::add-mask::RFC", "CI_STUCK");
        WorkflowRunner.Step cleanUp = run.step("Restart CI, or report the branch");
        assertEquals(2, cleanUp.exitCode(), RouterWorkflowTest.describe(run));
        assertTrue(cleanUp.stdout().lines().noneMatch(line -> line.startsWith("::add-mask::")), cleanUp.stdout());
        assertTrue(cleanUp.stdout().contains("::error::not a chain id (RFC-093-02): $'x\\n::add-mask::RFC'"), cleanUp.stdout());
    }

    // ---- helpers ----

    int pullRequest(String branch) {
        return pullRequest(branch, false);
    }

    int pullRequest(String branch, boolean draft) {
        branch(branch);
        return github.createPullRequest(REPO, branch, "main", branch, "Fixes #1", "Copilot", draft);
    }

    void branch(String branch) {
        github.addBranch(REPO, branch);
        github.commitFile(REPO, branch, branch.replace('/', '-') + ".txt", "the work\n", "Do the work");
    }

    static String headSha(int pr) {
        return String.valueOf(((Map<?, ?>) testbed.github().pullRequest(REPO, pr).get("head")).get("sha"));
    }

    WorkflowRunner.JobRun scan() throws IOException, InterruptedException {
        WorkflowRunner.JobRun run = fixture.runWorkflow("chain-health-scan.yml", "scan", "schedule", null, Map.of());
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        return run;
    }

    static final String CLEAN_UP_EVENT = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    WorkflowRunner.JobRun cleanUp(String chain, String reason) throws IOException, InterruptedException {
        return cleanUp("rfc-cleanup-duplicates.yml", chain, reason);
    }

    WorkflowRunner.JobRun stalledCleanUp(String chain, String reason) throws IOException, InterruptedException {
        return cleanUp("cleanup-stalled-prs.yml", chain, reason);
    }

    WorkflowRunner.JobRun cleanUp(String workflow, String chain, String reason) throws IOException, InterruptedException {
        Map<String, String> inputs = Map.of("chain_id", chain, "reason", reason, "event_id", CLEAN_UP_EVENT);
        Path event = Files.writeString(temp.resolve("workflow_dispatch.json"), JSON.createObjectNode().set("inputs", JSON.valueToTree(inputs)).toString());
        return fixture.runWorkflow(workflow, "clean-up", "workflow_dispatch", event, inputs);
    }

    /** The clean-up's one outcome in the event history (events record): cleaned-up, under the event's id and type. */
    JsonNode cleanedUp() throws IOException {
        List<JsonNode> acted = RouteHistoryTest.records(github).stream().filter(r -> "acted".equals(r.path("status").asText())).toList();
        assertEquals(1, acted.size(), acted.toString());
        assertEquals("cleaned-up", acted.get(0).path("outcome").asText(), acted.toString());
        assertEquals(CLEAN_UP_EVENT, acted.get(0).path("event_id").asText(), acted.toString());
        assertEquals("rfc.chain.broken", acted.get(0).path("event_type").asText(), acted.toString());
        return acted.get(0);
    }

    /** A person closes the pull request (PATCH /pulls/{n} state closed). */
    static void close(int pr) throws IOException, InterruptedException {
        HttpResponse<String> closed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(testbed.github().url() + "/repos/" + REPO + "/pulls/" + pr))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).header("Accept", "application/vnd.github+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"state\":\"closed\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, closed.statusCode(), closed.body());
    }

    /** The repository dispatches GitHub delivered, oldest first. */
    static List<JsonNode> dispatches() throws IOException {
        List<JsonNode> sent = new ArrayList<>();
        for (Path file : testbed.github().deliveredEvents(REPO)) {
            JsonNode event = JSON.readTree(file.toFile());
            if (event.has("client_payload")) {
                sent.add(event);
            }
        }
        return sent;
    }

    /** "CHAIN REASON" of each rfc.chain.broken emitted so far. */
    static List<String> reported() throws IOException {
        return dispatches().stream().filter(e -> e.path("action").asText().equals("rfc.chain.broken"))
                .map(e -> e.at("/client_payload/data/chain_id").asText() + " " + e.at("/client_payload/data/reason").asText()).toList();
    }

    /** The labels of an issue or pull request. */
    static List<String> labels(int number) {
        return testbed.github().issues(REPO).stream().filter(i -> ((Number) i.get("number")).intValue() == number).findFirst()
                .map(i -> ((List<?>) i.get("labels")).stream().map(l -> String.valueOf(((Map<?, ?>) l).get("name"))).toList())
                .orElseThrow();
    }
}
