import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        InProcess.Run run = validate(example.toString());
        assertEquals(2, run.exitCode(), run.err());
        String firstLine = run.err().lines().findFirst().orElseThrow();
        // "<file>: /client_payload/data/pr: must have a minimum value of 1 (rule: minimum)"
        assertTrue(firstLine.matches("^\\S+: (/\\S*|\\(document\\)): .+ \\(rule: \\w+\\)$"), firstLine);
        assertTrue(run.err().contains("1 event checked: 0 valid, 1 invalid"), run.err());
    }

    @Test
    void everyViolationIsReportedNotOnlyTheFirst() throws IOException {
        ObjectNode doc = example("rfc.pr.ready/valid-with-trace-id.json");
        doc.with("client_payload").put("source", "-bad source");
        doc.with("client_payload").with("data").put("pr", 0).put("checks_status", "red");
        InProcess.Run run = validate(write("three.json", doc).toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("/client_payload/source: "), run.err());
        assertTrue(run.err().contains("/client_payload/data/pr: ") && run.err().contains("(rule: minimum)"), run.err());
        assertTrue(run.err().contains("/client_payload/data/checks_status: ") && run.err().contains("(rule: enum)"), run.err());
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
        InProcess.Run run = validate(write("event.json", webhook).toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("/client_payload/data/micro"), run.err());
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
        assertTrue(run.err().contains("events.jsonl:500: /client_payload/data/pr"), run.err());
        assertTrue(run.err().contains("events.jsonl:750: (document): not valid JSON"), run.err());
        assertTrue(run.err().contains("1000 events checked: 998 valid, 2 invalid"), run.err());
    }

    @Test
    void notJsonAndEmptyInputAreInvalidInput() throws IOException {
        InProcess.Run notJson = validate(Files.writeString(temp.resolve("x.json"), "event_type=rfc.pr.ready").toString());
        assertEquals(2, notJson.exitCode());
        assertTrue(notJson.err().contains("not valid JSON"), notJson.err());

        InProcess.Run empty = validate(Files.writeString(temp.resolve("empty.json"), "  \n").toString());
        assertEquals(2, empty.exitCode());
        assertTrue(empty.err().contains("empty input"), empty.err());

        InProcess.Run array = validate(Files.writeString(temp.resolve("array.json"), "[1,2]").toString());
        assertEquals(2, array.exitCode());
        assertTrue(array.err().contains("expected a JSON object"), array.err());
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
        InProcess.Run run = validate(write("unknown.json", doc).toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("/event_type: unknown event type 'rfc.pr.merged'"), run.err());
        assertTrue(run.err().contains("rfc.pr.ready"), run.err());
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
        assertTrue(record.get("error").asText().contains("/client_payload/data/pr"), record.toString());
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
        assertTrue(run.err().contains("::error file=" + file + ",line=2,title=Invalid event (type)::/client_payload/data/pr: "), run.err());
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
        InProcess.Run run = validate(write("month.json", doc).toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("/client_payload/timestamp") && run.err().contains("(rule: format)"), run.err());
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
        InProcess.Run bundledOnly = validate(write("e.json", eventOfType("team.env.only")).toString());
        assertEquals(2, bundledOnly.exitCode());
        assertTrue(bundledOnly.err().contains("/event_type: unknown event type 'team.env.only': no schema for it in the bundled RFC schemas; "
                + "add docs/events/schema/events/team.env.only.schema.json to the repository"), bundledOnly.err());
        assertTrue(bundledOnly.err().contains("(rule: knownType)"), bundledOnly.err());
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
        assertTrue(bundled.err().contains("/client_payload/data/checks_status: ") && bundled.err().contains("(rule: enum)"), bundled.err());
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
}
