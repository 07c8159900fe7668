// results.md from results.json: bench/bench.java's tables (compiled into it with //SOURCES; `bench.java --render` runs only this).
// Each section's render function gets its own object of results.json, as bench.java's SECTIONS pairs them, so --only and
// --render keep working for results measured by an older bench.java. docs/benchmark.md says what each figure measures.

import com.fasterxml.jackson.databind.JsonNode;
import java.util.*;
import java.util.stream.*;

final class Report {
    private Report() {
    }

    static final Map<String, String> WAYS = new LinkedHashMap<>();
    static {
        WAYS.put("fast_jdk25", "`./jbang emit.java`, fast path, JDK 25 (AOT cache)");
        WAYS.put("fast_jdk17", "`./jbang emit.java`, fast path, JDK 17 (AppCDS)");
        WAYS.put("launcher_jdk25", "`./jbang emit.java` through the launcher, JDK 25 (`JBANG_WRAPPER_FAST=false`)");
        WAYS.put("launcher_jdk17", "`./jbang emit.java` through the launcher, JDK 17 (`JBANG_WRAPPER_FAST=false`)");
        WAYS.put("node", "node + fetch");
        WAYS.put("curl", "curl");
    }

    static void renderFastPath(JsonNode s, StringBuilder md) {
        JsonNode emit = s.path("emit");
        double node = emit.path("node").path("median_ms").asDouble();
        md.append("Warm `").append(s.path("command").asText()).append("`, each way, beside curl and node sending the same POST, all interleaved. ")
                .append("JDK 17: ").append(s.path("jdk17").asText()).append(s.has("jdk25") ? "; JDK 25: " + s.path("jdk25").asText() : "").append(". ")
                .append(measured(s, emit.path("fast_jdk17"))).append(s.has("process_floor_ms") ? " Starting a process under GNU time costs the "
                        + "harness " + s.path("process_floor_ms").asText() + " ms (`/bin/true`), included in every figure." : "").append("\n\n");
        header(md, "", "wall", "× node", "peak RSS", "cpu busy before");
        WAYS.forEach((key, name) -> {
            if (emit.path(key).has("median_ms")) {
                row(md, name, wall(emit.path(key)), times(emit.path(key), node), mb(emit.path(key)), busy(emit.path(key)));
            }
        });
        md.append("\n### The router's three steps\n\nEach on a fresh event, ").append(bench.ROUTED_EVENT).append("; each way in turn.\n\n");
        header(md, "", "validate", "dedupe claim", "route", "total per event", "× node");
        WAYS.forEach((key, name) -> {
            JsonNode r = s.path("router").path(key);
            if (r.isObject()) {
                row(md, name.replace("`./jbang emit.java`, ", "").replace("`./jbang emit.java` ", ""), wall(r.path("validate")),
                        wall(r.path("dedupe_claim")), wall(r.path("route")), "**" + wall(r.path("total_per_event")) + "**",
                        times(r.path("total_per_event"), node));
            }
        });
        md.append("\n### Cold: the script cache empty\n\nJBang and its launcher archive, no script built, no saved command.\n\n");
        header(md, "", "wall", "peak RSS");
        WAYS.forEach((key, name) -> wallRow(md, name.replace("fast path", "fast path's way"), s.path("cold").path(key)));
        md.append('\n');
    }

    static String times(JsonNode row, double node) {
        return String.format(Locale.ROOT, "%.1f×", row.path("median_ms").asDouble() / node);
    }

    static void renderRequests(JsonNode s, StringBuilder md) {
        md.append("Each operation once; a 304 (a conditional re-read) is not counted by the rate limit. Measured ")
                .append(s.path("measured_at").asText()).append(".\n\n");
        header(md, "operation", "requests", "what they are");
        for (JsonNode op : s) {
            if (op.isObject()) {
                int requests = op.path("requests").asInt();
                int rateLimited = op.path("rate_limited").asInt();
                List<String> journal = new ArrayList<>();
                op.path("journal").forEach(line -> journal.add("`" + line.asText() + "`"));
                row(md, op.path("operation").asText(), requests + (rateLimited != requests ? " (" + rateLimited + " counted by the rate limit)" : ""),
                        journal.isEmpty() ? "none" : String.join(", ", journal));
            }
        }
        md.append('\n');
    }

