import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * workflows/merge-orchestrator.yml as written, run with the inputs the router gives it for rfc.pr.ready: the merge
 * names the head found ready (sha) and a method the repository allows, and GitHub's refusals (405, 409) become
 * rfc.pr.blocked carrying GitHub's message. GitHub's answers as documented (pulls/merge): 405 "if merge cannot be
 * performed", 409 "if sha was provided and pull request head did not match".
 */
class MergeOrchestratorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String BRANCH = "copilot/rfc-093-02";
    static final String MERGE = "/repos/" + REPO + "/pulls/\\d+/merge|/repositories/\\d+/pulls/\\d+/merge";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();


    @Test
    void aRepositoryThatDisallowsSquashMergesIsMergedWithAMergeCommit() throws Exception {
        github.setMergeMethods(REPO, true, false, true);
        int pr = pullRequest();
        String sha = headSha(pr);
        WorkflowRunner.JobRun run = merge(pr, sha, "");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals(true, github.pullRequest(REPO, pr).get("merged"));
        assertEquals(JSON.readTree("{\"merge_method\":\"merge\",\"sha\":\"" + sha + "\"}"), JSON.readTree(mergeRequests().get(0).requestBody()));
        WorkflowRunner.Step step = run.step("merge");
        assertEquals(Map.of("result", "merged", "sha", sha, "method", "merge", "merged", "true"), without(step.outputs(), "merge_attempted_at"));
    }

    @Test
    void squashIsTriedFirstWhenTheRepositoryAllowsIt() throws Exception {
        int pr = pullRequest();
        merge(pr, headSha(pr), "");
        assertEquals("squash", JSON.readTree(mergeRequests().get(0).requestBody()).path("merge_method").asText());
    }

    @Test
    void theMergeMethodInputOverridesTheRepositorysFirstChoice() throws Exception {
        int pr = pullRequest();
        WorkflowRunner.JobRun run = merge(pr, headSha(pr), "rebase");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals("rebase", JSON.readTree(mergeRequests().get(0).requestBody()).path("merge_method").asText());
        assertEquals("rebase", run.step("merge").outputs().get("method"));
    }

    @Test
    void anUnknownMergeMethodIsRefusedAndNothingMerged() throws Exception {
        int pr = pullRequest();
        WorkflowRunner.JobRun run = merge(pr, headSha(pr), "fast-forward");
        WorkflowRunner.Step step = run.step("merge");
        assertEquals(2, step.exitCode(), RouterWorkflowTest.describe(run));
        assertEquals("::error::unknown merge method fast-forward: merge, squash or rebase; nothing merged\n", step.stdout());
        assertEquals(List.of(), mergeRequests());
        assertEquals(false, github.pullRequest(REPO, pr).get("merged"));
    }

    @Test
    void aMethodTheRepositoryDisallowsIsRefusedBeforeAsking() throws Exception {
        github.setMergeMethods(REPO, true, false, false);
        int pr = pullRequest();
        WorkflowRunner.Step step = merge(pr, headSha(pr), "squash").step("merge");
        assertEquals(2, step.exitCode());
        assertEquals("::error::merge_method squash is not allowed in this repository (allowed: merge); nothing merged\n", step.stdout());
        assertEquals(List.of(), mergeRequests());
    }

    @Test
    void aCommitPushedAfterReadinessIsNotMerged() throws Exception {
        int pr = pullRequest();
        String ready = headSha(pr);
        github.commitFile(REPO, BRANCH, "late.txt", "pushed after the checks went green\n", "A late commit");
        WorkflowRunner.JobRun run = merge(pr, ready, "");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals(false, github.pullRequest(REPO, pr).get("merged"), "GitHub refused: the head moved (409)");
        assertEquals(409, mergeRequests().get(0).status());
        assertEquals("blocked", run.step("merge").outputs().get("result"));
        assertEquals(ready, run.step("merge").outputs().get("sha"));
        JsonNode blocked = lastDispatch();
        assertEquals("rfc.pr.blocked", blocked.path("action").asText());
        assertEquals(JSON.readTree("{\"pr\":" + pr + ",\"blockers\":[\"merge:head-moved: Head branch was modified. Review and try the merge again.\"]}"),
                blocked.at("/client_payload/data"));
    }

    @Test
    void aRequiredReviewIsReportedInGitHubsWords() throws Exception {
        // Copilot's pull request: the person who asked for it cannot give the approval that counts.
        github.setRequiredApprovingReviews(REPO, "main", 1);
        int pr = pullRequest();
        WorkflowRunner.JobRun run = merge(pr, headSha(pr), "");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals(405, mergeRequests().get(0).status());
        assertEquals(JSON.readTree("[\"merge:refused: At least 1 approving review is required by reviewers with write access.\"]"),
                lastDispatch().at("/client_payload/data/blockers"));
    }

    @Test
    void anOlderEventWithoutHeadShaMergesTheHeadAsItIsAndSaysSo() throws Exception {
        int pr = pullRequest();
        String sha = headSha(pr);
        WorkflowRunner.JobRun run = merge(pr, "", "");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals(true, github.pullRequest(REPO, pr).get("merged"));
        assertEquals(sha, JSON.readTree(mergeRequests().get(0).requestBody()).path("sha").asText());
        assertTrue(run.summary().contains("rfc.pr.ready carries no head_sha"), run.summary());
    }

    @Test
    void aMalformedHeadShaIsRefused() throws Exception {
        int pr = pullRequest();
        WorkflowRunner.Step step = merge(pr, "ABC", "").step("merge");
        assertEquals(2, step.exitCode());
        assertEquals("::error::head_sha must be 40 lowercase hex digits, not ABC; nothing merged\n", step.stdout());
        assertEquals(List.of(), mergeRequests());
    }

    // ---- helpers ----

    int pullRequest() {
        github.addBranch(REPO, BRANCH);
        github.commitFile(REPO, BRANCH, "widget.txt", "the work\n", "Do the work");
        return github.createPullRequest(REPO, BRANCH, "main", "RFC-093-02: add the widget", "Fixes #1", "Copilot");
    }

    static String headSha(int pr) {
        return String.valueOf(((Map<?, ?>) testbed.github().pullRequest(REPO, pr).get("head")).get("sha"));
    }

    /** The orchestrator's run for rfc.pr.ready, with the inputs the router maps (and merge_method when not empty). */
    WorkflowRunner.JobRun merge(int pr, String headSha, String method) throws IOException, InterruptedException {
        Map<String, String> inputs = new HashMap<>(Map.of("pr", String.valueOf(pr), "checks_status", "green",
                "event_id", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "trace_id", "7c9e6679-7425-40de-944b-e07fc1f90ae7"));
        if (!headSha.isEmpty()) {
            inputs.put("head_sha", headSha);
        }
        if (!method.isEmpty()) {
            inputs.put("merge_method", method);
        }
        Path event = Files.writeString(temp.resolve("workflow_dispatch.json"), JSON.createObjectNode().set("inputs", JSON.valueToTree(inputs)).toString());
        return fixture.runWorkflow("merge-orchestrator.yml", "merge", "workflow_dispatch", event, inputs);
    }

    static List<GitHubEmulator.JournalEntry> mergeRequests() {
        return testbed.github().journal("PUT", MERGE);
    }

    static JsonNode lastDispatch() throws IOException {
        List<JsonNode> sent = new ArrayList<>();
        for (Path file : testbed.github().deliveredEvents(REPO)) {
            JsonNode event = JSON.readTree(file.toFile());
            if (event.has("client_payload")) {
                sent.add(event);
            }
        }
        assertFalse(sent.isEmpty(), "nothing was emitted");
        return sent.get(sent.size() - 1);
    }

    static Map<String, String> without(Map<String, String> map, String key) {
        Map<String, String> copy = new HashMap<>(map);
        copy.remove(key);
        return copy;
    }
}
