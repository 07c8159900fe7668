///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Send one event-bus event as a GitHub repository_dispatch.
//DESCRIPTION
//DESCRIPTION Usage: emit EVENT_TYPE (--payload JSON | --payload-file FILE|-) [--source S]
//DESCRIPTION             [--event-id UUID | --dedupe-key KEY] [--trace-id UUID | --trace-key KEY] [--repo OWNER/NAME]
//DESCRIPTION             [--schemas DIR] [--dry-run] [--max-attempts N] [--retry-budget SECONDS]
//DESCRIPTION Builds the envelope, validates it locally, then sends POST /repos/{owner}/{repo}/dispatches
//DESCRIPTION once, retrying transient failures with the same event_id. Prints the event_id.
//DESCRIPTION Environment: GITHUB_TOKEN or GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH,
//DESCRIPTION GITHUB_OUTPUT, EVENT_SCHEMAS, EVENT_LOG, EVENT_BUS_HISTORY.
//DESCRIPTION Exit codes: 0 sent, 1 GitHub unreachable or refused, 2 invalid input (nothing sent).
//DESCRIPTION Example: jbang emit@org rfc.pr.ready --payload '{"pr":456,"checks_status":"green"}'
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr
//CDS

// emit.java: the producer's step: builds one event's envelope, validates it and sends it as a
// repository_dispatch. One of the five single-file scripts of event-bus, each a step of a
// workflow; they never import each other:
//   emit.java      this file: sends an event
//   validate.java  checks events against their JSON Schemas (the router's first step)
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
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "emit", mixinStandardHelpOptions = true, version = "emit 0.1.0",
        description = {
            "Sends one event-bus event as a GitHub repository_dispatch:",
            "POST /repos/{owner}/{repo}/dispatches.",
            "Builds the envelope (event_id, source, timestamp, trace_id, data), validates the whole event "
                    + "locally with the same schemas and rules as validate, then sends it: one request when all "
                    + "goes well; transient failures are retried with the same event_id.",
            "Prints the event_id on stdout and writes event_id=... to $GITHUB_OUTPUT."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  GITHUB_TOKEN, GH_TOKEN  the token (never a flag); needs contents: write on",
            "                          the target repository",
            "  GITHUB_REPOSITORY       owner/name of the target repository (--repo)",
            "  GITHUB_API_URL          API root, for GitHub Enterprise Server",
            "                          (default https://api.github.com)",
            "  GITHUB_EVENT_PATH       the event that started this workflow: trace_id is",
            "                          inherited from it",
            "  GITHUB_OUTPUT           event_id=... is appended to it",
            "  EVENT_SCHEMAS           a schema directory layered under --schemas DIR",
            "  EVENT_LOG               the 'emitted' record is appended to this file",
            "  EVENT_BUS_HISTORY       true: the 'emitted' record also goes to the event",
            "                          history",
            "",
            "--dedupe-key KEY makes event_id the UUID v5 of KEY (UTF-8) in the namespace",
            "d768854e-7ce7-5a89-8b74-d8a7e84cd9d4, so a cron path and an event path that",
            "handle the same item produce the same id (dedupe claim --key KEY uses the",
            "same mapping).",
            "",
            "The router acts only on events sent by an allowed sender (github-actions[bot]",
            "by default): from a terminal, send one through a workflow (docs/emit.md).",
            "",
            "Example:",
            "  emit rfc.pr.ready --payload '{\"pr\":456,\"checks_status\":\"green\"}' \\",
            "       --source readiness-evaluator"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:sent (or printed, with --dry-run)",
            "1:GitHub could not be reached or refused the request after retries, or internal failure",
            "2:invalid input or usage: nothing was sent"})
