import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `./jbang dedupe.java ...` as the router workflow runs it: real processes against the emulator,
 * several at once where the scenario needs it. Each claim's API request count is printed.
 */
class DedupeEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String SCRIPT = Scripts.ROOT.resolve("dedupe.java").toString();
    static final Pattern REQUESTS = Pattern.compile("dedupe: (\\d+) API requests, (\\d+) of them answered 304");
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    @BeforeAll
    static void buildTheScript() {
        // Compiled once here, so that the races below start warm processes, not eight compilers.
        Scripts.Result version = Scripts.jbang(Scripts.ROOT, Map.of(), null, SCRIPT, "--version");
        assertEquals(0, version.exitCode(), version.toString());
    }

    @BeforeEach
    void resetEmulator() {
        github.addUser(DedupeTest.MALLORY_TOKEN, "mallory", false);
    }

    Map<String, String> env() throws IOException {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_OUTPUT", Files.createTempFile(temp, "output", ".txt").toString());
        return env;
    }

    Scripts.Result dedupe(Map<String, String> env, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = SCRIPT;
        System.arraycopy(args, 0, argv, 1, args.length);
        return Scripts.jbang(temp, env, null, argv);
    }

    /** Runs the claims as parallel processes; results in the order given. */
    List<Scripts.Result> inParallel(List<Map<String, String>> envs, List<String[]> argss) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(argss.size());
        try {
            List<Future<Scripts.Result>> runs = new ArrayList<>();
            for (int i = 0; i < argss.size(); i++) {
                Map<String, String> env = envs.get(i);
                String[] args = argss.get(i);
                runs.add(pool.submit(() -> dedupe(env, args)));
            }
            List<Scripts.Result> results = new ArrayList<>();
            for (Future<Scripts.Result> run : runs) {
                results.add(run.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static String requests(Scripts.Result run) {
        Matcher m = REQUESTS.matcher(run.stderr());
        assertTrue(m.find(), run.toString());
        int total = Integer.parseInt(m.group(1));
        int notModified = Integer.parseInt(m.group(2));
        return (total - notModified) + " counted + " + notModified + " free (304)";
    }

    static String verdict(Scripts.Result run) {
        assertEquals(0, run.exitCode(), run.toString());
        return run.stdout().strip();
    }

    /** The ids in every state comment of the issue (one per shard). */
    static List<UUID> storedIds(int issue) {
        return DedupeTest.commentBodies(testbed.github(), issue).stream().map(dedupe.State::parse).filter(p -> p.state() != null)
                .flatMap(p -> DedupeTest.ids(p.state()).stream()).toList();
    }

    @Test
    void aSequentialRepeatIsNewThenDuplicate() throws IOException {
        String eventId = UUID.randomUUID().toString();
        Map<String, String> env = env();
        Scripts.Result first = dedupe(env, "claim", eventId, "--verbose");
        assertEquals("new", verdict(first));
        Scripts.Result second = dedupe(env, "claim", eventId, "--verbose");
        assertEquals("duplicate", verdict(second));
        int shard = dedupe.shardOf(UUID.fromString(eventId));
        Scripts.Result third = dedupe(env, "claim", DedupeTest.idInShard((shard + 1) % dedupe.SHARDS).toString(), "--verbose");
        assertEquals("new", verdict(third));
        assertEquals("claim=new\nduplicate=false\nclaim=duplicate\nduplicate=true\nclaim=new\nduplicate=false\n",
                Files.readString(Path.of(env.get("GITHUB_OUTPUT"))));
        Scripts.Result fourth = dedupe(env, "claim", DedupeTest.idInShard(shard).toString(), "--verbose");
        assertEquals("new", verdict(fourth));
        System.out.println("first claim (opens the state issue and comment): " + requests(first));
        System.out.println("repeat (duplicate), state issue found by its refs: " + requests(second));
        System.out.println("first new id of a shard without a comment, state issue found by its refs: " + requests(third));
        System.out.println("next new id, state issue found by its refs: " + requests(fourth));
        assertTrue(requests(second).startsWith("2 counted + 0 free"), second.toString());
        assertTrue(requests(fourth).startsWith("5 counted + 1 free"), fourth.toString());

        Map<String, String> known = env();
        known.put("EVENT_BUS_STATE_ISSUE", "1");
        known.put("GITHUB_SHA", github.branchSha(REPO, "main"));
        // An id of a state comment that exists: a claim that opens a shard's comment saves the ticket's deletion.
        Scripts.Result uncontended = dedupe(known, "claim", DedupeTest.idInShard(dedupe.shardOf(UUID.fromString(eventId))).toString(), "--verbose");
        assertEquals("new", verdict(uncontended));
        System.out.println("new id, EVENT_BUS_STATE_ISSUE and GITHUB_SHA set: " + requests(uncontended));
        assertTrue(requests(uncontended).startsWith("4 counted + 1 free"), uncontended.toString());
        Scripts.Result repeat = dedupe(known, "claim", eventId, "--verbose");
        assertEquals("duplicate", verdict(repeat));
        assertTrue(requests(repeat).startsWith("1 counted + 0 free"), repeat.toString());
    }

    @Test
    void eightProcessesClaimingOneIdAtOnceGiveExactlyOneNewFourTimesOver() throws Exception {
        long contended = 0;
        java.util.Set<Integer> shards = new java.util.HashSet<>();
        // Each round is a full race by construction (the held-back reads below), so a few rounds prove
        // what many would; each costs eight JVM starts.
        for (int round = 1; round <= 4; round++) {
            String eventId = UUID.randomUUID().toString();
            shards.add(dedupe.shardOf(UUID.fromString(eventId)));
            List<Map<String, String>> envs = new ArrayList<>();
            List<String[]> args = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                envs.add(env());
                args.add(new String[] {"claim", eventId, "--verbose"});
            }
            github.clearJournal();
            // The processes start up to seconds apart on a busy machine. Holding back the answer to
            // each one's first read (GitHub has already answered it) makes all eight read the state
            // as it was before any claim, so all of them ask for the same ticket: a true race.
            github.injectFault("GET", "/repos/" + REPO + "/issues/\\d+/comments", GitHubEmulator.Fault.delay(2_000), 8);
            List<Scripts.Result> runs = inParallel(envs, args);
            List<String> verdicts = runs.stream().map(DedupeEndToEndTest::verdict).toList();
            assertEquals(1, verdicts.stream().filter("new"::equals).count(), "round " + round + ": " + verdicts + "\n" + runs);
            assertEquals(7, verdicts.stream().filter("duplicate"::equals).count(), "round " + round + ": " + verdicts + "\n" + runs);
            for (int i = 0; i < 8; i++) {
                String output = Files.readString(Path.of(envs.get(i).get("GITHUB_OUTPUT")));
                assertEquals("claim=" + verdicts.get(i) + "\nduplicate=" + verdicts.get(i).equals("duplicate") + "\n", output);
            }
            long refused = github.journal("POST", ".*/git/refs").stream().filter(e -> e.status() == 422).count();
            contended += refused;
            System.out.printf("race %d: %s; tickets: %d created, %d refused; per process: %s%n", round, verdicts,
                    github.journal("POST", ".*/git/refs").stream().filter(e -> e.status() == 201).count(), refused,
                    runs.stream().map(DedupeEndToEndTest::requests).toList());
        }
        assertTrue(contended > 0, "the processes really raced for the ticket");
        assertEquals(1, github.issues(REPO).size(), "one state issue for all rounds");
        assertEquals(shards.size(), github.comments(REPO, 1).size(), "one state comment per shard the ids fall in");
        assertEquals(4, storedIds(1).size());
    }

    @Test
    void twentyProcessesClaimingTwentyIdsAllGetNewAndAllAreStored() throws Exception {
        assertEquals("new", verdict(dedupe(env(), "claim", UUID.randomUUID().toString())));
        List<String> ids = IntStream.range(0, 20).mapToObj(i -> UUID.randomUUID().toString()).toList();
        List<Map<String, String>> envs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            envs.add(env());
        }
        github.clearJournal();
        List<Scripts.Result> runs = inParallel(envs, ids.stream().map(id -> new String[] {"claim", id, "--verbose"}).toList());
        for (Scripts.Result run : runs) {
            assertEquals("new", verdict(run), run.toString());
        }
        List<UUID> stored = storedIds(1);
        for (String id : ids) {
            assertTrue(stored.contains(UUID.fromString(id)), id + " was lost from the store");
        }
        assertEquals(21, stored.size());
        System.out.println("20 parallel claims of 20 ids: " + DedupeTest.counted(github.journal()) + " counted requests in all; per process: "
                + runs.stream().map(DedupeEndToEndTest::requests).toList());
    }

    @Test
    void aClaimExpiresAfterItsTtl() throws Exception {
        // GitHub's clock decides, and the test moves it: however slowly the processes start, the
        // claim is live until its TTL has passed on that clock and expired after.
        String eventId = UUID.randomUUID().toString();
        Map<String, String> env = env();
        assertEquals("new", verdict(dedupe(env, "claim", eventId, "--ttl", "60m")));
        github.advanceClock(Duration.ofMinutes(59));
        assertEquals("duplicate", verdict(dedupe(env, "claim", eventId, "--ttl", "60m")));
        github.advanceClock(Duration.ofMinutes(1).plusSeconds(2));
        assertEquals("new", verdict(dedupe(env, "claim", eventId, "--ttl", "60m")), "expired: a repeat is new again");
        assertEquals("duplicate", verdict(dedupe(env, "check", eventId)));
    }

    /**
     * DESIGN "Event history": 25 hours after an event handled issue 91 (routed, its 24 h claim expired), a cron
     * path's claim --key is a duplicate, from the event history, and writes nothing; a key no event handled is new.
     */
    @Test
    void aKeyWhoseEventWasRoutedIsADuplicateAfterItsClaimExpired() throws Exception {
        String key = "rfc.issue.assigned/91";
        UUID eventId = dedupe.nameBasedUuid(dedupe.DEDUPE_KEY_NAMESPACE, key);
        Map<String, String> env = env();
        assertEquals("new", verdict(dedupe(env, "claim", eventId.toString(), "--ttl", "24h")), "the router's claim");
        RouteHistoryTest.append(github, List.of(CronCaughtTest.recordOf(key, "routed", Instant.now())));
        github.advanceClock(Duration.ofHours(25));
        List<String> before = DedupeTest.commentBodies(github, 1);
        github.clearJournal();
        Scripts.Result sweep = dedupe(env, "claim", "--key", key, "--ttl", "24h", "--verbose");
        assertEquals("duplicate", verdict(sweep));
        assertTrue(sweep.stderr().contains("is a duplicate: handled by an event (routed at "), sweep.toString());
        System.out.println("claim --key of an item an event handled, its claim expired: " + requests(sweep));
        assertTrue(requests(sweep).startsWith("3 counted + 0 free"), "the store's refs and comment, the history: " + sweep);
        assertEquals(List.of("GET"), github.journal().stream().map(GitHubEmulator.JournalEntry::method).distinct().toList());
        assertEquals(before, DedupeTest.commentBodies(github, 1), "nothing written to the store");

        Scripts.Result other = dedupe(env, "claim", "--key", "rfc.issue.assigned/92", "--ttl", "24h", "--verbose");
        assertEquals("new", verdict(other));
        System.out.println("claim --key of an item no event handled: " + requests(other));
        assertTrue(other.stderr().contains("no event handled it"), other.toString());
    }

    @Test
    void aPoisonedCommentByAnUntrustedUserIsIgnored() throws IOException {
        String eventId = UUID.randomUUID().toString();
        int issue = DedupeTest.openIssue(github, "event-bus state (unlocked)");
        // mallory, who may comment but not write, forges a state that says the event was seen.
        dedupe.State forged = new dedupe.State(dedupe.shardOf(UUID.fromString(eventId)), 7,
                List.of(new dedupe.Entry(UUID.fromString(eventId), Instant.now().getEpochSecond() + 3600, 3600)),
                List.of(), List.of(), null);
        DedupeTest.comment(github, DedupeTest.MALLORY_TOKEN, issue, forged.render(null, Instant.now()).text());

        Scripts.Result run = dedupe(env(), "claim", eventId, "--state-issue", String.valueOf(issue));
        assertEquals("new", verdict(run), run.toString());
        assertTrue(run.stderr().contains("by mallory: it carries the state marker, but mallory is not a trusted author"), run.stderr());
        assertEquals("duplicate", verdict(dedupe(env(), "claim", eventId, "--state-issue", String.valueOf(issue))));
    }

    @Test
    void aCorruptedCommentIsReportedKeptAndReplaced() throws IOException {
        String before = UUID.randomUUID().toString();
        Map<String, String> env = env();
        env.put("GITHUB_ACTIONS", "true");
        assertEquals("new", verdict(dedupe(env, "claim", before)));
        Map<String, Object> original = github.comments(REPO, 1).get(0);
        String garbled = ((String) original.get("body")).replace("version ", "vers1on ");
        DedupeTest.api(github, GitHubEmulator.DEFAULT_TOKEN, "PATCH", "/repos/" + REPO + "/issues/comments/" + original.get("id"),
                JSON.createObjectNode().put("body", garbled).toString());

        String after = DedupeTest.idInShard(dedupe.shardOf(UUID.fromString(before))).toString(); // the same state comment
        github.clearJournal();
        Scripts.Result run = dedupe(env, "claim", after);
        assertEquals("new", verdict(run));
        assertTrue(github.journal("POST", ".*/git/refs").stream().allMatch(e -> e.status() == 201), "no lease wait: no ticket refused");
        assertEquals(1, run.stderr().lines().filter(l -> l.startsWith("::warning")).count(), run.stderr());
        assertTrue(run.stderr().contains("::warning title=dedupe%3A state comment set aside::state comment "), run.stderr());
        assertTrue(run.stderr().contains("no longer parses") && run.stderr().contains("a new state comment replaces it"), run.stderr());
        List<String> bodies = DedupeTest.commentBodies(github, 1);
        assertEquals(List.of(garbled), bodies.subList(0, 1), "kept for inspection");
        assertEquals(2, bodies.size());
        assertTrue(storedIds(1).contains(UUID.fromString(after)));
        assertEquals("duplicate", verdict(dedupe(env, "claim", after)));
        assertEquals("duplicate", verdict(dedupe(env, "claim", before)), "its entries were carried over");
    }

    // ---- the store is found by its refs: what a triager, a collaborator or a vandal can do to it ----------------
    // GitHub's "Repository roles for an organization": triage may apply/dismiss labels and close, reopen and
    // assign all issues; editing others' comments, transferring and locking take write; deleting an issue, admin.
    // The emulator has no triage role: a collaborator (alice) does here what a triager may do.

    static final String ALICE_TOKEN = DedupeTest.ALICE_TOKEN;

    static void asAlice(String method, String path, String body) {
        testbed.github().addUser(ALICE_TOKEN, "alice", true);
        DedupeTest.api(testbed.github(), ALICE_TOKEN, method, "/repos/" + REPO + path, body);
    }

    /** An older issue opened by the bot itself (other workflows open issues with GITHUB_TOKEN too), then the store. */
    int olderBotIssueThenTheStore(String eventId) throws IOException {
        int older = github.createIssue(REPO, "weekly report", "github-actions[bot]");
        assertEquals("new", verdict(dedupe(env(), "claim", eventId)));
        assertEquals(older + 1, ((Number) github.issues(REPO).get(1).get("number")).intValue());
        return older;
    }

    @Test
    void theLabelMovedToAnOlderIssueChangesNothing() throws IOException {
        String eventId = UUID.randomUUID().toString();
        int older = olderBotIssueThenTheStore(eventId);
        int store = older + 1;
        asAlice("PATCH", "/issues/" + store, "{\"labels\":[]}");
        asAlice("POST", "/issues/" + older + "/labels", "{\"labels\":[\"event-bus-state\"]}");

        Scripts.Result again = dedupe(env(), "claim", eventId);
        assertEquals("duplicate", verdict(again), "claimed before the label moved: " + again);
        assertTrue(again.stderr().contains("(state issue #" + store + ")"), again.stderr());
        assertEquals("new", verdict(dedupe(env(), "claim", UUID.randomUUID().toString())));
        assertEquals(2, github.issues(REPO).size(), "no new store was opened");
        assertTrue(github.comments(REPO, older).isEmpty(), "nothing was written on the labelled issue");
    }

    @Test
    void anotherIssueLabelledTooChangesNothing() throws IOException {
        String eventId = UUID.randomUUID().toString();
        int older = olderBotIssueThenTheStore(eventId);
        asAlice("POST", "/issues/" + older + "/labels", "{\"labels\":[\"event-bus-state\"]}");
        int newer = github.createIssue(REPO, "another", "github-actions[bot]");
        asAlice("POST", "/issues/" + newer + "/labels", "{\"labels\":[\"event-bus-state\"]}");

        assertEquals("duplicate", verdict(dedupe(env(), "claim", eventId)));
        assertEquals(3, github.issues(REPO).size(), "no new store was opened");
        assertTrue(github.comments(REPO, older).isEmpty() && github.comments(REPO, newer).isEmpty());
    }

    @Test
    void theStoresIssueClosedReopenedOrRetitledChangesNothing() throws IOException {
        String eventId = UUID.randomUUID().toString();
        assertEquals("new", verdict(dedupe(env(), "claim", eventId)));
        asAlice("PATCH", "/issues/1", "{\"state\":\"closed\",\"state_reason\":\"not_planned\"}");
        assertEquals("duplicate", verdict(dedupe(env(), "claim", eventId)), "closed");
        asAlice("PATCH", "/issues/1", "{\"state\":\"open\",\"title\":\"please delete me\"}");
        assertEquals("duplicate", verdict(dedupe(env(), "claim", eventId)), "reopened and retitled");
        assertEquals(1, github.issues(REPO).size(), "no new store was opened");
    }

    @Test
    void aRepositoryWithoutAStoreGetsOneEvenWhenTwoFirstClaimsRace() throws Exception {
        String eventId = UUID.randomUUID().toString();
        List<Map<String, String>> envs = List.of(env(), env());
        // Both processes' first look at the refs is held back, so both find no store and both try to open one.
        github.injectFault("GET", "/repos/" + REPO + "/git/matching-refs/.*", GitHubEmulator.Fault.delay(2_000), 2);
        List<Scripts.Result> runs = inParallel(envs, List.of(new String[] {"claim", eventId, "--verbose"}, new String[] {"claim", eventId, "--verbose"}));
        List<String> verdicts = runs.stream().map(DedupeEndToEndTest::verdict).sorted().toList();
        assertEquals(List.of("duplicate", "new"), verdicts, runs.toString());
        assertEquals(1, github.issues(REPO).size(), "one store: " + runs);
        assertEquals(1, runs.stream().filter(r -> r.stderr().contains("opened state issue #1")).count(), runs.toString());
        assertTrue(github.refs(REPO).contains("refs/event-bus/dedupe/1/store"));
        assertFalse(github.refs(REPO).contains("refs/event-bus/dedupe-opening"), "the opening lock is gone");
        System.out.println("two racing first claims: " + runs.stream().map(DedupeEndToEndTest::requests).toList());
    }

    @Test
    void theStoresIssueDeletedIsAnErrorNeverANewStore() throws IOException {
        String eventId = UUID.randomUUID().toString();
        assertEquals("new", verdict(dedupe(env(), "claim", eventId)));
        github.deleteIssue(REPO, 1);

        github.clearJournal();
        Scripts.Result claim = dedupe(env(), "claim", eventId);
        assertEquals(1, claim.exitCode(), claim.toString());
        assertEquals("", claim.stdout());
        assertTrue(claim.stderr().startsWith("the dedupe store is gone: state issue #1 (named by the refs under refs/event-bus/dedupe/1/) "
                + "was deleted (410 This issue was deleted), so its claims cannot be read and nothing was claimed. Restore the issue if you "
                + "can; to start an empty store on purpose"), claim.stderr());
        assertEquals(1, claim.stderr().lines().count(), "one line: " + claim.stderr());
        assertTrue(github.issues(REPO).isEmpty(), "no new store was opened");
        assertTrue(github.journal().stream().noneMatch(e -> e.method().equals("POST") && e.path().endsWith("/issues")));
    }

    @Test
    void aCommentRewrittenIntoGarbageCostsOneWarningAndNoLeaseWait() throws IOException {
        // The attack: the state comment, written once (its ticket new-<shard>-0 stays at rest), rewritten by
        // a person into something that is no state at all. The next write of its shard must not take that ticket again.
        String before = UUID.randomUUID().toString();
        Map<String, String> env = env();
        env.put("GITHUB_ACTIONS", "true");
        assertEquals("new", verdict(dedupe(env, "claim", before)));
        long original = ((Number) github.comments(REPO, 1).get(0).get("id")).longValue();
        int shard = dedupe.shardOf(UUID.fromString(before));
        String atRest = "refs/event-bus/dedupe/1/new-" + shard + "-0";
        assertTrue(github.refs(REPO).contains(atRest), github.refs(REPO).toString());
        asAlice("PATCH", "/issues/comments/" + original, "{\"body\":\"lol\"}");

        github.clearJournal();
        String after = DedupeTest.idInShard(shard).toString();
        Scripts.Result run = dedupe(env, "claim", after, "--verbose");
        assertEquals("new", verdict(run));
        assertEquals(1, run.stderr().lines().filter(l -> l.startsWith("::warning")).count(), run.stderr());
        assertTrue(run.stderr().contains("::warning title=dedupe%3A state comment set aside::state comment ") && run.stderr().contains(
                "no longer reads as state (its first line is no longer <!-- event-bus:dedupe v1 -->)"), run.stderr());
        // No wait: no ticket was refused, none taken over (.r1); the one taken is new, the one at rest deleted.
        assertTrue(github.journal("POST", ".*/git/refs").stream().allMatch(e -> e.status() == 201), DedupeTest.describe(github.journal()));
        dedupe.State replacement = DedupeTest.stateOf(DedupeTest.commentBodies(github, 1).get(1));
        String taken = replacement.tickets().get(0);
        assertTrue(taken.matches("refs/event-bus/dedupe/1/new-" + shard + "-[0-9a-f]{12}"), taken);
        assertFalse(github.refs(REPO).contains(atRest));
        assertEquals(List.of(original), replacement.replaced());
        assertEquals("lol", DedupeTest.commentBodies(github, 1).get(0), "kept for inspection");
        System.out.println("claim after a comment was rewritten: " + requests(run));

        Scripts.Result next = dedupe(env, "claim", after);
        assertEquals("duplicate", verdict(next));
        assertFalse(next.stderr().contains("::warning"), "warned once: " + next.stderr());
    }

    @Test
    void aClaimOnAFullCommentEvictsTheOldestWithAWarning() throws IOException {
        String eventId = DedupeTest.idInShard(3).toString();
        List<dedupe.Entry> entries = DedupeTest.routerClaims(3, 3_000, Instant.now().getEpochSecond() + 60);
        dedupe.Rendered full = new dedupe.State(3, 1, entries, List.of(), List.of(), null).render(null, Instant.now());
        int capacity = entries.size() - full.evicted().size();
        int issue = DedupeTest.openIssue(github, "event-bus state");
        DedupeTest.comment(github, GitHubEmulator.DEFAULT_TOKEN, issue, full.text());

        Map<String, String> env = env();
        env.put("GITHUB_ACTIONS", "true");
        Scripts.Result run = dedupe(env, "claim", eventId, "--state-issue", String.valueOf(issue));
        assertEquals("new", verdict(run), run.toString());
        assertTrue(run.stderr().contains("::warning title=dedupe%3A state comment full::state comment 3 of 8 is full: evicted the "), run.stderr());
        assertTrue(github.journal().stream().noneMatch(e -> e.status() == 422 && !e.path().contains("/git/refs")), "never a 422");
        List<UUID> stored = storedIds(issue);
        assertTrue(stored.contains(UUID.fromString(eventId)));
        assertTrue(stored.size() >= 1_500 && stored.size() <= capacity, stored.size() + " of " + capacity);
        System.out.println("full comment: " + capacity + " entries fit; after the claim: " + stored.size());
    }

    @Test
    void whenGitHubIsDownFailExitsOneAndNewAnswersNewWithAWarning() throws IOException {
        assertEquals("new", verdict(dedupe(env(), "claim", UUID.randomUUID().toString())));
        // More 503s than attempts: GitHub cannot be reached, as far as the script can tell.
        github.injectFault("GET", "/repos/" + REPO + "/issues.*", GitHubEmulator.Fault.status(503), 4);
        Scripts.Result fail = dedupe(env(), "claim", UUID.randomUUID().toString(), "--max-attempts", "2");
        assertEquals(1, fail.exitCode(), fail.toString());
        assertEquals("", fail.stdout());
        assertTrue(fail.stderr().contains("failed after 2 attempts") && fail.stderr().contains("(--on-github-error fail)"), fail.stderr());

        Map<String, String> env = env();
        env.put("GITHUB_ACTIONS", "true");
        Scripts.Result atLeastOnce = dedupe(env, "claim", UUID.randomUUID().toString(), "--max-attempts", "2", "--on-github-error", "new");
        assertEquals(0, atLeastOnce.exitCode(), atLeastOnce.toString());
        assertEquals("new", atLeastOnce.stdout().strip());
        assertTrue(atLeastOnce.stderr().contains("::warning title=dedupe%3A GitHub unreachable::") && atLeastOnce.stderr().contains("may be processed twice"),
                atLeastOnce.stderr());
        assertEquals("claim=new\nduplicate=false\n", Files.readString(Path.of(env.get("GITHUB_OUTPUT"))));
    }

    @Test
    void aProducerRetryDeliversTwiceAndOnlyTheFirstDeliveryIsNew() throws Exception {
        github.injectFault("POST", "/repos/" + REPO + "/dispatches", GitHubEmulator.Fault.dropAfterAccept(), 1);
        Map<String, String> env = env();
        Scripts.Result emit = Scripts.jbang(temp, env, null, Scripts.ROOT.resolve("emit.java").toString(),
                "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(0, emit.exitCode(), emit.toString());
        assertTrue(emit.stderr().contains("attempt 1/5"), "emit retried: " + emit.stderr());
        List<Path> delivered = github.deliveredEvents(REPO);
        assertEquals(2, delivered.size(), "GitHub accepted the dispatch twice");
        JsonNode first = JSON.readTree(delivered.get(0).toFile());
        assertEquals(first.at("/client_payload/event_id"), JSON.readTree(delivered.get(1).toFile()).at("/client_payload/event_id"));

        List<String> verdicts = new ArrayList<>();
        Path log = temp.resolve("event_log.jsonl");
        for (Path event : delivered) {
            Map<String, String> router = env();
            router.put("GITHUB_EVENT_PATH", event.toString());
            router.put("EVENT_LOG", log.toString());
            Scripts.Result claim = dedupe(router, "claim", "--verbose");
            verdicts.add(verdict(claim));
            System.out.println("claim of delivery " + event.getFileName() + ": " + verdict(claim) + ", " + requests(claim));
        }
        assertEquals(List.of("new", "duplicate"), verdicts);
        JsonNode record = JSON.readTree(Files.readAllLines(log).get(0));
        assertEquals("duplicate", record.get("status").asText());
        assertEquals(first.at("/client_payload/event_id").asText(), record.get("event_id").asText());
        assertEquals("rfc.pr.ready", record.get("event_type").asText());
    }

    @Test
    void helpVersionAndBadInput() throws IOException {
        Scripts.Result help = dedupe(Map.of(), "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.stdout().startsWith("Usage: dedupe ") && help.stdout().contains("Exit codes:")
                && help.stdout().contains("Environment:"), help.toString());
        Scripts.Result version = dedupe(Map.of(), "--version");
        assertEquals("dedupe 0.1.0", version.stdout().strip());
        Scripts.Result bad = dedupe(env(), "claim", "not-a-uuid");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().startsWith("EVENT_ID: 'not-a-uuid' is not a lowercase UUID"), bad.stderr());
        assertFalse(bad.stderr().contains("Exception"), bad.stderr());
    }
}
