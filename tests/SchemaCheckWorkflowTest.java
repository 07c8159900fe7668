import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * workflows/schema-check.yml as written, on a pull request of the consuming repository: its run: steps compare the
 * pull request's schemas with the base commit's (read from the emulator's archive of that commit with the job's
 * read-only token), check the routes file against its schema and the compiled router against the routes.
 */
class SchemaCheckWorkflowTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String TYPE_SCHEMA = "docs/events/schema/events/acme.deploy.done.schema.json";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();
    Path workspace;
    String baseSha;

    /** The base branch has the type acme.deploy.done (a copy of rfc.pr.ready's schema); the pull request's checkout starts the same. */
    @BeforeEach
    void checkOut() throws IOException {
        workspace = fixture.workspace();
        String schema = Files.readString(Scripts.ROOT.resolve("schemas/events/rfc.pr.ready.schema.json"))
                .replace("rfc.pr.ready", "acme.deploy.done").replace("https://event-bus.dev/schemas/", "https://acme.example/schemas/");
        baseSha = github.commitFile(REPO, "main", TYPE_SCHEMA, schema, "acme.deploy.done");
        Files.createDirectories(workspace.resolve(TYPE_SCHEMA).getParent());
        Files.writeString(workspace.resolve(TYPE_SCHEMA), schema);
        // The repository routes by workflow_call too: its compiled router, compiled here from its own files.
        Scripts.Result compiled = fixture.script(Scripts.ROOT.resolve("route.java").toString(), "compile");
        assertEquals(0, compiled.exitCode(), compiled.toString());
    }

    WorkflowRunner.JobRun check() throws IOException, InterruptedException {
        Path event = Files.writeString(temp.resolve("pull_request.json"), "{\"action\":\"synchronize\",\"number\":7,\"pull_request\":"
                + "{\"number\":7,\"base\":{\"ref\":\"main\",\"sha\":\"" + baseSha + "\"},\"head\":{\"ref\":\"feature\",\"sha\":\"" + baseSha + "\"}}}");
        return fixture.runWorkflow("schema-check.yml", "check", "pull_request", event, Map.of());
    }

    void editSchema(String from, String to) throws IOException {
        Path file = workspace.resolve(TYPE_SCHEMA);
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }

    static String describe(WorkflowRunner.JobRun run) {
        StringBuilder text = new StringBuilder();
        run.steps().forEach(s -> text.append("--- ").append(s.name()).append(": ").append(s.outcome()).append('\n')
                .append(s.stdout()).append(s.stderr()));
        return text.toString();
    }

    @Test
    void aCompatibleChangeWithRoutesInStepPasses() throws Exception {
        editSchema("\"checks_status\": {", "\"environment\": {\"type\": \"string\"},\n        \"checks_status\": {");
        WorkflowRunner.JobRun run = check();
        assertTrue(run.succeeded(), describe(run));
        WorkflowRunner.Step compat = run.step("Compare with the base branch's schemas");
        assertEquals("compatible acme.deploy.done /client_payload/data/environment: new optional property\n", compat.stdout(), describe(run));
        assertTrue(run.step("Check that the compiled router is in step with the routes").stderr().contains("is in step"), describe(run));
        // The archive of the base commit was read with the job's token, once; nothing was written.
        assertEquals(1, github.journal().stream().filter(e -> e.path().equals("/repos/" + REPO + "/zipball/" + baseSha)).count());
        assertTrue(github.journal().stream().allMatch(e -> e.method().equals("GET")), github.journal().toString());
    }

    @Test
    void aBreakingSchemaChangeFailsTheCheckNamingTypeAndPointer() throws Exception {
        editSchema("\"minimum\": 1", "\"minimum\": 10");
        WorkflowRunner.JobRun run = check();
        assertFalse(run.succeeded(), describe(run));
        WorkflowRunner.Step compat = run.step("Compare with the base branch's schemas");
        assertEquals("failure", compat.outcome(), describe(run));
        assertTrue(compat.stdout().contains("breaking   acme.deploy.done /client_payload/data/pr: range narrowed: minimum 1 before, 10 now"),
                describe(run));
        assertTrue(compat.stderr().contains("::error title=Breaking schema change::"), describe(run));
    }

    @Test
    void aRoutesFileThatBreaksItsSchemaFailsTheCheck() throws Exception {
        Path routes = workspace.resolve(".github/event-routes.yml");
        Files.writeString(routes, Files.readString(routes).replaceFirst("    workflow: pr-flow-monitor.yml", "    workflw: pr-flow-monitor.yml"));
        WorkflowRunner.JobRun run = check();
        WorkflowRunner.Step step = run.step("Check the routes file against its schema");
        assertEquals("failure", step.outcome(), describe(run));
        assertTrue(step.stderr().contains("unknown key 'workflw' (a route has: event, workflow, inputs, when, mode)"), describe(run));
    }

    @Test
    void aCompiledRouterOutOfStepWithTheRoutesFailsTheCheck() throws Exception {
        Path routes = workspace.resolve(".github/event-routes.yml");
        Files.writeString(routes, Files.readString(routes) + "\n  - event: rfc.pr.ready\n    workflow: auto-remediator.yml\n"
                + "    inputs: {pr: data.pr, blockers: data.pr, event_id: event_id, trace_id: trace_id}\n");
        WorkflowRunner.JobRun run = check();
        WorkflowRunner.Step step = run.step("Check that the compiled router is in step with the routes");
        assertEquals("failure", step.outcome(), describe(run));
        assertTrue(step.stderr().contains(".github/workflows/event-router-call.yml is out of step with the routes"), describe(run));
        assertTrue(step.stderr().contains("regenerate it (jbang route@event-bus compile --routes .github/event-routes.yml"), describe(run));
    }
}
