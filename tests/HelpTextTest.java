import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every --help of every script and subcommand, as a maintainer meets it in an 80-column terminal
 * (picocli's default width): each is rendered in-process with `--help`, as a user types it, and
 * read line by line. A line fits in 80 columns; no URL, path, value or option name is cut in two
 * (compared with the same help rendered too wide to wrap); an option that takes a value keeps it
 * on its line; a footer line that is indented does not continue flush left; and each subcommand
 * says what it does itself (its own description and its own exit codes, not a sibling's).
 */
class HelpTextTest {
    static final int WIDTH = 80;
    /** Wide enough that picocli wraps nothing: the text as written, to compare the 80-column one with. */
    static final int UNWRAPPED = 1000;

    /** One help page: the command line to type (without --help) and how to build its script's CommandLine. */
    record Page(List<String> path, Supplier<CommandLine> script) {
        @Override
        public String toString() {
            return String.join(" ", path);
        }

        /** The --help of this page, rendered in-process at the given width. */
        String help(int width) {
            CommandLine cli = script.get();
            cli.setUsageHelpWidth(width);
            List<String> args = new ArrayList<>(path.subList(1, path.size()));
            args.add("--help");
            InProcess.Run run = InProcess.run(cli, args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals("", run.err(), "--help writes nothing on stderr");
            return run.out();
        }

        /** The CommandLine of this page's (sub)command, from a fresh script CommandLine at the given width. */
        CommandLine command(int width) {
            CommandLine cli = script.get();
            cli.setUsageHelpWidth(width);
            for (String name : path.subList(1, path.size())) {
                cli = cli.getSubcommands().get(name);
            }
            return cli;
        }
    }

    /** The five scripts, each as its main method builds it (newCommandLine: the same handlers and settings). */
    static final List<Supplier<CommandLine>> SCRIPTS = List.of(
            () -> emit.newCommandLine(new emit()),
            () -> validate.newCommandLine(new validate()),
            () -> dedupe.newCommandLine(new dedupe()),
            () -> route.newCommandLine(new route()),
            () -> events.newCommandLine(new events()));

    static Stream<Page> pages() {
        List<Page> pages = new ArrayList<>();
        for (Supplier<CommandLine> script : SCRIPTS) {
            collect(script.get(), List.of(script.get().getCommandName()), script, pages);
        }
        return pages.stream();
    }

    private static void collect(CommandLine cli, List<String> path, Supplier<CommandLine> script, List<Page> pages) {
        pages.add(new Page(path, script));
        for (CommandLine sub : new LinkedHashSet<>(cli.getSubcommands().values())) {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                List<String> subPath = new ArrayList<>(path);
                subPath.add(sub.getCommandName());
                collect(sub, subPath, script, pages);
            }
        }
    }

    /** Every page the scripts have: the test covers all of them, subcommands added later included. */
    @Test
    void everyScriptAndSubcommandHasAPage() {
        Set<String> names = pages().map(Page::toString).collect(Collectors.toSet());
        for (String expected : List.of("emit", "validate", "dedupe", "dedupe claim", "dedupe release", "dedupe check",
                "dedupe show", "dedupe prune", "route", "route graph", "route compile", "events", "events stats",
                "events replay", "events reconcile", "events record", "events merge-latency",
                "events doctor")) {
            assertTrue(names.contains(expected), expected + " in " + names);
        }
    }

    @ParameterizedTest(name = "{0} --help")
    @MethodSource("pages")
    void everyLineFitsIn80Columns(Page page) {
        List<String> problems = new ArrayList<>();
        String[] lines = page.help(WIDTH).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].length() > WIDTH) {
                problems.add("line " + (i + 1) + " has " + lines[i].length() + " columns: " + lines[i]);
            }
        }
        assertTrue(problems.isEmpty(), page + " --help at " + WIDTH + " columns:\n" + String.join("\n", problems));
    }

    /**
     * A word of the help as written (a URL, a path, a value, an option name) is a word of the help
     * at 80 columns too: picocli wraps at a line-break opportunity, which Java's BreakIterator also
     * finds after ':', '/', '.', '-' or '?' inside a word ("(default https:" / "//api.github.com)").
     */
    @ParameterizedTest(name = "{0} --help")
    @MethodSource("pages")
    void noUrlPathValueOrOptionIsCutInTwo(Page page) {
        String narrow = page.help(WIDTH);
        Set<String> narrowWords = new HashSet<>(Arrays.asList(narrow.split("\\s+")));
        List<String> problems = new ArrayList<>();
        for (String word : new LinkedHashSet<>(Arrays.asList(page.help(UNWRAPPED).split("\\s+")))) {
            if (!word.isEmpty() && !narrowWords.contains(word)) {
                problems.add("'" + word + "' is cut: " + around(narrow, word));
            }
        }
        assertTrue(problems.isEmpty(), page + " --help at " + WIDTH + " columns:\n" + String.join("\n", problems));
    }

    /**
     * An option that takes a value keeps the value on its line: in an example or in prose, "--source"
     * at the end of one line and "readiness-evaluator" at the start of the next is a command nobody
     * can copy.
     */
    @ParameterizedTest(name = "{0} --help")
    @MethodSource("pages")
    void noOptionIsSeparatedFromItsValue(Page page) {
        Set<String> takesValue = optionsTakingAValue();
        List<String> wide = page.help(UNWRAPPED).lines().map(l -> " " + l.strip().replaceAll("\\s+", " ") + " ").toList();
        String[] lines = page.help(WIDTH).split("\n", -1);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] words = lines[i].strip().split("\\s+");
            String last = words[words.length - 1];
            String next = lines[i + 1].strip().split("\\s+")[0];
            if (takesValue.contains(last) && !next.isEmpty() && !next.startsWith("-") && wide.stream().anyMatch(l -> l.contains(" " + last + " " + next + " "))) {
                problems.add("line " + (i + 1) + " ends with " + last + ", its value " + next + " is on the next line");
            }
        }
        assertTrue(problems.isEmpty(), page + " --help at " + WIDTH + " columns:\n" + String.join("\n", problems));
    }

    /**
     * The footer (environment, notes, examples) is laid out by hand, and picocli continues a line
     * longer than the width at column 0: an indented line ("  GITHUB_API_URL  ...") then goes on
     * flush left, under the variable names. A flush-left line may follow an indented one only as a
     * heading ("Example:") or after a blank line.
     */
    @ParameterizedTest(name = "{0} --help")
    @MethodSource("pages")
    void noIndentedFooterLineContinuesFlushLeft(Page page) {
        CommandLine.Help help = page.command(WIDTH).getHelp();
        String footer = help.footerHeading() + help.footer();
        String[] lines = footer.split("\\R", -1);
        List<String> problems = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            String previous = lines[i - 1];
            boolean flushLeft = !line.isBlank() && !Character.isWhitespace(line.charAt(0));
            boolean afterIndented = !previous.isBlank() && Character.isWhitespace(previous.charAt(0));
            if (flushLeft && afterIndented && !line.strip().endsWith(":")) {
                problems.add("'" + line + "' is flush left under '" + previous + "'");
            }
        }
        assertTrue(problems.isEmpty(), page + " --help, its footer at " + WIDTH + " columns:\n" + String.join("\n", problems));
    }

    /**
     * A subcommand's page says what that subcommand does: a description of its own (not its
     * parent's or a sibling's first line) and exit codes of its own (dedupe show's 2 is not "nothing was
     * claimed", and prune's 0 is not "new, duplicate, listed or pruned").
     */
    @ParameterizedTest(name = "{0} --help")
    @MethodSource("pages")
    void eachSubcommandSaysWhatItDoes(Page page) {
        CommandLine command = page.command(WIDTH);
        CommandLine parent = command.getParent();
        if (parent == null) {
            return;
        }
        CommandSpec spec = command.getCommandSpec();
        List<String> problems = new ArrayList<>();
        String[] description = spec.usageMessage().description();
        if (description.length == 0 || description[0].isBlank()) {
            problems.add("no description");
        }
        String first = description.length == 0 ? "" : description[0];
        List<CommandSpec> siblings = new LinkedHashSet<>(parent.getSubcommands().values()).stream()
                .map(CommandLine::getCommandSpec)
                .filter(s -> s != spec && !s.usageMessage().hidden())
                .toList();
        String[] parentDescription = parent.getCommandSpec().usageMessage().description();
        if (parentDescription.length > 0 && parentDescription[0].equals(first)) {
            problems.add("its description is its parent's: " + first);
        }
        if (spec.usageMessage().exitCodeList().isEmpty()) {
            problems.add("no exit codes of its own");
        } else if (spec.usageMessage().exitCodeList().equals(parent.getCommandSpec().usageMessage().exitCodeList())) {
            problems.add("its exit codes are its parent's: " + spec.usageMessage().exitCodeList());
        }
        for (CommandSpec sibling : siblings) {
            String[] theirs = sibling.usageMessage().description();
            if (theirs.length > 0 && theirs[0].equals(first)) {
                problems.add("its description is " + sibling.name() + "'s: " + first);
            }
            if (spec.usageMessage().exitCodeList().equals(sibling.usageMessage().exitCodeList())) {
                problems.add("its exit codes are " + sibling.name() + "'s: " + spec.usageMessage().exitCodeList());
            }
        }
        assertTrue(problems.isEmpty(), page + " --help:\n" + String.join("\n", problems));
    }

    /** The long names of every option of every script that takes a value (--source S, --payload JSON). */
    static Set<String> optionsTakingAValue() {
        Set<String> names = new HashSet<>();
        for (Page page : pages().toList()) {
            for (OptionSpec option : page.command(WIDTH).getCommandSpec().options()) {
                if (option.arity().max() > 0) {
                    names.addAll(Arrays.asList(option.names()));
                }
            }
        }
        return names;
    }

    /** The two 80-column lines between which a word was cut ("'... https:' / '//api.github.com) ...'"). */
    private static String around(String narrow, String word) {
        String[] lines = narrow.split("\n", -1);
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] words = lines[i].strip().split("\\s+");
            String tail = words[words.length - 1];
            String next = lines[i + 1].strip().split("\\s+")[0];
            if (!tail.isEmpty() && !next.isEmpty() && word.startsWith(tail + next)) {
                return "'" + lines[i].strip() + "' / '" + lines[i + 1].strip() + "'";
            }
        }
        return "(its pieces are not at the end and start of two lines)";
    }
}
