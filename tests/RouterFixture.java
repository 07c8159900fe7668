import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What the router workflow needs around it, shared by RouterWorkflowTest and the demo: a
 * consuming repository checked out (routes file and workflows), its consumer workflows known
 * to the emulator with their declared inputs, `jbang` on PATH, and one router job run per event
 * (or, with the compiled router, one whole run: the plan job and the consumers it calls).
 */
final class RouterFixture {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    /** Event timestamps as the contract writes them, always with milliseconds (the demo compiles this file without route.java). */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    static final Path WORKFLOWS = Scripts.ROOT.resolve("workflows");

    private final GitHubEmulator github;
    private final WorkflowRunner router;
    private final Path workspace;
    private final Path jbangDir;
    private int runId = 1000;

    /** Checks the consuming repository out into {@code home}/workspace and registers its workflows. */
    RouterFixture(GitHubEmulator github, Path home, Path jbangDir) throws IOException {
        this.github = github;
        this.jbangDir = jbangDir;
        this.router = new WorkflowRunner(WORKFLOWS.resolve("event-router.yml"));
        this.workspace = Files.createDirectories(home.resolve("workspace"));
        // actions/checkout: the consuming repository's ./jbang wrapper, routes file and workflows.
        Files.createDirectories(workspace.resolve(".git"));
        Files.createSymbolicLink(workspace.resolve("jbang"), Scripts.JBANG);
        Path workflows = Files.createDirectories(workspace.resolve(".github/workflows"));
        Files.copy(Scripts.ROOT.resolve("event-routes.yml"), workspace.resolve(".github/event-routes.yml"));
        for (Path file : workflowFiles()) {
            Files.copy(file, workflows.resolve(file.getFileName()));
        }
        registerConsumerWorkflows();
        registerOrganisationCatalog();
    }

    /**
     * The workflows run ./jbang emit@octo-org: on GitHub, JBang reads github.com/octo-org/jbang-catalog.
     * Here a catalog of that name is this checkout's, registered once per JBang home (the tests' only
     * catalog add; nothing in the workflows adds one). A home that names another checkout's catalog (the
     * demo's home is kept across checkouts) is pointed at this one's, else its aliases would run the other
     * checkout's scripts.
     */
    private void registerOrganisationCatalog() throws IOException {
        Path catalogs = jbangDir.resolve("jbang-catalog.json");
        String ours = Scripts.ROOT.resolve("jbang-catalog.json").toString();
        if (Files.exists(catalogs) && new ObjectMapper().readTree(catalogs.toFile()).path("catalogs").path("octo-org").path("catalog-ref").asText().equals(ours)) {
            return;
        }
        Scripts.Result added = Scripts.run(workspace, jbangDir, Map.of(), null,
                "catalog", "add", "--global", "--force", "--name", "octo-org", ours);
        if (added.exitCode() != 0) {
            throw new IllegalStateException("could not register the catalog: " + added);
        }
    }

    Path workspace() {
        return workspace;
    }

    /** After the emulator's reset: the consumers exist again with the inputs their files declare. */
    void registerConsumerWorkflows() throws IOException {
        for (Path file : workflowFiles()) {
            JsonNode on = YAML.readTree(file.toFile()).path("on");
            if (on.has("workflow_dispatch")) {
                Map<String, Boolean> inputs = new LinkedHashMap<>();
                on.path("workflow_dispatch").path("inputs").fields()
                        .forEachRemaining(i -> inputs.put(i.getKey(), i.getValue().path("required").asBoolean(false)));
                String runName = YAML.readTree(file.toFile()).path("run-name").asText(null);
                github.addWorkflow(REPO, file.getFileName().toString(), inputs, runName);
            }
        }
    }

    /** A producer step: the real emit.java. */
    Scripts.Result emit(String type, String data) {
        return script(Scripts.ROOT.resolve("emit.java").toString(), type, "--payload", data, "--source", "test-producer");
    }