    static void renderHistory(JsonNode s, StringBuilder md) {
        JsonNode append = s.path("append");
        md.append("### Appending: the router's three steps with `EVENT_BUS_HISTORY=true` and without\n\nEach on a fresh event, ")
                .append(append.path("event").asText()).append("; the two ways interleaved. ").append(measured(s, append.path("history")
                        .path("total_per_event"))).append("\n\n");
        header(md, "", "validate + claim + route, per event", "of which `route`", "API requests per event", "records appended per event");
        for (var way : List.of(Map.entry("without the history", append.path("no_history")), Map.entry("`EVENT_BUS_HISTORY=true`", append.path("history")))) {
            JsonNode r = way.getValue();
            row(md, way.getKey(), wall(r.path("total_per_event")), wall(r.path("route")), count(r.path("requests_per_event")),
                    count(r.path("records_appended_per_event")));
        }
        md.append("\nThe append: `").append(append.path("append_request").asText()).append("`.\n\n");
        JsonNode week = s.path("week");
        JsonNode history = week.path("history");
        JsonNode artifacts = week.path("artifacts");
        String statuses = week.path("counts").properties().stream().filter(e -> e.getValue().asInt() > 0)
                .map(e -> number(e.getValue().asInt()) + " " + e.getKey()).collect(Collectors.joining(", "));
        md.append("### Reading a week: `events stats` over ").append(number(week.path("router_runs").asInt())).append(" router runs\n\n")
                .append(week.path("days").asInt()).append(" days, one event each (").append(statuses).append("), seeded as history files and as one ")
                .append("event log artifact per run. Both reads reported the same counts on every run. ").append(measured(s, history)).append("\n\n");
        header(md, "", "wall", "API requests", "downloads from storage", "bytes downloaded", "peak RSS");
        row(md, "`" + history.path("command").asText() + "`", wall(history), count(history.path("requests")), "1 zipball: "
                + number(history.path("files").asInt()) + " record files of " + history.path("days_read").asInt() + " days",
                number(history.path("bytes").asLong()), mb(history));
        row(md, "`" + artifacts.path("command").asText() + "`", wall(artifacts), count(artifacts.path("requests")),
                number(artifacts.path("downloads").asInt()) + " artifacts", number(artifacts.path("bytes").asLong()), mb(artifacts));
        double requests = artifacts.path("requests").path("median").asDouble();
        md.append(String.format(Locale.ROOT, "%nThe artifacts took %.0f× the history's time, and their requests %.0f hours of a `GITHUB_TOKEN`'s "
                + "rate limit on github.com (1,000 an hour; %.0f of an App installation's 5,000; the emulator's was lifted). The zipball holds "
                + "every file of the branch, %,d bytes a record: it grows with the history kept, whatever the window.%n%n",
                artifacts.path("median_ms").asDouble() / history.path("median_ms").asDouble(), Math.ceil(requests / 1000), Math.ceil(requests / 5000),
                history.path("bytes").asLong() / Math.max(1, history.path("files").asLong())));
    }

