// Events as the scripts read them: an event document {"event_type", "client_payload"}, the
// repository_dispatch webhook payload GitHub delivers ({"action", "client_payload", ...}), or
// JSON Lines of either.
package shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.function.Consumer;

import static shared.Json.JSON;
import static shared.Json.notJson;

/**
 * One event as a dispatch document, or why it could not be read (and its text, for the event log).
 * line is 0 for a whole-file document, else its line in a JSON Lines file. sender is who sent a delivered
 * event (the webhook payload's sender: its login, or why it has none), null for an event document.
 */
record EventInput(String where, int line, JsonNode document, String parseError, String unreadable, Sender sender) {

    /**
     * Each event of the source in turn. The text is one JSON document unless it does not parse as
     * one and its first line does: then it is JSON Lines, parsed a line at a time, no line kept.
     * So a pretty-printed document with one mistake is one error, not one per line.
     */
    static void read(Source source, Consumer<EventInput> each) {
        String text = source.text();
        if (text.isBlank()) {
            each.accept(new EventInput(source.name(), 0, null, "empty input: expected a JSON event document", text, null));
            return;
        }
        try {
            each.accept(of(source.name(), 0, JSON.readTree(text)));
        } catch (JsonProcessingException wholeFileError) {
            if (!firstLineIsJson(text)) {
                each.accept(new EventInput(source.name(), 0, null, notJson(wholeFileError), text, null));
                return;
            }
            int number = 0;
            for (Iterator<String> lines = text.lines().iterator(); lines.hasNext(); ) {
                String line = lines.next();
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    each.accept(of(source.name(), number, JSON.readTree(line)));
                } catch (JsonProcessingException lineError) {
                    each.accept(new EventInput(source.name(), number, null, notJson(lineError), line, null));
                }
            }
        }
    }

    private static boolean firstLineIsJson(String text) {
        String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        try {
            return JSON.readTree(first).isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static EventInput of(String where, int line, JsonNode node) {
        if (!node.isObject()) {
            return new EventInput(where, line, null, "expected a JSON object, found " + node.getNodeType().toString().toLowerCase(),
                    node.toString(), null);
        }
        // Anything with an action is read as delivered, so it is held to the sender rule (which fails closed).
        return new EventInput(where, line, toDocument(node), null, null, node.has("action") ? Sender.of(node) : null);
    }

    /** What the event log keeps of it: the document, else the text that could not be read as one. */
    JsonNode logged() {
        return document != null ? document : TextNode.valueOf(unreadable);
    }

    /** GitHub delivers the dispatch as a webhook payload whose "action" is the event type. */
    static JsonNode toDocument(JsonNode node) {
        if (node.has("event_type") || !node.has("action") || !node.has("client_payload")) {
            return node;
        }
        ObjectNode document = JSON.createObjectNode();
        document.set("event_type", node.get("action"));
        document.set("client_payload", node.get("client_payload"));
        return document;
    }
}