class emit implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EVENT_TYPE", description = "the event type, e.g. rfc.pr.ready")
    String eventType;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PayloadOption payload;

    static final class PayloadOption {
        @Option(names = "--payload", paramLabel = "JSON", description = "the data object, as JSON")
        String json;

        @Option(names = "--payload-file", paramLabel = "FILE", description = "read the data object from FILE ('-' for stdin)")
        String file;
    }

    @Option(names = "--source", paramLabel = "S",
            description = "who emits it (default: the workflow file name in Actions, else 'emit-cli')")
    String source;

    @ArgGroup(exclusive = true)
    IdOption id;

    static final class IdOption {
        @Option(names = "--event-id", paramLabel = "UUID", description = "use this event_id (lowercase UUID)")
        String eventId;

        @Option(names = "--dedupe-key", paramLabel = "KEY", description = "derive event_id from a natural key (UUID v5)")
        String dedupeKey;
    }

    @ArgGroup(exclusive = true)
    TraceOption trace;

    static final class TraceOption {
        @Option(names = "--trace-id", paramLabel = "UUID",
                description = "the chain's trace_id (default: inherited from $GITHUB_EVENT_PATH, else this event_id)")
        String id;

        @Option(names = "--trace-key", paramLabel = "KEY",
                description = "the chain's trace_id is the event_id of its first event, which was emitted with --dedupe-key KEY: "
                        + "a producer started by something other than an event (a pull request, a finished CI run) joins the chain")
        String key;
    }

    @Option(names = "--repo", paramLabel = "OWNER/NAME", description = "target repository (default: $GITHUB_REPOSITORY)")
    String repo;

    @Option(names = "--schemas", paramLabel = "DIR", description = "a schema directory layered over the bundled schemas and docs/events/schema/ (see validate --help)")
    Path schemasDir;

    @Option(names = "--dry-run", description = "print the request body and send nothing")
    boolean dryRun;

    @Mixin
    Retries retries;

    @Option(names = "--verbose", description = "print stack traces of internal failures")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The process environment; tests replace it. */
    Map<String, String> env = System.getenv();

    public static void main(String... args) {
        int exitCode = newCommandLine(new emit()).execute(args);
        trainIfRecording(emit.class, emit::training);
        GitHub.shutdown();
        System.exit(exitCode);
    }

    /** An emit of a canned event to a loopback server (see trainIfRecording). */
    static void training(PrintWriter out) throws IOException {
        emit command = new emit();
        command.env = Map.of("GITHUB_TOKEN", "training", "GITHUB_REPOSITORY", "octo-org/octo-repo",
                "GITHUB_API_URL", loopbackGitHub(204, ""));
        newCommandLine(command).setOut(out).setErr(out).execute("rfc.pr.ready", "--payload", "{\"pr\":1,\"checks_status\":\"green\"}");
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        retries.check(spec);
        for (String key : new String[] {id == null ? null : id.dedupeKey, trace == null ? null : trace.key}) {
            if (key != null && key.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "a natural key may not be blank; use one such as rfc.issue.assigned/123");
            }
        }
        checkUuid("--event-id", id == null ? null : id.eventId);
        checkUuid("--trace-id", trace == null ? null : trace.id);
        ObjectNode document = buildDocument();
        List<Violation> violations = EventSchemas.load(schemasDir, env, spec).check(document);
        if (!violations.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            // One bad value is one error: the rules a value breaks (a pattern and a length, say) share its line.
            Map<String, List<Violation>> byValue = violations.stream()
                    .collect(Collectors.groupingBy(Violation::pointer, LinkedHashMap::new, Collectors.toList()));
            byValue.forEach((pointer, broken) -> {
                String rules = broken.stream().map(Violation::rule).distinct().collect(Collectors.joining(", "));
                String line = (pointer.isEmpty() ? "(document)" : pointer) + ": " + broken.get(0).message()
                        + " (rule" + (rules.contains(",") ? "s" : "") + ": " + rules + ")";
                // A message may quote the payload's values (a key, the type): shown safely.
                Actions.error(err, null, 0, "Invalid event (" + rules + ")", Actions.safe(line), env);
            });
            return CommandLine.ExitCode.USAGE;
        }
        String eventId = document.at("/client_payload/event_id").asText();
        if (dryRun) {
            spec.commandLine().getOut().println(Actions.safeJson(document.toPrettyString()));
            return CommandLine.ExitCode.OK;
        }
        GitHub github = GitHub.fromEnv(env, repo, spec, retries.maxAttempts, retries.budget());
        github.call("POST", github.repoPath("/dispatches"), document, "create repository dispatch events", "contents: write");
        spec.commandLine().getOut().println(eventId);
        spec.commandLine().getErr().println("emit: sent " + eventType + " " + eventId + " to " + github.repository());
        Actions.output("event_id", eventId, env);
        record(github, EventLog.record(document, "emitted", env, null));
        return CommandLine.ExitCode.OK;
    }

    /** An id given on the command line is one lowercase UUID, or one error that says so: nothing else is checked, nothing sent. */
    private void checkUuid(String option, String value) {
        if (value != null && !UUID_TEXT.matcher(value).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": '" + Actions.safe(value)
                    + "' is not a lowercase UUID (such as 3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11)"
                    + (option.equals("--event-id") ? "; for a natural key use --dedupe-key KEY" : "; for a natural key use --trace-key KEY"));
        }
    }

    /**
     * The emitted record, for $EVENT_LOG and, when the workflow asks for it, the event history: with it,
     * events reconcile finds events GitHub accepted but never delivered to a router.
     */
    private void record(GitHub github, ObjectNode record) throws IOException, InterruptedException {
        Path log = EventLog.fromEnv(env);
        if (log != null) {
            EventLog.append(log, List.of(record));
        }
        if (History.enabled(env)) {
            History.append(github, List.of(record), spec.commandLine().getErr(), env);
        }
    }

    // ---- the event --------------------------------------------------------------------

    /** {"event_type", "client_payload": {event_id, source, timestamp, trace_id, data}}. */
    private ObjectNode buildDocument() throws IOException {
        String eventId = id == null || (id.eventId == null && id.dedupeKey == null) ? UUID.randomUUID().toString()
                : id.eventId != null ? id.eventId
                : nameBasedUuid(DEDUPE_KEY_NAMESPACE, id.dedupeKey).toString();
        ObjectNode document = JSON.createObjectNode();
        document.put("event_type", eventType);
        ObjectNode envelope = document.putObject("client_payload");
        envelope.put("event_id", eventId);
        envelope.put("source", source != null ? source : defaultSource());
        envelope.put("timestamp", TIMESTAMP.format(Instant.now()));
        envelope.put("trace_id", trace != null && trace.id != null ? trace.id
                : trace != null ? nameBasedUuid(DEDUPE_KEY_NAMESPACE, trace.key).toString()
                : inheritedTraceId().orElse(eventId));
        envelope.set("data", readPayload());
        return document;
    }

    private JsonNode readPayload() {
        Source source = payload.json != null ? new Source("--payload", payload.json)
                : payload.file.equals("-") ? Source.stdin(spec)
                : Source.file(Path.of(payload.file), spec);
        String where = payload.json != null ? "--payload" : payload.file.equals("-") ? "--payload-file - (stdin)" : "--payload-file " + payload.file;
        if (source.text().isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), where + ": empty; expected a JSON object such as {\"pr\":456}");
        }
        try {
            JsonNode data = JSON.readTree(source.text());
            if (!data.isObject()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        where + ": expected a JSON object, found " + data.getNodeType().toString().toLowerCase());
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), where + ": " + notJson(e));
        }
    }

    /** In Actions, the workflow file's name (".../assign.yml@refs/heads/main" gives "assign"); else emit-cli. */
    private String defaultSource() {
        String workflowRef = env.getOrDefault("GITHUB_WORKFLOW_REF", "");
        String name = workflowRef.replaceFirst("@.*$", "").replaceFirst("^.*/", "").replaceFirst("\\.ya?ml$", "");
        name = name.replaceAll("[^A-Za-z0-9._/:@-]", "-").replaceFirst("^[^A-Za-z0-9]+", "");
        return name.isEmpty() ? "emit-cli" : name.substring(0, Math.min(name.length(), 100));
    }

    /**
     * The chain's trace_id from the event that started this workflow: a repository_dispatch
     * carries it in client_payload, a workflow_dispatch from the router in its inputs;
     * a first event in a chain has none, and its own event_id becomes the trace.
     */
    private Optional<String> inheritedTraceId() {
        String eventPath = env.get("GITHUB_EVENT_PATH");
        if (eventPath == null || eventPath.isBlank() || !Files.isRegularFile(Path.of(eventPath))) {
            return Optional.empty();
        }
        try {
            JsonNode event = JSON.readTree(Files.readString(Path.of(eventPath)));
            for (JsonNode parent : List.of(event.path("client_payload"), event.path("inputs"))) {
                for (String field : List.of("trace_id", "event_id")) {
                    String value = parent.path(field).asText("");
                    if (UUID_TEXT.matcher(value).matches()) {
                        return Optional.of(value);
                    }
                }
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("emit: cannot read $GITHUB_EVENT_PATH for trace_id, starting a new trace: "
                    + Actions.safe(e instanceof JsonProcessingException json ? notJson(json) : e.getClass().getSimpleName()));
        }
        return Optional.empty();
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

    /**
     * A server on a loopback port that answers every request with status and body, for a workload
     * that calls GitHub: the client's whole request and response path, and no network.
     */
    static String loopbackGitHub(int status, String body) throws IOException {
        ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread answering = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    int length = 0;
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring("content-length:".length()).strip());
                        }
                    }
                    in.skip(length);
                    byte[] content = body.getBytes(StandardCharsets.UTF_8);
                    socket.getOutputStream().write(("HTTP/1.1 " + status + " Training\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + content.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                    socket.getOutputStream().write(content);
                } catch (IOException | RuntimeException e) {
                    return;
                }
            }
        }, "loopback-github");
        answering.setDaemon(true);
        answering.start();
        return "http://127.0.0.1:" + server.getLocalPort();
    }
    // ---- end of shared block Training, generated text sha256:8ceff2a8761e ----

    // ---- shared block Actions: generated from shared/Actions.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Speaking to GitHub Actions as @actions/core does (command.ts, file-command.ts, summary.ts):
    // annotations on stderr, step outputs in $GITHUB_OUTPUT, Markdown in $GITHUB_STEP_SUMMARY.
    // Outside Actions the same calls print plain lines, so a terminal user reads the same text.
    // Values taken from events and records are printed through safe(), cell() and code(), so that none
    // becomes a workflow command or hides text (docs/security.md, "Output").
    // Left out of this copy, as emit.java does not use them: Actions.appendSummary(), Actions.cell(),
    //   Actions.code().

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

        /** Appends name=value to $GITHUB_OUTPUT; values are single words here (ids, statuses). */
        static void output(String name, String value, Map<String, String> env) throws IOException {
            if (value.contains("\n") || value.contains("\r")) {
                throw new IllegalArgumentException("output " + name + ": one line expected");
            }
            String path = env.get("GITHUB_OUTPUT");
            if (path != null && !path.isBlank()) {
                Files.writeString(Path.of(path), name + "=" + value + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
    // ---- end of shared block Actions, generated text sha256:55c3b3310fad ----

    // ---- shared block Json: generated from shared/Json.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // JSON as every script reads it: strict (a duplicate key or trailing text is an error, never a
    // silent choice), decimals kept exact; and the contract's formats for times and ids.

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** RFC 3339, UTC, milliseconds: the envelope's timestamp and every time in an event log record. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Event type names: dotted lowercase words, such as rfc.pr.ready. */
    static final Pattern EVENT_TYPE = Pattern.compile("^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$");

    /** Event ids and trace ids: lowercase UUIDs, as the envelope schema asks. */
    static final Pattern UUID_TEXT = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

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
    // ---- end of shared block Json, generated text sha256:18e12c8a8ecc ----

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

    // ---- shared block Ids: generated from shared/Ids.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Natural keys to event ids: emit --dedupe-key and dedupe claim --key must map a key to the same
    // id, so that a cron path and an event path that handle one item claim one id.

    /** The namespace of natural-key ids: uuid5(NAMESPACE_URL, "https://event-bus.dev/dedupe-key"). */
    static final UUID DEDUPE_KEY_NAMESPACE = UUID.fromString("d768854e-7ce7-5a89-8b74-d8a7e84cd9d4");

    /** RFC 4122 name-based UUID, version 5 (SHA-1); the same function as Python's uuid.uuid5. */
    static UUID nameBasedUuid(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(namespace));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            ByteBuffer bits = ByteBuffer.wrap(hash);
            return new UUID(bits.getLong(), bits.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 16 bytes of a UUID, most significant first. */
    static byte[] toBytes(UUID uuid) {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
    }
    // ---- end of shared block Ids, generated text sha256:57b753bf2ae1 ----

    // ---- shared block EventSchemas: generated from shared/EventSchemas.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event schemas, in layers: the RFC schemas bundled into the script (so it works with no
    // checkout, and copied alone), then the repository's docs/events/schema/, then $EVENT_SCHEMAS,
    // then --schemas. A higher layer adds event types and replaces a lower one's file of the same name;
    // it never hides the others. Every $ref resolves from the loaded files: nothing is fetched.
    // Left out of this copy, as emit.java does not use them: EventSchemas.of(), EventSchemas.files(),
    //   EventSchemas.byId(), EventSchemas.directories(), Violation.describe().

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
    }
    // ---- end of shared block EventSchemas, generated text sha256:abaa4236bb17 ----

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

    // ---- shared block GitHub: generated from shared/GitHub.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The GitHub REST client, on the JDK's HttpClient: one request per call when all goes well and no
    // extra lookups (github-api's getRepository() would cost a GET first, and it cannot ask a workflow
    // dispatch for return_run_details). The token is sent, never printed. Transient failures (connection
    // errors, 5xx, 429, rate limits) are retried with exponential backoff and full jitter, honouring
    // retry-after and x-ratelimit-reset, within a number of attempts and a time budget.
    // Left out of this copy, as emit.java does not use them: GitHub.requests(), GitHub.download(),
    //   Response.date().

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

        String repository() {
            return repository;
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
    // ---- end of shared block GitHub, generated text sha256:e0607aaf6083 ----

    // ---- shared block Retries: generated from shared/Retries.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The options of every command that calls GitHub: how often and how long a request is retried
    // (GitHub.java's backoff), checked before anything is read or sent.

    static final class Retries {
        @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "5", description = "attempts per request in all (default: ${DEFAULT-VALUE})")
        int maxAttempts;

        @Option(names = "--retry-budget", paramLabel = "SECONDS", defaultValue = "300",
                description = "give up on a request when waiting would pass this many seconds in all (default: ${DEFAULT-VALUE})")
        int retryBudgetSeconds;

        /** Refuses what no retry loop can use: exit 2, before anything is read or sent. */
        void check(CommandSpec spec) {
            if (maxAttempts < 1 || retryBudgetSeconds < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--max-attempts must be at least 1 and --retry-budget at least 0");
            }
        }

        Duration budget() {
            return Duration.ofSeconds(retryBudgetSeconds);
        }
    }
    // ---- end of shared block Retries, generated text sha256:3b202f9bfd52 ----

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

    // ---- shared block History: generated from shared/History.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event history: event log records kept on GitHub across runs, one file per record on a branch
    // of their own (event-bus-history), each written with one request of the contents API, which creates
    // a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
    // script touches the history. A record that cannot be appended stays in the event log, with a warning.
    // Left out of this copy, as emit.java does not use them: History.FILE, History.HANDLED, History.Archive,
    //   History.RecordFile, History.readArchive(), History.handled(), History.recordedAt().

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
    // ---- end of shared block History, generated text sha256:672ae859c152 ----
}
