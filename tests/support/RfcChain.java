import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The RFC's chain, hop by hop, as GitHub and the workflows would run it on the emulator: what a
 * person or Copilot does (assign an issue, open a pull request, CI finishing), then the producer
 * workflow on the event GitHub delivers, the router on each repository_dispatch, and the consumers
 * on the runs the router started (or, routed by workflow_call, inside the router's run). Shared by
 * ChainTest and the demo.
 */
final class RfcChain {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    /** One hop: the producer's run, the router's run on the event it emitted, and the consumers' runs. */
    record Hop(String eventType, Path event, WorkflowRunner.JobRun producer, WorkflowRunner.JobRun router,
               List<String> consumers, List<WorkflowRunner.JobRun> consumerRuns) {
        boolean succeeded() {
            return producer.succeeded() && router.succeeded() && consumerRuns.stream().allMatch(WorkflowRunner.JobRun::succeeded);
        }
    }

    /**
     * How the router starts the consumers: DISPATCH runs workflows/event-router.yml's job, which dispatches each
     * consumer (a run of its own, run here afterwards); CALL runs the compiled router, workflows/event-router-call.yml,
     * whose route-N jobs call the consumers inside the router's run.
     */
    enum Routing { DISPATCH, CALL }

    private final GitHubEmulator github;
    private final RouterFixture fixture;
    private final Routing routing;
    private final List<Hop> hops = new ArrayList<>();

    RfcChain(GitHubEmulator github, RouterFixture fixture) {
        this(github, fixture, Routing.DISPATCH);
    }

    RfcChain(GitHubEmulator github, RouterFixture fixture, Routing routing) {
        this.github = github;
        this.fixture = fixture;
        this.routing = routing;
        github.addWorkflow(REPO, "ci.yml", Map.of()); // the repository's CI, which the CI dispatcher starts
    }

    List<Hop> hops() {
        return hops;
    }

    /** A person assigns the issue: rfc-assignment.yml emits rfc.issue.assigned. */
    Hop assign(int issue) throws IOException, InterruptedException {
        Path assigned = github.deliverIssueAssigned(REPO, issue, "Copilot", "octocat");
        return hop(fixture.runWorkflow("rfc-assignment.yml", "emit", "issues", assigned, Map.of()));
    }

    /** Copilot pushes the branch and opens a pull request that fixes the issue: the PR creation detector emits rfc.pr.created. */
    int openPullRequest(String branch, int issue) {
        github.addBranch(REPO, branch);
        github.commitFile(REPO, branch, branch.replace('/', '-') + ".txt", "the work\n", "Do the work");
        return github.createPullRequest(REPO, branch, "main", branch, "Fixes #" + issue, "Copilot");
    }

    /**
     * GitHub delivers pull_request_target for the opened pull request (the detector's trigger: it runs the base's workflow
     * with no approval, where pull_request would wait for one on Copilot's pull requests).
     */
    Hop pullRequestOpened(int pr) throws IOException, InterruptedException {
        Path opened = github.deliverPullRequestTarget(REPO, pr, "opened");
        return hop(fixture.runWorkflow("pr-creation-detector.yml", "emit", "pull_request_target", opened, Map.of()));
    }

    /**
     * CI runs on the head commit and finishes as GitHub Actions reports it: a check run per job (here one, "build",
     * completed with {@code conclusion}), no commit status; then workflow_run completed, on which the readiness
     * evaluator emits rfc.pr.ready or rfc.pr.blocked.
     */
    Hop ciFinished(int pr, String conclusion) throws IOException, InterruptedException {
        String sha = headSha(pr);
        github.addCheckRun(REPO, sha, "build", "completed", conclusion, null, null);
        Path done = github.deliverWorkflowRunCompleted(REPO, "CI", sha, conclusion, List.of(pr));
        return hop(fixture.runWorkflow("readiness-evaluator.yml", "evaluate", "workflow_run", done, Map.of()));
    }

    String headSha(int pr) {
        return String.valueOf(((Map<?, ?>) github.pullRequest(REPO, pr).get("head")).get("sha"));
    }

    /** The event the producer emitted goes through the router, and the consumers it started run. */
    private Hop hop(WorkflowRunner.JobRun producer) throws IOException, InterruptedException {
        Path event = fixture.lastDelivered();
        String type = JSON.readTree(event.toFile()).path("action").asText();
        if (routing == Routing.CALL) {
            return calledHop(type, event, producer);
        }
        int before = github.workflowRuns(REPO).size();
        WorkflowRunner.JobRun router = fixture.route(event);
        List<WorkflowRunner.JobRun> consumerRuns = fixture.runConsumers(before);
        List<Map<String, Object>> runs = github.workflowRuns(REPO);
        List<String> consumers = runs.subList(before, runs.size()).stream().map(r -> String.valueOf(r.get("workflow_file")))
                .filter(f -> !f.equals("ci.yml")).toList();
        Hop hop = new Hop(type, event, producer, router, consumers, consumerRuns);
        hops.add(hop);
        return hop;
    }

    /**
     * The compiled router's run on the event: the router is its plan job, the consumers are the workflows its
     * route-N jobs called (in route order), and their runs are the called jobs, all in the one run.
     */
    private Hop calledHop(String type, Path event, WorkflowRunner.JobRun producer) throws IOException, InterruptedException {
        Map<String, WorkflowRunner.JobRun> run = fixture.routeByCall(event);
        var jobs = RouterFixture.YAML.readTree(fixture.compiledRouter().toFile()).path("jobs");
        List<String> consumers = new ArrayList<>();
        List<WorkflowRunner.JobRun> consumerRuns = new ArrayList<>();
        run.forEach((job, jobRun) -> {
            if (job.contains("/")) {
                String file = jobs.path(job.substring(0, job.indexOf('/'))).path("uses").asText().replaceFirst("^\\./\\.github/workflows/", "");
                if (!consumers.contains(file)) {
                    consumers.add(file);
                }
                consumerRuns.add(jobRun);
            }
        });
        Hop hop = new Hop(type, event, producer, run.get("plan"), consumers, consumerRuns);
        hops.add(hop);
        return hop;
    }
}
