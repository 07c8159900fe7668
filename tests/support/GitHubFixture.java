import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class that runs the scripts against GitHub needs around it, in one place: the local
 * GitHub emulator (127.0.0.1 only), a fresh directory for each test, the consuming repository checked
 * out in it for a class that runs workflows, and the environment a workflow step gives the scripts
 * (GITHUB_API_URL pointing at the emulator, GITHUB_TOKEN, GITHUB_REPOSITORY, and whatever else the
 * class declares).
 *
 * <pre>
 * &#64;RegisterExtension
 * static final GitHubFixture testbed = new GitHubFixture().refName("main").summary("summary.md").workspace();
 * final GitHubEmulator github = testbed.github();
 * final Path temp = testbed.temp();
 * ... Scripts.jbang(temp, testbed.env(), null, "emit.java", ...)
 * </pre>
 *
 * The emulator starts when a test first asks for it (so that using another class's helpers starts
 * nothing), is reset before each test and closed after the class. The test's directory is made when
 * first asked for (a field initializer may ask: JUnit makes a new instance for each test) and removed
 * after the test, like JUnit's own @TempDir. Paths in the environment ({@link #file}) are inside it.
 * A checkout ({@link #checkout}) is made the same way, and its workflows registered again after the reset.
 */
final class GitHubFixture implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private final String repository;
    private boolean workspace;
    private boolean reset = true;
    private GitHubEmulator github;
    private Path temp;
    private RouterFixture checkout;

    /** The emulator's own repository, octo-org/octo-repo, as GITHUB_REPOSITORY. */
    GitHubFixture() {
        this(GitHubEmulator.DEFAULT_REPOSITORY);
    }

    GitHubFixture(String repository) {
        this.repository = repository;
    }

    // ---- what the class declares about its environment --------------------------------------

    /** One more variable, the same in every test. */
    GitHubFixture with(String name, String value) {
        values.put(name, value);
        return this;
    }

    /** A variable naming a file in the test's directory ({@code relative} to it); the file is not made. */
    GitHubFixture file(String name, String relative) {
        files.put(name, relative);
        return this;
    }

    /** GITHUB_WORKSPACE: the test's directory. */
    GitHubFixture workspace() {
        workspace = true;
        return this;
    }

    /** GITHUB_REF_NAME, the branch the run is on. */
    GitHubFixture refName(String branch) {
        return with("GITHUB_REF_NAME", branch);
    }

    /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT. */
    GitHubFixture run(String id, String attempt) {
        return with("GITHUB_RUN_ID", id).with("GITHUB_RUN_ATTEMPT", attempt);
    }

    /** GITHUB_STEP_SUMMARY, a file in the test's directory. */
    GitHubFixture summary(String relative) {
        return file("GITHUB_STEP_SUMMARY", relative);
    }

    /** GITHUB_OUTPUT, a file in the test's directory. */
    GitHubFixture output(String relative) {
        return file("GITHUB_OUTPUT", relative);
    }

    /** EVENT_LOG, a file in the test's directory. */
    GitHubFixture eventLog(String relative) {
        return file("EVENT_LOG", relative);
    }

    /** The emulator keeps what earlier tests of the class left (the class resets it where it wants). */
    GitHubFixture withoutReset() {
        reset = false;
        return this;
    }

    // ---- what a test uses ----------------------------------------------------------------------

    /** The emulator, started on first use on 127.0.0.1 and a free port. */
    synchronized GitHubEmulator github() {
        if (github == null) {
            github = GitHubEmulator.start(0);
        }
        return github;
    }

    /** The repository GITHUB_REPOSITORY names. */
    String repository() {
        return repository;
    }

    /** This test's own directory, empty when first asked for, removed after the test. */
    synchronized Path temp() {
        if (temp == null) {
            try {
                temp = Files.createTempDirectory("event-bus-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return temp;
    }

    /**
     * The consuming repository checked out in this test's directory, its workflows run as a runner
     * would (support/RouterFixture.java); made when first asked for, one a test. Its jobs run with
     * the JBang home of this test JVM (Scripts.SUITE_JBANG_DIR), so that the scripts each job runs
     * are built once for the whole suite, not once a class: the homes hold nothing a test sets apart
     * (the catalog and the scripts served there are the same for every test, the trust added is the
     * same release), and JBang keys what it builds by the script's content.
     */
    synchronized RouterFixture checkout() {
        if (checkout == null) {
            try {
                checkout = new RouterFixture(github(), temp(), Scripts.SUITE_JBANG_DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return checkout;
    }

    /**
     * A new, changeable copy of the environment a step gets: GITHUB_API_URL (the emulator), GITHUB_TOKEN (the emulator's
     * token for github-actions[bot]), GITHUB_REPOSITORY, and what the class declared, files resolved in this test's directory.
     */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_API_URL", github().url());
        env.put("GITHUB_TOKEN", GitHubEmulator.DEFAULT_TOKEN);
        env.put("GITHUB_REPOSITORY", repository);
        env.putAll(values);
        files.forEach((name, relative) -> env.put(name, temp().resolve(relative).toString()));
        if (workspace) {
            env.put("GITHUB_WORKSPACE", temp().toString());
        }
        return env;
    }

    // ---- JUnit's callbacks ---------------------------------------------------------------------

    @Override
    public void beforeEach(ExtensionContext context) {
        if (reset) {
            github().reset();
        }
        if (checkout != null) { // made by a field initializer, before the reset
            try {
                checkout.registerConsumerWorkflows();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        Path dir = temp;
        temp = null;
        checkout = null;
        delete(dir);
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (github != null) {
            github.close();
            github = null;
        }
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
