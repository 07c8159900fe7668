import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test runner's own rules, which the workflow tests rely on: expressions, needs, job outputs, reusable workflows. */
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
}