    static void renderAcceptance(JsonNode s, StringBuilder md) {
        JsonNode latency = s.path("merge_latency");
        md.append("### `events merge-latency` over ").append(number(latency.path("merged").asInt())).append(" merged pull requests\n\n")
                .append(latency.path("failed_check").asInt()).append(" with a failed check and ").append(latency.path("no_checks").asInt())
                .append(" with none merged but not measured; every run reported the counts, each pull request's seconds as seeded, and its ")
                .append("cost in requests as the emulator counted them. ").append(measured(s, latency)).append("\n\n");
        header(md, "command", "wall", "API requests", "peak RSS", "measured", "latency: mean, median, p95");
        row(md, "`" + latency.path("command").asText() + "`", wall(latency), count(latency.path("requests")), mb(latency),
                latency.path("measured").asInt() + " of " + latency.path("merged").asInt(), Stream.of("mean_seconds", "median_seconds", "p95_seconds")
                        .map(f -> duration(latency.path(f).asDouble())).collect(Collectors.joining(", ")));
        JsonNode outcomes = s.path("outcomes");
        md.append("\n### `events stats` with outcomes over a week\n\n").append(number(outcomes.path("router_runs").asInt()))
                .append(" router runs and ").append(number(outcomes.path("outcome_records").asInt())).append(" outcomes over ")
                .append(outcomes.path("days").asInt()).append(" days; every run reported each pair's count and median as seeded. ")
                .append(measured(s, outcomes)).append("\n\n");
        header(md, "command", "wall", "API requests", "peak RSS");
        row(md, "`" + outcomes.path("command").asText() + "`", wall(outcomes), count(outcomes.path("requests")), mb(outcomes));
        md.append('\n');
        header(md, "event type", "outcome", "count", "from the event's `timestamp`: mean", "median", "p95");
        for (JsonNode r : outcomes.path("outcomes")) {
            row(md, r.path("event_type").asText(), r.path("outcome").asText(), number(r.path("count").asDouble()), duration(r.path("mean_ms").asDouble() / 1000),
                    duration(r.path("median_ms").asDouble() / 1000), duration(r.path("p95_ms").asDouble() / 1000));
        }
        md.append('\n');
    }

    static String duration(double seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%.1f h", seconds / 3600)
                : seconds >= 60 ? String.format(Locale.ROOT, "%.1f min", seconds / 60) : String.format(Locale.ROOT, "%.0f s", seconds);
    }

    static void renderThroughput(JsonNode s, StringBuilder md) {
        md.append(number(s.path("events").asInt())).append(" events (").append(number(s.path("file_bytes").asLong())).append(" bytes of JSON Lines), ")
                .append("all found valid by all three; times include start-up. ").append(s.path("ajv_cli").asText()).append(". ")
                .append(measured(s, s.path("validate_java"))).append("\n\n");
        header(md, "", "wall", "events/s", "peak RSS");
        for (var tool : List.of(Map.entry("validate_java", "`./jbang validate.java --schemas schemas events.jsonl`"),
                Map.entry("ajv_cli_files", "ajv-cli, one JSON file per event (`--spec=draft2020 --strict=false --all-errors -c ajv-formats`), "
                        + "one run per event type"),
                Map.entry("ajv_jsonl", "Ajv in one node process over the JSON Lines (`bench/ajv-jsonl.mjs`, the same options)"))) {
            JsonNode r = s.path(tool.getKey());
            row(md, tool.getValue(), wall(r), number(r.path("events_per_second").asLong()), mb(r));
        }
        double validate = s.path("validate_java").path("median_ms").asDouble();
        md.append(String.format(Locale.ROOT, "%nvalidate.java is %.2f× as fast as ajv-cli and %.2f× as fast as Ajv in one process.%n%n",
                s.path("ajv_cli_files").path("median_ms").asDouble() / validate, s.path("ajv_jsonl").path("median_ms").asDouble() / validate));
    }

    static void renderCapacity(JsonNode s, StringBuilder md) {
        md.append("A state comment filled to GitHub's 65,536 characters with entries that name no holder (a router's, with its holder: 1,658, ")
                .append("docs/dedupe.md), then claims that must evict. ").append(measured(s, s.path("scenarios").path(0).path("claim_at_capacity")))
                .append("\n\n");
        header(md, "scenario", "live entries", "comment characters", "claim at capacity", "requests per claim (most)");
        for (JsonNode scenario : s.path("scenarios")) {
            row(md, scenario.path("scenario").asText(), number(scenario.path("live_entries").asInt()), number(scenario.path("comment_characters").asInt()),
                    wall(scenario.path("claim_at_capacity")), scenario.path("requests_per_claim").asInt());
        }
        md.append('\n');
    }

