import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * workflows/pr-creation-detector.yml as written, on the pull_request_target events the emulator delivers: it fires for
 * the Copilot coding agent's pull requests without running their code, skips drafts until a person marks them ready,
 * and refuses bad input with exit 2 and nothing emitted. (The closing keywords themselves: ClosingKeywordsTest.)
 */
class PrCreationDetectorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String BRANCH = "copilot/rfc-093-02";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();


    @Test
    void itRunsOnPullRequestTargetAndChecksOutTheBaseCommitItCameFrom() throws IOException {
        // pull_request would wait for "Approve and run workflows" on Copilot's pull requests; pull_request_target runs the
        // default branch's workflow "regardless of approval settings" (docs: "Approving workflow runs from forks").
        JsonNode workflow = RouterFixture.YAML.readTree(RouterFixture.WORKFLOWS.resolve("pr-creation-detector.yml").toFile());
        assertEquals(List.of("pull_request_target"), iterate(workflow.path("on").fieldNames()));
        assertEquals(JSON.readTree("[\"opened\",\"reopened\",\"ready_for_review\"]"), workflow.at("/on/pull_request_target/types"));
        JsonNode job = workflow.at("/jobs/emit");
        JsonNode checkout = null;
        for (JsonNode step : job.path("steps")) {
            if (step.path("uses").asText().startsWith("actions/checkout@")) {
                checkout = step;
            }
        }
        assertTrue(checkout != null, "the job checks the base out");
        assertEquals("${{ github.sha }}", checkout.at("/with/ref").asText(), "the base commit, named, never the head");
        assertEquals("false", checkout.at("/with/persist-credentials").asText());
        assertEquals(JSON.readTree("{\"contents\":\"write\"}"), job.path("permissions"), "no write beyond emit's");
        for (JsonNode step : job.path("steps")) {
            boolean token = step.path("env").has("GITHUB_TOKEN");
            assertEquals(step.path("name").asText().startsWith("Emit"), token, "only the emit step holds the token: " + step);
        }
    }

    @Test
    void aDraftIsSkippedUntilAPersonMarksItReady() throws Exception {
        int issue = DedupeTest.openIssue(github, "RFC-093-02: add the widget");
        int pr = draftPullRequest("Closed #" + issue);
        int before = dispatches().size();
        WorkflowRunner.JobRun opened = detector(github.deliverPullRequestTarget(REPO, pr, "opened"));
        assertEquals("skipped", opened.steps().get(0).outcome(), RouterWorkflowTest.describe(opened));
        assertEquals(before, dispatches().size(), "nothing emitted for a draft");

        github.markReadyForReview(REPO, pr);
        WorkflowRunner.JobRun ready = detector(github.deliverPullRequestTarget(REPO, pr, "ready_for_review"));
        assertTrue(ready.succeeded(), RouterWorkflowTest.describe(ready));
        List<JsonNode> sent = dispatches();
        assertEquals(before + 1, sent.size());
        JsonNode event = sent.get(sent.size() - 1);
        assertEquals("rfc.pr.created", event.path("action").asText());
        assertEquals(JSON.readTree("{\"pr\":" + pr + ",\"issue\":" + issue + ",\"branch\":\"" + BRANCH + "\"}"), event.at("/client_payload/data"));
    }

    @Test
    void aReferenceByOwnerAndNameToThisRepositoryNamesTheIssue() throws Exception {
        int issue = DedupeTest.openIssue(github, "RFC-093-02: add the widget");
        int pr = pullRequest("Resolved " + REPO + "#" + issue);
        WorkflowRunner.JobRun run = detector(github.deliverPullRequestTarget(REPO, pr, "opened"));
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals(issue, last(dispatches()).at("/client_payload/data/issue").asInt());
    }

    @Test
    void anotherRepositorysIssueIsNotTheChains() throws Exception {
        int pr = pullRequest("Fixes other-org/other-repo#12");
        int before = dispatches().size();
        WorkflowRunner.JobRun run = detector(github.deliverPullRequestTarget(REPO, pr, "opened"));
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertTrue(run.step("Emit rfc.pr.created").stdout().contains("closes no issue of this repository"), RouterWorkflowTest.describe(run));
        assertEquals(before, dispatches().size());
    }

    @Test
    void aMalformedClosingReferenceIsRefusedAndNothingEmitted() throws Exception {
        int pr = pullRequest("Fixes #");
        int before = dispatches().size();
        WorkflowRunner.JobRun run = detector(github.deliverPullRequestTarget(REPO, pr, "opened"));
        WorkflowRunner.Step emit = run.step("Emit rfc.pr.created");
        assertEquals(2, emit.exitCode(), RouterWorkflowTest.describe(run));
        assertEquals("::error::#" + pr + ": malformed closing reference \"Fixes #\": the issue number must be a positive integer; nothing emitted\n",
                emit.stdout());
        assertEquals(before, dispatches().size());
    }

    @Test
    void aPullRequestNumberThatIsNotAPositiveIntegerIsRefused() throws Exception {
        int pr = pullRequest("Fixes #1");
        ObjectNode event = (ObjectNode) JSON.readTree(github.deliverPullRequestTarget(REPO, pr, "opened").toFile());
        ((ObjectNode) event.path("pull_request")).put("number", "1; echo pwned");
        Path forged = Files.writeString(temp.resolve("forged.json"), event.toString());
        int before = dispatches().size();
        WorkflowRunner.JobRun run = detector(forged);
        WorkflowRunner.Step emit = run.step("Emit rfc.pr.created");
        assertEquals(2, emit.exitCode(), RouterWorkflowTest.describe(run));
        assertEquals("::error::the event's pull request number is not a positive integer: 1\\;\\ echo\\ pwned; nothing emitted\n", emit.stdout());
        assertEquals(before, dispatches().size());
    }

    @Test
    void aPullRequestIntoAnotherBranchIsSkipped() throws Exception {
        // GitHub reads closing keywords only in pull requests into the default branch.
        github.addBranch(REPO, "release");
        github.addBranch(REPO, BRANCH);
        github.commitFile(REPO, BRANCH, "widget.txt", "the work\n", "Do the work");
        int pr = github.createPullRequest(REPO, BRANCH, "release", "RFC-093-02", "Fixes #1", "Copilot");
        int before = dispatches().size();
        WorkflowRunner.JobRun run = detector(github.deliverPullRequestTarget(REPO, pr, "opened"));
        assertEquals("skipped", run.steps().get(0).outcome());
        assertEquals(before, dispatches().size());
    }

    // ---- helpers ----

    int pullRequest(String body) {
        github.addBranch(REPO, BRANCH);
        github.commitFile(REPO, BRANCH, "widget.txt", "the work\n", "Do the work");
        return github.createPullRequest(REPO, BRANCH, "main", "RFC-093-02: add the widget", body, "Copilot");
    }

    int draftPullRequest(String body) {
        github.addBranch(REPO, BRANCH);
        github.commitFile(REPO, BRANCH, "widget.txt", "the work\n", "Do the work");
        return github.createPullRequest(REPO, BRANCH, "main", "[WIP] RFC-093-02: add the widget", body, "Copilot", true);
    }

    WorkflowRunner.JobRun detector(Path event) throws IOException, InterruptedException {
        return fixture.runWorkflow("pr-creation-detector.yml", "emit", "pull_request_target", event, Map.of());
    }

    /** The repository dispatches GitHub delivered, oldest first. */
    static List<JsonNode> dispatches() throws IOException {
        List<JsonNode> sent = new java.util.ArrayList<>();
        for (Path file : testbed.github().deliveredEvents(REPO)) {
            JsonNode event = JSON.readTree(file.toFile());
            if (event.has("client_payload")) {
                sent.add(event);
            }
        }
        return sent;
    }

    static JsonNode last(List<JsonNode> list) {
        return list.get(list.size() - 1);
    }

    static <T> List<T> iterate(java.util.Iterator<T> iterator) {
        List<T> all = new java.util.ArrayList<>();
        iterator.forEachRemaining(all::add);
        return all;
    }
}
