import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The routes file's schema, schemas/event-routes.schema.json: valid draft 2020-12, named on the example's
 * first line for editors, and the schema route.java enforces (its bundled copy, the RoutesSchema block),
 * so that a file an editor flags is one route refuses, with the key and its line, in route, graph and compile.
 */
class RoutesSchemaTest {
    static final Path SCHEMA = Scripts.ROOT.resolve("schemas/event-routes.schema.json");
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    Path temp;

    /** The schema file as an editor's validator reads it (networknt, standing in for the yaml-language-server). */
    static Schema editorsValidator() throws IOException {
        String text = Files.readString(SCHEMA);
        String id = JSON.readTree(text).get("$id").asText();
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(Map.of(id, text)))
                .getSchema(SchemaLocation.of(id));
    }

    /** route graph in-process on a routes file with this text: graph only reads the file, so it shows what route enforces. */
    InProcess.Run graph(String yaml) throws IOException {
        Path routes = Files.writeString(temp.resolve("routes.yml"), yaml);
        return RouteTest.route(Map.of(), "graph", "--routes", routes.toString());
    }

    @Test
    void theSchemaIsValidDraft202012WithAnId() throws IOException {
        JsonNode schema = JSON.readTree(SCHEMA.toFile());
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
        assertEquals("https://event-bus.dev/schemas/event-routes.schema.json", schema.get("$id").asText());
        Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertEquals(List.of(), meta.validate(schema), "the schema against the 2020-12 meta-schema");
        // Every key route.java reads is in the schema, and nothing else is allowed (a misspelt key is caught).
        assertEquals(List.of("routes", "mode"), List.copyOf(iterable(schema.get("properties").fieldNames())));
        assertEquals(List.of("event", "workflow", "inputs", "when", "mode"), List.copyOf(iterable(schema.at("/$defs/route/properties").fieldNames())));
        assertFalse(schema.get("additionalProperties").asBoolean(true));
        assertFalse(schema.at("/$defs/route/additionalProperties").asBoolean(true));
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    @Test
    void theExampleNamesTheSchemaOnItsFirstLineAndPassesIt() throws IOException {
        List<String> lines = Files.readAllLines(RouteTest.EXAMPLE_ROUTES, StandardCharsets.UTF_8);
        assertTrue(lines.get(0).matches("# yaml-language-server: \\$schema=https://raw\\.githubusercontent\\.com/[^/]+/event-bus/[^/]+/"
                + "schemas/event-routes\\.schema\\.json"), lines.get(0));
        assertEquals(List.of(), editorsValidator().validate(YAML.readTree(RouteTest.EXAMPLE_ROUTES.toFile())));
        // The schema's own examples are routes files route accepts.
        for (JsonNode example : JSON.readTree(SCHEMA.toFile()).get("examples")) {
            InProcess.Run run = graph(YAML.writeValueAsString(example));
            assertEquals(0, run.exitCode(), run.toString());
        }
    }

    @Test
    void routeCarriesTheSchemaFileAsItsBundledCopy() throws IOException {
        assertEquals(JSON.readTree(SCHEMA.toFile()), JSON.readTree(route.ROUTES_SCHEMA));
    }

    /** Every key as route.java accepted it before the schema: the schema accepts it too. */
    @Test
    void everyKeyRouteAcceptsPassesTheSchema() throws IOException {
        String yaml = """
                mode: log
                routes:
                  - event: rfc.pr.ready
                    workflow: merge.yml
                    inputs: {pr: data.pr, event_id: event_id, blocker: data.blockers.0, _x-1: trace_id}
                    mode: dispatch
                  - event: "*"
                    workflow: 123456
                    when: {data: {reason: [CI_STUCK]}, $or: [{source: [{prefix: ci}]}, {data: {pr: [{numeric: [">", 0]}]}}]}
                  - event: rfc.*
                    workflow: other.yaml
                    inputs: {}
                  - event: acme.deploy.done
                    workflow: a_b-c.1.yml
                """;
        assertEquals(List.of(), editorsValidator().validate(YAML.readTree(yaml)));
        InProcess.Run run = graph(yaml);
        assertEquals(0, run.exitCode(), run.toString());
    }

    static Stream<Arguments> filesTheSchemaRefuses() {
        return Stream.of(
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflw: merge.yml\n", 3, "unknown key 'workflw' (a route has: event, workflow, inputs, when, mode)"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflw: merge.yml\n", 2, "missing 'workflow': a workflow file name"),
                Arguments.of("mode: shadow\nroutes: []\n", 1, "mode: 'shadow' is not log (record the targets as would-dispatch, send nothing) or dispatch"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: a.yml\n    mode: fast\n", 4, "mode: 'fast' is not log"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: a.yml\n    inputs: [pr]\n", 4, "inputs: a list is not a mapping of workflow input names"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: a.yml\n    inputs:\n      1pr: data.pr\n", 5, "'1pr' is not a workflow input name"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: a.yml\n    inputs:\n      pr: 7\n", 5, "input 'pr': 7 is not a dotted path"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: a.yml\n    when: [x]\n", 4, "when: a list is not an AWS EventBridge event pattern"),
                Arguments.of("routes:\n  - rfc.pr.ready\n", 2, "route 1: 'rfc.pr.ready' is not a mapping with event and workflow"),
                Arguments.of("routes: {event: rfc.pr.ready}\n", 1, "routes: a mapping is not the list of routes"),
                Arguments.of("mode: log\n", 1, "missing 'routes': the list of routes"),
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: 0\n", 3, "workflow: 0 is not a workflow file name"));
    }

    @ParameterizedTest
    @MethodSource("filesTheSchemaRefuses")
    void aFileThatBreaksTheSchemaIsRefusedNamingTheKeyAndItsLine(String yaml, int line, String message) throws IOException {
        assertFalse(editorsValidator().validate(YAML.readTree(yaml)).isEmpty(), "the editor flags it too");
        InProcess.Run run = graph(yaml);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(temp.resolve("routes.yml") + ":" + line + ": " + message), run.toString());
        assertEquals("", run.out());
    }

    /** The router step, graph and compile all load the routes the same way: a misspelt key stops each of them with exit 2. */
    @ParameterizedTest
    @ValueSource(strings = {"route", "graph", "compile", "plan"})
    void everyCommandThatReadsTheRoutesRefusesTheSameFile(String command) throws IOException {
        Path workflows = Files.createDirectories(temp.resolve("workflows"));
        Files.copy(Scripts.ROOT.resolve("workflows/event-router.yml"), workflows.resolve("event-router.yml"));
        Path routes = Files.writeString(temp.resolve("event-routes.yml"), "routes:\n  - event: rfc.pr.ready\n    workflw: merge.yml\n");
        Path event = RouteTest.EXAMPLES.resolve("rfc.pr.ready/valid-with-trace-id.json");
        Path output = temp.resolve("workflows/event-router-call.yml");
        String[] args = switch (command) {
            case "route" -> new String[] {"--routes", routes.toString(), "--event", event.toString(), "--dry-run"};
            case "plan" -> new String[] {"--plan", "--routes", routes.toString(), "--event", event.toString(), "--dry-run"};
            case "graph" -> new String[] {"graph", "--routes", routes.toString()};
            default -> new String[] {"compile", "--routes", routes.toString(), "--output", output.toString()};
        };
        InProcess.Run run = RouteTest.route(Map.of("GITHUB_WORKSPACE", temp.toString()), args);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(routes + ":3: unknown key 'workflw'"), run.toString());
        assertFalse(Files.exists(output), "compile wrote nothing");
    }

    static Stream<Arguments> filesThatAreNotYaml() {
        return Stream.of(
                Arguments.of("routes:\n  - event: rfc.pr.ready\n    workflow: [merge.yml\n".getBytes(StandardCharsets.UTF_8),
                        "routes.yml:3: not valid YAML: while parsing a flow sequence"),
                Arguments.of(new byte[] {(byte) 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, (byte) 0xff, (byte) 0xfe, 0, 0},
                        "the routes file " + "%s" + " is not a YAML file: it is not UTF-8 text"),
                Arguments.of("Route every event to ci.yml, please.\n".getBytes(StandardCharsets.UTF_8),
                        "routes.yml:1: the routes file: 'Route every event to ci.yml, please.' is not a mapping with 'routes:'"),
                Arguments.of(new byte[0], "routes.yml:1: empty; expected 'routes:' and a list of routes"));
    }

    @ParameterizedTest
    @MethodSource("filesThatAreNotYaml")
    void aRoutesFileThatIsNotYamlIsOneClearErrorAndExitTwo(byte[] content, String message) throws IOException {
        Path routes = Files.write(temp.resolve("routes.yml"), content);
        InProcess.Run run = RouteTest.route(Map.of(), "graph", "--routes", routes.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(message.formatted(routes)), run.toString());
        assertEquals(2, run.err().lines().count(), "one line, then the hint to --help: " + run);
    }
}
