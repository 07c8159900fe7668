///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Drop repeated event-bus events: a TTL cache of event ids kept in issue comments.
//DESCRIPTION
//DESCRIPTION Usage: dedupe claim [EVENT_ID | --event FILE | --key KEY] [--ttl 60m] [--log FILE]
//DESCRIPTION                     [--on-github-error fail|new]
//DESCRIPTION        dedupe release [EVENT_ID | --event FILE | --key KEY] [--log FILE]
//DESCRIPTION        dedupe check [EVENT_ID | --event FILE | --key KEY]
//DESCRIPTION        dedupe show [--json]
//DESCRIPTION        dedupe prune [--dry-run]
//DESCRIPTION   each with [--repo OWNER/NAME] [--state-issue N] [--trusted-author LOGIN]...
//DESCRIPTION             [--max-attempts N] [--retry-budget SECONDS] [--verbose]
//DESCRIPTION claim prints new, resume or duplicate and writes claim= and duplicate=true|false to $GITHUB_OUTPUT;
//DESCRIPTION release gives a claim up after a failure. Both exit 0 whatever they answer.
//DESCRIPTION Environment: GITHUB_TOKEN or GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH,
//DESCRIPTION GITHUB_OUTPUT, GITHUB_SHA, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, EVENT_BUS_STATE_ISSUE, EVENT_LOG, EVENT_BUS_HISTORY.
//DESCRIPTION Exit codes: 0 done (a duplicate too), 1 GitHub unreachable or refused, 2 invalid input.
//DESCRIPTION Example: jbang dedupe@org claim --event "$GITHUB_EVENT_PATH" --ttl 60m
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr
//CDS

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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

@Command(name = "dedupe", mixinStandardHelpOptions = true, version = "dedupe 0.1.0",
        subcommands = {dedupe.Claim.class, dedupe.Release.class, dedupe.Check.class, dedupe.Show.class, dedupe.Prune.class},
        description = {
            "Drops repeated event-bus events: a TTL cache of event ids kept in comments on a state issue.",
            "'claim' answers new the first time an id is claimed within its TTL, resume to a re-run of the run "
                    + "holding it (or anyone, once the holder released it), and duplicate otherwise; of several runs "
                    + "claiming one id at the same moment, exactly one gets new.",
            "'release' gives a claim up after a failure, 'check' asks without claiming, 'show' lists the cache, "
                    + "'prune' drops expired entries."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            dedupe.ENV_TOKEN, dedupe.ENV_REPOSITORY, dedupe.ENV_API_URL, dedupe.ENV_EVENT_PATH, dedupe.ENV_OUTPUT,
            dedupe.ENV_SHA, dedupe.ENV_STATE_ISSUE, dedupe.ENV_LOG, dedupe.ENV_HISTORY,
            "",
            "The state issue is --state-issue, else $EVENT_BUS_STATE_ISSUE, else the issue",
            "that the refs under refs/event-bus/dedupe/ name (only contents: write can change",
            "them; the label event-bus-state only helps a person find it). The first claim in",
            "a repository without such refs opens the issue, locks it and writes its ref.",
            "Writes take turns through git refs under refs/event-bus/dedupe/ (GitHub",
            "creates a ref only once), so the token needs contents: write as well.",
            "",
            "Example:",
            "  dedupe claim --event \"$GITHUB_EVENT_PATH\" --ttl 60m",
            "  dedupe claim --key pr-456-ready --ttl 24h   # same id as emit --dedupe-key"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done: the subcommand's answer is printed (a duplicate is a normal answer)",
            dedupe.EXIT_GITHUB,
            "2:invalid input or usage: nothing was claimed, released or written"})
class dedupe implements Callable<Integer> {

    static final String ENV_TOKEN = "  GITHUB_TOKEN, GH_TOKEN  the token (never a flag): issues and contents: write";
    static final String ENV_REPOSITORY = "  GITHUB_REPOSITORY       owner/name of the repository (--repo)";
    static final String ENV_API_URL = "  GITHUB_API_URL          API root (default https://api.github.com)";
    static final String ENV_EVENT_PATH = "  GITHUB_EVENT_PATH       the event claimed by default (--event)";
    static final String ENV_OUTPUT = "  GITHUB_OUTPUT           claim=, duplicate= (and release=) are appended to it";
    static final String ENV_SHA = "  GITHUB_SHA              commit for the ticket refs (else looked up once)";
    static final String ENV_STATE_ISSUE = "  EVENT_BUS_STATE_ISSUE   the state issue's number (--state-issue)";
    static final String ENV_LOG = "  EVENT_LOG               event log for 'duplicate' and 'cron-caught' records%n"
            + "                          (--log)";
    static final String ENV_HISTORY = "  EVENT_BUS_HISTORY       true: those records also go to the event history";
    static final String EXIT_GITHUB = "1:GitHub could not be reached or refused after retries, or internal failure";

    @Spec
    CommandSpec spec;

    /** The process environment; tests replace it. */
    Map<String, String> env = System.getenv();

    /**
     * How long a run waits for the holder of a write ticket that makes no progress before it takes
     * the next ticket (the holder must have died); tests shorten it. See Store for the bound.
     */
    Duration lease = Duration.ofSeconds(90);

    public static void main(String... args) {
        int exitCode = newCommandLine(new dedupe()).execute(args);
        trainIfRecording(dedupe.class, dedupe::training);
        GitHub.shutdown();
        System.exit(exitCode);
    }

    /** A check against a loopback server's empty state issue, and a state comment written and read (see trainIfRecording). */
    static void training(PrintWriter out) throws IOException {
        dedupe command = new dedupe();
        command.env = Map.of("GITHUB_TOKEN", "training", "GITHUB_REPOSITORY", "octo-org/octo-repo",
                "GITHUB_API_URL", loopbackGitHub(200, "[]"));
        newCommandLine(command).setOut(out).setErr(out).execute("check", "3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11", "--state-issue", "1");
        UUID id = UUID.fromString("3f0c5a0e-8d1b-4c1e-9a57-2b7d9f0e6a11");
        Instant now = Instant.now();
        State state = new State(shardOf(id), 1, List.of(new Entry(id, now.getEpochSecond() + 60, 60)), List.of(), List.of(), null);
        out.print(State.parse(state.render(id, now).text()).state());
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: claim, check, show or prune");
    }

    // ---- subcommands ------------------------------------------------------------------------

    @Command(name = "claim",
            description = {
                "Claims an event id for this run: prints new when no live claim holds it (and records one for --ttl, "
                        + "with the run that holds it: $GITHUB_RUN_ID, $GITHUB_RUN_ATTEMPT), resume when this is a later "
                        + "attempt of the holding run or the holder released the claim (the claim passes to this run; process "
                        + "it like new, skipping the targets already dispatched), else duplicate. Writes claim=new|resume|duplicate, "
                        + "duplicate=true|false and, on resume, dispatched=<workflows> to $GITHUB_OUTPUT; exits 0 either way.",
                "The id is EVENT_ID, --key KEY (the UUID v5 that emit --dedupe-key gives KEY), or the "
                        + "client_payload.event_id of --event FILE (default $GITHUB_EVENT_PATH): an event document "
                        + "or the repository_dispatch webhook payload GitHub delivers.",
                "--key answers duplicate, however long ago, for an item an event handled: when no live claim holds the "
                        + "key's id (never claimed, or the claim expired), the event history (the branch event-bus-history) "
                        + "is read, and a record of that id with status routed or acted makes it a duplicate, with nothing "
                        + "written. Otherwise it is new, and a cron-caught record says that no event handled it."},
            footerHeading = "%nEnvironment:%n",
            footer = {ENV_TOKEN, ENV_REPOSITORY, ENV_API_URL, ENV_EVENT_PATH, ENV_OUTPUT, ENV_SHA, ENV_STATE_ISSUE, ENV_LOG, ENV_HISTORY,
                "",
                "--on-github-error: what a claim answers when GitHub cannot be reached:",
                "  fail  exit 1: processed only if the run is re-run (at most once)",
                "  new   answer new with a warning: maybe processed twice (at least once)",
                "",
                "An uncontended claim of a new id costs 4 requests (read, ticket, write and",
                "deleting the previous ticket) and a free 304 re-read; a duplicate costs 1.",
                "--key adds 1 request (the history's zipball, then its download) when no",
                "live claim holds the key: contents: read, which contents: write includes."},
            exitCodeList = {"0:claimed: new, resume or duplicate was printed", EXIT_GITHUB,
                "2:invalid input or usage: nothing was claimed"})
    static final class Claim extends StoreCommand {
        @Mixin
        Target target;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "60m",
                description = "how long the claim holds: 90s, 60m, 2h, 1d; at most 30d (default: ${DEFAULT-VALUE})")
        String ttl;

        @Option(names = "--log", paramLabel = "FILE", description = "append a 'duplicate' record for a duplicate event id, and a 'cron-caught' "
                + "record when a --key claim is new or resumes (a --key duplicate: none) (default: $EVENT_LOG; and the event history "
                + "when EVENT_BUS_HISTORY=true)")
        Path logFile;

