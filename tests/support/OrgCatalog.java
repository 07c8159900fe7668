///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Write the jbang-catalog.json an organisation publishes in its ORG/jbang-catalog repository, naming event-bus's scripts at one release.
//DESCRIPTION
//DESCRIPTION Usage: OrgCatalog --org ORG --commit SHA [--base-url URL] [--output FILE] [--checkout DIR]
//DESCRIPTION The aliases emit, validate, dedupe, route and events, each with the script-ref
//DESCRIPTION https://github.com/ORG/event-bus/blob/SHA/<script>.java and its script's first //DESCRIPTION line.
//DESCRIPTION SHA is a commit of event-bus (40 hex digits), never a branch or a tag, which can be moved. With
//DESCRIPTION --output, an existing catalog keeps its other aliases. Commit the catalog; then workflows run
//DESCRIPTION `jbang emit@ORG/jbang-catalog/<that commit>`, emit.java at SHA. See docs/catalog.md.
//DESCRIPTION Example: ./jbang tests/support/OrgCatalog.java --org my-org --commit "$(git rev-parse HEAD)" --output ../jbang-catalog/jbang-catalog.json
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The release command of an organisation's catalog: JBang resolves `emit@ORG/jbang-catalog/COMMIT`
 * through the catalog in the repository ORG/jbang-catalog at that commit, so that file names the
 * scripts at one release, by URLs that do not move: a commit of event-bus, never a branch or a tag
 * (DESIGN "Trust", pinned code: a tag can be moved or deleted and made again).
 */
