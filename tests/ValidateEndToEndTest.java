import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./jbang validate.java ...` as a user runs it: a real process, stdout, stderr and exit code apart. */
class ValidateEndToEndTest {
    static final Path EXAMPLES = Scripts.ROOT.resolve("schemas/examples");
    static final String SCRIPT = Scripts.ROOT.resolve("validate.java").toString();

    @TempDir
    Path temp;

    @Test
    void validEventExitsZeroWithNothingOnStdout() {
        Scripts.Result run = Scripts.jbang(temp, Map.of(), null, SCRIPT, EXAMPLES.resolve("rfc.pr.ready/valid-with-trace-id.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.stdout());
        assertEquals("1 event checked: 1 valid, 0 invalid", run.stderr());
    }

    @Test
    void invalidEventExitsTwoWithOneLineNamingFieldAndRule() {
        Path example = EXAMPLES.resolve("rfc.issue.assigned/invalid-micro-one-digit.json");
        Scripts.Result run = Scripts.jbang(temp, Map.of(), null, SCRIPT, example.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("", run.stdout());
        String first = run.stderr().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith(example + ": /client_payload/data/micro: "), first);
        assertTrue(first.endsWith("(rule: pattern)"), first);
    }

    @Test
    void stdinIsReadWithDash() throws IOException {
        String event = Files.readString(EXAMPLES.resolve("rfc.chain.broken/valid-ci-stuck.json"));
        Scripts.Result run = Scripts.jbang(temp, Map.of(), event, SCRIPT, "-");
        assertEquals(0, run.exitCode(), run.toString());

        Scripts.Result empty = Scripts.jbang(temp, Map.of(), "", SCRIPT, "-");
        assertEquals(2, empty.exitCode(), empty.toString());
        assertTrue(empty.stderr().startsWith("<stdin>: (document): empty input"), empty.toString());
        ValidateTest.assertNamesFieldAndRule(empty.stderr(), "<stdin>: ", "(document)", "json");
    }

    @Test
    void insideActionsJsonLinesErrorsAreAnnotatedWithFileAndLine() throws IOException {
        String valid = Files.readString(EXAMPLES.resolve("rfc.pr.ready/valid-with-trace-id.json")).replace("\n", "");
        String invalid = Files.readString(EXAMPLES.resolve("rfc.pr.ready/invalid-pr-zero.json")).replace("\n", "");
        Path file = Files.writeString(temp.resolve("events.jsonl"), valid + "\n" + valid + "\n" + invalid + "\n");
        Path summary = temp.resolve("summary.md");
        Scripts.Result run = Scripts.jbang(temp, Map.of("GITHUB_ACTIONS", "true", "GITHUB_STEP_SUMMARY", summary.toString()),
                null, SCRIPT, "events.jsonl");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().startsWith("::error file=events.jsonl,line=3,title=Invalid event (minimum)::/client_payload/data/pr: "),
                run.toString());
        ValidateTest.assertNamesFieldAndRule(run.stderr(), "::error file=events.jsonl,line=3,title=Invalid event (minimum)::",
                "/client_payload/data/pr", "minimum");
        assertTrue(Files.readString(summary).contains("| events.jsonl:3 | `rfc.pr.ready` | `/client_payload/data/pr` | minimum |"));
    }

    @Test
    void schemasInDocsEventsSchemaOfTheRepositoryAreUsed() throws IOException {
        Files.createDirectories(temp.resolve(".git"));
        Path schemas = temp.resolve("docs/events/schema");
        Files.createDirectories(schemas.resolve("events"));
        Files.copy(Scripts.ROOT.resolve("schemas/envelope.schema.json"), schemas.resolve("envelope.schema.json"));
        ValidateTest.addEventType(schemas, "team.deploy.done");
        Path event = Files.writeString(temp.resolve("event.json"), ValidateTest.eventOfType("team.deploy.done").toString());
        Path subdirectory = Files.createDirectories(temp.resolve("src/deep"));

        Scripts.Result run = Scripts.jbang(subdirectory, Map.of(), null, SCRIPT, event.toString());
        assertEquals(0, run.exitCode(), run.toString());
    }

    @Test
    void helpVersionAndBadFlag() {
        Scripts.Result help = Scripts.jbang(temp, Map.of(), null, SCRIPT, "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.stdout().contains("Exit codes:"), help.toString());
        Scripts.Result version = Scripts.jbang(temp, Map.of(), null, SCRIPT, "--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.stdout().startsWith("validate "), version.toString());
        Scripts.Result bad = Scripts.jbang(temp, Map.of(), null, SCRIPT, "--no-such-flag");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.stderr().startsWith("Unknown option: '--no-such-flag'"), bad.toString());
    }
}
