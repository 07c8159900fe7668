import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bus acts only on what it can trust (DESIGN "Trust", docs/security.md), told as an attacker would try it
 * against the GitHub emulator: forged event-log artifacts and records given to replay, a delivered event from
 * mallory or without a sender given to validate and to route alone, hostile values in records and events that
 * try to become workflow commands or hide text, and an event GitHub never delivers however often reconcile
 * sends it again.
 */
class TrustStoriesTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DISPATCHES = "/repos/" + REPO + "/dispatches";
    static final String READY = "{\"pr\":456,\"checks_status\":\"green\"}";
    static final String NOT_A_NUMBER = "{\"pr\":\"abc\",\"checks_status\":\"green\"}";
    static final String BOT = "github-actions[bot]";
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /**
     * Values that try to become workflow commands or hide text (actions/runner ActionCommand.cs reads "::" at a line's
     * start, leading white space aside, and "##[" anywhere in it): a line break and a command, a command at the start,
     * NUL, a right-to-left override, a percent escape written out, a table cell's end, the old command form, an HTML
     * comment and a character entity that would hide what follows.
     */
    static final List<String> HOSTILE = List.of("x\n::add-mask::abc", "::stop-commands::tok", "nul\u0000here", "rtl\u202Eevil",
            "pct%0Aliteral", "pipe|cell", "##[add-mask]abc", " \t::warning::indented", "<!-- hide", "ent&#8238;ity");

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").workspace().summary("summary.md").output("output.txt").run("4242", "1")
            .eventLog("event_log.jsonl");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");
    final Path log = temp.resolve("event_log.jsonl");

    static String id() {
        return UUID.randomUUID().toString();
    }

    static ObjectNode ready(String id, String data) {
        return EventsReplayTest.event("rfc.pr.ready", id, NOW.minusSeconds(600), data);
    }

    static String record(JsonNode event, String status, String sender) {
        return EventsReplayTest.record(event, status, NOW.minusSeconds(590), sender);
    }

    /** The event as GitHub delivers it to the router: the webhook payload, with its sender. */
    Path delivered(String name, JsonNode document, JsonNode sender) throws IOException {
        ObjectNode payload = JSON.createObjectNode().put("action", document.get("event_type").asText());
        payload.set("client_payload", document.get("client_payload"));
        if (sender != null) {
            payload.set("sender", sender);
        }
        return Files.writeString(temp.resolve(name), payload.toString());
    }

    static JsonNode login(String login) {
        return JSON.createObjectNode().put("login", login).put("type", "User");
    }

    List<JsonNode> logged() throws IOException {
        List<JsonNode> records = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    static List<JsonNode> sent() throws IOException {
        List<JsonNode> bodies = new ArrayList<>();
        for (GitHubEmulator.JournalEntry entry : testbed.github().journal("POST", DISPATCHES)) {
            bodies.add(JSON.readTree(entry.requestBody()));
        }
        return bodies;
    }

    // ---- replay: forged artifacts and records ----------------------------------------------------

    @Test
    void replayFromArtifactsSendsOnlyTheRoutersOwnValidRecordAndNamesEachItSkips() throws IOException {
        github.addFork(REPO, "mallory/octo-repo");
        String good = id(), mismatch = id(), other = id(), fromMallory = id(), badSchema = id(), failedInvalid = id(), noSender = id(),
                numberSender = id(), fork = id(), branch = id();
        ObjectNode goodEvent = ready(good, READY);
        ObjectNode numberRecord = (ObjectNode) JSON.readTree(record(ready(numberSender, READY), "failed", BOT));
        numberRecord.put("sender", 42);
        ObjectNode malloryRecord = (ObjectNode) JSON.readTree(record(ready(fromMallory, READY), "rejected", "mallory"));
        malloryRecord.put("error", "/sender/login: 'mallory' may not send events: only github-actions[bot] may (EVENT_BUS_SENDERS) (rule: sender)");
        ObjectNode mismatchRecord = (ObjectNode) JSON.readTree(record(ready(other, READY), "failed", BOT));
        mismatchRecord.put("event_id", mismatch);
        // The router's own log: uploaded by a run on the default branch of the repository itself.
        github.addArtifact(REPO, "event-log-100-1", EventsTest.zip(Map.of("event_log.jsonl", String.join("\n",
                record(goodEvent, "failed", BOT),
                mismatchRecord.toString(),
                malloryRecord.toString(),
                record(ready(badSchema, NOT_A_NUMBER), "rejected", BOT),
                record(ready(failedInvalid, NOT_A_NUMBER), "failed", BOT),
                record(ready(noSender, READY), "failed", null),
                numberRecord.toString()) + "\n")));
        // A fork's pull request and a branch of the repository: both can upload an event-log-* artifact.
        long fromFork = github.addArtifact(REPO, "event-log-666-1", EventsTest.zip(Map.of("event_log.jsonl",
                record(ready(fork, READY), "failed", BOT) + "\n")), "main", "mallory/octo-repo");
        long fromBranch = github.addArtifact(REPO, "event-log-667-1", EventsTest.zip(Map.of("event_log.jsonl",
                record(ready(branch, READY), "failed", BOT) + "\n")), "feature", null);

        InProcess.Run run = EventsReplayTest.replay(testbed.env(), "--from-artifacts", "10", "--status", "failed,rejected");
        assertEquals(0, run.exitCode(), "nothing trusted failed to be sent: " + run);
        assertEquals(List.of(goodEvent), sent(), "only the router's own valid record");
        List<String> lines = run.out().lines().toList();
        assertEquals(7, lines.size(), run.out());
        assertEquals("sent rfc.pr.ready " + good, lines.get(0));
        assertLine(lines, "invalid rfc.pr.ready " + mismatch + ": the record's event_id is not its document's (" + other + ")");
        assertLine(lines, "skipped rfc.pr.ready " + fromMallory + ": it was rejected by the sender rule (sender mallory)");
        assertLine(lines, "invalid rfc.pr.ready " + badSchema + ": /client_payload/data/pr: ");
        assertLine(lines, "invalid rfc.pr.ready " + failedInvalid + ": /client_payload/data/pr: ");
        assertLine(lines, "skipped rfc.pr.ready " + noSender + ": its record names no sender");
        assertLine(lines, "skipped rfc.pr.ready " + numberSender + ": its record's sender is not a login");
        assertFalse(run.out().contains(fork) || run.out().contains(branch), "the forged artifacts' records are not read at all");
        List<String> skippedArtifacts = run.err().lines().filter(l -> l.startsWith("events replay: skipped artifact ")).toList();
        assertEquals(2, skippedArtifacts.size(), run.err());
        assertTrue(skippedArtifacts.stream().anyMatch(l -> l.startsWith("events replay: skipped artifact event-log-666-1 (")
                && l.contains("uploaded by a run whose head is another repository")), run.err());
        assertTrue(skippedArtifacts.stream().anyMatch(l -> l.startsWith("events replay: skipped artifact event-log-667-1 (")
                && l.contains("on the branch 'feature'") && l.contains("not on the default branch main")), run.err());
        assertEquals(1, github.journal("GET", "/repos/" + REPO + "/actions/artifacts/\\d+/zip").size(), "one download: the router's");
        assertTrue(github.journal("GET", "/repos/" + REPO + "/actions/artifacts/(" + fromFork + "|" + fromBranch + ")/zip").isEmpty(),
                "untrusted artifacts are not even downloaded");
        assertTrue(run.err().endsWith("replay: 1 sent, 3 invalid, 3 skipped, 0 failed\n"), run.err());

        // A record with no sender is sent only when a maintainer vouches for it.
        github.clearJournal();
        InProcess.Run vouched = EventsReplayTest.replay(testbed.env(), "--from-artifacts", "10", "--event-id", noSender, "--allow-no-sender");
        assertEquals(0, vouched.exitCode(), vouched.toString());
        assertEquals("sent rfc.pr.ready " + noSender + "\n", vouched.out());
        assertEquals(1, sent().size());
    }

    @Test
    void aRecordFromASenderNotAllowedIsNeverSentAgainWhateverItsLastStatus() throws IOException {
        String fromAlice = id();
        ObjectNode event = ready(fromAlice, READY);
        Path records = Files.writeString(temp.resolve("records.jsonl"), String.join("\n",
                record(event, "failed", "alice"),
                EventsReplayTest.record(event, "failed", NOW.minusSeconds(10), BOT)) + "\n");
        ObjectNode rejected = (ObjectNode) JSON.readTree(record(ready(id(), READY), "rejected", "alice"));
        rejected.put("error", "/sender/login: 'alice' may not send events (rule: sender)");
        Path allowed = Files.writeString(temp.resolve("alice.jsonl"), record(ready(id(), READY), "failed", "alice") + "\n" + rejected + "\n");

        InProcess.Run run = EventsReplayTest.replay(testbed.env(), allowed.toString(), "--status", "failed,rejected");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().lines().allMatch(l -> l.startsWith("skipped rfc.pr.ready ")), run.out());
        assertTrue(run.out().contains(": its sender 'alice' is not one of github-actions[bot] (EVENT_BUS_SENDERS)"), run.out());
        assertTrue(run.out().contains(": it was rejected by the sender rule (sender alice)"), run.out());
        assertTrue(sent().isEmpty());

        // The record holding the document decides: the bot's later record of the same event is sent.
        InProcess.Run later = EventsReplayTest.replay(testbed.env(), records.toString());
        assertEquals("sent rfc.pr.ready " + fromAlice + "\n", later.out(), later.toString());
        // On EVENT_BUS_SENDERS, alice's records are sent like the bot's.
        github.clearJournal();
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_SENDERS", "github-actions[bot], alice");
        InProcess.Run listed = EventsReplayTest.replay(env, allowed.toString(), "--status", "failed");
        assertEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.out().startsWith("sent rfc.pr.ready "), listed.out());
    }

    // ---- senders fail closed: validate, and route alone ------------------------------------------

    @Test
    void aDeliveredEventWithoutASenderOrWithALoginThatIsNoStringIsRejectedByValidate() throws IOException {
        ObjectNode document = ready(id(), READY);
        Path none = delivered("no-sender.json", document, null);
        Path number = delivered("number.json", document, JSON.createObjectNode().put("login", 42));
        Path nullLogin = delivered("null-login.json", document, JSON.createObjectNode().putNull("login"));
        Path notObject = delivered("string-sender.json", document, JSON.getNodeFactory().textNode(BOT));
        for (Map<String, String> senders : List.of(Map.<String, String>of(), Map.of("EVENT_BUS_SENDERS", "*"))) {
            for (Path event : List.of(none, number, nullLogin, notObject)) {
                Map<String, String> env = new HashMap<>(senders);
                env.put("EVENT_LOG", log.toString());
                InProcess.Run run = ValidateTest.validate(env, event.toString());
                assertEquals(2, run.exitCode(), event + " " + senders + ": " + run);
                assertTrue(run.err().contains("(rule: sender)"), run.err());
                assertTrue(run.err().contains("a delivered event whose sender cannot be told may not send events"), run.err());
            }
        }
        assertTrue(ValidateTest.validate(none.toString()).err().startsWith(none + ": /sender: no sender: "));
        assertTrue(ValidateTest.validate(number.toString()).err().startsWith(number + ": /sender/login: sender.login is a number, not a string: "));
        List<JsonNode> records = logged();
        assertEquals(8, records.size());
        for (JsonNode record : records) {
            assertEquals("rejected", record.get("status").asText());
            assertTrue(record.get("error").asText().endsWith("(rule: sender)"), record.toString());
            assertFalse(record.has("sender"), "no login could be told: " + record);
        }
        // The bot's own delivery is valid, and its record would name it.
        assertEquals(0, ValidateTest.validate(delivered("bot.json", document, login(BOT)).toString()).exitCode());
    }

    @Test
    void routeAloneRefusesMallorysEventRecordsItRejectedAndDispatchesNothing() throws IOException {
        for (Map.Entry<String, Map<String, Boolean>> consumer : RouteTest.RFC_WORKFLOWS.entrySet()) {
            github.addWorkflow(REPO, consumer.getKey(), consumer.getValue());
        }
        String eventId = id();
        Path event = delivered("mallory.json", EventsReplayTest.event("rfc.pr.ready", eventId, Instant.now(), READY), login("mallory"));

        InProcess.Run run = RouteTest.route(testbed.env(), "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("", run.out(), "nothing dispatched, nothing to report");
        assertEquals(event + ": route: rfc.pr.ready " + eventId + ": /sender/login: 'mallory' may not send events: only github-actions[bot] may "
                + "(EVENT_BUS_SENDERS); an event sent with a person's token is replayed through the replay workflow instead (rule: sender); "
                + "nothing dispatched\n", run.err());
        assertTrue(github.journal("POST", "/repos/" + REPO + "/actions/workflows/.*").isEmpty(), "no workflow dispatched: " + github.journal());
        assertTrue(github.workflowRuns(REPO).isEmpty());
        List<JsonNode> records = logged();
        assertEquals(1, records.size());
        assertEquals("rejected", records.get(0).get("status").asText());
        assertEquals("mallory", records.get(0).get("sender").asText(), "the record names the sender");
        assertEquals(eventId, records.get(0).get("event_id").asText());
        assertTrue(records.get(0).get("error").asText().endsWith("(rule: sender)"));

        // No sender at all, or a login that is no string: refused the same way.
        for (JsonNode sender : new JsonNode[] {null, JSON.createObjectNode().put("login", 7)}) {
            InProcess.Run refused = RouteTest.route(testbed.env(), "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event",
                    delivered("no-login.json", EventsReplayTest.event("rfc.pr.ready", id(), Instant.now(), READY), sender).toString());
            assertEquals(2, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("(rule: sender)"), refused.err());
        }
        // A dry run refuses too, and logs nothing.
        InProcess.Run dry = RouteTest.route(testbed.env(), "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event.toString(), "--dry-run");
        assertEquals(2, dry.exitCode(), dry.toString());
        assertEquals(3, logged().size());
        assertTrue(github.journal("POST", "/repos/" + REPO + "/actions/workflows/.*").isEmpty());

        // The bot's delivery of the same event is routed.
        InProcess.Run bot = RouteTest.route(testbed.env(), "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event",
                delivered("bot.json", EventsReplayTest.event("rfc.pr.ready", eventId, Instant.now(), READY), login(BOT)).toString());
        assertEquals(0, bot.exitCode(), bot.toString());
        assertEquals(BOT, logged().get(3).get("sender").asText());
        assertEquals("routed", logged().get(3).get("status").asText());
    }

    @Test
    void routePlanAloneRefusesMallorysEventAndWritesNoRoute() throws IOException {
        Path workflows = Files.createDirectories(temp.resolve(".github/workflows"));
        for (String consumer : RouteTest.RFC_WORKFLOWS.keySet()) {
            Files.copy(Scripts.ROOT.resolve("workflows").resolve(consumer), workflows.resolve(consumer));
        }
        Path event = delivered("mallory.json", EventsReplayTest.event("rfc.pr.ready", id(), Instant.now(), READY), login("mallory"));
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        InProcess.Run run = RouteTest.route(env, "--plan", "--routes", RouteTest.EXAMPLE_ROUTES.toString(), "--event", event.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("::error file=" + event + ",title=Sender not allowed::route: rfc.pr.ready "), run.err());
        assertFalse(Files.exists(temp.resolve("output.txt")) && Files.readString(temp.resolve("output.txt")).contains("route-"),
                "no route-N output: the compiled router's jobs call nobody");
        assertEquals("mallory", logged().get(0).get("sender").asText());
        assertTrue(github.journal().isEmpty(), "nothing asked of GitHub: " + github.journal());
    }

    @Test
    void anEventIdThatIsNoIdDoesNotChooseWhereItsRecordIsWrittenInTheHistory() throws IOException {
        ObjectNode event = EventsReplayTest.event("rfc.pr.ready", "../../.github/workflows/x.yml?ref=main#", NOW, READY);
        Path file = Files.writeString(temp.resolve("event.json"), event.toString());
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_HISTORY", "true");
        InProcess.Run run = ValidateTest.validate(env, file.toString());
        assertEquals(2, run.exitCode(), run.toString());
        List<GitHubEmulator.JournalEntry> puts = github.journal("PUT", "/repos/" + REPO + "/contents/.*");
        assertEquals(201, puts.get(puts.size() - 1).status(), "written (after the branch was made): " + puts);
        assertEquals(1, puts.stream().map(GitHubEmulator.JournalEntry::path).distinct().count(), puts.toString());
        assertTrue(puts.get(0).path().matches("/repos/" + REPO + "/contents/events/\\d{4}-\\d{2}-\\d{2}/\\d{9}-rejected-x[0-9a-f]{12}-4242-1\\.json"),
                puts.get(0).path());
        assertEquals("../../.github/workflows/x.yml?ref=main#", RouteHistoryTest.records(github).get(0).get("event_id").asText(),
                "the record keeps the id as it was");
    }

    // ---- output: no value becomes a workflow command or hides text -------------------------------

    @Test
    void hostileRecordsThroughStatsStayOnTheirLineAndInTheirCell() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String value : HOSTILE) {
            lines.add(EventsStatsTest.record(value, "routed", value, NOW.minusSeconds(60), 10).toString());
            lines.add(EventsStatsTest.rejected(value, NOW.minusSeconds(50), "/x: no (rule: " + value.replace(")", "") + ")").toString());
        }
        Path records = Files.writeString(temp.resolve("hostile.jsonl"), String.join("\n", lines) + "\n");
        Map<String, String> env = testbed.env();
        InProcess.Run run = EventsTest.events(env, "stats", records.toString(), "--by", "day");
        assertEquals(0, run.exitCode(), run.toString());
        assertNothingHidden(run.out(), "stats stdout");
        assertNothingHidden(run.err(), "stats stderr");
        String markdown = Files.readString(summary);
        assertNothingHidden(markdown, "stats summary");
        assertTrue(run.out().contains("\\u003A:stop-commands::tok"), "a value at a line's start cannot start a command:\n" + run.out());
        assertTrue(run.out().contains("x%0A::add-mask::abc"), run.out());
        assertTrue(run.out().contains("nul\\u0000here") && run.out().contains("rtl\\u202Eevil"), run.out());
        assertTrue(run.out().contains("pct%250Aliteral"), "a % is escaped, so an escape written out reads as written: " + run.out());
        assertTrue(run.out().contains("##\\u005Badd-mask]abc"), run.out());
        assertTrue(markdown.contains("`pipe\\|cell`") && !markdown.contains("pipe|cell"), markdown);
        assertTrue(markdown.contains("`<!-- hide`") && markdown.contains("`ent&#8238;ity`"), "inside code spans: literal text\n" + markdown);
        // Every row of every table has its header's cells: no value ended a cell early.
        List<String> md = markdown.lines().toList();
        long columns = 0;
        for (int i = 0; i < md.size(); i++) {
            if (i + 1 < md.size() && md.get(i).startsWith("| ") && md.get(i + 1).startsWith("|--")) {
                columns = pipes(md.get(i));
            } else if (md.get(i).startsWith("| ") && !md.get(i).startsWith("|--")) {
                assertEquals(columns, pipes(md.get(i)), "the row keeps its cells: " + md.get(i));
            }
        }

        // With --max-rejected inside Actions the one annotation is the script's own, and --json keeps the values exact.
        env.put("GITHUB_ACTIONS", "true");
        InProcess.Run gate = EventsTest.events(env, "stats", records.toString(), "--max-rejected", "0");
        assertEquals(1, gate.exitCode());
        assertEquals(1, gate.err().lines().filter(l -> l.startsWith("::")).count(), gate.err());
        assertTrue(gate.err().startsWith("::error title=Schema drift::stats: "), gate.err());
        assertNothingHidden(gate.out(), "stats stdout in Actions");
        InProcess.Run json = EventsTest.events(testbed.env(), "stats", records.toString(), "--json");
        assertNothingHidden(json.out(), "stats --json");
        JsonNode report = JSON.readTree(json.out());
        List<String> types = StreamSupport.stream(report.get("event_types").spliterator(), false).map(t -> t.get("event_type").asText()).toList();
        List<String> expected = new ArrayList<>(HOSTILE);
        expected.add("rfc.pr.ready"); // the type of the rejected records
        assertEquals(expected.stream().sorted().toList(), types, "JSON escapes stand for the same characters");
    }

    @Test
    void hostileRecordsThroughReplayAndReconcileAreNamedSafely() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String value : HOSTILE) {
            ObjectNode event = EventsReplayTest.event(value, id(), NOW.minusSeconds(60), READY);
            ObjectNode record = (ObjectNode) JSON.readTree(record(event, "failed", BOT));
            record.put("event_id", value); // an id that is no id: named as it is, safely
            lines.add(record.toString());
        }
        Path records = Files.writeString(temp.resolve("hostile.jsonl"), String.join("\n", lines) + "\n");
        InProcess.Run run = EventsReplayTest.replay(testbed.env(), records.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(HOSTILE.size(), run.out().lines().count(), "one line per record:\n" + run.out());
        assertTrue(run.out().lines().allMatch(l -> l.startsWith("invalid ")), run.out());
        assertNothingHidden(run.out(), "replay stdout");
        assertNothingHidden(run.err(), "replay stderr");
        assertNothingHidden(Files.readString(summary), "replay summary");
        assertTrue(sent().isEmpty());

        // reconcile on the same values, emitted and never received
        List<ObjectNode> emitted = new ArrayList<>();
        for (String value : HOSTILE) {
            emitted.add(EventsReconcileTest.record(EventsReplayTest.event(value, id(), NOW.minus(Duration.ofHours(1)), READY), "emitted",
                    NOW.minus(Duration.ofHours(1))));
        }
        RouteHistoryTest.append(github, emitted);
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        InProcess.Run reconcile = EventsReconcileTest.reconcile(env);
        assertEquals(0, reconcile.exitCode(), reconcile.toString());
        assertEquals(HOSTILE.size(), reconcile.out().lines().filter(l -> l.startsWith("invalid ")).count(), reconcile.out());
        assertNothingHidden(reconcile.out(), "reconcile stdout");
        assertNothingHidden(reconcile.err(), "reconcile stderr");
        assertTrue(sent().isEmpty());
    }

    @Test
    void hostileValuesInValidatesMessagesStayInsideTheirAnnotation() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String value : HOSTILE) {
            ObjectNode event = EventsReplayTest.event(value, id(), NOW, READY);
            ((ObjectNode) event.at("/client_payload/data")).put(value, 1); // a key of the event in the JSON pointer
            lines.add(event.toString());
        }
        Path events = Files.writeString(temp.resolve("hostile.jsonl"), String.join("\n", lines) + "\n");
        Map<String, String> env = new HashMap<>(Map.of("GITHUB_ACTIONS", "true", "GITHUB_STEP_SUMMARY", summary.toString()));
        InProcess.Run run = ValidateTest.validate(env, events.toString());
        assertEquals(2, run.exitCode(), run.toString());
        for (String line : run.err().lines().toList()) {
            assertTrue(line.startsWith("::error file=" + events + ",line=") || !stripped(line).startsWith("::"), "only validate's own annotations: " + line);
        }
        assertNothingHidden(run.err(), "validate stderr", "::error file=" + events + ",line=");
        assertNothingHidden(Files.readString(summary), "validate summary");
        assertTrue(run.err().contains("'x%250A::add-mask::abc' is not a dotted lowercase name"),
                "the value's line break stays escaped inside the annotation (%0A, shown as such): " + run.err());
        // Outside Actions: one line per violation, the value's line break shown as %0A.
        InProcess.Run plain = ValidateTest.validate(events.toString());
        assertNothingHidden(plain.err(), "validate stderr outside Actions");
        assertTrue(plain.err().contains("'x%0A::add-mask::abc' is not a dotted lowercase name"), plain.err());
        InProcess.Run json = ValidateTest.validate(Map.of(), events.toString(), "--json");
        assertNothingHidden(json.out(), "validate --json");
        assertEquals(HOSTILE.get(0), JSON.readTree(json.out()).at("/results/0/event_type").asText());
    }

    /** The cell separators of a table row: its pipes but those escaped (\\|). */
    static long pipes(String row) {
        return row.replace("\\|", "").chars().filter(c -> c == '|').count();
    }

    /** No line (leading white space aside, as the runner trims it) starts with "::", none holds "##[", no hidden character. */
    static void assertNothingHidden(String text, String where) {
        assertNothingHidden(text, where, null);
    }

    /** The same, but for the script's own annotations: lines that start with ours. */
    static void assertNothingHidden(String text, String where, String ours) {
        assertFalse(text.contains("##["), where + ": the old command form:\n" + text);
        for (String line : text.split("\n", -1)) {
            assertFalse(stripped(line).startsWith("::") && (ours == null || !line.startsWith(ours)), where + ": a line that is a workflow command: " + line);
        }
        text.codePoints().forEach(c -> {
            int type = Character.getType(c);
            assertFalse(c != '\n' && (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE),
                    where + ": hidden character U+" + Integer.toHexString(c) + " in:\n" + text);
        });
    }

    /** The line as the runner sees it: .NET's TrimStart() drops every Unicode white space. */
    static String stripped(String line) {
        int i = 0;
        while (i < line.length() && (Character.isWhitespace(line.charAt(i)) || Character.isSpaceChar(line.charAt(i)))) {
            i++;
        }
        return line.substring(i);
    }

    static void assertLine(List<String> lines, String start) {
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(start)), "a line starting with " + start + " in:\n" + String.join("\n", lines));
    }

    // ---- reconcile's memory ----------------------------------------------------------------------

    @Test
    void reconcileSendsAnUndeliveredEventAtMostOncePerGraceThreeTimesThenCallsItUndeliverable() throws IOException {
        Instant hourAgo = Instant.now().minus(1, ChronoUnit.HOURS);
        String lost = id();
        ObjectNode event = EventsReplayTest.event("rfc.pr.ready", lost, hourAgo, READY);
        RouteHistoryTest.append(github, List.of(EventsReconcileTest.record(event, "emitted", hourAgo)));
        // GitHub takes every replay and starts no router for any of them.
        Map<String, String> env = testbed.env();
        env.remove("EVENT_LOG");

        for (int replay = 1; replay <= events.MAX_RECONCILED; replay++) {
            github.clearJournal();
            InProcess.Run run = EventsReconcileTest.reconcile(env);
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals("replayed rfc.pr.ready " + lost + "\n", run.out(), "replay " + replay);
            assertEquals(1, sent().size());

            // Again within the grace: the replay may still be on its way, so nothing is sent.
            github.clearJournal();
            InProcess.Run again = EventsReconcileTest.reconcile(env);
            assertEquals(0, again.exitCode(), again.toString());
            assertEquals("", again.out());
            assertTrue(again.err().contains("; 1 replayed within the grace left for a later run"), again.err());
            assertTrue(sent().isEmpty(), "never twice within a grace");
            github.advanceClock(Duration.ofMinutes(16));
        }
        List<JsonNode> reconciled = RouteHistoryTest.records(github).stream().filter(r -> r.get("status").asText().equals("reconciled")).toList();
        assertEquals(events.MAX_RECONCILED, reconciled.size(), "one reconciled record per replay, in the history");
        assertEquals(List.of(1, 2, 3), reconciled.stream().map(r -> r.get("resent").asInt()).sorted().toList());
        assertTrue(reconciled.stream().allMatch(r -> r.get("event_id").asText().equals(lost) && r.get("event").equals(event)));

        github.clearJournal();
        env.put("GITHUB_ACTIONS", "true");
        InProcess.Run given = EventsReconcileTest.reconcile(env);
        assertEquals(1, given.exitCode(), "undeliverable fails the scheduled run: " + given);
        assertTrue(given.out().startsWith("undeliverable rfc.pr.ready " + lost + ": replayed 3 times, the last at "), given.out());
        assertTrue(given.err().startsWith("::error title=Undeliverable events::reconcile: 0 replayed, 0 failed, 1 undeliverable, of 1 event"),
                given.err());
        assertTrue(sent().isEmpty(), "not sent a fourth time");
        assertEquals(1, github.journal().size(), "the history read, nothing written: " + github.journal());
        github.advanceClock(Duration.ofMinutes(16));
        assertEquals(1, EventsReconcileTest.reconcile(env).exitCode(), "and it stays undeliverable while in the window");

        // The weekly report names it.
        InProcess.Run stats = EventsTest.events(testbed.env(), "stats", "--history", "--since", "7d", "--json");
        JsonNode report = JSON.readTree(stats.out());
        assertEquals(1, report.at("/undeliverable/total").asInt(), report.toPrettyString());
        assertEquals(lost, report.at("/undeliverable/events/0/event_id").asText());
        assertEquals(3, report.at("/undeliverable/events/0/resent").asInt());
        InProcess.Run table = EventsTest.events(testbed.env(), "stats", "--history", "--since", "7d");
        assertTrue(table.out().contains("undeliverable: 1 event reconcile sent again 3 times that no router received\n"), table.out());
        assertTrue(Files.readString(summary).contains("#### Undeliverable"), Files.readString(summary));

        // Once a router records it (a late delivery after all), it is neither undeliverable nor sent again.
        RouteHistoryTest.append(github, List.of(EventsReconcileTest.record(event, "routed", Instant.now().plus(Duration.ofMinutes(70)))));
        InProcess.Run received = EventsReconcileTest.reconcile(env);
        assertEquals(0, received.exitCode(), received.toString());
        assertEquals("", received.out());
        assertEquals(0, JSON.readTree(EventsTest.events(testbed.env(), "stats", "--history", "--since", "7d", "--json").out())
                .at("/undeliverable/total").asInt());
    }
}
