///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Check event-bus events against their JSON Schemas (draft 2020-12).
//DESCRIPTION
//DESCRIPTION Usage: validate [FILE...] [--event FILE] [--schemas DIR] [--log FILE] [--json]
//DESCRIPTION        validate --check-schemas [--schemas DIR]
//DESCRIPTION A file holds one event document, one repository_dispatch webhook payload,
//DESCRIPTION or JSON Lines of either; '-' or no file reads stdin ($GITHUB_EVENT_PATH in Actions).
//DESCRIPTION Environment: EVENT_SCHEMAS, EVENT_LOG, GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY.
//DESCRIPTION Exit codes: 0 all valid, 1 internal failure, 2 invalid event or usage.
//DESCRIPTION Example: jbang validate@org schemas/examples/rfc.pr.ready/valid-green.json
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//FILES schemas/=schemas/*.schema.json
//FILES schemas/events/=schemas/events/*.schema.json
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off,cds+dynamic=off
//CDS

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
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
            "With no FILE it reads $GITHUB_EVENT_PATH when set (inside Actions), else stdin; '-' is stdin."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  EVENT_SCHEMAS        schema directory when --schemas is not given",
            "  EVENT_LOG            event log to append 'rejected' records to (--log)",
            "  GITHUB_EVENT_PATH    the event file Actions gives a workflow (--event)",
            "  GITHUB_STEP_SUMMARY  a Markdown table of the results is appended to it",
            "Schemas are looked up in --schemas, then $EVENT_SCHEMAS, then docs/events/schema/",
            "of the current repository, then the copy bundled into this script.",
            "",
            "Example:",
            "  validate schemas/examples/rfc.pr.ready/valid-green.json",
            "  validate --check-schemas --schemas schemas"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every event is valid (or every schema and example is as named)",
            "1:internal failure",
            "2:an invalid event, an unreadable file, or bad usage"})