    /** A script run in the workspace with the producer's token. */
    Scripts.Result script(String... args) {
        return scriptAs(GitHubEmulator.DEFAULT_TOKEN, args);
    }

    /** A script run in the workspace with another token: a person's, say. */
    Scripts.Result scriptAs(String token, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_API_URL", github.url());
        env.put("GITHUB_TOKEN", token);
        env.put("GITHUB_REPOSITORY", REPO);
        return Scripts.run(workspace, jbangDir, env, null, args);
    }

    /** The event file GitHub delivered last. */
    Path lastDelivered() {
        List<Path> delivered = github.deliveredEvents(REPO);
        return delivered.get(delivered.size() - 1);
    }

    /** A dispatch sent without emit (as curl would), so nothing checked it first; returns the delivered file. */
    Path rawDispatch(String type, String data) throws IOException, InterruptedException {
        String body = "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + UUID.randomUUID()
                + "\",\"source\":\"curl\",\"timestamp\":\"" + TIMESTAMP.format(Instant.now()) + "\",\"data\":" + data + "}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(github.url() + "/repos/" + REPO + "/dispatches"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                .header("User-Agent", "curl/8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        int status = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        if (status != 204) {
            throw new IllegalStateException("the emulator refused the dispatch: " + status);
        }
        return lastDelivered();
    }

    /** One run of the router job on {@code event}, as GitHub starts it for a repository_dispatch. */
    WorkflowRunner.JobRun route(Path event) throws IOException, InterruptedException {
        return route(event, ++runId, 1, null);
    }

    /** The run id of the latest router run that route(event) started. */
    int lastRunId() {
        return runId;
    }

    /**
     * A run of the router job with this run id and attempt: a re-run of a failed job keeps its run id and
     * counts the attempt. With lost, the runner goes away during one step (see WorkflowRunner.RunnerLost).
     */
    WorkflowRunner.JobRun route(Path event, int runId, int attempt, WorkflowRunner.RunnerLost lost) throws IOException, InterruptedException {
        Map<String, String> environment = runner(runId, attempt);
        environment.put("GITHUB_EVENT_PATH", event.toString());
        environment.put("GITHUB_EVENT_NAME", "repository_dispatch");
        return router.run("route", workspace, context(runId, attempt, Map.of()), environment, Map.of(), lost);
    }

    /**
     * One run of the compiled router (workflows/event-router-call.yml, which route compile writes, checked out
     * in .github/workflows/) on {@code event}, as GitHub starts it for a repository_dispatch: its plan job, then
     * the route-N jobs whose output plan set, each calling its consumer inside the same run. Keys are job ids,
     * "route-N/job" for the consumers' jobs (see WorkflowRunner.runAll).
     */
    Map<String, WorkflowRunner.JobRun> routeByCall(Path event) throws IOException, InterruptedException {
        int run = ++runId;
        Map<String, String> environment = runner(run, 1);
        environment.put("GITHUB_EVENT_PATH", event.toString());
        environment.put("GITHUB_EVENT_NAME", "repository_dispatch");
        return new WorkflowRunner(compiledRouter()).runAll(workspace, context(run, 1, Map.of()), environment);
    }

    /** The compiled router as checked out. */
    Path compiledRouter() {
        return workspace.resolve(".github/workflows/event-router-call.yml");
    }

    /** A maintainer runs the replay workflow (event-replay.yml) with these inputs ("inputs.event_ids" ...). */
    WorkflowRunner.JobRun replay(Map<String, String> inputs) throws IOException, InterruptedException {
        int run = ++runId;
        Map<String, String> environment = runner(run, 1);
        environment.put("GITHUB_EVENT_NAME", "workflow_dispatch");
        return new WorkflowRunner(WORKFLOWS.resolve("event-replay.yml")).run("replay", workspace, context(run, 1, inputs), environment, Map.of(), null);
    }


