///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Check event-bus events against their JSON Schemas (draft 2020-12).
//DESCRIPTION
//DESCRIPTION Usage: validate [FILE...] [--event FILE] [--schemas DIR] [--log FILE] [--json]
//DESCRIPTION        validate --check-schemas [--schemas DIR]
//DESCRIPTION        validate --compat OLD_DIR [--schemas NEW_DIR]
//DESCRIPTION A file holds one event document, one repository_dispatch webhook payload,
//DESCRIPTION or JSON Lines of either; '-' or no file reads stdin ($GITHUB_EVENT_PATH in Actions).
//DESCRIPTION Environment: EVENT_SCHEMAS, EVENT_LOG, EVENT_BUS_SENDERS, EVENT_BUS_HISTORY, GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY.
//DESCRIPTION --compat lists the changes from OLD_DIR's schemas that would break a producer or a consumer, and the compatible ones.
//DESCRIPTION Exit codes: 0 all valid, 1 a breaking schema change (--compat) or internal failure, 2 invalid event or usage.
//DESCRIPTION Example: jbang validate@org schemas/examples/rfc.pr.ready/valid-with-trace-id.json
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr
//CDS

// validate.java: checks events (and the schemas themselves) against the JSON Schemas: the
// router's first step, and a check anyone can run. One of the five single-file scripts of
// event-bus, each a step of a workflow; they never import each other:
//   emit.java      sends an event (a repository_dispatch)
//   validate.java  this file: checks events against their JSON Schemas
//   dedupe.java    drops repeated events (claim, release)
//   route.java     the router step: starts the workflows the routes file names (--plan, graph, compile)
//   events.java    reads the records the others write: stats, replay, reconcile
// The blocks between "shared block" markers at the end are generated from shared/*.java
// (./jbang tests/support/SharedBlocks.java).

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true, version = "validate 0.1.0",
        description = {
            "Checks event-bus events against their JSON Schemas (draft 2020-12) and reports every violation.",
            "A file holds one event document ({\"event_type\", \"client_payload\"}), one repository_dispatch "
                    + "webhook payload ({\"action\", \"client_payload\", ...}), or JSON Lines of either.",
            "With no FILE it reads $GITHUB_EVENT_PATH when set (inside Actions), else stdin; '-' is stdin.",
            "A delivered event (a webhook payload) is also invalid when its sender is not allowed to emit "
                    + "(EVENT_BUS_SENDERS, default github-actions[bot]): only workflows emit.",
            "--compat OLD_DIR compares OLD_DIR's schemas (say, the base branch's) with the layers in effect (with "
                    + "--schemas NEW_DIR: the two directories alone) and prints one line per change, event type and JSON pointer: "
                    + "breaking (an event type removed, a property removed where others are not allowed, a new required property, "
                    + "a type, enum, const, pattern, length, range or format narrowed, an old valid example that now fails) or "
                    + "compatible (a new event type, a new optional property, a widened enum...). Patterns are not compared: one "
                    + "added or changed counts as narrowed; a change under anyOf, oneOf, not or if counts as breaking (docs/events.md)."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  EVENT_SCHEMAS        a schema directory layered under --schemas DIR",
            "  EVENT_LOG            event log to append 'rejected' records to (--log)",
            "  EVENT_BUS_SENDERS    who may send delivered events (repository_dispatch",
            "                       payloads): logins, comma separated, * for anyone",
            "                       (default github-actions[bot])",
            "  EVENT_BUS_HISTORY    true: 'rejected' records also go to the event history",
            "                       (needs GITHUB_TOKEN)",
            "  GITHUB_EVENT_PATH    the event file Actions gives a workflow (--event)",
            "  GITHUB_STEP_SUMMARY  a Markdown table of the results is appended to it",
            "",
            "Schemas come in layers: the RFC schemas bundled into this script, then",
            "docs/events/schema/ of the current repository, then $EVENT_SCHEMAS, then",
            "--schemas; each adds event types (events/<type>.schema.json) and may",
            "replace a lower layer's file of the same name.",
            "",
            "Example:",
            "  validate schemas/examples/rfc.pr.ready/valid-with-trace-id.json",
            "  validate --check-schemas --schemas schemas",
            "  validate --compat base/schemas --schemas schemas"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every event is valid (or every schema and example is as named; --compat: no change breaks)",
            "1:--compat: a change breaks a producer or a consumer; or internal failure",
            "2:an invalid event, an unreadable file, or bad usage (--compat: a directory that does not exist or holds no schema)"})
