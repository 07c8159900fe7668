import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * events.java in-process: its command line (help, version, a missing command). The runner {@link #events} and
 * {@link #zip} serve the tests of its commands (EventsStatsTest, EventsReplayTest, EventsReconcileTest).
 */
class EventsTest {

    /** events.java's command line in this JVM, with this environment. */
    static InProcess.Run events(Map<String, String> env, String... args) {
        events command = new events();
        command.env = env;
        return InProcess.run(events.newCommandLine(command), args);
    }

    /** events SUBCOMMAND ARGS... with this environment. */
    static InProcess.Run events(Map<String, String> env, String subcommand, List<String> args) {
        List<String> all = new ArrayList<>(List.of(subcommand));
        all.addAll(args);
        return events(env, all.toArray(String[]::new));
    }

    /** events SUBCOMMAND ARGS... --json, which must exit 0: the document it printed. */
    static JsonNode eventsJson(Map<String, String> env, String subcommand, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(args);
        all.add("--json");
        InProcess.Run run = events(env, subcommand, all);
        assertEquals(0, run.exitCode(), run.toString());
        return new ObjectMapper().readTree(run.out());
    }

    // ---- the command line -------------------------------------------------------------------

    @Test
    void helpListsTheCommandsTheEnvironmentAndTheExitCodes() {
        InProcess.Run help = events(Map.of(), "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().startsWith("Usage: events "), help.toString());
        for (String command : List.of("stats", "replay", "reconcile", "record", "merge-latency")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " is listed: " + help);
        }
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("GITHUB_REPOSITORY") && help.out().contains("--repo"),
                help.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stats", "replay", "reconcile", "record", "merge-latency"})
    void eachCommandHasHelpWithTheOptionsItInheritsAndTheSameVersion(String command) {
        InProcess.Run help = events(Map.of(), command, "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().startsWith("Usage: events " + command + " "), help.toString());
        assertTrue(help.out().contains("--repo=OWNER/NAME") && help.out().contains("--verbose") && help.out().contains("Exit codes:"),
                help.toString());
        InProcess.Run version = events(Map.of(), command, "--version");
        assertEquals(0, version.exitCode(), version.toString());
        assertEquals(events(Map.of(), "--version").out(), version.out());
        assertEquals("events 0.1.0\n", version.out());
    }

    @Test
    void withoutACommandItSaysWhichThereAreAndExitsTwo() {
        InProcess.Run run = events(Map.of(), new String[0]);
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("Missing subcommand: one of stats, replay, reconcile, record, merge-latency, doctor\n"), run.toString());
    }

    /** A zip archive of these files, as an artifact download or a zipball holds them. */
    static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var entry : new java.util.TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