        @Option(names = "--on-github-error", paramLabel = "fail|new", defaultValue = "fail",
                description = "when GitHub cannot be reached: fail (exit 1, at most once) or new (warn, at least once); default: ${DEFAULT-VALUE}")
        String onGitHubError;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Duration duration = parseTtl(ttl, spec);
            if (!List.of("fail", "new").contains(onGitHubError)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--on-github-error must be fail or new, not '" + onGitHubError + "'");
            }
            Claimed claimed = target.resolve(root.env, spec);
            PrintWriter err = spec.commandLine().getErr();
            return withStore("", store -> {
                // --key: asked only when no live claim holds the key (the store would answer new), at most once.
                HandledBy history = target.key == null ? null : new HandledBy(store);
                Outcome outcome;
                try {
                    outcome = store.claim(claimed.id(), duration, Holder.fromEnv(root.env), history);
                } catch (GitHubUnreachable e) {
                    if (onGitHubError.equals("fail")) {
                        throw new GitHubException(e.getMessage() + "; not claimed (--on-github-error fail)");
                    }
                    Actions.warning(err, "dedupe: GitHub unreachable", e.getMessage() + "; answering new without a claim "
                            + "(--on-github-error new): " + claimed.label() + " may be processed twice", root.env);
                    answer("new", "claim", "new", "duplicate", "false");
                    return;
                }
                Entry entry = outcome.entry();
                boolean duplicate = outcome.verdict().equals("duplicate");
                answer(outcome.verdict(), "claim", outcome.verdict(), "duplicate", String.valueOf(duplicate));
                if (duplicate && entry == null) {
                    // Handled by an event however long ago: the history already says what became of it; nothing is written.
                    JsonNode record = history.record;
                    err.println("dedupe: " + claimed.label() + " is a duplicate: handled by an event (" + record.path("status").asText()
                            + (record.hasNonNull("outcome") ? " " + Actions.safe(record.path("outcome").asText()) : "") + " at "
                            + Actions.safe(Optional.ofNullable(History.recordedAt(record)).map(Instant::toString).orElse("an unknown time"))
                            + ", in the event history; " + history.cost() + "); no live claim, nothing written");
                    return;
                }
                if (outcome.verdict().equals("resume")) {
                    Actions.output("dispatched", String.join(",", entry.dispatched()), root.env);
                }
                err.println("dedupe: " + claimed.label() + switch (outcome.verdict()) {
                    case "duplicate" -> " is a duplicate: claimed at " + entry.claimedAt() + (entry.holder() != null ? " by " + entry.holder() : "")
                            + ", held until " + entry.expiresAt();
                    case "resume" -> " resumes: claimed until " + entry.expiresAt()
                            + (entry.dispatched().isEmpty() ? "" : "; already dispatched: " + Actions.safe(String.join(", ", entry.dispatched())));
                    default -> " is new: claimed until " + entry.expiresAt();
                } + " (state issue #" + outcome.issue() + ")" + (history != null && history.asked
                        ? "; no event handled it (the event history holds no routed or acted record of its id; " + history.cost() + ")" : ""));
                // A duplicate's fate is decided here; so is that of an item a cron path caught (a natural key no event claimed).
                // A --key claim that is a duplicate is no event's fate (the item is the event path's): no record, or a sweep
                // every 30 minutes would add one per item it finds claimed to the history and to stats' duplicates.
                String fate = target.key != null ? (duplicate ? null : "cron-caught") : duplicate ? "duplicate" : null;
                if (fate != null) {
                    ObjectNode record = EventLog.record(claimed.document(), fate, root.env, null, claimed.sender());
                    if (target.key != null) {
                        record.put("key", target.key);
                    }
                    Path log = logFile != null ? logFile : EventLog.fromEnv(root.env);
                    if (log != null) {
                        EventLog.append(log, List.of(record));
                    }
                    if (History.enabled(root.env)) {
                        History.append(store.github, List.of(record), err, root.env);
                    }
                }
            });
        }
    }

    /**
     * Whether an event handled an id, however long ago: a record of it with status routed or acted in the event
     * history (History.handled), read at most once per claim (one API request and the archive's download) and
     * only when the store would answer new. No history branch (404): nothing was handled. GitHub failing here is
     * GitHubUnreachable, so --on-github-error decides, as for the store.
     */
    static final class HandledBy {
        private final Store store;
        boolean asked;
        JsonNode record;
        private History.Archive archive;
        private int requests;

        HandledBy(Store store) {
            this.store = store;
        }

        boolean handled(UUID id) {
            if (!asked) {
                GitHub github = store.github;
                int before = github.requests();
                try {
                    archive = History.readArchive(github);
                    record = History.handled(archive, id);
                } catch (GitHubException | IOException e) {
                    throw new GitHubUnreachable("could not read the event history (the branch " + History.BRANCH + "), which says "
                            + "whether an event handled the key: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new GitHubUnreachable("interrupted while reading the event history");
                } finally {
                    requests = github.requests() - before;
                    store.requests += requests; // in --verbose's count
                }
                asked = true;
            }
            return record != null;
        }

        String cost() {
            String asking = requests + " API request" + (requests == 1 ? "" : "s");
            return archive.found() ? "read with " + asking + " and an archive of " + archive.zip().length + " bytes"
                    : "no history branch yet (" + asking + ")";
        }
    }

    @Command(name = "release",
            description = {
                "Gives a claim up after a failure, so that the event can be processed again (claim then answers "
                        + "resume), keeping what that processing needs: the targets already dispatched for it, read "
                        + "from the event log, so that none is dispatched twice. Prints released, or not-claimed when "
                        + "no live claim holds the id (nothing is written); writes release=released|not-claimed to "
                        + "$GITHUB_OUTPUT; exits 0 either way.",
                "The router runs it when routing failed; a replay runs it for claims whose run died."},
            footerHeading = "%nEnvironment:%n",
            footer = {ENV_TOKEN, ENV_REPOSITORY, ENV_API_URL, ENV_EVENT_PATH, ENV_OUTPUT, ENV_SHA, ENV_STATE_ISSUE,
                "  EVENT_LOG               event log whose records say which targets were",
                "                          dispatched (--log)"},
            exitCodeList = {"0:released, or not-claimed (no live claim held the id)", EXIT_GITHUB,
                "2:invalid input or usage: nothing was released"})
    static final class Release extends StoreCommand {
        @Mixin
        Target target;

        @Option(names = "--log", paramLabel = "FILE", description = "the event log to read dispatched targets from (default: $EVENT_LOG)")
        Path logFile;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Claimed claimed = target.resolve(root.env, spec);
            Path log = logFile != null ? logFile : EventLog.fromEnv(root.env);
            List<String> dispatched = log == null || !Files.exists(log) ? List.of() : dispatchedTargets(Source.file(log, spec), claimed.id());
            return withStore("; not released", store -> {
                Outcome outcome = store.release(claimed.id(), dispatched);
                answer(outcome.verdict(), "release", outcome.verdict());
                spec.commandLine().getErr().println("dedupe: " + claimed.label() + (outcome.entry() == null ? " has no live claim: nothing to release"
                        : " released" + (outcome.entry().dispatched().isEmpty() ? "" : "; already dispatched: "
                                + Actions.safe(String.join(", ", outcome.entry().dispatched()))) + " (state issue #" + outcome.issue() + ")"));
            });
        }

        /** The workflows the log's records of this event dispatched (or found dispatched); unreadable lines are skipped. */
        static List<String> dispatchedTargets(Source log, UUID id) {
            List<String> workflows = new ArrayList<>();
            for (String line : log.text().split("\n")) {
                JsonNode record;
                try {
                    record = line.isBlank() ? null : JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    continue;
                }
                if (record == null || !id.toString().equals(text(record, "/event_id"))) {
                    continue;
                }
                for (JsonNode target : record.path("targets")) {
                    String workflow = text(target, "/workflow");
                    if (workflow != null && List.of("dispatched", "already-dispatched").contains(text(target, "/status"))
                            && !workflows.contains(workflow)) {
                        workflows.add(workflow);
                    }
                }
            }
            return workflows;
        }
    }

    @Command(name = "check",
            description = {
                "Prints new or duplicate for an event id without claiming it, and writes duplicate=true|false "
                        + "to $GITHUB_OUTPUT. Read-only: it never opens the state issue or writes the comment."},
            exitCodeList = {"0:new or duplicate was printed", EXIT_GITHUB,
                "2:invalid input or usage (a bad id, key or event file): nothing was asked of GitHub"})
    static final class Check extends StoreCommand {
        @Mixin
        Target target;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Claimed claimed = target.resolve(root.env, spec);
            return withStore("", store -> {
                Entry live = store.read(false).shard(shardOf(claimed.id())).live(claimed.id(), store.now());
                answer(live != null ? "duplicate" : "new", "duplicate", String.valueOf(live != null));
                spec.commandLine().getErr().println("dedupe: " + claimed.label() + (live != null
                        ? " is claimed until " + live.expiresAt() : " has no live claim"));
            });
        }
    }

    @Command(name = "show",
            description = {
                "Lists the claims in the state comment: event id, claimed at, expires (UTC). "
                        + "--json adds the state's location, capacity and the number of API requests made."},
            exitCodeList = {"0:the live claims were listed", EXIT_GITHUB,
                "2:bad usage: nothing was asked of GitHub"})
    static final class Show extends StoreCommand {
        @Option(names = "--json", description = "print a JSON document instead of a table")
        boolean json;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return withStore("", store -> {
                Shards shards = store.read(false);
                Instant now = store.now();
                List<Entry> live = shards.entries().stream().filter(e -> e.liveAt(now)).sorted(Entry.BY_EXPIRY).toList();
                int expired = shards.entries().size() - live.size();
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(Actions.safeJson(showJson(store, shards, now).toPrettyString()));
                } else {
                    out.printf("%-36s  %-20s  %s%n", "EVENT ID", "CLAIMED AT", "EXPIRES");
                    live.forEach(e -> out.printf("%-36s  %-20s  %s%n", e.id(), e.claimedAt(), e.expiresAt()));
                    long comments = shards.all().stream().filter(s -> s.comment() != null).count();
                    String where = shards.issue() == 0 ? "no store yet (no refs under " + TICKET_PREFIX + ")"
                            : "state issue #" + shards.issue() + ", " + comments + " of " + SHARDS + " state comments";
                    spec.commandLine().getErr().println("dedupe: " + where + ": " + live.size() + " live "
                            + (live.size() == 1 ? "entry" : "entries") + (expired > 0 ? ", " + expired + " expired (dropped on the next write)" : ""));
                }
                out.flush();
            });
        }

        private static ObjectNode showJson(Store store, Shards shards, Instant now) {
            ObjectNode json = JSON.createObjectNode();
            json.put("repository", store.github.repository());
            json.put("state_issue", shards.issue() > 0 ? shards.issue() : null);
            ArrayNode comments = json.putArray("state_comments");
            for (Snapshot shard : shards.all()) {
                if (shard.comment() != null) {
                    comments.addObject()
                            .put("shard", shard.shard())
                            .put("id", shard.comment().id())
                            .put("url", shard.comment().url())
                            .put("version", shard.state().version())
                            .put("characters", shard.comment().body().length());
                }
            }
            ArrayNode entries = json.putArray("entries");
            for (Entry entry : shards.entries()) {
                ObjectNode item = entries.addObject()
                        .put("event_id", entry.id().toString())
                        .put("claimed_at", entry.claimedAt().toString())
                        .put("expires_at", entry.expiresAt().toString())
                        .put("expired", !entry.liveAt(now))
                        .put("released", entry.released());
                item.put("holder_run_id", entry.holder() == null ? null : entry.holder().run());
                item.put("holder_run_attempt", entry.holder() == null ? null : entry.holder().attempt());
                entry.dispatched().forEach(item.putArray("dispatched")::add);
            }
            json.put("live", shards.entries().stream().filter(e -> e.liveAt(now)).count());
            json.put("comment_limit", MAX_COMMENT_CHARACTERS);
            json.put("shards", SHARDS);
            json.putObject("api_requests")
                    .put("total", store.requests)
                    .put("not_modified", store.notModified);
            return json;
        }
    }

    @Command(name = "prune",
            description = {
                "Drops expired entries from the state comment (claims do so on every write too), and deletes "
                        + "the write-ticket refs the previous write left. Writes nothing when nothing has expired."},
            exitCodeList = {"0:pruned (or nothing had expired; with --dry-run: listed, nothing written)", EXIT_GITHUB,
                "2:bad usage: nothing was written"})
    static final class Prune extends StoreCommand {
        @Option(names = "--dry-run", description = "say what would be dropped and write nothing")
        boolean dryRun;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            return withStore("", store -> {
                if (dryRun) {
                    Shards shards = store.read(false);
                    Instant now = store.now();
                    List<Entry> expired = shards.entries().stream().filter(e -> !e.liveAt(now)).toList();
                    expired.forEach(e -> err.println("dedupe: would drop " + e.id() + " (expired " + e.expiresAt() + ")"));
                    err.println("dedupe: " + expired.size() + " expired " + (expired.size() == 1 ? "entry" : "entries") + " to drop (dry run)");
                    return;
                }
                int[] counts = store.prune();
                err.println("dedupe: dropped " + counts[0] + " expired " + (counts[0] == 1 ? "entry" : "entries")
                        + "; " + counts[1] + " live " + (counts[1] == 1 ? "entry remains" : "entries remain"));
            });
        }
    }

    // ---- options shared by the subcommands -----------------------------------------------

    /** A subcommand: its input is checked before the store opens (exit 2: nothing was asked of GitHub). */
    @Command(mixinStandardHelpOptions = true, version = "dedupe 0.1.0", exitCodeListHeading = "%nExit codes:%n")
    abstract static class StoreCommand implements Callable<Integer> {
        @ParentCommand
        dedupe root;

        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        /** Opens the store and asks it; GitHub failing after retries ends the command with exit 1, saying notDone. */
        int withStore(String notDone, StoreCall call) throws IOException, InterruptedException {
            Store store = new Store(root, connection, spec);
            try {
                call.run(store);
                return CommandLine.ExitCode.OK;
            } catch (GitHubUnreachable e) {
                throw new GitHubException(e.getMessage() + notDone);
            } finally {
                store.reportRequests();
            }
        }

        /** The answer on stdout, and the outputs (name, value, name, value...) appended to $GITHUB_OUTPUT. */
        void answer(String verdict, String... outputs) throws IOException {
            spec.commandLine().getOut().println(verdict);
            spec.commandLine().getOut().flush();
            for (int i = 0; i < outputs.length; i += 2) {
                Actions.output(outputs[i], outputs[i + 1], root.env);
            }
        }
    }

    interface StoreCall {
        void run(Store store) throws IOException, InterruptedException;
    }

    /** What to claim or check: EVENT_ID, --key KEY, or the event in --event FILE / $GITHUB_EVENT_PATH. */
    static final class Target {
        @Parameters(arity = "0..1", paramLabel = "EVENT_ID", description = "the event id, a lowercase UUID")
        String eventId;

        @Option(names = "--event", paramLabel = "FILE",
                description = "an event document or repository_dispatch payload (default: $GITHUB_EVENT_PATH)")
        Path eventFile;

        @Option(names = "--key", paramLabel = "KEY",
                description = "a natural key instead of an event id: the same UUID v5 as emit --dedupe-key KEY")
        String key;

        Claimed resolve(Map<String, String> env, CommandSpec spec) {
            if (Stream.of(eventId, eventFile, key).filter(o -> o != null).count() > 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give one of EVENT_ID, --event FILE or --key KEY, not several");
            }
            if (key == null && eventId == null) {
                String eventPath = env.get("GITHUB_EVENT_PATH");
                if (eventFile == null && (eventPath == null || eventPath.isBlank())) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "nothing to claim: give EVENT_ID, --event FILE or --key KEY ($GITHUB_EVENT_PATH is not set)");
                }
                return fromEventFile(eventFile != null ? eventFile : Path.of(eventPath), spec);
            }
            if (key != null && key.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key: empty; expected a natural key such as pr-456-ready");
            }
            if (key == null && !UUID_TEXT.matcher(eventId).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "EVENT_ID: '" + eventId
                        + "' is not a lowercase UUID (event ids are); use --key KEY for a natural key");
            }
            UUID id = key != null ? nameBasedUuid(DEDUPE_KEY_NAMESPACE, key) : UUID.fromString(eventId);
            // What the event log records for an id given without its event: the id alone.
            ObjectNode document = JSON.createObjectNode();
            document.putObject("client_payload").put("event_id", id.toString());
            return new Claimed(id, document, key != null ? "key '" + Actions.safe(key) + "' (" + id + ")" : eventId, null);
        }

        /** An event document, or the webhook payload GitHub delivers ("action" is the event type). */
        private static Claimed fromEventFile(Path file, CommandSpec spec) {
            List<EventInput> inputs = new ArrayList<>();
            EventInput.read(Source.file(file, spec), inputs::add);
            if (inputs.size() != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + ": holds " + inputs.size() + " events; claim one at a time");
            }
            EventInput input = inputs.get(0);
            if (input.parseError() != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + ": " + Actions.safe(input.parseError()));
            }
            JsonNode document = input.document();
            String eventId = text(document, "/client_payload/event_id");
            if (eventId == null || !UUID_TEXT.matcher(eventId).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + ": /client_payload/event_id: "
                        + (eventId == null ? "missing (rule: required)" : "'" + Actions.safe(eventId) + "' is not a lowercase UUID (rule: pattern)"));
            }
            return new Claimed(UUID.fromString(eventId), document, eventId, input.sender() == null ? null : input.sender().login());
        }
    }

    /** Where the state lives and how hard to try. */
    static final class Connection {
        @Option(names = "--repo", paramLabel = "OWNER/NAME", description = "the repository (default: $GITHUB_REPOSITORY)")
        String repo;

        @Option(names = "--state-issue", paramLabel = "N",
                description = "the state issue (default: $EVENT_BUS_STATE_ISSUE, else the issue the refs under refs/event-bus/dedupe/ name)")
        Integer stateIssue;

        @Option(names = "--trusted-author", paramLabel = "LOGIN",
                description = "a login whose state comments count; repeatable (default: github-actions[bot])")
        List<String> trustedAuthors = new ArrayList<>();

        @Mixin
        Retries retries;

        @Option(names = "--verbose", description = "print each API request and how many were made, and the stack trace of a failure, on stderr")
        boolean verbose;

        Set<String> trusted() {
            List<String> logins = trustedAuthors.isEmpty() ? List.of(DEFAULT_TRUSTED_AUTHOR) : trustedAuthors;
            return logins.stream().map(l -> l.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        }
    }

    static final String DEFAULT_TRUSTED_AUTHOR = "github-actions[bot]";

    /** "90s", "60m", "2h", "1d": a positive whole number and a unit, at most 30 days. */
    static Duration parseTtl(String text, CommandSpec spec) {
        Matcher m = Pattern.compile("^(\\d{1,7})([smhd])$").matcher(text == null ? "" : text.strip());
        Duration ttl = !m.matches() ? null : switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(Long.parseLong(m.group(1)));
            case "m" -> Duration.ofMinutes(Long.parseLong(m.group(1)));
            case "h" -> Duration.ofHours(Long.parseLong(m.group(1)));
            default -> Duration.ofDays(Long.parseLong(m.group(1)));
        };
        if (ttl == null || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ttl: '" + text
                    + "' is not a duration from 1s to 30d such as 90s, 60m, 2h or 1d");
        }
        return ttl;
    }

    static final Duration MAX_TTL = Duration.ofDays(30);

    // ---- the state on GitHub: issue, comments, write tickets -------------------------------

    /** Only helps a person find the state issue: the store is found by its refs, which only contents: write can change. */
    static final String STATE_LABEL = "event-bus-state";
    static final String TICKET_PREFIX = "refs/event-bus/dedupe/";
    /**
     * The lock a run holds while it opens a store; deleted once the store's own ref exists. Outside
     * TICKET_PREFIX, so that taking it leaves the listing of the store's refs unchanged: the holder's
     * second look at them is a free 304.
     */
    static final String OPENING_LOCK = "refs/event-bus/dedupe-opening";
    /** A ticket holder sends its write within this time of taking the ticket, or gives the ticket up. */
    static final Duration HOLD_LIMIT = Duration.ofSeconds(20);
    /** Retries of a holder's requests stop this long after each request starts. */
    static final Duration HOLDER_RETRY_BUDGET = Duration.ofSeconds(10);
    /** A waiter tries the taken ticket again this often, in case its holder gave it up. */
    static final Duration TICKET_RETRY = Duration.ofSeconds(5);

    /**
     * The state of one repository: the state issue, its state comments (one per shard of the ids), and
     * the protocol that makes every change of a comment atomic although GitHub has no compare-and-swap
     * on comments.
     *
     * <p>The store is found by its refs, which only a token with contents: write can change: every ref
     * under {@code refs/event-bus/dedupe/<issue>/} names the state issue ({@code <issue>/store} from the
     * moment the store is opened, {@code <issue>/shard-<shard>-<comment id>} for each state comment ever
     * created), so labels, titles and the issue's state play no part. See Refs.
     *
     * <p>Each version of a comment has a write ticket: the git ref
     * {@code refs/event-bus/dedupe/<issue>/<comment id>-<version>-<updated_at>} (a shard without a
     * readable comment: {@code <issue>/new-<shard>-<digest>}). GitHub creates a ref once and answers
     * 422 "Reference already exists" to everyone after, so exactly one run may write the next version.
     * The names carry the comment's updated_at, which GitHub sets and a person's edit moves forward,
     * so a ticket taken after a person edited a comment never collides with the last write's ticket.
     * The holder re-reads the comments (a conditional GET: 304 when unchanged, which the rate limit does
     * not count) and writes only if its comment is still the version the ticket names, so a run holding a
     * stale ticket never overwrites a newer state. Every write is therefore a read-modify-write of the
     * latest version: no claim is lost, and of two claims of one id only the first write sees it absent.
     *
     * <p>A holder that dies leaves its ticket behind. Others wait until the comment has not changed for
     * {@code lease} after their first refusal, then take the ticket's next attempt ({@code <name>.r1}, ...).
     * That is safe because a holder sends its write at most HOLD_LIMIT (20 s) after taking the ticket,
     * retries it for at most HOLDER_RETRY_BUDGET (10 s), and each attempt ends within the client's 30 s
     * request timeout (+10 s to connect): its write lands within 70 s or never, and the lease is 90 s.
     *
     * <p>Time is GitHub's (the Date header of its answers), so TTLs do not depend on the runners' clocks.
     */
    static final class Store {
        final GitHub github;
        /** The holder's client: its retries must end in time for the lease argument above. */
        private final GitHub holder;
        private final Map<String, String> env;
        private final CommandSpec spec;
        private final PrintWriter err;
        private final Connection options;
        private final Set<String> trusted;
        private final Duration lease;
        private final Instant deadline;
        private final Map<String, Cached> cache = new HashMap<>();
        private final Set<String> reported = new HashSet<>();
        private Integer issue;
        private String sha;
        private String shaFromState;
        private boolean shaLookedUp;
        /** The refs under TICKET_PREFIX as last listed in this run; null until listed. */
        private Refs refs;
        /** The state issue came from --state-issue or EVENT_BUS_STATE_ISSUE, not from the refs. */
        private boolean issueGiven;
        private Instant gitHubTime;
        int requests;
        int notModified;

        Store(dedupe root, Connection options, CommandSpec spec) {
            options.retries.check(spec);
            if (options.stateIssue != null && options.stateIssue < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--state-issue must be an issue number, not " + options.stateIssue);
            }
            this.github = GitHub.fromEnv(root.env, options.repo, root.spec, options.retries.maxAttempts, options.retries.budget());
            this.holder = GitHub.fromEnv(root.env, options.repo, root.spec, options.retries.maxAttempts, HOLDER_RETRY_BUDGET);
            this.env = root.env;
            this.spec = spec;
            this.err = spec.commandLine().getErr();
            this.options = options;
            this.trusted = options.trusted();
            this.lease = root.lease;
            this.deadline = Instant.now().plus(options.retries.budget());
        }

        /** GitHub's time at its latest answer; this machine's before the first one. */
        Instant now() {
            return gitHubTime != null ? gitHubTime : Instant.now();
        }

        void reportRequests() {
            if (options.verbose) {
                err.println("dedupe: " + requests + " API requests, " + notModified
                        + " of them answered 304 Not Modified (not counted by the rate limit)");
                err.flush();
            }
        }

        // -- the operations

        /**
         * claim's answer (its help says which; run is null outside Actions). new and resume are written before they are
         * answered. With history (--key), an id an event handled is a duplicate without an entry, and nothing is written.
         */
        Outcome claim(UUID id, Duration ttl, Holder run, HandledBy history) throws InterruptedException {
            return update(shardOf(id), snapshot -> {
                Instant now = now();
                Entry live = snapshot.live(id, now);
                if (live == null && history != null && history.handled(id)) {
                    return new Plan<>(new Outcome("duplicate", null, snapshot.issue()), null, null);
                }
                String verdict = live == null ? "new" : live.resumableBy(run) ? "resume" : "duplicate";
                if (verdict.equals("duplicate")) {
                    return new Plan<>(new Outcome(verdict, live, snapshot.issue()), null, null);
                }
                // Rounded up to the next second: a claim holds for at least its TTL on GitHub's clock.
                long expires = now.getEpochSecond() + 1 + ttl.toSeconds();
                // A claim taken over keeps what was dispatched for it, and never ends sooner than it did.
                Entry mine = live == null ? new Entry(id, expires, ttl.toSeconds(), run, false, List.of())
                        : new Entry(id, Math.max(expires, live.expires()), ttl.toSeconds(), run, false, live.dispatched());
                return new Plan<>(new Outcome(verdict, mine, snapshot.issue()), snapshot.entriesWith(mine, now), id);
            });
        }

        /** release's answer (see its help): the claim given up, with dispatched added; not-claimed writes nothing. */
        Outcome release(UUID id, List<String> dispatched) throws InterruptedException {
            return update(shardOf(id), snapshot -> {
                Instant now = now();
                Entry live = snapshot.live(id, now);
                if (live == null) {
                    return new Plan<>(new Outcome("not-claimed", null, snapshot.issue()), null, null);
                }
                Entry released = new Entry(id, live.expires(), live.ttl(), live.holder(), true,
                        Stream.concat(live.dispatched().stream(), dispatched.stream()).distinct().toList());
                return new Plan<>(new Outcome("released", released, snapshot.issue()), snapshot.entriesWith(released, now), id);
            });
        }

        /** Drops expired entries from every shard; returns {dropped, live}. Nothing is written where nothing expired. */
        int[] prune() throws InterruptedException {
            Shards shards = read(false);
            int[] counts = {0, 0};
            for (Snapshot shard : shards.all()) {
                if (shard.comment() == null) {
                    continue;
                }
                int[] pruned = update(shard.shard(), snapshot -> {
                    List<Entry> live = snapshot.entriesForWrite(now());
                    int dropped = snapshot.state().entries().size() - live.size();
                    return new Plan<>(new int[] {dropped, live.size()}, dropped == 0 ? null : live, null);
                });
                counts[0] += pruned[0];
                counts[1] += pruned[1];
            }
            return counts;
        }

        /** The current state; with create, the state issue is opened when there is none. */
        Shards read(boolean create) throws InterruptedException {
            int number = stateIssue(create);
            return number == 0 ? Shards.none() : readComments(number, github);
        }

        // -- the write protocol

        /**
         * Reads, plans, and writes the plan under the ticket of the version it was planned from;
         * starts over when another run wrote first. Returns the plan's result once written (or at
         * once when the plan needs no write).
         */
        private <T> T update(int shard, Function<Snapshot, Plan<T>> planner) throws InterruptedException {
            for (int losses = 0; ; losses++) {
                if (Instant.now().isAfter(deadline)) {
                    throw new GitHubUnreachable("other runs kept writing the state first; gave up after the retry budget of "
                            + options.retries.retryBudgetSeconds + " s");
                }
                Shards shards = read(true);
                Snapshot snapshot = shards.shard(shard);
                Creation creation = null;
                if (snapshot.comment() == null) {
                    creation = creation(shards, snapshot);
                    if (creation == null) {
                        continue; // the comments changed while the refs were listed: plan on the new ones
                    }
                    snapshot = snapshot.with(creation);
                }
                Plan<T> plan = planner.apply(snapshot);
                if (plan.entries() == null) {
                    return plan.result();
                }
                Snapshot planned = snapshot;
                String fingerprint = snapshot.fingerprint();
                Ticket ticket = acquire(snapshot.ticketName(), losses,
                        () -> !readComments(planned.issue(), github).shard(shard).fingerprint().equals(fingerprint));
                if (ticket != null && write(snapshot, plan, ticket, creation)) {
                    return plan.result();
                }
                // Another run wrote first: plan again on its version, after a pause that spreads
                // the runs which lost together, so they do not all ask for the next ticket at once.
                Thread.sleep(ThreadLocalRandom.current().nextLong(1 + Math.min(2_000, 50L << Math.min(losses, 6))));
            }
        }

        /**
         * Takes the ticket {@code name}, or its next attempt once the holder must be gone. Returns
         * null as soon as movedOn says another run has changed the state (the ticket is then stale).
         * A run that has lost before polls less often: under contention each poll that sees a change
         * costs a counted request, so slower polls skip versions instead of reading each one.
         */
        private Ticket acquire(String name, int losses, Condition movedOn) throws InterruptedException {
            List<String> abandoned = new ArrayList<>();
            for (int attempt = 0; ; attempt++) {
                String attemptName = attempt == 0 ? name : name + ".r" + attempt;
                if (createRef(attemptName)) {
                    return new Ticket(attemptName, abandoned, Instant.now());
                }
                Instant refused = Instant.now();
                Instant retryAt = refused.plus(TICKET_RETRY);
                long pause = Math.min(1_000, 50L << Math.min(losses, 5));
                while (true) {
                    Thread.sleep(pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1));
                    pause = Math.min(1_000, pause * 2);
                    if (movedOn.test()) {
                        return null;
                    }
                    Instant now = Instant.now();
                    if (now.isAfter(deadline)) {
                        throw new GitHubUnreachable("the state did not change while " + attemptName + " stayed taken; gave up after the retry budget of "
                                + options.retries.retryBudgetSeconds + " s");
                    }
                    if (!now.isBefore(refused.plus(lease))) {
                        abandoned.add(attemptName);
                        break;
                    }
                    if (!now.isBefore(retryAt)) {
                        if (createRef(attemptName)) {
                            return new Ticket(attemptName, abandoned, Instant.now());
                        }
                        retryAt = now.plus(TICKET_RETRY);
                    }
                }
            }
        }

        /**
         * The holder's part: check the state is unchanged, clean up, write the next version. On
         * success the ticket stays, recorded in the comment for the next writer to delete; on every
         * other way out it is given up at once, so nobody waits for the lease.
         */
        private boolean write(Snapshot before, Plan<?> plan, Ticket ticket, Creation creation) throws InterruptedException {
            boolean written = false;
            try {
                Snapshot current = readComments(before.issue(), holder).shard(before.shard());
                if (!current.fingerprint().equals(before.fingerprint())) {
                    return false;
                }
                List<String> leftovers = new ArrayList<>();
                List<String> cleanup = creation == null ? List.of() : creation.cleanup().stream()
                        .filter(n -> !n.equals(ticket.name()) && !n.startsWith(ticket.name() + ".r")).toList();
                for (String stale : Stream.of(before.state().tickets(), ticket.abandoned(), cleanup).flatMap(List::stream).distinct().toList()) {
                    if (!deleteRef(stale)) {
                        leftovers.add(stale);
                    }
                }
                if (Duration.between(ticket.at(), Instant.now()).compareTo(HOLD_LIMIT) > 0) {
                    return false; // too slow: a waiter may take over soon, and our write must not land after its own
                }
                List<String> tickets = Stream.concat(Stream.of(ticket.name()), leftovers.stream()).toList();
                State next = new State(before.shard(), before.state().version() + 1, plan.entries(), tickets, before.superseded(), sha);
                Rendered rendered = next.render(plan.keep(), now());
                if (!rendered.evicted().isEmpty()) {
                    Entry first = rendered.evicted().get(0);
                    Actions.warning(err, "dedupe: state comment full", "state comment " + before.shard() + " of " + SHARDS
                            + " is full: evicted the " + rendered.evicted().size() + " claims that expire soonest (from " + first.id()
                            + ", expiring " + first.expiresAt() + "); a repeat of one of them would be processed again", env);
                }
                ObjectNode body = JSON.createObjectNode().put("body", rendered.text());
                Response response = before.comment() == null
                        ? send(holder, "POST", github.repoPath("/issues/" + before.issue() + "/comments"), body, Map.of())
                        : send(holder, "PATCH", github.repoPath("/issues/comments/" + before.comment().id()), body, Map.of());
                if (!response.succeeded()) {
                    throw new GitHubException(github.refusal(response, "write the state comment on issue #" + before.issue(), "issues: write"));
                }
                String author = response.json().path("user").path("login").asText("");
                if (!trusted.contains(author.toLowerCase(Locale.ROOT))) {
                    throw new GitHubException("GitHub wrote the state comment as '" + author + "', which is not a trusted author, so the next "
                            + "run would ignore it: pass --trusted-author " + author + " (or use the workflow's GITHUB_TOKEN)");
                }
                written = true;
                if (before.comment() == null) {
                    anchor(before.issue(), before.shard(), response.json().path("id").asLong());
                }
                return true;
            } finally {
                if (!written) {
                    release(ticket);
                }
            }
        }

        /**
         * Writes the ref that ties a new state comment to its issue and shard, so that the comment's
         * deletion is noticed even before its next write. Best effort: the claim is made already.
         */
        private void anchor(int number, int shard, long comment) throws InterruptedException {
            String name = TICKET_PREFIX + number + "/shard-" + shard + "-" + comment;
            try {
                createRef(name);
                if (refs != null) {
                    refs = refs.with(name);
                }
            } catch (GitHubUnreachable | GitHubException e) {
                err.println("dedupe: could not create " + name + " (" + e.getMessage() + "); until the comment's next write, "
                        + "its deletion would not be noticed");
            }
        }

        /** Gives a ticket up (best effort: if this fails, waiters take over after the lease). */
        private void release(Ticket ticket) throws InterruptedException {
            if (!deleteRef(ticket.name())) {
                err.println("dedupe: could not give up " + ticket.name() + "; others take over after " + lease.toSeconds() + " s");
            }
        }

        // -- the state issue

        /**
         * --state-issue, else $EVENT_BUS_STATE_ISSUE, else the issue the refs under refs/event-bus/dedupe/
         * name. Labels, titles and the issue's state are never read, so a person who may only triage can
         * move no claim. Only a repository without such refs gets a new store (with create), opened
         * under a lock so that two first claims at once open one.
         */
        private int stateIssue(boolean create) throws InterruptedException {
            if (issue != null) {
                return issue;
            }
            Integer given = options.stateIssue != null ? options.stateIssue : issueFromEnv();
            if (given != null) {
                issueGiven = true;
                return issue = given;
            }
            while (true) {
                int found = storeIn(listRefs(github));
                if (found > 0 || !create) {
                    return found == 0 ? 0 : (issue = found);
                }
                Ticket lock = acquire(OPENING_LOCK, 0, () -> storeIn(listRefs(github)) > 0);
                if (lock == null) {
                    continue; // another run opened the store meanwhile
                }
                try {
                    if (storeIn(listRefs(holder)) == 0) {
                        return issue = openStore();
                    }
                } finally {
                    release(lock);
                    for (String abandoned : lock.abandoned()) {
                        deleteRef(abandoned);
                    }
                }
            }
        }

        private Integer issueFromEnv() {
            String value = env.getOrDefault("EVENT_BUS_STATE_ISSUE", "").strip();
            if (value.isEmpty()) {
                return null;
            }
            if (!value.matches("[1-9]\\d{0,9}") || Long.parseLong(value) > Integer.MAX_VALUE) {
                throw new CommandLine.ParameterException(spec.commandLine(), "EVENT_BUS_STATE_ISSUE must be an issue number, not '" + value + "'");
            }
            return Integer.valueOf(value);
        }

        /** The one issue the refs name (0 when none); refs naming several issues are an error, never a guess. */
        private int storeIn(Refs listed) {
            List<Integer> issues = listed.issues();
            if (issues.size() > 1) {
                throw new GitHubException("the refs under " + TICKET_PREFIX + " name more than one state issue ("
                        + issues.stream().map(n -> "#" + n).collect(Collectors.joining(", ")) + "), so nothing was claimed: "
                        + "set EVENT_BUS_STATE_ISSUE (or --state-issue) to the issue that holds the store, or delete the refs of the "
                        + "retired one (" + TICKET_PREFIX + "<number>/*)");
            }
            return issues.isEmpty() ? 0 : issues.get(0);
        }

        /** Opens and locks the state issue, then writes the ref that makes it the store. */
        private int openStore() throws InterruptedException {
            ObjectNode body = JSON.createObjectNode()
                    .put("title", "event-bus state")
                    .put("body", "This issue holds the state of event-bus `dedupe`: the ids of recently claimed events, "
                            + "in comments written by the workflow's token, so that an event delivered twice is processed once.\n\n"
                            + "It is found by the git refs under `" + TICKET_PREFIX + "<this issue's number>/`, not by its label, "
                            + "title or state: closing it or moving the label changes nothing. It is locked so that only "
                            + "collaborators can comment. Do not delete it or its comments: `dedupe` then stops with an error "
                            + "rather than forget the claims they held.");
            body.putArray("labels").add(STATE_LABEL);
            Response created = send(holder, "POST", github.repoPath("/issues"), body, Map.of());
            if (created.status() != 201) {
                throw new GitHubException(github.refusal(created, "open the state issue", "issues: write"));
            }
            int number = created.json().path("number").asInt();
            Response locked = send(holder, "PUT", github.repoPath("/issues/" + number + "/lock"), null, Map.of());
            if (locked.status() != 204) {
                Actions.warning(err, "dedupe: state issue not locked", "could not lock state issue #" + number + " ("
                        + github.refusal(locked, "lock it", "issues: write") + "); anyone who can comment could add comments to it", env);
            }
            String anchor = TICKET_PREFIX + number + "/store";
            createRef(anchor);
            refs = (refs == null ? new Refs(List.of()) : refs).with(anchor);
            err.println("dedupe: opened state issue #" + number + " (locked, labelled " + STATE_LABEL + "; the store is found by its ref "
                    + anchor + ")");
            return number;
        }

        /**
         * What a shard without a readable state comment needs before its comment is created: the refs
         * must not prove that a comment of this store was deleted (its claims would be forgotten), nor that
         * the store lives on another issue; and comments that refs tie to this shard but no longer read
         * (a person edited them) are set aside, with their readable entries. Null when the comments
         * changed since they were read: plan again.
         */
        private Creation creation(Shards shards, Snapshot snapshot) throws InterruptedException {
            int number = snapshot.issue();
            boolean listedBefore = refs != null; // listed before the comments were read: what it names was there
            Refs listed = listedBefore ? refs : listRefs(github);
            if (listed.of(number).isEmpty() && shards.isEmpty()) {
                List<Integer> others = listed.issues().stream().filter(n -> n != number).toList();
                if (!others.isEmpty()) {
                    int other = others.get(0);
                    String proof = listed.of(other).stream().filter(n -> n.endsWith("/store")).findFirst().orElse(listed.of(other).get(0));
                    throw new GitHubException("the dedupe state lives on issue #" + other + " (its ref " + proof
                            + " exists), but #" + number + " was chosen: set EVENT_BUS_STATE_ISSUE=" + other + " (or --state-issue), or, if "
                            + "that store is retired, delete the refs under " + TICKET_PREFIX + other + "/");
                }
            }
            List<String> cleanup = new ArrayList<>();
            List<Long> setAside = new ArrayList<>();
            List<Entry> salvaged = new ArrayList<>();
            Set<Long> rejected = snapshot.rejected().stream().map(r -> r.comment().id()).collect(Collectors.toSet());
            for (Map.Entry<Long, List<RefName>> named : listed.comments(number).entrySet()) {
                long id = named.getKey();
                List<RefName> names = named.getValue().stream().sorted(Comparator.comparing(n -> !n.anchor())).toList();
                int shard = names.stream().mapToInt(RefName::shard).max().orElse(-1);
                if (shard >= 0 && shard != snapshot.shard()) {
                    continue; // another shard's comment: that shard's own claims look after it
                }
                Comment comment = shards.comments().get(id); // whoever wrote it
                if (comment == null && !shards.replaced().contains(id)) {
                    if (!listedBefore) {
                        // Listed after the comments were read: a comment created meanwhile is missing from that read.
                        Shards now = readComments(number, github);
                        if (now.comments().containsKey(id) || !now.shard(snapshot.shard()).fingerprint().equals(snapshot.fingerprint())) {
                            return null;
                        }
                    }
                    throw new GitHubException("state comment " + id + " of issue #" + number + " is gone (deleted), but its ref "
                            + names.get(0).name() + " remains: the claims it held would be forgotten, so nothing was claimed. Restore the "
                            + "comment if you can; to start this part of the store empty on purpose (events claimed within their TTL "
                            + "may then be processed again), delete " + names.stream().map(RefName::name).collect(Collectors.joining(" ")));
                }
                boolean unreadable = comment != null && snapshot.unknown().contains(comment);
                if (unreadable || rejected.contains(id)) {
                    // The write that replaces it deletes its write tickets; its anchor stays, naming a comment kept for inspection.
                    names.stream().filter(n -> !n.anchor()).map(RefName::name).forEach(cleanup::add);
                }
                if (unreadable) {
                    setAside.add(id);
                    Parsed parsed = State.parse(comment.body());
                    List<Entry> readable = (parsed.state() != null ? parsed.state().entries() : parsed.salvaged()).stream()
                            .filter(e -> shardOf(e.id()) == snapshot.shard()).toList();
                    salvaged.addAll(readable);
                    if (reported.add("unreadable " + id)) {
                        Actions.warning(err, "dedupe: state comment set aside", "state comment " + comment.url() + " no longer reads as "
                                + "state (" + (comment.hasMarker() ? Actions.safe(parsed.error()) : "its first line is no longer " + MARKER) + "); it is "
                                + "kept for inspection and a new state comment replaces it"
                                + (readable.isEmpty() ? "" : ", carrying the " + readable.size() + " entries that could still be read"), env);
                    }
                }
            }
            // Earlier tickets that created this shard's comment (at rest after their write, or a dead holder's) are stale:
            // the comment they created no longer reads. A run still holding one finds the state changed and gives up.
            String created = TICKET_PREFIX + number + "/new-" + snapshot.shard();
            listed.of(number).stream().filter(n -> n.equals(created) || n.startsWith(created + "-") || n.startsWith(created + ".r"))
                    .forEach(cleanup::add);
            return new Creation(setAside, salvaged, cleanup);
        }

        // -- the state comments

        private Shards readComments(int number, GitHub client) throws InterruptedException {
            String first = github.repoPath("/issues/" + number + "/comments?per_page=100");
            List<Comment> comments = new ArrayList<>();
            for (String path = first; path != null; ) {
                Response page = get(client, path);
                // GitHub's "Get an issue": 301 when the issue was transferred, 410 when it was deleted, 404 when
                // the token may not see where it went (the OpenAPI description of issues/get; list-comments documents 404 and 410).
                if (page.status() == 301 || page.status() == 404 || page.status() == 410) {
                    throw storeGone(number, page);
                }
                if (!page.succeeded()) {
                    throw new GitHubException(github.refusal(page, "read the comments of state issue #" + number, "issues: read"));
                }
                for (JsonNode comment : page.json()) {
                    comments.add(Comment.of(comment));
                }
                path = page.header("link").map(link -> NEXT_PAGE.matcher(link)).filter(Matcher::find)
                        .map(m -> first + "&page=" + m.group(1)).orElse(null);
            }
            Shards shards = Shards.of(number, comments, trusted);
            shards.all().forEach(this::report);
            shards.all().stream().map(s -> s.state().sha()).filter(s -> s != null).findFirst().ifPresent(s -> shaFromState = s);
            return shards;
        }

        private static final Pattern NEXT_PAGE = Pattern.compile("[?&]page=(\\d+)[^>]*>;\\s*rel=\"next\"");

        /** Says once per run what was not used as state and why. */
        private void report(Snapshot snapshot) {
            for (Comment comment : snapshot.untrusted()) {
                if (reported.add("untrusted " + comment.id())) {
                    err.println("dedupe: ignoring comment " + comment.url() + " by " + comment.author() + ": it carries the state marker, but "
                            + comment.author() + " is not a trusted author (--trusted-author)");
                }
            }
            for (Rejected rejected : snapshot.rejected()) {
                if (reported.add("rejected " + rejected.comment().id())) {
                    Actions.warning(err, "dedupe: state comment set aside", "state comment " + rejected.comment().url() + " " + Actions.safe(rejected.reason())
                            + "; it is kept for inspection and " + (snapshot.comment() == null
                            ? "a new state comment replaces it" + (snapshot.salvaged().isEmpty() ? "" : ", carrying the "
                                    + snapshot.salvaged().size() + " entries that could still be read")
                            : "the state in " + snapshot.comment().url() + " is used"), env);
                }
            }
        }

        // -- refs

        /** True when this run created the ref; false when it already exists. */
        private boolean createRef(String name) throws InterruptedException {
            while (true) {
                ObjectNode body = JSON.createObjectNode().put("ref", name).put("sha", commit());
                Response response = send(github, "POST", github.repoPath("/git/refs"), body, Map.of());
                if (response.status() == 201) {
                    return true;
                }
                String message = response.message().toLowerCase(Locale.ROOT);
                if (response.status() == 422 && message.contains("already exists")) {
                    return false;
                }
                // The commit the ref should point at is gone (say, a force push): look up the default branch.
                if (response.status() == 422 && message.contains("object does not exist") && !shaLookedUp) {
                    sha = defaultBranchCommit();
                    continue;
                }
                throw new GitHubException(github.refusal(response, "create the ref " + name + " (a dedupe write ticket)", "contents: write"));
            }
        }

        /** True when the ref is gone (deleted now, or already). */
        private boolean deleteRef(String name) throws InterruptedException {
            try {
                Response response = send(holder, "DELETE", github.repoPath("/git/" + name), null, Map.of());
                return response.status() == 204 || response.status() == 422 || response.status() == 404;
            } catch (GitHubUnreachable e) {
                return false;
            }
        }

        /** A commit for ticket refs: $GITHUB_SHA, else the one the state recorded, else the default branch's. */
        private String commit() throws InterruptedException {
            if (sha == null) {
                String fromEnv = env.getOrDefault("GITHUB_SHA", "");
                sha = fromEnv.matches("[0-9a-f]{40}") ? fromEnv : shaFromState != null ? shaFromState : defaultBranchCommit();
            }
            return sha;
        }

        private String defaultBranchCommit() throws InterruptedException {
            shaLookedUp = true;
            Response repository = send(github, "GET", github.repoPath(""), null, Map.of());
            if (repository.status() != 200) {
                throw new GitHubException(github.refusal(repository, "read the repository", "contents: read"));
            }
            String branch = repository.json().path("default_branch").asText();
            Response ref = send(github, "GET", github.repoPath("/git/ref/heads/" + branch), null, Map.of());
            if (ref.status() != 200) {
                throw new GitHubException(github.refusal(ref, "read the default branch " + branch, "contents: read"));
            }
            return ref.json().path("object").path("sha").asText();
        }

        // -- requests

        /** A GET that repeats as a conditional request: a 304 answers from the cache and is not rate-limited. */
        private Response get(GitHub client, String path) throws InterruptedException {
            Cached cached = cache.get(path);
            Response response = send(client, "GET", path, null, cached == null ? Map.of() : Map.of("If-None-Match", cached.etag()));
            if (response.status() == 304 && cached != null) {
                return cached.response();
            }
            if (response.status() == 200) {
                response.header("etag").ifPresent(etag -> cache.put(path, new Cached(etag, response)));
            }
            return response;
        }

        /** The refs under refs/event-bus/dedupe/ (one request; GitHub does not paginate this list). */
        private Refs listRefs(GitHub client) throws InterruptedException {
            Response listed = get(client, github.repoPath("/git/matching-refs/" + TICKET_PREFIX.substring("refs/".length())));
            if (!listed.succeeded()) {
                throw new GitHubException(github.refusal(listed, "list the dedupe refs under " + TICKET_PREFIX, "contents: read"));
            }
            List<String> names = new ArrayList<>();
            for (JsonNode ref : listed.json()) {
                names.add(ref.path("ref").asText());
            }
            return refs = new Refs(names);
        }

        /** The state issue cannot be read: the store vanished, which is never answered with an empty one. */
        private GitHubException storeGone(int number, Response response) {
            String what = switch (response.status()) {
                case 410 -> "was deleted";
                case 301 -> "was moved (transferred to another repository)";
                default -> "is not there for this token (deleted or moved where it cannot see, or never opened)";
            };
            return new GitHubException("the dedupe store is gone: state issue #" + number + " ("
                    + (issueGiven ? "EVENT_BUS_STATE_ISSUE / --state-issue" : "named by the refs under " + TICKET_PREFIX + number + "/") + ") "
                    + what + " (" + response.status() + " " + response.message() + "), so its claims cannot be read and nothing was claimed. "
                    + "Restore the issue if you can; to start an empty store on purpose (events claimed within their TTL may then be "
                    + "processed again), delete the refs under " + TICKET_PREFIX + number + "/"
                    + (issueGiven ? ", or correct EVENT_BUS_STATE_ISSUE" : ""));
        }

        /** GitHub.exchange, counted and clocked; giving up after retries is GitHubUnreachable (--on-github-error decides). */
        private Response send(GitHub client, String method, String path, JsonNode body, Map<String, String> headers) throws InterruptedException {
            int before = client.requests();
            try {
                Response response = client.exchange(method, path, body, headers);
                gitHubTime = response.date().orElse(gitHubTime);
                if (response.status() == 304) {
                    notModified++;
                }
                if (options.verbose) {
                    err.println("dedupe: " + method + " " + path + " -> " + response.status());
                }
                return response;
            } catch (GitHubException e) {
                throw new GitHubUnreachable(e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                requests += client.requests() - before;
            }
        }
    }

    /**
     * What a subcommand acts on: an id, the event document for the log, how to name it (shown safely: a key
     * may carry values of an event), and who sent the event when it was delivered (for the log; else null).
     */
    record Claimed(UUID id, JsonNode document, String label, String sender) {
    }

    /** new, resume, duplicate (claim); released, not-claimed (release); the entry it concerns. */
    record Outcome(String verdict, Entry entry, int issue) {
    }

    /** What a planner wants: its result, and the entries to write (null: write nothing), keeping keep. */
    record Plan<T>(T result, List<Entry> entries, UUID keep) {
    }

    record Ticket(String name, List<String> abandoned, Instant at) {
    }

    record Cached(String etag, Response response) {
    }

    /** A question asked of GitHub while waiting for a ticket. */
    interface Condition {
        boolean test() throws InterruptedException;
    }

    /** The router run that holds a claim: $GITHUB_RUN_ID and $GITHUB_RUN_ATTEMPT (a re-run keeps the id, counts the attempt). */
    record Holder(long run, int attempt) {
        static Holder fromEnv(Map<String, String> env) {
            String run = env.getOrDefault("GITHUB_RUN_ID", "");
            String attempt = env.getOrDefault("GITHUB_RUN_ATTEMPT", "1");
            return run.matches("\\d{1,18}") ? new Holder(Long.parseLong(run), attempt.matches("\\d{1,6}") ? Integer.parseInt(attempt) : 1) : null;
        }

        @Override
        public String toString() {
            return "run " + run + " attempt " + attempt;
        }
    }

    // ---- the state comments: what they hold, how they read and how they are written -------

    static final String MARKER = "<!-- event-bus:dedupe v1 -->";
    static final String FENCE = "```dedupe";
    /** GitHub's limit for a comment body. */
    static final int MAX_COMMENT_CHARACTERS = 65_536;
    /**
     * The ids are spread over this many state comments, each written under its own ticket: about
     * 1,600 claims with their holders fit one comment, so the store holds about 13,000.
     */
    static final int SHARDS = 8;

    /** The comment an id's claim lives in: its first byte, which is random in v4 and v5 UUIDs alike. */
    static int shardOf(UUID id) {
        return (int) ((id.getMostSignificantBits() >>> 56) & 0xff) % SHARDS;
    }

    /** The state comments of the state issue, one snapshot per shard, and every comment of the issue by id. */
    record Shards(int issue, List<Snapshot> all, Map<Long, Comment> comments) {
        static Shards none() {
            return new Shards(0, IntStream.range(0, SHARDS).mapToObj(Snapshot::none).toList(), Map.of());
        }

        static Shards of(int issue, List<Comment> comments, Set<String> trusted) {
            // Each trusted comment parsed once: its state, or why not; null when it does not start with the marker.
            Map<Comment, Parsed> parsed = new LinkedHashMap<>();
            List<Comment> untrusted = new ArrayList<>();
            Map<Long, Comment> byId = new LinkedHashMap<>();
            for (Comment comment : comments) {
                byId.put(comment.id(), comment);
                if (!trusted.contains(comment.author().toLowerCase(Locale.ROOT))) {
                    if (comment.hasMarker()) {
                        untrusted.add(comment);
                    }
                    continue;
                }
                parsed.put(comment, comment.hasMarker() ? State.parse(comment.body()) : null);
            }
            Set<Long> replaced = parsed.values().stream().filter(p -> p != null && p.state() != null)
                    .flatMap(p -> p.state().replaced().stream()).collect(Collectors.toSet());
            return new Shards(issue, IntStream.range(0, SHARDS).mapToObj(shard -> Snapshot.of(issue, shard, parsed, untrusted, replaced)).toList(),
                    byId);
        }

        Snapshot shard(int shard) {
            return all.get(shard);
        }

        /** The comments that the state comments list as set aside. */
        Set<Long> replaced() {
            return all.stream().filter(s -> s.comment() != null).flatMap(s -> s.state().replaced().stream()).collect(Collectors.toSet());
        }

        /** No state comment at all, readable or not: the store's first write. */
        boolean isEmpty() {
            return all.stream().allMatch(s -> s.comment() == null && s.rejected().isEmpty());
        }

        List<Entry> entries() {
            return all.stream().flatMap(s -> s.state().entries().stream()).toList();
        }
    }

    /**
     * One shard's comments on the state issue, sorted out: the state, the ones set aside, the untrusted ones,
     * and (for a shard without a state) the trusted comments that belong to no shard one can read.
     */
    record Snapshot(int issue, int shard, Comment comment, State state, List<Rejected> rejected, List<Comment> untrusted,
            List<Comment> unknown, List<Entry> salvaged, List<Long> superseded) {
        static Snapshot none(int shard) {
            return new Snapshot(0, shard, null, State.empty(shard), List.of(), List.of(), List.of(), List.of(), List.of());
        }

        /**
         * The state of a shard is the oldest trusted marker comment of that shard that parses and that no
         * other such comment lists as replaced. Others of the shard are set aside: unparsable ones (edited)
         * and extra ones.
         */
        static Snapshot of(int issue, int shard, Map<Comment, Parsed> parsed, List<Comment> untrusted, Set<Long> replacedAnywhere) {
            Map<Comment, Parsed> candidates = new LinkedHashMap<>();
            parsed.forEach((comment, p) -> {
                if (p != null && p.shard() == shard) {
                    candidates.put(comment, p);
                }
            });
            Set<Long> replaced = candidates.values().stream().filter(p -> p.state() != null)
                    .flatMap(p -> p.state().replaced().stream()).collect(Collectors.toSet());
            Comment chosen = candidates.entrySet().stream()
                    .filter(c -> c.getValue().state() != null && !replaced.contains(c.getKey().id()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            State state = chosen == null ? State.empty(shard) : candidates.get(chosen).state();
            List<Rejected> rejected = new ArrayList<>();
            List<Entry> salvaged = List.of();
            for (var candidate : candidates.entrySet()) {
                Comment comment = candidate.getKey();
                if (comment.equals(chosen) || state.replaced().contains(comment.id())) {
                    continue;
                }
                Parsed p = candidate.getValue();
                rejected.add(new Rejected(comment, p.state() == null
                        ? "no longer parses (" + p.error() + ")" : "is a second state comment of its shard (the oldest one counts)"));
                if (chosen == null) {
                    salvaged = p.salvaged();
                }
            }
            // Trusted comments that are no state and name no shard (a person rewrote one, marker and all; or some
            // other bot's comment): only the refs can tell whose they were (see Store.creation). They change the
            // name of the ticket that creates this shard's comment, so that it never repeats an earlier one.
            List<Comment> unknown = chosen != null ? List.of() : parsed.entrySet().stream()
                    .filter(e -> (e.getValue() == null || (e.getValue().state() == null && e.getValue().shard() < 0))
                            && !replacedAnywhere.contains(e.getKey().id()))
                    .map(Map.Entry::getKey).toList();
            // The next version lists every other trusted marker comment, so they are reported once, not on every run.
            List<Long> superseded = candidates.keySet().stream().filter(c -> !c.equals(chosen)).map(Comment::id).sorted().toList();
            return new Snapshot(issue, shard, chosen, state, rejected, untrusted, unknown, salvaged, superseded);
        }

        /** This snapshot with what a creation found: comments set aside, and the entries they still hold. */
        Snapshot with(Creation creation) {
            return new Snapshot(issue, shard, comment, state, rejected, untrusted, unknown,
                    Stream.concat(salvaged.stream(), creation.salvaged().stream()).toList(),
                    Stream.concat(superseded.stream(), creation.setAside().stream()).distinct().sorted().toList());
        }

        /**
         * Changes whenever another run writes this shard, and whenever a person edits its comment: the
         * comment, its version, GitHub's updated_at, its text. The ticket name is a function of it.
         */
        String fingerprint() {
            return comment == null ? "none " + setAsideKey()
                    : comment.id() + " " + state.version() + " " + comment.updatedAt() + " " + comment.body().hashCode();
        }

        /** The comments a new state comment of this shard would follow, each with its updated_at and text. */
        private String setAsideKey() {
            return Stream.concat(rejected.stream().map(Rejected::comment), unknown.stream())
                    .map(c -> c.id() + "@" + c.updatedAt() + ":" + c.body().hashCode()).sorted().collect(Collectors.joining(","));
        }

        /**
         * The write ticket for the version after this one: named by the comment, its version and GitHub's
         * updated_at (which a person's edit moves forward), or, for a shard without a readable comment, by
         * a digest of the unreadable comments it would follow (a person's edit makes one more, or changes
         * one's updated_at). So a ticket taken after a person edited the state never repeats the last
         * write's ticket, which stays at rest: nobody waits for a lease that no one holds.
         */
        String ticketName() {
            String prefix = TICKET_PREFIX + issue + "/";
            if (comment != null) {
                return prefix + comment.id() + "-" + state.version() + "-" + Long.toString(comment.updatedAt(), 36);
            }
            String key = setAsideKey();
            return prefix + "new-" + shard + "-" + (key.isEmpty() ? "0" : digest(key));
        }

        /** The live claim of id, if any; entries salvaged from an unreadable comment count as claims. */
        Entry live(UUID id, Instant now) {
            return entriesForWrite(now).stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
        }

        /** What the next write starts from: the live entries (and those salvaged from an unreadable comment). */
        List<Entry> entriesForWrite(Instant now) {
            return Stream.concat(state.entries().stream(), salvaged.stream()).filter(e -> e.liveAt(now)).toList();
        }

        /** The live entries with entry in place of any other of its id. */
        List<Entry> entriesWith(Entry entry, Instant now) {
            return Stream.concat(entriesForWrite(now).stream().filter(e -> !e.id().equals(entry.id())), Stream.of(entry)).toList();
        }
    }

    /** The first 12 hexadecimal digits of the SHA-256 of text: short enough for a ref name, long enough never to repeat. */
    static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record Rejected(Comment comment, String reason) {
    }

    /** A comment as listed: updatedAt is GitHub's updated_at in epoch seconds (0 when absent). */
    record Comment(long id, String url, String author, String body, long updatedAt) {
        static Comment of(JsonNode json) {
            long updated;
            try {
                updated = Instant.parse(json.path("updated_at").asText()).getEpochSecond();
            } catch (DateTimeParseException e) {
                updated = 0;
            }
            return new Comment(json.path("id").asLong(), json.path("html_url").asText(), json.path("user").path("login").asText(""),
                    json.path("body").asText(""), updated);
        }

        boolean hasMarker() {
            return body.lines().findFirst().map(String::strip).filter(MARKER::equals).isPresent();
        }
    }

    /** What creating a shard's comment takes over: comments set aside, the entries they still hold, refs to delete. */
    record Creation(List<Long> setAside, List<Entry> salvaged, List<String> cleanup) {
    }

    /** One ref under an issue that names a state comment: whether it is the comment's anchor, and its shard (-1: unknown). */
    record RefName(String name, long comment, int shard, boolean anchor) {
    }

    /**
     * The refs under refs/event-bus/dedupe/, as listed, and what they say. Under {@code <issue>/}:
     * {@code store} (the store was opened on that issue), {@code shard-<s>-<comment>} (a state comment of
     * shard s was created), {@code <comment>-<version>-<updated_at>} (a write ticket: a version of that
     * comment), {@code new-<s>-<digest>} (the ticket that creates shard s's comment); refs written by
     * earlier versions of this script ({@code <comment>-<version>}, {@code new-<s>}, {@code replace-<s>-<comment>})
     * read the same way. (Earlier versions also took their opening lock, {@code state-issue}, here; it names no issue.)
     * Only a token with contents: write can create or delete any of them.
     */
    record Refs(List<String> names) {
        private static final Pattern UNDER_ISSUE = Pattern.compile("^" + Pattern.quote(TICKET_PREFIX) + "([1-9]\\d{0,8})/(.+)$");
        private static final Pattern ANCHOR = Pattern.compile("^shard-(\\d{1,3})-(\\d{1,19})$");
        private static final Pattern TICKET = Pattern.compile("^(\\d{1,19})-\\d.*$");
        private static final Pattern REPLACE = Pattern.compile("^replace-(\\d{1,3})-(\\d{1,19})(?:\\..*)?$");

        /** The issues the refs name, in ascending order. */
        List<Integer> issues() {
            return names.stream().map(UNDER_ISSUE::matcher).filter(Matcher::matches).map(m -> Integer.valueOf(m.group(1)))
                    .distinct().sorted().toList();
        }

        List<String> of(int issue) {
            return names.stream().filter(n -> n.startsWith(TICKET_PREFIX + issue + "/")).toList();
        }

        /** The comments the refs of issue name, each with those refs. */
        Map<Long, List<RefName>> comments(int issue) {
            Map<Long, List<RefName>> named = new LinkedHashMap<>();
            for (String name : of(issue)) {
                String rest = name.substring((TICKET_PREFIX + issue + "/").length());
                Matcher anchor = ANCHOR.matcher(rest);
                Matcher ticket = TICKET.matcher(rest);
                Matcher replace = REPLACE.matcher(rest);
                RefName ref = anchor.matches() ? new RefName(name, Long.parseLong(anchor.group(2)), Integer.parseInt(anchor.group(1)), true)
                        : ticket.matches() ? new RefName(name, Long.parseLong(ticket.group(1)), -1, false)
                        : replace.matches() ? new RefName(name, Long.parseLong(replace.group(2)), Integer.parseInt(replace.group(1)), false)
                        : null;
                if (ref != null) {
                    named.computeIfAbsent(ref.comment(), k -> new ArrayList<>()).add(ref);
                }
            }
            return named;
        }

        Refs with(String name) {
            return new Refs(Stream.concat(names.stream(), Stream.of(name)).distinct().toList());
        }
    }

    /**
     * One claim: the id, when it expires (epoch seconds) and its TTL (seconds); the run holding it; whether
     * that run released it after a failure, and the targets already dispatched for it.
     */
    record Entry(UUID id, long expires, long ttl, Holder holder, boolean released, List<String> dispatched) {
        /** The order of the comment and of show: soonest expiry first. */
        static final Comparator<Entry> BY_EXPIRY = Comparator.comparingLong(Entry::expires).thenComparing(Entry::id);

        Entry(UUID id, long expires, long ttl) {
            this(id, expires, ttl, null, false, List.of());
        }

        boolean liveAt(Instant now) {
            return expiresAt().isAfter(now);
        }

        Instant expiresAt() {
            return Instant.ofEpochSecond(expires);
        }

        Instant claimedAt() {
            return Instant.ofEpochSecond(expires - ttl);
        }

        /** A released claim passes to whoever claims it; a held one only to a later attempt of its own run. */
        boolean resumableBy(Holder run) {
            return released || (run != null && holder != null && run.run() == holder.run() && run.attempt() > holder.attempt());
        }
    }

    /** A comment as read: its state, or why not and the entries that could still be read; its shard either way. */
    record Parsed(State state, String error, List<Entry> salvaged, int shard) {
    }

    record Rendered(String text, List<Entry> evicted) {
    }

    /**
     * The machine-readable part of a comment, a fenced block after a short header for people:
     *
     * <pre>
     * ```dedupe
     * version 57                      the write counter; the write ticket names it
     * shard 3/8                       which ids live here: the first byte of the id, modulo 8
     * base 1764219600                 epoch seconds that expiry offsets count from
     * ttl 3600 86400                  the TTLs in use, in seconds; the first is the usual one
     * sha 0123...                     the commit that write-ticket refs point at
     * tickets refs/event-bus/...      ticket refs the next write deletes
     * replaced 3100000001             comments set aside (unparsable or extra)
     * P8pVDo0bTB6aVyt9nw5qEQ 2s0      an entry: the id (16 bytes, base64url), its expiry minus base in
     * jKq0l1mBQeWb5qYx0cNw8A 1uo0 1 @93b5k8x.2 ! >ci.yml   base 36, its TTL's index if not 0, then optionally
     * ```                             its holder (@run.attempt, base 36), ! if released, > the targets dispatched
     * </pre>
     *
     * An entry takes 27 to 45 characters, so the 65,536-character comment holds about 1,600 of them.
     */
    record State(int shard, int version, List<Entry> entries, List<String> tickets, List<Long> replaced, String sha) {
        private static final Pattern ENTRY = Pattern.compile("^([A-Za-z0-9_-]{22}) ([0-9a-z]{1,12})(?: ([0-9a-z]{1,3}))?"
                + "(?: @([0-9a-z]{1,13})\\.([0-9a-z]{1,4}))?( !)?(?: >([A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*))?$");
        private static final Pattern SHARD = Pattern.compile("(?m)^shard (\\d{1,3})/(\\d{1,3})$");

        static State empty(int shard) {
            return new State(shard, 0, List.of(), List.of(), List.of(), null);
        }

        static Parsed parse(String body) {
            // The shard is read first and on its own, so an unparsable comment still belongs to one (-1: none can be read).
            Matcher shardLine = SHARD.matcher(body.replace("\r", ""));
            int shard = shardLine.find() && Integer.parseInt(shardLine.group(2)) == SHARDS ? Integer.parseInt(shardLine.group(1)) % SHARDS : -1;
            List<String> lines = body.lines().map(String::strip).toList();
            int start = lines.indexOf(FENCE);
            if (start < 0) {
                return new Parsed(null, "no " + FENCE + " block", List.of(), shard);
            }
            Integer version = null;
            Long base = null;
            List<Long> ttls = null;
            String sha = null;
            List<String> tickets = List.of();
            List<Long> replaced = List.of();
            List<String> errors = new ArrayList<>();
            Map<Integer, Matcher> rawEntries = new LinkedHashMap<>(); // by line number
            boolean closed = false;
            for (int i = start + 1; i < lines.size() && !closed; i++) {
                String line = lines.get(i);
                String value = line.contains(" ") ? line.substring(line.indexOf(' ') + 1).strip() : "";
                Matcher entry = ENTRY.matcher(line);
                try {
                    if (line.equals("```")) {
                        closed = true;
                    } else if (entry.matches()) {
                        rawEntries.put(i + 1, entry);
                    } else if (line.startsWith("version ") && value.matches("[1-9]\\d{0,8}")) {
                        version = Integer.valueOf(value);
                    } else if (line.startsWith("shard ") && value.matches("\\d{1,3}/\\d{1,3}")) {
                        continue; // read above
                    } else if (line.startsWith("base ") && value.matches("\\d{1,12}")) {
                        base = Long.valueOf(value);
                    } else if (line.startsWith("ttl ") && value.matches("[1-9]\\d{0,7}( [1-9]\\d{0,7})*")) {
                        ttls = Stream.of(value.split(" ")).map(Long::valueOf).toList();
                    } else if (line.startsWith("sha ") && value.matches("[0-9a-f]{40}")) {
                        sha = value;
                    } else if (line.startsWith("tickets ") && value.matches("refs/\\S+( refs/\\S+)*")) {
                        tickets = List.of(value.split(" "));
                    } else if (line.startsWith("replaced ") && value.matches("\\d{1,19}( \\d{1,19})*")) {
                        replaced = Stream.of(value.split(" ")).map(Long::valueOf).toList();
                    } else {
                        errors.add("line " + (i + 1) + ": '" + (line.length() <= 40 ? line : line.substring(0, 37) + "...")
                                + "' is neither a setting nor an entry");
                    }
                } catch (NumberFormatException e) {
                    errors.add("line " + (i + 1) + ": number out of range");
                }
            }
            if (!closed) {
                errors.add("the " + FENCE + " block is not closed");
            }
            if (version == null || base == null || ttls == null) {
                errors.add("missing " + Stream.of(version == null ? "version" : null, base == null ? "base" : null, ttls == null ? "ttl" : null)
                        .filter(s -> s != null).collect(Collectors.joining(", ")));
            }
            List<Entry> entries = new ArrayList<>();
            if (base != null && ttls != null) {
                for (var raw : rawEntries.entrySet()) {
                    Matcher m = raw.getValue();
                    int ttlIndex = m.group(3) == null ? 0 : Integer.parseInt(m.group(3), 36);
                    if (ttlIndex >= ttls.size()) {
                        errors.add("line " + raw.getKey() + ": no ttl number " + ttlIndex);
                        continue;
                    }
                    Holder holder;
                    try {
                        // A run id's 13 base-36 digits can say more than a long holds: a comment edited by hand.
                        holder = m.group(4) == null ? null : new Holder(Long.parseLong(m.group(4), 36), Integer.parseInt(m.group(5), 36));
                    } catch (NumberFormatException e) {
                        errors.add("line " + raw.getKey() + ": number out of range");
                        continue;
                    }
                    List<String> dispatched = m.group(7) == null ? List.of() : List.of(m.group(7).split(","));
                    entries.add(new Entry(expand(m.group(1)), base + Long.parseLong(m.group(2), 36), ttls.get(ttlIndex), holder,
                            m.group(6) != null, dispatched));
                }
            }
            if (!errors.isEmpty()) {
                return new Parsed(null, errors.get(0) + (errors.size() > 1 ? " and " + (errors.size() - 1) + " more problems" : ""), entries, shard);
            }
            // A state without a shard line (written before the store had shards) is shard 0's.
            return new Parsed(new State(Math.max(shard, 0), version, entries, tickets, replaced, sha), null, List.of(), Math.max(shard, 0));
        }

        /**
         * The whole comment. When it would pass GitHub's limit, the entries that expire soonest are
         * evicted (never keep, the claim being written) until it fits: a full cache forgets its oldest
         * claims rather than fail the write.
         */
        Rendered render(UUID keep, Instant now) {
            List<Entry> sorted = entries.stream().sorted(Entry.BY_EXPIRY).toList();
            String text = text(sorted, now);
            List<Entry> evictable = sorted.stream().filter(e -> !e.id().equals(keep)).toList();
            List<Entry> kept = sorted.stream().filter(e -> e.id().equals(keep)).toList();
            if (text.length() <= MAX_COMMENT_CHARACTERS || evictable.isEmpty()) {
                return new Rendered(text, List.of());
            }
            int low = 1;
            int high = evictable.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (text(without(evictable, middle, kept), now).length() <= MAX_COMMENT_CHARACTERS) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            return new Rendered(text(without(evictable, low, kept), now), evictable.subList(0, low));
        }

        private static List<Entry> without(List<Entry> evictable, int evicted, List<Entry> kept) {
            return Stream.concat(evictable.subList(evicted, evictable.size()).stream(), kept.stream()).sorted(Entry.BY_EXPIRY).toList();
        }

        private String text(List<Entry> sorted, Instant now) {
            // TTLs by how many entries use them: the commonest is index 0 and needs no column.
            List<Long> ttls = sorted.stream().collect(Collectors.groupingBy(Entry::ttl, Collectors.counting()))
                    .entrySet().stream().sorted(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .map(Map.Entry::getKey).toList();
            if (ttls.isEmpty()) {
                ttls = List.of(3_600L);
            }
            long base = sorted.isEmpty() ? now.getEpochSecond() : sorted.get(0).expires();
            StringBuilder text = new StringBuilder(MARKER).append('\n')
                    .append("### event-bus dedupe state (").append(shard + 1).append(" of ").append(SHARDS).append(")\n\n")
                    .append("Event ids that `dedupe.java` (event-bus) has claimed, each kept until its TTL runs out, so that an event ")
                    .append("delivered twice is processed once. **Do not edit:** a comment that no longer parses is set aside and ")
                    .append("replaced. `dedupe show` lists the entries.\n\n")
                    .append(summary(sorted, now)).append("\n\n")
                    .append(FENCE).append('\n')
                    .append("version ").append(version).append('\n')
                    .append("shard ").append(shard).append('/').append(SHARDS).append('\n')
                    .append("base ").append(base).append('\n')
                    .append("ttl ").append(ttls.stream().map(String::valueOf).collect(Collectors.joining(" "))).append('\n');
            if (sha != null) {
                text.append("sha ").append(sha).append('\n');
            }
            if (!tickets.isEmpty()) {
                text.append("tickets ").append(String.join(" ", tickets)).append('\n');
            }
            if (!replaced.isEmpty()) {
                text.append("replaced ").append(replaced.stream().map(String::valueOf).collect(Collectors.joining(" "))).append('\n');
            }
            for (Entry entry : sorted) {
                text.append(compact(entry.id())).append(' ').append(Long.toString(entry.expires() - base, 36));
                int ttlIndex = ttls.indexOf(entry.ttl());
                if (ttlIndex > 0 || entry.holder() != null || entry.released() || !entry.dispatched().isEmpty()) {
                    text.append(' ').append(Integer.toString(ttlIndex, 36));
                }
                if (entry.holder() != null) {
                    text.append(" @").append(Long.toString(entry.holder().run(), 36)).append('.').append(Integer.toString(entry.holder().attempt(), 36));
                }
                if (entry.released()) {
                    text.append(" !");
                }
                if (!entry.dispatched().isEmpty()) {
                    text.append(" >").append(String.join(",", entry.dispatched()));
                }
                text.append('\n');
            }
            return text.append("```\n").toString();
        }

        private String summary(List<Entry> sorted, Instant now) {
            // Rounded up like the claims' times, which are their expiry minus their TTL.
            Instant rounded = now.getNano() == 0 ? now : now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            String written = "Version " + version + ", written " + rounded + ".";
            if (sorted.isEmpty()) {
                return "**No entries.** " + written;
            }
            Instant oldest = sorted.stream().map(Entry::claimedAt).min(Comparator.naturalOrder()).orElseThrow();
            Instant newest = sorted.stream().map(Entry::claimedAt).max(Comparator.naturalOrder()).orElseThrow();
            long released = sorted.stream().filter(Entry::released).count();
            return "**" + sorted.size() + (sorted.size() == 1 ? " entry**" : " entries**") + (released > 0 ? " (" + released + " released)" : "")
                    + ": oldest claimed " + oldest + ", newest claimed " + newest + ", next expiry " + sorted.get(0).expiresAt() + ". " + written;
        }
    }

    /** 16 bytes in 22 characters: the compact form of an id in the comment. */
    static String compact(UUID id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(toBytes(id));
    }

    static UUID expand(String compact) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getUrlDecoder().decode(compact));
        return new UUID(bytes.getLong(), bytes.getLong());
    }

    /**
     * GitHub could not be reached after retries (as opposed to refusing): the one failure that
     * claim --on-github-error may answer with new instead of failing.
     */
    static final class GitHubUnreachable extends Failure {
        GitHubUnreachable(String message) {
            super(message);
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
    // Left out of this copy, as dedupe.java does not use them: Actions.appendSummary(), Actions.cell(),
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
    // ---- end of shared block Actions, generated text sha256:8d18b297e59e ----

    // ---- shared block Json: generated from shared/Json.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // JSON as every script reads it: strict (a duplicate key or trailing text is an error, never a
    // silent choice), decimals kept exact; and the contract's formats for times and ids.
    // Left out of this copy, as dedupe.java does not use them: EVENT_TYPE.

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
    // ---- end of shared block Json, generated text sha256:0c2b3bbd4ebb ----

    // ---- shared block Source: generated from shared/Source.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Reading a named input: a file, or stdin (named <stdin>), as UTF-8 and nothing else. Bytes that
    // are not UTF-8 are refused, never replaced (a replaced byte would change an event's payload
    // silently), and a file that cannot be read says why in words.
    // Left out of this copy, as dedupe.java does not use them: Source.stdin().

    record Source(String name, String text) {
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
    // ---- end of shared block Source, generated text sha256:0adf420fb646 ----

    // ---- shared block EventInput: generated from shared/EventInput.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // Events as the scripts read them: an event document {"event_type", "client_payload"}, the
    // repository_dispatch webhook payload GitHub delivers ({"action", "client_payload", ...}), or
    // JSON Lines of either.
    // Left out of this copy, as dedupe.java does not use them: EventInput.logged().

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
    // ---- end of shared block EventInput, generated text sha256:377252fe1215 ----

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
    // Left out of this copy, as dedupe.java does not use them: Senders.

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
    // ---- end of shared block Senders, generated text sha256:6478050ce58a ----

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

    // ---- shared block History: generated from shared/History.java by ./jbang tests/support/SharedBlocks.java; edit the source, not this copy ----
    // The event history: event log records kept on GitHub across runs, one file per record on a branch
    // of their own (event-bus-history), each written with one request of the contents API, which creates
    // a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
    // script touches the history. A record that cannot be appended stays in the event log, with a warning.

    static final class History {
        static final String BRANCH = "event-bus-history";
        /** Commits to one branch made at the same moment can conflict (409): each is tried this often. */
        private static final int ATTEMPTS = 6;

        /** A record file in the zipball of the branch: events/DAY/NAME.json under the archive's top folder (owner-repo-sha/). */
        static final Pattern FILE = Pattern.compile("^[^/]+/(events/(\\d{4}-\\d{2}-\\d{2})/[^/]+\\.json)$");
        /** The statuses that say an event handled its item: routed (the router started its consumers), acted (a consumer said what it did). */
        static final Set<String> HANDLED = Set.of("routed", "acted");

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
         * The latest record of the archive saying that the event was handled (status routed or acted), or null.
         * A record's file name carries its event id (pathOf), so only the files named after the id are read; the
         * record itself must then say the id and the status. An unreadable file is skipped.
         */
        static JsonNode handled(Archive archive, UUID id) throws IOException {
            String named = "-" + id + "-";
            JsonNode[] latest = {null};
            archive.files((path, day, content) -> {
                if (!path.contains(named)) {
                    return;
                }
                JsonNode record;
                try {
                    record = JSON.readTree(content.readAllBytes());
                } catch (JsonProcessingException e) {
                    return;
                }
                if (record != null && record.isObject() && id.toString().equals(record.path("event_id").asText())
                        && HANDLED.contains(record.path("status").asText())) {
                    Instant at = recordedAt(record);
                    if (latest[0] == null || at != null && (recordedAt(latest[0]) == null || at.isAfter(recordedAt(latest[0])))) {
                        latest[0] = record;
                    }
                }
            });
            return latest[0];
        }

        /** When a record was written: its received_at, or acted_at for a consumer's outcome (status acted); null when neither is a time. */
        static Instant recordedAt(JsonNode record) {
            try {
                return Instant.parse(record.path(record.hasNonNull("received_at") ? "received_at" : "acted_at").asText());
            } catch (DateTimeParseException e) {
                return null;
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
    // ---- end of shared block History, generated text sha256:8bae73648f3e ----
}