class validate implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "event files to check; '-' reads stdin")
    List<String> files = new ArrayList<>();

    @Option(names = "--event", paramLabel = "FILE", description = "one event file (default: $GITHUB_EVENT_PATH)")
    Path eventFile;

    @Option(names = "--schemas", paramLabel = "DIR", description = "a schema directory (envelope.schema.json, events/<type>.schema.json), layered over the others")
    Path schemasDir;

    @Option(names = "--check-schemas", description = "check every schema against the 2020-12 meta-schema and every example against its name")
    boolean checkSchemas;

    @Option(names = "--compat", paramLabel = "OLD_DIR", description = "compare the schemas of OLD_DIR (say, the base branch's) with "
            + "those in effect (given --schemas DIR: with DIR alone): list each change as breaking or compatible; exit 1 when one breaks")
    Path compat;

    @Option(names = "--log", paramLabel = "FILE", description = "append a 'rejected' record per invalid event (default: $EVENT_LOG)")
    Path logFile;

    @Option(names = "--json", description = "print a JSON report on stdout")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces of internal failures")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The process environment; tests replace it. */
    Map<String, String> env = System.getenv();

    public static void main(String... args) {
        int exitCode = newCommandLine(new validate()).execute(args);
        trainIfRecording(validate.class, validate::training);
        GitHub.shutdown();
        System.exit(exitCode);
    }

    /** A check of a canned valid and invalid event (see trainIfRecording). */
    static void training(PrintWriter out) throws IOException {
        Path events = Files.createTempFile("validate-training", ".jsonl");
        try {
            String event = "{\"event_type\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11\","
                    + "\"source\":\"training\",\"timestamp\":\"2026-11-27T04:38:13.123Z\",\"data\":{\"pr\":1,\"checks_status\":\"green\"}}}";
            Files.writeString(events, event + "\n" + event.replace("\"pr\":1", "\"pr\":0") + "\n");
            validate command = new validate();
            command.env = Map.of();
            newCommandLine(command).setOut(out).setErr(out).execute(events.toString());
        } finally {
            Files.delete(events);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (compat != null) {
            if (checkSchemas || eventFile != null || !files.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--compat compares two sets of schemas: it takes no FILE, "
                        + "--event or --check-schemas");
            }
            return new Compat(this).run();
        }
        EventSchemas schemas = EventSchemas.load(schemasDir, env, spec);
        if (checkSchemas) {
            return checkSchemasAndExamples(schemas);
        }
        Results results = new Results(json);
        for (Source source : sources()) {
            EventInput.read(source, input -> results.add(new Checked(input, violations(schemas, input))));
        }
        report(results);
        return results.invalid.isEmpty() ? 0 : 2;
    }

    private List<Violation> violations(EventSchemas schemas, EventInput input) {
        if (input.parseError() != null) {
            return List.of(new Violation("", "json", input.parseError()));
        }
        List<Violation> violations = new ArrayList<>(schemas.check(input.document()));
        // A delivered event from a sender not on EVENT_BUS_SENDERS, or without a sender that can be told, is refused.
        Violation sender = Senders.refusal(input.sender(), env);
        if (sender != null) {
            violations.add(sender);
        }
        return violations;
    }

    // ---- inputs -------------------------------------------------------------------------

    /** FILE arguments, else --event, else $GITHUB_EVENT_PATH, else stdin. */
    private List<Source> sources() {
        List<Source> sources = new ArrayList<>();
        for (String file : files) {
            sources.add(file.equals("-") ? Source.stdin(spec) : Source.file(Path.of(file), spec));
        }
        if (eventFile != null) {
            sources.add(Source.file(eventFile, spec));
        }
        if (sources.isEmpty()) {
            String eventPath = env.get("GITHUB_EVENT_PATH");
            sources.add(eventPath == null || eventPath.isBlank() ? Source.stdin(spec) : Source.file(Path.of(eventPath), spec));
        }
        return sources;
    }

    // ---- reporting ----------------------------------------------------------------------

    /**
     * What the report needs, gathered as events are checked: the count, the invalid events (their
     * documents go to the event log) and, for --json, an item per event. Valid documents are not
     * kept, so a long JSON Lines file is checked in flat memory.
     */
    static final class Results {
        final List<Checked> invalid = new ArrayList<>();
        final ArrayNode items;
        int events;

        Results(boolean withItems) {
            this.items = withItems ? JSON.createArrayNode() : null;
        }

        void add(Checked checked) {
            events++;
            if (!checked.valid()) {
                invalid.add(checked);
            }
            if (items != null) {
                ObjectNode item = items.addObject();
                item.put("source", checked.input().where());
                item.put("line", checked.input().line());
                item.put("event_type", text(checked.input().document(), "/event_type"));
                item.put("event_id", text(checked.input().document(), "/client_payload/event_id"));
                item.put("valid", checked.valid());
                var violations = item.putArray("violations");
                for (Violation violation : checked.violations()) {
                    violations.addObject()
                            .put("pointer", violation.pointer())
                            .put("rule", violation.rule())
                            .put("message", violation.message());
                }
            }
        }
    }

    private void report(Results results) throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        List<Checked> invalid = results.invalid;
        for (Checked checked : invalid) {
            for (Violation violation : checked.violations()) {
                // The message quotes values of the event (its type, a key, the sender): each shown safely.
                Actions.error(err, checked.input().where(), checked.input().line(), "Invalid event (" + violation.rule() + ")",
                        Actions.safe(violation.describe()), env);
            }
        }
        String summary = String.format("%d event%s checked: %d valid, %d invalid",
                results.events, results.events == 1 ? "" : "s", results.events - invalid.size(), invalid.size());
        err.println(summary);
        err.flush();
        if (json) {
            ObjectNode report = JSON.createObjectNode();
            report.put("events", results.events);
            report.put("valid", results.events - invalid.size());
            report.put("invalid", invalid.size());
            report.set("results", results.items);
            PrintWriter out = spec.commandLine().getOut();
            out.println(Actions.safeJson(report.toPrettyString()));
            out.flush();
        }
        Actions.appendSummary(summaryMarkdown(invalid, summary), env);
        List<ObjectNode> records = invalid.stream()
                .map(c -> EventLog.record(c.input().logged(), "rejected", env, c.firstError(),
                        c.input().sender() == null ? null : c.input().sender().login()))
                .toList();
        Path log = logFile != null ? logFile : EventLog.fromEnv(env);
        if (log != null) {
            EventLog.append(log, records);
        }
        if (History.enabled(env) && !records.isEmpty()) {
            History.append(GitHub.fromEnv(env, null, spec, 5, Duration.ofSeconds(300)), records, err, env);
        }
    }

    /** At most this many invalid events are listed in the job summary; the count covers the rest. */
    private static final int SUMMARY_ROWS = 50;

    private static String summaryMarkdown(List<Checked> invalid, String summary) {
        StringBuilder md = new StringBuilder("### Event validation\n\n")
                .append(invalid.isEmpty() ? ":white_check_mark: " : ":x: ").append(summary).append("\n\n");
        if (!invalid.isEmpty()) {
            md.append("| Event | Type | Field | Rule | Problem |\n|---|---|---|---|---|\n");
            invalid.stream().limit(SUMMARY_ROWS).forEach(c -> c.violations().forEach(v -> md.append("| ")
                    .append(Actions.cell(c.input().where() + (c.input().line() > 0 ? ":" + c.input().line() : ""))).append(" | ")
                    .append(Actions.code(String.valueOf(text(c.input().document(), "/event_type")))).append(" | ")
                    .append(Actions.code(v.pointer())).append(" | ")
                    .append(Actions.cell(v.rule())).append(" | ")
                    .append(Actions.cell(v.message())).append(" |\n")));
            if (invalid.size() > SUMMARY_ROWS) {
                md.append("\n…and ").append(invalid.size() - SUMMARY_ROWS).append(" more invalid events.\n");
            }
        }
        return md.toString();
    }

    // ---- --check-schemas ----------------------------------------------------------------

    private int checkSchemasAndExamples(EventSchemas schemas) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<String> problems = metaSchemaProblems(schemas);
        int examples = 0;
        for (Path directory : schemas.directories()) {
            Path examplesDir = directory.resolve("examples");
            if (!Files.isDirectory(examplesDir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(examplesDir)) {
                for (Path example : walk.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    String name = example.getFileName().toString();
                    boolean shouldPass = name.startsWith("valid-");
                    if (!shouldPass && !name.startsWith("invalid-")) {
                        problems.add(example + ": example names start with valid- or invalid-");
                        continue;
                    }
                    examples++;
                    List<Violation> violations = new ArrayList<>();
                    EventInput.read(Source.file(example, spec), input -> violations.addAll(violations(schemas, input)));
                    if (shouldPass && !violations.isEmpty()) {
                        problems.add(example + ": should be valid but " + violations.get(0).describe());
                    } else if (!shouldPass && violations.isEmpty()) {
                        problems.add(example + ": should be invalid but passes every rule");
                    }
                }
            }
        }
        for (String problem : problems) {
            Actions.error(err, null, 0, "Schema check", problem, env);
        }
        String summary = String.format("%d schemas and %d examples checked in %s: %d problem%s",
                schemas.files().size(), examples, schemas.origin(), problems.size(), problems.size() == 1 ? "" : "s");
        err.println(summary);
        err.flush();
        Actions.appendSummary("### Schema check\n\n" + (problems.isEmpty() ? ":white_check_mark: " : ":x: ") + summary + "\n", env);
        return problems.isEmpty() ? 0 : 2;
    }

    /** Each schema in effect against the 2020-12 meta-schema; an event schema's const event_type must be its file's name. */
    private static List<String> metaSchemaProblems(EventSchemas schemas) {
        List<String> problems = new ArrayList<>();
        Schema metaSchema = schemas.schema(META_SCHEMA);
        for (EventSchemas.SchemaFile file : schemas.files()) {
            for (var error : metaSchema.validate(file.json())) {
                problems.add(file.where() + ": " + Violation.of(error).describe());
            }
            String eventType = file.eventType();
            if (eventType != null) {
                JsonNode constType = file.json().at("/properties/event_type/const");
                if (!constType.isTextual() || !constType.asText().equals(eventType)) {
                    problems.add(file.where() + ": /properties/event_type/const must be '" + eventType + "', the file's name");
                }
                if (!EVENT_TYPE.matcher(eventType).matches() || eventType.length() > EventSchemas.MAX_EVENT_TYPE_LENGTH) {
                    problems.add(file.where() + ": '" + eventType + "' is not a valid event type name");
                }
            }
            try {
                schemas.schema(file.id()).validate(JSON.createObjectNode());
            } catch (RuntimeException e) {
                problems.add(file.where() + ": does not compile: " + e.getMessage());
            }
        }
        return problems;
    }

    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

    // ---- --compat: what a schema change breaks --------------------------------------------

    /**
     * validate --compat OLD_DIR: the schemas of OLD_DIR against the new ones, event type by event type. A change is
     * breaking when an event valid under the old schemas may fail the new ones, or an event type is gone; compatible
     * when the new schemas only accept more (a new event type, a new optional property, a widened enum...). Each
     * instance location's constraints are those of every subschema that applies there ($ref followed, to the envelope
     * too, allOf joined, properties and items walked), so a change is named by the event type and the JSON pointer of
     * the event where it bites (/* stands for every item of an array). Not judged, and so counted as breaking: a
     * changed pattern (regular expressions are not compared: a pattern added or changed is narrowed, one removed is
     * widened), a changed multipleOf, and any change under the keywords in NOT_JUDGED. OLD_DIR's valid examples
     * (examples/<type>/valid-*.json) must also pass the new schemas.
     */
    static final class Compat {
        static final List<String> NOT_JUDGED = List.of("anyOf", "oneOf", "not", "if", "then", "else", "patternProperties",
                "dependentSchemas", "dependentRequired", "prefixItems", "contains", "unevaluatedItems", "propertyNames");
        /** The size keywords, lower and upper, and what they bound. */
        static final String[][] SIZES = {{"minLength", "maxLength", "length"}, {"minItems", "maxItems", "number of items"},
            {"minProperties", "maxProperties", "number of properties"}};

        record Change(boolean breaking, String pointer, String what) {
        }

        private final validate command;
        private final CommandSpec spec;
        /** Each change, with the event types it concerns. */
        private final Map<Change, Set<String>> changes = new LinkedHashMap<>();

        Compat(validate command) {
            this.command = command;
            this.spec = command.spec;
        }

        int run() throws IOException {
            // With --schemas, the two directories exactly as they stand; else OLD_DIR over the bundled layer against the layers in effect.
            boolean exact = command.schemasDir != null;
            EventSchemas older = EventSchemas.of(command.compat, "--compat", !exact, spec);
            EventSchemas newer = exact ? EventSchemas.of(command.schemasDir, "--schemas", false, spec) : EventSchemas.load(null, command.env, spec);
            Map<String, EventSchemas.SchemaFile> before = types(older);
            Map<String, EventSchemas.SchemaFile> after = types(newer);
            Set<String> all = new TreeSet<>(before.keySet());
            all.addAll(after.keySet());
            for (String type : all) {
                if (!after.containsKey(type)) {
                    add(new Change(true, "", "event type removed: the new schemas have no events/" + type + ".schema.json"), type);
                } else if (!before.containsKey(type)) {
                    add(new Change(false, "", "new event type"), type);
                } else {
                    Map<String, List<JsonNode>> was = new TreeMap<>();
                    Map<String, List<JsonNode>> now = new TreeMap<>();
                    collect(older, before.get(type).id(), before.get(type).json(), before.get(type).json(), "", was, 0);
                    collect(newer, after.get(type).id(), after.get(type).json(), after.get(type).json(), "", now, 0);
                    compare(was, now, type);
                }
            }
            int examples = checkExamples(newer, after.keySet());
            return report(older.origin(), newer.origin(), examples);
        }

        private static Map<String, EventSchemas.SchemaFile> types(EventSchemas schemas) {
            Map<String, EventSchemas.SchemaFile> types = new TreeMap<>();
            schemas.files().stream().filter(f -> f.eventType() != null).forEach(f -> types.put(f.eventType(), f));
            return types;
        }

        private void add(Change change, String type) {
            changes.computeIfAbsent(change, c -> new TreeSet<>()).add(type);
        }

        /** Every subschema that applies at each instance location below pointer, by location. */
        private static void collect(EventSchemas schemas, String base, JsonNode document, JsonNode node, String pointer,
                                    Map<String, List<JsonNode>> out, int depth) {
            if (!node.isObject() || depth > 64) {
                return;
            }
            out.computeIfAbsent(pointer, p -> new ArrayList<>()).add(node);
            if (node.path("$ref").isTextual()) {
                URI target = URI.create(base).resolve(node.get("$ref").asText());
                String resource = target.toString().replaceFirst("#.*$", "");
                JsonNode root = resource.equals(base.replaceFirst("#.*$", "")) ? document : schemas.byId(resource);
                JsonNode referenced = root == null ? null : root.at(target.getFragment() == null ? "" : target.getFragment());
                if (referenced == null || referenced.isMissingNode()) {
                    out.get(pointer).add(JSON.createObjectNode().put("$unresolved", node.get("$ref").asText()));
                } else {
                    collect(schemas, resource, root, referenced, pointer, out, depth + 1);
                }
            }
            for (JsonNode part : node.path("allOf")) {
                collect(schemas, base, document, part, pointer, out, depth + 1);
            }
            node.path("properties").properties().forEach(property -> collect(schemas, base, document, property.getValue(),
                    pointer + "/" + property.getKey().replace("~", "~0").replace("/", "~1"), out, depth + 1));
            if (node.path("items").isObject()) {
                collect(schemas, base, document, node.get("items"), pointer + "/*", out, depth + 1);
            }
        }

        private void compare(Map<String, List<JsonNode>> was, Map<String, List<JsonNode>> now, String type) {
            Set<String> pointers = new TreeSet<>(was.keySet());
            pointers.addAll(now.keySet());
            for (String pointer : pointers) {
                List<JsonNode> before = was.getOrDefault(pointer, List.of());
                List<JsonNode> after = now.getOrDefault(pointer, List.of());
                String parent = pointer.isEmpty() ? null : pointer.substring(0, pointer.lastIndexOf('/'));
                // A property gone, or new where the old object allowed no others, is told at its object; new where others were
                // allowed (with any value), its constraints are new: compared with none.
                boolean comparable = !after.isEmpty() && (!before.isEmpty() || parent != null && was.containsKey(parent) && allowed(was.get(parent)) == null);
                if (comparable) {
                    compareAt(pointer, before, after, type);
                }
            }
        }

        private void compareAt(String pointer, List<JsonNode> before, List<JsonNode> after, String type) {
            List<Change> found = new ArrayList<>();
            // type
            Set<String> typesBefore = types(before);
            Set<String> typesAfter = types(after);
            if (typesAfter != null && (typesBefore == null || typesBefore.stream().anyMatch(t -> !accepts(typesAfter, t)))) {
                found.add(new Change(true, pointer, "type narrowed: " + shown(typesBefore) + " before, " + shown(typesAfter) + " now"));
            } else if (typesBefore != null && (typesAfter == null || typesAfter.stream().anyMatch(t -> !accepts(typesBefore, t)))) {
                found.add(new Change(false, pointer, "type widened: " + shown(typesBefore) + " before, " + shown(typesAfter) + " now"));
            }
            // enum and const: the values allowed
            Set<JsonNode> valuesBefore = values(before);
            Set<JsonNode> valuesAfter = values(after);
            if (valuesAfter != null && (valuesBefore == null || !valuesAfter.containsAll(valuesBefore))) {
                found.add(new Change(true, pointer, "enum/const narrowed: " + (valuesBefore == null ? "any value before, now only " + valuesAfter
                        : valuesBefore.stream().filter(v -> !valuesAfter.contains(v)).map(JsonNode::toString).collect(Collectors.joining(", "))
                                + " no longer allowed (now " + valuesAfter + ")")));
            } else if (valuesBefore != null && (valuesAfter == null || !valuesBefore.containsAll(valuesAfter))) {
                found.add(new Change(false, pointer, "enum widened: " + (valuesAfter == null ? "any value now"
                        : valuesAfter.stream().filter(v -> !valuesBefore.contains(v)).map(JsonNode::toString).collect(Collectors.joining(", "))
                                + " allowed too")));
            }
            compareSets(found, pointer, "pattern", strings(before, "pattern"), strings(after, "pattern"),
                    " (patterns are not compared: one added or changed counts as narrowed)");
            compareSets(found, pointer, "format", strings(before, "format"), strings(after, "format"), "");
            compareSets(found, pointer, "multipleOf", strings(before, "multipleOf"), strings(after, "multipleOf"), " (not compared)");
            for (String[] size : SIZES) {
                compareBound(found, pointer, size[2], bound(before, size[0], null, true), bound(after, size[0], null, true), true);
                compareBound(found, pointer, size[2], bound(before, size[1], null, false), bound(after, size[1], null, false), false);
            }
            compareBound(found, pointer, "range", bound(before, "minimum", "exclusiveMinimum", true), bound(after, "minimum", "exclusiveMinimum", true), true);
            compareBound(found, pointer, "range", bound(before, "maximum", "exclusiveMaximum", false), bound(after, "maximum", "exclusiveMaximum", false), false);
            // properties: required, removed, added, and whether others are allowed
            Set<String> requiredBefore = strings(before, "required");
            Set<String> requiredAfter = strings(after, "required");
            Set<String> namesBefore = names(before);
            Set<String> namesAfter = names(after);
            requiredAfter.stream().filter(n -> !requiredBefore.contains(n)).forEach(n -> found.add(new Change(true, child(pointer, n), "new required property")));
            requiredBefore.stream().filter(n -> !requiredAfter.contains(n)).forEach(n -> found.add(new Change(false, child(pointer, n), "no longer required")));
            // A name is allowed where every subschema that refuses others (additionalProperties: false) names it.
            Set<String> allowedBefore = allowed(before);
            Set<String> allowedAfter = allowed(after);
            for (String name : allowedBefore == null ? namesBefore : allowedBefore) {
                if (!namesAfter.contains(name)) {
                    found.add(allowedAfter != null ? new Change(true, child(pointer, name), "property removed where others are not allowed")
                            : new Change(false, child(pointer, name), "property no longer described (others are allowed)"));
                } else if (allowedAfter != null && !allowedAfter.contains(name)) {
                    found.add(new Change(true, child(pointer, name), "property no longer allowed: a subschema with additionalProperties: "
                            + "false does not name it"));
                }
            }
            if (allowedBefore != null) {
                namesAfter.stream().filter(n -> !allowedBefore.contains(n) && !requiredAfter.contains(n) && (allowedAfter == null || allowedAfter.contains(n)))
                        .forEach(n -> found.add(new Change(false, child(pointer, n), "new optional property")));
            }
            if (!before.isEmpty() && allowedBefore == null && allowedAfter != null) {
                found.add(new Change(true, pointer, "other properties no longer allowed (additionalProperties: false)"));
            } else if (allowedBefore != null && allowedAfter == null) {
                found.add(new Change(false, pointer, "other properties allowed now"));
            }
            for (String keyword : NOT_JUDGED) {
                if (!keywords(before, keyword).equals(keywords(after, keyword))) {
                    found.add(new Change(true, pointer, keyword + " changed: not judged, so counted as breaking (review it)"));
                }
            }
            if (!keywords(before, "$unresolved").equals(keywords(after, "$unresolved")) || !keywords(after, "$unresolved").isEmpty()) {
                found.add(new Change(true, pointer, "a $ref that does not resolve (" + keywords(after, "$unresolved") + "): not judged"));
            }
            found.forEach(change -> add(change, type));
        }

        private static String child(String pointer, String name) {
            return pointer + "/" + name.replace("~", "~0").replace("/", "~1");
        }

        /** The types every subschema allows together (integer counts as a number); null for any. */
        private static Set<String> types(List<JsonNode> schemas) {
            Set<String> types = null;
            for (JsonNode schema : schemas) {
                JsonNode type = schema.get("type");
                if (type == null) {
                    continue;
                }
                Set<String> these = new TreeSet<>();
                (type.isArray() ? type : JSON.createArrayNode().add(type)).forEach(t -> these.add(t.asText()));
                if (types == null) {
                    types = these;
                } else {
                    Set<String> previous = types;
                    types = new TreeSet<>();
                    for (String t : previous) {
                        if (accepts(these, t)) {
                            types.add(t);
                        } else if (t.equals("number") && these.contains("integer")) {
                            types.add("integer");
                        }
                    }
                }
            }
            return types;
        }

        private static boolean accepts(Set<String> types, String type) {
            return types.contains(type) || type.equals("integer") && types.contains("number");
        }

        /** The values enum and const allow together; null for any. */
        private static Set<JsonNode> values(List<JsonNode> schemas) {
            Set<JsonNode> values = null;
            for (JsonNode schema : schemas) {
                Set<JsonNode> these = new LinkedHashSet<>();
                if (schema.has("const")) {
                    these.add(schema.get("const"));
                } else if (schema.path("enum").isArray()) {
                    schema.get("enum").forEach(these::add);
                } else {
                    continue;
                }
                if (values == null) {
                    values = these;
                } else {
                    values.retainAll(these);
                }
            }
            return values;
        }

        /** The texts of a keyword across the subschemas (a list keyword such as required: its items). */
        private static Set<String> strings(List<JsonNode> schemas, String keyword) {
            Set<String> texts = new TreeSet<>();
            for (JsonNode schema : schemas) {
                JsonNode value = schema.get(keyword);
                if (value != null) {
                    (value.isArray() ? value : JSON.createArrayNode().add(value)).forEach(v -> texts.add(v.asText()));
                }
            }
            return texts;
        }

        private static Set<String> names(List<JsonNode> schemas) {
            Set<String> names = new TreeSet<>();
            schemas.forEach(schema -> schema.path("properties").fieldNames().forEachRemaining(names::add));
            return names;
        }

        private static List<String> keywords(List<JsonNode> schemas, String keyword) {
            return schemas.stream().filter(s -> s.has(keyword)).map(s -> s.get(keyword).toString()).sorted().toList();
        }

        /**
         * The property names allowed at a location, null when any is: additionalProperties: false allows the names its own
         * subschema declares, unevaluatedProperties: false those any subschema there declares.
         */
        private static Set<String> allowed(List<JsonNode> schemas) {
            Set<String> allowed = null;
            for (JsonNode schema : schemas) {
                for (String keyword : List.of("additionalProperties", "unevaluatedProperties")) {
                    if (schema.path(keyword).isBoolean() && !schema.get(keyword).asBoolean()) {
                        Set<String> these = names(keyword.equals("additionalProperties") ? List.of(schema) : schemas);
                        if (allowed == null) {
                            allowed = these;
                        } else {
                            allowed.retainAll(these);
                        }
                    }
                }
            }
            return allowed;
        }

        private void compareSets(List<Change> found, String pointer, String keyword, Set<String> before, Set<String> after, String note) {
            Set<String> added = new TreeSet<>(after);
            added.removeAll(before);
            Set<String> removed = new TreeSet<>(before);
            removed.removeAll(after);
            if (!added.isEmpty()) {
                found.add(new Change(true, pointer, keyword + " narrowed: " + String.join(", ", added) + (removed.isEmpty() ? " added"
                        : " instead of " + String.join(", ", removed)) + note));
            } else if (!removed.isEmpty()) {
                found.add(new Change(false, pointer, keyword + " widened: " + String.join(", ", removed) + " removed"));
            }
        }

        /** A bound: its value and whether it is exclusive; the tightest across the subschemas; null for none. */
        record Bound(java.math.BigDecimal value, boolean exclusive) {
            @Override
            public String toString() {
                return (exclusive ? "exclusive " : "") + value.stripTrailingZeros().toPlainString();
            }
        }

        private static Bound bound(List<JsonNode> schemas, String inclusive, String exclusive, boolean lower) {
            Bound tightest = null;
            for (JsonNode schema : schemas) {
                for (String keyword : exclusive == null ? List.of(inclusive) : List.of(inclusive, exclusive)) {
                    if (schema.path(keyword).isNumber()) {
                        Bound bound = new Bound(schema.get(keyword).decimalValue(), keyword.equals(exclusive));
                        if (tightest == null || tighter(bound, tightest, lower)) {
                            tightest = bound;
                        }
                    }
                }
            }
            return tightest;
        }

        private static boolean tighter(Bound a, Bound b, boolean lower) {
            int order = a.value().compareTo(b.value());
            return (lower ? order > 0 : order < 0) || order == 0 && a.exclusive() && !b.exclusive();
        }

        private static void compareBound(List<Change> found, String pointer, String what, Bound before, Bound after, boolean lower) {
            String side = lower ? "minimum " : "maximum ";
            if (after != null && (before == null || tighter(after, before, lower))) {
                found.add(new Change(true, pointer, what + " narrowed: " + side + (before == null ? "none" : before) + " before, " + after + " now"));
            } else if (before != null && (after == null || tighter(before, after, lower))) {
                found.add(new Change(false, pointer, what + " widened: " + side + before + " before, " + (after == null ? "none" : after) + " now"));
            }
        }

        private static String shown(Set<String> types) {
            return types == null ? "any" : String.join(" or ", types);
        }

        /** OLD_DIR's valid examples against the new schemas: one that fails breaks its producers. Returns how many were checked. */
        private int checkExamples(EventSchemas newer, Set<String> types) throws IOException {
            Path examples = command.compat.resolve("examples");
            if (!Files.isDirectory(examples)) {
                return 0;
            }
            int checked = 0;
            try (Stream<Path> walk = Files.walk(examples)) {
                for (Path example : walk.filter(p -> p.getFileName().toString().matches("valid-.*\\.json")).sorted().toList()) {
                    List<EventInput> inputs = new ArrayList<>();
                    EventInput.read(Source.file(example, spec), inputs::add);
                    for (EventInput input : inputs) {
                        String type = input.document() == null ? null : text(input.document(), "/event_type");
                        if (type == null || !types.contains(type)) {
                            continue; // not an event, or of a type that is gone: that is told already
                        }
                        checked++;
                        List<Violation> violations = newer.check(input.document());
                        if (!violations.isEmpty()) {
                            add(new Change(true, violations.get(0).pointer(), "the old example " + command.compat.relativize(example)
                                    + " no longer passes: " + violations.stream().map(Violation::describe).collect(Collectors.joining("; "))), type);
                        }
                    }
                }
            }
            return checked;
        }

        /** One line per change on stdout, breaking ones first; annotations, the summary and the job summary. */
        private int report(String olderOrigin, String newerOrigin, int examples) throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StringBuilder md = new StringBuilder();
            long breaking = changes.keySet().stream().filter(Change::breaking).count();
            for (boolean kind : List.of(true, false)) {
                changes.forEach((change, types) -> {
                    if (change.breaking() != kind) {
                        return;
                    }
                    String where = String.join(", ", types) + (change.pointer().isEmpty() ? "" : " " + change.pointer());
                    out.println((kind ? "breaking   " : "compatible ") + where + ": " + change.what());
                    if (kind && Actions.inActions(command.env)) {
                        Actions.error(err, null, 0, "Breaking schema change", where + ": " + change.what(), command.env);
                    }
                    md.append("| ").append(kind ? ":x: breaking" : "compatible").append(" | ").append(Actions.cell(String.join(", ", types)))
                            .append(" | `").append(Actions.cell(change.pointer())).append("` | ").append(Actions.cell(change.what())).append(" |\n");
                });
            }
            out.flush();
            String summary = "validate --compat: " + breaking + " breaking change" + (breaking == 1 ? "" : "s") + ", "
                    + (changes.size() - breaking) + " compatible, " + examples + " old example" + (examples == 1 ? "" : "s")
                    + " checked (old: " + olderOrigin + "; new: " + newerOrigin + ")";
            err.println(summary);
            err.flush();
            Actions.appendSummary("### Schema compatibility\n\n" + (breaking > 0 ? ":x: " : ":white_check_mark: ") + summary + "\n\n"
                    + (md.length() == 0 ? "" : "| Change | Event types | Pointer | What |\n|---|---|---|---|\n" + md), command.env);
            return breaking > 0 ? CommandLine.ExitCode.SOFTWARE : CommandLine.ExitCode.OK;
        }
    }

    record Checked(EventInput input, List<Violation> violations) {
        boolean valid() {
            return violations.isEmpty();
        }

        String firstError() {
            return violations.isEmpty() ? null : violations.stream().map(Violation::describe).collect(Collectors.joining("; "));
        }
    }

    // ---- shared block Cli: generated from shared/Cli.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Command line plumbing: exit codes and the one-line error every script prints.
    // A parameter problem is exit 2 with "Try '<cmd> --help'"; any other failure is exit 1 with one
    // line (an ::error:: annotation inside Actions) and the stack trace only with --verbose or
    // RUNNER_DEBUG=1. A token never reaches the terminal, whatever message carries it.

    static CommandLine newCommandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        Map<String, String> env = System.getenv();
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            Actions.error(err, null, 0, "Invalid input", redacted(ex.getMessage(), env), env);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String message = ex instanceof Failure ? ex.getMessage() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
            Actions.error(err, null, 0, "Failed", redacted(message, env), env);
            // --verbose may be the failing subcommand's own option: the full parse result does not list those.
            if (parseResult.hasMatchedOption("--verbose") || commandLine.getParseResult().hasMatchedOption("--verbose")
                    || "1".equals(env.get("RUNNER_DEBUG"))) {
                ex.printStackTrace(err);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    /** The message with the token's value masked: a library may quote a header value (the JDK does) in its error. */
    static String redacted(String message, Map<String, String> env) {
        String text = String.valueOf(message);
        for (String token : Stream.of(env.get("GITHUB_TOKEN"), env.get("GH_TOKEN")).filter(t -> t != null && t.strip().length() >= 4).toList()) {
            text = text.replace(token.strip(), "***");
        }
        return text;
    }

    /** A failure whose message already says what happened and what to do: exit 1 with that one line. */
    static class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }
    // ---- end of shared block Cli, generated text sha256:f8b55c63f641 ----

    // ---- shared block Training: generated from shared/Training.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Class-data sharing and AOT training: JBang records a script's class-data sharing archive (//CDS) as
    // the first run after a build exits, and later runs map only the classes that run loaded, so a first
    // --help would leave every later step loading the rest from jars. The run that records (an AppCDS
    // archive, or on JDK 25+ the AOT cache's training data, which ./jbang asks for) therefore also does
    // the script's usual work on canned input, against a loopback server where it calls GitHub.
    // Left out of this copy, as validate.java does not use them: loopbackGitHub().

    /**
     * Runs the script's usual work on canned input, with its output discarded, when this JVM records
     * an archive or AOT cache at exit (call it after the command's own run, before System.exit).
     */
    static void trainIfRecording(Class<?> script, Workload workload) {
        try {
            if (recording(script)) {
                workload.run(new PrintWriter(Writer.nullWriter()));
            }
        } catch (Exception | LinkageError e) {
            // Training only makes later runs faster; it must never change this run's outcome.
        }
    }

    /**
     * Whether this JVM records an archive or AOT cache at exit: its command line says so where
     * /proc shows it; elsewhere, whether the archive JBang names is not yet beside the jar.
     */
    static boolean recording(Class<?> script) throws Exception {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (Files.isReadable(cmdline)) {
            return Stream.of(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0"))
                    .anyMatch(arg -> arg.startsWith("-XX:ArchiveClassesAtExit=") || arg.startsWith("-XX:AOTCacheOutput=")
                            || arg.equals("-XX:AOTMode=record"));
        }
        Path jar = Path.of(script.getProtectionDomain().getCodeSource().getLocation().toURI());
        String name = jar.getFileName().toString();
        Path archive = jar.resolveSibling(name.replaceFirst("\\.jar$", ".jsa"));
        return name.endsWith(".jar") && !Files.exists(archive) && Files.isWritable(jar.getParent());
    }

    /** A script's usual work on canned input, writing to out (which nobody reads). */
    interface Workload {
        void run(PrintWriter out) throws Exception;
    }
    // ---- end of shared block Training, generated text sha256:9071793683dd ----

    // ---- shared block Actions: generated from shared/Actions.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Speaking to GitHub Actions as @actions/core does (command.ts, file-command.ts, summary.ts):
    // annotations on stderr, step outputs in $GITHUB_OUTPUT, Markdown in $GITHUB_STEP_SUMMARY.
    // Outside Actions the same calls print plain lines, so a terminal user reads the same text.
    // Values taken from events and records are printed through safe(), cell() and code(), so that none
    // becomes a workflow command or hides text (docs/security.md, "Output").
    // Left out of this copy, as validate.java does not use them: Actions.output().

    static final class Actions {
        static boolean inActions(Map<String, String> env) {
            return "true".equals(env.get("GITHUB_ACTIONS"));
        }

        /** One line on stderr; inside Actions, an ::error:: annotation with file and line. */
        static void error(PrintWriter err, String file, int line, String title, String message, Map<String, String> env) {
            annotate(err, "error", file, line, title, message, env);
        }

        /** Like error, as a ::warning:: annotation. */
        static void warning(PrintWriter err, String title, String message, Map<String, String> env) {
            annotate(err, "warning", null, 0, title, message, env);
        }

        private static void annotate(PrintWriter err, String kind, String file, int line, String title, String message, Map<String, String> env) {
            if (!inActions(env)) {
                // A message may span lines on purpose (a list of problems); no line of it may start a workflow command.
                String text = (file != null ? file + (line > 0 ? ":" + line : "") + ": " : "") + (kind.equals("warning") ? "warning: " : "") + message;
                err.println(text.lines().map(Actions::visible).collect(Collectors.joining("\n")));
            } else {
                String where = file == null || file.startsWith("<") ? ""
                        : "file=" + escapeProperty(visible(file)) + (line > 0 ? ",line=" + line : "") + ",";
                err.println("::" + kind + " " + where + "title=" + escapeProperty(visible(title)) + "::" + escapeData(visible(message)));
            }
            err.flush();
        }

        static void appendSummary(String markdown, Map<String, String> env) throws IOException {
            String path = env.get("GITHUB_STEP_SUMMARY");
            if (path != null && !path.isBlank()) {
                Files.writeString(Path.of(path), markdown + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        /**
         * A value from an event or a record, as it may be printed on stdout or stderr: CR, LF and % escaped as
         * the toolkit escapes a command's data (%0D, %0A, %25: actions/toolkit packages/core/src/command.ts,
         * escapeData), every other hidden character as \\uXXXX (see visible), so a value never starts a line of
         * its own, never starts a workflow command and never hides text.
         */
        static String safe(String value) {
            return value == null ? "null" : visible(escapeData(value));
        }

        /**
         * The text with every character that hides or reorders text shown as \\uXXXX: control characters
         * (NUL, ESC, TAB..., CR and LF included: a value reaches here escaped by safe), Unicode format
         * characters (bidirectional embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, the
         * marks U+200E, U+200F and U+061C, zero-width characters, tags), line and paragraph separators, and
         * lone surrogates. And what the runner would read as a workflow command (actions/runner
         * src/Runner.Common/ActionCommand.cs): "##[" anywhere in a line (the old command form, TryParse) shows
         * its bracket as \\u005B; a ':' that would start the line, leading white space aside (TryParseV2 trims
         * it before looking for "::"), shows as \\u003A.
         */
        static String visible(String text) {
            return shown(text, false);
        }

        /** visible's escaping; for JSON (safeJson), line breaks, tabs and ':' stay: outside strings they are the JSON's own. */
        private static String shown(String text, boolean json) {
            StringBuilder shown = new StringBuilder(text.length() + 8);
            boolean leading = !json;
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                int width = Character.charCount(c);
                boolean command = c == ':' && leading || c == '[' && i >= 2 && text.startsWith("##", i - 2);
                if (command || hidden(c) && !(json && (c == '\n' || c == '\r' || c == '\t'))) {
                    for (int j = i; j < i + width; j++) {
                        shown.append(String.format("\\u%04X", (int) text.charAt(j)));
                    }
                    leading = false;
                } else {
                    shown.appendCodePoint(c);
                    leading = leading && (Character.isWhitespace(c) || Character.isSpaceChar(c));
                }
                i += width;
            }
            return shown.toString();
        }

        /** The characters visible names: they do not show as themselves (a surrogate here is one that is not half of a pair). */
        private static boolean hidden(int c) {
            int type = Character.getType(c);
            return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
        }

        /**
         * A value as the text of a Markdown table cell in the step summary: safe, then the characters
         * Markdown or HTML would read as markup escaped with a backslash (CommonMark: any ASCII punctuation
         * may be), so a value cannot end the cell (|), open an HTML tag or comment (<), write a character by
         * its entity (&#8238;), link, draw math ($) or show an emoji (:x:) that is not there. GitHub-flavoured tables split cells at | before
         * anything else, so \\| is what keeps one.
         */
        static String cell(String text) {
            String value = safe(text);
            StringBuilder md = new StringBuilder(value.length() + 8);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                // A colon only where it could open an emoji shortcode (:x:), so times and "rule: x" read as they are; an
                // underscore not at all (event_id): emphasis can change how text looks, not hide it.
                boolean shortcode = c == ':' && i + 1 < value.length() && !Character.isDigit(value.charAt(i + 1))
                        && !Character.isWhitespace(value.charAt(i + 1));
                if ("\\`*[]<>|~&$".indexOf(c) >= 0 || shortcode) {
                    md.append('\\');
                }
                md.append(c);
            }
            return md.toString();
        }

        /**
         * A value as a Markdown code span, backticks included: safe, | escaped for a table (GitHub reads \\|
         * in a cell's code span as |), and a fence of backticks longer than any run in the value, so nothing in
         * it ends the span; inside a code span nothing is markup, HTML included.
         */
        static String code(String value) {
            if (value == null || value.isEmpty()) {
                return "";
            }
            String text = safe(value).replace("|", "\\|");
            int longest = Pattern.compile("`+").matcher(text).results().mapToInt(run -> run.group().length()).max().orElse(0);
            String fence = "`".repeat(longest + 1);
            String pad = text.startsWith("`") || text.endsWith("`") || text.isEmpty() ? " " : "";
            return fence + pad + text + pad + fence;
        }

        /**
         * JSON text for stdout with nothing the runner reads as a command and no hidden character: such
         * characters inside strings as JSON escapes (\\uXXXX), and the bracket of "##[" too. The same JSON to
         * a parser (the escapes stand for the same characters); JSON outside strings has neither.
         */
        static String safeJson(String json) {
            return shown(json, true);
        }

        // Escaping as @actions/core's command.ts does it.
        static String escapeData(String s) {
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
        }

        static String escapeProperty(String s) {
            return escapeData(s).replace(":", "%3A").replace(",", "%2C");
        }
    }
    // ---- end of shared block Actions, generated text sha256:6c83c4563b8a ----

    // ---- shared block Json: generated from shared/Json.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // JSON as every script reads it: strict (a duplicate key or trailing text is an error, never a
    // silent choice), decimals kept exact; and the contract's formats for times and ids.
    // Left out of this copy, as validate.java does not use them: UUID_TEXT.

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** RFC 3339, UTC, milliseconds: the envelope's timestamp and every time in an event log record. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Event type names: dotted lowercase words, such as rfc.pr.ready. */
    static final Pattern EVENT_TYPE = Pattern.compile("^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$");

    /** The text of a value node at pointer; null when absent, JSON null, an object or an array. */
    static String text(JsonNode node, String pointer) {
        JsonNode value = node == null ? MissingNode.getInstance() : node.at(pointer);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    /**
     * Where a JSON text breaks, in the reader's words: "not valid JSON: line L, column C: expected X,
     * found Y". Jackson's own message names its internals (its features, "(code 125)", a source
     * "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"), so it is translated, and
     * whatever is left untranslated loses those parts. A repeated key is named as such, since parsers
     * disagree on which value wins.
     */
    static String notJson(JsonProcessingException e) {
        var location = e.getLocation();
        int line = location != null ? location.getLineNr() : -1;
        int column = location != null ? location.getColumnNr() : -1;
        String reason = String.valueOf(e.getOriginalMessage());
        String what;
        Matcher m;
        if (reason.startsWith("Duplicate field ")) {
            String where = line > 0 ? " (line " + line + ", column " + column + ")" : "";
            return "duplicate key " + reason.substring("Duplicate field ".length()) + where + ": a key may appear once in an object";
        } else if (reason.startsWith("Unexpected end-of-input")) {
            m = Pattern.compile("close marker for (Object|Array) \\(start marker at .*line: (\\d+), column: (\\d+)\\]").matcher(reason);
            if (m.find()) {
                boolean object = m.group(1).equals("Object");
                what = "expected " + (object ? "',' or '}'" : "',' or ']'") + ", found the end of the text (the " + (object ? "object" : "array")
                        + " opened at line " + m.group(2) + ", column " + m.group(3) + " is not closed)";
            } else {
                what = reason.contains("Object entries") ? "expected the rest of the object and its '}', found the end of the text"
                        : reason.contains("Array entries") ? "expected the rest of the array and its ']', found the end of the text"
                        : reason.contains("closing quote") ? "expected the '\"' that closes the string, found the end of the text"
                        : "expected more JSON, found the end of the text";
            }
        } else if ((m = Pattern.compile("^Unexpected character \\((?:.*)\\(code (\\d+)[^)]*\\)\\)(.*)$", Pattern.DOTALL).matcher(reason)).matches()) {
            String found = "found " + jsonCharacter(Integer.parseInt(m.group(1)));
            String rest = m.group(2);
            what = rest.contains("double-quote to start field name") ? "expected a key in double quotes, " + found
                    : rest.contains("colon to separate field name") ? "expected ':' after the key, " + found
                    : rest.contains("comma to separate Object entries") ? "expected ',' or '}', " + found
                    : rest.contains("comma to separate Array entries") ? "expected ',' or ']', " + found
                    : rest.contains("expected a valid value") || rest.contains("comment") ? "expected " + JSON_VALUE + ", " + found
                    : rest.contains("in numeric value") ? "expected a digit, " + found + " in a number"
                    : rest.contains("hex-digit") ? "expected 4 hex digits after \\u, " + found
                    : found + jsonSanitized(rest);
        } else if ((m = Pattern.compile("^Illegal unquoted character \\(\\((?:.*)code (\\d+)\\)\\)").matcher(reason)).find()) {
            int code = Integer.parseInt(m.group(1));
            what = "expected a control character inside a string to be escaped (" + String.format("\\u%04x", code) + "), found "
                    + jsonCharacter(code);
        } else if ((m = Pattern.compile("^(?:Unrecognized|Non-standard) token '(.*?)'").matcher(reason)).find()) {
            column = column > 0 ? Math.max(1, column - m.group(1).length()) : column;
            String token = m.group(1);
            what = "expected " + JSON_VALUE + ", found "
                    + (token.codePointCount(0, token.length()) == 1 ? jsonCharacter(token.codePointAt(0)) : "'" + token + "'");
        } else if ((m = Pattern.compile("^Unrecognized character escape (.*?) \\(code \\d+\\)").matcher(reason)).find()) {
            what = "expected an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX), found \\" + m.group(1).replace("'", "");
        } else if (reason.startsWith("Invalid numeric value: ")) {
            what = "expected a number, found one JSON does not allow ("
                    + jsonSanitized(reason.substring("Invalid numeric value: ".length())).toLowerCase(Locale.ROOT) + ")";
        } else if (reason.startsWith("Trailing token")) {
            what = "expected the end of the text after the JSON value, found more";
        } else {
            what = jsonSanitized(reason);
        }
        return "not valid JSON: " + (line > 0 ? "line " + line + ", column " + column + ": " : "") + what;
    }

    /** What notJson says a JSON text may hold where a value goes. */
    static final String JSON_VALUE = "a value (a string, number, object, array, true, false or null)";

    /** A character of a broken JSON text as notJson names it: 'x', or U+0001 for a control or invisible one. */
    static String jsonCharacter(int code) {
        return code < 0x20 || code == 0x7f || Character.isWhitespace(code) || Character.isSpaceChar(code) || Character.getType(code) == Character.FORMAT
                ? String.format("U+%04X", code) : "'" + new String(Character.toChars(code)) + "'";
    }

    /** Jackson's words without its internals: no source description, no "(code N)", no class or feature names. */
    static String jsonSanitized(String reason) {
        String words = reason.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll("\\s*\\[Source:[^\\]]*\\]", "")
                .replaceAll("\\s*\\(code -?\\d+[^)]*\\)", "")
                .replaceAll("\\s*\\((?:bound as|not recognized as)[^()]*\\)", "")
                .replaceAll(",?\\s*from `[^`]*`", "")
                .replaceAll(":?\\s*[^:()]*`[^`]*`[^:()]*$", "")
                .strip();
        return words.isEmpty() || words.contains("`") ? "the text is not JSON" : words;
    }
    // ---- end of shared block Json, generated text sha256:6a0c37bda7b4 ----

    // ---- shared block Source: generated from shared/Source.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Reading a named input: a file, or stdin (named <stdin>), as UTF-8 and nothing else. Bytes that
    // are not UTF-8 are refused, never replaced (a replaced byte would change an event's payload
    // silently), and a file that cannot be read says why in words.

    record Source(String name, String text) {
        static Source stdin(CommandSpec spec) {
            return read("<stdin>", System.in, spec);
        }

        static Source file(Path path, CommandSpec spec) {
            String name = path.toString();
            if (Files.isDirectory(path)) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + ": is a directory, not a file");
            }
            try (InputStream in = Files.newInputStream(path)) {
                return read(name, in, spec);
            } catch (NoSuchFileException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + ": no such file");
            } catch (AccessDeniedException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + ": permission denied");
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + ": cannot read (" + e.getClass().getSimpleName() + ")");
            }
        }

        private static Source read(String name, InputStream in, CommandSpec spec) {
            try {
                return new Source(name, utf8(name, in.readAllBytes(), spec));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Strict UTF-8: the first malformed byte is an error naming its offset. */
        static String utf8(String name, byte[] bytes, CommandSpec spec) {
            // A new decoder reports malformed input, never replaces it.
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CharBuffer out = CharBuffer.allocate(bytes.length);
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                result = decoder.flush(out);
            }
            if (result.isError()) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + ": not valid UTF-8 (byte " + in.position()
                        + " of " + bytes.length + "); event files are UTF-8 JSON");
            }
            return out.flip().toString();
        }
    }
    // ---- end of shared block Source, generated text sha256:56712cd79e19 ----

    // ---- shared block EventInput: generated from shared/EventInput.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Events as the scripts read them: an event document {"event_type", "client_payload"}, the
    // repository_dispatch webhook payload GitHub delivers ({"action", "client_payload", ...}), or
    // JSON Lines of either.

    /**
     * One event as a dispatch document, or why it could not be read (and its text, for the event log).
     * line is 0 for a whole-file document, else its line in a JSON Lines file. sender is who sent a delivered
     * event (the webhook payload's sender: its login, or why it has none), null for an event document.
     */
    record EventInput(String where, int line, JsonNode document, String parseError, String unreadable, Sender sender) {
        /**
         * Each event of the source in turn. The text is one JSON document unless it does not parse as
         * one and its first line does: then it is JSON Lines, parsed a line at a time, no line kept.
         * So a pretty-printed document with one mistake is one error, not one per line.
         */
        static void read(Source source, Consumer<EventInput> each) {
            String text = source.text();
            if (text.isBlank()) {
                each.accept(new EventInput(source.name(), 0, null, "empty input: expected a JSON event document", text, null));
                return;
            }
            try {
                each.accept(of(source.name(), 0, JSON.readTree(text)));
            } catch (JsonProcessingException wholeFileError) {
                if (!firstLineIsJson(text)) {
                    each.accept(new EventInput(source.name(), 0, null, notJson(wholeFileError), text, null));
                    return;
                }
                int number = 0;
                for (Iterator<String> lines = text.lines().iterator(); lines.hasNext(); ) {
                    String line = lines.next();
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        each.accept(of(source.name(), number, JSON.readTree(line)));
                    } catch (JsonProcessingException lineError) {
                        each.accept(new EventInput(source.name(), number, null, notJson(lineError), line, null));
                    }
                }
            }
        }

        private static boolean firstLineIsJson(String text) {
            String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            try {
                return JSON.readTree(first).isObject();
            } catch (JsonProcessingException e) {
                return false;
            }
        }

        private static EventInput of(String where, int line, JsonNode node) {
            if (!node.isObject()) {
                return new EventInput(where, line, null, "expected a JSON object, found " + node.getNodeType().toString().toLowerCase(),
                        node.toString(), null);
            }
            // Anything with an action is read as delivered, so it is held to the sender rule (which fails closed).
            return new EventInput(where, line, toDocument(node), null, null, node.has("action") ? Sender.of(node) : null);
        }

        /** What the event log keeps of it: the document, else the text that could not be read as one. */
        JsonNode logged() {
            return document != null ? document : TextNode.valueOf(unreadable);
        }

        /** GitHub delivers the dispatch as a webhook payload whose "action" is the event type. */
        static JsonNode toDocument(JsonNode node) {
            if (node.has("event_type") || !node.has("action") || !node.has("client_payload")) {
                return node;
            }
            ObjectNode document = JSON.createObjectNode();
            document.set("event_type", node.get("action"));
            document.set("client_payload", node.get("client_payload"));
            return document;
        }
    }
    // ---- end of shared block EventInput, generated text sha256:6913e6356c8f ----

    // ---- shared block EventSchemas: generated from shared/EventSchemas.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event schemas, in layers: the RFC schemas bundled into the script (so it works with no
    // checkout, and copied alone), then the repository's docs/events/schema/, then $EVENT_SCHEMAS,
    // then --schemas. A higher layer adds event types and replaces a lower one's file of the same name;
    // it never hides the others. Every $ref resolves from the loaded files: nothing is fetched.

    static final class EventSchemas {
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
    // ---- end of shared block EventSchemas, generated text sha256:cd2d97c6d9c0 ----

    // ---- shared block BundledSchemas: generated from shared/BundledSchemas.java and schemas/ by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The RFC schemas of schemas/, one compact line each: the bottom layer of EventSchemas. The generator
    // writes them into the call below (envelope.schema.json, then events/*.schema.json by name); here the
    // call names none, so this file compiles on its own.

    static final Map<String, String> BUNDLED_SCHEMAS = bundledSchemas(
            "envelope.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/envelope.schema.json\",\"title\":\"Event document\",\"description\":\"A repository_dispatch request body: the event type and the envelope (client_payload). Generic for every event type; each schema under events/ references this one and constrains event_type and client_payload.data. GitHub's limits (at most 10 top-level client_payload properties, body under 64 KB) are enforced here where JSON Schema can express them (maxProperties) and by the scripts for the body size.\",\"type\":\"object\",\"required\":[\"event_type\",\"client_payload\"],\"additionalProperties\":false,\"properties\":{\"event_type\":{\"description\":\"Dotted lowercase event type name, e.g. rfc.pr.ready; at most 100 characters (GitHub's limit).\",\"type\":\"string\",\"minLength\":1,\"maxLength\":100,\"pattern\":\"^[a-z][a-z0-9_-]*(\\\\.[a-z][a-z0-9_-]*)+$\"},\"client_payload\":{\"description\":\"The envelope; its data member is validated by the event type's schema.\",\"$ref\":\"#/$defs/client_payload\"}},\"$defs\":{\"client_payload\":{\"title\":\"Envelope\",\"description\":\"The envelope carried as client_payload. Nothing else at the top level; GitHub allows at most 10 top-level properties.\",\"type\":\"object\",\"maxProperties\":10,\"additionalProperties\":false,\"required\":[\"event_id\",\"source\",\"timestamp\",\"data\"],\"properties\":{\"event_id\":{\"description\":\"Unique id of this event: lowercase UUID, random (v4) or name-based (v5) from a dedupe key.\",\"$ref\":\"#/$defs/uuid\"},\"trace_id\":{\"description\":\"Optional: the event_id of the first event in the chain, inherited by events emitted while handling it.\",\"$ref\":\"#/$defs/uuid\"},\"source\":{\"description\":\"Who emitted the event, e.g. a workflow or job name.\",\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,99}$\"},\"timestamp\":{\"description\":\"Emit time, RFC 3339 in UTC with milliseconds, e.g. 2026-11-27T04:38:13.123Z.\",\"type\":\"string\",\"format\":\"date-time\",\"pattern\":\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\\\.[0-9]{3}Z$\"},\"data\":{\"description\":\"The payload core, validated by the event type's schema (events/<event_type>.schema.json).\",\"type\":\"object\"}}},\"uuid\":{\"description\":\"A lowercase UUID in canonical 8-4-4-4-12 form, 36 characters.\",\"type\":\"string\",\"format\":\"uuid\",\"minLength\":36,\"maxLength\":36,\"pattern\":\"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$\"}}}",
            "events/rfc.chain.broken.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.chain.broken.schema.json\",\"title\":\"rfc.chain.broken: an RFC chain is inconsistent\",\"description\":\"Produced by the chain consistency scan when an RFC chain is broken; consumed by chain reset / cleanup workflows.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.chain.broken\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The broken chain and why it is broken.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"chain_id\",\"reason\"],\"properties\":{\"chain_id\":{\"description\":\"Chain id: RFC series and micro step, e.g. RFC-093-02.\",\"type\":\"string\",\"pattern\":\"^RFC-[0-9]{3,}-[0-9]{2}$\"},\"reason\":{\"description\":\"Why the chain is broken. Two families: duplicate/conflict states (DUPLICATE_PR: open pull requests for one micro id on different branches; PR_CONFLICT: an open pull request GitHub reports as conflicting; PR_CLOSED_CONFLICT: kept for older producers, GitHub computes no mergeability for a closed pull request), routed to rfc-cleanup-duplicates.yml; branch-only / CI-stuck states (BRANCH_ONLY: a branch for a micro id with no pull request; CI_STUCK: checks queued or in progress too long), routed to cleanup-stalled-prs.yml.\",\"enum\":[\"PR_CLOSED_CONFLICT\",\"PR_CONFLICT\",\"DUPLICATE_PR\",\"BRANCH_ONLY\",\"CI_STUCK\"]}},\"examples\":[{\"chain_id\":\"RFC-093-02\",\"reason\":\"PR_CONFLICT\"}]}}}",
            "events/rfc.issue.assigned.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.issue.assigned.schema.json\",\"title\":\"rfc.issue.assigned: an RFC micro-issue was assigned\",\"description\":\"Produced by the assignment workflow when an RFC micro-issue is assigned; consumed by the PR flow monitor.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.issue.assigned\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The assigned issue and its place in the RFC series.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"issue\",\"series\",\"micro\"],\"properties\":{\"issue\":{\"description\":\"Issue number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"series\":{\"description\":\"RFC series, e.g. RFC-093.\",\"type\":\"string\",\"pattern\":\"^RFC-[0-9]{3,}$\"},\"micro\":{\"description\":\"Two-digit micro step within the series, e.g. 02.\",\"type\":\"string\",\"pattern\":\"^[0-9]{2}$\"}},\"examples\":[{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}]}}}",
            "events/rfc.pr.blocked.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.pr.blocked.schema.json\",\"title\":\"rfc.pr.blocked: a pull request cannot proceed\",\"description\":\"Produced by diagnostics when a pull request is blocked; consumed by a human or the auto-remediator.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.pr.blocked\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The blocked pull request and what blocks it.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"pr\",\"blockers\"],\"properties\":{\"pr\":{\"description\":\"Pull request number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"blockers\":{\"description\":\"One short string per blocker, KIND or KIND:DETAIL, e.g. checks:failing:build, checks:pending:lint, checks:none, merge-conflict, review:required, branch:behind, mergeable:unknown, or merge:refused: / merge:head-moved: followed by GitHub's answer to the merge.\",\"type\":\"array\",\"minItems\":1,\"maxItems\":50,\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}}},\"examples\":[{\"pr\":456,\"blockers\":[\"checks:failing\",\"merge-conflict\"]}]}}}",
            "events/rfc.pr.created.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.pr.created.schema.json\",\"title\":\"rfc.pr.created: a pull request was opened for an RFC issue\",\"description\":\"Produced by the PR creation detector when a pull request for an RFC issue appears; consumed by the CI dispatcher and the merge orchestrator.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.pr.created\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The new pull request, the issue it implements and its head branch.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"pr\",\"issue\",\"branch\"],\"properties\":{\"pr\":{\"description\":\"Pull request number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"issue\":{\"description\":\"Issue number the pull request implements (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"branch\":{\"description\":\"Head branch name, e.g. copilot/rfc-093-02.\",\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"pattern\":\"^[A-Za-z0-9._/-]+$\"}},\"examples\":[{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}]}}}",
            "events/rfc.pr.ready.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.pr.ready.schema.json\",\"title\":\"rfc.pr.ready: a pull request is ready to merge\",\"description\":\"Produced by the readiness evaluator when a pull request's checks are green; consumed by the merge orchestrator.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.pr.ready\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The ready pull request, its checks status and the head commit that was found ready.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"pr\",\"checks_status\"],\"properties\":{\"pr\":{\"description\":\"Pull request number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"checks_status\":{\"description\":\"Combined checks status; only green makes a pull request ready.\",\"enum\":[\"green\"]},\"head_sha\":{\"description\":\"The head commit whose checks were found green (40 lowercase hex digits). The merge names it as sha, so GitHub refuses the merge (409) if the head moved since. Optional: events of older readiness evaluators carry none.\",\"type\":\"string\",\"pattern\":\"^[0-9a-f]{40}$\"}},\"examples\":[{\"pr\":456,\"checks_status\":\"green\",\"head_sha\":\"6dcb09b5b57875f334f61aebed695e2e4193db5e\"}]}}}");

    private static Map<String, String> bundledSchemas(String... nameAndText) {
        Map<String, String> schemas = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            schemas.put(nameAndText[i], nameAndText[i + 1]);
        }
        return schemas;
    }
    // ---- end of shared block BundledSchemas, generated text sha256:4ab3c2ef4f0a ----

    // ---- shared block EventLog: generated from shared/EventLog.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event log: one JSON object per line, appended by whichever step decides an event's fate.
    // Each record carries the whole event, so a log alone is enough to replay it.

    static final class EventLog {
        static Path fromEnv(Map<String, String> env) {
            String path = env.get("EVENT_LOG");
            return path == null || path.isBlank() ? null : Path.of(path);
        }

        /** The record of an event with no sender to keep (see below). */
        static ObjectNode record(JsonNode event, String status, Map<String, String> env, String error) {
            return record(event, status, env, error, null);
        }

        /**
         * The record of one event: event is its document, or its raw text as a string node when it was not JSON.
         * latency_ms is received minus emitted when the timestamp parses. sender is the login that sent a delivered
         * event (the webhook's sender.login), kept so that a replay can hold the record to the sender rule; null when
         * the event was not delivered or its sender could not be told, and then the record has no sender.
         */
        static ObjectNode record(JsonNode event, String status, Map<String, String> env, String error, String sender) {
            Instant receivedAt = Instant.now();
            ObjectNode record = JSON.createObjectNode();
            record.put("event_id", text(event, "/client_payload/event_id"));
            record.put("event_type", text(event, "/event_type"));
            record.put("source", text(event, "/client_payload/source"));
            if (sender != null) {
                record.put("sender", sender);
            }
            record.put("trace_id", text(event, "/client_payload/trace_id"));
            String timestamp = text(event, "/client_payload/timestamp");
            record.put("timestamp", timestamp);
            record.put("received_at", TIMESTAMP.format(receivedAt));
            Long latency = null;
            try {
                latency = timestamp == null ? null : receivedAt.toEpochMilli() - Instant.parse(timestamp).toEpochMilli();
            } catch (DateTimeParseException e) {
                // an unparsable timestamp is itself a rejection reason; the record just has no latency
            }
            record.put("latency_ms", latency);
            record.put("status", status);
            record.putArray("targets");
            record.put("run_id", env.get("GITHUB_RUN_ID"));
            record.put("run_attempt", env.get("GITHUB_RUN_ATTEMPT"));
            record.put("error", error);
            record.set("event", event);
            return record;
        }

        /** Appends whole lines under a file lock, so parallel steps never interleave records. */
        static void append(Path log, List<ObjectNode> records) throws IOException {
            if (records.isEmpty()) {
                return;
            }
            StringBuilder lines = new StringBuilder();
            for (ObjectNode record : records) {
                lines.append(JSON.writeValueAsString(record)).append('\n');
            }
            Path parent = log.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                 var lock = channel.lock()) {
                channel.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
    // ---- end of shared block EventLog, generated text sha256:244ca48e2ba0 ----

    // ---- shared block Senders: generated from shared/Senders.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The sender rule: only the logins on an allowlist ($EVENT_BUS_SENDERS, default github-actions[bot],
    // the login of every event a workflow sends with GITHUB_TOKEN) may send the events the bus acts on. It
    // fails closed: a delivered event (the repository_dispatch webhook payload) without a sender, or whose
    // sender.login is not a string, is refused like one from a sender not on the list. One implementation,
    // used by validate (rule sender), route (which refuses on its own) and events (replay, reconcile).

    static final class Senders {
        static final String DEFAULT_SENDER = "github-actions[bot]";

        /** $EVENT_BUS_SENDERS: logins separated by commas or spaces, * for anyone; else github-actions[bot]. Lowercase. */
        static List<String> allowed(Map<String, String> env) {
            String senders = env.getOrDefault("EVENT_BUS_SENDERS", "").strip();
            return senders.isEmpty() ? List.of(DEFAULT_SENDER) : List.of(senders.toLowerCase(Locale.ROOT).split("[,\\s]+"));
        }

        /** Whether this login may send events (GitHub logins are case-insensitive). A login that is null or blank may not. */
        static boolean allows(String login, Map<String, String> env) {
            List<String> allowed = allowed(env);
            return login != null && !login.isBlank() && (allowed.contains("*") || allowed.contains(login.toLowerCase(Locale.ROOT)));
        }

        /**
         * Why a delivered event may not be acted on, as a violation of the rule sender; null when its sender may
         * send, or when it was not delivered (an event document read from a file has no sender to check).
         */
        static Violation refusal(Sender sender, Map<String, String> env) {
            if (sender == null || sender.login() != null && allows(sender.login(), env)) {
                return null;
            }
            String only = "only " + String.join(", ", allowed(env)) + " may (EVENT_BUS_SENDERS)";
            if (sender.login() == null || sender.login().isBlank()) {
                return new Violation(sender.pointer(), "sender", (sender.problem() != null ? sender.problem() : "an empty login")
                        + ": a delivered event whose sender cannot be told may not send events: " + only);
            }
            return new Violation("/sender/login", "sender", "'" + sender.login() + "' may not send events: " + only
                    + "; an event sent with a person's token is replayed through the replay workflow instead");
        }
    }

    /**
     * Who sent a delivered event: the webhook payload's sender.login, or (login null) why it has none that can
     * be used, and where (a JSON pointer).
     */
    record Sender(String login, String pointer, String problem) {
        static Sender of(JsonNode webhook) {
            JsonNode sender = webhook.get("sender");
            if (sender == null || sender.isNull()) {
                return new Sender(null, "/sender", "no sender");
            }
            if (!sender.isObject()) {
                return new Sender(null, "/sender", "sender is " + kind(sender) + ", not an object");
            }
            JsonNode login = sender.get("login");
            if (login == null || login.isNull()) {
                return new Sender(null, "/sender/login", "the sender has no login");
            }
            if (!login.isTextual()) {
                return new Sender(null, "/sender/login", "sender.login is " + kind(login) + ", not a string");
            }
            return new Sender(login.asText(), "/sender/login", null);
        }

        private static String kind(JsonNode node) {
            String type = node.getNodeType().toString().toLowerCase(Locale.ROOT);
            return (type.matches("array|object") ? "an " : type.matches("number|boolean|string") ? "a " : "") + type;
        }
    }
    // ---- end of shared block Senders, generated text sha256:8380d9c32c6c ----

    // ---- shared block GitHub: generated from shared/GitHub.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The GitHub REST client, on the JDK's HttpClient: one request per call when all goes well and no
    // extra lookups (github-api's getRepository() would cost a GET first, and it cannot ask a workflow
    // dispatch for return_run_details). The token is sent, never printed. Transient failures (connection
    // errors, 5xx, 429, rate limits) are retried with exponential backoff and full jitter, honouring
    // retry-after and x-ratelimit-reset, within a number of attempts and a time budget.
    // Left out of this copy, as validate.java does not use them: GitHub.repository(), GitHub.requests(),
    //   GitHub.download(), Response.date().

    static final class GitHub {
        private static final Duration BASE_DELAY = Duration.ofSeconds(1);
        private static final Duration MAX_DELAY = Duration.ofSeconds(30);
        /** GitHub's rule: without retry-after, wait at least a minute after a secondary rate limit. */
        private static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);
        private static final Pattern REPOSITORY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$");
        /** Tokens are printable ASCII without spaces (ghs_..., github_pat_..., and GHES's own forms). */
        private static final Pattern TOKEN = Pattern.compile("^[\\x21-\\x7E]+$");

        /** One client per process, built at the first request (a holder class, so shutdown() never builds one). */
        private static final class Client {
            static final HttpClient HTTP = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        }

        /**
         * Stops the selector threads of this process's HTTP clients before it exits. Such a thread
         * waits in native code (epoll) for as long as its client lives, and the JVM's exit waits up to
         * 300 ms for threads in native code to settle; JDK 17's HttpClient has no close() (JDK 21
         * added one), but an interrupted selector thread ends.
         */
        static void shutdown() {
            Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().matches("HttpClient-\\d+-SelectorManager"))
                    .forEach(Thread::interrupt);
        }

        private final String apiUrl;
        private final String token;
        private final String repository;
        private final String userAgent;
        private final int maxAttempts;
        private final Duration retryBudget;
        private final PrintWriter err;
        private int requests;

        private GitHub(String apiUrl, String token, String repository, String userAgent, int maxAttempts, Duration retryBudget, PrintWriter err) {
            this.apiUrl = apiUrl;
            this.token = token;
            this.repository = repository;
            this.userAgent = userAgent;
            this.maxAttempts = maxAttempts;
            this.retryBudget = retryBudget;
            this.err = err;
        }

        /** GITHUB_TOKEN or GH_TOKEN, --repo or GITHUB_REPOSITORY, GITHUB_API_URL: what Actions sets. */
        static GitHub fromEnv(Map<String, String> env, String repoOption, CommandSpec spec, int maxAttempts, Duration retryBudget) {
            String tokenVariable = Stream.of("GITHUB_TOKEN", "GH_TOKEN")
                    .filter(name -> env.get(name) != null && !env.get(name).isBlank()).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "no token: set GITHUB_TOKEN or GH_TOKEN (in a workflow step: env: GITHUB_TOKEN: ${{ github.token }})"));
            String token = env.get(tokenVariable).strip();
            if (!TOKEN.matcher(token).matches()) {
                // Checked here because the JDK's own error for such a header value quotes the token.
                throw new CommandLine.ParameterException(spec.commandLine(), tokenVariable
                        + " contains a space, line break or other character a token never has; check how it is set (its value is not shown)");
            }
            String repository = repoOption != null ? repoOption : env.getOrDefault("GITHUB_REPOSITORY", "");
            if (repository.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY");
            }
            if (!REPOSITORY.matcher(repository).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--repo must be OWNER/NAME, not '" + repository + "'");
            }
            String apiUrl = env.getOrDefault("GITHUB_API_URL", "").isBlank() ? "https://api.github.com" : env.get("GITHUB_API_URL");
            if (!apiUrl.matches("^https?://[^\\s]+$")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "GITHUB_API_URL must be an http(s) URL, not '" + apiUrl + "'");
            }
            return new GitHub(apiUrl.replaceFirst("/+$", ""), token, repository, "event-bus-" + spec.name() + "/" + spec.version()[0],
                    maxAttempts, retryBudget, spec.commandLine().getErr());
        }

        String repoPath(String suffix) {
            return "/repos/" + repository + suffix;
        }

        /** Sends with retries and returns GitHub's final answer, whatever its status. */
        Response exchange(String method, String path, JsonNode body, Map<String, String> headers) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/vnd.github+json")
                    .header("Authorization", "Bearer " + token)
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("User-Agent", userAgent)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            headers.forEach(request::header);
            Instant deadline = Instant.now().plus(retryBudget);
            for (int attempt = 1; ; attempt++) {
                String failure;
                Duration wait;
                try {
                    requests++;
                    HttpResponse<String> answer = Client.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    Response response = new Response(answer.statusCode(), answer.headers().map(), answer.body());
                    Optional<Duration> retryAfter = transientWait(response, attempt);
                    if (retryAfter.isEmpty()) {
                        return response;
                    }
                    failure = response.status() + " " + response.message();
                    wait = retryAfter.get();
                } catch (IOException e) {
                    failure = "connection failed (" + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")";
                    wait = backoff(attempt);
                }
                String what = method + " " + path;
                if (attempt >= maxAttempts) {
                    throw new GitHubException(what + " failed after " + attempt + " attempts; last: " + failure);
                }
                if (Instant.now().plus(wait).isAfter(deadline)) {
                    throw new GitHubException(what + ": " + failure + "; the next attempt would be in " + wait.toSeconds()
                            + " s, past the retry budget of " + retryBudget.toSeconds() + " s");
                }
                err.printf("%s: attempt %d/%d: %s; retrying in %.1f s%n", what, attempt, maxAttempts, failure, wait.toMillis() / 1000.0);
                err.flush();
                Thread.sleep(wait.toMillis());
            }
        }

        /** Like exchange, but any answer other than GitHub's documented successes is a GitHubException saying what to fix. */
        Response call(String method, String path, JsonNode body, String action, String permission) throws IOException, InterruptedException {
            Response response = exchange(method, path, body, Map.of());
            if (!response.succeeded()) {
                throw new GitHubException(refusal(response, action, permission));
            }
            return response;
        }

        /** GitHub's own error text plus what to do about it; never the token. */
        String refusal(Response response, String action, String permission) {
            String said = response.status() + " " + response.message();
            return switch (response.status()) {
                case 401 -> "GitHub did not accept the token (" + said + "): check GITHUB_TOKEN / GH_TOKEN";
                case 403 -> "the token may not " + action + " in " + repository + " (" + said + "): the workflow needs `permissions: "
                        + permission + "`; for another repository use a PAT or GitHub App token with that access";
                case 404 -> "not found while trying to " + action + " (" + said + "): check that " + repository
                        + " exists and that the token can see it (private repositories answer 404 to tokens without access)";
                case 422 -> "GitHub refused to " + action + " (" + said + ")";
                case 301, 302, 307, 308 -> "GitHub answered " + response.status() + " when asked to " + action + ": " + repository
                        + " has moved to " + response.header("location").orElse("(no location given)")
                        + "; use the new owner/name (a renamed or transferred repository redirects)";
                default -> "GitHub answered " + said + " when asked to " + action;
            };
        }

        /** How long to wait before retrying, or empty when the answer is final. */
        private Optional<Duration> transientWait(Response response, int attempt) {
            int status = response.status();
            Optional<Duration> retryAfter = response.header("retry-after").map(GitHub::parseRetryAfter);
            boolean primaryExhausted = response.header("x-ratelimit-remaining").filter("0"::equals).isPresent();
            boolean secondary = status == 403 && response.message().toLowerCase().contains("secondary rate limit");
            if (status == 429 || secondary || (status == 403 && (primaryExhausted || retryAfter.isPresent()))) {
                if (retryAfter.isPresent()) {
                    return retryAfter;
                }
                if (primaryExhausted) {
                    return response.header("x-ratelimit-reset").map(reset -> Duration.ofSeconds(
                            Math.max(1, Long.parseLong(reset) - Instant.now().getEpochSecond() + 1)));
                }
                return Optional.of(status == 429 ? backoff(attempt) : SECONDARY_LIMIT_WAIT);
            }
            return status >= 500 ? Optional.of(retryAfter.orElse(backoff(attempt))) : Optional.empty();
        }

        /** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
        private static Duration backoff(int attempt) {
            long ceiling = Math.min(MAX_DELAY.toMillis(), BASE_DELAY.toMillis() << Math.min(attempt - 1, 20));
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
        }

        private static Duration parseRetryAfter(String value) {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
            } catch (NumberFormatException notSeconds) {
                try {
                    Duration untilDate = Duration.between(Instant.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                    return untilDate.isNegative() ? Duration.ZERO : untilDate;
                } catch (DateTimeParseException notADate) {
                    return BASE_DELAY;
                }
            }
        }
    }

    record Response(int status, Map<String, List<String>> headers, String body) {
        /** The success codes GitHub documents for the operations called here; anything else is a failure. */
        boolean succeeded() {
            return status == 200 || status == 201 || status == 204;
        }

        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(h -> h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty())
                    .map(h -> h.getValue().get(0)).findFirst();
        }

        JsonNode json() {
            try {
                return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new GitHubException("GitHub answered " + status + " with a body that is not JSON");
            }
        }

        /** GitHub's "message" (and the messages of its "errors"), else the start of the body. */
        String message() {
            try {
                JsonNode json = JSON.readTree(body == null ? "" : body);
                StringBuilder message = new StringBuilder(json.path("message").asText(""));
                for (JsonNode error : json.path("errors")) {
                    String detail = error.isTextual() ? error.asText() : error.path("message").asText(error.path("code").asText(""));
                    message.append(message.length() > 0 ? "; " : "").append(detail);
                }
                return message.toString().replace("\n", " ").strip();
            } catch (JsonProcessingException | RuntimeException e) {
                return body == null ? "" : body.substring(0, Math.min(200, body.length())).replace("\n", " ");
            }
        }
    }

    /** GitHub could not be reached, or refused: exit 1 with one line that says what to fix. */
    static final class GitHubException extends Failure {
        GitHubException(String message) {
            super(message);
        }
    }
    // ---- end of shared block GitHub, generated text sha256:e45e4c14c990 ----

    // ---- shared block History: generated from shared/History.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event history: event log records kept on GitHub across runs, one file per record on a branch
    // of their own (event-bus-history), each written with one request of the contents API, which creates
    // a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
    // script touches the history. A record that cannot be appended stays in the event log, with a warning.
    // Left out of this copy, as validate.java does not use them: History.FILE, History.HANDLED,
    //   History.Archive, History.RecordFile, History.readArchive(), History.handled(), History.recordedAt().

    static final class History {
        static final String BRANCH = "event-bus-history";
        /** Commits to one branch made at the same moment can conflict (409): each is tried this often. */
        private static final int ATTEMPTS = 6;

        static boolean enabled(Map<String, String> env) {
            return "true".equalsIgnoreCase(env.getOrDefault("EVENT_BUS_HISTORY", "").strip());
        }

        /** Appends each record: one request each when all goes well. Returns how many could not be appended. */
        static int append(GitHub github, List<ObjectNode> records, PrintWriter err, Map<String, String> env) throws InterruptedException {
            int lost = 0;
            for (ObjectNode record : records) {
                String path = pathOf(record);
                try {
                    appendOne(github, path, record);
                } catch (IOException | Failure e) {
                    lost++;
                    Actions.warning(err, "event history", "could not append " + path + " to the branch " + BRANCH + " ("
                            + redacted(e.getMessage(), env) + "); the record stays in the event log", env);
                }
            }
            return lost;
        }

        private static void appendOne(GitHub github, String path, ObjectNode record) throws IOException, InterruptedException {
            ObjectNode body = JSON.createObjectNode()
                    .put("message", "event-bus: " + record.path("status").asText() + " " + record.path("event_type").asText("-")
                            + " " + record.path("event_id").asText("-"))
                    .put("content", Base64.getEncoder().encodeToString((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8)))
                    .put("branch", BRANCH);
            boolean branchCreated = false;
            for (int attempt = 1; ; attempt++) {
                Response response = github.exchange("PUT", github.repoPath("/contents/" + path), body, Map.of());
                if (response.status() == 201 || (response.status() == 422 && response.message().contains("sha"))) {
                    return; // written now, or by an earlier attempt whose answer was lost
                }
                if (response.status() == 404 && response.message().startsWith("Branch") && !branchCreated) {
                    createBranch(github);
                    branchCreated = true;
                } else if (response.status() == 409 && attempt < ATTEMPTS) {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(100L << Math.min(attempt, 5)));
                } else {
                    throw new GitHubException(github.refusal(response, "append to the event history", "contents: write"));
                }
            }
        }

        /** A branch with no history of the repository's own: a README, then a commit without parents. */
        private static void createBranch(GitHub github) throws IOException, InterruptedException {
            ObjectNode tree = JSON.createObjectNode();
            tree.putArray("tree").addObject()
                    .put("path", "README.md").put("mode", "100644").put("type", "blob")
                    .put("content", "# event-bus history\n\nEvent log records, one file per record under events/<day>/, appended by "
                            + "the event-bus scripts when a workflow sets EVENT_BUS_HISTORY=true. Read them with "
                            + "`events stats --history` and `events replay --history`; do not edit.\n");
            String treeSha = github.call("POST", github.repoPath("/git/trees"), tree, "create the event history branch", "contents: write")
                    .json().path("sha").asText();
            ObjectNode commit = JSON.createObjectNode().put("message", "event-bus: start the event history").put("tree", treeSha);
            commit.putArray("parents");
            String commitSha = github.call("POST", github.repoPath("/git/commits"), commit, "create the event history branch", "contents: write")
                    .json().path("sha").asText();
            ObjectNode ref = JSON.createObjectNode().put("ref", "refs/heads/" + BRANCH).put("sha", commitSha);
            Response created = github.exchange("POST", github.repoPath("/git/refs"), ref, Map.of());
            if (created.status() != 201 && !(created.status() == 422 && created.message().contains("already exists"))) {
                throw new GitHubException(github.refusal(created, "create the event history branch", "contents: write"));
            }
        }

        /**
         * events/DAY/TIME-STATUS-EVENTID-RUN-ATTEMPT.json: days are folders (read and pruned by day), and the
         * name is unique per record, so concurrent appends never write the same path. A part that is not a
         * plain name (the event_id of a rejected event is whatever the event said: "../x", "a?b#c") is
         * replaced by "x" and a digest of it, so no value of an event chooses where the record is written. The
         * time is the record's received_at, or acted_at for a consumer's outcome (status acted).
         */
        static String pathOf(JsonNode record) {
            Instant at;
            try {
                at = Instant.parse(record.path(record.hasNonNull("received_at") ? "received_at" : "acted_at").asText());
            } catch (DateTimeParseException e) {
                at = Instant.now();
            }
            String stamp = TIMESTAMP.format(at);
            return "events/" + stamp.substring(0, 10) + "/" + stamp.substring(11, 23).replace(":", "").replace(".", "")
                    + "-" + plain(record.path("status").asText("unknown")) + "-" + plain(record.path("event_id").asText("none"))
                    + "-" + plain(record.path("run_id").asText("local")) + "-" + plain(record.path("run_attempt").asText("1")) + ".json";
        }

        private static String plain(String part) {
            if (part.matches("[A-Za-z0-9-]{1,64}")) {
                return part;
            }
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(part.getBytes(StandardCharsets.UTF_8));
                return "x" + java.util.HexFormat.of().formatHex(digest, 0, 6);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
    // ---- end of shared block History, generated text sha256:1dde1aee8431 ----
}
