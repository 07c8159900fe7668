///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Route event-bus events to the workflows a routes file names; a routes graph and the router that calls them.
//DESCRIPTION
//DESCRIPTION Usage: route [--event FILE] [--routes FILE] [--ref REF] [--dry-run] [--shadow] [--repo OWNER/NAME] [--log FILE]
//DESCRIPTION        route --plan [--event FILE] [--routes FILE] [--dry-run] [--shadow] [--log FILE]
//DESCRIPTION        route graph [--routes FILE]
//DESCRIPTION        route compile [--routes FILE] [--output FILE] [--router FILE]
//DESCRIPTION Matches the event against .github/event-routes.yml (its schema: schemas/event-routes.schema.json) and starts
//DESCRIPTION every matching workflow with a workflow_dispatch, skipping those an event processed again already started; then
//DESCRIPTION appends one event log record. --plan (the router route compile writes) dispatches nothing: it writes
//DESCRIPTION route-N=<inputs as JSON> to $GITHUB_OUTPUT for the router's jobs, which call the consumers by workflow_call.
//DESCRIPTION 'mode: log' in the routes file, or --shadow, records would-dispatch targets and sends nothing.
//DESCRIPTION Environment: GITHUB_TOKEN or GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH, GITHUB_REF_NAME,
//DESCRIPTION GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, EVENT_LOG, EVENT_BUS_CLAIM, EVENT_BUS_DISPATCHED,
//DESCRIPTION EVENT_BUS_HISTORY (true: each record also goes to the event history). Reading the records is events.java's.
//DESCRIPTION Exit codes: 0 routed (or nothing matched), 1 GitHub unreachable or a target failed, 2 invalid input.
//DESCRIPTION Example: jbang route@org --event event.json --dry-run
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS software.amazon.event.ruler:event-ruler:2.1.0
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr
//CDS

// route.java: the router's last step: matches an event to the routes file and starts the workflows
// it names. One of the five single-file scripts of event-bus, side by side at the top of the
// repository, each a step of a workflow; they never import each other:
//   emit.java      sends an event (a repository_dispatch)
//   validate.java  checks events against their JSON Schemas
//   dedupe.java    drops repeated events (claim, release)
//   route.java     this file: matches an event to the routes file and starts its workflows (--plan,
//                  graph, compile)
//   events.java    reads the records the others write: stats, replay, reconcile, record,
//                  merge-latency, doctor
// shared/ holds the code the scripts share (copied in below, see docs/shared-blocks.md); docs/routes.md
// explains the routes file, docs/workflows.md the router workflows, docs/event-log.md the records.
// In this file: the command route (the router step: call() reads as its table of contents), then its
// parts, one class each: Dispatcher (sends the targets to GitHub, finds those already started), Report
// (what a run prints, logs and sums up), RoutesFile (reads and checks the routes file, matches events);
// the commands graph and compile, with Compiler (writes the router that calls the consumers); the records
// Route, Target and Outcome. The blocks between "shared block" markers at the end are generated from
// shared/*.java (./jbang tests/support/SharedBlocks.java).

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
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
import java.nio.charset.MalformedInputException;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import software.amazon.event.ruler.Machine;

