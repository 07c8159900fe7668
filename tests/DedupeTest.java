import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** dedupe.java in-process against the emulator: the protocol, the comment format, the edge cases. */
class DedupeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String MALLORY_TOKEN = "ghp_mallory000000000000000000000000000";
    static final String ALICE_TOKEN = "ghp_alice00000000000000000000000000000";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().output("output.txt");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    @BeforeEach
    void resetEmulator() {
        github.addUser(MALLORY_TOKEN, "mallory", false);
    }

    static InProcess.Run dedupe(Map<String, String> env, String... args) {
        return dedupe(env, Duration.ofSeconds(90), args);
    }

    static InProcess.Run dedupe(Map<String, String> env, Duration lease, String... args) {
        dedupe command = new dedupe();
        command.env = env;
        command.lease = lease;
        return InProcess.run(dedupe.newCommandLine(command), args);
    }

    /** A random id whose claim lives in the given state comment, so that tests of one comment stay in one. */
    static String id(int shard) {
        return idInShard(shard).toString();
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    // ---- GitHub as other people see it -------------------------------------------------------

    /** A REST call as token; fails the test on an error status. */
    static JsonNode api(GitHubEmulator github, String token, String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(github.url() + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/vnd.github+json")
                    .header("User-Agent", "dedupe-test")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() < 400, method + " " + path + ": " + response.statusCode() + " " + response.body());
            return response.body().isEmpty() ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** An unlocked issue with no label: a state issue given with --state-issue. */
    static int openIssue(GitHubEmulator github, String title) {
        return api(github, GitHubEmulator.DEFAULT_TOKEN, "POST", "/repos/" + REPO + "/issues", "{\"title\":\"" + title + "\"}").get("number").asInt();
    }

    static long comment(GitHubEmulator github, String token, int issue, String body) {
        ObjectNode json = JSON.createObjectNode().put("body", body);
        return api(github, token, "POST", "/repos/" + REPO + "/issues/" + issue + "/comments", json.toString()).get("id").asLong();
    }

    static List<String> commentBodies(GitHubEmulator github, int issue) {
        return github.comments(REPO, issue).stream().map(c -> (String) c.get("body")).toList();
    }

    static int stateIssue() {
        List<Map<String, Object>> issues = testbed.github().issues(REPO);
        assertEquals(1, issues.size(), "one state issue");
        return ((Number) issues.get(0).get("number")).intValue();
    }

    /** The ids in every state comment of the issue (one comment per shard). */
    static List<UUID> storedIds(int issue) {
        return commentBodies(testbed.github(), issue).stream().map(dedupe.State::parse).filter(p -> p.state() != null)
                .flatMap(p -> ids(p.state()).stream()).toList();
    }

    static dedupe.State stateOf(String body) {
        dedupe.Parsed parsed = dedupe.State.parse(body);
        assertNull(parsed.error(), body);
        return parsed.state();
    }

    static List<UUID> ids(dedupe.State state) {
        return state.entries().stream().map(dedupe.Entry::id).toList();
    }

    /** Requests the rate limit counts: everything but 304 Not Modified. */
    static long counted(List<GitHubEmulator.JournalEntry> journal) {
        return journal.stream().filter(e -> e.status() != 304).count();
    }

    static String describe(List<GitHubEmulator.JournalEntry> journal) {
        return journal.stream().map(e -> e.method() + " " + e.path().replace("/repos/" + REPO, "") + " " + e.status())
                .collect(Collectors.joining(", "));
    }

    // ---- ids --------------------------------------------------------------------------------

    @Test
    void keyIsTheSameVersion5IdAsEmitDedupeKey() {
        UUID expected = UUID.fromString("6d4e1a17-033d-592c-a474-72812bbac899"); // Python: uuid.uuid5(ns, "issue-123-assigned")
        assertEquals(expected, dedupe.nameBasedUuid(dedupe.DEDUPE_KEY_NAMESPACE, "issue-123-assigned"));
        assertEquals(emit.nameBasedUuid(emit.DEDUPE_KEY_NAMESPACE, "pr-456-ready"), dedupe.nameBasedUuid(dedupe.DEDUPE_KEY_NAMESPACE, "pr-456-ready"));

        // A cron path claims the natural key; the event emitted with --dedupe-key for it is then a duplicate.
        assertEquals("new", dedupe(testbed.env(), "claim", "--key", "issue-123-assigned").verdict());
        assertEquals("duplicate", dedupe(testbed.env(), "claim", expected.toString()).verdict());
        assertEquals("duplicate", dedupe(testbed.env(), "check", "--key", "issue-123-assigned").verdict());
    }

    /**
     * DESIGN "Event history": an item whose event was routed is never new for a cron path's claim --key, however long
     * ago, although the router's claim has expired. The history answers, and nothing is written: not the store, not
     * a record. The history is read only when no live claim holds the key: one more request (its zipball).
     */
    @Test
    void aKeyWhoseEventWasRoutedIsADuplicateAfterItsClaimExpiredAndNothingIsWritten() throws IOException {
        String key = "rfc.issue.assigned/91";
        UUID eventId = dedupe.nameBasedUuid(dedupe.DEDUPE_KEY_NAMESPACE, key);
        // The router: it claimed the event's id and routed it, with EVENT_BUS_HISTORY=true.
        assertEquals("new", dedupe(testbed.env(), "claim", eventId.toString(), "--ttl", "24h").verdict());
        ObjectNode routed = CronCaughtTest.recordOf(key, "routed", Instant.now());
        RouteHistoryTest.append(github, List.of(routed));
        Map<String, String> logged = testbed.env();
        logged.put("EVENT_LOG", temp.resolve("events.jsonl").toString());
        assertEquals("duplicate", dedupe(logged, "claim", "--key", key, "--ttl", "24h").verdict(), "within the TTL: the live claim answers");
        assertFalse(Files.exists(temp.resolve("events.jsonl")), "a --key duplicate is no event's fate: no record");

        github.advanceClock(Duration.ofHours(25));
        assertEquals("new", dedupe(testbed.env(), "check", "--key", key).verdict(), "the claim has expired: the store alone says new");
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_HISTORY", "true");
        env.put("EVENT_LOG", temp.resolve("events.jsonl").toString());
        Files.deleteIfExists(temp.resolve("output.txt"));
        int records = RouteHistoryTest.records(github).size();
        List<Map<String, Object>> comments = github.comments(REPO, 1);
        github.clearJournal();
        InProcess.Run sweep = dedupe(env, "claim", "--key", key, "--ttl", "24h", "--verbose");
        assertEquals(0, sweep.exitCode(), sweep.toString());
        assertEquals("duplicate", sweep.verdict(), sweep.toString());
        assertEquals("claim=duplicate\nduplicate=true\n", Files.readString(temp.resolve("output.txt")));
        assertTrue(sweep.err().contains("dedupe: key '" + key + "' (" + eventId + ") is a duplicate: handled by an event (routed at "
                + Instant.parse(routed.get("received_at").asText()) + ", in the event history; read with 1 API request and an archive of "),
                sweep.err());
        assertTrue(sweep.err().contains("); no live claim, nothing written\n"), sweep.err());
        List<GitHubEmulator.JournalEntry> journal = github.journal();
        System.out.println("claim --key of an item an event handled, its claim expired: " + describe(journal));
        assertEquals(List.of(), journal.stream().filter(e -> !e.method().equals("GET")).toList(), "nothing written: " + describe(journal));
        assertEquals(1, journal.stream().filter(e -> e.path().endsWith("/zipball/event-bus-history")).count(), describe(journal));
        assertEquals(3, counted(journal), "the store's read (its refs, its comment) and the history's: " + describe(journal));
        assertEquals(comments, github.comments(REPO, 1), "the store is as it was");
        assertEquals(records, RouteHistoryTest.records(github).size(), "no record appended to the history");
        assertFalse(Files.exists(temp.resolve("events.jsonl")), "nor to the event log");

        // A consumer's outcome (status acted) says so too; a key no event handled is new, and cron-caught.
        String acted = "rfc.issue.assigned/92";
        RouteHistoryTest.append(github, List.of(EventsOutcomesTest.acted(dedupe.nameBasedUuid(dedupe.DEDUPE_KEY_NAMESPACE, acted).toString(),
                null, "monitor-started", Instant.now().minus(Duration.ofDays(200)))));
        InProcess.Run actedOn = dedupe(testbed.env(), "claim", "--key", acted);
        assertEquals("duplicate", actedOn.verdict(), actedOn.toString());
        assertTrue(actedOn.err().contains("handled by an event (acted monitor-started at "), actedOn.err());
        github.clearJournal();
        InProcess.Run fresh = dedupe(env, "claim", "--key", "rfc.issue.assigned/93", "--ttl", "24h");
        assertEquals("new", fresh.verdict(), fresh.toString());
        assertTrue(fresh.err().contains("; no event handled it (the event history holds no routed or acted record of its id; read with 1 API "
                + "request and an archive of "), fresh.err());
        System.out.println("claim --key of an item no event handled: " + describe(github.journal()));
        assertEquals(1, github.journal().stream().filter(e -> e.path().endsWith("/zipball/event-bus-history")).count());
        assertEquals(List.of("cron-caught"), RouteHistoryTest.records(github).stream().map(r -> r.path("status").asText())
                .filter(s -> s.equals("cron-caught")).toList());
        // An event id claim is the router's: the history is not read for it.
        github.clearJournal();
        assertEquals("new", dedupe(testbed.env(), "claim", eventId.toString()).verdict(), "an expired event id claim is new again, as before");
        assertEquals(0, github.journal().stream().filter(e -> e.path().contains("zipball")).count(), describe(github.journal()));
    }

    @Test
    void withoutAHistoryBranchNoEventHandledTheKey() {
        github.clearJournal();
        InProcess.Run claim = dedupe(testbed.env(), "claim", "--key", "rfc.issue.assigned/7");
        assertEquals("new", claim.verdict(), claim.toString());
        assertTrue(claim.err().contains("; no event handled it (the event history holds no routed or acted record of its id; no history "
                + "branch yet (1 API request))"), claim.err());
        assertEquals(1, github.journal().stream().filter(e -> e.path().endsWith("/zipball/event-bus-history") && e.status() == 404).count(),
                describe(github.journal()));
    }

    // ---- claims -----------------------------------------------------------------------------

    @Test
    void firstClaimOpensALockedLabelledStateIssueAndARepeatIsADuplicate() throws IOException {
        String eventId = id();
        InProcess.Run first = dedupe(testbed.env(), "claim", eventId);
        assertEquals(0, first.exitCode(), first.err());
        assertEquals("new", first.verdict());
        assertTrue(first.err().contains("opened state issue #1 (locked, labelled event-bus-state; the store is found by its ref "
                + "refs/event-bus/dedupe/1/store)"), first.err());
        assertTrue(github.refs(REPO).contains("refs/event-bus/dedupe/1/store"), "the ref that makes #1 the store");

        Map<String, Object> issue = github.issues(REPO).get(0);
        assertEquals(true, issue.get("locked"));
        assertEquals("event-bus-state", JSON.valueToTree(issue.get("labels")).get(0).get("name").asText());
        List<Map<String, Object>> comments = github.comments(REPO, 1);
        assertEquals(1, comments.size());
        assertEquals("github-actions[bot]", JSON.valueToTree(comments.get(0).get("user")).get("login").asText());
        String body = (String) comments.get(0).get("body");
        assertTrue(body.startsWith(dedupe.MARKER + "\n"), body);
        assertTrue(body.contains("**Do not edit:**") && body.contains("**1 entry**: oldest claimed "), body);
        assertEquals(List.of(UUID.fromString(eventId)), ids(stateOf(body)));

        InProcess.Run second = dedupe(testbed.env(), "claim", eventId);
        assertEquals(0, second.exitCode(), second.err());
        assertEquals("duplicate", second.verdict());
        assertTrue(second.err().contains(eventId + " is a duplicate: claimed at "), second.err());
        assertEquals("claim=new\nduplicate=false\nclaim=duplicate\nduplicate=true\n", Files.readString(temp.resolve("output.txt")));
        assertEquals(1, github.issues(REPO).size());
        assertEquals(1, github.comments(REPO, 1).size(), "the comment is edited, never added to");
    }

    @Test
    void anUncontendedClaimCostsTwoRequestsPlusTheTicketAndADuplicateOne() {
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_STATE_ISSUE", "1");
        assertEquals("new", dedupe(testbed.env(), "claim", id(2)).verdict()); // opens the state issue and comment
        github.clearJournal();

        InProcess.Run claim = dedupe(env, "claim", id(2), "--verbose");
        assertEquals("new", claim.verdict(), claim.err());
        List<GitHubEmulator.JournalEntry> journal = github.journal();
        System.out.println("uncontended new claim: " + describe(journal));
        assertEquals(List.of("GET", "POST", "GET", "DELETE", "PATCH"), journal.stream().map(GitHubEmulator.JournalEntry::method).toList());
        assertEquals(304, journal.get(2).status(), "the holder's re-read is conditional and free");
        assertEquals(4, counted(journal), "read + write, plus the ticket (create, and delete the previous one)");
        assertEquals(2, journal.stream().filter(e -> !e.path().contains("/git/refs") && e.status() != 304).count());
        assertTrue(claim.err().contains("dedupe: 5 API requests, 1 of them answered 304 Not Modified"), claim.err());

        github.clearJournal();
        String eventId = id(2);
        assertEquals("new", dedupe(env, "claim", eventId).verdict());
        github.clearJournal();
        assertEquals("duplicate", dedupe(env, "claim", eventId).verdict());
        System.out.println("duplicate claim: " + describe(github.journal()));
        assertEquals(1, github.journal().size(), "a duplicate costs one read");

        // Without the state issue's number, finding it costs one more request: listing the refs that name it.
        github.clearJournal();
        assertEquals("new", dedupe(testbed.env(), "claim", id(2)).verdict());
        assertEquals(5, counted(github.journal()), describe(github.journal()));

        // A shard's first comment: the refs are listed (they must not prove a comment of it was deleted), the
        // comment is created instead of edited, and its own ref written.
        github.clearJournal();
        assertEquals("new", dedupe(env, "claim", id(5)).verdict());
        System.out.println("first claim in a shard without a comment: " + describe(github.journal()));
        assertEquals(List.of("GET", "GET", "POST", "GET", "POST", "POST"), github.journal().stream().map(GitHubEmulator.JournalEntry::method).toList());
        assertEquals(5, counted(github.journal()), describe(github.journal()));
        github.clearJournal();
        assertEquals("new", dedupe(testbed.env(), "claim", id(4)).verdict());
        assertEquals(5, counted(github.journal()), "the same without the number: the refs were listed anyway: " + describe(github.journal()));
    }

    @Test
    void atRestOneTicketRefIsLeftAndEachWriteDeletesThePreviousOne() {
        for (int i = 0; i < 3; i++) {
            assertEquals("new", dedupe(testbed.env(), "claim", id(4)).verdict());
        }
        Set<String> refs = github.refs(REPO).stream().filter(r -> r.startsWith("refs/event-bus/")).collect(Collectors.toSet());
        long commentId = ((Number) github.comments(REPO, 1).get(0).get("id")).longValue();
        List<String> tickets = stateOf(commentBodies(github, 1).get(0)).tickets();
        assertEquals(1, tickets.size(), tickets.toString());
        assertTrue(tickets.get(0).matches("refs/event-bus/dedupe/1/" + commentId + "-2-[0-9a-z]+"), "the ticket of the last write "
                + "(version 2 -> 3), named by the comment, its version and GitHub's updated_at: " + tickets);
        // Besides it, the refs that say where the store is: the issue's, and the comment's (with its shard).
        assertEquals(Set.of("refs/event-bus/dedupe/1/store", "refs/event-bus/dedupe/1/shard-4-" + commentId, tickets.get(0)), refs);
    }

    /** The write ticket the next write of the issue's first state comment takes: its id, version and updated_at. */
    static String nextTicket(int issue) {
        Map<String, Object> comment = testbed.github().comments(REPO, issue).get(0);
        long updated = Instant.parse((String) comment.get("updated_at")).getEpochSecond();
        return "refs/event-bus/dedupe/" + issue + "/" + comment.get("id") + "-" + stateOf((String) comment.get("body")).version() + "-"
                + Long.toString(updated, 36);
    }

    @Test
    void checkIsReadOnlyAndOpensNothing() throws IOException {
        String eventId = id();
        InProcess.Run check = dedupe(testbed.env(), "check", eventId);
        assertEquals(0, check.exitCode(), check.err());
        assertEquals("new", check.verdict());
        assertTrue(github.issues(REPO).isEmpty());
        assertTrue(github.journal().stream().allMatch(e -> e.method().equals("GET")), describe(github.journal()));

        dedupe(testbed.env(), "claim", eventId);
        github.clearJournal();
        assertEquals("duplicate", dedupe(testbed.env(), "check", eventId).verdict());
        assertTrue(github.journal().stream().allMatch(e -> e.method().equals("GET")), describe(github.journal()));
        assertTrue(Files.readString(temp.resolve("output.txt")).endsWith("duplicate=true\n"));
    }

    @Test
    void showPrintsATableOrJsonWithTheRequestCount() throws IOException {
        String a = id(6);
        String b = id(6);
        dedupe(testbed.env(), "claim", a);
        dedupe(testbed.env(), "claim", b, "--ttl", "2h");

        InProcess.Run table = dedupe(testbed.env(), "show");
        assertEquals(0, table.exitCode(), table.err());
        List<String> lines = table.out().lines().toList();
        assertEquals("EVENT ID                              CLAIMED AT            EXPIRES", lines.get(0));
        assertEquals(3, lines.size(), table.out());
        assertTrue(lines.get(1).startsWith(a + "  "), "soonest expiry first: " + table.out());
        assertTrue(lines.get(2).startsWith(b + "  "), table.out());
        assertTrue(table.err().contains("state issue #1, 1 of 8 state comments: 2 live entries"), table.err());

        JsonNode json = JSON.readTree(dedupe(testbed.env(), "show", "--json").out());
        assertEquals(REPO, json.get("repository").asText());
        assertEquals(1, json.get("state_issue").asInt());
        assertEquals(2, json.at("/state_comments/0/version").asInt());
        assertEquals(6, json.at("/state_comments/0/shard").asInt());
        assertEquals(2, json.get("live").asInt());
        assertEquals(b, json.at("/entries/1/event_id").asText());
        Instant claimed = Instant.parse(json.at("/entries/1/claimed_at").asText());
        assertEquals(Duration.ofHours(2), Duration.between(claimed, Instant.parse(json.at("/entries/1/expires_at").asText())));
        assertEquals(2, json.at("/api_requests/total").asInt(), "list the state issue, read its comments");
        assertEquals(0, json.at("/api_requests/not_modified").asInt());
    }

    @Test
    void claimsExpireAfterTheirTtlAndPruneDropsThem() throws Exception {
        String shortLived = id(1);
        String longLived = id(1);
        assertEquals("new", dedupe(testbed.env(), "claim", shortLived, "--ttl", "90s").verdict());
        assertEquals("new", dedupe(testbed.env(), "claim", longLived).verdict());
        assertEquals("duplicate", dedupe(testbed.env(), "check", shortLived).verdict());
        github.advanceClock(Duration.ofSeconds(89));
        assertEquals("duplicate", dedupe(testbed.env(), "check", shortLived).verdict(), "a claim holds for at least its TTL, on GitHub's clock");
        github.advanceClock(Duration.ofSeconds(2));
        assertEquals("new", dedupe(testbed.env(), "check", shortLived).verdict());

        github.clearJournal();
        InProcess.Run prune = dedupe(testbed.env(), "prune");
        assertEquals(0, prune.exitCode(), prune.err());
        assertTrue(prune.err().contains("dropped 1 expired entry; 1 live entry remains"), prune.err());
        assertEquals(List.of(UUID.fromString(longLived)), ids(stateOf(commentBodies(github, 1).get(0))));

        github.clearJournal();
        InProcess.Run again = dedupe(testbed.env(), "prune");
        assertTrue(again.err().contains("dropped 0 expired entries; 1 live entry remains"), again.err());
        assertTrue(github.journal().stream().allMatch(e -> e.method().equals("GET")), "nothing expired: nothing written");

        assertEquals("new", dedupe(testbed.env(), "claim", shortLived, "--ttl", "90s").verdict(), "expired: claimable again");
    }

    @Test
    void pruneDryRunWritesNothing() throws Exception {
        dedupe(testbed.env(), "claim", id(), "--ttl", "1s");
        github.advanceClock(Duration.ofSeconds(3));
        github.clearJournal();
        InProcess.Run dryRun = dedupe(testbed.env(), "prune", "--dry-run");
        assertTrue(dryRun.err().contains("1 expired entry to drop (dry run)"), dryRun.err());
        assertTrue(github.journal().stream().allMatch(e -> e.method().equals("GET")));
    }

    @Test
    void concurrentClaimsOfOneIdGiveExactlyOneNewAndOfManyIdsLoseNone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            String eventId = id();
            List<Future<InProcess.Run>> same = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                same.add(pool.submit(() -> dedupe(testbed.env(), "claim", eventId)));
            }
            List<String> verdicts = new ArrayList<>();
            for (Future<InProcess.Run> run : same) {
                assertEquals(0, run.get().exitCode(), run.get().err());
                verdicts.add(run.get().verdict());
            }
            assertEquals(1, verdicts.stream().filter("new"::equals).count(), verdicts.toString());
            assertEquals(1, github.issues(REPO).size(), "one state issue although eight runs found none");
            assertEquals(1, github.comments(REPO, 1).size(), "one state comment (of the id's shard)");

            github.clearJournal();
            List<String> twenty = IntStream.range(0, 20).mapToObj(i -> id()).toList();
            List<Future<InProcess.Run>> many = twenty.stream().map(e -> pool.submit(() -> dedupe(testbed.env(), "claim", e))).toList();
            for (Future<InProcess.Run> run : many) {
                assertEquals("new", run.get().verdict(), run.get().err());
            }
            List<UUID> stored = storedIds(1);
            for (String e : twenty) {
                assertTrue(stored.contains(UUID.fromString(e)), e + " is missing from the store");
            }
            assertEquals(21, stored.size());
            System.out.println("20 concurrent claims of 20 ids: " + counted(github.journal()) + " counted requests in all: "
                    + github.journal().stream().collect(Collectors.groupingBy(e -> e.method() + " " + e.status(), java.util.TreeMap::new, Collectors.counting())));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- the state comment: trust, corruption, capacity --------------------------------------

    @Test
    void aMarkerCommentByAnUntrustedAuthorIsIgnored() {
        String eventId = id();
        int issue = openIssue(github, "state");
        dedupe.State forged = new dedupe.State(dedupe.shardOf(UUID.fromString(eventId)), 1,
                List.of(new dedupe.Entry(UUID.fromString(eventId), Instant.now().getEpochSecond() + 3600, 3600)),
                List.of(), List.of(), null);
        comment(github, MALLORY_TOKEN, issue, forged.render(null, Instant.now()).text());

        InProcess.Run claim = dedupe(testbed.env(), "claim", eventId, "--state-issue", String.valueOf(issue));
        assertEquals("new", claim.verdict(), "mallory's comment must not silence the event");
        assertTrue(claim.err().contains("by mallory: it carries the state marker, but mallory is not a trusted author"), claim.err());
        assertEquals(2, github.comments(REPO, issue).size(), "the bot's own state comment is added");

        // Trusting mallory explicitly changes that.
        InProcess.Run trusting = dedupe(testbed.env(), "check", id(), "--state-issue", String.valueOf(issue), "--trusted-author", "mallory");
        assertEquals(0, trusting.exitCode(), trusting.err());
    }

    @Test
    void anUnparsableTrustedCommentIsReportedKeptAndReplacedCarryingWhatStillReads() {
        String kept = id(3);
        String lost = id(3);
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        dedupe(env, "claim", kept);
        dedupe(env, "claim", lost);
        long original = ((Number) github.comments(REPO, 1).get(0).get("id")).longValue();
        // A person edits the comment: one entry line damaged, a note added inside the block.
        String body = commentBodies(github, 1).get(0);
        String damaged = body.replace(dedupe.compact(UUID.fromString(lost)), "not an id").replace("```\n", "edited by hand\n```\n");
        api(github, GitHubEmulator.DEFAULT_TOKEN, "PATCH", "/repos/" + REPO + "/issues/comments/" + original, JSON.createObjectNode().put("body", damaged).toString());

        assertEquals("duplicate", dedupe(env, "claim", kept).verdict(), "what still reads counts before the replacement too");
        String fresh = id(3);
        InProcess.Run claim = dedupe(env, "claim", fresh);
        assertEquals(0, claim.exitCode(), claim.err());
        assertEquals("new", claim.verdict());
        assertTrue(claim.err().contains("::warning title=dedupe%3A state comment set aside::state comment http"), claim.err());
        assertTrue(claim.err().contains("no longer parses (line ") && claim.err().contains("is neither a setting nor an entry"), claim.err());
        assertTrue(claim.err().contains("a new state comment replaces it, carrying the 1 entries that could still be read"), claim.err());

        List<String> bodies = commentBodies(github, 1);
        assertEquals(2, bodies.size(), "the damaged comment is kept");
        assertEquals(damaged, bodies.get(0));
        dedupe.State replacement = stateOf(bodies.get(1));
        assertEquals(List.of(original), replacement.replaced());
        assertTrue(ids(replacement).containsAll(List.of(UUID.fromString(kept), UUID.fromString(fresh))));
        assertEquals("duplicate", dedupe(env, "check", kept).verdict(), "what still parsed is not processed again");

        // Reported once: the next run uses the replacement quietly.
        InProcess.Run next = dedupe(env, "claim", id(3));
        assertFalse(next.err().contains("::warning"), next.err());
    }

    /** An id whose claim lives in the given state comment. */
    static UUID idInShard(int shard) {
        while (true) {
            UUID id = UUID.randomUUID();
            if (dedupe.shardOf(id) == shard) {
                return id;
            }
        }
    }

    /** What the router writes: a day's TTL and the holding run, whose ids are 11 digits on github.com today. */
    static List<dedupe.Entry> routerClaims(int shard, int count, long firstExpiry) {
        List<dedupe.Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(new dedupe.Entry(idInShard(shard), firstExpiry + i, 86_400, new dedupe.Holder(19_800_000_000L + i, 1), false, List.of()));
        }
        return entries;
    }

    @Test
    void theStoreHoldsADayOfEventsAtTheTokensRateLimitWithoutEvicting() {
        // A GITHUB_TOKEN's 1,000 requests an hour carry about 170 events an hour through the router, each held 24 h.
        int perDay = 170 * 24;
        dedupe.Rendered full = new dedupe.State(0, 1, routerClaims(0, 3_000, Instant.now().getEpochSecond() + 600), List.of(), List.of(), null)
                .render(null, Instant.now());
        int perComment = 3_000 - full.evicted().size();
        System.out.println("router claims (24 h TTL, holder) per state comment: " + perComment + "; in the store's " + dedupe.SHARDS
                + " comments: " + perComment * dedupe.SHARDS + "; a day at 170 events/h: " + perDay);
        assertTrue(perComment * dedupe.SHARDS >= 2 * perDay, "room for a day twice over, since ids spread unevenly: " + perComment);
        assertTrue(perComment >= 1_500, "2,000 entries at least before a second comment is needed: " + perComment);
        // The fullest of 8 shards after a day of 4,080 random ids stays far below one comment's capacity.
        int[] perShard = new int[dedupe.SHARDS];
        for (int i = 0; i < perDay; i++) {
            perShard[dedupe.shardOf(UUID.randomUUID())]++;
        }
        assertTrue(java.util.Arrays.stream(perShard).max().getAsInt() < perComment, java.util.Arrays.toString(perShard));
    }

    @Test
    void aFullCommentEvictsTheClaimsThatExpireSoonestWithAWarningNeverA422() {
        String eventId = idInShard(5).toString();
        List<dedupe.Entry> entries = routerClaims(5, 2_600, Instant.now().getEpochSecond() + 600);
        dedupe.Rendered full = new dedupe.State(5, 1, entries, List.of(), List.of(), null).render(null, Instant.now());
        int capacity = 2_600 - full.evicted().size();
        int issue = openIssue(github, "state");
        comment(github, GitHubEmulator.DEFAULT_TOKEN, issue, full.text());

        InProcess.Run claim = dedupe(testbed.env(), "claim", eventId, "--state-issue", String.valueOf(issue));
        assertEquals(0, claim.exitCode(), claim.err());
        assertEquals("new", claim.verdict());
        java.util.regex.Matcher warning = java.util.regex.Pattern
                .compile("warning: state comment 5 of 8 is full: evicted the (\\d+) claims that expire soonest \\(from (\\S+),").matcher(claim.err());
        assertTrue(warning.find(), claim.err());
        int evicted = Integer.parseInt(warning.group(1));
        assertEquals(entries.get(2_600 - capacity).id().toString(), warning.group(2), "the soonest to expire goes first");
        assertTrue(github.journal().stream().noneMatch(e -> e.status() == 422 && e.method().equals("PATCH")));
        String body = commentBodies(github, issue).get(0);
        assertTrue(body.length() <= dedupe.MAX_COMMENT_CHARACTERS);
        List<UUID> stored = ids(stateOf(body));
        assertEquals(capacity + 1 - evicted, stored.size());
        assertTrue(stored.contains(UUID.fromString(eventId)));
        assertTrue(stored.contains(entries.get(2_599).id()), "the latest to expire stays");
    }

    @Test
    void theCommentHoldsTwoThousandEntriesEvenWithMixedAndLongTtls() {
        long now = Instant.now().getEpochSecond();
        long[] ttls = {3_600, 86_400, 2_592_000, 90, 7_200, 604_800};
        List<dedupe.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long ttl = ttls[i % ttls.length];
            entries.add(i % 200 == 7
                    ? new dedupe.Entry(UUID.randomUUID(), now + ttl - i, ttl, new dedupe.Holder(19_800_000_000L + i, 2), i % 400 == 7,
                            i % 400 == 7 ? List.of("ci-dispatcher.yml", "merge-orchestrator.yml") : List.of())
                    : new dedupe.Entry(UUID.randomUUID(), now + ttl - i, ttl));
        }
        dedupe.State state = new dedupe.State(0, 41, entries, List.of("refs/event-bus/dedupe/7/3100000001-40"), List.of(3_100_000_000L),
                "0123456789abcdef0123456789abcdef01234567");
        dedupe.Rendered rendered = state.render(null, Instant.now());
        System.out.println("2,000 entries with six TTLs up to 30 days: " + rendered.text().length() + " characters");
        assertTrue(rendered.evicted().isEmpty());
        dedupe.State parsed = stateOf(rendered.text());
        assertEquals(41, parsed.version());
        assertEquals(state.tickets(), parsed.tickets());
        assertEquals(state.replaced(), parsed.replaced());
        assertEquals(state.sha(), parsed.sha());
        assertEquals(Set.copyOf(entries), Set.copyOf(parsed.entries()));
    }

    @ParameterizedTest
    // The last: a holder's run id of 13 base-36 digits, more than a long holds (a hand-edited comment).
    @ValueSource(strings = {"version x", "base", "zzzz 1", "QUJDREVGR0hJSktMTU5PUA 1 9", "QUJDREVGR0hJSktMTU5PUA 1 @zzzzzzzzzzzzz.1"})
    void aDamagedBlockDoesNotParseAndNamesTheLine(String badLine) {
        String good = new dedupe.State(2, 3, List.of(new dedupe.Entry(UUID.randomUUID(), 1_800_000_000L, 3600)), List.of(), List.of(), null)
                .render(null, Instant.now()).text();
        dedupe.Parsed parsed = dedupe.State.parse(good.replace("```\n", badLine + "\n```\n"));
        assertNull(parsed.state());
        assertNotNull(parsed.error());
        assertTrue(parsed.error().startsWith("line ") || parsed.error().startsWith("missing"), parsed.error());
        assertNull(dedupe.State.parse(good.replace("```dedupe", "```text")).state());
        assertNull(dedupe.State.parse(good.replace("```\n", "")).state());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "12a", "2147483648", "9999999999"})
    void aStateIssueNumberGitHubCannotHaveIsBadInput(String number) {
        // As --state-issue: a positive int (GitHub's OpenAPI, issues/get: issue_number is an integer; the store keeps an int).
        Map<String, String> env = testbed.env();
        env.put("EVENT_BUS_STATE_ISSUE", number);
        InProcess.Run claim = dedupe(env, "claim", id());
        assertEquals(2, claim.exitCode(), claim.toString());
        assertTrue(claim.err().contains("EVENT_BUS_STATE_ISSUE must be an issue number, not '" + number + "'"), claim.err());
        assertEquals(List.of(), github.issues(REPO), "nothing written");
    }

    // ---- failure semantics -----------------------------------------------------------------

    @Test
    void whenGitHubCannotBeReachedFailExitsOneAndNewWarnsAndAnswersNew() throws IOException {
        dedupe(testbed.env(), "claim", id());
        github.injectFault("GET", "/repos/" + REPO + "/issues.*", GitHubEmulator.Fault.status(503), 10);
        InProcess.Run fail = dedupe(testbed.env(), "claim", id(), "--max-attempts", "2");
        assertEquals(1, fail.exitCode(), fail.err());
        assertEquals("", fail.out());
        assertTrue(fail.err().contains("failed after 2 attempts") && fail.err().contains("not claimed (--on-github-error fail)"), fail.err());

        InProcess.Run atLeastOnce = dedupe(testbed.env(), "claim", id(), "--max-attempts", "2", "--on-github-error", "new");
        assertEquals(0, atLeastOnce.exitCode(), atLeastOnce.err());
        assertEquals("new", atLeastOnce.verdict());
        assertTrue(atLeastOnce.err().contains("warning: ") && atLeastOnce.err().contains("may be processed twice"), atLeastOnce.err());
        assertTrue(Files.readString(temp.resolve("output.txt")).endsWith("duplicate=false\n"));
    }

    @Test
    void aRefusalIsNotAnsweredWithNew() {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_TOKEN", "ghp_notAValidToken");
        InProcess.Run run = dedupe(env, "claim", id(), "--on-github-error", "new");
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("check GITHUB_TOKEN"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void aSubcommandsVerbosePrintsTheStackTraceOfAFailure() {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_TOKEN", "ghp_notAValidToken");
        InProcess.Run quiet = dedupe(env, "claim", id());
        assertEquals(1, quiet.exitCode(), quiet.err());
        assertFalse(quiet.err().contains("\tat "), quiet.err());
        InProcess.Run verbose = dedupe(env, "claim", id(), "--verbose");
        assertEquals(1, verbose.exitCode(), verbose.err());
        assertTrue(verbose.err().contains("\tat dedupe"), verbose.err());
    }

    @Test
    void aTicketWhoseHolderDiedIsTakenOverAfterTheLease() {
        dedupe(testbed.env(), "claim", id(0));
        // A run took the ticket for version 1 -> 2 and was killed before writing.
        String stuck = nextTicket(1);
        api(github, GitHubEmulator.DEFAULT_TOKEN, "POST", "/repos/" + REPO + "/git/refs",
                "{\"ref\":\"" + stuck + "\",\"sha\":\"" + github.branchSha(REPO, "main") + "\"}");

        long started = System.nanoTime();
        InProcess.Run claim = dedupe(testbed.env(), Duration.ofSeconds(2), "claim", id(0));
        assertEquals("new", claim.verdict(), claim.err());
        assertTrue(System.nanoTime() - started >= 2_000_000_000L, "waited for the lease");
        assertFalse(github.refs(REPO).contains(stuck), "the dead holder's ticket is cleaned up");
        assertEquals(List.of(stuck + ".r1"), stateOf(commentBodies(github, 1).get(0)).tickets());
    }

    @Test
    void aWriteThatFailsGivesItsTicketUpAtOnce() {
        dedupe(testbed.env(), "claim", id(0));
        github.injectFault("PATCH", "/repos/" + REPO + "/issues/comments/.*", GitHubEmulator.Fault.status(503), 1);
        InProcess.Run failed = dedupe(testbed.env(), "claim", id(0), "--max-attempts", "1");
        assertEquals(1, failed.exitCode(), failed.err());
        String ticket = nextTicket(1);
        assertFalse(github.refs(REPO).contains(ticket), "the ticket for version 1 -> 2 was given up: " + github.refs(REPO));

        assertEquals("new", dedupe(testbed.env(), "claim", id(0)).verdict());
        Set<String> refs = github.refs(REPO);
        assertTrue(refs.contains(ticket), "the ticket for version 1 -> 2 was taken again: " + refs);
        // Waiting out a dead holder's lease ends with the ticket's next attempt, <name>.r1.
        assertTrue(refs.stream().noneMatch(r -> r.matches(".*\\.r[0-9]+")), "no wait for the lease: " + refs);
    }

    @Test
    void aTicketThatCannotBeGivenUpIsSaidAndWaitedOutByTheNextRun() {
        dedupe(testbed.env(), "claim", id(0));
        github.injectFault("PATCH", "/repos/" + REPO + "/issues/comments/.*", GitHubEmulator.Fault.status(503), 1);
        // Two refusals: the previous write's ticket, deleted before the write, and this run's, given up after it failed.
        github.injectFault("DELETE", "/repos/" + REPO + "/git/refs/.*", GitHubEmulator.Fault.status(403), 2);
        InProcess.Run failed = dedupe(testbed.env(), Duration.ofSeconds(2), "claim", id(0), "--max-attempts", "1");
        assertEquals(1, failed.exitCode(), failed.err());
        String ticket = nextTicket(1);
        assertTrue(github.refs(REPO).contains(ticket), "the ticket is still there: " + github.refs(REPO));
        assertTrue(failed.err().contains("dedupe: could not give up " + ticket + "; others take over after 2 s"), failed.err());

        InProcess.Run next = dedupe(testbed.env(), Duration.ofSeconds(2), "claim", id(0));
        assertEquals("new", next.verdict(), next.err());
        assertTrue(github.refs(REPO).contains(ticket + ".r1"), "the lease waited out: " + github.refs(REPO));
    }

    // ---- holders: resume and release -----------------------------------------------------------

    Map<String, String> run(long runId, int attempt) {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_RUN_ID", String.valueOf(runId));
        env.put("GITHUB_RUN_ATTEMPT", String.valueOf(attempt));
        return env;
    }

    @Test
    void aReRunOfTheHoldingRunResumesAndAnyOtherRunIsADuplicate() throws IOException {
        String eventId = id(7);
        assertEquals("new", dedupe(run(4242, 1), "claim", eventId).verdict());
        assertEquals("duplicate", dedupe(run(4242, 1), "claim", eventId).verdict(), "the same attempt again");
        assertEquals("duplicate", dedupe(run(5151, 1), "claim", eventId).verdict(), "another router run: GitHub delivered it twice");
        Files.deleteIfExists(temp.resolve("output.txt"));

        InProcess.Run rerun = dedupe(run(4242, 2), "claim", eventId);
        assertEquals("resume", rerun.verdict(), rerun.err());
        assertEquals("claim=resume\nduplicate=false\ndispatched=\n", Files.readString(temp.resolve("output.txt")));
        assertTrue(rerun.err().contains(eventId + " resumes: claimed until "), rerun.err());
        assertEquals("duplicate", dedupe(run(4242, 1), "claim", eventId).verdict(), "the earlier attempt no longer holds it");
        assertEquals("resume", dedupe(run(4242, 3), "claim", eventId).verdict(), "nor does the second after a third starts");
        dedupe.Entry entry = entryOf(eventId);
        assertEquals(new dedupe.Holder(4242, 3), entry.holder());
        assertFalse(entry.released());
    }

    @Test
    void aReleasedClaimResumesForTheNextRunWithTheTargetsAlreadyDispatched() throws IOException {
        String eventId = id(7);
        assertEquals("new", dedupe(run(4242, 1), "claim", eventId).verdict());
        // The router's log: one target dispatched, one failed.
        Path log = Files.writeString(temp.resolve("event_log.jsonl"), "{\"event_id\":\"" + eventId + "\",\"status\":\"failed\",\"targets\":["
                + "{\"workflow\":\"ci-dispatcher.yml\",\"status\":\"dispatched\"},{\"workflow\":\"merge-orchestrator.yml\",\"status\":\"failed\"}]}\n"
                + "not json\n{\"event_id\":\"" + id() + "\",\"targets\":[{\"workflow\":\"other.yml\",\"status\":\"dispatched\"}]}\n");
        github.clearJournal();
        InProcess.Run release = dedupe(run(4242, 1), "release", eventId, "--log", log.toString(), "--state-issue", "1");
        assertEquals(0, release.exitCode(), release.err());
        assertEquals("released", release.verdict());
        assertTrue(release.err().contains("released; already dispatched: ci-dispatcher.yml"), release.err());
        assertEquals(4, counted(github.journal()), "a release writes like a claim, the state issue known: " + describe(github.journal()));
        dedupe.Entry released = entryOf(eventId);
        assertTrue(released.released());
        assertEquals(List.of("ci-dispatcher.yml"), released.dispatched());

        Files.deleteIfExists(temp.resolve("output.txt"));
        InProcess.Run replay = dedupe(run(7777, 1), "claim", eventId);
        assertEquals("resume", replay.verdict(), replay.err());
        assertEquals("claim=resume\nduplicate=false\ndispatched=ci-dispatcher.yml\n", Files.readString(temp.resolve("output.txt")));
        assertEquals("duplicate", dedupe(run(8888, 1), "claim", eventId).verdict(), "exactly one run takes a released claim over");
        assertEquals(new dedupe.Holder(7777, 1), entryOf(eventId).holder());
        assertEquals(List.of("ci-dispatcher.yml"), entryOf(eventId).dispatched(), "kept for the next failure too");
    }

    @Test
    void releasingAnIdWithoutALiveClaimWritesNothing() throws IOException {
        dedupe(testbed.env(), "claim", id(7));
        github.clearJournal();
        InProcess.Run release = dedupe(testbed.env(), "release", id(7));
        assertEquals(0, release.exitCode(), release.err());
        assertEquals("not-claimed", release.verdict());
        assertTrue(github.journal().stream().allMatch(e -> e.method().equals("GET")), describe(github.journal()));
        assertTrue(Files.readString(temp.resolve("output.txt")).endsWith("release=not-claimed\n"));
    }

    @Test
    void aClaimExpiresOnGitHubsClockNotTheRunners() {
        // The runner's clock is right; GitHub's is a day ahead: GitHub's decides.
        String eventId = id(2);
        assertEquals("new", dedupe(testbed.env(), "claim", eventId, "--ttl", "2h").verdict());
        github.advanceClock(Duration.ofHours(1));
        assertEquals("duplicate", dedupe(testbed.env(), "claim", eventId, "--ttl", "2h").verdict());
        github.advanceClock(Duration.ofHours(1).plusSeconds(2));
        // The runner's time before the claim: however long the claim takes, GitHub's is two hours ahead of it.
        Instant runnerBefore = Instant.now();
        assertEquals("new", dedupe(testbed.env(), "claim", eventId, "--ttl", "2h").verdict(), "expired after two hours of GitHub's time");
        Instant claimedAt = entryOf(eventId).claimedAt();
        assertTrue(Duration.between(runnerBefore, claimedAt).compareTo(Duration.ofMinutes(119)) > 0, "claimed at GitHub's time: " + claimedAt);
    }

    dedupe.Entry entryOf(String eventId) {
        return commentBodies(github, 1).stream().filter(b -> b.startsWith(dedupe.MARKER)).flatMap(b -> stateOf(b).entries().stream())
                .filter(e -> e.id().equals(UUID.fromString(eventId))).findFirst().orElseThrow();
    }

    // ---- the store is found by a fixed reference, and never silently started over --------------

    @Test
    void aClosedStateIssueIsStillTheStore() {
        String eventId = id(3);
        dedupe(testbed.env(), "claim", eventId);
        api(github, GitHubEmulator.DEFAULT_TOKEN, "PATCH", "/repos/" + REPO + "/issues/1", "{\"state\":\"closed\"}");
        assertEquals("duplicate", dedupe(testbed.env(), "claim", eventId).verdict(), "closing the issue (a stale bot) forgets nothing");
        assertEquals(1, github.issues(REPO).size(), "no second store");
    }

    @Test
    void anOlderIssueSomeoneLabelledIsNotTheStore() {
        github.addUser(ALICE_TOKEN, "alice", true);
        // alice's older issue gets the label after the store exists: not opened by a trusted author, so ignored.
        int older = api(github, ALICE_TOKEN, "POST", "/repos/" + REPO + "/issues", "{\"title\":\"old\"}").get("number").asInt();
        String eventId = id(3);
        dedupe(testbed.env(), "claim", eventId);
        api(github, ALICE_TOKEN, "POST", "/repos/" + REPO + "/issues/" + older + "/labels", "{\"labels\":[\"event-bus-state\"]}");
        assertEquals("duplicate", dedupe(testbed.env(), "claim", eventId).verdict());
    }

    @Test
    void aDeletedStateCommentIsAnErrorNotAnEmptyShard() {
        String eventId = id(3);
        dedupe(testbed.env(), "claim", eventId); // written once: the comment's own ref proves it existed
        long comment = ((Number) github.comments(REPO, 1).get(0).get("id")).longValue();
        api(github, GitHubEmulator.DEFAULT_TOKEN, "DELETE", "/repos/" + REPO + "/issues/comments/" + comment, null);

        InProcess.Run claim = dedupe(testbed.env(), "claim", eventId);
        assertEquals(1, claim.exitCode(), claim.err());
        assertTrue(claim.err().startsWith("state comment " + comment + " of issue #1 is gone (deleted), but its ref refs/event-bus/dedupe/1/shard-3-"
                + comment + " remains: the claims it held would be forgotten, so nothing was claimed."), claim.err());
        assertTrue(github.comments(REPO, 1).isEmpty(), "nothing written");
        // The state issue known: the same, the refs listed only because the shard has no comment.
        Map<String, String> known = testbed.env();
        known.put("EVENT_BUS_STATE_ISSUE", "1");
        InProcess.Run again = dedupe(known, "claim", id(3));
        assertEquals(1, again.exitCode(), again.err());
        assertTrue(again.err().startsWith("state comment " + comment + " of issue #1 is gone (deleted)"), again.err());
        // Another shard's comments are not held up.
        assertEquals("new", dedupe(testbed.env(), "claim", id(5)).verdict());
    }

    @Test
    void aStateIssueThatIsNotTheStoreIsAnErrorNamingTheStore() {
        dedupe(testbed.env(), "claim", id(3));
        dedupe(testbed.env(), "claim", id(3));
        int other = openIssue(github, "not the store");
        InProcess.Run claim = dedupe(testbed.env(), "claim", id(3), "--state-issue", String.valueOf(other));
        assertEquals(1, claim.exitCode(), claim.err());
        assertTrue(claim.err().startsWith("the dedupe state lives on issue #1 (its ref refs/event-bus/dedupe/1/store exists), but #"
                + other + " was chosen"), claim.err());
        assertTrue(claim.err().contains("set EVENT_BUS_STATE_ISSUE=1"), claim.err());
    }

    @Test
    void theLabelIsNeverReadTheRefsSayWhereTheStoreIs() {
        // An older issue opened by the same bot (other workflows open issues with GITHUB_TOKEN too).
        int older = api(github, GitHubEmulator.DEFAULT_TOKEN, "POST", "/repos/" + REPO + "/issues", "{\"title\":\"older\"}").get("number").asInt();
        String eventId = id(3);
        assertEquals("new", dedupe(testbed.env(), "claim", eventId).verdict());
        int store = older + 1;
        // The label moves to the older issue; the store's issue is closed, retitled.
        api(github, GitHubEmulator.DEFAULT_TOKEN, "PATCH", "/repos/" + REPO + "/issues/" + store, "{\"labels\":[],\"state\":\"closed\",\"title\":\"x\"}");
        api(github, GitHubEmulator.DEFAULT_TOKEN, "PATCH", "/repos/" + REPO + "/issues/" + older, "{\"labels\":[\"event-bus-state\"]}");
        github.clearJournal();
        InProcess.Run again = dedupe(testbed.env(), "claim", eventId);
        assertEquals("duplicate", again.verdict(), again.err());
        assertTrue(again.err().contains("(state issue #" + store + ")"), again.err());
        assertTrue(github.journal().stream().noneMatch(e -> e.path().matches(".*/issues(\\?.*)?$")), "no issue is listed: " + describe(github.journal()));
        assertEquals("new", dedupe(testbed.env(), "claim", id(3)).verdict());
        assertEquals(2, github.issues(REPO).size(), "no store opened");
        assertTrue(github.comments(REPO, older).isEmpty());
    }

    @Test
    void refsThatNameTwoIssuesAreAnErrorNotAGuess() {
        String eventId = id(3);
        dedupe(testbed.env(), "claim", eventId);
        int other = openIssue(github, "a second store");
        api(github, GitHubEmulator.DEFAULT_TOKEN, "POST", "/repos/" + REPO + "/git/refs",
                "{\"ref\":\"refs/event-bus/dedupe/" + other + "/store\",\"sha\":\"" + github.branchSha(REPO, "main") + "\"}");
        InProcess.Run claim = dedupe(testbed.env(), "claim", eventId);
        assertEquals(1, claim.exitCode(), claim.err());
        assertTrue(claim.err().startsWith("the refs under refs/event-bus/dedupe/ name more than one state issue (#1, #" + other + ")"), claim.err());
        Map<String, String> known = testbed.env();
        known.put("EVENT_BUS_STATE_ISSUE", "1");
        assertEquals("duplicate", dedupe(known, "claim", eventId).verdict(), "the variable settles it");
    }

    @Test
    void aStateIssueThatVanishedIsAnErrorNeverANewStore() {
        String eventId = id(3);
        dedupe(testbed.env(), "claim", eventId);
        github.deleteIssue(REPO, 1);
        InProcess.Run claim = dedupe(testbed.env(), "claim", eventId, "--on-github-error", "new");
        assertEquals(1, claim.exitCode(), claim.err());
        assertTrue(claim.err().startsWith("the dedupe store is gone: state issue #1 (named by the refs under refs/event-bus/dedupe/1/) was "
                + "deleted (410 "), claim.err());
        assertTrue(claim.err().contains("delete the refs under refs/event-bus/dedupe/1/"), claim.err());
        assertEquals("", claim.out());
        assertTrue(github.issues(REPO).isEmpty(), "no store opened");
        InProcess.Run check = dedupe(testbed.env(), "check", eventId);
        assertEquals(1, check.exitCode(), check.err());
    }

    @Test
    void aCommentRewrittenWithoutItsMarkerCostsOneWarningAndNoWait() {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_ACTIONS", "true");
        String before = id(2);
        assertEquals("new", dedupe(env, "claim", before).verdict()); // written once: its ticket new-2-0 stays at rest
        long original = ((Number) github.comments(REPO, 1).get(0).get("id")).longValue();
        assertTrue(github.refs(REPO).contains("refs/event-bus/dedupe/1/new-2-0"));
        github.addUser(ALICE_TOKEN, "alice", true);
        api(github, ALICE_TOKEN, "PATCH", "/repos/" + REPO + "/issues/comments/" + original, "{\"body\":\"garbage\"}");

        github.clearJournal();
        String after = id(2);
        InProcess.Run claim = dedupe(env, "claim", after); // the lease stays 90 s: a collision would show as .r1
        assertEquals("new", claim.verdict(), claim.err());
        assertEquals(1, claim.err().lines().filter(l -> l.startsWith("::warning")).count(), claim.err());
        assertTrue(claim.err().contains("::warning title=dedupe%3A state comment set aside::state comment ")
                && claim.err().contains("its first line is no longer <!-- event-bus:dedupe v1 -->"), claim.err());
        assertTrue(github.journal("POST", ".*/git/refs").stream().allMatch(e -> e.status() == 201), "no ticket was refused: "
                + describe(github.journal()));
        dedupe.State replacement = stateOf(commentBodies(github, 1).get(1));
        assertEquals(List.of(original), replacement.replaced());
        assertTrue(replacement.tickets().get(0).matches("refs/event-bus/dedupe/1/new-2-[0-9a-f]{12}"), replacement.tickets().toString());
        assertFalse(github.refs(REPO).contains("refs/event-bus/dedupe/1/new-2-0"), "the last good write's ticket was deleted, not waited for");

        InProcess.Run next = dedupe(env, "claim", after);
        assertEquals("duplicate", next.verdict());
        assertFalse(next.err().contains("::warning"), next.err());
    }

    @Test
    void aVersionLineEditedBackToAnEarlierVersionCostsNoWait() {
        for (int i = 0; i < 3; i++) {
            dedupe(testbed.env(), "claim", id(6));
        }
        // Version 3 rests on the ticket of version 2; a person edits the comment to say version 2.
        Map<String, Object> comment = github.comments(REPO, 1).get(0);
        github.addUser(ALICE_TOKEN, "alice", true);
        github.advanceClock(Duration.ofSeconds(5));
        api(github, ALICE_TOKEN, "PATCH", "/repos/" + REPO + "/issues/comments/" + comment.get("id"),
                JSON.createObjectNode().put("body", ((String) comment.get("body")).replace("version 3\n", "version 2\n")).toString());
        github.clearJournal();
        assertEquals("new", dedupe(testbed.env(), "claim", id(6)).verdict());
        assertTrue(github.journal("POST", ".*/git/refs").stream().allMatch(e -> e.status() == 201), describe(github.journal()));
        assertTrue(github.refs(REPO).stream().noneMatch(r -> r.contains(".r")), github.refs(REPO).toString());
    }

    // ---- input --------------------------------------------------------------------------------

    @Test
    void theEventComesFromADocumentAWebhookPayloadOrGitHubEventPath() throws IOException {
        String eventId = id();
        Path document = Files.writeString(temp.resolve("document.json"),
                "{\"event_type\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"" + eventId + "\",\"source\":\"s\","
                        + "\"timestamp\":\"2026-11-27T04:38:13.123Z\",\"data\":{\"pr\":456,\"checks_status\":\"green\"}}}");
        Path webhook = Files.writeString(temp.resolve("webhook.json"),
                "{\"action\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"" + eventId + "\"},\"sender\":{\"login\":\"x\"}}");
        assertEquals("new", dedupe(testbed.env(), "claim", "--event", document.toString()).verdict());
        assertEquals("duplicate", dedupe(testbed.env(), "claim", "--event", webhook.toString()).verdict());
        Map<String, String> env = testbed.env();
        env.put("GITHUB_EVENT_PATH", webhook.toString());
        assertEquals("duplicate", dedupe(env, "claim").verdict());
    }

    @Test
    void aDuplicateIsLoggedAsTheEventLogRecord() throws IOException {
        String eventId = id();
        Path event = Files.writeString(temp.resolve("event.json"),
                "{\"action\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"" + eventId + "\",\"source\":\"readiness\","
                        + "\"trace_id\":\"" + eventId + "\",\"timestamp\":\"2026-11-27T04:38:13.123Z\",\"data\":{}}}");
        Path log = temp.resolve("logs/event_log.jsonl");
        Map<String, String> env = testbed.env();
        env.put("EVENT_LOG", log.toString());
        env.put("GITHUB_RUN_ID", "123456789");
        dedupe(env, "claim", "--event", event.toString());
        assertFalse(Files.exists(log), "a new event is logged by the router, not here");
        dedupe(env, "claim", "--event", event.toString());
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size());
        JsonNode record = JSON.readTree(lines.get(0));
        assertEquals(eventId, record.get("event_id").asText());
        assertEquals("rfc.pr.ready", record.get("event_type").asText());
        assertEquals("duplicate", record.get("status").asText());
        assertEquals("readiness", record.get("source").asText());
        assertEquals("123456789", record.get("run_id").asText());
        assertTrue(record.get("latency_ms").asLong() > 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"claim|3F0C5A0E-8D1B-4C1E-9A57-2B7D9F0E6A11", "claim|not-a-uuid", "claim", "claim|--ttl|60", "claim|--ttl|0s",
        "claim|--ttl|31d", "claim|--ttl|1w", "claim|--key|", "claim|--on-github-error|retry", "check|--state-issue|0",
        "claim|--max-attempts|0", "claim|--event|/no/such/file.json"})
    void badInputExitsTwoAndSendsNothing(String args) {
        String[] argv = args.split("\\|", -1);
        List<String> withId = new ArrayList<>(List.of(argv));
        if (args.contains("--") && !args.contains("--event") && !args.contains("--key")) {
            withId.add(id());
        }
        InProcess.Run run = dedupe(testbed.env(), withId.toArray(String[]::new));
        assertEquals(2, run.exitCode(), args + ": " + run.err());
        assertTrue(run.err().contains("Try 'dedupe"), run.err());
        assertTrue(github.journal().isEmpty(), args + ": nothing sent");
    }

    @Test
    void anEventFileWithoutAUuidEventIdIsBadInput() throws IOException {
        Path event = Files.writeString(temp.resolve("event.json"), "{\"action\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"42\"}}");
        InProcess.Run run = dedupe(testbed.env(), "claim", "--event", event.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith(event + ": /client_payload/event_id: '42' is not a lowercase UUID (rule: pattern)"), run.err());

        Path withoutId = Files.writeString(temp.resolve("no-id.json"), "{\"action\":\"rfc.pr.ready\",\"client_payload\":{}}");
        InProcess.Run missing = dedupe(testbed.env(), "claim", "--event", withoutId.toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith(withoutId + ": /client_payload/event_id: missing (rule: required)"), missing.err());
    }

    @Test
    void helpNamesTheEnvironmentAndTheExitCodes() {
        InProcess.Run help = dedupe(Map.of(), "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: dedupe "), help.out());
        assertTrue(help.out().contains("Environment:") && help.out().contains("EVENT_BUS_STATE_ISSUE"), help.out());
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("claim"), help.out());
        InProcess.Run claimHelp = dedupe(Map.of(), "claim", "--help");
        assertTrue(claimHelp.out().contains("--on-github-error") && claimHelp.out().contains("at least once"), claimHelp.out());
        InProcess.Run none = dedupe(Map.of());
        assertEquals(2, none.exitCode());
        assertTrue(none.err().startsWith("Missing subcommand"), none.err());
    }
}
