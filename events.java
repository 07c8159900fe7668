///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION What happened to event-bus events, read from their records: statistics, replay and reconciliation.
//DESCRIPTION
//DESCRIPTION Usage: events stats [LOG...] [--history] [--from-artifacts N] [--json] [--since WHEN] [--until WHEN]
//DESCRIPTION                     [--type GLOB] [--status S,...] [--source S] [--by day] [--max-rejected N]
//DESCRIPTION        events replay [LOG...] [--history] [--from-artifacts N] [--status S,...] [--type GLOB] [--source S]
//DESCRIPTION                      [--since WHEN] [--until WHEN] [--event-id ID...] [--allow-no-sender] [--dry-run]
//DESCRIPTION        events reconcile [--grace 15m] [--since WHEN] [--dry-run]
//DESCRIPTION        events record OUTCOME --event-id ID [--type T] [--detail K=V...] [--log FILE] [--dry-run]
//DESCRIPTION        events merge-latency [--since WHEN] [--until WHEN] [--base BRANCH] [--max-prs N] [--json]
//DESCRIPTION                             [--compare-since WHEN --compare-until WHEN]
//DESCRIPTION        events doctor [--routes FILE] [--history]
//DESCRIPTION   each with [--repo OWNER/NAME] [--verbose]; replay and reconcile with [--max-attempts N] [--retry-budget SECONDS]
//DESCRIPTION The records are the event logs the scripts append to ($EVENT_LOG), the router's event log artifacts
//DESCRIPTION (--from-artifacts N) and the event history (--history: the branch event-bus-history, read with one API
//DESCRIPTION request whatever the number of events). stats reports counts, latencies, schema drift and traces;
//DESCRIPTION replay sends events of the records again; reconcile replays events emitted and never received by a router;
//DESCRIPTION record appends what a consumer did with an event (its outcome) to the history; merge-latency measures the
//DESCRIPTION time from readiness to merge from GitHub's data alone.
//DESCRIPTION doctor proves, before the first event, every GitHub primitive the bus relies on in the repository.
//DESCRIPTION Environment: GITHUB_TOKEN or GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY, EVENT_LOG,
//DESCRIPTION EVENT_SCHEMAS.
//DESCRIPTION Exit codes: 0 done, 1 GitHub unreachable or refused, an event not sent or undeliverable, or more rejected events than
//DESCRIPTION --max-rejected; 2 invalid input.
//DESCRIPTION Example: jbang events@org stats --history --since 7d --by day
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr
//CDS

// events.java: what happened to events, read from their records. One of the five single-file scripts
// of event-bus, each a step of a workflow; they never import each other:
//   emit.java      sends an event (a repository_dispatch)
//   validate.java  checks events against their JSON Schemas
//   dedupe.java    drops repeated events (claim, release)
//   route.java     the router step: starts the workflows the routes file names (--plan, graph, compile)
//   events.java    this file: reads the records the others write (event logs, artifacts, the history)
// shared/ holds the code the scripts share (copied in below, see docs/shared-blocks.md); docs/events.md
// explains these commands, docs/event-log.md and docs/history.md the records, docs/doctor.md the doctor.
// In this file: the command events and its options common to every command (--repo, --verbose); the
// options of the commands that read records (Sources, Selection); EventLogs, which reads them; then
// one class per command (Replay, Reconcile, Stats with its Report, Record, MergeLatency, Doctor). The
// blocks between "shared block" markers at the end are generated from shared/*.java
// (./jbang tests/support/SharedBlocks.java).

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
import java.io.ByteArrayInputStream;
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
import java.nio.charset.MalformedInputException;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "events", mixinStandardHelpOptions = true, version = events.VERSION,
        subcommands = {events.Stats.class, events.Replay.class, events.Reconcile.class, events.Record.class,
                events.MergeLatency.class, events.Doctor.class},
        description = {
            "What happened to event-bus events, read from their records: the event logs the scripts append to "
                    + "($EVENT_LOG), the router's event log artifacts (--from-artifacts N) and the event history (--history: "
                    + "the branch event-bus-history, which the scripts of workflows with EVENT_BUS_HISTORY=true append to).",
            "Commands: 'stats' reports on the records (counts, latencies, schema drift, time to dispatch and to each "
                    + "outcome, cron-caught items, traces), 'replay' sends events of the records again, 'reconcile' sends "
                    + "again what GitHub accepted and never delivered to a router, 'record' appends what a consumer did with "
                    + "an event, 'merge-latency' measures the time from readiness to merge from GitHub's data, "
                    + "'doctor' proves the repository's set-up before the first event. 'events COMMAND --help' says more."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  GITHUB_TOKEN, GH_TOKEN  the token (never a flag): contents: read for the",
            "                          history, actions: read for artifacts, contents:",
            "                          write to send events again",
            "  GITHUB_REPOSITORY       owner/name whose records are read (--repo)",
            "  GITHUB_API_URL          API root, for GitHub Enterprise Server",
            "                          (default https://api.github.com)",
            "  GITHUB_STEP_SUMMARY     a Markdown report is appended to it",
            "  EVENT_LOG               the log read when no LOG, --history or",
            "                          --from-artifacts is given (else event_log.jsonl)",
            "  EVENT_SCHEMAS           replay: a directory of schemas (a layer below",
            "                          --schemas)",
            "",
            "Example:",
            "  events stats event_log.jsonl",
            "  events stats --history --since 7d --by day --max-rejected 0",
            "  events replay --from-artifacts 20 --event-id EVENT_ID",
            "  events replay --history --since 7d --status failed",
            "  events reconcile --grace 15m --since 24h",
            "  events record merge-attempted --event-id \"$EVENT_ID\" --detail result=merged",
            "  events merge-latency --since 7d --compare-since 2026-11-02T00:00:00Z \\",
            "                       --compare-until 2026-11-09T00:00:00Z"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done: reported, or every event sent (or listed, with --dry-run)",
            "1:GitHub could not be reached or refused, an event could not be sent or is undeliverable, more rejected events than "
                    + "--max-rejected, or internal failure",
            "2:invalid input or usage: an unreadable log, a bad option; nothing was sent"})
class events implements Callable<Integer> {

    static final String VERSION = "events 0.1.0";

