import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input the scripts must refuse cleanly: exit 2, one line that names the problem, nothing sent,
 * nothing altered, and never a token on the terminal.
 */
class BadInputTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String VALID = "{\"event_type\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11\","
            + "\"source\":\"readiness-evaluator\",\"timestamp\":\"2026-11-27T04:38:13.123Z\",\"data\":{\"pr\":456,\"checks_status\":\"green\"}}}";
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").workspace();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(temp.resolve(name), bytes);
    }

    Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    // ---- duplicate keys: JSON parsers disagree on which value wins, so none is taken ----

    @Test
    void aDuplicateKeyIsInvalidAndNamed() throws IOException {
        // The second event_type would win with most parsers, and GitHub might see the first.
        Path event = write("dup.json", VALID.replace("{\"event_type\":\"rfc.pr.ready\",", "{\"event_type\":\"rfc.pr.ready\",\"event_type\":\"rfc.pr.blocked\","));
        InProcess.Run run = ValidateTest.validate(event.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith(event + ": (document): duplicate key 'event_type' (line 1, column "), run.err());
        assertTrue(run.err().contains("(rule: json)"), run.err());
    }

    @Test
    void aDuplicateKeyInAPayloadIsRefusedBeforeSending() {
        InProcess.Run run = EmitTest.emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"pr\":457,\"checks_status\":\"green\"}");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("--payload: duplicate key 'pr' (line 1, column "), run.err());
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    @Test
    void aDuplicateKeyInAnEventToClaimOrRouteIsInvalidInput() throws IOException {
        Path event = write("dup.json", VALID.replace("\"source\":", "\"event_id\":\"" + UUID.randomUUID() + "\",\"source\":"));
        InProcess.Run claim = DedupeTest.dedupe(testbed.env(), "claim", "--event", event.toString());
        assertEquals(2, claim.exitCode(), claim.err());
        assertTrue(claim.err().startsWith(event + ": duplicate key 'event_id'"), claim.err());
        InProcess.Run route = RouteTest.route(testbed.env(), "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event.toString());
        assertEquals(2, route.exitCode(), route.err());
        assertTrue(route.err().startsWith(event + ": duplicate key 'event_id'"), route.err());
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    // ---- bytes that are not UTF-8 are refused, never replaced ----

    @Test
    void aFileThatIsNotUtf8IsRefusedWithItsOffset() throws IOException {
        byte[] latin1 = VALID.replace("readiness-evaluator", "readiness-\u00e9valuator").getBytes(StandardCharsets.ISO_8859_1);
        Path event = write("latin1.json", latin1);
        InProcess.Run run = ValidateTest.validate(event.toString());
        assertEquals(2, run.exitCode(), run.err());
        int offset = VALID.indexOf("readiness-evaluator") + "readiness-".length();
        assertTrue(run.err().startsWith(event + ": not valid UTF-8 (byte " + offset + " of " + latin1.length + ")"), run.err());
    }

    @Test
    void stdinThatIsNotUtf8IsRefusedNotAltered() {
        byte[] latin1 = "{\"pr\":456,\"checks_status\":\"gr\u00fcn\"}".getBytes(StandardCharsets.ISO_8859_1);
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(latin1));
            InProcess.Run run = EmitTest.emit(testbed.env(), "rfc.pr.ready", "--payload-file", "-", "--dry-run");
            assertEquals(2, run.exitCode(), run.err());
            int offset = "{\"pr\":456,\"checks_status\":\"gr".length();
            assertTrue(run.err().startsWith("<stdin>: not valid UTF-8 (byte " + offset + " of " + latin1.length + ")"), run.err());
            assertEquals("", run.out(), "no body printed");
        } finally {
            System.setIn(stdin);
        }
    }

    // ---- files: a missing one says so; a broken document is one error ----

    @Test
    void aMissingFileSaysSo() {
        Path missing = temp.resolve("x.json");
        InProcess.Run validate = ValidateTest.validate(missing.toString());
        assertEquals(2, validate.exitCode());
        assertTrue(validate.err().startsWith(missing + ": no such file\n"), validate.err());
        InProcess.Run emit = EmitTest.emit(testbed.env(), "rfc.pr.ready", "--payload-file", missing.toString());
        assertEquals(2, emit.exitCode());
        assertTrue(emit.err().startsWith(missing + ": no such file\n"), emit.err());
        InProcess.Run claim = DedupeTest.dedupe(testbed.env(), "claim", "--event", missing.toString());
        assertEquals(2, claim.exitCode());
        assertTrue(claim.err().startsWith(missing + ": no such file\n"), claim.err());
    }

    @Test
    void aPrettyPrintedDocumentWithOneMistakeIsOneError() throws IOException {
        String pretty = VALID.replace(",", ",\n  ").replace("\"pr\":456", "\"pr\":456,");
        Path event = write("pretty.json", pretty);
        InProcess.Run run = ValidateTest.validate(event.toString());
        assertEquals(2, run.exitCode());
        List<String> errors = run.err().lines().filter(l -> l.startsWith(event.toString())).toList();
        assertEquals(1, errors.size(), run.err());
        assertTrue(errors.get(0).startsWith(event + ": (document): not valid JSON: "), run.err());
        assertTrue(run.err().contains("1 event checked: 0 valid, 1 invalid"), run.err());
    }

    @Test
    void jsonLinesAreStillReadALineAtATime() throws IOException {
        Path events = write("events.jsonl", VALID + "\n{oops\n" + VALID + "\n");
        InProcess.Run run = ValidateTest.validate(events.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith(events + ":2: (document): not valid JSON: "), run.err());
        assertTrue(run.err().contains("3 events checked: 2 valid, 1 invalid"), run.err());
    }

    // ---- malformed JSON: where it breaks and what was expected, in words; nothing of the parser ----

    /** A payload typed in a terminal with one mistake, and where emit says it breaks: line, column, expected, found. */
    static Stream<Arguments> brokenPayloads() {
        return Stream.of(
                Arguments.of("{\"pr\":", "line 1, column 7: expected the rest of the object and its '}', found the end of the text"),
                Arguments.of("{\"pr\":456", "line 1, column 10: expected ',' or '}', found the end of the text "
                        + "(the object opened at line 1, column 1 is not closed)"),
                Arguments.of("{\"pr\":456,}", "line 1, column 11: expected a key in double quotes, found '}'"),
                Arguments.of("{'pr':456}", "line 1, column 2: expected a key in double quotes, found '''"),
                Arguments.of("{\"pr\" 456}", "line 1, column 7: expected ':' after the key, found '4'"),
                Arguments.of("{\"pr\":456 \"checks_status\":\"green\"}", "line 1, column 11: expected ',' or '}', found '\"'"),
                Arguments.of("{\"pr\":tru}", "line 1, column 7: expected a value (a string, number, object, array, true, false or null), found 'tru'"),
                Arguments.of("{\"checks_status\":\"green", "line 1, column 24: expected the '\"' that closes the string, found the end of the text"),
                Arguments.of("{\"pr\":456} {}", "line 1, column 12: expected the end of the text after the JSON value, found more"),
                Arguments.of("{\"pr\":456,\n \"blockers\":[\"a\" \"b\"]}", "line 2, column 18: expected ',' or ']', found '\"'"));
    }

    @ParameterizedTest
    @MethodSource("brokenPayloads")
    void aMalformedPayloadSaysWhereItBreaksAndWhatWasExpected(String payload, String where) {
        InProcess.Run run = EmitTest.emit(testbed.env(), "rfc.pr.ready", "--payload", payload);
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("--payload: not valid JSON: " + where, run.err().lines().findFirst().orElse(""), run.err());
        assertEquals(List.of("Try 'emit --help' for more information."), run.err().lines().skip(1).toList(), "one error line: " + run.err());
        assertParserInternalsHidden(run.err());
        assertEquals("", run.out());
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    @Test
    void everyJsonTakingInputSaysWhereItBreaksAndNothingOfTheParser() throws IOException {
        // An unclosed array: the message in which Jackson quotes its own source description.
        Path broken = write("broken.json", "{\"event_type\":\"rfc.pr.blocked\",\n \"client_payload\":{\"data\":{\"blockers\":[\"x\"");
        String where = "not valid JSON: line 2, column 43: expected ',' or ']', found the end of the text "
                + "(the array opened at line 2, column 39 is not closed)";
        InProcess.Run file = EmitTest.emit(testbed.env(), "rfc.pr.blocked", "--payload-file", broken.toString());
        InProcess.Run validate = ValidateTest.validate(broken.toString());
        InProcess.Run claim = DedupeTest.dedupe(testbed.env(), "claim", "--event", broken.toString());
        InProcess.Run route = RouteTest.route(testbed.env(), "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", broken.toString());
        for (InProcess.Run run : List.of(file, validate, claim, route)) {
            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains(where), run.err());
            assertParserInternalsHidden(run.err());
        }
        assertTrue(file.err().startsWith("--payload-file " + broken + ": " + where), file.err());
        assertTrue(validate.err().startsWith(broken + ": (document): " + where), validate.err());
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    /** None of what the JSON parser says about itself: its source description, its features, character codes. */
    static void assertParserInternalsHidden(String err) {
        for (String internal : List.of("REDACTED", "Source:", "StreamReadFeature", "`", "(code ", "com.fasterxml", "Exception")) {
            assertFalse(err.contains(internal), "'" + internal + "' in: " + err);
        }
    }

    // ---- tokens: checked before use, never printed ----

    @ParameterizedTest
    @ValueSource(strings = {"ghs_secret\nInjected: header", "ghs_secret\u0007bell", "ghs secret with spaces"})
    void aTokenWithAControlCharacterIsRefusedAndNeverPrinted(String token) {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_TOKEN", token);
        InProcess.Run emit = EmitTest.emit(env, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        InProcess.Run claim = DedupeTest.dedupe(env, "claim", UUID.randomUUID().toString());
        for (var run : List.of(List.of(emit.exitCode(), emit.out() + emit.err()), List.of(claim.exitCode(), claim.out() + claim.err()))) {
            assertEquals(2, run.get(0), run.toString());
            String output = (String) run.get(1);
            assertTrue(output.contains("GITHUB_TOKEN contains a space, line break or other character a token never has"), output);
            assertFalse(output.contains("secret"), "the token must never be printed: " + output);
        }
        assertTrue(github.journal().isEmpty(), "nothing sent");
    }

    // ---- GitHub answers other than its documented successes ----

    @Test
    void aRedirectIsAFailureNamingTheNewLocation() {
        github.renameRepository(REPO, "octo-org/renamed-repo");
        InProcess.Run run = EmitTest.emit(testbed.env(), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.out(), "no event id: nothing was sent");
        assertTrue(run.err().startsWith("GitHub answered 307 when asked to create repository dispatch events: " + REPO + " has moved to "
                + github.url() + "/repositories/"), run.err());
        assertFalse(run.err().contains("sent"), run.err());
    }
}
