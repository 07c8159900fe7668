import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** route.java in-process against the GitHub emulator: matching, dispatching, the event log, graph, and the commands that moved. */
class RouteTest {
    static final Path EXAMPLE_ROUTES = Scripts.ROOT.resolve("event-routes.yml");
    static final Path EXAMPLES = Scripts.ROOT.resolve("schemas/examples");
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DISPATCHES = "/repos/" + REPO + "/actions/workflows/[^/]+/dispatches";

    /** The consumer workflows of the example routes file, with the inputs they declare (name -> required). */
    static final Map<String, Map<String, Boolean>> RFC_WORKFLOWS = Map.of(
            "pr-flow-monitor.yml", inputs("issue", "series", "micro"),
            "ci-dispatcher.yml", inputs("pr", "issue", "branch"),
            "merge-orchestrator.yml", withOptional(withOptional(inputs("pr"), "checks_status"), "head_sha"),
            "auto-remediator.yml", inputs("pr", "blockers"),
            "rfc-cleanup-duplicates.yml", inputs("chain_id", "reason"),
            "cleanup-stalled-prs.yml", inputs("chain_id", "reason"));

    /** What the router step sees inside Actions; the workspace is a directory without .github/workflows/. */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").summary("summary.md").eventLog("logs/event_log.jsonl").workspace();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");
    final Path log = temp.resolve("logs/event_log.jsonl");

    static InProcess.Run route(Map<String, String> env, String... args) {
        route command = new route();
        command.env = env;
        return InProcess.run(route.newCommandLine(command), args);
    }

    /** Routes an event with the example routes file. */
    InProcess.Run routeExample(String event, String... more) {
        List<String> args = new ArrayList<>(List.of("--routes", EXAMPLE_ROUTES.toString(), "--event", event));
        args.addAll(List.of(more));
        return route(testbed.env(), args.toArray(String[]::new));
    }

    static void registerRfcWorkflows() {
        RFC_WORKFLOWS.forEach((file, inputs) -> testbed.github().addWorkflow(REPO, file, inputs));
    }

    // ---- the RFC's routes ------------------------------------------------------------------

    static Stream<Arguments> rfcEvents() {
        return Stream.of(
                Arguments.of("rfc.issue.assigned/valid-with-trace-id.json", List.of("pr-flow-monitor.yml")),
                Arguments.of("rfc.pr.created/valid-with-trace-id.json", List.of("ci-dispatcher.yml", "merge-orchestrator.yml")),
                Arguments.of("rfc.pr.ready/valid-with-trace-id.json", List.of("merge-orchestrator.yml")),
                Arguments.of("rfc.pr.blocked/valid-single-blocker-with-trace-id.json", List.of("auto-remediator.yml")),
                Arguments.of("rfc.chain.broken/valid-pr-closed-conflict.json", List.of("rfc-cleanup-duplicates.yml")),
                Arguments.of("rfc.chain.broken/valid-duplicate-pr.json", List.of("rfc-cleanup-duplicates.yml")),
                Arguments.of("rfc.chain.broken/valid-branch-only.json", List.of("cleanup-stalled-prs.yml")),
                Arguments.of("rfc.chain.broken/valid-ci-stuck.json", List.of("cleanup-stalled-prs.yml")));
    }

    @ParameterizedTest
    @MethodSource("rfcEvents")
    void eachRfcEventStartsItsWorkflowsWithOneRequestPerTarget(String example, List<String> workflows) throws IOException {
        registerRfcWorkflows();
        Path file = example(example);
        JsonNode event = JSON.readTree(file.toFile());
        String eventId = event.at("/client_payload/event_id").asText();

        InProcess.Run run = routeExample(file.toString());
        assertEquals(0, run.exitCode(), run.toString());
        List<Map<String, Object>> runs = github.workflowRuns(REPO);
        assertEquals(workflows, runs.stream().map(r -> r.get("workflow_file")).toList());
        for (Map<String, Object> started : runs) {
            assertEquals("main", started.get("ref"));
            Map<?, ?> inputs = (Map<?, ?>) started.get("inputs");
            assertEquals(eventId, inputs.get("event_id"));
            assertEquals(event.at("/client_payload/trace_id").asText(eventId), inputs.get("trace_id"));
            // Every data field a route maps arrives as text.
            inputs.forEach((name, value) -> {
                JsonNode data = event.at("/client_payload/data/" + name);
                if (!data.isMissingNode()) {
                    assertEquals(data.isValueNode() ? data.asText() : data.toString(), String.valueOf(value), String.valueOf(name));
                }
            });
            assertTrue(run.out().contains("dispatched " + started.get("workflow_file") + " run " + started.get("id")
                    + " https://github.com/" + REPO + "/actions/runs/" + started.get("id")), run.out());
        }
        assertEquals(workflows.size(), github.journal().size(), "one request per target: " + github.journal());
    }

    @Test
    void prCreatedSendsTheMappedInputsToBothConsumers() throws IOException {
        registerRfcWorkflows();
        Path example = example("rfc.pr.created/valid-with-trace-id.json");

        assertEquals(0, routeExample(example.toString()).exitCode());
        List<Map<String, Object>> runs = github.workflowRuns(REPO);
        String trace = "3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11";
        String id = "ea9c0727-e0a5-4667-b239-a10a0f924ebd";
        assertEquals(Map.of("pr", "457", "issue", "124", "branch", "copilot/rfc-093-03", "event_id", id, "trace_id", trace),
                runs.get(0).get("inputs"));
        assertEquals(Map.of("pr", "457", "event_id", id, "trace_id", trace), runs.get(1).get("inputs"));
    }

    @Test
    void theFirstEventOfAChainPassesItsOwnEventIdAsTraceId() throws IOException {
        registerRfcWorkflows();
        Path example = example("rfc.issue.assigned/valid-first-in-chain.json");
        String eventId = JSON.readTree(example.toFile()).at("/client_payload/event_id").asText();
        assertTrue(JSON.readTree(example.toFile()).at("/client_payload/trace_id").isMissingNode());

        assertEquals(0, routeExample(example.toString()).exitCode());
        Map<?, ?> inputs = (Map<?, ?>) github.workflowRuns(REPO).get(0).get("inputs");
        assertEquals(eventId, inputs.get("trace_id"));
    }

    @Test
    void theWebhookPayloadGitHubDeliversIsRouted() throws Exception {
        registerRfcWorkflows();
        Path delivered = deliver(github, JSON.readTree(example("rfc.pr.ready/valid-with-trace-id.json").toFile()));
        assertEquals("rfc.pr.ready", JSON.readTree(delivered.toFile()).get("action").asText());
        Map<String, String> env = testbed.env();
        env.put("GITHUB_EVENT_PATH", delivered.toString());

        InProcess.Run run = route(env, "--routes", EXAMPLE_ROUTES.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("merge-orchestrator.yml", github.workflowRuns(REPO).get(0).get("workflow_file"));
    }

    // ---- matching ----------------------------------------------------------------------------

    @Test
    void globsMatchEventTypesAcrossDots() throws IOException {
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.pr.*
                    workflow: any-pr.yml
                  - event: "*"
                    workflow: everything.yml
                  - event: rfc.*
                    workflow: any-rfc.yml
                  - event: rfc.pr.ready
                    workflow: exact.yml
                  - event: rfc.*.ready
                    workflow: any-ready.yml
                """);
        assertEquals(List.of("any-pr.yml", "everything.yml", "any-rfc.yml", "exact.yml", "any-ready.yml"),
                planned(routes, example("rfc.pr.ready/valid-with-trace-id.json")));
        assertEquals(List.of("everything.yml", "any-rfc.yml"), planned(routes, example("rfc.issue.assigned/valid-with-trace-id.json")));
    }

    @Test
    void whenPatternsUseEventBridgeOperators() throws IOException {
        // data of the event: {"pr":457,"issue":124,"branch":"copilot/rfc-093-03"}
        Path routes = write("routes.yml", """
                routes:
                  - {event: rfc.pr.created, workflow: prefix.yml,          when: {data: {branch: [{prefix: copilot/}]}}}
                  - {event: rfc.pr.created, workflow: prefix-no.yml,       when: {data: {branch: [{prefix: feature/}]}}}
                  - {event: rfc.pr.created, workflow: suffix.yml,          when: {data: {branch: [{suffix: "-03"}]}}}
                  - {event: rfc.pr.created, workflow: anything-but.yml,    when: {data: {branch: [{anything-but: [main]}]}}}
                  - {event: rfc.pr.created, workflow: anything-but-no.yml, when: {data: {pr: [{anything-but: [457]}]}}}
                  - {event: rfc.pr.created, workflow: numeric.yml,         when: {data: {pr: [{numeric: [">", 400, "<=", 500]}]}}}
                  - {event: rfc.pr.created, workflow: numeric-no.yml,      when: {data: {pr: [{numeric: [">", 1000]}]}}}
                  - {event: rfc.pr.created, workflow: exists.yml,          when: {data: {branch: [{exists: true}], checks_status: [{exists: false}]}}}
                  - {event: rfc.pr.created, workflow: exists-no.yml,       when: {data: {checks_status: [{exists: true}]}}}
                  - {event: rfc.pr.created, workflow: or.yml,              when: {$or: [{data: {pr: [1]}}, {data: {issue: [124]}}]}}
                  - {event: rfc.pr.created, workflow: or-no.yml,           when: {$or: [{data: {pr: [1]}}, {data: {issue: [2]}}]}}
                  - {event: rfc.pr.created, workflow: ignore-case.yml,     when: {data: {branch: [{equals-ignore-case: COPILOT/RFC-093-03}]}}}
                  - {event: rfc.pr.created, workflow: wildcard.yml,        when: {data: {branch: [{wildcard: "copilot/*-03"}]}}}
                  - {event: rfc.pr.created, workflow: any-of.yml,          when: {data: {issue: [123, 124]}}}
                  - {event: rfc.pr.ready,   workflow: other-type.yml,      when: {data: {pr: [457]}}}
                """);
        assertEquals(List.of("prefix.yml", "suffix.yml", "anything-but.yml", "numeric.yml", "exists.yml", "or.yml",
                        "ignore-case.yml", "wildcard.yml", "any-of.yml"),
                planned(routes, example("rfc.pr.created/valid-with-trace-id.json")));
    }

    @Test
    void anEventNoRouteMatchesIsUnroutedNotAnErrorAndNeedsNoToken() throws IOException {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.issue.assigned
                    workflow: pr-flow-monitor.yml
                """);

        InProcess.Run run = route(env, "--routes", routes.toString(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("unrouted\n", run.out());
        assertTrue(github.journal().isEmpty());
        JsonNode record = onlyLogRecord();
        assertEquals("unrouted", record.get("status").asText());
        assertTrue(record.get("targets").isEmpty());
        assertTrue(record.get("error").isNull());
        assertTrue(Files.readString(summary).contains("no route matches, unrouted"), Files.readString(summary));
    }

    // ---- failures of one target ------------------------------------------------------------

    @Test
    void aPathMissingFromThePayloadFailsThatTargetOnly() throws IOException {
        github.addWorkflow(REPO, "ci.yml", Map.of("pr", true));
        github.addWorkflow(REPO, "merge.yml", Map.of("pr", true));
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.pr.created
                    workflow: merge.yml
                    inputs:
                      pr: data.pull_request
                  - event: rfc.pr.created
                    workflow: ci.yml
                    inputs:
                      pr: data.pr
                """);

        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", example("rfc.pr.created/valid-with-trace-id.json").toString());
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(List.of("ci.yml"), github.workflowRuns(REPO).stream().map(r -> r.get("workflow_file")).toList());
        assertTrue(run.out().startsWith("dispatched ci.yml run "), run.toString());
        assertTrue(run.err().contains(routes + ":2: merge.yml: input 'pr': no value at data.pull_request in the event's client_payload"),
                run.toString());
        JsonNode record = onlyLogRecord();
        assertEquals("failed", record.get("status").asText());
        assertEquals("merge.yml", record.at("/targets/0/workflow").asText());
        assertEquals("failed", record.at("/targets/0/status").asText());
        assertTrue(record.at("/targets/0/error").asText().contains("data.pull_request"), record.toString());
        assertEquals("dispatched", record.at("/targets/1/status").asText());
        assertTrue(record.at("/targets/1/run_id").isIntegralNumber(), record.toString());
        assertTrue(record.get("error").asText().startsWith("merge.yml: input 'pr'"), record.toString());
    }

    @Test
    void aDispatchGitHubRefusesIsAFailedRecordAndExitOneWhileTheOthersAreSent() throws IOException {
        github.addWorkflow(REPO, "ci.yml", Map.of());
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.pr.created
                    workflow: not-there.yml
                  - event: rfc.pr.created
                    workflow: ci.yml
                """);
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");

        InProcess.Run run = route(env, "--routes", routes.toString(), "--event", example("rfc.pr.created/valid-with-trace-id.json").toString());
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(1, github.workflowRuns(REPO).size());
        assertTrue(run.err().contains("::error file=" + routes + ",line=2,title=Dispatch failed::not-there.yml: workflow not-there.yml not found in "
                + REPO + " (404 Not Found)"), run.toString());
        JsonNode record = onlyLogRecord();
        assertEquals("failed", record.get("status").asText());
        assertEquals(List.of("failed", "dispatched"), statuses(record));
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains(":x: failed: workflow not-there.yml not found"), markdown);
        assertTrue(markdown.contains("[run " + github.workflowRuns(REPO).get(0).get("id") + "](https://github.com/" + REPO + "/actions/runs/"),
                markdown);
    }

    @Test
    void aServerErrorAfterTheLastAttemptFailsTheTarget() throws IOException {
        github.addWorkflow(REPO, "ci.yml", Map.of());
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.status(503), 1);
        Path routes = write("routes.yml", "routes:\n  - {event: rfc.pr.ready, workflow: ci.yml}\n");

        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString(),
                "--max-attempts", "1");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("failed after 1 attempts; last: 503"), run.toString());
        assertEquals("failed", onlyLogRecord().get("status").asText());
    }

    @Test
    void aRateLimitedDispatchIsRetriedAsEmitRetries() throws IOException {
        github.addWorkflow(REPO, "ci.yml", Map.of());
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.tooManyRequests(0), 1);
        Path routes = write("routes.yml", "routes:\n  - {event: rfc.pr.ready, workflow: ci.yml}\n");

        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of(429, 200), github.journal("POST", DISPATCHES).stream().map(GitHubEmulator.JournalEntry::status).toList());
        assertEquals(1, github.workflowRuns(REPO).size());
    }

    // ---- how workflows are dispatched ------------------------------------------------------

    @Test
    void anOlderEnterpriseServerGetsThePlainRequestForTheRestOfTheRun() throws IOException {
        registerRfcWorkflows();
        github.setLegacyWorkflowDispatch(true);

        InProcess.Run run = routeExample(example("rfc.pr.created/valid-with-trace-id.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("dispatched ci-dispatcher.yml\ndispatched merge-orchestrator.yml\n", run.out());
        List<GitHubEmulator.JournalEntry> posts = github.journal("POST", DISPATCHES);
        assertEquals(List.of(400, 204, 204), posts.stream().map(GitHubEmulator.JournalEntry::status).toList());
        assertEquals(List.of(true, false, false), posts.stream().map(p -> p.requestBody().contains("return_run_details")).toList());
        assertEquals(2, github.workflowRuns(REPO).size());
        JsonNode record = onlyLogRecord();
        assertEquals("routed", record.get("status").asText());
        assertTrue(record.at("/targets/0/run_id").isNull() && record.at("/targets/0/html_url").isNull(), record.toString());
    }

    @Test
    void withoutRefOrGithubRefNameTheDefaultBranchIsAskedForOnce() throws IOException {
        registerRfcWorkflows();
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_REF_NAME");

        InProcess.Run run = route(env, "--routes", EXAMPLE_ROUTES.toString(), "--event", example("rfc.pr.created/valid-with-trace-id.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, github.journal("GET", "/repos/" + REPO).size());
        assertEquals(3, github.journal().size());
        assertEquals(List.of("main", "main"), github.workflowRuns(REPO).stream().map(r -> r.get("ref")).toList());
    }

    @Test
    void refOptionWinsOverGithubRefName() throws IOException {
        registerRfcWorkflows();
        github.addBranch(REPO, "release");

        InProcess.Run run = routeExample(example("rfc.pr.ready/valid-with-trace-id.json").toString(), "--ref", "release");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("release", github.workflowRuns(REPO).get(0).get("ref"));
        assertTrue(github.journal("GET", ".*").isEmpty());
    }

    @Test
    void dryRunPrintsThePlanAndSendsAndLogsNothing() throws IOException {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");

        // The plan names each route by the line its '- event: rfc.pr.created' starts on.
        List<String> exampleLines = Files.readAllLines(EXAMPLE_ROUTES);
        List<Integer> routeLines = IntStream.range(0, exampleLines.size())
                .filter(i -> exampleLines.get(i).strip().equals("- event: rfc.pr.created")).mapToObj(i -> i + 1).toList();

        InProcess.Run run = route(env, "--routes", EXAMPLE_ROUTES.toString(), "--event", example("rfc.pr.created/valid-with-trace-id.json").toString(),
                "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(github.journal().isEmpty());
        assertFalse(Files.exists(log));
        assertEquals("""
                rfc.pr.created ea9c0727-e0a5-4667-b239-a10a0f924ebd: 2 routes match
                  dispatch ci-dispatcher.yml on main with {"pr":"457","issue":"124","branch":"copilot/rfc-093-03",\
                "event_id":"ea9c0727-e0a5-4667-b239-a10a0f924ebd","trace_id":"3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11"}  (%1$s:%2$d)
                  dispatch merge-orchestrator.yml on main with {"pr":"457",\
                "event_id":"ea9c0727-e0a5-4667-b239-a10a0f924ebd","trace_id":"3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11"}  (%1$s:%3$d)
                """.formatted(EXAMPLE_ROUTES, routeLines.get(0), routeLines.get(1)), run.out());
    }

    @Test
    void eachEventOfAJsonLinesFileIsRoutedAndLoggedOnItsOwn() throws IOException {
        registerRfcWorkflows();
        String ready = JSON.readTree(example("rfc.pr.ready/valid-with-trace-id.json").toFile()).toString();
        String unknown = ((ObjectNode) JSON.readTree(example("rfc.pr.ready/valid-first-in-chain.json").toFile())).put("event_type", "rfc.pr.merged").toString();
        Path events = write("events.jsonl", ready + "\n" + unknown + "\n");

        InProcess.Run run = routeExample(events.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("dispatched merge-orchestrator.yml run ") && run.out().endsWith("\nunrouted\n"), run.out());
        List<String> records = Files.readAllLines(log);
        assertEquals(List.of("routed", "unrouted"), records.stream().map(r -> {
            try {
                return JSON.readTree(r).get("status").asText();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList());
    }

    @Test
    void inputValuesAreStrings() throws IOException {
        assertEquals("457", route.inputValue(JSON.readTree("457")));
        assertEquals("true", route.inputValue(JSON.readTree("true")));
        assertEquals("1.5", route.inputValue(route.JSON.readTree("1.50")));
        assertEquals("[\"checks:failing\",\"merge-conflict\"]", route.inputValue(JSON.readTree("[\"checks:failing\", \"merge-conflict\"]")));
        assertEquals("{\"a\":{\"b\":1}}", route.inputValue(JSON.readTree("{\"a\": {\"b\": 1}}")));
        JsonNode payload = JSON.readTree("{\"data\":{\"blockers\":[\"x\",\"y\"],\"gone\":null}}");
        assertEquals("y", route.at(payload, "data.blockers.1").asText());
        assertNull(route.at(payload, "data.gone"));
        assertNull(route.at(payload, "data.blockers.x"));
    }

    @Test
    void theLogRecordHasTheDesignFieldsAndTheRunOutputsItsStatus() throws IOException {
        registerRfcWorkflows();
        Path output = temp.resolve("output.txt");
        Map<String, String> env = testbed.env();
        env.put("GITHUB_RUN_ID", "4242");
        env.put("GITHUB_RUN_ATTEMPT", "2");
        env.put("GITHUB_OUTPUT", output.toString());
        Path example = example("rfc.pr.ready/valid-with-trace-id.json");
        JsonNode event = JSON.readTree(example.toFile());

        assertEquals(0, route(env, "--routes", EXAMPLE_ROUTES.toString(), "--event", example.toString()).exitCode());
        JsonNode record = onlyLogRecord();
        for (String field : List.of("event_id", "source", "trace_id", "timestamp")) {
            assertEquals(event.at("/client_payload/" + field).asText(), record.get(field).asText(), field);
        }
        assertEquals("rfc.pr.ready", record.get("event_type").asText());
        assertEquals("routed", record.get("status").asText());
        assertEquals("4242", record.get("run_id").asText());
        assertEquals("2", record.get("run_attempt").asText());
        assertEquals(event, record.get("event"), "the whole event document, enough to replay it");
        assertTrue(record.get("received_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), record.toString());
        assertEquals(Instant.parse(record.get("received_at").asText()).toEpochMilli() - Instant.parse(record.get("timestamp").asText()).toEpochMilli(),
                record.get("latency_ms").asLong());
        Map<String, Object> started = github.workflowRuns(REPO).get(0);
        ObjectNode target = (ObjectNode) record.at("/targets/0").deepCopy();
        Instant dispatchedAt = Instant.parse(target.remove("dispatched_at").asText());
        assertFalse(dispatchedAt.isBefore(Instant.parse(record.get("timestamp").asText())), record.toString());
        assertEquals(JSON.readTree("{\"workflow\":\"merge-orchestrator.yml\",\"status\":\"dispatched\",\"run_id\":" + started.get("id")
                + ",\"html_url\":\"" + started.get("html_url") + "\",\"error\":null}"), target);
        assertEquals("status=routed\ndispatched=merge-orchestrator.yml\n", Files.readString(output));
    }

    // ---- bad input: exit 2, nothing sent -----------------------------------------------------

    static Stream<Arguments> badRoutesFiles() {
        return Stream.of(
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflows: merge.yml
                        """, 3, "unknown key 'workflows' (a route has: event, workflow, inputs, when, mode)"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: merge.yml
                            when:
                              data:
                                pr: [{numeric: [">>", 0]}]
                        """, 4, "not a valid EventBridge pattern: Unrecognized numeric range operator: >>"),
                Arguments.of("""
                        routes:
                          - event: rfc.chain.broken
                            workflow: cleanup.yml
                            when: {data: {reason: CI_STUCK}}
                        """, 4, "not a valid EventBridge pattern: \"reason\" must be an object or an array (list the values, e.g. reason: [CI_STUCK])"),
                Arguments.of("""
                        routes:
                          - event: rfc.PR.ready
                            workflow: merge.yml
                        """, 2, "event: 'rfc.PR.ready' is not an event type such as rfc.pr.ready, or a glob of event types"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: .github/workflows/merge.yml
                        """, 3, "workflow: '.github/workflows/merge.yml' is not a workflow file name in .github/workflows/"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            inputs: {pr: data.pr}
                        """, 2, "missing 'workflow': a workflow file name in .github/workflows/"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: merge.yml
                            inputs:
                              pr: data..pr
                        """, 5, "input 'pr': 'data..pr' is not a dotted path into the client_payload"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: merge.yml
                            workflow: other.yml
                        """, 4, "duplicate key 'workflow'"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: [merge.yml
                        """, 3, "not valid YAML: while parsing a flow sequence: expected ',' or ']'"),
                Arguments.of("""
                        route:
                          - event: rfc.pr.ready
                        """, 1, "unknown key 'route' (the routes file has: routes, mode)"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: a.yml
                            inputs: &common {pr: data.pr}
                          - event: rfc.pr.ready
                            workflow: b.yml
                            inputs: *common
                        """, 7, "YAML aliases (*common) are not supported: write the value out"),
                Arguments.of("""
                        routes:
                          - event: rfc.pr.ready
                            workflow: merge.yml
                            inputs:
                        """ + IntStream.rangeClosed(1, 26).mapToObj(i -> "      in" + i + ": data.pr\n").collect(Collectors.joining()),
                        4, "inputs has 26 entries, more than 25: a mapping of workflow input names"));
    }

    @ParameterizedTest
    @MethodSource("badRoutesFiles")
    void aBadRoutesFileExitsTwoNamingTheLine(String yaml, int line, String message) throws IOException {
        Path routes = write("routes.yml", yaml);
        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(routes + ":" + line + ": " + message), run.toString());
        assertTrue(github.journal().isEmpty());
        assertFalse(Files.exists(log));
    }

    @Test
    void everyProblemOfTheRoutesFileIsReportedAtOnce() throws IOException {
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.pr.ready
                    workflow: merge.yml
                    if: always
                  - event: rfc.pr.ready
                    workflow: merge.yml
                    when: {}
                """);
        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(routes + ":4: unknown key 'if'"), run.toString());
        assertTrue(run.err().contains(routes + ":7: not a valid EventBridge pattern: Empty objects are not allowed"), run.toString());
    }

    @Test
    void inACheckoutRoutesAreCheckedAgainstTheWorkflowFiles() throws IOException {
        workflowFile("merge.yml", """
                on:
                  workflow_dispatch:
                    inputs:
                      pr: {required: true}
                      event_id: {required: false}
                      mode: {required: true, default: fast}
                """);
        workflowFile("needs-issue.yml", """
                on:
                  workflow_dispatch:
                    inputs:
                      issue: {required: true, type: number}
                """);
        workflowFile("push-only.yml", "on: [push]\n");
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.pr.ready
                    workflow: merge.yml
                    inputs:
                      pr: data.pr
                      event_id: event_id
                      trace_id: trace_id
                  - event: rfc.pr.ready
                    workflow: missing.yml
                  - event: rfc.pr.ready
                    workflow: needs-issue.yml
                  - event: rfc.pr.ready
                    workflow: push-only.yml
                """);

        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(routes + ":7: input 'trace_id' is not declared under on.workflow_dispatch.inputs in "
                + ".github/workflows/merge.yml (GitHub would answer 422 Unexpected inputs)"), run.toString());
        assertTrue(run.err().contains(routes + ":9: workflow .github/workflows/missing.yml does not exist in this checkout"), run.toString());
        assertTrue(run.err().contains(routes + ":11: .github/workflows/needs-issue.yml requires input 'issue', which this route does not map"),
                run.toString());
        assertTrue(run.err().contains(routes + ":13: .github/workflows/push-only.yml has no workflow_dispatch trigger"), run.toString());
        assertFalse(run.err().contains("'mode'"), "a required input with a default need not be mapped: " + run.err());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void aCheckoutWhoseWorkflowsMatchIsRouted() throws IOException {
        workflowFile("merge.yml", """
                name: merge
                on:
                  workflow_dispatch:
                    inputs:
                      pr: {required: true}
                jobs: {}
                """);
        github.addWorkflow(REPO, "merge.yml", Map.of("pr", true));
        Files.writeString(temp.resolve(".github/event-routes.yml"), "routes:\n  - {event: rfc.pr.ready, workflow: merge.yml, inputs: {pr: data.pr}}\n");

        // No --routes: the default is .github/event-routes.yml of $GITHUB_WORKSPACE.
        InProcess.Run run = route(testbed.env(), "--event", example("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, github.workflowRuns(REPO).size());
    }

    @Test
    void aBadOrMissingEventIsInvalidInput() throws IOException {
        Map<String, String> env = testbed.env();
        InProcess.Run missing = route(env, "--routes", EXAMPLE_ROUTES.toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().startsWith("no event: pass --event FILE"), missing.toString());

        InProcess.Run notJson = route(env, "--routes", EXAMPLE_ROUTES.toString(), "--event", write("event.json", "{not json").toString());
        assertEquals(2, notJson.exitCode(), notJson.toString());
        assertTrue(notJson.err().startsWith(temp.resolve("event.json") + ": not valid JSON"), notJson.toString());

        InProcess.Run notAnEvent = route(env, "--routes", EXAMPLE_ROUTES.toString(), "--event", write("event.json", "{\"pr\": 1}").toString());
        assertEquals(2, notAnEvent.exitCode(), notAnEvent.toString());
        assertTrue(notAnEvent.err().contains(": not an event: expected {\"event_type\""), notAnEvent.toString());
        assertTrue(github.journal().isEmpty());
    }

    // ---- the commands that moved to events.java ----------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"stats", "replay", "reconcile"})
    void aCommandThatMovedToEventsSaysWhereInOneLineAndExitsTwo(String command) {
        for (List<String> args : List.of(List.of(command), List.of(command, "--history", "--since", "7d", "--help"), List.of("--verbose", command))) {
            InProcess.Run run = route(testbed.env(), args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), args + ": " + run);
            assertEquals("", run.out(), args + ": " + run);
            assertEquals("route " + command + " is now events " + command + ": run events.java " + command + " (jbang events@<catalog> "
                    + command + ") with the same arguments\n", run.err(), args + ": " + run);
        }
        assertTrue(github.journal().isEmpty(), "nothing was read or sent: " + github.journal());
        Map<String, String> actions = testbed.env();
        actions.put("GITHUB_ACTIONS", "true");
        InProcess.Run annotated = route(actions, command);
        assertEquals(2, annotated.exitCode(), annotated.toString());
        assertTrue(annotated.err().startsWith("::error title=Command moved::route " + command + " is now events " + command), annotated.toString());
        InProcess.Run help = route(testbed.env(), "--help");
        assertFalse(help.out().contains("\n  " + command + " "), "not listed as a command of route: " + help);
    }

    @Test
    void graphAndCompileShareTheVersionOfRoute() {
        InProcess.Run top = route(Map.of(), "--version");
        assertEquals("route 0.1.0\n", top.out(), top.toString());
        for (String command : List.of("graph", "compile")) {
            assertEquals(top.out(), route(Map.of(), command, "--version").out(), command);
        }
    }

    // ---- route graph -------------------------------------------------------------------------

    @Test
    void graphDrawsTheExampleRoutesAsMermaid() throws IOException {
        InProcess.Run run = route(testbed.env(), "graph", "--routes", EXAMPLE_ROUTES.toString());
        assertEquals(0, run.exitCode(), run.toString());
        String mermaid = """
                flowchart LR
                  e1(["rfc.issue.assigned"])
                  w1["pr-flow-monitor.yml"]
                  e2(["rfc.pr.created"])
                  w2["ci-dispatcher.yml"]
                  w3["merge-orchestrator.yml"]
                  e3(["rfc.pr.ready"])
                  e4(["rfc.pr.blocked"])
                  w4["auto-remediator.yml"]
                  e5(["rfc.chain.broken"])
                  w5["rfc-cleanup-duplicates.yml"]
                  w6["cleanup-stalled-prs.yml"]
                  e1 --> w1
                  e2 --> w2
                  e2 --> w3
                  e3 -->|"data.head_sha: exists true"| w3
                  e3 -->|"data.head_sha: exists false"| w3
                  e4 --> w4
                  e5 -->|"data.reason: DUPLICATE_PR or PR_CONFLICT or PR_CLOSED_CONFLICT"| w5
                  e5 -->|"data.reason: BRANCH_ONLY or CI_STUCK"| w6
                """;
        assertEquals(mermaid, run.out());
        assertEquals("### Event routes\n\n```mermaid\n" + mermaid + "```\n\n", Files.readString(summary));
    }

    @Test
    void graphLabelsOperatorsWithMermaidEntityCodes() throws IOException {
        Path routes = write("routes.yml", """
                routes:
                  - event: rfc.pr.*
                    workflow: big.yml
                    when:
                      data:
                        pr: [{numeric: [">", 400]}]
                        branch: [{prefix: "copilot/"}]
                  - event: "*"
                    workflow: audit.yml
                    when: {$or: [{data: {pr: [1]}}, {source: [{anything-but: ["cron"]}]}]}
                """);
        InProcess.Run run = route(testbed.env(), "graph", "--routes", routes.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("  e1 -->|\"data.pr: numeric #gt; 400, data.branch: prefix copilot/\"| w1\n"), run.out());
        assertTrue(run.out().contains("  e2([\"*\"])\n"), run.out());
        assertTrue(run.out().contains("  e2 -->|\"(data.pr: 1) or (source: anything-but cron)\"| w2\n"), run.out());
    }

    @Test
    void graphOfABadRoutesFileExitsTwo() throws IOException {
        Path routes = write("routes.yml", "routes:\n  - {event: rfc.pr.ready, workflow: a.yml, when: {data: {pr: 1}}}\n");
        InProcess.Run run = route(testbed.env(), "graph", "--routes", routes.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith(routes + ":2: not a valid EventBridge pattern"), run.toString());
    }

    // ---- helpers -----------------------------------------------------------------------------

    static Map<String, Boolean> withOptional(Map<String, Boolean> inputs, String optional) {
        inputs.put(optional, false);
        return inputs;
    }

    static Map<String, Boolean> inputs(String... required) {
        Map<String, Boolean> inputs = new LinkedHashMap<>();
        for (String name : required) {
            inputs.put(name, true);
        }
        inputs.put("event_id", false);
        inputs.put("trace_id", false);
        return inputs;
    }

    /**
     * The example event as a router receives it on its first delivery: emitted a moment ago. (An event
     * whose timestamp is more than 10 minutes old is being processed again, and route looks its runs up.)
     */
    Path example(String relative) throws IOException {
        return fresh(EXAMPLES.resolve(relative), Instant.now());
    }

    /** A copy of an event file with the given timestamp. */
    Path fresh(Path event, Instant timestamp) throws IOException {
        ObjectNode document = (ObjectNode) JSON.readTree(event.toFile());
        ((ObjectNode) document.get("client_payload")).put("timestamp", route.TIMESTAMP.format(timestamp));
        Path copy = Files.createDirectories(temp.resolve("events")).resolve(event.getParent().getFileName() + "-" + event.getFileName());
        return Files.writeString(copy, document.toPrettyString());
    }

    /** The workflows a dry run would dispatch, in order. */
    List<String> planned(Path routes, Path event) {
        InProcess.Run run = route(testbed.env(), "--routes", routes.toString(), "--event", event.toString(), "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        return run.out().lines().filter(l -> l.startsWith("  dispatch ")).map(l -> l.split(" ")[3]).toList();
    }

    JsonNode onlyLogRecord() throws IOException {
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), lines.toString());
        return JSON.readTree(lines.get(0));
    }

    static List<String> statuses(JsonNode record) {
        List<String> statuses = new ArrayList<>();
        record.get("targets").forEach(t -> statuses.add(t.get("status").asText()));
        return statuses;
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(temp.resolve(name), text);
    }

    void workflowFile(String name, String yaml) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(".github/workflows"));
        Files.writeString(dir.resolve(name), yaml);
    }

    /** Sends the event as a repository dispatch, as emit would, and returns the file GitHub delivers to the router. */
    static Path deliver(GitHubEmulator github, JsonNode document) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(github.url() + "/repos/" + REPO + "/dispatches"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                .header("Accept", "application/vnd.github+json")
                .header("User-Agent", "route-test")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(document.toString()))
                .build();
        var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(204, response.statusCode(), response.body());
        List<Path> delivered = github.deliveredEvents(REPO);
        return delivered.get(delivered.size() - 1);
    }
}
