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
//SOURCES GitHubEmulator.java WorkflowRunner.java RouterFixture.java Scripts.java
//FILES github/=github/**

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    @Option(names = "--keep", description = "keep the workspace (event log, delivered events) and print where it is")
    boolean keep;

    @Spec
    CommandSpec spec;

    private GitHubEmulator github;
    private RouterFixture fixture;
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
        // The demo's own JBang home, so registering its catalog never touches yours; scripts compile once.
        Path jbangDir = Path.of(System.getProperty("user.home"), ".jbang", "event-bus-demo");
        try (GitHubEmulator emulator = GitHubEmulator.start(0)) {
            github = emulator;
            fixture = new RouterFixture(github, home, jbangDir);
            out.println("GitHub emulator on " + github.url() + "; repository " + REPO + "; workspace " + fixture.workspace());
            out.println("(the first run compiles the scripts: allow a minute)");

            scenario(out, "1. An issue is assigned", "rfc.issue.assigned", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}");
            scenario(out, "2. Its pull request is created", "rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}");
            Path ready = scenario(out, "3. The pull request is ready", "rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}");
            scenario(out, "4. A chain breaks on a duplicate PR", "rfc.chain.broken", "{\"chain_id\":\"RFC-093-02\",\"reason\":\"DUPLICATE_PR\"}");
            scenario(out, "5. A chain's CI is stuck", "rfc.chain.broken", "{\"chain_id\":\"RFC-094-01\",\"reason\":\"CI_STUCK\"}");

            header(out, "6. GitHub delivers event 3 a second time");
            WorkflowRunner.JobRun again = fixture.route(ready);
            report(out, again);
            expect("the duplicate started nothing", "skipped".equals(again.step("Route").outcome()));

            header(out, "7. A producer sends a malformed event (pr as a string) without emit");
            WorkflowRunner.JobRun rejected = fixture.route(fixture.rawDispatch("rfc.pr.ready", "{\"pr\":\"456\",\"checks_status\":\"green\"}"));
            report(out, rejected);
            expect("the malformed event was rejected", rejected.step("Validate").exitCode() == 2);

            header(out, "Workflow runs the router started");
            for (Map<String, Object> run : github.workflowRuns(REPO)) {
                out.printf("  %-28s run %-12s inputs %s%n", run.get("workflow_file"), run.get("id"), JSON.writeValueAsString(run.get("inputs")));
            }
            expect("six workflow runs (1 + 2 + 1 + 1 + 1)", github.workflowRuns(REPO).size() == 6);

            header(out, "route stats (event_log.jsonl)");
            out.println(fixture.script(root.resolve("route.java").toString(), "stats", fixture.workspace().resolve("event_log.jsonl").toString()).stdout());
            header(out, "route graph (Mermaid)");
            out.println(fixture.script(root.resolve("route.java").toString(), "graph", "--routes", fixture.workspace().resolve(".github/event-routes.yml").toString()).stdout());
        }
        out.println(problems == 0 ? "Demo finished: every step behaved as expected." : "Demo finished with " + problems + " unexpected result(s).");
        if (keep) {
            out.println("Workspace kept: " + fixture.workspace());
        } else {
            deleteTree(home);
        }
        out.flush();
        return problems == 0 ? 0 : 1;
    }

    /** A producer emits one event, then the router workflow handles what GitHub delivered. */
    private Path scenario(PrintWriter out, String title, String type, String data) throws Exception {
        header(out, title);
        out.println("  $ emit " + type + " --payload '" + data + "'");
        Scripts.Result emitted = fixture.emit(type, data);
        out.println("  event_id " + emitted.stdout().strip() + (emitted.exitCode() == 0 ? "" : "  FAILED: " + emitted.stderr()));
        expect(type + " was emitted", emitted.exitCode() == 0);
        Path event = fixture.lastDelivered();
        report(out, fixture.route(event));
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
