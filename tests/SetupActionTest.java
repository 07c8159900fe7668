import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up action, setup/action.yml, as a job runs it (WorkflowRunner runs its run: steps; actions/setup-java and
 * actions/cache are the runner's, recorded with the inputs the action gives them): what it trusts, what JBang then
 * reads, which cache it restores and whether it saves one, and what it refuses.
 */
class SetupActionTest {
    static final String CATALOG_COMMIT = "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c";
    static final String RELEASE = "4f1c9e3a0b7d2e6f8a5c1b9d3e7f0a2c4b6d8e1f";
    static final String SAVE = "setup/step3";
    static final String RESTORE_ONLY = "setup/step4";
    static final String TRUST = "setup/step5";

    @TempDir
    Path temp;
    Path workspace;
    Path jbangDir;

    @BeforeEach
    void checkOut() throws IOException {
        // actions/checkout: a repository with its ./jbang wrapper and its copy of the action.
        workspace = Files.createDirectories(temp.resolve("workspace"));
        Files.createSymbolicLink(workspace.resolve("jbang"), Scripts.JBANG);
        Path action = Files.createDirectories(workspace.resolve(".github/actions/event-bus-setup"));
        Files.copy(Scripts.ROOT.resolve("setup/action.yml"), action.resolve("action.yml"));
        jbangDir = Files.createDirectories(temp.resolve("jbang-home"));
        FastPathEndToEndTest.copySuiteJBang(jbangDir);
    }

    /** One job: the action with these inputs, then a step that shows what the job's next steps see. */
    WorkflowRunner.JobRun run(String event, String catalog, String release, String cache) throws IOException, InterruptedException {
        Path workflow = Files.writeString(temp.resolve("job.yml"), """
                on: [push, repository_dispatch, pull_request, pull_request_target, workflow_run, issues]
                jobs:
                  job:
                    runs-on: ubuntu-latest
                    steps:
                      - id: setup
                        uses: ./.github/actions/event-bus-setup
                        with:
                          catalog: "%s"
                          release: "%s"
                          cache: "%s"
                      - id: after
                        run: echo "version-check-off=$JBANG_NO_VERSION_CHECK" >> "$GITHUB_OUTPUT"
                """.formatted(catalog, release, cache));
        Map<String, String> environment = new HashMap<>(Scripts.baseEnvironment(jbangDir));
        environment.remove("JBANG_NO_VERSION_CHECK"); // the action's to set
        environment.put("GITHUB_EVENT_NAME", event);
        return new WorkflowRunner(workflow).run("job", workspace, Map.of("repository_owner", "acme"), environment, Map.of());
    }

    @Test
    void aJobStartedByAWriterTrustsExactlyTheReleaseAndSavesItsCacheUnderIt() throws Exception {
        WorkflowRunner.JobRun run = run("repository_dispatch", "acme/jbang-catalog/" + CATALOG_COMMIT, RELEASE, "read-write");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));

        // JBang trusts the catalog at its commit and event-bus at the release's, nothing else.
        String trusted = Files.readString(jbangDir.resolve("trusted-sources.json"));
        assertEquals(List.of("https://github.com/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/", "https://github.com/acme/event-bus/blob/" + RELEASE + "/"),
                quoted(trusted.substring(trusted.indexOf('['))));
        assertEquals("https://github.com/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/\nhttps://github.com/acme/event-bus/blob/" + RELEASE + "/",
                run.step("setup").outputs().get("trusted"));
        // Its copies never go stale; the catalog's name is noted at its github.com URL, as JBang notes one it found.
        assertEquals("cache-evict=never\n", Files.readString(jbangDir.resolve("jbang.properties")));
        assertEquals(RouterFixture.YAML.readTree("{\"catalogs\": {\"acme/jbang-catalog/" + CATALOG_COMMIT + "\": {\"catalog-ref\": "
                        + "\"https://github.com/acme/jbang-catalog/blob/" + CATALOG_COMMIT + "/jbang-catalog.json\"}}}"),
                RouterFixture.YAML.readTree(jbangDir.resolve("implicit-catalog.json").toFile()));
        assertEquals("true", run.step("after").outputs().get("version-check-off"), "the job's next steps run JBang without its version check");

        // The cache: restored and saved (actions/cache), under the runner's OS, the JDK build, both commits and the wrapper.
        assertEquals("read-write", run.step("setup").outputs().get("cache"));
        assertEquals("skipped", run.step(RESTORE_ONLY).outcome());
        WorkflowRunner.Step cache = run.step(SAVE);
        assertEquals("provided", cache.outcome());
        assertTrue(cache.name().matches("actions/cache@[0-9a-f]{40}"), cache.name());
        String prefix = "event-bus-Linux-java-" + Pattern.quote(javaBuild()) + "-acme/jbang-catalog/" + CATALOG_COMMIT + "-" + RELEASE + "-";
        assertTrue(cache.with().get("key").matches(prefix + "jbang-[0-9a-f]{16}"), cache.with().toString());
        assertEquals(cache.with().get("key"), run.step("setup").outputs().get("cache-key"));
        assertTrue(cache.with().get("restore-keys").matches(prefix), "restored only from the same release: " + cache.with());
        // The step's shell expands $HOME, which the runner inherits from this process (not Java's user.home, read from passwd).
        assertEquals(jbangDir + "\n" + System.getenv().getOrDefault("HOME", System.getProperty("user.home")) + "/.m2/repository",
                cache.with().get("path"));
    }

    @Test
    void aJobThatPeopleWithoutWriteAccessCanStartNeverSavesTheCache() throws Exception {
        String writersKey = null;
        for (String event : List.of("pull_request", "pull_request_target", "workflow_run", "issues")) {
            WorkflowRunner.JobRun run = run(event, "acme/jbang-catalog/" + CATALOG_COMMIT, RELEASE, "read-write");
            assertTrue(run.succeeded(), event + ": " + RouterWorkflowTest.describe(run));
            assertEquals("read-only", run.step("setup").outputs().get("cache"), event);
            assertTrue(run.step("setup/plan").stdout().contains("::notice title=event-bus set-up::cache: read-write in a job started by "
                    + event + ", which people without write access can cause: the cache is only restored here"), run.step("setup/plan").stdout());
            assertEquals("skipped", run.step(SAVE).outcome(), event + ": no actions/cache, whose post step would save");
            WorkflowRunner.Step restore = run.step(RESTORE_ONLY);
            assertTrue(restore.name().matches("actions/cache/restore@[0-9a-f]{40}"), restore.name());
            // It reads what the writers' jobs saved, under the same key.
            writersKey = writersKey == null ? restore.with().get("key") : writersKey;
            assertEquals(writersKey, restore.with().get("key"), event);
            assertEquals("success", run.step(TRUST).outcome(), event);
        }
        WorkflowRunner.JobRun off = run("schedule", "acme/jbang-catalog/" + CATALOG_COMMIT, RELEASE, "off");
        assertTrue(off.succeeded(), RouterWorkflowTest.describe(off));
        assertEquals("skipped", off.step(SAVE).outcome());
        assertEquals("skipped", off.step(RESTORE_ONLY).outcome());
        WorkflowRunner.JobRun readOnly = run("schedule", "acme/jbang-catalog/" + CATALOG_COMMIT, RELEASE, "read-only");
        assertEquals("provided", readOnly.step(RESTORE_ONLY).outcome(), "read-only is read-only on any event");
        assertEquals("skipped", readOnly.step(SAVE).outcome());
    }

    @Test
    void theReleaseMayBeGivenAsTheScriptsUrl() throws Exception {
        String scripts = "https://ghe.example.com/acme/bus/blob/" + RELEASE + "/";
        WorkflowRunner.JobRun run = run("push", "acme/tools/" + CATALOG_COMMIT, scripts, "read-only");
        assertTrue(run.succeeded(), RouterWorkflowTest.describe(run));
        assertEquals("https://github.com/acme/tools/blob/" + CATALOG_COMMIT + "/\n" + scripts, run.step("setup").outputs().get("trusted"));
    }

    @Test
    void whatCanMoveIsRefusedBeforeAnythingIsTrusted() throws Exception {
        String zero = "0".repeat(40);
        Map<String, String[]> refused = new java.util.LinkedHashMap<>();
        refused.put("a branch", new String[] {"acme/jbang-catalog/main", RELEASE, "read-only", "catalog: 'acme/jbang-catalog/main' is not ORG/jbang-catalog/COMMIT"});
        refused.put("a tag", new String[] {"acme/jbang-catalog/v1.0.0", RELEASE, "read-only", "catalog: 'acme/jbang-catalog/v1.0.0' is not"});
        refused.put("a short commit", new String[] {"acme/jbang-catalog/9d8c7b6", RELEASE, "read-only", "catalog: 'acme/jbang-catalog/9d8c7b6' is not"});
        refused.put("the default branch", new String[] {"acme", RELEASE, "read-only", "catalog: 'acme' is not"});
        refused.put("the placeholder", new String[] {"acme/jbang-catalog/" + zero, RELEASE, "read-only", "catalog: acme/jbang-catalog/" + zero + " names no commit yet"});
        refused.put("a release tag", new String[] {"acme/jbang-catalog/" + CATALOG_COMMIT, "v1.0.0", "read-only", "release: 'v1.0.0' is not a commit"});
        refused.put("scripts at a branch", new String[] {"acme/jbang-catalog/" + CATALOG_COMMIT, "https://github.com/acme/event-bus/blob/main/",
                "read-only", "release: 'https://github.com/acme/event-bus/blob/main/' is not"});
        refused.put("the release placeholder", new String[] {"acme/jbang-catalog/" + CATALOG_COMMIT, zero, "read-only", "release: names no commit yet"});
        refused.put("an unknown cache mode", new String[] {"acme/jbang-catalog/" + CATALOG_COMMIT, RELEASE, "yes", "cache: 'yes' is not read-write, read-only or off"});
        for (Map.Entry<String, String[]> bad : refused.entrySet()) {
            String[] in = bad.getValue();
            WorkflowRunner.JobRun run = run("push", in[0], in[1], in[2]);
            WorkflowRunner.Step plan = run.step("setup/plan");
            assertEquals(2, plan.exitCode(), bad.getKey() + ": " + RouterWorkflowTest.describe(run));
            assertTrue(plan.stdout().startsWith("::error title=event-bus set-up::" + in[3]), bad.getKey() + ": " + plan.stdout());
            assertEquals(1, plan.stdout().lines().count(), bad.getKey() + ": one line: " + plan.stdout());
            assertEquals("failure", run.step("setup").outcome(), bad.getKey());
            for (String skipped : List.of(SAVE, RESTORE_ONLY, TRUST, "after")) {
                assertEquals("skipped", run.step(skipped).outcome(), bad.getKey() + ": " + skipped);
            }
            assertFalse(Files.exists(jbangDir.resolve("trusted-sources.json")), bad.getKey() + ": nothing trusted");
            assertFalse(Files.exists(jbangDir.resolve("implicit-catalog.json")), bad.getKey());
        }
    }

    /**
     * On a runner whose cache holds nothing yet, JBang downloads the catalog: the action's note of its URL keeps JBang on
     * github.com, where JBang alone would also look for a catalog of that name on gitlab.com and bitbucket.org (see
     * CatalogEndToEndTest, which shows it). The proxy that refuses everything stands for the network.
     */
    @Test
    void jbangLooksForThePinnedCatalogOnGithubComOnly() throws Exception {
        assertTrue(run("push", "acme/jbang-catalog/" + CATALOG_COMMIT, RELEASE, "off").succeeded());
        try (CatalogEndToEndTest.RefusingProxy proxy = CatalogEndToEndTest.RefusingProxy.start()) {
            Scripts.Result run = CatalogEndToEndTest.verbose(workspace, jbangDir, Map.of("JBANG_JAVA_OPTIONS", proxy.javaOptions()),
                    "emit@acme/jbang-catalog/" + CATALOG_COMMIT, "--help");
            assertNotEquals(0, run.exitCode(), run.toString());
            assertEquals(List.of("https://raw.githubusercontent.com/acme/jbang-catalog/" + CATALOG_COMMIT + "/jbang-catalog.json"),
                    CatalogEndToEndTest.requested(run), run.stderr());
            assertEquals(List.of("raw.githubusercontent.com:443"), proxy.connects().stream().distinct().toList());
        }
    }

    /** JAVA_RUNTIME_VERSION of the JDK the action finds here (no setup-java: the java on PATH, or JAVA_HOME). */
    static String javaBuild() throws IOException {
        String home = System.getenv("JAVA_HOME");
        Path jdk = home != null && !home.isEmpty() ? Path.of(home)
                : Path.of(Scripts.exec(new ProcessBuilder("bash", "-c", "readlink -f \"$(command -v java)\""), null).stdout().strip()).getParent().getParent();
        return Files.readAllLines(jdk.resolve("release")).stream().filter(l -> l.startsWith("JAVA_RUNTIME_VERSION="))
                .map(l -> l.substring("JAVA_RUNTIME_VERSION=".length()).replace("\"", "")).findFirst().orElseThrow();
    }

    /** The quoted strings of a JSON array's text, in order. */
    static List<String> quoted(String text) {
        List<String> values = new java.util.ArrayList<>();
        java.util.regex.Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(text);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }
}
