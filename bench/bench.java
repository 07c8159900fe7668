///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Benchmark event-bus on this machine against the GitHub emulator (tests/support/GitHubEmulator.java, run in this process):
//DESCRIPTION emit and the router's steps beside node and curl (the wrapper's fast path and its launcher path), API requests
//DESCRIPTION per operation, the event history, merge latency and outcomes (the RFC's acceptance), validate beside ajv-cli,
//DESCRIPTION the dedupe store's capacity, cold starts. Needs Java 17+, Maven, curl, Node.js 18+ with npm, GNU time.
//DESCRIPTION The full run, on a quiet machine: ./jbang bench/bench.java   Does it work: ./jbang bench/bench.java --smoke
//DESCRIPTION docs/benchmark.md says what each section measures and how.
//JAVA 17+
//DEPS com.fasterxml.jackson:jackson-bom:2.20.1@pom
//DEPS org.wiremock:wiremock:3.13.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17
//SOURCES ../tests/support/GitHubEmulator.java Report.java
//FILES github/=../tests/github/**

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.time.*;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.*;
import java.util.regex.*;
import java.util.stream.*;
import java.util.zip.*;
import picocli.CommandLine;
import picocli.CommandLine.*;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true, version = "bench 3.0",
        description = {"Measures event-bus on this machine and writes bench/results.json and bench/results.md.",
            "Every figure is the median of repeated runs; each run starts when the CPUs are idle."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:measured", "1:a measurement failed (the other sections are measured and written)", "2:invalid usage"})
class bench implements Callable<Integer> {

    /**
     * The parts of the benchmark, in the order they run and appear in results.md. Each measures into its
     * own object of results.json and renders only that object, so --only can measure some again and keep
     * the others. A new measurement is one more entry here (and a paragraph in docs/benchmark.md).
     */
    static final List<Section> SECTIONS = List.of(
            new Section("fastpath", "emit and the router's steps, warm: the fast path beside the launcher path, node and curl",
                    bench::measureFastPath, Report::renderFastPath),
            new Section("requests", "API requests per operation", bench::measureRequests, Report::renderRequests),
            new Section("history", "The event history", bench::measureHistory, Report::renderHistory),
            new Section("acceptance", "The RFC's acceptance: merge latency and outcomes", bench::measureAcceptance, Report::renderAcceptance),
            new Section("throughput", "validate throughput beside ajv-cli", bench::measureThroughput, Report::renderThroughput),
            new Section("capacity", "dedupe store capacity", bench::measureCapacity, Report::renderCapacity),
            new Section("cold", "Cold start", bench::measureCold, Report::renderCold));

    record Section(String name, String title, Measurement measure, BiConsumer<JsonNode, StringBuilder> render) {
    }

    interface Measurement {
        ObjectNode run(bench bench) throws Exception;
    }

    static final class SectionNames extends ArrayList<String> {
        SectionNames() {
            super(SECTIONS.stream().map(Section::name).toList());
        }
    }

    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String TOKEN = GitHubEmulator.DEFAULT_TOKEN;
    static final String PAYLOAD = "{\"pr\":456,\"checks_status\":\"green\"}";
    static final String EMIT_COMMAND = "./jbang emit.java rfc.pr.ready --payload '" + PAYLOAD + "'";
    static final String ROUTED_EVENT = "rfc.pr.ready, one route (merge-orchestrator.yml)";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper COMPACT = new ObjectMapper(); // one document a line, as the scripts write logs and history files
    static final ObjectMapper YAML = new YAMLMapper();
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    static final int WEEK_DAYS = 7;

    @Option(names = "--runs", defaultValue = "7", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--throughput-runs", defaultValue = "3",
            description = "runs per figure of the long reads: validate on the event log, a week of records, merge latency (default: ${DEFAULT-VALUE})")
    int throughputRuns;
    @Option(names = "--cold-runs", defaultValue = "3", description = "runs per cold start with a filled ~/.m2 (default: ${DEFAULT-VALUE})")
    int coldRuns;
    @Option(names = "--lines", defaultValue = "100000", description = "lines of the generated event log (default: ${DEFAULT-VALUE})")
    int lines;
    @Option(names = "--week-events", defaultValue = "7000",
            description = "router runs, one event each, in the week that history and acceptance read (default: ${DEFAULT-VALUE})")
    int weekEvents;
    @Option(names = "--merged-prs", defaultValue = "500", description = "merged pull requests for merge-latency (default: ${DEFAULT-VALUE})")
    int mergedPrs;
    @Option(names = "--only", split = ",", paramLabel = "SECTION", completionCandidates = SectionNames.class,
            description = "measure only these sections and keep the others from the previous results.json: ${COMPLETION-CANDIDATES}")
    List<String> only;
    @Option(names = "--skip-first-ever", description = "skip the cold start with an empty Maven repository (downloads from Maven Central)")
    boolean skipFirstEver;
    @Option(names = "--render", description = "measure nothing: write results.md again from results.json")
    boolean render;
    @Option(names = "--smoke", description = "check that the benchmark works, in minutes: one run each, small sizes, no waiting for idle "
            + "CPUs, no first run ever (overriding --runs, --throughput-runs, --cold-runs, --lines, --week-events, --merged-prs); "
            + "writes bench/work/smoke/results.json and .md, never bench/results.*")
    boolean smoke;
    @Option(names = "--quiet-below", defaultValue = "25",
            description = "start a run only when the CPUs are less busy than this percentage (default: ${DEFAULT-VALUE})")
    double quietBelow;
    @Option(names = "--quiet-timeout", defaultValue = "60",
            description = "seconds to wait for idle CPUs before a run starts anyway (default: ${DEFAULT-VALUE})")
    int quietTimeout;
    @Option(names = "--aot-jdk", paramLabel = "JAVA_HOME", description = "a JDK 25+ for the AOT cache figures (default: the first under /usr/lib/jvm)")
    Path aotJdk;
    @Spec
    CommandSpec spec;

    Path root;
    Path work;
    Path logs;
    Path jbangDir;
    String dedupeTtl;
    GitHubEmulator github;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final Random random = new Random(20261127L);

    public static void main(String... args) {
        System.exit(new CommandLine(new bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = new SectionNames();
        if (only != null && !names.containsAll(only)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown section in " + only + ", expected some of " + names);
        }
        root = findCheckout();
        work = root.resolve("bench/work");
        logs = work.resolve("logs");
        jbangDir = work.resolve("jbang-home");
        if (smoke) {
            runs = throughputRuns = coldRuns = 1;
            lines = 1000;
            weekEvents = 70;
            mergedPrs = 20;
            skipFirstEver = true;
            quietTimeout = 0;
        }
        Path out = smoke ? work.resolve("smoke") : root.resolve("bench");
        Path jsonFile = out.resolve("results.json");
        // A full run starts afresh, so nothing of an older run survives unnoticed; --only and --render keep the rest.
        ObjectNode results = (render || only != null) && Files.exists(jsonFile) ? (ObjectNode) JSON.readTree(jsonFile.toFile()) : JSON.createObjectNode();
        boolean failed = false;
        if (!render) {
            Files.createDirectories(out);
            failed = measure(SECTIONS.stream().filter(s -> only == null || only.contains(s.name())).toList(), results);
            JSON.writeValue(jsonFile.toFile(), results);
        }
        Files.writeString(out.resolve("results.md"), Report.markdown(results));
        say((render ? "wrote results.md from results.json in " : "wrote results.json and results.md in ") + root.relativize(out));
        return failed ? 1 : 0;
    }

    /** Measures the sections given into results; true when one failed (its previous figures, if any, are kept). */
    boolean measure(List<Section> selected, ObjectNode results) throws Exception {
        Files.createDirectories(logs);
        dedupeTtl = YAML.readTree(root.resolve("workflows/event-router.yml").toFile()).path("env").path("DEDUPE_TTL").asText("60m");
        results.put("generated_at", now()).put("quiet_below_percent", quietBelow);
        results.set("machine", machine());
        results.set("load_before", load());
        deleteTree(work.resolve("events")); // event files the emulator delivered in earlier runs
        boolean failed = false;
        github = GitHubEmulator.start(0);
        try {
            github.setEventsDir(work.resolve("events"));
            resetEmulator();
            warmUp("warmup", Map.of(), 2);
            for (Section section : selected) {
                resetEmulator(); // each section starts from an empty repository: no dedupe store, no history, an empty journal
                ObjectNode entry = JSON.createObjectNode().put("measured_at", now());
                try {
                    results.set(section.name(), entry.setAll(section.measure().run(this)));
                } catch (Exception e) {
                    failed = true;
                    say(section.name() + " failed: " + e.getMessage() + " (every process's output is in bench/work/logs/)");
                    if (!results.has(section.name())) {
                        results.set(section.name(), entry.put("failed", String.valueOf(e.getMessage())));
                    }
                }
            }
        } finally {
            github.close();
        }
        results.set("load_after", load());
        return failed;
    }

    /** Each script `times` times before anything is measured: a first run compiles it and records its archive or AOT training data. */
    void warmUp(String label, Map<String, String> extra, int times) throws Exception {
        say(label + ": each script " + times + " times" + (extra.isEmpty() ? "" : " with " + extra));
        for (int i = 0; i < times; i++) {
            run(label + "-emit", emitCommand(), with(emitEnv(), extra), root);
            Map<String, String> env = with(routerEnv(dispatch(), label), extra);
            for (List<String> step : List.of(jbang("validate.java"), claim(), jbang("route.java"), jbang("events.java", "stats"))) {
                run(label + "-" + Path.of(step.get(1)).getFileName(), step, env, workspace());
            }
            awaitAotCaches(jbangDir); // on JDK 25 the cache is created in the background after the run
        }
    }

    // ---- emit and the router's steps, warm: the fast path, the launcher path, node and curl --------

    /**
     * Warm emit, the router's three steps and cold emit, each way (docs/wrapper.md: the fast path, JBang's
     * launcher path) on JDK 17 (AppCDS) and a JDK 25+ (the AOT cache) if there is one, beside curl and node
     * sending the same dispatch, all interleaved.
     */
    ObjectNode measureFastPath() throws Exception {
        Path jdk25 = aotJdk != null ? aotJdk : findJdk25();
        ObjectNode section = JSON.createObjectNode().put("command", EMIT_COMMAND).put("jdk17", firstLine(List.of(javaExecutable(), "-version")));
        Map<String, Map<String, String>> ways = new LinkedHashMap<>(); // what each way sets in the environment
        ways.put("fast_jdk17", Map.of());
        if (jdk25 != null) {
            section.put("jdk25", firstLine(List.of(jdk25.resolve("bin/java").toString(), "-version")));
            warmUp("warmup25", Map.of("JAVA_HOME", jdk25.toString()), 3);
            ways.put("fast_jdk25", Map.of("JAVA_HOME", jdk25.toString()));
        }
        ways.put("launcher_jdk17", Map.of("JBANG_WRAPPER_FAST", "false"));
        if (jdk25 != null) {
            ways.put("launcher_jdk25", Map.of("JAVA_HOME", jdk25.toString(), "JBANG_WRAPPER_FAST", "false"));
        }
        say("fastpath: warm emit each way, curl and node, " + runs + " runs each, interleaved");
        Map<String, CommandForRun> tools = new LinkedHashMap<>();
        ways.keySet().forEach(way -> tools.put(way, i -> emitCommand()));
        tools.put("curl", i -> List.of("curl", "-sS", "-f", "-o", "/dev/null", "-X", "POST", "-H", "Accept: application/vnd.github+json",
                "-H", "Authorization: Bearer " + TOKEN, "-H", "X-GitHub-Api-Version: 2022-11-28", "-H", "Content-Type: application/json",
                "--data-binary", "@" + dispatchBody("curl-" + i), github.url() + "/repos/" + REPO + "/dispatches"));
        tools.put("node", i -> List.of("node", root.resolve("bench/dispatch.mjs").toString(), dispatchBody("node-" + i).toString()));
        ObjectNode emits = section.putObject("emit");
        interleaved(tools, name -> with(emitEnv(), ways.getOrDefault(name, Map.of()))).forEach((tool, rs) -> emits.set(tool, summary(rs)));
        List<Double> floor = new ArrayList<>(); // what starting a process under GNU time costs the harness itself
        for (int i = 0; i < runs; i++) {
            floor.add(exec("floor", List.of("/bin/true"), baseEnv(), root, true, 10).wallMs());
        }
        section.put("process_floor_ms", round(median(floor), 1));

        say("fastpath: the router's three steps on a fresh event, each way, " + runs + " runs, interleaved");
        ObjectNode router = section.putObject("router");
        routerSteps("fast", ways).forEach((way, events) -> router.set(way, stepsJson(events)));

        say("fastpath: cold emit, the script cache empty, each way (" + coldRuns + " runs each)");
        Map<String, List<Result>> cold = new LinkedHashMap<>();
        rotating(List.copyOf(ways.keySet()), coldRuns, (i, way) -> {
            Path home = freshHome(work.resolve("cold-fast/" + way + "-" + i));
            Result r = coldEmit("fast-cold-" + way + "-" + i, with(ways.get(way), Map.of("JBANG_DIR", home.toString())), 900);
            cold.computeIfAbsent(way, k -> new ArrayList<>()).add(r);
            awaitAotCaches(home); // an AOT cache created in the background must not slow the next run
            return r.wallMs();
        });
        ObjectNode colds = section.putObject("cold");
        cold.forEach((way, rs) -> colds.set(way, summary(rs)));
        deleteTree(work.resolve("cold-fast"));
        return section;
    }

    /** One event through the router's three steps. */
    record Routed(Result validate, Result claim, Result route) {
        double wallMs() {
            return validate.wallMs() + claim.wallMs() + route.wallMs();
        }

        List<String> journal() {
            return Stream.of(validate, claim, route).flatMap(r -> r.journal().stream()).map(bench::journalLine).toList();
        }

        List<String> appends() { // a record appended to the history: a contents PUT under events/
            return journal().stream().filter(line -> line.startsWith("PUT ") && line.contains("/contents/events/")).toList();
        }
    }

    static ObjectNode stepsJson(List<Routed> events) {
        ObjectNode row = JSON.createObjectNode();
        row.set("validate", summary(events.stream().map(Routed::validate).toList()));
        row.set("dedupe_claim", summary(events.stream().map(Routed::claim).toList()));
        row.set("route", summary(events.stream().map(Routed::route).toList()));
        return row.set("total_per_event", wallSummary(events.stream().map(Routed::wallMs).toList()));
    }

    /**
     * The router's three steps as workflows/event-router.yml runs them, on a fresh event each, --runs
     * times per way (what it sets in the environment), the ways in rotating order. Each way first routes
     * an event unmeasured: the first claim opens the dedupe store and the state comment of shard 0, which
     * every measured claim then writes (eventId), and with EVENT_BUS_HISTORY the first append creates
     * the history branch.
     */
    Map<String, List<Routed>> routerSteps(String label, Map<String, Map<String, String>> ways) throws Exception {
        Map<String, List<Routed>> steps = new LinkedHashMap<>();
        for (var way : ways.entrySet()) {
            Map<String, String> env = with(routerEnv(dispatch(), label + "-first"), way.getValue());
            run(label + "-first-claim-" + way.getKey(), claim(), env, workspace());
            run(label + "-first-route-" + way.getKey(), jbang("route.java"), env, workspace());
            steps.put(way.getKey(), new ArrayList<>());
        }
        rotating(List.copyOf(ways.keySet()), runs, (i, way) -> {
            String tag = label + "-" + way + "-" + i;
            Map<String, String> env = with(routerEnv(dispatch(), tag), ways.get(way));
            Routed event = new Routed(require(exec(tag + "-validate", jbang("validate.java"), env, workspace(), true, 300), 0, "validate"),
                    requireAnswer(exec(tag + "-dedupe", claim(), env, workspace(), true, 300), "new", "dedupe claim of a fresh event"),
                    require(exec(tag + "-route", jbang("route.java"), env, workspace(), true, 300), 0, "route"));
            steps.get(way).add(event);
            return event.wallMs();
        });
        return steps;
    }

    /** A repository_dispatch body as emit sends it, with a fresh event_id, for curl or node to send. */
    Path dispatchBody(String name) throws IOException {
        String id = UUID.randomUUID().toString();
        ObjectNode body = JSON.createObjectNode().put("event_type", "rfc.pr.ready");
        body.putObject("client_payload").put("event_id", id).put("source", "emit-cli").put("timestamp", TIMESTAMP.format(Instant.now()))
                .put("trace_id", id).set("data", JSON.readTree(PAYLOAD));
        return Files.writeString(Files.createDirectories(work.resolve("bodies")).resolve(name + ".json"), COMPACT.writeValueAsString(body));
    }

    static void awaitAotCaches(Path dir) throws Exception {
        for (long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10); ; Thread.sleep(250)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                if (walk.noneMatch(p -> p.getFileName().toString().endsWith(".pending"))) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("an AOT cache under " + dir + " is still being created after 10 minutes");
            }
        }
    }

    /** The first JDK 25 or later under /usr/lib/jvm, or none. */
    static Path findJdk25() throws IOException {
        try (Stream<Path> dirs = Files.isDirectory(Path.of("/usr/lib/jvm")) ? Files.list(Path.of("/usr/lib/jvm")) : Stream.empty()) {
            for (Path dir : dirs.filter(d -> !Files.isSymbolicLink(d) && Files.isRegularFile(d.resolve("release"))).sorted().toList()) {
                Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(dir.resolve("release")));
                if (m.find() && Integer.parseInt(m.group(1)) >= 25) {
                    return dir;
                }
            }
        }
        return null;
    }

    // ---- API requests per operation -----------------------------------------------------------

    /**
     * Each operation once, its requests from the emulator's journal: the count varies not between runs
     * but with the repository's state (the first claim ever opens the dedupe store, the first of a shard
     * creates its state comment, a duplicate writes nothing), so the event ids are chosen by shard.
     */
    ObjectNode measureRequests() throws Exception {
        say("requests: each operation once, counted from the emulator's journal");
        ObjectNode section = JSON.createObjectNode();
        section.set("emit", countRequests("emit", emitCommand(), emitEnv(), null));
        Map<String, String> first = routerEnv(dispatch(), "requests-first");
        section.set("validate", countRequests("validate", jbang("validate.java"), first, null));
        section.set("claim_first_ever", countRequests("dedupe claim, first ever (opens the store)", claim(), first, "new"));
        Map<String, String> next = routerEnv(dispatch(), "requests-next");
        section.set("claim_new", countRequests("dedupe claim, new id", claim(), next, "new"));
        section.set("claim_duplicate", countRequests("dedupe claim, the same id again (duplicate)", claim(), next, "duplicate"));
        section.set("claim_first_in_shard", countRequests("dedupe claim, the first of its shard (creates the shard's state comment)",
                claim(), routerEnv(dispatch("rfc.pr.ready", PAYLOAD, eventId(1)), "requests-shard"), "new"));
        Map<String, String> known = with(routerEnv(dispatch(), "requests-known"), Map.of("EVENT_BUS_STATE_ISSUE", String.valueOf(stateIssue())));
        section.set("claim_new_state_issue_known", countRequests("dedupe claim, new id, `EVENT_BUS_STATE_ISSUE` set", claim(), known, "new"));
        section.set("route_one_target", countRequests("route, rfc.pr.ready (one target)", jbang("route.java"), next, null));
        // rfc.pr.created has two routes: requests per target when there are several.
        Path created = dispatch("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}", eventId(0));
        ObjectNode two = countRequests("route, rfc.pr.created (two targets)", jbang("route.java"), routerEnv(created, "requests-two"), null);
        long targets = Stream.of(JSON.treeToValue(two.get("journal"), String[].class))
                .filter(line -> line.startsWith("POST ") && line.contains("/actions/workflows/")).count();
        return section.set("route_two_targets", two.put("targets", targets));
    }

    /** One operation's requests (not timed): how many, how many the rate limit counts (a 304 is free), and which. */
    ObjectNode countRequests(String operation, List<String> command, Map<String, String> env, String answer) throws Exception {
        Path dir = env.containsKey("GITHUB_WORKSPACE") ? workspace() : root; // the router's steps run in the consuming repository
        Result r = run("requests-" + operation.replaceAll("[^a-z]+", "-"), command, env, dir);
        if (answer != null) {
            requireAnswer(r, answer, operation);
        }
        ObjectNode row = JSON.createObjectNode().put("operation", operation).put("requests", r.journal().size())
                .put("rate_limited", r.journal().stream().filter(e -> e.status() != 304).count());
        row.putArray("journal").addAll(r.journal().stream().map(e -> row.textNode(journalLine(e))).toList());
        return row;
    }

    static String journalLine(GitHubEmulator.JournalEntry e) {
        return e.method() + " " + e.path() + (e.query() == null || e.query().isEmpty() ? "" : "?" + e.query()) + " " + e.status();
    }

    // ---- the event history ----------------------------------------------------------------------

    /** What validate.java says of schemas/examples/rfc.pr.ready/invalid-pr-zero.json, the week's rejected event. */
    static final String PR_ZERO_ERROR = "/client_payload/data/pr: must have a minimum value of 1 (rule: minimum)";
    /** The parts of an `events stats --json` report that depend only on the records read, not on where they were read from. */
    static final List<String> REPORT_COUNTS = List.of("records", "event_types", "all", "by_day", "drift", "dispatch_ms");

    /**
     * The event history (docs/history.md): the router's steps with EVENT_BUS_HISTORY=true and without; a
     * week of router runs read with `events stats --history` and from the runs' event log artifacts,
     * interleaved. Every read must report the same counts.
     */
    ObjectNode measureHistory() throws Exception {
        say("history: the router's three steps with EVENT_BUS_HISTORY=true and without, " + runs + " runs each, interleaved");
        Map<String, Map<String, String>> ways = new LinkedHashMap<>();
        ways.put("history", Map.of("EVENT_BUS_HISTORY", "true"));
        ways.put("no_history", Map.of());
        Map<String, List<Routed>> steps = routerSteps("history", ways);
        ObjectNode section = JSON.createObjectNode();
        ObjectNode append = section.putObject("append").put("event", ROUTED_EVENT);
        steps.forEach((way, events) -> {
            ObjectNode row = append.putObject(way);
            ObjectNode times = stepsJson(events);
            row.set("total_per_event", times.get("total_per_event"));
            row.set("route", times.get("route"));
            row.set("requests_per_event", countSummary(events.stream().map(e -> (double) e.journal().size()).toList()));
            row.set("records_appended_per_event", countSummary(events.stream().map(e -> (double) e.appends().size()).toList()));
        });
        steps.get("history").stream().flatMap(e -> e.appends().stream()).findFirst().ifPresent(line -> append.put("append_request", line));

        resetEmulator(); // the week is read from a repository that holds nothing else
        List<ObjectNode> records = weekOfRecords(Instant.now().minus(1, ChronoUnit.MINUTES));
        say("history: seeding " + records.size() + " router runs over " + WEEK_DAYS + " days as history files and as event log artifacts");
        long artifactBytes = 0;
        for (ObjectNode record : records) { // as the router uploads its log: event-log-<run id>-<attempt>, a zip of event_log.jsonl
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                zip.putNextEntry(new ZipEntry("event_log.jsonl"));
                zip.write((COMPACT.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            github.addArtifact(REPO, "event-log-" + record.path("run_id").asText() + "-" + record.path("run_attempt").asText(), bytes.toByteArray());
            artifactBytes += bytes.size();
        }
        createHistoryBranch(records);
        github.setRateLimit(1_000_000); // the artifacts take more than an App installation's 5,000 requests an hour, every time
        String since = WEEK_DAYS + "d";
        Map<String, CommandForRun> commands = new LinkedHashMap<>();
        commands.put("history", i -> jbang("events.java", "stats", "--history", "--since", since, "--json"));
        commands.put("artifacts", i -> jbang("events.java", "stats", "--from-artifacts", String.valueOf(records.size()), "--since", since, "--json"));
        say("history: events stats over the week from the history and from the artifacts, " + throughputRuns + " runs each, interleaved");
        Map<String, JsonNode> reports = new HashMap<>();
        Map<String, List<Result>> results = interleaved(commands, name -> emitEnv(), throughputRuns, (way, r) -> {
            JsonNode report = JSON.readTree(r.stdout());
            JsonNode before = reports.values().stream().findFirst().orElse(report);
            List<String> differ = REPORT_COUNTS.stream().filter(field -> !before.path(field).equals(report.path(field))).toList();
            if (report.path("records").asInt() != records.size() || !differ.isEmpty()) {
                throw new IllegalStateException("events stats from the " + way + " counted " + report.path("records").asInt() + " records of the "
                        + "week's " + records.size() + (differ.isEmpty() ? "" : "; other figures than before: " + differ));
            }
            reports.put(way, report);
        });
        ObjectNode week = section.putObject("week").put("router_runs", records.size()).put("days", WEEK_DAYS);
        week.set("counts", reports.get("history").path("all").path("counts"));
        JsonNode history = reports.get("history").path("history");
        week.set("history", summary(results.get("history")).put("command", "./jbang events.java stats --history --since " + since)
                .put("files", history.path("files").asInt()).put("days_read", history.path("days").asInt())
                .put("bytes", history.path("bytes").asLong()).set("requests", requestSummary(results.get("history"))));
        week.set("artifacts", summary(results.get("artifacts")).put("command", "./jbang events.java stats --from-artifacts " + records.size()
                + " --since " + since).put("bytes", artifactBytes).put("downloads", reports.get("artifacts").path("logs").asInt())
                .set("requests", requestSummary(results.get("artifacts"))));
        return section;
    }

    /**
     * --week-events router runs, received evenly over the week up to `newest`, recorded as the router's
     * steps record them (shared/EventLog.java): the valid examples of every event type in turn, 4 to 20 s
     * after the event's timestamp, routed as event-routes.yml says; a trace_id (where the example has one)
     * continues the event before; one run in 100 a duplicate of the event before, one in 100 rejected.
     */
    List<ObjectNode> weekOfRecords(Instant newest) throws IOException {
        List<ObjectNode> examples = validExamples();
        JsonNode routes = YAML.readTree(root.resolve("event-routes.yml").toFile()).path("routes");
        JsonNode invalid = JSON.readTree(root.resolve("schemas/examples/rfc.pr.ready/invalid-pr-zero.json").toFile());
        Random seeded = new Random(20261128L);
        // Two hours short of the week, so that the oldest run is still inside --since 7d when the last read starts.
        long spacingMs = Duration.ofDays(WEEK_DAYS).minusHours(2).toMillis() / weekEvents;
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < weekEvents; i++) {
            Instant received = newest.minusMillis((weekEvents - 1 - i) * spacingMs);
            String runId = String.valueOf(19_900_000_001L + i);
            if (i % 100 == 49) {
                records.add(logRecord(records.get(i - 1).get("event"), "duplicate", received, runId));
                continue;
            }
            ObjectNode event = (i % 100 == 99 ? invalid : examples.get(i % examples.size())).deepCopy();
            ObjectNode payload = (ObjectNode) event.get("client_payload");
            payload.put("event_id", uuid(seeded)).put("timestamp", TIMESTAMP.format(received.minusMillis(4000 + seeded.nextInt(16_000))));
            if (payload.has("trace_id")) {
                payload.put("trace_id", i == 0 ? uuid(seeded) : records.get(i - 1).path("event_id").asText());
            }
            ObjectNode record = logRecord(event, i % 100 == 99 ? "rejected" : "routed", received, runId);
            for (JsonNode route : i % 100 == 99 ? JSON.createArrayNode() : routes) {
                if (route.path("event").asText().equals(event.path("event_type").asText()) && matches(route.path("when"), payload)) {
                    long run = 20_000_000_001L + i * 2L + record.path("targets").size();
                    record.withArray("targets").addObject().put("workflow", route.path("workflow").asText()).put("status", "dispatched")
                            .put("run_id", run).put("html_url", "https://github.com/" + REPO + "/actions/runs/" + run)
                            .put("dispatched_at", TIMESTAMP.format(received.plusMillis(50 + seeded.nextInt(250)))).putNull("error");
                }
            }
            records.add(i % 100 == 99 ? record.put("error", PR_ZERO_ERROR) : record.path("targets").isEmpty() ? record.put("status", "unrouted") : record);
        }
        return records;
    }

    /** An event log record as shared/EventLog.java writes it: the event received at that time by router run runId. */
    static ObjectNode logRecord(JsonNode event, String status, Instant received, String runId) {
        JsonNode payload = event.path("client_payload");
        String timestamp = payload.path("timestamp").asText();
        ObjectNode record = JSON.createObjectNode().put("event_id", payload.path("event_id").asText())
                .put("event_type", event.path("event_type").asText()).put("source", payload.path("source").asText())
                .put("trace_id", payload.path("trace_id").textValue()).put("timestamp", timestamp).put("received_at", TIMESTAMP.format(received))
                .put("latency_ms", received.toEpochMilli() - Instant.parse(timestamp).toEpochMilli()).put("status", status);
        record.putArray("targets");
        return record.put("run_id", runId).put("run_attempt", "1").putNull("error").set("event", event);
    }

    /** A route's `when` as event-routes.yml writes it, over the client_payload: each field has one of the values listed. */
    static boolean matches(JsonNode when, JsonNode payload) {
        for (Map.Entry<String, JsonNode> field : when.properties()) {
            JsonNode value = payload.path(field.getKey());
            boolean listed = false;
            for (JsonNode allowed : field.getValue()) {
                listed |= allowed.equals(value);
            }
            if (!(field.getValue().isObject() ? matches(field.getValue(), value) : listed)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The branch event-bus-history with these records, made as shared/History.java starts it (a tree, a
     * commit without parents, a ref), each at events/DAY/TIME-STATUS-EVENT_ID-RUN-ATTEMPT.json by its
     * received_at (a consumer's outcome: its acted_at).
     */
    void createHistoryBranch(List<ObjectNode> records) throws Exception {
        ObjectNode tree = JSON.createObjectNode();
        ArrayNode entries = tree.putArray("tree");
        entries.addObject().put("path", "README.md").put("mode", "100644").put("type", "blob").put("content", "# event-bus history\n");
        for (ObjectNode record : records) {
            String at = record.path(record.hasNonNull("received_at") ? "received_at" : "acted_at").asText(); // 2026-11-27T04:38:21.504Z
            String path = "events/" + at.substring(0, 10) + "/" + at.substring(11, 23).replace(":", "").replace(".", "") + "-"
                    + record.path("status").asText() + "-" + record.path("event_id").asText() + "-" + record.path("run_id").asText() + "-"
                    + record.path("run_attempt").asText() + ".json";
            entries.addObject().put("path", path).put("mode", "100644").put("type", "blob").put("content", COMPACT.writeValueAsString(record) + "\n");
        }
        ObjectNode commit = JSON.createObjectNode().put("message", "event-bus: start the event history")
                .put("tree", api("POST", "/repos/" + REPO + "/git/trees", tree).path("sha").asText());
        commit.putArray("parents");
        String commitSha = api("POST", "/repos/" + REPO + "/git/commits", commit).path("sha").asText();
        api("POST", "/repos/" + REPO + "/git/refs", Map.of("ref", "refs/heads/event-bus-history", "sha", commitSha));
    }

    // ---- the RFC's acceptance: merge latency and outcomes ------------------------------------------

    /** The outcome each consumer records after the event type it handles (DESIGN, "Outcomes and the RFC's acceptance criteria"). */
    static final Map<String, String> OUTCOMES = Map.of("rfc.pr.ready", "merge-attempted", "rfc.issue.assigned", "monitor-started");

    /** `events merge-latency` from GitHub's data and `events stats` with outcomes from the history; every run must report what was seeded. */
    ObjectNode measureAcceptance() throws Exception {
        ObjectNode section = JSON.createObjectNode();
        section.set("merge_latency", measureMergeLatency());
        resetEmulator();
        return section.set("outcomes", measureOutcomes());
    }

    /**
     * --merged-prs pull requests merged into main over the last six days (GitHubEmulator.addMergedPullRequests),
     * with check runs and commit statuses as GitHub returns them: most heads green (some check runs
     * skipped or neutral, a status pending before it succeeded, the last to go green a status or a
     * check run), one in 25 with a failed check and one in 25 with none (merged, not measured). A run
     * must report how many were merged and measured, each one's seconds from green to merged, and on
     * stderr the requests the emulator counted.
     */
    ObjectNode measureMergeLatency() throws Exception {
        Random seeded = new Random(20261205L);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<GitHubEmulator.PastPullRequest> pulls = new ArrayList<>();
        List<Long> latencies = new ArrayList<>(); // seconds from green to merged; -1: not measured
        for (int i = 0; i < mergedPrs; i++) {
            Instant merged = now.minusSeconds(3600 + i * (Duration.ofDays(6).toSeconds() / mergedPrs));
            long latency = 5 + (long) (-Math.log(1 - seeded.nextDouble()) * 7200); // spread exponentially, about 2 h on average
            Instant ready = merged.minusSeconds(latency);
            Instant opened = ready.minusSeconds(600 + seeded.nextInt(2 * 86_400));
            boolean statusLast = i % 4 == 0;
            List<GitHubEmulator.PastCheckRun> checks = new ArrayList<>();
            List<GitHubEmulator.PastStatus> statuses = new ArrayList<>();
            if (i % 25 != 19) {
                String test = i % 25 == 7 ? "failure" : i % 5 == 0 ? "skipped" : i % 5 == 1 ? "neutral" : "success";
                checks.add(new GitHubEmulator.PastCheckRun("build", "completed", "success", opened, statusLast ? ready.minusSeconds(120) : ready));
                checks.add(new GitHubEmulator.PastCheckRun("test", "completed", test, opened, ready.minusSeconds(30 + seeded.nextInt(300))));
                statuses.add(new GitHubEmulator.PastStatus("ci/lint", "pending", opened));
                statuses.add(new GitHubEmulator.PastStatus("ci/lint", "success", statusLast ? ready : ready.minusSeconds(90)));
            }
            pulls.add(new GitHubEmulator.PastPullRequest(null, opened, merged, checks, statuses));
            latencies.add(i % 25 == 7 || i % 25 == 19 ? -1 : latency);
        }
        List<GitHubEmulator.MergedPullRequest> made = github.addMergedPullRequests(REPO, "main", pulls);
        Map<Integer, Long> expected = new HashMap<>();
        for (int i = 0; i < mergedPrs; i++) {
            if (latencies.get(i) >= 0) {
                expected.put(made.get(i).number(), latencies.get(i));
            }
        }
        github.setRateLimit(1_000_000); // repeated reads of about two requests a pull request
        List<String> args = List.of("merge-latency", "--since", "7d", "--max-prs", String.valueOf(mergedPrs), "--json");
        say("acceptance: events " + String.join(" ", args) + " over " + mergedPrs + " merged pull requests, " + throughputRuns + " runs");
        List<JsonNode> reports = new ArrayList<>();
        List<Result> results = interleaved(Map.of("merge_latency", i -> jbang("events.java", args.toArray(String[]::new))),
                name -> emitEnv(), throughputRuns, (name, r) -> reports.add(checkMergeLatency(r, expected))).get("merge_latency");
        ObjectNode row = summary(results).put("command", "./jbang events.java " + String.join(" ", args))
                .put("merged", mergedPrs).put("measured", expected.size()).put("failed_check", (mergedPrs + 17) / 25).put("no_checks", (mergedPrs + 5) / 25);
        Stream.of("mean_seconds", "median_seconds", "p95_seconds").forEach(field -> row.set(field, reports.get(0).path(field)));
        return row.set("requests", requestSummary(results));
    }

    JsonNode checkMergeLatency(Result r, Map<Integer, Long> expected) throws IOException {
        JsonNode report = JSON.readTree(r.stdout());
        List<String> wrong = new ArrayList<>();
        int measured = 0;
        for (JsonNode pr : report.path("prs")) {
            if (pr.path("seconds").isNumber()) { // excluded pull requests, where listed, carry no seconds
                measured++;
                Long want = expected.get(pr.path("number").asInt());
                if (want == null || Math.abs(pr.path("seconds").asDouble() - want) > 1) {
                    wrong.add("#" + pr.path("number").asInt() + ": " + pr.path("seconds").asText() + " s, seeded " + want);
                }
            }
        }
        if (report.path("merged").asInt() != mergedPrs || report.path("measured").asInt() != expected.size() || measured != expected.size()
                || !wrong.isEmpty() || !between(report.path("median_seconds").asDouble(), expected.values())) {
            throw new IllegalStateException("merge-latency reported " + report.path("merged") + " merged, " + report.path("measured") + " measured, "
                    + measured + " with seconds, median " + report.path("median_seconds") + " s; seeded " + mergedPrs + " merged, " + expected.size()
                    + " green" + (wrong.isEmpty() ? "" : "; differing: " + wrong.subList(0, Math.min(5, wrong.size())) + " of " + wrong.size()));
        }
        requireStatedCost(r, "merge-latency");
        return report;
    }

    /**
     * The week the history section reads, with the outcomes consumers recorded as `events record` writes
     * them: merge-attempted after every routed rfc.pr.ready, monitor-started after every routed
     * rfc.issue.assigned, 20 s to 15 min after the dispatch, every other one without its event type
     * (stats takes it from the event's other records). A run of `events stats --history` must report each
     * pair's count, and a median between the two middle values seeded.
     */
    ObjectNode measureOutcomes() throws Exception {
        // Half an hour back, so that the last outcome (at most a quarter of an hour after its event) is in the past.
        List<ObjectNode> records = weekOfRecords(Instant.now().minus(30, ChronoUnit.MINUTES));
        Random seeded = new Random(20261206L);
        Map<String, List<Long>> expected = new TreeMap<>(); // "type outcome": ms from each event's timestamp to its outcome
        List<ObjectNode> all = new ArrayList<>(records);
        for (ObjectNode record : records) {
            String type = record.path("event_type").asText();
            if (OUTCOMES.containsKey(type) && record.path("status").asText().equals("routed")) {
                JsonNode target = record.path("targets").get(0);
                Instant at = Instant.parse(target.path("dispatched_at").asText()).plusMillis(20_000 + seeded.nextInt(880_000));
                ObjectNode acted = JSON.createObjectNode().put("status", "acted").put("outcome", OUTCOMES.get(type))
                        .put("event_id", record.path("event_id").asText()).put("event_type", all.size() % 2 == 0 ? type : null)
                        .put("acted_at", TIMESTAMP.format(at)).put("run_id", target.path("run_id").asText()).put("run_attempt", "1")
                        .put("source", target.path("workflow").asText());
                all.add(acted.set("detail", JSON.createObjectNode().put("result", all.size() % 10 == 0 ? "blocked" : "merged")));
                expected.computeIfAbsent(type + " " + OUTCOMES.get(type), k -> new ArrayList<>())
                        .add(at.toEpochMilli() - Instant.parse(record.path("timestamp").asText()).toEpochMilli());
            }
        }
        say("acceptance: seeding " + records.size() + " router runs and " + (all.size() - records.size()) + " outcomes as history files");
        createHistoryBranch(all);
        List<String> args = List.of("stats", "--history", "--since", WEEK_DAYS + "d", "--json");
        say("acceptance: events " + String.join(" ", args) + ", " + throughputRuns + " runs");
        List<JsonNode> reports = new ArrayList<>();
        List<Result> results = interleaved(Map.of("stats", i -> jbang("events.java", args.toArray(String[]::new))), name -> emitEnv(),
                throughputRuns, (name, r) -> reports.add(checkOutcomes(JSON.readTree(r.stdout()), expected))).get("stats");
        ObjectNode row = summary(results).put("command", "./jbang events.java " + String.join(" ", args))
                .put("router_runs", records.size()).put("outcome_records", all.size() - records.size()).put("days", WEEK_DAYS);
        row.set("outcomes", reports.get(0).path("outcomes"));
        return row.set("requests", requestSummary(results));
    }

    static JsonNode checkOutcomes(JsonNode report, Map<String, List<Long>> expected) {
        Map<String, JsonNode> rows = new TreeMap<>();
        report.path("outcomes").forEach(row -> rows.put(row.path("event_type").asText() + " " + row.path("outcome").asText(), row));
        for (var e : expected.entrySet()) {
            JsonNode row = rows.get(e.getKey());
            if (!rows.keySet().equals(expected.keySet()) || row.path("count").asInt() != e.getValue().size() || !between(row.path("median_ms").asDouble(), e.getValue())) {
                List<Long> sorted = e.getValue().stream().sorted().toList();
                throw new IllegalStateException("events stats reported the outcomes " + rows + "; seeded " + e.getKey() + " " + sorted.size()
                        + " times, median between " + sorted.get((sorted.size() - 1) / 2) + " and " + sorted.get(sorted.size() / 2) + " ms");
            }
        }
        return report;
    }

    /** Whether a reported median lies between the two middle values seeded (whichever definition of the median), ±1. */
    static boolean between(double median, Collection<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return !sorted.isEmpty() && median >= sorted.get((sorted.size() - 1) / 2) - 1 && median <= sorted.get(sorted.size() / 2) + 1;
    }

    /** A command that reads GitHub states its cost on stderr ("N API requests", the first such figure): it must be what the emulator counted. */
    static void requireStatedCost(Result r, String what) {
        Matcher m = Pattern.compile("(\\d[\\d,]*) API requests?\\b").matcher(r.stderr());
        String stated = m.find() ? m.group(1).replace(",", "") : null;
        if (stated == null || Integer.parseInt(stated) != r.journal().size()) {
            throw new IllegalStateException(what + " stated " + (stated == null ? "no cost in requests" : stated + " requests") + " on stderr; "
                    + "the emulator counted " + r.journal().size() + ": " + tail(r.stderr()));
        }
    }

    // ---- validate throughput beside ajv -------------------------------------------------------

    /** validate.java on a large event log, beside ajv-cli (one file per event) and Ajv in one node process. */
    ObjectNode measureThroughput() throws Exception {
        if (!Files.exists(work.resolve("node_modules/ajv-cli/package.json")) || !Files.exists(work.resolve("node_modules/ajv-formats/package.json"))) {
            say("installing ajv-cli@5 and ajv-formats@2 into bench/work with npm"); // not measured: npm gets the caller's proxy settings
            run("npm-install", List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", work.toString(), "ajv-cli@5", "ajv-formats@2"),
                    System.getenv(), root);
        }
        Path log = eventLog();
        Path split = splitForAjvCli(log);
        Path schemas = root.resolve("schemas");
        Map<String, String> nodeEnv = with(baseEnv(), Map.of("NODE_PATH", work.resolve("node_modules").toString()));
        say("throughput: " + lines + " events, validate.java, ajv-cli and Ajv in one process, " + throughputRuns + " runs each, interleaved");
        Map<String, CommandForRun> tools = new LinkedHashMap<>();
        tools.put("validate_java", i -> jbang("validate.java", "--schemas", schemas.toString(), log.toString()));
        // ajv-cli takes one schema per run: one run per event type, in one shell (its time the sum, its peak RSS the largest run's).
        List<String> ajvCli = new ArrayList<>(List.of("bash", "-c", "ajv=$1 schemas=$2 split=$3; shift 3; for type; do node \"$ajv\" validate "
                + "--spec=draft2020 --strict=false --all-errors -c ajv-formats -s \"$schemas/events/$type.schema.json\" "
                + "-r \"$schemas/envelope.schema.json\" -d \"$split/$type/*.json\" || exit; done", "ajv-cli",
                work.resolve("node_modules/ajv-cli/dist/index.js").toString(), schemas.toString(), split.toString()));
        ajvCli.addAll(eventTypes());
        tools.put("ajv_cli_files", i -> ajvCli);
        tools.put("ajv_jsonl", i -> List.of("node", root.resolve("bench/ajv-jsonl.mjs").toString(), schemas.toString(), log.toString()));
        String allValid = lines + " events checked: " + lines + " valid, 0 invalid";
        Map<String, List<Result>> results = interleaved(tools, name -> name.equals("validate_java") ? baseEnv() : nodeEnv, throughputRuns, (name, r) -> {
            long valid = (r.stdout() + "\n" + r.stderr()).lines().filter(l -> l.endsWith(" valid")).count(); // ajv-cli: "FILE valid"
            if (name.equals("ajv_cli_files") ? valid != lines : !r.stderr().contains(allValid)) {
                throw new IllegalStateException(name + " did not find the " + lines + " events valid: " + tail(r.stderr()));
            }
        });
        ObjectNode section = JSON.createObjectNode().put("events", lines).put("file_bytes", Files.size(log)).put("ajv_cli", String.format(
                "ajv-cli %s (ajv %s, ajv-formats %s)", nodePackageVersion("ajv-cli"), nodePackageVersion("ajv"), nodePackageVersion("ajv-formats")));
        results.forEach((tool, rs) -> section.set(tool, summary(rs).put("events_per_second", Math.round(lines / (median(walls(rs)) / 1000)))));
        return section;
    }

    String nodePackageVersion(String name) throws IOException {
        return JSON.readTree(work.resolve("node_modules/" + name + "/package.json").toFile()).path("version").asText();
    }

    List<String> eventTypes() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("schemas/events"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".schema.json"))
                    .map(n -> n.substring(0, n.length() - ".schema.json".length())).sorted().toList();
        }
    }

    /** The event log (kept between runs): the valid examples of every event type, in turn, each line with a fresh event_id. */
    Path eventLog() throws Exception {
        Path log = work.resolve("events-" + lines + ".jsonl");
        if (Files.exists(log)) {
            try (Stream<String> existing = Files.lines(log)) {
                if (existing.count() == lines) {
                    return log;
                }
            }
        }
        List<ObjectNode> examples = validExamples();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            ObjectNode event = examples.get(i % examples.size()).deepCopy();
            ((ObjectNode) event.get("client_payload")).put("event_id", uuid(random));
            text.append(COMPACT.writeValueAsString(event)).append('\n');
        }
        say("generated " + root.relativize(log) + ": " + lines + " events from " + examples.size() + " valid examples");
        return Files.writeString(log, text);
    }

    /** The valid examples of every event type (schemas/examples/TYPE/valid-*.json), in order. */
    List<ObjectNode> validExamples() throws IOException {
        List<ObjectNode> examples = new ArrayList<>();
        for (String type : eventTypes()) {
            try (Stream<Path> files = Files.list(root.resolve("schemas/examples/" + type))) {
                for (Path p : files.filter(f -> f.getFileName().toString().startsWith("valid-")).sorted().toList()) {
                    examples.add((ObjectNode) JSON.readTree(p.toFile()));
                }
            }
        }
        return examples;
    }

    /** A version 4 UUID from a seeded generator, so that generated data is the same every time. */
    static String uuid(Random random) {
        return new UUID(random.nextLong() & ~0xF000L | 0x4000L, random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L).toString();
    }

    /** ajv-cli reads one JSON document per file: the same events, one file each, in a directory per event type (kept between runs). */
    Path splitForAjvCli(Path log) throws IOException {
        Path dir = work.resolve("ajv-split-" + lines);
        if (!Files.exists(dir.resolve(".complete"))) {
            deleteTree(dir);
            List<String> all = Files.readAllLines(log);
            for (int i = 0; i < all.size(); i++) {
                Path type = Files.createDirectories(dir.resolve(JSON.readTree(all.get(i)).path("event_type").asText()));
                Files.writeString(type.resolve(String.format(Locale.ROOT, "%06d.json", i)), all.get(i));
            }
            Files.writeString(dir.resolve(".complete"), "");
        }
        return dir;
    }

    // ---- the dedupe store's capacity ----------------------------------------------------------

    /** An entry line of the dedupe block: the id in base64url, its expiry after `base` in base 36, the index of its TTL if not 0. */
    static final Pattern ENTRY_LINE = Pattern.compile("^([A-Za-z0-9_-]{22}) ([0-9a-z]{1,12})(?: ([0-9a-z]{1,3}))?$");

    /**
     * How many live claims a state comment holds, and what a claim costs when it is full: the state comment
     * of shard 0 rewritten with as many entries as fit in GitHub's 65,536 characters, in its own format (its
     * other lines kept as dedupe wrote them), with one TTL and then two; then claims of new ids of that shard,
     * each of which must evict one.
     */
    ObjectNode measureCapacity() throws Exception {
        say("capacity: the dedupe state comment filled to GitHub's 65,536-character limit, then claims at capacity");
        Map<String, String> env = routerEnv(null, "capacity");
        run("capacity-first-claim", claim(eventId(0)), env, workspace());
        long ttl = Long.parseLong(dedupeTtl.replaceAll("\\D", "")) * Map.of('s', 1, 'm', 60, 'h', 3600, 'd', 86_400).get(dedupeTtl.charAt(dedupeTtl.length() - 1));
        long otherTtl = ttl == 3600 ? 86_400 : 3600;
        ObjectNode section = JSON.createObjectNode();
        for (var scenario : List.of(Map.entry("one TTL (" + dedupeTtl + "), claims spread over it", List.of(ttl)), Map.entry("two TTLs ("
                + dedupeTtl + " and " + (otherTtl == 3600 ? "1h" : "24h") + ", half each): the longest entry lines", List.of(ttl, otherTtl)))) {
            List<Long> ttls = scenario.getValue();
            Map<String, Object> comment = stateComment();
            List<String> bodyLines = String.valueOf(comment.get("body")).lines().toList();
            int fence = bodyLines.indexOf("```dedupe");
            StringBuilder text = new StringBuilder();
            bodyLines.subList(0, fence + 1).forEach(l -> text.append(l).append('\n'));
            for (String line : bodyLines.subList(fence + 1, bodyLines.size()).stream().takeWhile(l -> !l.equals("```")).toList()) {
                if (!ENTRY_LINE.matcher(line).matches() && !line.startsWith("base ") && !line.startsWith("ttl ")) {
                    text.append(line).append('\n'); // version, shard, sha, tickets: the write protocol's lines stay as dedupe left them
                }
            }
            long base = Instant.now().getEpochSecond() + 60;
            text.append("base ").append(base).append("\nttl ").append(ttls.stream().map(String::valueOf).collect(Collectors.joining(" "))).append('\n');
            byte[] id = new byte[16];
            for (int entries = 0; ; entries++) {
                int ttlIndex = entries % ttls.size();
                long expires = base + (long) (random.nextDouble() * (ttls.get(ttlIndex) - 120));
                random.nextBytes(id);
                String line = Base64.getUrlEncoder().withoutPadding().encodeToString(id) + " " + Long.toString(expires - base, 36)
                        + (ttlIndex > 0 ? " " + Integer.toString(ttlIndex, 36) : "") + "\n";
                if (text.length() + line.length() + "```\n".length() > 65_536) {
                    break;
                }
                text.append(line);
            }
            api("PATCH", "/repos/" + REPO + "/issues/comments/" + comment.get("id"), Map.of("body", text.append("```\n").toString()));
            List<Result> claims = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Result r = requireAnswer(exec("capacity-claim-" + i, claim(eventId(0)), env, workspace(), true, 300), "new", "dedupe claim at capacity");
                if (!r.stderr().contains("state comment full")) { // the ::warning:: of a claim that evicted
                    throw new IllegalStateException("a claim at capacity evicted nothing: " + tail(r.stderr()));
                }
                claims.add(r);
            }
            int live = JSON.readTree(run("capacity-show", jbang("dedupe.java", "show", "--json"), env, workspace()).stdout()).path("live").asInt(-1);
            int requests = claims.stream().mapToInt(c -> c.journal().size()).max().orElse(0);
            say(String.format(Locale.ROOT, "  %s: %d live entries, claim at capacity %s, %d requests", scenario.getKey(), live,
                    Report.ms(median(walls(claims))), requests));
            section.withArray("scenarios").addObject().put("scenario", scenario.getKey()).put("live_entries", live)
                    .put("comment_characters", String.valueOf(stateComment().get("body")).length())
                    .<ObjectNode>set("claim_at_capacity", summary(claims)).put("requests_per_claim", requests);
        }
        return section;
    }

    /** The state comment of shard 0 on the store's issue. */
    Map<String, Object> stateComment() {
        return github.comments(REPO, stateIssue()).stream().filter(c -> String.valueOf(c.get("body")).startsWith("<!-- event-bus:dedupe")
                && String.valueOf(c.get("body")).contains("\nshard 0/")).findFirst().orElseThrow(() -> new IllegalStateException("no state comment of shard 0"));
    }

    // ---- cold starts ---------------------------------------------------------------------------

    /** emit with JBANG_DIR empty and the first run ever (an empty Maven repository too); the router's steps with the script cache empty. */
    ObjectNode measureCold() throws Exception {
        Path cold = work.resolve("cold");
        deleteTree(cold);
        ObjectNode section = JSON.createObjectNode().put("command", EMIT_COMMAND);
        say("cold: empty JBANG_DIR, ~/.m2 filled (" + coldRuns + " runs)");
        List<Result> dirEmpty = new ArrayList<>();
        for (int i = 0; i < coldRuns; i++) {
            dirEmpty.add(coldEmit("cold-empty-" + i, Map.of("JBANG_DIR", cold.resolve("empty-" + i).toString()), 900));
        }
        section.set("jbang_dir_empty", summary(dirEmpty));
        say("cold: the router's three steps with the script cache empty (once)");
        run("cold-open-store", claim(), routerEnv(dispatch(), "cold-open"), workspace()); // the claim measured is not the store's first
        Map<String, String> env = with(routerEnv(dispatch(), "cold"), Map.of("JBANG_DIR", freshHome(cold.resolve("router")).toString()));
        ObjectNode router = section.putObject("router_script_cache_empty");
        double total = 0;
        for (var step : List.of(Map.entry("validate_ms", jbang("validate.java")), Map.entry("dedupe_claim_ms", claim()), Map.entry("route_ms", jbang("route.java")))) {
            flushWrites();
            Result r = require(exec("cold-router-" + step.getKey(), step.getValue(), env, workspace(), true, 900), 0, "cold " + step.getKey());
            router.put(step.getKey(), Math.round(r.wallMs()));
            total += r.wallMs();
        }
        router.put("total_ms", Math.round(total));
        if (!skipFirstEver) {
            say("cold: first run ever, empty JBANG_DIR and empty Maven repository (downloads from Maven Central; once)");
            Path m2 = cold.resolve("m2-empty");
            Result r = coldEmit("cold-first-ever", Map.of("JBANG_DIR", cold.resolve("ever").toString(),
                    "MAVEN_OPTS", "-Dmaven.repo.local=" + m2, "JBANG_REPO", m2.toString()), 1800);
            try (Stream<Path> files = Files.walk(m2)) {
                long bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                section.set("first_run_ever", summary(List.of(r)).put("downloaded_mb", round(bytes / 1048576.0, 1)));
            }
        }
        deleteTree(cold);
        return section;
    }

    /** A JBang home with the wrapper's JBang and launcher archive, and nothing of any script: no build, no saved command. */
    Path freshHome(Path home) throws IOException {
        copyTree(jbangDir.resolve("wrapper"), home.resolve("wrapper"));
        deleteTree(home.resolve("wrapper/fast"));
        return home;
    }

    /** A cold start after `sync`: what its copied files (JBang, its archives: 100 MB or more) and the run before wrote is on disk. */
    Result coldEmit(String label, Map<String, String> extraEnv, int timeoutSeconds) throws Exception {
        flushWrites();
        Result r = require(exec(label, emitCommand(), with(emitEnv(), extraEnv), root, true, timeoutSeconds), 0, label);
        say("  " + label + ": " + Report.ms(r.wallMs()));
        return r;
    }

    void flushWrites() throws Exception {
        capture(List.of("sync"));
    }

    // ---- the machine, the emulator, the environment ------------------------------------------------

    ObjectNode machine() throws Exception {
        ObjectNode m = JSON.createObjectNode().put("nproc", Integer.parseInt(capture(List.of("nproc")).strip()));
        Matcher total = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/meminfo")));
        m.put("memory_mb", total.find() ? Long.parseLong(total.group(1)) / 1024 : -1);
        m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown"));
        m.put("kernel", capture(List.of("uname", "-sr")).strip()).put("java", capture(List.of(javaExecutable(), "-version")).strip());
        List<String> jbang = capture(List.of(root.resolve("jbang").toString(), "--version")).strip().lines().toList(); // the version is the last line
        m.put("jbang", jbang.isEmpty() ? "unknown" : jbang.get(jbang.size() - 1)).put("curl", firstLine(List.of("curl", "--version")));
        m.put("node", capture(List.of("node", "--version")).strip()).put("maven", firstLine(List.of("mvn", "-v")).replaceAll("\u001b\\[[0-9;]*m", ""));
        return m.put("gnu_time", firstLine(List.of("/usr/bin/time", "--version")));
    }

    ObjectNode load() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
        return JSON.createObjectNode().put("loadavg_1m", Double.parseDouble(parts[0])).put("loadavg_5m", Double.parseDouble(parts[1]));
    }

    Path findCheckout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("jbang")) && Files.isRegularFile(dir.resolve("emit.java"))) {
                return dir;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "run this inside the event-bus checkout (no ./jbang and emit.java above " + Path.of("").toAbsolutePath() + ")");
    }

    /** The emulator as after start, with every workflow of workflows/ that has a workflow_dispatch trigger declared with its inputs. */
    void resetEmulator() throws IOException {
        github.reset();
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode workflow = YAML.readTree(f.toFile());
                JsonNode on = workflow.has("on") ? workflow.get("on") : workflow.path("true"); // YAML 1.1 reads a bare `on` as true
                if (on.has("workflow_dispatch")) {
                    Map<String, Boolean> inputs = new LinkedHashMap<>();
                    on.path("workflow_dispatch").path("inputs").properties().forEach(e ->
                            inputs.put(e.getKey(), e.getValue().path("required").asBoolean(false) && !e.getValue().has("default")));
                    github.addWorkflow(REPO, f.getFileName().toString(), inputs, workflow.path("run-name").asText(null));
                }
            }
        }
    }

    /** A request to the emulator's API with the bot's token (set-up, not measured); the answer's JSON. */
    JsonNode api(String method, String path, Object body) throws Exception {
        String text = body instanceof String s ? s : COMPACT.writeValueAsString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(github.url() + path)).timeout(Duration.ofSeconds(120))
                .method(method, HttpRequest.BodyPublishers.ofString(text)).header("Accept", "application/vnd.github+json")
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json").build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? JSON.missingNode() : JSON.readTree(response.body());
    }

    /** Sends an rfc.pr.ready repository_dispatch (not timed) with an id of shard 0; the event file the emulator delivered. */
    Path dispatch() throws Exception {
        return dispatch("rfc.pr.ready", PAYLOAD, eventId(0));
    }

    Path dispatch(String type, String data, String eventId) throws Exception {
        api("POST", "/repos/" + REPO + "/dispatches", "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + eventId
                + "\",\"source\":\"bench\",\"timestamp\":\"" + TIMESTAMP.format(Instant.now()) + "\",\"data\":" + data + "}}");
        List<Path> delivered = github.deliveredEvents(REPO);
        return delivered.get(delivered.size() - 1);
    }

    /**
     * A fresh event id in a given shard of the dedupe store (its first byte mod 8, docs/dedupe.md): the
     * measured claims write a state comment that exists, as nearly every claim does, instead of creating
     * their shard's first one, which costs more and happens eight times in a store's life.
     */
    static String eventId(int shard) {
        return String.format("%02x", 8 * ThreadLocalRandom.current().nextInt(32) + shard) + UUID.randomUUID().toString().substring(2);
    }

    /** The state issue as dedupe finds it: the one its refs name (refs/event-bus/dedupe/<issue>/store). */
    int stateIssue() {
        return github.refs(REPO).stream().map(Pattern.compile("refs/event-bus/dedupe/(\\d+)/store")::matcher).filter(Matcher::matches)
                .map(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow(() -> new IllegalStateException("no dedupe store after a claim"));
    }

    String javaExecutable() {
        String home = System.getenv("JAVA_HOME");
        return home != null && Files.isExecutable(Path.of(home, "bin/java")) ? Path.of(home, "bin/java").toString() : "java";
    }

    List<String> jbang(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(root.resolve("jbang").toString(), root.resolve(script).toString()));
        command.addAll(List.of(args));
        return command;
    }

    List<String> emitCommand() {
        return jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD);
    }

    /** `dedupe claim` as the router runs it, the id taken from the event, or of the id given. */
    List<String> claim(String... id) {
        List<String> command = jbang("dedupe.java", "claim");
        command.addAll(List.of(id));
        command.addAll(List.of("--ttl", dedupeTtl));
        return command;
    }

    static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.putAll(more);
        return copy;
    }

    /** Only what the tools need: nothing of the caller's JBang, Maven or GitHub settings leaks into a measurement. */
    Map<String, String> baseEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        Stream.of("PATH", "HOME", "JAVA_HOME", "TMPDIR", "LANG").filter(name -> System.getenv(name) != null).forEach(name -> env.put(name, System.getenv(name)));
        return with(env, Map.of("JBANG_DIR", jbangDir.toString(), "JBANG_NO_VERSION_CHECK", "true", "NO_COLOR", "1"));
    }

    Map<String, String> emitEnv() {
        return with(baseEnv(), Map.of("GITHUB_API_URL", github.url(), "GITHUB_TOKEN", TOKEN, "GITHUB_REPOSITORY", REPO));
    }

    /** What a router workflow step sees inside Actions (workflows/event-router.yml), for the event file given. */
    Map<String, String> routerEnv(Path event, String name) throws Exception {
        Map<String, String> env = emitEnv();
        Path files = Files.createDirectories(work.resolve("router-files"));
        if (event != null) {
            env.put("GITHUB_EVENT_PATH", event.toString());
        }
        env.putAll(Map.of("GITHUB_ACTIONS", "true", "GITHUB_EVENT_NAME", "repository_dispatch", "GITHUB_WORKSPACE", workspace().toString(),
                "GITHUB_REF_NAME", "main", "GITHUB_SHA", github.branchSha(REPO, "main"), "GITHUB_RUN_ID", "4200000001", "GITHUB_RUN_ATTEMPT", "1",
                "GITHUB_WORKFLOW_REF", REPO + "/.github/workflows/event-router.yml@refs/heads/main"));
        env.putAll(Map.of("GITHUB_OUTPUT", files.resolve(name + ".output").toString(), "GITHUB_STEP_SUMMARY",
                files.resolve(name + ".summary.md").toString(), "EVENT_LOG", files.resolve("event_log.jsonl").toString()));
        return env;
    }

    /** The consuming repository's checkout: .github/event-routes.yml and the workflows, from workflows/. */
    Path workspace() throws IOException {
        Path workspace = work.resolve("router-repo");
        Path workflows = Files.createDirectories(workspace.resolve(".github/workflows"));
        Files.copy(root.resolve("event-routes.yml"), workspace.resolve(".github/event-routes.yml"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                Files.copy(f, workflows.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return workspace;
    }

    // ---- running and timing processes ----------------------------------------------------------

    /** A process run: exit code, wall time, GNU time's peak RSS, how busy the CPUs were before, its output, the API requests it sent. */
    record Result(int exit, double wallMs, long rssKb, double busyBefore, String stdout, String stderr, List<GitHubEmulator.JournalEntry> journal) {
    }

    interface CommandForRun {
        List<String> command(int run) throws Exception;
    }

    interface Check {
        void check(String name, Result result) throws Exception;
    }

    Map<String, List<Result>> interleaved(Map<String, CommandForRun> commands, Function<String, Map<String, String>> envs) throws Exception {
        return interleaved(commands, envs, runs, (name, r) -> { });
    }

    /** Runs each command n times, in rotating order (see rotating); each run must exit 0 and pass the check. */
    Map<String, List<Result>> interleaved(Map<String, CommandForRun> commands, Function<String, Map<String, String>> envs, int n, Check check)
            throws Exception {
        Map<String, List<Result>> samples = new LinkedHashMap<>();
        commands.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
        rotating(List.copyOf(commands.keySet()), n, (i, name) -> {
            Result r = require(exec(name + "-" + i, commands.get(name).command(i), envs.apply(name), root, true, 1800), 0, name);
            check.check(name, r);
            samples.get(name).add(r);
            return r.wallMs();
        });
        return samples;
    }

    interface Turn {
        double run(int i, String name) throws Exception; // the wall time, for the progress line
    }

    /** n runs, each name once a run, in rotating order: none always runs right after the same other one (and inherits its caches). */
    static void rotating(List<String> names, int n, Turn turn) throws Exception {
        for (int i = 0; i < n; i++) {
            List<String> walls = new ArrayList<>();
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((i + k) % names.size());
                walls.add(name + " " + Report.ms(turn.run(i, name)));
            }
            say(String.format(Locale.ROOT, "  run %d/%d: %s", i + 1, n, String.join(", ", walls)));
        }
    }

    /** A command that is not measured (set-up, warm-up, counting requests), which must exit 0. */
    Result run(String label, List<String> command, Map<String, String> env, Path dir) throws Exception {
        return require(exec(label, command, env, dir, false, 600), 0, label);
    }

    /**
     * Runs a command with exactly this environment, stdout and stderr to bench/work/logs/LABEL.*, under
     * GNU time for the peak RSS (the largest process of the tree), the emulator's journal cleared first:
     * the result holds the API requests of this process alone. A measured run first waits for idle CPUs.
     */
    Result exec(String label, List<String> command, Map<String, String> env, Path dir, boolean measured, int timeoutSeconds) throws Exception {
        double busy = measured ? waitQuiet() : -1;
        Path out = logs.resolve(label + ".out");
        Path err = logs.resolve(label + ".err");
        Path rss = logs.resolve(label + ".rss");
        List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M", "-o", rss.toString()));
        timed.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(timed).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        if (github != null) {
            github.clearJournal();
        }
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException(label + ": timed out after " + timeoutSeconds + " s: " + command);
        }
        double wallMs = (System.nanoTime() - start) / 1e6;
        // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
        List<String> rssLines = Files.readAllLines(rss).stream().filter(l -> l.matches("\\d+")).toList();
        long rssKb = rssLines.isEmpty() ? -1 : Long.parseLong(rssLines.get(rssLines.size() - 1));
        return new Result(process.exitValue(), wallMs, rssKb, busy, Files.readString(out), Files.readString(err),
                github == null ? List.of() : github.journal());
    }

    static Result require(Result r, int exit, String what) {
        if (r.exit() != exit) {
            throw new IllegalStateException(what + ": exit " + r.exit() + " (expected " + exit + "): " + tail(r.stderr() + "\n" + r.stdout()));
        }
        return r;
    }

    /** dedupe claim prints its answer, `new` or `duplicate`, on stdout. */
    static Result requireAnswer(Result r, String answer, String what) {
        if (!require(r, 0, what).stdout().strip().equals(answer)) {
            throw new IllegalStateException(what + " answered '" + r.stdout().strip() + "' instead of '" + answer + "'");
        }
        return r;
    }

    static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    String capture(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("JBANG_DIR", jbangDir.toString(), "JBANG_NO_VERSION_CHECK", "true"));
        Process process = builder.start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(600, TimeUnit.SECONDS);
        return text;
    }

    String firstLine(List<String> command) throws Exception {
        return capture(command).lines().findFirst().orElse("").strip();
    }

    /** Waits until the CPUs are idle (less than --quiet-below percent busy over 0.3 s), at most --quiet-timeout s; how busy they were. */
    double waitQuiet() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(quietTimeout);
        double busy;
        do {
            long[] before = cpuTimes();
            Thread.sleep(300);
            long[] after = cpuTimes();
            double total = after[0] - before[0];
            busy = total <= 0 ? 0 : 100.0 * (1 - (after[1] - before[1]) / total);
        } while (busy >= quietBelow && System.nanoTime() < deadline);
        return busy;
    }

    /** {total, idle + iowait} jiffies from /proc/stat. */
    static long[] cpuTimes() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
    }

    // ---- statistics and files ---------------------------------------------------------------------

    static List<Double> walls(List<Result> results) {
        return results.stream().map(Result::wallMs).toList();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** A row of results.json for a series of wall times: n, median, min and max. */
    static ObjectNode wallSummary(List<Double> wallsMs) {
        return JSON.createObjectNode().put("n", wallsMs.size()).put("median_ms", round(median(wallsMs), 1))
                .put("min_ms", round(Collections.min(wallsMs), 1)).put("max_ms", round(Collections.max(wallsMs), 1));
    }

    /** A row of results.json for a count per run (requests, records): n, median, min and max. */
    static ObjectNode countSummary(List<Double> counts) {
        return JSON.createObjectNode().put("n", counts.size()).put("median", median(counts))
                .put("min", Collections.min(counts)).put("max", Collections.max(counts));
    }

    static ObjectNode requestSummary(List<Result> results) {
        return countSummary(results.stream().map(r -> (double) r.journal().size()).toList());
    }

    /** A row of results.json for a series of runs: the wall times, the median peak RSS, how busy the CPUs were before (median). */
    static ObjectNode summary(List<Result> results) {
        return wallSummary(walls(results)).put("rss_mb", round(median(results.stream().map(r -> r.rssKb() / 1024.0).toList()), 1))
                .put("cpu_busy_percent", round(median(results.stream().map(Result::busyBefore).toList()), 1));
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Copies a tree, except the temporary archives a launcher JVM may be writing at that moment (NAME.jsa.XXXXXX). */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().matches(".*\\.(jsa|aot)\\.[A-Za-z0-9]{6}|.*\\.aot\\.(config|tmp)\\..*|.*\\.pending")) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void say(String message) {
        System.err.println("bench: " + message);
    }
}