    static void renderCold(JsonNode s, StringBuilder md) {
        md.append("`").append(s.path("command").asText()).append("`. ").append(measured(s, s.path("jbang_dir_empty"))).append("\n\n");
        header(md, "situation", "wall", "peak RSS");
        wallRow(md, "JBang installed, its script cache empty (now in the fastpath section)", s.path("script_cache_empty"));
        wallRow(md, "empty JBANG_DIR, ~/.m2 filled: the wrapper fetches jbang-cli with Maven first", s.path("jbang_dir_empty"));
        JsonNode ever = s.path("first_run_ever");
        wallRow(md, "first run ever: empty JBANG_DIR and Maven repository (" + ever.path("downloaded_mb").asText() + " MB from Maven Central)", ever);
        JsonNode router = s.path("router_script_cache_empty");
        md.append(String.format(Locale.ROOT, "%nThe router's three steps with the script cache empty (once): validate %.1f s, dedupe claim %.1f s, "
                + "route %.1f s, total %.1f s.%n%n", router.path("validate_ms").asDouble() / 1000, router.path("dedupe_claim_ms").asDouble() / 1000,
                router.path("route_ms").asDouble() / 1000, router.path("total_ms").asDouble() / 1000));
    }

    static String markdown(JsonNode results) {
        StringBuilder md = new StringBuilder("# event-bus benchmark results\n\n");
        md.append("Written by `./jbang bench/bench.java` from `bench/results.json`, last measured ").append(results.path("generated_at").asText())
                .append(". [docs/benchmark.md](../docs/benchmark.md) says what each section measures and how. Times are medians with [min–max], ")
                .append("each run started once the CPUs were less than ").append(results.path("quiet_below_percent").asInt(25)).append(" % busy; peak ")
                .append("RSS is GNU time's (the largest process of the tree). Compare rows within a table.\n\n## Machine\n\n| | |\n|---|---|\n");
        JsonNode m = results.path("machine");
        row(md, "CPUs (nproc)", m.path("nproc").asText() + " × " + m.path("cpu").asText());
        row(md, "memory", number(m.path("memory_mb").asLong()) + " MB");
        row(md, "kernel", m.path("kernel").asText());
        row(md, "java -version", m.path("java").asText().replace("\n", "<br>"));
        row(md, "jbang --version", m.path("jbang").asText() + " (through `./jbang`)");
        Stream.of("curl", "node", "maven").forEach(tool -> row(md, tool, m.path(tool).asText()));
        row(md, "GNU time", m.path("gnu_time").asText());
        row(md, "load average (1 min) before / after", results.path("load_before").path("loadavg_1m").asText() + " / "
                + results.path("load_after").path("loadavg_1m").asText());
        md.append('\n');
        renderTargets(results, md);
        for (bench.Section section : bench.SECTIONS) {
            JsonNode s = results.path(section.name());
            md.append("## ").append(section.title()).append("\n\n");
            if (s.has("failed")) {
                md.append("**Failed** (").append(s.path("measured_at").asText()).append("): ").append(s.path("failed").asText()).append("\n\n");
            } else if (s.isObject()) {
                section.render().accept(s, md);
            } else {
                md.append("Not measured yet: `./jbang bench/bench.java --only ").append(section.name()).append("`.\n\n");
            }
        }
        return md.toString();
    }

