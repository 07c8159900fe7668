// A YAML file as route.java and events doctor read one (the routes file, workflow files): its lines,
// its tree, and the line each node starts on, so that every message can name its line. Jackson's tree
// model forgets locations, so the tree is built token by token.
package shared;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import static shared.Json.JSON;

/** A YAML file: its name, its lines, its tree (null when it is not YAML), and the line each node starts on (JSON pointer -> line, from 1). */
record YamlFile(String name, List<String> lines, JsonNode root, Map<String, Integer> lineOf) {
    static final YAMLMapper YAML = new YAMLMapper();

    /** The file's text; exit 2 naming what is wrong when it cannot be read or is not text. */
    static String text(Path file, String name, CommandSpec spec) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + name + ": no such file");
        } catch (MalformedInputException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), name + " is not a YAML file: it is not UTF-8 text");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + name + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A workflow or other YAML file, whose repeated keys and aliases are the reader's business: exit 2 only when it is not YAML. */
    static YamlFile read(Path file, String name, CommandSpec spec) {
        return parse(name, text(file, name, spec), (line, problem) -> {
            throw new CommandLine.ParameterException(spec.commandLine(), name + (line > 0 ? ":" + line : "") + ": " + problem);
        }, false);
    }

    /**
     * The text read as YAML; root is null (and problem told the line) when it is not YAML, a NullNode when it is empty. With
     * strict, a repeated key and an alias are told to problem too (an alias would pass for a value: Jackson hands it over as its name).
     */
    static YamlFile parse(String name, String text, BiConsumer<Integer, String> problem, boolean strict) {
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root;
        try (JsonParser parser = YAML.createParser(text)) {
            root = parser.nextToken() == null ? NullNode.getInstance() : read(parser, "", lines, strict ? problem : (line, ignored) -> { });
        } catch (JsonProcessingException e) {
            problem.accept(e.getLocation() != null ? e.getLocation().getLineNr() : 0, "not valid YAML: " + yamlProblem(e));
            root = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new YamlFile(name, List.of(text.split("\r?\n", -1)), root, lines);
    }

    /** The node at the parser's current token, recording the line of every key and list item. */
    private static JsonNode read(JsonParser parser, String pointer, Map<String, Integer> lines, BiConsumer<Integer, String> problem)
            throws IOException {
        lines.putIfAbsent(pointer, parser.currentTokenLocation().getLineNr());
        if (parser.currentToken() == JsonToken.START_OBJECT) {
            ObjectNode object = JSON.createObjectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                int line = parser.currentTokenLocation().getLineNr();
                if (object.has(key)) {
                    problem.accept(line, "duplicate key '" + key + "'");
                }
                lines.put(child, line);
                parser.nextToken();
                object.set(key, read(parser, child, lines, problem));
            }
            return object;
        }
        if (parser.currentToken() == JsonToken.START_ARRAY) {
            ArrayNode array = JSON.createArrayNode();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(read(parser, pointer + "/" + array.size(), lines, problem));
            }
            return array;
        }
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            problem.accept(parser.currentTokenLocation().getLineNr(), "YAML aliases (*" + parser.getText() + ") are not supported: write the value out");
        }
        JsonNode scalar = parser.readValueAsTree();
        return scalar == null ? NullNode.getInstance() : scalar;
    }

    /** The line a pointer's node starts on, else that of its nearest parent; 1 for none. */
    int line(String pointer) {
        for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
            Integer line = lineOf.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 1;
            }
        }
    }

    /** The comment at the end of the line the node at pointer starts on, without its '#'; null when there is none. */
    String comment(String pointer) {
        Integer line = lineOf.get(pointer);
        return line == null || line > lines.size() ? null : commentOf(lines.get(line - 1));
    }

    /** The text after a '#' that starts a comment (after a space, outside quotes). */
    static String commentOf(String line) {
        boolean single = false;
        boolean double_ = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !double_) {
                single = !single;
            } else if (c == '"' && !single) {
                double_ = !double_;
            } else if (c == '#' && !single && !double_ && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                String comment = line.substring(i + 1).strip();
                return comment.isEmpty() ? null : comment;
            }
        }
        return null;
    }

    /** SnakeYAML's message without its excerpt of the file: "while parsing ...: expected ..., but found ...". */
    static String yamlProblem(JsonProcessingException e) {
        return Stream.of(e.getOriginalMessage().split("\n"))
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .collect(Collectors.joining(": "));
    }
}
