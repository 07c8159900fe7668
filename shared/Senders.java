// The sender rule: only the logins on an allowlist ($EVENT_BUS_SENDERS, default github-actions[bot],
// the login of every event a workflow sends with GITHUB_TOKEN) may send the events the bus acts on. It
// fails closed: a delivered event (the repository_dispatch webhook payload) without a sender, or whose
// sender.login is not a string, is refused like one from a sender not on the list. One implementation,
// used by validate (rule sender), route (which refuses on its own) and events (replay, reconcile).
package shared;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class Senders {
    static final String DEFAULT_SENDER = "github-actions[bot]";

    /** $EVENT_BUS_SENDERS: logins separated by commas or spaces, * for anyone; else github-actions[bot]. Lowercase. */
    static List<String> allowed(Map<String, String> env) {
        String senders = env.getOrDefault("EVENT_BUS_SENDERS", "").strip();
        return senders.isEmpty() ? List.of(DEFAULT_SENDER) : List.of(senders.toLowerCase(Locale.ROOT).split("[,\\s]+"));
    }

    /** Whether this login may send events (GitHub logins are case-insensitive). A login that is null or blank may not. */
    static boolean allows(String login, Map<String, String> env) {
        List<String> allowed = allowed(env);
        return login != null && !login.isBlank() && (allowed.contains("*") || allowed.contains(login.toLowerCase(Locale.ROOT)));
    }

    /**
     * Why a delivered event may not be acted on, as a violation of the rule sender; null when its sender may
     * send, or when it was not delivered (an event document read from a file has no sender to check).
     */
    static Violation refusal(Sender sender, Map<String, String> env) {
        if (sender == null || sender.login() != null && allows(sender.login(), env)) {
            return null;
        }
        String only = "only " + String.join(", ", allowed(env)) + " may (EVENT_BUS_SENDERS)";
        if (sender.login() == null || sender.login().isBlank()) {
            return new Violation(sender.pointer(), "sender", (sender.problem() != null ? sender.problem() : "an empty login")
                    + ": a delivered event whose sender cannot be told may not send events: " + only);
        }
        return new Violation("/sender/login", "sender", "'" + sender.login() + "' may not send events: " + only
                + "; an event sent with a person's token is replayed through the replay workflow instead");
    }
}

/**
 * Who sent a delivered event: the webhook payload's sender.login, or (login null) why it has none that can
 * be used, and where (a JSON pointer).
 */
record Sender(String login, String pointer, String problem) {
    static Sender of(JsonNode webhook) {
        JsonNode sender = webhook.get("sender");
        if (sender == null || sender.isNull()) {
            return new Sender(null, "/sender", "no sender");
        }
        if (!sender.isObject()) {
            return new Sender(null, "/sender", "sender is " + kind(sender) + ", not an object");
        }
        JsonNode login = sender.get("login");
        if (login == null || login.isNull()) {
            return new Sender(null, "/sender/login", "the sender has no login");
        }
        if (!login.isTextual()) {
            return new Sender(null, "/sender/login", "sender.login is " + kind(login) + ", not a string");
        }
        return new Sender(login.asText(), "/sender/login", null);
    }

    private static String kind(JsonNode node) {
        String type = node.getNodeType().toString().toLowerCase(Locale.ROOT);
        return (type.matches("array|object") ? "an " : type.matches("number|boolean|string") ? "a " : "") + type;
    }
}