    /** The published targets (docs/benchmark.md), from whichever sections results.json holds. */
    static void renderTargets(JsonNode results, StringBuilder md) {
        StringBuilder rows = new StringBuilder();
        JsonNode fast = results.path("fastpath");
        double node = fast.path("emit").path("node").path("median_ms").asDouble();
        JsonNode emit = fast.path("emit").path("fast_jdk17");
        JsonNode router = fast.path("router").path("fast_jdk17").path("total_per_event");
        if (emit.has("median_ms")) {
            target(rows, "`emit`, warm, as `./jbang` runs it (JDK 17)", "≤ 1.0 s", seconds(emit), emit.path("median_ms").asDouble() <= 1000);
            target(rows, "router: validate + dedupe claim + route, warm (JDK 17)", "≤ 3.0 s", seconds(router), router.path("median_ms").asDouble() <= 3000);
        }
        for (String way : List.of("fast_jdk25", "fast_jdk17")) {
            JsonNode e = fast.path("emit").path(way);
            if (node > 0 && e.has("median_ms")) {
                String jdk = way.endsWith("25") ? "JDK 25" : "JDK 17";
                double ratio = e.path("median_ms").asDouble() / node;
                target(rows, "`emit`, warm, fast path, " + jdk, "≤ 2× node `fetch`",
                        String.format(Locale.ROOT, "%s, %.1f× (node %.2f s)", seconds(e), ratio, node / 1000), ratio <= 2);
                JsonNode r = fast.path("router").path(way).path("total_per_event");
                double routerRatio = r.path("median_ms").asDouble() / node;
                target(rows, "router's three steps, warm, fast path, " + jdk, "≤ 6× node `fetch`",
                        String.format(Locale.ROOT, "%s, %.1f×", seconds(r), routerRatio), routerRatio <= 6);
            }
        }
        for (String way : List.of("fast_jdk17", "fast_jdk25")) { // cold, each JDK beside its own launcher path: what the fast path adds
            JsonNode c = fast.path("cold").path(way);
            JsonNode launcher = fast.path("cold").path(way.replace("fast", "launcher"));
            if (c.has("median_ms") && launcher.has("median_ms")) {
                double ratio = c.path("median_ms").asDouble() / launcher.path("median_ms").asDouble();
                target(rows, "cold `emit`, script cache empty, " + (way.endsWith("25") ? "JDK 25" : "JDK 17"), "≤ through the launcher ("
                        + seconds(launcher) + "), within 5 %", String.format(Locale.ROOT, "%s (%+.0f %%)", seconds(c), 100 * (ratio - 1)), ratio <= 1.05);
            }
        }
        JsonNode requests = results.path("requests");
        if (requests.has("emit")) {
            int emitRequests = requests.path("emit").path("requests").asInt();
            target(rows, "API requests per emit", "1", String.valueOf(emitRequests), emitRequests == 1);
            JsonNode claim = requests.path("claim_new");
            target(rows, "API requests per uncontended claim of a new id", "≤ 3", claim.path("requests").asInt() + " ("
                    + claim.path("rate_limited").asInt() + " counted by the rate limit)", claim.path("requests").asInt() <= 3);
            int one = requests.path("route_one_target").path("requests").asInt();
            JsonNode two = requests.path("route_two_targets");
            target(rows, "API requests per routed target", "1", one + " (two targets: " + two.path("requests").asInt() + ")",
                    one == 1 && two.path("requests").asInt() == two.path("targets").asInt());
        }
        JsonNode week = results.path("history").path("week");
        if (week.path("history").has("median_ms")) {
            double read = week.path("history").path("requests").path("max").asDouble();
            target(rows, "API requests to read a week (" + number(week.path("router_runs").asInt()) + " router runs) from the history",
                    "bounded: not one per event (≤ 10)", number(read) + " (from the artifacts: " + count(week.path("artifacts").path("requests")) + ")",
                    read <= 10);
        }
        JsonNode latency = results.path("acceptance").path("merge_latency");
        if (latency.has("median_ms")) {
            int merged = latency.path("merged").asInt();
            double used = latency.path("requests").path("max").asDouble();
            int bound = 2 * merged + (merged + 99) / 100 + 5;
            target(rows, "API requests of `merge-latency` over " + number(merged) + " merged pull requests", "about 2 per pull request and the "
                    + "list (≤ " + number(bound) + ")", number(used) + String.format(Locale.ROOT, " (%.2f per pull request)", used / merged), used <= bound);
        }
        JsonNode throughput = results.path("throughput");
        if (throughput.has("validate_java")) {
            long validate = throughput.path("validate_java").path("events_per_second").asLong();
            long ajvCli = throughput.path("ajv_cli_files").path("events_per_second").asLong();
            target(rows, "validate faster than ajv-cli (" + number(throughput.path("events").asInt()) + " events)", "> ajv-cli",
                    String.format(Locale.ROOT, "%,d events/s against %,d (%+.0f %%)", validate, ajvCli, 100.0 * (validate - ajvCli) / ajvCli), validate > ajvCli);
        }
        List<Integer> live = new ArrayList<>();
        results.path("capacity").path("scenarios").forEach(scenario -> live.add(scenario.path("live_entries").asInt()));
        if (!live.isEmpty()) {
            target(rows, "live dedupe entries per comment", "≥ 2,000", live.stream().map(Report::number).collect(Collectors.joining(", "))
                    + " (one TTL, two TTLs)", Collections.min(live) >= 2000);
        }
        if (rows.length() > 0) {
            md.append("## Targets\n\n| target | goal | measured | met |\n|---|---|---|---|\n").append(rows).append('\n');
        }
    }

