// Speaking to GitHub Actions as @actions/core does (command.ts, file-command.ts, summary.ts):
// annotations on stderr, step outputs in $GITHUB_OUTPUT, Markdown in $GITHUB_STEP_SUMMARY.
// Outside Actions the same calls print plain lines, so a terminal user reads the same text.
package shared;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

final class Actions {
    static boolean inActions(Map<String, String> env) {
        return "true".equals(env.get("GITHUB_ACTIONS"));
    }

    /** One line on stderr; inside Actions, an ::error:: annotation with file and line. */
    static void error(PrintWriter err, String file, int line, String title, String message, Map<String, String> env) {
        annotate(err, "error", file, line, title, message, env);
    }

    /** Like error, as a ::warning:: annotation. */
    static void warning(PrintWriter err, String title, String message, Map<String, String> env) {
        annotate(err, "warning", null, 0, title, message, env);
    }

    private static void annotate(PrintWriter err, String kind, String file, int line, String title, String message, Map<String, String> env) {
        if (!inActions(env)) {
            err.println((file != null ? file + (line > 0 ? ":" + line : "") + ": " : "") + (kind.equals("warning") ? "warning: " : "") + message);
            err.flush();
            return;
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (file != null && !file.startsWith("<")) {
            properties.put("file", file);
            if (line > 0) {
                properties.put("line", String.valueOf(line));
            }
        }
        properties.put("title", title);
        err.println("::" + kind + " " + properties.entrySet().stream()
                .map(p -> p.getKey() + "=" + escapeProperty(p.getValue()))
                .collect(Collectors.joining(",")) + "::" + escapeData(message));
        err.flush();
    }

    /** Appends name=value to $GITHUB_OUTPUT; values are single words here (ids, statuses). */
    static void output(String name, String value, Map<String, String> env) throws IOException {
        if (value.contains("\n") || value.contains("\r")) {
            throw new IllegalArgumentException("output " + name + ": one line expected");
        }
        String path = env.get("GITHUB_OUTPUT");
        if (path != null && !path.isBlank()) {
            Files.writeString(Path.of(path), name + "=" + value + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    static void appendSummary(String markdown, Map<String, String> env) throws IOException {
        String path = env.get("GITHUB_STEP_SUMMARY");
        if (path != null && !path.isBlank()) {
            Files.writeString(Path.of(path), markdown + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** A Markdown table cell: no pipes, no line breaks. */
    static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    // Escaping as @actions/core's command.ts does it.
    static String escapeData(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    static String escapeProperty(String s) {
        return escapeData(s).replace(":", "%3A").replace(",", "%2C");
    }
}
