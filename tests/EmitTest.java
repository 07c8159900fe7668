import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** emit.java in-process against the emulator: the envelope, validation before sending, retries, refusals. */
class EmitTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String DISPATCHES = "/repos/" + REPO + "/dispatches";
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().output("output.txt");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    static InProcess.Run emit(Map<String, String> env, String... args) {
        emit command = new emit();
        command.env = env;
        return InProcess.run(emit.newCommandLine(command), args);
    }

    List<GitHubEmulator.JournalEntry> dispatches() {
        return github.journal("POST", DISPATCHES);
    }

    static Stream<Arguments> rfcEvents() {
        return Stream.of(
                Arguments.of("rfc.issue.assigned", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}"),
                Arguments.of("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}"),
                Arguments.of("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}"),
                Arguments.of("rfc.pr.blocked", "{\"pr\":456,\"blockers\":[\"checks:failing\",\"merge-conflict\"]}"),
                Arguments.of("rfc.chain.broken", "{\"chain_id\":\"RFC-093-02\",\"reason\":\"PR_CLOSED_CONFLICT\"}"));
    }

    @ParameterizedTest
    @MethodSource("rfcEvents")
    void eachRfcEventIsSentInOneRequestAndDeliveredAsGitHubWould(String type, String data) throws IOException {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        InProcess.Run run = emit(testbed.env(), type, "--payload", data, "--source", "assignment-workflow");
        Instant after = Instant.now();
        assertEquals(0, run.exitCode(), run.err());
        String eventId = run.out().strip();
        assertTrue(eventId.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), eventId);
        assertEquals(1, github.journal().size(), "one HTTP request per emit");
        assertEquals(204, dispatches().get(0).status());
        assertEquals("event_id=" + eventId + "\n", Files.readString(temp.resolve("output.txt")));

        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(1, delivered.size());
        JsonNode event = JSON.readTree(delivered.get(0).toFile());
        assertEquals(type, event.get("action").asText());
        assertEquals(eventId, event.at("/client_payload/event_id").asText());
        assertEquals(eventId, event.at("/client_payload/trace_id").asText(), "a first event is its own trace");
        assertEquals("assignment-workflow", event.at("/client_payload/source").asText());
        assertEquals(JSON.readTree(data), event.at("/client_payload/data"));
        Instant sent = Instant.parse(event.at("/client_payload/timestamp").asText());
        assertFalse(sent.isBefore(before) || sent.isAfter(after), "stamped while emit ran: " + before + " <= " + sent + " <= " + after);
        assertTrue(event.at("/client_payload/timestamp").asText().matches(".*T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"));
    }

    @Test
    void dryRunPrintsAValidBodyAndSendsNothing() throws IOException {
        InProcess.Run run = emit(Map.of(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--dry-run");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode body = JSON.readTree(run.out());
        assertEquals("rfc.pr.ready", body.get("event_type").asText());
        assertEquals(456, body.at("/client_payload/data/pr").asInt());
        Path file = Files.writeString(temp.resolve("body.json"), run.out());
        assertEquals(0, ValidateTest.validate(file.toString()).exitCode(), "the dry-run body passes validate");
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void dedupeKeyGivesTheDocumentedVersion5Id() throws IOException {
        // uuid.uuid5(uuid.UUID('d768854e-7ce7-5a89-8b74-d8a7e84cd9d4'), 'issue-123') in Python
        assertEquals(UUID.fromString("695172c9-8e0c-57ee-889c-7b4a2dc9e32f"), emit.nameBasedUuid(emit.DEDUPE_KEY_NAMESPACE, "issue-123"));
        InProcess.Run run = emit(testbed.env(), "rfc.issue.assigned", "--payload", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}", "--dedupe-key", "issue-123");
        assertEquals("695172c9-8e0c-57ee-889c-7b4a2dc9e32f", run.out().strip());
    }

    @Test
    void traceIdIsInheritedFromTheEventThatStartedTheWorkflow() throws IOException {
        String parentTrace = "11111111-2222-4333-8444-555555555555";
        Path parent = Files.writeString(temp.resolve("event.json"),
                "{\"action\":\"rfc.issue.assigned\",\"client_payload\":{\"event_id\":\"aaaaaaaa-2222-4333-8444-555555555555\",\"trace_id\":\""
                        + parentTrace + "\"},\"repository\":{},\"sender\":{}}");
        Map<String, String> env = testbed.env();
        env.put("GITHUB_EVENT_PATH", parent.toString());
        InProcess.Run run = emit(env, "rfc.pr.created", "--payload", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}", "--dry-run");
        assertEquals(parentTrace, JSON.readTree(run.out()).at("/client_payload/trace_id").asText());

        Path dispatched = Files.writeString(temp.resolve("wd.json"), "{\"inputs\":{\"event_id\":\"" + parentTrace + "\"},\"ref\":\"main\"}");
        env.put("GITHUB_EVENT_PATH", dispatched.toString());
        run = emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--dry-run");
        assertEquals(parentTrace, JSON.readTree(run.out()).at("/client_payload/trace_id").asText(), "workflow_dispatch inputs carry it too");
    }

    @Test
    void sourceDefaultsToTheWorkflowFileName() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_WORKFLOW_REF", "octo-org/octo-repo/.github/workflows/assignment-workflow.yml@refs/heads/main");
        InProcess.Run run = emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--dry-run");
        assertEquals("assignment-workflow", JSON.readTree(run.out()).at("/client_payload/source").asText());
    }

    // ---- retries: retried faults end in exactly one accepted dispatch with the first attempt's id ----

    /** Each fault made when its test runs: the primary limit's reset is a second after that, not after the list was made. */
    static Stream<Arguments> transientFaults() {
        return Stream.of(
                fault("500", () -> GitHubEmulator.Fault.status(500)),
                fault("502", () -> GitHubEmulator.Fault.status(502)),
                fault("503", () -> GitHubEmulator.Fault.status(503)),
                fault("429 with retry-after", () -> GitHubEmulator.Fault.tooManyRequests(1)),
                fault("429 without retry-after", () -> GitHubEmulator.Fault.tooManyRequests(null)),
                fault("secondary rate limit with retry-after", () -> GitHubEmulator.Fault.secondaryRateLimit(1)),
                fault("primary limit exhausted", () -> GitHubEmulator.Fault.primaryRateLimitExhausted(Instant.now().getEpochSecond() + 1)),
                fault("connection reset", () -> GitHubEmulator.Fault.connectionReset()),
                fault("delay", () -> GitHubEmulator.Fault.delay(500)));
    }

    static Arguments fault(String name, Supplier<GitHubEmulator.Fault> fault) {
        return Arguments.of(name, fault);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFaults")
    void transientFaultIsRetriedWithTheSameEventId(String name, Supplier<GitHubEmulator.Fault> fault) throws IOException {
        github.injectFault("POST", DISPATCHES, fault.get(), name.equals("delay") ? 1 : 2);
        InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(0, run.exitCode(), run.err());
        String eventId = run.out().strip();
        List<GitHubEmulator.JournalEntry> attempts = dispatches();
        assertEquals(name.equals("delay") ? 1 : 3, attempts.size(), run.err());
        for (GitHubEmulator.JournalEntry attempt : attempts) {
            assertEquals(eventId, JSON.readTree(attempt.requestBody()).at("/client_payload/event_id").asText(), "same event_id on every attempt");
        }
        assertEquals(1, github.deliveredEvents(REPO).size(), "exactly one accepted dispatch");
    }

    @Test
    void secondaryRateLimitWithoutRetryAfterWaitsAMinuteSoAShortBudgetGivesUp() {
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.secondaryRateLimit(null), 1);
        InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--retry-budget", "5");
        assertEquals(1, run.exitCode());
        assertEquals(1, dispatches().size());
        assertTrue(run.err().contains("the next attempt would be in 60 s, past the retry budget of 5 s"), run.err());
    }

    @Test
    void attemptsAreBounded() {
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.status(503), 10);
        InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--max-attempts", "3");
        assertEquals(1, run.exitCode());
        assertEquals(3, dispatches().size());
        assertTrue(run.err().contains("failed after 3 attempts"), run.err());
        assertTrue(github.deliveredEvents(REPO).isEmpty());
    }

    @Test
    void droppedConnectionAfterAcceptanceIsRetriedAndGitHubHasTwoDispatchesWithOneId() throws IOException {
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.dropAfterAccept(), 1);
        InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(0, run.exitCode(), run.err());
        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(2, delivered.size(), "the producer-retry duplicate that dedupe exists for");
        assertEquals(JSON.readTree(delivered.get(0).toFile()).at("/client_payload/event_id"),
                JSON.readTree(delivered.get(1).toFile()).at("/client_payload/event_id"));
    }

    // ---- refusals: one request, no retry, an error that says what to fix ----

    @Test
    void badTokenIsNotRetried() {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_TOKEN", "ghp_notAValidToken");
        InProcess.Run run = emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(1, run.exitCode());
        assertEquals(1, dispatches().size());
        assertTrue(run.err().contains("(401 ") && run.err().contains("check GITHUB_TOKEN"), run.err());
    }

    @Test
    void forbiddenNamesThePermission() {
        github.addUser("ghp_readonly000000000000000000000000000", "reader", false);
        Map<String, String> env = testbed.env();
        env.put("GITHUB_TOKEN", "ghp_readonly000000000000000000000000000");
        InProcess.Run run = emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(1, run.exitCode());
        assertEquals(1, dispatches().size());
        assertTrue(run.err().contains("permissions: contents: write"), run.err());
    }

    @Test
    void unknownRepositoryNamesTheRepository() {
        InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--repo", "octo-org/nope");
        assertEquals(1, run.exitCode());
        assertEquals(1, github.journal().size());
        assertTrue(run.err().contains("octo-org/nope exists and that the token can see it"), run.err());
    }

    @Test
    void tokenFromGhTokenWhenGithubTokenIsUnset() {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        env.put("GH_TOKEN", GitHubEmulator.DEFAULT_TOKEN);
        assertEquals(0, emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}").exitCode());
    }

    // ---- bad input: exit 2, one line, nothing sent ----

    /** Bad input refused before there is an event to check: an option, the payload's JSON, a file. */
    static Arguments refusal(String name, String... args) {
        return Arguments.of(name, null, args);
    }

    /** An event that breaks a rule of the contract: the error names the field (JSON pointer) and the rule. */
    static Arguments violation(String name, String pointer, String rule, String... args) {
        return Arguments.of(name, new ValidateTest.Broken(pointer, rule), args);
    }

    static Stream<Arguments> badInputs() {
        String ready = "{\"pr\":456,\"checks_status\":\"green\"}";
        String big = "{\"pr\":456,\"blockers\":[" + String.join(",", java.util.Collections.nCopies(400, "\"" + "x".repeat(190) + "\"")) + "]}";
        return Stream.of(
                refusal("not JSON", "rfc.pr.ready", "--payload", "pr=456"),
                refusal("truncated JSON", "rfc.pr.ready", "--payload", "{\"pr\":456"),
                refusal("array payload", "rfc.pr.ready", "--payload", "[456]"),
                refusal("string payload", "rfc.pr.ready", "--payload", "\"green\""),
                refusal("empty payload", "rfc.pr.ready", "--payload", ""),
                violation("wrong type", "/client_payload/data/pr", "type", "rfc.pr.ready", "--payload", "{\"pr\":\"456\",\"checks_status\":\"green\"}"),
                violation("float number", "/client_payload/data/pr", "type", "rfc.pr.ready", "--payload", "{\"pr\":4.5,\"checks_status\":\"green\"}"),
                violation("zero PR", "/client_payload/data/pr", "minimum", "rfc.pr.ready", "--payload", "{\"pr\":0,\"checks_status\":\"green\"}"),
                violation("missing field", "/client_payload/data/checks_status", "required", "rfc.pr.ready", "--payload", "{\"pr\":456}"),
                violation("extra field", "/client_payload/data/x", "additionalProperties",
                        "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\",\"x\":1}"),
                violation("enum broken", "/client_payload/data/reason", "enum",
                        "rfc.chain.broken", "--payload", "{\"chain_id\":\"RFC-093-02\",\"reason\":\"OOPS\"}"),
                violation("empty blockers", "/client_payload/data/blockers", "minItems", "rfc.pr.blocked", "--payload", "{\"pr\":456,\"blockers\":[]}"),
                violation("unknown type", "/event_type", "knownType", "rfc.pr.merged", "--payload", ready),
                violation("uppercase type", "/event_type", "pattern", "RFC.PR.READY", "--payload", ready),
                violation("type without dot", "/event_type", "pattern", "ready", "--payload", ready),
                violation("101-character type", "/event_type", "maxLength", "rfc." + "a".repeat(97), "--payload", ready),
                refusal("bad --event-id", "rfc.pr.ready", "--payload", ready, "--event-id", "not-a-uuid"),
                refusal("uppercase --event-id", "rfc.pr.ready", "--payload", ready, "--event-id", "3F0C5A0E-8D1B-4C1E-9A57-2B7D9F0E6A11"),
                refusal("bad --trace-id", "rfc.pr.ready", "--payload", ready, "--trace-id", "123"),
                violation("bad --source", "/client_payload/source", "pattern", "rfc.pr.ready", "--payload", ready, "--source", "has space"),
                violation("source injection", "/client_payload/source", "pattern",
                        "rfc.pr.ready", "--payload", ready, "--source", "x\n::set-output name=a::b"),
                violation("payload injection", "/client_payload/data/series", "pattern",
                        "rfc.issue.assigned", "--payload", "{\"issue\":123,\"series\":\"RFC-093; rm -rf /\",\"micro\":\"02\"}"),
                violation("expression injection", "/client_payload/data/branch", "pattern",
                        "rfc.pr.created", "--payload", "{\"pr\":1,\"issue\":1,\"branch\":\"${{ secrets.X }}\"}"),
                violation("body over 64 KB", "(document)", "maxBytes", "rfc.pr.blocked", "--payload", big),
                refusal("both payload options", "rfc.pr.ready", "--payload", ready, "--payload-file", "x.json"),
                refusal("no payload", "rfc.pr.ready"),
                refusal("missing payload file", "rfc.pr.ready", "--payload-file", "/nonexistent/payload.json"),
                refusal("both id options", "rfc.pr.ready", "--payload", ready, "--event-id", UUID.randomUUID().toString(), "--dedupe-key", "k"),
                refusal("bad --repo", "rfc.pr.ready", "--payload", ready, "--repo", "just-a-name"),
                refusal("zero attempts", "rfc.pr.ready", "--payload", ready, "--max-attempts", "0"),
                refusal("unknown flag", "rfc.pr.ready", "--payload", ready, "--fast"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputExitsTwoWithAMessageAndSendsNothing(String name, ValidateTest.Broken broken, String[] args) {
        InProcess.Run run = emit(testbed.env(), args);
        assertEquals(2, run.exitCode(), name + ": " + run.err());
        assertTrue(run.out().isEmpty(), run.out());
        assertFalse(run.err().isBlank());
        assertFalse(run.err().lines().findFirst().orElseThrow().isBlank());
        if (broken != null) {
            assertViolationsOnly(run.err());
            assertNamesValueAndRule(run.err(), broken.pointer(), broken.rule());
        }
        assertTrue(github.journal().isEmpty(), name + ": nothing may be sent");
    }

    /** The event data of each invalid example of an event type (the envelope's are about fields emit fills in itself). */
    static Stream<Path> invalidEventData() throws IOException {
        return ValidateTest.invalidExamples().filter(p -> !p.getParent().getFileName().toString().equals("envelope"));
    }

    @ParameterizedTest
    @MethodSource("invalidEventData")
    void theDataOfAnInvalidExampleIsRefusedNamingTheFieldAndRuleItBreaks(Path example) throws IOException {
        ValidateTest.Broken broken = ValidateTest.broken(example);
        JsonNode document = JSON.readTree(example.toFile());
        InProcess.Run run = emit(Map.of(), document.get("event_type").asText(), "--payload", document.at("/client_payload/data").toString(), "--dry-run");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("", run.out(), "no body printed");
        assertViolationsOnly(run.err());
        assertNamesValueAndRule(run.err(), broken.pointer(), broken.rule());
    }

    /**
     * Every line is one bad value and the rules it breaks: "/client_payload/data/pr: must have a minimum
     * value of 1 (rule: minimum)", "/client_payload/data/branch: must be at least 1 characters long
     * (rules: minLength, pattern)"; no value has two lines.
     */
    static void assertViolationsOnly(String err) {
        List<String> values = new java.util.ArrayList<>();
        for (String line : err.lines().toList()) {
            assertTrue(line.matches("(/\\S*|\\(document\\)): .+ \\(rules?: \\w+(, \\w+)*\\)"), "not a field and its rules: " + line + "\nin:\n" + err);
            String value = line.substring(0, line.indexOf(": "));
            assertFalse(values.contains(value), "one bad value, one line: " + value + " twice in:\n" + err);
            values.add(value);
        }
    }

    /** A line names the value (its JSON pointer) and, among the rules it breaks, this one. */
    static void assertNamesValueAndRule(String err, String pointer, String rule) {
        assertTrue(err.lines().anyMatch(line -> line.startsWith(pointer + ": ")
                        && line.replaceFirst(".*\\(rules?: ([\\w, ]+)\\)$", "$1").matches("(.*, )?" + rule + "(, .*)?")),
                "no line '" + pointer + ": ... (rule: " + rule + ")' in:\n" + err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--event-id", "--trace-id"})
    void aBadIdIsOneErrorNamingTheOptionAndNothingIsSent(String option) {
        // The trace_id defaults to the event_id: a bad --event-id once printed six errors, three of them about a trace_id nobody passed.
        InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", option, "1234");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(List.of(option + ": '1234' is not a lowercase UUID (such as 3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11); for a natural key use "
                        + (option.equals("--event-id") ? "--dedupe-key KEY" : "--trace-key KEY"),
                "Try 'emit --help' for more information."), run.err().lines().toList());
        assertFalse(run.err().contains("trace_id") || run.err().contains("event_id"), run.err());
        assertEquals("", run.out());
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    @Test
    void aValueThatBreaksSeveralRulesIsOneError() {
        // An empty branch is both too short and off its pattern: one line names both rules.
        InProcess.Run run = emit(testbed.env(), "rfc.pr.created", "--payload", "{\"pr\":456,\"issue\":123,\"branch\":\"\"}");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(List.of("/client_payload/data/branch: must be at least 1 characters long (rules: minLength, pattern)"), run.err().lines().toList());
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    @Test
    void emptyStdinPayloadIsBadInput() {
        var stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
            InProcess.Run run = emit(testbed.env(), "rfc.pr.ready", "--payload-file", "-");
            assertEquals(2, run.exitCode());
            assertTrue(run.err().startsWith("--payload-file - (stdin): empty"), run.err());
        } finally {
            System.setIn(stdin);
        }
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void missingTokenIsUsageErrorAndNoRequest() {
        Map<String, String> env = testbed.env();
        env.remove("GITHUB_TOKEN");
        InProcess.Run run = emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("no token: set GITHUB_TOKEN or GH_TOKEN"), run.err());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void aTraceKeyJoinsTheChainStartedByTheEventWithThatDedupeKey() throws IOException {
        InProcess.Run first = emit(testbed.env(), "rfc.issue.assigned", "--payload", "{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}",
                "--dedupe-key", "rfc.issue.assigned/123");
        assertEquals(0, first.exitCode(), first.err());
        // A producer started by a pull request, not by an event, names the chain by its first event's key.
        InProcess.Run later = emit(testbed.env(), "rfc.pr.created", "--payload", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}",
                "--trace-key", "rfc.issue.assigned/123", "--dry-run");
        assertEquals(0, later.exitCode(), later.err());
        assertEquals(first.out().strip(), JSON.readTree(later.out()).at("/client_payload/trace_id").asText());
        InProcess.Run both = emit(testbed.env(), "rfc.pr.created", "--payload", "{}", "--trace-key", "k", "--trace-id", first.out().strip());
        assertEquals(2, both.exitCode(), "one or the other");
        InProcess.Run blank = emit(testbed.env(), "rfc.pr.created", "--payload", "{}", "--trace-key", " ");
        assertEquals(2, blank.exitCode());
        assertTrue(blank.err().startsWith("a natural key may not be blank"), blank.err());
    }
}
