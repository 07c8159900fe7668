import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * workflows/readiness-evaluator.yml as written, on the events GitHub delivers when CI finishes. Readiness is read as
 * GitHub reports CI: check runs of the head commit (GET /commits/{ref}/check-runs, filter=latest, paged; how GitHub
 * Actions reports every job), and commit statuses only when the head has some (the combined status of a commit with
 * none is "pending": docs, "Get the combined status for a specific reference").
 */
class ReadinessEvaluatorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String BRANCH = "copilot/rfc-093-02";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();
    int issue;

    @BeforeEach
    void checkOut() throws IOException {
        issue = DedupeTest.openIssue(github, "RFC-093-02: add the widget");
    }

    @Test
    void readyWhenEveryLatestCheckRunSucceededOrWasNeutralOrSkipped() throws Exception {
        int pr = pullRequest(false);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", "failure", null, null);
        github.addCheckRun(REPO, sha, "build", "completed", "success", null, null);   // the re-run: the latest of its name counts
        github.addCheckRun(REPO, sha, "lint", "completed", "neutral", null, null);
        github.addCheckRun(REPO, sha, "docs", "completed", "skipped", null, null);
        WorkflowRunner.JobRun run = ciFinished(pr, sha, "success");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        JsonNode ready = onlyDispatch();
        assertEquals("rfc.pr.ready", ready.path("action").asText());
        assertEquals(JSON.readTree("{\"pr\":" + pr + ",\"checks_status\":\"green\",\"head_sha\":\"" + sha + "\"}"), ready.at("/client_payload/data"));
        // No commit status on the head: the combined status ("pending" for none) does not hold it back.
        assertEquals("pending", combinedState(sha));
    }

    @Test
    void blockedNamesTheFailingAndThePendingChecks() throws Exception {
        int pr = pullRequest(false);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", "failure", null, null);
        github.addCheckRun(REPO, sha, "test", "in_progress", null, null, null);
        github.addCheckRun(REPO, sha, "e2e", "completed", "timed_out", null, null);
        github.addCheckRun(REPO, sha, "lint", "completed", "success", null, null);
        ciFinished(pr, sha, "failure");
        JsonNode blocked = onlyDispatch();
        assertEquals("rfc.pr.blocked", blocked.path("action").asText());
        assertEquals(JSON.readTree("[\"checks:failing:build\",\"checks:failing:e2e\",\"checks:pending:test\"]"),
                blocked.at("/client_payload/data/blockers"));
    }

    @Test
    void aHeadWithNoCheckIsNotReady() throws Exception {
        int pr = pullRequest(false);
        ciFinished(pr, headSha(pr), "success");
        assertEquals(JSON.readTree("[\"checks:none\"]"), onlyDispatch().at("/client_payload/data/blockers"));
    }

    @Test
    void commitStatusesCountWhenTheHeadHasSome() throws Exception {
        int pr = pullRequest(false);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
        github.addCommitStatus(REPO, sha, "failure", "ci/legacy");
        ciFinished(pr, sha, "success");
        assertEquals(JSON.readTree("[\"checks:failing:ci/legacy\"]"), onlyDispatch().at("/client_payload/data/blockers"));

        github.addCommitStatus(REPO, sha, "success", "ci/legacy");   // the latest status of the context replaces the failure
        ciFinished(pr, sha, "success");
        List<JsonNode> sent = dispatches();
        assertEquals(2, sent.size());
        assertEquals("rfc.pr.ready", sent.get(1).path("action").asText());
    }

    @Test
    void theEvaluatorsOwnCheckRunIsNotACheckOfTheHead() throws Exception {
        // On GitHub this run's check runs are reported on the default branch's commit (workflow_run's GITHUB_SHA), not
        // on the pull request's head; a check run of this very run on the head is left out all the same.
        int pr = pullRequest(false);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
        int thisRun = fixture.lastRunId() + 1;
        createCheckRun(sha, "evaluate", "https://github.com/" + REPO + "/actions/runs/" + thisRun + "/job/1");
        createCheckRun(sha, "other", "https://github.com/" + REPO + "/actions/runs/" + (thisRun + 100) + "/job/1");
        ciFinished(pr, sha, "success");
        assertEquals(JSON.readTree("[\"checks:pending:other\"]"), onlyDispatch().at("/client_payload/data/blockers"),
                "another run's check run counts; this run's does not");
    }

    @Test
    void checkRunsAreReadPageByPage() throws Exception {
        int pr = pullRequest(false);
        String sha = headSha(pr);
        for (int i = 1; i <= 130; i++) {
            github.addCheckRun(REPO, sha, "job-" + i, "completed", i == 17 ? "failure" : "success", null, null);
        }
        ciFinished(pr, sha, "failure");
        assertEquals(JSON.readTree("[\"checks:failing:job-17\"]"), onlyDispatch().at("/client_payload/data/blockers"));
        assertEquals(2, github.journal("GET", "/repos/" + REPO + "/commits/" + sha + "/check-runs|/repositories/\\d+/commits/" + sha + "/check-runs").size(),
                "two pages of 100");
    }

    @Test
    void aDraftIsNotEvaluated() throws Exception {
        int pr = pullRequest(true);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
        WorkflowRunner.JobRun run = ciFinished(pr, sha, "success");
        assertTrue(run.step("Evaluate each pull request of the run").stdout().contains("#" + pr + ": skipped"), RouterWorkflowTest.describe(run));
        assertEquals(List.of(), dispatches());
    }

    @Test
    void ciStartedOnTheBranchFindsItsPullRequestByTheBranch() throws Exception {
        // The CI dispatcher starts CI with workflow_dispatch on the branch: its workflow_run may list no pull request.
        int pr = pullRequest(false);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
        Path done = github.deliverWorkflowRunCompleted(REPO, "CI", sha, "success", List.of());
        assertEquals(0, JSON.readTree(done.toFile()).at("/workflow_run/pull_requests").size());
        assertEquals(BRANCH, JSON.readTree(done.toFile()).at("/workflow_run/head_branch").asText());
        evaluate("workflow_run", done, Map.of());
        assertEquals(pr, onlyDispatch().at("/client_payload/data/pr").asInt());
    }

    @Test
    void ciOfAnOlderHeadIsNotTheNewHeadsReadiness() throws Exception {
        int pr = pullRequest(false);
        String old = headSha(pr);
        github.addCheckRun(REPO, old, "build", "completed", "success", null, null);
        github.commitFile(REPO, BRANCH, "more.txt", "more\n", "More work");
        WorkflowRunner.JobRun run = ciFinished(pr, old, "success");
        assertTrue(run.step("Evaluate each pull request of the run").stdout().contains("its head moved on"), RouterWorkflowTest.describe(run));
        assertEquals(List.of(), dispatches());
    }

    @Test
    void ciThatIsNotActionsReportsThroughItsCheckSuite() throws Exception {
        // check_suite reaches workflows only for suites of other apps than GitHub Actions ("Events that trigger workflows").
        int pr = pullRequest(false);
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "ci/circleci: build", "completed", "success", null, null, "circleci-checks");
        evaluate("check_suite", github.deliverCheckSuiteCompleted(REPO, sha, "circleci-checks"), Map.of());
        JsonNode ready = onlyDispatch();
        assertEquals("rfc.pr.ready", ready.path("action").asText());
        assertEquals(sha, ready.at("/client_payload/data/head_sha").asText());
    }

    @Test
    void byHandOnePullRequestOrRefusedWhenItsNumberIsNotAPositiveInteger() throws Exception {
        int pr = pullRequest(false);
        github.addCheckRun(REPO, headSha(pr), "build", "completed", "success", null, null);
        WorkflowRunner.JobRun refused = evaluate("workflow_dispatch", dispatchEvent("12abc"), Map.of("pr", "12abc"));
        WorkflowRunner.Step step = refused.step("Evaluate each pull request of the run");
        assertEquals(2, step.exitCode(), RouterWorkflowTest.describe(refused));
        assertEquals("::error::pr must be a positive integer, not 12abc; nothing emitted\n", step.stdout());
        assertEquals(List.of(), dispatches());

        WorkflowRunner.JobRun byHand = evaluate("workflow_dispatch", dispatchEvent(String.valueOf(pr)), Map.of("pr", String.valueOf(pr)));
        assertTrue(byHand.succeeded(), RouterWorkflowTest.describe(byHand));
        assertEquals("rfc.pr.ready", onlyDispatch().path("action").asText());
    }

    // ---- helpers ----

    int pullRequest(boolean draft) {
        github.addBranch(REPO, BRANCH);
        github.commitFile(REPO, BRANCH, "widget.txt", "the work\n", "Do the work");
        return github.createPullRequest(REPO, BRANCH, "main", "RFC-093-02: add the widget", "Fixes #" + issue, "Copilot", draft);
    }

    static String headSha(int pr) {
        return String.valueOf(((Map<?, ?>) testbed.github().pullRequest(REPO, pr).get("head")).get("sha"));
    }

    WorkflowRunner.JobRun ciFinished(int pr, String sha, String conclusion) throws IOException, InterruptedException {
        return evaluate("workflow_run", github.deliverWorkflowRunCompleted(REPO, "CI", sha, conclusion, List.of(pr)), Map.of());
    }

    WorkflowRunner.JobRun evaluate(String eventName, Path event, Map<String, String> inputs) throws IOException, InterruptedException {
        return fixture.runWorkflow("readiness-evaluator.yml", "evaluate", eventName, event, inputs);
    }

    /** The workflow_dispatch event file of a run by hand with this pr input. */
    Path dispatchEvent(String pr) throws IOException {
        return java.nio.file.Files.writeString(temp.resolve("workflow_dispatch-" + pr.hashCode() + ".json"),
                JSON.createObjectNode().set("inputs", JSON.createObjectNode().put("pr", pr)).toString());
    }

    /** A check run made through checks/create by GITHUB_TOKEN (GitHub Actions' app), in progress, with its details_url. */
    static void createCheckRun(String sha, String name, String detailsUrl) throws IOException, InterruptedException {
        String body = JSON.createObjectNode().put("name", name).put("head_sha", sha).put("status", "in_progress")
                .put("details_url", detailsUrl).toString();
        HttpResponse<String> made = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(testbed.github().url() + "/repos/" + REPO + "/check-runs"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).header("Accept", "application/vnd.github+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, made.statusCode(), made.body());
    }

    static String combinedState(String sha) throws IOException, InterruptedException {
        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(testbed.github().url() + "/repos/" + REPO + "/commits/" + sha + "/status"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(status.body()).path("state").asText();
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

    static JsonNode onlyDispatch() throws IOException {
        List<JsonNode> sent = dispatches();
        assertEquals(1, sent.size(), sent.toString());
        return sent.get(0);
    }
}
