///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Run the RFC event chain end to end against a local GitHub emulator: no token, no network.
//DESCRIPTION
//DESCRIPTION Usage: demo [--keep]
//DESCRIPTION Starts the emulator on 127.0.0.1, proves the repository's set-up (events doctor) and drives the
//DESCRIPTION RFC's chain through the workflows: an issue assigned, a pull request opened, CI green, the merge
//DESCRIPTION attempt; then a duplicate delivery, an event from a person and a malformed one; the week's
//DESCRIPTION statistics from the event history; it ends with the time from readiness to merge attempt, from
//DESCRIPTION the history and from GitHub's data (merge-latency).
//DESCRIPTION Example: ./jbang demo
//JAVA 17+
//DEPS com.fasterxml.jackson:jackson-bom:2.20.1@pom
//DEPS org.wiremock:wiremock:3.13.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17
//SOURCES GitHubEmulator.java WorkflowRunner.java RouterFixture.java RfcChain.java Scripts.java
//FILES github/=../github/**

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
            "First events doctor proves the repository's set-up, as workflows/event-doctor.yml does before the first event. "
                    + "Then the workflows drive the chain, as on GitHub: rfc-assignment.yml when an issue is assigned, the PR creation "
                    + "detector when Copilot opens a pull request (pull_request_target), the readiness evaluator when CI finishes "
                    + "(reading the check runs of the head); the router "
                    + "(workflows/event-router.yml) validates, claims and routes each event; the consumers it starts do "
                    + "their step, up to the merge orchestrator's merge attempt. Then: GitHub delivers an event twice, "
                    + "a person sends one, a producer sends a malformed one; the week's statistics from the event "
                    + "history (events stats --history), the routes graph, and the time from readiness to the merge "
                    + "attempt, from the history and from GitHub's data (events merge-latency)."},
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

            header(out, "0. Before the first event: events doctor proves the repository's set-up (workflows/event-doctor.yml)");
            Scripts.Result doctor = fixture.script(root.resolve("events.java").toString(), "doctor");
            out.println("  " + (doctor.stdout() + doctor.stderr()).strip().replace("\n", "\n  "));
            expect("every check of the doctor passed", doctor.exitCode() == 0);

            RfcChain chain = new RfcChain(github, fixture);
            header(out, "1. A person assigns the issue \"RFC-093-02: add the widget\" to Copilot");
            int issue = github.createIssue(REPO, "RFC-093-02: add the widget", "octocat");
            report(out, chain.assign(issue));
            header(out, "2. Copilot pushes copilot/rfc-093-02 and opens a pull request that fixes the issue");
            int pr = chain.openPullRequest("copilot/rfc-093-02", issue);
            report(out, chain.pullRequestOpened(pr));
            header(out, "3. CI passes on the pull request (as GitHub Actions reports it: a check run on the head commit)");
            RfcChain.Hop ready = chain.ciFinished(pr, "success");
            report(out, ready);
            expect("the merge orchestrator merged the pull request", Boolean.TRUE.equals(github.pullRequest(REPO, pr).get("merged")));
            String trace = JSON.readTree(chain.hops().get(0).event().toFile()).at("/client_payload/event_id").asText();
            boolean oneTrace = true;
            for (RfcChain.Hop hop : chain.hops()) {
                oneTrace &= trace.equals(JSON.readTree(hop.event().toFile()).at("/client_payload/trace_id").asText());
            }
            expect("one trace_id through the chain", oneTrace);
            out.println("  the chain's trace: " + trace);

            header(out, "4. GitHub delivers the rfc.pr.ready event a second time");
            WorkflowRunner.JobRun again = fixture.route(ready.event());
            reportRouter(out, again);
            expect("the duplicate started nothing", "skipped".equals(again.step("Route").outcome()));

            header(out, "5. A person sends an event with their own token");
            github.addUser(PERSON_TOKEN, "octocat", true);
            Scripts.Result byPerson = fixture.scriptAs(PERSON_TOKEN, root.resolve("emit.java").toString(), "rfc.pr.ready",
                    "--payload", "{\"pr\":" + pr + ",\"checks_status\":\"green\"}");
            expect("GitHub accepted the person's dispatch", byPerson.exitCode() == 0);
            WorkflowRunner.JobRun refused = fixture.route(fixture.lastDelivered());
            reportRouter(out, refused);
            expect("the router refused it", refused.step("Validate").exitCode() == 2);

            header(out, "6. A producer sends a malformed event (pr as a string) without emit");
            WorkflowRunner.JobRun rejected = fixture.route(fixture.rawDispatch("rfc.pr.ready", "{\"pr\":\"456\",\"checks_status\":\"green\"}"));
            reportRouter(out, rejected);
            expect("the malformed event was rejected", rejected.step("Validate").exitCode() == 2);

            header(out, "The week in the event history: events stats --history --since 7d --by day");
            Scripts.Result stats = fixture.script(root.resolve("events.java").toString(), "stats", "--history", "--since", "7d", "--by", "day");
            out.println(stats.stdout());
            out.println("  " + stats.stderr().strip().replace("\n", "\n  "));
            expect("the history holds the chain", stats.exitCode() == 0 && stats.stdout().contains("rfc.pr.ready"));
            header(out, "The drift gate: events stats --history --since 7d --max-rejected 0 (a malformed event; the person's is shown apart)");
            Scripts.Result gate = fixture.script(root.resolve("events.java").toString(), "stats", "--history", "--since", "7d",
                    "--status", "rejected", "--max-rejected", "0");
            out.println("  exit " + gate.exitCode() + ": " + gate.stderr().strip().replace("\n", "\n  "));
            expect("the drift gate fails on rejected events", gate.exitCode() == 1);

            header(out, "route graph (Mermaid)");
            out.println(fixture.script(root.resolve("route.java").toString(), "graph", "--routes", fixture.workspace().resolve(".github/event-routes.yml").toString()).stdout());

            readinessToMergeAttempt(out, root);
            mergeLatency(out, root);
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

    static final String PERSON_TOKEN = "ghp_octocat0000000000000000000000000000";

    /** The RFC's "time from PR readiness to merge attempt" of the chain, from the history: the merge orchestrator recorded it. */
    private void readinessToMergeAttempt(PrintWriter out, Path root) throws IOException {
        header(out, "Readiness to merge attempt, from the history: events stats --history --since 7d --type rfc.pr.ready --json");
        Scripts.Result stats = fixture.script(root.resolve("events.java").toString(), "stats", "--history", "--since", "7d",
                "--type", "rfc.pr.ready", "--json");
        com.fasterxml.jackson.databind.JsonNode attempt = null;
        if (stats.exitCode() == 0) {
            for (com.fasterxml.jackson.databind.JsonNode outcome : JSON.readTree(stats.stdout()).path("outcomes")) {
                attempt = "merge-attempted".equals(outcome.path("outcome").asText()) ? outcome : attempt;
            }
        }
        if (attempt != null) {
            out.printf("  rfc.pr.ready -> merge-attempted: %d attempt(s), mean %d ms, median %d ms, p95 %d ms%n", attempt.path("count").asInt(),
                    attempt.path("mean_ms").asLong(), attempt.path("median_ms").asLong(), attempt.path("p95_ms").asLong());
            out.println("  (from rfc.pr.ready's timestamp, when the readiness evaluator emitted it, to the acted_at the merge "
                    + "orchestrator recorded for its attempt)");
        } else {
            out.println("  " + (stats.stdout() + stats.stderr()).strip().replace("\n", "\n  "));
        }
        expect("the history times the chain's merge attempt from its readiness", attempt != null && attempt.path("count").asInt() >= 1);
    }

    /** The same question from GitHub's data alone, as for a window before the bus: events merge-latency. */
    private void mergeLatency(PrintWriter out, Path root) throws IOException {
        header(out, "Readiness to merge, from GitHub's data: events merge-latency --since 7d");
        Scripts.Result latency = fixture.script(root.resolve("events.java").toString(), "merge-latency", "--since", "7d");
        out.println("  " + latency.stdout().strip().replace("\n", "\n  "));
        out.println("  " + latency.stderr().strip().replace("\n", "\n  "));
        Scripts.Result json = fixture.script(root.resolve("events.java").toString(), "merge-latency", "--since", "7d", "--json");
        expect("GitHub's data measures the chain's pull request", json.exitCode() == 0 && JSON.readTree(json.stdout()).path("measured").asInt() >= 1);
    }

    /** A hop of the chain: the producer, the router's steps, the consumers the router started and what they did. */
    private void report(PrintWriter out, RfcChain.Hop hop) throws IOException {
        out.printf("  producer emitted %s %s%n", hop.eventType(), JSON.readTree(hop.event().toFile()).at("/client_payload/event_id").asText());
        reportRouter(out, hop.router());
        for (int i = 0; i < hop.consumers().size() && i < hop.consumerRuns().size(); i++) {
            String summary = hop.consumerRuns().get(i).summary().strip().replace("\n", "\n      ");
            out.printf("  consumer %s %s%n      %s%n", hop.consumers().get(i), hop.consumerRuns().get(i).succeeded() ? "succeeded" : "FAILED", summary);
        }
        expect(hop.eventType() + " went through", hop.succeeded());
        out.flush();
    }

    private void reportRouter(PrintWriter out, WorkflowRunner.JobRun run) {
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
