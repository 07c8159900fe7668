import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * route and the event history: with EVENT_BUS_HISTORY=true the router appends one record per
 * event (one request each); without it, nothing. Also the helpers the other route tests use to
 * read the history branch and to write records into it as the scripts would.
 */
class RouteHistoryTest {
    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CONTENTS = "/repos/" + REPO + "/contents/events/.*";
    static final String READY = "{\"pr\":456,\"checks_status\":\"green\"}";

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture().refName("main").run("8080", "2").workspace().eventLog("event_log.jsonl");
    final GitHubEmulator github = testbed.github();

    final Path temp = testbed.temp();

    @BeforeEach
    void reset() {
        github.addWorkflow(REPO, "merge.yml", Map.of("pr", true, "event_id", false));
    }

    Map<String, String> env(boolean history) {
        Map<String, String> env = testbed.env();
        if (history) {
            env.put("EVENT_BUS_HISTORY", "true");
        }
        return env;
    }

    Path routes() throws IOException {
        return Files.writeString(temp.resolve("routes.yml"), """
                routes:
                  - event: rfc.pr.ready
                    workflow: merge.yml
                    inputs: {pr: data.pr, event_id: event_id}
                """);
    }

    /** Events as JSON Lines, just emitted. */
    Path events(String... ids) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String id : ids) {
            lines.append(EventsReplayTest.event(id.startsWith("x") ? "rfc.pr.created" : "rfc.pr.ready", id.replaceFirst("^x", ""),
                    Instant.now(), READY)).append('\n');
        }
        return Files.writeString(temp.resolve("events.jsonl"), lines.toString());
    }

    @Test
    void theRouterAppendsOneRecordPerEventWithOneRequestEach() throws IOException {
        InProcess.Run warmUp = RouteTest.route(env(true), "--routes", routes().toString(), "--event", events(UUID.randomUUID().toString()).toString());
        assertEquals(0, warmUp.exitCode(), warmUp.toString());
        assertEquals(List.of("POST dispatches", "PUT contents", "POST trees", "POST commits", "POST refs", "PUT contents"), kinds(),
                "the first append ever creates the branch");
        github.clearJournal();

        String routed = UUID.randomUUID().toString();
        String unrouted = UUID.randomUUID().toString();
        InProcess.Run run = RouteTest.route(env(true), "--routes", routes().toString(), "--event", events(routed, "x" + unrouted).toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of("POST dispatches", "PUT contents", "PUT contents"), kinds(), "the dispatch, then one append per event");

        List<JsonNode> records = records(github);
        JsonNode first = records.stream().filter(r -> r.get("event_id").asText().equals(routed)).findFirst().orElseThrow();
        JsonNode second = records.stream().filter(r -> r.get("event_id").asText().equals(unrouted)).findFirst().orElseThrow();
        assertEquals("routed", first.get("status").asText());
        assertEquals("dispatched", first.at("/targets/0/status").asText());
        assertEquals("8080", first.get("run_id").asText());
        assertEquals("unrouted", second.get("status").asText());
        List<String> logged = Files.readAllLines(temp.resolve("event_log.jsonl"));
        assertEquals(JSON.readTree(logged.get(logged.size() - 2)), first, "the history holds the event log's record");
        assertTrue(paths(github).stream().anyMatch(p -> p.matches("events/\\d{4}-\\d\\d-\\d\\d/\\d{9}-routed-" + routed + "-8080-2\\.json")),
                paths(github).toString());
    }

    @Test
    void withoutTheVariableTheRouterTouchesNoHistory() throws IOException {
        InProcess.Run run = RouteTest.route(env(false), "--routes", routes().toString(), "--event", events(UUID.randomUUID().toString()).toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of("POST dispatches"), kinds());
        assertTrue(github.refs(REPO).stream().noneMatch(r -> r.contains("event-bus-history")));
    }

    @Test
    void aDryRunAppendsNothingAndAHistoryWithoutATokenIsExitTwoBeforeAnythingIsSent() throws IOException {
        InProcess.Run dry = RouteTest.route(env(true), "--routes", routes().toString(), "--event", events(UUID.randomUUID().toString()).toString(),
                "--dry-run");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(github.journal().isEmpty());

        Map<String, String> env = env(true);
        env.remove("GITHUB_TOKEN");
        InProcess.Run run = RouteTest.route(env, "--routes", routes().toString(), "--event", events(UUID.randomUUID().toString()).toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("no token: set GITHUB_TOKEN or GH_TOKEN"), run.toString());
        assertTrue(github.journal().isEmpty());
    }

    @Test
    void anAppendGitHubRefusesIsAWarningAndTheEventIsStillRouted() throws IOException {
        github.injectFault("PUT", CONTENTS, GitHubEmulator.Fault.status(403), 1);
        InProcess.Run run = RouteTest.route(env(true), "--routes", routes().toString(), "--event", events(UUID.randomUUID().toString()).toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("warning: could not append events/") && run.err().contains("the record stays in the event log"), run.err());
        assertEquals(1, github.workflowRuns(REPO).size());
    }

    // ---- helpers for the route tests that read the history ----------------------------------------

    /** The requests so far, as "METHOD last-path-segment-kind". */
    static List<String> kinds() {
        return testbed.github().journal().stream().map(e -> e.method() + " " + (e.path().contains("/contents/") ? "contents"
                : e.path().replaceFirst(".*/", ""))).toList();
    }

    /** The zip of the history branch, as a reader gets it: the zipball's redirect, then the archive. */
    static byte[] zipball(GitHubEmulator github) throws IOException {
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> redirect = client.send(HttpRequest.newBuilder(URI.create(github.url() + "/repos/" + REPO + "/zipball/event-bus-history"))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(302, redirect.statusCode(), redirect.body());
            return client.send(HttpRequest.newBuilder(URI.create(redirect.headers().firstValue("location").orElseThrow())).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The paths of the record files on the history branch (events/DAY/NAME.json). */
    static List<String> paths(GitHubEmulator github) throws IOException {
        List<String> paths = new ArrayList<>();
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zipball(github)))) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                String path = entry.getName().replaceFirst("^[^/]+/", "");
                if (path.startsWith("events/") && path.endsWith(".json")) {
                    paths.add(path);
                }
            }
        }
        return paths;
    }

    /** Every record on the history branch, in path order. */
    static List<JsonNode> records(GitHubEmulator github) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zipball(github)))) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                if (entry.getName().contains("/events/") && entry.getName().endsWith(".json")) {
                    records.add(JSON.readTree(new String(entries.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        return records;
    }

    /**
     * Writes records into the history as the scripts do (one contents PUT each, at the path History
     * gives them, under the day of their received_at), creating the branch first when needed: a
     * history of any shape, with the times a test chooses.
     */
    static void append(GitHubEmulator github, List<? extends JsonNode> records) throws IOException {
        if (github.refs(REPO).stream().noneMatch(r -> r.equals("refs/heads/event-bus-history"))) {
            github.addBranch(REPO, "event-bus-history");
        }
        HttpClient client = HttpClient.newHttpClient();
        try {
            for (JsonNode record : records) {
                ObjectNode body = JSON.createObjectNode().put("message", "test record").put("branch", "event-bus-history")
                        .put("content", Base64.getEncoder().encodeToString((record + "\n").getBytes(StandardCharsets.UTF_8)));
                HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(github.url() + "/repos/" + REPO + "/contents/"
                                + route.History.pathOf(record)))
                        .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, put.statusCode(), put.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
