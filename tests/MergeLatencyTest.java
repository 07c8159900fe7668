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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * events merge-latency on the emulator's pull requests, check runs and commit statuses as GitHub serves them: the
 * time from a merged head's last green check to merged_at, the pull requests merged but not measured and why, the
 * pages it reads and where it stops, --max-prs, two windows side by side, and bad usage.
 */
class MergeLatencyTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    /** The start of the measured week, well before GitHub's now. */
    static final Instant WEEK = Instant.now().minus(Duration.ofDays(20)).truncatedTo(ChronoUnit.DAYS);

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().summary("summary.md");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final Path summary = temp.resolve("summary.md");

    InProcess.Run latency(String... args) {
        return EventsTest.events(testbed.env(), "merge-latency", List.of(args));
    }

    JsonNode latencyJson(String... args) throws IOException {
        return EventsTest.eventsJson(testbed.env(), "merge-latency", List.of(args));
    }

    static String at(Instant time) {
        return events.TIMESTAMP.format(time);
    }

    static Instant t(long seconds) {
        return WEEK.plusSeconds(seconds);
    }

    static GitHubEmulator.PastCheckRun check(String name, String conclusion, long completedAfter) {
        return new GitHubEmulator.PastCheckRun(name, conclusion == null ? "in_progress" : "completed", conclusion, null,
                conclusion == null ? null : t(completedAfter));
    }

    static GitHubEmulator.PastStatus status(String context, String state, long after) {
        return new GitHubEmulator.PastStatus(context, state, t(after));
    }

    /** A pull request opened at t(opened) and merged at t(merged), its head carrying these checks. */
    static GitHubEmulator.PastPullRequest pr(long opened, long merged, List<GitHubEmulator.PastCheckRun> checks,
                                              List<GitHubEmulator.PastStatus> statuses) {
        return new GitHubEmulator.PastPullRequest(null, t(opened), t(merged), checks, statuses);
    }

    /** The week: what GitHub can show about merged pull requests, one of each kind. */
    List<GitHubEmulator.MergedPullRequest> aWeekOfMerges() {
        return github.addMergedPullRequests(REPO, "main", List.of(
                // green at +100 (its last check run; the skipped one and the status were earlier), merged at +160: 60 s
                pr(0, 160, List.of(check("build", "success", 100), check("deploy-preview", "skipped", 5)),
                        List.of(status("ci/legacy", "success", 50))),
                // a neutral check run counts as passing: 3,600 s
                pr(1000, 4700, List.of(check("lint", "neutral", 1100)), List.of()),
                // CI only as commit statuses: green at +2000, merged at +2120: 120 s
                pr(1500, 2120, List.of(), List.of(status("ci", "pending", 1600), status("ci", "success", 2000))),
                // merged over a failed check
                pr(3000, 3300, List.of(check("build", "failure", 3200)), List.of()),
                // merged with no check or status at all (its combined status is pending, with no statuses)
                pr(4000, 4100, List.of(), List.of()),
                // merged while a check was still running
                pr(5000, 5100, List.of(check("build", null, 0)), List.of()),
                // a status still pending
                pr(5500, 5600, List.of(check("build", "success", 5550)), List.of(status("deploy", "pending", 5560))),
                // a check finished after the merge (a re-run, say)
                pr(6000, 6100, List.of(check("build", "success", 6200)), List.of()),
                // cancelled and timed out are not green
                pr(7000, 7200, List.of(check("build", "cancelled", 7100), check("e2e", "timed_out", 7150)), List.of())));
    }

    static final String[] THE_WEEK = {"--since", at(WEEK), "--until", at(WEEK.plus(Duration.ofDays(7)))};

    @Test
    void theTimeFromTheHeadsLastGreenCheckToTheMerge() throws IOException {
        List<GitHubEmulator.MergedPullRequest> prs = aWeekOfMerges();
        JsonNode report = latencyJson(THE_WEEK);
        assertEquals(9, report.get("merged").asInt(), report.toPrettyString());
        assertEquals(3, report.get("measured").asInt(), report.toPrettyString());
        assertEquals(1260.0, report.get("mean_seconds").asDouble(), "(60 + 3600 + 120) / 3");
        assertEquals(120, report.get("median_seconds").asLong());
        assertEquals(3600, report.get("p95_seconds").asLong());
        assertEquals("main", report.get("base").asText(), "the default branch");
        assertEquals(JSON.readTree("{\"number\":" + prs.get(0).number() + ",\"ready_at\":\"" + at(t(100)) + "\",\"merged_at\":\""
                + at(t(160)) + "\",\"seconds\":60}"), find(report.get("prs"), prs.get(0).number()));
        assertEquals(at(t(2000)), find(report.get("prs"), prs.get(2).number()).get("ready_at").asText(), "the status's latest state, success");

        Map<Integer, String> excluded = new HashMap<>();
        report.get("excluded").forEach(e -> excluded.put(e.get("number").asInt(), e.get("reason").asText()));
        assertEquals(6, excluded.size(), excluded.toString());
        assertEquals("a failed check: check run 'build' concluded failure", excluded.get(prs.get(3).number()));
        assertEquals("no checks: no check run or commit status on its head " + prs.get(4).headSha(), excluded.get(prs.get(4).number()));
        assertEquals("check run 'build' is in_progress", excluded.get(prs.get(5).number()));
        assertEquals("status 'deploy' is pending", excluded.get(prs.get(6).number()));
        assertEquals("green only after the merge: its last check finished at " + at(t(6200)), excluded.get(prs.get(7).number()));
        assertTrue(excluded.get(prs.get(8).number()).matches("a failed check: check run '(build|e2e)' concluded (cancelled|timed_out) \\(and 1 more\\)"),
                excluded.get(prs.get(8).number()));
    }

    @Test
    void theTableTheSummaryAndTheCost() throws IOException {
        List<GitHubEmulator.MergedPullRequest> prs = aWeekOfMerges();
        github.clearJournal();
        InProcess.Run run = latency(THE_WEEK);
        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals("merge latency into main: from the head's last green check to merged_at", lines.get(0));
        assertTrue(lines.get(2).matches("window +merged +measured +mean s +median s +p95 s"), lines.get(2));
        assertTrue(lines.get(3).matches(java.util.regex.Pattern.quote(at(WEEK) + " .. " + at(WEEK.plus(Duration.ofDays(7))))
                + " +9 +3 +1260\\.0 +120 +3600"), lines.get(3));
        assertTrue(run.out().contains("\n  #" + prs.get(3).number() + "  a failed check: check run 'build' concluded failure\n"), run.out());
        // One for the default branch, one list page, two per merged pull request.
        assertEquals(1 + 1 + 2 * 9, github.journal().size(), github.journal().toString());
        assertTrue(run.err().contains("merge-latency: 20 API requests: 1 for the default branch, 1 pull request list page, 18 for the checks of 9 "
                + "merged pull requests\n"), run.err());
        String markdown = Files.readString(summary);
        assertTrue(markdown.startsWith("### Merge latency\n\nPull requests merged into `main`"), markdown);
        assertTrue(markdown.contains("| 9 | 3 | 1260.0 | 120 | 3600 |"), markdown);
        assertTrue(markdown.contains("6 merged pull requests are not measured"), markdown);
    }

    @Test
    void pagesAreReadUntilTheyReachPullRequestsUpdatedBeforeTheWindow() throws IOException {
        // 250 merged long before the window, then 150 merged in it: two pages of the window, the third reaches the old ones.
        List<GitHubEmulator.PastPullRequest> old = IntStream.range(0, 250)
                .mapToObj(i -> pr(-90_000 + i, -80_000 + i, List.of(check("build", "success", -85_000)), List.of())).toList();
        github.addMergedPullRequests(REPO, "main", old);
        List<GitHubEmulator.PastPullRequest> recent = IntStream.range(0, 150)
                .mapToObj(i -> pr(i * 100, i * 100 + 90, List.of(check("build", "success", i * 100 + 30)), List.of())).toList();
        github.addMergedPullRequests(REPO, "main", recent);
        github.clearJournal();
        JsonNode report = latencyJson(THE_WEEK);
        assertEquals(150, report.get("merged").asInt());
        assertEquals(150, report.get("measured").asInt());
        assertEquals(60, report.get("median_seconds").asLong());
        List<String> pages = github.journal("GET", "/repos/" + REPO + "/pulls").stream().map(GitHubEmulator.JournalEntry::query).toList();
        assertEquals(2, pages.size(), "the second page holds pull requests updated before the window: no third is read. " + pages);
        assertTrue(pages.get(0).contains("state=closed") && pages.get(0).contains("base=main") && pages.get(0).contains("sort=updated")
                && pages.get(0).contains("direction=desc") && pages.get(0).contains("per_page=100"), pages.get(0));
        assertEquals(1 + 2 + 2 * 150, report.get("api_requests").asInt(), "bounded: two per merged pull request and the list");
    }

    @Test
    void maxPrsBoundsTheWorkAndSaysSo() throws IOException {
        aWeekOfMerges();
        github.clearJournal();
        InProcess.Run run = latency(THE_WEEK[0], THE_WEEK[1], THE_WEEK[2], THE_WEEK[3], "--max-prs", "4", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals(4, report.get("merged").asInt());
        assertTrue(report.get("truncated").asBoolean());
        assertTrue(run.err().contains("more than 4 pull requests merged into main since " + at(WEEK)), run.err());
        assertEquals(1 + 1 + 2 * 4, github.journal().size());
    }

    @Test
    void twoWindowsSideBySideWithTheirRatio() throws IOException {
        Instant before = WEEK.minus(Duration.ofDays(7));
        github.addMergedPullRequests(REPO, "main", List.of(
                new GitHubEmulator.PastPullRequest(null, before, before.plusSeconds(300), List.of(
                        new GitHubEmulator.PastCheckRun("build", "completed", "success", null, before.plusSeconds(100))), List.of()),
                new GitHubEmulator.PastPullRequest(null, before.plusSeconds(1000), before.plusSeconds(1400), List.of(
                        new GitHubEmulator.PastCheckRun("build", "completed", "success", null, before.plusSeconds(1200))), List.of())));
        github.addMergedPullRequests(REPO, "main", List.of(
                pr(0, 150, List.of(check("build", "success", 50)), List.of()),
                pr(1000, 1100, List.of(check("build", "success", 1000)), List.of())));
        String[] args = {THE_WEEK[0], THE_WEEK[1], THE_WEEK[2], THE_WEEK[3], "--compare-since", at(before), "--compare-until", at(WEEK), "--base", "main"};
        InProcess.Run run = latency(args);
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("\nratio (first / second): mean 0.50, median 0.50 (the mean fell by 50 %)\n"), run.out());
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        JsonNode report = JSON.readTree(latency(all.toArray(String[]::new)).out());
        assertEquals(100.0, report.get("mean_seconds").asDouble());
        assertEquals(200.0, report.at("/compare/mean_seconds").asDouble());
        assertEquals(JSON.readTree("{\"mean\":0.5,\"median\":0.5,\"p95\":0.5}"), report.get("ratio"));
        assertEquals(at(before), report.at("/compare/window/since").asText());
        assertFalse(report.has("excluded") && report.get("excluded").size() > 0);
        assertTrue(Files.readString(summary).contains("Ratio of the means (first / second): **0.50**"));
    }

    @Test
    void aPullRequestIntoAnotherBaseOrUnmergedIsNotCounted() throws IOException {
        github.addBranch(REPO, "release");
        github.addMergedPullRequests(REPO, "release", List.of(pr(0, 100, List.of(check("build", "success", 50)), List.of())));
        github.addBranch(REPO, "feature");
        github.commitFile(REPO, "feature", "f.txt", "x\n", "work");
        int closed = github.createPullRequest(REPO, "feature", "main", "closed unmerged", "", "octocat");
        try {
            // PATCH /pulls/{number} {"state":"closed"}: closed without a merge (merged_at null).
            var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(github.url() + "/repos/" + REPO + "/pulls/" + closed))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                    .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"state\":\"closed\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        assertEquals("closed", github.pullRequest(REPO, closed).get("state"));
        JsonNode main = latencyJson("--since", "60d");
        assertEquals(0, main.get("merged").asInt(), main.toString());
        assertEquals(1, latencyJson("--since", "60d", "--base", "release").get("merged").asInt());
    }

    @Test
    void badUsageIsExitTwoWithOneLineAndNoRequest() {
        String[][] cases = {
            {"--max-prs must be at least 1, not 0", "--max-prs", "0"},
            {"--max-prs must be at least 1, not -5", "--max-prs", "-5"},
            {"--until (" + at(WEEK) + ") must be after --since (" + at(WEEK.plusSeconds(3600)) + "): the window ends before it starts",
                "--since", at(WEEK.plusSeconds(3600)), "--until", at(WEEK)},
            {"--until (", "--since", "1d", "--until", "3d"},
            {"--compare-until (", "--compare-since", at(WEEK), "--compare-until", at(WEEK)},
            {"--compare-since and --compare-until go together", "--compare-since", "14d"},
            {"--since must be a duration such as 7d, 24h or 90m, or an RFC 3339 time", "--since", "last week"},
            {"--base must be a branch name, not 'a b'", "--base", "a b"},
        };
        for (String[] c : cases) {
            github.clearJournal();
            InProcess.Run run = latency(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().startsWith(c[0]), run.toString());
            assertEquals(2, run.err().lines().count(), run.err());
            assertEquals(List.of(), github.journal(), "no request: " + c[0]);
            assertEquals("", run.out());
        }
    }

    static JsonNode find(JsonNode prs, int number) {
        for (JsonNode pr : prs) {
            if (pr.get("number").asInt() == number) {
                return pr;
            }
        }
        throw new AssertionError("no #" + number + " in " + prs);
    }
}
