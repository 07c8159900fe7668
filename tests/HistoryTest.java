import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event history on GitHub (EVENT_BUS_HISTORY=true): each script that decides an event's fate
 * appends its record as one file on the branch event-bus-history, with one request; none is lost
 * when many append at once; without the variable nothing touches GitHub for it.
 */
class HistoryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String CONTENTS = "/repos/" + REPO + "/contents/.*";
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().run("4242", "1");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    Map<String, String> env(boolean history) {
        Map<String, String> env = testbed.env();
        if (history) {
            env.put("EVENT_BUS_HISTORY", "true");
        }
        return env;
    }

    @Test
    void anEmitRecordsWhatItEmittedWithOneMoreRequest() throws IOException {
        InProcess.Run first = EmitTest.emit(env(true), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(0, first.exitCode(), first.err());
        github.clearJournal();
        InProcess.Run emit = EmitTest.emit(env(true), "rfc.pr.ready", "--payload", "{\"pr\":457,\"checks_status\":\"green\"}");
        assertEquals(0, emit.exitCode(), emit.err());
        assertEquals(List.of("POST /repos/" + REPO + "/dispatches", "PUT /repos/" + REPO + "/contents/events/"),
                github.journal().stream().map(e -> e.method() + " " + e.path().replaceFirst("/events/.*", "/events/")).toList(),
                "the dispatch, then one append");

        List<JsonNode> records = records();
        assertEquals(2, records.size(), records.toString());
        JsonNode record = records.get(1);
        assertEquals("emitted", record.get("status").asText());
        assertEquals(emit.out().strip(), record.get("event_id").asText());
        assertEquals(457, record.at("/event/client_payload/data/pr").asInt(), "the whole event: enough to replay it");
        assertEquals("4242", record.get("run_id").asText());
    }

    @Test
    void withoutTheVariableNothingIsAppended() {
        assertEquals(0, EmitTest.emit(env(false), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}").exitCode());
        assertEquals(1, github.journal().size(), "the dispatch alone");
    }

    @Test
    void twentyAppendsAtOnceLoseNoneThoughCommitsConflict() throws Exception {
        // GitHub answers 409 to some of several commits to one branch made at the same moment.
        assertEquals(0, EmitTest.emit(env(true), "rfc.pr.ready", "--payload", "{\"pr\":1,\"checks_status\":\"green\"}").exitCode());
        github.injectFault("PUT", CONTENTS, GitHubEmulator.Fault.status(409), 8);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<InProcess.Run>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int pr = 100 + i;
                runs.add(pool.submit(() -> EmitTest.emit(env(true), "rfc.pr.ready", "--payload", "{\"pr\":" + pr + ",\"checks_status\":\"green\"}")));
            }
            for (Future<InProcess.Run> run : runs) {
                assertEquals(0, run.get().exitCode(), run.get().err());
                assertTrue(!run.get().err().contains("could not append"), run.get().err());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(21, records().size(), "every record is on the branch");
        assertEquals(8, github.journal("PUT", CONTENTS).stream().filter(e -> e.status() == 409).count());
    }

    @Test
    void rejectedDuplicateAndCronCaughtRecordsGoToTheHistoryToo() throws IOException {
        Path bad = Files.writeString(temp.resolve("bad.json"), "{\"event_type\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\""
                + UUID.randomUUID() + "\",\"source\":\"x\",\"timestamp\":\"2026-11-27T04:38:13.123Z\",\"data\":{\"pr\":0,\"checks_status\":\"green\"}}}");
        assertEquals(2, ValidateTest.validate(env(true), bad.toString()).exitCode());
        String id = UUID.randomUUID().toString();
        assertEquals("new", DedupeTest.dedupe(env(true), "claim", id).verdict());
        assertEquals("duplicate", DedupeTest.dedupe(env(true), "claim", id).verdict());
        assertEquals("new", DedupeTest.dedupe(env(true), "claim", "--key", "rfc.issue.assigned/7").verdict());
        List<String> statuses = records().stream().map(r -> r.get("status").asText()).sorted().toList();
        assertEquals(List.of("cron-caught", "duplicate", "rejected"), statuses);
        JsonNode caught = records().stream().filter(r -> r.get("status").asText().equals("cron-caught")).findFirst().orElseThrow();
        assertEquals("rfc.issue.assigned/7", caught.get("key").asText());
        JsonNode rejected = records().stream().filter(r -> r.get("status").asText().equals("rejected")).findFirst().orElseThrow();
        ValidateTest.assertNamesFieldAndRule(rejected.get("error").asText(), "", "/client_payload/data/pr", "minimum");
    }

    @Test
    void aRecordThatCannotBeAppendedIsAWarningAndTheEventStillGoesOut() {
        github.injectFault("PUT", CONTENTS, GitHubEmulator.Fault.status(403), 1);
        InProcess.Run emit = EmitTest.emit(env(true), "rfc.pr.ready", "--payload", "{\"pr\":456,\"checks_status\":\"green\"}");
        assertEquals(0, emit.exitCode(), emit.err());
        assertTrue(emit.err().contains("warning: could not append events/") && emit.err().contains("the record stays in the event log"), emit.err());
        assertEquals(1, github.deliveredEvents(REPO).size());
    }

    /** Every record on the history branch, oldest first, read as a reader would: one zipball. */
    static List<JsonNode> records() throws IOException {
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> redirect = client.send(HttpRequest.newBuilder(URI.create(testbed.github().url() + "/repos/" + REPO + "/zipball/event-bus-history"))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(302, redirect.statusCode(), redirect.body());
            byte[] zip = client.send(HttpRequest.newBuilder(URI.create(redirect.headers().firstValue("location").orElseThrow())).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
            List<JsonNode> records = new ArrayList<>();
            try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
                for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                    if (entry.getName().contains("/events/") && entry.getName().endsWith(".json")) {
                        records.add(JSON.readTree(new String(entries.readAllBytes(), StandardCharsets.UTF_8)));
                    }
                }
            }
            return records;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
