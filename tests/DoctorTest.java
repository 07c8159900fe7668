import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * events doctor against the emulator: every check passes in a repository set up as the demo sets it up (RouterFixture:
 * the routes, the consumers, the routers), and each fails, with its fix and exit 1, when its primitive does not work: a
 * refused ref, a missing workflow, an input the workflow does not declare, a run-name without the event id, a token
 * without a permission, a store that is not locked, an archive that does not download. A new repository passes. Nothing
 * is dispatched and nothing is left behind.
 */
class DoctorTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();
    final RouterFixture fixture = testbed.checkout();


    Map<String, String> env() {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_WORKSPACE", fixture.workspace().toString());
        return env;
    }

    InProcess.Run doctor(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("doctor"));
        all.addAll(List.of(args));
        return EventsTest.events(env, all.toArray(String[]::new));
    }

    InProcess.Run doctor(String... args) {
        return doctor(env(), args);
    }

    /** The line of one check: "pass  NAME: ..." or "FAIL  NAME: ...". */
    static String line(InProcess.Run run, String check) {
        return run.out().lines().filter(l -> l.substring(6).startsWith(check + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + check + ": " + run));
    }

    static void passes(InProcess.Run run, String check, String found) {
        String line = line(run, check);
        assertTrue(line.startsWith("pass  " + check + ": ") && line.contains(found), check + ": " + run);
    }

    static void fails(InProcess.Run run, String check, String found, String fix) {
        assertEquals(1, run.exitCode(), run.toString());
        String line = line(run, check);
        assertTrue(line.startsWith("FAIL  " + check + ": ") && line.contains(found) && line.contains("; fix: " + fix), check + ": " + run);
    }

    /** What the repository holds that doctor could have left: refs, issues, workflow runs, deliveries. */
    record Leftovers(Set<String> refs, int issues, int runs, int deliveries) {
    }

    static Leftovers leftovers() {
        return new Leftovers(testbed.github().refs(REPO), testbed.github().issues(REPO).size(), testbed.github().workflowRuns(REPO).size(), testbed.github().deliveredEvents(REPO).size());
    }

    // ---- passing -----------------------------------------------------------------------------

    @Test
    void everyCheckPassesAfterTheDemosSetUpAndNothingIsDispatchedOrLeftBehind() {
        Leftovers before = leftovers();
        Scripts.Result run = fixture.script(Scripts.ROOT.resolve("events.java").toString(), "doctor");
        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = run.stdout().lines().toList();
        assertEquals(List.of("repository", "routes", "write tickets", "dedupe store", "write issues", "workflow pr-flow-monitor.yml",
                "workflow ci-dispatcher.yml", "workflow merge-orchestrator.yml", "workflow auto-remediator.yml", "workflow rfc-cleanup-duplicates.yml",
                "workflow cleanup-stalled-prs.yml", "dispatch workflows", "history", "archive download"),
                lines.stream().map(l -> l.substring(6, l.indexOf(": "))).toList(), run.toString());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("pass  ")), run.toString());
        assertTrue(run.stderr().contains("doctor: all 14 checks passed in " + REPO + " (15 requests)"), run.toString());
        assertEquals(before, leftovers(), "no ref, issue, run or event left behind");
        assertTrue(github.journal().stream().noneMatch(e -> e.status() / 100 == 2 && e.method().equals("POST") && e.path().endsWith("/dispatches")),
                "nothing dispatched");
    }

    @Test
    void aNewRepositoryPassesAndEachLineSaysWhatTheFirstEventWillCreate() {
        InProcess.Run run = doctor();
        assertEquals(0, run.exitCode(), run.toString());
        passes(run, "dedupe store", "none yet: the first claim opens an issue labelled event-bus-state, locks it and creates "
                + "refs/event-bus/dedupe/<issue>/store");
        passes(run, "history", "no branch event-bus-history yet: the first record a workflow with EVENT_BUS_HISTORY=true appends creates it");
        passes(run, "archive download", "the zipball of main downloads");
        passes(run, "write tickets", "created and deleted refs/event-bus/doctor/");
        passes(run, "write issues", "GitHub refused a probe issue for its body (422)");
        passes(run, "dispatch workflows", "GitHub refused a probe dispatch of pr-flow-monitor.yml for its ref (422)");
        passes(run, "workflow merge-orchestrator.yml", "active on GitHub; workflow_dispatch and workflow_call with the inputs its routes map; "
                + "its run-name shows the event id");
    }

    @Test
    void aRepositoryWithAStoreAndAHistoryPasses() throws Exception {
        // One event through the router: dedupe opens the store, the router appends to the history.
        WorkflowRunner.JobRun routed = fixture.route(fixture.rawDispatch("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}"));
        assertTrue(routed.succeeded(), routed.toString());
        int store = ((Number) github.issues(REPO).get(0).get("number")).intValue();
        InProcess.Run run = doctor();
        assertEquals(0, run.exitCode(), run.toString());
        passes(run, "dedupe store", "issue #" + store + ", named by its refs, locked");
        passes(run, "history", "the branch event-bus-history is readable");
        passes(run, "archive download", "the zipball of event-bus-history downloads");
    }

    @Test
    void withHistoryItAppendsOneFileAndDeletesItWhereNoReaderLooks() throws Exception {
        // No branch yet: it is made as the first record would make it, and stays, with nothing but its README.
        InProcess.Run first = doctor("--history");
        assertEquals(0, first.exitCode(), first.toString());
        passes(first, "history append", "created the branch event-bus-history (as the first record would; it stays), appended doctor/");
        assertEquals(List.of("README.md"), historyFiles());
        // With a branch: appended and deleted, nothing left but the commits.
        InProcess.Run again = doctor("--history");
        assertEquals(0, again.exitCode(), again.toString());
        passes(again, "history append", "appended doctor/");
        assertEquals(List.of("README.md"), historyFiles());
        assertEquals(2, github.journal("PUT", "/repos/" + REPO + "/contents/doctor/.*").size());
        assertEquals(2, github.journal("DELETE", "/repos/" + REPO + "/contents/doctor/.*").size());
    }

    /** workflows/event-doctor.yml as written, run from the Actions tab with history=true: its one job holds the router's permissions. */
    @Test
    void theDoctorWorkflowRunsItOnDemandWithTheRoutersPermissionsOnly() throws Exception {
        WorkflowRunner.JobRun run = fixture.runWorkflow("event-doctor.yml", "doctor", "workflow_dispatch", null, Map.of("history", "true"));
        assertTrue(run.succeeded(), run.toString());
        String out = run.step("Doctor").stdout();
        assertEquals(15, out.lines().count(), out);
        assertTrue(out.lines().allMatch(l -> l.startsWith("pass  ")), out);
        assertTrue(out.contains("pass  history append: created the branch event-bus-history"), out);
        var workflow = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(RouterFixture.WORKFLOWS.resolve("event-doctor.yml").toFile());
        assertEquals("{}", workflow.get("permissions").toString(), "nothing for the workflow as a whole");
        assertEquals("{\"contents\":\"write\",\"issues\":\"write\",\"actions\":\"write\"}", workflow.at("/jobs/doctor/permissions").toString());
        assertTrue(workflow.at("/on/workflow_dispatch").isObject());
    }

    /** The files of the history branch, from its zipball as GitHub serves it. */
    static List<String> historyFiles() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<byte[]> zip = client.send(HttpRequest.newBuilder(URI.create(testbed.github().url() + "/repos/" + REPO + "/zipball/event-bus-history"))
                .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).header("User-Agent", "test").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, zip.statusCode());
        List<String> files = new ArrayList<>();
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    files.add(entry.getName().substring(entry.getName().indexOf('/') + 1));
                }
            }
        }
        return files;
    }

    // ---- failing -----------------------------------------------------------------------------

    @Test
    void aRepositoryThatRefusesRefsUnderEventBusFailsTheWriteTickets() {
        github.refuseRefs(REPO, "refs/event-bus/");
        InProcess.Run run = doctor();
        fails(run, "write tickets", "GitHub refused to create refs/event-bus/doctor/", "dedupe takes its write tickets as refs under refs/event-bus/");
        assertTrue(line(run, "write tickets").contains("422 Repository rule violations found"), run.toString());
        passes(run, "dedupe store", "none yet");
    }

    @Test
    void aWorkflowGitHubDoesNotKnowFails() throws IOException {
        github.reset(); // the consumers are not on the default branch yet
        InProcess.Run run = doctor();
        fails(run, "workflow pr-flow-monitor.yml", "GitHub does not know it (404", "commit .github/workflows/pr-flow-monitor.yml to the default branch");
        fails(run, "dispatch workflows", "not proven: no routed workflow that GitHub knows to ask", "fix the workflows above");
    }

    @Test
    void anInputTheWorkflowDoesNotDeclareFails() throws IOException {
        Path routes = fixture.workspace().resolve(".github/event-routes.yml");
        Files.writeString(routes, Files.readString(routes).replaceFirst("      series: data.series\n", "      series: data.series\n      sprint: data.micro\n"));
        InProcess.Run run = doctor();
        fails(run, "workflow pr-flow-monitor.yml", "input 'sprint' (line 29) is not declared under on.workflow_dispatch.inputs",
                "edit .github/workflows/pr-flow-monitor.yml");
        assertTrue(line(run, "workflow pr-flow-monitor.yml").contains("is not declared under on.workflow_call.inputs"), run.toString());
    }

    @Test
    void aRunNameWithoutTheEventIdFails() throws IOException {
        Path workflow = fixture.workspace().resolve(".github/workflows/auto-remediator.yml");
        String text = Files.readString(workflow);
        assertTrue(text.contains("inputs.event_id"), "the shipped consumer shows it");
        Files.writeString(workflow, text.replaceFirst("(?m)^run-name: .*$", "run-name: Auto-remediation"));
        InProcess.Run run = doctor();
        fails(run, "workflow auto-remediator.yml", "its run-name does not show the event id the route on line ",
                "edit .github/workflows/auto-remediator.yml");
    }

    @ParameterizedTest
    @CsvSource({
        "write tickets, contents: read, contents=write, contents: write",
        "write issues, issues: read, issues=write, issues: write",
        "dispatch workflows, actions: read, actions=write, actions: write"})
    void aTokenWithoutAPermissionTheBusNeedsFailsNamingIt(String check, String reduced, String accepted, String permission) {
        Map<String, String> permissions = new HashMap<>(Map.of("contents", "write", "issues", "write", "actions", "write"));
        String[] scope = reduced.split(": ");
        permissions.put(scope[0], scope[1]);
        github.addInstallationToken("ghs_doctorScopedToken0000000000000000000", permissions);
        Map<String, String> env = env();
        env.put("GITHUB_TOKEN", "ghs_doctorScopedToken0000000000000000000");
        InProcess.Run run = doctor(env);
        fails(run, check, "403 Resource not accessible by integration; GitHub accepts: " + accepted, "give the job `permissions: " + permission + "`");
        assertEquals(1, run.out().lines().filter(l -> l.startsWith("FAIL")).count(), "only that check: " + run);
    }

    @Test
    void aStoreThatIsNotLockedOrNamedTwiceFails() throws Exception {
        WorkflowRunner.JobRun routed = fixture.route(fixture.rawDispatch("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}"));
        assertTrue(routed.succeeded(), routed.toString());
        int store = ((Number) github.issues(REPO).get(0).get("number")).intValue();
        Map<String, String> env = env();
        int other = github.createIssue(REPO, "not a store", "github-actions[bot]");
        env.put("EVENT_BUS_STATE_ISSUE", String.valueOf(other));
        fails(doctor(env), "dedupe store", "issue #" + other + " holds the store but is not locked", "lock it: gh issue lock " + other);
        // Refs naming a second issue: every claim would fail.
        String sha = github.branchSha(REPO, "main");
        HttpClient client = HttpClient.newHttpClient();
        try {
            client.send(HttpRequest.newBuilder(URI.create(github.url() + "/repos/" + REPO + "/git/refs"))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).header("User-Agent", "test")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"refs/event-bus/dedupe/" + other + "/store\",\"sha\":\"" + sha + "\"}"))
                    .build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        fails(doctor(), "dedupe store", "name several issues (#" + Math.min(store, other) + ", #" + Math.max(store, other) + ")",
                "set EVENT_BUS_STATE_ISSUE to the store's issue");
    }

    @Test
    void historyAndArchiveThatCannotBeReadFail() {
        github.injectFault("GET", "/repos/" + REPO + "/git/ref/heads/event-bus-history", GitHubEmulator.Fault.status(403), 1);
        github.injectFault("GET", "/repos/" + REPO + "/zipball/main", GitHubEmulator.Fault.status(404), 1);
        InProcess.Run run = doctor();
        fails(run, "history", "cannot read the branch event-bus-history (403", "give the job `permissions: contents: read`");
        fails(run, "archive download", "GitHub answered 404", "not found");
    }

    @Test
    void aRoutesFileThatIsMissingOrBreaksItsSchemaFails() throws IOException {
        Path routes = fixture.workspace().resolve(".github/event-routes.yml");
        Files.writeString(routes, Files.readString(routes).replaceFirst("    workflow: pr-flow-monitor.yml", "    workflw: pr-flow-monitor.yml"));
        InProcess.Run broken = doctor();
        fails(broken, "routes", routes + ":24: missing 'workflow'", "fix the routes file: 'route graph --routes " + routes + "' lists every problem");
        Files.delete(routes);
        fails(doctor(), "routes", "cannot read " + routes + ": no such file", "copy event-routes.yml to .github/event-routes.yml");
    }

    @Test
    void aTokenWhoseAccountMayNotWriteFailsTheRepositoryCheck() {
        github.addUser("ghp_readerToken000000000000000000000000", "reader", false);
        Map<String, String> env = env();
        env.put("GITHUB_TOKEN", "ghp_readerToken000000000000000000000000");
        fails(doctor(env), "repository", "the token's account may not write to it (permissions.push false)", "use the workflow's GITHUB_TOKEN");
    }

    @Test
    void withoutATokenItExitsTwoAndSendsNothing() {
        Map<String, String> env = env();
        env.remove("GITHUB_TOKEN");
        InProcess.Run run = doctor(env);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("no token: set GITHUB_TOKEN or GH_TOKEN"), run.toString());
        assertEquals("", run.out());
        assertTrue(github.journal().isEmpty(), github.journal().toString());
    }

    @Test
    void aBadTokenFailsTheRepositoryCheckAndStopsThere() {
        Map<String, String> env = env();
        env.put("GITHUB_TOKEN", "ghs_notATokenTheEmulatorKnows000000000000");
        InProcess.Run run = doctor(env);
        fails(run, "repository", "401 Bad credentials", "check GITHUB_TOKEN");
        assertEquals(1, run.out().lines().count(), run.toString());
        assertEquals(1, github.journal().size());
    }

    @Test
    void inActionsAFailureIsAnAnnotationAndTheJobSummaryHasTheTable() throws IOException {
        github.refuseRefs(REPO, "refs/event-bus/");
        Path summary = temp.resolve("summary.md");
        Map<String, String> env = env();
        env.put("GITHUB_ACTIONS", "true");
        env.put("GITHUB_STEP_SUMMARY", summary.toString());
        InProcess.Run run = doctor(env);
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("::error title=doctor%3A write tickets::GitHub refused to create refs/event-bus/doctor/"), run.toString());
        String markdown = Files.readString(summary);
        assertTrue(markdown.startsWith("### event-bus doctor\n\n| | Check | Found | Fix |\n"), markdown);
        assertTrue(markdown.contains("| :x: | write tickets | GitHub refused to create refs/event-bus/doctor/"), markdown);
        Set<String> names = new TreeSet<>();
        run.out().lines().forEach(l -> names.add(l.substring(0, 4)));
        assertEquals(Set.of("pass", "FAIL"), names);
    }
}