    @Option(names = "--repo", paramLabel = "OWNER/NAME", scope = CommandLine.ScopeType.INHERIT,
            description = "repository whose history and artifacts are read, and to which replay and reconcile send events "
                    + "(default: $GITHUB_REPOSITORY)")
    String repo;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "print stack traces of internal failures")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The process environment; tests replace it. */
    Map<String, String> env = System.getenv();

    public static void main(String... args) {
        int exitCode = newCommandLine(new events()).execute(args);
        trainIfRecording(events.class, events::training);
        GitHub.shutdown();
        System.exit(exitCode);
    }

    /** stats of a canned log, table and JSON, and replay --dry-run of its failed and rejected events (see trainIfRecording). */
    static void training(PrintWriter out) throws IOException {
        Path dir = Files.createTempDirectory("events-training");
        try {
            StringBuilder log = new StringBuilder();
            Instant now = Instant.now();
            String[][] records = {{"routed", null}, {"failed", null}, {"rejected", "/client_payload/data/pr: must be at least 1 (rule: minimum)"}};
            for (int i = 0; i < records.length; i++) {
                String id = "3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a1" + i;
                ObjectNode document = JSON.createObjectNode().put("event_type", "rfc.pr.ready");
                document.putObject("client_payload").put("event_id", id).put("source", "training").put("timestamp", TIMESTAMP.format(now))
                        .putObject("data").put("pr", i + 1).put("checks_status", "green");
                ObjectNode record = EventLog.record(document, records[i][0], Map.of(), records[i][1]);
                record.putArray("targets").addObject().put("workflow", "consumer.yml").put("status", "dispatched")
                        .put("dispatched_at", TIMESTAMP.format(now));
                log.append(JSON.writeValueAsString(record)).append('\n');
            }
            Path file = Files.writeString(dir.resolve("event_log.jsonl"), log);
            events command = new events();
            command.env = Map.of("GITHUB_STEP_SUMMARY", dir.resolve("summary.md").toString());
            for (List<String> args : List.of(List.of("stats", "--by", "day"), List.of("stats", "--json"),
                    List.of("replay", "--status", "failed,rejected", "--dry-run"))) {
                List<String> all = new ArrayList<>(args);
                all.add(file.toString());
                newCommandLine(command).setOut(out).setErr(out).execute(all.toArray(String[]::new));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The client for --repo (else $GITHUB_REPOSITORY): a missing token or repository is exit 2, named by the top command. */
    GitHub github(int maxAttempts, Duration retryBudget) {
        return GitHub.fromEnv(env, repo, spec, maxAttempts, retryBudget);
    }

    // ---- the options of the commands that read records ------------------------------------

    /** The statuses an event log record may have (the contract's list). */
    static final List<String> STATUSES = List.of("routed", "unrouted", "duplicate", "rejected", "failed", "shadowed", "cron-caught", "emitted",
            "reconciled", "acted");

    /** Where the records come from: LOG files, the newest event log artifacts, the event history. Used with @Mixin. */
    static final class Sources {
        @Parameters(paramLabel = "LOG", description = "event logs to read; '-' reads stdin (default: $EVENT_LOG, else event_log.jsonl, "
                + "unless --history or --from-artifacts)")
        List<String> logs = new ArrayList<>();

        @Option(names = "--history", description = "also read the event history of the repository (the branch event-bus-history): "
                + "one API request whatever its size; only the days of the window are kept")
        boolean history;

        @Option(names = "--from-artifacts", paramLabel = "N", description = "also read the newest N event log artifacts of the repository")
        Integer fromArtifacts;

        @Option(names = "--artifact-prefix", paramLabel = "PREFIX", defaultValue = "event-log-",
                description = "names of the event log artifacts start with this (default: ${DEFAULT-VALUE})")
        String artifactPrefix;

        /** The sources as EventLogs reads them; GitHub is asked only for --history and --from-artifacts. */
        EventLogs.Logs read(Span span, Map<String, String> env, CommandSpec spec, Supplier<GitHub> github) throws IOException, InterruptedException {
            return EventLogs.read(logs, fromArtifacts, artifactPrefix, history, span, env, spec, github);
        }
    }

    /**
     * The window and the filters of the commands that read records: stats keeps the records they match,
     * replay the events whose last record matches. Used with @Mixin; check() turns them into a Filter.
     */
    static final class Selection {
        static final Pattern EVENT_GLOB = Pattern.compile("^[a-z0-9_.*-]+$");

        @Option(names = "--since", paramLabel = "WHEN", description = "only records received since (replay: events whose last record "
                + "was): a duration back from now (7d, 24h, 90m) or an RFC 3339 time; received_at, else timestamp")
        String since;

        @Option(names = "--until", paramLabel = "WHEN", description = "only records received before this (as --since)")
        String until;

        @Option(names = "--type", paramLabel = "GLOB", description = "only event types the glob matches, as a route's event does (rfc.pr.*)")
        String type;

        @Option(names = "--status", paramLabel = "S", split = ",", description = "only records with one of these statuses (replay: "
                + "events whose last record has one; default failed): routed, unrouted, duplicate, rejected, failed, shadowed, "
                + "cron-caught, emitted, reconciled, acted")
        List<String> statuses;

        @Option(names = "--source", paramLabel = "S", description = "only records of this source (the envelope's source)")
        String source;

        /** The selection, checked: an unknown status, a bad glob or a bad time is exit 2. Without --status, otherwise (null: all). */
        Filter check(CommandSpec spec, List<String> otherwise) {
            Set<String> wanted = statuses != null ? new LinkedHashSet<>(statuses) : otherwise == null ? null : new LinkedHashSet<>(otherwise);
            for (String status : wanted == null ? Set.<String>of() : wanted) {
                if (!STATUSES.contains(status)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--status: unknown status '" + status + "' (one of: "
                            + String.join(", ", STATUSES) + ")");
                }
            }
            if (type != null && !EVENT_GLOB.matcher(type).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--type must be an event type or a glob such as rfc.pr.*, not '" + type + "'");
            }
            return new Filter(wanted, type, type == null ? null : glob(type), source,
                    new Span(When.parse(since, "--since", spec), When.parse(until, "--until", spec)));
        }

        /** A glob over event types, as a route's event: '*' matches any run of characters, dots included. */
        static Pattern glob(String event) {
            return Pattern.compile(Stream.of(event.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
        }
    }

    /** The checked selection: statuses (null: all), the type and its glob (null: all), the source (null: all), the window. */
    record Filter(Set<String> statuses, String type, Pattern glob, String source, Span span) {
        /** Whether a record's type, status and source are among those asked for (the window is the caller's: its time differs). */
        boolean keeps(JsonNode record) {
            return (statuses == null || statuses.contains(String.valueOf(text(record, "/status"))))
                    && (glob == null || glob.matcher(String.valueOf(text(record, "/event_type"))).matches())
                    && (source == null || source.equals(text(record, "/source")));
        }

        /** Whether a window, a type or a source narrows the selection (not the statuses). */
        boolean narrowed() {
            return span.since() != null || span.until() != null || type != null || source != null;
        }

        /** "type rfc.pr.*, status rejected, source x": the filters given, as a report names them. */
        String describe() {
            List<String> filters = new ArrayList<>();
            if (type != null) {
                filters.add("type " + type);
            }
            if (statuses != null) {
                filters.add("status " + String.join(",", statuses));
            }
            if (source != null) {
                filters.add("source " + source);
            }
            return String.join(", ", filters);
        }
    }

    // ---- reading records: the window, the sources ------------------------------------------

    /** A time on the command line: a duration back from now (7d, 24h, 90m) or an RFC 3339 time. */
    record When(Duration ago, Instant at) {
        static final Pattern DURATION = Pattern.compile("^(\\d{1,6})([dhm])$");

        static When parse(String text, String option, CommandSpec spec) {
            if (text == null) {
                return null;
            }
            Duration ago = durationOrNull(text);
            if (ago != null) {
                return new When(ago, null);
            }
            try {
                return new When(null, java.time.OffsetDateTime.parse(text).toInstant());
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a duration such as 7d, 24h or 90m, or an "
                        + "RFC 3339 time such as 2026-11-27T04:00:00Z, not '" + text + "'");
            }
        }

        /** 7d, 24h, 90m as a Duration; exit 2 for anything else. */
        static Duration duration(String text, String option, CommandSpec spec) {
            Duration duration = durationOrNull(text);
            if (duration == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a duration such as 15m, 2h or 1d, not '" + text + "'");
            }
            return duration;
        }

        private static Duration durationOrNull(String text) {
            var duration = DURATION.matcher(text);
            if (!duration.matches()) {
                return null;
            }
            long amount = Long.parseLong(duration.group(1));
            return switch (duration.group(2)) {
                case "d" -> Duration.ofDays(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofMinutes(amount);
            };
        }

        Instant resolve(Instant now) {
            return at != null ? at : now.minus(ago);
        }
    }

    /** --since and --until as given, resolved against a clock once it is known (GitHub's, when the history is read). */
    record Span(When since, When until) {
        Window resolve(Instant now) {
            return new Window(since == null ? null : since.resolve(now), until == null ? null : until.resolve(now), now);
        }

        /** The same span without its end: what replay and reconcile read, since the last record of an event decides. */
        Span open() {
            return new Span(since, null);
        }
    }

    /** A time window, since inclusive, until exclusive; either may be open. now is the clock it was resolved against. */
    record Window(Instant since, Instant until, Instant now) {
        boolean contains(Instant time) {
            return time != null && (since == null || !time.isBefore(since)) && (until == null || time.isBefore(until));
        }

        /** Whether a day (UTC) of the history may hold records of the window. */
        boolean mayHold(java.time.LocalDate day) {
            return (since == null || !day.isBefore(day(since))) && (until == null || !day.isAfter(day(until)));
        }

        boolean bounded() {
            return since != null || until != null;
        }

        String describe() {
            return (since != null ? "since " + TIMESTAMP.format(since) : "") + (since != null && until != null ? " " : "")
                    + (until != null ? "until " + TIMESTAMP.format(until) : "");
        }

        static java.time.LocalDate day(Instant time) {
            return time.atZone(ZoneOffset.UTC).toLocalDate();
        }
    }

    /** When a record happened: its received_at (a consumer's outcome: its acted_at), else its timestamp; null when none parses. */
    static Instant recordTime(JsonNode record) {
        Instant received = parseInstant(text(record, "/received_at"));
        if (received == null) {
            received = parseInstant(text(record, "/acted_at"));
        }
        return received != null ? received : parseInstant(text(record, "/timestamp"));
    }

    /** An RFC 3339 time of a record; null when absent or not one. */
    static Instant parseInstant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The event logs a command reads: LOG files ('-' stdin); with --from-artifacts N the newest N
     * event log artifacts of the repository; with --history the event history (the branch
     * event-bus-history); else $EVENT_LOG, else event_log.jsonl. Then their records, one JSON object a line.
     */
    static final class EventLogs {
        private EventLogs() {
        }

        /** One record and where it was: the index of its source among those read, and its line. */
        record Entry(int source, int line, JsonNode record) {
        }

        /** What the history gave: the days (folders) kept of all it holds, the record files, the archive's size, GitHub's clock. */
        record HistoryRead(String repository, boolean found, int days, int daysInAll, int files, long bytes, Instant clock) {
        }

        /**
         * What was read: the sources in order (history records oldest first), how many were log files or
         * artifact logs, the history when read, the window resolved against GitHub's clock when the history
         * was read (else this machine's), and the GitHub API requests that reading cost.
         */
        record Logs(List<Source> sources, int logs, int artifactLogs, HistoryRead history, Window window, int apiRequests,
                    List<String> untrusted) {
            /** "2 logs", "the history of o/r (8 days)", "1 log and the history of ...". */
            String describe() {
                String files = logs + (logs == 1 ? " log" : " logs");
                return history == null ? files : (logs > 0 ? files + " and " : "") + "the history of " + history.repository()
                        + " (" + history.days() + (history.days() == 1 ? " day" : " days") + ")";
            }

            /** The same with an article: "the 2 logs". */
            String where() {
                return history != null && logs == 0 ? describe() : "the " + describe();
            }

            /** One line for stderr when GitHub was read: what it cost. */
            String cost() {
                List<String> read = new ArrayList<>();
                if (artifactLogs > 0) {
                    read.add(artifactLogs + " artifact log" + (artifactLogs == 1 ? "" : "s"));
                }
                if (history != null) {
                    read.add("the history of " + history.repository() + (history.found() ? " (" + history.files() + " record files of "
                            + history.days() + " of its " + history.daysInAll() + " days, from one archive of " + history.bytes() + " bytes)"
                            : " (no branch yet)"));
                }
                return "read " + String.join(" and ", read) + " with " + apiRequests + " API request" + (apiRequests == 1 ? "" : "s");
            }
        }

        static Logs read(List<String> logs, Integer fromArtifacts, String artifactPrefix, boolean history, Span span, Map<String, String> env,
                         CommandSpec spec, java.util.function.Supplier<GitHub> github) throws IOException, InterruptedException {
            if (fromArtifacts != null && fromArtifacts < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--from-artifacts must be at least 1");
            }
            List<Source> sources = new ArrayList<>();
            for (String log : logs) {
                sources.add(log.equals("-") ? Source.stdin(spec) : Source.file(Path.of(log), spec));
            }
            GitHub client = fromArtifacts != null || history ? github.get() : null;
            int before = client == null ? 0 : client.requests();
            int artifacts = 0;
            List<String> untrusted = new ArrayList<>();
            if (fromArtifacts != null) {
                List<Source> fromZips = artifactLogs(client, fromArtifacts, artifactPrefix, spec, untrusted);
                // One line per artifact left out: whoever reads the report or the replay sees what was not trusted.
                untrusted.forEach(line -> spec.commandLine().getErr().println(spec.qualifiedName() + ": " + line));
                artifacts = fromZips.size();
                sources.addAll(fromZips);
            } else if (sources.isEmpty() && !history) {
                Path log = EventLog.fromEnv(env);
                sources.add(Source.file(log != null ? log : Path.of("event_log.jsonl"), spec));
            }
            int logCount = sources.size();
            HistoryRead read = history ? historyLogs(client, span, sources, env, spec) : null;
            Window window = span.resolve(read != null ? read.clock() : Instant.now());
            return new Logs(sources, logCount, artifacts, read, window, client == null ? 0 : client.requests() - before, untrusted);
        }

        /**
         * Every record of the sources in order; a line that is not a JSON object is reported on err and
         * skipped (a log cut short by a cancelled run should not hide the rest). Returns how many were skipped.
         */
        static int records(List<Source> sources, PrintWriter err, Consumer<Entry> each) {
            int skipped = 0;
            for (int s = 0; s < sources.size(); s++) {
                Source source = sources.get(s);
                String[] lines = source.text().split("\r?\n");
                for (int i = 0; i < lines.length; i++) {
                    if (lines[i].isBlank()) {
                        continue;
                    }
                    JsonNode record;
                    try {
                        record = JSON.readTree(lines[i]);
                    } catch (JsonProcessingException e) {
                        record = null;
                    }
                    if (record == null || !record.isObject()) {
                        err.println(Actions.safe(source.name()) + ":" + (i + 1) + ": skipped: not a JSON object");
                        skipped++;
                        continue;
                    }
                    each.accept(new Entry(s, i + 1, record));
                }
            }
            return skipped;
        }

        /**
         * The event history in one API request, whatever its size (History.read: the zipball of the branch).
         * Durations resolve against GitHub's clock (the answer's Date), the clock of the history's own
         * received_at times; only the day folders the window may hold are read, one source per record file,
         * oldest first. No branch yet (404) is a warning and no records.
         */
        private static HistoryRead historyLogs(GitHub github, Span span, List<Source> sources, Map<String, String> env, CommandSpec spec)
                throws IOException, InterruptedException {
            History.Archive archive = History.readArchive(github);
            Instant clock = archive.date().orElse(Instant.now());
            Window window = span.resolve(clock);
            if (!archive.found()) {
                Actions.warning(spec.commandLine().getErr(), "No event history", "no branch " + History.BRANCH + " in " + github.repository()
                        + " (404): no script has appended a record yet (EVENT_BUS_HISTORY=true in a workflow starts it), or the token "
                        + "cannot see the repository; reading no records", env);
                return new HistoryRead(github.repository(), false, 0, 0, 0, 0, clock);
            }
            TreeMap<String, String> files = new TreeMap<>();
            Set<String> days = new HashSet<>();
            Set<String> kept = new HashSet<>();
            archive.files((path, folder, content) -> {
                days.add(folder);
                java.time.LocalDate day;
                try {
                    day = java.time.LocalDate.parse(folder);
                } catch (DateTimeParseException e) {
                    return;
                }
                if (window.mayHold(day)) {
                    kept.add(folder);
                    files.put(path, Source.utf8("history " + path, content.readAllBytes(), spec));
                }
            });
            files.forEach((path, text) -> sources.add(new Source("history " + path, text)));
            return new HistoryRead(github.repository(), true, kept.size(), days.size(), files.size(), archive.zip().length, clock);
        }

        /**
         * The newest N artifacts whose name starts with the prefix (GitHub's ?name= filter is an exact
         * match, so the list is filtered here, page by page, newest first), each unzipped in memory. Only
         * artifacts uploaded by a run on the repository's own default branch are read (DESIGN "Trust"): a
         * pull request's run, from a fork or from a branch of the repository, can upload an event-log-*
         * artifact too. Each one left out is named in untrusted, with why; it is not downloaded.
         */
        private static List<Source> artifactLogs(GitHub github, int count, String prefix, CommandSpec spec, List<String> untrusted)
                throws IOException, InterruptedException {
            // GET /repos/{owner}/{repo}: its id and default_branch (GitHub's "Get a repository").
            JsonNode repository = github.call("GET", github.repoPath(""), null, "read the repository", "metadata: read").json();
            long repositoryId = repository.path("id").asLong(-1);
            String defaultBranch = repository.path("default_branch").asText("");
            List<JsonNode> chosen = new ArrayList<>();
            for (int page = 1; chosen.size() < count; page++) {
                Response list = github.call("GET", github.repoPath("/actions/artifacts?per_page=100&page=" + page), null,
                        "list artifacts", "actions: read");
                for (JsonNode artifact : list.json().path("artifacts")) {
                    if (chosen.size() < count && artifact.path("name").asText().startsWith(prefix)
                            && !artifact.path("expired").asBoolean(false)) {
                        String distrust = distrust(artifact.path("workflow_run"), repositoryId, defaultBranch, github.repository());
                        if (distrust == null) {
                            chosen.add(artifact);
                        } else {
                            untrusted.add("skipped artifact " + Actions.safe(artifact.path("name").asText()) + " (" + artifact.path("id").asLong()
                                    + "): " + distrust + "; not read");
                        }
                    }
                }
                if (list.header("link").filter(link -> link.contains("rel=\"next\"")).isEmpty()) {
                    break;
                }
            }
            if (chosen.size() < count) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": " + chosen.size() + " of " + count
                        + " artifacts found whose name starts with '" + prefix + "' in " + github.repository()
                        + (untrusted.isEmpty() ? "" : " and uploaded by a run on its default branch " + defaultBranch));
            }
            List<Source> sources = new ArrayList<>();
            for (JsonNode artifact : chosen) {
                String name = "artifact " + artifact.path("name").asText() + " (" + artifact.path("id").asText() + ")";
                Response redirect = github.exchange("GET", github.repoPath("/actions/artifacts/" + artifact.path("id").asLong() + "/zip"), null, Map.of());
                sources.addAll(unzipLogs(name, github.download(redirect, "download " + name, "actions: read", name)));
            }
            return sources;
        }

        /**
         * Why an artifact's run cannot be trusted, from the workflow_run GitHub lists with it (REST "List
         * artifacts for a repository": id, repository_id, head_repository_id, head_branch, head_sha); null
         * when it ran on the default branch of the repository itself.
         */
        static String distrust(JsonNode run, long repositoryId, String defaultBranch, String repository) {
            if (!run.isObject() || !run.path("head_repository_id").canConvertToLong()) {
                return "GitHub names no workflow run with a head repository for it";
            }
            if (run.path("head_repository_id").asLong() != repositoryId || run.path("repository_id").canConvertToLong()
                    && run.path("repository_id").asLong() != repositoryId) {
                return "uploaded by a run whose head is another repository (id " + run.path("head_repository_id").asLong()
                        + ": a fork's pull request), not by a run on the default branch of " + repository;
            }
            String branch = run.path("head_branch").asText(null);
            if (branch == null || !branch.equals(defaultBranch)) {
                return "uploaded by a run on " + (branch == null ? "no branch" : "the branch '" + Actions.safe(branch) + "'")
                        + " (a pull request's or another branch's run), not on the default branch " + defaultBranch + " of " + repository;
            }
            return null;
        }

        private static List<Source> unzipLogs(String name, byte[] zip) throws IOException {
            List<Source> sources = new ArrayList<>();
            try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
                for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                    if (!entry.isDirectory() && entry.getName().endsWith(".jsonl")) {
                        sources.add(new Source(name + ":" + entry.getName(), new String(entries.readAllBytes(), StandardCharsets.UTF_8)));
                    }
                }
            }
            return sources;
        }
    }

    // ---- events replay --------------------------------------------------------------------

    @Command(name = "replay", mixinStandardHelpOptions = true, abbreviateSynopsis = true, version = VERSION,
            description = {
                "Sends events of event logs again as repository_dispatch, one request per event "
                        + "(POST /repos/{owner}/{repo}/dispatches), with their original envelope and event_id, so that they go through "
                        + "validate, claim and route again; route then skips the targets each already started.",
                "The records of an event are grouped by event_id, and its last record (in log order; across logs, by "
                        + "received_at) decides its status: an event that failed and was routed later is not replayed.",
                "Only what can be trusted is sent (docs/security.md): artifacts uploaded by a run on the repository's own "
                        + "default branch (a pull request's run, from a fork or a branch, can upload event-log-* artifacts too: "
                        + "those are named and not read); a record whose event_id is its document's; a document that passes "
                        + "the envelope and its type's schema (bundled, docs/events/schema/, $EVENT_SCHEMAS, --schemas: the "
                        + "layers validate uses), whatever its status, so a rejected event is sent once a schema fix makes it "
                        + "valid; and a record whose sender is on EVENT_BUS_SENDERS. An event rejected by the sender rule is "
                        + "never sent. A record that names no sender (written before records had one, or for an event read "
                        + "from a file) is not sent unless --allow-no-sender says so.",
                "--history reads the event history (the branch event-bus-history, which the scripts append to in "
                        + "workflows that set EVENT_BUS_HISTORY=true) with one API request, from the day of --since on; "
                        + "durations then count back from GitHub's clock.",
                "stdout: one line per event: sent, would-send (--dry-run), invalid or skipped (with the reason), or "
                        + "failed; stderr: the artifacts not read, a count (and what reading GitHub cost)."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  GITHUB_TOKEN, GH_TOKEN  the token; needs contents: write to send,",
                "                          contents: read for --history and actions: read",
                "                          for --from-artifacts; not needed with --dry-run",
                "                          unless --history or --from-artifacts",
                "  GITHUB_REPOSITORY       owner/name the events are sent to (--repo)",
                "  GITHUB_API_URL          API root, for GitHub Enterprise Server",
                "  EVENT_LOG               the log read when no LOG, --history or",
                "                          --from-artifacts is given (else event_log.jsonl)",
                "  EVENT_SCHEMAS           a directory of schemas (a layer below --schemas)",
                "  EVENT_BUS_SENDERS       whose records are sent again (default",
                "                          github-actions[bot]), as the router's rule",
                "  GITHUB_STEP_SUMMARY     a Markdown report is appended to it",
                "",
                "Example:",
                "  events replay --from-artifacts 20 --event-id EVENT_ID",
                "  events replay event_log.jsonl --status failed,rejected --since 24h \\",
                "                --type 'rfc.pr.*' --dry-run",
                "  events replay --history --since 7d --status failed"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:every selected event that could be trusted was sent (or listed, with --dry-run); those that could not "
                        + "are listed as skipped or invalid",
                "1:GitHub refused to take an event, or an event id asked for is in none of the records read; or GitHub "
                        + "unreachable, or internal failure",
                "2:an unreadable log or bad usage; nothing was sent"})
    static final class Replay implements Callable<Integer> {
        @ParentCommand
        events parent;

        @Mixin
        Sources sources;

        @Mixin
        Selection selection;

        @Option(names = "--event-id", paramLabel = "ID", split = ",", description = "only this event (repeatable, or comma-separated); "
                + "one not in the logs is reported as not-found")
        List<String> eventIds = new ArrayList<>();

        @Option(names = "--dry-run", description = "list what would be sent; send nothing")
        boolean dryRun;

        @Option(names = "--schemas", paramLabel = "DIR", description = "schemas to check the events against, above the others "
                + "(envelope.schema.json, and one schema per event type in events/)")
        Path schemasDir;

        @Option(names = "--allow-no-sender", description = "also send the events whose record names no sender (recorded before "
                + "records had one, or read from a file): GitHub delivers each with the sender of this token, so sending one "
                + "vouches for it (the replay workflow sends as github-actions[bot])")
        boolean allowNoSender;

        @Mixin
        Retries retries;

        @Spec
        CommandSpec spec;

        private GitHub github;

        /**
         * The record that decides an event's status, the latest one holding its document (which is what
         * is sent, and whose sender and event_id are checked), and the sender of a record of it that the
         * sender rule rejected, if any (such an event is never sent again).
         */
        private static final class Latest {
            EventLogs.Entry decides;
            Instant receivedAt;
            JsonNode document;
            JsonNode documentRecord;
            String senderRejected;
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            retries.check(spec);
            Filter filter = selection.check(spec, List.of("failed"));
            Set<String> wanted = filter.statuses();
            Span span = filter.span();
            if (schemasDir != null && !Files.isDirectory(schemasDir)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--schemas: no such directory: " + schemasDir);
            }
            for (String id : eventIds) {
                if (!UUID_TEXT.matcher(id).matches()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--event-id must be an event_id (a lowercase UUID), not '" + id + "'");
                }
            }

            // The last record of an event decides, so the history is read from --since on, whatever --until says.
            EventLogs.Logs read = sources.read(span.open(), parent.env, spec, this::github);
            if (read.apiRequests() > 0) {
                spec.commandLine().getErr().println("replay: " + read.cost());
            }
            Window window = span.resolve(read.window().now());
            Map<String, Latest> byEvent = new LinkedHashMap<>();
            int[] records = {0};
            EventLogs.records(read.sources(), spec.commandLine().getErr(), entry -> {
                records[0]++;
                String eventId = text(entry.record(), "/event_id");
                if (eventId == null || "acted".equals(text(entry.record(), "/status"))) {
                    return; // an event that could not be read has no id to replay it by; an outcome is no step of delivery
                }
                Latest latest = byEvent.computeIfAbsent(eventId, id -> new Latest());
                if (rejectedBySenderRule(entry.record())) {
                    latest.senderRejected = Optional.ofNullable(text(entry.record(), "/sender")).map(login -> "sender " + login)
                            .orElse("no sender that could be told");
                }
                Instant receivedAt = parseInstant(text(entry.record(), "/received_at"));
                // In one log, a later line is later; across logs (artifacts come newest first), received_at decides.
                boolean decides = latest.decides == null || latest.decides.source() == entry.source() || latest.receivedAt == null
                        || receivedAt == null || !receivedAt.isBefore(latest.receivedAt);
                if (decides) {
                    latest.decides = entry;
                    latest.receivedAt = receivedAt;
                }
                if (isDocument(entry.record().get("event")) && (decides || latest.document == null)) {
                    latest.document = entry.record().get("event");
                    latest.documentRecord = entry.record();
                }
            });

            List<Map.Entry<String, Latest>> selected = byEvent.entrySet().stream().filter(e -> {
                JsonNode record = e.getValue().decides.record();
                Instant when = Optional.ofNullable(e.getValue().receivedAt).orElse(parseInstant(text(record, "/timestamp")));
                return filter.keeps(record) && (eventIds.isEmpty() || eventIds.contains(e.getKey()))
                        && (!window.bounded() || window.contains(when));
            }).sorted(Comparator.comparing(e -> e.getValue().receivedAt, Comparator.nullsLast(Comparator.naturalOrder()))).toList();

            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Map<String, Integer> counts = new LinkedHashMap<>();
            List<List<String>> rows = new ArrayList<>();
            for (String id : new LinkedHashSet<>(eventIds)) {
                if (!byEvent.containsKey(id)) {
                    out.println("not-found " + id + ": in none of " + Actions.safe(read.where()) + " read");
                    counts.merge("not found", 1, Integer::sum);
                    rows.add(List.of("", id, "", "not found in the logs read"));
                } else if (selected.stream().noneMatch(e -> e.getKey().equals(id))) {
                    JsonNode record = byEvent.get(id).decides.record();
                    err.println("replay: " + id + ": its last record is " + Actions.safe(text(record, "/status"))
                            + (filter.narrowed()
                                    ? " (" + Actions.safe(text(record, "/event_type")) + ", received " + Actions.safe(text(record, "/received_at")) + ")" : "")
                            + ", which the selection leaves out" + (wanted.contains(text(record, "/status")) ? "" : "; add --status "
                            + Actions.safe(text(record, "/status")) + " to replay it"));
                }
            }
            out.flush();
            if (selected.isEmpty() && counts.isEmpty()) {
                err.println("replay: no event to replay: none of the " + byEvent.size() + " events in " + records[0] + " records of "
                        + read.describe() + " has the status " + String.join(" or ", wanted)
                        + (selection.type != null ? ", type " + selection.type : "") + (selection.source != null ? ", source " + selection.source : "")
                        + (selection.since != null ? ", since " + selection.since : "") + (selection.until != null ? ", until " + selection.until : "")
                        + (eventIds.isEmpty() ? "" : " and one of the event ids asked for"));
                return CommandLine.ExitCode.OK;
            }
            // Whatever is wrong with the token or the schemas is exit 2 before anything is sent. Every document is
            // checked, whatever its status: a failed record's document was never checked by anyone this replay trusts.
            EventSchemas schemas = selected.isEmpty() ? null : EventSchemas.load(schemasDir, parent.env, spec);
            if (!dryRun && !selected.isEmpty()) {
                github();
            }
            for (Map.Entry<String, Latest> event : selected) {
                String eventId = event.getKey();
                Latest latest = event.getValue();
                JsonNode record = latest.decides.record();
                JsonNode document = latest.document;
                String eventType = document != null ? text(document, "/event_type") : text(record, "/event_type");
                String result;
                String reason = untrusted(latest);
                if (reason != null) {
                    result = "skipped";
                } else if ((reason = invalid(eventId, document, schemas, ": a record that does not describe its own event is not sent"))
                        != null) {
                    result = "invalid";
                } else if (dryRun) {
                    result = "would-send";
                } else {
                    reason = dispatchEvent(github(), document);
                    result = reason == null ? "sent" : "failed";
                }
                counts.merge(result, 1, Integer::sum);
                rows.add(List.of(String.valueOf(eventType), eventId, String.valueOf(text(record, "/status")),
                        result + (reason != null ? ": " + reason : "")));
                // One line per event, every value in it shown safely: these records may come from anyone who could upload.
                out.println(result + (document != null ? " " + Actions.safe(eventType) : "") + " " + Actions.safe(eventId)
                        + (reason != null ? ": " + Actions.safe(reason) : ""));
                out.flush();
            }
            // Only what was trusted and valid and still not taken by GitHub (or an id asked for and not found) fails the replay.
            int notSent = counts.getOrDefault("failed", 0) + counts.getOrDefault("not found", 0);
            String summary = "replay: " + (dryRun ? counts.getOrDefault("would-send", 0) + " would be sent" : counts.getOrDefault("sent", 0) + " sent")
                    + ", " + counts.getOrDefault("invalid", 0) + " invalid"
                    + (counts.containsKey("skipped") ? ", " + counts.get("skipped") + " skipped" : "")
                    + (counts.containsKey("not found") ? ", " + counts.get("not found") + " not found" : "")
                    + ", " + counts.getOrDefault("failed", 0) + " failed" + (dryRun ? " (dry run: nothing sent)" : "");
            return finish(notSent > 0 ? "Replay incomplete" : null, summary, "Event replay", "Last status", rows, err, parent.env);
        }

        /**
         * Why an event's records cannot be trusted to send it again (null when they can): it has no event
         * document, a record of it was rejected by the sender rule, or the record holding its document names
         * no sender (unless --allow-no-sender), or one that is not on EVENT_BUS_SENDERS.
         */
        private String untrusted(Latest latest) {
            if (latest.document == null) {
                return "the record holds no event document";
            }
            if (latest.senderRejected != null) {
                return "it was rejected by the sender rule (" + latest.senderRejected + "): an event from a sender not "
                        + "allowed is never sent again";
            }
            return senderDistrust(latest.documentRecord, allowNoSender, parent.env);
        }

        private GitHub github() {
            if (github == null) {
                github = parent.github(retries.maxAttempts, retries.budget());
            }
            return github;
        }
    }

    // ---- events reconcile -----------------------------------------------------------------

    @Command(name = "reconcile", mixinStandardHelpOptions = true, version = VERSION,
            description = {
                "Sends again the events GitHub accepted and never delivered to a router.",
                "GitHub accepting a repository dispatch (204) does not guarantee a run: during an incident it may start none. A producer whose "
                        + "workflow sets EVENT_BUS_HISTORY=true records what it emitted (status emitted) in the event history, "
                        + "and each router step records what it decided (routed, unrouted, duplicate, rejected, failed, shadowed).",
                "reconcile reads the history since --since (one API request, whatever its size) and replays each event that "
                        + "has an emitted record older than --grace and no record of a router step (or of a cron path, or of a "
                        + "consumer) with its event_id: one POST /repos/{owner}/{repo}/dispatches per event, with the event "
                        + "document as it was emitted (event_id and timestamp kept).",
                "It remembers what it sent: each replay appends a reconciled record to the history (always, EVENT_BUS_HISTORY "
                        + "or not: that record is its memory). An event is replayed at most once per --grace and at most "
                        + MAX_RECONCILED + " times in all; after that, if still no router has recorded it, it is listed as "
                        + "undeliverable and the run exits 1, so a scheduled run fails where people look.",
                "What it sends is checked first, as replay checks it: the record's event_id is its document's, the document "
                        + "passes the envelope and its type's schema, and a sender the record names is on EVENT_BUS_SENDERS. "
                        + "An emitted record names none (the sender is whoever's token emit used, which emit does not see): it is "
                        + "trusted for being in the history, which only a token with contents: write can add to.",
                "Why the grace: a router that is still running has not written its record yet, and GitHub delays deliveries "
                        + "by minutes during incidents; an event younger than the grace is left for a later run. If the original "
                        + "is delivered after the replay all the same, it is a duplicate at the router (dedupe's claim): its "
                        + "targets are started once. Times are GitHub's clock (the Date of its answer).",
                "stdout: one line per event: replayed, would-replay (--dry-run), failed, undeliverable, skipped or invalid "
                        + "(with the reason); stderr: a count."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  GITHUB_TOKEN, GH_TOKEN  the token; contents: write (to read the",
                "                          history, send, and append reconciled records)",
                "  GITHUB_REPOSITORY       owner/name of the history, and where the events",
                "                          are sent (--repo)",
                "  GITHUB_API_URL          API root, for GitHub Enterprise Server",
                "  GITHUB_STEP_SUMMARY     a Markdown report is appended to it",
                "  EVENT_SCHEMAS           a directory of schemas the events are checked",
                "                          against (a layer over the bundled ones)",
                "  EVENT_BUS_SENDERS       the senders a record may name (default",
                "                          github-actions[bot])",
                "  EVENT_LOG               reconciled records are also appended to it",
                "  EVENT_BUS_HISTORY       not read here: the history is what the scripts",
                "                          of workflows with EVENT_BUS_HISTORY=true append",
                "                          (producers: emitted; the router: the rest)",
                "",
                "Requests: one to read the history (its zipball; the archive comes from",
                "storage), and two per event replayed (the dispatch, and its reconciled",
                "record).",
                "",
                "Example:",
                "  events reconcile --grace 15m --since 24h",
                "  events reconcile --dry-run"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:every event due was replayed (or listed, with --dry-run), or none was due; those that could not be "
                        + "trusted are listed as skipped or invalid",
                "1:an event could not be sent (refused by GitHub), or an event is undeliverable (replayed "
                        + MAX_RECONCILED + " times and still received by no router); or GitHub unreachable, or internal failure",
                "2:bad usage; nothing was sent"})
    static final class Reconcile implements Callable<Integer> {
        @ParentCommand
        events parent;

        @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "15m",
                description = "replay only events emitted (or last replayed) longer ago than this (default: ${DEFAULT-VALUE}): a "
                        + "router still running, or a delivery GitHub delays, has not recorded the event yet")
        String grace;

        @Option(names = "--since", paramLabel = "WHEN", defaultValue = "24h",
                description = "look at events emitted since: a duration back from now (7d, 24h, 90m) or an RFC 3339 time "
                        + "(default: ${DEFAULT-VALUE})")
        String since;

        @Option(names = "--dry-run", description = "list the events that would be replayed; send nothing, record nothing")
        boolean dryRun;

        @Mixin
        Retries retries;

        @Spec
        CommandSpec spec;

        /** An event emitted and not (yet) received by a router: its newest emitted record. */
        private record Emitted(String eventId, JsonNode record, Instant at) {
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            retries.check(spec);
            Duration graceTime = When.duration(grace, "--grace", spec);
            Span span = new Span(When.parse(since, "--since", spec), null);
            GitHub github = parent.github(retries.maxAttempts, retries.budget());
            EventSchemas schemas = EventSchemas.load(null, parent.env, spec);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            EventLogs.Logs read = EventLogs.read(List.of(), null, null, true, span, parent.env, spec, () -> github);
            Window window = read.window();
            Instant due = window.now().minus(graceTime);
            Map<String, Emitted> emitted = new LinkedHashMap<>();
            Set<String> received = new HashSet<>();
            Map<String, List<Instant>> reconciled = new HashMap<>();
            EventLogs.records(read.sources(), err, entry -> {
                JsonNode record = entry.record();
                String eventId = text(record, "/event_id");
                if (eventId == null) {
                    return;
                }
                String status = String.valueOf(text(record, "/status"));
                if (status.equals("emitted")) {
                    // A producer that emitted the same event twice: the newer emission is the one that may still be on its way.
                    Instant at = recordTime(record);
                    Emitted known = emitted.get(eventId);
                    if (known == null || at != null && (known.at() == null || at.isAfter(known.at()))) {
                        emitted.put(eventId, new Emitted(eventId, record, at));
                    }
                } else if (status.equals("reconciled")) {
                    // reconcile's own memory: a replay is no sign that anyone received the event.
                    reconciled.computeIfAbsent(eventId, id -> new ArrayList<>()).add(Optional.ofNullable(recordTime(record)).orElse(Instant.EPOCH));
                } else {
                    received.add(eventId); // any record of a router step, of a cron path that handled the item, or of a consumer
                }
            });
            List<Emitted> missing = emitted.values().stream().filter(e -> !received.contains(e.eventId()) && window.contains(e.at()))
                    .sorted(Comparator.comparing(Emitted::at)).toList();
            List<Emitted> dueNow = new ArrayList<>();
            int waiting = 0;
            int resentWithinGrace = 0;
            for (Emitted event : missing) {
                List<Instant> resent = reconciled.getOrDefault(event.eventId(), List.of());
                Instant last = resent.stream().max(Comparator.naturalOrder()).orElse(null);
                if (event.at().isAfter(due)) {
                    waiting++;
                } else if (last != null && last.isAfter(due)) {
                    resentWithinGrace++; // at most once per grace: the last replay may still be on its way
                } else {
                    dueNow.add(event);
                }
            }

            Map<String, Integer> counts = new LinkedHashMap<>();
            List<List<String>> rows = new ArrayList<>();
            for (Emitted event : dueNow) {
                JsonNode document = event.record().get("event");
                String eventType = Optional.ofNullable(text(document, "/event_type")).orElse(text(event.record(), "/event_type"));
                List<Instant> resent = reconciled.getOrDefault(event.eventId(), List.of());
                String result;
                String reason = null;
                if (resent.size() >= MAX_RECONCILED) {
                    result = "undeliverable";
                    reason = "replayed " + resent.size() + " times, the last at " + TIMESTAMP.format(resent.stream().max(Comparator.naturalOrder())
                            .orElseThrow()) + ", and no router has recorded it: see GitHub's status, and the router's runs";
                } else if (!isDocument(document)) {
                    result = "skipped";
                    reason = "its emitted record holds no event document";
                } else if ((reason = senderDistrust(event.record(), true, parent.env)) != null) {
                    result = "skipped";
                } else if ((reason = invalid(event.eventId(), document, schemas, "")) != null) {
                    result = "invalid";
                } else if (dryRun) {
                    result = "would-replay";
                } else {
                    reason = dispatchEvent(github, document);
                    result = reason == null ? "replayed" : "failed";
                    if (reason == null) {
                        remember(github, document, resent.size() + 1, window.now(), err);
                    }
                }
                counts.merge(result, 1, Integer::sum);
                out.println(result + " " + Actions.safe(eventType) + " " + Actions.safe(event.eventId()) + (reason != null ? ": " + Actions.safe(reason) : ""));
                out.flush();
                rows.add(List.of(String.valueOf(eventType), event.eventId(), TIMESTAMP.format(event.at()), result + (reason != null ? ": " + reason : "")));
            }
            int failed = counts.getOrDefault("failed", 0);
            int undeliverable = counts.getOrDefault("undeliverable", 0);
            String summary = "reconcile: " + (dryRun ? counts.getOrDefault("would-replay", 0) + " would be replayed"
                    : counts.getOrDefault("replayed", 0) + " replayed") + ", " + failed + " failed"
                    + (undeliverable > 0 ? ", " + undeliverable + " undeliverable" : "")
                    + (counts.containsKey("skipped") ? ", " + counts.get("skipped") + " skipped" : "")
                    + (counts.containsKey("invalid") ? ", " + counts.get("invalid") + " invalid" : "")
                    + ", of " + dueNow.size()
                    + (dueNow.size() == 1 ? " event" : " events") + " emitted " + window.describe() + " and before " + TIMESTAMP.format(due)
                    + " (grace " + grace + ") that no router received; " + waiting + " emitted within the grace left for a later run"
                    + (resentWithinGrace > 0 ? "; " + resentWithinGrace + " replayed within the grace left for a later run" : "")
                    + (dryRun ? " (dry run: nothing sent)" : "") + "; the history read with " + read.apiRequests() + " API request"
                    + (read.apiRequests() == 1 ? "" : "s");
            String failure = undeliverable > 0 ? "Undeliverable events" : failed > 0 ? "Reconciliation incomplete" : null;
            return finish(failure, summary, "Event reconciliation", "Emitted", rows, err, parent.env);
        }

        /**
         * reconcile's memory: a reconciled record of the event sent again, appended to the history whatever
         * EVENT_BUS_HISTORY says (and to $EVENT_LOG when set). Its received_at is GitHub's clock, which the
         * next run compares with; resent counts the replays so far. One that cannot be appended is a warning
         * (History.append says so): the next run may then send the event once more than it should.
         */
        private void remember(GitHub github, JsonNode document, int resent, Instant now, PrintWriter err) throws IOException, InterruptedException {
            ObjectNode record = EventLog.record(document, "reconciled", parent.env, null);
            record.put("received_at", TIMESTAMP.format(now));
            record.putNull("latency_ms");
            record.put("resent", resent);
            Path log = EventLog.fromEnv(parent.env);
            if (log != null) {
                EventLog.append(log, List.of(record));
            }
            History.append(github, List.of(record), err, parent.env);
        }

    }

    /** How often reconcile sends an event again before it calls it undeliverable. */
    static final int MAX_RECONCILED = 3;

    /** Whether a record is a rejection by the sender rule (validate's or route's: rule sender). */
    static boolean rejectedBySenderRule(JsonNode record) {
        return "rejected".equals(text(record, "/status")) && String.valueOf(text(record, "/error")).contains("(rule: sender)");
    }

    /**
     * Why a record's event may not be sent again for the sender it names (null when it may): GitHub delivers
     * the event sent again with the sender of the token that sends it (github-actions[bot] in a workflow), so
     * an event first sent by someone not on EVENT_BUS_SENDERS would come back in the name of one who is. The
     * rule is the router's own (Senders). A record that names no sender fails closed unless allowed.
     */
    static String senderDistrust(JsonNode record, boolean allowNoSender, Map<String, String> env) {
        JsonNode sender = record.get("sender");
        if (sender == null || sender.isNull()) {
            return allowNoSender ? null : "its record names no sender (written before records had one, or for an event read from a "
                    + "file): not sent unless --allow-no-sender vouches for it";
        }
        if (!sender.isTextual()) {
            return "its record's sender is not a login (" + sender.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ")";
        }
        if (!Senders.allows(sender.asText(), env)) {
            return "its sender '" + sender.asText() + "' is not one of " + String.join(", ", Senders.allowed(env))
                    + " (EVENT_BUS_SENDERS): it is not sent again in another's name";
        }
        return null;
    }

    private static boolean isDocument(JsonNode event) {
        return event != null && event.path("event_type").isTextual() && event.path("client_payload").isObject();
    }

    /** Why a document cannot be sent again as it is (null when it can): its event_id is not its record's, or it breaks the schemas. */
    static String invalid(String eventId, JsonNode document, EventSchemas schemas, String consequence) {
        String documentId = text(document, "/client_payload/event_id");
        if (!eventId.equals(documentId)) {
            return "the record's event_id is not its document's (" + documentId + ")" + consequence;
        }
        return schemas.check(document).stream().findFirst().map(Violation::describe).orElse(null);
    }

    /**
     * The end of replay and reconcile: the count on stderr (an error annotation when it failed), a row per event (its type,
     * id, the third column, the result) in the job summary; the exit code.
     */
    static int finish(String failure, String summary, String title, String column, List<List<String>> rows, PrintWriter err,
                      Map<String, String> env) throws IOException {
        if (failure != null) {
            Actions.error(err, null, 0, failure, summary, env);
        } else {
            err.println(summary);
        }
        err.flush();
        StringBuilder md = new StringBuilder("### " + title + "\n\n").append(summary.substring(summary.indexOf(' ') + 1)).append(".\n");
        if (!rows.isEmpty()) {
            md.append("\n| Event type | Event id | ").append(column).append(" | Result |\n|---|---|---|---|\n");
            for (List<String> row : rows) {
                md.append("| ").append(Actions.code(row.get(0))).append(" | ").append(Actions.code(row.get(1))).append(" | ")
                        .append(Actions.cell(row.get(2))).append(" | ").append(Actions.cell(row.get(3))).append(" |\n");
            }
        }
        Actions.appendSummary(md.toString(), env);
        return failure != null ? CommandLine.ExitCode.SOFTWARE : CommandLine.ExitCode.OK;
    }

    /**
     * Sends an event document again as a repository dispatch: its type and its payload, event_id and
     * timestamp included, as it was first sent. Returns null when GitHub took it, else why not.
     */
    static String dispatchEvent(GitHub github, JsonNode document) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.set("event_type", document.get("event_type"));
        body.set("client_payload", document.get("client_payload"));
        try {
            github.call("POST", github.repoPath("/dispatches"), body, "create repository dispatch events", "contents: write");
            return null;
        } catch (GitHubException e) {
            return e.getMessage();
        }
    }

    // ---- events stats ---------------------------------------------------------------------

    @Command(name = "stats", mixinStandardHelpOptions = true, abbreviateSynopsis = true, version = VERSION,
            description = {
                "Reports on event logs (JSON Lines) and the event history (--history).",
                "It reports counts per event type and status; the median "
                        + "and 95th percentile (nearest rank) of latency_ms (received_at minus the event's timestamp) over "
                        + "routed records only; per event type, the time from an event's timestamp to each target's "
                        + "dispatched_at; per event type and outcome, the time from an event's timestamp to what a consumer "
                        + "recorded it did (events record: acted_at; count, mean, median, p95; the type from the event's other "
                        + "records when the outcome has none), so rfc.pr.ready to merge-attempted is the RFC's time from "
                        + "readiness to merge attempt; the schema drift report (rejected records by the rule in their error, and by "
                        + "source; those refused by the sender rule apart, by sender: they are not drift); the items the cron paths caught that no event had handled (cron-caught records); and per "
                        + "trace_id the time from its first event's timestamp to its last event's received_at, slowest first.",
                "The window (--since, --until: against received_at, else timestamp) and the filters (--type, --status, "
                        + "--source) apply to every record read: LOG files, artifacts and the history. With --history, "
                        + "durations count back from GitHub's clock.",
                "A plain table on stdout (or JSON with --json, which has everything); Markdown with a Mermaid chart of "
                        + "events per day (distinct event ids by the day they were received, cron-caught items and outcomes aside) "
                        + "and charts of the median time to each outcome per day is appended to $GITHUB_STEP_SUMMARY when set. "
                        + "--by day adds tables per day (UTC): counts per status, and the time to each outcome.",
                "--max-rejected N exits 1 when the window holds more than N events rejected by a schema rule (events the "
                        + "sender rule refused are not counted): '--since 7d --max-rejected 0' in a scheduled workflow makes zero "
                        + "schema drift over 7 days a check that can fail.",
                "--history costs one API request (the zipball of the branch event-bus-history, then its archive from "
                        + "storage, which is no API request) whatever the number of events; --from-artifacts N costs one "
                        + "list request per 100 artifacts and one request per artifact."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  EVENT_LOG            the log read when no LOG, --history or",
                "                       --from-artifacts is given (else event_log.jsonl)",
                "  GITHUB_STEP_SUMMARY  a Markdown report is appended to it",
                "  GITHUB_TOKEN, GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL",
                "                       for --history (the token needs contents: read)",
                "                       and --from-artifacts (actions: read)",
                "  EVENT_BUS_HISTORY    not read here: the history is what the scripts of",
                "                       workflows with EVENT_BUS_HISTORY=true append",
                "",
                "Example:",
                "  events stats --history --since 7d --by day",
                "  events stats --history --since 7d --status rejected --max-rejected 0",
                "  events stats event_log.jsonl --type 'rfc.pr.*' --json"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:reported",
                "1:the window holds more rejected events than --max-rejected; GitHub could not be reached or refused; or "
                        + "internal failure",
                "2:an unreadable log or bad usage"})
    static final class Stats implements Callable<Integer> {
        @ParentCommand
        events parent;

        @Mixin
        Sources sources;

        @Mixin
        Selection selection;

        @Option(names = "--json", description = "print the report as JSON")
        boolean json;

        @Option(names = "--by", paramLabel = "day", description = "add tables per day (UTC): counts per status, with cron-caught items, "
                + "and the time to each outcome")
        String by;

        @Option(names = "--max-rejected", paramLabel = "N", description = "exit 1 when the window holds more than N events (distinct "
                + "event ids) rejected by a schema rule; those the sender rule refused are counted apart")
        Integer maxRejected;

        @Spec
        CommandSpec spec;

        /** The statuses every table has a column for, whether or not the records hold them; others follow when they do. */
        static final List<String> COLUMNS = List.of("routed", "unrouted", "duplicate", "rejected", "failed");
        /** Rows of the trace table on a terminal and in the summary; --json has them all. */
        static final int TRACE_ROWS = 50;
        /** Charts of the time to an outcome in the summary: the RFC's readiness to merge attempt first. */
        static final int OUTCOME_CHARTS = 4;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Filter filter = selection.check(spec, null);
            if (by != null && !by.equals("day")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--by: the report can be split by day, not by '" + by + "'");
            }
            if (maxRejected != null && maxRejected < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--max-rejected must be 0 or more");
            }
            EventLogs.Logs read = sources.read(filter.span(), parent.env, spec, () -> parent.github(5, Duration.ofSeconds(300)));
            Window window = read.window();
            PrintWriter err = spec.commandLine().getErr();
            List<JsonNode> records = new ArrayList<>();
            int skipped = EventLogs.records(read.sources(), err, entry -> records.add(entry.record()));
            // An outcome recorded without --type takes its event's type from the event's other records (of all those read).
            Map<String, EventFacts> facts = EventFacts.of(records);
            List<JsonNode> kept = new ArrayList<>();
            for (JsonNode record : records) {
                if ("acted".equals(text(record, "/status")) && text(record, "/event_type") == null
                        && facts.containsKey(text(record, "/event_id")) && facts.get(text(record, "/event_id")).type() != null) {
                    ((ObjectNode) record).put("event_type", facts.get(text(record, "/event_id")).type());
                }
                if ((!window.bounded() || window.contains(recordTime(record))) && filter.keeps(record)) {
                    kept.add(record);
                }
            }
            Report report = new Report(kept, records.size(), skipped, read, window, filter.describe(), by != null, facts);
            PrintWriter out = spec.commandLine().getOut();
            ObjectNode json = report.json();
            if (maxRejected != null) {
                json.putObject("max_rejected").put("limit", maxRejected).put("rejected_events", report.rejectedEvents())
                        .put("exceeded", report.rejectedEvents() > maxRejected)
                        .put("sender_rejected_events", json.at("/sender_rejected/rejected_events").asInt());
            }
            // Values of the records are shown safely in the table; the JSON keeps them exact, escaped where the runner could misread them.
            out.print(this.json ? Actions.safeJson(json.toPrettyString()) + "\n" : report.table());
            out.flush();
            if (read.apiRequests() > 0) {
                err.println("stats: " + read.cost());
            }
            Actions.appendSummary(report.markdown(), parent.env);
            if (maxRejected != null && report.rejectedEvents() > maxRejected) {
                Actions.error(err, null, 0, "Schema drift", "stats: " + report.rejectedEvents() + " event"
                        + (report.rejectedEvents() == 1 ? "" : "s") + " rejected by a schema rule" + (window.bounded() ? " " + window.describe() : "")
                        + ", more than --max-rejected " + maxRejected + ": the drift report lists the rejected records by rule and by source"
                        + report.senderNote(), parent.env);
                return CommandLine.ExitCode.SOFTWARE;
            }
            return CommandLine.ExitCode.OK;
        }
    }

    /** The statistics of a set of event log records (those the window and the filters kept). */
    static final class Report {
        private static final Pattern RULE = Pattern.compile("\\(rule: ([^)]+)\\)");

        private final int records;
        private final int read;
        private final int skipped;
        private final EventLogs.Logs logs;
        private final Window window;
        private final String filters;
        private final boolean dayTable;
        private final Map<String, Tally> byType = new TreeMap<>();
        private final Tally all = new Tally(new TreeMap<>(), new ArrayList<>());
        private final Set<String> statuses = new LinkedHashSet<>(Stats.COLUMNS);
        private final TreeMap<java.time.LocalDate, Map<String, Integer>> byDay = new TreeMap<>();
        private final TreeMap<java.time.LocalDate, Set<String>> eventsByDay = new TreeMap<>();
        private final Map<String, Integer> driftByRule = new HashMap<>();
        private final Map<String, Integer> driftBySource = new HashMap<>();
        private final Set<String> rejected = new HashSet<>();
        private int rejectedRecords;
        /** Rejected by the sender rule alone: not schema drift, counted apart. */
        private final Set<String> senderRejected = new HashSet<>();
        private int senderRejectedRecords;
        private final Map<String, Integer> senderRejectedBySender = new HashMap<>();
        private final Map<String, List<Long>> dispatchMs = new TreeMap<>();
        private int cronCaught;
        private List<TraceSpan> traces = List.of();
        /** Events reconcile sent again MAX_RECONCILED times that no router, cron path or consumer recorded: event id to its replays. */
        private final Map<String, Undeliverable> undeliverable = new TreeMap<>();

        /** An event reconcile gave up on: its type, how often it was sent again, the last time. */
        record Undeliverable(String eventType, int resent, Instant last) {
            List<String> row(String eventId) {
                return List.of(eventType, eventId, String.valueOf(resent), last == null ? "-" : TIMESTAMP.format(last));
            }
        }
        /** The time from each event to each outcome, per event type and outcome, in all and per day (of acted_at). */
        private final Map<OutcomeKey, Outcomes> outcomes = new TreeMap<>();
        private final TreeMap<java.time.LocalDate, Map<OutcomeKey, Outcomes>> outcomesByDay = new TreeMap<>();

        Report(List<JsonNode> records, int read, int skipped, EventLogs.Logs logs, Window window, String filters, boolean dayTable,
               Map<String, EventFacts> facts) {
            this.records = records.size();
            this.read = read;
            this.skipped = skipped;
            this.logs = logs;
            this.window = window;
            this.filters = filters;
            this.dayTable = dayTable;
            Map<String, List<JsonNode>> byTrace = new LinkedHashMap<>();
            Map<String, List<JsonNode>> reconciled = new HashMap<>();
            Set<String> received = new HashSet<>();
            // An outcome counts once per event: the first time it was recorded (a re-run of the consumer records it again).
            Map<List<String>, JsonNode> firstOutcomes = new LinkedHashMap<>();
            for (int i = 0; i < records.size(); i++) {
                JsonNode record = records.get(i);
                String type = Optional.ofNullable(text(record, "/event_type")).orElse("(none)");
                String status = Optional.ofNullable(text(record, "/status")).orElse("(none)");
                // An event without an id (one that could not be read) is an event of its own.
                String event = Optional.ofNullable(text(record, "/event_id")).orElse("record " + i);
                statuses.add(status);
                Long latency = record.path("latency_ms").canConvertToLong() ? record.get("latency_ms").asLong() : null;
                byType.computeIfAbsent(type, t -> new Tally(new TreeMap<>(), new ArrayList<>())).add(status, latency);
                all.add(status, latency);
                Instant time = recordTime(record);
                if (time != null) {
                    java.time.LocalDate day = Window.day(time);
                    byDay.computeIfAbsent(day, d -> new TreeMap<>()).merge(status, 1, Integer::sum);
                    if (!status.equals("cron-caught") && !status.equals("acted")) {
                        eventsByDay.computeIfAbsent(day, d -> new HashSet<>()).add(event);
                    }
                }
                if (status.equals("cron-caught")) {
                    cronCaught++;
                }
                if (status.equals("reconciled")) {
                    reconciled.computeIfAbsent(event, e -> new ArrayList<>()).add(record);
                } else if (!status.equals("emitted")) {
                    received.add(event);
                }
                if (status.equals("rejected")) {
                    Set<String> rules = new TreeSet<>();
                    RULE.matcher(String.valueOf(text(record, "/error"))).results().forEach(m -> rules.add(m.group(1).strip()));
                    if (rules.equals(Set.of("sender"))) {
                        // Who may emit is not the events' shape: a sender refused is counted apart from schema drift.
                        senderRejectedRecords++;
                        senderRejected.add(event);
                        senderRejectedBySender.merge(Optional.ofNullable(text(record, "/sender")).orElse("(unknown)"), 1, Integer::sum);
                    } else {
                        rejectedRecords++;
                        rejected.add(event);
                        (rules.isEmpty() ? Set.of("(no rule)") : rules).forEach(rule -> driftByRule.merge(rule, 1, Integer::sum));
                        driftBySource.merge(Optional.ofNullable(text(record, "/source")).orElse("(none)"), 1, Integer::sum);
                    }
                }
                if (status.equals("acted") && text(record, "/outcome") != null && parseInstant(text(record, "/acted_at")) != null) {
                    List<String> key = List.of(event, text(record, "/outcome"));
                    JsonNode first = firstOutcomes.get(key);
                    if (first == null || parseInstant(text(record, "/acted_at")).isBefore(parseInstant(text(first, "/acted_at")))) {
                        firstOutcomes.put(key, record);
                    }
                }
                Instant emitted = parseInstant(text(record, "/timestamp"));
                for (JsonNode target : record.path("targets")) {
                    Instant dispatched = parseInstant(text(target, "/dispatched_at"));
                    // Only targets sent (or called) in this record: an already-dispatched one was counted when it was sent.
                    if (emitted != null && dispatched != null && List.of("dispatched", "called").contains(text(target, "/status"))) {
                        dispatchMs.computeIfAbsent(type, t -> new ArrayList<>()).add(Duration.between(emitted, dispatched).toMillis());
                    }
                }
                // The first event of a chain has no trace_id: its event_id is the trace. An item a cron path caught is no
                // event, and an outcome is what a consumer did, not an event's arrival.
                String trace = Optional.ofNullable(text(record, "/trace_id")).orElse(text(record, "/event_id"));
                if (trace != null && !status.equals("cron-caught") && !status.equals("acted")) {
                    byTrace.computeIfAbsent(trace, t -> new ArrayList<>()).add(record);
                }
            }
            // The same rule as reconcile's: replayed MAX_RECONCILED times, and no record of anyone who received it.
            reconciled.forEach((event, replays) -> {
                if (replays.size() >= MAX_RECONCILED && !received.contains(event)) {
                    undeliverable.put(event, new Undeliverable(Optional.ofNullable(text(replays.get(0), "/event_type")).orElse("(none)"),
                            replays.size(), replays.stream().map(events::recordTime).filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null)));
                }
            });
            for (JsonNode outcome : firstOutcomes.values()) {
                OutcomeKey key = new OutcomeKey(Optional.ofNullable(text(outcome, "/event_type")).orElse("(none)"), text(outcome, "/outcome"));
                Instant actedAt = parseInstant(text(outcome, "/acted_at"));
                EventFacts event = facts.get(text(outcome, "/event_id"));
                Long ms = event == null || event.timestamp() == null ? null : Duration.between(event.timestamp(), actedAt).toMillis();
                outcomes.computeIfAbsent(key, k -> new Outcomes()).add(ms);
                outcomesByDay.computeIfAbsent(Window.day(actedAt), d -> new TreeMap<>()).computeIfAbsent(key, k -> new Outcomes()).add(ms);
            }
            traces = byTrace.entrySet().stream().map(e -> TraceSpan.of(e.getKey(), e.getValue()))
                    .filter(Objects::nonNull)
                    .sorted(Comparator.comparingLong(TraceSpan::spanMs).reversed().thenComparing(TraceSpan::traceId))
                    .toList();
        }

        /** Schema drift: distinct event ids among the records rejected by a schema rule (the sender rule's are apart). */
        int rejectedEvents() {
            return rejected.size();
        }

        /** "; 1 event refused by the sender rule is not counted (not schema drift)", or "". */
        String senderNote() {
            int events = senderRejected.size();
            return events == 0 ? "" : "; " + events + (events == 1 ? " event" : " events") + " refused by the sender rule "
                    + (events == 1 ? "is" : "are") + " not counted (not schema drift)";
        }

        /** The rows of the outcome table: event type, outcome, count, mean, median and p95 ms (- when none is timed), untimed. */
        private List<List<String>> outcomeRows(Map<OutcomeKey, Outcomes> of, String... first) {
            List<List<String>> rows = new ArrayList<>();
            of.forEach((key, o) -> rows.add(Stream.concat(Stream.of(first), Stream.of(key.eventType(), key.outcome(),
                    String.valueOf(o.times.size()), dash(o.mean()), dash(o.percentile(50)), dash(o.percentile(95)), String.valueOf(o.untimed)))
                    .toList()));
            return rows;
        }

        /** The same per day (of acted_at), the day first. */
        private List<List<String>> outcomeDayRows() {
            return outcomesByDay.entrySet().stream().flatMap(day -> outcomeRows(day.getValue(), day.getKey().toString()).stream()).toList();
        }

        private static String dash(Long value) {
            return value == null ? "-" : String.valueOf(value);
        }

        private int untimedOutcomes() {
            return outcomes.values().stream().mapToInt(o -> o.untimed).sum();
        }

        /**
         * The median time to each outcome per day (of acted_at), in seconds, as Mermaid bar charts (xychart-beta): one per
         * event type and outcome, the RFC's rfc.pr.ready to merge-attempted first, at most OUTCOME_CHARTS; days without a
         * timed outcome are left off the axis rather than drawn as 0. GitHub renders Mermaid in Markdown, job summaries
         * included (GitHub blog, "Supercharging GitHub Actions with Job Summaries", 2022-05-09; docs, "Creating diagrams");
         * xychart-beta is Mermaid's syntax since 10.5 (mermaid.js.org/syntax/xyChart.html).
         */
        String outcomeCharts() {
            StringBuilder charts = new StringBuilder();
            outcomes.keySet().stream().sorted(Comparator.comparing((OutcomeKey k) -> !k.equals(OutcomeKey.READINESS_TO_MERGE)))
                    .limit(Stats.OUTCOME_CHARTS).forEach(key -> {
                        List<java.time.LocalDate> days = new ArrayList<>();
                        List<String> medians = new ArrayList<>();
                        double max = 0;
                        for (var day : outcomesByDay.entrySet()) {
                            Outcomes o = day.getValue().get(key);
                            Long median = o == null ? null : o.percentile(50);
                            if (median != null) {
                                days.add(day.getKey());
                                double seconds = Math.max(0, median) / 1000.0;
                                medians.add(String.format(java.util.Locale.ROOT, "%.1f", seconds));
                                max = Math.max(max, seconds);
                            }
                        }
                        if (days.isEmpty()) {
                            return;
                        }
                        charts.append("\n```mermaid\n").append(xychart(key.eventType() + " to " + key.outcome() + ": median seconds per day",
                                days, "Seconds", (long) Math.ceil(Math.max(max, 1)), medians)).append("```\n");
                    });
            return charts.toString();
        }

        private List<String> statusList() {
            return List.copyOf(statuses);
        }

        /** "6 records from 2 logs", or "3 of 57 records from the history of o/r (8 days), received since ...; type rfc.pr.*". */
        private String heading() {
            boolean selected = window.bounded() || !filters.isEmpty();
            return (selected ? records + " of " + read : String.valueOf(records)) + " records from " + logs.describe()
                    + (skipped > 0 ? " (" + skipped + " lines skipped)" : "")
                    + (window.bounded() ? ", received " + window.describe() : "") + (filters.isEmpty() ? "" : "; " + filters);
        }

        /** The days of the chart and the day table: every day from the first to the last (those of the window included), at most a year of them. */
        private List<java.time.LocalDate> days() {
            TreeSet<java.time.LocalDate> days = new TreeSet<>(byDay.keySet());
            if (window.since() != null) {
                days.add(Window.day(window.since()));
                days.add(Window.day(window.until() != null ? window.until().minusMillis(1) : window.now()));
            }
            if (days.isEmpty() || ChronoUnit.DAYS.between(days.first(), days.last()) > 366) {
                return List.copyOf(byDay.keySet());
            }
            return days.first().datesUntil(days.last().plusDays(1)).toList();
        }

        private List<List<String>> dayRows() {
            List<List<String>> rows = new ArrayList<>();
            for (java.time.LocalDate day : days()) {
                Map<String, Integer> counts = byDay.getOrDefault(day, Map.of());
                List<String> row = new ArrayList<>(List.of(day.toString()));
                statuses.forEach(s -> row.add(String.valueOf(counts.getOrDefault(s, 0))));
                row.add(String.valueOf(counts.values().stream().mapToInt(Integer::intValue).sum()));
                row.add(String.valueOf(eventsByDay.getOrDefault(day, Set.of()).size()));
                rows.add(row);
            }
            return rows;
        }

        private static List<Map.Entry<String, Integer>> mostFirst(Map<String, Integer> counts) {
            return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                    .thenComparing(Map.Entry.comparingByKey())).toList();
        }

        private List<List<String>> dispatchRows() {
            List<List<String>> rows = new ArrayList<>();
            dispatchMs.forEach((type, times) -> rows.add(List.of(type, String.valueOf(times.size()),
                    String.valueOf(percentile(times, 50)), String.valueOf(percentile(times, 95)))));
            return rows;
        }

        String table() {
            List<String> statuses = statusList();
            List<List<String>> rows = new ArrayList<>();
            byType.forEach((type, tally) -> rows.add(tally.row(type, statuses)));
            rows.add(all.row("all", statuses));
            StringBuilder text = new StringBuilder(Actions.safe(heading()) + "\n\n")
                    .append(aligned(columns("event type", statuses, "total", "routed median ms", "routed p95 ms"), rows))
                    .append("(latency_ms: received_at minus timestamp, over routed records only)\n");
            if (dayTable && !byDay.isEmpty()) {
                text.append('\n').append(aligned(columns("day", statuses, "total", "events"), dayRows()));
            }
            if (!dispatchMs.isEmpty()) {
                text.append('\n').append(aligned(List.of("time to dispatch", "targets", "median ms", "p95 ms"), dispatchRows()))
                        .append("(from the event's timestamp to each target's dispatched_at)\n");
            }
            if (!outcomes.isEmpty()) {
                text.append('\n').append(aligned(List.of("time to outcome", "outcome", "count", "mean ms", "median ms", "p95 ms", "untimed"),
                        outcomeRows(outcomes))).append("(from the event's timestamp to the outcome's acted_at, the first of each event; "
                        + "rfc.pr.ready to merge-attempted is the RFC's time from readiness to merge attempt")
                        .append(untimedOutcomes() > 0 ? "; untimed: no record of the event read gives its timestamp" : "").append(")\n");
                if (dayTable) {
                    text.append('\n').append(aligned(List.of("day", "event type", "outcome", "count", "mean ms", "median ms", "p95 ms",
                            "untimed"), outcomeDayRows()));
                }
            }
            if (rejectedRecords > 0) {
                text.append("\nschema drift: ").append(count(rejectedRecords, "rejected record")).append(" (")
                        .append(count(rejected.size(), "event")).append(")\n")
                        .append(aligned(List.of("rule", "rejected"), countRows(driftByRule))).append('\n')
                        .append(aligned(List.of("source", "rejected"), countRows(driftBySource)));
            }
            if (senderRejectedRecords > 0) {
                text.append("\nrefused by the sender rule (not schema drift): ").append(count(senderRejectedRecords, "record")).append(" (")
                        .append(count(senderRejected.size(), "event")).append(")\n")
                        .append(aligned(List.of("sender", "refused"), countRows(senderRejectedBySender)));
            }
            if (cronCaught > 0) {
                text.append("\ncron-caught: ").append(count(cronCaught, "item")).append(" the cron paths caught that no event had handled\n");
            }
            if (!undeliverable.isEmpty()) {
                text.append("\nundeliverable: ").append(count(undeliverable.size(), "event")).append(" reconcile sent again ")
                        .append(MAX_RECONCILED).append(" times that no router received\n")
                        .append(aligned(List.of("event type", "event id", "replays", "last replayed"), undeliverableRows()));
            }
            if (!traces.isEmpty()) {
                text.append('\n').append(aligned(List.of("trace", "events", "first", "last", "span ms"), traceRows()));
                if (traces.size() > Stats.TRACE_ROWS) {
                    text.append("...and ").append(traces.size() - Stats.TRACE_ROWS).append(" more traces (see --json)\n");
                }
            }
            return text.toString();
        }

        private static List<String> columns(String first, List<String> statuses, String... rest) {
            List<String> header = new ArrayList<>(List.of(first));
            header.addAll(statuses);
            header.addAll(List.of(rest));
            return header;
        }

        /** Columns padded to their widest cell; numbers to the right. Every cell is shown safely: a value may start the line. */
        static String aligned(List<String> header, List<List<String>> unsafe) {
            List<List<String>> rows = Stream.concat(Stream.of(header), unsafe.stream()).map(row -> row.stream().map(Actions::safe).toList())
                    .toList();
            int[] widths = new int[rows.get(0).size()];
            rows.forEach(row -> {
                for (int i = 0; i < row.size(); i++) {
                    widths[i] = Math.max(widths[i], row.get(i).length());
                }
            });
            StringBuilder text = new StringBuilder();
            for (List<String> row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.size(); i++) {
                    String cell = row.get(i);
                    String pad = " ".repeat(widths[i] - cell.length());
                    line.append(i == 0 ? "" : "  ").append(i == 0 || !rows.get(rows.size() - 1).get(i).matches("[-0-9.]*") ? cell + pad : pad + cell);
                }
                text.append(line.toString().stripTrailing()).append('\n');
            }
            return text.toString();
        }

        /** Events per day as a Mermaid bar chart (xychart-beta), which GitHub renders in a job summary. */
        String mermaid() {
            List<java.time.LocalDate> days = days();
            List<Integer> counts = days.stream().map(d -> eventsByDay.getOrDefault(d, Set.of()).size()).toList();
            return xychart("Events per day", days, "Events", Math.max(counts.stream().mapToInt(Integer::intValue).max().orElse(0), 1),
                    counts.stream().map(String::valueOf).toList());
        }

        /** A Mermaid bar chart (xychart-beta) of a value per day; the days without their year when all are of one year. */
        private static String xychart(String title, List<java.time.LocalDate> days, String axis, long max, List<String> bars) {
            boolean oneYear = days.stream().map(java.time.LocalDate::getYear).distinct().count() == 1;
            return "xychart-beta\n  title \"" + title + "\"\n  x-axis [" + days.stream()
                    .map(d -> "\"" + (oneYear ? d.toString().substring(5) : d.toString()) + "\"").collect(Collectors.joining(", "))
                    + "]\n  y-axis \"" + axis + "\" 0 --> " + max + "\n  bar [" + String.join(", ", bars) + "]\n";
        }

        String markdown() {
            List<String> statuses = statusList();
            StringBuilder md = new StringBuilder("### Event log statistics\n\n").append(Actions.cell(heading())).append(".\n\n")
                    .append("| Event type | ").append(String.join(" | ", statuses))
                    .append(" | Total | Routed median ms | Routed p95 ms |\n|---|")
                    .append("--:|".repeat(statuses.size() + 3)).append('\n');
            byType.forEach((type, tally) -> md.append(markdownRow(tally.row(type, statuses), 0, 1)));
            List<String> allRow = all.row("all", statuses);
            md.append("| **all** ").append(markdownRow(allRow.subList(1, allRow.size()), 0, 0))
                    .append("\nLatency: `received_at` minus `timestamp`, over routed records only.\n");
            if (!byDay.isEmpty()) {
                md.append("\n#### Events per day\n\n```mermaid\n").append(mermaid()).append("```\n");
            }
            if (dayTable && !byDay.isEmpty()) {
                md.append("\n| Day | ").append(String.join(" | ", statuses)).append(" | Total | Events |\n|---|")
                        .append("--:|".repeat(statuses.size() + 2)).append('\n').append(markdownRows(dayRows(), 0, 0));
            }
            if (!dispatchMs.isEmpty()) {
                md.append("\n#### Time to dispatch\n\nFrom the event's `timestamp` to each target's `dispatched_at`.\n\n"
                        + "| Event type | Targets | Median ms | p95 ms |\n|---|--:|--:|--:|\n").append(markdownRows(dispatchRows(), 0, 1));
            }
            if (!outcomes.isEmpty()) {
                md.append("\n#### Time to outcome\n\nFrom the event's `timestamp` to the outcome's `acted_at` (the first of each event); "
                        + "`rfc.pr.ready` to `merge-attempted` is the RFC's time from readiness to merge attempt."
                        + (untimedOutcomes() > 0 ? " Untimed: no record of the event read gives its timestamp." : "")
                        + "\n\n| Event type | Outcome | Count | Mean ms | Median ms | p95 ms | Untimed |\n|---|---|--:|--:|--:|--:|--:|\n")
                        .append(markdownRows(outcomeRows(outcomes), 0, 2)).append(outcomeCharts());
                if (dayTable) {
                    md.append("\n| Day | Event type | Outcome | Count | Mean ms | Median ms | p95 ms | Untimed |\n")
                            .append("|---|---|---|--:|--:|--:|--:|--:|\n").append(markdownRows(outcomeDayRows(), 1, 3));
                }
            }
            md.append("\n#### Schema drift\n\n");
            if (rejectedRecords == 0) {
                md.append(":white_check_mark: No event rejected by a schema rule.\n");
            } else {
                md.append(":x: ").append(count(rejectedRecords, "rejected record")).append(" (").append(count(rejected.size(), "event"))
                        .append(").\n\n| Rule | Rejected |\n|---|--:|\n").append(markdownRows(countRows(driftByRule), 0, 1))
                        .append("\n| Source | Rejected |\n|---|--:|\n").append(markdownRows(countRows(driftBySource), 0, 1));
            }
            if (senderRejectedRecords > 0) {
                md.append("\nRefused by the sender rule, which is not schema drift: ").append(count(senderRejectedRecords, "record"))
                        .append(" (").append(count(senderRejected.size(), "event")).append(").\n\n| Sender | Refused |\n|---|--:|\n")
                        .append(markdownRows(countRows(senderRejectedBySender), 0, 1));
            }
            if (cronCaught > 0) {
                md.append("\n#### Cron-caught\n\n").append(count(cronCaught, "item"))
                        .append(" the cron paths caught that no event had handled.\n");
            }
            if (!undeliverable.isEmpty()) {
                md.append("\n#### Undeliverable\n\n:x: ").append(count(undeliverable.size(), "event")).append(" reconcile sent again ")
                        .append(MAX_RECONCILED).append(" times that no router received.\n\n")
                        .append("| Event type | Event id | Replays | Last replayed |\n|---|---|--:|---|\n")
                        .append(markdownRows(undeliverableRows(), 0, 2));
            }
            if (!traces.isEmpty()) {
                md.append("\n#### Traces, slowest first\n\n| Trace | Events | First | Last | Span ms |\n|---|--:|---|---|--:|\n")
                        .append(markdownRows(traceRows(), 0, 0));
                if (traces.size() > Stats.TRACE_ROWS) {
                    md.append("\n…and ").append(traces.size() - Stats.TRACE_ROWS).append(" more traces.\n");
                }
            }
            return md.toString();
        }

        /** Table rows in Markdown: the cells of the columns from codeFrom to codeTo (exclusive) as code spans, the others escaped. */
        private static String markdownRows(List<List<String>> rows, int codeFrom, int codeTo) {
            return rows.stream().map(row -> markdownRow(row, codeFrom, codeTo)).collect(Collectors.joining());
        }

        private static String markdownRow(List<String> row, int codeFrom, int codeTo) {
            return "| " + java.util.stream.IntStream.range(0, row.size()).mapToObj(i -> i >= codeFrom && i < codeTo ? Actions.code(row.get(i))
                    : Actions.cell(row.get(i))).collect(Collectors.joining(" | ")) + " |\n";
        }

        private static String count(int n, String noun) {
            return n + " " + noun + (n == 1 ? "" : "s");
        }

        /** A count per key (a rule, a source, a sender), the most first. */
        private static List<List<String>> countRows(Map<String, Integer> counts) {
            return mostFirst(counts).stream().map(e -> List.of(e.getKey(), String.valueOf(e.getValue()))).toList();
        }

        private List<List<String>> undeliverableRows() {
            return undeliverable.entrySet().stream().map(e -> e.getValue().row(e.getKey())).toList();
        }

        /** The slowest traces, at most TRACE_ROWS of them (--json has them all). */
        private List<List<String>> traceRows() {
            return traces.stream().limit(Stats.TRACE_ROWS).map(TraceSpan::row).toList();
        }

        ObjectNode json() {
            List<String> statuses = statusList();
            ObjectNode report = JSON.createObjectNode().put("records", records).put("records_read", read).put("logs", logs.logs())
                    .put("skipped_lines", skipped);
            report.putObject("window").put("since", window.since() == null ? null : TIMESTAMP.format(window.since()))
                    .put("until", window.until() == null ? null : TIMESTAMP.format(window.until())).put("now", TIMESTAMP.format(window.now()));
            report.put("filters", filters.isEmpty() ? null : filters);
            if (logs.history() != null) {
                report.putObject("history").put("repository", logs.history().repository()).put("days", logs.history().days())
                        .put("days_in_all", logs.history().daysInAll()).put("files", logs.history().files()).put("bytes", logs.history().bytes());
            }
            report.put("api_requests", logs.apiRequests());
            report.put("latency_over", "routed");
            ArrayNode types = report.putArray("event_types");
            byType.forEach((type, tally) -> types.add(tally.json(statuses).put("event_type", type)));
            report.set("all", all.json(statuses));
            ArrayNode days = report.putArray("by_day");
            for (List<String> row : dayRows()) {
                ObjectNode day = days.addObject().put("day", row.get(0));
                ObjectNode counts = day.putObject("counts");
                for (int i = 0; i < statuses.size(); i++) {
                    counts.put(statuses.get(i), Integer.parseInt(row.get(i + 1)));
                }
                day.put("total", Integer.parseInt(row.get(statuses.size() + 1))).put("events", Integer.parseInt(row.get(statuses.size() + 2)));
            }
            ObjectNode drift = report.putObject("drift").put("rejected_records", rejectedRecords).put("rejected_events", rejected.size());
            ObjectNode rules = drift.putObject("by_rule");
            mostFirst(driftByRule).forEach(e -> rules.put(e.getKey(), e.getValue()));
            ObjectNode sources = drift.putObject("by_source");
            mostFirst(driftBySource).forEach(e -> sources.put(e.getKey(), e.getValue()));
            ObjectNode sender = report.putObject("sender_rejected").put("rejected_records", senderRejectedRecords)
                    .put("rejected_events", senderRejected.size());
            ObjectNode senders = sender.putObject("by_sender");
            mostFirst(senderRejectedBySender).forEach(e -> senders.put(e.getKey(), e.getValue()));
            ArrayNode outcomeList = report.putArray("outcomes");
            outcomes.forEach((key, o) -> outcomeList.add(o.json(key)));
            ArrayNode outcomeDays = report.putArray("outcomes_by_day");
            outcomesByDay.forEach((day, of) -> of.forEach((key, o) -> outcomeDays.addObject().put("day", day.toString())
                    .setAll(o.json(key))));
            ArrayNode dispatch = report.putArray("dispatch_ms");
            dispatchMs.forEach((type, times) -> dispatch.addObject().put("event_type", type).put("targets", times.size())
                    .put("median", percentile(times, 50)).put("p95", percentile(times, 95)));
            ArrayNode lostEvents = report.putObject("undeliverable").put("total", undeliverable.size()).putArray("events");
            undeliverable.forEach((id, u) -> lostEvents.addObject().put("event_id", id).put("event_type", u.eventType())
                    .put("resent", u.resent()).put("last_resent_at", u.last() == null ? null : TIMESTAMP.format(u.last())));
            ObjectNode cronByDay = report.putObject("cron_caught").put("total", cronCaught).putObject("by_day");
            byDay.entrySet().stream().filter(day -> day.getValue().containsKey("cron-caught"))
                    .forEach(day -> cronByDay.put(day.getKey().toString(), day.getValue().get("cron-caught")));
            ArrayNode traceList = report.putArray("traces");
            traces.forEach(t -> traceList.addObject().put("trace_id", t.traceId()).put("events", t.events())
                    .put("first", TIMESTAMP.format(t.first())).put("last", TIMESTAMP.format(t.last())).put("span_ms", t.spanMs()));
            return report;
        }
    }

    /** Nearest-rank percentile: the smallest value with at least p% of the values at or below it; null when there are none. */
    static Long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    /** What stats needs of an event from all its records: its type and its timestamp (null when no record has them). */
    record EventFacts(String type, Instant timestamp) {
        /**
         * Per event id, from every record read (those outside the window and the filters too): the type and timestamp of
         * its router records first, an outcome's own --type only when no other record names one.
         */
        static Map<String, EventFacts> of(List<JsonNode> records) {
            Map<String, EventFacts> facts = new HashMap<>();
            for (boolean outcomes : List.of(false, true)) {
                for (JsonNode record : records) {
                    String id = text(record, "/event_id");
                    if (id == null || outcomes != "acted".equals(text(record, "/status"))) {
                        continue;
                    }
                    EventFacts known = facts.getOrDefault(id, new EventFacts(null, null));
                    facts.put(id, new EventFacts(known.type() != null ? known.type() : text(record, "/event_type"),
                            known.timestamp() != null ? known.timestamp() : parseInstant(text(record, "/timestamp"))));
                }
            }
            return facts;
        }
    }

    record OutcomeKey(String eventType, String outcome) implements Comparable<OutcomeKey> {
        /** The RFC's "time from PR readiness to merge attempt". */
        static final OutcomeKey READINESS_TO_MERGE = new OutcomeKey("rfc.pr.ready", "merge-attempted");

        @Override
        public int compareTo(OutcomeKey other) {
            return Comparator.comparing(OutcomeKey::eventType).thenComparing(OutcomeKey::outcome).compare(this, other);
        }
    }

    /** The times from events to one outcome, in ms; untimed: outcomes whose event's timestamp no record read has. */
    static final class Outcomes {
        final List<Long> times = new ArrayList<>();
        int untimed;

        void add(Long ms) {
            if (ms == null) {
                untimed++;
            } else {
                times.add(ms);
            }
        }

        Long mean() {
            return times.isEmpty() ? null : Math.round(times.stream().mapToLong(Long::longValue).average().orElse(0));
        }

        Long percentile(int p) {
            return events.percentile(times, p);
        }

        ObjectNode json(OutcomeKey key) {
            return JSON.createObjectNode().put("event_type", key.eventType()).put("outcome", key.outcome()).put("count", times.size())
                    .put("mean_ms", mean()).put("median_ms", percentile(50)).put("p95_ms", percentile(95)).put("untimed", untimed);
        }
    }

    /** Counts per status of one event type (or of all), and the latencies of its routed records. */
    record Tally(Map<String, Integer> counts, List<Long> latencies) {
        void add(String status, Long latency) {
            counts.merge(status, 1, Integer::sum);
            // How long routing takes is a question about routed events: a duplicate or a rejection is not routing.
            if (latency != null && status.equals("routed")) {
                latencies.add(latency);
            }
        }

        int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }

        Long percentile(int p) {
            return events.percentile(latencies, p);
        }

        List<String> row(String label, List<String> statuses) {
            List<String> row = new ArrayList<>(List.of(label));
            statuses.forEach(s -> row.add(String.valueOf(counts.getOrDefault(s, 0))));
            row.add(String.valueOf(total()));
            row.add(percentile(50) == null ? "-" : String.valueOf(percentile(50)));
            row.add(percentile(95) == null ? "-" : String.valueOf(percentile(95)));
            return row;
        }

        ObjectNode json(List<String> statuses) {
            ObjectNode json = JSON.createObjectNode().put("total", total());
            ObjectNode byStatus = json.putObject("counts");
            statuses.forEach(s -> byStatus.put(s, counts.getOrDefault(s, 0)));
            json.putObject("latency_ms").put("count", latencies.size()).put("median", percentile(50)).put("p95", percentile(95));
            return json;
        }
    }

    /** A chain: from the earliest emission (timestamp) to the latest arrival (received_at) among its records. */
    record TraceSpan(String traceId, int events, Instant first, Instant last) {
        static TraceSpan of(String traceId, List<JsonNode> records) {
            Instant first = null;
            Instant last = null;
            Set<String> events = new HashSet<>();
            for (JsonNode record : records) {
                events.add(Optional.ofNullable(text(record, "/event_id")).orElse(record.toString()));
                Instant start = instant(record, "/timestamp", "/received_at");
                Instant end = instant(record, "/received_at", "/timestamp");
                first = start != null && (first == null || start.isBefore(first)) ? start : first;
                last = end != null && (last == null || end.isAfter(last)) ? end : last;
            }
            return first == null || last == null ? null : new TraceSpan(traceId, events.size(), first, last);
        }

        private static Instant instant(JsonNode record, String pointer, String fallback) {
            Instant time = parseInstant(text(record, pointer));
            return time != null ? time : parseInstant(text(record, fallback));
        }

        long spanMs() {
            return Duration.between(first, last).toMillis();
        }

        List<String> row() {
            return List.of(traceId, String.valueOf(events), TIMESTAMP.format(first), TIMESTAMP.format(last), String.valueOf(spanMs()));
        }
    }

    // ---- events record ---------------------------------------------------------------------

    @Command(name = "record", mixinStandardHelpOptions = true, version = VERSION,
            description = {
                "Records what a consumer did with an event (its outcome): a record with status acted, appended to the "
                        + "event history (always: that is its purpose) and to $EVENT_LOG (or --log) when set. events stats "
                        + "then reports the time from each event's timestamp to each outcome, per event type and outcome; "
                        + "rfc.pr.ready to merge-attempted is the RFC's \"time from PR readiness to merge attempt\".",
                "The record: {\"status\": \"acted\", \"outcome\", \"event_id\", \"event_type\" (--type, else null: stats "
                        + "takes it from the event's other records), \"acted_at\" (GitHub's clock: the Date of its answer to "
                        + "GET /rate_limit, which no rate limit counts), \"run_id\", \"run_attempt\", \"source\" ($GITHUB_WORKFLOW), "
                        + "\"detail\" (an object of the KEY=VALUE pairs given)}. It is printed on stdout as one JSON line; acted_at= goes to $GITHUB_OUTPUT.",
                "OUTCOME: lowercase words joined by hyphens, such as merge-attempted, monitor-started, ci-dispatched "
                        + "(" + Record.OUTCOME_RULE + "). A malformed outcome, event id, type or detail is exit 2 and writes nothing."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  GITHUB_TOKEN, GH_TOKEN  the token: contents: write (the history branch)",
                "  GITHUB_REPOSITORY       owner/name whose history gets the record (--repo)",
                "  GITHUB_API_URL          API root, for GitHub Enterprise Server",
                "  GITHUB_WORKFLOW         the record's source (the workflow's name)",
                "  GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT  the record's run_id and run_attempt",
                "  EVENT_LOG               an event log that gets the record too (--log)",
                "  GITHUB_OUTPUT           acted_at= is appended to it",
                "",
                "Requests: two (GET /rate_limit for GitHub's clock, uncounted by its rate",
                "limit; one PUT of the record to the branch event-bus-history), and three",
                "more once per repository, when the first record creates the branch.",
                "",
                "Example:",
                "  events record merge-attempted --event-id \"$EVENT_ID\" --type rfc.pr.ready \\",
                "                --detail result=merged --detail sha=\"$SHA\" \\",
                "                --detail method=squash"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:recorded in the history (and the event log)",
                "1:GitHub could not be reached or refused the history's append (the record stays in the event log), or "
                        + "internal failure",
                "2:a malformed outcome, event id, type or detail, or bad usage; nothing was written"})
    static final class Record implements Callable<Integer> {
        static final Pattern OUTCOME = Pattern.compile("^[a-z][a-z0-9-]{0,63}$");
        static final String OUTCOME_RULE = "a lowercase letter, then up to 63 lowercase letters, digits and hyphens";
        static final Pattern DETAIL_KEY = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");
        static final int MAX_DETAILS = 20;
        static final int MAX_DETAIL_VALUE = 1000;

        @ParentCommand
        events parent;

        @Parameters(index = "0", paramLabel = "OUTCOME", description = "what the consumer did: merge-attempted, monitor-started, ...")
        String outcome;

        @Option(names = "--event-id", required = true, paramLabel = "ID", description = "the event acted on (a lowercase UUID)")
        String eventId;

        @Option(names = "--type", paramLabel = "EVENT_TYPE", description = "the event's type (default: none; stats takes it from "
                + "the event's other records)")
        String type;

        @Option(names = "--detail", paramLabel = "KEY=VALUE", description = "a detail of the outcome (repeatable): KEY is lowercase "
                + "letters, digits and _ (result=merged, sha=..., method=squash)")
        List<String> details = new ArrayList<>();

        @Option(names = "--log", paramLabel = "FILE", description = "an event log to append the record to as well (default: $EVENT_LOG)")
        Path logFile;

        @Option(names = "--dry-run", description = "print the record (acted_at from this machine's clock); write and send nothing")
        boolean dryRun;

        @Mixin
        Retries retries;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            retries.check(spec);
            ObjectNode detail = checkedInput();
            PrintWriter err = spec.commandLine().getErr();
            GitHub github = dryRun ? null : parent.github(retries.maxAttempts, retries.budget());
            Instant actedAt = dryRun ? Instant.now() : gitHubClock(github);
            String workflow = parent.env.getOrDefault("GITHUB_WORKFLOW", "");
            ObjectNode record = JSON.createObjectNode().put("status", "acted").put("outcome", outcome).put("event_id", eventId)
                    .put("event_type", type).put("acted_at", TIMESTAMP.format(actedAt)).put("run_id", parent.env.get("GITHUB_RUN_ID"))
                    .put("run_attempt", parent.env.get("GITHUB_RUN_ATTEMPT")).put("source", workflow.isBlank() ? null : workflow);
            record.set("detail", detail);
            PrintWriter out = spec.commandLine().getOut();
            out.println(JSON.writeValueAsString(record));
            out.flush();
            if (dryRun) {
                err.println("record: dry run: " + outcome + " of " + eventId + " not written");
                return CommandLine.ExitCode.OK;
            }
            int lost = History.append(github, List.of(record), err, parent.env);
            Path log = logFile != null ? logFile : EventLog.fromEnv(parent.env);
            if (log != null) {
                EventLog.append(log, List.of(record));
            }
            Actions.output("acted_at", TIMESTAMP.format(actedAt), parent.env);
            if (lost > 0) {
                Actions.error(err, null, 0, "Outcome not recorded", "record: " + outcome + " of " + eventId
                        + " could not be appended to the event history" + (log != null ? "; it is in " + log : ""), parent.env);
                return CommandLine.ExitCode.SOFTWARE;
            }
            err.println("record: " + outcome + " of " + eventId + " at " + TIMESTAMP.format(actedAt) + " appended to the history of "
                    + github.repository() + (log != null ? " and to " + log : "") + " (" + github.requests() + " API requests)");
            return CommandLine.ExitCode.OK;
        }

        /** Every argument checked before anything is sent or written; the details as the record's object. */
        private ObjectNode checkedInput() {
            if (!OUTCOME.matcher(outcome).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "OUTCOME must be " + OUTCOME_RULE + " (such as "
                        + "merge-attempted), not '" + Actions.safe(outcome) + "'");
            }
            if (!UUID_TEXT.matcher(eventId).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--event-id must be an event_id (a lowercase UUID), not '"
                        + Actions.safe(eventId) + "'");
            }
            if (type != null && (type.length() > 100 || !EVENT_TYPE.matcher(type).matches())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--type must be an event type such as rfc.pr.ready "
                        + "(dotted lowercase words, at most 100 characters), not '" + Actions.safe(type) + "'");
            }
            if (details.size() > MAX_DETAILS) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--detail: at most " + MAX_DETAILS + " details, not " + details.size());
            }
            ObjectNode detail = JSON.createObjectNode();
            for (String pair : details) {
                int equals = pair.indexOf('=');
                String key = equals < 0 ? pair : pair.substring(0, equals);
                if (equals < 0 || !DETAIL_KEY.matcher(key).matches()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--detail must be KEY=VALUE with KEY lowercase letters, "
                            + "digits and _ (such as result=merged), not '" + Actions.safe(pair) + "'");
                }
                String value = pair.substring(equals + 1);
                if (value.length() > MAX_DETAIL_VALUE || value.chars().anyMatch(c -> Character.isISOControl(c))) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--detail " + key + ": the value must be one line of at most "
                            + MAX_DETAIL_VALUE + " characters without control characters");
                }
                if (detail.has(key)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--detail " + key + " is given twice");
                }
                detail.put(key, value);
            }
            return detail;
        }

        /** GitHub's clock: the Date of its answer to GET /rate_limit, a request no rate limit counts (GitHub's REST docs, "Rate limit"). */
        private static Instant gitHubClock(GitHub github) throws IOException, InterruptedException {
            Response answer = github.exchange("GET", "/rate_limit", null, Map.of());
            if (answer.status() == 401 || answer.status() == 403 && answer.header("x-ratelimit-remaining").filter("0"::equals).isEmpty()) {
                throw new GitHubException(github.refusal(answer, "read GitHub's clock (GET /rate_limit)", "any"));
            }
            // GitHub Enterprise Server without rate limits answers 404 ("Rate limiting is not enabled."): its Date is as good.
            return answer.date().orElseGet(Instant::now);
        }
    }

    // ---- events merge-latency --------------------------------------------------------------

    @Command(name = "merge-latency", mixinStandardHelpOptions = true, version = VERSION,
            description = {
                "The time from a pull request's readiness to its merge, from GitHub's data alone, for any window: the way "
                        + "to measure the time before the bus, which the bus's records cannot tell, and after it the same way.",
                "It lists the pull requests merged into the base (default: the repository's default branch) whose merged_at "
                        + "falls in the window (GET /pulls with state=closed, base, sort=updated and direction=desc, page by "
                        + "page, until the pages reach pull requests last updated before the window), and for each reads the check "
                        + "runs (the latest of each name) and the commit statuses (the latest of each context) of its head "
                        + "commit as merged: ready_at is when the last of them went green (the latest completed_at of its "
                        + "check runs, success, neutral or skipped, and updated_at of its successful statuses), and the "
                        + "latency is merged_at minus ready_at. A pull request whose head has a failed, pending or unfinished "
                        + "check or status, none at all, or a check that finished after the merge is merged but not measured: "
                        + "it is listed as excluded, with the reason.",
                "--compare-since and --compare-until measure a second window the same way (say, a week before the switch "
                        + "to the bus) and print both side by side with the ratio of the first to the second: 0.50 is the "
                        + "RFC's \"50 %% reduction\".",
                "Requests (printed on stderr): one for the default branch when --base is not given, one per 100 pull "
                        + "requests listed, and two per merged pull request (its check runs, its combined status; more only "
                        + "for a head with over 100 of either); --max-prs bounds them. Times are GitHub's: durations count "
                        + "back from its clock (the Date of its first answer)."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  GITHUB_TOKEN, GH_TOKEN  the token: pull-requests: read, checks: read,",
                "                          statuses: read (contents: read for a private",
                "                          repository)",
                "  GITHUB_REPOSITORY       owner/name (--repo)",
                "  GITHUB_API_URL          API root, for GitHub Enterprise Server",
                "  GITHUB_STEP_SUMMARY     a Markdown report is appended to it",
                "",
                "Example:",
                "  events merge-latency --since 7d",
                "  events merge-latency --since 2026-12-01T00:00:00Z \\",
                "                       --until 2026-12-08T00:00:00Z \\",
                "                       --compare-since 2026-11-01T00:00:00Z \\",
                "                       --compare-until 2026-11-08T00:00:00Z"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:measured (a window with no merged pull request too)",
                "1:GitHub could not be reached or refused, or internal failure",
                "2:bad usage: a window whose end is not after its start, --max-prs below 1, a bad time or branch"})
    static final class MergeLatency implements Callable<Integer> {
        /** Check run conclusions GitHub counts as passing for a required check (docs: "About status checks"). */
        static final Set<String> PASSING = Set.of("success", "neutral", "skipped");
        private static final Pattern BRANCH = Pattern.compile("^[^\\s~^:?*\\[\\\\]{1,255}$");

        @ParentCommand
        events parent;

        @Option(names = "--since", paramLabel = "WHEN", defaultValue = "7d",
                description = "pull requests merged since: a duration back from now (7d, 24h, 90m) or an RFC 3339 time (default: ${DEFAULT-VALUE})")
        String since;

        @Option(names = "--until", paramLabel = "WHEN", description = "and before this (default: now), as --since")
        String until;

        @Option(names = "--compare-since", paramLabel = "WHEN", description = "a second window to compare with, from this ...")
        String compareSince;

        @Option(names = "--compare-until", paramLabel = "WHEN", description = "... to this (both or neither)")
        String compareUntil;

        @Option(names = "--base", paramLabel = "BRANCH", description = "the branch merged into (default: the repository's default branch)")
        String base;

        @Option(names = "--max-prs", paramLabel = "N", defaultValue = "500",
                description = "measure at most N merged pull requests per window, the most recently updated (default: ${DEFAULT-VALUE})")
        int maxPrs;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Mixin
        Retries retries;

        @Spec
        CommandSpec spec;

        /** One pull request measured: when its head went green, when it was merged. */
        record Measured(int number, Instant readyAt, Instant mergedAt) {
            long seconds() {
                return Duration.between(readyAt, mergedAt).toSeconds();
            }
        }

        /** One window's pull requests: measured, excluded with the reason, and whether --max-prs cut it short. */
        static final class Result {
            final Window window;
            final List<Measured> measured = new ArrayList<>();
            final Map<Integer, String> excluded = new LinkedHashMap<>();
            /** The merged pull requests of the window that are to be measured (at most --max-prs). */
            final List<JsonNode> pulls = new ArrayList<>();
            int merged;
            boolean truncated;

            Result(Window window) {
                this.window = window;
            }

            List<Long> seconds() {
                return measured.stream().map(Measured::seconds).toList();
            }

            Double mean() {
                return measured.isEmpty() ? null : Math.round(seconds().stream().mapToLong(Long::longValue).average().orElse(0) * 10) / 10.0;
            }

            Long percentile(int p) {
                return events.percentile(seconds(), p);
            }
        }

        /** The requests for the checks of the merged pull requests (retries aside). */
        private int checkRequests;

        @Override
        public Integer call() throws IOException, InterruptedException {
            retries.check(spec);
            if (maxPrs < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--max-prs must be at least 1, not " + maxPrs);
            }
            if ((compareSince == null) != (compareUntil == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--compare-since and --compare-until go together: give both or neither");
            }
            if (base != null && !BRANCH.matcher(base).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--base must be a branch name, not '" + Actions.safe(base) + "'");
            }
            Span main = new Span(When.parse(since, "--since", spec), When.parse(until, "--until", spec));
            Span compare = compareSince == null ? null
                    : new Span(When.parse(compareSince, "--compare-since", spec), When.parse(compareUntil, "--compare-until", spec));
            // Checked before any request where this machine's clock decides as well as GitHub's would; again once GitHub's is known.
            windows(main, compare, Instant.now());
            GitHub github = parent.github(retries.maxAttempts, retries.budget());
            String branch = base;
            Instant now = null;
            if (branch == null) {
                Response repository = github.call("GET", github.repoPath(""), null, "read the repository", "contents: read");
                branch = repository.json().path("default_branch").asText();
                now = repository.date().orElse(null);
            }
            List<Result> results = new ArrayList<>();
            int listPages = list(github, branch, now, main, compare, results);
            for (Result result : results) {
                measure(github, result);
            }
            report(github, branch, results, listPages, checkRequests);
            return CommandLine.ExitCode.OK;
        }

        /** The windows resolved against a clock, the compared one second; one whose end is not after its start is exit 2. */
        private List<Result> windows(Span main, Span compare, Instant clock) {
            List<Result> results = new ArrayList<>();
            for (Span span : compare == null ? List.of(main) : List.of(main, compare)) {
                Window window = span.resolve(clock);
                String option = span == main ? "--" : "--compare-";
                if (window.until() != null && !window.until().isAfter(window.since())) {
                    throw new CommandLine.ParameterException(spec.commandLine(), option + "until (" + TIMESTAMP.format(window.until())
                            + ") must be after " + option + "since (" + TIMESTAMP.format(window.since()) + "): the window ends before it starts");
                }
                results.add(new Result(window));
            }
            return results;
        }

        /**
         * The merged pull requests of the windows, newest update first, page by page until a page reaches pull requests
         * updated before the earliest window (a pull request is updated when it is merged, so none merged in a window was
         * last updated before it), or every window holds --max-prs. Returns the pages read.
         */
        private int list(GitHub github, String branch, Instant now, Span main, Span compare, List<Result> results)
                throws IOException, InterruptedException {
            int pages = 0;
            Instant earliest = null;
            for (int page = 1; ; page++) {
                Response answer = github.call("GET", github.repoPath("/pulls?state=closed&base=" + java.net.URLEncoder.encode(branch, StandardCharsets.UTF_8)
                        + "&sort=updated&direction=desc&per_page=100&page=" + page), null, "list pull requests", "pull-requests: read");
                pages++;
                if (results.isEmpty()) {
                    results.addAll(windows(main, compare, now != null ? now : answer.date().orElse(Instant.now())));
                    earliest = results.stream().map(r -> r.window.since()).min(Comparator.naturalOrder()).orElseThrow();
                }
                boolean older = false;
                for (JsonNode pull : answer.json()) {
                    Instant updated = parseInstant(text(pull, "/updated_at"));
                    Instant merged = parseInstant(text(pull, "/merged_at"));
                    if (updated != null && updated.isBefore(earliest)) {
                        older = true;
                        continue;
                    }
                    for (Result result : results) {
                        if (merged != null && result.window.contains(merged)) {
                            if (result.merged >= maxPrs) {
                                result.truncated = true;
                            } else {
                                result.merged++;
                                result.pulls.add(pull);
                            }
                        }
                    }
                }
                boolean full = results.stream().allMatch(r -> r.truncated);
                if (older || full || answer.json().size() == 0 || answer.header("link").filter(l -> l.contains("rel=\"next\"")).isEmpty()) {
                    return pages;
                }
            }
        }

        /** Each merged pull request of the window measured, or excluded with the reason. */
        private void measure(GitHub github, Result result) throws IOException, InterruptedException {
            for (JsonNode pull : result.pulls) {
                int number = pull.path("number").asInt();
                String sha = text(pull, "/head/sha");
                Instant mergedAt = parseInstant(text(pull, "/merged_at"));
                List<String> problems = new ArrayList<>();
                Instant readyAt = null;
                // Check runs: the latest of each name (filter=latest, GitHub's default).
                List<JsonNode> runs = pages(github, "/commits/" + sha + "/check-runs?filter=latest&", "check_runs",
                        "list the check runs of #" + number + "'s head", "checks: read");
                for (JsonNode run : runs) {
                    String name = String.valueOf(text(run, "/name"));
                    String status = String.valueOf(text(run, "/status"));
                    String conclusion = text(run, "/conclusion");
                    if (!status.equals("completed")) {
                        problems.add("check run '" + name + "' is " + status);
                    } else if (!PASSING.contains(String.valueOf(conclusion))) {
                        problems.add("a failed check: check run '" + name + "' concluded " + conclusion);
                    } else {
                        readyAt = latest(readyAt, parseInstant(text(run, "/completed_at")));
                    }
                }
                // Commit statuses: the combined status holds the latest of each context; with none at all its state is pending.
                List<JsonNode> statuses = pages(github, "/commits/" + sha + "/status?", "statuses",
                        "read the combined status of #" + number + "'s head", "statuses: read");
                for (JsonNode status : statuses) {
                    String context = String.valueOf(text(status, "/context"));
                    String state = String.valueOf(text(status, "/state"));
                    switch (state) {
                        case "success" -> readyAt = latest(readyAt, parseInstant(text(status, "/updated_at")));
                        case "pending" -> problems.add("status '" + context + "' is pending");
                        default -> problems.add("a failed check: status '" + context + "' is " + state);
                    }
                }
                if (runs.isEmpty() && statuses.isEmpty()) {
                    result.excluded.put(number, "no checks: no check run or commit status on its head " + sha);
                } else if (!problems.isEmpty()) {
                    result.excluded.put(number, problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
                } else if (readyAt == null || mergedAt == null) {
                    result.excluded.put(number, "no time: its checks or its merge carry no time GitHub gave");
                } else if (readyAt.isAfter(mergedAt)) {
                    result.excluded.put(number, "green only after the merge: its last check finished at " + TIMESTAMP.format(readyAt));
                } else {
                    result.measured.add(new Measured(number, readyAt, mergedAt));
                }
            }
        }

        /** The items (under field) of a list of a head's, page by page, as many pages as its total_count says. */
        private List<JsonNode> pages(GitHub github, String path, String field, String action, String permission)
                throws IOException, InterruptedException {
            List<JsonNode> items = new ArrayList<>();
            for (int page = 1; ; page++) {
                JsonNode answer = github.call("GET", github.repoPath(path + "per_page=100&page=" + page), null, action, permission).json();
                checkRequests++;
                answer.path(field).forEach(items::add);
                if (items.size() >= answer.path("total_count").asInt() || answer.path(field).isEmpty()) {
                    return items;
                }
            }
        }

        private static Instant latest(Instant a, Instant b) {
            return a == null ? b : b == null || a.isAfter(b) ? a : b;
        }

        private void report(GitHub github, String branch, List<Result> results, int listPages, int perPr) throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Result main = results.get(0);
            Result compare = results.size() > 1 ? results.get(1) : null;
            if (json) {
                ObjectNode report = resultJson(main);
                report.put("base", branch);
                if (compare != null) {
                    report.set("compare", resultJson(compare));
                    report.putObject("ratio").put("mean", ratio(main.mean(), compare.mean()))
                            .put("median", ratio(toDouble(main.percentile(50)), toDouble(compare.percentile(50))))
                            .put("p95", ratio(toDouble(main.percentile(95)), toDouble(compare.percentile(95))));
                }
                report.put("api_requests", github.requests());
                out.println(report.toPrettyString());
            } else {
                out.print(table(branch, main, compare));
            }
            out.flush();
            for (Result result : results) {
                if (result.truncated) {
                    Actions.warning(err, "merge-latency: --max-prs", "more than " + maxPrs + " pull requests merged into " + branch + " "
                            + result.window.describe() + ": the " + maxPrs + " most recently updated are measured (raise --max-prs)", parent.env);
                }
            }
            int merged = results.stream().mapToInt(r -> r.merged).sum();
            err.println("merge-latency: " + github.requests() + " API requests: " + (base == null ? "1 for the default branch, " : "")
                    + listPages + " pull request list page" + (listPages == 1 ? "" : "s") + ", " + perPr + " for the checks of "
                    + merged + " merged pull request" + (merged == 1 ? "" : "s"));
            Actions.appendSummary(markdown(branch, main, compare), parent.env);
        }

        private static ObjectNode resultJson(Result result) {
            ObjectNode json = JSON.createObjectNode();
            json.putObject("window").put("since", TIMESTAMP.format(result.window.since()))
                    .put("until", TIMESTAMP.format(result.window.until() != null ? result.window.until() : result.window.now()));
            json.put("merged", result.merged).put("measured", result.measured.size()).put("mean_seconds", result.mean())
                    .put("median_seconds", result.percentile(50)).put("p95_seconds", result.percentile(95));
            ArrayNode prs = json.putArray("prs");
            result.measured.forEach(m -> prs.addObject().put("number", m.number()).put("ready_at", TIMESTAMP.format(m.readyAt()))
                    .put("merged_at", TIMESTAMP.format(m.mergedAt())).put("seconds", m.seconds()));
            ArrayNode excluded = json.putArray("excluded");
            result.excluded.forEach((number, reason) -> excluded.addObject().put("number", number).put("reason", reason));
            json.put("truncated", result.truncated);
            return json;
        }

        private static Double toDouble(Long value) {
            return value == null ? null : value.doubleValue();
        }

        /** after / before, three decimals; null when either is missing or before is 0. */
        static Double ratio(Double after, Double before) {
            return after == null || before == null || before == 0 ? null : Math.round(after / before * 1000) / 1000.0;
        }

        private String table(String branch, Result main, Result compare) {
            StringBuilder text = new StringBuilder("merge latency into " + branch + ": from the head's last green check to merged_at\n\n");
            text.append(Report.aligned(List.of("window", "merged", "measured", "mean s", "median s", "p95 s"),
                    compare == null ? List.of(row(main)) : List.of(row(main), row(compare))));
            if (compare != null) {
                Double mean = ratio(main.mean(), compare.mean());
                Double median = ratio(toDouble(main.percentile(50)), toDouble(compare.percentile(50)));
                text.append("\nratio (first / second): mean ").append(mean == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", mean))
                        .append(", median ").append(median == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", median))
                        .append(mean == null ? "" : String.format(java.util.Locale.ROOT, " (the mean %s by %.0f %%)", mean <= 1 ? "fell" : "rose",
                                Math.abs(1 - mean) * 100)).append('\n');
            }
            for (Result result : compare == null ? List.of(main) : List.of(main, compare)) {
                if (!result.excluded.isEmpty()) {
                    text.append("\nmerged but not measured, ").append(result.window.describe()).append(":\n");
                    result.excluded.forEach((number, reason) -> text.append("  #").append(number).append("  ").append(reason).append('\n'));
                }
            }
            return text.toString();
        }

        private static List<String> row(Result result) {
            Window w = result.window;
            return List.of(TIMESTAMP.format(w.since()) + " .. " + TIMESTAMP.format(w.until() != null ? w.until() : w.now()),
                    String.valueOf(result.merged), String.valueOf(result.measured.size()),
                    result.mean() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", result.mean()),
                    result.percentile(50) == null ? "-" : String.valueOf(result.percentile(50)),
                    result.percentile(95) == null ? "-" : String.valueOf(result.percentile(95)));
        }

        private String markdown(String branch, Result main, Result compare) {
            StringBuilder md = new StringBuilder("### Merge latency\n\nPull requests merged into `").append(Actions.cell(branch))
                    .append("`: from the head's last green check run or status to `merged_at`, from GitHub's data.\n\n")
                    .append("| Window | Merged | Measured | Mean s | Median s | p95 s |\n|---|--:|--:|--:|--:|--:|\n");
            for (Result result : compare == null ? List.of(main) : List.of(main, compare)) {
                md.append("| ").append(row(result).stream().map(Actions::cell).collect(Collectors.joining(" | "))).append(" |\n");
            }
            if (compare != null) {
                Double mean = ratio(main.mean(), compare.mean());
                md.append("\nRatio of the means (first / second): **").append(mean == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", mean))
                        .append("**; the RFC asks for 0.50 or less.\n");
            }
            int excluded = main.excluded.size() + (compare == null ? 0 : compare.excluded.size());
            if (excluded > 0) {
                md.append("\n").append(excluded).append(" merged pull request").append(excluded == 1 ? " is" : "s are")
                        .append(" not measured (a failed, pending or missing check, or green only after the merge): `--json` lists them with the reason.\n");
            }
            return md.toString();
        }
    }

    // ---- events doctor --------------------------------------------------------------------

    @Command(name = "doctor", mixinStandardHelpOptions = true, version = VERSION,
            description = {
                "Proves, with the step's token and before the first real event, every GitHub primitive the bus relies on, "
                        + "one line per check, passed or failed with the fix: the token and the repository; creating and "
                        + "deleting a ref under refs/event-bus/doctor/ (dedupe's write tickets); the dedupe store (found by its "
                        + "refs, locked; or what the first claim will make); that the token may write issues and dispatch "
                        + "workflows; each routed workflow (on GitHub and in the checkout: its trigger, the inputs its routes "
                        + "map, the event id in its run-name); the history branch; the archive download. Run it once before "
                        + "switching the routes to mode: dispatch (workflows/event-doctor.yml runs it on demand).",
                "It dispatches nothing and leaves nothing behind: the ref it creates it deletes; write permissions are "
                        + "proven by requests GitHub refuses for their content after it has checked the token (an issue "
                        + "whose body is over GitHub's 65,536 characters, a dispatch on a ref no branch can have). With "
                        + "--history it also appends one file to the history branch (doctor/, which no reader counts) and "
                        + "deletes it again; a repository without a history branch gets the branch the first record would make.",
                "A new repository with no store or history yet passes: the line says what the first event will create."},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  GITHUB_TOKEN, GH_TOKEN  the token whose permissions are proven: give the",
                "                          doctor's job the router's (contents: write,",
                "                          issues: write, actions: write)",
                "  GITHUB_REPOSITORY       owner/name (--repo)",
                "  GITHUB_WORKSPACE        the checkout: .github/event-routes.yml and the",
                "                          workflows in .github/workflows/",
                "  EVENT_BUS_STATE_ISSUE   the dedupe store's issue, when it is given",
                "",
                "Requests: 10 and one per routed workflow (9 before the first claim opens",
                "the store), 2 more with --history (5 when it makes the branch); the",
                "archive is read only as far as its first bytes.",
                "",
                "Example:",
                "  events doctor",
                "  events doctor --routes .github/event-routes.yml --history"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:every check passed",
                "1:a check failed (its line says how to fix it), or internal failure",
                "2:bad usage: no token or repository; nothing was sent"})
    static final class Doctor implements Callable<Integer> {
        @ParentCommand
        events parent;

        @Option(names = "--routes", paramLabel = "FILE", description = "the routes file (default: .github/event-routes.yml of the checkout)")
        Path routesFile;

        @Option(names = "--history", description = "also append one file to the history branch and delete it again")
        boolean history;

        @Mixin
        Retries retries;

        @Spec
        CommandSpec spec;

        static final String DOCTOR_REFS = "refs/event-bus/doctor/";
        static final String STORE_REFS = "refs/event-bus/dedupe/";
        /** GitHub refuses issue and comment bodies over 65,536 characters (422, "body is too long"): the probe's body is longer. */
        static final int PROBE_BODY = 70_000;
        /** Two dots: git refuses such a name for any ref (git check-ref-format), so no branch can have it and no dispatch can start. */
        static final String NO_BRANCH = "event-bus-doctor..no-such-branch";

        /** One check's outcome: what was checked, what was found, and the fix when it failed. */
        record Check(String name, boolean passed, String found, String fix) {
        }

        /** One route as doctor needs it: its line, workflow, inputs (name -> path) and the line of each. */
        record Target(int line, String workflow, Map<String, String> inputs, Map<String, Integer> inputLines) {
        }

        private final List<Check> checks = new ArrayList<>();
        private GitHub github;

        @Override
        public Integer call() throws IOException, InterruptedException {
            retries.check(spec);
            github = parent.github(retries.maxAttempts, retries.budget()); // no token or repository: exit 2, nothing sent
            Map<String, String> env = parent.env;
            Path workspace = env.getOrDefault("GITHUB_WORKSPACE", "").isBlank() ? Path.of("").toAbsolutePath() : Path.of(env.get("GITHUB_WORKSPACE"));
            String defaultBranch = repository();
            if (defaultBranch != null) {
                Path routes = routesFile != null ? routesFile : workspace.resolve(".github/event-routes.yml").toAbsolutePath();
                Path cwd = Path.of("").toAbsolutePath();
                List<Target> targets = routes(routes.startsWith(cwd) ? cwd.relativize(routes) : routes);
                writeTickets(defaultBranch);
                store(env);
                issuesWrite();
                Path workflows = workspace.resolve(".github/workflows");
                // The routers in the checkout say how consumers are started: event-router.yml dispatches, event-router-call.yml calls.
                boolean calls = Files.isRegularFile(workflows.resolve("event-router-call.yml"));
                boolean dispatches = Files.isRegularFile(workflows.resolve("event-router.yml")) || !calls;
                String dispatchable = workflows(targets, workflows, dispatches, calls);
                if (dispatches) {
                    actionsWrite(dispatchable);
                }
                boolean hasHistory = historyBranch();
                if (history) {
                    historyAppend(hasHistory);
                    hasHistory = true;
                }
                archive(hasHistory ? History.BRANCH : defaultBranch, hasHistory);
            }
            return report(env);
        }

        private void pass(String name, String found) {
            checks.add(new Check(name, true, found, null));
        }

        private void fail(String name, String found, String fix) {
            checks.add(new Check(name, false, found, fix));
        }

        /** GitHub's answer as a failed check says it, with the permission its x-accepted-github-permissions names on a 403. */
        private static String said(Response response) {
            return response.status() + " " + response.message() + response.header("x-accepted-github-permissions")
                    .map(accepted -> "; GitHub accepts: " + accepted).orElse("");
        }

        private String permissionFix(Response response, String permission) {
            return response.status() == 403 ? "give the job `permissions: " + permission + "` (a workflow's token has only what its "
                    + "permissions: block grants)" : response.status() == 401 ? "check GITHUB_TOKEN / GH_TOKEN" : github.refusal(response, "do this", permission);
        }

        /** GET /repos/{o}/{r}: the token is good and sees the repository; a user token's account may write. The default branch, or null. */
        private String repository() throws IOException, InterruptedException {
            Response response = github.exchange("GET", github.repoPath(""), null, Map.of());
            if (response.status() != 200) {
                fail("repository", github.repository() + ": " + said(response), (response.status() == 401 ? "check GITHUB_TOKEN / GH_TOKEN"
                        : response.status() == 404 ? "check GITHUB_REPOSITORY (--repo), and that the token can see the repository"
                        : github.refusal(response, "read the repository", "metadata: read")) + "; the other checks need it");
                return null;
            }
            JsonNode repo = response.json();
            JsonNode push = repo.path("permissions").path("push");
            if (push.isBoolean() && !push.asBoolean()) {
                fail("repository", github.repository() + " is readable, but the token's account may not write to it (permissions.push "
                        + "false)", "use the workflow's GITHUB_TOKEN, or a token of an account with write access");
            } else {
                pass("repository", github.repository() + ", default branch " + repo.path("default_branch").asText() + ": the token reads it");
            }
            return repo.path("default_branch").asText();
        }

        /** The routes file, checked against its schema as route checks it; the routes to check the workflows of (none when it fails). */
        private List<Target> routes(Path file) {
            String name = file.toString();
            List<String> problems = new ArrayList<>();
            YamlFile yaml;
            try {
                yaml = YamlFile.parse(name, YamlFile.text(file, name, spec), (line, problem) -> problems.add(name + ":" + line + ": " + problem), true);
            } catch (CommandLine.ParameterException e) {
                fail("routes", e.getMessage(), "copy event-routes.yml to .github/event-routes.yml and edit it, or pass --routes FILE");
                return List.of();
            }
            if (yaml.root() != null) {
                checkRoutesSchema(yaml.root(), (pointer, problem) -> problems.add(name + ":" + yaml.line(pointer) + ": " + problem));
            }
            if (!problems.isEmpty()) {
                fail("routes", problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
                        "fix the routes file: 'route graph --routes " + name + "' lists every problem with its line");
                return List.of();
            }
            List<Target> targets = new ArrayList<>();
            JsonNode routes = yaml.root().path("routes");
            for (int i = 0; i < routes.size(); i++) {
                Map<String, String> inputs = new LinkedHashMap<>();
                Map<String, Integer> lines = new LinkedHashMap<>();
                String pointer = "/routes/" + i;
                routes.get(i).path("inputs").properties().forEach(input -> {
                    inputs.put(input.getKey(), input.getValue().asText());
                    lines.put(input.getKey(), yaml.line(pointer + "/inputs/" + input.getKey().replace("~", "~0").replace("/", "~1")));
                });
                targets.add(new Target(yaml.line(pointer), routes.get(i).get("workflow").asText(), inputs, lines));
            }
            long logMode = java.util.stream.IntStream.range(0, routes.size())
                    .filter(i -> routes.get(i).path("mode").asText(yaml.root().path("mode").asText("dispatch")).equals("log")).count();
            pass("routes", name + ": " + targets.size() + " routes to " + targets.stream().map(Target::workflow).distinct().count()
                    + " workflows" + (logMode > 0 ? ", " + logMode + " in mode: log" : ""));
            return targets;
        }

        /** A ref under refs/event-bus/doctor/ created and deleted: what dedupe's write tickets need (contents: write). */
        private void writeTickets(String defaultBranch) throws IOException, InterruptedException {
            String name = "write tickets";
            Response head = github.exchange("GET", github.repoPath("/git/ref/heads/" + defaultBranch), null, Map.of());
            if (head.status() != 200) {
                fail(name, "cannot read the default branch " + defaultBranch + " (" + said(head) + ")", head.status() == 404
                        ? "push a first commit: a ref points at a commit" : permissionFix(head, "contents: read"));
                return;
            }
            String ref = DOCTOR_REFS + java.util.UUID.randomUUID();
            ObjectNode body = JSON.createObjectNode().put("ref", ref).put("sha", head.json().at("/object/sha").asText());
            Response created = github.exchange("POST", github.repoPath("/git/refs"), body, Map.of());
            if (created.status() != 201) {
                fail(name, "GitHub refused to create " + ref + " (" + said(created) + ")", created.status() == 422
                        ? "dedupe takes its write tickets as refs under refs/event-bus/: let this token create and delete them (a "
                                + "repository or push rule restricts creating refs here; exempt refs/event-bus/** or the workflows' bot)"
                        : permissionFix(created, "contents: write"));
                return;
            }
            Response deleted = github.exchange("DELETE", github.repoPath("/git/" + ref), null, Map.of());
            if (deleted.status() != 204) {
                fail(name, "created " + ref + " but GitHub refused to delete it (" + said(deleted) + ")", "dedupe deletes its tickets the "
                        + "same way; allow deleting refs under refs/event-bus/, then delete this one: git push origin --delete " + ref);
                return;
            }
            pass(name, "created and deleted " + ref + ": dedupe can take and give back its write tickets (contents: write)");
        }

        /** The dedupe store, found as dedupe finds it: $EVENT_BUS_STATE_ISSUE, else the one issue the refs under refs/event-bus/dedupe/ name. */
        private void store(Map<String, String> env) throws IOException, InterruptedException {
            String name = "dedupe store";
            String given = env.getOrDefault("EVENT_BUS_STATE_ISSUE", "").strip();
            List<String> issues = new ArrayList<>();
            if (!given.isEmpty()) {
                issues.add(given);
            } else {
                Response refs = github.exchange("GET", github.repoPath("/git/matching-refs/" + STORE_REFS.substring("refs/".length())), null, Map.of());
                if (refs.status() != 200) {
                    fail(name, "cannot list the refs under " + STORE_REFS + " (" + said(refs) + ")", permissionFix(refs, "contents: read"));
                    return;
                }
                for (JsonNode ref : refs.json()) {
                    var issue = Pattern.compile("^" + Pattern.quote(STORE_REFS) + "([1-9]\\d{0,8})/").matcher(ref.path("ref").asText());
                    if (issue.find() && !issues.contains(issue.group(1))) {
                        issues.add(issue.group(1));
                    }
                }
            }
            if (issues.isEmpty()) {
                pass(name, "none yet: the first claim opens an issue labelled event-bus-state, locks it and creates "
                        + STORE_REFS + "<issue>/store");
                return;
            }
            if (issues.size() > 1) {
                fail(name, "the refs under " + STORE_REFS + " name several issues (#" + String.join(", #", issues) + "), so every claim "
                        + "fails", "set EVENT_BUS_STATE_ISSUE to the store's issue, or delete the refs of the retired one (docs/dedupe.md)");
                return;
            }
            Response issue = github.exchange("GET", github.repoPath("/issues/" + issues.get(0)), null, Map.of());
            if (issue.status() != 200) {
                fail(name, "issue #" + issues.get(0) + " holds the store but answers " + said(issue), issue.status() == 403
                        ? permissionFix(issue, "issues: read") : "the store is gone and every claim fails: to start an empty one, delete "
                        + "the refs under " + STORE_REFS + issues.get(0) + "/ (docs/dedupe.md)");
            } else if (!issue.json().path("locked").asBoolean()) {
                fail(name, "issue #" + issues.get(0) + " holds the store but is not locked, so anyone may comment on it",
                        "lock it: gh issue lock " + issues.get(0) + " (only collaborators then comment; comments by others never count)");
            } else {
                pass(name, "issue #" + issues.get(0) + (given.isEmpty() ? ", named by its refs" : " ($EVENT_BUS_STATE_ISSUE)") + ", locked");
            }
        }

        /** issues: write, by an issue GitHub refuses for its body's length after it has checked the token: nothing is opened. */
        private void issuesWrite() throws IOException, InterruptedException {
            String name = "write issues";
            ObjectNode body = JSON.createObjectNode().put("title", "event-bus doctor: a probe GitHub refuses")
                    .put("body", "x".repeat(PROBE_BODY));
            Response probe = github.exchange("POST", github.repoPath("/issues"), body, Map.of());
            if (probe.status() == 422) {
                pass(name, "GitHub refused a probe issue for its body (422), not for the token: the token may open and write the store");
            } else if (probe.status() == 201) {
                fail(name, "GitHub opened issue #" + probe.json().path("number").asText() + " with a body over 65,536 characters, which "
                        + "doctor expected it to refuse", "close and delete that issue, and report this: doctor's probe needs a new limit");
            } else {
                fail(name, "the token may not open issues (" + said(probe) + "): dedupe opens, locks and writes the store's issue",
                        permissionFix(probe, "issues: write"));
            }
        }

        /**
         * Each routed workflow: known to GitHub and active (GET /actions/workflows/{file}), and in the checkout with the trigger that
         * starts it, every input its routes map declared, every required one mapped, and (when dispatched) the event id in its
         * run-name. Returns a workflow GitHub knows, for the dispatch probe; null when none.
         */
        private String workflows(List<Target> targets, Path directory, boolean dispatches, boolean calls) throws IOException, InterruptedException {
            Map<String, List<Target>> byWorkflow = new LinkedHashMap<>();
            targets.forEach(t -> byWorkflow.computeIfAbsent(t.workflow(), w -> new ArrayList<>()).add(t));
            String known = null;
            for (Map.Entry<String, List<Target>> entry : byWorkflow.entrySet()) {
                String name = "workflow " + entry.getKey();
                Response found = github.exchange("GET", github.repoPath("/actions/workflows/" + entry.getKey()), null, Map.of());
                if (found.status() != 200) {
                    fail(name, "GitHub does not know it (" + said(found) + ")", found.status() == 404 ? "commit .github/workflows/"
                            + entry.getKey() + " to the default branch: GitHub starts only the workflows it has there"
                            : permissionFix(found, "actions: read"));
                    continue;
                }
                if (!found.json().path("state").asText().equals("active")) {
                    fail(name, "it is " + found.json().path("state").asText(), "enable it: gh workflow enable " + entry.getKey());
                    continue;
                }
                known = known != null ? known : entry.getKey();
                String file = found.json().path("path").asText(".github/workflows/" + entry.getKey()).replaceFirst("^\\.github/workflows/", "");
                List<String> problems = new ArrayList<>();
                List<String> triggers = new ArrayList<>();
                try {
                    YamlFile workflow = YamlFile.read(directory.resolve(file), ".github/workflows/" + file, spec);
                    for (String trigger : dispatches && calls ? List.of("workflow_dispatch", "workflow_call")
                            : List.of(dispatches ? "workflow_dispatch" : "workflow_call")) {
                        JsonNode on = workflow.root().path("on");
                        JsonNode declared = on.isObject() ? on.get(trigger) : on.isTextual() && on.asText().equals(trigger) ? JSON.createObjectNode()
                                : on.isArray() && on.toString().contains("\"" + trigger + "\"") ? JSON.createObjectNode() : null;
                        if (declared == null) {
                            problems.add("it has no on: " + trigger + " (add it, with the inputs its routes map)");
                            continue;
                        }
                        triggers.add(trigger);
                        JsonNode inputs = declared.path("inputs");
                        for (Target target : entry.getValue()) {
                            target.inputs().keySet().stream().filter(input -> !inputs.has(input)).forEach(input -> problems.add("input '" + input
                                    + "' (line " + target.inputLines().get(input) + ") is not declared under on." + trigger + ".inputs"));
                            inputs.properties().stream().filter(i -> i.getValue().path("required").asBoolean(false) && !i.getValue().has("default")
                                    && !target.inputs().containsKey(i.getKey())).forEach(i -> problems.add("it requires input '" + i.getKey()
                                    + "', which the route on line " + target.line() + " does not map"));
                        }
                    }
                    if (dispatches) {
                        String runName = workflow.root().path("run-name").asText("");
                        for (Target target : entry.getValue()) {
                            boolean shows = target.inputs().entrySet().stream().anyMatch(input -> input.getValue().equals("event_id")
                                    && Pattern.compile("\\binputs\\." + Pattern.quote(input.getKey()) + "\\b").matcher(runName).find());
                            if (!shows) {
                                problems.add("its run-name does not show the event id the route on line " + target.line() + " passes (map "
                                        + "event_id: event_id and write run-name: ... ${{ inputs.event_id }}), so a re-run cannot find its run");
                            }
                        }
                    }
                } catch (CommandLine.ParameterException e) {
                    problems.add(e.getMessage());
                }
                if (problems.isEmpty()) {
                    pass(name, "active on GitHub; " + String.join(" and ", triggers) + " with the inputs its routes map"
                            + (dispatches ? "; its run-name shows the event id" : ""));
                } else {
                    fail(name, String.join("; ", new LinkedHashSet<>(problems)), "edit .github/workflows/" + file + " and commit it to the default branch");
                }
            }
            return known;
        }

        /** actions: write, by a dispatch on a ref no branch can have: GitHub refuses it for the ref (422) once it has checked the token. */
        private void actionsWrite(String workflow) throws IOException, InterruptedException {
            String name = "dispatch workflows";
            if (workflow == null) {
                fail(name, "not proven: no routed workflow that GitHub knows to ask", "fix the workflows above, then run doctor again");
                return;
            }
            Response probe = github.exchange("POST", github.repoPath("/actions/workflows/" + workflow + "/dispatches"),
                    JSON.createObjectNode().put("ref", NO_BRANCH), Map.of());
            if (probe.status() == 422) {
                pass(name, "GitHub refused a probe dispatch of " + workflow + " for its ref (422), not for the token: route may "
                        + "dispatch; nothing was started");
            } else if (probe.status() / 100 == 2) {
                fail(name, "GitHub accepted a dispatch on " + NO_BRANCH + " (" + probe.status() + "), which no branch can be named",
                        "report this: doctor's probe needs another ref");
            } else {
                fail(name, "the token may not dispatch workflows (" + said(probe) + "): route starts the consumers with workflow_dispatch",
                        permissionFix(probe, "actions: write"));
            }
        }

        /** The history branch: read (contents: read); a repository without one passes, since the first record makes it. */
        private boolean historyBranch() throws IOException, InterruptedException {
            String name = "history";
            Response branch = github.exchange("GET", github.repoPath("/git/ref/heads/" + History.BRANCH), null, Map.of());
            if (branch.status() == 200) {
                pass(name, "the branch " + History.BRANCH + " is readable (at " + branch.json().at("/object/sha").asText().substring(0, 7) + ")");
                return true;
            }
            if (branch.status() == 404) {
                pass(name, "no branch " + History.BRANCH + " yet: the first record a workflow with EVENT_BUS_HISTORY=true appends creates "
                        + "it (3 requests, once)");
            } else {
                fail(name, "cannot read the branch " + History.BRANCH + " (" + said(branch) + ")", permissionFix(branch, "contents: read"));
            }
            return false;
        }

        /**
         * --history: one file appended as the scripts append records (a new path with the contents API) and deleted again, so that
         * nothing stays but two commits; under doctor/, where no reader looks. Without a branch, the branch is made as the first
         * record would make it, and left.
         */
        private void historyAppend(boolean exists) throws IOException, InterruptedException {
            String name = "history append";
            String path = "doctor/" + java.util.UUID.randomUUID() + ".json";
            try {
                if (!exists) {
                    History.createBranch(github);
                }
                ObjectNode body = JSON.createObjectNode().put("message", "event-bus doctor: an append, deleted at once").put("branch", History.BRANCH)
                        .put("content", Base64.getEncoder().encodeToString("{\"doctor\":true}\n".getBytes(StandardCharsets.UTF_8)));
                Response appended = github.exchange("PUT", github.repoPath("/contents/" + path), body, Map.of());
                if (appended.status() != 201) {
                    fail(name, "GitHub refused to append " + path + " to " + History.BRANCH + " (" + said(appended) + ")",
                            permissionFix(appended, "contents: write"));
                    return;
                }
                ObjectNode delete = JSON.createObjectNode().put("message", "event-bus doctor: the append deleted").put("branch", History.BRANCH)
                        .put("sha", appended.json().at("/content/sha").asText());
                Response deleted = github.exchange("DELETE", github.repoPath("/contents/" + path), delete, Map.of());
                if (deleted.status() != 200) {
                    fail(name, "appended " + path + " but could not delete it (" + said(deleted) + ")", "delete " + path + " from the branch "
                            + History.BRANCH + " (no reader counts it meanwhile)");
                    return;
                }
                pass(name, (exists ? "" : "created the branch " + History.BRANCH + " (as the first record would; it stays), ")
                        + "appended " + path + " and deleted it again");
            } catch (GitHubException e) {
                fail(name, "could not create the branch " + History.BRANCH + ": " + e.getMessage(), "give the job `permissions: contents: write`");
            }
        }

        /** The zipball of a branch: GitHub's redirect (contents: read), then its first bytes from the storage URL, without the token. */
        private void archive(String branch, boolean isHistory) throws IOException, InterruptedException {
            String name = "archive download";
            Response redirect = github.exchange("GET", github.repoPath("/zipball/" + branch), null, Map.of());
            Optional<String> location = redirect.header("location");
            if (redirect.status() / 100 != 3 || location.isEmpty()) {
                fail(name, "GitHub answered " + said(redirect) + " for the zipball of " + branch, permissionFix(redirect, "contents: read"));
                return;
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(github.apiUrl + "/").resolve(location.get()))
                    .timeout(Duration.ofMinutes(1)).header("User-Agent", github.userAgent).GET().build();
            try {
                HttpResponse<InputStream> answer = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(10)).build().send(request, HttpResponse.BodyHandlers.ofInputStream());
                byte[] start;
                try (InputStream zip = answer.body()) {
                    start = zip.readNBytes(4);
                }
                if (answer.statusCode() != 200 || start.length < 4 || start[0] != 'P' || start[1] != 'K') {
                    fail(name, "the zipball of " + branch + " did not download from its storage URL (" + answer.statusCode() + ")",
                            "the runner must reach GitHub's download host (codeload.github.com on github.com)");
                    return;
                }
            } catch (IOException e) {
                fail(name, "the zipball of " + branch + " did not download: " + e.getClass().getSimpleName(),
                        "the runner must reach GitHub's download host (codeload.github.com on github.com)");
                return;
            }
            pass(name, "the zipball of " + branch + " downloads (one request, then its storage URL without the token)"
                    + (isHistory ? "" : ": events stats --history reads the history's the same way"));
        }

        /** One line per check on stdout; failures as annotations in Actions; the count on stderr; a table in the job summary. */
        private int report(Map<String, String> env) throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StringBuilder md = new StringBuilder("### event-bus doctor\n\n| | Check | Found | Fix |\n|---|---|---|---|\n");
            for (Check check : checks) {
                out.println((check.passed() ? "pass  " : "FAIL  ") + check.name() + ": " + check.found() + (check.passed() ? "" : "; fix: " + check.fix()));
                if (!check.passed() && Actions.inActions(env)) {
                    Actions.error(err, null, 0, "doctor: " + check.name(), check.found() + "; fix: " + check.fix(), env);
                }
                md.append("| ").append(check.passed() ? ":white_check_mark:" : ":x:").append(" | ").append(Actions.cell(check.name())).append(" | ")
                        .append(Actions.cell(check.found())).append(" | ").append(Actions.cell(check.fix())).append(" |\n");
            }
            out.flush();
            long failed = checks.stream().filter(c -> !c.passed()).count();
            err.println("doctor: " + (failed == 0 ? "all " + checks.size() + " checks passed" : failed + " of " + checks.size() + " checks failed")
                    + " in " + github.repository() + " (" + github.requests() + " requests)");
            err.flush();
            Actions.appendSummary(md.toString(), env);
            return failed == 0 ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
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
    // Left out of this copy, as events.java does not use them: loopbackGitHub().

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
    // ---- end of shared block Training, generated text sha256:304c06f0ea19 ----

    // ---- shared block Actions: generated from shared/Actions.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Speaking to GitHub Actions as @actions/core does (command.ts, file-command.ts, summary.ts):
    // annotations on stderr, step outputs in $GITHUB_OUTPUT, Markdown in $GITHUB_STEP_SUMMARY.
    // Outside Actions the same calls print plain lines, so a terminal user reads the same text.
    // Values taken from events and records are printed through safe(), cell() and code(), so that none
    // becomes a workflow command or hides text (docs/security.md, "Output").

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
    // ---- end of shared block Actions, generated text sha256:36967c0df644 ----

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

    // ---- shared block EventSchemas: generated from shared/EventSchemas.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event schemas, in layers: the RFC schemas bundled into the script (so it works with no
    // checkout, and copied alone), then the repository's docs/events/schema/, then $EVENT_SCHEMAS,
    // then --schemas. A higher layer adds event types and replaces a lower one's file of the same name;
    // it never hides the others. Every $ref resolves from the loaded files: nothing is fetched.
    // Left out of this copy, as events.java does not use them: EventSchemas.of(), EventSchemas.byId(),
    //   EventSchemas.directories().

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

        /** The schema files in effect, envelope first; where one name is in several layers, the highest one's. */
        List<SchemaFile> files() {
            return List.copyOf(byName.values());
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
    // ---- end of shared block EventSchemas, generated text sha256:32ca6518421d ----

    // ---- shared block YamlFile: generated from shared/YamlFile.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // A YAML file as route.java and events doctor read one (the routes file, workflow files): its lines,
    // its tree, and the line each node starts on, so that every message can name its line. Jackson's tree
    // model forgets locations, so the tree is built token by token.
    // Left out of this copy, as events.java does not use them: YamlFile.comment(), YamlFile.commentOf().

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

        /** SnakeYAML's message without its excerpt of the file: "while parsing ...: expected ..., but found ...". */
        static String yamlProblem(JsonProcessingException e) {
            return Stream.of(e.getOriginalMessage().split("\n"))
                    .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                    .collect(Collectors.joining(": "));
        }
    }
    // ---- end of shared block YamlFile, generated text sha256:fd626a7b55d3 ----

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

    // ---- shared block Senders: generated from shared/Senders.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The sender rule: only the logins on an allowlist ($EVENT_BUS_SENDERS, default github-actions[bot],
    // the login of every event a workflow sends with GITHUB_TOKEN) may send the events the bus acts on. It
    // fails closed: a delivered event (the repository_dispatch webhook payload) without a sender, or whose
    // sender.login is not a string, is refused like one from a sender not on the list. One implementation,
    // used by validate (rule sender), route (which refuses on its own) and events (replay, reconcile).
    // Left out of this copy, as events.java does not use them: Senders.refusal(), Sender.

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
    }
    // ---- end of shared block Senders, generated text sha256:926de62bb902 ----

    // ---- shared block History: generated from shared/History.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event history: event log records kept on GitHub across runs, one file per record on a branch
    // of their own (event-bus-history), each written with one request of the contents API, which creates
    // a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
    // script touches the history. A record that cannot be appended stays in the event log, with a warning.
    // Left out of this copy, as events.java does not use them: History.HANDLED, History.enabled(),
    //   History.handled(), History.recordedAt().

    static final class History {
        static final String BRANCH = "event-bus-history";
        /** Commits to one branch made at the same moment can conflict (409): each is tried this often. */
        private static final int ATTEMPTS = 6;

        /** A record file in the zipball of the branch: events/DAY/NAME.json under the archive's top folder (owner-repo-sha/). */
        static final Pattern FILE = Pattern.compile("^[^/]+/(events/(\\d{4}-\\d{2}-\\d{2})/[^/]+\\.json)$");

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

        /** The history as one read gave it: whether the branch exists, GitHub's clock at the answer, the zipball (empty when none). */
        record Archive(boolean found, Optional<Instant> date, byte[] zip) {
            /** Each record file in the archive's order: its path (events/DAY/NAME.json), its day, and a stream of its bytes. */
            void files(RecordFile each) throws IOException {
                try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
                    for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                        Matcher file = FILE.matcher(entry.getName());
                        if (!entry.isDirectory() && file.matches()) {
                            each.accept(file.group(1), file.group(2), entries);
                        }
                    }
                }
            }
        }

        /** What Archive.files calls for each record file. */
        interface RecordFile {
            void accept(String path, String day, InputStream content) throws IOException;
        }

        /**
         * The whole history in one API request, whatever its size: the zipball of the branch (REST "Download a
         * repository archive (zip)", GET /repos/{owner}/{repo}/zipball/{ref}), which GitHub answers with a redirect
         * to a short-lived storage URL, downloaded without the token. No branch yet (404) is found=false: no records.
         */
        static Archive readArchive(GitHub github) throws IOException, InterruptedException {
            Response redirect = github.exchange("GET", github.repoPath("/zipball/" + BRANCH), null, Map.of());
            if (redirect.status() == 404) {
                return new Archive(false, redirect.date(), new byte[0]);
            }
            return new Archive(true, redirect.date(), github.download(redirect, "read the event history (the branch " + BRANCH + ")",
                    "contents: read", "the event history"));
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
    // ---- end of shared block History, generated text sha256:c3649bbced22 ----

    // ---- shared block GitHub: generated from shared/GitHub.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The GitHub REST client, on the JDK's HttpClient: one request per call when all goes well and no
    // extra lookups (github-api's getRepository() would cost a GET first, and it cannot ask a workflow
    // dispatch for return_run_details). The token is sent, never printed. Transient failures (connection
    // errors, 5xx, 429, rate limits) are retried with exponential backoff and full jitter, honouring
    // retry-after and x-ratelimit-reset, within a number of attempts and a time budget.

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

        /** HTTP requests sent so far, retries included. */
        int requests() {
            return requests;
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

        /**
         * What a download answered (an artifact, a zipball): GitHub answers it with 302 and a short-lived
         * signed URL on another host. That URL carries its own credentials, so it is fetched without the
         * Authorization header: the token never leaves GitHub. The fetch is a download, not an API request.
         * (REST "Download an artifact", "Download a repository archive (zip)": 302 Found with Location.)
         */
        byte[] download(Response redirect, String action, String permission, String name) throws IOException, InterruptedException {
            Optional<String> location = redirect.header("location");
            if (redirect.status() / 100 != 3 || location.isEmpty()) {
                throw new GitHubException(redirect.status() >= 400 ? refusal(redirect, action, permission)
                        : "GitHub answered " + redirect.status() + " instead of a redirect when asked to " + action);
            }
            HttpClient storage = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/").resolve(location.get()))
                    .timeout(Duration.ofMinutes(2)).header("User-Agent", userAgent).GET().build();
            try {
                HttpResponse<byte[]> answer = storage.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (answer.statusCode() != 200) {
                    // The signed URL is a credential: named by what it holds, never printed.
                    throw new GitHubException("downloading " + name + " from its storage URL failed with " + answer.statusCode());
                }
                return answer.body();
            } catch (IOException e) {
                throw new GitHubException("downloading " + name + " from its storage URL failed: " + e.getClass().getSimpleName());
            }
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

        /** GitHub's clock at the answer, from its Date header. */
        Optional<Instant> date() {
            try {
                return header("date").map(date -> ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
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
    // ---- end of shared block GitHub, generated text sha256:18da8a4749c1 ----

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
