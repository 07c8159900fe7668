// Speaking to GitHub Actions as @actions/core does (command.ts, file-command.ts, summary.ts):
// annotations on stderr, step outputs in $GITHUB_OUTPUT, Markdown in $GITHUB_STEP_SUMMARY.
// Outside Actions the same calls print plain lines, so a terminal user reads the same text.
// Values taken from events and records are printed through safe(), cell() and code(), so that none
// becomes a workflow command or hides text (docs/security.md, "Output").
package shared;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.regex.Pattern;
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
            // A message may span lines on purpose (a list of problems); no line of it may start a workflow command.
            String text = (file != null ? file + (line > 0 ? ":" + line : "") + ": " : "") + (kind.equals("warning") ? "warning: " : "") + message;
            err.println(text.lines().map(Actions::visible).collect(Collectors.joining("\n")));
        } else {
            String where = file == null || file.startsWith("<") ? ""
                    : "file=" + escapeProperty(visible(file)) + (line > 0 ? ",line=" + line : "") + ",";
            err.println("::" + kind + " " + where + "title=" + escapeProperty(visible(title)) + "::" + escapeData(visible(message)));
        }
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

    /**
     * A value from an event or a record, as it may be printed on stdout or stderr: CR, LF and % escaped as
     * the toolkit escapes a command's data (%0D, %0A, %25: actions/toolkit packages/core/src/command.ts,
     * escapeData), every other hidden character as \\uXXXX (see visible), so a value never starts a line of
     * its own, never starts a workflow command and never hides text.
     */
    static String safe(String value) {
        return value == null ? "null" : visible(escapeData(value));
    }

    /**
     * The text with every character that hides or reorders text shown as \\uXXXX: control characters
     * (NUL, ESC, TAB..., CR and LF included: a value reaches here escaped by safe), Unicode format
     * characters (bidirectional embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, the
     * marks U+200E, U+200F and U+061C, zero-width characters, tags), line and paragraph separators, and
     * lone surrogates. And what the runner would read as a workflow command (actions/runner
     * src/Runner.Common/ActionCommand.cs): "##[" anywhere in a line (the old command form, TryParse) shows
     * its bracket as \\u005B; a ':' that would start the line, leading white space aside (TryParseV2 trims
     * it before looking for "::"), shows as \\u003A.
     */
    static String visible(String text) {
        return shown(text, false);
    }

    /** visible's escaping; for JSON (safeJson), line breaks, tabs and ':' stay: outside strings they are the JSON's own. */
    private static String shown(String text, boolean json) {
        StringBuilder shown = new StringBuilder(text.length() + 8);
        boolean leading = !json;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int width = Character.charCount(c);
            boolean command = c == ':' && leading || c == '[' && i >= 2 && text.startsWith("##", i - 2);
            if (command || hidden(c) && !(json && (c == '\n' || c == '\r' || c == '\t'))) {
                for (int j = i; j < i + width; j++) {
                    shown.append(String.format("\\u%04X", (int) text.charAt(j)));
                }
                leading = false;
            } else {
                shown.appendCodePoint(c);
                leading = leading && (Character.isWhitespace(c) || Character.isSpaceChar(c));
            }
            i += width;
        }
        return shown.toString();
    }

    /** The characters visible names: they do not show as themselves (a surrogate here is one that is not half of a pair). */
    private static boolean hidden(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }

    /**
     * A value as the text of a Markdown table cell in the step summary: safe, then the characters
     * Markdown or HTML would read as markup escaped with a backslash (CommonMark: any ASCII punctuation
     * may be), so a value cannot end the cell (|), open an HTML tag or comment (<), write a character by
     * its entity (&#8238;), link, draw math ($) or show an emoji (:x:) that is not there. GitHub-flavoured tables split cells at | before
     * anything else, so \\| is what keeps one.
     */
    static String cell(String text) {
        String value = safe(text);
        StringBuilder md = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // A colon only where it could open an emoji shortcode (:x:), so times and "rule: x" read as they are; an
            // underscore not at all (event_id): emphasis can change how text looks, not hide it.
            boolean shortcode = c == ':' && i + 1 < value.length() && !Character.isDigit(value.charAt(i + 1))
                    && !Character.isWhitespace(value.charAt(i + 1));
            if ("\\`*[]<>|~&$".indexOf(c) >= 0 || shortcode) {
                md.append('\\');
            }
            md.append(c);
        }
        return md.toString();
    }

    /**
     * A value as a Markdown code span, backticks included: safe, | escaped for a table (GitHub reads \\|
     * in a cell's code span as |), and a fence of backticks longer than any run in the value, so nothing in
     * it ends the span; inside a code span nothing is markup, HTML included.
     */
    static String code(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String text = safe(value).replace("|", "\\|");
        int longest = Pattern.compile("`+").matcher(text).results().mapToInt(run -> run.group().length()).max().orElse(0);
        String fence = "`".repeat(longest + 1);
        String pad = text.startsWith("`") || text.endsWith("`") || text.isEmpty() ? " " : "";
        return fence + pad + text + pad + fence;
    }

    /**
     * JSON text for stdout with nothing the runner reads as a command and no hidden character: such
     * characters inside strings as JSON escapes (\\uXXXX), and the bracket of "##[" too. The same JSON to
     * a parser (the escapes stand for the same characters); JSON outside strings has neither.
     */
    static String safeJson(String json) {
        return shown(json, true);
    }

    // Escaping as @actions/core's command.ts does it.
    static String escapeData(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    static String escapeProperty(String s) {
        return escapeData(s).replace(":", "%3A").replace(",", "%2C");
    }
}
