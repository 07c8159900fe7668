import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/** The emulator as a client sees it: real HTTP against a started server, checked against GitHub's OpenAPI description. */
class GitHubEmulatorTest {

    static final String REPO = GitHubEmulator.DEFAULT_REPOSITORY;
    static final String BASE = "/repos/" + REPO;
    static final String MALLORY = "ghp_mallory0000000000000000000000000000";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The emulator, a directory for each test and the environment of a step (support/GitHubFixture.java). */
    @RegisterExtension
    static final GitHubFixture testbed = new GitHubFixture();
    final GitHubEmulator gh = testbed.github();
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Scripts.TIMEOUT).build();

    @BeforeEach
    void reset() {
        gh.addUser(MALLORY, "mallory", false);
    }

    // ---------------------------------------------------------------------------------------------
    // Server basics: address, authentication, headers, routing
    // ---------------------------------------------------------------------------------------------

    @Test
    void servesOnLoopbackOnly() {
        assertTrue(gh.url().matches("http://127\\.0\\.0\\.1:\\d+"), gh.url());
    }

    @Test
    void requestsWithoutTokenNeedAuthentication() throws Exception {
        Answer answer = send("GET", BASE, null, null);
        assertEquals(401, answer.status());
        assertEquals("Requires authentication", answer.json().get("message").asText());
        assertEquals("401", answer.json().get("status").asText());
        assertNotNull(answer.json().get("documentation_url"));
    }

    @Test
    void unknownTokenIsBadCredentials() throws Exception {
        Answer answer = send("GET", BASE, null, "ghs_notAToken");
        assertEquals(401, answer.status());
        assertEquals("Bad credentials", answer.json().get("message").asText());
    }

    @Test
    void rateLimitAnswersWithoutTokenAndDoesNotCount() throws Exception {
        Answer anonymous = send("GET", "/rate_limit", null, null);
        assertEquals(200, anonymous.status());
        assertEquals(60, anonymous.json().at("/rate/limit").asInt());

        get(BASE);
        Answer first = get("/rate_limit");
        Answer second = get("/rate_limit");
        assertEquals(5000, first.json().at("/resources/core/limit").asInt());
        assertEquals(1, first.json().at("/rate/used").asInt());
        assertEquals(first.header("x-ratelimit-remaining"), second.header("x-ratelimit-remaining"));
        assertMatchesOpenApi("rate-limit__get.json", first);
    }

    @Test
    void thePrimaryRateLimitIsASettingThatResetRestores() throws Exception {
        assertEquals(204, admin("POST", "/_emulator/settings", "{\"rate_limit\":3}").status());
        assertEquals("3", get(BASE).header("x-ratelimit-limit"));
        get(BASE);
        assertEquals("0", get(BASE).header("x-ratelimit-remaining"));
        Answer exhausted = get(BASE);
        assertEquals(403, exhausted.status());
        assertTrue(exhausted.message().startsWith("API rate limit exceeded for installation ID "), exhausted.body());

        assertEquals(204, admin("POST", "/_emulator/settings", "{\"rate_limit\":15000}").status());
        Answer raised = get(BASE);
        assertEquals(200, raised.status(), "a higher limit lets the same hour go on");
        assertEquals("15000", raised.header("x-ratelimit-limit"));
        assertEquals("14996", raised.header("x-ratelimit-remaining"), "the requests already counted stay counted");
        assertEquals(60, send("GET", "/rate_limit", null, null).json().at("/rate/limit").asInt(), "not the limit without a token");
        assertEquals(400, admin("POST", "/_emulator/settings", "{\"rate_limit\":0}").status());

        gh.reset();
        assertEquals("5000", get(BASE).header("x-ratelimit-limit"));
    }

    @Test
    void everyAnswerCarriesGitHubHeaders() throws Exception {
        Answer first = get(BASE);
        Answer second = get(BASE);
        for (Answer a : List.of(first, second)) {
            assertEquals("application/json; charset=utf-8", a.header("content-type"));
            assertEquals("2022-11-28", a.header("x-github-api-version-selected"));
            assertEquals("5000", a.header("x-ratelimit-limit"));
            assertEquals("core", a.header("x-ratelimit-resource"));
            assertTrue(Long.parseLong(a.header("x-ratelimit-reset")) > Instant.now().getEpochSecond());
            assertNull(a.header("matched-stub-id"), "no WireMock headers");
        }
        assertEquals(4999, Integer.parseInt(first.header("x-ratelimit-remaining")));
        assertEquals(4998, Integer.parseInt(second.header("x-ratelimit-remaining")));
        assertEquals("2", second.header("x-ratelimit-used"));
        assertNotEquals(first.header("x-github-request-id"), second.header("x-github-request-id"));
    }

    @Test
    void unknownPathsAndRepositoriesAreNotFound() throws Exception {
        Answer path = get("/repos/octo-org/octo-repo/nothing-here");
        assertEquals(404, path.status());
        assertEquals("Not Found", path.json().get("message").asText());
        Answer repo = get("/repos/octo-org/missing");
        assertEquals(404, repo.status());
        assertEquals("https://docs.github.com/rest/repos/repos#get-a-repository", repo.json().get("documentation_url").asText());
        assertEquals(404, get(BASE + "/issues/not-a-number").status());
    }

    @Test
    void repositoryNamesAreCaseInsensitive() throws Exception {
        Answer answer = get("/repos/Octo-Org/OCTO-REPO");
        assertEquals(200, answer.status());
        assertEquals(REPO, answer.json().get("full_name").asText());
    }

    @Test
    void bodiesThatAreNotJsonAreRefused() throws Exception {
        Answer answer = send("POST", BASE + "/issues", "{\"title\": ", GitHubEmulator.DEFAULT_TOKEN);
        assertEquals(400, answer.status());
        assertEquals("Problems parsing JSON", answer.json().get("message").asText());
    }

    @Test
    void bodiesAreCheckedAgainstTheOperationSchema() throws Exception {
        Answer answer = put(BASE + "/issues/" + createIssue("state", List.of()) + "/lock", "{\"lock_reason\":\"bored\"}");
        assertEquals(422, answer.status());
        assertEquals("Invalid request.\n\nFor 'properties/lock_reason', \"bored\" is not a member of "
                + "[\"off-topic\", \"too heated\", \"resolved\", \"spam\"].", answer.json().get("message").asText());
        assertEquals("https://docs.github.com/rest/issues/issues#lock-an-issue", answer.json().get("documentation_url").asText());

        Answer wrongType = post(BASE + "/git/refs", "{\"ref\": 5, \"sha\": \"x\"}");
        assertEquals(422, wrongType.status());
        assertEquals("Invalid request.\n\nFor 'properties/ref', 5 is not a string.", wrongType.json().get("message").asText());
    }

    @Test
    void unsupportedApiVersionIsRefused() throws Exception {
        HttpRequest request = request("GET", BASE, null, GitHubEmulator.DEFAULT_TOKEN)
                .header("X-GitHub-Api-Version", "2019-01-01").build();
        assertEquals(400, Answer.of(http.send(request, HttpResponse.BodyHandlers.ofString())).status());
    }

    // ---------------------------------------------------------------------------------------------
    // Repository dispatch
    // ---------------------------------------------------------------------------------------------

    @Nested
    class RepositoryDispatch {
        @Test
        void acceptedDispatchIsDeliveredAsGitHubWould() throws Exception {
            Answer answer = post(BASE + "/dispatches",
                    "{\"event_type\":\"rfc.pr.ready\",\"client_payload\":{\"event_id\":\"e1\",\"data\":{\"pr\":456}}}");
            assertEquals(204, answer.status());
            assertEquals("", answer.body());

            List<Path> events = gh.deliveredEvents(REPO);
            assertEquals(1, events.size());
            assertEquals("0001-repository_dispatch.json", events.get(0).getFileName().toString());
            assertTrue(events.get(0).startsWith(gh.eventsDir()));
            JsonNode event = JSON.readTree(events.get(0).toFile());
            JsonNode example = resource("github/webhooks/payload-examples/api.github.com/repository_dispatch/payload.json");
            assertEquals(keys(example), keys(event));
            assertEquals(keys(example.get("repository")), keys(event.get("repository")));
            assertEquals(keys(example.get("repository").get("owner")), keys(event.get("repository").get("owner")));
            assertEquals(keys(example.get("organization")), keys(event.get("organization")));
            assertEquals(keys(example.get("sender")), keys(event.get("sender")));
            assertEquals(keys(example.get("installation")), keys(event.get("installation")));
            assertEquals("rfc.pr.ready", event.get("action").asText());
            assertEquals("main", event.get("branch").asText());
            assertEquals(456, event.at("/client_payload/data/pr").asInt());
            assertEquals(REPO, event.at("/repository/full_name").asText());
            assertEquals("main", event.at("/repository/default_branch").asText());
            assertEquals("github-actions[bot]", event.at("/sender/login").asText());
            assertEquals(41898282, event.at("/sender/id").asLong());
            assertEquals("Bot", event.at("/sender/type").asText());
        }

        @Test
        void eventFilesAreNumberedInOrder() throws Exception {
            for (int i = 0; i < 3; i++) {
                assertEquals(204, post(BASE + "/dispatches", "{\"event_type\":\"rfc.pr.ready\"}").status());
            }
            assertEquals(List.of("0001-repository_dispatch.json", "0002-repository_dispatch.json", "0003-repository_dispatch.json"),
                    gh.deliveredEvents(REPO).stream().map(p -> p.getFileName().toString()).toList());
        }

        @Test
        void eventsGoToTheChosenDirectory(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
            Path before = gh.eventsDir();
            gh.setEventsDir(dir);
            try {
                post(BASE + "/dispatches", "{\"event_type\":\"rfc.pr.ready\"}");
                assertEquals(dir.resolve("0001-repository_dispatch.json"), gh.deliveredEvents(REPO).get(0));
                assertTrue(Files.exists(dir.resolve("0001-repository_dispatch.json")));
            } finally {
                gh.setEventsDir(before);
            }
        }

        @Test
        void eventTypeLongerThan100CharactersIsRefused() throws Exception {
            Answer answer = post(BASE + "/dispatches", "{\"event_type\":\"" + "a".repeat(101) + "\"}");
            assertEquals(422, answer.status());
            assertTrue(answer.message().startsWith("Invalid request.\n\nFor 'properties/event_type'"), answer.message());
            assertEquals("https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event",
                    answer.json().get("documentation_url").asText());
            assertEquals(204, post(BASE + "/dispatches", "{\"event_type\":\"" + "a".repeat(100) + "\"}").status());
        }

        @Test
        void missingEventTypeIsRefused() throws Exception {
            Answer answer = post(BASE + "/dispatches", "{\"client_payload\":{}}");
            assertEquals(422, answer.status());
            assertEquals("Invalid request.\n\n\"event_type\" wasn't supplied.", answer.message());
        }

        @Test
        void moreThanTenTopLevelPropertiesAreRefused() throws Exception {
            Map<String, Object> payload = new LinkedHashMap<>();
            for (int i = 0; i < 11; i++) {
                payload.put("p" + i, i);
            }
            Answer answer = post(BASE + "/dispatches", JSON.writeValueAsString(Map.of("event_type", "x.y", "client_payload", payload)));
            assertEquals(422, answer.status());
            assertTrue(answer.message().contains("no more than 10 properties are allowed; 11 were supplied"), answer.message());
            assertTrue(gh.deliveredEvents(REPO).isEmpty());
        }

        @Test
        void bodiesOf64KilobytesAreRefused() throws Exception {
            String prefix = "{\"event_type\":\"x.y\",\"client_payload\":{\"data\":\"";
            String suffix = "\"}}";
            String fits = prefix + "a".repeat(65_535 - prefix.length() - suffix.length()) + suffix;
            String tooLarge = prefix + "a".repeat(65_536 - prefix.length() - suffix.length()) + suffix;
            assertEquals(204, post(BASE + "/dispatches", fits).status());
            Answer answer = post(BASE + "/dispatches", tooLarge);
            assertEquals(422, answer.status());
            assertEquals("client_payload is too large.", answer.message());
            assertEquals(1, gh.deliveredEvents(REPO).size());
        }

        @Test
        void tokenWithoutWriteAccessIsForbidden() throws Exception {
            Answer answer = send("POST", BASE + "/dispatches", "{\"event_type\":\"x.y\"}", MALLORY);
            assertEquals(403, answer.status());
            assertEquals("Resource not accessible by integration", answer.message());
            assertTrue(gh.deliveredEvents(REPO).isEmpty());
        }

        @Test
        void collaboratorIsTheSender() throws Exception {
            gh.addUser("ghp_alice", "alice", true);
            assertEquals(204, send("POST", BASE + "/dispatches", "{\"event_type\":\"x.y\"}", "ghp_alice").status());
            JsonNode event = JSON.readTree(gh.deliveredEvents(REPO).get(0).toFile());
            assertEquals("alice", event.at("/sender/login").asText());
            assertEquals("User", event.at("/sender/type").asText());
        }

        @Test
        void unknownRepositoryIsNotFound() throws Exception {
            assertEquals(404, post("/repos/octo-org/nope/dispatches", "{\"event_type\":\"x.y\"}").status());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Workflow dispatch, workflows, runs, artifacts
    // ---------------------------------------------------------------------------------------------

    @Nested
    class WorkflowDispatch {
        @BeforeEach
        void declareWorkflow() {
            gh.addWorkflow(REPO, "pr-flow-monitor.yml", Map.of("issue", true, "event_id", false));
        }

        String dispatches(String workflow) {
            return BASE + "/actions/workflows/" + workflow + "/dispatches";
        }

        @Test
        void dispatchStartsAQueuedRun() throws Exception {
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"123\",\"event_id\":\"e1\"}}");
            assertEquals(204, answer.status());
            List<Map<String, Object>> runs = gh.workflowRuns(REPO);
            assertEquals(1, runs.size());
            Map<String, Object> run = runs.get(0);
            assertEquals(Map.of("issue", "123", "event_id", "e1"), run.get("inputs"));
            assertEquals("main", run.get("ref"));
            assertEquals("pr-flow-monitor.yml", run.get("workflow_file"));
            assertEquals("queued", run.get("status"));
            assertEquals("workflow_dispatch", run.get("event"));
            assertEquals("main", run.get("head_branch"));
            assertEquals(".github/workflows/pr-flow-monitor.yml", run.get("path"));
        }

        @Test
        void returnRunDetailsAnswersWithTheRun() throws Exception {
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"},\"return_run_details\":true}");
            assertEquals(200, answer.status());
            long id = answer.json().get("workflow_run_id").asLong();
            assertEquals(gh.url() + BASE + "/actions/runs/" + id, answer.json().get("run_url").asText());
            assertEquals("https://github.com/" + REPO + "/actions/runs/" + id, answer.json().get("html_url").asText());
            assertEquals(id, ((Number) gh.workflowRuns(REPO).get(0).get("id")).longValue());
            assertMatchesOpenApi("actions__create-workflow-dispatch.json", answer);
        }

        @Test
        void workflowCanBeNamedByNumericId() throws Exception {
            long id = get(BASE + "/actions/workflows/pr-flow-monitor.yml").json().get("id").asLong();
            assertEquals(204, post(dispatches(String.valueOf(id)), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"}}").status());
        }

        @Test
        void unknownWorkflowIsNotFound() throws Exception {
            assertEquals(404, post(dispatches("nope.yml"), "{\"ref\":\"main\"}").status());
        }

        @Test
        void refMustExist() throws Exception {
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"nope\",\"inputs\":{\"issue\":\"1\"}}");
            assertEquals(422, answer.status());
            assertEquals("No ref found for: nope", answer.message());
            assertEquals(204, post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"refs/heads/main\",\"inputs\":{\"issue\":\"1\"}}").status());
            gh.addBranch(REPO, "feature");
            assertEquals(204, post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"feature\",\"inputs\":{\"issue\":\"1\"}}").status());
            assertEquals(List.of("refs/heads/main", "feature"),
                    gh.workflowRuns(REPO).stream().map(r -> r.get("ref")).toList());
        }

        @Test
        void refIsRequired() throws Exception {
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"inputs\":{\"issue\":\"1\"}}");
            assertEquals(422, answer.status());
            assertEquals("Invalid request.\n\n\"ref\" wasn't supplied.", answer.message());
        }

        @Test
        void undeclaredInputsAreRefused() throws Exception {
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\",\"x\":\"2\"}}");
            assertEquals(422, answer.status());
            assertEquals("Unexpected inputs provided: [\"x\"]", answer.message());
        }

        @Test
        void requiredInputMustBeGiven() throws Exception {
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"event_id\":\"e\"}}");
            assertEquals(422, answer.status());
            assertEquals("Required input 'issue' not provided", answer.message());
        }

        @Test
        void inputValuesAreScalars() throws Exception {
            assertEquals(204, post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":123}}").status());
            assertEquals(204, post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":true}}").status());
            Answer answer = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":{\"n\":1}}}");
            assertEquals(422, answer.status());
        }

        @Test
        void moreThan25InputsAreRefused() throws Exception {
            Map<String, String> inputs = new LinkedHashMap<>();
            for (int i = 0; i < 26; i++) {
                inputs.put("i" + i, "v");
            }
            Answer answer = post(dispatches("pr-flow-monitor.yml"), JSON.writeValueAsString(Map.of("ref", "main", "inputs", inputs)));
            assertEquals(422, answer.status());
            assertTrue(answer.message().contains("no more than 25 properties"), answer.message());
        }

        @Test
        void legacyServerRefusesReturnRunDetails() throws Exception {
            gh.setLegacyWorkflowDispatch(true);
            Answer refused = post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"},\"return_run_details\":true}");
            assertEquals(400, refused.status());
            assertEquals("Invalid request.\n\n\"return_run_details\" is not a permitted key.", refused.message());
            assertTrue(gh.workflowRuns(REPO).isEmpty());
            assertEquals(204, post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"}}").status());
        }

        @Test
        void tokenWithoutWriteAccessIsForbidden() throws Exception {
            assertEquals(403, send("POST", dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"}}", MALLORY).status());
        }

        @Test
        void getWorkflow() throws Exception {
            Answer answer = get(BASE + "/actions/workflows/pr-flow-monitor.yml");
            assertEquals(200, answer.status());
            assertEquals(".github/workflows/pr-flow-monitor.yml", answer.json().get("path").asText());
            assertEquals("active", answer.json().get("state").asText());
            assertMatchesOpenApi("actions__get-workflow.json", answer);
            assertEquals(404, get(BASE + "/actions/workflows/nope.yml").status());
        }

        @Test
        void runsAreListedNewestFirstWithLinkPagination() throws Exception {
            for (int i = 1; i <= 5; i++) {
                post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"" + i + "\"}}");
            }
            Answer page2 = get(BASE + "/actions/runs?per_page=2&page=2");
            assertEquals(5, page2.json().get("total_count").asInt());
            assertEquals(2, page2.json().get("workflow_runs").size());
            assertEquals(3, page2.json().at("/workflow_runs/0/run_number").asInt());
            // GitHub's Link URLs name the repository by id (recorded in @octokit/fixtures' paginate-issues).
            String runs = gh.url() + "/repositories/17273051/actions/runs";
            assertEquals("<" + runs + "?per_page=2&page=1>; rel=\"prev\", <" + runs + "?per_page=2&page=3>; rel=\"next\", <"
                    + runs + "?per_page=2&page=3>; rel=\"last\", <" + runs + "?per_page=2&page=1>; rel=\"first\"", page2.header("link"));
            Answer page3 = get(BASE + "/actions/runs?per_page=2&page=3");
            assertEquals(1, page3.json().get("workflow_runs").size());
            assertFalse(page3.header("link").contains("rel=\"next\""));
            assertMatchesOpenApi("actions__list-workflow-runs-for-repo.json", page2);
            assertNull(get(BASE + "/actions/runs").header("link"), "one page needs no Link");
        }

        @Test
        void aRunsTitleIsItsRunNameWithTheInputsFilledIn() throws Exception {
            gh.addWorkflow(REPO, "merge.yml", Map.of("pr", true, "event_id", true), "Merge #${{ inputs.pr }} (event ${{ inputs.event_id }})");
            post(dispatches("merge.yml"), "{\"ref\":\"main\",\"inputs\":{\"pr\":\"456\",\"event_id\":\"e-1\"}}");
            post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"}}");
            JsonNode runs = get(BASE + "/actions/runs").json().get("workflow_runs");
            assertEquals(".github/workflows/pr-flow-monitor.yml", runs.at("/0/display_title").asText(), "no run-name: the workflow");
            assertEquals("Merge #456 (event e-1)", runs.at("/1/display_title").asText());
        }

        @Test
        void runsAreFilteredByCreationTime() throws Exception {
            post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"1\"}}");
            gh.advanceClock(java.time.Duration.ofHours(2));
            post(dispatches("pr-flow-monitor.yml"), "{\"ref\":\"main\",\"inputs\":{\"issue\":\"2\"}}");
            JsonNode all = get(BASE + "/actions/runs").json().get("workflow_runs");
            String second = all.at("/0/created_at").asText();
            String since = java.net.URLEncoder.encode(">=" + second, java.nio.charset.StandardCharsets.UTF_8);
            JsonNode recent = get(BASE + "/actions/runs?created=" + since).json();
            assertEquals(1, recent.get("total_count").asInt());
            assertEquals(2, recent.at("/workflow_runs/0/run_number").asInt());
        }
    }

    @Test
    void theDateHeaderIsGitHubsClockWhichTestsMoveOn() throws Exception {
        java.time.Instant before = java.time.ZonedDateTime.parse(get(BASE).header("date"), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        gh.advanceClock(java.time.Duration.ofDays(1));
        java.time.Instant after = java.time.ZonedDateTime.parse(get(BASE).header("date"), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(java.time.Duration.between(before, after).compareTo(java.time.Duration.ofDays(1)) >= 0, before + " -> " + after);
        assertEquals(1, get(BASE).headers().allValues("date").size(), "one Date header");
    }

    @Test
    void anIssueIsClosedAndLabelledAndRefsAreListedByPrefix() throws Exception {
        long number = post(BASE + "/issues", "{\"title\":\"t\"}").json().get("number").asLong();
        Answer closed = send("PATCH", BASE + "/issues/" + number, "{\"state\":\"closed\"}", GitHubEmulator.DEFAULT_TOKEN);
        assertEquals(200, closed.status());
        assertEquals("closed", closed.json().get("state").asText());
        assertEquals("completed", closed.json().get("state_reason").asText());
        assertMatchesOpenApi("issues__update.json", closed);
        assertEquals(0, get(BASE + "/issues?state=open").json().size());
        assertEquals(1, get(BASE + "/issues?state=all").json().size());
        Answer labels = post(BASE + "/issues/" + number + "/labels", "{\"labels\":[\"a\",\"b\"]}");
        assertEquals(200, labels.status());
        assertEquals(2, labels.json().size());
        assertMatchesOpenApi("issues__add-labels.json", labels);

        String sha = gh.branchSha(REPO, "main");
        post(BASE + "/git/refs", "{\"ref\":\"refs/event-bus/x/1\",\"sha\":\"" + sha + "\"}");
        post(BASE + "/git/refs", "{\"ref\":\"refs/event-bus/x/2\",\"sha\":\"" + sha + "\"}");
        Answer matching = get(BASE + "/git/matching-refs/event-bus/x/");
        assertEquals(200, matching.status());
        assertEquals(2, matching.json().size());
        assertEquals("refs/event-bus/x/1", matching.json().at("/0/ref").asText());
        assertMatchesOpenApi("git__list-matching-refs.json", matching);
        assertEquals(0, get(BASE + "/git/matching-refs/event-bus/none").json().size());
    }

    @Test
    void filesAreCommittedToABranchAndDownloadedAsAZipball() throws Exception {
        // An orphan branch: a tree, a commit without parents, a ref.
        Answer tree = post(BASE + "/git/trees", "{\"tree\":[{\"path\":\"README.md\",\"mode\":\"100644\",\"type\":\"blob\",\"content\":\"hi\"}]}");
        assertEquals(201, tree.status());
        assertMatchesOpenApi("git__create-tree.json", tree);
        Answer commit = post(BASE + "/git/commits", "{\"message\":\"start\",\"tree\":\"" + tree.json().get("sha").asText() + "\",\"parents\":[]}");
        assertEquals(201, commit.status());
        assertMatchesOpenApi("git__create-commit.json", commit);
        String root = commit.json().get("sha").asText();
        assertEquals(201, post(BASE + "/git/refs", "{\"ref\":\"refs/heads/history\",\"sha\":\"" + root + "\"}").status());

        String content = Base64.getEncoder().encodeToString("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8));
        String put = "{\"message\":\"add\",\"branch\":\"history\",\"content\":\"" + content + "\"}";
        Answer created = send("PUT", BASE + "/contents/events/2026-11-28/one.json", put, GitHubEmulator.DEFAULT_TOKEN);
        assertEquals(201, created.status());
        assertMatchesOpenApi("repos__create-or-update-file-contents.json", created);
        assertEquals(422, send("PUT", BASE + "/contents/events/2026-11-28/one.json", put, GitHubEmulator.DEFAULT_TOKEN).status(),
                "an existing path without its sha: creating a file is atomic");
        assertEquals(409, send("PUT", BASE + "/contents/events/2026-11-28/one.json", put.replace("}", ",\"sha\":\"0000000000000000000000000000000000000000\"}"),
                GitHubEmulator.DEFAULT_TOKEN).status());
        assertEquals(404, send("PUT", BASE + "/contents/x.json", put.replace("history", "nope"), GitHubEmulator.DEFAULT_TOKEN).status());

        Answer listed = get(BASE + "/git/trees/history?recursive=1");
        assertMatchesOpenApi("git__get-tree.json", listed);
        List<String> paths = new ArrayList<>();
        listed.json().get("tree").forEach(e -> paths.add(e.get("path").asText()));
        assertTrue(paths.containsAll(List.of("README.md", "events", "events/2026-11-28", "events/2026-11-28/one.json")), paths.toString());

        Answer zipball = get(BASE + "/zipball/history");
        assertEquals(302, zipball.status());
        HttpResponse<byte[]> zip = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(zipball.header("location"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        Map<String, String> files = new TreeMap<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip.body()))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    files.put(e.getName().substring(e.getName().indexOf('/') + 1), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(Map.of("README.md", "hi", "events/2026-11-28/one.json", "{\"a\":1}\n"), files);

        // Deleting with a tree over the head's tree, then a fast-forward.
        String head = get(BASE + "/git/ref/heads/history").json().at("/object/sha").asText();
        String headTree = get(BASE + "/git/trees/history").json().get("sha").asText();
        Answer pruned = post(BASE + "/git/trees", "{\"base_tree\":\"" + headTree + "\",\"tree\":[{\"path\":\"events/2026-11-28\",\"mode\":\"040000\",\"type\":\"tree\",\"sha\":null}]}");
        assertEquals(201, pruned.status(), pruned.body());
        String next = post(BASE + "/git/commits", "{\"message\":\"prune\",\"tree\":\"" + pruned.json().get("sha").asText() + "\",\"parents\":[\"" + head + "\"]}")
                .json().get("sha").asText();
        assertEquals(422, send("PATCH", BASE + "/git/refs/heads/history", "{\"sha\":\"" + root + "\"}", GitHubEmulator.DEFAULT_TOKEN).status(),
                "not a fast forward");
        Answer moved = send("PATCH", BASE + "/git/refs/heads/history", "{\"sha\":\"" + next + "\"}", GitHubEmulator.DEFAULT_TOKEN);
        assertEquals(200, moved.status());
        assertMatchesOpenApi("git__update-ref.json", moved);
        assertEquals(1, get(BASE + "/git/trees/history?recursive=1").json().get("tree").size());
    }

    @Test
    void aRenamedRepositoryRedirectsFromItsFormerName() throws Exception {
        gh.renameRepository(REPO, "octo-org/new-name");
        Answer read = get(BASE);
        assertEquals(301, read.status());
        assertTrue(read.header("location").matches(java.util.regex.Pattern.quote(gh.url()) + "/repositories/\\d+"), read.header("location"));
        Answer write = post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}");
        assertEquals(307, write.status());
        assertTrue(write.header("location").endsWith("/dispatches"), write.header("location"));
        assertEquals(200, get("/repos/octo-org/new-name").status());
    }

    @Test
    void artifactsAreListedAndDownloaded() throws Exception {
        byte[] zip = {'P', 'K', 3, 4, 1, 2, 3};
        long log = gh.addArtifact(REPO, "event-log", zip);
        gh.addArtifact(REPO, "other", new byte[] {'P', 'K'});
        Answer all = get(BASE + "/actions/artifacts");
        assertEquals(2, all.json().get("total_count").asInt());
        assertMatchesOpenApi("actions__list-artifacts-for-repo.json", all);
        Answer named = get(BASE + "/actions/artifacts?name=event-log");
        assertEquals(1, named.json().get("total_count").asInt());
        assertEquals(log, named.json().at("/artifacts/0/id").asLong());
        assertEquals(7, named.json().at("/artifacts/0/size_in_bytes").asInt());

        Answer redirect = get(BASE + "/actions/artifacts/" + log + "/zip");
        assertEquals(302, redirect.status());
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(redirect.header("location"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals(List.of(zip[0], zip[1], zip[2], zip[6]),
                List.of(download.body()[0], download.body()[1], download.body()[2], download.body()[6]));
        assertEquals(404, get(BASE + "/actions/artifacts/999/zip").status());
    }

    @Test
    void anEmptyRepositorysFirstFileMakesItsDefaultBranchWithARootCommit() throws Exception {
        // POST /orgs/{org}/repos without auto_init makes no commit (@octokit/fixtures' create-file: a first commit without parents).
        gh.addRepository("octo-org/empty", "main", true);
        assertTrue(gh.refs("octo-org/empty").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> gh.addBranch("octo-org/empty", "feature"));
        assertEquals(404, put("/repos/octo-org/empty/contents/a.md", "{\"message\":\"m\",\"content\":\"YQ==\",\"branch\":\"dev\"}").status());
        Answer first = put("/repos/octo-org/empty/contents/README.md", "{\"message\":\"first\",\"content\":\"IyBoZWxsbw==\"}");
        assertEquals(201, first.status(), first.body());
        assertMatchesOpenApi("repos__create-or-update-file-contents.json", first);
        assertEquals(0, first.json().at("/commit/parents").size());
        assertEquals(Set.of("refs/heads/main"), gh.refs("octo-org/empty"));
        assertEquals(first.json().at("/commit/sha").asText(), gh.branchSha("octo-org/empty", "main"));
    }

    @Test
    void anArtifactNamesTheRunThatUploadedItItsHeadBranchAndRepository() throws Exception {
        // actions/list-artifacts-for-repo: workflow_run {id, repository_id, head_repository_id, head_branch, head_sha}.
        gh.addFork(REPO, "mallory/octo-repo");
        String forkSha = branchWithCommit("mallory/octo-repo", "evil");
        long own = gh.addArtifact(REPO, "event-log-1-1", new byte[] {'P', 'K'});
        long fork = gh.addArtifact(REPO, "event-log-2-1", new byte[] {'P', 'K'}, "evil", "mallory/octo-repo");
        long branch = gh.addArtifact(REPO, "event-log-3-1", new byte[] {'P', 'K'}, "feature", null);
        Answer added = admin("POST", "/_emulator/artifacts", "{\"repo\":\"" + REPO + "\",\"name\":\"event-log-4-1\",\"zip_base64\":\"UEs=\","
                + "\"head_branch\":\"evil\",\"head_repository\":\"mallory/octo-repo\",\"run_id\":777}");
        assertEquals(201, added.status(), added.body());
        Answer all = get(BASE + "/actions/artifacts");
        assertMatchesOpenApi("actions__list-artifacts-for-repo.json", all);
        Map<Long, JsonNode> runs = new LinkedHashMap<>();
        all.json().get("artifacts").forEach(a -> runs.put(a.get("id").asLong(), a.get("workflow_run")));
        long repoId = get(BASE).json().get("id").asLong();
        long forkId = get("/repos/mallory/octo-repo").json().get("id").asLong();
        assertEquals(repoId, runs.get(own).get("repository_id").asLong());
        assertEquals(repoId, runs.get(own).get("head_repository_id").asLong());
        assertEquals("main", runs.get(own).get("head_branch").asText());
        assertEquals(gh.branchSha(REPO, "main"), runs.get(own).get("head_sha").asText());
        assertEquals(repoId, runs.get(fork).get("repository_id").asLong(), "a fork's pull request runs in the base repository");
        assertEquals(forkId, runs.get(fork).get("head_repository_id").asLong());
        assertEquals("evil", runs.get(fork).get("head_branch").asText());
        assertEquals(forkSha, runs.get(fork).get("head_sha").asText());
        assertEquals(repoId, runs.get(branch).get("head_repository_id").asLong());
        assertEquals("feature", runs.get(branch).get("head_branch").asText());
        assertEquals(777, runs.get(added.json().get("id").asLong()).get("id").asLong());
        assertEquals(forkId, runs.get(added.json().get("id").asLong()).get("head_repository_id").asLong());
        assertNotEquals(runs.get(own).get("id").asLong(), runs.get(fork).get("id").asLong(), "each upload its own run");
    }

    @Test
    void aZipballRedirectsToCodeloadByTheRefsFullNameAndARepositoryIsServedByItsId() throws Exception {
        gh.commitFile(REPO, "main", "README.md", "# hello", "readme");
        Answer redirect = get(BASE + "/zipball/main");
        assertEquals(302, redirect.status());
        // codeload's URL as GitHub gives it (@octokit/fixtures get-archive: .../legacy.tar.gz/refs/heads/main).
        assertEquals(gh.url() + "/_emulator/codeload/" + REPO + "/legacy.zip/refs/heads/main", redirect.header("location"));
        assertEquals("text/html;charset=utf-8", redirect.header("content-type"));
        assertEquals("", redirect.body());
        String sha = gh.branchSha(REPO, "main");
        assertTrue(get(BASE + "/zipball/" + sha).header("location").endsWith("/legacy.zip/" + sha));
        HttpResponse<byte[]> zip = http.send(HttpRequest.newBuilder(URI.create(redirect.header("location"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, zip.statusCode());
        assertEquals("application/zip", zip.headers().firstValue("content-type").orElse(null));
        assertEquals(404, get(BASE + "/zipball/nowhere").status());

        assertEquals(REPO, get("/repositories/17273051").json().get("full_name").asText());
        assertEquals(200, get("/repositories/17273051/commits/main/status").status());
        assertEquals(404, get("/repositories/99/issues").status());
    }

    @Test
    void labelsAreCreatedOnceAndValidated() throws Exception {
        Answer created = post(BASE + "/labels", "{\"name\":\"rfc:blocked\",\"color\":\"B60205\",\"description\":\"Blocked\"}");
        assertEquals(201, created.status(), created.body());
        assertMatchesOpenApi("issues__create-label.json", created);
        assertEquals(gh.url() + BASE + "/labels/rfc%3Ablocked", created.header("location"));
        Answer invalid = post(BASE + "/labels", "{\"name\":\"foo\",\"color\":\"invalid\"}");
        // Recorded from api.github.com in @octokit/fixtures' errors scenario.
        assertEquals(422, invalid.status());
        assertMatchesOpenApi("issues__create-label.json", invalid);
        assertEquals("Validation Failed", invalid.message());
        assertEquals(List.of("Label", "invalid", "color"), List.of(invalid.json().at("/errors/0/resource").asText(),
                invalid.json().at("/errors/0/code").asText(), invalid.json().at("/errors/0/field").asText()));
        Answer again = post(BASE + "/labels", "{\"name\":\"RFC:Blocked\"}");
        assertEquals(422, again.status());
        assertEquals("already_exists", again.json().at("/errors/0/code").asText(), "a create-if-absent, case-insensitive");
        Answer got = get(BASE + "/labels/rfc:blocked");
        assertEquals(200, got.status());
        assertMatchesOpenApi("issues__get-label.json", got);
        assertEquals("B60205", got.json().get("color").asText());
        assertEquals(404, get(BASE + "/labels/nothing").status());
        assertEquals(403, send("POST", BASE + "/labels", "{\"name\":\"x\"}", MALLORY).status());
    }

    // ---------------------------------------------------------------------------------------------
    // Issues and comments: the dedupe state
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Issues {
        @Test
        void createdIssueHasLabelsAndLocation() throws Exception {
            Answer answer = post(BASE + "/issues", "{\"title\":\"event-bus state\",\"body\":\"b\",\"labels\":[\"event-bus-state\"]}");
            assertEquals(201, answer.status());
            assertEquals(1, answer.json().get("number").asInt());
            assertEquals("event-bus-state", answer.json().at("/labels/0/name").asText());
            assertEquals(answer.json().get("url").asText(), answer.header("location"));
            assertEquals("github-actions[bot]", answer.json().at("/user/login").asText());
            assertMatchesOpenApi("issues__create.json", answer);
            assertMatchesOpenApi("issues__get.json", get(BASE + "/issues/1"));
            assertEquals(404, get(BASE + "/issues/2").status());
        }

        @Test
        void issuesAreFilteredByLabelsStateAndCreator() throws Exception {
            createIssue("a", List.of("event-bus-state"));
            createIssue("b", List.of("other"));
            createIssue("c", List.of("event-bus-state", "other"));
            send("POST", BASE + "/issues", "{\"title\":\"m\",\"labels\":[\"event-bus-state\"]}", MALLORY);
            assertEquals(List.of("c", "a"), titles(get(BASE + "/issues?labels=event-bus-state&state=open")));
            assertEquals(List.of("c"), titles(get(BASE + "/issues?labels=event-bus-state,other")));
            assertEquals(List.of("a", "c"), titles(get(BASE + "/issues?labels=event-bus-state&direction=asc")));
            assertEquals(List.of("m"), titles(get(BASE + "/issues?creator=mallory")));
            assertEquals(List.of(), titles(get(BASE + "/issues?state=closed")));
            assertEquals(4, gh.issues(REPO).size());
            assertMatchesOpenApi("issues__list-for-repo.json", get(BASE + "/issues"));
        }

        @Test
        void listedIssuesCarryNoClosedByAsGitHubListsThem() throws Exception {
            // Recorded from api.github.com in @octokit/fixtures' paginate-issues: listed issues have no closed_by.
            int number = createIssue("done", List.of());
            patch(BASE + "/issues/" + number, "{\"state\":\"closed\"}");
            assertEquals("github-actions[bot]", get(BASE + "/issues/" + number).json().at("/closed_by/login").asText());
            JsonNode listed = get(BASE + "/issues?state=closed").json().get(0);
            assertEquals(number, listed.get("number").asInt());
            assertFalse(listed.has("closed_by"));
        }

        @Test
        void labelsFromUsersWithoutPushAccessAreDropped() throws Exception {
            Answer answer = send("POST", BASE + "/issues", "{\"title\":\"fake state\",\"labels\":[\"event-bus-state\"]}", MALLORY);
            assertEquals(201, answer.status());
            assertEquals(0, answer.json().get("labels").size());
            assertEquals("NONE", answer.json().get("author_association").asText());
        }

        @Test
        void titleIsRequired() throws Exception {
            assertEquals("Invalid request.\n\n\"title\" wasn't supplied.", post(BASE + "/issues", "{\"body\":\"x\"}").message());
            Answer blank = post(BASE + "/issues", "{\"title\":\"\"}");
            assertEquals(422, blank.status());
            assertEquals("missing_field", blank.json().at("/errors/0/code").asText());
        }

        @Test
        void bodyLongerThan65536CharactersIsRefused() throws Exception {
            assertEquals(201, post(BASE + "/issues", JSON.writeValueAsString(Map.of("title", "t", "body", "x".repeat(65_536)))).status());
            Answer answer = post(BASE + "/issues", JSON.writeValueAsString(Map.of("title", "t", "body", "x".repeat(65_537))));
            assertEquals(422, answer.status());
            assertEquals("Validation Failed", answer.message());
            assertEquals(JSON.readTree("[{\"resource\":\"Issue\",\"code\":\"custom\",\"field\":\"body\","
                    + "\"message\":\"body is too long (maximum is 65536 characters)\"}]"), answer.json().get("errors"));
        }

        @Test
        void lockedIssueTakesCommentsOnlyFromWriters() throws Exception {
            int issue = createIssue("state", List.of("event-bus-state"));
            assertEquals(403, send("PUT", BASE + "/issues/" + issue + "/lock", "{}", MALLORY).status());
            Answer lock = put(BASE + "/issues/" + issue + "/lock", "{\"lock_reason\":\"resolved\"}");
            assertEquals(204, lock.status());
            JsonNode locked = get(BASE + "/issues/" + issue).json();
            assertTrue(locked.get("locked").asBoolean());
            assertEquals("resolved", locked.get("active_lock_reason").asText());

            Answer refused = send("POST", BASE + "/issues/" + issue + "/comments", "{\"body\":\"spoof\"}", MALLORY);
            assertEquals(403, refused.status());
            assertEquals("Unable to create comment because issue is locked.", refused.message());
            assertEquals(201, post(BASE + "/issues/" + issue + "/comments", "{\"body\":\"state\"}").status());
        }

        @Test
        void lockWithoutBody() throws Exception {
            int issue = createIssue("state", List.of());
            assertEquals(204, put(BASE + "/issues/" + issue + "/lock", null).status());
            assertTrue(gh.issues(REPO).get(0).get("locked").equals(true));
        }
    }

    @Nested
    class Comments {
        int issue;

        @BeforeEach
        void createStateIssue() throws Exception {
            issue = createIssue("state", List.of("event-bus-state"));
        }

        String comments() {
            return BASE + "/issues/" + issue + "/comments";
        }

        @Test
        void commentLifecycle() throws Exception {
            Answer created = post(comments(), "{\"body\":\"<!-- event-bus:dedupe v1 -->\\n{}\"}");
            assertEquals(201, created.status());
            long id = created.json().get("id").asLong();
            assertTrue(id > Integer.MAX_VALUE, "GitHub's comment ids no longer fit in an int");
            assertEquals(created.json().get("url").asText(), created.header("location"));
            assertEquals(gh.url() + BASE + "/issues/comments/" + id, created.json().get("url").asText());
            assertEquals("NONE", created.json().get("author_association").asText());
            assertEquals("github-actions[bot]", created.json().at("/user/login").asText());
            assertEquals("Bot", created.json().at("/user/type").asText());
            assertMatchesOpenApi("issues__create-comment.json", created);

            Answer fetched = get(BASE + "/issues/comments/" + id);
            assertEquals(created.json().get("body"), fetched.json().get("body"));
            assertMatchesOpenApi("issues__get-comment.json", fetched);

            Answer updated = patch(BASE + "/issues/comments/" + id, "{\"body\":\"v2\"}");
            assertEquals(200, updated.status());
            assertEquals("v2", updated.json().get("body").asText());
            assertMatchesOpenApi("issues__update-comment.json", updated);
            assertEquals("v2", gh.comments(REPO, issue).get(0).get("body"));
            assertEquals(1, get(BASE + "/issues/" + issue).json().get("comments").asInt());

            assertEquals(204, send("DELETE", BASE + "/issues/comments/" + id, null, GitHubEmulator.DEFAULT_TOKEN).status());
            assertEquals(404, get(BASE + "/issues/comments/" + id).status());
            assertTrue(gh.comments(REPO, issue).isEmpty());
        }

        @Test
        void commentIdsIncreaseAcrossIssues() throws Exception {
            int other = createIssue("other", List.of());
            long first = post(comments(), "{\"body\":\"a\"}").json().get("id").asLong();
            long second = post(BASE + "/issues/" + other + "/comments", "{\"body\":\"b\"}").json().get("id").asLong();
            long third = post(comments(), "{\"body\":\"c\"}").json().get("id").asLong();
            assertTrue(first < second && second < third);
        }

        @Test
        void bodyLimitsOnCreateAndUpdate() throws Exception {
            assertEquals(201, post(comments(), JSON.writeValueAsString(Map.of("body", "é".repeat(65_536)))).status());
            Answer tooLong = post(comments(), JSON.writeValueAsString(Map.of("body", "x".repeat(65_537))));
            assertEquals(422, tooLong.status());
            assertEquals("Validation Failed", tooLong.message());
            assertEquals(JSON.readTree("[{\"resource\":\"IssueComment\",\"code\":\"unprocessable\",\"field\":\"data\","
                    + "\"message\":\"Body is too long (maximum is 65536 characters)\"}]"), tooLong.json().get("errors"));
            long id = post(comments(), "{\"body\":\"x\"}").json().get("id").asLong();
            assertEquals(422, patch(BASE + "/issues/comments/" + id, JSON.writeValueAsString(Map.of("body", "x".repeat(65_537)))).status());
            assertEquals(422, post(comments(), "{\"body\":\"\"}").status());
            assertEquals("Invalid request.\n\n\"body\" wasn't supplied.", post(comments(), "{}").message());
        }

        @Test
        void listIsPaginatedInAscendingOrder() throws Exception {
            for (int i = 1; i <= 35; i++) {
                post(comments(), "{\"body\":\"c" + i + "\"}");
            }
            Answer first = get(comments());
            assertEquals(30, first.json().size());
            assertEquals("c1", first.json().at("/0/body").asText());
            String byId = gh.url() + comments().replace(BASE, "/repositories/17273051");
            assertEquals("<" + byId + "?page=2>; rel=\"next\", <" + byId + "?page=2>; rel=\"last\"", first.header("link"));
            assertEquals(5, get(byId.substring(gh.url().length()) + "?page=2").json().size(), "the Link's URL is served");
            Answer second = get(comments() + "?page=2");
            assertEquals(5, second.json().size());
            assertEquals("c31", second.json().at("/0/body").asText());
            Answer everything = get(comments() + "?per_page=500");
            assertEquals(35, everything.json().size());
            assertNull(everything.header("link"));
            assertMatchesOpenApi("issues__list-comments.json", first);
            assertEquals(404, get(BASE + "/issues/99/comments").status());
        }

        @Test
        void conditionalGetAnswers304WithoutCountingIt() throws Exception {
            post(comments(), "{\"body\":\"a\"}");
            Answer first = get(comments());
            String etag = first.header("etag");
            assertNotNull(etag);
            Answer notModified = send(request("GET", comments(), null, GitHubEmulator.DEFAULT_TOKEN).header("If-None-Match", etag));
            assertEquals(304, notModified.status());
            assertEquals("", notModified.body());
            assertEquals(etag, notModified.header("etag"));
            assertEquals(first.header("x-ratelimit-remaining"), notModified.header("x-ratelimit-remaining"));

            post(comments(), "{\"body\":\"b\"}");
            Answer changed = send(request("GET", comments(), null, GitHubEmulator.DEFAULT_TOKEN).header("If-None-Match", etag));
            assertEquals(200, changed.status());
            assertNotEquals(etag, changed.header("etag"));

            long id = changed.json().at("/0/id").asLong();
            String commentTag = get(BASE + "/issues/comments/" + id).header("etag");
            assertEquals(304, send(request("GET", BASE + "/issues/comments/" + id, null, GitHubEmulator.DEFAULT_TOKEN)
                    .header("If-None-Match", commentTag)).status());
        }

        @Test
        void unsafeRequestsRefuseConditionalHeaders() throws Exception {
            long id = post(comments(), "{\"body\":\"a\"}").json().get("id").asLong();
            String etag = get(BASE + "/issues/comments/" + id).header("etag");
            for (String header : List.of("If-Match", "If-None-Match", "If-Unmodified-Since")) {
                String value = header.equals("If-Unmodified-Since") ? "Wed, 21 Oct 2015 07:28:00 GMT" : etag;
                Answer answer = send(request("PATCH", BASE + "/issues/comments/" + id, "{\"body\":\"b\"}", GitHubEmulator.DEFAULT_TOKEN)
                        .header(header, value));
                assertEquals(400, answer.status(), header);
                assertEquals("Conditional request headers are not allowed in unsafe requests unless supported by the endpoint", answer.message());
            }
            assertEquals("a", gh.comments(REPO, issue).get(0).get("body"));
        }

        @Test
        void othersMayNotEditOrDeleteTheBotsComment() throws Exception {
            long id = post(comments(), "{\"body\":\"a\"}").json().get("id").asLong();
            assertEquals(403, send("PATCH", BASE + "/issues/comments/" + id, "{\"body\":\"b\"}", MALLORY).status());
            assertEquals(403, send("DELETE", BASE + "/issues/comments/" + id, null, MALLORY).status());
            Answer own = send("POST", comments(), "{\"body\":\"mine\"}", MALLORY);
            assertEquals(201, own.status());
            assertEquals(200, send("PATCH", BASE + "/issues/comments/" + own.json().get("id").asLong(), "{\"body\":\"edited\"}", MALLORY).status());
        }

        @Test
        void reactionIsCreatedOnceThenFound() throws Exception {
            long id = post(comments(), "{\"body\":\"a\"}").json().get("id").asLong();
            Answer created = post(BASE + "/issues/comments/" + id + "/reactions", "{\"content\":\"eyes\"}");
            assertEquals(201, created.status());
            assertMatchesOpenApi("reactions__create-for-issue-comment.json", created);
            Answer again = post(BASE + "/issues/comments/" + id + "/reactions", "{\"content\":\"eyes\"}");
            assertEquals(200, again.status());
            assertEquals(created.json().get("id"), again.json().get("id"));
            assertEquals(1, get(BASE + "/issues/comments/" + id).json().at("/reactions/eyes").asInt());
            assertEquals(422, post(BASE + "/issues/comments/" + id + "/reactions", "{\"content\":\"party\"}").status());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Git refs: the atomic create-if-absent
    // ---------------------------------------------------------------------------------------------

    @Nested
    class GitRefs {
        String sha;

        @BeforeEach
        void mainSha() throws Exception {
            Answer main = get(BASE + "/git/ref/heads/main");
            assertEquals(200, main.status());
            assertMatchesOpenApi("git__get-ref.json", main);
            sha = main.json().at("/object/sha").asText();
            assertEquals(gh.branchSha(REPO, "main"), sha);
        }

        String createBody(String ref) {
            return "{\"ref\":\"" + ref + "\",\"sha\":\"" + sha + "\"}";
        }

        @Test
        void refLifecycle() throws Exception {
            Answer created = post(BASE + "/git/refs", createBody("refs/event-bus/dedupe/abc"));
            assertEquals(201, created.status());
            assertEquals(gh.url() + BASE + "/git/refs/event-bus/dedupe/abc", created.header("location"));
            assertEquals("refs/event-bus/dedupe/abc", created.json().get("ref").asText());
            assertMatchesOpenApi("git__create-ref.json", created);
            assertTrue(gh.refs(REPO).contains("refs/event-bus/dedupe/abc"));
            assertEquals(200, get(BASE + "/git/ref/event-bus/dedupe/abc").status());

            Answer again = post(BASE + "/git/refs", createBody("refs/event-bus/dedupe/abc"));
            assertEquals(422, again.status());
            assertEquals("Reference already exists", again.message());
            assertEquals("https://docs.github.com/rest/git/refs#create-a-reference", again.json().get("documentation_url").asText());

            assertEquals(204, send("DELETE", BASE + "/git/refs/event-bus/dedupe/abc", null, GitHubEmulator.DEFAULT_TOKEN).status());
            assertEquals(404, get(BASE + "/git/ref/event-bus/dedupe/abc").status());
            Answer missing = send("DELETE", BASE + "/git/refs/event-bus/dedupe/abc", null, GitHubEmulator.DEFAULT_TOKEN);
            assertEquals(422, missing.status());
            assertEquals("Reference does not exist", missing.message());
        }

        @Test
        void refNamesMustBeFullyQualified() throws Exception {
            for (String bad : List.of("heads/x", "refs/x", "refs/heads/a..b", "refs/heads/x y")) {
                Answer answer = post(BASE + "/git/refs", createBody(bad));
                assertEquals(422, answer.status(), bad);
                assertEquals("ref name is not valid", answer.message());
            }
        }

        @Test
        void shaMustBeAnExistingCommit() throws Exception {
            Answer answer = post(BASE + "/git/refs", "{\"ref\":\"refs/heads/x\",\"sha\":\"" + "0".repeat(40) + "\"}");
            assertEquals(422, answer.status());
            assertEquals("Object does not exist", answer.message());
        }

        @Test
        void tokenWithoutWriteAccessIsForbidden() throws Exception {
            assertEquals(403, send("POST", BASE + "/git/refs", createBody("refs/event-bus/x/y"), MALLORY).status());
            assertFalse(gh.refs(REPO).contains("refs/event-bus/x/y"));
        }

        @Test
        void exactlyOneOfSixteenConcurrentCreatesWins() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    statuses.add(pool.submit(() -> {
                        go.await();
                        return post(BASE + "/git/refs", createBody("refs/event-bus/dedupe/race")).status();
                    }));
                }
                go.countDown();
                List<Integer> results = new ArrayList<>();
                for (Future<Integer> status : statuses) {
                    results.add(status.get(Scripts.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                }
                assertEquals(1, results.stream().filter(s -> s == 201).count(), results.toString());
                assertEquals(15, results.stream().filter(s -> s == 422).count(), results.toString());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Repository and identity
    // ---------------------------------------------------------------------------------------------

    @Test
    void repositoryLooksLikeGitHubs() throws Exception {
        Answer answer = get(BASE);
        assertEquals(200, answer.status());
        assertEquals("main", answer.json().get("default_branch").asText());
        assertTrue(answer.json().at("/permissions/push").asBoolean());
        assertMatchesOpenApi("repos__get.json", answer);
        assertFalse(send("GET", BASE, null, MALLORY).json().at("/permissions/push").asBoolean());

        gh.addRepository("acme/widgets", "trunk");
        assertEquals("trunk", get("/repos/acme/widgets").json().get("default_branch").asText());
        assertEquals(Set.of("refs/heads/trunk"), gh.refs("acme/widgets"));
    }

    @Test
    void userEndpointRefusesInstallationTokens() throws Exception {
        Answer bot = get("/user");
        assertEquals(403, bot.status());
        assertEquals("Resource not accessible by integration", bot.message());
        Answer mallory = send("GET", "/user", null, MALLORY);
        assertEquals(200, mallory.status());
        assertEquals("mallory", mallory.json().get("login").asText());
        assertEquals("User", mallory.json().get("type").asText());
        assertMatchesOpenApi("users__get-authenticated.json", mallory);
    }

    @Test
    void appIsGitHubActions() throws Exception {
        Answer app = get("/app");
        assertEquals(200, app.status());
        assertEquals("github-actions", app.json().get("slug").asText());
        assertMatchesOpenApi("apps__get-authenticated.json", app);
    }

    // ---------------------------------------------------------------------------------------------
    // Faults
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Faults {
        @Test
        void statusFaultsHitTheNextMatchingRequestsOnly() throws Exception {
            gh.injectFault("POST", ".*/dispatches", GitHubEmulator.Fault.status(503), 2);
            Answer first = post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}");
            assertEquals(503, first.status());
            assertEquals("Service Unavailable", first.message());
            assertNotNull(first.header("x-github-request-id"));
            assertEquals(200, get(BASE).status(), "other requests are unaffected");
            assertEquals(503, post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}").status());
            assertEquals(204, post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}").status());
            assertEquals(1, gh.deliveredEvents(REPO).size());
            assertEquals(java.util.Arrays.asList("status", "status", null),
                    gh.journal("POST", ".*/dispatches").stream().map(GitHubEmulator.JournalEntry::fault).toList());
        }

        @Test
        void tooManyRequestsCarriesRetryAfter() throws Exception {
            gh.injectFault("*", ".*", GitHubEmulator.Fault.tooManyRequests(7), 1);
            Answer answer = get(BASE);
            assertEquals(429, answer.status());
            assertEquals("7", answer.header("retry-after"));
        }

        @Test
        void secondaryRateLimitIs403WithRetryAfterOnlyWhenGiven() throws Exception {
            gh.injectFault(null, ".*", GitHubEmulator.Fault.secondaryRateLimit(null), 1);
            gh.injectFault(null, ".*", GitHubEmulator.Fault.secondaryRateLimit(2), 1);
            Answer without = get(BASE);
            assertEquals(403, without.status());
            assertTrue(without.message().startsWith("You have exceeded a secondary rate limit. Please wait a few minutes before you try again"));
            assertNull(without.header("retry-after"));
            assertNotEquals("0", without.header("x-ratelimit-remaining"));
            Answer with = get(BASE);
            assertEquals("2", with.header("retry-after"));
        }

        @Test
        void primaryRateLimitExhaustedNamesTheReset() throws Exception {
            long reset = Instant.now().plusSeconds(30).getEpochSecond();
            gh.injectFault("GET", ".*", GitHubEmulator.Fault.primaryRateLimitExhausted(reset), 1);
            Answer answer = get(BASE);
            assertEquals(403, answer.status());
            assertTrue(answer.message().startsWith("API rate limit exceeded for installation ID "), answer.message());
            assertEquals("0", answer.header("x-ratelimit-remaining"));
            assertEquals(String.valueOf(reset), answer.header("x-ratelimit-reset"));
        }

        @Test
        void connectionResetChangesNothing() throws Exception {
            gh.injectFault("POST", ".*/dispatches", GitHubEmulator.Fault.connectionReset(), 1);
            assertThrows(IOException.class, () -> post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}"));
            assertTrue(gh.deliveredEvents(REPO).isEmpty());
            GitHubEmulator.JournalEntry entry = gh.journal("POST", ".*/dispatches").get(0);
            assertEquals("connection_reset", entry.fault());
            assertEquals(0, entry.status());
        }

        @Test
        void aStalledRequestHangsThenResetsAndChangesNothing() throws Exception {
            gh.injectFault("POST", ".*/dispatches", GitHubEmulator.Fault.stall(300), 1);
            long started = System.nanoTime();
            assertThrows(IOException.class, () -> post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}"));
            assertTrue(System.nanoTime() - started >= 300_000_000L, "held for the stall before the reset");
            assertTrue(gh.deliveredEvents(REPO).isEmpty(), "never reached GitHub");
            assertEquals("stall", gh.journal().get(0).fault());
        }

        @Test
        void anUndeliveredDispatchIsAcceptedAndStartsNothing() throws Exception {
            gh.injectFault("POST", ".*/dispatches", GitHubEmulator.Fault.undelivered(), 1);
            assertEquals(204, post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}").status());
            assertTrue(gh.deliveredEvents(REPO).isEmpty(), "accepted, never delivered");
            assertEquals(204, post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}").status());
            assertEquals(1, gh.deliveredEvents(REPO).size(), "the next one is");
        }

        @Test
        void dropAfterAcceptDeliversButNeverAnswers() throws Exception {
            gh.injectFault("POST", ".*/dispatches", GitHubEmulator.Fault.dropAfterAccept(), 1);
            assertThrows(IOException.class, () -> post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}"));
            assertEquals(1, gh.deliveredEvents(REPO).size());
            GitHubEmulator.JournalEntry entry = gh.journal("POST", ".*/dispatches").get(0);
            assertEquals(204, entry.status());
            assertEquals("drop_after_accept", entry.fault());
        }

        @Test
        void delayHoldsTheAnswerBack() throws Exception {
            // A lower bound only (no test bounds wall time from above): the answer came no sooner than the delay, and
            // the journal shows the fault on the first request and not on the second, so it was used up.
            gh.injectFault("GET", BASE, GitHubEmulator.Fault.delay(1500), 1);
            long start = System.nanoTime();
            assertEquals(200, get(BASE).status());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 1500);
            assertEquals(200, get(BASE).status());
            List<GitHubEmulator.JournalEntry> entries = gh.journal("GET", BASE);
            assertEquals(2, entries.size());
            assertEquals("delay", entries.get(0).fault());
            assertNull(entries.get(1).fault(), "the fault was used up");
        }

        @Test
        void resetClearsFaults() throws Exception {
            gh.injectFault("GET", ".*", GitHubEmulator.Fault.status(500), 5);
            gh.reset();
            assertEquals(200, get(BASE).status());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Pull requests, commit statuses, branches: the RFC chain's readiness and merge
    // ---------------------------------------------------------------------------------------------

    static final String HEAD = "copilot/rfc-093-02";

    /** A branch with one commit more than main: what a pull request needs. */
    static String branchWithCommit(String repo, String branch) {
        testbed.github().addBranch(repo, branch);
        return testbed.github().commitFile(repo, branch, "docs/" + branch.replace('/', '-') + ".md", "one\ntwo\n", "Work on " + branch);
    }

    static Answer openPull(String head, String title, String body) throws IOException, InterruptedException {
        return post(BASE + "/pulls", JSON.writeValueAsString(Map.of("head", head, "base", "main", "title", title, "body", body)));
    }

    @Nested
    class PullRequests {
        String headSha;

        @BeforeEach
        void branch() {
            headSha = branchWithCommit(REPO, HEAD);
        }

        @Test
        void aCreatedPullRequestIsAnIssueToo() throws Exception {
            int issue = createIssue("RFC-093", List.of());
            Answer created = openPull(HEAD, "RFC-093: part 2", "Fixes #" + issue);
            assertEquals(201, created.status(), created.body());
            assertMatchesOpenApi("pulls__create.json", created);
            JsonNode pr = created.json();
            assertEquals(issue + 1, pr.get("number").asInt(), "issues and pull requests share their numbers");
            assertEquals(gh.url() + BASE + "/pulls/" + (issue + 1), created.header("location"));
            assertEquals("open", pr.get("state").asText());
            assertFalse(pr.get("draft").asBoolean());
            assertFalse(pr.get("merged").asBoolean());
            assertTrue(pr.get("mergeable").asBoolean());
            assertEquals("clean", pr.get("mergeable_state").asText());
            assertEquals(HEAD, pr.at("/head/ref").asText());
            assertEquals(headSha, pr.at("/head/sha").asText());
            assertEquals(REPO, pr.at("/head/repo/full_name").asText());
            assertEquals("octo-org:" + HEAD, pr.at("/head/label").asText());
            assertEquals("main", pr.at("/base/ref").asText());
            assertEquals(gh.branchSha(REPO, "main"), pr.at("/base/sha").asText());
            assertEquals(REPO, pr.at("/base/repo/full_name").asText());
            assertEquals("Fixes #" + issue, pr.get("body").asText());
            assertEquals("github-actions[bot]", pr.at("/user/login").asText());
            assertEquals(1, pr.get("commits").asInt());
            assertEquals(1, pr.get("changed_files").asInt());
            assertEquals(2, pr.get("additions").asInt());

            Answer got = get(BASE + "/pulls/" + pr.get("number").asInt());
            assertEquals(200, got.status());
            assertMatchesOpenApi("pulls__get.json", got);
            assertEquals(pr.get("id").asLong(), got.json().get("id").asLong());
            Answer asIssue = get(BASE + "/issues/" + pr.get("number").asInt());
            assertMatchesOpenApi("issues__get.json", asIssue);
            assertEquals(gh.url() + BASE + "/pulls/" + pr.get("number").asInt(), asIssue.json().at("/pull_request/url").asText());
            assertEquals(2, get(BASE + "/issues?state=all").json().size(), "GitHub lists pull requests among issues");
            assertEquals(404, get(BASE + "/pulls/" + issue).status(), "an issue is not a pull request");
            assertEquals(404, get(BASE + "/pulls/99").status());
            assertTrue(gh.deliveredEvents(REPO).isEmpty(), "opening delivers nothing by itself");
        }

        @Test
        void createRefusesWhatGitHubRefuses() throws Exception {
            Answer noHead = openPull("nowhere", "t", "b");
            assertEquals(422, noHead.status());
            assertMatchesOpenApi("pulls__create.json", noHead);
            assertEquals("Validation Failed", noHead.message());
            assertEquals("head", noHead.json().at("/errors/0/field").asText());
            assertEquals("invalid", noHead.json().at("/errors/0/code").asText());
            assertEquals("https://docs.github.com/rest/pulls/pulls#create-a-pull-request", noHead.json().get("documentation_url").asText());

            Answer noBase = post(BASE + "/pulls", "{\"head\":\"" + HEAD + "\",\"base\":\"develop\",\"title\":\"t\"}");
            assertEquals(422, noBase.status());
            assertEquals("base", noBase.json().at("/errors/0/field").asText());

            Answer missing = post(BASE + "/pulls", "{\"base\":\"main\",\"title\":\"t\"}");
            assertEquals(422, missing.status());
            assertEquals("Invalid request.\n\n\"head\" wasn't supplied.", missing.message());

            Answer untitled = post(BASE + "/pulls", "{\"head\":\"" + HEAD + "\",\"base\":\"main\"}");
            assertEquals(422, untitled.status());
            assertEquals("missing_field", untitled.json().at("/errors/0/code").asText());

            gh.addBranch(REPO, "empty");
            Answer noCommits = openPull("empty", "t", "b");
            assertEquals(422, noCommits.status());
            assertEquals("No commits between main and empty", noCommits.json().at("/errors/0/message").asText());

            Answer forbidden = send("POST", BASE + "/pulls", "{\"head\":\"" + HEAD + "\",\"base\":\"main\",\"title\":\"t\"}", MALLORY);
            assertEquals(403, forbidden.status());
            assertMatchesOpenApi("pulls__create.json", forbidden);

            assertEquals(201, openPull(HEAD, "t", "b").status());
            Answer twice = openPull(HEAD, "t", "b");
            assertEquals(422, twice.status());
            assertEquals("A pull request already exists for octo-org:" + HEAD + ".", twice.json().at("/errors/0/message").asText());
        }

        @Test
        void aForkedHeadIsNamedOwnerColonBranchAndRecognisable() throws Exception {
            gh.addFork(REPO, "mallory/octo-repo");
            String forkSha = branchWithCommit("mallory/octo-repo", "feature");
            Answer created = send("POST", BASE + "/pulls", "{\"head\":\"mallory:feature\",\"base\":\"main\",\"title\":\"From a fork\"}", MALLORY);
            assertEquals(201, created.status(), created.body());
            assertMatchesOpenApi("pulls__create.json", created);
            JsonNode pr = created.json();
            assertEquals("mallory/octo-repo", pr.at("/head/repo/full_name").asText());
            assertTrue(pr.at("/head/repo/fork").asBoolean());
            assertEquals("mallory:feature", pr.at("/head/label").asText());
            assertEquals("User", pr.at("/head/user/type").asText());
            assertEquals(forkSha, pr.at("/head/sha").asText());
            assertEquals(REPO, pr.at("/base/repo/full_name").asText());
            assertFalse(pr.at("/base/repo/fork").asBoolean());
            assertEquals(1, get(BASE + "/pulls?head=mallory:feature").json().size());
            assertEquals(0, get(BASE + "/pulls?head=octo-org:feature").json().size());

            // CI reports on the fork's head commit in the base repository, as GitHub's refs/pull/N/head allows.
            assertEquals(201, post(BASE + "/statuses/" + forkSha, "{\"state\":\"success\",\"context\":\"ci\"}").status());
            assertEquals("success", get(BASE + "/commits/" + forkSha + "/status").json().get("state").asText());

            // A push to the fork's branch moves the head.
            String pushed = gh.commitFile("mallory/octo-repo", "feature", "x.txt", "x", "more");
            assertEquals(pushed, get(BASE + "/pulls/" + pr.get("number").asInt()).json().at("/head/sha").asText());
        }

        @Test
        void listFiltersByStateHeadAndBaseSortsAndPaginates() throws Exception {
            List<Integer> numbers = new ArrayList<>();
            for (String branch : List.of("a", "b", "c")) {
                branchWithCommit(REPO, branch);
                numbers.add(openPull(branch, "pr " + branch, "").json().get("number").asInt());
            }
            Answer closed = patch(BASE + "/pulls/" + numbers.get(1), "{\"state\":\"closed\"}");
            assertEquals(200, closed.status());
            assertMatchesOpenApi("pulls__update.json", closed);
            assertEquals("closed", closed.json().get("state").asText());
            assertFalse(closed.json().get("merged").asBoolean());
            // Closed unmerged, it keeps the mergeability computed while open (github/webhooks' pull_request closed examples).
            assertTrue(closed.json().get("mergeable").asBoolean());
            assertEquals("clean", closed.json().get("mergeable_state").asText());
            assertFalse(closed.json().get("closed_at").isNull());

            Answer open = get(BASE + "/pulls");
            assertEquals(200, open.status());
            assertMatchesOpenApi("pulls__list.json", open);
            assertEquals(List.of(numbers.get(2), numbers.get(0)), numbersOf(open), "newest first");
            assertEquals(List.of(numbers.get(1)), numbersOf(get(BASE + "/pulls?state=closed")));
            assertEquals(numbers, numbersOf(get(BASE + "/pulls?state=all&direction=asc")));
            assertEquals(List.of(numbers.get(0)), numbersOf(get(BASE + "/pulls?state=all&head=octo-org:a")));
            assertEquals(3, get(BASE + "/pulls?state=all&base=main").json().size());
            assertEquals(0, get(BASE + "/pulls?state=all&base=develop").json().size());

            Answer first = get(BASE + "/pulls?state=all&per_page=2");
            assertEquals(2, first.json().size());
            assertTrue(first.header("link").contains("page=2>; rel=\"next\""), first.header("link"));
            assertTrue(first.header("link").contains("page=2>; rel=\"last\""), first.header("link"));
            Answer second = get(BASE + "/pulls?state=all&per_page=2&page=2");
            assertEquals(List.of(numbers.get(0)), numbersOf(second));
            assertTrue(second.header("link").contains("rel=\"prev\""), second.header("link"));

            Answer reopened = patch(BASE + "/pulls/" + numbers.get(1), "{\"state\":\"open\",\"title\":\"again\"}");
            assertEquals("open", reopened.json().get("state").asText());
            assertEquals("again", reopened.json().get("title").asText());
            assertEquals(403, send("PATCH", BASE + "/pulls/" + numbers.get(1), "{\"state\":\"closed\"}", MALLORY).status());
            assertEquals(422, patch(BASE + "/pulls/" + numbers.get(1), "{\"base\":\"develop\"}").status());
        }

        @Test
        void mergeMovesTheBaseClosesThePullRequestAndTheIssueItFixes() throws Exception {
            int issue = createIssue("RFC-093", List.of());
            int number = openPull(HEAD, "RFC-093: part 2", "Fixes #" + issue).json().get("number").asInt();
            String mainBefore = gh.branchSha(REPO, "main");
            String path = BASE + "/pulls/" + number + "/merge";

            Answer stale = put(path, "{\"sha\":\"0000000000000000000000000000000000000000\"}");
            assertEquals(409, stale.status());
            assertMatchesOpenApi("pulls__merge.json", stale);
            assertEquals("Head branch was modified. Review and try the merge again.", stale.message());

            for (String state : List.of("dirty", "blocked")) {
                gh.setMergeable(REPO, number, state);
                JsonNode pr = get(BASE + "/pulls/" + number).json();
                assertEquals(state, pr.get("mergeable_state").asText());
                assertEquals(!state.equals("dirty"), pr.get("mergeable").asBoolean());
                Answer refused = put(path, "{}");
                assertEquals(405, refused.status(), state);
                assertMatchesOpenApi("pulls__merge.json", refused);
                assertEquals("Pull Request is not mergeable", refused.message());
            }
            gh.setMergeable(REPO, number, "unknown");
            assertTrue(get(BASE + "/pulls/" + number).json().get("mergeable").isNull());
            gh.setMergeable(REPO, number, null);
            assertEquals("clean", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText());

            Answer badMethod = put(path, "{\"merge_method\":\"octopus\"}");
            assertEquals(422, badMethod.status());
            assertMatchesOpenApi("pulls__merge.json", badMethod);
            Answer forbidden = send("PUT", path, "{}", MALLORY);
            assertEquals(403, forbidden.status());
            assertMatchesOpenApi("pulls__merge.json", forbidden);

            Answer merged = put(path, "{\"sha\":\"" + headSha + "\"}");
            assertEquals(200, merged.status(), merged.body());
            assertMatchesOpenApi("pulls__merge.json", merged);
            assertTrue(merged.json().get("merged").asBoolean());
            assertEquals("Pull Request successfully merged", merged.message());
            String sha = merged.json().get("sha").asText();
            assertEquals(sha, gh.branchSha(REPO, "main"), "the base branch moved to the merge commit");
            JsonNode commit = get(BASE + "/git/trees/main?recursive=1").json();
            assertTrue(commit.get("tree").toString().contains("docs/copilot-rfc-093-02.md"), commit.toString());

            JsonNode pr = get(BASE + "/pulls/" + number).json();
            assertEquals("closed", pr.get("state").asText());
            assertTrue(pr.get("merged").asBoolean());
            assertFalse(pr.get("merged_at").isNull());
            assertEquals(sha, pr.get("merge_commit_sha").asText());
            assertEquals("github-actions[bot]", pr.at("/merged_by/login").asText());
            assertEquals(mainBefore, pr.at("/base/sha").asText());
            assertEquals("closed", get(BASE + "/issues/" + issue).json().get("state").asText(), "Fixes #N closes the issue");
            assertEquals("completed", get(BASE + "/issues/" + issue).json().get("state_reason").asText());

            assertEquals(405, put(path, "{}").status(), "a merged pull request merges no more");
            Answer reopen = patch(BASE + "/pulls/" + number, "{\"state\":\"open\"}");
            assertEquals(422, reopen.status());
            assertMatchesOpenApi("pulls__update.json", reopen);
        }

        @Test
        void squashMakesOneCommitOnTheBase() throws Exception {
            int number = openPull(HEAD, "Squash me", "").json().get("number").asInt();
            String mainBefore = gh.branchSha(REPO, "main");
            Answer merged = put(BASE + "/pulls/" + number + "/merge", "{\"merge_method\":\"squash\"}");
            assertEquals(200, merged.status(), merged.body());
            assertEquals(merged.json().get("sha").asText(), gh.branchSha(REPO, "main"));
            Answer moved = send("PATCH", BASE + "/git/refs/heads/main", "{\"sha\":\"" + mainBefore + "\",\"force\":true}", GitHubEmulator.DEFAULT_TOKEN);
            assertEquals(200, moved.status(), "the squash commit's one parent is the old base");
        }

        @Test
        void aFailingOrPendingStatusOnTheHeadMakesItUnstableButMergeable() throws Exception {
            int number = openPull(HEAD, "t", "").json().get("number").asInt();
            post(BASE + "/statuses/" + headSha, "{\"state\":\"failure\",\"context\":\"ci\"}");
            assertEquals("failure", get(BASE + "/commits/" + HEAD + "/status").json().get("state").asText(), "a branch with a slash");
            JsonNode pr = get(BASE + "/pulls/" + number).json();
            assertEquals("unstable", pr.get("mergeable_state").asText());
            assertTrue(pr.get("mergeable").asBoolean());
            post(BASE + "/statuses/" + headSha, "{\"state\":\"pending\",\"context\":\"ci\"}");
            assertEquals("unstable", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText());
            post(BASE + "/statuses/" + headSha, "{\"state\":\"success\",\"context\":\"ci\"}");
            assertEquals("clean", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText());
            assertEquals(200, put(BASE + "/pulls/" + number + "/merge", "{}").status());
        }

        @Test
        void aMergeMethodTheRepositoryDisallowsIs405() throws Exception {
            int number = openPull(HEAD, "t", "").json().get("number").asInt();
            String path = BASE + "/pulls/" + number + "/merge";
            JsonNode repository = get(BASE).json();
            assertTrue(repository.get("allow_merge_commit").asBoolean() && repository.get("allow_squash_merge").asBoolean()
                    && repository.get("allow_rebase_merge").asBoolean(), "all allowed by default, as on GitHub");
            gh.setMergeMethods(REPO, false, true, false);
            repository = get(BASE).json();
            assertFalse(repository.get("allow_merge_commit").asBoolean());
            assertTrue(repository.get("allow_squash_merge").asBoolean());
            assertFalse(repository.get("allow_rebase_merge").asBoolean());
            Answer merge = put(path, "{\"merge_method\":\"merge\"}");
            assertEquals(405, merge.status());
            assertMatchesOpenApi("pulls__merge.json", merge);
            assertEquals("Merge commits are not allowed on this repository.", merge.message());
            assertEquals("Merge commits are not allowed on this repository.", put(path, "{}").message(), "merge is the default method");
            assertEquals("Rebase merges are not allowed on this repository.", put(path, "{\"merge_method\":\"rebase\"}").message());
            Answer invalid = put(path, "{\"merge_method\":\"fast-forward\"}");
            assertEquals(422, invalid.status());
            assertTrue(invalid.message().contains("merge_method"), invalid.message());
            assertEquals(204, admin("POST", "/_emulator/repository-settings", "{\"repo\":\"" + REPO + "\",\"allow_squash_merge\":false,"
                    + "\"allow_rebase_merge\":true}").status());
            assertEquals("Squash merges are not allowed on this repository.", put(path, "{\"merge_method\":\"squash\"}").message());
            assertEquals(200, put(path, "{\"merge_method\":\"rebase\",\"sha\":\"" + headSha + "\"}").status());
            assertThrows(IllegalArgumentException.class, () -> gh.setMergeMethods(REPO, false, false, false));
        }

        @Test
        void requiredApprovalsBlockTheMergeUntilSomeoneWithWriteAccessApproves() throws Exception {
            gh.addUser("ghp_reviewer0000000000000000000000000000", "reviewer", true);
            int number = gh.createPullRequest(REPO, HEAD, "main", "RFC-093: part 2", "", "Copilot");
            String path = BASE + "/pulls/" + number + "/merge";
            gh.setRequiredApprovingReviews(REPO, "main", 1);
            assertEquals("blocked", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText());
            Answer refused = put(path, "{\"merge_method\":\"squash\",\"sha\":\"" + headSha + "\"}");
            assertEquals(405, refused.status());
            assertMatchesOpenApi("pulls__merge.json", refused);
            assertEquals("At least 1 approving review is required by reviewers with write access.", refused.message());
            assertThrows(IllegalArgumentException.class, () -> gh.approvePullRequest(REPO, number, "Copilot"), "not one's own");
            gh.approvePullRequest(REPO, number, "mallory");
            assertEquals(405, put(path, "{}").status(), "mallory has no write access: her approval does not count");
            assertEquals(204, admin("POST", "/_emulator/repository-settings", "{\"repo\":\"" + REPO + "\",\"branch\":\"main\","
                    + "\"required_approving_review_count\":2}").status());
            assertEquals("At least 2 approving reviews are required by reviewers with write access.", put(path, "{}").message());
            gh.setRequiredApprovingReviews(REPO, "main", 1);
            assertEquals(204, admin("POST", "/_emulator/reviews", "{\"repo\":\"" + REPO + "\",\"number\":" + number + ",\"user\":\"reviewer\"}").status());
            assertEquals("clean", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText());
            assertEquals(200, put(path, "{\"sha\":\"" + headSha + "\"}").status());
        }

        @Test
        void aMergedPullRequestHasNoMergeabilityAndADraftMergesNot() throws Exception {
            Answer draft = post(BASE + "/pulls", "{\"head\":\"" + HEAD + "\",\"base\":\"main\",\"title\":\"WIP\",\"draft\":true}");
            assertTrue(draft.json().get("draft").asBoolean());
            assertEquals("draft", draft.json().get("mergeable_state").asText());
            int number = draft.json().get("number").asInt();
            assertTrue(get(BASE + "/issues/" + number).json().get("draft").asBoolean());
            assertEquals(405, put(BASE + "/pulls/" + number + "/merge", "{}").status());
            assertTrue(get(BASE + "/pulls/" + number).json().get("merged_at").isNull());
            gh.setMergeable(REPO, number, "clean");
            String merge = put(BASE + "/pulls/" + number + "/merge", "{}").json().get("sha").asText();
            JsonNode merged = get(BASE + "/pulls/" + number).json();
            // Measured on github.com right after a merge (strands-labs/robots#3231): mergeable null, mergeable_state unknown.
            assertTrue(merged.get("mergeable").isNull());
            assertEquals("unknown", merged.get("mergeable_state").asText());
            assertTrue(merged.get("merged").asBoolean());
            assertEquals(merge, merged.get("merge_commit_sha").asText());
            assertEquals(merged.get("closed_at").asText(), merged.get("merged_at").asText());
            JsonNode listed = get(BASE + "/pulls?state=closed").json().get(0);
            assertEquals(merged.get("merged_at").asText(), listed.get("merged_at").asText());
            assertEquals(merge, listed.get("merge_commit_sha").asText());
            assertEquals(merged.get("merged_at").asText(), get(BASE + "/issues/" + number).json().at("/pull_request/merged_at").asText());
        }

        @Test
        void pullRequestsMergedInThePastAreMadeInBulkWithTheirChecks() throws Exception {
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            List<GitHubEmulator.PastPullRequest> past = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                Instant opened = start.plus(Duration.ofHours(i));
                past.add(new GitHubEmulator.PastPullRequest(null, opened, opened.plus(Duration.ofMinutes(30)),
                        List.of(new GitHubEmulator.PastCheckRun("build", "completed", i % 10 == 0 ? "failure" : "success",
                                opened.plus(Duration.ofMinutes(1)), opened.plus(Duration.ofMinutes(11)))),
                        List.of(new GitHubEmulator.PastStatus("deploy/preview", "success", opened.plus(Duration.ofMinutes(12))))));
            }
            List<GitHubEmulator.MergedPullRequest> made = gh.addMergedPullRequests(REPO, "main", past);
            assertEquals(500, made.size());
            assertEquals(made.get(499).mergeCommitSha(), gh.branchSha(REPO, "main"), "main moved with each merge");

            Answer first = get(BASE + "/pulls?state=closed&base=main&sort=updated&direction=desc&per_page=100");
            assertEquals(200, first.status());
            assertMatchesOpenApi("pulls__list.json", first);
            assertEquals(100, first.json().size());
            assertEquals(made.get(499).number(), first.json().at("/0/number").asInt(), "most recently updated first");
            assertEquals("2026-01-21T19:30:00Z", first.json().at("/0/merged_at").asText());
            assertEquals("2026-01-21T19:00:00Z", first.json().at("/0/created_at").asText());
            assertEquals(made.get(499).headSha(), first.json().at("/0/head/sha").asText());
            assertEquals(made.get(499).mergeCommitSha(), first.json().at("/0/merge_commit_sha").asText());
            assertTrue(first.header("link").contains("page=5>; rel=\"last\""), first.header("link"));
            assertEquals(0, get(BASE + "/pulls").json().size(), "none open");

            JsonNode checks = get(BASE + "/commits/" + made.get(10).headSha() + "/check-runs").json();
            assertEquals("failure", checks.at("/check_runs/0/conclusion").asText());
            assertEquals("2026-01-01T10:11:00Z", checks.at("/check_runs/0/completed_at").asText());
            assertEquals(0, checks.at("/check_runs/0/pull_requests").size(), "only open pull requests are listed on a check run");
            JsonNode status = get(BASE + "/commits/" + made.get(10).headSha() + "/status").json();
            assertEquals("success", status.get("state").asText());
            assertEquals("2026-01-01T10:12:00Z", status.at("/statuses/0/updated_at").asText());

            Answer byAdmin = admin("POST", "/_emulator/merged-pulls", "{\"repo\":\"" + REPO + "\",\"pulls\":[{\"title\":\"Late\","
                    + "\"created_at\":\"2026-03-01T00:00:00Z\",\"merged_at\":\"2026-03-01T02:00:00Z\","
                    + "\"check_runs\":[{\"name\":\"build\",\"conclusion\":\"success\",\"completed_at\":\"2026-03-01T01:00:00Z\"}],"
                    + "\"statuses\":[{\"context\":\"ci\",\"state\":\"success\",\"created_at\":\"2026-03-01T01:30:00Z\"}]}]}");
            assertEquals(201, byAdmin.status(), byAdmin.body());
            int late = byAdmin.json().at("/0/number").asInt();
            JsonNode latePr = get(BASE + "/pulls/" + late).json();
            assertEquals("Late", latePr.get("title").asText());
            assertEquals("2026-03-01T02:00:00Z", latePr.get("merged_at").asText());
            assertEquals("2026-03-01T01:00:00Z", get(BASE + "/commits/" + byAdmin.json().at("/0/head_sha").asText() + "/check-runs")
                    .json().at("/check_runs/0/completed_at").asText());
            assertEquals(400, admin("POST", "/_emulator/merged-pulls", "{\"repo\":\"" + REPO + "\",\"pulls\":[{\"created_at\":\"2026-03-02T00:00:00Z\","
                    + "\"merged_at\":\"2026-03-01T00:00:00Z\"}]}").status(), "merged before opened");
        }

        @Test
        void theJavaApiOpensAndShowsPullRequests() throws Exception {
            int number = gh.createPullRequest(REPO, HEAD, "main", "RFC-093: part 2", "Fixes #123", "Copilot");
            Map<String, Object> pr = gh.pullRequest(REPO, number);
            JsonNode json = JSON.readTree(JSON.writeValueAsString(pr));
            assertEquals("Copilot", json.at("/user/login").asText());
            assertEquals("Bot", json.at("/user/type").asText());
            assertEquals(HEAD, json.at("/head/ref").asText());
            assertEquals("clean", json.get("mergeable_state").asText());
            assertEquals(json, get(BASE + "/pulls/" + number).json());
            gh.setMergeable(REPO, number, "dirty");
            assertEquals("dirty", gh.pullRequest(REPO, number).get("mergeable_state"));
            assertThrows(IllegalArgumentException.class, () -> gh.setMergeable(REPO, number, "conflicted"));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> gh.createPullRequest(REPO, "nowhere", "main", "t", null, "Copilot"));
            assertTrue(refused.getMessage().contains("Validation Failed"), refused.getMessage());
            assertThrows(IllegalArgumentException.class, () -> gh.pullRequest(REPO, 99));
        }
    }

    static List<Integer> numbersOf(Answer answer) {
        List<Integer> numbers = new ArrayList<>();
        answer.json().forEach(pr -> numbers.add(pr.get("number").asInt()));
        return numbers;
    }

    @Nested
    class CommitStatuses {
        @Test
        void statusesCombineAsGitHubDocuments() throws Exception {
            String sha = gh.branchSha(REPO, "main");
            Answer none = get(BASE + "/commits/" + sha + "/status");
            assertEquals(200, none.status());
            assertMatchesOpenApi("repos__get-combined-status-for-ref.json", none);
            assertEquals("pending", none.json().get("state").asText(), "no statuses: pending");
            assertEquals(0, none.json().get("total_count").asInt());

            Answer created = post(BASE + "/statuses/" + sha,
                    "{\"state\":\"pending\",\"context\":\"ci/build\",\"description\":\"Building\",\"target_url\":\"https://ci.example.com/1\"}");
            assertEquals(201, created.status(), created.body());
            assertMatchesOpenApi("repos__create-commit-status.json", created);
            assertEquals(gh.url() + BASE + "/statuses/" + sha, created.header("location"));
            assertEquals("pending", created.json().get("state").asText());
            assertEquals("ci/build", created.json().get("context").asText());
            assertEquals("github-actions[bot]", created.json().at("/creator/login").asText());
            assertEquals("default", post(BASE + "/statuses/" + sha, "{\"state\":\"success\"}").json().get("context").asText());
            assertEquals("pending", get(BASE + "/commits/" + sha + "/status").json().get("state").asText());

            post(BASE + "/statuses/" + sha, "{\"state\":\"success\",\"context\":\"CI/build\"}");
            Answer success = get(BASE + "/commits/main/status");
            assertMatchesOpenApi("repos__get-combined-status-for-ref.json", success);
            assertEquals("success", success.json().get("state").asText(), "the latest per context (case-insensitive) counts");
            assertEquals(2, success.json().get("total_count").asInt());
            assertEquals(sha, success.json().get("sha").asText(), "a branch name is resolved");
            assertEquals(REPO, success.json().at("/repository/full_name").asText());

            post(BASE + "/statuses/" + sha, "{\"state\":\"error\",\"context\":\"lint\"}");
            assertEquals("failure", get(BASE + "/commits/" + sha + "/status").json().get("state").asText());
            post(BASE + "/statuses/" + sha, "{\"state\":\"failure\",\"context\":\"lint\"}");
            assertEquals("failure", get(BASE + "/commits/" + sha + "/status").json().get("state").asText());

            Answer page = get(BASE + "/commits/" + sha + "/status?per_page=1&page=2");
            assertEquals(1, page.json().get("statuses").size());
            assertEquals(3, page.json().get("total_count").asInt());
        }

        @Test
        void refusals() throws Exception {
            String unknown = "1234567890123456789012345678901234567890";
            Answer noCommit = post(BASE + "/statuses/" + unknown, "{\"state\":\"success\"}");
            assertEquals(422, noCommit.status());
            assertEquals("No commit found for SHA: " + unknown, noCommit.message());
            Answer badState = post(BASE + "/statuses/" + gh.branchSha(REPO, "main"), "{\"state\":\"green\"}");
            assertEquals(422, badState.status());
            assertTrue(badState.message().startsWith("Invalid request."), badState.message());
            assertEquals(403, send("POST", BASE + "/statuses/" + gh.branchSha(REPO, "main"), "{\"state\":\"success\"}", MALLORY).status());
            Answer noRef = get(BASE + "/commits/nowhere/status");
            assertEquals(404, noRef.status());
            assertMatchesOpenApi("repos__get-combined-status-for-ref.json", noRef);
        }

        @Test
        void theJavaApiAddsAStatus() throws Exception {
            String sha = gh.branchSha(REPO, "main");
            gh.addCommitStatus(REPO, sha, "failure", "ci");
            assertEquals("failure", get(BASE + "/commits/" + sha + "/status").json().get("state").asText());
            assertThrows(IllegalArgumentException.class, () -> gh.addCommitStatus(REPO, sha, "red", "ci"));
        }

        @Test
        void statusesMadeAtAGivenTimeAreListedNewestFirstWithTheirTimes() throws Exception {
            // repos/list-commit-statuses-for-ref: "in reverse chronological order"; a status's updated_at is its created_at.
            String sha = gh.branchSha(REPO, "main");
            Instant early = Instant.parse("2026-01-05T10:00:00Z");
            Instant late = Instant.parse("2026-01-05T10:07:30Z");
            gh.addCommitStatus(REPO, sha, "pending", "ci", early);
            gh.addCommitStatus(REPO, sha, "success", "ci", late);
            assertEquals(204, admin("POST", "/_emulator/statuses", "{\"repo\":\"" + REPO + "\",\"sha\":\"" + sha
                    + "\",\"state\":\"success\",\"context\":\"lint\",\"created_at\":\"2026-01-05T09:00:00Z\"}").status());
            Answer list = get(BASE + "/commits/main/statuses");
            assertEquals(200, list.status());
            assertMatchesOpenApi("repos__list-commit-statuses-for-ref.json", list);
            assertEquals(List.of(late.toString(), early.toString(), "2026-01-05T09:00:00Z"),
                    List.of(list.json().at("/0/created_at").asText(), list.json().at("/1/created_at").asText(), list.json().at("/2/created_at").asText()));
            assertEquals(late.toString(), list.json().at("/0/updated_at").asText());
            assertEquals("github-actions[bot]", list.json().at("/0/creator/login").asText());
            Answer combined = get(BASE + "/commits/" + sha + "/status");
            assertEquals("success", combined.json().get("state").asText());
            assertEquals(late.toString(), combined.json().at("/statuses/0/updated_at").asText(), "the latest of context ci");
            Answer paged = get(BASE + "/commits/" + sha + "/statuses?per_page=2");
            assertEquals(2, paged.json().size());
            assertTrue(paged.header("link").contains("/repositories/17273051/commits/" + sha + "/statuses?per_page=2&page=2>; rel=\"next\""),
                    paged.header("link"));
            assertEquals(404, get(BASE + "/commits/nowhere/statuses").status());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Check runs: CI as GitHub Actions reports it
    // ---------------------------------------------------------------------------------------------

    @Nested
    class CheckRuns {
        String sha;

        @BeforeEach
        void head() {
            sha = branchWithCommit(REPO, HEAD);
        }

        String checkRuns(String query) {
            return BASE + "/commits/" + sha + "/check-runs" + query;
        }

        @Test
        void actionsCreatesAndCompletesACheckRunAsGitHubServesIt() throws Exception {
            int number = openPull(HEAD, "t", "").json().get("number").asInt();
            Answer created = post(BASE + "/check-runs", "{\"name\":\"build\",\"head_sha\":\"" + sha + "\",\"status\":\"in_progress\"}");
            assertEquals(201, created.status(), created.body());
            assertMatchesOpenApi("checks__create.json", created);
            JsonNode run = created.json();
            assertEquals("in_progress", run.get("status").asText());
            assertTrue(run.get("conclusion").isNull());
            assertTrue(run.get("completed_at").isNull());
            assertFalse(run.get("started_at").isNull());
            assertEquals("github-actions", run.at("/app/slug").asText());
            assertEquals(15368, run.at("/app/id").asLong());
            assertTrue(run.at("/check_suite/id").asLong() > 0);
            assertEquals(number, run.at("/pull_requests/0/number").asInt(), "an open pull request with this head");
            assertEquals(sha, run.at("/pull_requests/0/head/sha").asText());
            assertEquals(keys(resource("github/openapi/checks__get.json").at("/responses/200/content/application~1json/examples/default/value")),
                    keys(run), "key for key as GitHub's example");
            assertEquals("unstable", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText(), "CI still running");

            long id = run.get("id").asLong();
            Answer done = patch(BASE + "/check-runs/" + id, "{\"conclusion\":\"success\",\"output\":{\"title\":\"Built\",\"summary\":\"ok\"}}");
            assertEquals(200, done.status(), done.body());
            assertMatchesOpenApi("checks__update.json", done);
            assertEquals("completed", done.json().get("status").asText(), "a conclusion completes the run");
            assertEquals("success", done.json().get("conclusion").asText());
            assertFalse(done.json().get("completed_at").isNull());
            assertEquals("Built", done.json().at("/output/title").asText());

            Answer list = get(checkRuns(""));
            assertEquals(200, list.status());
            assertMatchesOpenApi("checks__list-for-ref.json", list);
            assertEquals(1, list.json().get("total_count").asInt());
            assertEquals(id, list.json().at("/check_runs/0/id").asLong());
            assertEquals(id, get(BASE + "/commits/" + HEAD + "/check-runs").json().at("/check_runs/0/id").asLong(), "a branch name is resolved");
            Answer one = get(BASE + "/check-runs/" + id);
            assertMatchesOpenApi("checks__get.json", one);
            assertEquals("success", one.json().get("conclusion").asText());
            assertEquals("clean", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText(), "CI passed");
            assertEquals(404, get(BASE + "/check-runs/99").status());
            assertEquals(404, get(BASE + "/commits/nowhere/check-runs").status());
        }

        @Test
        void onlyAGitHubAppCreatesCheckRunsAndACompletedRunNeedsAConclusion() throws Exception {
            String body = "{\"name\":\"build\",\"head_sha\":\"" + sha + "\"}";
            gh.addUser("ghp_writer000000000000000000000000000000", "writer", true);
            for (String token : List.of(MALLORY, "ghp_writer000000000000000000000000000000")) {
                Answer refused = send("POST", BASE + "/check-runs", body, token);
                assertEquals(403, refused.status());
                assertEquals("You must authenticate via a GitHub App.", refused.message());
                // As GitHub answered personal tokens (EnricoMi/publish-unit-test-result-action#53).
                assertEquals("https://docs.github.com/rest/reference/checks#create-a-check-run", refused.json().get("documentation_url").asText());
            }
            Answer queued = post(BASE + "/check-runs", body);
            assertEquals("queued", queued.json().get("status").asText(), "queued by default");
            Answer noConclusion = post(BASE + "/check-runs", "{\"name\":\"b\",\"head_sha\":\"" + sha + "\",\"status\":\"completed\"}");
            assertEquals(422, noConclusion.status());
            assertEquals("Invalid request.\n\n\"conclusion\" wasn't supplied.", noConclusion.message());
            Answer badStatus = post(BASE + "/check-runs", "{\"name\":\"b\",\"head_sha\":\"" + sha + "\",\"status\":\"waiting\"}");
            assertEquals(422, badStatus.status(), "waiting is reserved for Actions");
            Answer failed = post(BASE + "/check-runs", "{\"name\":\"lint\",\"head_sha\":\"" + sha + "\",\"conclusion\":\"failure\","
                    + "\"started_at\":\"2026-01-05T10:00:00Z\",\"completed_at\":\"2026-01-05T10:02:00Z\"}");
            assertEquals(201, failed.status(), failed.body());
            assertEquals("completed", failed.json().get("status").asText());
            assertEquals("2026-01-05T10:00:00Z", failed.json().get("started_at").asText());
            assertEquals("2026-01-05T10:02:00Z", failed.json().get("completed_at").asText());
            Answer unknownSha = post(BASE + "/check-runs", "{\"name\":\"b\",\"head_sha\":\"1234567890123456789012345678901234567890\"}");
            assertEquals(422, unknownSha.status());
            Answer missing = post(BASE + "/check-runs", "{\"head_sha\":\"" + sha + "\"}");
            assertEquals("Invalid request.\n\n\"name\" wasn't supplied.", missing.message());
            assertEquals(403, send("PATCH", BASE + "/check-runs/" + queued.json().get("id").asLong(), "{\"status\":\"in_progress\"}", MALLORY).status());
            assertEquals(2, get(checkRuns("")).json().get("total_count").asInt(), "nothing refused was kept");
        }

        @Test
        void theLatestRunOfEachNameByDefaultFiltersAndPages() throws Exception {
            long firstBuild = gh.addCheckRun(REPO, sha, "build", "completed", "failure", null, null);
            long rerun = gh.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
            long lint = gh.addCheckRun(REPO, sha, "lint", "in_progress", null, null, null);
            long external = gh.addCheckRun(REPO, sha, "coverage", "completed", "neutral", null, null, "codecov");
            assertEquals(List.of(external, lint, rerun), ids(get(checkRuns(""))), "latest per name, newest first");
            assertEquals(List.of(external, lint, rerun, firstBuild), ids(get(checkRuns("?filter=all"))));
            assertEquals(List.of(rerun), ids(get(checkRuns("?check_name=build"))));
            assertEquals(List.of(rerun, firstBuild), ids(get(checkRuns("?check_name=build&filter=all"))));
            assertEquals(List.of(lint), ids(get(checkRuns("?status=in_progress"))));
            assertEquals(List.of(external, rerun), ids(get(checkRuns("?status=completed"))));
            long codecov = get(BASE + "/check-runs/" + external).json().at("/app/id").asLong();
            assertEquals(List.of(external), ids(get(checkRuns("?app_id=" + codecov))));
            assertEquals(List.of(lint, rerun), ids(get(checkRuns("?app_id=15368"))));
            Answer first = get(checkRuns("?per_page=2"));
            assertEquals(3, first.json().get("total_count").asInt());
            assertEquals(2, first.json().get("check_runs").size());
            String byId = gh.url() + "/repositories/17273051/commits/" + sha + "/check-runs";
            assertEquals("<" + byId + "?per_page=2&page=2>; rel=\"next\", <" + byId + "?per_page=2&page=2>; rel=\"last\"", first.header("link"));
            assertEquals(List.of(rerun), ids(get(byId.substring(gh.url().length()) + "?per_page=2&page=2")));
        }

        @Test
        void theJavaApiAndTheAdminApiAddRunsAtGivenTimes() throws Exception {
            Instant started = Instant.parse("2026-01-05T10:00:00Z");
            Instant completed = Instant.parse("2026-01-05T10:04:00Z");
            long id = gh.addCheckRun(REPO, sha, "build", "completed", "skipped", started, completed);
            JsonNode run = JSON.readTree(JSON.writeValueAsString(gh.checkRun(REPO, id)));
            assertEquals(started.toString(), run.get("started_at").asText());
            assertEquals(completed.toString(), run.get("completed_at").asText());
            assertEquals(run, get(BASE + "/check-runs/" + id).json());
            assertThrows(IllegalArgumentException.class, () -> gh.addCheckRun(REPO, sha, "b", "completed", null, null, null));
            assertThrows(IllegalArgumentException.class, () -> gh.addCheckRun(REPO, sha, "b", "queued", "success", null, null));
            assertThrows(IllegalArgumentException.class, () -> gh.addCheckRun(REPO, sha, "b", "done", null, null, null));
            assertThrows(IllegalArgumentException.class, () -> gh.addCheckRun(REPO, "1234567890123456789012345678901234567890", "b", "queued", null, null, null));
            for (String status : List.of("waiting", "requested", "pending")) {
                gh.addCheckRun(REPO, sha, "deploy-" + status, status, null, null, null); // Actions' own statuses
            }
            Answer added = admin("POST", "/_emulator/check-runs", "{\"repo\":\"" + REPO + "\",\"head_sha\":\"" + sha + "\",\"name\":\"lint\","
                    + "\"conclusion\":\"timed_out\",\"started_at\":\"2026-01-05T10:01:00Z\",\"completed_at\":\"2026-01-05T10:31:00Z\"}");
            assertEquals(201, added.status(), added.body());
            assertEquals("completed", added.json().get("status").asText());
            assertEquals("timed_out", added.json().get("conclusion").asText());
            assertEquals(5, get(checkRuns("")).json().get("total_count").asInt());
            assertEquals(400, admin("POST", "/_emulator/check-runs", "{\"repo\":\"" + REPO + "\",\"head_sha\":\"" + sha
                    + "\",\"name\":\"x\",\"status\":\"completed\"}").status());
        }

        @Test
        void aForksPullRequestIsNotListedOnItsCheckRuns() throws Exception {
            gh.addFork(REPO, "mallory/octo-repo");
            String forkSha = branchWithCommit("mallory/octo-repo", "feature");
            gh.createPullRequest(REPO, "mallory:feature", "main", "From a fork", "", "mallory");
            long id = gh.addCheckRun(REPO, forkSha, "build", "completed", "success", null, null);
            assertEquals(0, get(BASE + "/check-runs/" + id).json().get("pull_requests").size(),
                    "\"Pushes to a branch in a forked repository are not detected and return an empty pull_requests array\"");
        }

        @Test
        void aFailingCheckRunMakesThePullRequestUnstableButMergeable() throws Exception {
            int number = openPull(HEAD, "t", "").json().get("number").asInt();
            gh.addCheckRun(REPO, sha, "build", "completed", "failure", null, null);
            JsonNode pr = get(BASE + "/pulls/" + number).json();
            assertEquals("unstable", pr.get("mergeable_state").asText());
            assertTrue(pr.get("mergeable").asBoolean());
            gh.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
            gh.addCheckRun(REPO, sha, "docs", "completed", "skipped", null, null);
            assertEquals("clean", get(BASE + "/pulls/" + number).json().get("mergeable_state").asText(), "the re-run replaced it");
            Answer none = get(BASE + "/commits/" + sha + "/status");
            assertEquals("pending", none.json().get("state").asText(), "check runs are not commit statuses: none, so pending");
            assertEquals(0, none.json().get("total_count").asInt());
        }
    }

    static List<Long> ids(Answer checkRuns) {
        List<Long> ids = new ArrayList<>();
        checkRuns.json().get("check_runs").forEach(r -> ids.add(r.get("id").asLong()));
        return ids;
    }

    @Test
    void branchesAreListedByNameWithPages() throws Exception {
        for (String branch : List.of("b", "a", HEAD)) {
            gh.addBranch(REPO, branch);
        }
        Answer all = get(BASE + "/branches");
        assertEquals(200, all.status());
        assertMatchesOpenApi("repos__list-branches.json", all);
        List<String> names = new ArrayList<>();
        all.json().forEach(b -> names.add(b.get("name").asText()));
        assertEquals(List.of("a", "b", HEAD, "main"), names);
        assertEquals(gh.branchSha(REPO, "main"), all.json().at("/3/commit/sha").asText());
        assertFalse(all.json().at("/0/protected").asBoolean());
        Answer first = get(BASE + "/branches?per_page=3");
        assertEquals(3, first.json().size());
        assertTrue(first.header("link").contains("rel=\"next\""), first.header("link"));
        assertEquals("main", get(BASE + "/branches?per_page=3&page=2").json().at("/0/name").asText());
        assertEquals(0, get(BASE + "/branches?protected=true").json().size());
        assertEquals(404, get("/repos/octo-org/missing/branches").status());
    }

    // ---------------------------------------------------------------------------------------------
    // Webhook deliveries the producers trigger on, written as $GITHUB_EVENT_PATH
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Deliveries {
        static final String EXAMPLES = "github/webhooks/payload-examples/api.github.com/";
        static final String OPENED_EXAMPLE = EXAMPLES + "pull_request/opened.with-organization.payload.json";

        /** An RFC pull request from HEAD into main, by Copilot. */
        int openPullRequest() throws Exception {
            branchWithCommit(REPO, HEAD);
            return gh.createPullRequest(REPO, HEAD, "main", "RFC-093: part 2", "Fixes #123", "Copilot");
        }

        /** The delivered file, named as expected, read: its keys are those of GitHub's own "opened" example. */
        JsonNode likeGitHubsOpenedExample(Path delivered, String fileName) throws Exception {
            assertEquals(fileName, delivered.getFileName().toString());
            JsonNode event = JSON.readTree(delivered.toFile());
            JsonNode example = resource(OPENED_EXAMPLE);
            assertSameKeys(example, event, "", "/repository/owner", "/organization", "/sender", "/installation",
                    "/pull_request/head", "/pull_request/base", "/pull_request/_links", "/pull_request/user");
            assertHasKeys(example, event, "/pull_request", "/repository");
            return event;
        }

        @Test
        void issueAssigned() throws Exception {
            int issue = createIssue("RFC-093", List.of());
            Path file = gh.deliverIssueAssigned(REPO, issue, "Copilot", "octocat");
            assertEquals("0001-issues.json", file.getFileName().toString());
            assertEquals(List.of(file), gh.deliveredEvents(REPO));
            JsonNode event = JSON.readTree(file.toFile());
            JsonNode example = resource(EXAMPLES + "issues/assigned.with-organization.payload.json");
            assertSameKeys(example, event, "", "/repository/owner", "/organization", "/sender", "/assignee");
            assertHasKeys(example, event, "/repository");
            // The example's issue carries "draft", which GitHub's issue objects (OpenAPI "issue") give pull requests only.
            Set<String> issueKeys = keys(example.get("issue"));
            issueKeys.remove("draft");
            assertTrue(keys(event.get("issue")).containsAll(issueKeys), keys(event.get("issue")).toString());
            assertEquals("assigned", event.get("action").asText());
            assertEquals(issue, event.at("/issue/number").asInt());
            assertEquals("RFC-093", event.at("/issue/title").asText());
            assertEquals("Copilot", event.at("/assignee/login").asText());
            assertEquals("Copilot", event.at("/issue/assignees/0/login").asText());
            assertEquals("Copilot", event.at("/issue/assignee/login").asText());
            assertEquals(REPO, event.at("/repository/full_name").asText());
            assertEquals("octocat", event.at("/sender/login").asText());
            assertEquals("Copilot", get(BASE + "/issues/" + issue).json().at("/assignees/0/login").asText(), "the issue is assigned");
        }

        @Test
        void pullRequestOpenedSynchronizedAndClosed() throws Exception {
            int number = openPullRequest();
            JsonNode event = likeGitHubsOpenedExample(gh.deliverPullRequest(REPO, number, "opened"), "0001-pull_request.json");
            assertHasKeys(resource(OPENED_EXAMPLE), event, "/pull_request/head/repo");
            assertEquals("opened", event.get("action").asText());
            assertEquals(number, event.get("number").asInt());
            assertEquals(number, event.at("/pull_request/number").asInt());
            assertEquals(HEAD, event.at("/pull_request/head/ref").asText());
            assertEquals(gh.branchSha(REPO, HEAD), event.at("/pull_request/head/sha").asText());
            assertEquals(REPO, event.at("/pull_request/head/repo/full_name").asText());
            assertEquals("main", event.at("/pull_request/base/ref").asText());
            assertEquals("Fixes #123", event.at("/pull_request/body").asText());
            assertEquals("Copilot", event.at("/pull_request/user/login").asText());
            assertEquals("Copilot", event.at("/sender/login").asText());
            assertFalse(event.at("/pull_request/merged").asBoolean());

            assertThrows(IllegalArgumentException.class, () -> gh.deliverPullRequest(REPO, number, "synchronize"), "the head has not moved");
            String before = gh.branchSha(REPO, HEAD);
            String after = gh.commitFile(REPO, HEAD, "more.md", "more", "More");
            JsonNode sync = JSON.readTree(gh.deliverPullRequest(REPO, number, "synchronize").toFile());
            assertEquals(before, sync.get("before").asText());
            assertEquals(after, sync.get("after").asText());
            assertEquals(after, sync.at("/pull_request/head/sha").asText());

            assertThrows(IllegalArgumentException.class, () -> gh.deliverPullRequest(REPO, number, "closed"), "still open");
            assertEquals(200, put(BASE + "/pulls/" + number + "/merge", "{}").status());
            JsonNode closed = JSON.readTree(gh.deliverPullRequest(REPO, number, "closed").toFile());
            assertEquals("closed", closed.at("/pull_request/state").asText());
            assertTrue(closed.at("/pull_request/merged").asBoolean());
            assertEquals("github-actions[bot]", closed.at("/sender/login").asText(), "the sender is who merged it");
            assertThrows(IllegalArgumentException.class, () -> gh.deliverPullRequest(REPO, number, "opened"));
        }

        @Test
        void workflowRunCompleted() throws Exception {
            String sha = branchWithCommit(REPO, HEAD);
            int number = gh.createPullRequest(REPO, HEAD, "main", "RFC-093: part 2", "Fixes #123", "Copilot");
            Path file = gh.deliverWorkflowRunCompleted(REPO, "CI", sha, "success", List.of(number));
            assertEquals("0001-workflow_run.json", file.getFileName().toString());
            JsonNode event = JSON.readTree(file.toFile());
            JsonNode example = resource(EXAMPLES + "workflow_run/completed.with-pull-requests.payload.json");
            assertSameKeys(example, event, "", "/repository/owner", "/organization", "/workflow", "/workflow_run/pull_requests/0",
                    "/workflow_run/pull_requests/0/head", "/workflow_run/pull_requests/0/head/repo");
            assertHasKeys(example, event, "/workflow_run", "/workflow_run/head_commit", "/workflow_run/repository", "/sender");
            assertEquals("completed", event.get("action").asText());
            assertEquals("CI", event.at("/workflow/name").asText());
            assertEquals("CI", event.at("/workflow_run/name").asText());
            assertEquals("completed", event.at("/workflow_run/status").asText());
            assertEquals("success", event.at("/workflow_run/conclusion").asText());
            assertEquals("pull_request", event.at("/workflow_run/event").asText());
            assertEquals(HEAD, event.at("/workflow_run/head_branch").asText());
            assertEquals(sha, event.at("/workflow_run/head_sha").asText());
            assertEquals(number, event.at("/workflow_run/pull_requests/0/number").asInt());
            assertEquals(HEAD, event.at("/workflow_run/pull_requests/0/head/ref").asText());
            assertEquals(sha, event.at("/workflow_run/pull_requests/0/head/sha").asText());
            assertEquals("main", event.at("/workflow_run/pull_requests/0/base/ref").asText());
            assertEquals(REPO, event.at("/repository/full_name").asText());
            assertEquals("Copilot", event.at("/sender/login").asText());

            Answer runs = get(BASE + "/actions/runs?status=success&event=pull_request");
            assertMatchesOpenApi("actions__list-workflow-runs-for-repo.json", runs);
            assertEquals(1, runs.json().get("total_count").asInt());
            assertEquals(0, get(BASE + "/actions/runs?status=queued").json().get("total_count").asInt());

            String failing = gh.commitFile(REPO, HEAD, "b.md", "b", "b");
            JsonNode failed = JSON.readTree(gh.deliverWorkflowRunCompleted(REPO, "CI", failing, "failure", List.of(number)).toFile());
            assertEquals("failure", failed.at("/workflow_run/conclusion").asText());
            assertEquals(2, failed.at("/workflow_run/run_number").asInt());
            assertEquals(failed.at("/workflow/id").asLong(), event.at("/workflow/id").asLong(), "one workflow named CI");
            assertThrows(IllegalArgumentException.class, () -> gh.deliverWorkflowRunCompleted(REPO, "CI", sha, "green", List.of()));
        }

        @Test
        void aForkPullRequestIsNotListedOnTheRunAsOnGitHub() throws Exception {
            gh.addFork(REPO, "mallory/octo-repo");
            String sha = branchWithCommit("mallory/octo-repo", "feature");
            int number = gh.createPullRequest(REPO, "mallory:feature", "main", "From a fork", "", "mallory");
            JsonNode event = JSON.readTree(gh.deliverWorkflowRunCompleted(REPO, "CI", sha, "success", List.of(number)).toFile());
            assertEquals(0, event.at("/workflow_run/pull_requests").size());
            assertEquals("feature", event.at("/workflow_run/head_branch").asText());
            assertEquals("mallory/octo-repo", event.at("/workflow_run/head_repository/full_name").asText());
            assertEquals(REPO, event.at("/workflow_run/repository/full_name").asText());
            JsonNode pr = JSON.readTree(gh.deliverPullRequest(REPO, number, "opened").toFile());
            assertEquals("mallory/octo-repo", pr.at("/pull_request/head/repo/full_name").asText());
            assertTrue(pr.at("/pull_request/head/repo/fork").asBoolean());
        }

        @Test
        void pullRequestTargetCarriesThePullRequestPayload() throws Exception {
            int number = openPullRequest();
            JsonNode event = likeGitHubsOpenedExample(gh.deliverPullRequestTarget(REPO, number, "opened"), "0001-pull_request_target.json");
            assertEquals(number, event.at("/pull_request/number").asInt());
            assertEquals("Copilot", event.at("/sender/login").asText());
            Answer byAdmin = admin("POST", "/_emulator/deliveries", "{\"event\":\"pull_request_target\",\"repo\":\"" + REPO
                    + "\",\"number\":" + number + ",\"action\":\"edited\"}");
            assertEquals(201, byAdmin.status(), byAdmin.body());
            assertTrue(byAdmin.json().get("path").asText().endsWith("-pull_request_target.json"));
        }

        @Test
        void aClosedPullRequestKeepsItsMergeabilityAsGitHubsExampleShows() throws Exception {
            branchWithCommit(REPO, HEAD);
            int number = gh.createPullRequest(REPO, HEAD, "main", "t", "", "Copilot");
            assertEquals(200, patch(BASE + "/pulls/" + number, "{\"state\":\"closed\"}").status());
            JsonNode event = JSON.readTree(gh.deliverPullRequest(REPO, number, "closed").toFile());
            JsonNode example = resource(EXAMPLES + "pull_request/closed.with-organization.payload.json");
            assertSameKeys(example, event, "", "/pull_request/head", "/pull_request/base");
            assertHasKeys(example, event, "/pull_request");
            for (String field : List.of("/pull_request/state", "/pull_request/merged", "/pull_request/mergeable", "/pull_request/mergeable_state")) {
                assertEquals(example.at(field), event.at(field), field);
            }
            assertFalse(event.at("/pull_request/merge_commit_sha").isNull(), "the test merge commit, as in the example");
        }

        @Test
        void checkRunAndCheckSuiteCompletedComeFromAppsOtherThanActions() throws Exception {
            String sha = branchWithCommit(REPO, HEAD);
            int number = gh.createPullRequest(REPO, HEAD, "main", "t", "", "Copilot");
            long run = gh.addCheckRun(REPO, sha, "ci/circleci: build", "completed", "success", null, null, "circleci-checks");
            gh.addCheckRun(REPO, sha, "ci/circleci: lint", "completed", "neutral", null, null, "circleci-checks");
            Path file = gh.deliverCheckRunCompleted(REPO, run);
            assertEquals("0001-check_run.json", file.getFileName().toString());
            JsonNode event = JSON.readTree(file.toFile());
            JsonNode example = resource(EXAMPLES + "check_run/completed.with-organization.payload.json");
            assertSameKeys(example, event, "", "/check_run", "/check_run/check_suite", "/check_run/output",
                    "/check_run/pull_requests/0", "/check_run/pull_requests/0/head", "/check_run/check_suite/pull_requests/0",
                    "/sender", "/organization");
            // The 2019 example's app predates slug and client_id (the integration schema has both; checks/get's example has slug).
            assertHasKeys(example, event, "/repository", "/check_run/app", "/check_run/check_suite/app");
            assertEquals("completed", event.get("action").asText());
            assertEquals("success", event.at("/check_run/conclusion").asText());
            assertEquals("circleci-checks", event.at("/check_run/app/slug").asText());
            assertEquals(number, event.at("/check_run/pull_requests/0/number").asInt());
            assertEquals(HEAD, event.at("/check_run/check_suite/head_branch").asText());
            assertEquals("circleci-checks[bot]", event.at("/sender/login").asText());

            JsonNode suite = JSON.readTree(gh.deliverCheckSuiteCompleted(REPO, sha, "circleci-checks").toFile());
            JsonNode suiteExample = resource(EXAMPLES + "check_suite/completed.with-organization.payload.json");
            assertSameKeys(suiteExample, suite, "", "/check_suite", "/check_suite/head_commit", "/check_suite/pull_requests/0", "/sender");
            assertEquals("completed", suite.at("/check_suite/status").asText());
            assertEquals("success", suite.at("/check_suite/conclusion").asText(), "success and neutral: success");
            assertEquals(2, suite.at("/check_suite/latest_check_runs_count").asInt());
            assertEquals(sha, suite.at("/check_suite/head_sha").asText());

            // "this event does not trigger workflows if the check suite was created by GitHub Actions".
            long actions = gh.addCheckRun(REPO, sha, "build", "completed", "success", null, null);
            assertThrows(IllegalArgumentException.class, () -> gh.deliverCheckRunCompleted(REPO, actions));
            assertThrows(IllegalArgumentException.class, () -> gh.deliverCheckSuiteCompleted(REPO, sha, "github-actions"));
            long running = gh.addCheckRun(REPO, sha, "ci/circleci: test", "in_progress", null, null, null, "circleci-checks");
            assertThrows(IllegalArgumentException.class, () -> gh.deliverCheckRunCompleted(REPO, running));
            assertThrows(IllegalArgumentException.class, () -> gh.deliverCheckSuiteCompleted(REPO, sha, "circleci-checks"));
            Answer byAdmin = admin("POST", "/_emulator/deliveries", "{\"event\":\"check_run\",\"repo\":\"" + REPO + "\",\"check_run_id\":" + run + "}");
            assertEquals(201, byAdmin.status(), byAdmin.body());
            assertEquals(400, admin("POST", "/_emulator/deliveries", "{\"event\":\"check_suite\",\"repo\":\"" + REPO + "\",\"head_sha\":\"" + sha
                    + "\",\"app\":\"github-actions\"}").status());
        }

        @Test
        void aRepositoryDispatchAlwaysNamesItsSender() throws Exception {
            assertEquals(204, post(BASE + "/dispatches", "{\"event_type\":\"rfc.pr.ready\"}").status());
            JsonNode event = JSON.readTree(gh.deliveredEvents(REPO).get(0).toFile());
            assertEquals("github-actions[bot]", event.at("/sender/login").asText());
            assertEquals("Bot", event.at("/sender/type").asText());
        }

        @Test
        void theAdminApiDeliversOpensAndShows() throws Exception {
            int issue = createIssue("RFC-093", List.of());
            int journaled = gh.journal().size();
            assertEquals(204, admin("POST", "/_emulator/forks", "{\"parent\":\"" + REPO + "\",\"fork\":\"mallory/octo-repo\"}").status());
            assertEquals(204, admin("POST", "/_emulator/branches", "{\"repo\":\"" + REPO + "\",\"branch\":\"" + HEAD + "\"}").status());
            Answer commit = admin("POST", "/_emulator/commits", "{\"repo\":\"" + REPO + "\",\"branch\":\"" + HEAD + "\",\"path\":\"a.md\",\"content\":\"a\"}");
            assertEquals(201, commit.status());
            String sha = commit.json().get("sha").asText();
            Answer pull = admin("POST", "/_emulator/pulls", JSON.writeValueAsString(Map.of("repo", REPO, "head", HEAD, "base", "main",
                    "title", "RFC-093", "body", "Fixes #" + issue, "user", "Copilot")));
            assertEquals(201, pull.status(), pull.body());
            int number = pull.json().get("number").asInt();
            assertEquals(204, admin("POST", "/_emulator/mergeable", "{\"repo\":\"" + REPO + "\",\"number\":" + number + ",\"mergeable_state\":\"dirty\"}").status());
            assertEquals("dirty", admin("GET", "/_emulator/pulls?repo=" + REPO + "&number=" + number, null).json().get("mergeable_state").asText());
            assertEquals(204, admin("POST", "/_emulator/statuses", "{\"repo\":\"" + REPO + "\",\"sha\":\"" + sha + "\",\"state\":\"success\",\"context\":\"ci\"}").status());

            Answer assigned = admin("POST", "/_emulator/deliveries", "{\"event\":\"issues\",\"repo\":\"" + REPO + "\",\"issue\":" + issue
                    + ",\"assignee\":\"Copilot\",\"sender\":\"octocat\"}");
            assertEquals(201, assigned.status(), assigned.body());
            Answer opened = admin("POST", "/_emulator/deliveries", "{\"event\":\"pull_request\",\"repo\":\"" + REPO + "\",\"number\":" + number
                    + ",\"action\":\"opened\"}");
            assertEquals(201, opened.status(), opened.body());
            Answer completed = admin("POST", "/_emulator/deliveries", "{\"event\":\"workflow_run\",\"repo\":\"" + REPO + "\",\"workflow\":\"CI\","
                    + "\"head_sha\":\"" + sha + "\",\"conclusion\":\"success\",\"pull_requests\":[" + number + "]}");
            assertEquals(201, completed.status(), completed.body());
            assertEquals(List.of(Path.of(assigned.json().get("path").asText()), Path.of(opened.json().get("path").asText()),
                    Path.of(completed.json().get("path").asText())), gh.deliveredEvents(REPO));
            assertEquals("dirty", JSON.readTree(Path.of(opened.json().get("path").asText()).toFile()).at("/pull_request/mergeable_state").asText());
            assertEquals(400, admin("POST", "/_emulator/deliveries", "{\"event\":\"push\",\"repo\":\"" + REPO + "\"}").status());
            assertEquals(400, admin("POST", "/_emulator/deliveries", "{\"event\":\"pull_request\",\"repo\":\"" + REPO + "\",\"number\":99,\"action\":\"opened\"}").status());
            assertEquals(journaled, gh.journal().size(), "admin calls are not journaled");
        }
    }

    /** At each path (JSON pointer), the event's object has exactly the example's keys. */
    static void assertSameKeys(JsonNode example, JsonNode event, String... pointers) {
        for (String pointer : pointers) {
            assertEquals(keys(example.at(pointer)), keys(event.at(pointer)), "keys at '" + pointer + "'");
        }
    }

    /** At each path, the event's object has every key of the example's (GitHub's objects have grown since). */
    static void assertHasKeys(JsonNode example, JsonNode event, String... pointers) {
        for (String pointer : pointers) {
            Set<String> missing = new TreeSet<>(keys(example.at(pointer)));
            missing.removeAll(keys(event.at(pointer)));
            assertTrue(missing.isEmpty(), "missing at '" + pointer + "': " + missing);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Journal and admin API
    // ---------------------------------------------------------------------------------------------

    @Test
    void journalRecordsRequestsWithRedactedToken() throws Exception {
        post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}");
        get(BASE + "/issues?state=all");
        List<GitHubEmulator.JournalEntry> journal = gh.journal();
        assertEquals(2, journal.size());
        GitHubEmulator.JournalEntry dispatch = journal.get(0);
        assertEquals("POST", dispatch.method());
        assertEquals(BASE + "/dispatches", dispatch.path());
        assertEquals(204, dispatch.status());
        assertEquals("{\"event_type\":\"x.y\"}", dispatch.requestBody());
        assertEquals("REDACTED", dispatch.requestHeaders().get("authorization"));
        assertTrue(dispatch.requestHeaders().keySet().stream().allMatch(k -> k.equals(k.toLowerCase())));
        assertFalse(journal.toString().contains(GitHubEmulator.DEFAULT_TOKEN));
        assertEquals("state=all", journal.get(1).query());
        assertEquals(1, gh.journal("GET", ".*/issues").size());
        gh.clearJournal();
        assertTrue(gh.journal().isEmpty());
    }

    @Test
    void adminApiDrivesTheEmulatorWithoutBeingJournaled() throws Exception {
        assertEquals(204, admin("POST", "/_emulator/users", "{\"token\":\"ghp_bob\",\"login\":\"bob\",\"collaborator\":true}").status());
        Answer workflow = admin("POST", "/_emulator/workflows", "{\"repo\":\"" + REPO + "\",\"file\":\"ci.yml\",\"inputs\":{\"pr\":true}}");
        assertEquals(201, workflow.status());
        assertEquals(".github/workflows/ci.yml", workflow.json().get("path").asText());
        assertEquals(204, admin("POST", "/_emulator/faults",
                "{\"method\":\"POST\",\"path\":\".*/dispatches\",\"fault\":\"status\",\"status\":502,\"times\":1}").status());

        assertEquals(502, send("POST", BASE + "/dispatches", "{\"event_type\":\"x.y\"}", "ghp_bob").status());
        assertEquals(204, send("POST", BASE + "/dispatches", "{\"event_type\":\"x.y\"}", "ghp_bob").status());
        assertEquals(204, send("POST", BASE + "/actions/workflows/ci.yml/dispatches", "{\"ref\":\"main\",\"inputs\":{\"pr\":\"1\"}}", "ghp_bob").status());

        JsonNode events = admin("GET", "/_emulator/events", null).json();
        assertEquals(1, events.size());
        assertEquals(gh.deliveredEvents(REPO).get(0).toString(), events.get(0).asText());
        assertEquals(1, admin("GET", "/_emulator/runs?repo=" + REPO, null).json().size());

        Answer artifact = admin("POST", "/_emulator/artifacts", "{\"repo\":\"" + REPO + "\",\"name\":\"log\",\"zip_base64\":\""
                + Base64.getEncoder().encodeToString(new byte[] {'P', 'K'}) + "\"}");
        assertEquals(201, artifact.status());
        assertEquals(1, get(BASE + "/actions/artifacts?name=log").json().get("total_count").asInt());

        JsonNode journal = admin("GET", "/_emulator/journal", null).json();
        assertEquals(4, journal.size(), "admin calls are not journaled");
        assertEquals("status", journal.get(0).get("fault").asText());
        assertEquals("REDACTED", journal.get(0).at("/requestHeaders/authorization").asText());
        assertEquals(204, admin("DELETE", "/_emulator/journal", null).status());
        assertTrue(gh.journal().isEmpty());

        assertEquals(400, admin("POST", "/_emulator/faults", "{\"fault\":\"meteor\"}").status());
        assertEquals(404, admin("GET", "/_emulator/nothing", null).status());

        assertEquals(204, admin("POST", "/_emulator/reset", null).status());
        assertTrue(gh.deliveredEvents(REPO).isEmpty());
        assertEquals(401, send("GET", BASE, null, "ghp_bob").status(), "users are forgotten");
        assertEquals(404, get(BASE + "/actions/workflows/ci.yml").status(), "workflows are forgotten");
    }

    @Test
    void resetForgetsEverything() throws Exception {
        createIssue("x", List.of());
        post(BASE + "/dispatches", "{\"event_type\":\"x.y\"}");
        Path event = gh.deliveredEvents(REPO).get(0);
        gh.reset();
        assertTrue(gh.issues(REPO).isEmpty());
        assertTrue(gh.journal().isEmpty());
        assertFalse(Files.exists(event));
        assertEquals(Set.of("refs/heads/main"), gh.refs(REPO));
        assertEquals("4999", get(BASE).header("x-ratelimit-remaining"));
    }

    // ---------------------------------------------------------------------------------------------
    // The command line, run as users and other test processes run it (slow: JBang builds it once)
    // ---------------------------------------------------------------------------------------------

    @Test
    @Tag("slow")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void commandLinePrintsItsUrlAndServes() throws Exception {
        Path root = Path.of(System.getProperty("eventbus.root", "..")).toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder("./jbang", "tests/support/GitHubEmulator.java", "--port", "0",
                "--workflow", REPO + ":ci.yml:pr,reason?")
                .directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JBANG_NO_VERSION_CHECK", "true");
        builder.environment().put("NO_COLOR", "1");
        Process process = builder.start();
        try {
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<String> firstLine = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                        lines.add(line);
                        firstLine.complete(line);
                    }
                } catch (IOException e) {
                    // the stream closes when the process is destroyed
                }
                firstLine.complete(null);
            });
            reader.start();
            // A cold JBang resolves and compiles first; warm, this takes a few seconds.
            String url = firstLine.get(8, TimeUnit.MINUTES);
            assertNotNull(url, "the emulator printed nothing");
            assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+"), url);
            HttpResponse<String> rate = http.send(HttpRequest.newBuilder(URI.create(url + "/rate_limit"))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, rate.statusCode());
            assertEquals(5000, JSON.readTree(rate.body()).at("/rate/limit").asInt());
            HttpResponse<String> workflow = http.send(HttpRequest.newBuilder(URI.create(url + BASE + "/actions/workflows/ci.yml"))
                    .header("Authorization", "Bearer " + GitHubEmulator.DEFAULT_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, workflow.statusCode());
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            assertTrue(process.waitFor(Scripts.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            reader.join(10_000);
            assertEquals(List.of(url), lines, "exactly one line on stdout");
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What events doctor proves: a token's permissions, refs a rule refuses, a file deleted again
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Doctor {
        static final String SCOPED = "ghs_scopedEmulatorToken00000000000000000";

        String mainSha() throws Exception {
            return get(BASE + "/git/ref/heads/main").json().at("/object/sha").asText();
        }

        @Test
        void aTokenWithoutAPermissionIsRefusedWithTheHeaderNamingWhatTheOperationAccepts() throws Exception {
            gh.addInstallationToken(SCOPED, Map.of("contents", "read", "actions", "write"));
            Answer ref = send("POST", BASE + "/git/refs", "{\"ref\":\"refs/event-bus/doctor/x\",\"sha\":\"" + mainSha() + "\"}", SCOPED);
            assertEquals(403, ref.status());
            assertEquals("Resource not accessible by integration", ref.message());
            assertEquals("contents=write", ref.header("x-accepted-github-permissions"));
            assertFalse(gh.refs(REPO).contains("refs/event-bus/doctor/x"), "refused before anything changed");
            Answer comment = send("POST", BASE + "/issues/1/comments", "{\"body\":\"x\"}", SCOPED);
            assertEquals(403, comment.status());
            assertEquals("issues=write; pull_requests=write", comment.header("x-accepted-github-permissions"));
            // What it was given works; metadata is always readable; write includes read.
            assertEquals(200, send("GET", BASE, null, SCOPED).status());
            assertEquals(200, send("GET", BASE + "/git/ref/heads/main", null, SCOPED).status());
            assertEquals(404, send("GET", BASE + "/actions/workflows/none.yml", null, SCOPED).status());
            // Even a request GitHub would refuse for its content is refused for the permission first.
            Answer issue = send("POST", BASE + "/issues", "{}", SCOPED);
            assertEquals(403, issue.status());
            assertEquals("issues=write", issue.header("x-accepted-github-permissions"));
        }

        @Test
        void aRepositoryRuleRefusesRefsUnderAPrefixAndOnlyThose() throws Exception {
            gh.refuseRefs(REPO, "refs/event-bus/");
            Answer refused = post(BASE + "/git/refs", "{\"ref\":\"refs/event-bus/doctor/x\",\"sha\":\"" + mainSha() + "\"}");
            assertEquals(422, refused.status());
            assertEquals("Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n", refused.json().get("message").asText());
            assertFalse(gh.refs(REPO).contains("refs/event-bus/doctor/x"));
            assertEquals(201, post(BASE + "/git/refs", "{\"ref\":\"refs/heads/feature\",\"sha\":\"" + mainSha() + "\"}").status());
        }

        @Test
        void aFileIsDeletedWithItsBlobShaInACommitOfItsOwn() throws Exception {
            gh.commitFile(REPO, "main", "README.md", "hello\n", "readme");
            Answer created = put(BASE + "/contents/doctor/probe.json", "{\"message\":\"probe\",\"content\":\"e30K\"}");
            assertEquals(201, created.status());
            String blob = created.json().at("/content/sha").asText();
            String head = gh.branchSha(REPO, "main");
            Answer stale = send("DELETE", BASE + "/contents/doctor/probe.json", "{\"message\":\"gone\",\"sha\":\"" + "0".repeat(40) + "\"}",
                    GitHubEmulator.DEFAULT_TOKEN);
            assertEquals(409, stale.status());
            Answer deleted = send("DELETE", BASE + "/contents/doctor/probe.json", "{\"message\":\"gone\",\"sha\":\"" + blob + "\"}",
                    GitHubEmulator.DEFAULT_TOKEN);
            assertEquals(200, deleted.status(), deleted.body());
            assertTrue(deleted.json().get("content").isNull());
            assertMatchesOpenApi("repos__delete-file.json", deleted);
            assertEquals(head, deleted.json().at("/commit/parents/0/sha").asText(), "one commit on top of the append's");
            Answer again = send("DELETE", BASE + "/contents/doctor/probe.json", "{\"message\":\"gone\",\"sha\":\"" + blob + "\"}",
                    GitHubEmulator.DEFAULT_TOKEN);
            assertEquals(404, again.status());
            Answer noBranch = send("DELETE", BASE + "/contents/README.md", "{\"message\":\"x\",\"sha\":\"" + blob + "\",\"branch\":\"nope\"}",
                    GitHubEmulator.DEFAULT_TOKEN);
            assertEquals(404, noBranch.status());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    record Answer(int status, java.net.http.HttpHeaders headers, String body) {
        static Answer of(HttpResponse<String> response) {
            return new Answer(response.statusCode(), response.headers(), response.body());
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String message() {
            return json().path("message").asText();
        }
    }

    static HttpRequest.Builder request(String method, String path, String body, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(testbed.github().url() + path))
                .timeout(Scripts.TIMEOUT)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    static Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return Answer.of(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    static Answer send(String method, String path, String body, String token) throws IOException, InterruptedException {
        return send(request(method, path, body, token));
    }

    static Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, GitHubEmulator.DEFAULT_TOKEN);
    }

    static Answer post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body, GitHubEmulator.DEFAULT_TOKEN);
    }

    static Answer put(String path, String body) throws IOException, InterruptedException {
        return send("PUT", path, body, GitHubEmulator.DEFAULT_TOKEN);
    }

    static Answer patch(String path, String body) throws IOException, InterruptedException {
        return send("PATCH", path, body, GitHubEmulator.DEFAULT_TOKEN);
    }

    static Answer admin(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, null);
    }

    static int createIssue(String title, List<String> labels) throws IOException, InterruptedException {
        Answer answer = post(BASE + "/issues", JSON.writeValueAsString(Map.of("title", title, "labels", labels)));
        assertEquals(201, answer.status(), answer.body());
        return answer.json().get("number").asInt();
    }

    static List<String> titles(Answer answer) {
        List<String> titles = new ArrayList<>();
        answer.json().forEach(issue -> titles.add(issue.get("title").asText()));
        return titles;
    }

    static Set<String> keys(JsonNode object) {
        Set<String> keys = new TreeSet<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = GitHubEmulatorTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            return JSON.readTree(in);
        }
    }

    /** The answer's body satisfies the response schema GitHub publishes for that operation and status. */
    static void assertMatchesOpenApi(String operationFile, Answer answer) throws IOException {
        JsonNode schema = resource("github/openapi/" + operationFile)
                .at("/responses/" + answer.status() + "/content/application~1json/schema");
        assertFalse(schema.isMissingNode(), operationFile + " has no schema for " + answer.status());
        var errors = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30()).getSchema(schema).validate(answer.json());
        assertTrue(errors.isEmpty(), operationFile + ": " + errors);
    }
}
