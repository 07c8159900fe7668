import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test runner's own rules, which the workflow tests rely on: expressions, needs, job outputs, reusable workflows, composite actions. */
class WorkflowRunnerTest {
    @TempDir
    Path workspace;

    @Test
    void expressionsFollowGitHubsRules() {
        Map<String, String> context = new HashMap<>(Map.of("steps.a.outputs.x", "yes", "inputs.n", "3", "needs.p.outputs.r", "{\"pr\":\"456\",\"tags\":[1]}"));
        WorkflowRunner.Expression expression = new WorkflowRunner.Expression(context, false);
        assertEquals("true", expression.text("steps.a.outputs.x == 'YES'"), "comparisons ignore case, as GitHub's do");
        assertEquals("", expression.text("steps.b.outputs.missing"), "an output never set is empty");
        assertEquals("456", expression.text("fromJSON(needs.p.outputs.r).pr"));
        assertEquals("fallback", expression.text("inputs.absent || 'fallback'"));
        assertEquals("true", expression.text("!(inputs.n == '4') && startsWith('copilot/rfc-1', 'copilot/')"));
        assertEquals(false, new WorkflowRunner.Expression(context, true).condition("steps.a.outputs.x == 'yes'"), "success() is implied");
        assertEquals(true, new WorkflowRunner.Expression(context, true).condition("failure() && steps.a.outputs.x == 'yes'"));
        assertThrows(IllegalArgumentException.class, () -> expression.text("secrets.TOKEN"), "an unknown context is an error, not ''");
    }

    @Test
    void jobsRunInTheOrderTheirNeedsAllowAndCallReusableWorkflows() throws Exception {
        Files.createDirectories(workspace.resolve(".github/workflows"));
        Files.writeString(workspace.resolve(".github/workflows/callee.yml"), """
                on:
                  workflow_call:
                    inputs:
                      who: {type: string, required: true}
                jobs:
                  greet:
                    runs-on: ubuntu-latest
                    env:
                      WHO: ${{ inputs.who }}
                    steps:
                      - run: echo "hello $WHO" >> "$GITHUB_STEP_SUMMARY"
                """);
        Path caller = Files.writeString(workspace.resolve("caller.yml"), """
                on: push
                jobs:
                  call-no:
                    needs: plan
                    if: needs.plan.outputs.route-2 != ''
                    uses: ./.github/workflows/callee.yml
                    with:
                      who: nobody
                  plan:
                    runs-on: ubuntu-latest
                    outputs:
                      route-1: ${{ steps.p.outputs.route-1 }}
                      route-2: ${{ steps.p.outputs.route-2 }}
                    steps:
                      - id: p
                        run: |
                          echo 'route-1={"who":"world"}' >> "$GITHUB_OUTPUT"
                          echo 'route-2=' >> "$GITHUB_OUTPUT"
                  call-yes:
                    needs: plan
                    if: needs.plan.outputs.route-1 != ''
                    uses: ./.github/workflows/callee.yml
                    with:
                      who: ${{ fromJSON(needs.plan.outputs.route-1).who }}
                """);
        Map<String, WorkflowRunner.JobRun> runs = new WorkflowRunner(caller).runAll(workspace, Map.of(), Map.of("PATH", System.getenv("PATH")));
        assertEquals(java.util.List.of("plan", "call-yes/greet"), java.util.List.copyOf(runs.keySet()), "call-no was skipped");
        assertEquals("hello world\n", runs.get("call-yes/greet").summary());
        assertEquals("{\"who\":\"world\"}", runs.get("plan").outputs().get("route-1"));
    }

    /**
     * GitHub docs, "Workflow syntax", jobs.<job_id>.steps[*].shell: on Linux a step with no shell runs in
     * {@code bash -e {0}}, one with {@code shell: bash} (its own, or the job's or the workflow's defaults.run.shell)
     * in {@code bash --noprofile --norc -eo pipefail {0}}: only there does a command failing before a pipe fail the step.
     */
    @Test
    void aStepRunsInTheShellGitHubWouldStartForIt() throws Exception {
        String steps = """
                    steps:
                      - id: piped
                        run: |
                          false | cat
                          echo "went=on" >> "$GITHUB_OUTPUT"
                """;
        Path plain = Files.writeString(workspace.resolve("plain.yml"), "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n" + steps);
        WorkflowRunner.JobRun bashE = new WorkflowRunner(plain).run("j", workspace, Map.of(), Map.of("PATH", System.getenv("PATH")), Map.of(), null);
        assertEquals("success", bashE.step("piped").outcome(), "bash -e: the pipeline's status is cat's");
        assertEquals("on", bashE.step("piped").outputs().get("went"));
        Path defaults = Files.writeString(workspace.resolve("defaults.yml"),
                "on: push\ndefaults:\n  run:\n    shell: bash\njobs:\n  j:\n    runs-on: ubuntu-latest\n" + steps);
        WorkflowRunner.JobRun pipefail = new WorkflowRunner(defaults).run("j", workspace, Map.of(), Map.of("PATH", System.getenv("PATH")), Map.of(), null);
        assertEquals("failure", pipefail.step("piped").outcome(), "shell: bash: -o pipefail");
        Path other = Files.writeString(workspace.resolve("other.yml"),
                "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    defaults:\n      run:\n        shell: sh\n" + steps);
        assertThrows(IllegalArgumentException.class, () -> new WorkflowRunner(other).run("j", workspace, Map.of(),
                Map.of("PATH", System.getenv("PATH")), Map.of(), null), "a shell the runner does not start as GitHub would");
    }