    /**
     * A job of one of the workflows (a producer on the event file GitHub delivered, or a consumer with
     * the inputs of its workflow_dispatch), as GitHub would run it.
     */
    WorkflowRunner.JobRun runWorkflow(String file, String job, String eventName, Path event, Map<String, String> inputs)
            throws IOException, InterruptedException {
        return runWorkflow(file, job, eventName, event, inputs, Map.of());
    }

    /** The same, the runner's environment changed by {@code extra} (a PATH with a stand-in tool, say). */
    WorkflowRunner.JobRun runWorkflow(String file, String job, String eventName, Path event, Map<String, String> inputs,
                                      Map<String, String> extra) throws IOException, InterruptedException {
        int run = ++runId;
        Map<String, String> environment = runner(run, 1);
        environment.putAll(extra);
        environment.put("GITHUB_EVENT_NAME", eventName);
        if (event != null) {
            environment.put("GITHUB_EVENT_PATH", event.toString());
        }
        Map<String, String> prefixed = new HashMap<>();
        inputs.forEach((name, value) -> prefixed.put("inputs." + name, value));
        return new WorkflowRunner(WORKFLOWS.resolve(file)).run(job, workspace, context(run, 1, prefixed), environment, Map.of(), null);
    }

    /**
     * Runs the consumer runs the router started since the emulator held {@code before} runs: each
     * consumer's one job with the inputs of its workflow_dispatch. Runs of workflows that are not
     * event-bus consumers (CI) are left to the test.
     */
    List<WorkflowRunner.JobRun> runConsumers(int before) throws IOException, InterruptedException {
        List<WorkflowRunner.JobRun> runs = new java.util.ArrayList<>();
        List<Map<String, Object>> all = github.workflowRuns(REPO);
        for (Map<String, Object> run : all.subList(before, all.size())) {
            Path file = WORKFLOWS.resolve(String.valueOf(run.get("workflow_file")));
            if (!Files.exists(file) || !"workflow_dispatch".equals(run.get("event"))) {
                continue;
            }
            String job = YAML.readTree(file.toFile()).path("jobs").fieldNames().next();
            @SuppressWarnings("unchecked")
            Map<String, Object> inputs = (Map<String, Object>) run.get("inputs");
            Map<String, String> values = new HashMap<>();
            inputs.forEach((name, value) -> values.put(name, String.valueOf(value)));
            // The workflow_dispatch event file a consumer's run would see.
            Path event = Files.writeString(Files.createTempFile(workspace.getParent(), "workflow_dispatch", ".json"),
                    YAML.createObjectNode().set("inputs", YAML.valueToTree(values)).toString());
            runs.add(runWorkflow(file.getFileName().toString(), job, "workflow_dispatch", event, values));
        }
        return runs;
    }

    /** What a GitHub-hosted runner sets for a job. */
    private Map<String, String> runner(int runId, int attempt) {
        Map<String, String> environment = new HashMap<>(Scripts.baseEnvironment(jbangDir));
        environment.put("GITHUB_API_URL", github.url());
        environment.put("GITHUB_REPOSITORY", REPO);
        environment.put("GITHUB_SERVER_URL", "https://github.com");
        environment.put("GITHUB_RUN_ID", String.valueOf(runId));
        environment.put("GITHUB_RUN_ATTEMPT", String.valueOf(attempt));
        environment.put("GITHUB_REF_NAME", "main");
        return environment;
    }

    /** The github context the workflows' expressions read, and the inputs of a workflow_dispatch. */
    private static Map<String, String> context(int runId, int attempt, Map<String, String> inputs) {
        Map<String, String> context = new HashMap<>(inputs);
        context.putAll(Map.of("repository", REPO, "repository_owner", "octo-org", "token", GitHubEmulator.DEFAULT_TOKEN,
                "run_id", String.valueOf(runId), "run_attempt", String.valueOf(attempt)));
        return context;
    }

    static List<Path> workflowFiles() throws IOException {
        try (Stream<Path> files = Files.list(WORKFLOWS)) {
            return files.filter(p -> p.toString().endsWith(".yml"))
                    .sorted().toList();
        }
    }
}