class validate implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "event files to check; '-' reads stdin")
    List<String> files = new ArrayList<>();

    @Option(names = "--event", paramLabel = "FILE", description = "one event file (default: $GITHUB_EVENT_PATH)")
    Path eventFile;

    @Option(names = "--schemas", paramLabel = "DIR", description = "schema directory (envelope.schema.json, events/)")
    Path schemasDir;

    @Option(names = "--check-schemas", description = "check every schema against the 2020-12 meta-schema and every example against its name")
    boolean checkSchemas;

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
        System.exit(newCommandLine(new validate()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
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

    private static List<Violation> violations(EventSchemas schemas, EventInput input) {
        return input.parseError() != null
                ? List.of(new Violation("", "json", input.parseError()))
                : schemas.check(input.document());
    }

    // ---- inputs -------------------------------------------------------------------------

    /** FILE arguments, else --event, else $GITHUB_EVENT_PATH, else stdin. */
    private List<Source> sources() {
        List<Source> sources = new ArrayList<>();
        for (String file : files) {
            sources.add(file.equals("-") ? Source.stdin() : Source.file(Path.of(file), spec));
        }
        if (eventFile != null) {
            sources.add(Source.file(eventFile, spec));
        }
        if (sources.isEmpty()) {
            String eventPath = env.get("GITHUB_EVENT_PATH");
            sources.add(eventPath == null || eventPath.isBlank() ? Source.stdin() : Source.file(Path.of(eventPath), spec));
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

    private void report(Results results) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<Checked> invalid = results.invalid;
        for (Checked checked : invalid) {
            for (Violation violation : checked.violations()) {
                Actions.error(err, checked.input().where(), checked.input().line(), "Invalid event (" + violation.rule() + ")",
                        violation.describe(), env);
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
            out.println(report.toPrettyString());
            out.flush();
        }
        Actions.appendSummary(summaryMarkdown(invalid, summary), env);
        Path log = logFile != null ? logFile : EventLog.fromEnv(env);
        if (log != null) {
            List<ObjectNode> records = invalid.stream()
                    .map(c -> EventLog.record(c.input().document(), "rejected", env, c.firstError()))
                    .toList();
            EventLog.append(log, records);
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
                    .append(Actions.cell(String.valueOf(text(c.input().document(), "/event_type")))).append(" | `")
                    .append(Actions.cell(v.pointer())).append("` | ")
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
        List<String> problems = new ArrayList<>(schemas.checkAgainstMetaSchema());
        int examples = 0;
        Path examplesDir = schemas.directory().resolve("examples");
        if (Files.isDirectory(examplesDir)) {
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
                schemas.count(), examples, schemas.origin(), problems.size(), problems.size() == 1 ? "" : "s");
        err.println(summary);
        err.flush();
        Actions.appendSummary("### Schema check\n\n" + (problems.isEmpty() ? ":white_check_mark: " : ":x: ") + summary + "\n", env);
        return problems.isEmpty() ? 0 : 2;
    }

    // ---- event schemas (the same block in emit.java) ------------------------------------

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final Pattern EVENT_TYPE = Pattern.compile("^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$");
    static final int MAX_EVENT_TYPE_LENGTH = 100;
    static final int MAX_PAYLOAD_PROPERTIES = 10;
    /** GitHub refuses dispatch bodies of 64 KB and more. */
    static final int MAX_BODY_BYTES = 65_536;

    /**
     * The envelope and event-type schemas from one directory, compiled once per process.
     * Looked up in --schemas, $EVENT_SCHEMAS, docs/events/schema/ of the current repository,
     * then the copy bundled into the script with //FILES.
     */
    static final class EventSchemas {
        private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
        private final Path directory;
        private final String origin;
        private final Map<String, Path> files = new TreeMap<>();
        private final Map<String, String> idByEventType = new TreeMap<>();
        private final String envelopeId;
        private final SchemaRegistry registry;
        private final Map<String, Schema> compiled = new HashMap<>();

        private EventSchemas(Path directory, String origin) throws IOException {
            this.directory = directory;
            this.origin = origin;
            Map<String, String> textById = new HashMap<>();
            Path envelope = directory.resolve("envelope.schema.json");
            if (!Files.isRegularFile(envelope)) {
                throw new IOException("no envelope.schema.json in " + origin);
            }
            List<Path> schemaFiles = new ArrayList<>(List.of(envelope));
            Path eventsDir = directory.resolve("events");
            if (Files.isDirectory(eventsDir)) {
                try (Stream<Path> list = Files.list(eventsDir)) {
                    list.filter(p -> p.getFileName().toString().endsWith(".schema.json")).sorted().forEach(schemaFiles::add);
                }
            }
            String envelopeSchemaId = null;
            for (Path file : schemaFiles) {
                String text = Files.readString(file);
                String id = JSON.readTree(text).path("$id").asText(null);
                if (id == null) {
                    throw new IOException(file + " has no $id");
                }
                textById.put(id, text);
                files.put(id, file);
                String name = file.getFileName().toString();
                if (file.equals(envelope)) {
                    envelopeSchemaId = id;
                } else {
                    idByEventType.put(name.substring(0, name.length() - ".schema.json".length()), id);
                }
            }
            this.envelopeId = envelopeSchemaId;
            // Every $ref resolves from the loaded files: nothing is fetched from the network.
            this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                    .schemas(textById)
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .pathType(PathType.JSON_POINTER)
                            .formatAssertionsEnabled(true)
                            .build()));
        }

        static EventSchemas load(Path option, Map<String, String> env, CommandSpec spec) throws IOException {
            try {
                if (option != null) {
                    return new EventSchemas(existingDirectory(option, "--schemas", spec), option.toString());
                }
                String fromEnv = env.get("EVENT_SCHEMAS");
                if (fromEnv != null && !fromEnv.isBlank()) {
                    return new EventSchemas(existingDirectory(Path.of(fromEnv), "$EVENT_SCHEMAS", spec), fromEnv);
                }
                Path repositoryDocs = repositoryRoot().resolve("docs/events/schema");
                if (Files.isDirectory(repositoryDocs)) {
                    return new EventSchemas(repositoryDocs, repositoryDocs.toString());
                }
                return new EventSchemas(bundledDirectory(), "the bundled schemas");
            } catch (JsonProcessingException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "a schema is not valid JSON: " + e.getOriginalMessage());
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
            for (Path dir = cwd; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(".git"))) {
                    return dir;
                }
            }
            return cwd;
        }

        /** The schemas JBang packed into the script's jar (or Maven's test class path). */
        private static Path bundledDirectory() throws IOException {
            var resource = EventSchemas.class.getResource("/schemas/envelope.schema.json");
            if (resource == null) {
                throw new IOException("no schemas found: pass --schemas DIR or set EVENT_SCHEMAS");
            }
            try {
                URI uri = resource.toURI();
                if (uri.getScheme().equals("jar")) {
                    try {
                        FileSystems.getFileSystem(uri);
                    } catch (FileSystemNotFoundException e) {
                        FileSystems.newFileSystem(uri, Map.of());
                    }
                }
                return Path.of(uri).getParent();
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }

        Path directory() {
            return directory;
        }

        String origin() {
            return origin;
        }

        int count() {
            return files.size();
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
            String schemaId = eventType == null ? envelopeId : idByEventType.get(eventType);
            if (schemaId == null) {
                if (violations.stream().noneMatch(v -> v.pointer().equals("/event_type"))) {
                    violations.add(new Violation("/event_type", "knownType", "unknown event type '" + eventType
                            + "': no schema events/" + eventType + ".schema.json in " + origin
                            + " (known: " + String.join(", ", idByEventType.keySet()) + ")"));
                }
                schemaId = envelopeId;
            }
            for (var error : schema(schemaId).validate(document)) {
                Violation violation = Violation.of(error);
                if (!violations.contains(violation) && !coveredByLimitCheck(violations, violation)) {
                    violations.add(violation);
                }
            }
            return violations;
        }

        /** The limit checks above say more than the schema's maxLength/maxProperties for the same field. */
        private static boolean coveredByLimitCheck(List<Violation> violations, Violation violation) {
            return violations.stream().anyMatch(v -> v.pointer().equals(violation.pointer())
                    && v.rule().equals(violation.rule()));
        }

        private static int compactBytes(JsonNode document) {
            try {
                return JSON.writeValueAsBytes(document).length;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private Schema schema(String id) {
            return compiled.computeIfAbsent(id, key -> registry.getSchema(SchemaLocation.of(key)));
        }

        /** For --check-schemas: the 2020-12 meta-schema, the $id and the file name of each schema. */
        List<String> checkAgainstMetaSchema() throws IOException {
            List<String> problems = new ArrayList<>();
            Schema metaSchema = registry.getSchema(SchemaLocation.of(META_SCHEMA));
            for (var entry : files.entrySet()) {
                Path file = entry.getValue();
                JsonNode schema = JSON.readTree(Files.readString(file));
                for (var error : metaSchema.validate(schema)) {
                    problems.add(file + ": " + Violation.of(error).describe());
                }
                String name = file.getFileName().toString();
                String eventType = name.substring(0, name.length() - ".schema.json".length());
                JsonNode constType = schema.at("/properties/event_type/const");
                if (!name.equals("envelope.schema.json")) {
                    if (!constType.isTextual() || !constType.asText().equals(eventType)) {
                        problems.add(file + ": /properties/event_type/const must be '" + eventType + "', the file's name");
                    }
                    if (!EVENT_TYPE.matcher(eventType).matches() || eventType.length() > MAX_EVENT_TYPE_LENGTH) {
                        problems.add(file + ": '" + eventType + "' is not a valid event type name");
                    }
                }
                try {
                    schema(entry.getKey()).validate(JSON.createObjectNode());
                } catch (RuntimeException e) {
                    problems.add(file + ": does not compile: " + e.getMessage());
                }
            }
            return problems;
        }
    }

    /** One broken rule: where (JSON pointer), which rule (the schema keyword), and what is wrong. */
    record Violation(String pointer, String rule, String message) {
        static Violation of(com.networknt.schema.Error error) {
            String pointer = error.getInstanceLocation().toString();
            if (pointer.equals("/")) {
                pointer = "";
            }
            // 'required' and 'additionalProperties' are reported on the parent object; name the field itself.
            if (error.getProperty() != null && List.of("required", "additionalProperties").contains(error.getKeyword())) {
                pointer = pointer + "/" + error.getProperty();
            }
            String message = error.getMessage();
            String prefix = error.getInstanceLocation() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
            return new Violation(pointer, error.getKeyword(), message);
        }

        String describe() {
            return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message + " (rule: " + rule + ")";
        }
    }

    // ---- event input (the same block in every script that reads events) -----------------

    /** Where events come from: a named file or stdin. */
    record Source(String name, String text) {
        static Source stdin() {
            try {
                return new Source("<stdin>", new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static Source file(Path path, CommandSpec spec) {
            try {
                return new Source(path.toString(), Files.readString(path));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + path + ": " + e.getMessage());
            }
        }
    }

    /**
     * One event as a dispatch document {"event_type", "client_payload"}: read from an event
     * document or from GitHub's repository_dispatch webhook payload ({"action", "client_payload", ...}).
     * line is 0 for a whole-file document, else the line in a JSON Lines file.
     */
    record EventInput(String where, int line, JsonNode document, String parseError) {

        /** Each event of the source in turn. A JSON Lines file is parsed a line at a time and no line is kept. */
        static void read(Source source, Consumer<EventInput> each) {
            String text = source.text();
            if (text.isBlank()) {
                each.accept(new EventInput(source.name(), 0, null, "empty input: expected a JSON event document"));
                return;
            }
            JsonNode whole;
            try {
                whole = JSON.readTree(text);
            } catch (JsonProcessingException wholeFileError) {
                if (text.lines().filter(l -> !l.isBlank()).limit(2).count() < 2) {
                    each.accept(new EventInput(source.name(), 0, null, notJson(wholeFileError)));
                    return;
                }
                int number = 0;
                for (Iterator<String> lines = text.lines().iterator(); lines.hasNext(); ) {
                    String line = lines.next();
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    EventInput input;
                    try {
                        input = of(source.name(), number, JSON.readTree(line));
                    } catch (JsonProcessingException lineError) {
                        input = new EventInput(source.name(), number, null, notJson(lineError));
                    }
                    each.accept(input);
                }
                return;
            }
            each.accept(of(source.name(), 0, whole));
        }

        private static EventInput of(String where, int line, JsonNode node) {
            if (!node.isObject()) {
                return new EventInput(where, line, null, "expected a JSON object, found " + node.getNodeType().toString().toLowerCase());
            }
            return new EventInput(where, line, toDocument(node), null);
        }

        /** GitHub delivers the dispatch as a webhook payload whose "action" is the event type. */
        static JsonNode toDocument(JsonNode node) {
            if (node.has("event_type") || !node.has("action") || !node.has("client_payload")) {
                return node;
            }
            ObjectNode document = JsonNodeFactory.instance.objectNode();
            document.set("event_type", node.get("action"));
            document.set("client_payload", node.get("client_payload"));
            return document;
        }

        private static String notJson(JsonProcessingException e) {
            var location = e.getLocation();
            return "not valid JSON: " + e.getOriginalMessage()
                    + (location != null ? " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")" : "");
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

    static String text(JsonNode node, String pointer) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.at(pointer);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    // ---- event log (the same block in every script that decides an event's fate) --------

    static final class EventLog {
        static Path fromEnv(Map<String, String> env) {
            String path = env.get("EVENT_LOG");
            return path == null || path.isBlank() ? null : Path.of(path);
        }

        /** The DESIGN.md record; latency_ms is received minus emitted when the timestamp parses. */
        static ObjectNode record(JsonNode document, String status, Map<String, String> env, String error) {
            Instant receivedAt = Instant.now();
            ObjectNode record = JSON.createObjectNode();
            record.put("event_id", text(document, "/client_payload/event_id"));
            record.put("event_type", text(document, "/event_type"));
            record.put("source", text(document, "/client_payload/source"));
            record.put("trace_id", text(document, "/client_payload/trace_id"));
            String timestamp = text(document, "/client_payload/timestamp");
            record.put("timestamp", timestamp);
            record.put("received_at", receivedAt.toString());
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
            record.put("error", error);
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

    // ---- GitHub Actions output (the same block in every script) --------------------------

    static final class Actions {
        static boolean inActions(Map<String, String> env) {
            return "true".equals(env.get("GITHUB_ACTIONS"));
        }

        /** One line on stderr; inside Actions, an ::error:: annotation with file and line. */
        static void error(PrintWriter err, String file, int line, String title, String message, Map<String, String> env) {
            if (!inActions(env)) {
                err.println((file != null ? file + (line > 0 ? ":" + line : "") + ": " : "") + message);
                return;
            }
            Map<String, String> properties = new LinkedHashMap<>();
            if (file != null && !file.startsWith("<")) {
                properties.put("file", file);
                if (line > 0) {
                    properties.put("line", String.valueOf(line));
                }
            }
            properties.put("title", title);
            err.println("::error " + properties.entrySet().stream()
                    .map(p -> p.getKey() + "=" + escapeProperty(p.getValue()))
                    .collect(Collectors.joining(",")) + "::" + escapeData(message));
        }

        /** Appends name=value to $GITHUB_OUTPUT (single-line values only). */
        static void output(String name, String value, Map<String, String> env) throws IOException {
            String path = env.get("GITHUB_OUTPUT");
            if (path != null && !path.isBlank()) {
                Files.writeString(Path.of(path), name + "=" + value + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        static void appendSummary(String markdown, Map<String, String> env) throws IOException {
            String path = env.get("GITHUB_STEP_SUMMARY");
            if (path != null && !path.isBlank()) {
                Files.writeString(Path.of(path), markdown + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        /** A Markdown table cell: no pipes, no line breaks. */
        static String cell(String text) {
            return text == null ? "" : text.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
        }

        // Escaping as @actions/core's command.ts does it.
        static String escapeData(String s) {
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
        }

        static String escapeProperty(String s) {
            return escapeData(s).replace(":", "%3A").replace(",", "%2C");
        }
    }

    // ---- command line plumbing (the same block in every script) -------------------------

    static CommandLine newCommandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        Map<String, String> env = System.getenv();
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            Actions.error(err, null, 0, "Invalid input", ex.getMessage(), env);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Actions.error(err, null, 0, "Failed", ex.getClass().getSimpleName() + ": " + ex.getMessage(), env);
            // --verbose may be the failing subcommand's own option: the full parse result does not list those.
            if (parseResult.hasMatchedOption("--verbose") || commandLine.getParseResult().hasMatchedOption("--verbose")
                    || "1".equals(env.get("RUNNER_DEBUG"))) {
                ex.printStackTrace(err);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }
}
