import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The scripts' //DEPS lines are the one source of truth for versions; the pom must follow them. */
class DependencyVersionsTest {

    record Dep(Path file, String groupArtifact, String version) {
    }

    static List<Dep> scriptDeps() throws IOException {
        List<Path> scripts = new ArrayList<>();
        try (Stream<Path> top = Files.list(Scripts.ROOT); Stream<Path> tests = Files.list(Scripts.ROOT.resolve("tests"))) {
            Stream.concat(top, tests).filter(p -> p.toString().endsWith(".java")).sorted().forEach(scripts::add);
        }
        List<Dep> deps = new ArrayList<>();
        for (Path script : scripts) {
            for (String line : Files.readAllLines(script)) {
                if (line.startsWith("//DEPS ")) {
                    for (String gav : line.substring("//DEPS ".length()).trim().split("\\s+")) {
                        String[] parts = gav.replace("@pom", "").split(":");
                        assertEquals(3, parts.length, script + ": pin an exact version: " + gav);
                        deps.add(new Dep(script, parts[0] + ":" + parts[1], parts[2]));
                    }
                }
            }
        }
        return deps;
    }

    static Map<String, String> pomVersions() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Scripts.ROOT.resolve("tests/pom.xml").toFile());
        Map<String, String> properties = new HashMap<>();
        NodeList props = ((Element) pom.getElementsByTagName("properties").item(0)).getChildNodes();
        for (int i = 0; i < props.getLength(); i++) {
            if (props.item(i) instanceof Element e) {
                properties.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        Map<String, String> versions = new HashMap<>();
        NodeList dependencies = pom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            String version = child(dependency, "version");
            if (version.startsWith("${")) {
                version = properties.get(version.substring(2, version.length() - 1));
            }
            versions.put(child(dependency, "groupId") + ":" + child(dependency, "artifactId"), version);
        }
        return versions;
    }

    private static String child(Element element, String tag) {
        return element.getElementsByTagName(tag).item(0).getTextContent().trim();
    }

    @Test
    void everyScriptPinsTheSameVersionOfALibrary() throws IOException {
        Map<String, Dep> first = new HashMap<>();
        List<Dep> deps = scriptDeps();
        assertFalse(deps.isEmpty());
        for (Dep dep : deps) {
            Dep seen = first.putIfAbsent(dep.groupArtifact(), dep);
            if (seen != null) {
                assertEquals(seen.version(), dep.version(),
                        dep.groupArtifact() + " is " + seen.version() + " in " + seen.file().getFileName() + " but " + dep.version() + " in " + dep.file().getFileName());
            }
        }
    }

    @Test
    void thePomUsesTheScriptsVersions() throws Exception {
        Map<String, String> pom = pomVersions();
        for (Dep dep : scriptDeps()) {
            assertTrue(pom.containsKey(dep.groupArtifact()), dep.groupArtifact() + " (from " + dep.file().getFileName() + ") is missing in tests/pom.xml");
            assertEquals(dep.version(), pom.get(dep.groupArtifact()),
                    dep.groupArtifact() + " in tests/pom.xml drifted from " + dep.file().getFileName());
        }
    }
}