    static void target(StringBuilder rows, String target, String goal, String measured, boolean met) {
        row(rows, target, goal, measured, met ? "yes" : "**no**");
    }

    /** "Medians of 7 runs, measured 2026-...": the sentence that ends a section's introduction. */
    static String measured(JsonNode section, JsonNode row) {
        int n = row.path("n").asInt();
        return (n > 1 ? "Medians of " + n + " runs, measured " : "Measured ") + section.path("measured_at").asText() + ".";
    }

    static void header(StringBuilder md, String... columns) {
        row(md, (Object[]) columns);
        md.append("|---".repeat(columns.length)).append("|\n");
    }

    static void row(StringBuilder md, Object... cells) {
        md.append(Stream.of(cells).map(String::valueOf).collect(Collectors.joining(" | ", "| ", " |\n")).replace("|  |", "| |"));
    }

    /** A row of wall time and peak RSS, "(one run)" when there was one; nothing when the row was not measured. */
    static void wallRow(StringBuilder md, String name, JsonNode row) {
        if (row.has("median_ms")) {
            row(md, name, wall(row) + (row.path("n").asInt() == 1 ? " (one run)" : ""), mb(row));
        }
    }

    /** "769 ms [730–837]" or "2.22 s [2.11–2.48]": a row's median wall time and its range. */
    static String wall(JsonNode row) {
        double median = row.path("median_ms").asDouble();
        double scale = median >= 1000 ? 1000 : 1;
        String text = String.format(Locale.ROOT, median >= 10_000 ? "%.1f s" : median >= 1000 ? "%.2f s" : "%.0f ms", median / scale);
        return row.path("n").asInt() <= 1 ? text : text + String.format(Locale.ROOT, median >= 1000 ? " [%.2f–%.2f]" : " [%.0f–%.0f]",
                row.path("min_ms").asDouble() / scale, row.path("max_ms").asDouble() / scale);
    }

    static String seconds(JsonNode row) {
        return String.format(Locale.ROOT, "%.2f s", row.path("median_ms").asDouble() / 1000);
    }

    static String ms(double wallMs) {
        return wallMs >= 1000 ? String.format(Locale.ROOT, "%.1f s", wallMs / 1000) : String.format(Locale.ROOT, "%.0f ms", wallMs);
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

    static String busy(JsonNode row) {
        return String.format(Locale.ROOT, "%.0f %%", row.path("cpu_busy_percent").asDouble());
    }
}
