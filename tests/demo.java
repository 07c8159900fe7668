///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Run the RFC event chain end to end against a local GitHub emulator: no token, no network.
//DESCRIPTION
//DESCRIPTION Usage: demo [--keep]
//DESCRIPTION Starts the emulator on 127.0.0.1, emits each RFC event with the real emit.java, runs
//DESCRIPTION workflows/event-router.yml's steps on each delivered event (validate, dedupe claim, route),
//DESCRIPTION delivers one event twice and one malformed event, then prints route stats and the routes graph.
//DESCRIPTION Example: ./jbang demo
//JAVA 17+
//DEPS com.fasterxml.jackson:jackson-bom:2.20.1@pom
//DEPS org.wiremock:wiremock:3.13.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17
//SOURCES GitHubEmulator.java WorkflowRunner.java Scripts.java
//FILES github/=github/**

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, version = "demo 0.1.0",
        description = {
            "Runs the RFC event chain end to end against a local GitHub emulator on 127.0.0.1: no token, no network.",
            "Each event is emitted with the real emit.java; the emulator delivers it as GitHub would; the router "
                    + "workflow's own steps (workflows/event-router.yml) validate, claim and route it; the emulator "
                    + "records the workflow runs they start. Then: a duplicate delivery, a malformed event, "
                    + "route stats and the routes graph."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the chain behaved as expected", "1:something did not (the output says what)"})
class demo implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    @Option(names = "--keep", description = "keep the workspace (event log, delivered events) and print where it is")
    boolean keep;

    @Spec
    CommandSpec spec;

    private GitHubEmulator github;
    private WorkflowRunner router;
    private Path workspace;
    private Path jbangDir;
    private Path bin;
    private int runId = 7000;
    private int problems;

    public static void main(String... args) {
        System.exit(new CommandLine(new demo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path root = Scripts.ROOT;
        if (!Files.isRegularFile(root.resolve("workflows/event-router.yml"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "run the demo from the event-bus checkout (./jbang demo)");
        }
        Path home = Files.createTempDirectory("event-bus-demo");
        workspace = Files.createDirectories(home.resolve("workspace"));
        // The demo's own JBang home, so registering its catalog never touches yours; scripts compile once.
        jbangDir = Path.of(System.getProperty("user.home"), ".jbang", "event-bus-demo");
        bin = Files.createDirectories(home.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("jbang"), Scripts.JBANG);
        checkOut(root);
        try (GitHubEmulator emulator = GitHubEmulator.start(0)) {
            github = emulator;
            router = new WorkflowRunner(root.resolve("workflows/event-router.yml"));
            registerConsumerWorkflows(root);
            out.println("GitHub emulator on " + github.url() + "; repository " + REPO + "; workspace " + workspace);
            out.println("(the first run compiles the scripts: allow a minute)");

            scenario(out, "1. An issue is assigned", "rfc.issue.assigned", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}");
            scenario(out, "2. Its pull request is created", "rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}");
            Path ready = scenario(out, "3. The pull request is ready", "rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}");
            scenario(out, "4. A chain breaks on a duplicate PR", "rfc.chain.broken", "{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\"}");
            scenario(out, "5. A chain's CI is stuck", "rfc.chain.broken", "{\"chain_id\":\"RFC-094-01\",\"reason\":\"CI_STUCK\"}");

            header(out, "6. GitHub delivers event 3 a second time");
            WorkflowRunner.JobRun again = routeEvent(ready);
            report(out, again);
            expect("the duplicate started nothing", "skipped".equals(again.step("Route").outcome()));

            header(out, "7. A producer sends a malformed event (pr as a string) without emit");
            WorkflowRunner.JobRun rejected = routeEvent(rawDispatch("rfc.pr.ready", "{\"pr\":\"456\",\"checks_status\":\"green\"}"));
            report(out, rejected);
            expect("the malformed event was rejected", rejected.step("Validate").exitCode() == 2);

            header(out, "Workflow runs the router started");
            for (Map<String, Object> run : github.workflowRuns(REPO)) {
                out.printf("  %-28s run %-12s inputs %s%n", run.get("workflow_file"), run.get("id"), JSON.writeValueAsString(run.get("inputs")));
            }
            expect("six workflow runs (1 + 2 + 1 + 1 + 1)", github.workflowRuns(REPO).size() == 6);

            header(out, "route stats (event_log.jsonl)");
            out.println(script(root.resolve("route.java").toString(), "stats", workspace.resolve("event_log.jsonl").toString()).stdout());
            header(out, "route graph (Mermaid)");
            out.println(script(root.resolve("route.java").toString(), "graph", "--routes", workspace.resolve(".github/event-routes.yml").toString()).stdout());
        }
        out.println(problems == 0 ? "Demo finished: every step behaved as expected." : "Demo finished with " + problems + " unexpected result(s).");
        if (!keep) {
            deleteTree(home);
        }
        out.flush();
        return problems == 0 ? 0 : 1;
    }

    /** A producer emits one event, then the router workflow handles what GitHub delivered. */
    private Path scenario(PrintWriter out, String title, String type, String data) throws Exception {
        header(out, title);
        out.println("  $ emit " + type + " --payload '" + data + "'");
        Scripts.Result emitted = script(Scripts.ROOT.resolve("emit.java").toString(), type, "--payload", data, "--source", "demo-producer");
        out.println("  event_id " + emitted.stdout().strip() + (emitted.exitCode() == 0 ? "" : "  FAILED: " + emitted.stderr()));
        expect(type + " was emitted", emitted.exitCode() == 0);
        List<Path> delivered = github.deliveredEvents(REPO);
        Path event = delivered.get(delivered.size() - 1);
        report(out, routeEvent(event));
        return event;
    }

    private void report(PrintWriter out, WorkflowRunner.JobRun run) {
        for (String name : List.of("Validate", "Claim", "Route")) {
            WorkflowRunner.Step step = run.step(name);
            String said = (step.stdout() + step.stderr()).strip().replace("\n", "\n      ");
            out.printf("  router %-9s %-8s %s%n", name, step.outcome(), said.isEmpty() ? "" : "\n      " + said);
        }
        out.flush();
    }

    private WorkflowRunner.JobRun routeEvent(Path event) throws Exception {
        runId++;
        Map<String, String> environment = new HashMap<>(Scripts.baseEnvironment(jbangDir));
        environment.put("PATH", bin + ":" + environment.get("PATH"));
        environment.put("GITHUB_API_URL", github.url());
        environment.put("GITHUB_REPOSITORY", REPO);
        environment.put("GITHUB_EVENT_PATH", event.toString());
        environment.put("GITHUB_EVENT_NAME", "repository_dispatch");
        environment.put("GITHUB_RUN_ID", String.valueOf(runId));
        environment.put("GITHUB_REF_NAME", "main");
        Map<String, String> context = Map.of("repository_owner", "octo-org", "token", GitHubEmulator.DEFAULT_TOKEN,
                "run_id", String.valueOf(runId), "run_attempt", "1");
        return router.run("route", workspace, context, environment,
                Map.of("EVENT_BUS_CATALOG", Scripts.ROOT.resolve("jbang-catalog.json").toString()));
    }

    private Scripts.Result script(String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_API_URL", github.url());
        env.put("GITHUB_TOKEN", GitHubEmulator.DEFAULT_TOKEN);
        env.put("GITHUB_REPOSITORY", REPO);
        return Scripts.run(workspace, jbangDir, env, null, args);
    }

    /** A dispatch sent without emit (as curl would), so nothing validated it first. */
    private Path rawDispatch(String type, String data) throws Exception {
        String body = "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + java.util.UUID.randomUUID()
                + "\",\"source\":\"curl\",\"timestamp\":\"" + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                + "\",\"data\":" + data + "}}";
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(github.url() + "/repos/" + REPO + "/dispatches"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                .header("User-Agent", "curl/8")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        List<Path> delivered = github.deliveredEvents(REPO);
        return delivered.get(delivered.size() - 1);
    }

    /** actions/checkout of a consuming repository: its routes file and workflows. */
    private void checkOut(Path root) throws IOException {
        Files.createDirectories(workspace.resolve(".git"));
        Path workflows = Files.createDirectories(workspace.resolve(".github/workflows"));
        Files.copy(root.resolve("workflows/event-routes.yml"), workspace.resolve(".github/event-routes.yml"));
        for (Path file : workflowFiles(root)) {
            Files.copy(file, workflows.resolve(file.getFileName()));
        }
    }

    private void registerConsumerWorkflows(Path root) throws IOException {
        for (Path file : workflowFiles(root)) {
            JsonNode on = YAML.readTree(file.toFile()).path("on");
            if (on.has("workflow_dispatch")) {
                Map<String, Boolean> inputs = new LinkedHashMap<>();
                on.path("workflow_dispatch").path("inputs").fields()
                        .forEachRemaining(i -> inputs.put(i.getKey(), i.getValue().path("required").asBoolean(false)));
                github.addWorkflow(REPO, file.getFileName().toString(), inputs);
            }
        }
    }

    private static List<Path> workflowFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            return files.filter(p -> p.toString().endsWith(".yml") && !p.getFileName().toString().equals("event-routes.yml")).sorted().toList();
        }
    }

    private void expect(String what, boolean held) {
        if (!held) {
            problems++;
            spec.commandLine().getOut().println("  UNEXPECTED: not true that " + what);
        }
    }

    private static void header(PrintWriter out, String title) {
        out.println();
        out.println("== " + title);
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
