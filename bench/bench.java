///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Benchmark event-bus on this machine against the local GitHub emulator: start-up beside curl and node, API requests
//DESCRIPTION per operation, cold starts, validate throughput beside ajv-cli, the dedupe store's capacity. docs/benchmark.md explains it.
//DESCRIPTION Needs: Java 17+, Maven, curl, Node.js 18+ and npm (ajv-cli is installed into bench/work/), GNU time.
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
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, version = "bench 2.0",
        description = {"Measures event-bus on this machine and writes bench/results.json and bench/results.md.",
            "Every figure is the median of repeated runs; each run starts when the CPUs are idle."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:measured", "1:a measurement failed", "2:invalid usage"})
class bench implements Callable<Integer> {

    /**
     * The parts of the benchmark, in the order they run and appear in results.md. Each one measures
     * into its own object of results.json, named after it, and renders only that object, so --only
     * can measure some again and keep the others. A new measurement is one more entry here.
     */
    static final List<Section> SECTIONS = List.of(
            new Section("emit", bench::measureEmit, bench::renderEmit),
            new Section("router", bench::measureRouter, bench::renderRouter),
            new Section("fastpath", bench::measureFastPath, bench::renderFastPath),
            new Section("requests", bench::measureRequests, bench::renderRequests),
            new Section("history", bench::measureHistory, bench::renderHistory),
            new Section("throughput", bench::measureThroughput, bench::renderThroughput),
            new Section("capacity", bench::measureCapacity, bench::renderCapacity),
            new Section("cold", bench::measureCold, bench::renderCold),
            new Section("cds", bench::measureCds, bench::renderCds));

    record Section(String name, Measurement measure, BiConsumer<JsonNode, StringBuilder> render) {
    }

    interface Measurement {
        ObjectNode run(bench bench, Emulator emulator) throws Exception;
    }

    static final class SectionNames extends ArrayList<String> {
        SectionNames() {
            super(SECTIONS.stream().map(Section::name).toList());
        }
    }

    static final String REPO = "octo-org/octo-repo";
    static final String TOKEN = "ghs_emulatorDefaultToken000000000000000";
    static final String PAYLOAD = "{\"pr\":456,\"checks_status\":\"green\"}";
    static final String EMIT_COMMAND = "./jbang emit.java rfc.pr.ready --payload '" + PAYLOAD + "'";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** One JSON document a line, as the scripts write event logs and history files. */
    static final ObjectMapper COMPACT = new ObjectMapper();
    static final ObjectMapper YAML = new YAMLMapper();
    /** Times as the scripts write them in event log records: UTC with milliseconds. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Option(names = "--runs", defaultValue = "7", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--throughput-runs", defaultValue = "3",
            description = "runs per throughput figure: validate on the event log, a week read back from the history (default: ${DEFAULT-VALUE})")
    int throughputRuns;

    @Option(names = "--cold-runs", defaultValue = "3", description = "runs per cold start with a filled ~/.m2 (default: ${DEFAULT-VALUE})")
    int coldRuns;

    @Option(names = "--lines", defaultValue = "100000", description = "lines of the generated event log (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--only", split = ",", paramLabel = "SECTION", completionCandidates = SectionNames.class,
            description = "measure only these sections and keep the others from the previous results.json: ${COMPLETION-CANDIDATES}")
    List<String> only;

    @Option(names = "--skip-cold", description = "skip the cold starts")
    boolean skipCold;

    @Option(names = "--skip-first-ever", description = "skip the cold start with an empty Maven repository (downloads from Maven Central)")
    boolean skipFirstEver;

    @Option(names = "--render", description = "measure nothing: write bench/results.md again from bench/results.json")
    boolean render;

    @Option(names = "--quiet-below", defaultValue = "25",
            description = "start a run only when the CPUs are less busy than this percentage (default: ${DEFAULT-VALUE})")
    double quietBelow;

    @Option(names = "--quiet-timeout", defaultValue = "60",
            description = "seconds to wait for idle CPUs before a run starts anyway (default: ${DEFAULT-VALUE})")
    int quietTimeout;

    @Option(names = "--aot-jdk", paramLabel = "JAVA_HOME",
            description = "a JDK 25+ for the fastpath section's AOT cache figures (default: the first under /usr/lib/jvm)")
    Path aotJdk;

    @Spec
    CommandSpec spec;

    Path root;
    Path work;
    Path logs;
    Path jbangDir;
    String dedupeTtl;
    final Random random = new Random(20261127L);

    public static void main(String... args) {
        System.exit(new CommandLine(new bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Section> selected = selectedSections();
        root = findCheckout();
        work = root.resolve("bench/work");
        logs = work.resolve("logs");
        jbangDir = work.resolve("jbang-home");
        Path jsonFile = root.resolve("bench/results.json");
        // A full run starts afresh, so nothing of an older run survives unnoticed; --only and --render keep the rest.
        boolean keep = render || only != null;
        ObjectNode results = keep && Files.exists(jsonFile) ? (ObjectNode) JSON.readTree(jsonFile.toFile()) : JSON.createObjectNode();
        if (!render) {
            measure(selected, results);
            JSON.writeValue(jsonFile.toFile(), results);
        }
        Files.writeString(root.resolve("bench/results.md"), markdown(results));
        say(render ? "wrote bench/results.md from bench/results.json" : "wrote bench/results.json and bench/results.md");
        return 0;
    }

    List<Section> selectedSections() {
        List<String> names = SECTIONS.stream().map(Section::name).toList();
        if (only != null) {
            for (String name : only) {
                if (!names.contains(name)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown section '" + name + "', expected one of " + names);
                }
            }
        }
        return SECTIONS.stream()
                .filter(s -> only == null || only.contains(s.name()))
                .filter(s -> !(skipCold && s.name().equals("cold")))
                .toList();
    }

    void measure(List<Section> selected, ObjectNode results) throws Exception {
        Files.createDirectories(logs);
        dedupeTtl = routerTtl();
        results.put("generated_at", now());
        results.put("quiet_below_percent", quietBelow);
        results.set("machine", machine());
        results.set("load_before", load());
        deleteTree(work.resolve("events")); // event files the emulator delivered in earlier runs
        try (Emulator emulator = Emulator.start(this)) {
            warmUp(emulator);
            for (Section section : selected) {
                emulator.reset(); // each section starts from an empty repository: no state issue, an empty journal
                ObjectNode measured = section.measure().run(this, emulator);
                ObjectNode entry = JSON.createObjectNode().put("measured_at", now());
                entry.setAll(measured);
                results.set(section.name(), entry);
            }
        }
        results.set("load_after", load());
    }

    /** Each script runs twice before anything is measured: compiled, dependencies resolved, class-data sharing archives written. */
    void warmUp(Emulator emulator) throws Exception {
        say("warming up: each script twice (a first run compiles it and records its class-data sharing archive)");
        Path workspace = workspace();
        for (int i = 0; i < 2; i++) {
            run("warmup-emit", jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), emitEnv(emulator), root);
            Map<String, String> env = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "warmup");
            run("warmup-validate", jbang("validate.java"), env, workspace);
            run("warmup-dedupe", claim(), env, workspace);
            run("warmup-route", jbang("route.java"), env, workspace);
            run("warmup-events", jbang("events.java", "stats"), env, workspace);
        }
    }

    // ---- emit beside curl and node ------------------------------------------------------------

    /** Warm `./jbang emit.java` beside curl and Node's fetch sending the same repository_dispatch, interleaved. */
    ObjectNode measureEmit(Emulator emulator) throws Exception {
        say("emit: ./jbang emit.java, curl and node, " + runs + " runs each, interleaved");
        Map<String, String> env = emitEnv(emulator);
        Map<String, CommandForRun> tools = new LinkedHashMap<>();
        tools.put("jbang_emit", i -> jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD));
        tools.put("curl", i -> List.of("curl", "-sS", "-f", "-o", "/dev/null", "-X", "POST",
                "-H", "Accept: application/vnd.github+json", "-H", "Authorization: Bearer " + TOKEN,
                "-H", "X-GitHub-Api-Version: 2022-11-28", "-H", "Content-Type: application/json",
                "--data-binary", "@" + dispatchBody("curl-" + i), emulator.url + "/repos/" + REPO + "/dispatches"));
        tools.put("node", i -> List.of("node", root.resolve("bench/dispatch.mjs").toString(), dispatchBody("node-" + i).toString()));
        Map<String, List<Result>> samples = interleaved(tools, env);
        ObjectNode section = JSON.createObjectNode();
        section.put("command", EMIT_COMMAND);
        samples.forEach((tool, results) -> section.set(tool, summary(results)));
        section.put("process_floor_ms", round(processFloor(), 1));
        return section;
    }

    static void renderEmit(JsonNode s, StringBuilder md) {
        md.append("## emit beside curl and node (warm)\n\n`").append(s.path("command").asText())
                .append("` against the emulator, beside `curl` sending the same POST and `node bench/dispatch.mjs` sending it with ")
                .append("Node's global `fetch`; a fresh `event_id` each time, the three interleaved in rotating order. ")
                .append(measured(s, s.path("jbang_emit"))).append("\n\n");
        md.append("| | wall | peak RSS | cpu busy before |\n|---|---|---|---|\n");
        stepRow(md, "`./jbang emit.java`", s.path("jbang_emit"));
        stepRow(md, "curl", s.path("curl"));
        stepRow(md, "node + fetch", s.path("node"));
        double emit = s.path("jbang_emit").path("median_ms").asDouble();
        double curl = s.path("curl").path("median_ms").asDouble();
        double node = s.path("node").path("median_ms").asDouble();
        md.append(String.format(Locale.ROOT, "%nemit takes %.1f× curl's time and %.1f× node's; node %.1f× curl's. ",
                emit / curl, emit / node, node / curl))
                .append("Starting a process under GNU time costs the harness ").append(s.path("process_floor_ms").asText())
                .append(" ms (`/bin/true`), included in every figure.\n\n");
    }

    /** A repository_dispatch body as emit would send it, with a fresh event_id, for curl or node to send. */
    Path dispatchBody(String name) throws IOException {
        String id = UUID.randomUUID().toString();
        ObjectNode body = JSON.createObjectNode().put("event_type", "rfc.pr.ready");
        ObjectNode payload = body.putObject("client_payload");
        payload.put("event_id", id);
        payload.put("source", "emit-cli");
        payload.put("timestamp", TIMESTAMP.format(Instant.now()));
        payload.put("trace_id", id);
        payload.set("data", JSON.readTree(PAYLOAD));
        Path file = work.resolve("bodies/" + name + ".json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, COMPACT.writeValueAsString(body));
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

    // ---- the router's three steps -------------------------------------------------------------

    /** validate, dedupe claim and route as the router workflow runs them, each on a fresh event. */
    ObjectNode measureRouter(Emulator emulator) throws Exception {
        say("router: validate, dedupe claim --ttl " + dedupeTtl + " and route on a fresh rfc.pr.ready event, " + runs + " runs");
        Path workspace = workspace();
        // The first claim ever opens the state issue; the claims measured below find it, as every later router run does.
        run("router-first-claim", claim(), routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "router-first"), workspace);
        List<Result> validate = new ArrayList<>();
        List<Result> claim = new ArrayList<>();
        List<Result> route = new ArrayList<>();
        List<Double> totals = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Map<String, String> env = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "router-" + i);
            Result v = exec("router-validate-" + i, jbang("validate.java"), env, workspace, true, 300);
            require(v, 0, "validate");
            Result c = exec("router-dedupe-" + i, claim(), env, workspace, true, 300);
            requireAnswer(c, "new", "dedupe claim of a fresh event");
            Result r = exec("router-route-" + i, jbang("route.java"), env, workspace, true, 300);
            require(r, 0, "route");
            validate.add(v);
            claim.add(c);
            route.add(r);
            totals.add(v.wallMs() + c.wallMs() + r.wallMs());
            say(String.format(Locale.ROOT, "  run %d/%d: validate %.0f ms, claim %.0f ms, route %.0f ms, total %.0f ms",
                    i + 1, runs, v.wallMs(), c.wallMs(), r.wallMs(), totals.get(i)));
        }
        ObjectNode section = JSON.createObjectNode();
        section.put("event", "rfc.pr.ready, one route (merge-orchestrator.yml)");
        section.put("dedupe_ttl", dedupeTtl);
        section.set("validate", summary(validate));
        section.set("dedupe_claim", summary(claim));
        section.set("route", summary(route));
        section.set("total_per_event", wallSummary(totals));
        return section;
    }

    static void renderRouter(JsonNode s, StringBuilder md) {
        md.append("## The router's three steps (warm)\n\nAs `workflows/event-router.yml` runs them: in a checkout with ")
                .append("`.github/event-routes.yml` and the consumer workflows (also declared in the emulator with their inputs), with the ")
                .append("environment Actions sets (`GITHUB_EVENT_PATH` is the event file the emulator delivered). Event: ")
                .append(s.path("event").asText()).append(", a fresh one per run. ").append(measured(s, s.path("validate"))).append("\n\n");
        md.append("| step | wall | peak RSS | cpu busy before |\n|---|---|---|---|\n");
        stepRow(md, "`validate`", s.path("validate"));
        stepRow(md, "`dedupe claim --ttl " + s.path("dedupe_ttl").asText() + "`", s.path("dedupe_claim"));
        stepRow(md, "`route`", s.path("route"));
        md.append("| **total per event** (median of the per-event sums) | **").append(wall(s.path("total_per_event"))).append("** | | |\n\n");
    }


    // ---- the wrapper's fast path ------------------------------------------------------------------

    /**
     * The wrapper's fast path (docs/wrapper.md) beside the launcher path it skips, node and curl, in
     * one interleaved run: warm emit; the router's three steps; the wrapper's own cost up to the
     * exec; cold starts with the script cache empty. On JDK 17 (AppCDS) and, where there is one, a
     * JDK 25+ (the AOT cache).
     */
    ObjectNode measureFastPath(Emulator emulator) throws Exception {
        Path jdk25 = aotJdk != null ? aotJdk : findJdk25();
        ObjectNode section = JSON.createObjectNode();
        section.put("command", EMIT_COMMAND);
        section.put("jdk17", capture(List.of(javaExecutable(), "-version")).lines().findFirst().orElse("").strip());
        if (jdk25 != null) {
            section.put("jdk25", capture(List.of(jdk25.resolve("bin/java").toString(), "-version")).lines().findFirst().orElse("").strip());
            warmUpJdk25(emulator, jdk25);
        }
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        Map<String, String> emit = emitEnv(emulator);
        envs.put("fast_jdk17", emit);
        if (jdk25 != null) {
            envs.put("fast_jdk25", with(emit, "JAVA_HOME", jdk25.toString()));
        }
        envs.put("launcher_jdk17", with(emit, "JBANG_WRAPPER_FAST", "false"));
        if (jdk25 != null) {
            envs.put("launcher_jdk25", with(envs.get("fast_jdk25"), "JBANG_WRAPPER_FAST", "false"));
        }

        say("fastpath: warm emit through the fast path" + (jdk25 != null ? " (JDK 17 and " + jdk25.getFileName() + ")" : "")
                + ", through the launcher, curl and node, " + runs + " runs each, interleaved");
        Map<String, CommandForRun> tools = new LinkedHashMap<>();
        for (String variant : envs.keySet()) {
            tools.put(variant, i -> jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD));
        }
        tools.put("curl", i -> List.of("curl", "-sS", "-f", "-o", "/dev/null", "-X", "POST",
                "-H", "Accept: application/vnd.github+json", "-H", "Authorization: Bearer " + TOKEN,
                "-H", "X-GitHub-Api-Version: 2022-11-28", "-H", "Content-Type: application/json",
                "--data-binary", "@" + dispatchBody("fast-curl-" + i), emulator.url + "/repos/" + REPO + "/dispatches"));
        tools.put("node", i -> List.of("node", root.resolve("bench/dispatch.mjs").toString(), dispatchBody("fast-node-" + i).toString()));
        ObjectNode emits = section.putObject("emit");
        interleaved(tools, name -> envs.getOrDefault(name, emit)).forEach((tool, results) -> emits.set(tool, summary(results)));

        say("fastpath: the router's three steps on a fresh event, each way, " + runs + " runs, interleaved");
        Path workspace = workspace();
        run("fast-router-first-claim", claim(), routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "fast-first"), workspace);
        ObjectNode router = section.putObject("router");
        Map<String, List<List<Result>>> steps = new LinkedHashMap<>();
        envs.keySet().forEach(v -> steps.put(v, List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>())));
        Map<String, List<Double>> totals = new LinkedHashMap<>();
        envs.keySet().forEach(v -> totals.put(v, new ArrayList<>()));
        List<String> variants = List.copyOf(envs.keySet());
        for (int i = 0; i < runs; i++) {
            List<String> walls = new ArrayList<>();
            for (int k = 0; k < variants.size(); k++) {
                String variant = variants.get((i + k) % variants.size());
                Map<String, String> env = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "fast-" + variant + "-" + i);
                envs.get(variant).forEach((name, value) -> {
                    if (name.equals("JAVA_HOME") || name.startsWith("JBANG_WRAPPER_")) {
                        env.put(name, value);
                    }
                });
                Result v = exec("fast-router-validate-" + variant + "-" + i, jbang("validate.java"), env, workspace, true, 300);
                require(v, 0, "validate");
                Result c = exec("fast-router-dedupe-" + variant + "-" + i, claim(), env, workspace, true, 300);
                requireAnswer(c, "new", "dedupe claim of a fresh event");
                Result r = exec("fast-router-route-" + variant + "-" + i, jbang("route.java"), env, workspace, true, 300);
                require(r, 0, "route");
                List<List<Result>> lists = steps.get(variant);
                lists.get(0).add(v);
                lists.get(1).add(c);
                lists.get(2).add(r);
                totals.get(variant).add(v.wallMs() + c.wallMs() + r.wallMs());
                walls.add(String.format(Locale.ROOT, "%s %.0f ms", variant, v.wallMs() + c.wallMs() + r.wallMs()));
            }
            say(String.format(Locale.ROOT, "  run %d/%d: %s", i + 1, runs, String.join(", ", walls)));
        }
        for (String variant : variants) {
            ObjectNode row = router.putObject(variant);
            row.set("validate", summary(steps.get(variant).get(0)));
            row.set("dedupe_claim", summary(steps.get(variant).get(1)));
            row.set("route", summary(steps.get(variant).get(2)));
            row.set("total_per_event", wallSummary(totals.get(variant)));
        }

        say("fastpath: the wrapper's own cost up to the exec (JBANG_WRAPPER_DRYRUN=1), " + runs + " runs each, interleaved");
        Path record = fastRecord(emit);
        Map<String, CommandForRun> checks = new LinkedHashMap<>();
        List<String> emitCommand = jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD);
        checks.put("fast_checks", i -> emitCommand);
        checks.put("fast_checks_rehash", i -> {
            // As after a cache restore: no fingerprint matches, so every file is hashed (and the record refreshed).
            String text = Files.readString(record);
            Files.writeString(record, text.replaceAll("(?m)^rec_fps=\\(.*\\)$", "rec_fps=()"));
            return emitCommand;
        });
        checks.put("launcher_only", i -> emitCommand);
        checks.put("bash_noop", i -> List.of("bash", "-c", ":"));
        Map<String, String> dry = with(emit, "JBANG_WRAPPER_DRYRUN", "1");
        Map<String, String> dryLauncher = with(dry, "JBANG_WRAPPER_FAST", "false");
        ObjectNode overhead = section.putObject("overhead");
        interleaved(checks, name -> name.equals("launcher_only") ? dryLauncher : dry).forEach((name, results) -> overhead.set(name, summary(results)));

        say("fastpath: cold emit, the script cache empty, each way (" + coldRuns + " runs each)");
        Path cold = work.resolve("cold-fast");
        deleteTree(cold);
        ObjectNode colds = section.putObject("cold");
        Map<String, List<Result>> coldRuns = new LinkedHashMap<>();
        envs.keySet().forEach(v -> coldRuns.put(v, new ArrayList<>()));
        for (int i = 0; i < this.coldRuns; i++) {
            for (int k = 0; k < variants.size(); k++) {
                String variant = variants.get((i + k) % variants.size());
                Path dir = cold.resolve(variant + "-" + i);
                copyTree(jbangDir.resolve("wrapper"), dir.resolve("wrapper"));
                deleteTree(dir.resolve("wrapper/fast"));
                Map<String, String> env = with(envs.get(variant), "JBANG_DIR", dir.toString());
                flushWrites();
                Result r = exec("fast-cold-" + variant + "-" + i, jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), env, root, true, 900);
                require(r, 0, "cold " + variant);
                coldRuns.get(variant).add(r);
                say(String.format(Locale.ROOT, "  %s: %.1f s", variant, r.wallMs() / 1000));
                awaitAotCaches(dir); // an AOT cache created in the background must not slow the next run
            }
        }
        coldRuns.forEach((variant, results) -> colds.set(variant, summary(results)));
        deleteTree(cold);
        return section;
    }

    static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return copy;
    }

    /** The file in which the wrapper saved emit's command: named after the directory, the script and JAVA_HOME (docs/wrapper.md). */
    Path fastRecord(Map<String, String> env) throws Exception {
        run("fast-record", jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), env, root);
        String key = root.toRealPath() + "\n" + root.resolve("emit.java") + "\n" + env.getOrDefault("JAVA_HOME", "");
        String name = key.replace("%", "%25").replace("/", "%2F").replace("\n", "%0A");
        if (name.length() > 200) {
            name = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest((name + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        Path record = jbangDir.resolve("wrapper/fast").resolve(name);
        if (!Files.isRegularFile(record)) {
            throw new IllegalStateException("the wrapper saved no command for emit.java as " + record);
        }
        return record;
    }

    /** Each script twice on the JDK 25, then the AOT caches created in the background, then once more. */
    void warmUpJdk25(Emulator emulator, Path jdk25) throws Exception {
        say("fastpath: warming up on " + jdk25 + " (the first run records training data, the AOT cache is created after it)");
        Path workspace = workspace();
        for (int i = 0; i < 3; i++) {
            Map<String, String> emit = with(emitEnv(emulator), "JAVA_HOME", jdk25.toString());
            run("warmup25-emit", jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), emit, root);
            Map<String, String> env = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "warmup25");
            env.put("JAVA_HOME", jdk25.toString());
            run("warmup25-validate", jbang("validate.java"), env, workspace);
            run("warmup25-dedupe", claim(), env, workspace);
            run("warmup25-route", jbang("route.java"), env, workspace);
            run("warmup25-events", jbang("events.java", "stats"), env, workspace);
            awaitAotCaches(jbangDir);
        }
    }

    /** Waits until no AOT cache is being created under dir (no *.pending file left). */
    static void awaitAotCaches(Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            try (Stream<Path> walk = Files.walk(dir)) {
                if (walk.noneMatch(p -> p.getFileName().toString().endsWith(".pending"))) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("an AOT cache under " + dir + " is still being created after 10 minutes");
            }
            Thread.sleep(250);
        }
    }

    /** The first JDK 25 or later under /usr/lib/jvm, or none. */
    static Path findJdk25() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            for (Path dir : dirs.sorted().toList()) {
                Path release = dir.resolve("release");
                Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.isRegularFile(release) ? Files.readString(release) : "");
                if (!Files.isSymbolicLink(dir) && m.find() && Integer.parseInt(m.group(1)) >= 25) {
                    return dir;
                }
            }
        }
        return null;
    }

    static void renderFastPath(JsonNode s, StringBuilder md) {
        JsonNode emit = s.path("emit");
        double node = emit.path("node").path("median_ms").asDouble();
        md.append("## The wrapper's fast path\n\nWarm `").append(s.path("command").asText()).append("` with the command JBang saved ")
                .append("started directly (the fast path, one JVM) and through JBang's launcher as before (`JBANG_WRAPPER_FAST=false`, ")
                .append("two JVMs), beside curl and `node bench/dispatch.mjs` sending the same POST, all interleaved. JDK 17: ")
                .append(s.path("jdk17").asText()).append(" with AppCDS archives");
        if (s.has("jdk25")) {
            md.append("; JDK 25: ").append(s.path("jdk25").asText()).append(" with AOT caches");
        }
        md.append(". ").append(measured(s, emit.path("fast_jdk17"))).append("\n\n");
        md.append("| | wall | × node | peak RSS | cpu busy before |\n|---|---|---|---|---|\n");
        Map<String, String> names = new LinkedHashMap<>();
        names.put("fast_jdk25", "`./jbang emit.java`, fast path, JDK 25 (AOT cache)");
        names.put("fast_jdk17", "`./jbang emit.java`, fast path, JDK 17 (AppCDS)");
        names.put("launcher_jdk25", "`./jbang emit.java` through the launcher, JDK 25 (`JBANG_WRAPPER_FAST=false`)");
        names.put("launcher_jdk17", "`./jbang emit.java` through the launcher, JDK 17 (`JBANG_WRAPPER_FAST=false`)");
        names.put("node", "node + fetch");
        names.put("curl", "curl");
        names.forEach((key, name) -> {
            JsonNode row = emit.path(key);
            if (row.has("median_ms")) {
                md.append("| ").append(name).append(" | ").append(wall(row)).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f×", row.path("median_ms").asDouble() / node)).append(" | ").append(mb(row))
                        .append(" | ").append(String.format(Locale.ROOT, "%.0f %%", row.path("cpu_busy_percent").asDouble())).append(" |\n");
            }
        });
        md.append("\n### The router's three steps\n\n`validate`, `dedupe claim`, `route` on a fresh event each, as in the router section, ")
                .append("each way in turn.\n\n| | validate | dedupe claim | route | total per event | × node |\n|---|---|---|---|---|---|\n");
        names.forEach((key, name) -> {
            JsonNode row = s.path("router").path(key);
            if (row.isObject()) {
                md.append("| ").append(name.replace("`./jbang emit.java`, ", "").replace("`./jbang emit.java` ", ""))
                        .append(" | ").append(wall(row.path("validate"))).append(" | ").append(wall(row.path("dedupe_claim")))
                        .append(" | ").append(wall(row.path("route"))).append(" | **").append(wall(row.path("total_per_event")))
                        .append("** | ").append(String.format(Locale.ROOT, "%.1f×", row.path("total_per_event").path("median_ms").asDouble() / node))
                        .append(" |\n");
            }
        });
        JsonNode overhead = s.path("overhead");
        md.append("\n### What the wrapper costs up to the exec\n\n`JBANG_WRAPPER_DRYRUN=1` makes `./jbang` print the script JVM's command ")
                .append("instead of running it: everything but the script's JVM.\n\n| | wall | peak RSS |\n|---|---|---|\n");
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("fast_checks", "fast path: the context, one `stat` of the saved files (all unchanged)");
        checks.put("fast_checks_rehash", "fast path with every file hashed, as after a cache restore or checkout");
        checks.put("launcher_only", "launcher path: the launcher JVM working out the command (JDK 17, AppCDS)");
        checks.put("bash_noop", "`bash -c :` (starting bash)");
        checks.forEach((key, name) -> {
            if (overhead.path(key).has("median_ms")) {
                md.append("| ").append(name).append(" | ").append(wall(overhead.path(key))).append(" | ").append(mb(overhead.path(key))).append(" |\n");
            }
        });
        md.append("\n### Cold: the script cache empty\n\nA `JBANG_DIR` with JBang and its launcher archive but no script built and no ")
                .append("saved command: JBang resolves and compiles emit.java; the fast path's way also saves the command. Either way the run records ")
                .append("the class-data sharing archive, on JDK 25 as AOT training data (the cache itself is created in the background after ")
                .append("the run, not timed).\n\n")
                .append("| | wall | peak RSS |\n|---|---|---|\n");
        names.forEach((key, name) -> {
            JsonNode row = s.path("cold").path(key);
            if (row.has("median_ms")) {
                md.append("| ").append(name.replace("fast path", "fast path's way")).append(" | ").append(wall(row)).append(" | ").append(mb(row)).append(" |\n");
            }
        });
        md.append('\n');
    }

    // ---- API requests per operation -----------------------------------------------------------

    /**
     * The API requests of each operation, from the emulator's journal. Each runs once: the count
     * does not vary from run to run, only with the state the repository is in (the first claim
     * ever opens the state issue; a duplicate needs no write).
     */
    ObjectNode measureRequests(Emulator emulator) throws Exception {
        say("requests: each operation once, counted from the emulator's journal");
        ObjectNode section = JSON.createObjectNode();
        List<String> emit = jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD);
        section.set("emit", countRequests(emulator, "emit", emit, emitEnv(emulator), null).requests());

        Map<String, String> first = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "requests-first");
        section.set("validate", countRequests(emulator, "validate", jbang("validate.java"), first, null).requests());
        section.set("claim_first_ever",
                countRequests(emulator, "dedupe claim, first ever (opens the state issue)", claim(), first, "new").requests());

        Map<String, String> next = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "requests-next");
        section.set("claim_new", countRequests(emulator, "dedupe claim, new id", claim(), next, "new").requests());
        section.set("claim_duplicate",
                countRequests(emulator, "dedupe claim, the same id again (duplicate)", claim(), next, "duplicate").requests());
        section.set("route_one_target", countRequests(emulator, "route, rfc.pr.ready (one target)", jbang("route.java"), next, null).requests());

        // With the state issue named, a claim need not look it up.
        Map<String, String> known = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "requests-known");
        known.put("EVENT_BUS_STATE_ISSUE", String.valueOf(emulator.stateIssue()));
        section.set("claim_new_state_issue_known",
                countRequests(emulator, "dedupe claim, new id, `EVENT_BUS_STATE_ISSUE` set", claim(), known, "new").requests());

        // rfc.pr.created has two routes: requests per target when there are several. route prints a line per dispatched workflow.
        Path created = emulator.dispatchAndGetEvent("rfc.pr.created", "{\"pr\":456,\"issue\":123,\"branch\":\"copilot/rfc-093-02\"}");
        Map<String, String> createdEnv = routerEnv(emulator, created, "requests-two");
        Counted two = countRequests(emulator, "route, rfc.pr.created (two targets)", jbang("route.java"), createdEnv, null);
        long targets = two.run().stdout().lines().filter(l -> l.startsWith("dispatched")).count();
        return section.set("route_two_targets", two.requests().put("targets", targets));
    }

    /**
     * Runs one operation (not timed) with the journal cleared first, and returns the requests it
     * sent: how many, how many the rate limit counts (a 304 is free), and which. A dedupe claim
     * must give the answer expected.
     */
    Counted countRequests(Emulator emulator, String operation, List<String> command, Map<String, String> env, String answer) throws Exception {
        Path dir = env.containsKey("GITHUB_WORKSPACE") ? workspace() : root; // the router's steps run in the consuming repository
        emulator.clearJournal();
        Result r = run("requests-" + operation.replaceAll("[^a-z]+", "-"), command, env, dir);
        if (answer != null) {
            requireAnswer(r, answer, operation);
        }
        List<JsonNode> journal = emulator.journal();
        ObjectNode row = JSON.createObjectNode().put("operation", operation).put("requests", journal.size())
                .put("rate_limited", journal.stream().filter(e -> e.path("status").asInt() != 304).count());
        ArrayNode lines = row.putArray("journal");
        for (JsonNode e : journal) {
            String query = e.path("query").asText();
            String path = e.path("path").asText() + (query.isEmpty() ? "" : "?" + query);
            lines.add(e.path("method").asText() + " " + path + " " + e.path("status").asInt());
        }
        return new Counted(r, row);
    }

    record Counted(Result run, ObjectNode requests) {
    }

    static void renderRequests(JsonNode s, StringBuilder md) {
        md.append("## API requests per operation\n\nFrom the emulator's journal, each operation once. Requests answered 304 ")
                .append("(a conditional re-read) do not count against the rate limit. Measured ").append(s.path("measured_at").asText()).append(".\n\n");
        md.append("| operation | requests | what they are |\n|---|---|---|\n");
        for (JsonNode op : s) {
            if (!op.isObject()) {
                continue;
            }
            int requests = op.path("requests").asInt();
            int rateLimited = op.path("rate_limited").asInt();
            md.append("| ").append(op.path("operation").asText()).append(" | ").append(requests)
                    .append(rateLimited != requests ? " (" + rateLimited + " counted by the rate limit)" : "").append(" | ");
            List<String> journal = new ArrayList<>();
            op.path("journal").forEach(line -> journal.add("`" + line.asText() + "`"));
            md.append(journal.isEmpty() && requests == 0 ? "none" : String.join(", ", journal)).append(" |\n");
        }
        md.append('\n');
    }

    // ---- the event history ----------------------------------------------------------------------

    /** The week read back: 7 days of 1,000 router runs, one event each. */
    static final int WEEK_DAYS = 7;
    static final int RUNS_PER_DAY = 1000;
    /** What validate.java says of schemas/examples/rfc.pr.ready/invalid-pr-zero.json, the week's rejected event. */
    static final String PR_ZERO_ERROR = "/client_payload/data/pr: must have a minimum value of 1 (rule: minimum)";
    /** The parts of an `events stats --json` report that depend only on the records read, not on where they were read from. */
    static final List<String> REPORT_COUNTS = List.of("records", "event_types", "all", "by_day", "drift", "dispatch_ms");

    /**
     * The event history (docs/history.md): what appending costs the router per event, and a week of
     * router runs read back with `events stats --history` beside the same records read from the runs'
     * event log artifacts.
     */
    ObjectNode measureHistory(Emulator emulator) throws Exception {
        ObjectNode section = JSON.createObjectNode();
        section.set("append", measureAppend(emulator));
        emulator.reset(); // the week is read from a repository that holds nothing else
        section.set("week", measureWeek(emulator));
        return section;
    }

    /** The router's three steps on a fresh event each, with EVENT_BUS_HISTORY=true and without, interleaved: time, requests, appends. */
    ObjectNode measureAppend(Emulator emulator) throws Exception {
        say("history: the router's three steps with EVENT_BUS_HISTORY=true and without, a fresh event each, " + runs + " runs each, interleaved");
        Path workspace = workspace();
        // The first claim opens the state issue and the first append creates the branch: once per repository, not measured.
        Map<String, String> first = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "history-first");
        first.put("EVENT_BUS_HISTORY", "true");
        run("history-first-claim", claim(), first, workspace);
        run("history-first-route", jbang("route.java"), first, workspace);
        List<String> variants = List.of("history", "no_history");
        Map<String, List<Result>> routes = new LinkedHashMap<>();
        Map<String, List<Double>> totals = new LinkedHashMap<>();
        Map<String, List<List<JsonNode>>> journals = new LinkedHashMap<>();
        for (String variant : variants) {
            routes.put(variant, new ArrayList<>());
            totals.put(variant, new ArrayList<>());
            journals.put(variant, new ArrayList<>());
        }
        for (int i = 0; i < runs; i++) {
            List<String> walls = new ArrayList<>();
            for (int k = 0; k < variants.size(); k++) {
                String variant = variants.get((i + k) % variants.size());
                Map<String, String> env = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "history-" + variant + "-" + i);
                if (variant.equals("history")) {
                    env.put("EVENT_BUS_HISTORY", "true");
                }
                emulator.clearJournal();
                Result v = exec("history-validate-" + variant + "-" + i, jbang("validate.java"), env, workspace, true, 300);
                require(v, 0, "validate");
                Result c = exec("history-dedupe-" + variant + "-" + i, claim(), env, workspace, true, 300);
                requireAnswer(c, "new", "dedupe claim of a fresh event");
                Result r = exec("history-route-" + variant + "-" + i, jbang("route.java"), env, workspace, true, 300);
                require(r, 0, "route");
                journals.get(variant).add(emulator.journal());
                routes.get(variant).add(r);
                totals.get(variant).add(v.wallMs() + c.wallMs() + r.wallMs());
                walls.add(String.format(Locale.ROOT, "%s %.0f ms", variant, v.wallMs() + c.wallMs() + r.wallMs()));
            }
            say(String.format(Locale.ROOT, "  run %d/%d: %s", i + 1, runs, String.join(", ", walls)));
        }
        ObjectNode append = JSON.createObjectNode();
        append.put("event", "rfc.pr.ready, one route (merge-orchestrator.yml)");
        for (String variant : variants) {
            ObjectNode row = append.putObject(variant);
            row.set("total_per_event", wallSummary(totals.get(variant)));
            row.set("route", summary(routes.get(variant)));
            row.set("requests_per_event", countSummary(journals.get(variant).stream().map(j -> (double) j.size()).toList()));
            row.set("records_appended_per_event", countSummary(journals.get(variant).stream()
                    .map(j -> (double) j.stream().filter(bench::isAppend).count()).toList()));
        }
        journals.get("history").get(0).stream().filter(bench::isAppend).findFirst().ifPresent(e ->
                append.put("append_request", e.path("method").asText() + " " + e.path("path").asText() + " " + e.path("status").asInt()));
        return append;
    }

    /** A journal entry that appends a record to the history: a contents PUT under events/. */
    static boolean isAppend(JsonNode entry) {
        return entry.path("method").asText().equals("PUT") && entry.path("path").asText().contains("/contents/events/");
    }

    /**
     * A week of router runs, seeded as history files and as the runs' event log artifacts, read back
     * both ways, interleaved, --throughput-runs times each (the artifacts take a minute or more):
     * `events stats --history` (the zipball of the branch) and `events stats --from-artifacts N`, each
     * run's requests from the journal. Every run must report the same counts.
     */
    ObjectNode measureWeek(Emulator emulator) throws Exception {
        List<ObjectNode> records = weekOfRecords();
        say("history: seeding " + records.size() + " router runs over " + WEEK_DAYS + " days as history files and as event log artifacts");
        Map<String, String> files = new LinkedHashMap<>();
        files.put("README.md", "# event-bus history\n");
        long artifactBytes = 0;
        for (ObjectNode record : records) {
            String line = COMPACT.writeValueAsString(record) + "\n";
            files.put(historyPath(record), line);
            // As the router uploads its log: event-log-<run id>-<run attempt>, a zip of event_log.jsonl.
            byte[] zip = zip("event_log.jsonl", line);
            emulator.addArtifact("event-log-" + record.path("run_id").asText() + "-" + record.path("run_attempt").asText(), zip);
            artifactBytes += zip.length;
        }
        emulator.createHistoryBranch(files);
        // Reading the artifacts takes more requests than the emulator's 5,000 an hour (GitHub's for an App
        // installation), every time: lifted, so that the reads can be repeated. The figures say what they would cost.
        emulator.setRateLimit(1_000_000);

        String since = WEEK_DAYS + "d";
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("history", jbang("events.java", "stats", "--history", "--since", since, "--json"));
        commands.put("artifacts", jbang("events.java", "stats", "--from-artifacts", String.valueOf(records.size()), "--since", since, "--json"));
        say("history: events stats over the week from the history and from the artifacts, " + throughputRuns + " runs each, interleaved");
        List<String> ways = List.copyOf(commands.keySet());
        Map<String, List<Result>> results = new LinkedHashMap<>();
        Map<String, List<Double>> requests = new LinkedHashMap<>();
        Map<String, JsonNode> reports = new LinkedHashMap<>();
        for (String way : ways) {
            results.put(way, new ArrayList<>());
            requests.put(way, new ArrayList<>());
        }
        ObjectNode counts = null;
        for (int i = 0; i < throughputRuns; i++) {
            List<String> walls = new ArrayList<>();
            for (int k = 0; k < ways.size(); k++) {
                String way = ways.get((i + k) % ways.size());
                emulator.clearJournal();
                Result r = exec("history-week-" + way + "-" + i, commands.get(way), emitEnv(emulator), root, true, 1800);
                require(r, 0, "events stats from the " + way);
                JsonNode report = JSON.readTree(r.stdout());
                ObjectNode reported = JSON.createObjectNode();
                REPORT_COUNTS.forEach(field -> reported.set(field, report.get(field)));
                if (report.path("records").asInt() != records.size()) {
                    throw new IllegalStateException("events stats from the " + way + " counted " + report.path("records").asInt()
                            + " records of the week's " + records.size());
                }
                if (counts == null) {
                    counts = reported;
                } else if (!counts.equals(reported)) {
                    ObjectNode expected = counts;
                    throw new IllegalStateException("events stats from the " + way + " reported other figures than before: "
                            + REPORT_COUNTS.stream().filter(field -> !expected.get(field).equals(reported.get(field))).toList());
                }
                results.get(way).add(r);
                requests.get(way).add((double) emulator.journal().size());
                reports.put(way, report);
                walls.add(String.format(Locale.ROOT, "%s %.1f s", way, r.wallMs() / 1000));
            }
            say(String.format(Locale.ROOT, "  run %d/%d: %s", i + 1, throughputRuns, String.join(", ", walls)));
        }
        ObjectNode week = JSON.createObjectNode();
        week.put("router_runs", records.size()).put("days", WEEK_DAYS);
        week.set("counts", counts.path("all").path("counts"));
        JsonNode history = reports.get("history").path("history");
        week.set("history", summary(results.get("history")).put("command", "./jbang events.java stats --history --since " + since)
                .put("files", history.path("files").asInt()).put("days_read", history.path("days").asInt())
                .put("bytes", history.path("bytes").asLong())
                .set("requests", countSummary(requests.get("history"))));
        week.set("artifacts", summary(results.get("artifacts"))
                .put("command", "./jbang events.java stats --from-artifacts " + records.size() + " --since " + since)
                .put("bytes", artifactBytes).put("downloads", reports.get("artifacts").path("logs").asInt())
                .set("requests", countSummary(requests.get("artifacts"))));
        return week;
    }

    /**
     * 7 × 1,000 router runs, one event each, received evenly over the week up to a minute ago, each
     * recorded as the router's steps record it (shared/EventLog.java): the valid examples of every
     * event type in turn, 4 to 20 s after the event's timestamp, routed to the targets event-routes.yml
     * gives them; a trace_id (where the example has one) continues the event before it; one run in 100
     * a duplicate (GitHub delivered the event before it again), one in 100 a rejected event.
     */
    List<ObjectNode> weekOfRecords() throws IOException {
        List<ObjectNode> examples = validExamples();
        JsonNode routes = YAML.readTree(root.resolve("event-routes.yml").toFile()).path("routes");
        JsonNode invalid = JSON.readTree(root.resolve("schemas/examples/rfc.pr.ready/invalid-pr-zero.json").toFile());
        Random seeded = new Random(20261128L);
        int count = WEEK_DAYS * RUNS_PER_DAY;
        Instant newest = Instant.now().minus(1, ChronoUnit.MINUTES);
        // Two hours short of the week, so that the oldest run is still inside --since 7d when the last read starts.
        long spacingMs = Duration.ofDays(WEEK_DAYS).minusHours(2).toMillis() / count;
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant received = newest.minusMillis((count - 1 - i) * spacingMs);
            String runId = String.valueOf(19_900_000_001L + i);
            if (i % 100 == 49) {
                records.add(logRecord(records.get(i - 1).get("event"), "duplicate", received, runId));
                continue;
            }
            ObjectNode event = (i % 100 == 99 ? invalid : examples.get(i % examples.size())).deepCopy();
            ObjectNode payload = (ObjectNode) event.get("client_payload");
            payload.put("event_id", uuid(seeded));
            payload.put("timestamp", TIMESTAMP.format(received.minusMillis(4000 + seeded.nextInt(16_000))));
            if (payload.has("trace_id")) {
                payload.put("trace_id", i == 0 ? uuid(seeded) : records.get(i - 1).path("event_id").asText());
            }
            if (i % 100 == 99) {
                records.add(logRecord(event, "rejected", received, runId).put("error", PR_ZERO_ERROR));
                continue;
            }
            ObjectNode record = logRecord(event, "routed", received, runId);
            ArrayNode targets = record.putArray("targets");
            for (JsonNode route : routes) {
                if (route.path("event").asText().equals(event.path("event_type").asText()) && matches(route.path("when"), payload)) {
                    long run = 20_000_000_001L + i * 2L + targets.size();
                    targets.addObject().put("workflow", route.path("workflow").asText()).put("status", "dispatched").put("run_id", run)
                            .put("html_url", "https://github.com/" + REPO + "/actions/runs/" + run)
                            .put("dispatched_at", TIMESTAMP.format(received.minusMillis(50 + seeded.nextInt(250)))).putNull("error");
                }
            }
            records.add(targets.isEmpty() ? record.put("status", "unrouted") : record);
        }
        return records;
    }

    /** An event log record as shared/EventLog.java writes it: the event received at that time by router run runId. */
    static ObjectNode logRecord(JsonNode event, String status, Instant received, String runId) {
        JsonNode payload = event.path("client_payload");
        String timestamp = payload.path("timestamp").asText();
        ObjectNode record = JSON.createObjectNode();
        record.put("event_id", payload.path("event_id").asText());
        record.put("event_type", event.path("event_type").asText());
        record.put("source", payload.path("source").asText());
        record.put("trace_id", payload.path("trace_id").textValue());
        record.put("timestamp", timestamp);
        record.put("received_at", TIMESTAMP.format(received));
        record.put("latency_ms", received.toEpochMilli() - Instant.parse(timestamp).toEpochMilli());
        record.put("status", status);
        record.putArray("targets");
        record.put("run_id", runId);
        record.put("run_attempt", "1");
        record.putNull("error");
        record.set("event", event);
        return record;
    }

    /** A route's `when` as event-routes.yml writes it, over the client_payload: each field has one of the values listed. */
    static boolean matches(JsonNode when, JsonNode payload) {
        for (Map.Entry<String, JsonNode> field : when.properties()) {
            JsonNode value = payload.path(field.getKey());
            if (!(field.getValue().isObject() ? matches(field.getValue(), value) : listed(field.getValue(), value))) {
                return false;
            }
        }
        return true;
    }

    static boolean listed(JsonNode values, JsonNode value) {
        for (JsonNode allowed : values) {
            if (allowed.equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** Where shared/History.java keeps a record: events/DAY/TIME-STATUS-EVENT_ID-RUN-ATTEMPT.json, by its received_at. */
    static String historyPath(JsonNode record) {
        String at = record.path("received_at").asText(); // 2026-11-27T04:38:21.504Z
        return "events/" + at.substring(0, 10) + "/" + at.substring(11, 23).replace(":", "").replace(".", "") + "-" + record.path("status").asText()
                + "-" + record.path("event_id").asText() + "-" + record.path("run_id").asText() + "-" + record.path("run_attempt").asText() + ".json";
    }

    static byte[] zip(String name, String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    static void renderHistory(JsonNode s, StringBuilder md) {
        JsonNode append = s.path("append");
        JsonNode with = append.path("history");
        JsonNode without = append.path("no_history");
        md.append("## The event history\n\n### Appending: the router's three steps with `EVENT_BUS_HISTORY=true` and without\n\n")
                .append("As in the router section, each on a fresh event: ").append(append.path("event").asText())
                .append(". The two ways interleaved; requests from the emulator's journal. ").append(measured(s, with.path("total_per_event")))
                .append("\n\n");
        md.append("| | validate + claim + route, per event | of which `route` | API requests per event | records appended per event |\n")
                .append("|---|---|---|---|---|\n");
        appendRow(md, "without the history", without);
        appendRow(md, "`EVENT_BUS_HISTORY=true`", with);
        JsonNode withTotal = with.path("total_per_event");
        JsonNode withoutTotal = without.path("total_per_event");
        boolean overlap = withTotal.path("min_ms").asDouble() <= withoutTotal.path("max_ms").asDouble()
                && withoutTotal.path("min_ms").asDouble() <= withTotal.path("max_ms").asDouble();
        md.append(String.format(Locale.ROOT, "%nA router run appends %s record, route's, in one request: `%s`. The other requests are "
                        + "the same either way; their count varies by one because the first claim in a shard (of eight state comments) has no "
                        + "earlier write ticket to delete. The history adds %+.0f ms to the median per event%s.%n%n",
                count(with.path("records_appended_per_event")), append.path("append_request").asText(),
                withTotal.path("median_ms").asDouble() - withoutTotal.path("median_ms").asDouble(),
                overlap ? " (the two ranges overlap: within the noise)" : ""));

        JsonNode week = s.path("week");
        JsonNode history = week.path("history");
        JsonNode artifacts = week.path("artifacts");
        List<String> statuses = new ArrayList<>();
        week.path("counts").properties().stream().filter(e -> e.getValue().asInt() > 0)
                .forEach(e -> statuses.add(String.format(Locale.ROOT, "%,d %s", e.getValue().asInt(), e.getKey())));
        md.append("### Reading a week: `events stats` over ").append(week.path("days").asInt()).append(" × ")
                .append(String.format(Locale.ROOT, "%,d", week.path("router_runs").asInt() / week.path("days").asInt()))
                .append(" router runs\n\n").append(String.format(Locale.ROOT, "%,d", week.path("router_runs").asInt()))
                .append(" router runs over the last ").append(week.path("days").asInt()).append(" days, one event each (")
                .append(String.join(", ", statuses)).append("), seeded as history files on `event-bus-history`, one file per record at ")
                .append("its `History` path, and as one event log artifact per run (`event-log-<run id>-1`, as the router uploads it). Both ")
                .append("reads reported the same counts on every run. ").append(measured(s, history)).append("\n\n");
        md.append("| | wall | API requests | downloads from storage | bytes downloaded | peak RSS |\n|---|---|---|---|---|---|\n");
        md.append("| `").append(history.path("command").asText()).append("` | ").append(wall(history)).append(" | ")
                .append(count(history.path("requests"))).append(" | 1 zipball: ").append(String.format(Locale.ROOT, "%,d", history.path("files").asInt()))
                .append(" record files of ").append(history.path("days_read").asInt()).append(" days | ")
                .append(String.format(Locale.ROOT, "%,d", history.path("bytes").asLong())).append(" | ").append(mb(history)).append(" |\n");
        md.append("| `").append(artifacts.path("command").asText()).append("` | ").append(wall(artifacts)).append(" | ")
                .append(count(artifacts.path("requests"))).append(" | ").append(String.format(Locale.ROOT, "%,d", artifacts.path("downloads").asInt()))
                .append(" artifacts | ").append(String.format(Locale.ROOT, "%,d", artifacts.path("bytes").asLong())).append(" | ")
                .append(mb(artifacts)).append(" |\n");
        double requests = artifacts.path("requests").path("median").asDouble();
        md.append(String.format(Locale.ROOT, "%nReading the artifacts took %.0f× the history's time. Their %s requests take %.0f hours of a "
                        + "`GITHUB_TOKEN`'s primary rate limit on github.com (1,000 requests an hour) and %.0f of a GitHub App installation's "
                        + "(5,000 an hour), so on GitHub that read runs into the limit (the emulator's was lifted for it); the history's "
                        + "request fits any. The zipball holds every file of the branch, %,d bytes of zip a record here: it grows with the history "
                        + "kept, whatever the window.%n%n",
                artifacts.path("median_ms").asDouble() / history.path("median_ms").asDouble(), count(artifacts.path("requests")),
                Math.ceil(requests / 1000), Math.ceil(requests / 5000), history.path("bytes").asLong() / Math.max(1, history.path("files").asLong())));
    }

    static void appendRow(StringBuilder md, String name, JsonNode row) {
        md.append("| ").append(name).append(" | ").append(wall(row.path("total_per_event"))).append(" | ").append(wall(row.path("route")))
                .append(" | ").append(count(row.path("requests_per_event"))).append(" | ").append(count(row.path("records_appended_per_event")))
                .append(" |\n");
    }

    // ---- validate throughput beside ajv -------------------------------------------------------

    /** validate.java on a large event log, beside ajv-cli (one file per event) and Ajv in one node process. */
    ObjectNode measureThroughput(Emulator emulator) throws Exception {
        installAjv();
        Path log = eventLog();
        Path split = splitForAjvCli(log);
        Path schemas = root.resolve("schemas");
        Map<String, String> nodeEnv = baseEnv();
        nodeEnv.put("NODE_PATH", work.resolve("node_modules").toString());
        say("throughput: " + lines + " events, validate.java, ajv-cli and Ajv in one process, " + throughputRuns + " runs each");
        List<Result> validate = new ArrayList<>();
        List<Result> ajvCli = new ArrayList<>();
        List<Result> ajvOneProcess = new ArrayList<>();
        for (int i = 0; i < throughputRuns; i++) {
            List<String> validateLog = jbang("validate.java", "--schemas", schemas.toString(), log.toString());
            Result v = exec("throughput-validate-" + i, validateLog, baseEnv(), root, true, 1800);
            require(v, 0, "validate.java on the event log");
            requireAllValid(v.stderr(), "validate.java");
            validate.add(v);

            // ajv-cli takes one schema per run: one run per event type, their times added, the largest RSS kept,
            // and how busy the CPUs were before the first.
            double wall = 0;
            long rssKb = 0;
            double busyBefore = -1;
            int valid = 0;
            for (String type : eventTypes()) {
                Result a = exec("throughput-ajv-cli-" + type + "-" + i, List.of("node", work.resolve("node_modules/ajv-cli/dist/index.js").toString(),
                        "validate", "--spec=draft2020", "--strict=false", "--all-errors", "-c", "ajv-formats",
                        "-s", schemas.resolve("events/" + type + ".schema.json").toString(), "-r", schemas.resolve("envelope.schema.json").toString(),
                        "-d", split.resolve(type) + "/*.json"), nodeEnv, work, true, 1800);
                require(a, 0, "ajv-cli on " + type);
                valid += (int) (a.stdout() + "\n" + a.stderr()).lines().filter(l -> l.endsWith(" valid")).count();
                wall += a.wallMs();
                rssKb = Math.max(rssKb, a.rssKb());
                busyBefore = busyBefore < 0 ? a.busyBefore() : busyBefore;
            }
            if (valid != lines) {
                throw new IllegalStateException("ajv-cli reported " + valid + " valid files of " + lines);
            }
            ajvCli.add(new Result(0, wall, rssKb, busyBefore, "", ""));

            List<String> ajvJsonl = List.of("node", root.resolve("bench/ajv-jsonl.mjs").toString(), schemas.toString(), log.toString());
            Result j = exec("throughput-ajv-jsonl-" + i, ajvJsonl, nodeEnv, root, true, 1800);
            require(j, 0, "Ajv over the JSON Lines");
            requireAllValid(j.stderr(), "ajv-jsonl.mjs");
            ajvOneProcess.add(j);
            say(String.format(Locale.ROOT, "  run %d/%d: validate.java %.1f s, ajv-cli %.1f s, Ajv in one process %.1f s",
                    i + 1, throughputRuns, v.wallMs() / 1000, wall / 1000, j.wallMs() / 1000));
        }
        ObjectNode section = JSON.createObjectNode();
        section.put("events", lines);
        section.put("file_bytes", Files.size(log));
        section.put("ajv_cli", "ajv-cli " + nodePackageVersion("ajv-cli") + " (ajv " + nodePackageVersion("ajv")
                + ", ajv-formats " + nodePackageVersion("ajv-formats") + ")");
        section.set("validate_java", withEventsPerSecond(summary(validate), validate));
        section.set("ajv_cli_files", withEventsPerSecond(summary(ajvCli), ajvCli));
        section.set("ajv_jsonl", withEventsPerSecond(summary(ajvOneProcess), ajvOneProcess));
        return section;
    }

    ObjectNode withEventsPerSecond(ObjectNode row, List<Result> results) {
        return row.put("events_per_second", Math.round(lines / (median(walls(results)) / 1000)));
    }

    static void renderThroughput(JsonNode s, StringBuilder md) {
        md.append("## validate throughput beside ajv-cli\n\n").append(String.format(Locale.ROOT, "%,d", s.path("events").asInt()))
                .append(" events (").append(String.format(Locale.ROOT, "%,d", s.path("file_bytes").asLong()))
                .append(" bytes of JSON Lines): the valid examples of `schemas/examples/` in turn, each with a fresh `event_id`. All three check ")
                .append("draft 2020-12 with formats asserted and every violation reported, and all three found every event valid. Times include ")
                .append("start-up. ").append(s.path("ajv_cli").asText()).append(". ").append(measured(s, s.path("validate_java"))).append("\n\n");
        md.append("| | wall | events/s | peak RSS |\n|---|---|---|---|\n");
        throughputRow(md, "`./jbang validate.java --schemas schemas events.jsonl`", s.path("validate_java"));
        throughputRow(md, "ajv-cli, one JSON file per event (`--spec=draft2020 --strict=false --all-errors -c ajv-formats`), "
                + "one run per event type, times added", s.path("ajv_cli_files"));
        throughputRow(md, "Ajv in one node process over the JSON Lines (`bench/ajv-jsonl.mjs`, the same options)", s.path("ajv_jsonl"));
        double validate = s.path("validate_java").path("median_ms").asDouble();
        md.append(String.format(Locale.ROOT, "%nvalidate.java is %.2f× as fast as ajv-cli and %.2f× as fast as Ajv in one process.%n%n",
                s.path("ajv_cli_files").path("median_ms").asDouble() / validate, s.path("ajv_jsonl").path("median_ms").asDouble() / validate));
    }

    static void throughputRow(StringBuilder md, String name, JsonNode row) {
        md.append("| ").append(name).append(" | ").append(wall(row)).append(" | ")
                .append(String.format(Locale.ROOT, "%,d", row.path("events_per_second").asLong())).append(" | ").append(mb(row)).append(" |\n");
    }

    /** ajv-cli 5 and ajv-formats 2 into bench/work/node_modules, once. */
    void installAjv() throws Exception {
        if (!Files.exists(work.resolve("node_modules/ajv-cli/package.json")) || !Files.exists(work.resolve("node_modules/ajv-formats/package.json"))) {
            say("installing ajv-cli@5 and ajv-formats@2 into bench/work with npm");
            // Not measured, so npm gets the caller's whole environment: its proxy and certificate settings.
            run("npm-install", List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", work.toString(), "ajv-cli@5", "ajv-formats@2"),
                    System.getenv(), root);
        }
    }

    String nodePackageVersion(String name) throws IOException {
        return JSON.readTree(work.resolve("node_modules/" + name + "/package.json").toFile()).path("version").asText();
    }

    void requireAllValid(String stderr, String tool) {
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
        Files.writeString(log, text);
        say("generated " + root.relativize(log) + ": " + lines + " events from " + examples.size() + " valid examples");
        return log;
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

    /** ajv-cli reads one JSON document per file: the same events, one file each, in a directory per event type. */
    Path splitForAjvCli(Path log) throws IOException {
        Path dir = work.resolve("ajv-split-" + lines);
        Path complete = dir.resolve(".complete");
        if (Files.exists(complete)) {
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
        Files.writeString(complete, "");
        return dir;
    }

    // ---- the dedupe store's capacity ----------------------------------------------------------

    /** How many live claims one state comment holds, and what a claim costs when the comment is full. */
    ObjectNode measureCapacity(Emulator emulator) throws Exception {
        say("capacity: the dedupe state comment filled to GitHub's 65,536-character limit, then claims at capacity");
        Path workspace = workspace();
        Map<String, String> env = routerEnv(emulator, null, "capacity");
        run("capacity-first-claim", claim(UUID.randomUUID().toString()), env, workspace);
        int issue = emulator.stateIssue();
        long ttl = seconds(dedupeTtl);
        long otherTtl = ttl == 3600 ? 86_400 : 3600;
        ObjectNode section = JSON.createObjectNode();
        ArrayNode scenarios = section.putArray("scenarios");
        scenarios.add(capacityScenario(emulator, workspace, env, issue, "one TTL (" + dedupeTtl + "), claims spread over it",
                List.of(ttl)));
        scenarios.add(capacityScenario(emulator, workspace, env, issue, "two TTLs (" + dedupeTtl + " and " + ttlText(otherTtl)
                + ", half each): the longest entry lines", List.of(ttl, otherTtl)));
        return section;
    }

    static void renderCapacity(JsonNode s, StringBuilder md) {
        JsonNode scenarios = s.path("scenarios");
        md.append("## dedupe store capacity\n\nThe state comment dedupe wrote was refilled, in its own format, with as many live entries as fit ")
                .append("in GitHub's 65,536-character limit; then claims of new ids, each of which must evict one. Live entries are what ")
                .append("`dedupe show --json` counts afterwards. The entries name no holder, as claims outside Actions write them; a router's ")
                .append("claim also names the run that holds it, and a comment holds 1,658 of those (docs/dedupe.md, Capacity). ")
                .append(measured(s, scenarios.path(0).path("claim_at_capacity"))).append("\n\n");
        md.append("| scenario | live entries | comment characters | claim at capacity | requests per claim (most) |\n|---|---|---|---|---|\n");
        for (JsonNode scenario : scenarios) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %d |%n", scenario.path("scenario").asText(),
                    scenario.path("live_entries").asInt(), scenario.path("comment_characters").asInt(),
                    wall(scenario.path("claim_at_capacity")), scenario.path("requests_per_claim").asInt()));
        }
        md.append('\n');
    }

    /** An entry line of the dedupe block: the id in base64url, its expiry after `base` in base 36, the index of its TTL if not 0. */
    static final Pattern ENTRY_LINE = Pattern.compile("^([A-Za-z0-9_-]{22}) ([0-9a-z]{1,12})(?: ([0-9a-z]{1,3}))?$");

    /**
     * Rewrites the state comment dedupe wrote with as many entries as fit in 65,536 characters, in
     * the format the README documents (its other lines taken from the comment itself), then claims
     * new ids: each claim at capacity must evict.
     */
    ObjectNode capacityScenario(Emulator emulator, Path workspace, Map<String, String> env, int issue, String name, List<Long> ttls)
            throws Exception {
        JsonNode comment = emulator.stateComment(issue);
        List<String> bodyLines = comment.path("body").asText().lines().toList();
        int fence = bodyLines.indexOf("```dedupe");
        if (fence < 0) {
            throw new IllegalStateException("the state comment has no ```dedupe block");
        }
        StringBuilder text = new StringBuilder();
        bodyLines.subList(0, fence + 1).forEach(l -> text.append(l).append('\n'));
        for (String line : bodyLines.subList(fence + 1, bodyLines.size())) {
            if (line.equals("```")) {
                break;
            }
            if (!ENTRY_LINE.matcher(line).matches() && !line.startsWith("base ") && !line.startsWith("ttl ")) {
                text.append(line).append('\n'); // version, sha, tickets: the write protocol's lines stay as dedupe left them
            }
        }
        long base = Instant.now().getEpochSecond() + 60;
        text.append("base ").append(base).append('\n');
        text.append("ttl ").append(ttls.stream().map(String::valueOf).collect(Collectors.joining(" "))).append('\n');
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
        text.append("```\n");
        emulator.updateComment(comment.path("id").asLong(), text.toString());

        List<Result> claims = new ArrayList<>();
        int mostRequests = 0;
        for (int i = 0; i < runs; i++) {
            emulator.clearJournal();
            Result r = exec("capacity-claim-" + i, claim(UUID.randomUUID().toString()), env, workspace, true, 300);
            requireAnswer(r, "new", "dedupe claim at capacity");
            mostRequests = Math.max(mostRequests, emulator.journal().size());
            claims.add(r);
        }
        JsonNode shown = JSON.readTree(run("capacity-show", jbang("dedupe.java", "show", "--json"), env, workspace).stdout());
        ObjectNode scenario = JSON.createObjectNode();
        scenario.put("scenario", name);
        scenario.put("live_entries", shown.path("live").asInt(-1));
        scenario.put("comment_characters", emulator.stateComment(issue).path("body").asText().length());
        scenario.set("claim_at_capacity", summary(claims));
        scenario.put("requests_per_claim", mostRequests);
        say(String.format(Locale.ROOT, "  %s: %d live entries, claim at capacity %.0f ms, %d requests",
                name, shown.path("live").asInt(-1), median(walls(claims)), mostRequests));
        return scenario;
    }

    static long seconds(String ttl) {
        Matcher m = Pattern.compile("(\\d+)([smhd])").matcher(ttl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a TTL: " + ttl);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n * 86_400;
        };
    }

    static String ttlText(long seconds) {
        return seconds % 86_400 == 0 ? seconds / 86_400 + "d" : seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds / 60 + "m";
    }

    // ---- cold starts ---------------------------------------------------------------------------

    /** emit on a runner with nothing cached, three ways, and the router's steps with the script cache empty. */
    ObjectNode measureCold(Emulator emulator) throws Exception {
        Path cold = work.resolve("cold");
        deleteTree(cold);
        Files.createDirectories(cold);
        ObjectNode section = JSON.createObjectNode();
        section.put("command", EMIT_COMMAND);

        say("cold: JBang installed, script cache empty, ~/.m2 filled (" + coldRuns + " runs)");
        List<Result> cacheEmpty = new ArrayList<>();
        for (int i = 0; i < coldRuns; i++) {
            Path dir = cold.resolve("installed-" + i);
            copyTree(jbangDir.resolve("wrapper"), dir.resolve("wrapper")); // the wrapper's JBang, without any script's cache
            cacheEmpty.add(coldEmit("cold-installed-" + i, emulator, Map.of("JBANG_DIR", dir.toString()), 900));
        }
        section.set("script_cache_empty", summary(cacheEmpty));

        say("cold: empty JBANG_DIR, ~/.m2 filled (" + coldRuns + " runs)");
        List<Result> dirEmpty = new ArrayList<>();
        for (int i = 0; i < coldRuns; i++) {
            dirEmpty.add(coldEmit("cold-empty-" + i, emulator, Map.of("JBANG_DIR", cold.resolve("empty-" + i).toString()), 900));
        }
        section.set("jbang_dir_empty", summary(dirEmpty));

        say("cold: the router's three steps with the script cache empty (once)");
        Path dir = cold.resolve("router");
        copyTree(jbangDir.resolve("wrapper"), dir.resolve("wrapper"));
        Map<String, String> env = routerEnv(emulator, emulator.dispatchAndGetEvent("rfc.pr.ready", PAYLOAD), "cold");
        env.put("JBANG_DIR", dir.toString());
        ObjectNode router = section.putObject("router_script_cache_empty");
        double total = 0;
        Map<String, List<String>> steps = new LinkedHashMap<>();
        steps.put("validate_ms", jbang("validate.java"));
        steps.put("dedupe_claim_ms", claim());
        steps.put("route_ms", jbang("route.java"));
        for (var step : steps.entrySet()) {
            flushWrites();
            Result r = exec("cold-router-" + step.getKey(), step.getValue(), env, workspace(), true, 900);
            require(r, 0, "cold " + step.getKey());
            router.put(step.getKey(), Math.round(r.wallMs()));
            total += r.wallMs();
        }
        router.put("total_ms", Math.round(total));

        if (skipFirstEver) {
            section.put("first_run_ever", "skipped (--skip-first-ever)");
        } else {
            say("cold: first run ever, empty JBANG_DIR and empty Maven repository (downloads from Maven Central; once)");
            Path m2 = cold.resolve("m2-empty");
            Result r = coldEmit("cold-first-ever", emulator, Map.of("JBANG_DIR", cold.resolve("ever").toString(),
                    "MAVEN_OPTS", "-Dmaven.repo.local=" + m2, "JBANG_REPO", m2.toString()), 1800);
            section.set("first_run_ever", summary(List.of(r)).put("downloaded_mb", round(treeSize(m2) / 1048576.0, 1)));
        }
        deleteTree(cold);
        return section;
    }

    /**
     * Writes what the files copied for a cold start (JBang, its archives: 100 MB or more) and the run
     * before left in the page cache, so that a timed run does not pay for writing them back.
     */
    void flushWrites() throws Exception {
        capture(List.of("sync"));
    }

    Result coldEmit(String label, Emulator emulator, Map<String, String> extraEnv, int timeoutSeconds) throws Exception {
        Map<String, String> env = emitEnv(emulator);
        env.putAll(extraEnv);
        flushWrites();
        Result r = exec(label, jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), env, root, true, timeoutSeconds);
        require(r, 0, label);
        say(String.format(Locale.ROOT, "  %s: %.1f s", label, r.wallMs() / 1000));
        return r;
    }

    static void renderCold(JsonNode s, StringBuilder md) {
        md.append("## Cold start\n\n`").append(s.path("command").asText()).append("`. ")
                .append(measured(s, s.path("script_cache_empty"))).append("\n\n");
        md.append("| situation | wall | peak RSS |\n|---|---|---|\n");
        coldRow(md, "JBang installed, its script cache empty, ~/.m2 filled (a runner whose `~/.jbang/cache` missed): compiles emit.java",
                s.path("script_cache_empty"));
        coldRow(md, "empty JBANG_DIR, ~/.m2 filled: the wrapper fetches jbang-cli with Maven first", s.path("jbang_dir_empty"));
        JsonNode ever = s.path("first_run_ever");
        if (ever.isObject()) {
            coldRow(md, "first run ever: empty JBANG_DIR and an empty Maven repository for the wrapper's Maven and JBang ("
                    + ever.path("downloaded_mb").asText() + " MB from Maven Central)", ever);
        } else {
            md.append("| first run ever | ").append(ever.asText()).append(" | |\n");
        }
        JsonNode router = s.path("router_script_cache_empty");
        md.append(String.format(Locale.ROOT, "%nThe router's three steps with the script cache empty (once; each compiles its script and records its "
                + "class-data sharing archive): validate %.1f s, dedupe claim %.1f s, route %.1f s, total %.1f s.%n%n",
                router.path("validate_ms").asDouble() / 1000, router.path("dedupe_claim_ms").asDouble() / 1000,
                router.path("route_ms").asDouble() / 1000, router.path("total_ms").asDouble() / 1000));
    }

    static void coldRow(StringBuilder md, String situation, JsonNode row) {
        md.append("| ").append(situation).append(" | ").append(wall(row)).append(row.path("n").asInt() == 1 ? " (one run)" : "")
                .append(" | ").append(mb(row)).append(" |\n");
    }

    // ---- class-data sharing: the first run records the archive ---------------------------------

    /**
     * Whether the command that first runs emit.java decides how fast it starts later: two fresh JBang
     * homes (the wrapper's JBang and launcher archive, no script built), emit.java's first run `--help`
     * in one and a real emit in the other. Each first run builds emit.java and records its class-data
     * sharing archive (with trainIfRecording's canned emit); then warm emits in both, interleaved.
     */
    ObjectNode measureCds(Emulator emulator) throws Exception {
        Path homes = work.resolve("cds");
        deleteTree(homes);
        Map<String, String[]> firstRuns = new LinkedHashMap<>();
        firstRuns.put("help_first", new String[] {"--help"});
        firstRuns.put("emit_first", new String[] {"rfc.pr.ready", "--payload", PAYLOAD});
        say("cds: two fresh JBang homes, emit.java first run as --help in one and as a real emit in the other, then warm emits, "
                + runs + " runs each, interleaved");
        ObjectNode section = JSON.createObjectNode();
        section.put("command", EMIT_COMMAND);
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        for (var first : firstRuns.entrySet()) {
            Path home = homes.resolve(first.getKey());
            copyTree(jbangDir.resolve("wrapper"), home.resolve("wrapper"));
            deleteTree(home.resolve("wrapper/fast"));
            Map<String, String> env = with(emitEnv(emulator), "JBANG_DIR", home.toString());
            Result r = run("cds-first-" + first.getKey(), jbang("emit.java", first.getValue()), env, root);
            awaitAotCaches(home); // on JDK 25 the cache is created after the run
            Path archive = emitArchive(home);
            String shown = "./jbang emit.java " + String.join(" ", first.getValue()).replace(PAYLOAD, "'" + PAYLOAD + "'");
            section.putObject(first.getKey()).put("first_run", shown).put("first_run_ms", Math.round(r.wallMs()))
                    .put("archive", home.relativize(archive).toString()).put("archive_bytes", Files.size(archive));
            say(String.format(Locale.ROOT, "  %s: first run %.1f s, %s %,d bytes", first.getKey(), r.wallMs() / 1000, archive.getFileName(), Files.size(archive)));
            run("cds-warmup-" + first.getKey(), jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD), env, root);
            envs.put(first.getKey(), env);
        }
        Map<String, CommandForRun> emits = new LinkedHashMap<>();
        envs.keySet().forEach(name -> emits.put(name, i -> jbang("emit.java", "rfc.pr.ready", "--payload", PAYLOAD)));
        interleaved(emits, envs::get).forEach((name, results) -> ((ObjectNode) section.get(name)).set("warm_emit", summary(results)));
        deleteTree(homes);
        return section;
    }

    /** emit.java's archive beside the jar JBang built: emit.jsa (AppCDS, JDK 17 to 24) or emit.<JDK build>.aot (JDK 25+). */
    static Path emitArchive(Path home) throws IOException {
        try (Stream<Path> files = Files.walk(home.resolve("cache/jars"))) {
            return files.filter(p -> p.getParent().getFileName().toString().startsWith("emit.java.")
                            && p.getFileName().toString().matches("emit\\.jsa|emit\\..+\\.aot"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no archive of emit.java under " + home.resolve("cache/jars")));
        }
    }

    static void renderCds(JsonNode s, StringBuilder md) {
        JsonNode help = s.path("help_first");
        JsonNode emit = s.path("emit_first");
        md.append("## Class-data sharing: which command ran first\n\nTwo fresh JBang homes (JBang and its launcher archive, no script ")
                .append("built). In each, emit.java's first run builds it and records its class-data sharing archive; that run also does a ")
                .append("canned emit to a loopback server (`trainIfRecording`). Then warm `").append(s.path("command").asText())
                .append("` in both, interleaved. ").append(measured(s, help.path("warm_emit"))).append("\n\n");
        md.append("| emit.java's first run | archive | warm emit | peak RSS | cpu busy before |\n|---|---|---|---|---|\n");
        for (JsonNode row : List.of(help, emit)) {
            md.append("| `").append(row.path("first_run").asText()).append("` | ")
                    .append(String.format(Locale.ROOT, "%.1f MB", row.path("archive_bytes").asLong() / 1048576.0)).append(" | ")
                    .append(wall(row.path("warm_emit"))).append(" | ").append(mb(row.path("warm_emit"))).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f %%", row.path("warm_emit").path("cpu_busy_percent").asDouble())).append(" |\n");
        }
        double helpMs = help.path("warm_emit").path("median_ms").asDouble();
        double emitMs = emit.path("warm_emit").path("median_ms").asDouble();
        md.append(String.format(Locale.ROOT, "%nAfter a `--help` first run, warm emit takes %+.0f ms (%+.1f %%) against an emit first run; "
                        + "the archives differ by %,d bytes.%n%n", helpMs - emitMs, 100 * (helpMs - emitMs) / emitMs,
                help.path("archive_bytes").asLong() - emit.path("archive_bytes").asLong()));
    }

    // ---- results.md ----------------------------------------------------------------------------

    static String markdown(JsonNode results) {
        StringBuilder md = new StringBuilder("# event-bus benchmark results\n\n");
        md.append("Written by `./jbang bench/bench.java` from `bench/results.json`, last measured ").append(results.path("generated_at").asText())
                .append(". `docs/benchmark.md` says what each section measures and how, and what the experiments behind the options in use ")
                .append("found. Times are medians with [min–max]; each run started once the CPUs were less than ")
                .append(results.path("quiet_below_percent").asInt(25)).append(" % busy (the `cpu busy` columns: how busy just before, median). ")
                .append("Peak RSS is GNU time's: the largest process of the tree. Each section says when it was measured (`--only` measures ")
                .append("some again and keeps the others); compare rows within a table.\n\n");
        JsonNode m = results.path("machine");
        md.append("## Machine\n\n| | |\n|---|---|\n");
        md.append("| CPUs (nproc) | ").append(m.path("nproc").asText()).append(" × ").append(m.path("cpu").asText()).append(" |\n");
        md.append("| memory | ").append(String.format(Locale.ROOT, "%,d MB", m.path("memory_mb").asLong())).append(" |\n");
        md.append("| kernel | ").append(m.path("kernel").asText()).append(" |\n");
        md.append("| java -version | ").append(m.path("java").asText().replace("\n", "<br>")).append(" |\n");
        md.append("| jbang --version | ").append(m.path("jbang").asText()).append(" (through `./jbang`) |\n");
        md.append("| curl | ").append(m.path("curl").asText()).append(" |\n");
        md.append("| node | ").append(m.path("node").asText()).append(" |\n");
        md.append("| maven | ").append(m.path("maven").asText()).append(" |\n");
        md.append("| GNU time | ").append(m.path("gnu_time").asText()).append(" |\n");
        md.append("| load average (1 min) before / after | ").append(results.path("load_before").path("loadavg_1m").asText()).append(" / ")
                .append(results.path("load_after").path("loadavg_1m").asText()).append(" |\n\n");
        renderTargets(results, md);
        for (Section section : SECTIONS) {
            if (results.has(section.name())) {
                section.render().accept(results.get(section.name()), md);
            }
        }
        return md.toString();
    }

    /** The published targets, from whichever sections results.json holds. */
    static void renderTargets(JsonNode results, StringBuilder md) {
        List<String> rows = new ArrayList<>();
        JsonNode emit = results.path("emit").path("jbang_emit");
        if (emit.has("median_ms")) {
            double median = emit.path("median_ms").asDouble();
            rows.add(targetRow("`emit`, warm, launcher included", "≤ 1.0 s", String.format(Locale.ROOT, "%.2f s", median / 1000), median <= 1000));
        }
        JsonNode router = results.path("router").path("total_per_event");
        if (router.has("median_ms")) {
            double median = router.path("median_ms").asDouble();
            rows.add(targetRow("router: validate + dedupe claim + route, warm", "≤ 3.0 s",
                    String.format(Locale.ROOT, "%.2f s", median / 1000), median <= 3000));
        }
        JsonNode fast = results.path("fastpath");
        if (fast.path("emit").path("node").has("median_ms")) {
            double node = fast.path("emit").path("node").path("median_ms").asDouble();
            for (String variant : List.of("fast_jdk25", "fast_jdk17")) {
                JsonNode e = fast.path("emit").path(variant);
                if (e.has("median_ms")) {
                    String jdk = variant.endsWith("25") ? "JDK 25" : "JDK 17";
                    double ratio = e.path("median_ms").asDouble() / node;
                    rows.add(targetRow("`emit`, warm, fast path, " + jdk, "≤ 2× node `fetch`",
                            String.format(Locale.ROOT, "%.2f s, %.1f× (node %.2f s)", e.path("median_ms").asDouble() / 1000, ratio, node / 1000), ratio <= 2));
                    JsonNode r = fast.path("router").path(variant).path("total_per_event");
                    double routerRatio = r.path("median_ms").asDouble() / node;
                    rows.add(targetRow("router's three steps, warm, fast path, " + jdk, "≤ 6× node `fetch`",
                            String.format(Locale.ROOT, "%.2f s, %.1f×", r.path("median_ms").asDouble() / 1000, routerRatio), routerRatio <= 6));
                }
            }
            // Cold, each JDK beside its own launcher path: what the fast path adds, not what the JDK does.
            JsonNode cold = fast.path("cold");
            for (String variant : List.of("fast_jdk17", "fast_jdk25")) {
                double today = cold.path(variant.replace("fast", "launcher")).path("median_ms").asDouble();
                if (cold.path(variant).has("median_ms") && today > 0) {
                    double c = cold.path(variant).path("median_ms").asDouble();
                    rows.add(targetRow("cold `emit`, script cache empty, " + (variant.endsWith("25") ? "JDK 25" : "JDK 17"),
                            "≤ through the launcher (" + String.format(Locale.ROOT, "%.2f s", today / 1000) + "), within 5 %",
                            String.format(Locale.ROOT, "%.2f s (%+.0f %%)", c / 1000, 100 * (c - today) / today), c <= today * 1.05));
                }
            }
        }
        JsonNode requests = results.path("requests");
        if (requests.has("emit")) {
            int emitRequests = requests.path("emit").path("requests").asInt();
            rows.add(targetRow("API requests per emit", "1", String.valueOf(emitRequests), emitRequests == 1));
            JsonNode claim = requests.path("claim_new");
            rows.add(targetRow("API requests per uncontended claim of a new id", "≤ 3", claim.path("requests").asInt() + " ("
                    + claim.path("rate_limited").asInt() + " counted by the rate limit)", claim.path("requests").asInt() <= 3));
            int one = requests.path("route_one_target").path("requests").asInt();
            JsonNode two = requests.path("route_two_targets");
            rows.add(targetRow("API requests per routed target", "1", one + " (two targets: " + two.path("requests").asInt() + ")",
                    one == 1 && two.path("requests").asInt() == two.path("targets").asInt()));
        }
        JsonNode throughput = results.path("throughput");
        if (throughput.has("validate_java")) {
            long validate = throughput.path("validate_java").path("events_per_second").asLong();
            long ajvCli = throughput.path("ajv_cli_files").path("events_per_second").asLong();
            String measured = String.format(Locale.ROOT, "%,d events/s against %,d (%+.0f %%)", validate, ajvCli, 100.0 * (validate - ajvCli) / ajvCli);
            rows.add(targetRow(String.format(Locale.ROOT, "validate faster than ajv-cli (%,d events)", throughput.path("events").asInt()), "> ajv-cli",
                    measured, validate > ajvCli));
        }
        JsonNode scenarios = results.path("capacity").path("scenarios");
        if (scenarios.size() > 0) {
            int fewest = Integer.MAX_VALUE;
            List<String> counts = new ArrayList<>();
            for (JsonNode scenario : scenarios) {
                fewest = Math.min(fewest, scenario.path("live_entries").asInt());
                counts.add(String.format(Locale.ROOT, "%,d", scenario.path("live_entries").asInt()));
            }
            rows.add(targetRow("live dedupe entries per comment", "≥ 2,000", String.join(", ", counts) + " (one TTL, two TTLs)", fewest >= 2000));
        }
        if (!rows.isEmpty()) {
            md.append("## Targets\n\n| target | goal | measured | met |\n|---|---|---|---|\n");
            rows.forEach(md::append);
            md.append('\n');
        }
    }

    static String targetRow(String target, String goal, String measured, boolean met) {
        return "| " + target + " | " + goal + " | " + measured + " | " + (met ? "yes" : "**no**") + " |\n";
    }

    /** "Medians of 7 runs, measured 2026-...": the sentence that ends a section's introduction. */
    static String measured(JsonNode section, JsonNode row) {
        int n = row.path("n").asInt();
        return (n > 1 ? "Medians of " + n + " runs, measured " : "Measured ") + section.path("measured_at").asText() + ".";
    }

    static void stepRow(StringBuilder md, String name, JsonNode row) {
        md.append("| ").append(name).append(" | ").append(wall(row)).append(" | ").append(mb(row)).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f %%", row.path("cpu_busy_percent").asDouble())).append(" |\n");
    }

    /** "769 ms [730–837]" or "2.22 s [2.11–2.48]": a row's median wall time and its range. */
    static String wall(JsonNode row) {
        double median = row.path("median_ms").asDouble();
        double scale = median >= 1000 ? 1000 : 1;
        String number = median >= 10_000 ? "%.1f s" : median >= 1000 ? "%.2f s" : "%.0f ms";
        String text = String.format(Locale.ROOT, number, median / scale);
        if (row.path("n").asInt() > 1) {
            text += String.format(Locale.ROOT, median >= 1000 ? " [%.2f–%.2f]" : " [%.0f–%.0f]",
                    row.path("min_ms").asDouble() / scale, row.path("max_ms").asDouble() / scale);
        }
        return text;
    }

    /** "7,070", or "8 [7–9]" when the runs differed: a count's median and its range. */
    static String count(JsonNode row) {
        String text = number(row.path("median").asDouble());
        return row.path("min").asDouble() == row.path("max").asDouble() ? text
                : text + " [" + number(row.path("min").asDouble()) + "–" + number(row.path("max").asDouble()) + "]";
    }

    static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,d", (long) value) : String.format(Locale.ROOT, "%,.1f", value);
    }

    static String mb(JsonNode row) {
        return String.format(Locale.ROOT, "%.0f MB", row.path("rss_mb").asDouble());
    }

    // ---- machine and versions ------------------------------------------------------------------

    ObjectNode machine() throws Exception {
        ObjectNode m = JSON.createObjectNode();
        m.put("nproc", Integer.parseInt(capture(List.of("nproc")).strip()));
        Matcher total = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/meminfo")));
        m.put("memory_mb", total.find() ? Long.parseLong(total.group(1)) / 1024 : -1);
        m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown"));
        m.put("kernel", capture(List.of("uname", "-sr")).strip());
        m.put("java", capture(List.of(javaExecutable(), "-version")).strip());
        // The wrapper may print what it bootstraps first; the version is the last line.
        List<String> jbang = capture(List.of(root.resolve("jbang").toString(), "--version")).strip().lines().toList();
        m.put("jbang", jbang.isEmpty() ? "unknown" : jbang.get(jbang.size() - 1));
        m.put("curl", capture(List.of("curl", "--version")).lines().findFirst().orElse("").strip());
        m.put("node", capture(List.of("node", "--version")).strip());
        m.put("maven", capture(List.of("mvn", "-v")).lines().findFirst().orElse("").replaceAll("\u001b\\[[0-9;]*m", "").strip());
        m.put("gnu_time", capture(List.of("/usr/bin/time", "--version")).lines().findFirst().orElse("").strip());
        return m;
    }

    ObjectNode load() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
        return JSON.createObjectNode().put("loadavg_1m", Double.parseDouble(parts[0])).put("loadavg_5m", Double.parseDouble(parts[1]));
    }

    // ---- environment and commands --------------------------------------------------------------

    Path findCheckout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("jbang")) && Files.isRegularFile(dir.resolve("emit.java"))) {
                return dir;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "run this inside the event-bus checkout (no ./jbang and emit.java above " + Path.of("").toAbsolutePath() + ")");
    }

    /** The TTL the router workflow claims with, so the benchmark claims as the router does. */
    String routerTtl() throws IOException {
        return YAML.readTree(root.resolve("workflows/event-router.yml").toFile()).path("env").path("DEDUPE_TTL").asText("60m");
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

    /** `dedupe claim` as the router runs it, the id taken from the event, or of the id given. */
    List<String> claim(String... id) {
        List<String> command = jbang("dedupe.java", "claim");
        command.addAll(List.of(id));
        command.addAll(List.of("--ttl", dedupeTtl));
        return command;
    }

    /** Only what the tools need: nothing of the caller's JBang, Maven or GitHub settings leaks into a measurement. */
    Map<String, String> baseEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("PATH", "HOME", "JAVA_HOME", "TMPDIR", "LANG")) {
            if (System.getenv(name) != null) {
                env.put(name, System.getenv(name));
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

    /** What a router workflow step sees inside Actions (workflows/event-router.yml), for the event file given. */
    Map<String, String> routerEnv(Emulator emulator, Path event, String name) throws Exception {
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
        Path workspace = work.resolve("router-repo");
        Path workflows = workspace.resolve(".github/workflows");
        Files.createDirectories(workflows);
        Files.copy(root.resolve("event-routes.yml"), workspace.resolve(".github/event-routes.yml"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                Files.copy(f, workflows.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return workspace;
    }

    /** OWNER/REPO:FILE:input,optional? for every workflow in workflows/ with a workflow_dispatch trigger, as the emulator takes them. */
    List<String> consumerWorkflows() throws IOException {
        List<String> declarations = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("workflows"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode workflow = YAML.readTree(f.toFile());
                JsonNode on = workflow.has("on") ? workflow.get("on") : workflow.path("true"); // YAML 1.1 reads a bare `on` as true
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

    // ---- running and timing processes ----------------------------------------------------------

    record Result(int exit, double wallMs, long rssKb, double busyBefore, String stdout, String stderr) {
    }

    interface CommandForRun {
        List<String> command(int run) throws Exception;
    }

    /**
     * Runs each command --runs times, interleaved in rotating order so that no command always runs
     * right after the same other one (and inherits what it left in the caches).
     */
    Map<String, List<Result>> interleaved(Map<String, CommandForRun> commands, Map<String, String> env) throws Exception {
        return interleaved(commands, name -> env);
    }

    /** The same, each command with an environment of its own. */
    Map<String, List<Result>> interleaved(Map<String, CommandForRun> commands, java.util.function.Function<String, Map<String, String>> envs)
            throws Exception {
        List<String> names = List.copyOf(commands.keySet());
        Map<String, List<Result>> samples = new LinkedHashMap<>();
        names.forEach(name -> samples.put(name, new ArrayList<>()));
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((i + k) % names.size());
                Result r = exec(name + "-" + i, commands.get(name).command(i), envs.apply(name), root, true, 300);
                require(r, 0, name);
                samples.get(name).add(r);
            }
            int run = i;
            String walls = names.stream().map(name -> String.format(Locale.ROOT, "%s %.0f ms", name, samples.get(name).get(run).wallMs()))
                    .collect(Collectors.joining(", "));
            say(String.format(Locale.ROOT, "  run %d/%d: %s", i + 1, runs, walls));
        }
        return samples;
    }

    /** A command that is not measured (set-up, warm-up, counting requests), which must exit 0. */
    Result run(String label, List<String> command, Map<String, String> env, Path dir) throws Exception {
        Result r = exec(label, command, env, dir, false, 600);
        require(r, 0, label);
        return r;
    }

    /**
     * Runs a command with exactly this environment, stdout and stderr to bench/work/logs/LABEL.*,
     * under GNU time for the peak resident set size (the largest process of the tree). A measured
     * run first waits for idle CPUs.
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
        return new Result(process.exitValue(), wallMs, rssKb, busy, Files.readString(out), Files.readString(err));
    }

    static void require(Result r, int exit, String what) {
        if (r.exit() != exit) {
            throw new IllegalStateException(what + ": exit " + r.exit() + " (expected " + exit + "): " + tail(r.stderr() + "\n" + r.stdout()));
        }
    }

    /** dedupe claim prints its answer, `new` or `duplicate`, on stdout. */
    static Result requireAnswer(Result r, String answer, String what) {
        require(r, 0, what);
        if (!r.stdout().strip().equals(answer)) {
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
        builder.environment().put("JBANG_DIR", jbangDir.toString());
        builder.environment().put("JBANG_NO_VERSION_CHECK", "true");
        Process process = builder.start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(600, TimeUnit.SECONDS);
        return text;
    }

    /**
     * Waits until the CPUs are idle (less than --quiet-below percent busy over 0.3 s), at most
     * --quiet-timeout seconds, and returns how busy they were when the run started.
     */
    double waitQuiet() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(quietTimeout);
        double busy;
        do {
            busy = cpuBusy(300);
        } while (busy >= quietBelow && System.nanoTime() < deadline);
        return busy;
    }

    static double cpuBusy(long millis) throws Exception {
        long[] before = cpuTimes();
        Thread.sleep(millis);
        long[] after = cpuTimes();
        double total = after[0] - before[0];
        return total <= 0 ? 0 : 100.0 * (1 - (after[1] - before[1]) / total);
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

    // ---- statistics -----------------------------------------------------------------------------

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

    /** A row of results.json for a series of runs: the wall times, the median peak RSS, how busy the CPUs were before (median). */
    static ObjectNode summary(List<Result> results) {
        return wallSummary(walls(results))
                .put("rss_mb", round(median(results.stream().map(r -> r.rssKb() / 1024.0).toList()), 1))
                .put("cpu_busy_percent", round(median(results.stream().map(Result::busyBefore).toList()), 1));
    }

    // ---- files ------------------------------------------------------------------------------------

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

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

    // ---- the emulator -----------------------------------------------------------------------------

    /** tests/GitHubEmulator.java as a process, with the consumer workflows of workflows/ declared with their inputs. */
    static final class Emulator implements AutoCloseable {
        final Process process;
        final String url;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String mainSha;

        private Emulator(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        static Emulator start(bench b) throws Exception {
            List<String> command = new ArrayList<>(List.of(b.root.resolve("jbang").toString(), b.root.resolve("tests/GitHubEmulator.java").toString(),
                    "--port", "0", "--events-dir", b.work.resolve("events").toString()));
            List<String> workflows = b.consumerWorkflows();
            for (String declaration : workflows) {
                command.addAll(List.of("--workflow", declaration));
            }
            say("starting the GitHub emulator (tests/GitHubEmulator.java) with " + workflows.size() + " consumer workflows");
            ProcessBuilder builder = new ProcessBuilder(command).directory(b.root.toFile()).redirectError(b.logs.resolve("emulator.log").toFile());
            builder.environment().clear();
            builder.environment().putAll(b.baseEnv());
            Process process = builder.start();
            // The emulator prints its URL on stdout once it listens.
            String url = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (url == null || !url.startsWith("http://127.0.0.1:")) {
                process.destroyForcibly();
                throw new IllegalStateException("the emulator did not start: " + url + "; see bench/work/logs/emulator.log");
            }
            return new Emulator(process, url.strip());
        }

        HttpResponse<String> send(String method, String path, String body, boolean token) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28");
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (token) {
                request.header("Authorization", "Bearer " + TOKEN);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return response;
        }

        void reset() throws Exception {
            send("POST", "/_emulator/reset", null, false);
            mainSha = null;
        }

        void clearJournal() throws Exception {
            send("DELETE", "/_emulator/journal", null, false);
        }

        /** The API requests since the journal was last cleared (the emulator's own /_emulator API is not journaled). */
        List<JsonNode> journal() throws Exception {
            List<JsonNode> entries = new ArrayList<>();
            JSON.readTree(send("GET", "/_emulator/journal", null, false).body()).forEach(entries::add);
            return entries;
        }

        String mainSha() throws Exception {
            if (mainSha == null) {
                mainSha = JSON.readTree(send("GET", "/repos/" + REPO + "/git/ref/heads/main", null, true).body()).path("object").path("sha").asText();
            }
            return mainSha;
        }

        /** Sends a repository_dispatch (not timed) and returns the event file the emulator delivered for it. */
        Path dispatchAndGetEvent(String type, String data) throws Exception {
            String body = "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + UUID.randomUUID() + "\",\"source\":\"bench\","
                    + "\"timestamp\":\"" + TIMESTAMP.format(Instant.now()) + "\",\"data\":" + data + "}}";
            send("POST", "/repos/" + REPO + "/dispatches", body, true);
            JsonNode events = JSON.readTree(send("GET", "/_emulator/events?repo=" + REPO, null, false).body());
            return Path.of(events.get(events.size() - 1).asText());
        }

        /** The state issue as dedupe finds it: the oldest open issue labelled event-bus-state. */
        int stateIssue() throws Exception {
            JsonNode issues = JSON.readTree(send("GET", "/repos/" + REPO + "/issues?labels=event-bus-state&state=open&sort=created&direction=asc",
                    null, true).body());
            if (issues.isEmpty()) {
                throw new IllegalStateException("no open issue labelled event-bus-state after a dedupe claim");
            }
            return issues.get(0).path("number").asInt();
        }

        /** An artifact as a workflow run uploads it (the emulator's own endpoint: GitHub has none for that). */
        void addArtifact(String name, byte[] zip) throws Exception {
            send("POST", "/_emulator/artifacts", COMPACT.writeValueAsString(Map.of("repo", REPO, "name", name,
                    "zip_base64", Base64.getEncoder().encodeToString(zip))), false);
        }

        /** The branch event-bus-history with these files, made as shared/History.java starts it: a tree, a commit without parents, a ref. */
        void createHistoryBranch(Map<String, String> files) throws Exception {
            ObjectNode tree = JSON.createObjectNode();
            ArrayNode entries = tree.putArray("tree");
            files.forEach((path, content) -> entries.addObject().put("path", path).put("mode", "100644").put("type", "blob").put("content", content));
            String treeSha = JSON.readTree(send("POST", "/repos/" + REPO + "/git/trees", COMPACT.writeValueAsString(tree), true).body())
                    .path("sha").asText();
            ObjectNode commit = JSON.createObjectNode().put("message", "event-bus: start the event history").put("tree", treeSha);
            commit.putArray("parents");
            String commitSha = JSON.readTree(send("POST", "/repos/" + REPO + "/git/commits", COMPACT.writeValueAsString(commit), true).body())
                    .path("sha").asText();
            send("POST", "/repos/" + REPO + "/git/refs",
                    COMPACT.writeValueAsString(Map.of("ref", "refs/heads/event-bus-history", "sha", commitSha)), true);
        }

        /** The primary rate limit of every token, in requests an hour (5,000 until the next reset). */
        void setRateLimit(int requestsPerHour) throws Exception {
            send("POST", "/_emulator/settings", "{\"rate_limit\":" + requestsPerHour + "}", false);
        }

        JsonNode stateComment(int issue) throws Exception {
            for (JsonNode c : JSON.readTree(send("GET", "/_emulator/comments?repo=" + REPO + "&issue=" + issue, null, false).body())) {
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
}