@Command(name = "OrgCatalog", mixinStandardHelpOptions = true, version = "OrgCatalog 0.1.0", sortOptions = false, usageHelpWidth = 100,
        description = {
            "Writes the jbang-catalog.json an organisation keeps in its ORG/jbang-catalog repository: the aliases "
                    + "emit, validate, dedupe, route and events, each naming its script at one commit of event-bus, so that "
                    + "`jbang emit@ORG/jbang-catalog/C ...` runs emit.java as it is at SHA, where C is the commit of "
                    + "ORG/jbang-catalog that holds this file.",
            "Run it from a checkout of SHA (the descriptions are the scripts' first //DESCRIPTION lines), at each "
                    + "release, and commit the file to ORG/jbang-catalog. Workflows then trust exactly these prefixes "
                    + "(the set-up action, setup/action.yml, does):",
            "  https://github.com/ORG/jbang-catalog/blob/C/",
            "  https://github.com/ORG/event-bus/blob/SHA/",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:the scripts or the output file could not be read or written", "2:invalid input (nothing written)"})
public class OrgCatalog implements Callable<Integer> {
    /** The aliases of the catalog, each the name of its script. */
    static final List<String> ALIASES = List.of("emit", "validate", "dedupe", "route", "events");

    /** A commit: 40 lowercase hex digits, the form GitHub's URLs and JBang's implicit catalog names take. */
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    /** A GitHub account name: letters, digits and single hyphens, at most 39 characters. */
    static final Pattern ORG = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}");

    @Spec
    CommandSpec spec;

    @Option(names = "--org", required = true, paramLabel = "ORG", description = "the GitHub organisation (or user) that publishes the catalog")
    String org;

    @Option(names = "--commit", required = true, paramLabel = "SHA",
            description = "the release of event-bus the aliases name: a commit, 40 hex digits (git rev-parse HEAD in a checkout of "
                    + "the release); never a branch or a tag, which can be moved")
    String commit;

    @Option(names = "--base-url", paramLabel = "URL",
            description = "where the scripts of SHA are (another repository name, GitHub Enterprise Server, tests); it must "
                    + "contain /SHA/. Default: https://github.com/ORG/event-bus/blob/SHA/")
    String baseUrl;

    @Option(names = "--output", paramLabel = "FILE",
            description = "write the catalog to FILE instead of stdout; an existing FILE keeps its other aliases, catalogs and templates")
    Path output;

    @Option(names = "--checkout", paramLabel = "DIR",
            description = "the event-bus checkout whose scripts give the descriptions (default: the one containing the current directory)")
    Path checkout;

    public static void main(String... args) {
        System.exit(new CommandLine(new OrgCatalog()).execute(args));
    }

    @Override
    public Integer call() {
        String base = scriptBase();
        try {
            return write(base);
        } catch (IOException e) {
            spec.commandLine().getErr().println("OrgCatalog: " + e.getMessage());
            return 1;
        }
    }

    int write(String base) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Path root = checkout != null ? checkout.toAbsolutePath().normalize() : findCheckout();
        ObjectMapper json = new ObjectMapper();

        ObjectNode catalog;
        if (output != null && Files.exists(output)) {
            JsonNode existing;
            try {
                existing = json.readTree(output.toFile());
            } catch (IOException e) {
                throw invalid(output + " is not a JSON catalog: " + e.getMessage());
            }
            if (!(existing instanceof ObjectNode object) || (object.has("aliases") && !object.get("aliases").isObject())) {
                throw invalid(output + " is not a JBang catalog (a JSON object whose aliases are an object)");
            }
            catalog = object;
        } else {
            catalog = json.createObjectNode();
        }
        ObjectNode aliases = catalog.has("aliases") ? (ObjectNode) catalog.get("aliases") : catalog.putObject("aliases");
        for (String alias : ALIASES) {
            Path script = root.resolve(alias + ".java");
            if (!Files.isRegularFile(script)) {
                throw new IOException("no " + script + " (give the event-bus checkout with --checkout)");
            }
            ObjectNode entry = json.createObjectNode()
                    .put("script-ref", base + alias + ".java")
                    .put("description", summary(script));
            JsonNode before = aliases.get(alias);
            if (before != null && !before.equals(entry)) {
                err.println("OrgCatalog: " + alias + ": " + before.path("script-ref").asText("?") + " -> " + entry.get("script-ref").asText());
            }
            aliases.set(alias, entry);
        }

        String text = json.writer(printer()).writeValueAsString(catalog) + "\n";
        if (output == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Path target = output.toAbsolutePath();
            Path tmp = Files.createTempFile(target.getParent(), ".jbang-catalog", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            err.println("OrgCatalog: wrote " + output + ": " + String.join(", ", ALIASES) + " at " + base);
        }
        return CommandLine.ExitCode.OK;
    }

    /** The URL the script names are appended to, ending with "/": checked to name SHA, which is checked to be a commit. */
    String scriptBase() {
        if (!ORG.matcher(org).matches()) {
            throw invalid("--org " + org + ": not a GitHub organisation or user name");
        }
        if (!COMMIT.matcher(commit).matches()) {
            throw invalid("--commit " + commit + ": not a commit (40 hex digits). A branch (main) or HEAD moves and a tag can be "
                    + "moved, and the catalog must name what was released; a short commit may become ambiguous.");
        }
        if (baseUrl == null) {
            return "https://github.com/" + org + "/event-bus/blob/" + commit + "/";
        }
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        try {
            URI uri = new URI(base);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getAuthority() == null
                    || uri.getQuery() != null || uri.getFragment() != null) {
                throw invalid("--base-url " + baseUrl + ": not an http(s) URL of a directory");
            }
            if (!("/" + uri.getPath()).contains("/" + commit + "/")) {
                throw invalid("--base-url " + baseUrl + ": does not contain /" + commit + "/, so it would not name that release");
            }
        } catch (URISyntaxException e) {
            throw invalid("--base-url " + baseUrl + ": " + e.getMessage());
        }
        return base;
    }

    CommandLine.ParameterException invalid(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The first //DESCRIPTION line of a script: its one-line summary, as the checkout's jbang-catalog.json has it. */
    static String summary(Path script) throws IOException {
        return Files.readAllLines(script).stream()
                .filter(l -> l.startsWith("//DESCRIPTION "))
                .map(l -> l.substring("//DESCRIPTION ".length()).strip())
                .findFirst()
                .orElseThrow(() -> new IOException(script + " has no //DESCRIPTION line"));
    }

    /** The nearest directory up from the current one with emit.java and jbang-catalog.json. */
    static Path findCheckout() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("emit.java")) && Files.isRegularFile(dir.resolve("jbang-catalog.json"))) {
                return dir;
            }
        }
        throw new IOException("not inside an event-bus checkout (no emit.java and jbang-catalog.json above "
                + Path.of("").toAbsolutePath() + "); give one with --checkout");
    }

    /** Two-space indentation, "key": value, one array element a line: the layout of the checkout's jbang-catalog.json. */
    static DefaultPrettyPrinter printer() {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        return printer;
    }
}