@Command(name = "route", mixinStandardHelpOptions = true, version = route.VERSION,
        subcommands = {route.Graph.class, route.Compile.class, route.Moved.class},
        description = {
            "Routes one event-bus event: matches it against the routes file and starts every matching workflow with a "
                    + "workflow_dispatch; one failing target does not stop the others. A route matches when its 'event' (an event "
                    + "type, or a glob: see the routes file below) matches the event type and its optional 'when' (an AWS EventBridge pattern) "
                    + "the client_payload; its 'inputs' map workflow inputs to paths into the client_payload (data.pr, event_id).",
            "One record per event goes to the event log (routed, unrouted, failed or shadowed; each target dispatched, "
                    + "failed, already-dispatched or would-dispatch) and, with EVENT_BUS_HISTORY=true, to the event history, "
                    + "which 'events stats', 'events replay' and 'events reconcile' read.",
            "Rollout: 'mode: log' in the routes file (at the top, or on a route) or --shadow dispatches nothing and "
                    + "records the targets as would-dispatch (status shadowed), to compare with the cron jobs before switching.",
            "Each target is dispatched once: an event processed again ($EVENT_BUS_CLAIM=resume, or a timestamp more than "
                    + "10 minutes old) skips the workflows in $EVENT_BUS_DISPATCHED and those with a run whose title (a "
                    + "run-name with $${{ inputs.event_id }}) holds its event_id.",
            "--plan is the routing step of the router 'route compile' writes, whose jobs call the consumers: the same "
                    + "matching, nothing dispatched; it writes route-N=<the inputs as JSON> to $GITHUB_OUTPUT for each route N "
                    + "that matches (empty for the others), all of an event's routes or none, and refuses routes other than "
                    + "those the router was compiled from ($EVENT_BUS_ROUTES_DIGEST).",
            "'graph' draws the routes as a Mermaid flowchart; 'compile' writes the router that calls the consumers by "
                    + "workflow_call."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  GITHUB_TOKEN, GH_TOKEN  the token (never a flag); needs actions: write",
            "  GITHUB_REPOSITORY       owner/name whose workflows are started (--repo)",
            "  GITHUB_API_URL          API root (default https://api.github.com)",
            "  GITHUB_EVENT_PATH       the event to route (--event)",
            "  GITHUB_REF_NAME         the ref to run workflows on (--ref)",
            "  GITHUB_WORKSPACE        the checkout: the routes file and the workflows",
            "  GITHUB_OUTPUT           status=routed|unrouted|failed, and dispatched=<the",
            "                          workflows started> (for dedupe release)",
            "  GITHUB_STEP_SUMMARY     a Markdown report is appended to it",
            "  EVENT_LOG               the event log to append to (--log)",
            "  EVENT_BUS_CLAIM         new | resume: the claim step's answer",
            "  EVENT_BUS_DISPATCHED    workflows already dispatched for it: skipped",
            "  EVENT_BUS_ROUTES_DIGEST --plan: the routes the router was compiled from",
            "  EVENT_BUS_HISTORY       true: also append each record to the event history",
            "                          (one request per event; contents: write)",
            "",
            "Requests: one per target (none in log mode), one per event for the",
            "history; for an event processed again, one per 100 runs to find those it",
            "started (a consumer is found by a run-name with $${{ inputs.event_id }}).",
            "",
            "Routes file (default .github/event-routes.yml; its schema is",
            "schemas/event-routes.schema.json, which route enforces):",
            "  mode: log                  # optional: record would-dispatch, send nothing",
            "  routes:",
            "    - event: rfc.chain.broken        # a type, or a glob: rfc.pr.*, \"*\"",
            "      when: {data: {reason: [CI_STUCK]}}     # optional EventBridge pattern",
            "      workflow: cleanup-stalled-prs.yml       # in .github/workflows/",
            "      inputs: {chain_id: data.chain_id, event_id: event_id}",
            "",
            "Example:",
            "  route --event event.json --dry-run",
            "  route --shadow",
            "  route graph >> README.md",
            "  route --plan                       # in the compiled router",
            "  route compile"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every matching workflow was dispatched (or had been already, or is in log mode), or no route matched (or "
                    + "the plan was printed, with --dry-run)",
            "1:GitHub could not be reached or refused a dispatch (the others were still sent), or internal failure",
            "2:invalid input or usage: a bad routes file (the message names its line) or event; nothing was sent"})
class route implements Callable<Integer> {

    @Option(names = "--event", paramLabel = "FILE", description = "the event to route, '-' for stdin (default: $GITHUB_EVENT_PATH)")
    String eventFile;

    @Option(names = "--routes", paramLabel = "FILE", description = "the routes file (default: " + DEFAULT_ROUTES + " of the checkout)")
    Path routesFile;

    @Option(names = "--ref", paramLabel = "REF", description = "branch or tag to run the workflows on (default: $GITHUB_REF_NAME, else the default branch)")
    String ref;

    @Option(names = "--dry-run", description = "print which routes match and what would be dispatched; send nothing, log nothing")
    boolean dryRun;

    @Option(names = "--shadow", description = "log mode for this run, whatever the routes file says: dispatch nothing, and record "
            + "the event as shadowed with the targets that would have been dispatched (would-dispatch)")
    boolean shadow;

    @Option(names = "--repo", paramLabel = "OWNER/NAME", description = "repository whose workflows are started (default: $GITHUB_REPOSITORY)")
    String repo;

    @Option(names = "--plan", description = "the compiled router's step (route compile): decide the matching routes and write "
            + "route-N=<the inputs as JSON> (empty when route N does not match) to $GITHUB_OUTPUT for every route N of the file; "
            + "dispatch nothing: the router's route-N jobs call the consumers (workflow_call). Targets are logged as called")
    boolean plan;

    @Option(names = "--log", paramLabel = "FILE", description = "append one record per event to this event log (default: $EVENT_LOG)")
    Path logFile;

    @Mixin
    Retries retries;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "print stack traces of internal failures")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The process environment; tests replace it. */
    Map<String, String> env = System.getenv();
    private GitHub github;

    static final String VERSION = "route 0.1.0";
    static final String DEFAULT_ROUTES = ".github/event-routes.yml";
    /**
     * An event whose timestamp is older than this when it reaches the router is being processed again
     * (a replay, or GitHub delivering it late or twice): its targets are looked up before they are sent.
     * A first delivery reaches the router within seconds to a couple of minutes, well inside it.
     */
    static final Duration PROCESSED_AGAIN_AFTER = Duration.ofMinutes(10);
    /** Where the replay commands of the job summary point: the catalog name and the replay workflow. */
    static final String CATALOG = "event-bus";
    static final String REPLAY_WORKFLOW = "event-replay.yml";
    static final int REPLAY_ARTIFACTS = 20;
    static final String ALREADY_DISPATCHED = "already-dispatched";
    static final String WOULD_DISPATCH = "would-dispatch";
    /** --plan: the target is called by the compiled router's job route-N in this run (workflow_call). */
    static final String CALLED = "called";
    /** The digest of the routes a compiled router was compiled from: its plan step sets it, and --plan compares. */
    static final String ROUTES_DIGEST_VARIABLE = "EVENT_BUS_ROUTES_DIGEST";

    public static void main(String... args) {
        int exitCode = newCommandLine(new route()).execute(args);
        trainIfRecording(route.class, route::training);
        GitHub.shutdown();
        System.exit(exitCode);
    }

    /** A canned event routed, through a checkout's routes and workflow, to a loopback server (see trainIfRecording). */
    static void training(PrintWriter out) throws IOException {
        Path checkout = Files.createTempDirectory("route-training");
        try {
            Files.createDirectories(checkout.resolve(".github/workflows"));
            Files.writeString(checkout.resolve(DEFAULT_ROUTES), "routes:\n  - event: rfc.pr.*\n    when: {data: {pr: [{numeric: [\">\", 0]}]}}\n"
                    + "    workflow: consumer.yml\n    inputs: {pr: data.pr, event_id: event_id}\n");
            Files.writeString(checkout.resolve(".github/workflows/consumer.yml"), "run-name: PR ${{ inputs.pr }} (${{ inputs.event_id }})\n"
                    + "on:\n  workflow_dispatch:\n    inputs:\n"
                    + "      pr: {required: true}\n      event_id: {required: true}\njobs: {}\n");
            Path event = Files.writeString(checkout.resolve("event.json"), "{\"event_type\":\"rfc.pr.ready\",\"client_payload\":{"
                    + "\"event_id\":\"3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11\",\"source\":\"training\",\"timestamp\":\"" + TIMESTAMP.format(Instant.now()) + "\","
                    + "\"data\":{\"pr\":1,\"checks_status\":\"green\"}}}");
            route command = new route();
            command.env = Map.of("GITHUB_TOKEN", "training", "GITHUB_REPOSITORY", "octo-org/octo-repo", "GITHUB_REF_NAME", "main",
                    "GITHUB_WORKSPACE", checkout.toString(), "EVENT_LOG", checkout.resolve("event_log.jsonl").toString(),
                    "GITHUB_API_URL", loopbackGitHub(200, "{\"workflow_run_id\":1,\"run_url\":\"x\",\"html_url\":\"x\"}"));
            newCommandLine(command).setOut(out).setErr(out).execute("--event", event.toString(), "--routes", checkout.resolve(DEFAULT_ROUTES).toString());
        } finally {
            try (Stream<Path> files = Files.walk(checkout)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        retries.check(spec);
        Claim claim = Claim.fromEnv(env, spec);
        RoutesFile routes = RoutesFile.load(routesPath(routesFile, env), spec);
        if (plan) {
            routes.checkCompiledFrom(env.get(ROUTES_DIGEST_VARIABLE), spec);
        }
        if (repo == null || repo.equalsIgnoreCase(env.getOrDefault("GITHUB_REPOSITORY", ""))) {
            // The checkout holds the workflows of $GITHUB_REPOSITORY, not of another --repo.
            routes.checkAgainstCheckout(workspace(env), spec, env, plan ? WORKFLOW_CALL : WORKFLOW_DISPATCH);
        }
        List<EventInput> events = readEvents();
        // The sender rule, here too: a router that lost its validate step still acts only on the senders allowed.
        if (refuseSenders(events)) {
            return CommandLine.ExitCode.USAGE;
        }
        if (plan && events.size() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--plan decides the routes of one event (the one that started the "
                    + "router), but the input holds " + events.size() + " events");
        }
        if (events.size() > 1 && !claim.dispatched().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "EVENT_BUS_DISPATCHED names the workflows already dispatched for one "
                    + "event, but the input holds " + events.size() + " events: route them one at a time");
        }
        Dispatcher dispatcher = new Dispatcher();
        if (!dryRun && History.enabled(env)) {
            github(); // the history needs the token: a missing or malformed one is exit 2 before anything is sent
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (EventInput event : events) {
            JsonNode document = event.document();
            String sender = event.sender() == null ? null : event.sender().login();
            // In log mode (the route's, the file's, or --shadow) a target is recorded as would-dispatch and never sent.
            List<Target> targets = routes.match(document).stream().map(r -> plan(r, document))
                    .map(t -> t.status() == null && (shadow || t.route().logMode()) ? t.wouldDispatch() : t).toList();
            String again = claim.processedAgain(document, Instant.now());
            if (again != null) {
                targets = targets.stream().map(t -> t.status() == null && claim.dispatched().contains(t.route().workflow())
                        ? t.alreadyDispatched(null, null, null) : t).toList();
            }
            if (plan) {
                // The compiled router's jobs call the targets after this step: no request, no lookup of runs.
                targets = callAll(targets);
            }
            if (dryRun || plan) {
                outcomes.add(new Outcome(document, targets, again, sender));
                continue;
            }
            if (again != null) {
                targets = dispatcher.skipStarted(document, targets);
            }
            outcomes.add(new Outcome(document, dispatcher.dispatchAll(targets), again, sender));
        }
        Report report = new Report(routes);
        if (dryRun) {
            report.printPlan(outcomes);
            return CommandLine.ExitCode.OK;
        }
        report.write(outcomes);
        return outcomes.stream().anyMatch(o -> o.status().equals("failed")) ? CommandLine.ExitCode.SOFTWARE : CommandLine.ExitCode.OK;
    }

    /**
     * What the router's claim step said about the event ($EVENT_BUS_CLAIM: new or resume) and which of its
     * workflows the dedupe store recorded as dispatched ($EVENT_BUS_DISPATCHED, after a failed attempt).
     */
    record Claim(boolean resume, Set<String> dispatched) {
        static Claim fromEnv(Map<String, String> env, CommandSpec spec) {
            String claim = env.getOrDefault("EVENT_BUS_CLAIM", "").strip();
            if (!List.of("", "new", "resume").contains(claim)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "EVENT_BUS_CLAIM must be new or resume (the claim step's "
                        + "answer), not '" + claim + "'");
            }
            Set<String> dispatched = new LinkedHashSet<>();
            for (String item : env.getOrDefault("EVENT_BUS_DISPATCHED", "").split(",")) {
                String workflow = item.strip().replaceFirst("^\\.github/workflows/", "");
                if (workflow.isEmpty()) {
                    continue;
                }
                if (!WORKFLOW.matcher(workflow).matches()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "EVENT_BUS_DISPATCHED must list workflow file names "
                            + "(or ids) separated by commas, not '" + item.strip() + "'");
                }
                dispatched.add(workflow);
            }
            return new Claim(claim.equals("resume"), dispatched);
        }

        /** Why the event is being processed again, or null when this is its first processing. */
        String processedAgain(JsonNode document, Instant now) {
            if (resume) {
                return "EVENT_BUS_CLAIM=resume";
            }
            if (!dispatched.isEmpty()) {
                return "EVENT_BUS_DISPATCHED=" + String.join(",", dispatched);
            }
            Instant emitted = timestamp(document);
            if (emitted != null && emitted.isBefore(now.minus(PROCESSED_AGAIN_AFTER))) {
                return "its timestamp is " + age(Duration.between(emitted, now)) + " old";
            }
            return null;
        }

        private static String age(Duration age) {
            long amount = age.toDays() > 0 ? age.toDays() : age.toHours() > 0 ? age.toHours() : age.toMinutes();
            String unit = age.toDays() > 0 ? "day" : age.toHours() > 0 ? "hour" : "minute";
            return amount + " " + unit + (amount == 1 ? "" : "s");
        }
    }

    /** The envelope's timestamp; null when absent or not RFC 3339 (validate rejects such an event). */
    static Instant timestamp(JsonNode document) {
        return instant(text(document, "/client_payload/timestamp"));
    }

    /** An RFC 3339 time (GitHub's or an envelope's); null when absent or not one. */
    static Instant instant(String text) {
        try {
            return text == null ? null : java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The client for --repo (else $GITHUB_REPOSITORY), made on first use: a missing or malformed token is exit 2. */
    GitHub github() {
        if (github == null) {
            github = GitHub.fromEnv(env, repo, spec, retries.maxAttempts, retries.budget());
        }
        return github;
    }

    // ---- where things are ----------------------------------------------------------------

    /** The checkout: $GITHUB_WORKSPACE inside Actions, else the current directory. */
    static Path workspace(Map<String, String> env) {
        String workspace = env.get("GITHUB_WORKSPACE");
        return workspace == null || workspace.isBlank() ? Path.of("").toAbsolutePath() : Path.of(workspace);
    }

    /**
     * --routes as given; the default is looked up in the checkout, whatever the current directory,
     * and named relative to it when possible, as annotations want (.github/event-routes.yml:12).
     */
    static Path routesPath(Path option, Map<String, String> env) {
        if (option != null) {
            return option;
        }
        Path routes = workspace(env).resolve(DEFAULT_ROUTES).toAbsolutePath();
        Path cwd = Path.of("").toAbsolutePath();
        return routes.startsWith(cwd) ? cwd.relativize(routes) : routes;
    }

    // ---- the event ------------------------------------------------------------------------

    /** Every event in --event (one document, one webhook payload or JSON Lines), all checked before anything is sent. */
    private List<EventInput> readEvents() {
        String path = eventFile != null ? eventFile : env.get("GITHUB_EVENT_PATH");
        if (path == null || path.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no event: pass --event FILE ('-' for stdin) or run in the router workflow, which sets $GITHUB_EVENT_PATH");
        }
        Source source = path.equals("-") ? Source.stdin(spec) : Source.file(Path.of(path), spec);
        List<String> problems = new ArrayList<>();
        List<EventInput> documents = new ArrayList<>();
        EventInput.read(source, input -> {
            String where = input.where() + (input.line() > 0 ? ":" + input.line() : "");
            if (input.parseError() != null) {
                problems.add(where + ": " + Actions.safe(input.parseError()));
            } else if (!input.document().path("event_type").isTextual() || !input.document().path("client_payload").isObject()) {
                problems.add(where + ": not an event: expected {\"event_type\": ..., \"client_payload\": {...}} "
                        + "or a repository_dispatch webhook payload ({\"action\": ..., \"client_payload\": {...}})");
            } else {
                documents.add(input);
            }
        });
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("\n", problems));
        }
        return documents;
    }

    /**
     * The sender rule (validate's rule sender, the same code): when a delivered event's sender is not on
     * EVENT_BUS_SENDERS, or cannot be told, nothing of the input is dispatched or called; each such event
     * is one error line and a rejected record naming its sender (not with --dry-run, which logs nothing).
     * Returns whether any was refused: then the run exits 2.
     */
    private boolean refuseSenders(List<EventInput> events) throws IOException, InterruptedException {
        List<ObjectNode> records = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        for (EventInput event : events) {
            Violation refusal = Senders.refusal(event.sender(), env);
            if (refusal == null) {
                continue;
            }
            Actions.error(err, event.where(), event.line(), "Sender not allowed", "route: " + Actions.safe(text(event.document(), "/event_type") + " "
                    + text(event.document(), "/client_payload/event_id") + ": " + refusal.describe()) + "; nothing dispatched", env);
            records.add(EventLog.record(event.document(), "rejected", env, refusal.describe(), event.sender().login()));
        }
        if (!records.isEmpty() && !dryRun) {
            record(records);
        }
        return !records.isEmpty();
    }

    /** The records to the event log (--log, else $EVENT_LOG) and, with EVENT_BUS_HISTORY=true, to the event history. */
    private void record(List<ObjectNode> records) throws IOException, InterruptedException {
        Path log = logFile != null ? logFile : EventLog.fromEnv(env);
        if (log != null) {
            EventLog.append(log, records);
        }
        if (History.enabled(env)) {
            // One request per event: a record that cannot be appended is a warning, and stays in the event log.
            History.append(github(), records, spec.commandLine().getErr(), env);
        }
    }

    // ---- the plan: inputs from the payload ------------------------------------------------

    /** The dispatch a route asks for; a path missing from the payload fails this target only. */
    private static Target plan(Route route, JsonNode document) {
        JsonNode payload = document.path("client_payload");
        Map<String, String> inputs = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        route.inputs().forEach((name, path) -> {
            JsonNode value = at(payload, path);
            if (value == null && path.equals("trace_id")) {
                // The first event of a chain carries no trace_id: its own event_id is the chain's trace.
                value = at(payload, "event_id");
            }
            if (value == null) {
                missing.add("input '" + name + "': no value at " + path + " in the event's client_payload");
            } else {
                inputs.put(name, inputValue(value));
            }
        });
        return missing.isEmpty() ? Target.planned(route, inputs) : Target.planned(route, inputs).failed(String.join("; ", missing));
    }

    /** A dotted path (data.pr, data.blockers.0) into the payload; null when absent or JSON null. */
    static JsonNode at(JsonNode payload, String path) {
        JsonNode node = payload;
        for (String segment : path.split("\\.")) {
            if (node.isObject()) {
                node = node.get(segment);
            } else if (node.isArray() && segment.matches("\\d{1,9}")) {
                node = node.get(Integer.parseInt(segment));
            } else {
                return null;
            }
            if (node == null || node.isNull()) {
                return null;
            }
        }
        return node;
    }

    /** Workflow inputs are strings: numbers and booleans as their text, objects and arrays as compact JSON. */
    static String inputValue(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /**
     * --plan: every target still planned is called by its route's job in the compiled router, unless a target of
     * the event failed (a path missing from the payload): then none is. All or nothing, because a called consumer
     * cannot be found again the way a dispatched run is (by its title): the routing step fails, the claim is released
     * with nothing called, and a re-run or a replay calls each target once.
     */
    static List<Target> callAll(List<Target> targets) {
        List<String> failed = targets.stream().filter(t -> "failed".equals(t.status()))
                .map(t -> "route " + t.route().number() + " (" + t.route().workflow() + ")").toList();
        return targets.stream().map(t -> t.status() != null ? t : failed.isEmpty() ? t.called()
                : t.failed("not called: " + String.join(", ", failed) + " failed, and the compiled router calls all of an event's "
                        + "routes or none")).toList();
    }

    // ---- the commands that moved to events.java -----------------------------------------------

    /**
     * route stats, route replay and route reconcile are events.java's commands now, with the same options: the old names
     * are kept as one hidden command that says so in one line (exit 2), whatever follows it, instead of picocli's
     * "Unmatched argument". Nothing is read or sent.
     */
    @Command(name = "stats", aliases = {"replay", "reconcile"}, hidden = true, description = "moved to events.java")
    static final class Moved implements Callable<Integer> {
        @ParentCommand
        route parent;

        /** Whatever followed the command's name, --help included: the arguments events.java takes. */
        @Unmatched
        List<String> arguments = new ArrayList<>();

        @Override
        public Integer call() {
            // The name it was called by: the first of its names on the command line (options before it take no such value).
            String name = parent.spec.commandLine().getParseResult().originalArgs().stream()
                    .filter(List.of("stats", "replay", "reconcile")::contains).findFirst().orElse("stats");
            Actions.error(parent.spec.commandLine().getErr(), null, 0, "Command moved", "route " + name + " is now events " + name
                    + ": run events.java " + name + " (jbang events@<catalog> " + name + ") with the same arguments", parent.env);
            return CommandLine.ExitCode.USAGE;
        }
    }

    // ---- sending ---------------------------------------------------------------------------

    /**
     * The router step's part that talks to GitHub about the targets: it dispatches each planned target once
     * (a failure is recorded on its target, and the next one is still sent) and, for an event processed again,
     * finds the targets that already have a run.
     */
    final class Dispatcher {
        /** The runs lookup starts this long before the event's timestamp: the producer's clock may be behind GitHub's. */
        static final Duration CLOCK_MARGIN = Duration.ofMinutes(1);
        /** The runs list returns 100 runs a page at most, and 1,000 in all for a filtered list. */
        static final int RUNS_PER_PAGE = 100;
        static final int MAX_RUN_PAGES = 10;

        /** Set once GitHub answered 400 to return_run_details (older GitHub Enterprise Server): plain requests from then on. */
        private boolean plainDispatch;
        private String resolvedRef;

        /**
         * For an event processed again: targets with a run of the event become already-dispatched. The workflow_dispatch runs
         * created since a minute before its timestamp are listed, 100 a page, until every target is found: a run is the event's
         * when its display_title (the run-name) holds the event_id. A consumer without such a run-name, or a run past the 1,000
         * GitHub lists, is sent again; when the list cannot be read, the targets fail rather than risk a second run.
         */
        List<Target> skipStarted(JsonNode document, List<Target> targets) throws IOException, InterruptedException {
            String eventId = text(document, "/client_payload/event_id");
            if (eventId == null || targets.stream().noneMatch(t -> t.status() == null)) {
                return targets;
            }
            Map<Integer, Target> found = new TreeMap<>();
            try {
                GitHub github = github();
                Instant emitted = timestamp(document);
                String query = "/actions/runs?event=workflow_dispatch" + (emitted == null ? ""
                        : "&created=%3E%3D" + DateTimeFormatter.ISO_INSTANT.format(emitted.minus(CLOCK_MARGIN).truncatedTo(ChronoUnit.SECONDS))
                                .replace(":", "%3A"))
                        + "&per_page=" + RUNS_PER_PAGE;
                for (int page = 1; page <= MAX_RUN_PAGES; page++) {
                    Response list = github.call("GET", github.repoPath(query + (page > 1 ? "&page=" + page : "")), null,
                            "list workflow runs", "actions: read");
                    for (JsonNode run : list.json().path("workflow_runs")) {
                        if (!run.path("display_title").asText("").contains(eventId)) {
                            continue;
                        }
                        String file = run.path("path").asText("").replaceFirst("@.*$", "").replaceFirst("^\\.github/workflows/", "");
                        String workflowId = run.path("workflow_id").asText("");
                        for (int i = 0; i < targets.size(); i++) {
                            Target target = targets.get(i);
                            String workflow = target.route().workflow();
                            if (target.status() == null && !found.containsKey(i) && (workflow.equals(file) || workflow.equals(workflowId))) {
                                JsonNode runId = run.path("id");
                                found.put(i, target.alreadyDispatched(runId.canConvertToLong() ? runId.asLong() : null, text(run, "/html_url"),
                                        instant(text(run, "/created_at"))));
                                break; // one run accounts for one target: two routes to one workflow start it twice
                            }
                        }
                    }
                    boolean allFound = targets.stream().filter(t -> t.status() == null).count() == found.size();
                    if (allFound || list.header("link").filter(link -> link.contains("rel=\"next\"")).isEmpty()) {
                        break;
                    }
                }
            } catch (GitHubException e) {
                String error = "not sent: whether this event already started it could not be checked (" + e.getMessage()
                        + "); replay the event once GitHub answers";
                return targets.stream().map(t -> t.status() == null ? t.failed(error) : t).toList();
            }
            List<Target> result = new ArrayList<>(targets);
            found.forEach(result::set);
            return result;
        }

        /** Every planned target in order; a failure is recorded on its target and the next one is still sent. */
        List<Target> dispatchAll(List<Target> targets) throws IOException, InterruptedException {
            List<Target> done = new ArrayList<>();
            for (Target target : targets) {
                try {
                    done.add(target.status() != null ? target : dispatch(target));
                } catch (GitHubException e) {
                    done.add(target.failed(e.getMessage()));
                }
            }
            return done;
        }

        private Target dispatch(Target target) throws IOException, InterruptedException {
            GitHub github = github();
            String workflow = target.route().workflow();
            ObjectNode body = JSON.createObjectNode();
            body.put("ref", ref(github));
            ObjectNode inputs = body.putObject("inputs");
            target.inputs().forEach(inputs::put);
            if (!plainDispatch) {
                body.put("return_run_details", true);
            }
            String path = github.repoPath("/actions/workflows/" + workflow + "/dispatches");
            Response response = github.exchange("POST", path, body, Map.of());
            if (response.status() == 400 && body.has("return_run_details")) {
                // Older GitHub Enterprise Server refuses the field: send the plain request, and only that from now on.
                body.remove("return_run_details");
                response = github.exchange("POST", path, body, Map.of());
                plainDispatch = response.status() < 400;
            }
            if (response.status() >= 400) {
                return target.failed(response.status() == 404
                        ? "workflow " + workflow + " not found in " + github.repository() + " (" + response.status() + " " + response.message()
                                + "): it must be .github/workflows/" + workflow + " on the default branch with an on: workflow_dispatch "
                                + "trigger, and the token must be able to see the repository"
                        : github.refusal(response, "dispatch workflow " + workflow, "actions: write"));
            }
            // 200 carries the run's id and links; 204 (a plain request) carries nothing.
            JsonNode details = response.json();
            JsonNode runId = details.path("workflow_run_id");
            return target.dispatched(runId.canConvertToLong() ? runId.asLong() : null, text(details, "/html_url"));
        }

        /** --ref, else $GITHUB_REF_NAME, else the repository's default branch: one GET, only when needed. */
        private String ref(GitHub github) throws IOException, InterruptedException {
            if (resolvedRef == null) {
                String given = ref != null ? ref : env.get("GITHUB_REF_NAME");
                resolvedRef = given != null && !given.isBlank() ? given
                        : github.call("GET", github.repoPath(""), null, "read the repository", "metadata: read").json().path("default_branch").asText();
            }
            return resolvedRef;
        }
    }

    // ---- reporting ------------------------------------------------------------------------

    /**
     * What a run of the router step tells: --dry-run's plan on stdout; else one line per target on stdout and
     * one per event on stderr (annotations for failures, with the replay command), then the event log record,
     * the history's copy, the job summary and the step's outputs (status, dispatched, and route-N for --plan).
     */
    final class Report {
        private final RoutesFile routes;

        Report(RoutesFile routes) {
            this.routes = routes;
        }

        /** --dry-run: what would be dispatched (or called, skipped, recorded as would-dispatch), on --ref, else $GITHUB_REF_NAME. */
        void printPlan(List<Outcome> outcomes) {
            PrintWriter out = spec.commandLine().getOut();
            String onRef = ref != null ? ref : env.getOrDefault("GITHUB_REF_NAME", "");
            onRef = onRef.isBlank() ? "the default branch" : onRef;
            for (Outcome outcome : outcomes) {
                String event = Actions.safe(text(outcome.document(), "/event_type")) + " " + Actions.safe(text(outcome.document(), "/client_payload/event_id"));
                if (outcome.targets().isEmpty()) {
                    out.println(event + ": unrouted (no route matches)");
                    continue;
                }
                out.println(event + ": " + outcome.targets().size() + (outcome.targets().size() == 1 ? " route matches" : " routes match")
                        + (outcome.processedAgain() == null ? "" : "; processed again (" + outcome.processedAgain() + "): "
                                + (plan ? "a workflow in EVENT_BUS_DISPATCHED would not be called again"
                                        : "routed now, route would first look up this event's runs and skip a workflow that has one "
                                                + "(a dry run looks nothing up)")));
                for (Target target : outcome.targets()) {
                    String where = "  (" + routes.name() + ":" + target.route().line() + ")";
                    // The inputs are values of the event's payload: shown safely.
                    String inputs = Actions.safe(JSON.valueToTree(target.inputs()).toString());
                    out.println(target.status() == null
                            ? "  dispatch " + target.route().workflow() + " on " + onRef + " with " + inputs + where
                            : target.status().equals(CALLED)
                            ? "  call " + target.route().workflow() + " as job " + target.route().job() + " with " + inputs + where
                            : target.status().equals(WOULD_DISPATCH)
                            ? "  would-dispatch " + target.route().workflow() + " on " + onRef + " with " + inputs
                                    + " (" + (shadow ? "--shadow" : "mode: log") + ": recorded as shadowed, not sent)" + where
                            : target.status().equals(ALREADY_DISPATCHED)
                            ? "  skip " + target.route().workflow() + ": already dispatched (EVENT_BUS_DISPATCHED)" + where
                            : "  would fail " + target.route().workflow() + ": " + Actions.safe(target.error()) + where);
                }
            }
            out.flush();
        }

        /**
         * stdout: one line per dispatched or already-dispatched target (or 'unrouted'); stderr: failures, one
         * line per event (an annotation with the replay command when it failed); then the log, the summary, the output.
         */
        void write(List<Outcome> outcomes) throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            for (Outcome outcome : outcomes) {
                if (outcome.targets().isEmpty()) {
                    out.println("unrouted");
                }
                for (Target target : outcome.targets()) {
                    if (target.status().equals("failed")) {
                        Actions.error(err, routes.name(), target.route().line(), plan ? "Call failed" : "Dispatch failed",
                                target.route().workflow() + ": " + Actions.safe(target.error()), env);
                    } else {
                        out.println(target.status() + " " + target.route().workflow()
                                + (plan ? " (job " + target.route().job() + ")" : "")
                                + (target.runId() != null ? " run " + target.runId() : "") + (target.htmlUrl() != null ? " " + Actions.safe(target.htmlUrl()) : ""));
                    }
                }
                String event = Actions.safe(text(outcome.document(), "/event_type")) + " " + Actions.safe(text(outcome.document(), "/client_payload/event_id"));
                if (plan && outcome.processedAgain() != null && outcome.count(CALLED) > 0) {
                    // Nothing to look for: a consumer called before was a job of an earlier router run, not a run of its own.
                    Actions.warning(err, "Event processed again", "route: " + event + " is processed again (" + outcome.processedAgain()
                            + "): its consumers are called again, except those EVENT_BUS_DISPATCHED names; to retry a called consumer "
                            + "alone, re-run its failed job in the router's run instead", env);
                }
                long dispatched = outcome.count("dispatched") + outcome.count(CALLED);
                long already = outcome.count(ALREADY_DISPATCHED);
                switch (outcome.status()) {
                    case "unrouted" -> err.println("route: " + event + ": no route matches (unrouted)");
                    case "routed" -> err.println("route: " + event + ": " + (plan ? dispatched + " workflow" + (dispatched == 1 ? "" : "s")
                            + " to call (" + (dispatched == 1 ? "job " : "jobs ") + outcome.targets().stream().filter(t -> t.status().equals(CALLED))
                                    .map(t -> t.route().job()).collect(Collectors.joining(", ")) + ")"
                            : "dispatched " + dispatched + " workflow" + (dispatched == 1 ? "" : "s"))
                            + (already > 0 ? ", " + already + " already dispatched (" + outcome.processedAgain() + ")" : "")
                            + (outcome.count(WOULD_DISPATCH) > 0 ? ", " + outcome.count(WOULD_DISPATCH) + " in log mode (not sent)" : ""));
                    case "shadowed" -> err.println("route: " + event + ": shadowed (" + (shadow ? "--shadow" : "mode: log") + "): "
                            + outcome.count(WOULD_DISPATCH) + " workflow" + (outcome.count(WOULD_DISPATCH) == 1 ? "" : "s")
                            + " would be " + (plan ? "called" : "dispatched") + "; nothing was " + (plan ? "called" : "sent"));
                    default -> {
                        List<String> failed = outcome.targets().stream().filter(t -> t.status().equals("failed")).map(t -> t.route().workflow()).toList();
                        Actions.error(err, null, 0, "Event not routed", "route: " + event + ": " + failed.size() + " of " + outcome.targets().size()
                                + " targets failed (" + String.join(", ", failed) + ")" + replayHint(text(outcome.document(), "/client_payload/event_id")), env);
                    }
                }
            }
            out.flush();
            err.flush();
            record(outcomes.stream().map(this::logRecord).toList());
            Actions.appendSummary(summaryMarkdown(outcomes), env);
            // One status for the step, for the rare file of several events: the worst of them.
            Set<String> statuses = outcomes.stream().map(Outcome::status).collect(Collectors.toSet());
            Actions.output("status", statuses.contains("failed") ? "failed" : statuses.contains("routed") ? "routed"
                    : statuses.contains("shadowed") ? "shadowed" : "unrouted", env);
            if (outcomes.size() == 1) {
                // What the dedupe store should remember when the event failed: the workflows it need not send again
                // (not one that two routes start, one of them failed: the lookup tells those runs apart).
                List<Target> targets = outcomes.get(0).targets();
                Set<String> failed = targets.stream().filter(t -> t.status().equals("failed")).map(t -> t.route().workflow()).collect(Collectors.toSet());
                Actions.output("dispatched", targets.stream().filter(t -> !t.status().equals(WOULD_DISPATCH)).map(t -> t.route().workflow())
                        .filter(w -> !failed.contains(w)).distinct().collect(Collectors.joining(",")), env);
            }
            if (plan) {
                // One output per route of the file, in its order: what the compiled router's job route-N reads.
                Map<Integer, Target> called = new HashMap<>();
                outcomes.forEach(o -> o.targets().stream().filter(t -> t.status().equals(CALLED)).forEach(t -> called.put(t.route().number(), t)));
                for (Route route : routes.routes()) {
                    Target target = called.get(route.number());
                    Actions.output(route.job(), target == null ? "" : JSON.writeValueAsString(target.inputs()), env);
                }
            }
        }

        /** How to replay a failed event: the replay workflow's command; none for an id that is no UUID (it would be pasted into a shell). */
        static String replayHint(String eventId) {
            return eventId != null && UUID_TEXT.matcher(eventId).matches() ? "; once the cause is fixed, replay it: " + replayWorkflowCommand(eventId)
                    : "; its event_id is not a UUID, so it cannot be replayed by its id";
        }

        /** A link GitHub gave (a run's html_url) that Markdown can hold as it is. */
        static final Pattern LINK = Pattern.compile("^https?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+$");

        /** The replay workflow, run from anywhere with gh: it replays the event from the router's log artifacts. */
        static String replayWorkflowCommand(String eventId) {
            return "gh workflow run " + REPLAY_WORKFLOW + " -f event_ids=" + eventId;
        }

        /** The event-log record (docs/event-log.md), with one entry per target. */
        private ObjectNode logRecord(Outcome outcome) {
            String error = outcome.targets().stream().filter(t -> t.error() != null)
                    .map(t -> t.route().workflow() + ": " + t.error()).collect(Collectors.joining("; "));
            ObjectNode record = EventLog.record(outcome.document(), outcome.status(), env, error.isEmpty() ? null : error, outcome.sender());
            ArrayNode targets = record.putArray("targets");
            for (Target target : outcome.targets()) {
                targets.addObject()
                        .put("workflow", target.route().workflow())
                        .put("status", target.status())
                        .put("run_id", target.runId())
                        .put("html_url", target.htmlUrl())
                        .put("dispatched_at", target.dispatchedAt() == null ? null : TIMESTAMP.format(target.dispatchedAt()))
                        .put("error", target.error());
            }
            return record;
        }

        private String summaryMarkdown(List<Outcome> outcomes) {
            StringBuilder md = new StringBuilder("### Event routing\n\n");
            if (outcomes.stream().anyMatch(o -> o.count(WOULD_DISPATCH) > 0)) {
                md.append(":eyes: **Shadow mode** (").append(shadow ? "`route --shadow`" : "`mode: log` in " + Actions.cell(routes.name()))
                        .append("): the targets marked *would dispatch* were not sent; the event log records them as `")
                        .append(WOULD_DISPATCH).append("`.\n\n");
            }
            for (Outcome outcome : outcomes) {
                JsonNode doc = outcome.document();
                md.append(switch (outcome.status()) {
                    case "routed" -> ":white_check_mark: ";
                    case "unrouted" -> ":information_source: ";
                    case "shadowed" -> ":eyes: ";
                    default -> ":x: ";
                }).append(Actions.code(text(doc, "/event_type"))).append(" ").append(Actions.code(text(doc, "/client_payload/event_id")))
                        .append(" (trace ").append(Actions.code(Optional.ofNullable(text(doc, "/client_payload/trace_id"))
                                .orElse(text(doc, "/client_payload/event_id")))).append("): ");
                if (outcome.targets().isEmpty()) {
                    md.append("no route matches, unrouted.\n\n");
                    continue;
                }
                md.append(outcome.status()).append(outcome.processedAgain() == null ? "" : ", processed again (" + outcome.processedAgain() + ")")
                        .append("\n\n| Route | Workflow | Inputs | Result |\n|---|---|---|---|\n");
                for (Target target : outcome.targets()) {
                    // Markdown of our own, with every value in it escaped (Actions.cell, Actions.code).
                    String run = target.htmlUrl() == null ? null : LINK.matcher(target.htmlUrl()).matches()
                            ? "[run " + target.runId() + "](" + target.htmlUrl() + ")" : "run " + target.runId() + " " + Actions.cell(target.htmlUrl());
                    String result = switch (target.status()) {
                        case "failed" -> ":x: failed: " + Actions.cell(target.error());
                        case ALREADY_DISPATCHED -> "already dispatched: " + (run != null ? run : "recorded by the dedupe store") + ", not sent again";
                        case WOULD_DISPATCH -> ":eyes: would " + (plan ? "call" : "dispatch") + " (shadow mode: not " + (plan ? "called" : "sent") + ")";
                        case CALLED -> "called by job " + Actions.code(target.route().job()) + " of this run";
                        default -> run != null ? run : "dispatched (this GitHub does not report the run)";
                    };
                    md.append("| ").append(Actions.cell(routes.name() + ":" + target.route().line()))
                            .append(" | ").append(Actions.code(target.route().workflow()))
                            .append(" | ").append(Actions.cell(target.inputs().entrySet().stream()
                                    .map(i -> i.getKey() + "=" + i.getValue()).collect(Collectors.joining(", "))))
                            .append(" | ").append(result).append(" |\n");
                }
                md.append('\n');
            }
            List<Outcome> failed = outcomes.stream().filter(o -> o.status().equals("failed")).toList();
            if (!failed.isEmpty()) {
                md.append("#### Failed events\n\nOnce the cause is fixed, replay each: its targets already dispatched are skipped.\n\n");
                for (Outcome outcome : failed) {
                    String eventId = text(outcome.document(), "/client_payload/event_id");
                    md.append("- ").append(Actions.code(text(outcome.document(), "/event_type"))).append(" ").append(Actions.code(eventId))
                            .append(", failed: ").append(outcome.targets().stream().filter(t -> t.status().equals("failed"))
                                    .map(t -> Actions.code(t.route().workflow())).collect(Collectors.joining(", ")))
                            .append(eventId != null && UUID_TEXT.matcher(eventId).matches()
                                    ? "\n\n  ```sh\n  " + replayWorkflowCommand(eventId) + "\n  jbang events@" + CATALOG
                                            + " replay --from-artifacts " + REPLAY_ARTIFACTS + " --event-id " + eventId + "\n  ```\n"
                                    : "; its event_id is not a UUID, so it cannot be replayed by its id\n");
                }
                md.append('\n');
            }
            return md.toString();
        }
    }

    // ---- the routes file ------------------------------------------------------------------

    /** A rollout mode: dispatch (the default) sends; log records the targets as would-dispatch and sends nothing. */
    static final String MODE_DISPATCH = "dispatch";
    static final String MODE_LOG = "log";
    /** The triggers that start a consumer: by the dispatch router (event-router.yml), by the compiled one (route compile). */
    static final String WORKFLOW_DISPATCH = "workflow_dispatch";
    static final String WORKFLOW_CALL = "workflow_call";
    static final Pattern WORKFLOW = Pattern.compile("^[A-Za-z0-9._-]+\\.ya?ml$|^[0-9]+$");

    /**
     * The routes, checked as a whole against their schema (schemas/event-routes.schema.json, bundled: the RoutesSchema
     * block) and the EventBridge engine: every problem is reported with its line, and none is sent until all are fixed.
     */
    static final class RoutesFile {
        private final String name;
        private final List<Route> routes = new ArrayList<>();
        private final Machine patterns = Machine.builder().build();
        private final List<Map.Entry<Integer, String>> problems = new ArrayList<>();
        private YamlFile yaml;

        private RoutesFile(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        static RoutesFile load(Path file, CommandSpec spec) {
            RoutesFile routesFile = new RoutesFile(file.toString());
            String text;
            try {
                text = YamlFile.text(file, "the routes file " + file, spec);
            } catch (CommandLine.ParameterException e) {
                throw !e.getMessage().endsWith("no such file") ? e
                        : new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + ": pass --routes FILE or write " + DEFAULT_ROUTES);
            }
            routesFile.parse(text);
            routesFile.failOnProblems(spec);
            return routesFile;
        }

        private void parse(String text) {
            yaml = YamlFile.parse(name, text, this::problem, true);
            if (yaml.root() == null) {
                return;
            }
            if (yaml.root().isNull()) {
                problem(1, "empty; expected 'routes:' and a list of routes");
                return;
            }
            checkRoutesSchema(yaml.root(), (pointer, message) -> problem(yaml.line(pointer), message));
            JsonNode list = yaml.root().path("routes");
            for (int i = 0; list.isArray() && i < list.size(); i++) {
                JsonNode when = list.get(i).get("when");
                if (when != null && when.isObject()) {
                    addPattern(i, when);
                }
            }
            if (!problems.isEmpty()) {
                return;
            }
            String fileMode = yaml.root().path("mode").asText(MODE_DISPATCH);
            for (int i = 0; i < list.size(); i++) {
                JsonNode node = list.get(i);
                String pointer = "/routes/" + i;
                String event = node.get("event").asText();
                Map<String, String> inputs = new LinkedHashMap<>();
                Map<String, Integer> inputLines = new LinkedHashMap<>();
                node.path("inputs").properties().forEach(input -> {
                    inputs.put(input.getKey(), input.getValue().asText());
                    inputLines.put(input.getKey(), yaml.line(pointer + "/inputs/" + input.getKey().replace("~", "~0").replace("/", "~1")));
                });
                routes.add(new Route(i, yaml.line(pointer), event, glob(event), node.get("workflow").asText(), yaml.line(pointer + "/workflow"),
                        inputs, inputLines, node.get("when"), node.path("mode").asText(fileMode)));
            }
        }

        /** The route's when, to AWS's engine, which refuses what EventBridge would refuse. */
        private void addPattern(int index, JsonNode when) {
            int line = yaml.line("/routes/" + index + "/when");
            try {
                patterns.addRule(String.valueOf(index), JSON.writeValueAsString(when));
            } catch (JsonProcessingException e) {
                String message = e.getOriginalMessage();
                problem(line, "not a valid EventBridge pattern: " + message
                        + (message.contains("must be an object or an array") ? " (list the values, e.g. reason: [CI_STUCK])" : ""));
            } catch (IOException | RuntimeException e) {
                problem(line, "not a valid EventBridge pattern: " + e.getMessage());
            }
        }

        /** A glob over event types: '*' matches any run of characters, dots included, so '*' alone matches every event. */
        static Pattern glob(String event) {
            return Pattern.compile(Stream.of(event.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
        }

        /**
         * In a checkout (.github/workflows/), each route's workflow must exist, have the trigger that starts it (workflow_dispatch,
         * or workflow_call for --plan), declare every input the route maps, and get every input it requires: what GitHub would
         * refuse with 404 or 422 (ids are not checked). A run-name without the event_id is a warning, once per workflow: a run
         * the event started cannot be found again.
         */
        void checkAgainstCheckout(Path workspace, CommandSpec spec, Map<String, String> env, String trigger) {
            Path workflows = workspace.resolve(".github/workflows");
            if (!Files.isDirectory(workflows)) {
                return;
            }
            Map<String, Boolean> findable = new LinkedHashMap<>();
            for (Route route : routes) {
                String shown = ".github/workflows/" + route.workflow();
                YamlFile file = consumer(route, workflows, shown, "this checkout (" + workspace + ")", trigger, spec);
                if (file == null) {
                    continue;
                }
                JsonNode workflow = file.root();
                checkInputs(route, shown, trigger, trigger(workflow, trigger).path("inputs"));
                // Findable when every route to it passes the event_id in an input that its run-name shows.
                String runName = workflow.path("run-name").asText("");
                boolean shows = route.inputs().entrySet().stream().anyMatch(input -> input.getValue().equals("event_id")
                        && Pattern.compile("\\binputs\\." + Pattern.quote(input.getKey()) + "\\b").matcher(runName).find());
                findable.merge(route.workflow(), shows, Boolean::logicalAnd);
            }
            failOnProblems(spec);
            if (trigger.equals(WORKFLOW_CALL)) {
                return; // a called consumer is a job of the router's run: nobody looks for it by its title
            }
            findable.forEach((workflow, shows) -> {
                if (!shows) {
                    Actions.warning(spec.commandLine().getErr(), "Consumer cannot be found again", ".github/workflows/" + workflow
                            + " has no run-name with ${{ inputs.event_id }}: a re-run cannot find the run it started and could start it again", env);
                }
            });
        }

        /** Every input the route maps is declared under on.TRIGGER.inputs, and every required one without a default is mapped. */
        void checkInputs(Route route, String shown, String trigger, JsonNode declared) {
            route.inputs().keySet().stream().filter(input -> !declared.has(input)).forEach(input -> problem(route.inputLines().get(input),
                    "input '" + input + "' is not declared under on." + trigger + ".inputs in " + shown
                            + (trigger.equals(WORKFLOW_DISPATCH) ? " (GitHub would answer 422 Unexpected inputs)" : "")));
            declared.properties().forEach(input -> {
                boolean required = input.getValue().path("required").asBoolean(false);
                if (required && !input.getValue().has("default") && !route.inputs().containsKey(input.getKey())) {
                    problem(route.workflowLine(), shown + " requires input '" + input.getKey() + "', which this route does not map");
                }
            });
        }

        /** on: TRIGGER | [.., TRIGGER] | {TRIGGER: {inputs: ...}}; null when absent. */
        static JsonNode trigger(JsonNode workflow, String trigger) {
            JsonNode on = workflow.path("on");
            for (JsonNode each : on.isArray() ? on : List.of(on)) {
                if (each.isTextual() && each.asText().equals(trigger)) {
                    return JSON.createObjectNode();
                }
            }
            return on.isObject() && on.has(trigger) ? (on.get(trigger).isObject() ? on.get(trigger) : JSON.createObjectNode()) : null;
        }

        /**
         * --plan in a compiled router: its route-N jobs were compiled from routes with this digest. Other routes (added,
         * removed, reordered, another workflow or other inputs) would send route N's inputs to another route's consumer.
         */
        void checkCompiledFrom(String digest, CommandSpec spec) {
            if (digest != null && !digest.isBlank() && !digest.strip().equals(digest())) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + ": these routes are not the ones the router was compiled "
                        + "from (" + ROUTES_DIGEST_VARIABLE + " " + digest.strip() + ", these routes " + digest() + "): its route-N jobs would "
                        + "call the wrong consumers; regenerate the router with route compile (its header has the command) and commit it");
            }
        }

        /**
         * What a compiled router depends on, as 16 hex digits of SHA-256: each route's position, event, workflow and
         * input names. Not its when or mode: --plan reads those from the routes file at run time.
         */
        String digest() {
            StringBuilder text = new StringBuilder();
            for (Route route : routes) {
                text.append(route.number()).append(' ').append(route.event()).append(' ').append(route.workflow()).append(' ')
                        .append(String.join(",", route.inputs().keySet())).append('\n');
            }
            try {
                byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(hash, 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        List<Route> routes() {
            return List.copyOf(routes);
        }

        /** The routes whose event glob matches the type and whose pattern (if any) matches client_payload, in file order. */
        List<Route> match(JsonNode document) {
            String eventType = text(document, "/event_type");
            Set<String> matchedPatterns = new HashSet<>(patterns.rulesForJSONEvent(document.path("client_payload")));
            return routes.stream()
                    .filter(r -> r.eventPattern().matcher(eventType).matches())
                    .filter(r -> r.when() == null || matchedPatterns.contains(String.valueOf(r.index())))
                    .toList();
        }

        /** event nodes -> workflow nodes, each edge labelled with its route's pattern. */
        String mermaid() {
            Map<String, String> eventIds = new LinkedHashMap<>();
            Map<String, String> workflowIds = new LinkedHashMap<>();
            StringBuilder nodes = new StringBuilder();
            StringBuilder edges = new StringBuilder();
            for (Route route : routes) {
                String event = node(eventIds, "e", route.event(), "([\"%s\"])", nodes);
                String workflow = node(workflowIds, "w", route.workflow(), "[\"%s\"]", nodes);
                // A route in log mode is drawn dotted and says so: nothing is sent along it yet.
                String label = Stream.of(route.logMode() ? "mode: log" : null, route.when() == null ? null : describe(route.when()))
                        .filter(Objects::nonNull).collect(Collectors.joining("; "));
                edges.append("  ").append(event).append(route.logMode() ? " -.->" : " -->")
                        .append(label.isEmpty() ? "" : "|\"" + mermaidText(label) + "\"|")
                        .append(" ").append(workflow).append('\n');
            }
            return "flowchart LR\n" + nodes + edges;
        }

        /** The node's id (prefix and a number), the node declared the first time its text is seen. */
        private static String node(Map<String, String> ids, String prefix, String text, String shape, StringBuilder nodes) {
            return ids.computeIfAbsent(text, t -> {
                nodes.append("  ").append(prefix).append(ids.size() + 1).append(shape.formatted(mermaidText(t))).append('\n');
                return prefix + (ids.size() + 1);
            });
        }

        /** A short reading of an EventBridge pattern: data.reason: PR_CLOSED_CONFLICT or DUPLICATE_PR. */
        static String describe(JsonNode pattern) {
            List<String> parts = new ArrayList<>();
            describe(pattern, "", parts);
            return String.join(", ", parts);
        }

        private static void describe(JsonNode pattern, String prefix, List<String> parts) {
            pattern.properties().forEach(field -> {
                if (field.getKey().equals("$or")) {
                    List<String> alternatives = new ArrayList<>();
                    field.getValue().forEach(alternative -> alternatives.add("(" + describe(alternative) + ")"));
                    parts.add(String.join(" or ", alternatives));
                } else if (field.getValue().isObject()) {
                    describe(field.getValue(), prefix + field.getKey() + ".", parts);
                } else {
                    List<String> values = new ArrayList<>();
                    for (JsonNode value : field.getValue()) {
                        values.add(value.isObject() ? operator(value) : value.asText());
                    }
                    parts.add(prefix + field.getKey() + ": " + String.join(" or ", values));
                }
            });
        }

        /** {"numeric": [">", 0, "<=", 5]} reads as numeric > 0 <= 5; {"prefix": "copilot/"} as prefix copilot/. */
        private static String operator(JsonNode value) {
            List<String> words = new ArrayList<>();
            value.properties().forEach(op -> {
                words.add(op.getKey());
                for (JsonNode operand : op.getValue().isArray() ? op.getValue() : List.of(op.getValue())) {
                    words.add(operand.isObject() ? operator(operand) : operand.asText());
                }
            });
            return String.join(" ", words);
        }

        /** Mermaid labels take entity codes, not backslash escapes. */
        private static String mermaidText(String text) {
            return text.replace("#", "#35;").replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
        }

        /**
         * The route's workflow file in the directory, with the trigger that starts it; null, with a problem on the route's line,
         * when it cannot be started so: a workflow id (not checked offline, and never called), missing, not YAML, no trigger.
         */
        YamlFile consumer(Route route, Path workflows, String shown, String where, String trigger, CommandSpec spec) {
            boolean call = trigger.equals(WORKFLOW_CALL);
            Path path = workflows.resolve(route.workflow());
            YamlFile file = null;
            if (route.workflow().matches("\\d+")) {
                if (call) {
                    problem(route.workflowLine(), "workflow id " + route.workflow() + ": the compiled router calls a workflow by its file "
                            + "(uses: ./.github/workflows/FILE); name the file instead of its id");
                }
            } else if (!Files.isRegularFile(path)) {
                problem(route.workflowLine(), "workflow " + shown + " does not exist in " + where);
            } else {
                try {
                    file = YamlFile.read(path, shown, spec);
                } catch (CommandLine.ParameterException e) {
                    problem(route.workflowLine(), e.getMessage());
                }
            }
            if (file != null && trigger(file.root(), trigger) == null) {
                problem(route.workflowLine(), shown + " has no " + trigger + " trigger (on: " + trigger + (call ? ", with the same inputs as its "
                        + "workflow_dispatch" : "") + "), so " + (call ? "the compiled router cannot call it" : "it cannot be dispatched"));
                return null;
            }
            return file;
        }

        private void problem(int line, String message) {
            problems.add(Map.entry(line, name + (line > 0 ? ":" + line : "") + ": " + message));
        }

        /** Every problem found since the file was loaded (by compile's checks too), at once and in the file's order: exit 2. */
        void failOnProblems(CommandSpec spec) {
            if (!problems.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), problems.stream().sorted(Map.Entry.comparingByKey())
                        .map(Map.Entry::getValue).distinct().collect(Collectors.joining("\n")));
            }
        }
    }

    // ---- route graph: the routes as a flowchart ----------------------------------------------

    @Command(name = "graph", mixinStandardHelpOptions = true, version = VERSION,
            description = {
                "Prints the routes as a Mermaid flowchart: event types on the left, workflows on the right, "
                        + "each edge labelled with its 'when' pattern.",
                "It is also appended to $GITHUB_STEP_SUMMARY, fenced as ```mermaid, when that is set."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:printed", "1:internal failure", "2:a bad routes file (the message names its line)"})
    static final class Graph implements Callable<Integer> {
        @ParentCommand
        route parent;

        @Option(names = "--routes", paramLabel = "FILE", description = "the routes file (default: " + DEFAULT_ROUTES + " of the checkout)")
        Path routesFile;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            String mermaid = RoutesFile.load(routesPath(routesFile, parent.env), spec).mermaid();
            PrintWriter out = spec.commandLine().getOut();
            out.print(mermaid);
            out.flush();
            Actions.appendSummary("### Event routes\n\n```mermaid\n" + mermaid + "```\n", parent.env);
            return CommandLine.ExitCode.OK;
        }
    }

    // ---- route compile: the router that calls the consumers by workflow_call ---------------------

    /** GitHub: one workflow file calls at most 20 unique reusable workflows, the trees of nested ones included. */
    static final int MAX_REUSABLE_WORKFLOWS = 20;
    static final String DEFAULT_ROUTER = "event-router.yml";
    static final String DEFAULT_COMPILED = "event-router-call.yml";
    /**
     * A run: that starts route (route@org, route.java) for an event, not one of its subcommands, nor a step of a router
     * written before stats, replay and reconcile moved to events.java (route@org stats).
     */
    static final Pattern ROUTE_CALL = Pattern.compile("(?<![\\w.-])route(?:@[^\\s\"']*+|\\.java)[\"']?+(?!\\s+(?:stats|replay|reconcile|graph|compile)\\b)");
    static final List<String> PERMISSION_LEVELS = List.of("none", "read", "write");

    @Command(name = "compile", mixinStandardHelpOptions = true, version = VERSION,
            description = {
                "Writes the router for workflow_call: one run per event, whose first job, plan, runs the dispatch router's "
                        + "steps (validate, claim, 'route --plan': route-N=<route N's inputs as JSON> when it matches, else empty), "
                        + "then one job per route, route-N, calling its consumer (a workflow of the same "
                        + "directory) when its output is set. No workflow_dispatch, no actions: write; the consumers' logs are in the router's run.",
                "The consumers (the workflows directory next to the routes file) need on: workflow_call with the same inputs "
                        + "as their workflow_dispatch (type: string) and declared permissions: each route-N job is given what its "
                        + "consumer declares, the plan job the dispatch router's without actions: write, each with a comment "
                        + "saying why. The repository_dispatch types are those the routes match, globs expanded against the "
                        + "known event types (the bundled schemas, docs/events/schema/).",
                "GitHub's limits: one workflow file calls at most " + MAX_REUSABLE_WORKFLOWS + " unique reusable workflows, "
                        + "nested ones included, and workflows nest at most 10 deep (4 on GitHub Enterprise Server; the router "
                        + "and its consumers are 2). The same files give the same bytes: regenerate after changing the routes, "
                        + "the dispatch router or a consumer (the file's header has the command); --check says whether it is "
                        + "in step (CI)."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  GITHUB_WORKSPACE        the checkout, where .github/event-routes.yml is",
                "                          (default: the current directory), and the root",
                "                          the header names files from (default: the git",
                "                          work tree around the current directory)",
                "  EVENT_SCHEMAS           a directory of schemas: more event types",
                "",
                "Example:",
                "  route compile     # writes .github/workflows/event-router-call.yml",
                "  route compile --routes event-routes.yml \\",
                "      --router workflows/event-router.yml \\",
                "      --output workflows/event-router-call.yml"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:written (--check: the file is in step)",
                "1:the output could not be written (--check: the file is missing or out of step), or internal failure",
                "2:bad usage or input: a route the compiled router cannot have (the message names the routes file's line), "
                        + "a consumer it cannot call, or a router it cannot use as the plan job's template; nothing was written"})
    static final class Compile implements Callable<Integer> {
        @ParentCommand
        route parent;

        @Option(names = "--routes", paramLabel = "FILE", description = "the routes file (default: " + DEFAULT_ROUTES + " of the checkout)")
        Path routesFile;

        @Option(names = "--router", paramLabel = "FILE", description = "the dispatch router whose steps the plan job runs (default: "
                + DEFAULT_ROUTER + " in the workflows directory next to the routes file)")
        Path routerFile;

        @Option(names = "--output", paramLabel = "FILE", description = "the file to write, '-' for stdout (default: " + DEFAULT_COMPILED
                + " in the workflows directory next to the routes file)")
        String output;

        @Option(names = "--check", description = "write nothing: exit 0 when the output file holds what compile would write, 1 when it "
                + "is missing or out of step with the routes, the dispatch router or the consumers (for CI)")
        boolean check;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Map<String, String> env = parent.env;
            boolean toStdout = "-".equals(output);
            if (check && toStdout) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--check compares the file that --output names with what "
                        + "compile would write: give it a file, not '-'");
            }
            Path routesPath = routesPath(routesFile, env);
            RoutesFile routes = RoutesFile.load(routesPath, spec);
            Path workflows = workflowsNextTo(routesPath, env, spec);
            Path router = routerFile != null ? routerFile : workflows.resolve(DEFAULT_ROUTER);
            Path written = output == null || toStdout ? workflows.resolve(DEFAULT_COMPILED) : Path.of(output);
            Path root = repositoryRoot(env);
            String shownWritten = shown(root, written);
            String command = (Files.isRegularFile(root.resolve("route.java")) ? "./jbang route.java" : "jbang route@" + CATALOG)
                    + " compile --routes " + shown(root, routesPath) + " --router " + shown(root, router) + " --output " + shownWritten;
            Compiler compiler = new Compiler(routes, workflows, spec);
            String yaml = compiler.compile(YamlFile.read(router, shown(root, router), spec), knownEventTypes(env, spec),
                    shown(root, routesPath), shown(root, router), command);
            PrintWriter err = spec.commandLine().getErr();
            compiler.warnings.forEach(warning -> Actions.warning(err, "route compile", warning, env));
            if (check && !(Files.isRegularFile(written) && Files.readString(written).equals(yaml))) {
                Actions.error(err, shownWritten, 0, "Compiled router out of step", shownWritten + (Files.exists(written)
                        ? " is out of step with" : " is missing, though compiled from") + " the routes, the dispatch router and the "
                        + "consumers: regenerate it (" + command + ") and commit it", env);
                return CommandLine.ExitCode.SOFTWARE;
            }
            if (toStdout) {
                spec.commandLine().getOut().print(yaml);
                spec.commandLine().getOut().flush();
            } else if (!check) {
                Path parentDirectory = written.toAbsolutePath().getParent();
                if (parentDirectory != null) {
                    Files.createDirectories(parentDirectory);
                }
                Files.writeString(written, yaml);
            }
            err.println((check ? "route compile --check: " + shownWritten + " is in step" : "route compile: "
                    + (toStdout ? "printed the router for " : "wrote ") + shownWritten) + ": " + compiler.summary());
            err.flush();
            return CommandLine.ExitCode.OK;
        }

        /**
         * The consumers' directory: workflows/ beside the routes file (.github/workflows/ for .github/event-routes.yml,
         * workflows/ for this repository's event-routes.yml), else the checkout's .github/workflows/.
         */
        static Path workflowsNextTo(Path routes, Map<String, String> env, CommandSpec spec) {
            Path parentDirectory = routes.toAbsolutePath().normalize().getParent();
            Path beside = parentDirectory == null ? null : parentDirectory.resolve("workflows");
            if (beside != null && Files.isDirectory(beside)) {
                return beside;
            }
            Path checkout = workspace(env).resolve(".github/workflows");
            if (Files.isDirectory(checkout)) {
                return checkout;
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "no workflows directory next to " + routes + " (" + beside
                    + ") nor in the checkout (" + checkout + "): compile reads the consumers and the dispatch router from there");
        }

        /**
         * The event types validate knows, which the router subscribes to: those of the bundled RFC schemas, of the
         * repository's docs/events/schema/ (in the git work tree around the current directory) and of $EVENT_SCHEMAS; a
         * type is a file events/TYPE.schema.json, and its name is all compile needs (validate checks the schemas).
         */
        static List<String> knownEventTypes(Map<String, String> env, CommandSpec spec) throws IOException {
            Set<String> names = new TreeSet<>(BUNDLED_SCHEMAS.keySet());
            List<Path> layers = new ArrayList<>(List.of(repositoryRoot(Map.of()).resolve("docs/events/schema")));
            String fromEnv = env.getOrDefault("EVENT_SCHEMAS", "");
            if (!fromEnv.isBlank()) {
                if (!Files.isDirectory(Path.of(fromEnv))) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "$EVENT_SCHEMAS: no such directory: " + fromEnv);
                }
                layers.add(Path.of(fromEnv));
            }
            for (Path events : layers.stream().map(layer -> layer.resolve("events")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(events)) {
                    files.forEach(file -> names.add("events/" + file.getFileName()));
                }
            }
            return names.stream().filter(name -> name.startsWith("events/") && name.endsWith(".schema.json"))
                    .map(name -> name.substring("events/".length(), name.length() - ".schema.json".length())).toList();
        }

        /** $GITHUB_WORKSPACE, else the git work tree around the current directory, else the current directory. */
        static Path repositoryRoot(Map<String, String> env) {
            String workspace = env.get("GITHUB_WORKSPACE");
            if (workspace != null && !workspace.isBlank()) {
                return Path.of(workspace).toAbsolutePath().normalize();
            }
            Path cwd = Path.of("").toAbsolutePath();
            for (Path dir = cwd; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(".git"))) {
                    return dir;
                }
            }
            return cwd;
        }

        /** A file as the header names it: from the repository's root when inside it, so the bytes do not depend on where it is checked out. */
        static String shown(Path root, Path file) {
            Path absolute = file.toAbsolutePath().normalize();
            return (absolute.startsWith(root) ? root.relativize(absolute) : absolute).toString().replace('\\', '/');
        }
    }

    /**
     * The compiled router, written from the dispatch router's text so that what it keeps (run-name, env, steps, pins, comments)
     * stays as written; only what compile owns is written anew (header, name, on, permissions, the plan job's permissions and
     * outputs, the route step's --plan and digest, the route-N jobs). The result is read back to check it.
     */
    static final class Compiler {
        record Grant(String level, String reason) {
        }

        /** A consumer as compile needs it: what it declares, and what it calls itself. */
        record Consumer(JsonNode callInputs, Map<String, Grant> permissions, List<String> nested) {
        }

        /** A key of a YAML mapping in the text: its lines [start, end), the leading comment lines from start, the key's line. */
        record Entry(String key, int start, int keyLine, int end, boolean blankBefore) {
        }

        /** The dispatch router's step that runs route for the event: its job, its index among the job's steps, its id. */
        record RouteStep(String job, int index, String id) {
        }

        private final RoutesFile routes;
        private final Path workflows;
        private final CommandSpec spec;
        private final Map<String, Consumer> consumers = new LinkedHashMap<>();
        private final Set<String> reusable = new LinkedHashSet<>();
        final List<String> warnings = new ArrayList<>();
        private List<String> types = List.of();
        /** The dispatch router, and its indent unit: the text the compiled router is written from. */
        private YamlFile template;
        private int unit;

        Compiler(RoutesFile routes, Path workflows, CommandSpec spec) {
            this.routes = routes;
            this.workflows = workflows;
            this.spec = spec;
        }

        String summary() {
            int count = routes.routes().size();
            return count + (count == 1 ? " route" : " routes") + " calling " + consumers.size() + (consumers.size() == 1 ? " consumer" : " consumers")
                    + " (" + reusable.size() + " of the " + MAX_REUSABLE_WORKFLOWS + " unique reusable workflows GitHub allows in one file), "
                    + types.size() + (types.size() == 1 ? " event type" : " event types");
        }

        String compile(YamlFile template, List<String> knownTypes, String routesName, String routerName, String command) {
            checkRoutes();
            types = eventTypes(knownTypes);
            if (types.isEmpty()) {
                routes.problem(routes.routes().isEmpty() ? 1 : routes.routes().get(0).line(), (routes.routes().isEmpty() ? "no routes"
                        : "the routes match no known event type (" + String.join(", ", knownTypes) + ")") + ": the compiled router would never start");
            }
            routes.failOnProblems(spec);
            this.template = template;
            String yaml = render(routesName, routerName, command);
            checkReadBack(yaml);
            return yaml;
        }

        // ---- the routes and their consumers ----

        /** Every route must be callable: a file with on: workflow_call, the same inputs as its workflow_dispatch, permissions declared. */
        private void checkRoutes() {
            Map<String, Boolean> readable = new HashMap<>();
            for (Route route : routes.routes()) {
                String shown = route.workflow();
                if (!readable.containsKey(shown) || route.workflow().matches("\\d+")) {
                    readable.put(shown, readConsumer(route));
                }
                Consumer consumer = consumers.get(shown);
                if (!readable.get(shown) || consumer == null) {
                    continue;
                }
                routes.checkInputs(route, shown, WORKFLOW_CALL, consumer.callInputs());
                int before = reusable.size();
                reusable.add("./.github/workflows/" + shown);
                reusable.addAll(consumer.nested());
                if (reusable.size() > MAX_REUSABLE_WORKFLOWS && before <= MAX_REUSABLE_WORKFLOWS) {
                    routes.problem(route.workflowLine(), "with " + shown + (consumer.nested().isEmpty() ? "" : " and the reusable workflows it calls ("
                            + String.join(", ", consumer.nested()) + ")") + ", the compiled router would call " + reusable.size()
                            + " unique reusable workflows; GitHub allows at most " + MAX_REUSABLE_WORKFLOWS + " in one workflow file, the "
                            + "ones they call included: route the others by workflow_dispatch (event-router.yml)");
                }
            }
        }

        /** Reads and checks one consumer file; false (with a problem on the route's line) when it cannot be called. */
        private boolean readConsumer(Route route) {
            String shown = route.workflow();
            int line = route.workflowLine();
            YamlFile consumer = routes.consumer(route, workflows, shown, workflows.toString(), WORKFLOW_CALL, spec);
            if (consumer == null) {
                return false;
            }
            JsonNode call = RoutesFile.trigger(consumer.root(), WORKFLOW_CALL);
            boolean ok = true;
            JsonNode callInputs = call.path("inputs");
            JsonNode dispatch = RoutesFile.trigger(consumer.root(), WORKFLOW_DISPATCH);
            String differ = dispatch == null ? null : inputsDiffer(callInputs, dispatch.path("inputs"));
            if (differ != null) {
                routes.problem(line, shown + " declares different inputs under on.workflow_call and on.workflow_dispatch (" + differ
                        + "): declare the same, so that either router can start it");
                ok = false;
            }
            for (var input : callInputs.properties()) {
                String type = input.getValue().path("type").asText("");
                if (!type.equals("string")) {
                    routes.problem(line, shown + ": input '" + input.getKey() + "' of on.workflow_call is " + (type.isEmpty() ? "of no type"
                            : "type: " + type) + "; the compiled router passes strings, as a workflow_dispatch does: declare type: string");
                    ok = false;
                }
            }
            Map<String, Grant> permissions = permissions(consumer, route);
            if (permissions == null) {
                return false;
            }
            List<String> nested = consumer.root().path("jobs").properties().stream().map(job -> job.getValue().path("uses"))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).distinct().toList();
            consumers.put(shown, new Consumer(callInputs, permissions, nested));
            return ok;
        }

        /** How two inputs declarations differ (names, required, default), or null when they do not. */
        static String inputsDiffer(JsonNode call, JsonNode dispatch) {
            List<String> differences = new ArrayList<>();
            call.properties().stream().map(Map.Entry::getKey).filter(n -> !dispatch.has(n))
                    .forEach(n -> differences.add("'" + n + "' only under workflow_call"));
            dispatch.properties().stream().map(Map.Entry::getKey).filter(n -> !call.has(n))
                    .forEach(n -> differences.add("'" + n + "' only under workflow_dispatch"));
            for (String name : call.properties().stream().map(Map.Entry::getKey).filter(dispatch::has).toList()) {
                for (String key : List.of("required", "default")) {
                    JsonNode a = call.path(name).path(key);
                    JsonNode b = dispatch.path(name).path(key);
                    boolean same = key.equals("required") ? a.asBoolean(false) == b.asBoolean(false) : a.asText("").equals(b.asText(""))
                            && a.isMissingNode() == b.isMissingNode();
                    if (!same) {
                        differences.add("'" + name + "' " + key + " " + (a.isMissingNode() ? "unset" : a.asText()) + " under workflow_call, "
                                + (b.isMissingNode() ? "unset" : b.asText()) + " under workflow_dispatch");
                    }
                }
            }
            return differences.isEmpty() ? null : String.join("; ", differences);
        }

        /**
         * What the consumer's jobs may do, scope by scope: the highest level any of its jobs declares (a job without
         * permissions of its own has the workflow's), and the workflow's own; null (with a problem) when a job has
         * none at all, or says read-all or write-all, since compile grants exactly the scopes named.
         */
        private Map<String, Grant> permissions(YamlFile consumer, Route route) {
            Map<String, Grant> grants = new TreeMap<>();
            JsonNode top = consumer.root().get("permissions");
            List<String> problems = new ArrayList<>();
            if (top != null) {
                grant(grants, top, consumer, "/permissions", consumer.name() + " (workflow)", problems);
            }
            consumer.root().path("jobs").properties().forEach(job -> {
                JsonNode own = job.getValue().get("permissions");
                if (own != null) {
                    String pointer = "/jobs/" + job.getKey().replace("~", "~0").replace("/", "~1") + "/permissions";
                    grant(grants, own, consumer, pointer, consumer.name() + ", job " + job.getKey(), problems);
                } else if (top == null) {
                    problems.add("job " + job.getKey() + " declares no permissions, nor does the workflow; a called workflow gets at "
                            + "most its caller's, and compile gives each route-N job what its consumer declares: declare them (permissions:)");
                }
            });
            problems.forEach(p -> routes.problem(route.workflowLine(), consumer.name() + ": " + p));
            return problems.isEmpty() ? grants : null;
        }

        private static void grant(Map<String, Grant> grants, JsonNode permissions, YamlFile file, String pointer, String who, List<String> problems) {
            if (!permissions.isObject()) {
                if (!permissions.isNull()) {
                    problems.add("permissions: " + permissions.asText() + " at line " + file.lineOf().getOrDefault(pointer, 0)
                            + "; compile grants each consumer the scopes it names: write them out (contents: read, issues: write ...)");
                }
                return;
            }
            permissions.properties().forEach(scope -> {
                String level = scope.getValue().asText("");
                if (!PERMISSION_LEVELS.contains(level)) {
                    problems.add("permissions: " + scope.getKey() + ": " + level + " is not read, write or none");
                    return;
                }
                String comment = file.comment(pointer + "/" + scope.getKey());
                Grant current = grants.get(scope.getKey());
                if (current == null || PERMISSION_LEVELS.indexOf(level) > PERMISSION_LEVELS.indexOf(current.level())) {
                    grants.put(scope.getKey(), new Grant(level, who + (comment == null ? "" : ": " + comment)));
                }
            });
        }

        /** The types to subscribe to: each route's type, or its glob's known types, in route order; a warning for those that can never match. */
        private List<String> eventTypes(List<String> known) {
            Set<String> types = new LinkedHashSet<>();
            for (Route route : routes.routes()) {
                if (!route.event().contains("*")) {
                    types.add(route.event());
                    if (!known.contains(route.event())) {
                        warnings.add(routes.name() + ":" + route.line() + ": no schema for the event type " + route.event()
                                + ": validate rejects such events before they are routed (add docs/events/schema/events/" + route.event()
                                + ".schema.json)");
                    }
                    continue;
                }
                List<String> matching = known.stream().filter(t -> route.eventPattern().matcher(t).matches()).sorted().toList();
                if (matching.isEmpty()) {
                    warnings.add(routes.name() + ":" + route.line() + ": the glob " + route.event() + " matches none of the known event types ("
                            + String.join(", ", known) + "): the compiled router is not started for it");
                }
                types.addAll(matching);
            }
            return List.copyOf(types);
        }

        // ---- the text ----

        private String render(String routesName, String routerName, String command) {
            JsonNode root = template.root();
            if (!root.path("on").has("repository_dispatch")) {
                throw new CommandLine.ParameterException(spec.commandLine(), template.name() + " is not a dispatch router: it has no on: "
                        + "repository_dispatch trigger; pass the router compile takes the plan job's steps from with --router FILE");
            }
            RouteStep step = routeStep();
            List<String> lines = template.lines();
            List<Entry> top = entries(lines, 0, lines.size(), 0);
            Entry jobs = top.stream().filter(e -> e.key().equals("jobs")).findFirst().orElseThrow(() -> refused("no jobs: at the top level"));
            unit = indentAfter(lines, jobs.keyLine(), jobs.end());
            List<String> out = new ArrayList<>(header(routesName, routerName, command));
            boolean permissionsWritten = false;
            for (Entry entry : top) {
                List<String> section = switch (entry.key()) {
                    case "name" -> List.of("name: " + scalar(root.path("name").asText("Event router") + " (workflow_call)"));
                    case "on" -> on();
                    case "permissions" -> WORKFLOW_PERMISSIONS;
                    case "jobs" -> jobs(jobs, step);
                    default -> lines.subList(entry.start(), entry.end());
                };
                if (entry.key().equals("jobs") && !permissionsWritten) {
                    out.add("");
                    out.addAll(WORKFLOW_PERMISSIONS);
                }
                permissionsWritten |= entry.key().equals("permissions");
                if (entry.blankBefore() && !entry.key().equals("name")) {
                    out.add("");
                }
                out.addAll(section);
            }
            return String.join("\n", out) + "\n";
        }

        private static List<String> header(String routesName, String routerName, String command) {
            List<String> header = new ArrayList<>(comment("Generated by `route compile` from the routes in " + routesName + ", the "
                    + "dispatch router " + routerName + " (whose steps the plan job runs) and the consumers' workflow files: do not edit. "
                    + "Regenerate it after changing any of them, at the root of the repository:", ""));
            header.add("#   " + command);
            header.add("#");
            header.addAll(comment("The router by workflow_call: every event-bus event arrives here as a repository_dispatch. The plan "
                    + "job validates it, claims it (a duplicate stops there) and runs `route --plan`, which writes one output per "
                    + "route: route-N, the inputs of route N as JSON when it matches the event, empty when not. Each route-N job "
                    + "then calls its consumer with those inputs, as a job of this run: no workflow_dispatch, no actions: write, "
                    + "the consumers' logs in this run. No route-N job passes a secret (the consumers use only GITHUB_TOKEN, "
                    + "which every job has) or more permissions than its consumer declares. Use it instead of the dispatch "
                    + "router, not beside it (docs/routes.md compares the two).", ""));
            return header;
        }

        /** Text as comment lines of at most 100 characters, at this indent. */
        static List<String> comment(String text, String indent) {
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder(indent + "#");
            for (String word : text.split(" ")) {
                if (line.length() + 1 + word.length() > 100 && line.length() > indent.length() + 1) {
                    lines.add(line.toString());
                    line = new StringBuilder(indent + "#");
                }
                line.append(' ').append(word);
            }
            lines.add(line.toString());
            return lines;
        }

        /** Indentation of this many levels of the template's unit. */
        private String pad(int levels) {
            return " ".repeat(levels * unit);
        }

        private List<String> on() {
            List<String> on = new ArrayList<>();
            on.add("on:");
            on.add(pad(1) + "repository_dispatch:");
            on.add(pad(2) + "# The event types the routes match (globs expanded against the known event types).");
            on.add(pad(2) + "types:");
            types.forEach(type -> on.add(pad(3) + "- " + type));
            return on;
        }

        private static final List<String> WORKFLOW_PERMISSIONS = List.of(
                "# None for the workflow as a whole: each job is given what it needs, and a called consumer gets at most",
                "# what its route-N job is given.",
                "permissions: {}");

        /** The jobs: the routing job as the plan job, the template's other jobs as they are, then one route-N job per route. */
        private List<String> jobs(Entry jobsEntry, RouteStep step) {
            List<String> lines = template.lines();
            List<String> out = new ArrayList<>(lines.subList(jobsEntry.start(), jobsEntry.keyLine() + 1));
            for (Entry job : entries(lines, jobsEntry.keyLine() + 1, jobsEntry.end(), unit)) {
                if (job.blankBefore()) {
                    out.add("");
                }
                out.addAll(job.key().equals(step.job()) ? planJob(job, step) : lines.subList(job.start(), job.end()));
            }
            for (Route route : routes.routes()) {
                out.add("");
                out.addAll(routeJob(route));
            }
            return out;
        }

        private List<String> planJob(Entry job, RouteStep step) {
            List<String> lines = template.lines();
            List<String> out = new ArrayList<>(lines.subList(job.start(), job.end()));
            int offset = job.start();
            int body = indentAfter(lines, job.keyLine(), job.end());
            List<Entry> keys = entries(lines, job.keyLine() + 1, job.end(), body);
            if (keys.stream().anyMatch(k -> k.key().equals("outputs"))) {
                throw refused("the job " + job.key() + " has outputs: compile writes the plan job's outputs (route-1 ...); use a "
                        + "router whose routing job has none");
            }
            Entry steps = keys.stream().filter(k -> k.key().equals("steps")).findFirst()
                    .orElseThrow(() -> refused("the job " + job.key() + " has no steps:"));
            // The route step: --plan, and the digest of the routes the jobs below are compiled from.
            int itemIndent = indentAfter(lines, steps.keyLine(), steps.end());
            List<Integer> items = new ArrayList<>();
            for (int i = steps.keyLine() + 1; i < steps.end(); i++) {
                if (isContent(lines.get(i)) && indent(lines.get(i)) == itemIndent && lines.get(i).strip().startsWith("-")) {
                    items.add(i);
                }
            }
            if (step.index() >= items.size()) {
                throw refused("cannot find the steps of the job " + job.key() + " in its text (write them as a block list)");
            }
            int itemStart = items.get(step.index());
            int itemEnd = step.index() + 1 < items.size() ? items.get(step.index() + 1) : steps.end();
            while (itemEnd > itemStart + 1 && !isContent(lines.get(itemEnd - 1))) {
                itemEnd--;
            }
            String item = lines.get(itemStart);
            int keyIndent = itemIndent + 1 + (item.strip().length() - item.strip().substring(1).stripLeading().length() - 1);
            boolean planned = false;
            Integer envLine = null;
            for (int i = itemStart; i < itemEnd; i++) {
                String line = lines.get(i);
                String key = i == itemStart ? line.strip().substring(1).stripLeading() : indent(line) == keyIndent ? line.strip() : "";
                if (key.startsWith("run:") && !planned) {
                    String value = key.substring(4).strip();
                    if (!value.isEmpty() && !value.startsWith("|") && !value.startsWith(">")) {
                        planned = addPlan(out, i - offset);
                    } else {
                        for (int j = i + 1; j < itemEnd && !planned; j++) {
                            planned = indent(lines.get(j)) > keyIndent && addPlan(out, j - offset);
                        }
                    }
                }
                if (key.matches("env:\\s*(#.*)?")) {
                    envLine = i;
                }
            }
            if (!planned) {
                throw refused("cannot find route in the run: text of the step " + step.id() + " (" + ROUTE_CALL.pattern() + ")");
            }
            if (envLine != null && !(envLine + 1 < itemEnd && indent(lines.get(envLine + 1)) > keyIndent)) {
                throw refused("the env: of the step " + step.id() + " is not a block mapping");
            }
            // Into the step's env: (written when it has none): the digest of the routes.
            int envIndent = envLine != null ? indentAfter(lines, envLine, itemEnd) : keyIndent + unit;
            List<String> insert = new ArrayList<>(List.of(
                    " ".repeat(envIndent) + "# The routes the route-N jobs were compiled from: route --plan refuses others.",
                    " ".repeat(envIndent) + ROUTES_DIGEST_VARIABLE + ": \"" + routes.digest() + "\""));
            if (envLine == null) {
                insert.add(0, " ".repeat(keyIndent) + "env:");
            }
            int insertAt = (envLine != null ? envLine + 1 : itemEnd) - offset;
            // The job's own permissions, if any, are replaced; the plan job's permissions and outputs follow its key.
            // They may stand before or after the steps: when before, the lines of the step move up with their removal.
            Optional<Entry> ownPermissions = keys.stream().filter(k -> k.key().equals("permissions")).findFirst();
            if (ownPermissions.isPresent()) {
                Entry permissions = ownPermissions.get();
                out.subList(permissions.start() - offset, permissions.end() - offset).clear();
                insertAt -= permissions.start() - offset < insertAt ? permissions.end() - permissions.start() : 0;
            }
            out.addAll(insertAt, insert);
            boolean own = template.root().path("jobs").path(job.key()).has("permissions");
            String basePointer = own ? "/jobs/" + job.key() + "/permissions" : "/permissions";
            JsonNode base = own ? template.root().path("jobs").path(job.key()).get("permissions") : template.root().path("permissions");
            Map<String, Grant> grants = new TreeMap<>();
            if (base.isObject()) {
                base.properties().stream().filter(scope -> !(scope.getKey().equals("actions") && scope.getValue().asText().equals("write")))
                        .forEach(scope -> grants.put(scope.getKey(), new Grant(scope.getValue().asText(),
                                template.comment(basePointer + "/" + scope.getKey()))));
            } else if (!base.isMissingNode() && !base.isNull()) {
                throw refused("permissions: " + base.asText() + "; compile needs the router's permissions written out scope by scope");
            }
            List<String> head = new ArrayList<>();
            head.add(" ".repeat(body) + "# The dispatch router's permissions without actions: write: nothing is dispatched.");
            head.addAll(permissionLines(grants, body));
            head.add(" ".repeat(body) + "# route-N: the inputs of route N as JSON when it matches the event, empty when not.");
            head.add(" ".repeat(body) + "outputs:");
            routes.routes().forEach(route -> head.add(" ".repeat(body + unit) + route.job() + ": ${{ steps." + step.id() + ".outputs."
                    + route.job() + " }}"));
            int keyAt = job.keyLine() - offset;
            out.addAll(keyAt + 1, head);
            out.set(keyAt, out.get(keyAt).replaceFirst("^(\\s*)" + Pattern.quote(job.key()) + "(\\s*:)", "$1plan$2"));
            return out;
        }

        /** --plan after the route call on this line of out; false when the line has none. */
        private static boolean addPlan(List<String> out, int index) {
            String line = out.get(index);
            if (line.contains("--plan")) {
                return true;
            }
            Matcher matcher = ROUTE_CALL.matcher(line);
            if (!matcher.find()) {
                return false;
            }
            out.set(index, line.substring(0, matcher.end()) + " --plan" + line.substring(matcher.end()));
            return true;
        }

        private List<String> routeJob(Route route) {
            List<String> job = new ArrayList<>();
            job.add(pad(1) + "# Route " + route.number() + ": " + route.event() + " -> " + route.workflow());
            job.add(pad(1) + route.job() + ":");
            job.add(pad(2) + "needs: plan");
            job.add(pad(2) + "if: needs.plan.outputs." + route.job() + " != ''");
            job.add(pad(2) + "uses: ./.github/workflows/" + route.workflow());
            job.addAll(permissionLines(consumers.get(route.workflow()).permissions(), 2 * unit));
            if (!route.inputs().isEmpty()) {
                job.add(pad(2) + "with:");
                route.inputs().keySet().forEach(input -> job.add(pad(3) + input + ": ${{ fromJSON(needs.plan.outputs." + route.job() + ")."
                        + input + " }}"));
            }
            // No secrets: inherit. A called workflow gets no secret unless its caller job passes it; the consumers use only
            // GITHUB_TOKEN, which every job has, and inherit would hand every one of them every secret of the repository.
            return job;
        }

        /** permissions: with one line per scope granted (none left out), comments aligned; {} when nothing is granted. */
        private List<String> permissionLines(Map<String, Grant> grants, int indent) {
            Map<String, Grant> granted = new TreeMap<>(grants);
            granted.values().removeIf(g -> g.level().equals("none"));
            if (granted.isEmpty()) {
                return List.of(" ".repeat(indent) + "permissions: {}");
            }
            int width = granted.entrySet().stream().mapToInt(e -> e.getKey().length() + 2 + e.getValue().level().length()).max().orElse(0);
            List<String> lines = new ArrayList<>(List.of(" ".repeat(indent) + "permissions:"));
            granted.forEach((scope, grant) -> {
                String text = scope + ": " + grant.level();
                lines.add(" ".repeat(indent + unit) + text + (grant.reason() == null ? ""
                        : " ".repeat(width - text.length() + 2) + "# " + grant.reason()));
            });
            return lines;
        }

        /** The one step that runs route for the event; refused when there is none, or several, or it has no id. */
        private RouteStep routeStep() {
            List<RouteStep> found = new ArrayList<>();
            template.root().path("jobs").properties().forEach(job -> {
                JsonNode steps = job.getValue().path("steps");
                for (int i = 0; i < steps.size(); i++) {
                    if (ROUTE_CALL.matcher(steps.get(i).path("run").asText("")).find()) {
                        found.add(new RouteStep(job.getKey(), i, steps.get(i).path("id").asText("")));
                    }
                }
            });
            if (found.size() != 1) {
                throw refused((found.isEmpty() ? "no step runs" : found.size() + " steps run") + " route for the event; compile "
                        + "needs exactly one, whose run: becomes route --plan");
            }
            if (found.get(0).id().isBlank()) {
                throw refused("the step that runs route has no id: the plan job's outputs need one (id: route)");
            }
            return found.get(0);
        }

        private CommandLine.ParameterException refused(String why) {
            return new CommandLine.ParameterException(spec.commandLine(), template.name() + ": " + why);
        }

        /** The result, read back: the plan job runs route --plan and has one output per route, and each route has its job. */
        private void checkReadBack(String yaml) {
            JsonNode workflow;
            try {
                workflow = YamlFile.YAML.readTree(yaml);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("compile wrote a router that is not valid YAML: " + YamlFile.yamlProblem(e), e);
            }
            JsonNode jobs = workflow.path("jobs");
            boolean runsPlan = false;
            for (JsonNode step : jobs.path("plan").path("steps")) {
                runsPlan |= step.path("run").asText("").contains("--plan")
                        && step.path("env").path(ROUTES_DIGEST_VARIABLE).asText("").equals(routes.digest());
            }
            List<String> missing = routes.routes().stream().map(Route::job)
                    .filter(job -> !jobs.path("plan").path("outputs").has(job) || !jobs.path(job).has("uses")).toList();
            if (!runsPlan || !missing.isEmpty()) {
                throw new IllegalStateException("compile wrote a router it cannot read back: " + (runsPlan ? "" : "no plan step with --plan and "
                        + ROUTES_DIGEST_VARIABLE + "; ") + (missing.isEmpty() ? "" : "missing " + String.join(", ", missing)));
            }
        }

        // ---- lines ----

        /**
         * The keys of a block mapping at this indent within [from, to): each with the comment lines right above
         * its key (no blank line between), its lines up to the next key's, trailing blank lines left out.
         */
        static List<Entry> entries(List<String> lines, int from, int to, int indent) {
            List<Entry> entries = new ArrayList<>();
            int next = to; // where the entry after this one starts
            for (int keyLine = to - 1; keyLine >= from; keyLine--) {
                String line = lines.get(keyLine);
                if (!isContent(line) || indent(line) != indent || line.strip().startsWith("-")) {
                    continue;
                }
                int start = keyLine;
                while (start - 1 >= from && lines.get(start - 1).strip().startsWith("#")) {
                    start--;
                }
                int end = next;
                while (end > keyLine + 1 && lines.get(end - 1).isBlank()) {
                    end--;
                }
                String key = line.strip().split(":", 2)[0].replaceAll("^[\"']|[\"']$", "");
                entries.add(0, new Entry(key, start, keyLine, end, start > from && lines.get(start - 1).isBlank()));
                next = start;
            }
            return entries;
        }

        /** The indent of the first content line after this one (before to); the line's own plus 2 when there is none. */
        static int indentAfter(List<String> lines, int line, int to) {
            for (int i = line + 1; i < to; i++) {
                if (isContent(lines.get(i))) {
                    return indent(lines.get(i));
                }
            }
            return indent(lines.get(line)) + 2;
        }

        static boolean isContent(String line) {
            return !line.isBlank() && !line.strip().startsWith("#");
        }

        static int indent(String line) {
            return line.length() - line.replaceFirst("^ +", "").length();
        }

        /** A plain YAML scalar when it can be one, else a double-quoted one. */
        static String scalar(String text) {
            return text.matches("[A-Za-z0-9][A-Za-z0-9 ._()/-]*") ? text : JSON.valueToTree(text).toString();
        }
    }

    // ---- records ------------------------------------------------------------------------

    /** One entry of the routes file, with the lines that messages point at. */
    record Route(int index, int line, String event, Pattern eventPattern, String workflow, int workflowLine,
                 Map<String, String> inputs, Map<String, Integer> inputLines, JsonNode when, String mode) {
        /** mode: log (the route's own, else the file's): recorded as would-dispatch, never sent. */
        boolean logMode() {
            return MODE_LOG.equals(mode);
        }

        /** The route's position in the file, from 1: the N of the compiled router's job route-N and of --plan's output. */
        int number() {
            return index + 1;
        }

        /** The compiled router's job (and --plan's output) for this route. */
        String job() {
            return "route-" + number();
        }
    }

    /** One workflow to start for one event; status is null while planned, then dispatched (--plan: called), already-dispatched, would-dispatch or failed. */
    record Target(Route route, Map<String, String> inputs, String status, Long runId, String htmlUrl, Instant dispatchedAt, String error) {
        static Target planned(Route route, Map<String, String> inputs) {
            return new Target(route, inputs, null, null, null, null, null);
        }

        Target dispatched(Long runId, String htmlUrl) {
            return new Target(route, inputs, "dispatched", runId, htmlUrl, Instant.now(), null);
        }

        /** Started before for this event: the run found by its title, or (all null) the dedupe store's record. */
        Target alreadyDispatched(Long runId, String htmlUrl, Instant createdAt) {
            return new Target(route, inputs, ALREADY_DISPATCHED, runId, htmlUrl, createdAt, null);
        }

        Target failed(String error) {
            return new Target(route, inputs, "failed", null, null, null, error);
        }

        /** --plan: called by the compiled router's job for the route, in this run. */
        Target called() {
            return new Target(route, inputs, CALLED, null, null, Instant.now(), null);
        }

        Target wouldDispatch() {
            return new Target(route, inputs, WOULD_DISPATCH, null, null, null, null);
        }
    }

    /**
     * An event and what became of it: routed (no target failed), unrouted (no route matched), failed, or
     * shadowed (every target in log mode: would-dispatch, nothing sent);
     * processedAgain says why it was looked up before sending (null on its first processing).
     */
    record Outcome(JsonNode document, List<Target> targets, String processedAgain, String sender) {
        String status() {
            return targets.isEmpty() ? "unrouted" : count("failed") > 0 ? "failed"
                    : count(WOULD_DISPATCH) == targets.size() ? "shadowed" : "routed";
        }

        long count(String status) {
            return targets.stream().filter(t -> status.equals(t.status())).count();
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
    // Left out of this copy, as route.java does not use them: Actions.safeJson().

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

        // Escaping as @actions/core's command.ts does it.
        static String escapeData(String s) {
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
        }

        static String escapeProperty(String s) {
            return escapeData(s).replace(":", "%3A").replace(",", "%2C");
        }
    }
    // ---- end of shared block Actions, generated text sha256:d207cd0ad74b ----

    // ---- shared block Json: generated from shared/Json.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // JSON as every script reads it: strict (a duplicate key or trailing text is an error, never a
    // silent choice), decimals kept exact; and the contract's formats for times and ids.
    // Left out of this copy, as route.java does not use them: EVENT_TYPE.

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** RFC 3339, UTC, milliseconds: the envelope's timestamp and every time in an event log record. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

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
    // ---- end of shared block Json, generated text sha256:ac42d5acc25e ----

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
    // Left out of this copy, as route.java does not use them: EventInput.logged().

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
    // ---- end of shared block EventInput, generated text sha256:50d04d28ca3a ----

    // ---- shared block YamlFile: generated from shared/YamlFile.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // A YAML file as route.java and events doctor read one (the routes file, workflow files): its lines,
    // its tree, and the line each node starts on, so that every message can name its line. Jackson's tree
    // model forgets locations, so the tree is built token by token.

    /** A YAML file: its name, its lines, its tree (null when it is not YAML), and the line each node starts on (JSON pointer -> line, from 1). */
    record YamlFile(String name, List<String> lines, JsonNode root, Map<String, Integer> lineOf) {
        static final YAMLMapper YAML = new YAMLMapper();

        /** The file's text; exit 2 naming what is wrong when it cannot be read or is not text. */
        static String text(Path file, String name, CommandSpec spec) {
            try {
                return Files.readString(file);
            } catch (NoSuchFileException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + name + ": no such file");
            } catch (MalformedInputException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + " is not a YAML file: it is not UTF-8 text");
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + name + " (" + e.getClass().getSimpleName() + ")");
            }
        }

        /** A workflow or other YAML file, whose repeated keys and aliases are the reader's business: exit 2 only when it is not YAML. */
        static YamlFile read(Path file, String name, CommandSpec spec) {
            return parse(name, text(file, name, spec), (line, problem) -> {
                throw new CommandLine.ParameterException(spec.commandLine(), name + (line > 0 ? ":" + line : "") + ": " + problem);
            }, false);
        }

        /**
         * The text read as YAML; root is null (and problem told the line) when it is not YAML, a NullNode when it is empty. With
         * strict, a repeated key and an alias are told to problem too (an alias would pass for a value: Jackson hands it over as its name).
         */
        static YamlFile parse(String name, String text, BiConsumer<Integer, String> problem, boolean strict) {
            Map<String, Integer> lines = new HashMap<>();
            JsonNode root;
            try (JsonParser parser = YAML.createParser(text)) {
                root = parser.nextToken() == null ? NullNode.getInstance() : read(parser, "", lines, strict ? problem : (line, ignored) -> { });
            } catch (JsonProcessingException e) {
                problem.accept(e.getLocation() != null ? e.getLocation().getLineNr() : 0, "not valid YAML: " + yamlProblem(e));
                root = null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new YamlFile(name, List.of(text.split("\r?\n", -1)), root, lines);
        }

        /** The node at the parser's current token, recording the line of every key and list item. */
        private static JsonNode read(JsonParser parser, String pointer, Map<String, Integer> lines, BiConsumer<Integer, String> problem)
                throws IOException {
            lines.putIfAbsent(pointer, parser.currentTokenLocation().getLineNr());
            if (parser.currentToken() == JsonToken.START_OBJECT) {
                ObjectNode object = JSON.createObjectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                    int line = parser.currentTokenLocation().getLineNr();
                    if (object.has(key)) {
                        problem.accept(line, "duplicate key '" + key + "'");
                    }
                    lines.put(child, line);
                    parser.nextToken();
                    object.set(key, read(parser, child, lines, problem));
                }
                return object;
            }
            if (parser.currentToken() == JsonToken.START_ARRAY) {
                ArrayNode array = JSON.createArrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser, pointer + "/" + array.size(), lines, problem));
                }
                return array;
            }
            if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                problem.accept(parser.currentTokenLocation().getLineNr(), "YAML aliases (*" + parser.getText() + ") are not supported: write the value out");
            }
            JsonNode scalar = parser.readValueAsTree();
            return scalar == null ? NullNode.getInstance() : scalar;
        }

        /** The line a pointer's node starts on, else that of its nearest parent; 1 for none. */
        int line(String pointer) {
            for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
                Integer line = lineOf.get(p);
                if (line != null) {
                    return line;
                }
                if (p.isEmpty()) {
                    return 1;
                }
            }
        }

        /** The comment at the end of the line the node at pointer starts on, without its '#'; null when there is none. */
        String comment(String pointer) {
            Integer line = lineOf.get(pointer);
            return line == null || line > lines.size() ? null : commentOf(lines.get(line - 1));
        }

        /** The text after a '#' that starts a comment (after a space, outside quotes). */
        static String commentOf(String line) {
            boolean single = false;
            boolean double_ = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\'' && !double_) {
                    single = !single;
                } else if (c == '"' && !single) {
                    double_ = !double_;
                } else if (c == '#' && !single && !double_ && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                    String comment = line.substring(i + 1).strip();
                    return comment.isEmpty() ? null : comment;
                }
            }
            return null;
        }

        /** SnakeYAML's message without its excerpt of the file: "while parsing ...: expected ..., but found ...". */
        static String yamlProblem(JsonProcessingException e) {
            return Stream.of(e.getOriginalMessage().split("\n"))
                    .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                    .collect(Collectors.joining(": "));
        }
    }
    // ---- end of shared block YamlFile, generated text sha256:c49aa57199ee ----

    // ---- shared block RoutesSchema: generated from shared/RoutesSchema.java and schemas/event-routes.schema.json by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The routes file's JSON Schema: schemas/event-routes.schema.json, which the generator writes into
    // ROUTES_SCHEMA below (here it holds an empty schema, so this file compiles on its own). route.java
    // enforces it and events doctor checks it; an editor reads the file itself (the yaml-language-server
    // line of event-routes.yml). Each problem is told as the key it concerns and what the schema expects.

    static final String ROUTES_SCHEMA = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"https://event-bus.dev/schemas/event-routes.schema.json\",\"title\":\"The routes file\",\"description\":\"a mapping with 'routes:' (the list of routes) and optionally 'mode:', as docs/routes.md describes; route.java refuses a routes file that breaks this schema\",\"type\":\"object\",\"required\":[\"routes\"],\"additionalProperties\":false,\"properties\":{\"routes\":{\"description\":\"the list of routes, each '- event: ..., workflow: ...'; an event may match several, each one dispatch, in file order\",\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/route\"}},\"mode\":{\"$ref\":\"#/$defs/mode\"}},\"$defs\":{\"mode\":{\"description\":\"log (record the targets as would-dispatch, send nothing) or dispatch (send them; the default); a route's own mode wins over the file's\",\"enum\":[\"dispatch\",\"log\"]},\"route\":{\"title\":\"A route\",\"description\":\"a mapping with event and workflow, and optionally inputs, when and mode: the events it matches, and the workflow they start\",\"type\":\"object\",\"required\":[\"event\",\"workflow\"],\"additionalProperties\":false,\"properties\":{\"event\":{\"description\":\"an event type such as rfc.pr.ready, or a glob of event types such as rfc.pr.* ('*' matches any characters, dots included; quote a lone \\\"*\\\"), at most 100 characters\",\"type\":\"string\",\"maxLength\":100,\"pattern\":\"^(?:[a-z][a-z0-9_-]*(?:\\\\.[a-z][a-z0-9_-]*)+|[a-z0-9_.-]*\\\\*[a-z0-9_.*-]*)$\"},\"workflow\":{\"description\":\"a workflow file name in .github/workflows/ such as ci.yml (with on: workflow_dispatch, or on: workflow_call for the router route compile writes), or a numeric workflow id\",\"type\":[\"string\",\"integer\"],\"minimum\":1,\"pattern\":\"^(?:[A-Za-z0-9._-]+\\\\.ya?ml|[0-9]+)$\"},\"inputs\":{\"description\":\"a mapping of workflow input names to dotted paths into the client_payload (pr: data.pr, event_id: event_id), at most 25 (GitHub's limit for one workflow dispatch)\",\"type\":\"object\",\"maxProperties\":25,\"propertyNames\":{\"description\":\"a workflow input name: letters, digits, _ and -, not a digit first\",\"pattern\":\"^[A-Za-z_][A-Za-z0-9_-]*$\"},\"additionalProperties\":{\"title\":\"Input\",\"description\":\"a dotted path into the client_payload, such as data.pr, event_id or data.blockers.0\",\"type\":\"string\",\"pattern\":\"^[^.\\\\s]+(?:\\\\.[^.\\\\s]+)*$\"}},\"when\":{\"description\":\"an AWS EventBridge event pattern over the client_payload, such as {data: {reason: [CI_STUCK]}}: a mapping whose values are lists (any of these values) or operators (prefix, suffix, anything-but, exists, numeric, equals-ignore-case, wildcard, $or)\",\"type\":\"object\"},\"mode\":{\"$ref\":\"#/$defs/mode\"}}}},\"examples\":[{\"routes\":[{\"event\":\"rfc.pr.ready\",\"workflow\":\"merge-orchestrator.yml\",\"inputs\":{\"pr\":\"data.pr\",\"event_id\":\"event_id\",\"trace_id\":\"trace_id\"}},{\"event\":\"rfc.chain.broken\",\"when\":{\"data\":{\"reason\":[\"BRANCH_ONLY\",\"CI_STUCK\"]}},\"workflow\":\"cleanup-stalled-prs.yml\",\"inputs\":{\"chain_id\":\"data.chain_id\"}}]}]}";

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
    // ---- end of shared block RoutesSchema, generated text sha256:33f119056530 ----

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

    // ---- shared block EventSchemas: generated from shared/EventSchemas.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event schemas, in layers: the RFC schemas bundled into the script (so it works with no
    // checkout, and copied alone), then the repository's docs/events/schema/, then $EVENT_SCHEMAS,
    // then --schemas. A higher layer adds event types and replaces a lower one's file of the same name;
    // it never hides the others. Every $ref resolves from the loaded files: nothing is fetched.
    // Left out of this copy, as route.java does not use them: EventSchemas, Violation.of().

    /** One broken rule: where (JSON pointer), which rule (the schema keyword), and what is wrong. */
    record Violation(String pointer, String rule, String message) {
        String describe() {
            return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message + " (rule: " + rule + ")";
        }
    }
    // ---- end of shared block EventSchemas, generated text sha256:3a6842172072 ----

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

    // ---- shared block History: generated from shared/History.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event history: event log records kept on GitHub across runs, one file per record on a branch
    // of their own (event-bus-history), each written with one request of the contents API, which creates
    // a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
    // script touches the history. A record that cannot be appended stays in the event log, with a warning.
    // Left out of this copy, as route.java does not use them: History.FILE, History.HANDLED, History.Archive,
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
    // ---- end of shared block History, generated text sha256:fae87fe86618 ----

    // ---- shared block GitHub: generated from shared/GitHub.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The GitHub REST client, on the JDK's HttpClient: one request per call when all goes well and no
    // extra lookups (github-api's getRepository() would cost a GET first, and it cannot ask a workflow
    // dispatch for return_run_details). The token is sent, never printed. Transient failures (connection
    // errors, 5xx, 429, rate limits) are retried with exponential backoff and full jitter, honouring
    // retry-after and x-ratelimit-reset, within a number of attempts and a time budget.
    // Left out of this copy, as route.java does not use them: GitHub.requests(), GitHub.download(),
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
    // ---- end of shared block GitHub, generated text sha256:db7b905947c7 ----

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
}
