import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * validate --compat OLD_DIR --schemas NEW_DIR: the repository's schemas/ as the old ones, a copy changed one way as
 * the new ones. Each breaking change is named with its event type and pointer and makes the exit code 1; each
 * compatible one is listed and leaves it 0.
 */
class CompatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCHEMAS = Scripts.ROOT.resolve("schemas");

    @TempDir
    Path temp;
    Path before;
    Path after;

    @BeforeEach
    void copySchemas() throws IOException {
        before = copy(SCHEMAS, temp.resolve("base"));
        after = copy(SCHEMAS, temp.resolve("pr"));
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path file : walk.sorted().toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }

    /** Changes one new schema file (events/rfc.pr.ready.schema.json, envelope.schema.json...) in place. */
    void change(String file, Consumer<ObjectNode> edit) throws IOException {
        Path path = after.resolve(file);
        ObjectNode schema = (ObjectNode) JSON.readTree(path.toFile());
        edit.accept(schema);
        Files.writeString(path, schema.toPrettyString());
    }

    static ObjectNode data(ObjectNode schema) {
        return (ObjectNode) schema.at("/$defs/data");
    }

    static ObjectNode property(ObjectNode schema, String name) {
        return (ObjectNode) schema.at("/$defs/data/properties/" + name);
    }

    InProcess.Run compat() {
        return ValidateTest.validate(Map.of(), "--compat", before.toString(), "--schemas", after.toString());
    }

    @Test
    void unchangedSchemasHaveNoChangeAndExitZero() {
        InProcess.Run run = compat();
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("validate --compat: 0 breaking changes, 0 compatible, "), run.toString());
    }

    static Stream<Arguments> breakingChanges() {
        return Stream.of(
                Arguments.of("an event type removed", "events/rfc.pr.blocked.schema.json", null,
                        "breaking   rfc.pr.blocked: event type removed"),
                Arguments.of("a property removed where others are not allowed", "events/rfc.pr.created.schema.json",
                        (Consumer<ObjectNode>) s -> {
                            ((ObjectNode) data(s).get("properties")).remove("branch");
                            ((ArrayNode) data(s).get("required")).remove(2);
                        },
                        "breaking   rfc.pr.created /client_payload/data/branch: property removed where others are not allowed"),
                Arguments.of("a new required property", "events/rfc.pr.ready.schema.json", (Consumer<ObjectNode>) s -> {
                            ((ObjectNode) data(s).get("properties")).putObject("head_sha").put("type", "string");
                            ((ArrayNode) data(s).get("required")).add("head_sha");
                        },
                        "breaking   rfc.pr.ready /client_payload/data/head_sha: new required property"),
                Arguments.of("a type narrowed", "events/rfc.pr.ready.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "pr").put("type", "string"),
                        "breaking   rfc.pr.ready /client_payload/data/pr: type narrowed: integer before, string now"),
                Arguments.of("an enum narrowed", "events/rfc.chain.broken.schema.json",
                        (Consumer<ObjectNode>) s -> {
                            ArrayNode reasons = (ArrayNode) property(s, "reason").get("enum");
                            for (int i = 0; i < reasons.size(); i++) {
                                if (reasons.get(i).asText().equals("CI_STUCK")) {
                                    reasons.remove(i);
                                }
                            }
                        },
                        "breaking   rfc.chain.broken /client_payload/data/reason: enum/const narrowed: \"CI_STUCK\" no longer allowed"),
                Arguments.of("a const where there was none", "events/rfc.pr.created.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "branch").put("const", "main"),
                        "breaking   rfc.pr.created /client_payload/data/branch: enum/const narrowed: any value before, now only [\"main\"]"),
                Arguments.of("a pattern changed", "events/rfc.issue.assigned.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "series").put("pattern", "^RFC-[0-9]{4}$"),
                        "breaking   rfc.issue.assigned /client_payload/data/series: pattern narrowed: ^RFC-[0-9]{4}$ instead of ^RFC-[0-9]{3,}$"),
                Arguments.of("a length narrowed", "events/rfc.pr.created.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "branch").put("maxLength", 100),
                        "breaking   rfc.pr.created /client_payload/data/branch: length narrowed: maximum 255 before, 100 now"),
                Arguments.of("an array's items narrowed", "events/rfc.pr.blocked.schema.json",
                        (Consumer<ObjectNode>) s -> ((ObjectNode) property(s, "blockers").get("items")).put("minLength", 3),
                        "breaking   rfc.pr.blocked /client_payload/data/blockers/*: length narrowed: minimum 1 before, 3 now"),
                Arguments.of("a range narrowed", "events/rfc.pr.ready.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "pr").put("maximum", 99999),
                        "breaking   rfc.pr.ready /client_payload/data/pr: range narrowed: maximum none before, 99999 now"),
                Arguments.of("a range made exclusive", "events/rfc.pr.ready.schema.json", (Consumer<ObjectNode>) s -> {
                            property(s, "pr").remove("minimum");
                            property(s, "pr").put("exclusiveMinimum", 1);
                        },
                        "breaking   rfc.pr.ready /client_payload/data/pr: range narrowed: minimum 1 before, exclusive 1 now"),
                Arguments.of("a format added", "events/rfc.pr.created.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "branch").put("format", "hostname"),
                        "breaking   rfc.pr.created /client_payload/data/branch: format narrowed: hostname added"),
                Arguments.of("additionalProperties: false where it names none of the properties", "envelope.schema.json",
                        (Consumer<ObjectNode>) s -> ((ObjectNode) s.at("/$defs/client_payload/properties/data")).put("additionalProperties", false),
                        "breaking   rfc.pr.blocked, rfc.pr.created, rfc.pr.ready /client_payload/data/pr: property no longer allowed"),
                Arguments.of("a change in the envelope, for every event type", "envelope.schema.json",
                        (Consumer<ObjectNode>) s -> ((ObjectNode) s.at("/$defs/client_payload/properties/source")).put("maxLength", 50),
                        "breaking   rfc.chain.broken, rfc.issue.assigned, rfc.pr.blocked, rfc.pr.created, rfc.pr.ready /client_payload/source: "
                                + "length narrowed: maximum none before, 50 now"),
                Arguments.of("a change it does not judge", "events/rfc.pr.ready.schema.json",
                        (Consumer<ObjectNode>) s -> property(s, "pr").putArray("oneOf").addObject().put("minimum", 1),
                        "breaking   rfc.pr.ready /client_payload/data/pr: oneOf changed: not judged, so counted as breaking"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakingChanges")
    void eachBreakingChangeIsNamedWithItsTypeAndPointerAndExitsOne(String name, String file, Consumer<ObjectNode> edit, String line)
            throws IOException {
        if (edit == null) {
            Files.delete(after.resolve(file));
        } else {
            change(file, edit);
        }
        InProcess.Run run = compat();
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith(line)), name + ": " + run);
    }

    @Test
    void anObjectThatAllowedOtherPropertiesAndNoLongerDoesBreaks() throws IOException {
        // The old rfc.pr.ready data allowed any other property; the new one (the repository's) does not.
        Path old = before.resolve("events/rfc.pr.ready.schema.json");
        ObjectNode schema = (ObjectNode) JSON.readTree(old.toFile());
        data(schema).remove("additionalProperties");
        Files.writeString(old, schema.toPrettyString());
        InProcess.Run run = compat();
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(List.of("breaking   rfc.pr.ready /client_payload/data: other properties no longer allowed (additionalProperties: false)"),
                run.out().lines().toList(), run.toString());
    }

    @Test
    void anOldExampleThatFailsTheNewSchemasBreaks() throws IOException {
        // A new required property: the old examples of rfc.pr.ready lack it.
        change("events/rfc.pr.ready.schema.json", s -> {
            ((ObjectNode) data(s).get("properties")).putObject("head_sha").put("type", "string");
            ((ArrayNode) data(s).get("required")).add("head_sha");
        });
        InProcess.Run run = compat();
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.out().contains("breaking   rfc.pr.ready /client_payload/data/head_sha: the old example examples/rfc.pr.ready/"
                + "valid-with-trace-id.json no longer passes: /client_payload/data/head_sha: required property 'head_sha' not found"), run.toString());
    }

    @Test
    void compatibleChangesAreListedAndExitZero() throws IOException {
        Files.writeString(after.resolve("events/acme.deploy.done.schema.json"), Files.readString(SCHEMAS.resolve("events/rfc.pr.ready.schema.json"))
                .replace("rfc.pr.ready", "acme.deploy.done"));
        change("events/rfc.pr.ready.schema.json", s -> ((ObjectNode) data(s).get("properties")).putObject("merged_by").put("type", "string"));
        change("events/rfc.chain.broken.schema.json", s -> ((ArrayNode) property(s, "reason").get("enum")).add("STALE"));
        change("events/rfc.issue.assigned.schema.json", s -> {
            property(s, "issue").put("type", "number");
            property(s, "series").remove("pattern");
            ((ArrayNode) data(s).get("required")).remove(2);
        });
        InProcess.Run run = compat();
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of(
                "compatible acme.deploy.done: new event type",
                "compatible rfc.chain.broken /client_payload/data/reason: enum widened: \"STALE\" allowed too",
                "compatible rfc.issue.assigned /client_payload/data/issue: type widened: integer before, number now",
                "compatible rfc.issue.assigned /client_payload/data/micro: no longer required",
                "compatible rfc.issue.assigned /client_payload/data/series: pattern widened: ^RFC-[0-9]{3,}$ removed",
                "compatible rfc.pr.ready /client_payload/data/merged_by: new optional property"),
                run.out().lines().sorted().toList(), run.toString());
        assertTrue(run.err().startsWith("validate --compat: 0 breaking changes, 6 compatible"), run.toString());
    }

    @Test
    void withoutSchemasTheOldDirectoryIsComparedWithTheLayersInEffect() throws IOException {
        // schemas/ over the bundled layer against the bundled layer alone (this checkout has no docs/events/schema/): the same.
        InProcess.Run same = ValidateTest.validate(Map.of(), "--compat", before.toString());
        assertEquals(0, same.exitCode(), same.toString());
        assertEquals("", same.out());
        // A type the old directory had and the layers in effect lack is removed; $EVENT_SCHEMAS adds one.
        Path extra = Files.createDirectories(temp.resolve("extra/events"));
        Files.writeString(extra.resolve("acme.deploy.done.schema.json"), Files.readString(SCHEMAS.resolve("events/rfc.pr.ready.schema.json"))
                .replace("rfc.pr.ready", "acme.deploy.done"));
        Files.writeString(before.resolve("events/acme.build.done.schema.json"), Files.readString(SCHEMAS.resolve("events/rfc.pr.ready.schema.json"))
                .replace("rfc.pr.ready", "acme.build.done"));
        InProcess.Run run = ValidateTest.validate(Map.of("EVENT_SCHEMAS", temp.resolve("extra").toString()), "--compat", before.toString());
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(List.of("breaking   acme.build.done: event type removed: the new schemas have no events/acme.build.done.schema.json",
                "compatible acme.deploy.done: new event type"), run.out().lines().toList(), run.toString());
    }

    @Test
    void badUsageExitsTwoNamingWhatIsWrong() throws IOException {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        Map<List<String>, String> cases = Map.of(
                List.of("--compat", temp.resolve("nope").toString(), "--schemas", after.toString()), "--compat: no such directory: " + temp.resolve("nope"),
                List.of("--compat", empty.toString(), "--schemas", after.toString()), "--compat: " + empty + " holds no schema",
                List.of("--compat", before.toString(), "--schemas", empty.toString()), "--schemas: " + empty + " holds no schema",
                List.of("--compat", before.toString(), "--schemas", temp.resolve("gone").toString()), "--schemas: no such directory",
                List.of("--compat", before.toString(), "event.json"), "--compat compares two sets of schemas: it takes no FILE");
        cases.forEach((args, message) -> {
            InProcess.Run run = ValidateTest.validate(Map.of(), args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), args + ": " + run);
            assertTrue(run.err().startsWith(message), args + ": " + run);
            assertEquals("", run.out());
        });
    }

    @Test
    void inActionsEachBreakingChangeIsAnErrorAnnotationAndTheJobSummaryHasTheTable() throws IOException {
        Files.delete(after.resolve("events/rfc.pr.blocked.schema.json"));
        Path summary = temp.resolve("summary.md");
        InProcess.Run run = ValidateTest.validate(Map.of("GITHUB_ACTIONS", "true", "GITHUB_STEP_SUMMARY", summary.toString()),
                "--compat", before.toString(), "--schemas", after.toString());
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("::error title=Breaking schema change::rfc.pr.blocked: event type removed"), run.toString());
        String markdown = Files.readString(summary);
        assertTrue(markdown.startsWith("### Schema compatibility\n\n:x: validate --compat: 1 breaking change, 0 compatible"), markdown);
        assertTrue(markdown.contains("| :x: breaking | rfc.pr.blocked | `` | event type removed"), markdown);
        assertFalse(run.out().contains("::"), "stdout holds no workflow command: " + run.out());
    }
}
