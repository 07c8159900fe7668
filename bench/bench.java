///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Benchmark event-bus on this machine: start-up, API requests per operation and throughput, beside curl, node and ajv-cli.
//DESCRIPTION
//DESCRIPTION Usage: ./jbang bench/bench.java [--runs N] [--experiments] [--skip-cold] [--skip-first-ever] [--only SECTION,...]
//DESCRIPTION Sections: emit, router, throughput, capacity, cold, experiments (the last only with --experiments).
//DESCRIPTION Runs the scripts through ./jbang against the local GitHub emulator (tests/GitHubEmulator.java, 127.0.0.1 only),
//DESCRIPTION each figure the median of --runs runs (7), each run started when the CPUs are idle (other processes
//DESCRIPTION below --quiet-below percent busy, waiting at most --quiet-timeout seconds).
//DESCRIPTION Writes bench/results.json and bench/results.md; generated data and logs go to bench/work/ (git-ignored).
//DESCRIPTION Needs: Java 17+, Maven, curl, Node.js 18+ and npm (ajv-cli is installed into bench/work/), GNU time.
//DESCRIPTION Exit codes: 0 measured, 1 a measurement failed, 2 invalid usage.
//DESCRIPTION Example: ./jbang bench/bench.java --experiments
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, version = "bench 1.0",
        description = {"Measures event-bus on this machine and writes bench/results.md and bench/results.json.",
            "Every figure is the median of repeated runs; each run starts when the CPUs are idle."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:measured", "1:a measurement failed", "2:invalid usage"})
class bench implements Callable<Integer> {

    static final List<String> SECTIONS = List.of("emit", "router", "throughput", "capacity", "experiments", "cold");
    static final String REPO = "octo-org/octo-repo";
    static final String TOKEN = "ghs_emulatorDefaultToken000000000000000";
    static final String PAYLOAD = "{\"pr\":456,\"checks_status\":\"green\"}";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper YAML = new YAMLMapper();

    @Option(names = "--runs", defaultValue = "7", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--throughput-runs", defaultValue = "3", description = "runs per throughput figure (default: ${DEFAULT-VALUE})")
    int throughputRuns;

    @Option(names = "--cold-runs", defaultValue = "3", description = "runs per cold start with a filled ~/.m2 (default: ${DEFAULT-VALUE})")
    int coldRuns;

    @Option(names = "--lines", defaultValue = "100000", description = "lines of the generated event log (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--experiments", description = "also measure the start-up options tried (launcher and script JVMs)")
    boolean experiments;

    @Option(names = "--experiment", split = ",", paramLabel = "ID",
            description = "with --only experiments: run only these experiments (launcher, wrapper, jvm-SCRIPT, emit-phases, validate-jit, "
                    + "header-SCRIPT, client-SCRIPT, aot-launcher, aot-emit) and keep the others' previous results")
    List<String> experimentIds;

    @Option(names = "--render", description = "measure nothing: write bench/results.md again from bench/results.json")
    boolean render;

    @Option(names = "--skip-cold", description = "skip the cold starts")
    boolean skipCold;

    @Option(names = "--skip-first-ever", description = "skip the cold start with an empty Maven repository (downloads from Maven Central)")
    boolean skipFirstEver;

    @Option(names = "--only", split = ",", paramLabel = "SECTION",
            description = "measure only these sections and keep the others from the previous results.json: ${COMPLETION-CANDIDATES}",
            completionCandidates = Sections.class)
    List<String> only;

    @Option(names = "--quiet-below", defaultValue = "25", description = "start a run only when the CPUs are less busy than this percentage (default: ${DEFAULT-VALUE})")
    double quietBelow;

    @Option(names = "--quiet-timeout", defaultValue = "60", description = "seconds to wait for idle CPUs before a run starts anyway (default: ${DEFAULT-VALUE})")
    int quietTimeout;

    @Spec
    CommandSpec spec;

    Path root;
    Path work;
    Path logs;
    Path jbangDir;
    String dedupeTtl;
    final Random random = new Random(20261127L);

    static final class Sections extends ArrayList<String> {
        Sections() {
            super(SECTIONS);
        }
    }

    public static void main(String... args) {
        System.exit(new CommandLine(new bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (only != null) {
            for (String section : only) {
                if (!SECTIONS.contains(section)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown section '" + section + "', expected one of " + SECTIONS);
                }
            }
        }
        root = findCheckout();
        work = root.resolve("bench/work");
        logs = work.resolve("logs");
        jbangDir = work.resolve("jbang-home");
        Files.createDirectories(logs);
        dedupeTtl = routerTtl();

        Path jsonFile = root.resolve("bench/results.json");
        if (render) {
            ObjectNode results = (ObjectNode) JSON.readTree(jsonFile.toFile());
            markHeadersInUse(results);
            results.set("targets", targets(results));
            JSON.writeValue(jsonFile.toFile(), results);
            Files.writeString(root.resolve("bench/results.md"), Markdown.render(results));
            say("wrote bench/results.md from " + root.relativize(jsonFile));
            return 0;
        }
        ObjectNode results = only != null && Files.exists(jsonFile) ? (ObjectNode) JSON.readTree(jsonFile.toFile()) : JSON.createObjectNode();
        results.put("generated_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        results.put("runs", runs);
        results.put("quiet_below_percent", quietBelow);
        results.set("machine", machine());
        results.set("load_before", load());

        installNodeTools();
        deleteTree(work.resolve("events")); // event files the emulator delivered in earlier runs
        try (Emulator emulator = Emulator.start(this)) {
            warmUp(emulator);
            if (wanted("emit")) {
                results.set("emit", emitSection(emulator));
            }
            if (wanted("router")) {
                emulator.reset();
                results.set("router", routerSection(emulator));
            }
            if (wanted("throughput")) {
                results.set("throughput", throughputSection());
            }
            if (wanted("capacity")) {
                emulator.reset();
                results.set("dedupe_capacity", capacitySection(emulator));
            }
            if (wanted("experiments") && (experiments || only != null && only.contains("experiments"))) {
                emulator.reset();
                results.set("experiments", experimentsSection(emulator, results.path("experiments")));
            }
            if (wanted("cold") && !skipCold) {
                emulator.reset();
                results.set("cold", coldSection(emulator));
            }
        }
        results.set("load_after", load());
        markHeadersInUse(results);
        results.set("targets", targets(results));
        JSON.writeValue(jsonFile.toFile(), results);
        Files.writeString(root.resolve("bench/results.md"), Markdown.render(results));
        say("wrote " + root.relativize(jsonFile) + " and bench/results.md");
        return 0;
    }

    boolean wanted(String section) {
        return only == null || only.contains(section);
    }

    // ---- machine and versions -----------------------------------------------------------------

    ObjectNode machine() throws Exception {
        ObjectNode m = JSON.createObjectNode();
        m.put("nproc", Integer.parseInt(capture(List.of("nproc")).strip()));
        String meminfo = Files.readString(Path.of("/proc/meminfo"));
        Matcher total = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(meminfo);
        m.put("memory_mb", total.find() ? Long.parseLong(total.group(1)) / 1024 : -1);
        m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown"));
        m.put("kernel", capture(List.of("uname", "-sr")).strip());
        m.put("java", capture(List.of(javaExecutable(), "-version")).strip());
        List<String> jbangOut = capture(List.of(root.resolve("jbang").toString(), "--version")).strip().lines().toList();
        m.put("jbang", jbangOut.isEmpty() ? "unknown" : jbangOut.get(jbangOut.size() - 1));
        m.put("curl", capture(List.of("curl", "--version")).lines().findFirst().orElse("").strip());
        m.put("node", capture(List.of("node", "--version")).strip());
        m.put("maven", capture(List.of("mvn", "-v")).lines().findFirst().orElse("").replaceAll("\u001b\\[[0-9;]*m", "").strip());
        m.put("gnu_time", capture(List.of("/usr/bin/time", "--version")).lines().findFirst().orElse("").strip());
        return m;
    }

    ObjectNode load() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
        ObjectNode l = JSON.createObjectNode();
        l.put("loadavg_1m", Double.parseDouble(parts[0]));
        l.put("loadavg_5m", Double.parseDouble(parts[1]));
        return l;
    }

    /** ajv-cli 5 and ajv-formats 2 into bench/work/node_modules, once. */
    void installNodeTools() throws Exception {
        if (!Files.exists(work.resolve("node_modules/ajv-cli/package.json")) || !Files.exists(work.resolve("node_modules/ajv-formats/package.json"))) {
            say("installing ajv-cli@5 and ajv-formats@2 into bench/work with npm");
            Result r = exec("npm-install", List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", work.toString(), "ajv-cli@5", "ajv-formats@2"),
                    baseEnv(), root, false, 600);
            require(r, 0, "npm install ajv-cli ajv-formats");
        }
    }

    String nodePackageVersion(String name) throws IOException {
        return JSON.readTree(work.resolve("node_modules/" + name + "/package.json").toFile()).path("version").asText();
    }

    // ---- warm-up ----------------------------------------------------------------------------

    /** Each script runs twice before anything is measured: compiled, dependencies resolved, archives written. */
    void warmUp(Emulator emulator) throws Exception {
        say("warming up: each script twice (a first run may compile it and write class-data sharing archives)");
        Path workspace = workspace();
        for (int i = 0; i < 2; i++) {
            require(exec("warmup-emit", jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), emitEnv(emulator), root, false, 600), 0, "emit warm-up");
            Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
            Map<String, String> env = routerEnv(emulator, event, "warmup");
            require(exec("warmup-validate", jbang("validate.java"), env, workspace, false, 600), 0, "validate warm-up");
            if (dedupeAvailable()) {
                Result claim = exec("warmup-dedupe", jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace, false, 600);
                if (claim.exit() != 0) {
                    say("dedupe claim failed in the warm-up (exit " + claim.exit() + "): " + claim.stderrTail());
                }
            }
            require(exec("warmup-route", jbang("route.java"), env, workspace, false, 600), 0, "route warm-up");
        }
    }

    // ---- 1. emit beside curl and node -------------------------------------------------------

    ObjectNode emitSection(Emulator emulator) throws Exception {
        say("emit: ./jbang emit.java, curl and node, " + runs + " runs each, interleaved");
        Map<String, List<Result>> samples = new LinkedHashMap<>();
        List<Integer> requests = new ArrayList<>();
        List<String> order = List.of("jbang_emit", "curl", "node");
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < order.size(); k++) {
                String tool = order.get((i + k) % order.size()); // rotate, so no tool always runs right after another
                Result r;
                switch (tool) {
                    case "jbang_emit" -> {
                        emulator.clearJournal();
                        r = exec("emit-" + i, jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), emitEnv(emulator), root, true, 300);
                        require(r, 0, "emit");
                        requests.add(emulator.journal().size());
                    }
                    case "curl" -> {
                        Path body = writeBody("curl-" + i);
                        r = exec("curl-" + i, List.of("curl", "-sS", "-f", "-o", "/dev/null", "-X", "POST",
                                "-H", "Accept: application/vnd.github+json", "-H", "Authorization: Bearer " + TOKEN,
                                "-H", "X-GitHub-Api-Version: 2022-11-28", "-H", "Content-Type: application/json",
                                "--data-binary", "@" + body, emulator.url + "/repos/" + REPO + "/dispatches"), emitEnv(emulator), root, true, 60);
                        require(r, 0, "curl");
                    }
                    default -> {
                        Path body = writeBody("node-" + i);
                        r = exec("node-" + i, List.of("node", root.resolve("bench/dispatch.mjs").toString(), body.toString()), emitEnv(emulator), root, true, 60);
                        require(r, 0, "node");
                    }
                }
                samples.computeIfAbsent(tool, t -> new ArrayList<>()).add(r);
            }
            say(String.format(Locale.ROOT, "  run %d/%d: emit %.0f ms, curl %.0f ms, node %.0f ms", i + 1, runs,
                    last(samples, "jbang_emit").wallMs(), last(samples, "curl").wallMs(), last(samples, "node").wallMs()));
        }
        ObjectNode section = JSON.createObjectNode();
        section.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        section.put("command", "./jbang emit.java rfc.pr.ready --payload '" + PAYLOAD + "'");
        for (var e : samples.entrySet()) {
            section.set(e.getKey(), series(e.getValue()));
        }
        double emit = median(walls(samples.get("jbang_emit")));
        double curl = median(walls(samples.get("curl")));
        double node = median(walls(samples.get("node")));
        ObjectNode ratios = section.putObject("ratios");
        ratios.put("emit_vs_curl_wall", round(emit / curl, 1));
        ratios.put("emit_vs_node_wall", round(emit / node, 1));
        ratios.put("node_vs_curl_wall", round(node / curl, 1));
        double emitRss = median(rss(samples.get("jbang_emit")));
        ratios.put("emit_vs_curl_rss", round(emitRss / median(rss(samples.get("curl"))), 1));
        ratios.put("emit_vs_node_rss", round(emitRss / median(rss(samples.get("node"))), 1));
        section.set("requests_per_emit", intStats(requests));
        section.put("process_floor_ms", round(processFloor(), 1));
        return section;
    }

    Path writeBody(String name) throws IOException {
        String id = UUID.randomUUID().toString();
        ObjectNode body = JSON.createObjectNode();
        body.put("event_type", "rfc.pr.ready");
        ObjectNode payload = body.putObject("client_payload");
        payload.put("event_id", id);
        payload.put("source", "emit-cli");
        payload.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        payload.put("trace_id", id);
        payload.set("data", JSON.readTree(PAYLOAD));
        Path file = work.resolve("bodies/" + name + ".json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, new ObjectMapper().writeValueAsString(body));
        return file;
    }

    /** What starting a process costs the harness itself: /usr/bin/time around /bin/true. */
    double processFloor() throws Exception {
        List<Double> walls = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            walls.add(exec("floor", List.of("/bin/true"), baseEnv(), root, true, 10).wallMs());
        }
        return median(walls);
    }

    // ---- 2. the router's three steps --------------------------------------------------------

    ObjectNode routerSection(Emulator emulator) throws Exception {
        boolean dedupe = dedupeAvailable();
        say("router: validate, " + (dedupe ? "dedupe claim --ttl " + dedupeTtl + ", " : "") + "route on a fresh rfc.pr.ready event, " + runs + " runs");
        Path workspace = workspace();
        List<Result> validate = new ArrayList<>();
        List<Result> claim = new ArrayList<>();
        List<Result> route = new ArrayList<>();
        List<Double> totals = new ArrayList<>();
        List<Integer> validateRequests = new ArrayList<>();
        List<Integer> claimRequests = new ArrayList<>();
        List<Integer> claimCounted = new ArrayList<>();
        List<Integer> routeRequests = new ArrayList<>();
        String dedupeProblem = dedupe ? null : "n/a (dedupe.java not yet present)";
        ArrayNode lastClaimJournal = JSON.createArrayNode();
        // The first claim ever opens the state issue; it is not an uncontended steady-state claim.
        ObjectNode firstClaim = null;
        if (dedupe) {
            Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
            Map<String, String> env = routerEnv(emulator, event, "first");
            emulator.clearJournal();
            Result r = exec("router-first-claim", jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace, false, 300);
            firstClaim = JSON.createObjectNode();
            firstClaim.put("exit", r.exit());
            firstClaim.put("requests", emulator.journal().size());
            firstClaim.set("journal", emulator.journalSummary());
            if (r.exit() != 0) {
                dedupeProblem = "dedupe.java claim failed (exit " + r.exit() + "): " + r.stderrTail();
                dedupe = false;
            }
        }
        for (int i = 0; i < runs; i++) {
            Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
            Map<String, String> env = routerEnv(emulator, event, "run-" + i);
            emulator.clearJournal();
            Result v = exec("router-validate-" + i, jbang("validate.java"), env, workspace, true, 300);
            require(v, 0, "validate");
            validateRequests.add(emulator.journal().size());
            validate.add(v);
            double total = v.wallMs();
            if (dedupe) {
                emulator.clearJournal();
                Result c = exec("router-dedupe-" + i, jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace, true, 300);
                require(c, 0, "dedupe claim");
                if (!c.stdout().strip().equals("new")) {
                    throw new IllegalStateException("dedupe claim of a fresh event answered '" + c.stdout().strip() + "'");
                }
                List<JsonNode> journal = emulator.journal();
                lastClaimJournal = Emulator.summary(journal);
                claimRequests.add(journal.size());
                claimCounted.add((int) journal.stream().filter(e -> e.path("status").asInt() != 304).count());
                claim.add(c);
                total += c.wallMs();
            }
            emulator.clearJournal();
            Result r = exec("router-route-" + i, jbang("route.java"), env, workspace, true, 300);
            require(r, 0, "route");
            routeRequests.add(emulator.journal().size());
            route.add(r);
            total += r.wallMs();
            totals.add(total);
            say(String.format(Locale.ROOT, "  run %d/%d: validate %.0f ms, claim %s, route %.0f ms, total %.0f ms", i + 1, runs, v.wallMs(),
                    dedupe ? String.format(Locale.ROOT, "%.0f ms", claim.get(claim.size() - 1).wallMs()) : "n/a", r.wallMs(), total));
        }
        ObjectNode section = JSON.createObjectNode();
        section.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        section.put("event", "rfc.pr.ready, one route (merge-orchestrator.yml)");
        section.put("dedupe_ttl", dedupeTtl);
        section.set("validate", series(validate));
        if (dedupe) {
            section.set("dedupe_claim", series(claim));
        } else {
            section.put("dedupe_claim", dedupeProblem);
        }
        section.set("route", series(route));
        section.set("total_per_event", stats(totals));
        ObjectNode requests = section.putObject("requests");
        requests.set("validate", intStats(validateRequests));
        if (dedupe) {
            requests.set("claim_uncontended_new", intStats(claimRequests));
            requests.set("claim_uncontended_new_rate_limited", intStats(claimCounted));
            requests.set("claim_uncontended_new_journal", lastClaimJournal);
            requests.set("claim_first_ever", firstClaim);
            requests.set("claim_duplicate", duplicateClaim(emulator, workspace));
            requests.set("claim_with_state_issue_known", claimWithStateIssue(emulator, workspace));
        } else {
            requests.put("claim_uncontended_new", dedupeProblem);
        }
        requests.set("route_per_target_one_target", intStats(routeRequests));
        requests.set("route_two_targets", twoTargetRoute(emulator, workspace));
        return section;
    }

    /** A second claim of an id already claimed: how many requests a duplicate costs. */
    ObjectNode duplicateClaim(Emulator emulator, Path workspace) throws Exception {
        Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
        Map<String, String> env = routerEnv(emulator, event, "duplicate");
        require(exec("router-claim-once", jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace, false, 300), 0, "dedupe claim");
        emulator.clearJournal();
        Result r = exec("router-claim-twice", jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace, false, 300);
        require(r, 0, "dedupe claim (duplicate)");
        ObjectNode n = JSON.createObjectNode();
        n.put("answer", r.stdout().strip());
        n.put("requests", emulator.journal().size());
        n.set("journal", emulator.journalSummary());
        return n;
    }

    /** A claim with EVENT_BUS_STATE_ISSUE set: dedupe need not look the state issue up. */
    ObjectNode claimWithStateIssue(Emulator emulator, Path workspace) throws Exception {
        Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
        Map<String, String> env = routerEnv(emulator, event, "state-issue");
        env.put("EVENT_BUS_STATE_ISSUE", "1");
        emulator.clearJournal();
        Result r = exec("router-claim-state-issue", jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace, false, 300);
        require(r, 0, "dedupe claim with EVENT_BUS_STATE_ISSUE");
        ObjectNode n = JSON.createObjectNode();
        n.put("answer", r.stdout().strip());
        n.put("requests", emulator.journal().size());
        n.set("journal", emulator.journalSummary());
        return n;
    }

    /** rfc.pr.created has two routes: requests per routed target when there are several. */
    ObjectNode twoTargetRoute(Emulator emulator, Path workspace) throws Exception {
        Path event = emulator.dispatchAndGetEvent("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}");
        emulator.clearJournal();
        Result r = exec("router-route-two", jbang("route.java"), routerEnv(emulator, event, "two"), workspace, false, 300);
        require(r, 0, "route (two targets)");
        ObjectNode n = JSON.createObjectNode();
        n.put("targets", r.stdout().lines().filter(l -> l.startsWith("dispatched")).count());
        n.put("requests", emulator.journal().size());
        n.set("journal", emulator.journalSummary());
        return n;
    }

    // ---- 3. validate throughput beside ajv ---------------------------------------------------

    ObjectNode throughputSection() throws Exception {
        Path log = eventLog();
        Path split = splitForAjvCli(log);
        say("throughput: " + lines + " events, validate.java vs ajv-cli (one file per event) vs Ajv over the JSON Lines, " + throughputRuns + " runs");
        Path schemas = root.resolve("schemas");
        List<Result> validate = new ArrayList<>();
        List<Double> ajvCli = new ArrayList<>();
        List<Double> ajvCliRss = new ArrayList<>();
        List<Result> ajvJsonl = new ArrayList<>();
        Map<String, String> nodeEnv = new LinkedHashMap<>(baseEnv());
        nodeEnv.put("NODE_PATH", work.resolve("node_modules").toString());
        for (int i = 0; i < throughputRuns; i++) {
            Result v = exec("throughput-validate-" + i, jbang("validate.java", "--schemas", schemas.toString(), log.toString()), baseEnv(), root, true, 1800);
            require(v, 0, "validate.java on the event log");
            checkSummary(v.stderr(), "validate.java");
            validate.add(v);

            double wall = 0;
            long peak = 0;
            int valid = 0;
            for (String type : eventTypes()) {
                Result a = exec("throughput-ajv-cli-" + type + "-" + i, List.of("node", work.resolve("node_modules/ajv-cli/dist/index.js").toString(),
                        "validate", "--spec=draft2020", "--strict=false", "--all-errors", "-c", "ajv-formats",
                        "-s", schemas.resolve("events/" + type + ".schema.json").toString(),
                        "-r", schemas.resolve("envelope.schema.json").toString(),
                        "-d", split.resolve(type) + "/*.json"), nodeEnv, work, true, 1800);
                require(a, 0, "ajv-cli on " + type);
                valid += (int) (a.stdout() + "\n" + a.stderr()).lines().filter(l -> l.endsWith(" valid")).count();
                wall += a.wallMs();
                peak = Math.max(peak, a.rssKb());
            }
            if (valid != lines) {
                throw new IllegalStateException("ajv-cli reported " + valid + " valid files of " + lines);
            }
            ajvCli.add(wall);
            ajvCliRss.add(peak / 1024.0);

            Result j = exec("throughput-ajv-jsonl-" + i, List.of("node", root.resolve("bench/ajv-jsonl.mjs").toString(), schemas.toString(), log.toString()),
                    nodeEnv, root, true, 1800);
            require(j, 0, "Ajv over the JSON Lines");
            checkSummary(j.stderr(), "ajv-jsonl.mjs");
            ajvJsonl.add(j);
            say(String.format(Locale.ROOT, "  run %d/%d: validate.java %.1f s, ajv-cli %.1f s, Ajv JSONL %.1f s", i + 1, throughputRuns,
                    v.wallMs() / 1000, wall / 1000, j.wallMs() / 1000));
        }
        ObjectNode section = JSON.createObjectNode();
        section.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        section.put("events", lines);
        section.put("file", root.relativize(log).toString());
        section.put("file_bytes", Files.size(log));
        section.put("ajv_cli", "ajv-cli " + nodePackageVersion("ajv-cli") + " (ajv " + nodePackageVersion("ajv") + ", ajv-formats "
                + nodePackageVersion("ajv-formats") + ")");
        ObjectNode v = series(validate);
        v.put("events_per_second", Math.round(lines / (median(walls(validate)) / 1000)));
        section.set("validate_java", v);
        ObjectNode a = JSON.createObjectNode();
        a.set("wall_ms", stats(ajvCli));
        a.set("rss_mb", stats(ajvCliRss));
        a.put("events_per_second", Math.round(lines / (median(ajvCli) / 1000)));
        a.put("how", "one JSON file per event, one ajv-cli run per event type (5 runs, times added): "
                + "--spec=draft2020 --strict=false --all-errors -c ajv-formats -s events/<type>.schema.json -r envelope.schema.json -d \"<type>/*.json\"");
        section.set("ajv_cli_files", a);
        ObjectNode j = series(ajvJsonl);
        j.put("events_per_second", Math.round(lines / (median(walls(ajvJsonl)) / 1000)));
        j.put("how", "bench/ajv-jsonl.mjs: the same Ajv (Ajv2020, ajv-formats, strict off, allErrors) in one node process over the JSON Lines file");
        section.set("ajv_jsonl", j);
        section.put("validate_vs_ajv_cli", round(median(ajvCli) / median(walls(validate)), 2));
        section.put("validate_vs_ajv_jsonl", round(median(walls(ajvJsonl)) / median(walls(validate)), 2));
        return section;
    }

    void checkSummary(String stderr, String tool) {
        String expected = lines + " events checked: " + lines + " valid, 0 invalid";
        if (!stderr.contains(expected)) {
            throw new IllegalStateException(tool + " did not report '" + expected + "': " + tail(stderr));
        }
    }

    List<String> eventTypes() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("schemas/events"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".schema.json"))
                    .map(n -> n.substring(0, n.length() - ".schema.json".length())).sorted().toList();
        }
    }

    /** The event log: the valid examples of every event type, in turn, each line with a fresh event_id. */
    Path eventLog() throws Exception {
        Path log = work.resolve("events-" + lines + ".jsonl");
        if (Files.exists(log) && Files.lines(log).count() == lines) {
            return log;
        }
        List<ObjectNode> examples = new ArrayList<>();
        for (String type : eventTypes()) {
            try (Stream<Path> files = Files.list(root.resolve("schemas/examples/" + type))) {
                for (Path p : files.filter(f -> f.getFileName().toString().startsWith("valid-")).sorted().toList()) {
                    examples.add((ObjectNode) JSON.readTree(p.toFile()));
                }
            }
        }
        ObjectMapper compact = new ObjectMapper();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            ObjectNode event = examples.get(i % examples.size()).deepCopy();
            ((ObjectNode) event.get("client_payload")).put("event_id", new UUID(random.nextLong() & ~0xF000L | 0x4000L,
                    random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L).toString());
            text.append(compact.writeValueAsString(event)).append('\n');
        }
        Files.writeString(log, text);
        say("generated " + root.relativize(log) + ": " + lines + " events from " + examples.size() + " valid examples");
        return log;
    }

    /** ajv-cli reads one JSON document per file: the same events, one file each, by event type. */
    Path splitForAjvCli(Path log) throws IOException {
        Path dir = work.resolve("ajv-split-" + lines);
        Path done = dir.resolve(".complete");
        if (Files.exists(done)) {
            return dir;
        }
        deleteTree(dir);
        List<String> all = Files.readAllLines(log);
        for (int i = 0; i < all.size(); i++) {
            String type = JSON.readTree(all.get(i)).path("event_type").asText();
            Path file = dir.resolve(type).resolve(String.format(Locale.ROOT, "%06d.json", i));
            Files.createDirectories(file.getParent());
            Files.writeString(file, all.get(i));
        }
        Files.writeString(done, "");
        return dir;
    }

    // ---- 4. dedupe store capacity ------------------------------------------------------------

    ObjectNode capacitySection(Emulator emulator) throws Exception {
        ObjectNode section = JSON.createObjectNode();
        section.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (!dedupeAvailable()) {
            section.put("status", "n/a (dedupe.java not yet present)");
            return section;
        }
        say("capacity: the dedupe state comment filled to GitHub's 65,536-character limit, then claims at capacity");
        Path workspace = workspace();
        Map<String, String> env = routerEnv(emulator, null, "capacity");
        Result first = exec("capacity-first-claim", jbang("dedupe.java", "claim", UUID.randomUUID().toString(), "--ttl", dedupeTtl), env, workspace, false, 300);
        if (first.exit() != 0) {
            section.put("status", "dedupe.java claim failed (exit " + first.exit() + "): " + first.stderrTail());
            return section;
        }
        Matcher issue = Pattern.compile("state issue #(\\d+)").matcher(first.stderr());
        if (!issue.find()) {
            section.put("status", "could not tell the state issue from dedupe's output: " + first.stderrTail());
            return section;
        }
        int number = Integer.parseInt(issue.group(1));
        long ttlSeconds = parseTtl(dedupeTtl);
        ArrayNode scenarios = section.putArray("scenarios");
        scenarios.add(capacityScenario(emulator, workspace, env, number, "one TTL (" + dedupeTtl + ", the router's), claims spread over it",
                List.of(ttlSeconds)));
        long other = ttlSeconds == 3600 ? 86_400 : 3600;
        scenarios.add(capacityScenario(emulator, workspace, env, number, "two TTLs (" + dedupeTtl + " and " + formatTtl(other)
                + ", half each): the longest entry lines", List.of(ttlSeconds, other)));
        section.put("status", "measured");
        return section;
    }

    static final Pattern ENTRY_LINE = Pattern.compile("^([A-Za-z0-9_-]{22}) ([0-9a-z]{1,12})(?: ([0-9a-z]{1,3}))?$");

    /**
     * Rewrites the state comment dedupe wrote with as many entries as fit in 65,536 characters,
     * in dedupe's own format (taken from the comment itself), then claims new ids: each claim at
     * capacity must evict. Capacity is what `dedupe show --json` counts afterwards.
     */
    ObjectNode capacityScenario(Emulator emulator, Path workspace, Map<String, String> env, int issue, String name, List<Long> ttls) throws Exception {
        ObjectNode scenario = JSON.createObjectNode();
        scenario.put("scenario", name);
        JsonNode comment = emulator.stateComment(issue);
        String body = comment.path("body").asText();
        List<String> bodyLines = body.lines().toList();
        int fence = bodyLines.indexOf("```dedupe");
        if (fence < 0) {
            scenario.put("status", "the state comment has no ```dedupe block");
            return scenario;
        }
        List<String> head = new ArrayList<>(bodyLines.subList(0, fence + 1));
        List<String> settings = new ArrayList<>();
        for (String line : bodyLines.subList(fence + 1, bodyLines.size())) {
            if (line.equals("```")) {
                break;
            }
            if (!ENTRY_LINE.matcher(line).matches() && !line.startsWith("base ") && !line.startsWith("ttl ")) {
                settings.add(line);
            }
        }
        long now = Instant.now().getEpochSecond();
        long base = now + 60;
        settings.add("base " + base);
        settings.add("ttl " + ttls.stream().map(String::valueOf).collect(Collectors.joining(" ")));
        StringBuilder text = new StringBuilder();
        head.forEach(l -> text.append(l).append('\n'));
        settings.forEach(l -> text.append(l).append('\n'));
        int entries = 0;
        byte[] id = new byte[16];
        while (true) {
            int ttlIndex = entries % ttls.size();
            long ttl = ttls.get(ttlIndex);
            long expires = base + (long) (random.nextDouble() * (ttl - 120));
            random.nextBytes(id);
            String line = Base64.getUrlEncoder().withoutPadding().encodeToString(id) + " " + Long.toString(expires - base, 36)
                    + (ttlIndex > 0 ? " " + Integer.toString(ttlIndex, 36) : "") + "\n";
            if (text.length() + line.length() + "```\n".length() > 65_536) {
                break;
            }
            text.append(line);
            entries++;
        }
        text.append("```\n");
        emulator.updateComment(comment.path("id").asLong(), text.toString());
        scenario.put("entries_written", entries);
        scenario.put("characters_written", text.length());

        List<Result> claims = new ArrayList<>();
        List<Integer> requests = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            emulator.clearJournal();
            Result r = exec("capacity-claim-" + i, jbang("dedupe.java", "claim", UUID.randomUUID().toString(), "--ttl", dedupeTtl), env, workspace, true, 300);
            require(r, 0, "dedupe claim at capacity");
            if (!r.stdout().strip().equals("new")) {
                throw new IllegalStateException("a claim at capacity answered '" + r.stdout().strip() + "'");
            }
            requests.add(emulator.journal().size());
            claims.add(r);
        }
        scenario.set("claim_at_capacity", series(claims));
        scenario.set("claim_at_capacity_requests", intStats(requests));
        Result show = exec("capacity-show", jbang("dedupe.java", "show", "--json"), env, workspace, false, 300);
        require(show, 0, "dedupe show --json");
        JsonNode shown = JSON.readTree(show.stdout());
        scenario.put("live_entries", shown.path("live").asInt(-1));
        scenario.put("comment_characters", emulator.stateComment(issue).path("body").asText().length());
        scenario.put("status", "measured");
        say(String.format(Locale.ROOT, "  %s: %d live entries, claim at capacity %.0f ms, %d requests", name, shown.path("live").asInt(-1),
                median(walls(claims)), requests.get(requests.size() - 1)));
        return scenario;
    }

    static long parseTtl(String ttl) {
        Matcher m = Pattern.compile("(\\d+)([smhd])").matcher(ttl);
        if (!m.matches()) {
            return 3600;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n * 86_400;
        };
    }

    static String formatTtl(long seconds) {
        return seconds % 86_400 == 0 ? seconds / 86_400 + "d" : seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds / 60 + "m";
    }

    // ---- 5. cold starts ------------------------------------------------------------------------

    ObjectNode coldSection(Emulator emulator) throws Exception {
        ObjectNode section = JSON.createObjectNode();
        section.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        section.put("command", "./jbang emit.java rfc.pr.ready --payload '" + PAYLOAD + "'");
        Path cold = work.resolve("cold");
        deleteTree(cold);
        Files.createDirectories(cold);

        say("cold: JBang installed, script cache empty, ~/.m2 filled (" + coldRuns + " runs)");
        List<Result> installed = new ArrayList<>();
        for (int i = 0; i < coldRuns; i++) {
            Path dir = cold.resolve("installed-" + i);
            copyTree(jbangDir.resolve("wrapper"), dir.resolve("wrapper"));
            Map<String, String> env = emitEnv(emulator);
            env.put("JBANG_DIR", dir.toString());
            Result r = exec("cold-installed-" + i, jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), env, root, true, 900);
            require(r, 0, "cold emit (script cache empty)");
            installed.add(r);
            say(String.format(Locale.ROOT, "  run %d/%d: %.1f s", i + 1, coldRuns, r.wallMs() / 1000));
        }
        ObjectNode a2 = series(installed);
        a2.put("what", "JBANG_DIR holds only the wrapper's JBang (wrapper/); ~/.jbang/cache empty: compile emit.java, resolve from ~/.m2");
        section.set("script_cache_empty", a2);

        say("cold: empty JBANG_DIR, ~/.m2 filled (" + coldRuns + " runs)");
        List<Result> empty = new ArrayList<>();
        for (int i = 0; i < coldRuns; i++) {
            Path dir = cold.resolve("empty-" + i);
            Map<String, String> env = emitEnv(emulator);
            env.put("JBANG_DIR", dir.toString());
            Result r = exec("cold-empty-" + i, jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), env, root, true, 900);
            require(r, 0, "cold emit (empty JBANG_DIR)");
            empty.add(r);
            say(String.format(Locale.ROOT, "  run %d/%d: %.1f s", i + 1, coldRuns, r.wallMs() / 1000));
        }
        ObjectNode a1 = series(empty);
        a1.put("what", "empty JBANG_DIR: the wrapper fetches jbang-cli with Maven (from ~/.m2), then JBang compiles emit.java");
        section.set("jbang_dir_empty", a1);

        say("cold: the three router steps with the script cache empty (once)");
        Path dir = cold.resolve("router");
        copyTree(jbangDir.resolve("wrapper"), dir.resolve("wrapper"));
        Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
        Map<String, String> env = routerEnv(emulator, event, "cold");
        env.put("JBANG_DIR", dir.toString());
        ObjectNode router = JSON.createObjectNode();
        double total = 0;
        Result v = exec("cold-router-validate", jbang("validate.java"), env, workspace(), true, 900);
        require(v, 0, "cold validate");
        router.put("validate_ms", round(v.wallMs(), 0));
        total += v.wallMs();
        if (dedupeAvailable()) {
            Result c = exec("cold-router-dedupe", jbang("dedupe.java", "claim", "--ttl", dedupeTtl), env, workspace(), true, 900);
            require(c, 0, "cold dedupe claim");
            router.put("dedupe_claim_ms", round(c.wallMs(), 0));
            total += c.wallMs();
        } else {
            router.put("dedupe_claim_ms", "n/a (dedupe.java not yet present)");
        }
        Result r = exec("cold-router-route", jbang("route.java"), env, workspace(), true, 900);
        require(r, 0, "cold route");
        router.put("route_ms", round(r.wallMs(), 0));
        total += r.wallMs();
        router.put("total_ms", round(total, 0));
        section.set("router_script_cache_empty", router);

        if (!skipFirstEver) {
            say("cold: first run ever, empty JBANG_DIR and empty Maven repository (downloads from Maven Central; once)");
            Path m2 = cold.resolve("m2-empty");
            Map<String, String> everEnv = emitEnv(emulator);
            everEnv.put("JBANG_DIR", cold.resolve("ever").toString());
            everEnv.put("MAVEN_OPTS", "-Dmaven.repo.local=" + m2);
            everEnv.put("JBANG_REPO", m2.toString());
            Result e = exec("cold-first-ever", jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), everEnv, root, true, 1800);
            require(e, 0, "first-ever emit");
            ObjectNode b = series(List.of(e));
            b.put("what", "empty JBANG_DIR and an empty Maven repository for both the wrapper's Maven (MAVEN_OPTS=-Dmaven.repo.local) "
                    + "and JBang (JBANG_REPO): everything downloaded from Maven Central");
            b.put("downloaded_mb", round(treeSize(m2) / 1048576.0, 1));
            section.set("first_run_ever", b);
            say(String.format(Locale.ROOT, "  %.1f s, %.0f MB downloaded", e.wallMs() / 1000, treeSize(m2) / 1048576.0));
        } else {
            section.put("first_run_ever", "skipped (--skip-first-ever)");
        }
        deleteTree(cold);
        return section;
    }

    // ---- 6. experiments: start-up options ------------------------------------------------------

    record Variant(String name, List<String> options, String archive, String note) {
    }

    interface Experiment {
        ObjectNode run() throws Exception;
    }

    /** Every experiment by id; with --experiment, only those run and replace their previous results. */
    ObjectNode experimentsSection(Emulator emulator, JsonNode previous) throws Exception {
        Path dir = work.resolve("experiments");
        deleteTree(dir);
        Files.createDirectories(dir);
        Map<String, Experiment> all = new LinkedHashMap<>();
        all.put("launcher", () -> launcherExperiment(emulator, dir));
        all.put("wrapper", () -> wrapperEndToEnd(emulator));
        all.put("before-after", () -> beforeAfter(emulator));
        List<String> scripts = Stream.of("emit", "validate", "dedupe", "route").filter(s -> !s.equals("dedupe") || dedupeAvailable()).toList();
        for (String script : scripts) {
            all.put("jvm-" + script, () -> scriptExperiment(emulator, dir, script));
        }
        all.put("emit-phases", () -> emitPhases(emulator));
        Optional<Path> aotJdk = aotJdk();
        if (aotJdk.isPresent()) {
            all.put("aot-launcher", () -> aotExperiment(emulator, dir, "launcher", aotJdk.get()));
            all.put("aot-emit", () -> aotExperiment(emulator, dir, "emit", aotJdk.get()));
        } else {
            say("no JDK 25 or later under /usr/lib/jvm: the AOT cache experiments are skipped");
        }
        all.put("validate-jit", () -> throughputExperiment(emulator, dir));
        for (String script : scripts) {
            all.put("header-" + script, () -> headerExperiment(emulator, script));
        }
        for (String script : scripts.stream().filter(s -> !s.equals("validate")).toList()) {
            all.put("client-" + script, () -> clientExperiment(emulator, script));
        }
        if (experimentIds != null) {
            for (String id : experimentIds) {
                if (!all.containsKey(id)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown experiment '" + id + "', expected one of " + all.keySet());
                }
            }
        }
        Map<String, JsonNode> before = new LinkedHashMap<>();
        previous.path("list").forEach(e -> before.put(e.path("id").asText(), e));
        ObjectNode section = JSON.createObjectNode();
        section.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ArrayNode list = section.putArray("list");
        for (var e : all.entrySet()) {
            if (experimentIds == null || experimentIds.contains(e.getKey())) {
                ObjectNode result = e.getValue().run();
                result.put("id", e.getKey());
                result.put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
                list.add(result);
            } else if (before.containsKey(e.getKey())) {
                list.add(before.get(e.getKey()));
            }
        }
        return section;
    }

    static final List<String> C1_SERIAL = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    static final List<String> QUIET_CDS = List.of("-Xlog:cds=off,cds+dynamic=off");

    static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    /** The launcher JVM alone (dev.jbang.Main answering 255 with the command line), as ./jbang starts it. */
    ObjectNode launcherExperiment(Emulator emulator, Path dir) throws Exception {
        say("experiment: launcher JVM options, " + runs + " runs each, interleaved");
        Path lib = jbangDir.resolve("wrapper/jbang-cli-" + jbangVersion());
        String wildcard = lib + "/*";
        String sorted;
        try (Stream<Path> jars = Files.list(lib)) {
            sorted = jars.map(Path::toString).filter(n -> n.endsWith(".jar")).sorted().collect(Collectors.joining(":"));
        }
        List<Variant> variants = List.of(
                new Variant("JVM defaults (the wrapper as first committed)", List.of(), null, "baseline"),
                new Variant("-XX:TieredStopAtLevel=1", List.of("-XX:TieredStopAtLevel=1"), null, ""),
                new Variant("C1 + SerialGC", C1_SERIAL, null, ""),
                new Variant("AppCDS archive", List.of(), "cds", "archive written by one earlier run (-XX:ArchiveClassesAtExit)"),
                new Variant("AppCDS + C1", List.of("-XX:TieredStopAtLevel=1"), "cds", ""),
                new Variant("AppCDS + C1 + SerialGC (what ./jbang does)", C1_SERIAL, "cds", "kept"),
                new Variant("AppCDS + C1 + SerialGC + -XX:-UsePerfData", concat(C1_SERIAL, List.of("-XX:-UsePerfData")), "cds", ""),
                new Variant("AppCDS + C1 + SerialGC, application classes not verified", concat(C1_SERIAL,
                        List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-BytecodeVerificationRemote")), "reuse", "a diagnostic flag"),
                new Variant("AppCDS + C1 + SerialGC, `jbang --version` only", C1_SERIAL, "reuse",
                        "JBang's fixed start-up, before it looks at a script"));
        Map<String, String> env = emitEnv(emulator);
        env.put("JBANG_RUNTIME_SHELL", "bash");
        env.put("JBANG_STDIN_NOTTY", "true");
        List<String> jbangArgs = List.of("dev.jbang.Main", root.resolve("emit.java").toString(), "rfc.pr.ready", "--payload", PAYLOAD);
        Map<String, Path> archives = new LinkedHashMap<>();
        Function<Variant, List<String>> command = v -> {
            List<String> c = new ArrayList<>(List.of(javaExecutable()));
            c.addAll(v.options());
            if (v.archive() != null) {
                c.add("-XX:SharedArchiveFile=" + archives.get(v.name()));
                c.addAll(QUIET_CDS);
            }
            c.add("-classpath");
            c.add(v.options().isEmpty() && v.archive() == null ? wildcard : sorted);
            c.addAll(v.name().contains("--version") ? List.of("dev.jbang.Main", "--version") : jbangArgs);
            return c;
        };
        for (Variant v : variants) {
            if ("reuse".equals(v.archive())) {
                archives.put(v.name(), archives.get("AppCDS + C1 + SerialGC (what ./jbang does)"));
            } else if (v.archive() != null) {
                Path archive = dir.resolve("launcher-" + archives.size() + ".jsa");
                List<String> dump = new ArrayList<>(List.of(javaExecutable()));
                dump.addAll(v.options());
                dump.add("-XX:ArchiveClassesAtExit=" + archive);
                dump.addAll(QUIET_CDS);
                dump.add("-classpath");
                dump.add(sorted);
                dump.addAll(jbangArgs);
                require(exec("exp-launcher-dump", dump, env, root, false, 300), 255, "launcher archive dump");
                archives.put(v.name(), archive);
            }
        }
        return compare("The JBang launcher JVM alone: java ... dev.jbang.Main emit.java ... (exit 255 with the command line)",
                "launcher", variants, command, v -> env, ANY_SUCCESS, root);
    }

    /** The newest JDK under /usr/lib/jvm that has an AOT cache (JEP 483: 25 and later), if there is one. */
    static Optional<Path> aotJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")) && javaMajor(home) >= 25)
                    .max(Comparator.comparingInt(bench::javaMajor));
        }
    }

    static final Pattern RELEASE_JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"?(\\d+).*");

    /** JAVA_VERSION's feature release from a JDK's release file; 0 when it cannot be read. */
    static int javaMajor(Path home) {
        try (Stream<String> lines = Files.lines(home.resolve("release"))) {
            return lines.map(RELEASE_JAVA_VERSION::matcher).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1))).findFirst().orElse(0);
        } catch (IOException e) {
            return 0; // not a JDK this experiment can use
        }
    }

    /**
     * JDK 25's AOT cache (JEP 483 and 514: classes loaded and linked ahead of time, method profiles)
     * against the AppCDS archive in use on JDK 17, for the JBang launcher JVM or the emit JVM, each
     * with C1 and SerialGC. Each cache or archive is recorded by one run of the same command (the
     * AOT cache in one step, -XX:AOTCacheOutput).
     */
    ObjectNode aotExperiment(Emulator emulator, Path dir, String target, Path jdk) throws Exception {
        say("experiment: " + target + " JVM, AppCDS on JDK 17 against the AOT cache of " + jdk.getFileName() + ", " + runs + " runs each");
        Map<String, String> env = emitEnv(emulator);
        env.put("JBANG_RUNTIME_SHELL", "bash");
        env.put("JBANG_STDIN_NOTTY", "true");
        List<String> program = new ArrayList<>();
        int success;
        if (target.equals("launcher")) {
            Path lib = jbangDir.resolve("wrapper/jbang-cli-" + jbangVersion());
            try (Stream<Path> jars = Files.list(lib)) {
                program.addAll(List.of("-classpath", jars.map(Path::toString).filter(n -> n.endsWith(".jar")).sorted().collect(Collectors.joining(":"))));
            }
            program.addAll(List.of("dev.jbang.Main", root.resolve("emit.java").toString(), "rfc.pr.ready", "--payload", PAYLOAD));
            success = 255;
        } else {
            Launch launch = launchLine("emit.java", List.of("rfc.pr.ready", "--payload", PAYLOAD), env, root);
            program.addAll(List.of("-classpath", launch.classPath(), launch.mainClass()));
            program.addAll(launch.args());
            success = 0;
        }
        String major = String.valueOf(javaMajor(jdk));
        Map<String, String> javas = Map.of("17", javaExecutable(), major, jdk.resolve("bin/java").toString());
        List<Variant> variants = List.of(
                new Variant("JDK 17, AppCDS archive (in use)", C1_SERIAL, "cds 17", "baseline"),
                new Variant("JDK " + major + ", AppCDS archive", C1_SERIAL, "cds " + major, ""),
                new Variant("JDK " + major + ", AOT cache", C1_SERIAL, "aot " + major, ""));
        Function<Variant, Path> file = v -> dir.resolve("aot-" + target + "-" + v.archive().replace(' ', '-') + (v.archive().startsWith("aot") ? ".aot" : ".jsa"));
        Function<Variant, String> java = v -> javas.get(v.archive().substring(4));
        for (Variant v : variants) {
            List<String> record = new ArrayList<>(List.of(java.apply(v)));
            record.addAll(v.options());
            record.add((v.archive().startsWith("aot") ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + file.apply(v));
            record.add("-Xlog:disable");
            record.addAll(program);
            require(exec("exp-aot-" + target + "-record", record, env, root, false, 300), success, target + " " + v.archive() + " recording run");
        }
        Function<Variant, List<String>> command = v -> {
            List<String> c = new ArrayList<>(List.of(java.apply(v)));
            c.addAll(v.options());
            c.add((v.archive().startsWith("aot") ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + file.apply(v));
            c.add("-Xlog:disable");
            c.addAll(program);
            return c;
        };
        ObjectNode result = compare((target.equals("launcher") ? "The JBang launcher JVM" : "The emit.java JVM (the command line JBang generates)")
                + ": AppCDS on JDK 17 (in use) against JDK " + major + "'s AOT cache", "aot-" + target, variants, command, v -> env, success, root);
        for (JsonNode row : result.path("variants")) {
            Variant v = variants.stream().filter(x -> x.name().equals(row.path("variant").asText())).findFirst().orElseThrow();
            ((ObjectNode) row).put("options", String.join(" ", v.options()) + " " + (v.archive().startsWith("aot") ? "-XX:AOTCache=..." : "-XX:SharedArchiveFile=..."));
        }
        return result;
    }

    /**
     * Issue 6 as a whole: ./jbang as first committed (git history) running emit.java with the header
     * it had then, against ./jbang and emit.java as they are now.
     */
    ObjectNode beforeAfter(Emulator emulator) throws Exception {
        say("experiment: emit before and after issue 6, " + runs + " runs each");
        String first = capture(List.of("git", "-C", root.toString(), "log", "--diff-filter=A", "--format=%H", "--", "jbang")).strip();
        first = first.substring(first.lastIndexOf('\n') + 1);
        Path dir = work.resolve("variants/before");
        deleteTree(dir);
        Files.createDirectories(dir);
        Path wrapper = dir.resolve("jbang");
        Files.writeString(wrapper, capture(List.of("git", "-C", root.toString(), "show", first + ":jbang")));
        wrapper.toFile().setExecutable(true);
        List<String> copy = new ArrayList<>();
        boolean placed = false;
        for (String line : Files.readAllLines(root.resolve("emit.java"))) {
            if (isStartupHeader(line)) {
                if (!placed) {
                    copy.add(HEADER_BEFORE);
                    placed = true;
                }
            } else {
                copy.add(line);
            }
        }
        Files.write(dir.resolve("emit.java"), copy);
        copyTree(root.resolve("schemas"), dir.resolve("schemas"));
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("before: ./jbang as first committed (" + first.substring(0, 7) + ")",
                List.of(wrapper.toString(), dir.resolve("emit.java").toString(), "rfc.pr.ready", "--payload", PAYLOAD));
        commands.put("now: ./jbang and emit.java as they are", jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD));
        List<Variant> variants = new ArrayList<>();
        for (String name : commands.keySet()) {
            variants.add(new Variant(name, List.of(), null, variants.isEmpty() ? "baseline" : ""));
        }
        Map<String, String> env = emitEnv(emulator);
        for (Variant v : variants) {
            for (int i = 0; i < 2; i++) {
                require(exec("exp-before-after-warmup", commands.get(v.name()), env, root, false, 600), 0, "before/after warm-up");
            }
        }
        ObjectNode result = compare("emit before and after issue 6, end to end: the wrapper and the script's header as first committed, and now "
                + "(the same JBANG_DIR; the copy of emit.java is a cache entry of its own)", "before-after", variants, v -> commands.get(v.name()), v -> env, 0, root);
        ((ObjectNode) result.path("variants").get(0)).put("options", "launcher: no options, lib/*; script: " + HEADER_BEFORE);
        ((ObjectNode) result.path("variants").get(1)).put("options", "launcher: C1, SerialGC, AppCDS; script: "
                + Files.readAllLines(root.resolve("emit.java")).stream().filter(bench::isStartupHeader).collect(Collectors.joining(" ")));
        return result;
    }

    /** ./jbang emit.java end to end, with and without the wrapper's archive. */
    ObjectNode wrapperEndToEnd(Emulator emulator) throws Exception {
        say("experiment: ./jbang emit.java with and without the wrapper's class-data sharing, " + runs + " runs each");
        List<Variant> variants = List.of(
                new Variant("./jbang with JBANG_WRAPPER_CDS=false", List.of(), null, "baseline"),
                new Variant("./jbang (launcher archive in $JBANG_DIR/wrapper/)", List.of(), null, "kept"));
        // (the options column of these rows names the environment, see below)
        ObjectNode result = compare("./jbang emit.java end to end (launcher + script JVM), against the emulator", "wrapper", variants,
                v -> jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), v -> {
                    Map<String, String> env = emitEnv(emulator);
                    if (v.note().equals("baseline")) {
                        env.put("JBANG_WRAPPER_CDS", "false");
                    }
                    return env;
                }, 0, root);
        ((ObjectNode) result.path("variants").get(0)).put("options", "JBANG_WRAPPER_CDS=false");
        ((ObjectNode) result.path("variants").get(1)).put("options", "launcher: -XX:SharedArchiveFile=$JBANG_DIR/wrapper/...jsa");
        return result;
    }

    /** A script's JVM alone, started with the command line JBang generates, under different options. */
    ObjectNode scriptExperiment(Emulator emulator, Path dir, String script) throws Exception {
        say("experiment: " + script + " JVM options, " + runs + " runs each, interleaved");
        Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
        Map<String, String> env = script.equals("emit") ? emitEnv(emulator) : routerEnv(emulator, event, "exp-" + script);
        Path cwd = script.equals("emit") ? root : workspace();
        List<String> args = switch (script) {
            case "emit" -> List.of("rfc.pr.ready", "--payload", PAYLOAD);
            case "dedupe" -> List.of("claim", "ID", "--ttl", dedupeTtl);
            default -> List.of();
        };
        Launch launch = launchLine(script + ".java", args, env, cwd);
        String header = headerOptions(script + ".java");
        List<Variant> variants = List.of(
                new Variant("JVM defaults", List.of(), null, "baseline"),
                new Variant("C1 + SerialGC (-Xshare:auto)", concat(C1_SERIAL, List.of("-Xshare:auto")), null, "the header before issue 6"),
                new Variant("AppCDS archive", List.of(), "cds", ""),
                new Variant("AppCDS + SerialGC (C1 and C2)", List.of("-XX:+UseSerialGC"), "cds", ""),
                new Variant("AppCDS + C1 + SerialGC", C1_SERIAL, "cds", "what //CDS and the header give"),
                new Variant("AppCDS + C1 + SerialGC + -XX:-UsePerfData", concat(C1_SERIAL, List.of("-XX:-UsePerfData")), "cds", ""));
        Map<String, Path> archives = new LinkedHashMap<>();
        Function<Variant, List<String>> command = v -> {
            List<String> c = new ArrayList<>(List.of(launch.java()));
            c.addAll(v.options());
            if (v.archive() != null) {
                c.add("-XX:SharedArchiveFile=" + archives.get(v.name()));
                c.addAll(QUIET_CDS);
            }
            c.add("-classpath");
            c.add(launch.classPath());
            c.add(launch.mainClass());
            c.addAll(launch.args().stream().map(a -> a.equals("ID") ? UUID.randomUUID().toString() : a).toList());
            return c;
        };
        for (Variant v : variants) {
            if (v.archive() != null) {
                Path archive = dir.resolve(script + "-" + archives.size() + ".jsa");
                List<String> dump = new ArrayList<>(List.of(launch.java()));
                dump.addAll(v.options());
                dump.add("-XX:ArchiveClassesAtExit=" + archive);
                dump.addAll(QUIET_CDS);
                dump.add("-classpath");
                dump.add(launch.classPath());
                dump.add(launch.mainClass());
                dump.addAll(launch.args().stream().map(a -> a.equals("ID") ? UUID.randomUUID().toString() : a).toList());
                require(exec("exp-" + script + "-dump", dump, env, cwd, false, 300), 0, script + " archive dump");
                archives.put(v.name(), archive);
            }
        }
        ObjectNode result = compare("The " + script + ".java JVM alone (the command line JBang generates), header now: " + header,
                script, variants, command, v -> env, 0, cwd);
        result.put("header_now", header);
        return result;
    }

    /**
     * Where the emit JVM's time goes: the JVM and picocli (--version), plus building and validating
     * the event (--dry-run), plus the JDK HttpClient (TLS context, client, one POST). With the
     * options and archive JBang uses now.
     */
    ObjectNode emitPhases(Emulator emulator) throws Exception {
        say("experiment: where the emit JVM's time goes, " + runs + " runs each");
        Map<String, String> env = emitEnv(emulator);
        Launch launch = launchLine("emit.java", List.of("rfc.pr.ready", "--payload", PAYLOAD), env, root);
        Map<String, List<String>> args = new LinkedHashMap<>();
        args.put("emit --version: JVM start and picocli", List.of("--version"));
        args.put("emit --dry-run: + build and validate the event", List.of("rfc.pr.ready", "--payload", PAYLOAD, "--dry-run"));
        args.put("emit: + HttpClient (TLS context, client) and one POST", List.of("rfc.pr.ready", "--payload", PAYLOAD));
        List<Variant> variants = args.keySet().stream().map(n -> new Variant(n, List.of(), null, n.contains("version") ? "baseline" : "")).toList();
        Function<Variant, List<String>> command = v -> {
            List<String> c = new ArrayList<>(List.of(launch.java()));
            c.addAll(launch.options());
            c.add("-classpath");
            c.add(launch.classPath());
            c.add(launch.mainClass());
            c.addAll(args.get(v.name()));
            return c;
        };
        ObjectNode result = compare("Where the emit JVM's time goes (its command line as JBang generates it: " + String.join(" ", launch.options())
                .replaceAll("-XX:SharedArchiveFile=\\S+", "-XX:SharedArchiveFile=emit.jsa") + ")", "emit-phases", variants, command, v -> env, 0, root);
        for (JsonNode row : result.path("variants")) {
            ((ObjectNode) row).put("options", "as JBang starts it");
        }
        return result;
    }

    /** The header line as the scripts had it before issue 6. */
    static final String HEADER_BEFORE = "//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto";
    /** Candidates measured beside the header a script has now, unless it has one of them already. */
    static final List<List<String>> HEADER_CANDIDATES = List.of(
            List.of("//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off,cds+dynamic=off", "//CDS"),
            List.of("//RUNTIME_OPTIONS -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off,cds+dynamic=off", "//CDS"));

    /**
     * A script through ./jbang as users run it, with its start-up header lines replaced: none,
     * the header before issue 6, and the header it has now.
     */
    ObjectNode headerExperiment(Emulator emulator, String script) throws Exception {
        say("experiment: " + script + ".java header through ./jbang, " + runs + " runs each");
        List<String> source = Files.readAllLines(root.resolve(script + ".java"));
        List<String> now = source.stream().filter(bench::isStartupHeader).toList();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("no start-up header lines", List.of());
        headers.put("before issue 6", List.of(HEADER_BEFORE));
        headers.put("//CDS, C1 + SerialGC", HEADER_CANDIDATES.get(0));
        headers.put("//CDS, SerialGC (C1 and C2)", HEADER_CANDIDATES.get(1));
        if (!headers.containsValue(now)) {
            headers.put("as the script has it now", now);
        }
        Map<String, SourceVariant> variants = new LinkedHashMap<>();
        for (var h : headers.entrySet()) {
            List<String> copy = new ArrayList<>();
            boolean placed = false;
            for (String line : source) {
                if (isStartupHeader(line)) {
                    if (!placed) {
                        copy.addAll(h.getValue());
                        placed = true;
                    }
                } else {
                    copy.add(line);
                }
            }
            variants.put(h.getKey(), new SourceVariant(copy, String.join(" ", h.getValue())));
        }
        ObjectNode result = compareSources(emulator, script, "header-" + script,
                script + ".java through ./jbang (launcher + script JVM) with its start-up header lines replaced", variants);
        for (JsonNode row : result.path("variants")) {
            ((ObjectNode) row).put("header", String.join("\n", headers.get(row.path("variant").asText())));
        }
        return result;
    }

    static final String SHUTDOWN_CALL = "        GitHub.shutdown();";

    /** A script that calls GitHub through ./jbang, with and without main()'s GitHub.shutdown() before System.exit. */
    ObjectNode clientExperiment(Emulator emulator, String script) throws Exception {
        say("experiment: " + script + ".java HTTP client shutdown through ./jbang, " + runs + " runs each");
        List<String> source = Files.readAllLines(root.resolve(script + ".java"));
        if (!source.contains(SHUTDOWN_CALL)) {
            throw new IllegalStateException(script + ".java's main() no longer has the line '" + SHUTDOWN_CALL.strip() + "' that this experiment removes");
        }
        List<String> withoutShutdown = new ArrayList<>(source);
        withoutShutdown.remove(SHUTDOWN_CALL);
        Map<String, SourceVariant> variants = new LinkedHashMap<>();
        variants.put("no shutdown: System.exit with the selector thread in epoll", new SourceVariant(withoutShutdown, "(none)"));
        variants.put("selector thread interrupted before exit (the script as it is)", new SourceVariant(source, "GitHub.shutdown()"));
        return compareSources(emulator, script, "client-" + script,
                script + ".java through ./jbang (launcher + script JVM): the HTTP client's selector thread at exit", variants);
    }

    record SourceVariant(List<String> lines, String options) {
    }

    /**
     * Copies of a script, one per variant, run through ./jbang as the benchmark runs the script;
     * each copy sits in bench/work/variants/ (with the schemas its //FILES bundle) and is warmed up
     * twice. The first variant is the baseline.
     */
    ObjectNode compareSources(Emulator emulator, String script, String label, String title, Map<String, SourceVariant> sources) throws Exception {
        Map<String, Path> copies = new LinkedHashMap<>();
        List<Variant> variants = new ArrayList<>();
        Path event = emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD);
        Map<String, String> env = script.equals("emit") ? emitEnv(emulator) : routerEnv(emulator, event, label);
        Path cwd = script.equals("emit") ? root : workspace();
        int n = 0;
        for (var source : sources.entrySet()) {
            Path dir = work.resolve("variants/" + label + "-" + n++);
            deleteTree(dir);
            Files.createDirectories(dir);
            Files.write(dir.resolve(script + ".java"), source.getValue().lines());
            if (source.getValue().lines().stream().anyMatch(l -> l.startsWith("//FILES schemas/"))) {
                copyTree(root.resolve("schemas"), dir.resolve("schemas"));
            }
            copies.put(source.getKey(), dir.resolve(script + ".java"));
            variants.add(new Variant(source.getKey(), List.of(), null, n == 1 ? "baseline" : ""));
        }
        Function<Variant, List<String>> command = v -> {
            List<String> c = new ArrayList<>(List.of(root.resolve("jbang").toString(), copies.get(v.name()).toString()));
            switch (script) {
                case "emit" -> c.addAll(List.of("rfc.pr.ready", "--payload", PAYLOAD));
                case "dedupe" -> c.addAll(List.of("claim", UUID.randomUUID().toString(), "--ttl", dedupeTtl));
                default -> {
                }
            }
            return c;
        };
        for (Variant v : variants) {
            for (int i = 0; i < 2; i++) {
                require(exec("exp-" + label + "-warmup", command.apply(v), env, cwd, false, 600), 0, script + " variant warm-up");
            }
        }
        ObjectNode result = compare(title, label, variants, command, v -> env, 0, cwd);
        result.put("script", script + ".java");
        for (JsonNode row : result.path("variants")) {
            ((ObjectNode) row).put("options", sources.get(row.path("variant").asText()).options());
        }
        return result;
    }

    static boolean isStartupHeader(String line) {
        return line.startsWith("//RUNTIME_OPTIONS") || line.startsWith("//JAVA_OPTIONS") || line.equals("//CDS") || line.startsWith("//CDS ");
    }

    /** validate.java over the event log: C1 only against the full tiered compiler. */
    ObjectNode throughputExperiment(Emulator emulator, Path dir) throws Exception {
        Path log = eventLog();
        say("experiment: validate.java JIT options on " + lines + " events, " + throughputRuns + " runs each");
        Launch launch = launchLine("validate.java", List.of("--schemas", root.resolve("schemas").toString(), log.toString()), baseEnv(), root);
        List<Variant> variants = List.of(
                new Variant("C1 + SerialGC", C1_SERIAL, null, "baseline"),
                new Variant("tiered (C1 + C2) + SerialGC", List.of("-XX:+UseSerialGC"), null, ""),
                new Variant("JVM defaults (tiered, G1)", List.of(), null, ""));
        Function<Variant, List<String>> command = v -> {
            List<String> c = new ArrayList<>(List.of(launch.java()));
            c.addAll(v.options());
            c.add("-classpath");
            c.add(launch.classPath());
            c.add(launch.mainClass());
            c.addAll(launch.args());
            return c;
        };
        int saved = runs;
        runs = throughputRuns;
        try {
            ObjectNode result = compare("validate.java JVM alone on the " + lines + "-event log (JIT: C1 only vs tiered)", "validate-throughput",
                    variants, command, v -> baseEnv(), 0, root);
            result.put("header_now", headerOptions("validate.java"));
            // Where the time goes besides compiled code: the collector (one more run, C1 + SerialGC, with a GC log).
            Path gcLog = dir.resolve("validate-gc.log");
            List<String> c = new ArrayList<>(command.apply(variants.get(0)));
            c.add(1, "-Xlog:gc:file=" + gcLog);
            require(exec("exp-validate-gc", c, baseEnv(), root, false, 1800), 0, "validate with a GC log");
            List<Double> pauses = Files.readAllLines(gcLog).stream().filter(l -> l.contains("Pause"))
                    .map(l -> Double.parseDouble(l.replaceAll(".* ([0-9.]+)ms$", "$1"))).toList();
            result.put("gc_pauses", pauses.size());
            result.put("gc_pause_ms_total", Math.round(pauses.stream().mapToDouble(Double::doubleValue).sum()));
            return result;
        } finally {
            runs = saved;
        }
    }

    /** compare(): exit 0 or 255 (JBang's launch protocol) are both success. */
    static final int ANY_SUCCESS = -1;

    /** Runs every variant --runs times, interleaved in rotating order, and compares each with the first. */
    ObjectNode compare(String title, String label, List<Variant> variants, Function<Variant, List<String>> command,
            Function<Variant, Map<String, String>> env, int expectedExit, Path dir) throws Exception {
        Map<String, List<Result>> samples = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < variants.size(); k++) {
                Variant v = variants.get((i + k) % variants.size());
                Result r = exec("exp-" + label + "-" + i, command.apply(v), env.apply(v), dir, true, 1800);
                if (expectedExit == ANY_SUCCESS) {
                    require(r, r.exit() == 255 ? 255 : 0, title + " / " + v.name());
                } else {
                    require(r, expectedExit, title + " / " + v.name());
                }
                samples.computeIfAbsent(v.name(), n -> new ArrayList<>()).add(r);
            }
        }
        ObjectNode result = JSON.createObjectNode();
        result.put("title", title);
        ArrayNode rows = result.putArray("variants");
        double baseline = median(walls(samples.get(variants.get(0).name())));
        for (Variant v : variants) {
            ObjectNode row = series(samples.get(v.name()));
            double m = median(walls(samples.get(v.name())));
            row.put("variant", v.name());
            row.put("options", (String.join(" ", v.options()) + (v.archive() != null ? " -XX:SharedArchiveFile=..." : "")).strip());
            row.put("vs_baseline_ms", round(m - baseline, 0));
            row.put("vs_baseline_percent", round(100 * (m - baseline) / baseline, 1));
            row.put("note", v.note());
            rows.add(row);
            say(String.format(Locale.ROOT, "  %-55s %7.0f ms (%+.1f%%)", v.name(), m, 100 * (m - baseline) / baseline));
        }
        return result;
    }

    record Launch(String java, List<String> options, String classPath, String mainClass, List<String> args) {
    }

    /** The script JVM's command line as JBang prints it (exit 255), split into its parts. */
    Launch launchLine(String script, List<String> args, Map<String, String> env, Path cwd) throws Exception {
        Path lib = jbangDir.resolve("wrapper/jbang-cli-" + jbangVersion());
        List<String> c = new ArrayList<>(List.of(javaExecutable(), "-classpath", lib + "/*", "dev.jbang.Main", root.resolve(script).toString()));
        c.addAll(args);
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("JBANG_RUNTIME_SHELL", "bash");
        e.put("JBANG_STDIN_NOTTY", "true");
        Result r = exec("launch-line-" + script, c, e, cwd, false, 300);
        require(r, 255, "jbang launch line for " + script);
        List<String> words = shellWords(r.stdout().strip());
        int cp = words.indexOf("-classpath");
        if (cp < 0) {
            throw new IllegalStateException("no -classpath in JBang's command line: " + r.stdout());
        }
        // JBang puts some JVM options after the class path (//CDS: -XX:SharedArchiveFile=...); the main class is the first word after them.
        int main = cp + 2;
        while (words.get(main).startsWith("-")) {
            main++;
        }
        return new Launch(words.get(0), concat(words.subList(1, cp), words.subList(cp + 2, main)), words.get(cp + 1), words.get(main),
                words.subList(main + 1, words.size()));
    }

    String headerOptions(String script) throws IOException {
        return Files.readAllLines(root.resolve(script)).stream().filter(bench::isStartupHeader).collect(Collectors.joining(" | "));
    }

    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '\'') {
                int end = line.indexOf('\'', i + 1);
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (ch == '"') {
                i++;
                while (line.charAt(i) != '"') {
                    if (line.charAt(i) == '\\' && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        i++;
                    }
                    word.append(line.charAt(i++));
                }
                inWord = true;
            } else if (ch == '\\') {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(ch);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Marks the header variant each script has now, so results.md says which one is in use. */
    void markHeadersInUse(ObjectNode results) throws IOException {
        for (JsonNode e : results.path("experiments").path("list")) {
            if (!e.has("script") || !Files.exists(root.resolve(e.path("script").asText()))) {
                continue;
            }
            String now = Files.readAllLines(root.resolve(e.path("script").asText())).stream().filter(bench::isStartupHeader)
                    .collect(Collectors.joining("\n"));
            for (JsonNode row : e.path("variants")) {
                String note = row.path("note").asText().replace("in use", "").replace(", ", "").strip();
                if (row.path("header").asText().equals(now)) {
                    note = note.isEmpty() ? "in use" : note + ", in use";
                }
                ((ObjectNode) row).put("note", note);
            }
        }
    }

    // ---- targets (issue 6, item 3) ---------------------------------------------------------------

    ObjectNode targets(ObjectNode results) {
        ObjectNode t = JSON.createObjectNode();
        ArrayNode rows = t.putArray("rows");
        JsonNode emit = results.path("emit");
        if (emit.has("jbang_emit")) {
            double m = emit.path("jbang_emit").path("wall_ms").path("median").asDouble();
            rows.add(target("emit, warm, median wall (launcher included)", "≤ 1.0 s", String.format(Locale.ROOT, "%.2f s", m / 1000), m <= 1000,
                    m <= 1000 ? "" : String.format(Locale.ROOT, "%.2f s over", (m - 1000) / 1000)));
            int req = emit.path("requests_per_emit").path("max").asInt();
            rows.add(target("API requests per emit", "1", String.valueOf(req), req == 1, ""));
        }
        JsonNode router = results.path("router");
        if (router.has("total_per_event")) {
            double m = router.path("total_per_event").path("median").asDouble();
            boolean complete = router.path("dedupe_claim").isObject();
            rows.add(target("router: validate + dedupe claim + route, warm, median" + (complete ? "" : " (without dedupe)"), "≤ 3.0 s",
                    String.format(Locale.ROOT, "%.2f s", m / 1000), m <= 3000 && complete,
                    m <= 3000 ? (complete ? "" : "dedupe not measured") : String.format(Locale.ROOT, "%.2f s over", (m - 3000) / 1000)));
            JsonNode claim = router.path("requests").path("claim_uncontended_new");
            if (claim.isObject()) {
                int req = claim.path("max").asInt();
                int counted = router.path("requests").path("claim_uncontended_new_rate_limited").path("max").asInt();
                rows.add(target("API requests per uncontended claim (new id)", "≤ 3", req + " (" + counted + " counted by the rate limit; 304s are free)",
                        req <= 3, req <= 3 ? "" : (req - 3) + " over"));
            } else {
                rows.add(target("API requests per uncontended claim (new id)", "≤ 3", claim.asText(), false, "not measured"));
            }
            int route = router.path("requests").path("route_per_target_one_target").path("max").asInt();
            JsonNode two = router.path("requests").path("route_two_targets");
            rows.add(target("API requests per routed target", "1", route + " (two targets: " + two.path("requests").asInt() + " requests)",
                    route == 1 && two.path("requests").asInt() == two.path("targets").asInt(), ""));
        }
        JsonNode tp = results.path("throughput");
        if (tp.has("validate_java")) {
            long v = tp.path("validate_java").path("events_per_second").asLong();
            long a = tp.path("ajv_cli_files").path("events_per_second").asLong();
            long j = tp.path("ajv_jsonl").path("events_per_second").asLong();
            boolean overlap = tp.path("validate_java").path("wall_ms").path("max").asDouble() >= tp.path("ajv_cli_files").path("wall_ms").path("min").asDouble();
            rows.add(target("validate faster than ajv-cli on the " + String.format(Locale.ROOT, "%,d", tp.path("events").asInt()) + "-line file", "> ajv-cli",
                    String.format(Locale.ROOT, "%,d events/s vs ajv-cli %,d (Ajv in one process over the JSON Lines: %,d)", v, a, j), v > a,
                    (v > a ? String.format(Locale.ROOT, "%.0f%% faster", 100.0 * (v - a) / a) + (overlap ? ", narrowly: the runs overlap" : "")
                            : String.format(Locale.ROOT, "%.0f%% slower", 100.0 * (a - v) / a))
                            + (v > j ? "" : String.format(Locale.ROOT, "; %.0f%% slower than Ajv in one process", 100.0 * (j - v) / j))));
        }
        JsonNode cap = results.path("dedupe_capacity");
        if (cap.has("scenarios")) {
            int live = cap.path("scenarios").get(0).path("live_entries").asInt();
            int worst = cap.path("scenarios").size() > 1 ? cap.path("scenarios").get(1).path("live_entries").asInt() : live;
            rows.add(target("live dedupe entries per comment", "≥ 2,000", live + " (worst case " + worst + ")", Math.min(live, worst) >= 2000,
                    Math.min(live, worst) >= 2000 ? "" : (2000 - Math.min(live, worst)) + " short"));
        } else if (!cap.isMissingNode()) {
            rows.add(target("live dedupe entries per comment", "≥ 2,000", cap.path("status").asText(), false, "not measured"));
        }
        return t;
    }

    static ObjectNode target(String what, String goal, String measured, boolean met, String gap) {
        ObjectNode n = JSON.createObjectNode();
        n.put("target", what);
        n.put("goal", goal);
        n.put("measured", measured);
        n.put("met", met);
        n.put("gap", gap);
        return n;
    }

    // ---- environment and commands ----------------------------------------------------------------

    Path findCheckout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("jbang")) && Files.isRegularFile(dir.resolve("emit.java"))) {
                return dir;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "run this inside the event-bus checkout (no ./jbang and emit.java above " + Path.of("").toAbsolutePath() + ")");
    }

    String routerTtl() throws IOException {
        JsonNode workflow = YAML.readTree(root.resolve("workflows/event-router.yml").toFile());
        return workflow.path("env").path("DEDUPE_TTL").asText("60m");
    }

    boolean dedupeAvailable() {
        return Files.isRegularFile(root.resolve("dedupe.java"));
    }

    String javaExecutable() {
        String home = System.getenv("JAVA_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin/java"))) {
            return Path.of(home, "bin/java").toString();
        }
        return "java";
    }

    String jbangVersion() throws IOException {
        Matcher m = Pattern.compile("readonly JBANG_CLI_VERSION=(\\S+)").matcher(Files.readString(root.resolve("jbang")));
        if (!m.find()) {
            throw new IllegalStateException("no JBANG_CLI_VERSION in ./jbang");
        }
        return m.group(1);
    }

    List<String> jbang(String script, String... args) {
        List<String> c = new ArrayList<>(List.of(root.resolve("jbang").toString(), root.resolve(script).toString()));
        c.addAll(List.of(args));
        return c;
    }

    Map<String, String> baseEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("PATH", "HOME", "JAVA_HOME", "TMPDIR", "LANG")) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.put("JBANG_DIR", jbangDir.toString());
        env.put("JBANG_NO_VERSION_CHECK", "true");
        env.put("NO_COLOR", "1");
        return env;
    }

    Map<String, String> emitEnv(Emulator emulator) {
        Map<String, String> env = baseEnv();
        env.put("GITHUB_API_URL", emulator.url);
        env.put("GITHUB_TOKEN", TOKEN);
        env.put("GITHUB_REPOSITORY", REPO);
        return env;
    }

    /** What a router workflow step sees inside Actions (workflows/event-router.yml). */
    Map<String, String> routerEnv(Emulator emulator, Path event, String name) throws IOException {
        Map<String, String> env = emitEnv(emulator);
        Path files = work.resolve("router-files");
        Files.createDirectories(files);
        env.put("GITHUB_ACTIONS", "true");
        env.put("GITHUB_EVENT_NAME", "repository_dispatch");
        if (event != null) {
            env.put("GITHUB_EVENT_PATH", event.toString());
        }
        env.put("GITHUB_WORKSPACE", workspace().toString());
        env.put("GITHUB_REF_NAME", "main");
        env.put("GITHUB_SHA", emulator.mainSha());
        env.put("GITHUB_RUN_ID", "4200000001");
        env.put("GITHUB_RUN_ATTEMPT", "1");
        env.put("GITHUB_WORKFLOW_REF", REPO + "/.github/workflows/event-router.yml@refs/heads/main");
        env.put("GITHUB_OUTPUT", files.resolve(name + ".output").toString());
        env.put("GITHUB_STEP_SUMMARY", files.resolve(name + ".summary.md").toString());
        env.put("EVENT_LOG", files.resolve("event_log.jsonl").toString());
        return env;
    }

    /** The consuming repository's checkout: .github/event-routes.yml and the workflows, from workflows/. */
    Path workspace() throws IOException {
        Path ws = work.resolve("router-repo");
        Path wf = ws.resolve(".github/workflows");
        Files.createDirectories(wf);
        Files.copy(root.resolve("workflows/event-routes.yml"), ws.resolve(".github/event-routes.yml"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml") && !p.getFileName().toString().equals("event-routes.yml")).toList()) {
                Files.copy(f, wf.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return ws;
    }

    // ---- running and timing processes ------------------------------------------------------------

    record Result(int exit, double wallMs, long rssKb, double busyBefore, String stdout, String stderr) {
        String stderrTail() {
            return tail(stderr);
        }
    }

    static String tail(String text) {
        List<String> l = text.strip().lines().toList();
        return String.join(" / ", l.subList(Math.max(0, l.size() - 3), l.size()));
    }

    /**
     * Runs a command with exactly this environment, stdout and stderr to bench/work/logs/LABEL.*,
     * under GNU time for the peak resident set size (the largest process of the tree).
     */
    Result exec(String label, List<String> command, Map<String, String> env, Path dir, boolean measured, int timeoutSeconds) throws Exception {
        double busy = measured ? waitQuiet() : -1;
        Path out = logs.resolve(label + ".out");
        Path err = logs.resolve(label + ".err");
        Path rss = logs.resolve(label + ".rss");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M", "-o", rss.toString()));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException(label + ": timed out after " + timeoutSeconds + " s: " + command);
        }
        double wall = (System.nanoTime() - start) / 1e6;
        List<String> rssLines = Files.readAllLines(rss).stream().filter(l -> l.matches("\\d+")).toList();
        long kb = rssLines.isEmpty() ? -1 : Long.parseLong(rssLines.get(rssLines.size() - 1));
        return new Result(process.exitValue(), wall, kb, busy, Files.readString(out), Files.readString(err));
    }

    static void require(Result r, int exit, String what) {
        if (r.exit() != exit) {
            throw new IllegalStateException(what + ": exit " + r.exit() + " (expected " + exit + "): " + tail(r.stderr() + "\n" + r.stdout()));
        }
    }

    String capture(List<String> command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().put("JBANG_DIR", jbangDir.toString());
        b.environment().put("JBANG_NO_VERSION_CHECK", "true");
        Process p = b.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(600, TimeUnit.SECONDS);
        return text;
    }

    /** Waits until the CPUs are idle (less than --quiet-below percent busy over 0.3 s), at most --quiet-timeout seconds. */
    double waitQuiet() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(quietTimeout);
        double busy;
        do {
            busy = cpuBusy(300);
        } while (busy >= quietBelow && System.nanoTime() < deadline);
        return busy;
    }

    static double cpuBusy(long millis) throws Exception {
        long[] a = cpuTimes();
        Thread.sleep(millis);
        long[] b = cpuTimes();
        double total = b[0] - a[0];
        return total <= 0 ? 0 : 100.0 * (1 - (b[1] - a[1]) / total);
    }

    /** {total, idle + iowait} jiffies from /proc/stat. */
    static long[] cpuTimes() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    // ---- statistics ----------------------------------------------------------------------------------

    static Result last(Map<String, List<Result>> samples, String key) {
        List<Result> l = samples.get(key);
        return l.get(l.size() - 1);
    }

    static List<Double> walls(List<Result> results) {
        return results.stream().map(Result::wallMs).toList();
    }

    static List<Double> rss(List<Result> results) {
        return results.stream().map(r -> r.rssKb() / 1024.0).toList();
    }

    static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    static ObjectNode stats(List<Double> values) {
        ObjectNode n = JSON.createObjectNode();
        n.put("median", round(median(values), 1));
        n.put("min", round(values.stream().min(Comparator.naturalOrder()).orElse(0.0), 1));
        n.put("max", round(values.stream().max(Comparator.naturalOrder()).orElse(0.0), 1));
        n.put("n", values.size());
        ArrayNode samples = n.putArray("samples");
        values.forEach(v -> samples.add(round(v, 1)));
        return n;
    }

    static ObjectNode intStats(List<Integer> values) {
        ObjectNode n = JSON.createObjectNode();
        n.put("median", median(values.stream().map(Integer::doubleValue).toList()));
        n.put("min", values.stream().min(Comparator.naturalOrder()).orElse(0));
        n.put("max", values.stream().max(Comparator.naturalOrder()).orElse(0));
        ArrayNode samples = n.putArray("samples");
        values.forEach(samples::add);
        return n;
    }

    /** Wall time and peak RSS of a series of runs, and how busy the CPUs were just before each. */
    static ObjectNode series(List<Result> results) {
        ObjectNode n = JSON.createObjectNode();
        n.set("wall_ms", stats(walls(results)));
        n.set("rss_mb", stats(rss(results)));
        n.set("cpu_busy_before_percent", stats(results.stream().map(Result::busyBefore).toList()));
        return n;
    }

    // ---- files ---------------------------------------------------------------------------------------

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().matches(".*\\.jsa\\.[A-Za-z0-9]{6}")) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static long treeSize(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void say(String message) {
        System.err.println("bench: " + message);
    }

    // ---- the emulator -------------------------------------------------------------------------------

    /** tests/GitHubEmulator.java as a process, with the consumer workflows of workflows/ declared with their inputs. */
    static final class Emulator implements AutoCloseable {
        final Process process;
        final String url;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String sha;

        private Emulator(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        static Emulator start(bench b) throws Exception {
            List<String> command = new ArrayList<>(List.of(b.root.resolve("jbang").toString(), b.root.resolve("tests/GitHubEmulator.java").toString(),
                    "--port", "0", "--events-dir", b.work.resolve("events").toString()));
            for (String declaration : b.consumerWorkflows()) {
                command.add("--workflow");
                command.add(declaration);
            }
            b.say("starting the GitHub emulator (tests/GitHubEmulator.java) with " + (command.size() - 6) / 2 + " consumer workflows");
            ProcessBuilder builder = new ProcessBuilder(command).directory(b.root.toFile())
                    .redirectError(b.logs.resolve("emulator.log").toFile());
            builder.environment().clear();
            builder.environment().putAll(b.baseEnv());
            Process process = builder.start();
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String url = reader.readLine();
            if (url == null || !url.startsWith("http://127.0.0.1:")) {
                process.destroyForcibly();
                throw new IllegalStateException("the emulator did not start: " + url + "; see bench/work/logs/emulator.log");
            }
            return new Emulator(process, url.strip());
        }

        HttpResponse<String> send(String method, String path, String body, boolean token) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28");
            if (body != null) {
                r.header("Content-Type", "application/json");
            }
            if (token) {
                r.header("Authorization", "Bearer " + TOKEN);
            }
            HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return response;
        }

        void clearJournal() throws Exception {
            send("DELETE", "/_emulator/journal", null, false);
        }

        /** The API requests since the last clear (the admin API is not journaled). */
        List<JsonNode> journal() throws Exception {
            List<JsonNode> entries = new ArrayList<>();
            JSON.readTree(send("GET", "/_emulator/journal", null, false).body()).forEach(entries::add);
            return entries;
        }

        ArrayNode journalSummary() throws Exception {
            return summary(journal());
        }

        static ArrayNode summary(List<JsonNode> journal) {
            ArrayNode a = JSON.createArrayNode();
            for (JsonNode e : journal) {
                a.add(e.path("method").asText() + " " + e.path("path").asText() + (e.path("query").asText().isEmpty() ? "" : "?" + e.path("query").asText())
                        + " " + e.path("status").asInt());
            }
            return a;
        }

        void reset() throws Exception {
            send("POST", "/_emulator/reset", null, false);
            sha = null;
        }

        String mainSha() {
            try {
                if (sha == null) {
                    sha = JSON.readTree(send("GET", "/repos/" + REPO + "/git/ref/heads/main", null, true).body()).path("object").path("sha").asText();
                }
                return sha;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Sends a repository_dispatch (not timed) and returns the event file the emulator delivered for it. */
        Path dispatchAndGetEvent(String type, String data) throws Exception {
            String id = UUID.randomUUID().toString();
            String body = "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + id + "\",\"source\":\"bench\",\"timestamp\":\""
                    + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\",\"data\":" + data + "}}";
            send("POST", "/repos/" + REPO + "/dispatches", body, true);
            JsonNode events = JSON.readTree(send("GET", "/_emulator/events?repo=" + REPO, null, false).body());
            return Path.of(events.get(events.size() - 1).asText());
        }

        JsonNode stateComment(int issue) throws Exception {
            JsonNode comments = JSON.readTree(send("GET", "/_emulator/comments?repo=" + REPO + "&issue=" + issue, null, false).body());
            for (JsonNode c : comments) {
                if (c.path("body").asText().startsWith("<!-- event-bus:dedupe")) {
                    return c;
                }
            }
            throw new IllegalStateException("no dedupe state comment on issue #" + issue);
        }

        void updateComment(long id, String body) throws Exception {
            send("PATCH", "/repos/" + REPO + "/issues/comments/" + id, JSON.writeValueAsString(Map.of("body", body)), true);
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** OWNER/REPO:FILE:input,optional? for every workflow in workflows/ with a workflow_dispatch trigger. */
    List<String> consumerWorkflows() throws IOException {
        List<String> declarations = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode wf = YAML.readTree(f.toFile());
                JsonNode on = wf.has("on") ? wf.get("on") : wf.path("true");
                if (!on.has("workflow_dispatch")) {
                    continue;
                }
                List<String> inputs = new ArrayList<>();
                on.path("workflow_dispatch").path("inputs").properties().forEach(e -> {
                    boolean required = e.getValue().path("required").asBoolean(false) && !e.getValue().has("default");
                    inputs.add(e.getKey() + (required ? "" : "?"));
                });
                declarations.add(REPO + ":" + f.getFileName() + (inputs.isEmpty() ? "" : ":" + String.join(",", inputs)));
            }
        }
        return declarations;
    }

    // ---- results.md ------------------------------------------------------------------------------

    static final class Markdown {
        static String render(JsonNode r) {
            StringBuilder md = new StringBuilder();
            md.append("# event-bus benchmark results\n\n");
            md.append("Written by `./jbang bench/bench.java")
                    .append(r.has("experiments") ? " --experiments" : "").append("` on ").append(r.path("generated_at").asText())
                    .append(" (see the README's \"Benchmark\" section). Every time is the **median** of ").append(r.path("runs").asInt())
                    .append(" runs unless a row says otherwise (min–max in brackets); each run started once the CPUs were idle ")
                    .append("(below ").append(r.path("quiet_below_percent").asInt(25)).append(" % busy over 0.3 s, or after --quiet-timeout; ")
                    .append("`cpu busy` columns show how busy they were just before). ")
                    .append("Wall time is measured around the process; peak RSS is GNU time's maximum resident set size, i.e. that of the ")
                    .append("largest process of the tree (for `./jbang`, the script JVM or the launcher JVM, whichever is larger; they never ")
                    .append("run at the same time). The scripts run through `./jbang` against `tests/GitHubEmulator.java` on 127.0.0.1, ")
                    .append("warm: compiled, dependencies resolved and class-data sharing archives written by two earlier runs. ")
                    .append("Each section says when it was measured (`--only` measures some again and keeps the others). The machine is a ")
                    .append("2-vCPU virtual machine: whole runs of the benchmark differ by up to about 15 %, so compare rows within a table.\n\n");

            JsonNode m = r.path("machine");
            md.append("## Machine\n\n| | |\n|---|---|\n");
            row(md, "CPUs (nproc)", m.path("nproc").asText() + " × " + m.path("cpu").asText());
            row(md, "memory", String.format(Locale.ROOT, "%,d MB", m.path("memory_mb").asLong()));
            row(md, "kernel", m.path("kernel").asText());
            row(md, "java -version", m.path("java").asText().replace("\n", "<br>"));
            row(md, "jbang --version", m.path("jbang").asText() + " (through `./jbang`)");
            row(md, "curl", m.path("curl").asText());
            row(md, "node", m.path("node").asText());
            row(md, "ajv-cli", r.path("throughput").path("ajv_cli").asText("(throughput not measured)"));
            row(md, "maven", m.path("maven").asText());
            row(md, "load average (1 min) before / after", r.path("load_before").path("loadavg_1m").asText() + " / " + r.path("load_after").path("loadavg_1m").asText());
            md.append('\n');

            JsonNode targets = r.path("targets").path("rows");
            if (targets.size() > 0) {
                md.append("## Targets (issue 6, item 3)\n\n| target | goal | measured | met | gap |\n|---|---|---|---|---|\n");
                for (JsonNode t : targets) {
                    md.append("| ").append(t.path("target").asText()).append(" | ").append(t.path("goal").asText()).append(" | ")
                            .append(t.path("measured").asText()).append(" | ").append(t.path("met").asBoolean() ? "yes" : "**no**").append(" | ")
                            .append(t.path("gap").asText()).append(" |\n");
                }
                md.append('\n');
            }

            JsonNode emit = r.path("emit");
            if (emit.has("jbang_emit")) {
                md.append("## emit beside curl and node (warm)\n\n`").append(emit.path("command").asText())
                        .append("` against the emulator, beside `curl` sending the same POST and `node bench/dispatch.mjs` (Node ")
                        .append(m.path("node").asText()).append(", global `fetch`) sending it; a fresh `event_id` each time. Measured ")
                        .append(emit.path("measured_at").asText()).append(".\n\n");
                md.append("| | wall | peak RSS | cpu busy before |\n|---|---|---|---|\n");
                seriesRow(md, "`./jbang emit.java`", emit.path("jbang_emit"));
                seriesRow(md, "curl", emit.path("curl"));
                seriesRow(md, "node + fetch", emit.path("node"));
                JsonNode ratios = emit.path("ratios");
                md.append("\nRatios of the medians: emit / curl ").append(ratios.path("emit_vs_curl_wall").asText()).append("× wall, ")
                        .append(ratios.path("emit_vs_curl_rss").asText()).append("× RSS; emit / node ").append(ratios.path("emit_vs_node_wall").asText())
                        .append("× wall, ").append(ratios.path("emit_vs_node_rss").asText()).append("× RSS; node / curl ")
                        .append(ratios.path("node_vs_curl_wall").asText()).append("× wall. Starting a process under GNU time costs the harness ")
                        .append(emit.path("process_floor_ms").asText()).append(" ms (`/bin/true`), included in every figure.\n\n");
            }

            JsonNode router = r.path("router");
            if (router.has("validate")) {
                md.append("## The router's three steps (warm)\n\nAs `workflows/event-router.yml` runs them, in a checkout with ")
                        .append("`.github/event-routes.yml` (= `workflows/event-routes.yml`) and the consumer workflows, which are also declared in the ")
                        .append("emulator with their `workflow_dispatch` inputs; Actions' environment (`GITHUB_ACTIONS`, `GITHUB_EVENT_PATH` = the event file ")
                        .append("the emulator delivered, `GITHUB_REF_NAME`, `GITHUB_SHA`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `EVENT_LOG`). Event: ")
                        .append(router.path("event").asText()).append(", a fresh one per run. Measured ").append(router.path("measured_at").asText()).append(".\n\n");
                md.append("| step | wall | peak RSS | cpu busy before |\n|---|---|---|---|\n");
                seriesRow(md, "`validate`", router.path("validate"));
                if (router.path("dedupe_claim").isObject()) {
                    seriesRow(md, "`dedupe claim --ttl " + router.path("dedupe_ttl").asText() + "`", router.path("dedupe_claim"));
                } else {
                    md.append("| `dedupe claim` | ").append(router.path("dedupe_claim").asText()).append(" | | |\n");
                }
                seriesRow(md, "`route`", router.path("route"));
                JsonNode total = router.path("total_per_event");
                md.append("| **total per event** (median of the per-event sums) | **").append(ms(total)).append("** | | |\n\n");
            }

            if (emit.has("requests_per_emit") || router.has("requests")) {
                md.append("## API requests (from the emulator's journal)\n\n| operation | requests | what they are |\n|---|---|---|\n");
                if (emit.has("requests_per_emit")) {
                    md.append("| emit | ").append(ints(emit.path("requests_per_emit"))).append(" | `POST /repos/{o}/{r}/dispatches` |\n");
                }
                JsonNode q = router.path("requests");
                if (q.has("validate")) {
                    md.append("| validate | ").append(ints(q.path("validate"))).append(" | none: it works offline |\n");
                }
                if (q.path("claim_uncontended_new").isObject()) {
                    md.append("| dedupe claim, uncontended, new id | ").append(ints(q.path("claim_uncontended_new"))).append(" (")
                            .append(ints(q.path("claim_uncontended_new_rate_limited"))).append(" counted by the rate limit) | ")
                            .append(String.join(", ", texts(q.path("claim_uncontended_new_journal")))).append(" |\n");
                    md.append("| dedupe claim, first ever (opens the state issue) | ").append(q.path("claim_first_ever").path("requests").asInt())
                            .append(" | ").append(String.join(", ", texts(q.path("claim_first_ever").path("journal")))).append(" |\n");
                    md.append("| dedupe claim, duplicate | ").append(q.path("claim_duplicate").path("requests").asInt()).append(" | ")
                            .append(String.join(", ", texts(q.path("claim_duplicate").path("journal")))).append(" |\n");
                    if (q.has("claim_with_state_issue_known")) {
                        md.append("| dedupe claim, new id, `EVENT_BUS_STATE_ISSUE=1` set | ").append(q.path("claim_with_state_issue_known").path("requests").asInt())
                                .append(" | ").append(String.join(", ", texts(q.path("claim_with_state_issue_known").path("journal")))).append(" |\n");
                    }
                } else if (q.has("claim_uncontended_new")) {
                    md.append("| dedupe claim | ").append(q.path("claim_uncontended_new").asText()).append(" | |\n");
                }
                if (q.has("route_per_target_one_target")) {
                    md.append("| route, one target | ").append(ints(q.path("route_per_target_one_target")))
                            .append(" | `POST .../actions/workflows/{file}/dispatches` |\n");
                    JsonNode two = q.path("route_two_targets");
                    md.append("| route, two targets (rfc.pr.created) | ").append(two.path("requests").asInt()).append(" for ").append(two.path("targets").asInt())
                            .append(" targets | ").append(String.join(", ", texts(two.path("journal")))).append(" |\n");
                }
                md.append('\n');
            }

            JsonNode cold = r.path("cold");
            if (cold.has("script_cache_empty")) {
                md.append("## Cold start\n\n`").append(cold.path("command").asText()).append("`. Measured ").append(cold.path("measured_at").asText()).append(".\n\n");
                md.append("| situation | wall | peak RSS |\n|---|---|---|\n");
                coldRow(md, "JBang installed, its script cache empty, ~/.m2 filled (a runner whose `~/.jbang/cache` missed)", cold.path("script_cache_empty"));
                coldRow(md, "empty JBANG_DIR, ~/.m2 filled (the wrapper fetches jbang-cli with Maven first)", cold.path("jbang_dir_empty"));
                if (cold.path("first_run_ever").isObject()) {
                    coldRow(md, "first run ever: empty JBANG_DIR and empty Maven repository (" + cold.path("first_run_ever").path("downloaded_mb").asText()
                            + " MB from Maven Central; once)", cold.path("first_run_ever"));
                } else {
                    md.append("| first run ever | ").append(cold.path("first_run_ever").asText()).append(" | |\n");
                }
                JsonNode rc = cold.path("router_script_cache_empty");
                md.append("\nThe router's three steps with the script cache empty (once; each compiles its script, and with `//CDS` writes its archive): validate ")
                        .append(seconds(rc.path("validate_ms"))).append(", dedupe claim ").append(seconds(rc.path("dedupe_claim_ms")))
                        .append(", route ").append(seconds(rc.path("route_ms"))).append(", total ").append(seconds(rc.path("total_ms"))).append(".\n\n");
            }

            JsonNode tp = r.path("throughput");
            if (tp.has("validate_java")) {
                md.append("## validate throughput beside ajv-cli\n\n").append(String.format(Locale.ROOT, "%,d", tp.path("events").asInt()))
                        .append(" events (`").append(tp.path("file").asText()).append("`, ").append(String.format(Locale.ROOT, "%,d", tp.path("file_bytes").asLong()))
                        .append(" bytes): the valid examples of `schemas/examples/` in turn, each with a fresh `event_id`. All three check draft 2020-12 with ")
                        .append("formats asserted (`uuid`, `date-time`) and report every violation; all three reported every event valid. Times include ")
                        .append("start-up. Medians of ").append(tp.path("validate_java").path("wall_ms").path("n").asInt()).append(" runs. Measured ")
                        .append(tp.path("measured_at").asText()).append(".\n\n");
                md.append("| | wall | events/s | peak RSS |\n|---|---|---|---|\n");
                md.append("| `./jbang validate.java --schemas schemas events.jsonl` | ").append(ms(tp.path("validate_java").path("wall_ms"))).append(" | ")
                        .append(String.format(Locale.ROOT, "%,d", tp.path("validate_java").path("events_per_second").asLong())).append(" | ")
                        .append(mb(tp.path("validate_java").path("rss_mb"))).append(" |\n");
                md.append("| ajv-cli: ").append(tp.path("ajv_cli_files").path("how").asText()).append(" | ").append(ms(tp.path("ajv_cli_files").path("wall_ms")))
                        .append(" | ").append(String.format(Locale.ROOT, "%,d", tp.path("ajv_cli_files").path("events_per_second").asLong())).append(" | ")
                        .append(mb(tp.path("ajv_cli_files").path("rss_mb"))).append(" |\n");
                md.append("| Ajv, one process: ").append(tp.path("ajv_jsonl").path("how").asText()).append(" | ").append(ms(tp.path("ajv_jsonl").path("wall_ms")))
                        .append(" | ").append(String.format(Locale.ROOT, "%,d", tp.path("ajv_jsonl").path("events_per_second").asLong())).append(" | ")
                        .append(mb(tp.path("ajv_jsonl").path("rss_mb"))).append(" |\n\n");
                md.append("validate.java is ").append(tp.path("validate_vs_ajv_cli").asText()).append("× as fast as ajv-cli and ")
                        .append(tp.path("validate_vs_ajv_jsonl").asText()).append("× as fast as Ajv in one process.\n\n");
            }

            JsonNode cap = r.path("dedupe_capacity");
            if (!cap.isMissingNode()) {
                md.append("## dedupe store capacity\n\n");
                if (cap.has("scenarios")) {
                    md.append("The state comment dedupe wrote was refilled, in dedupe's own format, with as many live entries as fit in GitHub's ")
                            .append("65,536-character limit; then ").append(r.path("runs").asInt()).append(" claims of new ids, each of which must evict one. ")
                            .append("Live entries are what `dedupe show --json` counts afterwards. Measured ").append(cap.path("measured_at").asText()).append(".\n\n");
                    md.append("| scenario | live entries | comment characters | claim at capacity | requests per claim |\n|---|---|---|---|---|\n");
                    for (JsonNode s : cap.path("scenarios")) {
                        md.append("| ").append(s.path("scenario").asText()).append(" | ").append(s.path("live_entries").asText()).append(" | ")
                                .append(String.format(Locale.ROOT, "%,d", s.path("comment_characters").asInt())).append(" | ")
                                .append(ms(s.path("claim_at_capacity").path("wall_ms"))).append(" | ").append(ints(s.path("claim_at_capacity_requests"))).append(" |\n");
                    }
                    md.append('\n');
                } else {
                    md.append("**Not measured: ").append(cap.path("status").asText()).append("**\n\n");
                }
            }

            JsonNode ex = r.path("experiments");
            if (ex.has("list")) {
                md.append("## Start-up options tried (issue 6, item 2)\n\nEach table: the variants run interleaved, ")
                        .append("in rotating order, medians [min–max]; the first row is the baseline.\n\n");
                for (JsonNode e : ex.path("list")) {
                    md.append("### ").append(e.path("title").asText()).append("\n\n");
                    if (e.has("measured_at")) {
                        md.append("Measured ").append(e.path("measured_at").asText()).append(".\n\n");
                    }
                    md.append("| variant | options | wall | vs baseline | peak RSS | note |\n|---|---|---|---|---|---|\n");
                    for (JsonNode v : e.path("variants")) {
                        md.append("| ").append(v.path("variant").asText()).append(" | ")
                                .append(v.path("options").asText().isEmpty() ? "(none)" : "`" + v.path("options").asText() + "`").append(" | ").append(ms(v.path("wall_ms"))).append(" | ")
                                .append(String.format(Locale.ROOT, "%+.0f ms (%+.1f %%)", v.path("vs_baseline_ms").asDouble(), v.path("vs_baseline_percent").asDouble()))
                                .append(" | ").append(mb(v.path("rss_mb"))).append(" | ").append(v.path("note").asText()).append(" |\n");
                    }
                    md.append('\n');
                    if (e.has("gc_pause_ms_total")) {
                        md.append("One more run of the first variant with a GC log: ").append(e.path("gc_pauses").asInt()).append(" collections, ")
                                .append(e.path("gc_pause_ms_total").asLong()).append(" ms of pauses in all (validate.java parses a line at a time and keeps only the invalid events; ")
                                .append("the file's text stays in memory while it is checked).\n\n");
                    }
                }
            }
            md.append(Notes.TEXT);
            return md.toString();
        }

        static List<String> texts(JsonNode array) {
            List<String> l = new ArrayList<>();
            array.forEach(n -> l.add("`" + n.asText() + "`"));
            return l;
        }

        static void row(StringBuilder md, String k, String v) {
            md.append("| ").append(k).append(" | ").append(v).append(" |\n");
        }

        static void seriesRow(StringBuilder md, String name, JsonNode s) {
            md.append("| ").append(name).append(" | ").append(ms(s.path("wall_ms"))).append(" | ").append(mb(s.path("rss_mb"))).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f %%", s.path("cpu_busy_before_percent").path("median").asDouble())).append(" |\n");
        }

        static void coldRow(StringBuilder md, String name, JsonNode s) {
            md.append("| ").append(name).append(" | ").append(ms(s.path("wall_ms"))).append(s.path("wall_ms").path("n").asInt() == 1 ? " (one run)" : "")
                    .append(" | ").append(mb(s.path("rss_mb"))).append(" |\n");
        }

        static String ms(JsonNode s) {
            double m = s.path("median").asDouble();
            String f = m >= 10_000 ? "%.1f s" : m >= 1000 ? "%.2f s" : "%.0f ms";
            double scale = m >= 1000 ? 1000 : 1;
            String text = String.format(Locale.ROOT, f, m / scale);
            if (s.path("n").asInt() > 1) {
                text += String.format(Locale.ROOT, " [" + (m >= 1000 ? "%.2f–%.2f" : "%.0f–%.0f") + "]", s.path("min").asDouble() / scale, s.path("max").asDouble() / scale);
            }
            return text;
        }

        static String seconds(JsonNode ms) {
            return ms.isNumber() ? String.format(Locale.ROOT, "%.1f s", ms.asDouble() / 1000) : ms.asText();
        }

        static String mb(JsonNode s) {
            return String.format(Locale.ROOT, "%.0f MB", s.path("median").asDouble());
        }

        static String ints(JsonNode s) {
            return s.path("min").asInt() == s.path("max").asInt() ? String.valueOf(s.path("max").asInt())
                    : s.path("min").asInt() + "–" + s.path("max").asInt() + " (median " + s.path("median").asText() + ")";
        }
    }

    /** The decisions behind the options in use: fixed text, the figures above are what backs them. */
    static final class Notes {
        static final String TEXT = """
                ## Decisions (issue 6, item 2)

                The tables above back each of these; "Start-up options tried" has the kept and the dropped ones side by side.

                **Kept**

                - **The launcher JVM that `./jbang` starts**: `-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto` and an AppCDS
                  archive. C1 and the archive each save a large share; SerialGC is a wash on the launcher (within the noise in
                  either direction across runs) and stays because it is what the scripts use and starts no GC worker threads.
                  JDK 17 has no `-XX:+AutoCreateSharedArchive`, so the wrapper makes the archive itself: while
                  `$JBANG_DIR/wrapper/jbang-cli-<version>-java-<JDK build>.jsa` is missing, a run adds
                  `-XX:ArchiveClassesAtExit=<a temporary file of its own>`; when that run launched a script (exit 255) the file is
                  checked (`-Xshare:on ... -version`) and renamed into place. Parallel first runs each write their own file and the
                  rename is atomic, so nobody maps a half-written archive (tested with six parallel first runs). An archive from
                  `--version` or catalog commands is not kept: it holds too few of the classes a script run needs. If the JVM refuses
                  the archive options ("Error occurred during initialization of VM", exit 1) or crashes while using one (tested with a
                  truncated archive: SIGBUS), the wrapper runs the launcher again without them and leaves a `.off` marker;
                  `JBANG_WRAPPER_CDS=false` turns the archive off. JVM log messages go to stderr, never to stdout, which carries the
                  command line the wrapper executes, and class-data sharing messages are off. The class path is spelled out in sorted
                  order instead of `lib/*`: an archive is only accepted with the class path it was made with. The wrapper's own work
                  (finding Java, reading the JDK's `release` file) now uses shell builtins: about 10 ms instead of 16.
                - **`//CDS` in emit.java, validate.java, route.java and dedupe.java**, with `-Xlog:cds=off,cds+dynamic=off` added
                  to `//RUNTIME_OPTIONS` (the header tables: 0.13 to 0.28 s per step through `./jbang`). JBang 0.132.1 supports `//CDS` on Java 13 and later (`JarCmdGenerator`): the first run after a
                  build gets `-XX:ArchiveClassesAtExit=<the script's jar>.jsa`, later runs `-XX:SharedArchiveFile=`. The log option is
                  needed: the archiving run otherwise prints some 190 "Pre JDK 6 class not supported by CDS" warnings (picocli ships
                  Java 5 class files) **on stdout**, which would corrupt `event_id=$(jbang emit ...)`, and an archive that no longer
                  fits prints "Unable to use shared archive" there on every run. Writing the archive is safe under concurrency:
                  HotSpot unlinks and re-creates the file and writes its header last (checked with a hard link and by polling the
                  file while it is written), so a JVM that maps it meanwhile finds no header and runs without it.
                - **`-XX:TieredStopAtLevel=1 -XX:+UseSerialGC`** stay in the scripts' headers: they win with and without an archive.
                  validate.java keeps C1 only too: the full tiered compiler validates the 100,000-line log an eighth to a sixth
                  faster but costs 50 to 200 ms on every single event the router validates (validate's tables above), and the
                  router's latency is what the bus is for. For large logs, add the option at run time:
                  `./jbang -R-XX:TieredStopAtLevel=4 validate.java big.jsonl` (JBang puts `-R` options after the header's).
                - **The HTTP client's selector thread is stopped before exit** in emit.java, dedupe.java and route.java (the
                  "selector thread at exit" tables). The JDK's HttpClient runs a selector thread that waits in native code (epoll)
                  for as long as the client lives, and a JVM's exit waits up to 300 ms for threads in native code to settle
                  (HotSpot's `VM_Exit::wait_for_threads_in_native_to_block`), so every script that had sent a request spent about
                  0.3 s exiting. JDK 17's HttpClient has no `close()` (JDK 21 added it), but its selector thread ends when
                  interrupted: `GitHub.shutdown()` does that before `System.exit`, 0.3 s per step through `./jbang`. The one
                  client per process sits in a holder class, so paths that send nothing never build it.
                - **validate.java checks a JSON Lines file a line at a time** and keeps only what its report needs (counts, the
                  invalid events, with `--json` a small item per event). It used to parse the whole file into trees and keep them
                  all with their results until it reported, so each collection copied a growing live set: on the 100,000-line log
                  3.15 s and 399 MB before, 2.13 s and 209 MB after, through `./jbang` (measured by hand with GNU time when the
                  change was made; the throughput table has the figures of this run).

                **Dropped**

                - Building the HTTP client on a second thread from the start of `main()`, to overlap its TLS set-up with
                  parsing and validating: measured in two full runs beside the shutdown alone, it changed emit by -31 and 0 ms,
                  dedupe by -13 and -39 ms, route by -66 and +6 ms: within the noise, not worth a thread.
                - Not adopted yet: **JDK 25's AOT cache** (JEP 483 and 514) instead of AppCDS archives. On this machine it takes
                  about 0.14 s off each JVM, the launcher's and the script's (the "AOT cache" tables), so about 0.3 s per step.
                  But the scripts declare `//JAVA 17+` and the workflows set up Java 17, and JBang 0.132.1's `//CDS` only passes
                  AppCDS options (`-XX:ArchiveClassesAtExit`, `-XX:SharedArchiveFile`): using it means `./jbang` recording an AOT
                  cache for the launcher on JDK 25 and later, and rewriting the script JVM's options the way it already drops
                  an unwritable archive, then moving the workflows to Java 25. A follow-up, measured here first.
                - `-XX:-UsePerfData`: mixed, between about 60 ms faster and 60 ms slower depending on the JVM and the run; it would
                  also hide the JVMs from `jcmd` and `jstat`.
                - Not verifying application classes (`-XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote`): a few tens
                  of milliseconds on the launcher, not worth running unverified code.
                - The full tiered compiler for validate.java (above).
                - Bypassing JBang's launcher (caching the command line it prints, or running the cached jar directly) would save
                  the launcher's share (see "`jbang --version` only") on every step, but skips what JBang checks on each run (an
                  edited script, catalogs, dependencies); the targets include the launcher, so it was not done.

                **Caveats of `//CDS`**

                - JBang passes `-XX:ArchiveClassesAtExit` until the archive exists, and a JVM that cannot write it (a read-only or
                  foreign-owned JBang cache, a full disk) exits 1 after the script did its work, and one told `-Xshare:off` (say in
                  `JBANG_JAVA_OPTIONS`, which JBang passes to the script JVM too) refuses to start; `jbang --no-cds` does not
                  override `//CDS`. `./jbang` drops the option in both cases (tested on a read-only bind mount and with
                  `JBANG_JAVA_OPTIONS=-Xshare:off`); an installed `jbang` does not, so a runner needs a writable `~/.jbang`, as
                  actions/cache gives it.
                - The archive holds the classes of the first run after a build and is not rewritten: when that run was `--help`,
                  `--version` or `--dry-run`, every later run loads the rest (the HTTP client's classes, say) from the jars, about
                  0.2 s slower (seen here while measuring). The workflows' first run of each script is a real one.
                - An archive only fits the JDK build that wrote it. After a JDK update the JVM ignores it, silently, and JBang does
                  not write a new one until the script's jar is rebuilt: the cache key of `~/.jbang` should name the JDK version.

                ## The targets: what stands in the way of the missed one, and the margins of the others

                - **≤ 3 requests per uncontended claim** (missed: 6, 5 of them counted by the rate limit; 5 and 4 with
                  `EVENT_BUS_STATE_ISSUE` set). See the journal in "API requests": look the state issue up (unless
                  `EVENT_BUS_STATE_ISSUE` or `--state-issue` names it), read the comments, create a write-ticket ref, re-read the
                  comments conditionally (a 304), delete the previous ticket, write the comment. GitHub has no compare-and-swap on
                  comments (writes accept no `If-Match`), so "exactly one of two racing claims gets `new`" needs a lock, and the
                  only atomic create-if-absent the API offers (a ref, a label, a file) has to be created and deleted again: two
                  requests on top of a read and a write. The 304 re-read is what makes deleting old tickets safe: without it, a
                  run that read a version two writes old could take that version's deleted ticket and overwrite newer state.
                  Leaving tickets for `prune` would move the delete off the claim but not save it, and GraphQL, which could look
                  the issue up and read its comments in one request, is outside the REST endpoints this project uses.
                - **validate faster than ajv-cli** is met since validate.java checks JSON Lines a line at a time (above). Ajv in
                  one process, with validators compiled to JavaScript, stays several times faster; the full tiered compiler
                  (`-R-XX:TieredStopAtLevel=4`) makes validate.java faster still on large files.
                - **emit ≤ 1.0 s and the router ≤ 3.0 s** are met since the HTTP client's selector thread is stopped before exit (above). What is left of emit is about
                  0.4 s of JBang's launcher (see "`jbang --version` only") and 0.4 s of the emit JVM ("Where the emit JVM's time goes"). Not done: one JVM for the
                  router's three steps (it would save two launchers and two script JVMs, but the steps are the user-facing
                  commands); JDK 25's AOT cache instead of AppCDS ("Not adopted yet" above).
                """;
    }
}
