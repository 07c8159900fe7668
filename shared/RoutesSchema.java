// The routes file's JSON Schema: schemas/event-routes.schema.json, which the generator writes into
// ROUTES_SCHEMA below (here it holds an empty schema, so this file compiles on its own). route.java
// enforces it and events doctor checks it; an editor reads the file itself (the yaml-language-server
// line of event-routes.yml). Each problem is told as the key it concerns and what the schema expects.
package shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static shared.Json.JSON;

interface RoutesSchema {
    static final String ROUTES_SCHEMA = "{}";

    /**
     * Tells problem, for each place where the routes (a YAML file read as a tree) break the schema, the JSON pointer
     * of the key to point at and what is wrong: "unknown key 'workflw' (a route has: event, workflow, ...)",
     * "missing 'workflow': a workflow file name ...", "event: 'rfc.PR.ready' is not an event type ...". The
     * messages are made from the schema's own titles and descriptions, so the schema is the one place they live.
     */
    static void checkRoutesSchema(JsonNode routes, BiConsumer<String, String> problem) {
        JsonNode schema;
        try {
            schema = JSON.readTree(ROUTES_SCHEMA);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the bundled routes schema is not JSON", e);
        }
        String id = schema.path("$id").asText("urn:event-bus:routes");
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .schemas(Map.of(id, ROUTES_SCHEMA))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build()))
                .getSchema(SchemaLocation.of(id));
        for (var error : validator.validate(routes)) {
            String pointer = error.getInstanceLocation().toString().replaceFirst("^/$", "");
            String at = error.getSchemaLocation().getFragment().toString();
            JsonNode here = schema.at(at.substring(0, Math.max(0, at.lastIndexOf('/'))));
            String key = error.getProperty();
            JsonNode instance = error.getInstanceNode();
            switch (error.getKeyword()) {
                case "additionalProperties" -> {
                    List<String> keys = new ArrayList<>();
                    here.path("properties").fieldNames().forEachRemaining(keys::add);
                    problem.accept(pointer + "/" + escaped(key), "unknown key '" + key + "' (" + noun(here) + " has: " + String.join(", ", keys) + ")");
                }
                case "required" -> problem.accept(pointer, "missing '" + key + "': " + description(schema, here.path("properties").path(key)));
                case "propertyNames" -> problem.accept(pointer + "/" + escaped(key), "'" + key + "' is not " + description(schema, here.path("propertyNames")));
                case "maxProperties" -> problem.accept(pointer, what(pointer, here) + " has " + instance.size() + " entries, more than "
                        + error.getSchemaNode().asText() + ": " + description(schema, here));
                default -> problem.accept(pointer, what(pointer, here) + ": " + shown(instance) + " is not " + description(schema, here));
            }
        }
    }

    /** The subschema's description, through its $ref; the subschema itself when it has none. */
    private static String description(JsonNode schema, JsonNode node) {
        JsonNode target = node.has("$ref") ? schema.at(node.get("$ref").asText().replaceFirst("^#", "")) : node;
        return target.path("description").asText(target.toString());
    }

    /** "a route" for a subschema titled "A route". */
    private static String noun(JsonNode subschema) {
        String title = subschema.path("title").asText("it");
        return title.isEmpty() ? title : Character.toLowerCase(title.charAt(0)) + title.substring(1);
    }

    /** What an instance is called: its key (event, inputs), else its schema's title with the key (route 3, input 'pr'). */
    private static String what(String pointer, JsonNode subschema) {
        String key = pointer.substring(pointer.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
        if (!subschema.has("title")) {
            return key;
        }
        String noun = noun(subschema).replaceFirst("^(a|an|the) ", "");
        return pointer.isEmpty() ? noun(subschema) : key.matches("\\d{1,9}") ? noun + " " + (Integer.parseInt(key) + 1) : noun + " '" + key + "'";
    }

    /** A value as a message shows it: text in quotes, numbers as they are, collections by their kind. */
    private static String shown(JsonNode value) {
        return value == null || value.isNull() ? "an empty value" : value.isTextual() ? "'" + value.asText() + "'"
                : value.isArray() ? "a list" : value.isObject() ? "a mapping" : value.asText();
    }

    private static String escaped(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
