import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog as a consuming repository uses it: registered from the checkout in a fresh
 * JBANG_DIR (so the wrapper bootstraps JBang from Maven Central there too), then
 * `jbang <alias>@org` run from a directory with no schemas, which proves the schemas are bundled into the scripts.
 */
class CatalogEndToEndTest {
    static final Path CATALOG = Scripts.ROOT.resolve("jbang-catalog.json");

    @TempDir
    static Path jbangDir;
    @TempDir
    static Path elsewhere;

    @BeforeAll
    static void registerCatalog() {
        Scripts.Result add = Scripts.run(elsewhere, jbangDir, Map.of(), null, "catalog", "add", "--global", "--name", "org", CATALOG.toString());
        assertEquals(0, add.exitCode(), add.toString());
    }

    @Test
    void validateThroughTheCatalogUsesTheBundledSchemas() throws IOException {
        Path valid = Files.copy(Scripts.ROOT.resolve("schemas/examples/rfc.pr.created/valid-with-trace-id.json"), elsewhere.resolve("valid.json"));
        Path invalid = Files.copy(Scripts.ROOT.resolve("schemas/examples/rfc.pr.created/invalid-pr-zero.json"), elsewhere.resolve("invalid.json"));

        Scripts.Result ok = Scripts.run(elsewhere, jbangDir, Map.of(), null, "validate@org", valid.getFileName().toString());
        assertEquals(0, ok.exitCode(), ok.toString());
        Scripts.Result bad = Scripts.run(elsewhere, jbangDir, Map.of(), null, "validate@org", invalid.getFileName().toString());
        assertEquals(2, bad.exitCode(), bad.toString());
        ValidateTest.assertNamesFieldAndRule(bad.stderr(), "invalid.json: ", "/client_payload/data/pr", "minimum");
        Scripts.Result check = Scripts.run(elsewhere, jbangDir, Map.of(), null, "validate@org", "--check-schemas");
        assertEquals(0, check.exitCode(), check.toString());
        assertTrue(check.stderr().contains("in the bundled RFC schemas: 0 problems"), check.toString());
    }

    @Test
    void everyAliasHasHelpAndADescriptionMatchingItsScript() throws IOException {
        JsonNode aliases = new ObjectMapper().readTree(CATALOG.toFile()).get("aliases");
        assertFalse(aliases.isEmpty());
        for (Iterator<Map.Entry<String, JsonNode>> it = aliases.fields(); it.hasNext(); ) {
            var alias = it.next();
            Path script = Scripts.ROOT.resolve(alias.getValue().get("script-ref").asText());
            assertTrue(Files.isRegularFile(script), "script-ref of " + alias.getKey());
            assertEquals(Scripts.summary(script), alias.getValue().get("description").asText(), "description of " + alias.getKey());
            Scripts.Result help = Scripts.run(elsewhere, jbangDir, Map.of(), null, alias.getKey() + "@org", "--help");
            assertEquals(0, help.exitCode(), alias.getKey() + ": " + help);
            assertTrue(help.stdout().startsWith("Usage: "), alias.getKey() + ": " + help);
        }
    }
}
