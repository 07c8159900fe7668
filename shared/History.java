// The event history: event log records kept on GitHub across runs, one file per record on a branch
// of their own (event-bus-history), each written with one request of the contents API, which creates
// a new path atomically. Only when a workflow asks for it (EVENT_BUS_HISTORY=true): without it no
// script touches the history. A record that cannot be appended stays in the event log, with a warning.
package shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import shared.Cli.Failure;

import static shared.Cli.redacted;
import static shared.Json.JSON;
import static shared.Json.TIMESTAMP;

final class History {
    static final String BRANCH = "event-bus-history";
    /** Commits to one branch made at the same moment can conflict (409): each is tried this often. */
    private static final int ATTEMPTS = 6;

    /** A record file in the zipball of the branch: events/DAY/NAME.json under the archive's top folder (owner-repo-sha/). */
    static final Pattern FILE = Pattern.compile("^[^/]+/(events/(\\d{4}-\\d{2}-\\d{2})/[^/]+\\.json)$");
    /** The statuses that say an event handled its item: routed (the router started its consumers), acted (a consumer said what it did). */
    static final Set<String> HANDLED = Set.of("routed", "acted");

    static boolean enabled(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.getOrDefault("EVENT_BUS_HISTORY", "").strip());
    }

    /** Appends each record: one request each when all goes well. Returns how many could not be appended. */
    static int append(GitHub github, List<ObjectNode> records, PrintWriter err, Map<String, String> env) throws InterruptedException {
        int lost = 0;
        for (ObjectNode record : records) {
            String path = pathOf(record);
            try {
                appendOne(github, path, record);
            } catch (IOException | Failure e) {
                lost++;
                Actions.warning(err, "event history", "could not append " + path + " to the branch " + BRANCH + " ("
                        + redacted(e.getMessage(), env) + "); the record stays in the event log", env);
            }
        }
        return lost;
    }

    private static void appendOne(GitHub github, String path, ObjectNode record) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode()
                .put("message", "event-bus: " + record.path("status").asText() + " " + record.path("event_type").asText("-")
                        + " " + record.path("event_id").asText("-"))
                .put("content", Base64.getEncoder().encodeToString((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8)))
                .put("branch", BRANCH);
        boolean branchCreated = false;
        for (int attempt = 1; ; attempt++) {
            Response response = github.exchange("PUT", github.repoPath("/contents/" + path), body, Map.of());
            if (response.status() == 201 || (response.status() == 422 && response.message().contains("sha"))) {
                return; // written now, or by an earlier attempt whose answer was lost
            }
            if (response.status() == 404 && response.message().startsWith("Branch") && !branchCreated) {
                createBranch(github);
                branchCreated = true;
            } else if (response.status() == 409 && attempt < ATTEMPTS) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(100L << Math.min(attempt, 5)));
            } else {
                throw new GitHubException(github.refusal(response, "append to the event history", "contents: write"));
            }
        }
    }

    /** A branch with no history of the repository's own: a README, then a commit without parents. */
    private static void createBranch(GitHub github) throws IOException, InterruptedException {
        ObjectNode tree = JSON.createObjectNode();
        tree.putArray("tree").addObject()
                .put("path", "README.md").put("mode", "100644").put("type", "blob")
                .put("content", "# event-bus history\n\nEvent log records, one file per record under events/<day>/, appended by "
                        + "the event-bus scripts when a workflow sets EVENT_BUS_HISTORY=true. Read them with "
                        + "`events stats --history` and `events replay --history`; do not edit.\n");
        String treeSha = github.call("POST", github.repoPath("/git/trees"), tree, "create the event history branch", "contents: write")
                .json().path("sha").asText();
        ObjectNode commit = JSON.createObjectNode().put("message", "event-bus: start the event history").put("tree", treeSha);
        commit.putArray("parents");
        String commitSha = github.call("POST", github.repoPath("/git/commits"), commit, "create the event history branch", "contents: write")
                .json().path("sha").asText();
        ObjectNode ref = JSON.createObjectNode().put("ref", "refs/heads/" + BRANCH).put("sha", commitSha);
        Response created = github.exchange("POST", github.repoPath("/git/refs"), ref, Map.of());
        if (created.status() != 201 && !(created.status() == 422 && created.message().contains("already exists"))) {
            throw new GitHubException(github.refusal(created, "create the event history branch", "contents: write"));
        }
    }

    /** The history as one read gave it: whether the branch exists, GitHub's clock at the answer, the zipball (empty when none). */
    record Archive(boolean found, Optional<Instant> date, byte[] zip) {
        /** Each record file in the archive's order: its path (events/DAY/NAME.json), its day, and a stream of its bytes. */
        void files(RecordFile each) throws IOException {
            try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
                for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                    Matcher file = FILE.matcher(entry.getName());
                    if (!entry.isDirectory() && file.matches()) {
                        each.accept(file.group(1), file.group(2), entries);
                    }
                }
            }
        }
    }

    /** What Archive.files calls for each record file. */
    interface RecordFile {
        void accept(String path, String day, InputStream content) throws IOException;
    }

    /**
     * The whole history in one API request, whatever its size: the zipball of the branch (REST "Download a
     * repository archive (zip)", GET /repos/{owner}/{repo}/zipball/{ref}), which GitHub answers with a redirect
     * to a short-lived storage URL, downloaded without the token. No branch yet (404) is found=false: no records.
     */
    static Archive readArchive(GitHub github) throws IOException, InterruptedException {
        Response redirect = github.exchange("GET", github.repoPath("/zipball/" + BRANCH), null, Map.of());
        if (redirect.status() == 404) {
            return new Archive(false, redirect.date(), new byte[0]);
        }
        return new Archive(true, redirect.date(), github.download(redirect, "read the event history (the branch " + BRANCH + ")",
                "contents: read", "the event history"));
    }

    /**
     * The latest record of the archive saying that the event was handled (status routed or acted), or null.
     * A record's file name carries its event id (pathOf), so only the files named after the id are read; the
     * record itself must then say the id and the status. An unreadable file is skipped.
     */
    static JsonNode handled(Archive archive, UUID id) throws IOException {
        String named = "-" + id + "-";
        JsonNode[] latest = {null};
        archive.files((path, day, content) -> {
            if (!path.contains(named)) {
                return;
            }
            JsonNode record;
            try {
                record = JSON.readTree(content.readAllBytes());
            } catch (JsonProcessingException e) {
                return;
            }
            if (record != null && record.isObject() && id.toString().equals(record.path("event_id").asText())
                    && HANDLED.contains(record.path("status").asText())) {
                Instant at = recordedAt(record);
                if (latest[0] == null || at != null && (recordedAt(latest[0]) == null || at.isAfter(recordedAt(latest[0])))) {
                    latest[0] = record;
                }
            }
        });
        return latest[0];
    }

    /** When a record was written: its received_at, or acted_at for a consumer's outcome (status acted); null when neither is a time. */
    static Instant recordedAt(JsonNode record) {
        try {
            return Instant.parse(record.path(record.hasNonNull("received_at") ? "received_at" : "acted_at").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * events/DAY/TIME-STATUS-EVENTID-RUN-ATTEMPT.json: days are folders (read and pruned by day), and the
     * name is unique per record, so concurrent appends never write the same path. A part that is not a
     * plain name (the event_id of a rejected event is whatever the event said: "../x", "a?b#c") is
     * replaced by "x" and a digest of it, so no value of an event chooses where the record is written. The
     * time is the record's received_at, or acted_at for a consumer's outcome (status acted).
     */
    static String pathOf(JsonNode record) {
        Instant at;
        try {
            at = Instant.parse(record.path(record.hasNonNull("received_at") ? "received_at" : "acted_at").asText());
        } catch (DateTimeParseException e) {
            at = Instant.now();
        }
        String stamp = TIMESTAMP.format(at);
        return "events/" + stamp.substring(0, 10) + "/" + stamp.substring(11, 23).replace(":", "").replace(".", "")
                + "-" + plain(record.path("status").asText("unknown")) + "-" + plain(record.path("event_id").asText("none"))
                + "-" + plain(record.path("run_id").asText("local")) + "-" + plain(record.path("run_attempt").asText("1")) + ".json";
    }

    private static String plain(String part) {
        if (part.matches("[A-Za-z0-9-]{1,64}")) {
            return part;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(part.getBytes(StandardCharsets.UTF_8));
            return "x" + java.util.HexFormat.of().formatHex(digest, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
