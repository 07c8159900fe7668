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
 * event-bus steps go: each `run:` step in bash as GitHub starts it (`shell: bash`, a job's or the
 * workflow's `defaults.run.shell`: `bash --noprofile --norc -eo pipefail`; none: `bash -e`) with
 * the environment Actions gives (workflow, job and step `env:`, GITHUB_EVENT_PATH,
 * GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files, GITHUB_ACTIONS=true ...), step outputs
 * parsed from GITHUB_OUTPUT, variables a step adds to GITHUB_ENV given to the steps after it, and
 * `if:` conditions evaluated. A local composite action ({@code uses: ./.github/actions/x}, an
 * action.yml with {@code runs.using: composite} in the workspace) runs as GitHub runs it: its
 * inputs from {@code with:} and their defaults, its steps with their own {@code if:}, {@code env:}
 * and {@code steps} context, its outputs mapped from them. Every other {@code uses:} step
 * (checkout, setup-java, cache, upload-artifact, also inside a composite action) is provided by
 * the caller's workspace and PATH: it is recorded as "provided" with its {@code with:} values
 * evaluated (or their text, where the expression is beyond this runner), and not run.
 * So the workflow file itself is under test, not a copy of its commands.
 */
final class WorkflowRunner {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*(.*?)\\s*}}");

    /** One step's run; {@code with} holds a provided step's evaluated {@code with:} values (empty for others). */
    record Step(String id, String name, String outcome, int exitCode, String stdout, String stderr,
                Map<String, String> outputs, String summary, Map<String, String> with) {
        Step(String id, String name, String outcome, int exitCode, String stdout, String stderr, Map<String, String> outputs, String summary) {
            this(id, name, outcome, exitCode, stdout, stderr, outputs, summary, Map.of());
        }
    }

    record JobRun(List<Step> steps, Path workspace, Map<String, String> outputs) {
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
    /** The calling workflow's name when this one runs as a called workflow (workflow_call), else null. */
    private final String callerName;

    WorkflowRunner(Path workflowFile) throws IOException {
        this(workflowFile, null);
    }

    /** A workflow called by another (workflow_call), which keeps the caller's name: see run(). */
    private WorkflowRunner(Path workflowFile, String callerName) throws IOException {
        this.file = workflowFile;
        this.workflow = YAML.readTree(workflowFile.toFile());
        this.callerName = callerName;
    }

    /** GITHUB_WORKFLOW: the workflow's name, else the path of its file in the repository (GitHub docs, "Store information in variables"). */
    private String name() {
        return workflow.path("name").asText(".github/workflows/" + file.getFileName());
    }

    /**
     * Runs job {@code jobId}. {@code github} holds the `github` context values the workflow's
     * expressions use (repository_owner, run_id, run_attempt, token); {@code environment} is
     * the runner's environment (GITHUB_EVENT_PATH, GITHUB_API_URL, PATH with jbang ...);
     * {@code overrides} replace workflow `env:` values (e.g. a local catalog).
     */
    JobRun run(String jobId, Path workspace, Map<String, String> github, Map<String, String> environment,
               Map<String, String> overrides) throws IOException, InterruptedException {
        return run(jobId, workspace, github, environment, overrides, null);
    }

    /**
     * The runner is lost while a step runs: when {@code lost} says so (it is asked every 20 ms while
     * the step's process lives), the step's processes are killed and nothing more of the job runs,
     * not even `if: always()` steps, as on GitHub when a runner goes away.
     */
    record RunnerLost(String stepId, java.util.function.BooleanSupplier when) {
    }

    JobRun run(String jobId, Path workspace, Map<String, String> github, Map<String, String> environment,
               Map<String, String> overrides, RunnerLost lost) throws IOException, InterruptedException {
        JsonNode job = workflow.path("jobs").path(jobId);
        if (job.isMissingNode()) {
            throw new IllegalArgumentException(file + " has no job " + jobId);
        }
        Path runnerTemp = Files.createDirectories(workspace.resolveSibling(workspace.getFileName() + "-runner-temp"));
        Map<String, String> context = new LinkedHashMap<>();
        github.forEach((k, v) -> context.put(k.startsWith("inputs.") || k.startsWith("needs.") ? k : "github." + k, v));
        context.put("runner.os", "Linux");
        context.put("runner.temp", runnerTemp.toString());

        Map<String, String> jobEnv = new LinkedHashMap<>(environment);
        jobEnv.put("GITHUB_ACTIONS", "true");
        jobEnv.put("CI", "true");
        jobEnv.put("GITHUB_WORKSPACE", workspace.toString());
        jobEnv.put("RUNNER_TEMP", runnerTemp.toString());
        jobEnv.put("RUNNER_OS", "Linux");
        // A called workflow's GITHUB_WORKFLOW is its caller's: "When a reusable workflow is triggered by a
        // caller workflow, the github context is always associated with the caller workflow" (GitHub docs,
        // "Reusing workflows"), and the default variables follow the github context.
        jobEnv.put("GITHUB_WORKFLOW", callerName != null ? callerName : name());
        if (environment.containsKey("GITHUB_EVENT_PATH")) {
            context.put("env.GITHUB_EVENT_PATH", environment.get("GITHUB_EVENT_PATH"));
        }
        if (environment.containsKey("GITHUB_EVENT_NAME")) {
            context.put("github.event_name", environment.get("GITHUB_EVENT_NAME"));
        }
        putEnv(jobEnv, workflow.path("env"), context, overrides);
        workflow.path("env").fieldNames().forEachRemaining(name -> context.put("env." + name, jobEnv.get(name)));
        putEnv(jobEnv, job.path("env"), context, overrides);
        // The env context: what the workflow's and the job's env: set (GitHub docs, "Contexts": env).
        job.path("env").fieldNames().forEachRemaining(name -> context.put("env." + name, jobEnv.get(name)));

        List<Step> steps = new ArrayList<>();
        if (job.has("if") && !new Expression(context, false).condition(job.get("if").asText())) {
            return new JobRun(List.of(new Step(jobId, jobId, "skipped", 0, "", "", Map.of(), "")), workspace, Map.of());
        }
        boolean failed = false;
        int index = 0;
        for (JsonNode step : job.path("steps")) {
            index++;
            String id = step.path("id").asText("step" + index);
            String name = step.path("name").asText(step.has("uses") ? step.get("uses").asText() : step.path("run").asText());
            String condition = step.path("if").asText("success()");
            if (!new Expression(context, failed).condition(condition)) {
                steps.add(new Step(id, name, "skipped", 0, "", "", Map.of(), ""));
                continue;
            }
            Map<String, String> ownEnv = new LinkedHashMap<>();
            putEnv(ownEnv, step.path("env"), context, Map.of());
            Map<String, String> stepEnv = new LinkedHashMap<>(jobEnv);
            stepEnv.putAll(ownEnv);
            Step result;
            if (step.has("uses")) {
                // A step's with: sees its own env: in the env context too.
                Map<String, String> withContext = new LinkedHashMap<>(context);
                ownEnv.forEach((key, value) -> withContext.put("env." + key, value));
                Path action = compositeAction(workspace, step.get("uses").asText());
                if (action == null) {
                    steps.add(provided(id, name, step, withContext));
                    continue;
                }
                result = runComposite(id, name, step, action, workspace, jobEnv, ownEnv, withContext, lost, steps);
            } else {
                RunnerLost lostHere = lost != null && lost.stepId().equals(id) ? lost : null;
                String shell = step.path("shell").asText(job.path("defaults").path("run").path("shell")
                        .asText(workflow.path("defaults").path("run").path("shell").asText("")));
                result = runStep(id, name, shellCommand(shell, file + ": step " + name), step.path("run").asText(), workspace, jobEnv, stepEnv, lostHere);
            }
            result.outputs().forEach((key, value) -> context.put("steps." + id + ".outputs." + key, value));
            context.put("steps." + id + ".outcome", result.outcome());
            context.put("steps." + id + ".conclusion", result.outcome());
            steps.add(result);
            if (result.outcome().equals("lost")) {
                break;
            }
            failed |= result.exitCode() != 0;
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        job.path("outputs").fields().forEachRemaining(o -> outputs.put(o.getKey(), substitute(o.getValue().asText(), context)));
        return new JobRun(steps, workspace, outputs);
    }

    /**
     * Every job of the workflow, in the order their needs allow, as one run: a job whose if: is false,
     * or one of whose needs failed, is skipped; a job that calls a reusable workflow
     * ({@code uses: ./.github/workflows/x.yml}, resolved in the workspace) runs that workflow's jobs
     * with the {@code with:} values as inputs. Keys are job ids, "caller/callee" for called jobs.
     */
    Map<String, JobRun> runAll(Path workspace, Map<String, String> github, Map<String, String> environment)
            throws IOException, InterruptedException {
        return runAll(workspace, github, environment, Map.of());
    }

    /** runAll with {@code overrides} replacing workflow and job env: values of every job, the called workflows' included. */
    Map<String, JobRun> runAll(Path workspace, Map<String, String> github, Map<String, String> environment, Map<String, String> overrides)
            throws IOException, InterruptedException {
        Map<String, JobRun> runs = new LinkedHashMap<>();
        Map<String, String> results = new LinkedHashMap<>();
        List<String> pending = new ArrayList<>();
        workflow.path("jobs").fieldNames().forEachRemaining(pending::add);
        while (!pending.isEmpty()) {
            String jobId = pending.stream().filter(id -> needs(id).stream().allMatch(results::containsKey)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(file + ": jobs whose needs never finish: " + pending));
            pending.remove(jobId);
            JsonNode job = workflow.path("jobs").path(jobId);
            Map<String, String> context = new LinkedHashMap<>(github);
            for (String need : needs(jobId)) {
                context.put("needs." + need + ".result", results.get(need));
                runs.getOrDefault(need, new JobRun(List.of(), workspace, Map.of())).outputs()
                        .forEach((name, value) -> context.put("needs." + need + ".outputs." + name, value));
            }
            boolean needsFailed = needs(jobId).stream().anyMatch(n -> !results.get(n).equals("success"));
            Map<String, String> expressions = new LinkedHashMap<>();
            context.forEach((k, v) -> expressions.put(k.startsWith("inputs.") || k.startsWith("needs.") ? k : "github." + k, v));
            if (environment.containsKey("GITHUB_EVENT_PATH")) {
                expressions.put("env.GITHUB_EVENT_PATH", environment.get("GITHUB_EVENT_PATH"));
            }
            String condition = job.path("if").asText("success()");
            if (!new Expression(expressions, needsFailed).condition(condition)) {
                results.put(jobId, "skipped");
                continue;
            }
            if (job.has("uses")) {
                WorkflowRunner called = new WorkflowRunner(workspace.resolve(job.get("uses").asText().replaceFirst("^\\./", "")),
                        callerName != null ? callerName : name());
                Map<String, String> inputs = new LinkedHashMap<>(github);
                job.path("with").fields().forEachRemaining(w -> inputs.put("inputs." + w.getKey(), substitute(w.getValue().asText(), expressions)));
                Map<String, JobRun> calledRuns = called.runAll(workspace, inputs, environment, overrides);
                calledRuns.forEach((id, run) -> runs.put(jobId + "/" + id, run));
                results.put(jobId, calledRuns.values().stream().allMatch(JobRun::succeeded) ? "success" : "failure");
                continue;
            }
            Map<String, String> forRun = new LinkedHashMap<>(context);
            JobRun run = run(jobId, workspace, forRun, environment, overrides, null);
            runs.put(jobId, run);
            results.put(jobId, run.succeeded() ? "success" : "failure");
        }
        return runs;
    }

    /** A run: step with the job's environment, its own env:, and fresh GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files. */
    /**
     * The command a run: step's script is given to, as GitHub's runners on Linux start it (GitHub docs, "Workflow syntax",
     * jobs.<job_id>.steps[*].shell): shell: bash is {@code bash --noprofile --norc -eo pipefail {0}}; no shell (nor a
     * default one) is {@code bash -e {0}}, where a command failing before a pipe does not fail the step.
     */
    private static List<String> shellCommand(String shell, String where) {
        return switch (shell) {
            case "bash" -> List.of("bash", "--noprofile", "--norc", "-eo", "pipefail");
            case "" -> List.of("bash", "-e");
            default -> throw new IllegalArgumentException(where + ": shell: " + shell + ": the test runner runs bash steps only");
        };
    }

    private static Step runStep(String id, String name, List<String> shell, String script, Path workspace, Map<String, String> jobEnv,
                                Map<String, String> stepEnv, RunnerLost lost) throws IOException, InterruptedException {
        Path runnerTemp = Path.of(jobEnv.get("RUNNER_TEMP"));
        Path output = Files.createTempFile(runnerTemp, "output", ".txt");
        Path summary = Files.createTempFile(runnerTemp, "summary", ".md");
        Path env = Files.createTempFile(runnerTemp, "env", ".txt");
        Map<String, String> environment = new LinkedHashMap<>(stepEnv);
        environment.put("GITHUB_OUTPUT", output.toString());
        environment.put("GITHUB_STEP_SUMMARY", summary.toString());
        environment.put("GITHUB_ENV", env.toString());
        Step result = runScript(id, name, shell, script, workspace, environment, output, summary, lost);
        // "makes the environment variable available to any subsequent steps in a workflow job" (GitHub docs,
        // "Workflow commands": setting an environment variable); the same name=value and heredoc forms as outputs.
        jobEnv.putAll(parseOutputs(env));
        return result;
    }

    /** The directory of the local composite action a uses: names, or null when it is not one (a remote action, a docker one...). */
    private static Path compositeAction(Path workspace, String uses) throws IOException {
        if (!uses.startsWith("./")) {
            return null;
        }
        Path dir = workspace.resolve(uses.substring(2)).normalize();
        Path file = Files.isRegularFile(dir.resolve("action.yml")) ? dir.resolve("action.yml") : dir.resolve("action.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(uses + ": no action.yml in the workspace (" + dir + ")");
        }
        return YAML.readTree(file.toFile()).path("runs").path("using").asText().equals("composite") ? file : null;
    }

    /** A uses: step the caller provides: recorded with its with: values, evaluated where this runner can. */
    private static Step provided(String id, String name, JsonNode step, Map<String, String> context) {
        Map<String, String> with = new LinkedHashMap<>();
        step.path("with").fields().forEachRemaining(w -> {
            String text = w.getValue().asText();
            try {
                with.put(w.getKey(), substitute(text, context));
            } catch (IllegalArgumentException beyondThisRunner) {
                with.put(w.getKey(), text);
            }
        });
        return new Step(id, name, "provided", 0, "", "", Map.of(), "", with);
    }

    /**
     * A local composite action, as the runner runs one (GitHub docs, "Metadata syntax for GitHub Actions", runs for composite
     * actions): its inputs are the step's with: values (evaluated in the job's context) or their defaults; its steps see
     * the inputs, github and runner contexts and their own steps context, not the job's; a run: step needs shell: and gets
     * the job's environment, the calling step's env: and its own; its outputs are mapped from its steps. Its steps are
     * added to {@code steps} as "ID/STEP"; the result is the calling step's, a failure if one of them failed.
     */
    private Step runComposite(String id, String name, JsonNode step, Path actionFile, Path workspace, Map<String, String> jobEnv,
                              Map<String, String> callerEnv /* the calling step's own env: */, Map<String, String> jobContext, RunnerLost lost, List<Step> steps)
            throws IOException, InterruptedException {
        JsonNode action = YAML.readTree(actionFile.toFile());
        Map<String, String> context = new LinkedHashMap<>();
        jobContext.forEach((key, value) -> {
            if (key.startsWith("github.") || key.startsWith("runner.") || key.startsWith("env.")) {
                context.put(key, value);
            }
        });
        JsonNode declared = action.path("inputs");
        step.path("with").fieldNames().forEachRemaining(input -> {
            if (!declared.has(input)) {
                throw new IllegalArgumentException(actionFile + " has no input " + input);
            }
        });
        declared.fields().forEachRemaining(input -> {
            JsonNode given = step.path("with").get(input.getKey());
            String value = given != null ? substitute(given.asText(), jobContext)
                    : substitute(input.getValue().path("default").asText(""), context);
            if (given == null && input.getValue().path("required").asBoolean(false) && !input.getValue().has("default")) {
                throw new IllegalArgumentException(actionFile + ": the required input " + input.getKey() + " is not given");
            }
            context.put("inputs." + input.getKey(), value);
        });
        boolean failed = false;
        int exitCode = 0;
        int index = 0;
        String outcome = "success";
        for (JsonNode inner : action.path("runs").path("steps")) {
            index++;
            String innerId = inner.path("id").asText("step" + index);
            String innerName = inner.path("name").asText(inner.has("uses") ? inner.get("uses").asText() : inner.path("run").asText());
            String fullId = id + "/" + innerId;
            if (!new Expression(context, failed).condition(inner.path("if").asText("success()"))) {
                steps.add(new Step(fullId, innerName, "skipped", 0, "", "", Map.of(), ""));
                continue;
            }
            Step result;
            if (inner.has("uses")) {
                Path nested = compositeAction(workspace, inner.get("uses").asText());
                if (nested == null) {
                    steps.add(provided(fullId, innerName, inner, context));
                    continue;
                }
                Map<String, String> nestedEnv = new LinkedHashMap<>(callerEnv);
                putEnv(nestedEnv, inner.path("env"), context, Map.of());
                result = runComposite(fullId, innerName, inner, nested, workspace, jobEnv, nestedEnv, context, lost, steps);
            } else {
                if (!inner.path("shell").asText().equals("bash")) {
                    throw new IllegalArgumentException(actionFile + ": step " + innerId + ": the test runner runs shell: bash steps only");
                }
                // The job's environment as it is now (with what earlier steps added to GITHUB_ENV), the calling step's env:, its own.
                Map<String, String> env = new LinkedHashMap<>(jobEnv);
                env.putAll(callerEnv);
                env.put("GITHUB_ACTION_PATH", actionFile.getParent().toString());
                putEnv(env, inner.path("env"), context, Map.of());
                RunnerLost lostHere = lost != null && lost.stepId().equals(fullId) ? lost : null;
                result = runStep(fullId, innerName, shellCommand("bash", innerId), inner.path("run").asText(), workspace, jobEnv, env, lostHere);
            }
            Step done = result;
            done.outputs().forEach((key, value) -> context.put("steps." + innerId + ".outputs." + key, value));
            context.put("steps." + innerId + ".outcome", done.outcome());
            context.put("steps." + innerId + ".conclusion", done.outcome());
            steps.add(done);
            if (done.outcome().equals("lost")) {
                outcome = "lost";
                exitCode = -1;
                break;
            }
            if (done.exitCode() != 0 && !failed) {
                failed = true;
                exitCode = done.exitCode();
                outcome = "failure";
            }
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        action.path("outputs").fields().forEachRemaining(o -> outputs.put(o.getKey(), substitute(o.getValue().path("value").asText(""), context)));
        return new Step(id, name, outcome, exitCode, "", "", outputs, "");
    }

    private List<String> needs(String jobId) {
        JsonNode needs = workflow.path("jobs").path(jobId).path("needs");
        List<String> ids = new ArrayList<>();
        if (needs.isTextual()) {
            ids.add(needs.asText());
        }
        needs.forEach(n -> ids.add(n.asText()));
        return ids;
    }

    private static Step runScript(String id, String name, List<String> shell, String script, Path workspace, Map<String, String> env,
                                  Path output, Path summary, RunnerLost lost) throws IOException, InterruptedException {
        Path scriptFile = Files.createTempFile(Path.of(env.get("RUNNER_TEMP")), "step", ".sh");
        Files.writeString(scriptFile, script);
        List<String> command = new ArrayList<>(shell);
        command.add(scriptFile.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workspace.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Path stdout = Files.createTempFile(Path.of(env.get("RUNNER_TEMP")), "stdout", ".txt");
        Path stderr = Files.createTempFile(Path.of(env.get("RUNNER_TEMP")), "stderr", ".txt");
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!process.waitFor(20, TimeUnit.MILLISECONDS)) {
            if (lost != null && lost.when().getAsBoolean()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                return new Step(id, name, "lost", -1, Files.readString(stdout), Scripts.withoutJBangProgress(Files.readString(stderr)),
                        Map.of(), Files.readString(summary));
            }
            if (System.nanoTime() > deadline) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("step '" + name + "' timed out");
            }
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

    /** Each ${{ expression }} in value, evaluated against the context. */
    private static String substitute(String value, Map<String, String> context) {
        Matcher matcher = EXPRESSION.matcher(value);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(new Expression(context, false).text(matcher.group(1))));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    /**
     * The part of GitHub's expression language the event-bus workflows use: contexts (github.*, runner.*,
     * steps.ID.outputs.NAME, steps.ID.outcome, env.*; an unknown path is an error rather than ''),
     * 'strings', numbers, true/false/null, ==, !=, !, &&, ||, parentheses, and the functions always(),
     * success(), failure(), cancelled(), contains() and startsWith(). A condition without a status
     * function means success() && (condition), as in Actions.
     */
    static final class Expression {
        private static final Pattern TOKEN = Pattern.compile("\\s*(?:('[^']*(?:''[^']*)*')|(==|!=|&&|\\|\\||[!(),])|([A-Za-z_][\\w.-]*)|(\\.[A-Za-z_][\\w-]*)|(-?\\d+(?:\\.\\d+)?))");
        private final Map<String, String> context;
        private final boolean failed;
        private List<String> tokens;
        private int position;

        Expression(Map<String, String> context, boolean failed) {
            this.context = context;
            this.failed = failed;
        }

        boolean condition(String condition) {
            String expression = condition.strip();
            Matcher wrapped = EXPRESSION.matcher(expression);
            if (wrapped.matches()) {
                expression = wrapped.group(1);
            }
            boolean statusFunction = expression.matches(".*\\b(always|success|failure|cancelled)\\(\\).*");
            return (statusFunction || !failed) && truthy(evaluate(expression));
        }

        String text(String expression) {
            Object value = evaluate(expression);
            return value == null ? "" : value instanceof Boolean b ? b.toString() : value.toString();
        }

        private Object evaluate(String expression) {
            tokens = new ArrayList<>();
            Matcher m = TOKEN.matcher(expression);
            int end = 0;
            while (m.lookingAt()) {
                tokens.add(m.group().strip());
                end = m.end();
                m.region(end, expression.length());
            }
            if (!expression.substring(end).isBlank()) {
                throw new IllegalArgumentException("expression not supported by the test runner: " + expression);
            }
            position = 0;
            Object value = or();
            if (position != tokens.size()) {
                throw new IllegalArgumentException("expression not supported by the test runner: " + expression);
            }
            return value;
        }

        private Object or() {
            Object left = and();
            while (accept("||")) {
                Object right = and();
                left = truthy(left) ? left : right;
            }
            return left;
        }

        private Object and() {
            Object left = comparison();
            while (accept("&&")) {
                Object right = comparison();
                left = truthy(left) ? right : left;
            }
            return left;
        }

        private Object comparison() {
            Object left = unary();
            while (position < tokens.size() && (tokens.get(position).equals("==") || tokens.get(position).equals("!="))) {
                boolean equals = tokens.get(position++).equals("==");
                Object right = unary();
                left = equals == String.valueOf(left).equalsIgnoreCase(String.valueOf(right));
            }
            return left;
        }

        private Object unary() {
            if (accept("!")) {
                return !truthy(unary());
            }
            if (accept("(")) {
                Object value = or();
                expect(")");
                return value;
            }
            String token = tokens.get(position++);
            if (token.startsWith("'")) {
                return token.substring(1, token.length() - 1).replace("''", "'");
            }
            if (token.matches("-?\\d+(\\.\\d+)?") || token.equals("true") || token.equals("false")) {
                return token.equals("true") || token.equals("false") ? Boolean.valueOf(token) : token;
            }
            if (token.equals("null")) {
                return null;
            }
            if (accept("(")) {
                List<Object> arguments = new ArrayList<>();
                while (!accept(")")) {
                    arguments.add(or());
                    accept(",");
                }
                Object value = call(token, arguments);
                // fromJSON(x).name: properties of the value a function returned
                while (position < tokens.size() && tokens.get(position).startsWith(".")) {
                    String property = tokens.get(position++).substring(1);
                    JsonNode node = value instanceof JsonNode json ? json : fromJson(String.valueOf(value));
                    JsonNode child = node.path(property);
                    value = child.isMissingNode() || child.isNull() ? null : child.isValueNode() ? child.asText() : child;
                }
                return value;
            }
            if (token.startsWith("github.event.")) {
                return event(token.substring("github.event.".length()));
            }
            if (token.startsWith("needs.")) {
                return context.getOrDefault(token, "");
            }
            if (token.startsWith("steps.") || token.startsWith("inputs.")) {
                return context.getOrDefault(token, ""); // a step that did not run or set no such output; an input not given
            }
            if (!context.containsKey(token)) {
                throw new IllegalArgumentException("expression not supported by the test runner: ${{ " + token + " }}");
            }
            return context.get(token);
        }

        /** A value of the event that started the run ($GITHUB_EVENT_PATH), by its dotted path; null when absent. */
        private Object event(String path) {
            String file = context.get("env.GITHUB_EVENT_PATH");
            if (file == null) {
                throw new IllegalArgumentException("github.event." + path + ": the run has no GITHUB_EVENT_PATH");
            }
            try {
                JsonNode node = YAML.readTree(Path.of(file).toFile());
                for (String key : path.split("\\.")) {
                    node = node.path(key);
                }
                return node.isMissingNode() || node.isNull() ? null : node.isValueNode() ? node.asText() : node.toString();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private Object call(String function, List<Object> arguments) {
            return switch (function) {
                case "always" -> true;
                case "success" -> !failed;
                case "failure" -> failed;
                case "cancelled" -> false;
                case "contains" -> String.valueOf(arguments.get(0)).toLowerCase().contains(String.valueOf(arguments.get(1)).toLowerCase());
                case "startsWith" -> String.valueOf(arguments.get(0)).toLowerCase().startsWith(String.valueOf(arguments.get(1)).toLowerCase());
                case "fromJSON" -> fromJson(String.valueOf(arguments.get(0)));
                default -> throw new IllegalArgumentException("function not supported by the test runner: " + function + "()");
            };
        }

        private static JsonNode fromJson(String text) {
            try {
                return YAML.readTree(text.isBlank() ? "null" : text);
            } catch (IOException e) {
                throw new IllegalArgumentException("fromJSON: not JSON: " + text, e);
            }
        }

        private boolean accept(String token) {
            if (position < tokens.size() && tokens.get(position).equals(token)) {
                position++;
                return true;
            }
            return false;
        }

        private void expect(String token) {
            if (!accept(token)) {
                throw new IllegalArgumentException("expected " + token + " in expression");
            }
        }

        private static boolean truthy(Object value) {
            return value instanceof Boolean b ? b : value != null && !String.valueOf(value).isEmpty() && !String.valueOf(value).equals("0");
        }
    }
}
