import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each script copied alone into another repository, as teams do: nothing of this checkout beside
 * it, only that repository's own docs/events/schema/ with one event type of its own.
 */
class LoneCopyEndToEndTest {
    static final String CUSTOM_TYPE = "team.deploy.done";
    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator github = testbed.github();

    @TempDir
    static Path repository;

    @BeforeAll
    static void aRepositoryWithTheScriptsAndOneSchemaOfItsOwn() throws IOException {
        Files.createDirectories(repository.resolve(".git"));
        for (String script : new String[] {"emit.java", "validate.java", "dedupe.java", "route.java", "events.java"}) {
            Files.copy(Scripts.ROOT.resolve(script), repository.resolve(script));
        }
        // Its own $id, no envelope of its own: the bundled envelope stands in for ../envelope.schema.json.
        Path schema = Files.createDirectories(repository.resolve("docs/events/schema/events")).resolve(CUSTOM_TYPE + ".schema.json");
        Files.writeString(schema, """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "$id": "https://example.com/schemas/events/team.deploy.done.schema.json",
                 "$ref": "../envelope.schema.json",
                 "properties": {"event_type": {"const": "team.deploy.done"},
                                "client_payload": {"properties": {"data": {"type": "object", "required": ["service"],
                                                                           "properties": {"service": {"type": "string"}}}}}}}
                """);
        Files.createDirectories(repository.resolve(".github"));
        Files.writeString(repository.resolve(".github/event-routes.yml"), """
                routes:
                  - event: team.deploy.*
                    workflow: notify.yml
                    inputs: {service: data.service, event_id: event_id}
                """);
    }

    Scripts.Result run(String script, String stdin, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = script;
        System.arraycopy(args, 0, command, 1, args.length);
        return Scripts.jbang(repository, testbed.env(), stdin, command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"emit.java", "validate.java", "dedupe.java", "route.java", "events.java"})
    void aLoneCopyBuildsAndHasHelp(String script) {
        Scripts.Result help = run(script, null, "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.stdout().startsWith("Usage: " + script.replace(".java", "")), help.toString());
    }

    @Test
    void validateKnowsTheRepositorysTypeAndTheBundledOnes() throws IOException {
        Path custom = Files.writeString(repository.resolve("deploy.json"), event(CUSTOM_TYPE, "{\"service\":\"api\"}"));
        Path rfc = Files.writeString(repository.resolve("ready.json"), event("rfc.pr.ready", "{\"pr\":456,\"checks_status\":\"green\"}"));
        Scripts.Result run = run("validate.java", null, custom.getFileName().toString(), rfc.getFileName().toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("2 events checked: 2 valid, 0 invalid"), run.toString());

        Path broken = Files.writeString(repository.resolve("broken.json"), event(CUSTOM_TYPE, "{}"));
        Scripts.Result invalid = run("validate.java", null, broken.getFileName().toString());
        assertEquals(2, invalid.exitCode(), invalid.toString());
        assertTrue(invalid.stderr().contains("broken.json: /client_payload/data/service: ") && invalid.stderr().contains("(rule: required)"),
                invalid.toString());
    }

    @Test
    void anUnknownTypeSaysWhereItsSchemaGoes() throws IOException {
        Path other = Files.writeString(repository.resolve("other.json"), event("team.other.thing", "{}"));
        Scripts.Result run = run("validate.java", null, other.getFileName().toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("/event_type: unknown event type 'team.other.thing': ")
                && run.stderr().contains("add docs/events/schema/events/team.other.thing.schema.json to the repository"), run.toString());
    }

    @Test
    void emitDryRunValidatesAgainstTheRepositorysSchema() {
        Scripts.Result ok = run("emit.java", null, CUSTOM_TYPE, "--payload", "{\"service\":\"api\"}", "--dry-run");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(ok.stdout().contains("\"service\" : \"api\""), ok.toString());
        Scripts.Result bad = run("emit.java", null, CUSTOM_TYPE, "--payload", "{\"service\":7}", "--dry-run");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().contains("/client_payload/data/service: ") && bad.stderr().contains("(rule: type)"), bad.toString());
    }

    @Test
    void routeDryRunMatchesTheRepositorysRoutes() throws IOException {
        Path deploy = Files.writeString(repository.resolve("route-me.json"), event(CUSTOM_TYPE, "{\"service\":\"api\"}"));
        Scripts.Result run = run("route.java", null, "--event", deploy.getFileName().toString(), "--dry-run");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("dispatch notify.yml on the default branch with {\"service\":\"api\""), run.toString());
    }

    @Test
    void dedupeClaimsFromALoneCopy() {
        Scripts.Result first = run("dedupe.java", null, "claim", "--key", "deploy-api-42");
        assertEquals(0, first.exitCode(), first.toString());
        assertEquals("new", first.stdout().strip());
        Scripts.Result again = run("dedupe.java", null, "claim", "--key", "deploy-api-42");
        assertEquals("duplicate", again.stdout().strip(), again.toString());
    }

    static String event(String type, String data) {
        return "{\"event_type\":\"" + type + "\",\"client_payload\":{\"event_id\":\"" + java.util.UUID.randomUUID()
                + "\",\"source\":\"deployer\",\"timestamp\":\"2026-11-27T04:38:13.123Z\",\"data\":" + data + "}}";
    }
}
