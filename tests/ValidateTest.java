import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** validate.java in-process: the rules, the inputs it accepts, and what it writes. */
class ValidateTest {
    static final Path SCHEMAS = Scripts.ROOT.resolve("schemas");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    static InProcess.Run validate(Map<String, String> env, String... args) {
        validate command = new validate();
        command.env = env;
        return InProcess.run(validate.newCommandLine(command), args);
    }

    static InProcess.Run validate(String... args) {
        return validate(Map.of(), args);
    }

    static Stream<Path> examples(String prefix) throws IOException {
        try (Stream<Path> walk = Files.walk(SCHEMAS.resolve("examples"))) {
            return walk.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".json"))
                    .sorted().toList().stream();
        }
    }

    static Stream<Path> validExamples() throws IOException {
        return examples("valid-");
    }

    static Stream<Path> invalidExamples() throws IOException {
        return examples("invalid-");
    }

    /** The field (JSON pointer, or (document)) and the rule (the schema keyword, or a limit the scripts check) an error names. */
    record Broken(String pointer, String rule) {
    }

    /**
     * What each invalid example breaks, as its name says (schemas/examples/README.md). A UUID or
     * timestamp rule is written as more than one keyword, so its example also fails others; the one
     * named here is among those reported.
     */
    static final Map<String, Broken> BROKEN = brokenRules("""
            envelope/invalid-body-over-64kb.json               (document)                          maxBytes
            envelope/invalid-event-id-length.json              /client_payload/event_id            minLength
            envelope/invalid-event-id-not-uuid.json            /client_payload/event_id            pattern
            envelope/invalid-event-id-uppercase.json           /client_payload/event_id            pattern
            envelope/invalid-event-type-101-chars.json         /event_type                         maxLength
            envelope/invalid-event-type-uppercase.json         /event_type                         pattern
            envelope/invalid-extra-document-property.json      /ref                                additionalProperties
            envelope/invalid-extra-top-level-property.json     /client_payload/repository          additionalProperties
            envelope/invalid-missing-data.json                 /client_payload/data                required
            envelope/invalid-missing-event-id.json             /client_payload/event_id            required
            envelope/invalid-missing-timestamp.json            /client_payload/timestamp           required
            envelope/invalid-source-pattern.json               /client_payload/source              pattern
            envelope/invalid-timestamp-format.json             /client_payload/timestamp           format
            envelope/invalid-timestamp-not-utc.json            /client_payload/timestamp           pattern
            envelope/invalid-too-many-properties.json          /client_payload                     maxProperties
            envelope/invalid-trace-id-not-uuid.json            /client_payload/trace_id            pattern
            rfc.chain.broken/invalid-chain-id-integer.json     /client_payload/data/chain_id       type
            rfc.chain.broken/invalid-chain-id-pattern.json     /client_payload/data/chain_id       pattern
            rfc.chain.broken/invalid-extra-property.json       /client_payload/data/pr             additionalProperties
            rfc.chain.broken/invalid-missing-chain-id.json     /client_payload/data/chain_id       required
            rfc.chain.broken/invalid-missing-reason.json       /client_payload/data/reason         required
            rfc.chain.broken/invalid-reason-lowercase.json     /client_payload/data/reason         enum
            rfc.chain.broken/invalid-reason-unknown.json       /client_payload/data/reason         enum
            rfc.issue.assigned/invalid-extra-property.json     /client_payload/data/assignee       additionalProperties
            rfc.issue.assigned/invalid-issue-string.json       /client_payload/data/issue          type
            rfc.issue.assigned/invalid-issue-zero.json         /client_payload/data/issue          minimum
            rfc.issue.assigned/invalid-micro-integer.json      /client_payload/data/micro          type
            rfc.issue.assigned/invalid-micro-one-digit.json    /client_payload/data/micro          pattern
            rfc.issue.assigned/invalid-missing-issue.json      /client_payload/data/issue          required
            rfc.issue.assigned/invalid-missing-series.json     /client_payload/data/series         required
            rfc.issue.assigned/invalid-series-pattern.json     /client_payload/data/series         pattern
            rfc.pr.blocked/invalid-blocker-201-chars.json      /client_payload/data/blockers/0     maxLength
            rfc.pr.blocked/invalid-blocker-empty-string.json   /client_payload/data/blockers/1     minLength
            rfc.pr.blocked/invalid-blocker-not-string.json     /client_payload/data/blockers/1     type
            rfc.pr.blocked/invalid-blockers-51-items.json      /client_payload/data/blockers       maxItems
            rfc.pr.blocked/invalid-blockers-empty.json         /client_payload/data/blockers       minItems
            rfc.pr.blocked/invalid-blockers-not-array.json     /client_payload/data/blockers       type
            rfc.pr.blocked/invalid-extra-property.json         /client_payload/data/since          additionalProperties
            rfc.pr.blocked/invalid-missing-blockers.json       /client_payload/data/blockers       required
            rfc.pr.blocked/invalid-pr-zero.json                /client_payload/data/pr             minimum
            rfc.pr.created/invalid-branch-pattern.json         /client_payload/data/branch         pattern
            rfc.pr.created/invalid-branch-too-long.json        /client_payload/data/branch         maxLength
            rfc.pr.created/invalid-extra-property.json         /client_payload/data/draft          additionalProperties
            rfc.pr.created/invalid-issue-negative.json         /client_payload/data/issue          minimum
            rfc.pr.created/invalid-missing-branch.json         /client_payload/data/branch         required
            rfc.pr.created/invalid-pr-not-integer.json         /client_payload/data/pr             type
            rfc.pr.created/invalid-pr-zero.json                /client_payload/data/pr             minimum
            rfc.pr.ready/invalid-checks-status-not-green.json  /client_payload/data/checks_status  enum
            rfc.pr.ready/invalid-extra-property.json           /client_payload/data/mergeable      additionalProperties
            rfc.pr.ready/invalid-head-sha-integer.json         /client_payload/data/head_sha       type
            rfc.pr.ready/invalid-head-sha-short.json           /client_payload/data/head_sha       pattern
            rfc.pr.ready/invalid-head-sha-uppercase.json       /client_payload/data/head_sha       pattern
            rfc.pr.ready/invalid-missing-checks-status.json    /client_payload/data/checks_status  required
            rfc.pr.ready/invalid-missing-pr.json               /client_payload/data/pr             required
            rfc.pr.ready/invalid-pr-string.json                /client_payload/data/pr             type
            rfc.pr.ready/invalid-pr-zero.json                  /client_payload/data/pr             minimum
            """);

    static Map<String, Broken> brokenRules(String table) {
        Map<String, Broken> rules = new LinkedHashMap<>();
        table.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+"))
                .forEach(columns -> rules.put(columns[0], new Broken(columns[1], columns[2])));
        return rules;
    }

    /** What an invalid example breaks; fails when BROKEN does not say. */
    static Broken broken(Path example) {
        String name = SCHEMAS.resolve("examples").relativize(example).toString();
        Broken broken = BROKEN.get(name);
        assertNotNull(broken, name + ": add the field and rule it breaks to ValidateTest.BROKEN");
        return broken;
    }

    /**
     * The contract's error: one line of stderr is {@code <where><pointer>: <what is wrong> (rule: <rule>)}.
     * where is what comes before the pointer: validate's "file: " or "file:line: ", an annotation's
     * "::error ...::", nothing for emit.
     */
    static void assertNamesFieldAndRule(String stderr, String where, String pointer, String rule) {
        String start = where + pointer + ": ";
        String end = " (rule: " + rule + ")";
        assertTrue(stderr.lines().anyMatch(line -> line.startsWith(start) && line.endsWith(end)),
                "no line '" + start + "..." + end + "' in:\n" + stderr);
    }

    @ParameterizedTest
    @MethodSource("validExamples")
    void validExamplePasses(Path example) {
        InProcess.Run run = validate(example.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("1 event checked: 1 valid, 0 invalid"), run.err());
    }

    @ParameterizedTest
    @MethodSource("invalidExamples")
    void invalidExampleFailsNamingFieldAndRule(Path example) {
        Broken broken = broken(example);
        InProcess.Run run = validate(example.toString());
        assertEquals(2, run.exitCode(), run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals("1 event checked: 0 valid, 1 invalid", lines.get(lines.size() - 1), run.err());
        for (String line : lines.subList(0, lines.size() - 1)) {
            // "<file>: /client_payload/data/pr: must have a minimum value of 1 (rule: minimum)"
            assertTrue(line.matches(Pattern.quote(example.toString()) + ": (/\\S*|\\(document\\)): .+ \\(rule: \\w+\\)"), line);
        }
        assertNamesFieldAndRule(run.err(), example + ": ", broken.pointer(), broken.rule());
    }

    @Test
    void everyInvalidExampleIsInTheTableOfWhatItBreaks() throws IOException {
        List<String> names = invalidExamples().map(p -> SCHEMAS.resolve("examples").relativize(p).toString()).sorted().toList();
        assertEquals(BROKEN.keySet().stream().sorted().toList(), names);
    }

    @Test
    void everyViolationIsReportedNotOnlyTheFirst() throws IOException {
        ObjectNode doc = example("rfc.pr.ready/valid-with-trace-id.json");
        doc.with("client_payload").put("source", "-bad source");
        doc.with("client_payload").with("data").put("pr", 0).put("checks_status", "red");
        Path file = write("three.json", doc);
        InProcess.Run run = validate(file.toString());
        assertEquals(2, run.exitCode());
        assertNamesFieldAndRule(run.err(), file + ": ", "/client_payload/source", "pattern");
        assertNamesFieldAndRule(run.err(), file + ": ", "/client_payload/data/pr", "minimum");
        assertNamesFieldAndRule(run.err(), file + ": ", "/client_payload/data/checks_status", "enum");
        assertTrue(run.err().contains("1 event checked: 0 valid, 1 invalid"), run.err());
    }

    @Test
    void webhookPayloadAsGitHubDeliversItIsAccepted() throws IOException {
        ObjectNode doc = example("rfc.issue.assigned/valid-first-in-chain.json");
        ObjectNode webhook = JSON.createObjectNode();
        webhook.put("action", doc.get("event_type").asText());
        webhook.put("branch", "main");
        webhook.set("client_payload", doc.get("client_payload"));
        webhook.putObject("repository").put("full_name", "octo-org/octo-repo");
        webhook.putObject("sender").put("login", "github-actions[bot]");
        webhook.putObject("installation").put("id", 1);
        assertEquals(0, validate(write("event.json", webhook).toString()).exitCode());

        webhook.with("client_payload").with("data").put("micro", "2");
        Path event = write("event.json", webhook);
        InProcess.Run run = validate(event.toString());
        assertEquals(2, run.exitCode());
        assertNamesFieldAndRule(run.err(), event + ": ", "/client_payload/data/micro", "pattern");
    }

    @Test
    void eventOptionDefaultsToGitHubEventPath() throws IOException {
        Path event = Files.copy(SCHEMAS.resolve("examples/rfc.pr.ready/valid-with-trace-id.json"), temp.resolve("event.json"));
        InProcess.Run run = validate(Map.of("GITHUB_EVENT_PATH", event.toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("1 event checked"), run.err());
    }

    @Test
    void thousandLineJsonLinesFileIsCheckedInOneProcessWithLineNumbers() throws IOException {
        String valid = JSON.writeValueAsString(example("rfc.pr.ready/valid-with-trace-id.json"));
        ObjectNode broken = example("rfc.pr.ready/valid-with-trace-id.json");
        broken.with("client_payload").with("data").put("pr", -1);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            lines.add(i == 500 ? JSON.writeValueAsString(broken) : i == 750 ? "{not json" : valid);
        }
        Path file = temp.resolve("events.jsonl");
        Files.write(file, lines);

        InProcess.Run run = validate(file.toString());
        assertEquals(2, run.exitCode());
        assertNamesFieldAndRule(run.err(), file + ":500: ", "/client_payload/data/pr", "minimum");
        assertTrue(run.err().contains("events.jsonl:750: (document): not valid JSON"), run.err());
        assertNamesFieldAndRule(run.err(), file + ":750: ", "(document)", "json");
        assertTrue(run.err().contains("1000 events checked: 998 valid, 2 invalid"), run.err());
    }

    @Test
    void notJsonAndEmptyInputAreInvalidInput() throws IOException {
        Path notJsonFile = Files.writeString(temp.resolve("x.json"), "event_type=rfc.pr.ready");
        InProcess.Run notJson = validate(notJsonFile.toString());
        assertEquals(2, notJson.exitCode());
        assertTrue(notJson.err().startsWith(notJsonFile + ": (document): not valid JSON: "), notJson.err());
        assertNamesFieldAndRule(notJson.err(), notJsonFile + ": ", "(document)", "json");

        Path emptyFile = Files.writeString(temp.resolve("empty.json"), "  \n");
        InProcess.Run empty = validate(emptyFile.toString());
        assertEquals(2, empty.exitCode());
        assertTrue(empty.err().startsWith(emptyFile + ": (document): empty input"), empty.err());
        assertNamesFieldAndRule(empty.err(), emptyFile + ": ", "(document)", "json");

        Path arrayFile = Files.writeString(temp.resolve("array.json"), "[1,2]");
        InProcess.Run array = validate(arrayFile.toString());
        assertEquals(2, array.exitCode());
        assertTrue(array.err().startsWith(arrayFile + ": (document): expected a JSON object"), array.err());
        assertNamesFieldAndRule(array.err(), arrayFile + ": ", "(document)", "json");
    }

    @Test
    void missingFileIsUsageErrorWithOneLine() {
        InProcess.Run run = validate(temp.resolve("nope.json").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith(temp.resolve("nope.json") + ": no such file\n"), run.err());
    }

    @Test
    void unknownEventTypeNamesTheKnownOnes() throws IOException {
        ObjectNode doc = example("rfc.pr.ready/valid-with-trace-id.json");
        doc.put("event_type", "rfc.pr.merged");
        Path file = write("unknown.json", doc);
        InProcess.Run run = validate(file.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("/event_type: unknown event type 'rfc.pr.merged'"), run.err());
        assertTrue(run.err().contains("rfc.pr.ready"), run.err());
        assertNamesFieldAndRule(run.err(), file + ": ", "/event_type", "knownType");
    }

    @Test
    void rejectedEventsAreAppendedToTheEventLog() throws IOException {
        ObjectNode doc = example("rfc.pr.ready/valid-with-trace-id.json");
        doc.with("client_payload").with("data").put("pr", 0);
        Path log = temp.resolve("logs/event_log.jsonl");
        Path valid = SCHEMAS.resolve("examples/rfc.pr.ready/valid-first-in-chain.json");

        InProcess.Run run = validate(Map.of("EVENT_LOG", log.toString(), "GITHUB_RUN_ID", "42"), write("bad.json", doc).toString(), valid.toString());
        assertEquals(2, run.exitCode());
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), "only the invalid event is logged");
        JsonNode record = JSON.readTree(lines.get(0));
        assertEquals("rejected", record.get("status").asText());
        assertEquals(doc.at("/client_payload/event_id").asText(), record.get("event_id").asText());
        assertEquals("rfc.pr.ready", record.get("event_type").asText());
        assertEquals("42", record.get("run_id").asText());
        assertTrue(record.get("latency_ms").isNumber());
        assertTrue(record.get("targets").isArray() && record.get("targets").isEmpty());
        assertNamesFieldAndRule(record.get("error").asText(), "", "/client_payload/data/pr", "minimum");
    }

    @Test
    void insideActionsErrorsAreAnnotationsAndTheSummaryHasATable() throws IOException {
        String valid = JSON.writeValueAsString(example("rfc.pr.ready/valid-with-trace-id.json"));
        ObjectNode broken = example("rfc.pr.ready/valid-with-trace-id.json");
        broken.with("client_payload").with("data").put("pr", "456");
        Path file = temp.resolve("events.jsonl");
        Files.write(file, List.of(valid, JSON.writeValueAsString(broken)));
        Path summary = temp.resolve("summary.md");

        InProcess.Run run = validate(Map.of("GITHUB_ACTIONS", "true", "GITHUB_STEP_SUMMARY", summary.toString()), file.toString());
        assertEquals(2, run.exitCode());
        assertNamesFieldAndRule(run.err(), "::error file=" + file + ",line=2,title=Invalid event (type)::", "/client_payload/data/pr", "type");
        String markdown = Files.readString(summary);
        assertTrue(markdown.contains("| Event | Type | Field | Rule | Problem |"), markdown);
        assertTrue(markdown.contains("| `/client_payload/data/pr` | type |"), markdown);
        assertTrue(markdown.contains("2 events checked: 1 valid, 1 invalid"), markdown);
    }

    @Test
    void annotationDataIsEscapedAsTheToolkitDoes() {
        assertEquals("a%25b%0Ac", validate.Actions.escapeData("a%b\nc"));
        assertEquals("x%3Ay%2Cz", validate.Actions.escapeProperty("x:y,z"));
    }

    @Test
    void jsonReportListsEveryEvent() throws IOException {
        InProcess.Run run = validate("--json", SCHEMAS.resolve("examples/rfc.pr.ready/valid-with-trace-id.json").toString(),
                SCHEMAS.resolve("examples/rfc.pr.ready/invalid-pr-zero.json").toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals(2, report.get("events").asInt());
        assertEquals(1, report.get("invalid").asInt());
        assertEquals("minimum", report.at("/results/1/violations/0/rule").asText());
        assertEquals("/client_payload/data/pr", report.at("/results/1/violations/0/pointer").asText());
    }

    @Test
    void formatIsAssertedNotOnlyAnnotated() throws IOException {
        ObjectNode doc = example("rfc.pr.ready/valid-with-trace-id.json");
        // Matches the pattern, but there is no 13th month: only the date-time format catches it.
        doc.with("client_payload").put("timestamp", "2026-13-27T04:38:13.123Z");
        Path file = write("month.json", doc);
        InProcess.Run run = validate(file.toString());
        assertEquals(2, run.exitCode());
        assertNamesFieldAndRule(run.err(), file + ": ", "/client_payload/timestamp", "format");
    }

    @Test
    void checkSchemasPassesOnTheRepositorySchemas() {
        InProcess.Run run = validate("--check-schemas", "--schemas", SCHEMAS.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().matches("(?s).*6 schemas and \\d+ examples checked .*: 0 problems.*"), run.err());
    }

    @Test
    void checkSchemasFindsASchemaThatBreaksTheMetaSchema() throws IOException {
        Path copy = copySchemas();
        ObjectNode schema = (ObjectNode) JSON.readTree(copy.resolve("events/rfc.pr.ready.schema.json").toFile());
        schema.put("type", 5);
        Files.writeString(copy.resolve("events/rfc.pr.ready.schema.json"), schema.toPrettyString());

        InProcess.Run run = validate("--check-schemas", "--schemas", copy.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("rfc.pr.ready.schema.json: /type: "), run.err());
    }

    @Test
    void checkSchemasFindsExamplesThatDoNotBehaveAsNamed() throws IOException {
        Path copy = copySchemas();
        Files.copy(copy.resolve("examples/rfc.pr.ready/invalid-pr-zero.json"), copy.resolve("examples/rfc.pr.ready/valid-oops.json"));
        Files.copy(copy.resolve("examples/rfc.pr.ready/valid-with-trace-id.json"), copy.resolve("examples/rfc.pr.ready/invalid-oops.json"));

        InProcess.Run run = validate("--check-schemas", "--schemas", copy.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("valid-oops.json: should be valid but /client_payload/data/pr"), run.err());
        assertTrue(run.err().contains("invalid-oops.json: should be invalid but passes every rule"), run.err());
        assertTrue(run.err().contains(": 2 problems"), run.err());
    }

    @Test
    void schemaLayersAddTheirTypesToTheBundledOnes() throws IOException {
        // One custom type per layer: none hides another, nor the five bundled RFC types.
        Path fromOption = Files.createDirectories(temp.resolve("option-layer/events"));
        Path fromEnv = Files.createDirectories(temp.resolve("env-layer/events"));
        addEventType(fromOption.getParent(), "team.option.only");
        addEventType(fromEnv.getParent(), "team.env.only");
        Map<String, String> withEnv = Map.of("EVENT_SCHEMAS", fromEnv.getParent().toString());
        String option = fromOption.getParent().toString();
        for (String type : List.of("team.option.only", "team.env.only", "rfc.pr.ready")) {
            InProcess.Run run = validate(withEnv, "--schemas", option, write(type + ".json", eventOfType(type)).toString());
            assertEquals(0, run.exitCode(), type + ": " + run);
        }
        Path event = write("e.json", eventOfType("team.env.only"));
        InProcess.Run bundledOnly = validate(event.toString());
        assertEquals(2, bundledOnly.exitCode());
        assertTrue(bundledOnly.err().contains("/event_type: unknown event type 'team.env.only': no schema for it in the bundled RFC schemas; "
                + "add docs/events/schema/events/team.env.only.schema.json to the repository"), bundledOnly.err());
        assertNamesFieldAndRule(bundledOnly.err(), event + ": ", "/event_type", "knownType");
    }

    @Test
    void aHigherLayerReplacesALowerLayersSchemaOfTheSameName() throws IOException {
        Path layer = copySchemas();
        Path ready = layer.resolve("events/rfc.pr.ready.schema.json");
        ObjectNode schema = (ObjectNode) JSON.readTree(ready.toFile());
        ((com.fasterxml.jackson.databind.node.ArrayNode) schema.at("/$defs/data/properties/checks_status/enum")).add("yellow");
        Files.writeString(ready, schema.toString());
        ObjectNode yellow = example("rfc.pr.ready/valid-with-trace-id.json");
        ((ObjectNode) yellow.at("/client_payload/data")).put("checks_status", "yellow");
        Path event = write("yellow.json", yellow);

        assertEquals(0, validate("--schemas", layer.toString(), event.toString()).exitCode());
        InProcess.Run bundled = validate(event.toString());
        assertEquals(2, bundled.exitCode());
        assertNamesFieldAndRule(bundled.err(), event + ": ", "/client_payload/data/checks_status", "enum");
    }

    @Test
    void aMissingSchemaDirectoryIsUsageError() {
        InProcess.Run run = validate("--schemas", temp.resolve("missing").toString(), "x.json");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--schemas: no such directory"), run.err());
    }

    @Test
    void helpAndVersion() {
        InProcess.Run help = validate("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Usage: validate") && help.out().contains("Exit codes:") && help.out().contains("EVENT_SCHEMAS"));
        InProcess.Run version = validate("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("validate "));
    }

    // ---- helpers ----

    static ObjectNode example(String relative) throws IOException {
        return (ObjectNode) JSON.readTree(SCHEMAS.resolve("examples").resolve(relative).toFile());
    }

    Path write(String name, JsonNode node) throws IOException {
        return Files.writeString(temp.resolve(name), JSON.writeValueAsString(node));
    }

    Path copySchemas() throws IOException {
        Path target = Files.createTempDirectory(temp, "schemas");
        try (Stream<Path> walk = Files.walk(SCHEMAS)) {
            for (Path source : walk.toList()) {
                Path destination = target.resolve(SCHEMAS.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
        }
        return target;
    }

    /** A new event type is one schema file; no script changes. */
    static void addEventType(Path schemas, String type) throws IOException {
        Map<String, Object> schema = new HashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("$id", "https://event-bus.dev/schemas/events/" + type + ".schema.json");
        schema.put("$ref", "../envelope.schema.json");
        schema.put("properties", Map.of("event_type", Map.of("const", type)));
        Files.writeString(schemas.resolve("events/" + type + ".schema.json"), JSON.writeValueAsString(schema));
    }

    static ObjectNode eventOfType(String type) throws IOException {
        ObjectNode doc = example("rfc.pr.ready/valid-with-trace-id.json");
        doc.put("event_type", type);
        return doc;
    }

    @Test
    void aDeliveredEventFromASenderNotAllowedIsRejectedNamingTheSender() throws IOException {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("action", "rfc.pr.ready");
        payload.set("client_payload", example("rfc.pr.ready/valid-with-trace-id.json").get("client_payload"));
        payload.putObject("sender").put("login", "octocat").put("type", "User");
        Path fromAPerson = write("person.json", payload);
        InProcess.Run refused = validate(fromAPerson.toString());
        assertEquals(2, refused.exitCode(), refused.err());
        assertNamesFieldAndRule(refused.err(), fromAPerson + ": ", "/sender/login", "sender");
        assertTrue(refused.err().contains("'octocat' may not send events: only github-actions[bot] may (EVENT_BUS_SENDERS)"), refused.err());

        assertEquals(0, validate(Map.of("EVENT_BUS_SENDERS", "github-actions[bot], octocat"), fromAPerson.toString()).exitCode());
        assertEquals(0, validate(Map.of("EVENT_BUS_SENDERS", "*"), fromAPerson.toString()).exitCode());
        ((ObjectNode) payload.get("sender")).put("login", "github-actions[bot]");
        assertEquals(0, validate(write("bot.json", payload).toString()).exitCode(), "workflows emit");
        // An event document (no sender) is not a delivery: the allowlist does not apply.
        assertEquals(0, validate(SCHEMAS.resolve("examples/rfc.pr.ready/valid-with-trace-id.json").toString()).exitCode());
    }
}
