// The event schemas, in layers: the RFC schemas bundled into the script (so it works with no
// checkout, and copied alone), then the repository's docs/events/schema/, then $EVENT_SCHEMAS,
// then --schemas. A higher layer adds event types and replaces a lower one's file of the same name;
// it never hides the others. Every $ref resolves from the loaded files: nothing is fetched.
package shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import static shared.BundledSchemas.BUNDLED_SCHEMAS;
import static shared.Json.EVENT_TYPE;
import static shared.Json.JSON;
import static shared.Json.notJson;

final class EventSchemas {
    static final int MAX_EVENT_TYPE_LENGTH = 100;
    static final int MAX_PAYLOAD_PROPERTIES = 10;
    /** GitHub refuses dispatch bodies of 64 KB and more. */
    static final int MAX_BODY_BYTES = 65_536;
    /** Where a repository keeps its own event schemas (envelope.schema.json, events/<type>.schema.json). */
    static final String REPOSITORY_SCHEMAS = "docs/events/schema";
    private static final String ENVELOPE = "envelope.schema.json";

    /** One schema file: its layer, its name in the layer (envelope.schema.json or events/<type>.schema.json), its $id. */
    record SchemaFile(String layer, Path directory, String name, String id, JsonNode json) {
        String where() {
            return directory != null ? directory.resolve(name).toString() : layer + ": " + name;
        }

        String eventType() {
            return name.startsWith("events/") ? name.substring("events/".length(), name.length() - ".schema.json".length()) : null;
        }
    }

    private final List<String> layers = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private final Map<String, SchemaFile> byName = new TreeMap<>();
    private final Map<String, String> textById = new HashMap<>();
    private final Map<String, Schema> compiled = new HashMap<>();
    private SchemaRegistry registry;

    private EventSchemas() {
    }

    /** The bundled layer, then the repository's, $EVENT_SCHEMAS and --schemas, each when present. */
    static EventSchemas load(Path option, Map<String, String> env, CommandSpec spec) throws IOException {
        EventSchemas schemas = new EventSchemas();
        schemas.addBundled(spec);
        Path repositorySchemas = repositoryRoot().resolve(REPOSITORY_SCHEMAS);
        if (Files.isDirectory(repositorySchemas)) {
            schemas.addDirectory(repositorySchemas, REPOSITORY_SCHEMAS, spec);
        }
        String fromEnv = env.get("EVENT_SCHEMAS");
        if (fromEnv != null && !fromEnv.isBlank()) {
            schemas.addDirectory(existingDirectory(Path.of(fromEnv), "$EVENT_SCHEMAS", spec), "$EVENT_SCHEMAS (" + fromEnv + ")", spec);
        }
        if (option != null) {
            schemas.addDirectory(existingDirectory(option, "--schemas", spec), "--schemas " + option, spec);
        }
        return schemas.ready();
    }

