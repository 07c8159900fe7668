import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `./jbang emit.java ...` as a workflow step runs it, against the emulator. */
class EmitEndToEndTest {
    static final String SCRIPT = Scripts.ROOT.resolve("emit.java").toString();
    static final String DISPATCHES = "/repos/" + GitHubEmulator.DEFAULT_REPOSITORY + "/dispatches";
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().with("GITHUB_ACTIONS", "true").output("output.txt");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    Map<String, String> stepEnv(String token) {
        Map<String, String> env = testbed.env();
        env.put("GITHUB_TOKEN", token);
        return env;
    }

    @Test
    void workflowStepSendsOneDispatchAndSetsTheOutput() throws IOException {
        Scripts.Result run = Scripts.jbang(temp, stepEnv(GitHubEmulator.DEFAULT_TOKEN), null,
                SCRIPT, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--source", "readiness-evaluator");
        assertEquals(0, run.exitCode(), run.toString());
        String eventId = run.stdout().strip();
        assertTrue(eventId.matches("[0-9a-f-]{36}"), run.toString());
        assertEquals("event_id=" + eventId + "\n", Files.readString(temp.resolve("output.txt")));
        assertEquals(1, github.journal().size(), "exactly one request: " + github.journal());
        assertEquals(1, github.journal("POST", DISPATCHES).size());
    }

    @Test
    void theJvmsOwnWarningsGoToStderrWhereTheyCannotCorruptTheEventId() throws Exception {
        // HotSpot writes its warnings to stdout unless told otherwise (unified logging's default output):
        // every script's header sends them to stderr.
        for (String script : List.of("emit", "validate", "dedupe", "route", "events")) {
            assertTrue(Files.readAllLines(Scripts.ROOT.resolve(script + ".java")).stream().anyMatch(line -> line.startsWith("//RUNTIME_OPTIONS ")
                    && line.contains(" -Xlog:disable -Xlog:all=warning:stderr ")), script + ".java: JVM warnings on stderr");
        }
        // -XX:+UseLargePages makes the JVM warn on a machine without large pages, on stdout when nothing says otherwise.
        Process plain = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseLargePages", "-version")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String plainOut = new String(plain.getInputStream().readAllBytes());
        plain.waitFor();
        Assumptions.assumeTrue(plainOut.contains("[warning]"), "this machine has large pages: the JVM has no warning to give");
        Scripts.Result run = Scripts.jbang(temp, Map.of(), null, "-R-XX:+UseLargePages", SCRIPT, "--version");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("emit 0.1.0", run.stdout().strip(), run.toString());
        assertTrue(run.stderr().contains("[warning][pagesize]"), run.toString());
    }

    @Test
    void payloadFromStdinAndDryRun() throws IOException {
        Scripts.Result run = Scripts.jbang(temp, Map.of(), "{\"chain_id\":\"RFC-093-02\",\"reason\":\"CI_STUCK\"}",
                SCRIPT, "rfc.chain.broken", "--payload-file", "-", "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("CI_STUCK", new ObjectMapper().readTree(run.stdout()).at("/client_payload/data/reason").asText());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void aRecognisableFakeTokenAppearsInNoOutputLogOrError() throws IOException {
        String token = "ghp_FAKEtokenThatMustNeverBePrinted0000001";
        github.addUser(token, "octocat", true);
        Path log = temp.resolve("event_log.jsonl");
        StringBuilder everything = new StringBuilder();
        // a success, a retried failure with stack traces on, and a refusal
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.status(502), 1);
        Map<String, String> env = stepEnv(token);
        env.put("RUNNER_DEBUG", "1");
        env.put("EVENT_LOG", log.toString());
        everything.append(Scripts.jbang(temp, env, null, SCRIPT, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}", "--verbose"));
        github.injectFault("POST", DISPATCHES, GitHubEmulator.Fault.status(503), 5);
        everything.append(Scripts.jbang(temp, env, null, SCRIPT, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}",
                "--verbose", "--max-attempts", "2"));
        everything.append(Scripts.jbang(temp, env, null, SCRIPT, "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}",
                "--repo", "octo-org/missing"));
        Path leaked = temp.resolve("output.txt");
        everything.append(Files.exists(leaked) ? Files.readString(leaked) : "");
        for (Path event : github.deliveredEvents(GitHubEmulator.DEFAULT_REPOSITORY)) {
            everything.append(Files.readString(event));
        }
        assertTrue(everything.toString().contains("::error"), everything.toString());
        assertFalse(everything.toString().contains(token), "the token leaked:\n" + everything);
        assertFalse(everything.toString().contains("FAKEtoken"), "part of the token leaked");
    }
}
