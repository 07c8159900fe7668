import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The closing keywords of a pull request's description, as the PR creation detector and the readiness evaluator read
 * them: their shell function closing_issues, taken from the workflow files as written and run in bash as the runner
 * would. GitHub's rules ("Linking a pull request to an issue", docs.github.com): the keywords close, closes, closed,
 * fix, fixes, fixed, resolve, resolves, resolved; "The keywords can be followed by colons or in uppercase"
 * (Closes: #10, CLOSES #10); KEYWORD #ISSUE-NUMBER for this repository, KEYWORD OWNER/REPOSITORY#ISSUE-NUMBER for
 * any; "Multiple issues: Use full syntax for each issue".
 */
class ClosingKeywordsTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String REPO = "octo-org/octo-repo";
    static final Pattern FUNCTION = Pattern.compile("(?ms)^( *)# Closing keywords as GitHub reads them.*?^\\1closing_issues\\(\\) \\{\\n.*?^\\1}\\n");

    /** The function as a workflow's step holds it (the step whose run: defines it). */
    static String function(String workflow) throws IOException {
        JsonNode jobs = YAML.readTree(RouterFixture.WORKFLOWS.resolve(workflow).toFile()).path("jobs");
        for (JsonNode job : jobs) {
            for (JsonNode step : job.path("steps")) {
                Matcher m = FUNCTION.matcher(step.path("run").asText());
                if (m.find()) {
                    return m.group();
                }
            }
        }
        throw new AssertionError(workflow + " defines no closing_issues");
    }

    record Parsed(int exitCode, String stdout, String stderr) {}

    /** closing_issues BODY in bash -eo pipefail, as a run: step runs, with GITHUB_REPOSITORY set. */
    static Parsed parse(String body) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                function("pr-creation-detector.yml") + "closing_issues \"$BODY\"");
        builder.environment().put("BODY", body);
        builder.environment().put("GITHUB_REPOSITORY", REPO);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(Scripts.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)); // a bound for a hung process only
        return new Parsed(process.exitValue(), out, err);
    }

    @Test
    void theDetectorAndTheEvaluatorReadThemWithTheSameFunction() throws IOException {
        assertEquals(function("pr-creation-detector.yml"), function("readiness-evaluator.yml"));
    }

    static Stream<Arguments> closingReferences() {
        return Stream.of(
                Arguments.of("Fixes #12", List.of("12")),
                Arguments.of("fixes #12", List.of("12")),
                Arguments.of("fix #12", List.of("12")),
                Arguments.of("fixed #12", List.of("12")),
                Arguments.of("close #12", List.of("12")),
                Arguments.of("Closes #12", List.of("12")),
                Arguments.of("Closed #12", List.of("12")),
                Arguments.of("resolve #12", List.of("12")),
                Arguments.of("resolves #12", List.of("12")),
                Arguments.of("Resolved #12", List.of("12")),
                Arguments.of("FIXES #12", List.of("12")),
                Arguments.of("Closes: #10", List.of("10")),          // GitHub's own examples of the colon and of upper case
                Arguments.of("CLOSES #10", List.of("10")),
                Arguments.of("CLOSES: #10", List.of("10")),
                Arguments.of("Fixes octo-org/octo-repo#12", List.of("12")),
                Arguments.of("Fixes Octo-Org/Octo-Repo#12", List.of("12")),   // owner and name are not case sensitive
                Arguments.of("Adds the widget.\n\nFixes #12.", List.of("12")),
                Arguments.of("feat: the widget (fixes #313)", List.of("313")),
                Arguments.of("Fixes\t#7", List.of("7")),
                Arguments.of("Resolves #10, resolves #123, resolves octo-org/octo-repo#100", List.of("10", "123", "100")),
                Arguments.of("close #1\nfix #2", List.of("1", "2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closingReferences")
    void aClosingReferenceToThisRepositoryNamesItsIssue(String body, List<String> issues) throws Exception {
        Parsed parsed = parse(body);
        assertEquals(0, parsed.exitCode(), parsed.toString());
        assertEquals(issues, parsed.stdout().lines().toList(), parsed.toString());
    }

    static Stream<Arguments> noClosingReference() {
        return Stream.of(
                "prefix #12",                   // "fix" inside a word
                "unfixes #12",
                "#12",                          // a mention, no keyword
                "Relates to #12",
                "fixes other/repo#12",          // another repository's issue: it is not this chain's
                "closing #12",                  // not one of the nine keywords
                "fixes the bug in #12",         // the keyword must come right before the reference
                "Fixes:#12",                    // GitHub's syntax puts a space before the reference
                "Fixes 12",
                "").map(Arguments::of);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("noClosingReference")
    void notAClosingReferenceToThisRepository(String body) throws Exception {
        Parsed parsed = parse(body);
        assertEquals(new Parsed(0, "", ""), parsed);
    }

    @Test
    void eachReferenceNeedsItsOwnKeyword() throws Exception {
        // "Fixes #1, #2" closes #1 only: GitHub's syntax for several issues repeats the keyword.
        assertEquals(new Parsed(0, "1\n", ""), parse("Fixes #1, #2"));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("Fixes #", "Fixes #"),                      // a template left unfilled
                Arguments.of("Fixes #0", "Fixes #0"),
                Arguments.of("closes #12abc", "closes #12abc"),
                Arguments.of("Fixes #99999999999", "Fixes #99999999999"),  // beyond GitHub's issue numbers (32-bit)
                Arguments.of("Fixes #3 and resolves other/repo#x", "resolves other/repo#x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedClosingReferenceIsBadInput(String body, String reference) throws Exception {
        Parsed parsed = parse(body);
        assertEquals(2, parsed.exitCode(), parsed.toString());
        assertEquals("", parsed.stdout());
        assertEquals("malformed closing reference \"" + reference + "\": the issue number must be a positive integer\n", parsed.stderr());
    }
}
