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
 * consuming repository checked out (routes file, workflows, the set-up action and ./jbang), its
 * consumer workflows known to the emulator with their declared inputs, the organisation's catalog
 * where JBang finds it, and one router job run per event (or, with the compiled router, one whole
 * run: the plan job and the consumers it calls).
 */
final class RouterFixture {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    /** Event timestamps as the contract writes them, always with milliseconds (the demo compiles this file without route.java). */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    static final Path WORKFLOWS = Scripts.ROOT.resolve("workflows");
    /** The release the workflows run here: its catalog's commit in octo-org/jbang-catalog, and event-bus's commit. */
    static final String CATALOG_COMMIT = "c0c0a1b2c3d4e5f60718293a4b5c6d7e8f901234";
    static final String RELEASE_COMMIT = "e1e2e3e4e5e6e7e8e9e0f1f2f3f4f5f6f7f8f9f0";
    /**
     * The workflows name their release with placeholders that the set-up action refuses (a repository sets its own commits when
     * it copies them); each job here runs with these values instead, and everything else as the files say.
     */
    static final Map<String, String> RELEASE = Map.of("EVENT_BUS_CATALOG", "octo-org/jbang-catalog/" + CATALOG_COMMIT,
            "EVENT_BUS_RELEASE", RELEASE_COMMIT);

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
        // actions/checkout: the consuming repository's ./jbang wrapper, routes file, workflows and its copy of the set-up action.
        Files.createDirectories(workspace.resolve(".git"));
        Files.createSymbolicLink(workspace.resolve("jbang"), Scripts.JBANG);
        Path workflows = Files.createDirectories(workspace.resolve(".github/workflows"));
        Files.copy(Scripts.ROOT.resolve("event-routes.yml"), workspace.resolve(".github/event-routes.yml"));
        for (Path file : workflowFiles()) {
            Files.copy(file, workflows.resolve(file.getFileName()));
        }
        Path action = Files.createDirectories(workspace.resolve(".github/actions/event-bus-setup"));
        Files.copy(Scripts.ROOT.resolve("setup/action.yml"), action.resolve("action.yml"));
        registerConsumerWorkflows();
        serveOrganisationCatalog();
    }

    /**
     * The workflows run ./jbang "emit@$EVENT_BUS_CATALOG", octo-org/jbang-catalog/CATALOG_COMMIT here: on GitHub, JBang downloads
     * https://github.com/octo-org/jbang-catalog/blob/CATALOG_COMMIT/jbang-catalog.json and the scripts its aliases name, at
     * https://github.com/octo-org/event-bus/blob/RELEASE_COMMIT/. github.com cannot be reached from here, so this checkout's
     * scripts, and the catalog the release command (tests/support/OrgCatalog.java) writes for them, are put where JBang keeps what it
     * downloaded: $JBANG_DIR/cache/urls/<SHA-256 of the URL it requests>/<file name> (JBang 0.132.1, Util.downloadAndCacheFile;
     * a github.com blob is requested from raw.githubusercontent.com, Util.swizzleURL), which it uses without asking the server
     * while cache-evict (never, as the set-up action sets it) allows. So the workflows' own steps, set-up action included, run
     * this checkout's scripts, exactly as they would run a release's on GitHub. A copy that differs from the checkout (the
     * demo's JBang home is kept across checkouts) is replaced.
     */
    private void serveOrganisationCatalog() throws IOException {
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode catalog = json.createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode aliases = catalog.putObject("aliases");
        String release = "https://github.com/octo-org/event-bus/blob/" + RELEASE_COMMIT + "/";
        json.readTree(Scripts.ROOT.resolve("jbang-catalog.json").toFile()).path("aliases").fields().forEachRemaining(alias -> {
            String script = alias.getValue().path("script-ref").asText();
            if (!script.contains("/")) { // the five scripts; not the checkout's demo
                aliases.putObject(alias.getKey()).put("script-ref", release + script)
                        .put("description", alias.getValue().path("description").asText());
                cacheCopy("https://github.com/octo-org/event-bus/blob/" + RELEASE_COMMIT + "/" + script, Scripts.ROOT.resolve(script));
            }
        });
        cacheCopy("https://github.com/octo-org/jbang-catalog/blob/" + CATALOG_COMMIT + "/jbang-catalog.json",
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(catalog));
    }

    private void cacheCopy(String url, Path file) {
        try {
            cacheCopy(url, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void cacheCopy(String url, byte[] content) {
        try {
            String requested = url.replaceFirst("^https://github.com/(.*)/blob/(.*)$", "https://raw.githubusercontent.com/$1/$2");
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(requested.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Path dir = Files.createDirectories(jbangDir.resolve("cache/urls").resolve(java.util.HexFormat.of().formatHex(hash)));
            Path copy = dir.resolve(requested.substring(requested.lastIndexOf('/') + 1));
            if (!Files.exists(copy) || !java.util.Arrays.equals(Files.readAllBytes(copy), content)) {
                Files.write(copy, content);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
        return router.run("route", workspace, context(runId, attempt, Map.of()), environment, RELEASE, lost);
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
        return new WorkflowRunner(compiledRouter()).runAll(workspace, context(run, 1, Map.of()), environment, RELEASE);
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
        return new WorkflowRunner(WORKFLOWS.resolve("event-replay.yml")).run("replay", workspace, context(run, 1, inputs), environment, RELEASE, null);
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
        return new WorkflowRunner(WORKFLOWS.resolve(file)).run(job, workspace, context(run, 1, prefixed), environment, RELEASE, null);
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
