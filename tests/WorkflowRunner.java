import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one job of a workflow file the way a GitHub-hosted runner would, as far as the
 * event-bus steps go: each `run:` step in bash (`bash --noprofile --norc -eo pipefail`) with
 * the environment Actions gives (workflow, job and step `env:`, GITHUB_EVENT_PATH,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_ACTIONS=true ...), step outputs parsed
 * from GITHUB_OUTPUT, and `if:` conditions evaluated; `uses:` steps (checkout, setup-java,
 * cache, setup-jbang, upload-artifact) are provided by the caller's workspace and PATH.
 * So the workflow file itself is under test, not a copy of its commands.
 */
final class WorkflowRunner {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*(.*?)\\s*}}");

    record Step(String id, String name, String outcome, int exitCode, String stdout, String stderr,
                Map<String, String> outputs, String summary) {
    }

    record JobRun(List<Step> steps, Path workspace) {
        Step step(String idOrName) {
            return steps.stream().filter(s -> idOrName.equals(s.id()) || idOrName.equals(s.name())).findFirst()
                    .orElseThrow(() -> new AssertionError("no step " + idOrName + " in " + steps));
        }

        boolean succeeded() {
            return steps.stream().noneMatch(s -> s.outcome().equals("failure"));
        }

        /** The job summary: every step's GITHUB_STEP_SUMMARY, in order. */
        String summary() {
            StringBuilder all = new StringBuilder();
            steps.forEach(s -> all.append(s.summary()));
            return all.toString();
        }
    }

    private final JsonNode workflow;
    private final Path file;

    WorkflowRunner(Path workflowFile) throws IOException {
        this.file = workflowFile;
        this.workflow = YAML.readTree(workflowFile.toFile());
    }

    /**
     * Runs job {@code jobId}. {@code github} holds the `github` context values the workflow's
     * expressions use (repository_owner, run_id, run_attempt, token); {@code environment} is
     * the runner's environment (GITHUB_EVENT_PATH, GITHUB_API_URL, PATH with jbang ...);
     * {@code overrides} replace workflow `env:` values (e.g. a local catalog).
     */
    JobRun run(String jobId, Path workspace, Map<String, String> github, Map<String, String> environment,
               Map<String, String> overrides) throws IOException, InterruptedException {
        JsonNode job = workflow.path("jobs").path(jobId);
        if (job.isMissingNode()) {
            throw new IllegalArgumentException(file + " has no job " + jobId);
        }
        Path runnerTemp = Files.createDirectories(workspace.resolveSibling(workspace.getFileName() + "-runner-temp"));
        Map<String, String> context = new LinkedHashMap<>();
        github.forEach((k, v) -> context.put("github." + k, v));
        context.put("runner.os", "Linux");
        context.put("runner.temp", runnerTemp.toString());

        Map<String, String> jobEnv = new LinkedHashMap<>(environment);
        jobEnv.put("GITHUB_ACTIONS", "true");
        jobEnv.put("CI", "true");
        jobEnv.put("GITHUB_WORKSPACE", workspace.toString());
        jobEnv.put("RUNNER_TEMP", runnerTemp.toString());
        putEnv(jobEnv, workflow.path("env"), context, overrides);
        putEnv(jobEnv, job.path("env"), context, overrides);

        List<Step> steps = new ArrayList<>();
        Map<String, Map<String, String>> outputs = new LinkedHashMap<>();
        boolean failed = false;
        int index = 0;
        for (JsonNode step : job.path("steps")) {
            index++;
            String id = step.path("id").asText("step" + index);
            String name = step.path("name").asText(step.has("uses") ? step.get("uses").asText() : step.path("run").asText());
            String condition = step.path("if").asText("success()");
            if (!evaluate(condition, failed, outputs)) {
                steps.add(new Step(id, name, "skipped", 0, "", "", Map.of(), ""));
                continue;
            }
            if (step.has("uses")) {
                steps.add(new Step(id, name, "provided", 0, "", "", Map.of(), ""));
                continue;
            }
            Map<String, String> stepEnv = new LinkedHashMap<>(jobEnv);
            putEnv(stepEnv, step.path("env"), context, Map.of());
            Path output = Files.createTempFile(runnerTemp, "output", ".txt");
            Path summary = Files.createTempFile(runnerTemp, "summary", ".md");
            stepEnv.put("GITHUB_OUTPUT", output.toString());
            stepEnv.put("GITHUB_STEP_SUMMARY", summary.toString());
            Step result = runScript(id, name, step.path("run").asText(), workspace, stepEnv, output, summary);
            outputs.put(id, result.outputs());
            steps.add(result);
            failed |= result.exitCode() != 0;
        }
        return new JobRun(steps, workspace);
    }

    private static Step runScript(String id, String name, String script, Path workspace, Map<String, String> env,
                                  Path output, Path summary) throws IOException, InterruptedException {
        Path scriptFile = Files.createTempFile(Path.of(env.get("RUNNER_TEMP")), "step", ".sh");
        Files.writeString(scriptFile, script);
        ProcessBuilder builder = new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile.toString())
                .directory(workspace.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Path stdout = Files.createTempFile(Path.of(env.get("RUNNER_TEMP")), "stdout", ".txt");
        Path stderr = Files.createTempFile(Path.of(env.get("RUNNER_TEMP")), "stderr", ".txt");
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("step '" + name + "' timed out");
        }
        int exitCode = process.exitValue();
        return new Step(id, name, exitCode == 0 ? "success" : "failure", exitCode, Files.readString(stdout),
                Scripts.withoutJBangProgress(Files.readString(stderr)), parseOutputs(output), Files.readString(summary));
    }

    /** name=value lines and the heredoc form name<<DELIMITER ... DELIMITER, as @actions/core writes them. */
    static Map<String, String> parseOutputs(Path output) throws IOException {
        Map<String, String> outputs = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int heredoc = line.indexOf("<<");
            int equals = line.indexOf('=');
            if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
                String delimiter = line.substring(heredoc + 2);
                StringBuilder value = new StringBuilder();
                for (i++; i < lines.size() && !lines.get(i).equals(delimiter); i++) {
                    value.append(value.length() > 0 ? "\n" : "").append(lines.get(i));
                }
                outputs.put(line.substring(0, heredoc), value.toString());
            } else if (equals > 0) {
                outputs.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return outputs;
    }

    private static void putEnv(Map<String, String> target, JsonNode env, Map<String, String> context, Map<String, String> overrides) {
        env.fields().forEachRemaining(e -> target.put(e.getKey(),
                overrides.containsKey(e.getKey()) ? overrides.get(e.getKey()) : substitute(e.getValue().asText(), context)));
    }

    /** ${{ github.x }} and ${{ runner.x }} from the context; anything else is not supported here. */
    private static String substitute(String value, Map<String, String> context) {
        Matcher matcher = EXPRESSION.matcher(value);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String expression = matcher.group(1);
            String replacement = context.get(expression);
            if (replacement == null) {
                throw new IllegalArgumentException("expression not supported by the test runner: ${{ " + expression + " }}");
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private static final Pattern OUTPUT_COMPARISON =
            Pattern.compile("steps\\.([\\w-]+)\\.outputs\\.([\\w-]+)\\s*(==|!=)\\s*'([^']*)'");

    /** The conditions the event-bus workflows use: always(), success(), failure() and output comparisons. */
    private static boolean evaluate(String condition, boolean failed, Map<String, Map<String, String>> outputs) {
        String expression = condition.strip();
        Matcher wrapped = EXPRESSION.matcher(expression);
        if (wrapped.matches()) {
            expression = wrapped.group(1);
        }
        switch (expression) {
            case "always()":
                return true;
            case "success()":
                return !failed;
            case "failure()":
                return failed;
            default:
                Matcher comparison = OUTPUT_COMPARISON.matcher(expression);
                if (!comparison.matches()) {
                    throw new IllegalArgumentException("if: not supported by the test runner: " + condition);
                }
                String actual = outputs.getOrDefault(comparison.group(1), Map.of()).getOrDefault(comparison.group(2), "");
                boolean equal = actual.equals(comparison.group(4));
                // A bare expression implies success(), as in Actions.
                return !failed && (comparison.group(3).equals("==") ? equal : !equal);
        }
    }
}