    /**
     * Exactly one directory's schemas, over the bundled layer or alone: what validate --compat compares. A directory
     * that does not exist or holds no schema is exit 2, named by what (the option that gave it).
     */
    static EventSchemas of(Path directory, String what, boolean bundled, CommandSpec spec) throws IOException {
        EventSchemas schemas = new EventSchemas();
        if (bundled) {
            schemas.addBundled(spec);
        }
        if (schemas.addDirectory(existingDirectory(directory, what, spec), what + " " + directory, spec) == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), what + ": " + directory + " holds no schema (" + ENVELOPE
                    + ", events/<event_type>.schema.json)");
        }
        return schemas.ready();
    }

    private EventSchemas ready() {
        linkEnvelopes();
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .schemas(textById)
                .schemaRegistryConfig(SchemaRegistryConfig.builder()
                        .pathType(PathType.JSON_POINTER)
                        .formatAssertionsEnabled(true)
                        .build()));
        return this;
    }

    private void addBundled(CommandSpec spec) {
        layers.add("the bundled RFC schemas");
        BUNDLED_SCHEMAS.forEach((name, text) -> add("the bundled RFC schemas", null, name, text, spec));
    }

    /** Adds the directory's schemas as a layer; returns how many it holds. */
    private int addDirectory(Path directory, String layer, CommandSpec spec) throws IOException {
        layers.add(layer);
        directories.add(directory);
        List<String> names = new ArrayList<>();
        if (Files.isRegularFile(directory.resolve(ENVELOPE))) {
            names.add(ENVELOPE);
        }
        Path events = directory.resolve("events");
        if (Files.isDirectory(events)) {
            try (Stream<Path> list = Files.list(events)) {
                list.map(p -> "events/" + p.getFileName()).filter(n -> n.endsWith(".schema.json")).sorted().forEach(names::add);
            }
        }
        for (String name : names) {
            add(layer, directory, name, Source.file(directory.resolve(name), spec).text(), spec);
        }
        return names.size();
    }

    private void add(String layer, Path directory, String name, String text, CommandSpec spec) {
        String where = directory != null ? directory.resolve(name).toString() : name;
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), where + ": " + notJson(e));
        }
        String id = json.path("$id").asText("");
        if (id.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), where + ": has no $id; give every schema an absolute $id such as "
                    + "https://example.com/schemas/" + name);
        }
        byName.put(name, new SchemaFile(layer, directory, name, id, json));
        textById.put(id, text);
    }

    /**
     * An event schema refers to the envelope as ../envelope.schema.json. A layer without an envelope
     * of its own gets the effective one under the id its schemas expect, so one custom file is enough.
     */
    private void linkEnvelopes() {
        SchemaFile envelope = byName.get(ENVELOPE);
        for (SchemaFile file : byName.values()) {
            JsonNode ref = file.json().get("$ref");
            if (envelope == null || ref == null || !ref.isTextual() || !ref.asText().endsWith(ENVELOPE)) {
                continue;
            }
            String target = URI.create(file.id()).resolve(ref.asText()).toString();
            if (!textById.containsKey(target)) {
                ObjectNode copy = envelope.json().deepCopy();
                copy.put("$id", target);
                textById.put(target, copy.toString());
            }
        }
    }

    private static Path existingDirectory(Path dir, String what, CommandSpec spec) {
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), what + ": no such directory: " + dir);
        }
        return dir;
    }

    /** The git work tree around the current directory, else the current directory. */
    private static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        return Stream.iterate(cwd, Objects::nonNull, Path::getParent).filter(dir -> Files.exists(dir.resolve(".git")))
                .findFirst().orElse(cwd);
    }

    /** The schema files in effect, envelope first; where one name is in several layers, the highest one's. */
    List<SchemaFile> files() {
        return List.copyOf(byName.values());
    }

    /** The schema whose $id this is, as the validator resolves it (an envelope linked under another id included); null when none is. */
    JsonNode byId(String id) {
        String text = textById.get(id);
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The layers' directories, lowest first (the bundled layer has none). */
    List<Path> directories() {
        return List.copyOf(directories);
    }

    String origin() {
        return String.join(" + ", layers);
    }

    List<String> eventTypes() {
        return byName.values().stream().map(SchemaFile::eventType).filter(t -> t != null).toList();
    }

    /** Every rule of the contract, reported together: type name, size, property count, schema. */
    List<Violation> check(JsonNode document) {
        List<Violation> violations = new ArrayList<>();
        JsonNode type = document.path("event_type");
        String eventType = type.isTextual() ? type.asText() : null;
        if (eventType != null && eventType.length() > MAX_EVENT_TYPE_LENGTH) {
            violations.add(new Violation("/event_type", "maxLength",
                    "is " + eventType.length() + " characters long; GitHub allows at most " + MAX_EVENT_TYPE_LENGTH));
        } else if (eventType != null && !EVENT_TYPE.matcher(eventType).matches()) {
            violations.add(new Violation("/event_type", "pattern",
                    "'" + eventType + "' is not a dotted lowercase name like rfc.pr.ready (" + EVENT_TYPE.pattern() + ")"));
        }
        int bytes = compactBytes(document);
        if (bytes >= MAX_BODY_BYTES) {
            violations.add(new Violation("", "maxBytes",
                    "the request body is " + bytes + " bytes; GitHub accepts bodies under " + MAX_BODY_BYTES));
        }
        JsonNode payload = document.path("client_payload");
        if (payload.isObject() && payload.size() > MAX_PAYLOAD_PROPERTIES) {
            violations.add(new Violation("/client_payload", "maxProperties",
                    "has " + payload.size() + " top-level properties; GitHub allows at most " + MAX_PAYLOAD_PROPERTIES));
        }
        SchemaFile schema = eventType == null ? null : byName.get("events/" + eventType + ".schema.json");
        if (schema == null) {
            if (eventType != null && violations.stream().noneMatch(v -> v.pointer().equals("/event_type"))) {
                violations.add(new Violation("/event_type", "knownType", "unknown event type '" + eventType
                        + "': no schema for it in " + origin() + "; add " + REPOSITORY_SCHEMAS + "/events/" + eventType
                        + ".schema.json to the repository (or pass --schemas DIR). Known: " + String.join(", ", eventTypes())));
            }
            schema = byName.get(ENVELOPE);
        }
        for (var error : schema(schema.id()).validate(document)) {
            Violation violation = Violation.of(error);
            // Each rule once per field: the limit checks above say more than the schema's maxLength/maxProperties.
            if (violations.stream().noneMatch(v -> v.pointer().equals(violation.pointer()) && v.rule().equals(violation.rule()))) {
                violations.add(violation);
            }
        }
        return violations;
    }

    private static int compactBytes(JsonNode document) {
        try {
            return JSON.writeValueAsBytes(document).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The compiled schema of an $id (the meta-schema's too), compiled once per process. */
    Schema schema(String id) {
        return compiled.computeIfAbsent(id, key -> registry.getSchema(SchemaLocation.of(key)));
    }
}

/** One broken rule: where (JSON pointer), which rule (the schema keyword), and what is wrong. */
record Violation(String pointer, String rule, String message) {
    static Violation of(com.networknt.schema.Error error) {
        String pointer = error.getInstanceLocation().toString().replaceFirst("^/$", "");
        // 'required' and 'additionalProperties' are reported on the parent object; name the field itself.
        if (error.getProperty() != null && List.of("required", "additionalProperties").contains(error.getKeyword())) {
            pointer = pointer + "/" + error.getProperty();
        }
        String message = error.getMessage();
        String prefix = error.getInstanceLocation() + ": ";
        return new Violation(pointer, error.getKeyword(), message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }

    String describe() {
        return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message + " (rule: " + rule + ")";
    }
}
