///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Check event-bus events against their JSON Schemas (draft 2020-12).
//DESCRIPTION
//DESCRIPTION Usage: validate [FILE...] [--event FILE] [--schemas DIR] [--log FILE] [--json]
//DESCRIPTION        validate --check-schemas [--schemas DIR]
//DESCRIPTION A file holds one event document, one repository_dispatch webhook payload,
//DESCRIPTION or JSON Lines of either; '-' or no file reads stdin ($GITHUB_EVENT_PATH in Actions).
//DESCRIPTION Environment: EVENT_SCHEMAS, EVENT_LOG, EVENT_BUS_SENDERS, EVENT_BUS_HISTORY, GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY.
//DESCRIPTION Exit codes: 0 all valid, 1 internal failure, 2 invalid event or usage.
//DESCRIPTION Example: jbang validate@org schemas/examples/rfc.pr.ready/valid-with-trace-id.json
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off,cds+dynamic=off
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
// (./jbang tests/SharedBlocks.java).

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.nio.charset.CodingErrorAction;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
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
            "With no FILE it reads $GITHUB_EVENT_PATH when set (inside Actions), else stdin; '-' is stdin.",
            "A delivered event (a webhook payload) is also invalid when its sender is not allowed to emit "
                    + "(EVENT_BUS_SENDERS, default github-actions[bot]): only workflows emit."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  EVENT_SCHEMAS        a schema directory layered under --schemas",
            "  EVENT_LOG            event log to append 'rejected' records to (--log)",
            "  EVENT_BUS_SENDERS    who may send delivered events (repository_dispatch payloads):",
            "                       logins, comma separated, * for anyone (default github-actions[bot])",
            "  EVENT_BUS_HISTORY    true: 'rejected' records also go to the event history (needs GITHUB_TOKEN)",
            "  GITHUB_EVENT_PATH    the event file Actions gives a workflow (--event)",
            "  GITHUB_STEP_SUMMARY  a Markdown table of the results is appended to it",
            "Schemas come in layers: the RFC schemas bundled into this script, then",
            "docs/events/schema/ of the current repository, then $EVENT_SCHEMAS, then",
            "--schemas; each adds event types (events/<type>.schema.json) and may",
            "replace a lower layer's file of the same name.",
            "",
            "Example:",
            "  validate schemas/examples/rfc.pr.ready/valid-with-trace-id.json",
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

    @Option(names = "--schemas", paramLabel = "DIR", description = "a schema directory (envelope.schema.json, events/<type>.schema.json), layered over the others")
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
        if (input.sender() != null && !allowedSenders().contains("*") && !allowedSenders().contains(input.sender().toLowerCase(Locale.ROOT))) {
            violations.add(new Violation("/sender/login", "sender", "'" + input.sender() + "' may not send events: only "
                    + String.join(", ", allowedSenders()) + " may (EVENT_BUS_SENDERS); an event sent with a person's token "
                    + "is replayed through the replay workflow instead"));
        }
        return violations;
    }

    /**
     * Who may send events that the router acts on: $EVENT_BUS_SENDERS (logins separated by commas or
     * spaces; * for anyone), else github-actions[bot], so that only workflows emit, as the RFC asks.
     */
    private List<String> allowedSenders() {
        String senders = env.getOrDefault("EVENT_BUS_SENDERS", "").strip();
        return senders.isEmpty() ? List.of(DEFAULT_SENDER) : List.of(senders.toLowerCase(Locale.ROOT).split("[,\\s]+"));
    }

    static final String DEFAULT_SENDER = "github-actions[bot]";

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
        List<ObjectNode> records = invalid.stream()
                .map(c -> EventLog.record(c.input().logged(), "rejected", env, c.firstError()))
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

    record Checked(EventInput input, List<Violation> violations) {
        boolean valid() {
            return violations.isEmpty();
        }

        String firstError() {
            return violations.isEmpty() ? null : violations.stream().map(Violation::describe).collect(Collectors.joining("; "));
        }
    }

    // ---- shared block Cli: generated from shared/Cli.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
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

    // ---- shared block Training: generated from shared/Training.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
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
            for (String arg : new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0")) {
                if (arg.startsWith("-XX:ArchiveClassesAtExit=") || arg.startsWith("-XX:AOTCacheOutput=") || arg.equals("-XX:AOTMode=record")) {
                    return true;
                }
            }
            return false;
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
    // ---- end of shared block Training, generated text sha256:b526435751ba ----

    // ---- shared block Actions: generated from shared/Actions.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // Speaking to GitHub Actions as @actions/core does (command.ts, file-command.ts, summary.ts):
    // annotations on stderr, step outputs in $GITHUB_OUTPUT, Markdown in $GITHUB_STEP_SUMMARY.
    // Outside Actions the same calls print plain lines, so a terminal user reads the same text.
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
                err.println((file != null ? file + (line > 0 ? ":" + line : "") + ": " : "") + (kind.equals("warning") ? "warning: " : "") + message);
                err.flush();
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
            err.println("::" + kind + " " + properties.entrySet().stream()
                    .map(p -> p.getKey() + "=" + escapeProperty(p.getValue()))
                    .collect(Collectors.joining(",")) + "::" + escapeData(message));
            err.flush();
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
    // ---- end of shared block Actions, generated text sha256:67c885ba300c ----

    // ---- shared block Json: generated from shared/Json.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
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
        if (node == null) {
            return null;
        }
        JsonNode value = node.at(pointer);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    /** Jackson's reason and where; a repeated key is named as such, since parsers disagree on which value wins. */
    static String notJson(JsonProcessingException e) {
        var location = e.getLocation();
        String where = location != null ? " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")" : "";
        String reason = e.getOriginalMessage();
        if (reason.startsWith("Duplicate field ")) {
            return "duplicate key " + reason.substring("Duplicate field ".length()) + where + ": a key may appear once in an object";
        }
        return "not valid JSON: " + reason + where;
    }
    // ---- end of shared block Json, generated text sha256:c763bb3b5564 ----

    // ---- shared block Source: generated from shared/Source.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // Reading a named input: a file or stdin, as UTF-8 and nothing else. Bytes that are not UTF-8
    // are refused, never replaced (a replaced byte would change an event's payload silently), and a
    // file that cannot be read says why in words.

    /** Where input comes from, and its text: a file, or stdin (named <stdin>). */
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
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
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
    // ---- end of shared block Source, generated text sha256:807039e8a2ee ----

    // ---- shared block EventInput: generated from shared/EventInput.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // Events as the scripts read them: an event document {"event_type", "client_payload"}, the
    // repository_dispatch webhook payload GitHub delivers ({"action", "client_payload", ...}), or
    // JSON Lines of either.

    /**
     * One event as a dispatch document, or why it could not be read (and its text, for the event log).
     * line is 0 for a whole-file document, else its line in a JSON Lines file. sender is the login that
     * sent a delivered event (the webhook payload's sender), null for an event document.
     */
    record EventInput(String where, int line, JsonNode document, String parseError, String unreadable, String sender) {
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
            JsonNode whole;
            try {
                whole = JSON.readTree(text);
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
                    EventInput input;
                    try {
                        input = of(source.name(), number, JSON.readTree(line));
                    } catch (JsonProcessingException lineError) {
                        input = new EventInput(source.name(), number, null, notJson(lineError), line, null);
                    }
                    each.accept(input);
                }
                return;
            }
            each.accept(of(source.name(), 0, whole));
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
            JsonNode sender = node.path("sender").path("login");
            return new EventInput(where, line, toDocument(node), null, null, node.has("action") && sender.isTextual() ? sender.asText() : null);
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
    // ---- end of shared block EventInput, generated text sha256:55a0fa73c672 ----

    // ---- shared block EventSchemas: generated from shared/EventSchemas.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
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
            schemas.linkEnvelopes();
            schemas.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                    .schemas(schemas.textById)
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .pathType(PathType.JSON_POINTER)
                            .formatAssertionsEnabled(true)
                            .build()));
            return schemas;
        }

        private void addBundled(CommandSpec spec) {
            layers.add("the bundled RFC schemas");
            BUNDLED_SCHEMAS.forEach((name, text) -> add("the bundled RFC schemas", null, name, text, spec));
        }

        private void addDirectory(Path directory, String layer, CommandSpec spec) throws IOException {
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
            for (Path dir = cwd; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(".git"))) {
                    return dir;
                }
            }
            return cwd;
        }

        /** The schema files in effect, envelope first; where one name is in several layers, the highest one's. */
        List<SchemaFile> files() {
            return List.copyOf(byName.values());
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

        /** The compiled schema of an $id (the meta-schema's too), compiled once per process. */
        Schema schema(String id) {
            return compiled.computeIfAbsent(id, key -> registry.getSchema(SchemaLocation.of(key)));
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
    // ---- end of shared block EventSchemas, generated text sha256:b29f7d02b10b ----

    // ---- shared block BundledSchemas: generated from shared/BundledSchemas.java and schemas/ by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // The RFC schemas of schemas/, one compact line each: the bottom layer of EventSchemas. The generator
    // writes them into the call below (envelope.schema.json, then events/*.schema.json by name); here the
    // call names none, so this file compiles on its own.

    static final Map<String, String> BUNDLED_SCHEMAS = bundledSchemas(
            "envelope.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/envelope.schema.json\",\"title\":\"Event document\",\"description\":\"A repository_dispatch request body: the event type and the envelope (client_payload). Generic for every event type; each schema under events/ references this one and constrains event_type and client_payload.data. GitHub's limits (at most 10 top-level client_payload properties, body under 64 KB) are enforced here where JSON Schema can express them (maxProperties) and by the scripts for the body size.\",\"type\":\"object\",\"required\":[\"event_type\",\"client_payload\"],\"additionalProperties\":false,\"properties\":{\"event_type\":{\"description\":\"Dotted lowercase event type name, e.g. rfc.pr.ready; at most 100 characters (GitHub's limit).\",\"type\":\"string\",\"minLength\":1,\"maxLength\":100,\"pattern\":\"^[a-z][a-z0-9_-]*(\\\\.[a-z][a-z0-9_-]*)+$\"},\"client_payload\":{\"description\":\"The envelope; its data member is validated by the event type's schema.\",\"$ref\":\"#/$defs/client_payload\"}},\"$defs\":{\"client_payload\":{\"title\":\"Envelope\",\"description\":\"The envelope carried as client_payload. Nothing else at the top level; GitHub allows at most 10 top-level properties.\",\"type\":\"object\",\"maxProperties\":10,\"additionalProperties\":false,\"required\":[\"event_id\",\"source\",\"timestamp\",\"data\"],\"properties\":{\"event_id\":{\"description\":\"Unique id of this event: lowercase UUID, random (v4) or name-based (v5) from a dedupe key.\",\"$ref\":\"#/$defs/uuid\"},\"trace_id\":{\"description\":\"Optional: the event_id of the first event in the chain, inherited by events emitted while handling it.\",\"$ref\":\"#/$defs/uuid\"},\"source\":{\"description\":\"Who emitted the event, e.g. a workflow or job name.\",\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,99}$\"},\"timestamp\":{\"description\":\"Emit time, RFC 3339 in UTC with milliseconds, e.g. 2026-11-27T04:38:13.123Z.\",\"type\":\"string\",\"format\":\"date-time\",\"pattern\":\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\\\.[0-9]{3}Z$\"},\"data\":{\"description\":\"The payload core, validated by the event type's schema (events/<event_type>.schema.json).\",\"type\":\"object\"}}},\"uuid\":{\"description\":\"A lowercase UUID in canonical 8-4-4-4-12 form, 36 characters.\",\"type\":\"string\",\"format\":\"uuid\",\"minLength\":36,\"maxLength\":36,\"pattern\":\"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$\"}}}",
            "events/rfc.chain.broken.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.chain.broken.schema.json\",\"title\":\"rfc.chain.broken: an RFC chain is inconsistent\",\"description\":\"Produced by the chain consistency scan when an RFC chain is broken; consumed by chain reset / cleanup workflows.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.chain.broken\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The broken chain and why it is broken.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"chain_id\",\"reason\"],\"properties\":{\"chain_id\":{\"description\":\"Chain id: RFC series and micro step, e.g. RFC-093-02.\",\"type\":\"string\",\"pattern\":\"^RFC-[0-9]{3,}-[0-9]{2}$\"},\"reason\":{\"description\":\"Why the chain is broken. Two families: duplicate/conflict states (PR_CLOSED_CONFLICT, DUPLICATE_PR), routed to rfc-cleanup-duplicates.yml; branch-only / CI-stuck states (BRANCH_ONLY, CI_STUCK), routed to cleanup-stalled-prs.yml.\",\"enum\":[\"PR_CLOSED_CONFLICT\",\"DUPLICATE_PR\",\"BRANCH_ONLY\",\"CI_STUCK\"]}},\"examples\":[{\"chain_id\":\"RFC-093-02\",\"reason\":\"PR_CLOSED_CONFLICT\"}]}}}",
            "events/rfc.issue.assigned.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.issue.assigned.schema.json\",\"title\":\"rfc.issue.assigned: an RFC micro-issue was assigned\",\"description\":\"Produced by the assignment workflow when an RFC micro-issue is assigned; consumed by the PR flow monitor.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.issue.assigned\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The assigned issue and its place in the RFC series.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"issue\",\"series\",\"micro\"],\"properties\":{\"issue\":{\"description\":\"Issue number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"series\":{\"description\":\"RFC series, e.g. RFC-093.\",\"type\":\"string\",\"pattern\":\"^RFC-[0-9]{3,}$\"},\"micro\":{\"description\":\"Two-digit micro step within the series, e.g. 02.\",\"type\":\"string\",\"pattern\":\"^[0-9]{2}$\"}},\"examples\":[{\"issue\":123,\"series\":\"RFC-093\",\"micro\":\"02\"}]}}}",
            "events/rfc.pr.blocked.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.pr.blocked.schema.json\",\"title\":\"rfc.pr.blocked: a pull request cannot proceed\",\"description\":\"Produced by diagnostics when a pull request is blocked; consumed by a human or the auto-remediator.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.pr.blocked\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The blocked pull request and what blocks it.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"pr\",\"blockers\"],\"properties\":{\"pr\":{\"description\":\"Pull request number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"blockers\":{\"description\":\"One short string per blocker, e.g. checks:failing, merge-conflict, review:required.\",\"type\":\"array\",\"minItems\":1,\"maxItems\":50,\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}}},\"examples\":[{\"pr\":456,\"blockers\":[\"checks:failing\",\"merge-conflict\"]}]}}}",
            "events/rfc.pr.created.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.pr.created.schema.json\",\"title\":\"rfc.pr.created: a pull request was opened for an RFC issue\",\"description\":\"Produced by the PR creation detector when a pull request for an RFC issue appears; consumed by the CI dispatcher and the merge orchestrator.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.pr.created\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The new pull request, the issue it implements and its head branch.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"pr\",\"issue\",\"branch\"],\"properties\":{\"pr\":{\"description\":\"Pull request number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"issue\":{\"description\":\"Issue number the pull request implements (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"branch\":{\"description\":\"Head branch name, e.g. copilot/rfc-093-02.\",\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"pattern\":\"^[A-Za-z0-9._/-]+$\"}},\"examples\":[{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}]}}}",
            "events/rfc.pr.ready.schema.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/events/rfc.pr.ready.schema.json\",\"title\":\"rfc.pr.ready: a pull request is ready to merge\",\"description\":\"Produced by the readiness evaluator when a pull request's checks are green; consumed by the merge orchestrator.\",\"$ref\":\"../envelope.schema.json\",\"type\":\"object\",\"properties\":{\"event_type\":{\"const\":\"rfc.pr.ready\"},\"client_payload\":{\"type\":\"object\",\"properties\":{\"data\":{\"$ref\":\"#/$defs/data\"}}}},\"$defs\":{\"data\":{\"description\":\"The ready pull request and its checks status.\",\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"pr\",\"checks_status\"],\"properties\":{\"pr\":{\"description\":\"Pull request number (positive integer).\",\"type\":\"integer\",\"minimum\":1},\"checks_status\":{\"description\":\"Combined checks status; only green makes a pull request ready.\",\"enum\":[\"green\"]}},\"examples\":[{\"pr\":456,\"checks_status\":\"green\"}]}}}");

    private static Map<String, String> bundledSchemas(String... nameAndText) {
        Map<String, String> schemas = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            schemas.put(nameAndText[i], nameAndText[i + 1]);
        }
        return schemas;
    }
    // ---- end of shared block BundledSchemas, generated text sha256:f6087eb96547 ----

    // ---- shared block EventLog: generated from shared/EventLog.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // The event log: one JSON object per line, appended by whichever step decides an event's fate.
    // Each record carries the whole event, so a log alone is enough to replay it.

    static final class EventLog {
        static Path fromEnv(Map<String, String> env) {
            String path = env.get("EVENT_LOG");
            return path == null || path.isBlank() ? null : Path.of(path);
        }

        /**
         * The record of one event: event is its document, or its raw text as a string node when it was
         * not JSON. latency_ms is received minus emitted when the timestamp parses.
         */
        static ObjectNode record(JsonNode event, String status, Map<String, String> env, String error) {
            Instant receivedAt = Instant.now();
            ObjectNode record = JSON.createObjectNode();
            record.put("event_id", text(event, "/client_payload/event_id"));
            record.put("event_type", text(event, "/event_type"));
            record.put("source", text(event, "/client_payload/source"));
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
    // ---- end of shared block EventLog, generated text sha256:9b7fea450835 ----

    // ---- shared block GitHub: generated from shared/GitHub.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // The GitHub REST client, on the JDK's HttpClient: one request per call when all goes well and no
    // extra lookups (github-api's getRepository() would cost a GET first, and it cannot ask a workflow
    // dispatch for return_run_details). The token is sent, never printed.
    // Left out of this copy, as validate.java does not use them: GitHub.repository(), GitHub.requests(),
    //   Response.date().

    /**
     * GitHub's REST API: transient failures (connection errors, 5xx, 429, rate limits) are retried
     * with exponential backoff and full jitter, honouring retry-after and x-ratelimit-reset, within a
     * number of attempts and a time budget.
     */
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
            if (status >= 500) {
                return Optional.of(retryAfter.orElse(backoff(attempt)));
            }
            return Optional.empty();
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
    // ---- end of shared block GitHub, generated text sha256:c75e87e56881 ----

    // ---- shared block History: generated from shared/History.java by ./jbang tests/SharedBlocks.java; edit the source, not this copy ----
    // The event history: event log records kept on GitHub across runs, one file per record on a branch
    // of their own (event-bus-history), each written with one request of the contents API, which creates
    // a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
    // script touches the history. A record that cannot be appended stays in the event log, with a warning.

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
         * name is unique per record, so concurrent appends never write the same path. The time is the
         * record's received_at, or acted_at for a consumer's outcome (status acted).
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
                    + "-" + record.path("status").asText("unknown") + "-" + record.path("event_id").asText("none")
                    + "-" + record.path("run_id").asText("local") + "-" + record.path("run_attempt").asText("1") + ".json";
        }
    }
    // ---- end of shared block History, generated text sha256:bd40bc1173c0 ----
}
