// The event log: one JSON object per line, appended by whichever step decides an event's fate.
// Each record carries the whole event, so a log alone is enough to replay it.
package shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import static shared.Json.JSON;
import static shared.Json.TIMESTAMP;
import static shared.Json.text;

final class EventLog {
    static Path fromEnv(Map<String, String> env) {
        String path = env.get("EVENT_LOG");
        return path == null || path.isBlank() ? null : Path.of(path);
    }

    /** The record of an event with no sender to keep (see below). */
    static ObjectNode record(JsonNode event, String status, Map<String, String> env, String error) {
        return record(event, status, env, error, null);
    }

    /**
     * The record of one event: event is its document, or its raw text as a string node when it was not JSON.
     * latency_ms is received minus emitted when the timestamp parses. sender is the login that sent a delivered
     * event (the webhook's sender.login), kept so that a replay can hold the record to the sender rule; null when
     * the event was not delivered or its sender could not be told, and then the record has no sender.
     */
    static ObjectNode record(JsonNode event, String status, Map<String, String> env, String error, String sender) {
        Instant receivedAt = Instant.now();
        ObjectNode record = JSON.createObjectNode();
        record.put("event_id", text(event, "/client_payload/event_id"));
        record.put("event_type", text(event, "/event_type"));
        record.put("source", text(event, "/client_payload/source"));
        if (sender != null) {
            record.put("sender", sender);
        }
        record.put("trace_id", text(event, "/client_payload/trace_id"));
        String timestamp = text(event, "/client_payload/timestamp");
        record.put("timestamp", timestamp);
        record.put("received_at", TIMESTAMP.format(receivedAt));
        Long latency = null;
        try {
            latency = timestamp == null ? null : receivedAt.toEpochMilli() - Instant.parse(timestamp).toEpochMilli();
        } catch (DateTimeParseException e) {
            // an unparsable timestamp is itself a rejection reason; the record just has no latency
        }
        record.put("latency_ms", latency);
        record.put("status", status);
        record.putArray("targets");
        record.put("run_id", env.get("GITHUB_RUN_ID"));
        record.put("run_attempt", env.get("GITHUB_RUN_ATTEMPT"));
        record.put("error", error);
        record.set("event", event);
        return record;
    }

    /** Appends whole lines under a file lock, so parallel steps never interleave records. */
    static void append(Path log, List<ObjectNode> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (ObjectNode record : records) {
            lines.append(JSON.writeValueAsString(record)).append('\n');
        }
        Path parent = log.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
             var lock = channel.lock()) {
            channel.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }
}