    @Test
    void aLocalCompositeActionRunsItsStepsWithItsInputsAndMapsItsOutputs() throws Exception {
        Files.createDirectories(workspace.resolve(".github/actions/greet"));
        Files.writeString(workspace.resolve(".github/actions/greet/action.yml"), """
                name: greet
                description: says hello
                inputs:
                  who:
                    description: whom
                    required: true
                  how:
                    description: how
                    default: hello
                outputs:
                  said:
                    description: what it said
                    value: ${{ steps.say.outputs.said }}
                runs:
                  using: composite
                  steps:
                    - uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5
                      with:
                        key: greet-${{ inputs.who }}
                    - id: say
                      shell: bash
                      env:
                        WHO: ${{ inputs.who }}
                      run: |
                        echo "said=$HOW_FROM_CALLER $WHO" >> "$GITHUB_OUTPUT"
                        echo "GREETED=$WHO" >> "$GITHUB_ENV"
                        test -f "$GITHUB_ACTION_PATH/action.yml"
                    - if: inputs.how == 'never'
                      shell: bash
                      run: exit 3
                    - shell: bash
                      run: |
                        echo "inside, after: $GREETED" >> "$GITHUB_STEP_SUMMARY"
                """);
        Path workflow = Files.writeString(workspace.resolve("w.yml"), """
                on: push
                jobs:
                  j:
                    runs-on: ubuntu-latest
                    steps:
                      - id: greet
                        uses: ./.github/actions/greet
                        env:
                          HOW_FROM_CALLER: hi
                        with:
                          who: ${{ github.repository_owner }}
                      - env:
                          SAID: ${{ steps.greet.outputs.said }}
                        run: echo "$GREETED / $SAID" >> "$GITHUB_STEP_SUMMARY"
                """);
        WorkflowRunner.JobRun run = new WorkflowRunner(workflow).run("j", workspace, Map.of("repository_owner", "octo-org"),
                Map.of("PATH", System.getenv("PATH")), Map.of());
        assertEquals(true, run.succeeded(), run.steps().toString());
        assertEquals("provided", run.step("greet/step1").outcome());
        assertEquals(Map.of("key", "greet-octo-org"), run.step("greet/step1").with(), "a provided step's with:, evaluated");
        assertEquals("skipped", run.step("greet/step3").outcome());
        assertEquals(Map.of("said", "hi octo-org"), run.step("greet").outputs());
        assertEquals("inside, after: octo-org\nocto-org / hi octo-org\n", run.summary(), "GITHUB_ENV reaches the steps after");
    }

    @Test
    void aFailingStepOfACompositeActionFailsTheStepThatUsesIt() throws Exception {
        Files.createDirectories(workspace.resolve("act"));
        Files.writeString(workspace.resolve("act/action.yml"), """
                name: fails
                description: fails
                runs:
                  using: composite
                  steps:
                    - shell: bash
                      run: exit 4
                    - shell: bash
                      run: echo never
                    - if: failure()
                      shell: bash
                      run: echo cleaned >> "$GITHUB_STEP_SUMMARY"
                """);
        Path workflow = Files.writeString(workspace.resolve("w.yml"), """
                on: push
                jobs:
                  j:
                    runs-on: ubuntu-latest
                    steps:
                      - id: a
                        uses: ./act
                      - run: echo not reached
                      - if: always()
                        env:
                          OUTCOME: ${{ steps.a.outcome }}
                        run: |
                          echo "after: $OUTCOME" >> "$GITHUB_STEP_SUMMARY"
                """);
        WorkflowRunner.JobRun run = new WorkflowRunner(workflow).run("j", workspace, Map.of(), Map.of("PATH", System.getenv("PATH")), Map.of());
        assertEquals(false, run.succeeded());
        assertEquals(4, run.step("a").exitCode());
        assertEquals("skipped", run.step("a/step2").outcome());
        assertEquals("skipped", run.step("step2").outcome());
        assertEquals("cleaned\nafter: failure\n", run.summary());
        Files.writeString(workspace.resolve("w.yml"), Files.readString(workflow).replace("uses: ./act", "uses: ./act\n        with:\n          nope: 1"));
        assertThrows(IllegalArgumentException.class, () -> new WorkflowRunner(workflow).run("j", workspace, Map.of(), Map.of(), Map.of()),
                "an input the action does not declare");
    }
}
