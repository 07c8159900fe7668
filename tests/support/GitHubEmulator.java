///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION GitHubEmulator: a local stand-in for the GitHub REST API endpoints that event-bus uses,
//DESCRIPTION for the test suite and the demo (GitHub itself cannot be reached from where they run).
//DESCRIPTION
//DESCRIPTION Usage: GitHubEmulator.java [--port N] [--events-dir DIR] [--legacy-workflow-dispatch]
//DESCRIPTION                            [--workflow OWNER/REPO:FILE[:INPUT,OPTIONAL_INPUT?]]...
//DESCRIPTION Serves on 127.0.0.1 only. Prints its URL (the GITHUB_API_URL to use) as the one line on
//DESCRIPTION stdout, then serves until killed; logs each request on stderr.
//DESCRIPTION Token: ghs_emulatorDefaultToken000000000000000 acts as github-actions[bot] on octo-org/octo-repo.
//DESCRIPTION Admin API (no token): GET|DELETE /_emulator/journal, POST /_emulator/faults, /_emulator/workflows,
//DESCRIPTION /_emulator/users, /_emulator/artifacts, /_emulator/clock, /_emulator/reset, GET /_emulator/events;
//DESCRIPTION POST /_emulator/forks, /_emulator/commits, /_emulator/pulls (GET: one), /_emulator/mergeable,
//DESCRIPTION /_emulator/statuses, /_emulator/check-runs, /_emulator/merged-pulls, /_emulator/reviews,
//DESCRIPTION /_emulator/repository-settings ({repo, allow_merge_commit, allow_squash_merge, allow_rebase_merge,
//DESCRIPTION branch, required_approving_review_count}), /_emulator/deliveries ({event: issues|pull_request|
//DESCRIPTION pull_request_target|workflow_run|check_run|check_suite, ...}),
//DESCRIPTION /_emulator/settings ({legacy_workflow_dispatch: true|false, rate_limit: requests an hour}).
//DESCRIPTION Exit codes: 0 stopped, 1 could not start, 2 invalid usage.
//DESCRIPTION Example: jbang tests/support/GitHubEmulator.java --port 8787 --workflow octo-org/octo-repo:ci.yml:pr,reason? &
//JAVA 17+
//DEPS com.fasterxml.jackson:jackson-bom:2.20.1@pom
//DEPS org.wiremock:wiremock:3.13.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17
//FILES github/=../github/**

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A real HTTP server on 127.0.0.1 that answers like GitHub's REST API for the operations listed in
 * {@code github/openapi/index.json}, over an in-memory model of users, repositories and forks, issues,
 * pull requests, comments, labels, refs, git objects, commit statuses, check runs, workflows, runs and artifacts.
 *
 * <p>Events reach workflows as the files GitHub gives them at $GITHUB_EVENT_PATH: an accepted
 * repository dispatch is delivered at once; issues, pull_request, pull_request_target, workflow_run, check_run and
 * check_suite events when a test says so ({@link #deliverIssueAssigned}, {@link #deliverPullRequest},
 * {@link #deliverPullRequestTarget}, {@link #deliverWorkflowRunCompleted}, {@link #deliverCheckRunCompleted},
 * {@link #deliverCheckSuiteCompleted}), shaped after GitHub's examples in {@code github/webhooks/}.
 *
 * <p>WireMock (Jetty) is the HTTP layer: one catch-all stub whose response is computed by a
 * {@link ResponseDefinitionTransformerV2} from the model, so WireMock's own delays and socket faults
 * are available. Request bodies are checked against each operation's {@code requestBody} schema from
 * GitHub's OpenAPI description (OpenAPI 3.0 dialect, so {@code nullable} works). Every model
 * mutation happens under one lock, so concurrent clients see GitHub's atomic behaviour (for example
 * exactly one winner when several create the same ref).
 */
public final class GitHubEmulator implements AutoCloseable {

    // ---------------------------------------------------------------------------------------------
    // Public API
    // ---------------------------------------------------------------------------------------------

    /** The token a workflow's GITHUB_TOKEN would be: an installation token acting as github-actions[bot]. */
    public static final String DEFAULT_TOKEN = "ghs_emulatorDefaultToken000000000000000";
    /** The repository that exists after {@link #start} and {@link #reset}. */
    public static final String DEFAULT_REPOSITORY = "octo-org/octo-repo";

    static final String BOT_LOGIN = "github-actions[bot]";
    static final long BOT_ID = 41898282L;
    static final long INSTALLATION_ID = 45678912L;
    static final int RATE_LIMIT = 5000;
    static final int ANONYMOUS_RATE_LIMIT = 60;
    static final int MAX_BODY_CHARACTERS = 65_536;
    static final int MAX_DISPATCH_BYTES = 65_536;
    static final String GENERIC_DOCS = "https://docs.github.com/rest";
    static final String PRIMARY_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";
    static final String SECONDARY_LIMIT_DOCS =
            "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
    static final List<String> API_VERSIONS = List.of("2022-11-28", "2026-03-10");

    // Trailing garbage after the JSON value is a parse error, as on GitHub.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final OpenApi OPENAPI = OpenApi.load();

    private final Object lock = new Object();
    private final List<JournalEntry> journal = new ArrayList<>(); // guarded by lock
    private final List<FaultRule> faults = new ArrayList<>(); // guarded by lock
    private final List<Consumer<GitHubEmulator>> initialSetup = new ArrayList<>();
    private State state; // guarded by lock
    private boolean legacyWorkflowDispatch; // guarded by lock
    private Path eventsDir; // guarded by lock
    private Path temporaryEventsDir;
    private volatile boolean logRequests;
    private volatile Duration clockOffset = Duration.ZERO;
    private boolean delivering = true; // guarded by lock
    private WireMockServer server;

    private GitHubEmulator() {}

    /** Starts an emulator on 127.0.0.1:{@code port} (0 picks a free port). */
    public static GitHubEmulator start(int port) {
        GitHubEmulator emulator = new GitHubEmulator();
        try {
            emulator.temporaryEventsDir = Files.createTempDirectory("github-emulator-events-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        emulator.eventsDir = emulator.temporaryEventsDir;
        emulator.state = new State();
        emulator.server = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .port(port)
                // GitHub speaks HTTP/1.1 to plain-text clients here; h2c would also defeat socket faults.
                .http2PlainDisabled(true)
                .containerThreads(64)
                .useChunkedTransferEncoding(com.github.tomakehurst.wiremock.core.Options.ChunkedEncodingPolicy.NEVER)
                .gzipDisabled(true)
                .templatingEnabled(false)
                .disableRequestJournal() // we keep our own journal, shaped for the tests
                .stubRequestLoggingDisabled(true)
                // WireMock's own admin API (/__admin) would let a client rewrite our stub; ours is /_emulator/.
                .adminAuthenticator(request -> false)
                .notifier(new StderrNotifier())
                .extensions(emulator.new Responder(), new WithoutWireMockHeaders()));
        emulator.server.start();
        emulator.server.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.aResponse()));
        return emulator;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:43121}: what GITHUB_API_URL is set to. */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
        if (temporaryEventsDir != null) {
            deleteTree(temporaryEventsDir);
        }
    }

    /**
     * Moves GitHub's clock forward (timestamps, the Date header, rate-limit resets): tests of TTLs and
     * time windows wait for nothing and do not depend on how fast a process starts.
     */
    public void advanceClock(Duration by) {
        clockOffset = clockOffset.plus(by);
    }

    /** Model, journal, faults and settings back to the state right after start. */
    public void reset() {
        synchronized (lock) {
            for (Delivered event : state.delivered) {
                try {
                    Files.deleteIfExists(event.file());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            state = new State();
            clockOffset = Duration.ZERO;
            journal.clear();
            faults.clear();
            legacyWorkflowDispatch = false;
            initialSetup.forEach(setup -> setup.accept(this));
        }
    }

    /** Makes {@code token} act as {@code login}; a non-collaborator can read and comment but not write. */
    public void addUser(String token, String login, boolean collaborator) {
        synchronized (lock) {
            User known = state.usersByLogin.remove(login.toLowerCase(Locale.ROOT));
            state.usersByToken.put(token, new User(login, known != null ? known.id() : state.nextUserId++, "User", collaborator));
        }
    }

    /**
     * A GITHUB_TOKEN (an installation token of GitHub Actions, acting as github-actions[bot]) with only these permissions,
     * scope to read or write, as a workflow's permissions: block grants them (metadata: read always). An operation that needs
     * a permission the token lacks is refused as GitHub refuses it: 403 "Resource not accessible by integration", with the
     * header x-accepted-github-permissions naming what the operation accepts, sets separated by ';' ("issues=write;
     * pull_requests=write"). Sources: https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api
     * ("Resource not accessible"), https://github.blog/changelog/2023-08-10-x-accepted-github-permissions-header-for-fine-grained-permission-actors,
     * and the permission of each operation from https://docs.github.com/rest/authentication/permissions-required-for-github-apps
     * (see {@link #PERMISSIONS}). GitHub checks the permission before it reads the request, so a refused request changes nothing.
     */
    public void addInstallationToken(String token, Map<String, String> permissions) {
        for (Map.Entry<String, String> permission : permissions.entrySet()) {
            if (!List.of("read", "write").contains(permission.getValue())) {
                throw new IllegalArgumentException("a permission is read or write: " + permission);
            }
        }
        synchronized (lock) {
            state.usersByToken.put(token, state.usersByToken.get(DEFAULT_TOKEN));
            state.tokenPermissions.put(token, new LinkedHashMap<>(permissions));
        }
    }

    /**
     * Makes the repository refuse to create refs whose names start with {@code prefix}, as a repository rule ("Restrict
     * creations") or a push rule of an enterprise does: POST git/refs answers 422 "Repository rule violations found" (the
     * text GitHub gives, e.g. googleapis/release-please-action#1194: "Repository rule violations found\n\nCannot create ref
     * due to creations being restricted."). Whether github.com refuses refs under refs/event-bus/ anywhere has not been
     * seen from here: this is what events doctor must be able to tell.
     */
    public void refuseRefs(String repo, String prefix) {
        synchronized (lock) {
            existingRepo(repo).refusedRefPrefixes.add(prefix);
        }
    }

    /** A repository whose default branch holds one commit (an empty tree), as one made with auto_init. */
    public void addRepository(String fullName, String defaultBranch) {
        addRepository(fullName, defaultBranch, false);
    }

    /**
     * A repository; {@code empty} makes it as POST /orgs/{org}/repos without auto_init does: no commit and no branch yet,
     * until its first file (PUT contents) makes the default branch with a root commit. addBranch and the like need a commit.
     */
    public void addRepository(String fullName, String defaultBranch, boolean empty) {
        synchronized (lock) {
            String[] parts = fullName.split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException("repository must be OWNER/NAME: " + fullName);
            }
            if (state.repos.containsKey(fullName.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("repository exists already: " + fullName);
            }
            long ownerId = state.repos.values().stream().filter(r -> r.owner.equalsIgnoreCase(parts[0]))
                    .mapToLong(r -> r.ownerId).findFirst().orElseGet(() -> state.nextOwnerId++);
            Repo repo = new Repo(state.nextRepoId++, ownerId, parts[0], parts[1], defaultBranch, now());
            if (!empty) {
                repo.branch(defaultBranch, sha(fullName + "@" + defaultBranch));
            }
            state.repos.put(fullName.toLowerCase(Locale.ROOT), repo);
        }
    }

    /**
     * Renames a repository, as a rename or transfer does on GitHub: its former name keeps answering,
     * with 301 (GET, HEAD) or 307 (other methods) and a Location on /repositories/{id}.
     */
    public void renameRepository(String from, String to) {
        synchronized (lock) {
            Repo repo = state.repos.remove(from.toLowerCase(Locale.ROOT));
            if (repo == null) {
                throw new IllegalArgumentException("no repository " + from);
            }
            String[] parts = to.split("/", -1);
            repo.owner = parts[0];
            repo.name = parts[1];
            state.repos.put(to.toLowerCase(Locale.ROOT), repo);
            state.renamedFrom.put(from.toLowerCase(Locale.ROOT), repo);
        }
    }

    private static final Pattern REPOSITORY_PATH = Pattern.compile("^/repos/([^/]+/[^/]+)(/.*)?$");
    private static final Pattern REPOSITORY_BY_ID = Pattern.compile("^/repositories/(\\d{1,18})(/.*)?$");
    private static final Pattern REPOSITORY_PREFIX = Pattern.compile("^/(?:repos/[^/]+/[^/]+|repositories/\\d+)(/.*)?$");

    /** GitHub's answer on a former repository name: https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api */
    private Reply movedPermanently(Call call, Repo repo, String rest) {
        String location = url() + "/repositories/" + repo.id + (rest == null ? "" : rest);
        boolean readOnly = call.method().equals("GET") || call.method().equals("HEAD");
        ObjectNode body = JSON.createObjectNode()
                .put("message", readOnly ? "Moved Permanently" : "Temporary Redirect")
                .put("url", location)
                .put("documentation_url", "https://docs.github.com/v3/#http-redirects");
        return Reply.json(readOnly ? 301 : 307, body).withHeader("location", location);
    }

    /** Adds a branch pointing at the default branch's commit, as "create branch from main" would. */
    public void addBranch(String repo, String branch) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            if (!r.refs.containsKey("refs/heads/" + r.defaultBranch)) {
                throw new IllegalArgumentException(repo + " has no commit yet");
            }
            r.branch(branch, r.refs.get("refs/heads/" + r.defaultBranch));
        }
    }

    /** The commit a branch points at, for clients that must name an existing commit (POST git/refs). */
    public String branchSha(String repo, String branch) {
        synchronized (lock) {
            return existingRepo(repo).refs.get("refs/heads/" + branch);
        }
    }

    /**
     * A fork of {@code parent} named {@code fork} (OWNER/NAME, owned by a user): its default branch at the
     * parent's default branch commit, with the parent's files. Add branches with {@link #addBranch} and
     * commits with {@link #commitFile}; open a pull request from it with head {@code OWNER:BRANCH}.
     */
    public void addFork(String parent, String fork) {
        synchronized (lock) {
            Repo source = existingRepo(parent);
            String owner = fork.split("/", -1)[0];
            String ownerType = state.repos.values().stream().filter(r -> r.owner.equalsIgnoreCase(owner)).map(r -> r.ownerType)
                    .findFirst().orElse("User");
            addRepository(fork, source.defaultBranch);
            Repo copy = existingRepo(fork);
            String placeholder = copy.refs.get("refs/heads/" + copy.defaultBranch);
            copy.gitCommits.remove(placeholder);
            copy.commits.remove(placeholder);
            String tip = source.refs.get("refs/heads/" + source.defaultBranch);
            importObjects(source, copy, tip);
            copy.refs.put("refs/heads/" + copy.defaultBranch, tip);
            copy.forkOf = source;
            copy.ownerType = ownerType;
        }
    }

    /** Commits one file (created or replaced) on a branch, as a push would; returns the new commit's sha. */
    public String commitFile(String repo, String branch, String path, String content, String message) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            String head = r.refs.get("refs/heads/" + branch);
            if (head == null) {
                throw new IllegalArgumentException("no branch " + branch + " in " + repo);
            }
            Map<String, String> files = new TreeMap<>(r.files(head));
            files.put(path, r.blob(content.getBytes(StandardCharsets.UTF_8)));
            GitCommit commit = r.commit(r.tree(files), List.of(head), message, now());
            r.refs.put("refs/heads/" + branch, commit.sha());
            return commit.sha();
        }
    }

    /** Opens an issue by {@code login}, as POST /issues would, and returns its number. */
    public int createIssue(String repo, String title, String login) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            Issue issue = new Issue(state.nextIssueId++, ++r.issueSequence, title, null, userByLogin(login), List.of(), now());
            r.issues.add(issue);
            return issue.number;
        }
    }

    /**
     * Deletes an issue and its comments, as a repository admin can (GitHub's REST API has no endpoint for it;
     * the GraphQL mutation deleteIssue and the web page do). Afterwards its endpoints answer 410 Gone, as
     * GitHub's "Get an issue" documents for a deleted issue that the caller may read, and lists leave it out.
     */
    public void deleteIssue(String repo, int number) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            Issue issue = r.issues.stream().filter(i -> i.number == number).findFirst().orElseThrow();
            r.issues.remove(issue);
            r.deletedIssues.add(number);
            state.comments.values().removeIf(c -> c.issue == issue);
        }
    }

    /**
     * Opens a pull request by {@code login} (any account: "Copilot" is a bot, as on GitHub) as POST /pulls
     * would, and returns its number. head is a branch here or OWNER:BRANCH in a fork; the head must have
     * commits the base lacks ({@link #commitFile}). No webhook is delivered: see {@link #deliverPullRequest}.
     * GitHub's refusals (422) are an IllegalArgumentException carrying its answer.
     */
    public int createPullRequest(String repo, String head, String base, String title, String body, String login) {
        return createPullRequest(repo, head, base, title, body, login, false);
    }

    /** As above, as a draft when {@code draft} (POST /pulls with draft true; the Copilot coding agent opens its pull requests so). */
    public int createPullRequest(String repo, String head, String base, String title, String body, String login, boolean draft) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            ObjectNode request = JSON.createObjectNode().put("head", head).put("base", base).put("title", title).put("body", body)
                    .put("draft", draft);
            try {
                return openPull(r, userByLogin(login), request, GENERIC_DOCS, false).issue.number;
            } catch (ApiError e) {
                throw new IllegalArgumentException(new String(e.reply.body(), StandardCharsets.UTF_8), e);
            }
        }
    }

    /**
     * Sets what GitHub reports as the pull request's mergeable_state: one of {@link #MERGEABLE_STATES}
     * ("dirty" for a conflict, "blocked" for branch protection, "unknown" while GitHub computes), or null
     * to let the emulator compute it again (see {@link #MERGEABLE_STATES}).
     */
    public void setMergeable(String repo, int number, String mergeableState) {
        if (mergeableState != null && !MERGEABLE_STATES.contains(mergeableState)) {
            throw new IllegalArgumentException("mergeable_state must be one of " + MERGEABLE_STATES + ": " + mergeableState);
        }
        synchronized (lock) {
            existingPull(existingRepo(repo), number).mergeableState = mergeableState;
        }
    }

    /**
     * A person marks the draft pull request ready for review (GitHub does so with the GraphQL mutation
     * markPullRequestReadyForReview; REST's PATCH /pulls cannot). Deliver the ready_for_review event with
     * {@link #deliverPullRequestTarget} or {@link #deliverPullRequest}.
     */
    public void markReadyForReview(String repo, int number) {
        synchronized (lock) {
            PullRequest pr = existingPull(existingRepo(repo), number);
            if (!pr.draft) {
                throw new IllegalArgumentException("pull request #" + number + " is not a draft");
            }
            pr.draft = false;
            pr.issue.updatedAt = now();
        }
    }

    /** The pull request as GET /pulls/{number} shows it. */
    public Map<String, Object> pullRequest(String repo, int number) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            PullRequest pr = existingPull(r, number);
            syncPull(r, pr);
            return pullJson(r, pr, true);
        }
    }

    /** A commit status, as POST /statuses/{sha} by github-actions[bot] would make it. */
    public void addCommitStatus(String repo, String sha, String state, String context) {
        addCommitStatus(repo, sha, state, context, null);
    }

    /**
     * A commit status made at {@code at} (null: now), e.g. in the past for a merge-latency window. Its created_at and
     * updated_at are that time: a status never changes on GitHub, a new one with the same context replaces it.
     */
    public void addCommitStatus(String repo, String sha, String state, String context, Instant at) {
        if (!List.of("error", "failure", "pending", "success").contains(state)) {
            throw new IllegalArgumentException("state must be error, failure, pending or success: " + state);
        }
        synchronized (lock) {
            Repo r = existingRepo(repo);
            r.pulls().forEach(p -> syncPull(r, p));
            if (!r.gitCommits.containsKey(sha)) {
                throw new IllegalArgumentException("No commit found for SHA: " + sha);
            }
            r.statuses.add(new CommitStatus(this.state.nextStatusId++, sha, state, null, null, context,
                    this.state.usersByToken.get(DEFAULT_TOKEN), at == null ? now() : at.truncatedTo(ChronoUnit.SECONDS)));
        }
    }

    /**
     * A check run of GitHub Actions on a commit, as a workflow job reports CI: see the other addCheckRun. Returns its id.
     */
    public long addCheckRun(String repo, String headSha, String name, String status, String conclusion, Instant startedAt,
            Instant completedAt) {
        return addCheckRun(repo, headSha, name, status, conclusion, startedAt, completedAt, ACTIONS.slug());
    }

    /**
     * A check run made by the app {@code appSlug} ("github-actions" for Actions, any other slug makes that app) on a commit,
     * at the times given (null: now): status one of {@link #CHECK_STATUSES}; a completed run, and only a completed one,
     * has a conclusion (one of {@link #CHECK_CONCLUSIONS}). Returns its id; GET check-runs shows it at once.
     */
    public long addCheckRun(String repo, String headSha, String name, String status, String conclusion, Instant startedAt,
            Instant completedAt, String appSlug) {
        if (!CHECK_STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be one of " + CHECK_STATUSES + ": " + status);
        }
        if (conclusion != null && !CHECK_CONCLUSIONS.contains(conclusion)) {
            throw new IllegalArgumentException("conclusion must be one of " + CHECK_CONCLUSIONS + ": " + conclusion);
        }
        if (status.equals("completed") != (conclusion != null)) {
            throw new IllegalArgumentException("a completed check run has a conclusion, and only a completed one: " + status + ", " + conclusion);
        }
        if (completedAt != null && conclusion == null) {
            throw new IllegalArgumentException("only a completed check run has completed_at");
        }
        synchronized (lock) {
            Repo r = existingRepo(repo);
            r.pulls().forEach(p -> syncPull(r, p));
            if (!r.gitCommits.containsKey(headSha)) {
                throw new IllegalArgumentException("No commit found for SHA: " + headSha);
            }
            Instant started = startedAt == null ? now() : startedAt.truncatedTo(ChronoUnit.SECONDS);
            CheckRun run = newCheckRun(r, app(appSlug), headSha, name, started);
            run.status = status;
            run.conclusion = conclusion;
            if (conclusion != null) {
                run.completedAt = completedAt == null ? (started.isAfter(now()) ? started : now()) : completedAt.truncatedTo(ChronoUnit.SECONDS);
            }
            run.suite.updatedAt = run.completedAt != null ? run.completedAt : started;
            return run.id;
        }
    }

    /** The check run as GET check-runs/{id} shows it. */
    public Map<String, Object> checkRun(String repo, long id) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            CheckRun run = r.checkRuns.stream().filter(c -> c.id == id).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no check run " + id + " in " + repo));
            return checkRunJson(r, run);
        }
    }

    /**
     * The repository's merge buttons (Settings, "Pull Requests"): GET /repos/{o}/{r} shows them as allow_merge_commit,
     * allow_squash_merge and allow_rebase_merge, and a merge with a method not allowed is 405 (see mergePull).
     */
    public void setMergeMethods(String repo, boolean mergeCommit, boolean squash, boolean rebase) {
        if (!mergeCommit && !squash && !rebase) {
            throw new IllegalArgumentException("GitHub keeps at least one merge method allowed");
        }
        synchronized (lock) {
            Repo r = existingRepo(repo);
            r.allowMergeCommit = mergeCommit;
            r.allowSquashMerge = squash;
            r.allowRebaseMerge = rebase;
        }
    }

    /**
     * Branch protection's "Require approvals" on {@code branch}: a pull request into it needs {@code count} approving
     * reviews from people with write access, not its author's (0 removes the rule). Until then its mergeable_state is
     * blocked and a merge is 405 "At least 1 approving review is required by reviewers with write access."
     */
    public void setRequiredApprovingReviews(String repo, String branch, int count) {
        if (count < 0 || count > 10) {
            throw new IllegalArgumentException("GitHub requires 0 to 10 approving reviews: " + count);
        }
        synchronized (lock) {
            Repo r = existingRepo(repo);
            if (count == 0) {
                r.requiredApprovals.remove(branch);
            } else {
                r.requiredApprovals.put(branch, count);
            }
        }
    }

    /**
     * An approving review by {@code login}. GitHub refuses an author's approval of their own pull request (422 "Can not
     * approve your own pull request"); an approval counts towards a required review only from someone with write access.
     */
    public void approvePullRequest(String repo, int number, String login) {
        synchronized (lock) {
            PullRequest pr = existingPull(existingRepo(repo), number);
            User reviewer = userByLogin(login);
            if (reviewer.equals(pr.issue.user)) {
                throw new IllegalArgumentException("Can not approve your own pull request");
            }
            pr.approvals.add(reviewer);
        }
    }

    /** A check run of a pull request merged in the past (see {@link #addMergedPullRequests}); times may be null (then the merge's). */
    public record PastCheckRun(String name, String status, String conclusion, Instant startedAt, Instant completedAt) {}

    /** A commit status of a pull request merged in the past, made at {@code at}. */
    public record PastStatus(String context, String state, Instant at) {}

    /** A pull request opened at createdAt and merged at mergedAt, its head carrying these check runs and statuses. */
    public record PastPullRequest(String title, Instant createdAt, Instant mergedAt, List<PastCheckRun> checkRuns,
            List<PastStatus> statuses) {}

    /** What {@link #addMergedPullRequests} made: the number, the head commit (where the checks are) and the merge commit. */
    public record MergedPullRequest(int number, String headSha, String mergeCommitSha) {}

    /**
     * Pull requests into {@code base} that were opened and squash-merged in the past, in bulk and cheaply (for benchmarks
     * of merge latency): each gets a head commit on base, its check runs and statuses at the given times, a merge by
     * github-actions[bot] at mergedAt, and is closed then (its head branch deleted, as "delete branch on merge" does).
     * Listed by GET /pulls?state=closed like any other; no webhook is delivered.
     */
    public List<MergedPullRequest> addMergedPullRequests(String repo, String base, List<PastPullRequest> pulls) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            if (!r.refs.containsKey("refs/heads/" + base)) {
                throw new IllegalArgumentException("no branch " + base + " in " + repo);
            }
            User merger = state.usersByToken.get(DEFAULT_TOKEN);
            List<MergedPullRequest> made = new ArrayList<>();
            for (PastPullRequest past : pulls) {
                if (past.mergedAt().isBefore(past.createdAt())) {
                    throw new IllegalArgumentException("merged before it was opened: " + past);
                }
                Instant created = past.createdAt().truncatedTo(ChronoUnit.SECONDS);
                Instant merged = past.mergedAt().truncatedTo(ChronoUnit.SECONDS);
                String baseSha = r.refs.get("refs/heads/" + base);
                String tree = r.gitCommits.get(baseSha).tree();
                int number = r.issueSequence + 1;
                String title = past.title() != null ? past.title() : "Change " + number;
                GitCommit head = r.commit(tree, List.of(baseSha), title, created);
                Issue issue = new Issue(state.nextIssueId++, ++r.issueSequence, title, null, merger, List.of(), created);
                PullRequest pr = new PullRequest(state.nextPullId++, issue, r, "change-" + number, head.sha(), base, baseSha);
                issue.pull = pr;
                r.issues.add(issue);
                for (PastCheckRun check : past.checkRuns() == null ? List.<PastCheckRun>of() : past.checkRuns()) {
                    String status = check.status() != null ? check.status() : check.conclusion() != null ? "completed" : "queued";
                    if (!CHECK_STATUSES.contains(status) || status.equals("completed") != (check.conclusion() != null)
                            || check.conclusion() != null && !CHECK_CONCLUSIONS.contains(check.conclusion())) {
                        throw new IllegalArgumentException("not a check run GitHub has: " + check);
                    }
                    Instant started = (check.startedAt() != null ? check.startedAt() : created).truncatedTo(ChronoUnit.SECONDS);
                    CheckRun run = newCheckRun(r, ACTIONS, head.sha(), check.name(), started);
                    run.status = status;
                    run.conclusion = check.conclusion();
                    run.completedAt = check.conclusion() == null ? null
                            : (check.completedAt() != null ? check.completedAt() : merged).truncatedTo(ChronoUnit.SECONDS);
                }
                for (PastStatus status : past.statuses() == null ? List.<PastStatus>of() : past.statuses()) {
                    if (!List.of("error", "failure", "pending", "success").contains(status.state())) {
                        throw new IllegalArgumentException("state must be error, failure, pending or success: " + status);
                    }
                    r.statuses.add(new CommitStatus(state.nextStatusId++, head.sha(), status.state(), null, null, status.context(), merger,
                            (status.at() != null ? status.at() : created).truncatedTo(ChronoUnit.SECONDS)));
                }
                GitCommit squash = r.commit(tree, List.of(baseSha), title + " (#" + number + ")", merged);
                r.refs.put("refs/heads/" + base, squash.sha());
                pr.merged = true;
                pr.mergedAt = merged;
                pr.mergedBy = merger;
                pr.mergeCommitSha = squash.sha();
                issue.state = "closed";
                issue.closedAt = merged;
                issue.closedBy = merger;
                issue.updatedAt = merged;
                made.add(new MergedPullRequest(number, head.sha(), squash.sha()));
            }
            return made;
        }
    }

    private PullRequest existingPull(Repo repo, int number) {
        PullRequest pr = findPull(repo, number);
        if (pr == null) {
            throw new IllegalArgumentException("no pull request #" + number + " in " + repo.fullName());
        }
        return pr;
    }

    /** The account with this login: a token's user, else one known by login only (made on first use). */
    private User userByLogin(String login) {
        for (User user : state.usersByToken.values()) {
            if (user.login().equalsIgnoreCase(login)) {
                return user;
            }
        }
        boolean bot = login.endsWith("[bot]") || login.equals("Copilot");
        return state.usersByLogin.computeIfAbsent(login.toLowerCase(Locale.ROOT),
                k -> new User(login, state.nextUserId++, bot ? "Bot" : "User", false));
    }

    /**
     * Declares {@code .github/workflows/FILE} with a workflow_dispatch trigger and these inputs
     * (name -> required); declaring the same file again replaces its inputs and keeps its id.
     */
    public void addWorkflow(String repo, String fileName, Map<String, Boolean> inputs) {
        addWorkflow(repo, fileName, inputs, null);
    }

    /**
     * Like {@link #addWorkflow(String, String, Map)}, with the workflow's {@code run-name}: a run's
     * display_title is it with {@code ${{ inputs.X }}} filled in (else the workflow's path).
     */
    public void addWorkflow(String repo, String fileName, Map<String, Boolean> inputs, String runName) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            Workflow previous = r.workflows.stream().filter(w -> w.file().equals(fileName)).findFirst().orElse(null);
            Workflow workflow = previous == null
                    ? new Workflow(state.nextWorkflowId++, fileName, new LinkedHashMap<>(inputs), runName, now(), null)
                    : new Workflow(previous.id(), fileName, new LinkedHashMap<>(inputs), runName, previous.createdAt(), previous.name());
            r.workflows.remove(previous);
            r.workflows.add(workflow);
        }
    }

    /** When true, answer like an older GitHub Enterprise Server that rejects {@code return_run_details}. */
    public void setLegacyWorkflowDispatch(boolean legacy) {
        synchronized (lock) {
            legacyWorkflowDispatch = legacy;
        }
    }

    /**
     * The primary rate limit of every token, in requests an hour: {@link #RATE_LIMIT} (a GitHub App
     * installation's) after start and reset. A GITHUB_TOKEN has 1,000 on github.com and 15,000 on
     * GitHub Enterprise Cloud. Requests already counted this hour stay counted.
     */
    public void setRateLimit(int requestsPerHour) {
        if (requestsPerHour < 1) {
            throw new IllegalArgumentException("rate_limit must be at least 1: " + requestsPerHour);
        }
        synchronized (lock) {
            state.rateLimit = requestsPerHour;
            state.buckets.forEach((login, bucket) -> {
                if (!login.isEmpty()) { // "" is unauthenticated, with its own limit
                    bucket.limit = requestsPerHour;
                }
            });
        }
    }

    /** An artifact uploaded by a run of the repository itself on its default branch. */
    public long addArtifact(String repo, String name, byte[] zipBytes) {
        return addArtifact(repo, name, zipBytes, null, null);
    }

    /**
     * An artifact uploaded by a run whose head is {@code headBranch} (null: the default branch) of {@code headRepository}
     * (null: the repository itself; a fork's name for a fork's pull request, whose runs run in the base repository and list
     * their artifacts there). actions/list-artifacts-for-repo shows it with workflow_run {id, repository_id,
     * head_repository_id, head_branch, head_sha}: the head branch's commit in the head repository (or a commit made up for a
     * branch that does not exist there).
     */
    public long addArtifact(String repo, String name, byte[] zipBytes, String headBranch, String headRepository) {
        return addArtifact(repo, name, zipBytes, headBranch, headRepository, null);
    }

    /** Like the other addArtifact, naming the run that uploaded it (null: a run of its own). */
    public long addArtifact(String repo, String name, byte[] zipBytes, String headBranch, String headRepository, Long runId) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            Repo head = headRepository == null ? r : existingRepo(headRepository);
            String branch = headBranch != null ? headBranch : head.defaultBranch;
            String sha = head.refs.getOrDefault("refs/heads/" + branch, sha("artifact-head:" + head.fullName() + "@" + branch));
            Artifact artifact = new Artifact(state.nextArtifactId++, name, zipBytes.clone(), now(),
                    runId != null ? runId : state.nextArtifactRunId++, r.id, head.id, branch, sha);
            r.artifacts.add(artifact);
            return artifact.id();
        }
    }

    /**
     * One request as the emulator saw it: the raw path and query ("" when none), the status it was
     * given (0 when the connection was reset before processing; the accepted status for
     * drop_after_accept, whose answer never left), lower-case headers with Authorization REDACTED,
     * and the injected fault's kind or null.
     */
    public record JournalEntry(String method, String path, String query, int status,
            Map<String, String> requestHeaders, String requestBody, String fault) {}

    public List<JournalEntry> journal() {
        synchronized (lock) {
            return List.copyOf(journal);
        }
    }

    /** Entries whose method matches ({@code null} or {@code *} for any) and whose path matches the regex in full. */
    public List<JournalEntry> journal(String method, String pathRegex) {
        Pattern path = Pattern.compile(pathRegex);
        return journal().stream()
                .filter(e -> anyMethod(method) || e.method().equalsIgnoreCase(method))
                .filter(e -> path.matcher(e.path()).matches())
                .toList();
    }

    public void clearJournal() {
        synchronized (lock) {
            journal.clear();
        }
    }

    public Path eventsDir() {
        synchronized (lock) {
            return eventsDir;
        }
    }

    /** Where accepted repository dispatches are written from now on. */
    public void setEventsDir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (lock) {
            eventsDir = dir;
        }
    }

    /** The event files delivered for the repository (accepted dispatches and the deliver methods' events), oldest first. */
    public List<Path> deliveredEvents(String repo) {
        synchronized (lock) {
            return state.delivered.stream()
                    .filter(e -> e.repo().equalsIgnoreCase(repo))
                    .map(Delivered::file)
                    .toList();
        }
    }

    /**
     * Delivers an {@code issues} event, action assigned, as a workflow finds it at $GITHUB_EVENT_PATH
     * (shaped like github/webhooks/payload-examples/api.github.com/issues/): the issue is assigned to
     * {@code assigneeLogin} first, as the assignment by {@code senderLogin} would. Returns the event file.
     */
    public Path deliverIssueAssigned(String repo, int issueNumber, String assigneeLogin, String senderLogin) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            Issue issue = r.issues.stream().filter(i -> i.number == issueNumber).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no issue #" + issueNumber + " in " + repo));
            if (issue.pull != null) {
                throw new IllegalArgumentException("#" + issueNumber + " is a pull request: GitHub sends pull_request assigned");
            }
            User assignee = userByLogin(assigneeLogin);
            if (!issue.assignees.contains(assignee)) {
                issue.assignees.add(assignee);
            }
            issue.updatedAt = now();
            Map<String, Object> event = obj("action", "assigned", "issue", issueJson(r, issue), "assignee", userJson(assignee),
                    "repository", eventRepositoryJson(r));
            withOrganization(event, r);
            event.put("sender", userJson(userByLogin(senderLogin)));
            return deliver(r, "issues", event);
        }
    }

    /**
     * Delivers a {@code pull_request} event (opened, reopened, edited, synchronize, closed or ready_for_review) for the pull
     * request as it is now, shaped like payload-examples/api.github.com/pull_request/. The action must fit
     * its state: closed once closed or merged; synchronize once its head branch moved (before and after
     * are the head's previous and current commits). The sender is the author, or whoever closed or merged it.
     */
    public Path deliverPullRequest(String repo, int number, String action) {
        return deliverPull(repo, number, action, "pull_request");
    }

    /**
     * Delivers a {@code pull_request_target} event: "the same webhook payload as pull_request" (GitHub's "Events that
     * trigger workflows"), but it runs in the base repository's context, on the base branch's workflow, so the pull
     * requests of forks and of the Copilot coding agent start it without an approval. Same actions as {@link #deliverPullRequest}.
     */
    public Path deliverPullRequestTarget(String repo, int number, String action) {
        return deliverPull(repo, number, action, "pull_request_target");
    }

    private Path deliverPull(String repo, int number, String action, String eventName) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            PullRequest pr = existingPull(r, number);
            syncPull(r, pr);
            if (!List.of("opened", "reopened", "edited", "synchronize", "closed", "ready_for_review").contains(action)) {
                throw new IllegalArgumentException("action must be opened, reopened, edited, synchronize, closed or ready_for_review: " + action);
            }
            if (action.equals("ready_for_review") && pr.draft) {
                throw new IllegalArgumentException("pull request #" + number + " is still a draft: markReadyForReview first");
            }
            if (action.equals("closed") == pr.open()) {
                throw new IllegalArgumentException("pull request #" + number + " is " + pr.issue.state + ": no " + action + " event");
            }
            if (action.equals("synchronize") && pr.previousHeadSha == null) {
                throw new IllegalArgumentException("the head branch of #" + number + " has not moved since it was opened");
            }
            Map<String, Object> event = obj("action", action, "number", number, "pull_request", pullJson(r, pr, true));
            if (action.equals("synchronize")) {
                event.put("before", pr.previousHeadSha);
                event.put("after", pr.headSha);
            }
            event.put("repository", eventRepositoryJson(r));
            event.put("installation", obj("id", INSTALLATION_ID, "node_id", nodeId("IntegrationInstallation", INSTALLATION_ID)));
            withOrganization(event, r);
            User sender = action.equals("closed") && pr.issue.closedBy != null ? pr.issue.closedBy : pr.issue.user;
            event.put("sender", userJson(sender));
            return deliver(r, eventName, event);
        }
    }

    /**
     * Delivers a {@code check_run} event, action completed, for a completed check run, shaped like
     * payload-examples/api.github.com/check_run/completed.with-organization.payload.json. GitHub starts no workflow for it
     * when the run's suite was made by GitHub Actions ("To prevent recursive workflows, this event does not trigger
     * workflows if the check run's check suite was created by GitHub Actions", "Events that trigger workflows"): that is
     * refused here, so CI that Actions runs reaches a workflow as workflow_run, and other apps' CI as check_run/check_suite.
     */
    public Path deliverCheckRunCompleted(String repo, long checkRunId) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            r.pulls().forEach(p -> syncPull(r, p));
            CheckRun run = r.checkRuns.stream().filter(c -> c.id == checkRunId).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no check run " + checkRunId + " in " + repo));
            if (!run.status.equals("completed")) {
                throw new IllegalArgumentException("check run " + checkRunId + " is " + run.status + ": no completed event");
            }
            refuseActions(run.suite, "check_run");
            Map<String, Object> checkRun = checkRunJson(r, run);
            checkRun.put("check_suite", suiteJson(r, run.suite, false));
            Map<String, Object> event = obj("action", "completed", "check_run", checkRun, "repository", eventRepositoryJson(r));
            withOrganization(event, r);
            event.put("sender", userJson(userByLogin(run.suite.app.slug() + "[bot]")));
            return deliver(r, "check_run", event);
        }
    }

    /**
     * Delivers a {@code check_suite} event, action completed, for the suite of {@code appSlug} on {@code headSha} once all
     * its check runs completed, shaped like check_suite/completed.with-organization.payload.json; its conclusion is the
     * emulator's reading of its runs' (action_required, cancelled, timed_out, failure, stale, in that order, else success
     * when one succeeded, else neutral, else skipped). Refused for GitHub Actions' suites, as for check_run.
     */
    public Path deliverCheckSuiteCompleted(String repo, String headSha, String appSlug) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            r.pulls().forEach(p -> syncPull(r, p));
            CheckSuite suite = r.checkSuites.stream().filter(c -> c.headSha.equals(headSha) && c.app.slug().equals(appSlug)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no check suite of " + appSlug + " on " + headSha + " in " + repo));
            if (!suiteStatus(r, suite).equals("completed")) {
                throw new IllegalArgumentException("the check suite of " + appSlug + " on " + headSha + " has runs not completed");
            }
            refuseActions(suite, "check_suite");
            Map<String, Object> event = obj("action", "completed", "check_suite", suiteJson(r, suite, true), "repository", eventRepositoryJson(r));
            withOrganization(event, r);
            event.put("sender", userJson(userByLogin(appSlug + "[bot]")));
            return deliver(r, "check_suite", event);
        }
    }

    private static void refuseActions(CheckSuite suite, String event) {
        if (suite.app == ACTIONS) {
            throw new IllegalArgumentException("GitHub starts no workflow on " + event + " for a check suite created by GitHub Actions "
                    + "(to prevent recursive workflows): deliver workflow_run instead");
        }
    }

    private static String suiteStatus(Repo repo, CheckSuite suite) {
        List<CheckRun> runs = repo.checkRuns.stream().filter(c -> c.suite == suite).toList();
        return runs.stream().allMatch(c -> c.status.equals("completed")) ? "completed"
                : runs.stream().anyMatch(c -> c.status.equals("in_progress")) ? "in_progress" : "queued";
    }

    private static String suiteConclusion(Repo repo, CheckSuite suite) {
        Set<String> conclusions = repo.checkRuns.stream().filter(c -> c.suite == suite && c.conclusion != null)
                .map(c -> c.conclusion).collect(Collectors.toSet());
        for (String c : List.of("action_required", "cancelled", "timed_out", "failure", "stale", "success", "neutral", "skipped")) {
            if (conclusions.contains(c)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Delivers a {@code workflow_run} event, action completed, for a run of the workflow named
     * {@code workflowName} (its {@code name:}, or its file; made on first use) on {@code headSha}, shaped like
     * payload-examples/api.github.com/workflow_run/. The run is added to the repository's runs (event
     * pull_request when prNumbers are given, else push). Its head_branch and head_repository are the first
     * pull request's head (else a branch at headSha). As on GitHub, workflow_run.pull_requests lists only the
     * pull requests whose head is in this repository: one from a fork is left out. The sender is the first
     * pull request's author, else github-actions[bot].
     */
    public Path deliverWorkflowRunCompleted(String repo, String workflowName, String headSha, String conclusion, List<Integer> prNumbers) {
        if (!List.of("success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required", "stale", "startup_failure")
                .contains(conclusion)) {
            throw new IllegalArgumentException("not a workflow run conclusion: " + conclusion);
        }
        synchronized (lock) {
            Repo r = existingRepo(repo);
            List<PullRequest> pulls = new ArrayList<>();
            for (int number : prNumbers) {
                PullRequest pr = existingPull(r, number);
                syncPull(r, pr);
                pulls.add(pr);
            }
            if (!r.gitCommits.containsKey(headSha)) {
                throw new IllegalArgumentException("No commit found for SHA: " + headSha);
            }
            Workflow workflow = r.workflows.stream().filter(w -> workflowName.equals(w.name()) || w.file().equals(workflowName))
                    .findFirst().orElse(null);
            if (workflow == null) {
                String file = workflowName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "") + ".yml";
                workflow = new Workflow(state.nextWorkflowId++, file, Map.of(), null, now(), workflowName);
                r.workflows.add(workflow);
            }
            PullRequest first = pulls.isEmpty() ? null : pulls.get(0);
            String branch = first != null ? first.headRef : r.refs.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("refs/heads/") && e.getValue().equals(headSha))
                    .map(e -> e.getKey().substring("refs/heads/".length())).findFirst().orElse(r.defaultBranch);
            User actor = first != null ? first.issue.user : state.usersByToken.get(DEFAULT_TOKEN);
            Workflow w = workflow;
            int runNumber = (int) r.runs.stream().filter(run -> run.workflow() == w).count() + 1;
            WorkflowRun run = new WorkflowRun(state.nextRunId++, workflow, runNumber, "refs/heads/" + branch, branch, headSha, Map.of(),
                    actor, now(), first != null ? "pull_request" : "push", "completed", conclusion,
                    pulls.stream().filter(p -> p.headRepo == r).toList(), first != null && first.headRepo != r ? first.headRepo : null);
            r.runs.add(run);
            Map<String, Object> event = obj("action", "completed");
            withOrganization(event, r);
            event.put("repository", eventRepositoryJson(r));
            event.put("sender", userJson(actor));
            event.put("workflow", workflowJson(r, workflow));
            event.put("workflow_run", runJson(r, run));
            return deliver(r, "workflow_run", event);
        }
    }

    /** An organization's repository's events name the organization. */
    private void withOrganization(Map<String, Object> event, Repo repo) {
        if (repo.ownerType.equals("Organization")) {
            event.put("organization", organizationJson(repo));
        }
    }

    /**
     * Runs, oldest first (those of workflow dispatches and of {@link #deliverWorkflowRunCompleted}): the API's run
     * object plus {@code inputs}, {@code ref}, {@code workflow_file}.
     */
    public List<Map<String, Object>> workflowRuns(String repo) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            List<Map<String, Object>> runs = new ArrayList<>();
            for (WorkflowRun run : r.runs) {
                Map<String, Object> json = runJson(r, run);
                json.put("inputs", new LinkedHashMap<>(run.inputs()));
                json.put("ref", run.ref());
                json.put("workflow_file", run.workflow().file());
                runs.add(json);
            }
            return runs;
        }
    }

    /** The issue's comments as the API shows them, oldest first. */
    public List<Map<String, Object>> comments(String repo, int issueNumber) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            return state.comments.values().stream()
                    .filter(c -> c.repo == r && c.issue.number == issueNumber)
                    .map(c -> commentJson(r, c))
                    .toList();
        }
    }

    /** All issues, open and closed, pull requests too (as GitHub lists them), as the API shows them, by number. */
    public List<Map<String, Object>> issues(String repo) {
        synchronized (lock) {
            Repo r = existingRepo(repo);
            return r.issues.stream().map(i -> issueJson(r, i)).toList();
        }
    }

    /** Full ref names, e.g. {@code refs/heads/main}. */
    public Set<String> refs(String repo) {
        synchronized (lock) {
            return new TreeSet<>(existingRepo(repo).refs.keySet());
        }
    }

    /** The next {@code times} requests matching method ({@code null} or {@code *} = any) and path regex get {@code fault}. */
    public void injectFault(String method, String pathRegex, Fault fault, int times) {
        synchronized (lock) {
            faults.add(new FaultRule(method, Pattern.compile(pathRegex), fault, times));
        }
    }

    /** A misbehaviour of GitHub or the network, for testing clients' retries. */
    public sealed interface Fault {
        /** A 5xx (or any) status with GitHub's error body. */
        static Fault status(int code) {
            return new StatusFault(code);
        }

        /** 429 with the secondary-rate-limit message; Retry-After only when given. */
        static Fault tooManyRequests(Integer retryAfterSeconds) {
            return new TooManyRequests(retryAfterSeconds);
        }

        /** 403 "You have exceeded a secondary rate limit..."; Retry-After only when given. */
        static Fault secondaryRateLimit(Integer retryAfterSeconds) {
            return new SecondaryRateLimit(retryAfterSeconds);
        }

        /** 403 "API rate limit exceeded..." with x-ratelimit-remaining 0 and this x-ratelimit-reset. */
        static Fault primaryRateLimitExhausted(long resetEpochSeconds) {
            return new PrimaryRateLimitExhausted(resetEpochSeconds);
        }

        /** The connection is reset before the request is processed: nothing changes. */
        static Fault connectionReset() {
            return new ConnectionReset();
        }

        /** The request is processed in full (state changed, event written), then the connection drops unanswered. */
        static Fault dropAfterAccept() {
            return new DropAfterAccept();
        }

        /**
         * The request is processed at once and the answer held back for {@code millis}, like a slow
         * GitHub that has already acted: a client that times out cannot tell whether it happened.
         */
        static Fault delay(long millis) {
            return new Delay(millis);
        }

        /**
         * The request never reaches GitHub: the connection hangs for {@code millis}, then resets, and nothing
         * changes. A client killed meanwhile (a lost runner) has sent nothing that took effect.
         */
        static Fault stall(long millis) {
            return new Stall(millis);
        }

        /**
         * GitHub accepts a repository dispatch (204) and starts no workflow for it, as during an incident:
         * no event file is delivered.
         */
        static Fault undelivered() {
            return new Undelivered();
        }

        /** The name used by the admin API and in {@link JournalEntry#fault()}. */
        String kind();
    }

    record StatusFault(int code) implements Fault {
        public String kind() {
            return "status";
        }
    }

    record TooManyRequests(Integer retryAfterSeconds) implements Fault {
        public String kind() {
            return "too_many_requests";
        }
    }

    record SecondaryRateLimit(Integer retryAfterSeconds) implements Fault {
        public String kind() {
            return "secondary_rate_limit";
        }
    }

    record PrimaryRateLimitExhausted(long resetEpochSeconds) implements Fault {
        public String kind() {
            return "primary_exhausted";
        }
    }

    record ConnectionReset() implements Fault {
        public String kind() {
            return "connection_reset";
        }
    }

    record DropAfterAccept() implements Fault {
        public String kind() {
            return "drop_after_accept";
        }
    }

    record Delay(long millis) implements Fault {
        public String kind() {
            return "delay";
        }
    }

    record Undelivered() implements Fault {
        public String kind() {
            return "undelivered";
        }
    }

    record Stall(long millis) implements Fault {
        public String kind() {
            return "stall";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Command line
    // ---------------------------------------------------------------------------------------------

    public static void main(String... args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    @Command(name = "GitHubEmulator", mixinStandardHelpOptions = true, version = "GitHubEmulator 1.0",
            description = "Serves a local emulation of the GitHub REST API on 127.0.0.1 and prints its URL.",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:stopped", "1:could not start", "2:invalid usage"})
    static final class Cli implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "0", description = "Port on 127.0.0.1; 0 picks a free one (default).")
        int port;

        @Option(names = "--events-dir", description = "Where delivered repository_dispatch events are written (default: a temporary directory).")
        Path eventsDir;

        @Option(names = "--workflow", paramLabel = "OWNER/REPO:FILE[:INPUTS]",
                description = "Declare a workflow_dispatch workflow; INPUTS is a comma list, a trailing ? marks an optional input. Repeatable.")
        List<String> workflows = new ArrayList<>();

        @Option(names = "--legacy-workflow-dispatch", description = "Answer like an older GitHub Enterprise Server: 400 to return_run_details.")
        boolean legacyWorkflowDispatch;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            List<WorkflowSpec> declared = workflows.stream().map(this::parseWorkflow).toList();
            GitHubEmulator emulator = GitHubEmulator.start(port);
            Runtime.getRuntime().addShutdownHook(new Thread(emulator::close));
            emulator.logRequests = true;
            if (eventsDir != null) {
                emulator.setEventsDir(eventsDir);
            }
            // Part of the initial state, so that POST /_emulator/reset brings them back.
            emulator.initialSetup.add(e -> {
                e.setLegacyWorkflowDispatch(legacyWorkflowDispatch);
                for (WorkflowSpec w : declared) {
                    if (!e.hasRepository(w.repo())) {
                        e.addRepository(w.repo(), "main");
                    }
                    e.addWorkflow(w.repo(), w.file(), w.inputs());
                }
            });
            emulator.reset();
            spec.commandLine().getOut().println(emulator.url());
            spec.commandLine().getOut().flush();
            System.err.println("GitHub emulator serving " + emulator.url() + ", events in " + emulator.eventsDir());
            new CountDownLatch(1).await();
            return 0;
        }

        private WorkflowSpec parseWorkflow(String value) {
            String[] parts = value.split(":", 3);
            if (parts.length < 2 || !parts[0].matches("[^/\\s]+/[^/\\s]+") || parts[1].isBlank()) {
                throw new ParameterException(spec.commandLine(),
                        "--workflow must look like OWNER/REPO:FILE[:input1,input2?], got '" + value + "'");
            }
            Map<String, Boolean> inputs = new LinkedHashMap<>();
            if (parts.length == 3 && !parts[2].isBlank()) {
                for (String input : parts[2].split(",")) {
                    boolean optional = input.endsWith("?");
                    inputs.put(optional ? input.substring(0, input.length() - 1) : input, !optional);
                }
            }
            return new WorkflowSpec(parts[0], parts[1], inputs);
        }
    }

    record WorkflowSpec(String repo, String file, Map<String, Boolean> inputs) {}

    // ---------------------------------------------------------------------------------------------
    // HTTP: every request passes through here
    // ---------------------------------------------------------------------------------------------

    private final class Responder implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "github-emulator";
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            Call call = Call.from(serveEvent.getRequest());
            Reply reply = call.path().startsWith("/_emulator/") ? admin(call) : serve(call);
            return reply.toDefinition();
        }
    }

    /** WireMock names the matched stub in Matched-Stub-* headers; GitHub would not. */
    private static final class WithoutWireMockHeaders implements ResponseTransformerV2 {
        @Override
        public String getName() {
            return "without-wiremock-headers";
        }

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            List<HttpHeader> kept = response.getHeaders().all().stream()
                    .filter(h -> !h.key().startsWith("Matched-Stub-"))
                    .toList();
            return Response.Builder.like(response).but().headers(new HttpHeaders(kept)).build();
        }
    }

    /** Faults first, then the API; journals the outcome. One lock: GitHub's writes are atomic. */
    private Reply serve(Call call) {
        synchronized (lock) {
            Fault fault = takeFault(call);
            Reply reply;
            if (fault instanceof Undelivered) {
                delivering = false;
                try {
                    reply = api(call);
                } finally {
                    delivering = true;
                }
            } else if (fault == null || fault instanceof Delay || fault instanceof DropAfterAccept) {
                reply = api(call);
            } else {
                reply = faultReply(fault, call);
            }
            if (fault instanceof Delay delay) {
                reply = reply.delayed(delay.millis());
            } else if (fault instanceof DropAfterAccept) {
                // WireMock cannot act after answering, so the request has been fully processed above and
                // the answer is replaced by a closed connection: the client never learns it was accepted.
                reply = reply.dropped();
            }
            journal.add(new JournalEntry(call.method(), call.rawPath(), call.rawQuery(), reply.status(),
                    call.journalHeaders(), call.bodyText(), fault == null ? null : fault.kind()));
            if (logRequests) {
                System.err.printf("%s %s -> %d%s%n", call.method(), call.rawPath(), reply.status(),
                        fault == null ? "" : " [" + fault.kind() + "]");
            }
            return reply;
        }
    }

    private Fault takeFault(Call call) {
        for (FaultRule rule : faults) {
            if (rule.remaining > 0 && (anyMethod(rule.method) || rule.method.equalsIgnoreCase(call.method()))
                    && rule.path.matcher(call.rawPath()).matches()) {
                rule.remaining--;
                return rule.fault;
            }
        }
        return null;
    }

    private Reply faultReply(Fault fault, Call call) {
        if (fault instanceof ConnectionReset) {
            return Reply.empty(0).withWireFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER);
        }
        if (fault instanceof Stall stall) {
            return Reply.empty(0).withWireFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).delayed(stall.millis());
        }
        RateBucket bucket = bucketFor(state.usersByToken.get(call.token()));
        if (fault instanceof StatusFault s) {
            return withCommonHeaders(Reply.json(s.code(),
                    errorBody(reasonPhrase(s.code()), GENERIC_DOCS, s.code(), null)), bucket, call);
        }
        if (fault instanceof TooManyRequests t) {
            return withCommonHeaders(retryAfter(Reply.json(429,
                    errorBody(secondaryRateLimitMessage(), SECONDARY_LIMIT_DOCS, 429, null)), t.retryAfterSeconds()), bucket, call);
        }
        if (fault instanceof SecondaryRateLimit s) {
            return withCommonHeaders(retryAfter(Reply.json(403,
                    errorBody(secondaryRateLimitMessage(), SECONDARY_LIMIT_DOCS, 403, null)), s.retryAfterSeconds()), bucket, call);
        }
        PrimaryRateLimitExhausted p = (PrimaryRateLimitExhausted) fault;
        Reply reply = withCommonHeaders(Reply.json(403,
                errorBody(primaryRateLimitMessage(state.usersByToken.get(call.token())), PRIMARY_LIMIT_DOCS, 403, null)), bucket, call);
        return reply.withHeader("x-ratelimit-remaining", "0")
                .withHeader("x-ratelimit-used", String.valueOf(bucket.limit))
                .withHeader("x-ratelimit-reset", String.valueOf(p.resetEpochSeconds()));
    }

    private static String secondaryRateLimitMessage() {
        return "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                + "If you reach out to GitHub Support for help, please include the request ID " + requestId() + ".";
    }

    private String primaryRateLimitMessage(User user) {
        String who = user == null ? "127.0.0.1" : user.isBot() ? "installation ID " + INSTALLATION_ID : "user ID " + user.id();
        return "API rate limit exceeded for " + who + ". If you reach out to GitHub Support for help, please include the request ID "
                + requestId() + " and timestamp " + now().toString().replace("T", " ").replace("Z", " UTC") + ".";
    }

    private static Reply retryAfter(Reply reply, Integer seconds) {
        return seconds == null ? reply : reply.withHeader("retry-after", String.valueOf(seconds));
    }

    /** Authentication, routing, rate limit, body checks, then the operation; counts the request. */
    private Reply api(Call call) {
        User user = null;
        Reply reply;
        try {
            user = authenticate(call);
            reply = operate(call, user);
        } catch (ApiError e) {
            reply = e.reply;
        }
        RateBucket bucket = bucketFor(user);
        if (reply.counted()) {
            bucket.used++;
        }
        return withCommonHeaders(reply, bucket, call);
    }

    private User authenticate(Call call) {
        String token = call.token();
        if (token == null) {
            return null;
        }
        User user = state.usersByToken.get(token);
        if (user == null) {
            throw new ApiError(Reply.json(401, errorBody("Bad credentials", GENERIC_DOCS, 401, null)));
        }
        return user;
    }

    private Reply operate(Call call, User user) {
        String version = call.header("x-github-api-version");
        if (version != null && !API_VERSIONS.contains(version)) {
            throw error(400, "API version " + version + " is not supported.", GENERIC_DOCS);
        }
        if (call.header("user-agent") == null) {
            throw error(403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header "
                    + "(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).", GENERIC_DOCS);
        }
        // /repositories/{id}/... is the same repository as /repos/{owner}/{repo}/...: GitHub's Link headers and its
        // redirects after a rename name repositories so (recorded in @octokit/fixtures' paginate-issues).
        Matcher byId = REPOSITORY_BY_ID.matcher(call.path());
        if (byId.matches()) {
            long id = Long.parseLong(byId.group(1));
            Repo target = state.repos.values().stream().filter(r -> r.id == id).findFirst()
                    .orElseThrow(() -> error(404, "Not Found", GENERIC_DOCS));
            call = call.withPath("/repos/" + target.fullName() + (byId.group(2) == null ? "" : byId.group(2)));
        }
        Matcher moved = REPOSITORY_PATH.matcher(call.path());
        if (moved.matches() && state.renamedFrom.containsKey(moved.group(1).toLowerCase(Locale.ROOT))) {
            throw new ApiError(movedPermanently(call, state.renamedFrom.get(moved.group(1).toLowerCase(Locale.ROOT)), moved.group(2)));
        }
        Route route = OPENAPI.route(call.method(), call.path());
        if (route == null) {
            throw error(404, "Not Found", GENERIC_DOCS);
        }
        Operation op = route.operation();
        boolean rateLimitEndpoint = op.id().equals("rate-limit/get");
        if (user == null && !rateLimitEndpoint) {
            throw new ApiError(Reply.json(401, errorBody("Requires authentication", op.docs(), 401, null)));
        }
        RateBucket bucket = bucketFor(user);
        if (bucket.remaining() == 0 && !rateLimitEndpoint) {
            throw new ApiError(Reply.json(403, errorBody(primaryRateLimitMessage(user), PRIMARY_LIMIT_DOCS, 403, null)).uncounted());
        }
        if (!call.method().equals("GET") && (call.header("if-match") != null || call.header("if-none-match") != null
                || call.header("if-unmodified-since") != null)) {
            throw error(400, "Conditional request headers are not allowed in unsafe requests unless supported by the endpoint", op.docs());
        }
        Repo repo = null;
        if (route.params().containsKey("owner")) {
            repo = state.repos.get((route.params().get("owner") + "/" + route.params().get("repo")).toLowerCase(Locale.ROOT));
            if (repo == null) {
                throw error(404, "Not Found", op.docs());
            }
        }
        requirePermission(call, op);
        JsonNode body = op.requestBody() == null ? null : checkedBody(call, op);
        Ctx ctx = new Ctx(call, op, route.params(), user, repo, body, call.header("x-github-api-version"));
        Reply reply = handler(op.id()).apply(ctx);
        if (rateLimitEndpoint) {
            reply = reply.uncounted();
        }
        return call.method().equals("GET") && reply.status() == 200 ? conditional(call, reply) : reply;
    }

    /**
     * What each operation accepts from an installation token, as x-accepted-github-permissions says it (sets separated by
     * ';', each set's permissions by ','; write includes read). From "Permissions required for GitHub Apps"
     * (https://docs.github.com/rest/authentication/permissions-required-for-github-apps); an operation not listed needs none.
     */
    static final Map<String, String> PERMISSIONS = Map.ofEntries(
            Map.entry("repos/get", "metadata=read"),
            Map.entry("repos/create-dispatch-event", "contents=write"),
            Map.entry("actions/create-workflow-dispatch", "actions=write"),
            Map.entry("actions/get-workflow", "actions=read"),
            Map.entry("actions/list-workflow-runs-for-repo", "actions=read"),
            Map.entry("actions/list-artifacts-for-repo", "actions=read"),
            Map.entry("actions/download-artifact", "actions=read"),
            Map.entry("issues/create", "issues=write"),
            Map.entry("issues/get", "issues=read; pull_requests=read"),
            Map.entry("issues/update", "issues=write; pull_requests=write"),
            Map.entry("issues/lock", "issues=write; pull_requests=write"),
            Map.entry("issues/list-for-repo", "issues=read"),
            Map.entry("issues/add-labels", "issues=write; pull_requests=write"),
            Map.entry("issues/create-label", "issues=write; pull_requests=write"),
            Map.entry("issues/get-label", "issues=read; pull_requests=read"),
            Map.entry("issues/list-comments", "issues=read; pull_requests=read"),
            Map.entry("issues/get-comment", "issues=read; pull_requests=read"),
            Map.entry("issues/create-comment", "issues=write; pull_requests=write"),
            Map.entry("issues/update-comment", "issues=write; pull_requests=write"),
            Map.entry("issues/delete-comment", "issues=write; pull_requests=write"),
            Map.entry("reactions/create-for-issue-comment", "issues=write; pull_requests=write"),
            Map.entry("git/create-ref", "contents=write"),
            Map.entry("git/update-ref", "contents=write"),
            Map.entry("git/delete-ref", "contents=write"),
            Map.entry("git/create-tree", "contents=write"),
            Map.entry("git/create-commit", "contents=write"),
            Map.entry("git/get-ref", "contents=read"),
            Map.entry("git/list-matching-refs", "contents=read"),
            Map.entry("git/get-tree", "contents=read"),
            Map.entry("repos/create-or-update-file-contents", "contents=write"),
            Map.entry("repos/delete-file", "contents=write"),
            Map.entry("repos/download-zipball-archive", "contents=read"),
            Map.entry("repos/list-branches", "contents=read"),
            Map.entry("repos/create-commit-status", "statuses=write"),
            Map.entry("repos/get-combined-status-for-ref", "statuses=read"),
            Map.entry("repos/list-commit-statuses-for-ref", "statuses=read"),
            Map.entry("checks/create", "checks=write"),
            Map.entry("checks/update", "checks=write"),
            Map.entry("checks/get", "checks=read"),
            Map.entry("checks/list-for-ref", "checks=read"),
            Map.entry("pulls/create", "pull_requests=write"),
            Map.entry("pulls/update", "pull_requests=write"),
            Map.entry("pulls/get", "pull_requests=read"),
            Map.entry("pulls/list", "pull_requests=read"),
            Map.entry("pulls/merge", "contents=write"));

    /** A token with only some permissions (addInstallationToken) may call an operation when one of its accepted sets is all granted. */
    private void requirePermission(Call call, Operation op) {
        Map<String, String> granted = state.tokenPermissions.get(call.token());
        String accepted = PERMISSIONS.get(op.id());
        if (granted == null || accepted == null) {
            return;
        }
        for (String set : accepted.split(";")) {
            boolean all = true;
            for (String permission : set.strip().split(",")) {
                String[] scopeLevel = permission.strip().split("=");
                String level = scopeLevel[0].equals("metadata") ? "read" : granted.getOrDefault(scopeLevel[0], "none");
                all &= level.equals("write") || level.equals(scopeLevel[1]);
            }
            if (all) {
                return;
            }
        }
        throw new ApiError(Reply.json(403, errorBody("Resource not accessible by integration", op.docs(), 403, null))
                .withHeader("x-accepted-github-permissions", accepted));
    }

    /** GitHub answers a matching If-None-Match with 304, no body, and does not count it. */
    private static Reply conditional(Call call, Reply reply) {
        String etag = "W/\"" + HexFormat.of().formatHex(md5(reply.body())) + "\"";
        String ifNoneMatch = call.header("if-none-match");
        if (ifNoneMatch != null) {
            for (String candidate : ifNoneMatch.split(",")) {
                String c = candidate.trim();
                if (c.equals("*") || c.replaceFirst("^W/", "").equals(etag.replaceFirst("^W/", ""))) {
                    return new Reply(304, new LinkedHashMap<>(Map.of("etag", etag)), new byte[0], false, null, null);
                }
            }
        }
        return reply.withHeader("etag", etag).withHeader("cache-control", "private, max-age=60, s-maxage=60");
    }

    private Reply withCommonHeaders(Reply reply, RateBucket bucket, Call call) {
        if (reply.wireFault() != null) {
            return reply;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (reply.body().length > 0 && !reply.headers().containsKey("content-type")) {
            headers.put("content-type", "application/json; charset=utf-8");
        }
        String version = call.header("x-github-api-version");
        headers.put("x-github-api-version-selected", version != null && API_VERSIONS.contains(version) ? version : API_VERSIONS.get(0));
        headers.put("x-github-media-type", "github.v3; format=json");
        headers.put("date", DateTimeFormatter.RFC_1123_DATE_TIME.format(now().atOffset(ZoneOffset.UTC)));
        headers.put("x-ratelimit-limit", String.valueOf(bucket.limit));
        headers.put("x-ratelimit-remaining", String.valueOf(bucket.remaining()));
        headers.put("x-ratelimit-reset", String.valueOf(bucket.resetEpochSeconds));
        headers.put("x-ratelimit-used", String.valueOf(bucket.used));
        headers.put("x-ratelimit-resource", "core");
        headers.put("x-github-request-id", requestId());
        headers.putAll(reply.headers());
        return new Reply(reply.status(), headers, reply.body(), reply.counted(), reply.wireFault(), reply.delayMillis());
    }

    private RateBucket bucketFor(User user) {
        String key = user == null ? "" : user.login();
        RateBucket bucket = state.buckets.computeIfAbsent(key,
                k -> new RateBucket(user == null ? ANONYMOUS_RATE_LIMIT : state.rateLimit));
        if (Instant.now().getEpochSecond() >= bucket.resetEpochSeconds) {
            bucket.used = 0;
            bucket.resetEpochSeconds = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        }
        return bucket;
    }

    /** The request body parsed and checked against the operation's requestBody schema. */
    private static JsonNode checkedBody(Call call, Operation op) {
        JsonNode body;
        if (call.body().length == 0) {
            body = JsonNodeFactory.instance.objectNode();
        } else {
            try {
                body = JSON.readTree(call.body());
            } catch (IOException e) {
                throw error(400, "Problems parsing JSON", op.docs());
            }
        }
        List<com.networknt.schema.Error> errors = op.requestBody().validate(body);
        if (!errors.isEmpty()) {
            throw error(422, "Invalid request.\n\n" + SchemaMessages.describe(errors), op.docs());
        }
        return body;
    }

    private interface Handler {
        Reply apply(Ctx ctx);
    }

    private Handler handler(String operationId) {
        return switch (operationId) {
            case "repos/create-dispatch-event" -> this::createDispatchEvent;
            case "actions/create-workflow-dispatch" -> this::createWorkflowDispatch;
            case "actions/get-workflow" -> this::getWorkflow;
            case "actions/list-workflow-runs-for-repo" -> this::listWorkflowRuns;
            case "actions/list-artifacts-for-repo" -> this::listArtifacts;
            case "actions/download-artifact" -> this::downloadArtifact;
            case "issues/create" -> this::createIssue;
            case "issues/get" -> this::getIssue;
            case "issues/update" -> this::updateIssue;
            case "issues/add-labels" -> this::addLabels;
            case "issues/list-for-repo" -> this::listIssues;
            case "issues/lock" -> this::lockIssue;
            case "issues/list-comments" -> this::listComments;
            case "issues/create-comment" -> this::createComment;
            case "issues/get-comment" -> this::getComment;
            case "issues/update-comment" -> this::updateComment;
            case "issues/delete-comment" -> this::deleteComment;
            case "reactions/create-for-issue-comment" -> this::createReaction;
            case "git/create-ref" -> this::createRef;
            case "git/get-ref" -> this::getRef;
            case "git/list-matching-refs" -> this::listMatchingRefs;
            case "git/update-ref" -> this::updateRef;
            case "git/create-tree" -> this::createTree;
            case "git/get-tree" -> this::getTree;
            case "git/create-commit" -> this::createCommit;
            case "git/get-commit" -> this::getCommit;
            case "repos/create-or-update-file-contents" -> this::putContents;
            case "repos/delete-file" -> this::deleteFile;
            case "repos/download-zipball-archive" -> this::zipball;
            case "git/delete-ref" -> this::deleteRef;
            case "repos/get" -> this::getRepository;
            case "repos/list-branches" -> this::listBranches;
            case "repos/create-commit-status" -> this::createCommitStatus;
            case "repos/get-combined-status-for-ref" -> this::getCombinedStatus;
            case "repos/list-commit-statuses-for-ref" -> this::listCommitStatuses;
            case "checks/create" -> this::createCheckRun;
            case "checks/get" -> this::getCheckRun;
            case "checks/update" -> this::updateCheckRun;
            case "checks/list-for-ref" -> this::listCheckRunsForRef;
            case "issues/create-label" -> this::createLabel;
            case "issues/get-label" -> this::getLabel;
            case "pulls/create" -> this::createPull;
            case "pulls/get" -> this::getPull;
            case "pulls/list" -> this::listPulls;
            case "pulls/update" -> this::updatePull;
            case "pulls/merge" -> this::mergePull;
            case "rate-limit/get" -> this::getRateLimit;
            case "users/get-authenticated" -> this::getAuthenticatedUser;
            case "apps/get-authenticated" -> this::getAuthenticatedApp;
            default -> throw new IllegalStateException("index.json lists an operation without a handler: " + operationId);
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Repository dispatch
    // ---------------------------------------------------------------------------------------------

    private Reply createDispatchEvent(Ctx ctx) {
        requireWrite(ctx);
        if (ctx.call().body().length >= MAX_DISPATCH_BYTES) {
            throw ctx.error(422, "client_payload is too large.");
        }
        JsonNode payload = ctx.body().get("client_payload");
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("action", ctx.body().get("event_type").asText());
        event.put("branch", ctx.repo().defaultBranch);
        event.put("client_payload", payload == null ? JsonNodeFactory.instance.objectNode() : payload);
        event.put("repository", repositoryJson(ctx.repo()));
        withOrganization(event, ctx.repo());
        event.put("sender", userJson(ctx.user()));
        event.put("installation", obj("id", INSTALLATION_ID, "node_id", nodeId("IntegrationInstallation", INSTALLATION_ID)));
        if (delivering) {
            deliver(ctx.repo(), "repository_dispatch", event);
        }
        return Reply.empty(204);
    }

    /** Indented with two spaces and "key": value, as the runner writes $GITHUB_EVENT_PATH. */
    private static final DefaultPrettyPrinter EVENT_FILE_FORMAT = new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    /** Writes the event file the way the runner finds it at $GITHUB_EVENT_PATH; atomically, for readers that poll. */
    private Path deliver(Repo repo, String eventName, Map<String, Object> event) {
        Path file = eventsDir.resolve(String.format("%04d-%s.json", ++state.eventSequence, eventName));
        try {
            Files.createDirectories(eventsDir);
            Path partial = Files.createTempFile(eventsDir, ".delivering-", ".json");
            Files.write(partial, JSON.writer(EVENT_FILE_FORMAT).writeValueAsBytes(event));
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        state.delivered.add(new Delivered(repo.fullName(), file));
        return file;
    }

    // ---------------------------------------------------------------------------------------------
    // Actions: workflows, runs, artifacts
    // ---------------------------------------------------------------------------------------------

    private Reply createWorkflowDispatch(Ctx ctx) {
        requireWrite(ctx);
        Workflow workflow = workflow(ctx);
        JsonNode body = ctx.body();
        if (legacyWorkflowDispatch && body.has("return_run_details")) {
            throw ctx.error(400, "Invalid request.\n\n\"return_run_details\" is not a permitted key.");
        }
        String ref = body.get("ref").asText();
        String sha = resolveRef(ctx.repo(), ref);
        if (sha == null) {
            throw ctx.error(422, "No ref found for: " + ref);
        }
        Map<String, Object> inputs = new LinkedHashMap<>();
        JsonNode given = body.path("inputs");
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, JsonNode> input : given.properties()) {
            if (!workflow.inputs().containsKey(input.getKey())) {
                unexpected.add(input.getKey());
            } else if (!input.getValue().isValueNode() || input.getValue().isNull()) {
                throw ctx.error(422, "Invalid request.\n\nFor 'properties/" + input.getKey() + "', "
                        + SchemaMessages.show(input.getValue()) + " is not a string, a number or a boolean.");
            } else {
                inputs.put(input.getKey(), JSON.convertValue(input.getValue(), Object.class));
            }
        }
        if (!unexpected.isEmpty()) {
            throw ctx.error(422, "Unexpected inputs provided: " + toJson(unexpected));
        }
        for (Map.Entry<String, Boolean> declared : workflow.inputs().entrySet()) {
            if (declared.getValue() && !inputs.containsKey(declared.getKey())) {
                throw ctx.error(422, "Required input '" + declared.getKey() + "' not provided");
            }
        }
        String branch = ref.replaceFirst("^refs/(heads|tags)/", "");
        int runNumber = (int) ctx.repo().runs.stream().filter(r -> r.workflow() == workflow).count() + 1;
        WorkflowRun run = new WorkflowRun(state.nextRunId++, workflow, runNumber, ref, branch, sha, inputs, ctx.user(), now());
        ctx.repo().runs.add(run);
        // The 2026-03-10 API version always answers with the run details (its x-github-breaking-changes).
        boolean details = !legacyWorkflowDispatch
                && (body.path("return_run_details").asBoolean(false) || "2026-03-10".equals(ctx.apiVersion()));
        if (!details) {
            return Reply.empty(204);
        }
        String api = apiBase(ctx.repo());
        return Reply.json(200, obj(
                "workflow_run_id", run.id(),
                "run_url", api + "/actions/runs/" + run.id(),
                "html_url", htmlBase(ctx.repo()) + "/actions/runs/" + run.id()));
    }

    /** A branch name, a tag name, or a full refs/... name, to the commit it points at. */
    private static String resolveRef(Repo repo, String ref) {
        if (ref.startsWith("refs/")) {
            return repo.refs.get(ref);
        }
        String branch = repo.refs.get("refs/heads/" + ref);
        return branch != null ? branch : repo.refs.get("refs/tags/" + ref);
    }

    private Workflow workflow(Ctx ctx) {
        String id = ctx.params().get("workflow_id");
        return ctx.repo().workflows.stream()
                .filter(w -> w.file().equals(id) || String.valueOf(w.id()).equals(id))
                .findFirst()
                .orElseThrow(() -> ctx.error(404, "Not Found"));
    }

    private Reply getWorkflow(Ctx ctx) {
        return Reply.json(200, workflowJson(ctx.repo(), workflow(ctx)));
    }

    private Reply listWorkflowRuns(Ctx ctx) {
        Map<String, String> q = ctx.call().query();
        List<WorkflowRun> runs = ctx.repo().runs.stream()
                .filter(r -> !q.containsKey("actor") || r.actor().login().equals(q.get("actor")))
                .filter(r -> !q.containsKey("branch") || r.headBranch().equals(q.get("branch")))
                .filter(r -> !q.containsKey("event") || q.get("event").equals(r.event()))
                .filter(r -> !q.containsKey("status") || q.get("status").equals(r.status()) || q.get("status").equals(r.conclusion()))
                .filter(r -> !q.containsKey("head_sha") || r.headSha().equals(q.get("head_sha")))
                .filter(r -> !q.containsKey("created") || createdMatches(q.get("created"), r.createdAt()))
                .sorted(Comparator.comparingLong(WorkflowRun::id).reversed())
                .toList();
        Page<WorkflowRun> page = page(ctx, runs);
        return page.link(Reply.json(200, obj(
                "total_count", runs.size(),
                "workflow_runs", page.items().stream().map(r -> runJson(ctx.repo(), r)).toList())));
    }

    /** GitHub's date search qualifier: >=T, >T, <=T, <T, A..B, or one day. */
    private static boolean createdMatches(String qualifier, Instant created) {
        Matcher m = Pattern.compile("^(>=|<=|>|<)?(.+?)(?:\\.\\.(.+))?$").matcher(qualifier);
        if (!m.matches()) {
            throw error(422, "Invalid created qualifier: " + qualifier, GENERIC_DOCS);
        }
        Instant from = searchInstant(m.group(2), false);
        if (m.group(3) != null) {
            return !created.isBefore(from) && !created.isAfter(searchInstant(m.group(3), true));
        }
        String op = m.group(1) == null ? "" : m.group(1);
        return switch (op) {
            case ">=" -> !created.isBefore(from);
            case ">" -> created.isAfter(searchInstant(m.group(2), true));
            case "<=" -> !created.isAfter(searchInstant(m.group(2), true));
            case "<" -> created.isBefore(from);
            default -> !created.isBefore(from) && !created.isAfter(searchInstant(m.group(2), true));
        };
    }

    /** A date (2026-11-27: its first or last second) or a UTC date-time. */
    private static Instant searchInstant(String text, boolean endOfDay) {
        if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
            Instant day = Instant.parse(text + "T00:00:00Z");
            return endOfDay ? day.plus(Duration.ofDays(1)).minusSeconds(1) : day;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw error(422, "Invalid date in created qualifier: " + text, GENERIC_DOCS);
        }
    }

    private Reply listArtifacts(Ctx ctx) {
        String name = ctx.call().query().get("name");
        List<Artifact> artifacts = ctx.repo().artifacts.stream()
                .filter(a -> name == null || a.name().equals(name))
                .sorted(Comparator.comparingLong(Artifact::id).reversed())
                .toList();
        Page<Artifact> page = page(ctx, artifacts);
        return page.link(Reply.json(200, obj(
                "total_count", artifacts.size(),
                "artifacts", page.items().stream().map(a -> artifactJson(ctx.repo(), a)).toList())));
    }

    /** GitHub redirects to short-lived storage on another host; here the emulator serves the bytes itself. */
    private Reply downloadArtifact(Ctx ctx) {
        Artifact artifact = artifact(ctx.repo(), Long.parseLong(ctx.params().get("artifact_id")));
        if (artifact == null || !ctx.params().get("archive_format").equals("zip")) {
            throw ctx.error(404, "Not Found");
        }
        return Reply.empty(302).withHeader("location", url() + "/_emulator/artifact-blobs/" + artifact.id());
    }

    private static Artifact artifact(Repo repo, long id) {
        return repo.artifacts.stream().filter(a -> a.id() == id).findFirst().orElse(null);
    }

    // ---------------------------------------------------------------------------------------------
    // Issues
    // ---------------------------------------------------------------------------------------------

    private Reply createIssue(Ctx ctx) {
        JsonNode body = ctx.body();
        String title = body.get("title").asText();
        if (title.isBlank()) {
            throw ctx.validationFailed(obj("resource", "Issue", "code", "missing_field", "field", "title"));
        }
        String text = body.hasNonNull("body") ? body.get("body").asText() : null;
        if (text != null && characters(text) > MAX_BODY_CHARACTERS) {
            throw ctx.validationFailed(obj("resource", "Issue", "code", "custom", "field", "body",
                    "message", "body is too long (maximum is " + MAX_BODY_CHARACTERS + " characters)"));
        }
        List<Label> labels = new ArrayList<>();
        // Labels from users without push access are silently dropped, as the API description says.
        if (ctx.user().canWrite()) {
            for (JsonNode label : body.path("labels")) {
                String name = label.isObject() ? label.path("name").asText() : label.asText();
                if (!name.isBlank() && labels.stream().noneMatch(l -> l.name().equalsIgnoreCase(name))) {
                    labels.add(ctx.repo().labels.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                            k -> new Label(state.nextLabelId++, name, "ededed", null)));
                }
            }
        }
        Repo repo = ctx.repo();
        Issue issue = new Issue(state.nextIssueId++, ++repo.issueSequence, title, text, ctx.user(), labels, now());
        repo.issues.add(issue);
        Map<String, Object> json = issueJson(repo, issue);
        return Reply.json(201, json).withHeader("location", (String) json.get("url"));
    }

    /** Title, body, state and labels; the author or anyone with write access may edit an issue. */
    private Reply updateIssue(Ctx ctx) {
        Issue issue = issue(ctx);
        if (!ctx.user().canWrite() && !ctx.user().equals(issue.user)) {
            throw ctx.error(403, "Resource not accessible by integration");
        }
        JsonNode body = ctx.body();
        if (body.hasNonNull("title")) {
            issue.title = body.get("title").asText();
        }
        if (body.has("body")) {
            issue.body = body.hasNonNull("body") ? body.get("body").asText() : null;
        }
        if (body.hasNonNull("state") && !body.get("state").asText().equals(issue.state)) {
            issue.state = body.get("state").asText();
            issue.closedAt = issue.state.equals("closed") ? now() : null;
            issue.closedBy = issue.state.equals("closed") ? ctx.user() : null;
            issue.stateReason = issue.state.equals("closed") ? body.path("state_reason").asText("completed") : "reopened";
        }
        if (body.has("labels")) {
            issue.labels = List.copyOf(labelsOf(ctx, body.path("labels")));
        }
        issue.updatedAt = now();
        return Reply.json(200, issueJson(ctx.repo(), issue));
    }

    private Reply addLabels(Ctx ctx) {
        requireWrite(ctx);
        Issue issue = issue(ctx);
        JsonNode body = ctx.body();
        List<Label> labels = new ArrayList<>(issue.labels);
        for (Label label : labelsOf(ctx, body.isArray() ? body : body.path("labels"))) {
            if (labels.stream().noneMatch(l -> l.name().equalsIgnoreCase(label.name()))) {
                labels.add(label);
            }
        }
        issue.labels = List.copyOf(labels);
        issue.updatedAt = now();
        return Reply.json(200, labels.stream().map(l -> labelJson(ctx.repo(), l)).toList());
    }

    /** Label names (or {name} objects) to the repository's labels, created when new. */
    private List<Label> labelsOf(Ctx ctx, JsonNode names) {
        List<Label> labels = new ArrayList<>();
        for (JsonNode label : names) {
            String name = label.isObject() ? label.path("name").asText() : label.asText();
            if (!name.isBlank() && labels.stream().noneMatch(l -> l.name().equalsIgnoreCase(name))) {
                labels.add(ctx.repo().labels.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                        k -> new Label(state.nextLabelId++, name, "ededed", null)));
            }
        }
        return labels;
    }

    private Reply getIssue(Ctx ctx) {
        return Reply.json(200, issueJson(ctx.repo(), issue(ctx)));
    }

    private Reply listIssues(Ctx ctx) {
        Map<String, String> q = ctx.call().query();
        String stateFilter = q.getOrDefault("state", "open");
        Set<String> labels = q.containsKey("labels")
                ? java.util.Arrays.stream(q.get("labels").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet())
                : Set.of();
        Instant since = q.containsKey("since") ? parseInstant(q.get("since")) : null;
        Comparator<Issue> order = switch (q.getOrDefault("sort", "created")) {
            case "updated" -> Comparator.comparing((Issue i) -> i.updatedAt);
            case "comments" -> Comparator.comparingInt((Issue i) -> i.comments);
            default -> Comparator.comparing((Issue i) -> i.createdAt);
        };
        order = order.thenComparingInt(i -> i.number);
        if (!"asc".equals(q.get("direction"))) {
            order = order.reversed();
        }
        List<Issue> issues = ctx.repo().issues.stream()
                .filter(i -> stateFilter.equals("all") || i.state.equals(stateFilter))
                .filter(i -> i.labels.stream().map(l -> l.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet()).containsAll(labels))
                .filter(i -> !q.containsKey("creator") || i.user.login().equalsIgnoreCase(q.get("creator")))
                .filter(i -> since == null || !i.updatedAt.isBefore(since))
                .sorted(order)
                .toList();
        Page<Issue> page = page(ctx, issues);
        // Listed issues carry no closed_by (api.github.com's answer recorded in @octokit/fixtures' paginate-issues;
        // GET and POST of one issue have it).
        return page.link(Reply.json(200, page.items().stream().map(i -> {
            Map<String, Object> json = issueJson(ctx.repo(), i);
            json.remove("closed_by");
            return json;
        }).toList()));
    }

    private Reply lockIssue(Ctx ctx) {
        requireWrite(ctx);
        Issue issue = issue(ctx);
        issue.locked = true;
        issue.lockReason = ctx.body().hasNonNull("lock_reason") ? ctx.body().get("lock_reason").asText() : null;
        issue.updatedAt = now();
        return Reply.empty(204);
    }

    private Issue issue(Ctx ctx) {
        long number = Long.parseLong(ctx.params().get("issue_number"));
        if (number <= Integer.MAX_VALUE && ctx.repo().deletedIssues.contains((int) number)) {
            // The message text is not in GitHub's API description, only the status.
            throw ctx.error(410, "This issue was deleted");
        }
        return ctx.repo().issues.stream().filter(i -> i.number == number).findFirst()
                .orElseThrow(() -> ctx.error(404, "Not Found"));
    }

    // ---------------------------------------------------------------------------------------------
    // Issue comments and their reactions
    // ---------------------------------------------------------------------------------------------

    private Reply listComments(Ctx ctx) {
        Issue issue = issue(ctx);
        String sinceParam = ctx.call().query().get("since");
        Instant since = sinceParam == null ? null : parseInstant(sinceParam);
        List<Comment> comments = state.comments.values().stream()
                .filter(c -> c.issue == issue)
                .filter(c -> since == null || !c.updatedAt.isBefore(since))
                .toList();
        Page<Comment> page = page(ctx, comments);
        return page.link(Reply.json(200, page.items().stream().map(c -> commentJson(ctx.repo(), c)).toList()));
    }

    private Reply createComment(Ctx ctx) {
        Issue issue = issue(ctx);
        if (issue.locked && !ctx.user().canWrite()) {
            throw ctx.error(403, "Unable to create comment because issue is locked.");
        }
        String body = checkedCommentBody(ctx);
        Comment comment = new Comment(state.nextCommentId++, ctx.repo(), issue, ctx.user(), body, now());
        state.comments.put(comment.id, comment);
        issue.comments++;
        issue.updatedAt = comment.createdAt;
        Map<String, Object> json = commentJson(ctx.repo(), comment);
        return Reply.json(201, json).withHeader("location", (String) json.get("url"));
    }

    private Reply getComment(Ctx ctx) {
        return Reply.json(200, commentJson(ctx.repo(), comment(ctx)));
    }

    private Reply updateComment(Ctx ctx) {
        Comment comment = comment(ctx);
        requireAuthorOrWriter(ctx, comment);
        if (comment.issue.locked && !ctx.user().canWrite()) {
            throw ctx.error(403, "Unable to update comment because issue is locked.");
        }
        comment.body = checkedCommentBody(ctx);
        comment.updatedAt = now();
        return Reply.json(200, commentJson(ctx.repo(), comment));
    }

    private Reply deleteComment(Ctx ctx) {
        Comment comment = comment(ctx);
        requireAuthorOrWriter(ctx, comment);
        state.comments.remove(comment.id);
        comment.issue.comments--;
        return Reply.empty(204);
    }

    private Reply createReaction(Ctx ctx) {
        Comment comment = comment(ctx);
        String content = ctx.body().get("content").asText();
        for (Reaction existing : comment.reactions) {
            if (existing.user().equals(ctx.user()) && existing.content().equals(content)) {
                return Reply.json(200, reactionJson(existing));
            }
        }
        Reaction reaction = new Reaction(state.nextReactionId++, ctx.user(), content, now());
        comment.reactions.add(reaction);
        return Reply.json(201, reactionJson(reaction));
    }

    private String checkedCommentBody(Ctx ctx) {
        String body = ctx.body().get("body").asText();
        if (body.isBlank()) {
            throw ctx.validationFailed(obj("resource", "IssueComment", "code", "unprocessable", "field", "data",
                    "message", "Body cannot be blank"));
        }
        if (characters(body) > MAX_BODY_CHARACTERS) {
            throw ctx.validationFailed(obj("resource", "IssueComment", "code", "unprocessable", "field", "data",
                    "message", "Body is too long (maximum is " + MAX_BODY_CHARACTERS + " characters)"));
        }
        return body;
    }

    private Comment comment(Ctx ctx) {
        Comment comment = state.comments.get(Long.parseLong(ctx.params().get("comment_id")));
        if (comment == null || comment.repo != ctx.repo()) {
            throw ctx.error(404, "Not Found");
        }
        return comment;
    }

    private static void requireAuthorOrWriter(Ctx ctx, Comment comment) {
        if (!comment.user.equals(ctx.user())) {
            requireWrite(ctx);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Git references
    // ---------------------------------------------------------------------------------------------

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern BAD_REF_CHARACTERS = Pattern.compile("[\\x00-\\x20~^:?*\\[\\\\\\x7f]|\\.\\.|@\\{|//|/\\.|\\.lock(/|$)|[./]$");

    private Reply createRef(Ctx ctx) {
        requireWrite(ctx);
        String ref = ctx.body().get("ref").asText();
        String sha = ctx.body().get("sha").asText();
        if (!ref.startsWith("refs/") || ref.chars().filter(c -> c == '/').count() < 2 || BAD_REF_CHARACTERS.matcher(ref).find()) {
            throw ctx.error(422, "ref name is not valid");
        }
        // Like GitHub, a ref must point at a commit the repository has.
        if (!SHA.matcher(sha).matches() || !ctx.repo().commits.contains(sha)) {
            throw ctx.error(422, "Object does not exist");
        }
        if (ctx.repo().refusedRefPrefixes.stream().anyMatch(ref::startsWith)) {
            throw ctx.error(422, "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n");
        }
        if (ctx.repo().refs.containsKey(ref)) {
            throw ctx.error(422, "Reference already exists");
        }
        ctx.repo().refs.put(ref, sha);
        Map<String, Object> json = refJson(ctx.repo(), ref, sha);
        return Reply.json(201, json).withHeader("location", (String) json.get("url"));
    }

    private Reply getRef(Ctx ctx) {
        String ref = "refs/" + ctx.params().get("ref");
        String sha = ctx.repo().refs.get(ref);
        if (sha == null) {
            throw ctx.error(404, "Not Found");
        }
        return Reply.json(200, refJson(ctx.repo(), ref, sha));
    }

    /** Every ref whose name starts with refs/{ref}, as a plain array (no pagination on GitHub either). */
    private Reply listMatchingRefs(Ctx ctx) {
        String prefix = "refs/" + ctx.params().get("ref");
        return Reply.json(200, ctx.repo().refs.entrySet().stream().filter(r -> r.getKey().startsWith(prefix))
                .map(r -> refJson(ctx.repo(), r.getKey(), r.getValue())).toList());
    }

    /** Moves a ref; without force only forward (the new commit must descend from the old). */
    private Reply updateRef(Ctx ctx) {
        requireWrite(ctx);
        String ref = "refs/" + ctx.params().get("ref");
        String sha = ctx.body().get("sha").asText();
        String current = ctx.repo().refs.get(ref);
        if (current == null) {
            throw ctx.error(422, "Reference does not exist");
        }
        if (!ctx.repo().gitCommits.containsKey(sha)) {
            throw ctx.error(422, "Object does not exist");
        }
        if (!ctx.body().path("force").asBoolean(false) && !ctx.repo().descends(sha, current)) {
            throw ctx.error(422, "Update is not a fast forward");
        }
        ctx.repo().refs.put(ref, sha);
        return Reply.json(200, refJson(ctx.repo(), ref, sha));
    }

    /** A tree from entries (content, a blob sha, or sha null to delete) over base_tree's files. */
    private Reply createTree(Ctx ctx) {
        requireWrite(ctx);
        Repo repo = ctx.repo();
        JsonNode body = ctx.body();
        Map<String, String> files = new TreeMap<>();
        if (body.hasNonNull("base_tree")) {
            Map<String, String> base = repo.trees.get(body.get("base_tree").asText());
            if (base == null) {
                throw ctx.error(422, "Invalid tree info");
            }
            files.putAll(base);
        }
        for (JsonNode entry : body.get("tree")) {
            String path = entry.path("path").asText();
            if (entry.has("content")) {
                files.put(path, repo.blob(entry.get("content").asText().getBytes(StandardCharsets.UTF_8)));
            } else if (entry.has("sha") && entry.get("sha").isNull()) {
                files.remove(path);
                files.keySet().removeIf(p -> p.startsWith(path + "/"));
            } else if (repo.blobs.containsKey(entry.path("sha").asText())) {
                files.put(path, entry.get("sha").asText());
            } else {
                throw ctx.error(422, "Invalid tree info");
            }
        }
        String sha = repo.tree(files);
        return Reply.json(201, treeJson(repo, sha, files, false));
    }

    /** A tree by sha or by branch name; recursive lists every file and directory. */
    private Reply getTree(Ctx ctx) {
        Repo repo = ctx.repo();
        String name = ctx.params().get("tree_sha");
        String head = repo.refs.get("refs/heads/" + name);
        String sha = head != null ? repo.gitCommits.get(head).tree() : repo.gitCommits.containsKey(name) ? repo.gitCommits.get(name).tree() : name;
        Map<String, String> files = repo.trees.get(sha);
        if (files == null) {
            throw ctx.error(404, "Not Found");
        }
        boolean recursive = ctx.call().query().containsKey("recursive");
        return Reply.json(200, treeJson(repo, sha, files, recursive));
    }

    private Map<String, Object> treeJson(Repo repo, String sha, Map<String, String> files, boolean recursive) {
        List<Map<String, Object>> entries = new ArrayList<>();
        Set<String> directories = new java.util.TreeSet<>();
        for (var file : new TreeMap<>(files).entrySet()) {
            String path = file.getKey();
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                directories.add(path.substring(0, slash));
            }
            if (recursive || !path.contains("/")) {
                entries.add(obj("path", path, "mode", "100644", "type", "blob", "sha", file.getValue(),
                        "size", repo.blobs.get(file.getValue()).length, "url", apiBase(repo) + "/git/blobs/" + file.getValue()));
            }
        }
        for (String directory : directories) {
            if (recursive || !directory.contains("/")) {
                entries.add(obj("path", directory, "mode", "040000", "type", "tree", "sha", sha("dir:" + sha + directory),
                        "url", apiBase(repo) + "/git/trees/" + sha("dir:" + sha + directory)));
            }
        }
        return obj("sha", sha, "url", apiBase(repo) + "/git/trees/" + sha, "tree", entries, "truncated", false);
    }

    private Reply createCommit(Ctx ctx) {
        requireWrite(ctx);
        Repo repo = ctx.repo();
        JsonNode body = ctx.body();
        String tree = body.get("tree").asText();
        if (!repo.trees.containsKey(tree)) {
            throw ctx.error(422, "Tree SHA does not exist");
        }
        List<String> parents = new ArrayList<>();
        for (JsonNode parent : body.path("parents")) {
            if (!repo.gitCommits.containsKey(parent.asText())) {
                throw ctx.error(422, "Parent SHA does not exist or is not a commit object");
            }
            parents.add(parent.asText());
        }
        GitCommit commit = repo.commit(tree, parents, body.get("message").asText(), now());
        return Reply.json(201, commitJson(repo, commit, ctx.user()));
    }

    /**
     * git/get-commit (https://docs.github.com/rest/git/commits#get-a-commit-object): a commit object of the repository, its
     * author and committer dated when it was made (404 for a sha it does not have). The emulator records no author, so
     * GitHub's own identity (its web-flow committer) stands for both.
     */
    private Reply getCommit(Ctx ctx) {
        Repo repo = ctx.repo();
        GitCommit commit = repo.gitCommits.get(ctx.params().get("commit_sha"));
        if (commit == null) {
            throw ctx.error(404, "Not Found");
        }
        Map<String, Object> json = commitJson(repo, commit, null);
        return Reply.json(200, json);
    }

    private Map<String, Object> commitJson(Repo repo, GitCommit commit, User user) {
        Map<String, Object> person = user == null ? obj("name", "GitHub", "email", "noreply@github.com", "date", format(commit.date()))
                : obj("name", user.login(), "email", user.id() + "+" + user.login() + "@users.noreply.github.com", "date", format(commit.date()));
        return obj("sha", commit.sha(), "node_id", nodeId("Commit", commit.sha()), "url", apiBase(repo) + "/git/commits/" + commit.sha(),
                "html_url", htmlBase(repo) + "/commit/" + commit.sha(), "author", person, "committer", person, "message", commit.message(),
                "tree", obj("sha", commit.tree(), "url", apiBase(repo) + "/git/trees/" + commit.tree()),
                "parents", commit.parents().stream().map(p -> obj("sha", p, "url", apiBase(repo) + "/git/commits/" + p,
                        "html_url", htmlBase(repo) + "/commit/" + p)).toList(),
                "verification", obj("verified", false, "reason", "unsigned", "signature", null, "payload", null, "verified_at", null));
    }

    /**
     * Creates or replaces one file with a commit on a branch, as GitHub's contents API does: a new path
     * needs no sha (and an existing one without sha is 422, which makes creating a file atomic); a
     * replacement needs the file's current blob sha (409 when it has changed).
     */
    private Reply putContents(Ctx ctx) {
        requireWrite(ctx);
        Repo repo = ctx.repo();
        JsonNode body = ctx.body();
        String path = ctx.params().get("path");
        String branch = body.path("branch").asText(repo.defaultBranch);
        String head = repo.refs.get("refs/heads/" + branch);
        // An empty repository's first file makes its default branch, with a root commit.
        boolean first = head == null && branch.equals(repo.defaultBranch) && repo.refs.keySet().stream().noneMatch(r -> r.startsWith("refs/heads/"));
        if (head == null && !first) {
            throw ctx.error(404, "Branch " + branch + " not found");
        }
        byte[] content;
        try {
            content = Base64.getMimeDecoder().decode(body.get("content").asText());
        } catch (IllegalArgumentException e) {
            throw ctx.error(422, "content is not valid Base64");
        }
        Map<String, String> files = first ? new TreeMap<>() : new TreeMap<>(repo.files(head));
        String existing = files.get(path);
        if (existing != null && !body.hasNonNull("sha")) {
            throw ctx.error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
        }
        if (body.hasNonNull("sha") && !body.get("sha").asText().equals(existing)) {
            throw ctx.error(409, path + " does not match " + body.get("sha").asText());
        }
        String blob = repo.blob(content);
        files.put(path, blob);
        GitCommit commit = repo.commit(repo.tree(files), first ? List.of() : List.of(head), body.get("message").asText(), now());
        repo.refs.put("refs/heads/" + branch, commit.sha());
        String name = path.substring(path.lastIndexOf('/') + 1);
        Map<String, Object> file = obj("name", name, "path", path, "sha", blob, "size", content.length,
                "url", apiBase(repo) + "/contents/" + path + "?ref=" + branch,
                "html_url", htmlBase(repo) + "/blob/" + branch + "/" + path,
                "git_url", apiBase(repo) + "/git/blobs/" + blob,
                "download_url", "https://raw.githubusercontent.com/" + repo.fullName() + "/" + branch + "/" + path, "type", "file",
                "_links", obj("self", apiBase(repo) + "/contents/" + path + "?ref=" + branch, "git", apiBase(repo) + "/git/blobs/" + blob,
                        "html", htmlBase(repo) + "/blob/" + branch + "/" + path));
        return Reply.json(existing == null ? 201 : 200, obj("content", file, "commit", commitJson(repo, commit, ctx.user())));
    }

    /**
     * repos/delete-file (https://docs.github.com/rest/repos/contents#delete-a-file): a commit on the branch without the file,
     * whose blob sha the request names (409 when it names another, as an update does; 404 when the branch or the file is
     * not there). Answers 200 with content null and the commit, as the operation's example does.
     */
    private Reply deleteFile(Ctx ctx) {
        requireWrite(ctx);
        Repo repo = ctx.repo();
        JsonNode body = ctx.body();
        String path = ctx.params().get("path");
        String branch = body.path("branch").asText(repo.defaultBranch);
        String head = repo.refs.get("refs/heads/" + branch);
        if (head == null) {
            throw ctx.error(404, "Branch " + branch + " not found");
        }
        Map<String, String> files = new TreeMap<>(repo.files(head));
        String existing = files.remove(path);
        if (existing == null) {
            throw ctx.error(404, "Not Found");
        }
        if (!body.get("sha").asText().equals(existing)) {
            throw ctx.error(409, path + " does not match " + body.get("sha").asText());
        }
        GitCommit commit = repo.commit(repo.tree(files), List.of(head), body.get("message").asText(), now());
        repo.refs.put("refs/heads/" + branch, commit.sha());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("content", null);
        answer.put("commit", commitJson(repo, commit, ctx.user()));
        return Reply.json(200, answer);
    }

    /**
     * repos/download-zipball-archive: GitHub answers 302 to codeload, whose URL names the ref in full
     * ({@code https://codeload.github.com/OWNER/REPO/legacy.zip/refs/heads/main}; recorded for the tarball in
     * @octokit/fixtures' get-archive, with content-type text/html and no body) and is resolved when downloaded. Here
     * codeload is the emulator's {@code /_emulator/codeload/...}, which serves the zip (a top folder named owner-repo-sha).
     */
    private Reply zipball(Ctx ctx) {
        Repo repo = ctx.repo();
        String ref = ctx.params().get("ref");
        String named = repo.refs.containsKey("refs/heads/" + ref) ? "refs/heads/" + ref
                : repo.refs.containsKey("refs/" + ref) ? "refs/" + ref
                : repo.refs.containsKey("refs/tags/" + ref) ? "refs/tags/" + ref
                : repo.gitCommits.containsKey(ref) ? ref : null;
        if (named == null) {
            throw ctx.error(404, "Not Found");
        }
        return Reply.empty(302).withHeader("location", url() + "/_emulator/codeload/" + repo.fullName() + "/legacy.zip/" + named)
                .withHeader("content-type", "text/html;charset=utf-8");
    }

    /** codeload.github.com/OWNER/REPO/legacy.zip/REF, resolved now: needs no token, as the signed download needs none. */
    private Reply codeload(String fullName, String ref) {
        synchronized (lock) {
            Repo repo = state.repos.get(fullName.toLowerCase(Locale.ROOT));
            String commit = repo == null ? null : ref.startsWith("refs/") ? repo.refs.get(ref) : repo.gitCommits.containsKey(ref) ? ref : null;
            return commit == null ? Reply.json(404, obj("message", "Not Found")) : zipOf(repo, commit);
        }
    }

    /** Zipballs redirected to before codeload's shape was followed: by repository id and commit. */
    private Reply zipballBlob(long repoId, String commit) {
        synchronized (lock) {
            for (Repo repo : state.repos.values()) {
                if (repo.id == repoId && repo.gitCommits.containsKey(commit)) {
                    return zipOf(repo, commit);
                }
            }
        }
        return Reply.json(404, obj("message", "Not Found"));
    }

    private static Reply zipOf(Repo repo, String commit) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        String top = repo.owner + "-" + repo.name + "-" + commit.substring(0, 7) + "/";
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(top));
            for (var file : new TreeMap<>(repo.files(commit)).entrySet()) {
                zip.putNextEntry(new java.util.zip.ZipEntry(top + file.getKey()));
                zip.write(repo.blobs.get(file.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Reply(200, new LinkedHashMap<>(Map.of("content-type", "application/zip")), bytes.toByteArray(), false, null, null);
    }

    private Reply deleteRef(Ctx ctx) {
        requireWrite(ctx);
        String ref = "refs/" + ctx.params().get("ref");
        if (!ctx.repo().refs.containsKey(ref)) {
            throw ctx.error(422, "Reference does not exist");
        }
        if (ref.equals("refs/heads/" + ctx.repo().defaultBranch)) {
            throw ctx.error(422, "Cannot delete the default branch");
        }
        ctx.repo().refs.remove(ref);
        return Reply.empty(204);
    }

    // ---------------------------------------------------------------------------------------------
    // Pull requests
    // ---------------------------------------------------------------------------------------------

    /**
     * GitHub's mergeable_state values. What the emulator reports, for an open pull request: the value
     * {@link #setMergeable} gave, else {@code draft} for a draft, else {@code blocked} while approvals that branch
     * protection requires are missing ({@link #setRequiredApprovingReviews}), else {@code unstable} when a commit
     * status or a check run of the head is not passing (GitHub: "mergeable with non-passing commit status"), else
     * {@code clean}. A merged one is {@code unknown}; a closed one keeps what it was when closed. {@code mergeable}
     * is false for dirty (a conflict), null for unknown (still being computed, or merged), true otherwise.
     */
    static final List<String> MERGEABLE_STATES = List.of("clean", "unstable", "dirty", "blocked", "behind", "draft", "has_hooks", "unknown");
    /** The states in which GitHub refuses a merge with 405. */
    private static final Set<String> NOT_MERGEABLE = Set.of("dirty", "blocked", "behind", "draft");
    /** GitHub's closing keywords in a pull request's description: merged into the default branch, they close the issue. */
    private static final Pattern CLOSING_KEYWORD = Pattern.compile("(?i)\\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\\s+#(\\d+)\\b");

    private Reply createPull(Ctx ctx) {
        PullRequest pr = openPull(ctx.repo(), ctx.user(), ctx.body(), ctx.op().docs(), true);
        Map<String, Object> json = pullJson(ctx.repo(), pr, true);
        return Reply.json(201, json).withHeader("location", (String) json.get("url"));
    }

    /**
     * Opens a pull request as POST /pulls does. head is a branch of this repository, or OWNER:BRANCH for
     * a branch of OWNER's fork (head_repo names the repository outright); base must be a branch here.
     * Its head commits are copied into this repository, as GitHub's refs/pull/N/head does.
     */
    private PullRequest openPull(Repo repo, User user, JsonNode body, String docs, boolean checkAccess) {
        String head = body.get("head").asText();
        String base = body.get("base").asText();
        int colon = head.indexOf(':');
        String headRef = colon < 0 ? head : head.substring(colon + 1);
        Repo headRepo = body.hasNonNull("head_repo") ? state.repos.get(body.get("head_repo").asText().toLowerCase(Locale.ROOT))
                : colon < 0 ? repo : headRepository(repo, head.substring(0, colon));
        String headSha = headRepo == null ? null : headRepo.refs.get("refs/heads/" + headRef);
        String baseSha = repo.refs.get("refs/heads/" + base);
        List<Map<String, Object>> invalid = new ArrayList<>();
        if (headSha == null) {
            invalid.add(obj("resource", "PullRequest", "field", "head", "code", "invalid"));
        }
        if (baseSha == null) {
            invalid.add(obj("resource", "PullRequest", "field", "base", "code", "invalid"));
        }
        if (!invalid.isEmpty()) {
            throw validationFailed(docs, invalid);
        }
        // Write access to the head branch: this repository's, or the fork's owner for a fork.
        if (checkAccess && !user.canWrite() && (headRepo == repo || !headRepo.owner.equalsIgnoreCase(user.login()))) {
            throw error(403, "Resource not accessible by integration", docs);
        }
        Issue issue = null;
        if (body.hasNonNull("issue")) {
            long number = body.get("issue").asLong();
            issue = repo.issues.stream().filter(i -> i.number == number && i.pull == null && i.state.equals("open")).findFirst()
                    .orElseThrow(() -> validationFailed(docs, List.of(obj("resource", "PullRequest", "field", "issue", "code", "invalid"))));
        }
        String title = body.hasNonNull("title") ? body.get("title").asText() : issue == null ? null : issue.title;
        if (title == null || title.isBlank()) {
            throw validationFailed(docs, List.of(obj("resource", "PullRequest", "field", "title", "code", "missing_field")));
        }
        String text = body.hasNonNull("body") ? body.get("body").asText() : issue == null ? null : issue.body;
        if (text != null && characters(text) > MAX_BODY_CHARACTERS) {
            throw validationFailed(docs, List.of(obj("resource", "PullRequest", "code", "custom", "field", "body",
                    "message", "body is too long (maximum is " + MAX_BODY_CHARACTERS + " characters)")));
        }
        Repo from = headRepo;
        if (repo.pulls().stream().anyMatch(p -> p.open() && p.headRepo == from && p.headRef.equals(headRef) && p.baseRef.equals(base))) {
            throw validationFailed(docs, List.of(obj("resource", "PullRequest", "code", "custom",
                    "message", "A pull request already exists for " + headRepo.owner + ":" + headRef + ".")));
        }
        importObjects(headRepo, repo, headSha);
        if (repo.descends(baseSha, headSha)) {
            throw validationFailed(docs, List.of(obj("resource", "PullRequest", "code", "custom",
                    "message", "No commits between " + base + " and " + head)));
        }
        if (issue == null) {
            issue = new Issue(state.nextIssueId++, ++repo.issueSequence, title, text, user, List.of(), now());
            repo.issues.add(issue);
        } else {
            issue.title = title;
            issue.body = text;
            issue.updatedAt = now();
        }
        PullRequest pr = new PullRequest(state.nextPullId++, issue, headRepo, headRef, headSha, base, baseSha);
        pr.draft = body.path("draft").asBoolean(false);
        pr.maintainerCanModify = body.path("maintainer_can_modify").asBoolean(false);
        issue.pull = pr;
        return pr;
    }

    /** OWNER:BRANCH's repository: repo itself when OWNER owns it, else OWNER's fork of it, else OWNER's repository of that name. */
    private Repo headRepository(Repo repo, String owner) {
        if (repo.owner.equalsIgnoreCase(owner)) {
            return repo;
        }
        for (Repo r : state.repos.values()) {
            if (r.forkOf == repo && r.owner.equalsIgnoreCase(owner)) {
                return r;
            }
        }
        return state.repos.get((owner + "/" + repo.name).toLowerCase(Locale.ROOT));
    }

    /** Copies a commit and its ancestors, trees and blobs from one repository to another (one network on GitHub). */
    private static void importObjects(Repo from, Repo to, String commit) {
        if (from == to) {
            return;
        }
        List<String> pending = new ArrayList<>(List.of(commit));
        while (!pending.isEmpty()) {
            GitCommit c = from.gitCommits.get(pending.remove(pending.size() - 1));
            if (c == null || to.gitCommits.containsKey(c.sha())) {
                continue;
            }
            to.gitCommits.put(c.sha(), c);
            to.commits.add(c.sha());
            Map<String, String> files = from.trees.getOrDefault(c.tree(), Map.of());
            to.trees.putIfAbsent(c.tree(), files);
            files.values().forEach(blob -> to.blobs.putIfAbsent(blob, from.blobs.get(blob)));
            pending.addAll(c.parents());
        }
    }

    /** An open pull request follows its branches: a push to the head moves head.sha (a synchronize), a push to the base base.sha. */
    private void syncPull(Repo repo, PullRequest pr) {
        if (!pr.open()) {
            return;
        }
        String head = pr.headRepo.refs.get("refs/heads/" + pr.headRef);
        if (head != null && !head.equals(pr.headSha)) {
            importObjects(pr.headRepo, repo, head);
            pr.previousHeadSha = pr.headSha;
            pr.headSha = head;
            pr.issue.updatedAt = now();
        }
        String base = repo.refs.get("refs/heads/" + pr.baseRef);
        if (base != null) {
            pr.baseSha = base;
        }
    }

    private PullRequest pull(Ctx ctx) {
        PullRequest pr = findPull(ctx.repo(), Long.parseLong(ctx.params().get("pull_number")));
        if (pr == null) {
            throw ctx.error(404, "Not Found");
        }
        syncPull(ctx.repo(), pr);
        return pr;
    }

    private static PullRequest findPull(Repo repo, long number) {
        return repo.pulls().stream().filter(p -> p.issue.number == number).findFirst().orElse(null);
    }

    private Reply getPull(Ctx ctx) {
        return Reply.json(200, pullJson(ctx.repo(), pull(ctx), true));
    }

    /** state, head (OWNER:BRANCH; a bare BRANCH is taken as this repository's owner), base, sort, direction, pages. */
    private Reply listPulls(Ctx ctx) {
        Repo repo = ctx.repo();
        Map<String, String> q = ctx.call().query();
        repo.pulls().forEach(p -> syncPull(repo, p));
        String stateFilter = q.getOrDefault("state", "open");
        String head = q.get("head");
        String headOwner = head == null ? null : head.contains(":") ? head.substring(0, head.indexOf(':')) : repo.owner;
        String headRef = head == null ? null : head.substring(head.indexOf(':') + 1);
        String sort = q.getOrDefault("sort", "created");
        Comparator<PullRequest> order = switch (sort) {
            case "updated" -> Comparator.comparing((PullRequest p) -> p.issue.updatedAt);
            case "popularity" -> Comparator.comparingInt((PullRequest p) -> p.issue.comments);
            default -> Comparator.comparing((PullRequest p) -> p.issue.createdAt);
        };
        order = order.thenComparingInt(p -> p.issue.number);
        if (q.getOrDefault("direction", sort.equals("created") ? "desc" : "asc").equals("desc")) {
            order = order.reversed();
        }
        Instant monthAgo = now().minus(Duration.ofDays(30));
        List<PullRequest> pulls = repo.pulls().stream()
                .filter(p -> stateFilter.equals("all") || p.issue.state.equals(stateFilter))
                .filter(p -> head == null || p.headRepo.owner.equalsIgnoreCase(headOwner) && p.headRef.equals(headRef))
                .filter(p -> !q.containsKey("base") || p.baseRef.equals(q.get("base")))
                .filter(p -> !sort.equals("long-running")
                        || p.open() && p.issue.createdAt.isBefore(monthAgo) && !p.issue.updatedAt.isBefore(monthAgo))
                .sorted(order)
                .toList();
        Page<PullRequest> page = page(ctx, pulls);
        return page.link(Reply.json(200, page.items().stream().map(p -> pullJson(repo, p, false)).toList()));
    }

    /** Title, body, base, maintainer_can_modify; state closed closes it unmerged, open reopens it. The author or a writer may. */
    private Reply updatePull(Ctx ctx) {
        Repo repo = ctx.repo();
        PullRequest pr = pull(ctx);
        Issue issue = pr.issue;
        if (!ctx.user().canWrite() && !ctx.user().equals(issue.user)) {
            throw ctx.error(403, "Resource not accessible by integration");
        }
        JsonNode body = ctx.body();
        if (body.hasNonNull("base")) {
            String base = body.get("base").asText();
            if (!repo.refs.containsKey("refs/heads/" + base)) {
                throw validationFailed(ctx.op().docs(), List.of(obj("resource", "PullRequest", "field", "base", "code", "invalid")));
            }
            pr.baseRef = base;
            pr.baseSha = repo.refs.get("refs/heads/" + base);
        }
        if (body.hasNonNull("title")) {
            if (body.get("title").asText().isBlank()) {
                throw validationFailed(ctx.op().docs(), List.of(obj("resource", "PullRequest", "field", "title", "code", "missing_field")));
            }
            issue.title = body.get("title").asText();
        }
        if (body.has("body")) {
            issue.body = body.hasNonNull("body") ? body.get("body").asText() : null;
        }
        if (body.hasNonNull("maintainer_can_modify")) {
            pr.maintainerCanModify = body.get("maintainer_can_modify").asBoolean();
        }
        String wanted = body.path("state").asText(issue.state);
        if (wanted.equals("closed") && pr.open()) {
            pr.mergeableAtClose = mergeableState(repo, pr);
            close(issue, ctx.user(), null);
        } else if (wanted.equals("open") && !pr.open()) {
            if (pr.merged) {
                throw validationFailed(ctx.op().docs(), List.of(obj("resource", "PullRequest", "code", "custom", "field", "state",
                        "message", "state cannot be changed. The pull request cannot be reopened because it has been merged.")));
            }
            issue.state = "open";
            issue.closedAt = null;
            issue.closedBy = null;
            issue.stateReason = "reopened";
            pr.mergeableAtClose = null;
            syncPull(repo, pr);
        }
        issue.updatedAt = now();
        return Reply.json(200, pullJson(repo, pr, true));
    }

    private void close(Issue issue, User by, String stateReason) {
        issue.state = "closed";
        issue.closedAt = now();
        issue.closedBy = by;
        issue.stateReason = stateReason;
        issue.updatedAt = issue.closedAt;
    }

    /**
     * Merges as PUT /pulls/{n}/merge does (pulls/merge, https://docs.github.com/rest/pulls/pulls#merge-a-pull-request).
     * Refusals, in this order: a closed pull request is 405 "Pull Request is not mergeable"; a merge_method outside
     * merge|squash|rebase is 422 (the request body's schema); a method the repository disallows is 405 "Merge commits are
     * not allowed on this repository." / "Squash merges ..." (seen from GitHub, e.g. jeffrichley/foreman#399,
     * chatgpt-skill#153) / "Rebase merges ..." (the same form); a sha that is not the head is 409 "Head branch was
     * modified. Review and try the merge again." (the operation's 409 example); missing required approvals is 405 "At
     * least 1 approving review is required by reviewers with write access." (GitHub's answer, Reviewable#561); a
     * mergeable_state of dirty, blocked, behind or draft is 405 "Pull Request is not mergeable" (clean, unstable,
     * has_hooks and unknown merge). The base branch moves to a new commit: for merge a commit with parents base and head;
     * for squash and rebase one commit on base (a rebase is not replayed commit by commit). Its files are base's with
     * head's changes since their merge base applied (the emulator has no conflicts but setMergeable's).
     * Merged into the default branch, a description's closing keywords ("Fixes #123") close those issues.
     */
    private Reply mergePull(Ctx ctx) {
        requireWrite(ctx);
        Repo repo = ctx.repo();
        PullRequest pr = pull(ctx);
        JsonNode body = ctx.body();
        if (!pr.open()) {
            throw ctx.error(405, "Pull Request is not mergeable");
        }
        String method = body.path("merge_method").asText("merge");
        boolean allowed = switch (method) {
            case "squash" -> repo.allowSquashMerge;
            case "rebase" -> repo.allowRebaseMerge;
            default -> repo.allowMergeCommit;
        };
        if (!allowed) {
            throw ctx.error(405, switch (method) {
                case "squash" -> "Squash merges";
                case "rebase" -> "Rebase merges";
                default -> "Merge commits";
            } + " are not allowed on this repository.");
        }
        if (body.hasNonNull("sha") && !body.get("sha").asText().equals(pr.headSha)) {
            throw ctx.error(409, "Head branch was modified. Review and try the merge again.");
        }
        int required = repo.requiredApprovals.getOrDefault(pr.baseRef, 0);
        if (approvals(pr) < required && pr.mergeableState == null) {
            throw ctx.error(405, "At least " + required + " approving review" + (required == 1 ? " is" : "s are")
                    + " required by reviewers with write access.");
        }
        String baseSha = repo.refs.get("refs/heads/" + pr.baseRef);
        if (baseSha == null || NOT_MERGEABLE.contains(mergeableState(repo, pr))) {
            throw ctx.error(405, "Pull Request is not mergeable");
        }
        int number = pr.issue.number;
        String title = body.hasNonNull("commit_title") ? body.get("commit_title").asText()
                : method.equals("merge") ? "Merge pull request #" + number + " from " + pr.headRepo.owner + "/" + pr.headRef
                : method.equals("squash") ? pr.issue.title + " (#" + number + ")"
                : repo.gitCommits.get(pr.headSha).message();
        String detail = body.hasNonNull("commit_message") ? body.get("commit_message").asText()
                : method.equals("merge") ? pr.issue.title : "";
        String tree = repo.tree(mergedFiles(repo, baseSha, pr.headSha));
        List<String> parents = method.equals("merge") ? List.of(baseSha, pr.headSha) : List.of(baseSha);
        GitCommit commit = repo.commit(tree, parents, detail.isEmpty() ? title : title + "\n\n" + detail, now());
        repo.refs.put("refs/heads/" + pr.baseRef, commit.sha());
        pr.baseSha = baseSha;
        pr.merged = true;
        pr.mergedAt = now();
        pr.mergedBy = ctx.user();
        pr.mergeCommitSha = commit.sha();
        close(pr.issue, ctx.user(), null);
        if (pr.baseRef.equals(repo.defaultBranch) && pr.issue.body != null) {
            Matcher keyword = CLOSING_KEYWORD.matcher(pr.issue.body);
            while (keyword.find()) {
                long referenced = Long.parseLong(keyword.group(1));
                repo.issues.stream().filter(i -> i.number == referenced && i.pull == null && i.state.equals("open"))
                        .forEach(i -> close(i, ctx.user(), "completed"));
            }
        }
        return Reply.json(200, obj("sha", commit.sha(), "merged", true, "message", "Pull Request successfully merged"));
    }

    /** base's files with head's changes since the merge base applied. */
    private static Map<String, String> mergedFiles(Repo repo, String base, String head) {
        Set<String> baseAncestors = repo.ancestors(base);
        String mergeBase = repo.ancestors(head).stream().filter(baseAncestors::contains).findFirst().orElse(null);
        Map<String, String> from = mergeBase == null ? Map.of() : repo.files(mergeBase);
        Map<String, String> to = repo.files(head);
        Map<String, String> files = new TreeMap<>(repo.files(base));
        Set<String> paths = new TreeSet<>(from.keySet());
        paths.addAll(to.keySet());
        for (String path : paths) {
            if (!java.util.Objects.equals(from.get(path), to.get(path))) {
                if (to.containsKey(path)) {
                    files.put(path, to.get(path));
                } else {
                    files.remove(path);
                }
            }
        }
        return files;
    }

    /**
     * What GitHub reports as mergeable_state. Merged: unknown (and mergeable null: GET /pulls/{n} right after a merge,
     * measured in strands-labs/robots#3231). Closed unmerged: what it was when closed, since GitHub computes no more (the
     * pull_request "closed" examples in github/webhooks carry mergeable true, clean). Open: see {@link #MERGEABLE_STATES},
     * and blocked while approvals required by branch protection are missing.
     */
    private String mergeableState(Repo repo, PullRequest pr) {
        if (!pr.open()) {
            return pr.merged || pr.mergeableAtClose == null ? "unknown" : pr.mergeableAtClose;
        }
        if (pr.mergeableState != null) {
            return pr.mergeableState;
        }
        if (pr.draft) {
            return "draft";
        }
        if (approvals(pr) < repo.requiredApprovals.getOrDefault(pr.baseRef, 0)) {
            return "blocked";
        }
        return headNotPassing(repo, pr.headSha) ? "unstable" : "clean";
    }

    /** Approving reviews that count: from people with write access (the author cannot approve their own). */
    private static int approvals(PullRequest pr) {
        return (int) pr.approvals.stream().filter(User::canWrite).count();
    }

    // ---------------------------------------------------------------------------------------------
    // Commit statuses and branches
    // ---------------------------------------------------------------------------------------------

    /** A status on a commit this repository has (a fork pull request's head too); at most 1000 per sha and context. */
    private Reply createCommitStatus(Ctx ctx) {
        requireWrite(ctx);
        Repo repo = ctx.repo();
        repo.pulls().forEach(p -> syncPull(repo, p));
        String sha = ctx.params().get("sha");
        if (!repo.gitCommits.containsKey(sha)) {
            throw ctx.error(422, "No commit found for SHA: " + sha);
        }
        JsonNode body = ctx.body();
        String context = body.path("context").asText("default");
        if (repo.statuses.stream().filter(s -> s.sha().equals(sha) && s.context().equalsIgnoreCase(context)).count() >= 1000) {
            throw ctx.validationFailed(obj("resource", "Status", "code", "custom",
                    "message", "This SHA and context has reached the maximum number of statuses."));
        }
        CommitStatus status = new CommitStatus(state.nextStatusId++, sha, body.get("state").asText(),
                body.hasNonNull("target_url") ? body.get("target_url").asText() : null,
                body.hasNonNull("description") ? body.get("description").asText() : null, context, ctx.user(), now());
        repo.statuses.add(status);
        Map<String, Object> json = statusJson(repo, status, true);
        return Reply.json(201, json).withHeader("location", (String) json.get("url"));
    }

    /** The latest status of each context on a sha, a branch or a tag, and their combined state. */
    private Reply getCombinedStatus(Ctx ctx) {
        Repo repo = ctx.repo();
        repo.pulls().forEach(p -> syncPull(repo, p));
        String ref = ctx.params().get("ref");
        String sha = resolveRef(repo, ref);
        if (sha == null && repo.gitCommits.containsKey(ref)) {
            sha = ref;
        }
        if (sha == null) {
            throw ctx.error(404, "No commit found for SHA: " + ref);
        }
        List<CommitStatus> latest = latestStatuses(repo, sha);
        // per_page and page apply to the statuses; GitHub documents no Link header here.
        List<CommitStatus> statuses = page(ctx, latest).items();
        return Reply.json(200, obj("state", combinedState(latest),
                "statuses", statuses.stream().map(s -> statusJson(repo, s, false)).toList(),
                "sha", sha, "total_count", latest.size(), "repository", minimalRepositoryJson(repo),
                "commit_url", apiBase(repo) + "/commits/" + sha, "url", apiBase(repo) + "/commits/" + sha + "/status"));
    }

    /** The latest status per context (contexts are case-insensitive), oldest first. */
    private static List<CommitStatus> latestStatuses(Repo repo, String sha) {
        Map<String, CommitStatus> latest = new LinkedHashMap<>();
        for (CommitStatus status : repo.statuses) {
            if (status.sha().equals(sha)) {
                latest.remove(status.context().toLowerCase(Locale.ROOT));
                latest.put(status.context().toLowerCase(Locale.ROOT), status);
            }
        }
        return new ArrayList<>(latest.values());
    }

    /** GitHub's rule: failure if any is error or failure, pending if any is pending or there are none, else success. */
    private static String combinedState(List<CommitStatus> latest) {
        if (latest.stream().anyMatch(s -> s.state().equals("error") || s.state().equals("failure"))) {
            return "failure";
        }
        return latest.isEmpty() || latest.stream().anyMatch(s -> s.state().equals("pending")) ? "pending" : "success";
    }

    /**
     * repos/list-commit-statuses-for-ref (https://docs.github.com/rest/commits/statuses#list-commit-statuses-for-a-reference):
     * every status of the commit, "in reverse chronological order. The first status in the list will be the latest one",
     * each with its creator, paginated with Link.
     */
    private Reply listCommitStatuses(Ctx ctx) {
        Repo repo = ctx.repo();
        String sha = commitOf(ctx, ctx.params().get("ref"));
        List<CommitStatus> statuses = repo.statuses.stream().filter(s -> s.sha().equals(sha))
                .sorted(Comparator.comparing(CommitStatus::createdAt).thenComparingLong(CommitStatus::id).reversed())
                .toList();
        Page<CommitStatus> page = page(ctx, statuses);
        return page.link(Reply.json(200, page.items().stream().map(s -> statusJson(repo, s, true)).toList()));
    }

    /**
     * A sha, a branch or a tag of the repository to its commit; anything else is 404 "No commit found for SHA", as the
     * combined status answers here (what checks/list-for-ref answers an unknown ref was not seen from GitHub).
     */
    private String commitOf(Ctx ctx, String ref) {
        Repo repo = ctx.repo();
        repo.pulls().forEach(p -> syncPull(repo, p));
        String sha = resolveRef(repo, ref);
        if (sha == null && repo.gitCommits.containsKey(ref)) {
            sha = ref;
        }
        if (sha == null) {
            throw ctx.error(404, "No commit found for SHA: " + ref);
        }
        return sha;
    }

    // ---------------------------------------------------------------------------------------------
    // Check runs: how GitHub Actions (and any GitHub App) reports CI on a commit
    // ---------------------------------------------------------------------------------------------

    /** A check run's status (checks/list-for-ref's check-run schema): waiting, requested and pending are Actions' own. */
    static final List<String> CHECK_STATUSES = List.of("queued", "in_progress", "completed", "waiting", "requested", "pending");
    /** A completed check run's conclusion; only GitHub sets stale (checks/create's description). */
    static final List<String> CHECK_CONCLUSIONS = List.of("success", "failure", "neutral", "cancelled", "skipped", "timed_out",
            "action_required", "stale");

    /**
     * checks/create (https://docs.github.com/rest/checks/runs#create-a-check-run). "The Checks API is only available to
     * GitHub Apps": any other token is 403 "You must authenticate via a GitHub App." (GitHub's answer to a personal token,
     * e.g. actions/github-script#118). A conclusion makes the run completed; completed or completed_at need a conclusion.
     */
    private Reply createCheckRun(Ctx ctx) {
        App app = appOf(ctx.user());
        if (app == null) {
            throw ctx.error(403, "You must authenticate via a GitHub App.");
        }
        requireWrite(ctx);
        Repo repo = ctx.repo();
        String sha = ctx.body().get("head_sha").asText();
        repo.pulls().forEach(p -> syncPull(repo, p));
        if (!repo.gitCommits.containsKey(sha)) {
            throw ctx.error(422, "No commit found for SHA: " + sha);
        }
        CheckRun run = newCheckRun(repo, app, sha, ctx.body().get("name").asText(), now());
        try {
            applyCheckRunFields(ctx, run, ctx.body());
        } catch (ApiError e) {
            repo.checkRuns.remove(run);
            throw e;
        }
        return Reply.json(201, checkRunJson(repo, run));
    }

    /** checks/get (https://docs.github.com/rest/checks/runs#get-a-check-run). */
    private Reply getCheckRun(Ctx ctx) {
        return Reply.json(200, checkRunJson(ctx.repo(), checkRun(ctx)));
    }

    /**
     * checks/update (https://docs.github.com/rest/checks/runs#update-a-check-run): the app that made the run changes it
     * (another app's token is refused; GitHub's wording for that was not seen, so the emulator's usual 403 is used).
     */
    private Reply updateCheckRun(Ctx ctx) {
        App app = appOf(ctx.user());
        if (app == null) {
            throw ctx.error(403, "You must authenticate via a GitHub App.");
        }
        CheckRun run = checkRun(ctx);
        if (run.suite.app != app) {
            throw ctx.error(403, "Resource not accessible by integration");
        }
        applyCheckRunFields(ctx, run, ctx.body());
        return Reply.json(200, checkRunJson(ctx.repo(), run));
    }

    /** The fields checks/create and checks/update share; "Providing conclusion will automatically set the status parameter to completed". */
    private void applyCheckRunFields(Ctx ctx, CheckRun run, JsonNode body) {
        if (body.hasNonNull("name")) {
            run.name = body.get("name").asText();
        }
        if (body.has("details_url")) {
            run.detailsUrl = body.path("details_url").asText(null);
        }
        if (body.hasNonNull("external_id")) {
            run.externalId = body.get("external_id").asText();
        }
        JsonNode output = body.path("output");
        if (output.isObject()) {
            run.title = output.path("title").asText(run.title);
            run.summary = output.path("summary").asText(run.summary);
            run.text = output.path("text").asText(run.text);
        }
        if (body.hasNonNull("started_at")) {
            run.startedAt = checkedInstant(ctx, body, "started_at");
        }
        Instant completedAt = body.hasNonNull("completed_at") ? checkedInstant(ctx, body, "completed_at") : null;
        String conclusion = body.hasNonNull("conclusion") ? body.get("conclusion").asText() : null;
        String status = body.hasNonNull("status") ? body.get("status").asText() : null;
        if ("stale".equals(conclusion)) {
            throw ctx.error(422, "Invalid request.\n\nOnly GitHub can set the conclusion stale."); // wording not seen on GitHub
        }
        if (conclusion == null && ("completed".equals(status) || completedAt != null) && run.conclusion == null) {
            throw ctx.error(422, "Invalid request.\n\n\"conclusion\" wasn't supplied.");
        }
        if (conclusion != null) {
            run.conclusion = conclusion;
            run.status = "completed";
        } else if (status != null) {
            run.status = status;
            if (!status.equals("completed")) {
                run.conclusion = null;
                run.completedAt = null;
            }
        }
        if (run.status.equals("completed")) {
            run.completedAt = completedAt != null ? completedAt : run.completedAt != null ? run.completedAt : now();
        }
        run.suite.updatedAt = now();
    }

    private static Instant checkedInstant(Ctx ctx, JsonNode body, String field) {
        try {
            return java.time.OffsetDateTime.parse(body.get(field).asText()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw ctx.error(422, "Invalid request.\n\nFor 'properties/" + field + "', " + SchemaMessages.show(body.get(field))
                    + " is not a date-time.");
        }
    }

    private CheckRun checkRun(Ctx ctx) {
        long id = Long.parseLong(ctx.params().get("check_run_id"));
        return ctx.repo().checkRuns.stream().filter(r -> r.id == id).findFirst().orElseThrow(() -> ctx.error(404, "Not Found"));
    }

    /**
     * checks/list-for-ref (https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference): the check runs of
     * a sha, branch or tag; check_name, status, app_id; filter latest (the default: the most recent run of each name, so a
     * re-run replaces the run it repeats; applied before status) or all; newest first; per_page and page with Link.
     */
    private Reply listCheckRunsForRef(Ctx ctx) {
        Repo repo = ctx.repo();
        String sha = commitOf(ctx, ctx.params().get("ref"));
        Map<String, String> q = ctx.call().query();
        List<CheckRun> runs = repo.checkRuns.stream().filter(r -> r.headSha().equals(sha))
                .sorted(Comparator.comparingLong((CheckRun r) -> r.id).reversed())
                .toList();
        if (!"all".equals(q.get("filter"))) {
            Set<String> names = new HashSet<>();
            runs = runs.stream().filter(r -> names.add(r.name)).toList();
        }
        runs = runs.stream()
                .filter(r -> !q.containsKey("check_name") || r.name.equals(q.get("check_name")))
                .filter(r -> !q.containsKey("status") || r.status.equals(q.get("status")))
                .filter(r -> !q.containsKey("app_id") || String.valueOf(r.suite.app.id()).equals(q.get("app_id")))
                .toList();
        Page<CheckRun> page = page(ctx, runs);
        return page.link(Reply.json(200, obj("total_count", runs.size(),
                "check_runs", page.items().stream().map(r -> checkRunJson(repo, r)).toList())));
    }

    /** A new check run in its app's check suite for the commit (one suite per app and commit, as on GitHub). */
    private CheckRun newCheckRun(Repo repo, App app, String sha, String name, Instant createdAt) {
        CheckSuite suite = repo.checkSuites.stream().filter(s -> s.app == app && s.headSha.equals(sha)).findFirst().orElse(null);
        if (suite == null) {
            String branch = repo.pulls().stream().filter(p -> p.open() && p.headRepo == repo && p.headSha.equals(sha))
                    .map(p -> p.headRef).findFirst()
                    .orElseGet(() -> repo.refs.entrySet().stream()
                            .filter(e -> e.getKey().startsWith("refs/heads/") && e.getValue().equals(sha))
                            .map(e -> e.getKey().substring("refs/heads/".length())).findFirst().orElse(null));
            suite = new CheckSuite(state.nextCheckSuiteId++, app, sha, branch, createdAt);
            repo.checkSuites.add(suite);
        }
        CheckRun run = new CheckRun(state.nextCheckRunId++, suite, name, createdAt);
        run.startedAt = createdAt;
        repo.checkRuns.add(run);
        return run;
    }

    /** The app a token acts for: GitHub Actions for GITHUB_TOKEN; a person's token is no app. */
    private App appOf(User user) {
        if (user.login().equals(BOT_LOGIN)) {
            return ACTIONS;
        }
        return user.isBot() && user.login().endsWith("[bot]") ? app(user.login().substring(0, user.login().length() - 5)) : null;
    }

    /** The app with this slug, made on first use. */
    private App app(String slug) {
        return state.apps.computeIfAbsent(slug, s -> new App(state.nextAppId, s, s, s, 7_000_000L + state.nextAppId++, "",
                "https://example.com/" + s, "Iv1." + sha(s).substring(0, 16), Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2020-01-01T00:00:00Z")));
    }

    /**
     * GitHub's "unstable" for a pull request: a commit status or a check run of the head that is not passing
     * (a status not success; a latest check run not completed, or concluded other than success, neutral or skipped).
     */
    private static boolean headNotPassing(Repo repo, String sha) {
        List<CommitStatus> statuses = latestStatuses(repo, sha);
        if (!statuses.isEmpty() && !combinedState(statuses).equals("success")) {
            return true;
        }
        Set<String> names = new HashSet<>();
        return repo.checkRuns.stream().filter(r -> r.headSha().equals(sha))
                .sorted(Comparator.comparingLong((CheckRun r) -> r.id).reversed())
                .filter(r -> names.add(r.name))
                .anyMatch(r -> !r.status.equals("completed") || !List.of("success", "neutral", "skipped").contains(r.conclusion));
    }

    // ---------------------------------------------------------------------------------------------
    // Labels
    // ---------------------------------------------------------------------------------------------

    private static final Pattern LABEL_COLOR = Pattern.compile("[0-9a-fA-F]{6}");

    /**
     * issues/create-label (https://docs.github.com/rest/issues/labels#create-a-label): 201 with Location; a color that is
     * not six hex digits is 422 {resource Label, code invalid, field color} (recorded in @octokit/fixtures' errors
     * scenario); a name the repository has (in any case) is 422 already_exists.
     */
    private Reply createLabel(Ctx ctx) {
        requireWrite(ctx);
        JsonNode body = ctx.body();
        String name = body.get("name").asText();
        String color = body.path("color").asText("ededed").replaceFirst("^#", "");
        if (!LABEL_COLOR.matcher(color).matches()) {
            throw ctx.validationFailed(obj("resource", "Label", "code", "invalid", "field", "color"));
        }
        if (ctx.repo().labels.containsKey(name.toLowerCase(Locale.ROOT))) {
            throw ctx.validationFailed(obj("resource", "Label", "code", "already_exists", "field", "name"));
        }
        Label label = new Label(state.nextLabelId++, name, color, body.hasNonNull("description") ? body.get("description").asText() : null);
        ctx.repo().labels.put(name.toLowerCase(Locale.ROOT), label);
        Map<String, Object> json = labelJson(ctx.repo(), label);
        return Reply.json(201, json).withHeader("location", (String) json.get("url"));
    }

    /** issues/get-label (https://docs.github.com/rest/issues/labels#get-a-label). */
    private Reply getLabel(Ctx ctx) {
        Label label = ctx.repo().labels.get(ctx.params().get("name").toLowerCase(Locale.ROOT));
        if (label == null) {
            throw ctx.error(404, "Not Found");
        }
        return Reply.json(200, labelJson(ctx.repo(), label));
    }

    /** Branches by name; none is protected here, so protected=true lists none. */
    private Reply listBranches(Ctx ctx) {
        Repo repo = ctx.repo();
        String protectedFilter = ctx.call().query().get("protected");
        List<Map.Entry<String, String>> branches = repo.refs.entrySet().stream()
                .filter(r -> r.getKey().startsWith("refs/heads/"))
                .filter(r -> !"true".equals(protectedFilter))
                .toList();
        Page<Map.Entry<String, String>> page = page(ctx, branches);
        return page.link(Reply.json(200, page.items().stream().map(r -> obj(
                "name", r.getKey().substring("refs/heads/".length()),
                "commit", obj("sha", r.getValue(), "url", apiBase(repo) + "/commits/" + r.getValue()),
                "protected", false)).toList()));
    }

    // ---------------------------------------------------------------------------------------------
    // Repository, rate limit, identity
    // ---------------------------------------------------------------------------------------------

    private Reply getRepository(Ctx ctx) {
        Repo repo = ctx.repo();
        Map<String, Object> json = repositoryJson(repo);
        boolean write = ctx.user().canWrite();
        json.put("has_discussions", false);
        json.put("disabled", false);
        json.put("permissions", obj("admin", false, "maintain", false, "push", write, "triage", write, "pull", true));
        // The repository's merge buttons (setMergeMethods): repos/get's allow_* fields.
        json.put("allow_rebase_merge", repo.allowRebaseMerge);
        json.put("allow_squash_merge", repo.allowSquashMerge);
        json.put("allow_merge_commit", repo.allowMergeCommit);
        json.put("allow_auto_merge", false);
        json.put("delete_branch_on_merge", false);
        json.put("allow_forking", true);
        json.put("temp_clone_token", "");
        json.put("organization", ownerJson(repo));
        json.put("network_count", 0);
        json.put("subscribers_count", 1);
        return Reply.json(200, json);
    }

    private Reply getRateLimit(Ctx ctx) {
        RateBucket core = bucketFor(ctx.user());
        Map<String, Object> coreJson = obj("limit", core.limit, "used", core.used, "remaining", core.remaining(),
                "reset", core.resetEpochSeconds);
        long reset = core.resetEpochSeconds;
        return Reply.json(200, obj(
                "resources", obj(
                        "core", coreJson,
                        "search", obj("limit", 30, "used", 0, "remaining", 30, "reset", reset),
                        "graphql", obj("limit", RATE_LIMIT, "used", 0, "remaining", RATE_LIMIT, "reset", reset),
                        "integration_manifest", obj("limit", RATE_LIMIT, "used", 0, "remaining", RATE_LIMIT, "reset", reset),
                        "code_search", obj("limit", 10, "used", 0, "remaining", 10, "reset", reset)),
                "rate", coreJson));
    }

    /** An installation token (GITHUB_TOKEN) is not a user: GitHub refuses it here. */
    private Reply getAuthenticatedUser(Ctx ctx) {
        User user = ctx.user();
        if (user.isBot()) {
            throw ctx.error(403, "Resource not accessible by integration");
        }
        Map<String, Object> json = userJson(user);
        json.putAll(obj("name", null, "company", null, "blog", "", "location", null, "email", null, "hireable", null,
                "bio", null, "twitter_username", null, "public_repos", 0, "public_gists", 0, "followers", 0, "following", 0,
                "created_at", "2020-01-01T00:00:00Z", "updated_at", "2020-01-01T00:00:00Z"));
        return Reply.json(200, json);
    }

    /** The app behind the default token is GitHub Actions; a user token has no app. */
    private Reply getAuthenticatedApp(Ctx ctx) {
        if (!ctx.user().isBot()) {
            throw ctx.error(401, "A JSON web token could not be decoded");
        }
        return Reply.json(200, appJson(ACTIONS));
    }

    private static void requireWrite(Ctx ctx) {
        if (!ctx.user().canWrite()) {
            throw ctx.error(403, "Resource not accessible by integration");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Pagination
    // ---------------------------------------------------------------------------------------------

    private record Page<T>(List<T> items, String linkHeader) {
        Reply link(Reply reply) {
            return linkHeader == null ? reply : reply.withHeader("link", linkHeader);
        }
    }

    /** per_page (default 30, at most 100) and page, with GitHub's Link header: prev, next, last, first. */
    private <T> Page<T> page(Ctx ctx, List<T> all) {
        Map<String, String> query = ctx.call().query();
        int perPage = Math.min(100, positiveInt(query.get("per_page"), 30));
        int page = positiveInt(query.get("page"), 1);
        int last = Math.max(1, (all.size() + perPage - 1) / perPage);
        int from = (int) Math.min(all.size(), (long) (page - 1) * perPage);
        List<T> items = all.subList(from, Math.min(all.size(), from + perPage));
        List<String> links = new ArrayList<>();
        if (page > 1) {
            links.add(pageLink(ctx, Math.min(page - 1, last), "prev"));
        }
        if (page < last) {
            links.add(pageLink(ctx, page + 1, "next"));
            links.add(pageLink(ctx, last, "last"));
        }
        if (page > 1) {
            links.add(pageLink(ctx, 1, "first"));
        }
        return new Page<>(items, links.isEmpty() ? null : String.join(", ", links));
    }

    private String pageLink(Ctx ctx, int page, String rel) {
        Map<String, String> query = new LinkedHashMap<>(ctx.call().query());
        query.put("page", String.valueOf(page));
        String encoded = query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return "<" + url() + linkPath(ctx) + "?" + encoded + ">; rel=\"" + rel + "\"";
    }

    /** GitHub's Link URLs name the repository by its id: /repositories/{id}/issues (recorded in @octokit/fixtures' paginate-issues). */
    private static String linkPath(Ctx ctx) {
        Matcher m = REPOSITORY_PREFIX.matcher(ctx.call().rawPath());
        if (ctx.repo() != null && m.matches()) {
            return "/repositories/" + ctx.repo().id + (m.group(1) == null ? "" : m.group(1));
        }
        return ctx.call().rawPath();
    }

    private static int positiveInt(String value, int fallback) {
        try {
            int n = value == null ? fallback : Integer.parseInt(value.trim());
            return n < 1 ? fallback : n;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Admin API for other processes (not journaled, no token)
    // ---------------------------------------------------------------------------------------------

    private static final Pattern ARTIFACT_BLOB = Pattern.compile("/_emulator/artifact-blobs/(\\d+)");
    private static final Pattern ZIPBALL_BLOB = Pattern.compile("/_emulator/zipballs/(\\d+)/([0-9a-f]{40})");
    private static final Pattern CODELOAD = Pattern.compile("/_emulator/codeload/([^/]+/[^/]+)/legacy\\.zip/(.+)");

    private Reply admin(Call call) {
        try {
            Matcher blob = ARTIFACT_BLOB.matcher(call.path());
            if (call.method().equals("GET") && blob.matches()) {
                return artifactBlob(Long.parseLong(blob.group(1)));
            }
            Matcher zipball = ZIPBALL_BLOB.matcher(call.path());
            if (call.method().equals("GET") && zipball.matches()) {
                return zipballBlob(Long.parseLong(zipball.group(1)), zipball.group(2));
            }
            Matcher codeload = CODELOAD.matcher(call.path());
            if (call.method().equals("GET") && codeload.matches()) {
                return codeload(codeload.group(1), codeload.group(2));
            }
            Map<String, String> q = call.query();
            JsonNode body = call.body().length == 0 ? JsonNodeFactory.instance.objectNode() : JSON.readTree(call.body());
            switch (call.method() + " " + call.path()) {
                case "GET /_emulator/journal":
                    return Reply.json(200, journal());
                case "DELETE /_emulator/journal":
                    clearJournal();
                    return Reply.empty(204);
                case "POST /_emulator/faults":
                    injectFault(body.path("method").asText("*"), body.path("path").asText(".*"), faultFrom(body),
                            body.path("times").asInt(1));
                    return Reply.empty(204);
                case "POST /_emulator/workflows":
                    Map<String, Boolean> inputs = new LinkedHashMap<>();
                    body.path("inputs").properties().forEach(e -> inputs.put(e.getKey(), e.getValue().asBoolean()));
                    addWorkflow(required(body, "repo"), required(body, "file"), inputs, body.path("run_name").asText(null));
                    synchronized (lock) {
                        Repo repo = existingRepo(required(body, "repo"));
                        return Reply.json(201, workflowJson(repo, repo.workflows.get(repo.workflows.size() - 1)));
                    }
                case "POST /_emulator/users":
                    addUser(required(body, "token"), required(body, "login"), body.path("collaborator").asBoolean(false));
                    return Reply.empty(204);
                case "POST /_emulator/repositories":
                    addRepository(required(body, "repo"), body.path("default_branch").asText("main"));
                    return Reply.empty(204);
                case "POST /_emulator/branches":
                    addBranch(required(body, "repo"), required(body, "branch"));
                    return Reply.empty(204);
                case "POST /_emulator/forks":
                    addFork(required(body, "parent"), required(body, "fork"));
                    return Reply.empty(204);
                case "POST /_emulator/commits":
                    return Reply.json(201, obj("sha", commitFile(required(body, "repo"), required(body, "branch"), required(body, "path"),
                            body.path("content").asText(""), body.path("message").asText("Update " + required(body, "path")))));
                case "POST /_emulator/pulls":
                    return Reply.json(201, obj("number", createPullRequest(required(body, "repo"), required(body, "head"),
                            required(body, "base"), required(body, "title"), body.path("body").asText(null), required(body, "user"))));
                case "GET /_emulator/pulls":
                    return Reply.json(200, pullRequest(requiredQuery(q, "repo"), Integer.parseInt(requiredQuery(q, "number"))));
                case "POST /_emulator/mergeable":
                    setMergeable(required(body, "repo"), body.path("number").asInt(), body.path("mergeable_state").asText(null));
                    return Reply.empty(204);
                case "POST /_emulator/statuses":
                    addCommitStatus(required(body, "repo"), required(body, "sha"), required(body, "state"), body.path("context").asText("default"),
                            instant(body, "created_at"));
                    return Reply.empty(204);
                case "POST /_emulator/check-runs": {
                    String repo = required(body, "repo");
                    String conclusion = body.hasNonNull("conclusion") ? body.get("conclusion").asText() : null;
                    long checkRunId = addCheckRun(repo, required(body, "head_sha"), required(body, "name"),
                            body.path("status").asText(conclusion != null ? "completed" : "queued"), conclusion,
                            instant(body, "started_at"), instant(body, "completed_at"), body.path("app").asText(ACTIONS.slug()));
                    return Reply.json(201, checkRun(repo, checkRunId));
                }
                case "POST /_emulator/repository-settings": {
                    String repo = required(body, "repo");
                    synchronized (lock) {
                        Repo r = existingRepo(repo);
                        setMergeMethods(repo, body.path("allow_merge_commit").asBoolean(r.allowMergeCommit),
                                body.path("allow_squash_merge").asBoolean(r.allowSquashMerge),
                                body.path("allow_rebase_merge").asBoolean(r.allowRebaseMerge));
                        if (body.has("required_approving_review_count")) {
                            setRequiredApprovingReviews(repo, body.path("branch").asText(r.defaultBranch),
                                    body.get("required_approving_review_count").asInt());
                        }
                    }
                    return Reply.empty(204);
                }
                case "POST /_emulator/reviews":
                    approvePullRequest(required(body, "repo"), body.path("number").asInt(), required(body, "user"));
                    return Reply.empty(204);
                case "POST /_emulator/merged-pulls": {
                    List<PastPullRequest> pulls = new ArrayList<>();
                    for (JsonNode pull : body.path("pulls")) {
                        List<PastCheckRun> checks = new ArrayList<>();
                        for (JsonNode check : pull.path("check_runs")) {
                            checks.add(new PastCheckRun(required(check, "name"), check.path("status").asText(null),
                                    check.path("conclusion").asText(null), instant(check, "started_at"), instant(check, "completed_at")));
                        }
                        List<PastStatus> statuses = new ArrayList<>();
                        for (JsonNode status : pull.path("statuses")) {
                            statuses.add(new PastStatus(status.path("context").asText("default"), required(status, "state"),
                                    instant(status, "created_at")));
                        }
                        Instant created = instant(pull, "created_at");
                        Instant merged = instant(pull, "merged_at");
                        if (created == null || merged == null) {
                            throw new IllegalArgumentException("each pull needs created_at and merged_at");
                        }
                        pulls.add(new PastPullRequest(pull.path("title").asText(null), created, merged, checks, statuses));
                    }
                    String repo = required(body, "repo");
                    String base;
                    synchronized (lock) {
                        base = body.path("base").asText(existingRepo(repo).defaultBranch);
                    }
                    return Reply.json(201, addMergedPullRequests(repo, base, pulls).stream()
                            .map(m -> obj("number", m.number(), "head_sha", m.headSha(), "merge_commit_sha", m.mergeCommitSha())).toList());
                }
                case "POST /_emulator/deliveries":
                    return Reply.json(201, obj("path", deliverFrom(body).toString()));
                case "POST /_emulator/settings":
                    if (body.has("legacy_workflow_dispatch")) {
                        setLegacyWorkflowDispatch(body.get("legacy_workflow_dispatch").asBoolean());
                    }
                    if (body.has("rate_limit")) {
                        setRateLimit(body.get("rate_limit").asInt());
                    }
                    return Reply.empty(204);
                case "POST /_emulator/artifacts":
                    long id = addArtifact(required(body, "repo"), required(body, "name"),
                            Base64.getDecoder().decode(required(body, "zip_base64")), body.path("head_branch").asText(null),
                            body.path("head_repository").asText(null), body.hasNonNull("run_id") ? body.get("run_id").asLong() : null);
                    return Reply.json(201, obj("id", id));
                case "GET /_emulator/events":
                    synchronized (lock) {
                        return Reply.json(200, state.delivered.stream()
                                .filter(e -> !q.containsKey("repo") || e.repo().equalsIgnoreCase(q.get("repo")))
                                .map(e -> e.file().toString()).toList());
                    }
                case "GET /_emulator/runs":
                    return Reply.json(200, workflowRuns(requiredQuery(q, "repo")));
                case "GET /_emulator/issues":
                    return Reply.json(200, issues(requiredQuery(q, "repo")));
                case "GET /_emulator/comments":
                    return Reply.json(200, comments(requiredQuery(q, "repo"), Integer.parseInt(requiredQuery(q, "issue"))));
                case "GET /_emulator/refs":
                    return Reply.json(200, refs(requiredQuery(q, "repo")));
                case "POST /_emulator/clock":
                    advanceClock(Duration.ofSeconds(body.path("advance_seconds").asLong(0)));
                    return Reply.json(200, obj("now", format(now())));
                case "POST /_emulator/reset":
                    reset();
                    return Reply.empty(204);
                default:
                    return Reply.json(404, obj("message", "Not Found"));
            }
        } catch (IllegalArgumentException | IOException e) {
            return Reply.json(400, obj("message", String.valueOf(e.getMessage())));
        }
    }

    private Reply artifactBlob(long id) {
        synchronized (lock) {
            for (Repo repo : state.repos.values()) {
                Artifact artifact = artifact(repo, id);
                if (artifact != null) {
                    return new Reply(200, new LinkedHashMap<>(Map.of("content-type", "application/zip")), artifact.zip(), false, null, null);
                }
            }
        }
        return Reply.json(404, obj("message", "Not Found"));
    }

    /** {event: issues|pull_request|pull_request_target|workflow_run|check_run|check_suite, repo, ...}: the deliver methods' fields, in snake case. */
    private Path deliverFrom(JsonNode body) {
        String repo = required(body, "repo");
        return switch (required(body, "event")) {
            case "issues" -> deliverIssueAssigned(repo, body.path("issue").asInt(), required(body, "assignee"), required(body, "sender"));
            case "pull_request" -> deliverPullRequest(repo, body.path("number").asInt(), required(body, "action"));
            case "pull_request_target" -> deliverPullRequestTarget(repo, body.path("number").asInt(), required(body, "action"));
            case "check_run" -> deliverCheckRunCompleted(repo, body.path("check_run_id").asLong());
            case "check_suite" -> deliverCheckSuiteCompleted(repo, required(body, "head_sha"), required(body, "app"));
            case "workflow_run" -> {
                List<Integer> numbers = new ArrayList<>();
                body.path("pull_requests").forEach(n -> numbers.add(n.asInt()));
                yield deliverWorkflowRunCompleted(repo, required(body, "workflow"), required(body, "head_sha"), required(body, "conclusion"), numbers);
            }
            default -> throw new IllegalArgumentException("event must be issues, pull_request, pull_request_target, workflow_run, "
                    + "check_run or check_suite: " + body.get("event").asText());
        };
    }

    private static Fault faultFrom(JsonNode body) {
        Integer retryAfter = body.hasNonNull("retry_after") ? body.get("retry_after").asInt() : null;
        return switch (required(body, "fault")) {
            case "status" -> Fault.status(body.path("status").asInt(503));
            case "too_many_requests" -> Fault.tooManyRequests(retryAfter);
            case "secondary_rate_limit" -> Fault.secondaryRateLimit(retryAfter);
            case "primary_exhausted" -> Fault.primaryRateLimitExhausted(
                    body.path("reset").asLong(Instant.now().plusSeconds(60).getEpochSecond()));
            case "connection_reset" -> Fault.connectionReset();
            case "drop_after_accept" -> Fault.dropAfterAccept();
            case "delay" -> Fault.delay(body.path("millis").asLong(1000));
            case "stall" -> Fault.stall(body.path("millis").asLong(1000));
            case "undelivered" -> Fault.undelivered();
            default -> throw new IllegalArgumentException("unknown fault: " + body.get("fault").asText());
        };
    }

    /** An RFC 3339 time of an admin request, or null when absent. */
    private static Instant instant(JsonNode body, String field) {
        if (!body.hasNonNull(field)) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(body.get(field).asText()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(field + " is not an RFC 3339 time: " + body.get(field).asText());
        }
    }

    private static String required(JsonNode body, String field) {
        if (!body.hasNonNull(field) || body.get(field).asText().isEmpty()) {
            throw new IllegalArgumentException("missing field: " + field);
        }
        return body.get(field).asText();
    }

    private static String requiredQuery(Map<String, String> query, String name) {
        if (!query.containsKey(name)) {
            throw new IllegalArgumentException("missing query parameter: " + name);
        }
        return query.get(name);
    }

    private boolean hasRepository(String fullName) {
        synchronized (lock) {
            return state.repos.containsKey(fullName.toLowerCase(Locale.ROOT));
        }
    }

    private Repo existingRepo(String fullName) {
        Repo repo = state.repos.get(fullName.toLowerCase(Locale.ROOT));
        if (repo == null) {
            throw new IllegalArgumentException("no such repository: " + fullName);
        }
        return repo;
    }

    // ---------------------------------------------------------------------------------------------
    // JSON views of the model, shaped like GitHub's (see github/openapi and the webhook example)
    // ---------------------------------------------------------------------------------------------

    private String apiBase(Repo repo) {
        return url() + "/repos/" + repo.fullName();
    }

    private static String htmlBase(Repo repo) {
        return "https://github.com/" + repo.fullName();
    }

    private static final String[][] USER_URLS = {
            {"followers_url", "/followers"}, {"following_url", "/following{/other_user}"}, {"gists_url", "/gists{/gist_id}"},
            {"starred_url", "/starred{/owner}{/repo}"}, {"subscriptions_url", "/subscriptions"}, {"organizations_url", "/orgs"},
            {"repos_url", "/repos"}, {"events_url", "/events{/privacy}"}, {"received_events_url", "/received_events"}};

    private Map<String, Object> accountUrls(String login, String htmlUrl) {
        String api = url() + "/users/" + URLEncoder.encode(login, StandardCharsets.UTF_8);
        Map<String, Object> json = obj("url", api, "html_url", htmlUrl);
        for (String[] u : USER_URLS) {
            json.put(u[0], api + u[1]);
        }
        return json;
    }

    private Map<String, Object> userJson(User user) {
        boolean actions = user.login().equals(BOT_LOGIN);
        Map<String, Object> json = obj("login", user.login(), "id", user.id(), "node_id", nodeId(user.type(), user.id()),
                "avatar_url", actions ? "https://avatars.githubusercontent.com/in/15368?v=4"
                        : "https://avatars.githubusercontent.com/u/" + user.id() + "?v=4",
                "gravatar_id", "");
        json.putAll(accountUrls(user.login(), actions ? "https://github.com/apps/github-actions" : "https://github.com/" + user.login()));
        json.put("type", user.type());
        json.put("site_admin", false);
        return json;
    }

    private Map<String, Object> ownerJson(Repo repo) {
        Map<String, Object> json = obj("login", repo.owner, "id", repo.ownerId, "node_id", nodeId(repo.ownerType, repo.ownerId),
                "avatar_url", "https://avatars.githubusercontent.com/u/" + repo.ownerId + "?v=4", "gravatar_id", "");
        json.putAll(accountUrls(repo.owner, "https://github.com/" + repo.owner));
        json.put("type", repo.ownerType);
        json.put("site_admin", false);
        return json;
    }

    private Map<String, Object> organizationJson(Repo repo) {
        String api = url() + "/orgs/" + repo.owner;
        return obj("login", repo.owner, "id", repo.ownerId, "node_id", nodeId("Organization", repo.ownerId),
                "url", api, "repos_url", api + "/repos", "events_url", api + "/events", "hooks_url", api + "/hooks",
                "issues_url", api + "/issues", "members_url", api + "/members{/member}",
                "public_members_url", api + "/public_members{/member}",
                "avatar_url", "https://avatars.githubusercontent.com/u/" + repo.ownerId + "?v=4", "description", null);
    }

    private static final String[][] REPOSITORY_URLS = {
            {"forks_url", "/forks"}, {"keys_url", "/keys{/key_id}"}, {"collaborators_url", "/collaborators{/collaborator}"},
            {"teams_url", "/teams"}, {"hooks_url", "/hooks"}, {"issue_events_url", "/issues/events{/number}"},
            {"events_url", "/events"}, {"assignees_url", "/assignees{/user}"}, {"branches_url", "/branches{/branch}"},
            {"tags_url", "/tags"}, {"blobs_url", "/git/blobs{/sha}"}, {"git_tags_url", "/git/tags{/sha}"},
            {"git_refs_url", "/git/refs{/sha}"}, {"trees_url", "/git/trees{/sha}"}, {"statuses_url", "/statuses/{sha}"},
            {"languages_url", "/languages"}, {"stargazers_url", "/stargazers"}, {"contributors_url", "/contributors"},
            {"subscribers_url", "/subscribers"}, {"subscription_url", "/subscription"}, {"commits_url", "/commits{/sha}"},
            {"git_commits_url", "/git/commits{/sha}"}, {"comments_url", "/comments{/number}"},
            {"issue_comment_url", "/issues/comments{/number}"}, {"contents_url", "/contents/{+path}"},
            {"compare_url", "/compare/{base}...{head}"}, {"merges_url", "/merges"}, {"archive_url", "/{archive_format}{/ref}"},
            {"downloads_url", "/downloads"}, {"issues_url", "/issues{/number}"}, {"pulls_url", "/pulls{/number}"},
            {"milestones_url", "/milestones{/number}"}, {"notifications_url", "/notifications{?since,all,participating}"},
            {"labels_url", "/labels{/name}"}, {"releases_url", "/releases{/id}"}, {"deployments_url", "/deployments"}};

    /**
     * The repository of the issues, pull_request and workflow_run events: as in their examples, it has
     * {@code disabled}, which the repository_dispatch example lacks.
     */
    private Map<String, Object> eventRepositoryJson(Repo repo) {
        Map<String, Object> json = repositoryJson(repo);
        json.put("disabled", false);
        return json;
    }

    /**
     * The minimal repository of a combined status: the keys api.github.com answered with, recorded in @octokit/fixtures'
     * create-status (the required keys of the minimal-repository schema).
     */
    private Map<String, Object> minimalRepositoryJson(Repo repo) {
        String api = apiBase(repo);
        Map<String, Object> json = obj("id", repo.id, "node_id", nodeId("Repository", repo.id), "name", repo.name,
                "full_name", repo.fullName(), "private", false, "owner", ownerJson(repo), "html_url", htmlBase(repo),
                "description", null, "fork", repo.forkOf != null, "url", api);
        for (String[] u : REPOSITORY_URLS) {
            json.put(u[0], api + u[1]);
        }
        return json;
    }

    /** The repository object of a webhook payload, key for key as in repository_dispatch/payload.json. */
    private Map<String, Object> repositoryJson(Repo repo) {
        String html = htmlBase(repo);
        Map<String, Object> json = minimalRepositoryJson(repo);
        long openIssues = repo.issues.stream().filter(i -> i.state.equals("open")).count();
        json.putAll(obj("created_at", format(repo.createdAt), "updated_at", format(repo.createdAt),
                "pushed_at", format(repo.createdAt), "git_url", "git://github.com/" + repo.fullName() + ".git",
                "ssh_url", "git@github.com:" + repo.fullName() + ".git", "clone_url", html + ".git", "svn_url", html,
                "homepage", null, "size", 0, "stargazers_count", 0, "watchers_count", 0, "language", null,
                "has_issues", true, "has_projects", true, "has_downloads", true, "has_wiki", true, "has_pages", false,
                "forks_count", 0, "mirror_url", null, "archived", false, "open_issues_count", openIssues, "license", null,
                "forks", 0, "open_issues", openIssues, "watchers", 0, "default_branch", repo.defaultBranch,
                "is_template", false, "topics", List.of(), "visibility", "public", "web_commit_signoff_required", false,
                "custom_properties", Map.of()));
        return json;
    }

    /** An issue, or the issue side of a pull request (with draft and pull_request, as GitHub lists them). */
    private Map<String, Object> issueJson(Repo repo, Issue issue) {
        String api = apiBase(repo) + "/issues/" + issue.number;
        Map<String, Object> json = obj("id", issue.id, "node_id", nodeId("Issue", issue.id), "url", api, "repository_url", apiBase(repo),
                "labels_url", api + "/labels{/name}", "comments_url", api + "/comments", "events_url", api + "/events",
                "html_url", htmlBase(repo) + (issue.pull == null ? "/issues/" : "/pull/") + issue.number, "number", issue.number,
                "state", issue.state, "title", issue.title, "body", issue.body, "user", userJson(issue.user),
                "labels", issue.labels.stream().map(l -> labelJson(repo, l)).toList(),
                "assignee", issue.assignees.isEmpty() ? null : userJson(issue.assignees.get(0)),
                "assignees", issue.assignees.stream().map(this::userJson).toList(), "milestone", null, "locked", issue.locked,
                "active_lock_reason", issue.lockReason, "comments", issue.comments, "closed_at", issue.closedAt == null ? null : format(issue.closedAt),
                "created_at", format(issue.createdAt), "updated_at", format(issue.updatedAt),
                "closed_by", issue.closedBy == null ? null : userJson(issue.closedBy),
                "author_association", association(issue.user), "type", null, "state_reason", issue.stateReason,
                "reactions", reactionSummary(api + "/reactions", List.of()), "timeline_url", api + "/timeline",
                "performed_via_github_app", null);
        if (issue.pull != null) {
            String html = htmlBase(repo) + "/pull/" + issue.number;
            json.put("draft", issue.pull.draft);
            json.put("pull_request", obj("url", apiBase(repo) + "/pulls/" + issue.number, "html_url", html,
                    "diff_url", html + ".diff", "patch_url", html + ".patch",
                    "merged_at", issue.pull.mergedAt == null ? null : format(issue.pull.mergedAt)));
        }
        return json;
    }

    /**
     * A pull request: as pulls/list shows it, or (full) as pulls/get and the pull_request webhook do,
     * with merged, mergeable, mergeable_state, counts and diff statistics (whole files: a changed file's
     * lines count as deleted and added).
     */
    private Map<String, Object> pullJson(Repo repo, PullRequest pr, boolean full) {
        Issue issue = pr.issue;
        String api = apiBase(repo) + "/pulls/" + issue.number;
        String issueApi = apiBase(repo) + "/issues/" + issue.number;
        String html = htmlBase(repo) + "/pull/" + issue.number;
        String mergeableState = mergeableState(repo, pr);
        Boolean mergeable = mergeableState.equals("unknown") ? null : !mergeableState.equals("dirty");
        Map<String, Object> json = obj("url", api, "id", pr.id, "node_id", nodeId("PullRequest", pr.id), "html_url", html,
                "diff_url", html + ".diff", "patch_url", html + ".patch", "issue_url", issueApi,
                "commits_url", api + "/commits", "review_comments_url", api + "/comments",
                "review_comment_url", apiBase(repo) + "/pulls/comments{/number}", "comments_url", issueApi + "/comments",
                "statuses_url", apiBase(repo) + "/statuses/" + pr.headSha, "number", issue.number, "state", issue.state,
                "locked", issue.locked, "title", issue.title, "user", userJson(issue.user), "body", issue.body,
                "labels", issue.labels.stream().map(l -> labelJson(repo, l)).toList(), "milestone", null,
                "active_lock_reason", issue.lockReason, "created_at", format(issue.createdAt), "updated_at", format(issue.updatedAt),
                "closed_at", issue.closedAt == null ? null : format(issue.closedAt),
                "merged_at", pr.mergedAt == null ? null : format(pr.mergedAt),
                // Before a merge: the test merge commit GitHub makes when mergeable; after: the merge's commit.
                "merge_commit_sha", pr.merged ? pr.mergeCommitSha
                        : Boolean.TRUE.equals(mergeable) ? sha("test-merge:" + pr.baseSha + pr.headSha) : null,
                "assignee", issue.assignees.isEmpty() ? null : userJson(issue.assignees.get(0)),
                "assignees", issue.assignees.stream().map(this::userJson).toList(),
                "requested_reviewers", List.of(), "requested_teams", List.of(),
                "head", pullBranchJson(pr.headRepo, pr.headRef, pr.headSha),
                "base", pullBranchJson(repo, pr.baseRef, pr.baseSha),
                "_links", obj("self", obj("href", api), "html", obj("href", html), "issue", obj("href", issueApi),
                        "comments", obj("href", issueApi + "/comments"), "review_comments", obj("href", api + "/comments"),
                        "review_comment", obj("href", apiBase(repo) + "/pulls/comments{/number}"),
                        "commits", obj("href", api + "/commits"), "statuses", obj("href", apiBase(repo) + "/statuses/" + pr.headSha)),
                "author_association", association(issue.user), "auto_merge", null, "draft", pr.draft);
        if (full) {
            Map<String, String> baseFiles = repo.files(pr.baseSha);
            Map<String, String> headFiles = repo.files(pr.headSha);
            Set<String> paths = new TreeSet<>(baseFiles.keySet());
            paths.addAll(headFiles.keySet());
            int changed = 0;
            int additions = 0;
            int deletions = 0;
            for (String path : paths) {
                if (!java.util.Objects.equals(baseFiles.get(path), headFiles.get(path))) {
                    changed++;
                    additions += headFiles.containsKey(path) ? lines(repo.blobs.get(headFiles.get(path))) : 0;
                    deletions += baseFiles.containsKey(path) ? lines(repo.blobs.get(baseFiles.get(path))) : 0;
                }
            }
            Set<String> onBase = repo.ancestors(pr.baseSha);
            long commits = repo.ancestors(pr.headSha).stream().filter(c -> !onBase.contains(c)).count();
            json.putAll(obj("merged", pr.merged, "mergeable", mergeable, "rebaseable", mergeable, "mergeable_state", mergeableState,
                    "merged_by", pr.mergedBy == null ? null : userJson(pr.mergedBy), "comments", issue.comments, "review_comments", 0,
                    "maintainer_can_modify", pr.maintainerCanModify, "commits", commits, "additions", additions,
                    "deletions", deletions, "changed_files", changed));
        }
        return json;
    }

    private static int lines(byte[] content) {
        int lines = 0;
        for (byte b : content) {
            lines += b == '\n' ? 1 : 0;
        }
        return content.length > 0 && content[content.length - 1] != '\n' ? lines + 1 : lines;
    }

    /** A pull request's head or base: label OWNER:REF, the commit, the owner and the repository. */
    private Map<String, Object> pullBranchJson(Repo repo, String ref, String sha) {
        Map<String, Object> repository = repositoryJson(repo);
        repository.put("disabled", false);
        repository.put("has_discussions", false);
        repository.put("allow_forking", true);
        return obj("label", repo.owner + ":" + ref, "ref", ref, "sha", sha, "user", ownerJson(repo), "repo", repository);
    }

    private Map<String, Object> statusJson(Repo repo, CommitStatus status, boolean withCreator) {
        Map<String, Object> json = obj("url", apiBase(repo) + "/statuses/" + status.sha(),
                "avatar_url", userJson(status.creator()).get("avatar_url"), "id", status.id(), "node_id", nodeId("StatusContext", status.id()),
                "state", status.state(), "description", status.description(), "target_url", status.targetUrl(),
                "context", status.context(), "created_at", format(status.createdAt()), "updated_at", format(status.createdAt()));
        if (withCreator) {
            json.put("creator", userJson(status.creator()));
        }
        return json;
    }

    private Map<String, Object> labelJson(Repo repo, Label label) {
        return obj("id", label.id(), "node_id", nodeId("Label", label.id()),
                "url", apiBase(repo) + "/labels/" + URLEncoder.encode(label.name(), StandardCharsets.UTF_8).replace("+", "%20"),
                "name", label.name(), "color", label.color(), "default", false, "description", label.description());
    }

    private Map<String, Object> commentJson(Repo repo, Comment comment) {
        String api = apiBase(repo) + "/issues/comments/" + comment.id;
        return obj("id", comment.id, "node_id", nodeId("IssueComment", comment.id), "url", api,
                "html_url", htmlBase(repo) + "/issues/" + comment.issue.number + "#issuecomment-" + comment.id,
                "body", comment.body, "user", userJson(comment.user),
                "created_at", format(comment.createdAt), "updated_at", format(comment.updatedAt),
                "issue_url", apiBase(repo) + "/issues/" + comment.issue.number,
                "author_association", association(comment.user), "performed_via_github_app", null,
                "reactions", reactionSummary(api + "/reactions", comment.reactions));
    }

    /** github-actions[bot] comments show NONE, as on GitHub; collaborators COLLABORATOR. */
    private static String association(User user) {
        return !user.isBot() && user.collaborator() ? "COLLABORATOR" : "NONE";
    }

    private static Map<String, Object> reactionSummary(String url, List<Reaction> reactions) {
        Map<String, Object> json = obj("url", url, "total_count", reactions.size());
        for (String content : List.of("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")) {
            json.put(content, reactions.stream().filter(r -> r.content().equals(content)).count());
        }
        return json;
    }

    private Map<String, Object> reactionJson(Reaction reaction) {
        return obj("id", reaction.id(), "node_id", nodeId("Reaction", reaction.id()), "user", userJson(reaction.user()),
                "content", reaction.content(), "created_at", format(reaction.createdAt()));
    }

    private Map<String, Object> refJson(Repo repo, String ref, String sha) {
        return obj("ref", ref, "node_id", nodeId("Ref", ref), "url", apiBase(repo) + "/git/" + ref,
                "object", obj("type", "commit", "sha", sha, "url", apiBase(repo) + "/git/commits/" + sha));
    }

    private Map<String, Object> workflowJson(Repo repo, Workflow workflow) {
        return obj("id", workflow.id(), "node_id", nodeId("Workflow", workflow.id()), "name", workflow.displayName(),
                "path", workflow.path(), "state", "active", "created_at", format(workflow.createdAt()),
                "updated_at", format(workflow.createdAt()), "url", apiBase(repo) + "/actions/workflows/" + workflow.id(),
                "html_url", htmlBase(repo) + "/blob/" + repo.defaultBranch + "/" + workflow.path(),
                "badge_url", htmlBase(repo) + "/workflows/" + workflow.path() + "/badge.svg");
    }

    private Map<String, Object> runJson(Repo repo, WorkflowRun run) {
        String api = apiBase(repo) + "/actions/runs/" + run.id();
        long checkSuiteId = run.id() + 1_000_000L;
        Map<String, Object> repository = repositoryJson(repo);
        GitCommit head = repo.gitCommits.get(run.headSha());
        return obj("id", run.id(), "name", run.workflow().displayName(), "node_id", nodeId("WorkflowRun", run.id()),
                "check_suite_id", checkSuiteId, "check_suite_node_id", nodeId("CheckSuite", checkSuiteId),
                "head_branch", run.headBranch(), "head_sha", run.headSha(), "path", run.workflow().path(),
                "display_title", run.workflow().displayTitle(run.inputs()), "run_number", run.runNumber(), "event", run.event(),
                "status", run.status(), "conclusion", run.conclusion(), "workflow_id", run.workflow().id(), "url", api,
                "html_url", htmlBase(repo) + "/actions/runs/" + run.id(),
                "pull_requests", run.pullRequests().stream().map(p -> runPullJson(repo, p)).toList(),
                "created_at", format(run.createdAt()), "updated_at", format(run.createdAt()),
                "actor", userJson(run.actor()), "run_attempt", 1, "referenced_workflows", List.of(),
                "run_started_at", format(run.createdAt()), "triggering_actor", userJson(run.actor()),
                "jobs_url", api + "/jobs", "logs_url", api + "/logs",
                "check_suite_url", apiBase(repo) + "/check-suites/" + checkSuiteId, "artifacts_url", api + "/artifacts",
                "cancel_url", api + "/cancel", "rerun_url", api + "/rerun", "previous_attempt_url", null,
                "workflow_url", apiBase(repo) + "/actions/workflows/" + run.workflow().id(),
                "head_commit", obj("id", run.headSha(), "tree_id", head == null ? sha("tree:" + run.headSha()) : head.tree(),
                        "message", head == null ? "Initial commit" : head.message(),
                        "timestamp", format(head == null ? repo.createdAt : head.date()),
                        "author", obj("name", "Octo Cat", "email", "octocat@github.com"),
                        "committer", obj("name", "GitHub", "email", "noreply@github.com")),
                "repository", repository, "head_repository", run.headRepo() == null ? repository : repositoryJson(run.headRepo()));
    }

    /** An app as GET /app and a check run's app show it (the integration schema). */
    private Map<String, Object> appJson(App app) {
        Map<String, Object> owner = obj("login", app.ownerLogin(), "id", app.ownerId(), "node_id", nodeId("Organization", app.ownerId()),
                "avatar_url", "https://avatars.githubusercontent.com/u/" + app.ownerId() + "?v=4", "gravatar_id", "");
        owner.putAll(accountUrls(app.ownerLogin(), "https://github.com/" + app.ownerLogin()));
        owner.put("type", "Organization");
        owner.put("site_admin", false);
        return obj("id", app.id(), "slug", app.slug(), "client_id", app.clientId(), "node_id", nodeId("App", app.id()),
                "owner", owner, "name", app.name(), "description", app.description(), "external_url", app.externalUrl(),
                "html_url", "https://github.com/apps/" + app.slug(), "created_at", format(app.createdAt()),
                "updated_at", format(app.updatedAt()),
                "permissions", app == ACTIONS ? obj("actions", "write", "contents", "write", "issues", "write", "metadata", "read")
                        : obj("checks", "write", "metadata", "read"),
                "events", List.of());
    }

    /**
     * A check run as checks/get and checks/list-for-ref show it (the check-run schema, key for key as its example);
     * pull_requests are "open with a head_sha ... that matches the check", and none from a fork ("Pushes to a branch in a
     * forked repository are not detected and return an empty pull_requests array").
     */
    private Map<String, Object> checkRunJson(Repo repo, CheckRun run) {
        String api = apiBase(repo) + "/check-runs/" + run.id;
        return obj("id", run.id, "head_sha", run.headSha(), "node_id", nodeId("CheckRun", run.id), "external_id", run.externalId,
                "url", api, "html_url", htmlBase(repo) + "/runs/" + run.id,
                "details_url", run.detailsUrl != null ? run.detailsUrl : run.suite.app.externalUrl(),
                "status", run.status, "conclusion", run.conclusion,
                "started_at", run.startedAt == null ? null : format(run.startedAt),
                "completed_at", run.completedAt == null ? null : format(run.completedAt),
                "output", obj("title", run.title, "summary", run.summary, "text", run.text, "annotations_count", 0,
                        "annotations_url", api + "/annotations"),
                "name", run.name, "check_suite", obj("id", run.suite.id), "app", appJson(run.suite.app),
                "pull_requests", checkPulls(repo, run.headSha()));
    }

    /** A check suite as the check_run and check_suite events show it (full: with latest_check_runs_count, check_runs_url, head_commit). */
    private Map<String, Object> suiteJson(Repo repo, CheckSuite suite, boolean full) {
        String status = suiteStatus(repo, suite);
        GitCommit head = repo.gitCommits.get(suite.headSha);
        String before = head == null || head.parents().isEmpty() ? "0000000000000000000000000000000000000000" : head.parents().get(0);
        Map<String, Object> json = obj("id", suite.id, "node_id", nodeId("CheckSuite", suite.id), "head_branch", suite.headBranch,
                "head_sha", suite.headSha, "status", status, "conclusion", status.equals("completed") ? suiteConclusion(repo, suite) : null,
                "url", apiBase(repo) + "/check-suites/" + suite.id, "before", before, "after", suite.headSha,
                "pull_requests", checkPulls(repo, suite.headSha), "app", appJson(suite.app),
                "created_at", format(suite.createdAt), "updated_at", format(suite.updatedAt));
        if (full) {
            json.put("latest_check_runs_count", repo.checkRuns.stream().filter(c -> c.suite == suite).map(c -> c.name).distinct().count());
            json.put("check_runs_url", apiBase(repo) + "/check-suites/" + suite.id + "/check-runs");
            json.put("head_commit", obj("id", suite.headSha, "tree_id", head == null ? EMPTY_TREE : head.tree(),
                    "message", head == null ? "" : head.message(), "timestamp", format(head == null ? suite.createdAt : head.date()),
                    "author", obj("name", "Octo Cat", "email", "octocat@github.com"),
                    "committer", obj("name", "GitHub", "email", "noreply@github.com")));
        }
        return json;
    }

    private List<Map<String, Object>> checkPulls(Repo repo, String sha) {
        return repo.pulls().stream().filter(p -> p.open() && p.headRepo == repo && p.headSha.equals(sha))
                .map(p -> runPullJson(repo, p)).toList();
    }

    /** A pull request as a workflow run lists it: numbers, refs, shas and the repositories' ids. */
    private Map<String, Object> runPullJson(Repo repo, PullRequest pr) {
        return obj("url", apiBase(repo) + "/pulls/" + pr.issue.number, "id", pr.id, "number", pr.issue.number,
                "head", obj("ref", pr.headRef, "sha", pr.headSha,
                        "repo", obj("id", pr.headRepo.id, "url", apiBase(pr.headRepo), "name", pr.headRepo.name)),
                "base", obj("ref", pr.baseRef, "sha", pr.baseSha, "repo", obj("id", repo.id, "url", apiBase(repo), "name", repo.name)));
    }

    private Map<String, Object> artifactJson(Repo repo, Artifact artifact) {
        String api = apiBase(repo) + "/actions/artifacts/" + artifact.id();
        return obj("id", artifact.id(), "node_id", nodeId("Artifact", artifact.id()), "name", artifact.name(),
                "size_in_bytes", artifact.zip().length, "url", api, "archive_download_url", api + "/zip", "expired", false,
                "created_at", format(artifact.createdAt()), "expires_at", format(artifact.createdAt().plus(Duration.ofDays(90))),
                "updated_at", format(artifact.createdAt()),
                "digest", "sha256:" + HexFormat.of().formatHex(digest("SHA-256", artifact.zip())),
                "workflow_run", obj("id", artifact.runId(), "repository_id", artifact.repositoryId(),
                        "head_repository_id", artifact.headRepositoryId(), "head_branch", artifact.headBranch(),
                        "head_sha", artifact.headSha()));
    }

    /** GitHub's legacy global node ids: base64 of "0" + type length + ":" + type + id. */
    private static String nodeId(String type, Object id) {
        return Base64.getEncoder().encodeToString(("0" + type.length() + ":" + type + id).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> errorBody(String message, String docs, int status, List<?> errors) {
        Map<String, Object> json = obj("message", message);
        if (errors != null) {
            json.put("errors", errors);
        }
        json.put("documentation_url", docs);
        json.put("status", String.valueOf(status));
        return json;
    }

    private static ApiError error(int status, String message, String docs) {
        return new ApiError(Reply.json(status, errorBody(message, docs, status, null)));
    }

    private static ApiError validationFailed(String docs, List<?> errors) {
        return new ApiError(Reply.json(422, errorBody("Validation Failed", docs, 422, errors)));
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers
    // ---------------------------------------------------------------------------------------------

    /** An ordered JSON object from alternating keys and values. */
    static Map<String, Object> obj(Object... keysAndValues) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            json.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return json;
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean anyMethod(String method) {
        return method == null || method.equals("*");
    }

    /** GitHub's clock: the machine's, moved on by {@link #advanceClock}; whole seconds, as GitHub's timestamps. */
    private Instant now() {
        return Instant.now().plus(clockOffset).truncatedTo(ChronoUnit.SECONDS);
    }

    private static String format(Instant instant) {
        return instant.toString();
    }

    private static Instant parseInstant(String value) {
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** GitHub counts characters, not UTF-16 units. */
    private static int characters(String text) {
        return text.codePointCount(0, text.length());
    }

    private static String sha(String seed) {
        return HexFormat.of().formatHex(digest("SHA-1", seed.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] md5(byte[] bytes) {
        return digest("MD5", bytes);
    }

    private static byte[] digest(String algorithm, byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return String.format("%04X:%06X:%06X:%06X:%08X", r.nextInt(0x10000), r.nextInt(0x1000000), r.nextInt(0x1000000),
                r.nextInt(0x1000000), REQUEST_COUNTER.incrementAndGet());
    }

    private static final java.util.concurrent.atomic.AtomicInteger REQUEST_COUNTER = new java.util.concurrent.atomic.AtomicInteger();

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 500 -> "Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            default -> "HTTP " + status;
        };
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }

    /** WireMock's own messages go to stderr: stdout carries only the URL. */
    private static final class StderrNotifier implements Notifier {
        @Override
        public void info(String message) {}

        @Override
        public void error(String message) {
            System.err.println("[emulator] " + message);
        }

        @Override
        public void error(String message, Throwable t) {
            System.err.println("[emulator] " + message + ": " + t);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // GitHub's OpenAPI description: routing, path parameters, request body schemas
    // ---------------------------------------------------------------------------------------------

    record Operation(String id, String method, Pattern path, List<String> paramNames, Set<String> integerParams,
            Schema requestBody, String docs) {}

    record Route(Operation operation, Map<String, String> params) {}

    private record OpenApi(List<Operation> operations) {
        /** Reads github/openapi/ from the class path: Maven's test resources or the JBang jar (//FILES). */
        static OpenApi load() {
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30());
            List<Operation> operations = new ArrayList<>();
            for (JsonNode entry : resource("github/openapi/index.json")) {
                JsonNode spec = resource("github/openapi/" + entry.get("file").asText());
                List<String> names = new ArrayList<>();
                // {ref} may hold slashes (heads/feature/x); every other parameter is one path segment.
                Matcher m = Pattern.compile("\\{([^}]+)}").matcher(spec.get("path").asText());
                StringBuilder regex = new StringBuilder();
                int last = 0;
                while (m.find()) {
                    regex.append(Pattern.quote(spec.get("path").asText().substring(last, m.start())));
                    regex.append(List.of("ref", "path").contains(m.group(1)) ? "(.+)" : "([^/]+)");
                    names.add(m.group(1));
                    last = m.end();
                }
                regex.append(Pattern.quote(spec.get("path").asText().substring(last)));
                Set<String> integers = new LinkedHashSet<>();
                for (JsonNode p : spec.path("parameters")) {
                    if (p.path("in").asText().equals("path") && p.path("schema").path("type").asText().equals("integer")) {
                        integers.add(p.get("name").asText());
                    }
                }
                JsonNode schema = spec.path("requestBody").path("content").path("application/json").path("schema");
                operations.add(new Operation(spec.get("operationId").asText(), spec.get("method").asText(),
                        Pattern.compile(regex.toString()), names, integers,
                        schema.isMissingNode() ? null : registry.getSchema(schema),
                        spec.path("externalDocs").path("url").asText(GENERIC_DOCS)));
            }
            return new OpenApi(List.copyOf(operations));
        }

        /** The operation for a method and decoded path; integer parameters that are not numbers do not match (404). */
        Route route(String method, String path) {
            for (Operation op : operations) {
                Matcher m = op.path().matcher(path);
                if (op.method().equals(method) && m.matches()) {
                    Map<String, String> params = new LinkedHashMap<>();
                    for (int i = 0; i < op.paramNames().size(); i++) {
                        params.put(op.paramNames().get(i), m.group(i + 1));
                    }
                    boolean numeric = op.integerParams().stream().allMatch(p -> params.get(p).matches("\\d{1,18}"));
                    if (numeric) {
                        return new Route(op, params);
                    }
                }
            }
            return null;
        }

        private static JsonNode resource(String name) {
            try (InputStream in = GitHubEmulator.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing class-path resource " + name + " (tests/github/, bundled by //FILES)");
                }
                return JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Schema violations in the wording of GitHub's validator ("For 'properties/x', 5 is not an object."). */
    static final class SchemaMessages {
        static String describe(List<com.networknt.schema.Error> errors) {
            List<String> lines = new ArrayList<>();
            for (com.networknt.schema.Error e : errors) {
                String path = e.getEvaluationPath().toString();
                if (path.matches(".*/(oneOf|anyOf)/\\d+/.*")) {
                    continue; // the oneOf error itself says it better than each branch
                }
                String where = path.substring(0, Math.max(0, path.lastIndexOf('/'))).replaceFirst("^/", "");
                String prefix = "For '" + (where.isEmpty() ? "links/0/schema" : where) + "', ";
                JsonNode value = e.getInstanceNode();
                Object[] args = e.getArguments();
                lines.add(switch (e.getKeyword()) {
                    case "required" -> "\"" + e.getProperty() + "\" wasn't supplied.";
                    case "type" -> prefix + show(value) + " is not " + article(String.valueOf(args[1])) + ".";
                    case "oneOf", "anyOf" -> prefix + show(value) + " is not " + alternatives(e.getSchemaNode()) + ".";
                    case "maxProperties" -> prefix + "no more than " + args[0] + " properties are allowed; "
                            + value.size() + " were supplied.";
                    case "maxLength" -> prefix + show(value) + " is too long (maximum is " + characters(args[0]) + ").";
                    case "minLength" -> prefix + show(value) + " is too short (minimum is " + characters(args[0]) + ").";
                    case "enum" -> prefix + show(value) + " is not a member of " + args[0] + ".";
                    case "additionalProperties" -> "\"" + e.getProperty() + "\" is not a permitted key.";
                    default -> prefix + show(value) + " " + e.getMessage() + ".";
                });
            }
            return String.join("\n", lines);
        }

        private static String characters(Object n) {
            return n + (String.valueOf(n).equals("1") ? " character" : " characters");
        }

        /** Values as GitHub's Ruby validator prints them: null is nil. */
        static String show(JsonNode value) {
            return value == null || value.isNull() ? "nil" : value.toString();
        }

        private static String article(String type) {
            return (type.matches("[aeiou].*") ? "an " : "a ") + type;
        }

        private static String alternatives(JsonNode branches) {
            List<String> types = new ArrayList<>();
            for (JsonNode branch : branches) {
                types.add(article(branch.path("type").asText("value")));
            }
            return String.join(" or ", types);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Requests and replies
    // ---------------------------------------------------------------------------------------------

    /** One incoming request, decoded once. */
    record Call(String method, String rawPath, String path, String rawQuery, Map<String, String> query,
            Map<String, String> headers, byte[] body) {

        static Call from(LoggedRequest request) {
            String url = request.getUrl();
            int q = url.indexOf('?');
            String rawPath = q < 0 ? url : url.substring(0, q);
            String rawQuery = q < 0 ? "" : url.substring(q + 1);
            Map<String, String> query = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    query.put(decode(eq < 0 ? pair : pair.substring(0, eq), true), eq < 0 ? "" : decode(pair.substring(eq + 1), true));
                }
            }
            Map<String, String> headers = new TreeMap<>();
            for (HttpHeader header : request.getHeaders().all()) {
                headers.put(header.key().toLowerCase(Locale.ROOT), String.join(", ", header.values()));
            }
            byte[] body = request.getBody() == null ? new byte[0] : request.getBody();
            return new Call(request.getMethod().getName(), rawPath, decode(rawPath, false), rawQuery, query, headers, body);
        }

        private static String decode(String text, boolean plusIsSpace) {
            try {
                return URLDecoder.decode(plusIsSpace ? text : text.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return text;
            }
        }

        String header(String name) {
            return headers.get(name);
        }

        /** The same request routed as another path (the raw path, as received, is kept for the journal). */
        Call withPath(String routed) {
            return new Call(method, rawPath, routed, rawQuery, query, headers, body);
        }

        /** The token from "Authorization: Bearer T" or "token T". */
        String token() {
            String authorization = header("authorization");
            if (authorization == null) {
                return null;
            }
            String[] parts = authorization.trim().split("\\s+", 2);
            return parts.length == 2 && (parts[0].equalsIgnoreCase("bearer") || parts[0].equalsIgnoreCase("token"))
                    ? parts[1] : authorization.trim();
        }

        Map<String, String> journalHeaders() {
            Map<String, String> copy = new TreeMap<>(headers);
            copy.computeIfPresent("authorization", (k, v) -> "REDACTED");
            return copy;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An API request after routing and checks, as the operation handlers see it. */
    record Ctx(Call call, Operation op, Map<String, String> params, User user, Repo repo, JsonNode body, String apiVersion) {
        ApiError error(int status, String message) {
            return GitHubEmulator.error(status, message, op.docs());
        }

        ApiError validationFailed(Map<String, Object> error) {
            return new ApiError(Reply.json(422, errorBody("Validation Failed", op.docs(), 422, List.of(error))));
        }
    }

    /** What to answer: status, headers, body; or a WireMock socket fault; optionally late. */
    record Reply(int status, Map<String, String> headers, byte[] body, boolean counted,
            com.github.tomakehurst.wiremock.http.Fault wireFault, Long delayMillis) {

        static Reply json(int status, Object body) {
            try {
                return new Reply(status, new LinkedHashMap<>(), JSON.writeValueAsBytes(body), true, null, null);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply empty(int status) {
            return new Reply(status, new LinkedHashMap<>(), new byte[0], true, null, null);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Reply(status, copy, body, counted, wireFault, delayMillis);
        }

        Reply uncounted() {
            return new Reply(status, headers, body, false, wireFault, delayMillis);
        }

        Reply withWireFault(com.github.tomakehurst.wiremock.http.Fault fault) {
            return new Reply(status, headers, body, counted, fault, delayMillis);
        }

        Reply dropped() {
            return withWireFault(com.github.tomakehurst.wiremock.http.Fault.EMPTY_RESPONSE);
        }

        Reply delayed(long millis) {
            return new Reply(status, headers, body, counted, wireFault, millis);
        }

        ResponseDefinition toDefinition() {
            ResponseDefinitionBuilder builder = ResponseDefinitionBuilder.responseDefinition();
            if (wireFault != null) {
                builder.withFault(wireFault);
                return (delayMillis != null ? builder.withFixedDelay((int) Math.min(Integer.MAX_VALUE, delayMillis)) : builder).build();
            }
            builder.withStatus(status);
            headers.forEach(builder::withHeader);
            if (body.length > 0) {
                builder.withBody(body);
            }
            if (delayMillis != null) {
                builder.withFixedDelay((int) Math.min(Integer.MAX_VALUE, delayMillis));
            }
            return builder.build();
        }
    }

    /** Thrown by checks and handlers to answer with an error at once. */
    static final class ApiError extends RuntimeException {
        final transient Reply reply;

        ApiError(Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The model
    // ---------------------------------------------------------------------------------------------

    /** Everything {@link #reset} forgets. Ids start where GitHub's are today (several beyond 2^31). */
    private static final class State {
        final Map<String, User> usersByToken = new HashMap<>();
        final Map<String, Map<String, String>> tokenPermissions = new HashMap<>(); // tokens with only these permissions (addInstallationToken)
        final Map<String, User> usersByLogin = new HashMap<>(); // by lower-case login: accounts without a token here
        final Map<String, Repo> repos = new LinkedHashMap<>(); // by lower-case full name
        final Map<String, Repo> renamedFrom = new HashMap<>(); // by lower-case former full name
        final Map<Long, Comment> comments = new TreeMap<>(); // by id, which is creation order
        final Map<String, RateBucket> buckets = new HashMap<>(); // by login; "" is unauthenticated
        int rateLimit = RATE_LIMIT; // of each token, per hour (setRateLimit)
        final List<Delivered> delivered = new ArrayList<>();
        int eventSequence;
        long nextUserId = 190_000_001L;
        long nextRepoId = 912_000_001L;
        long nextOwnerId = 6811672L;
        long nextIssueId = 3_400_000_001L;
        long nextCommentId = 3_100_000_001L;
        long nextLabelId = 8_900_000_001L;
        long nextReactionId = 310_000_001L;
        long nextWorkflowId = 161_335L;
        long nextRunId = 19_800_000_001L;
        long nextArtifactId = 4_200_000_001L;
        long nextPullId = 2_900_000_001L;
        long nextStatusId = 39_000_000_001L;
        long nextCheckRunId = 28_000_000_001L;
        long nextCheckSuiteId = 26_000_000_001L;
        long nextAppId = 1_100_001L;
        long nextArtifactRunId = 19_900_000_001L; // runs behind artifacts added without a run of the model
        final Map<String, App> apps = new LinkedHashMap<>(); // by slug: the apps that made check runs

        State() {
            usersByToken.put(DEFAULT_TOKEN, new User(BOT_LOGIN, BOT_ID, "Bot", true));
            apps.put(ACTIONS.slug(), ACTIONS);
            Repo repo = new Repo(17273051L, nextOwnerId++, "octo-org", "octo-repo", "main", Instant.parse("2024-01-01T00:00:00Z"));
            repo.branch("main", sha(DEFAULT_REPOSITORY + "@main"));
            repos.put(DEFAULT_REPOSITORY, repo);
        }
    }

    record User(String login, long id, String type, boolean collaborator) {
        boolean isBot() {
            return type.equals("Bot");
        }

        boolean canWrite() {
            return collaborator;
        }
    }

    static final class Repo {
        final long id;
        final long ownerId;
        String owner; // renameRepository changes them
        String name;
        final String defaultBranch;
        final Instant createdAt;
        String ownerType = "Organization"; // a fork's owner is a user
        Repo forkOf; // the parent, for a fork
        final Map<String, String> refs = new TreeMap<>(); // full ref name -> commit sha
        final Set<String> commits = new LinkedHashSet<>();
        /** The git objects behind the files API: commits by sha, trees (path -> blob sha) by sha, blobs by sha. */
        final Map<String, GitCommit> gitCommits = new HashMap<>();
        final Map<String, Map<String, String>> trees = new HashMap<>();
        final Map<String, byte[]> blobs = new HashMap<>();
        final List<Issue> issues = new ArrayList<>();
        final Set<Integer> deletedIssues = new HashSet<>(); // their numbers answer 410 Gone
        final Map<String, Label> labels = new LinkedHashMap<>(); // by lower-case name
        final List<Workflow> workflows = new ArrayList<>();
        final List<WorkflowRun> runs = new ArrayList<>();
        final List<Artifact> artifacts = new ArrayList<>();
        final List<CommitStatus> statuses = new ArrayList<>(); // oldest first
        final List<CheckRun> checkRuns = new ArrayList<>(); // oldest first
        final List<CheckSuite> checkSuites = new ArrayList<>();
        int issueSequence; // issues and pull requests share their numbers, as on GitHub
        /** The merge buttons of the repository's settings, as repos/get shows them (all allowed by default, as on GitHub). */
        boolean allowMergeCommit = true;
        boolean allowSquashMerge = true;
        boolean allowRebaseMerge = true;
        /** Branch protection's "require approvals": base branch -> approving reviews required before a merge. */
        final Map<String, Integer> requiredApprovals = new HashMap<>();
        /** Ref name prefixes a rule refuses to create (refuseRefs). */
        final List<String> refusedRefPrefixes = new ArrayList<>();

        Repo(long id, long ownerId, String owner, String name, String defaultBranch, Instant createdAt) {
            this.id = id;
            this.ownerId = ownerId;
            this.owner = owner;
            this.name = name;
            this.defaultBranch = defaultBranch;
            this.createdAt = createdAt;
        }

        String fullName() {
            return owner + "/" + name;
        }

        void branch(String branch, String sha) {
            refs.put("refs/heads/" + branch, sha);
            commits.add(sha);
            trees.putIfAbsent(EMPTY_TREE, Map.of());
            gitCommits.putIfAbsent(sha, new GitCommit(sha, EMPTY_TREE, List.of(), "Initial commit", createdAt));
        }

        /** The files of a commit: path -> blob sha. */
        Map<String, String> files(String commit) {
            return trees.getOrDefault(gitCommits.get(commit).tree(), Map.of());
        }

        String tree(Map<String, String> files) {
            String sha = sha("tree:" + new TreeMap<>(files));
            trees.putIfAbsent(sha, Map.copyOf(files));
            return sha;
        }

        String blob(byte[] content) {
            String sha = HexFormat.of().formatHex(digest("SHA-1", ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8), content));
            blobs.putIfAbsent(sha, content);
            return sha;
        }

        GitCommit commit(String tree, List<String> parents, String message, Instant date) {
            String sha = sha("commit:" + tree + parents + message + date + gitCommits.size());
            GitCommit commit = new GitCommit(sha, tree, List.copyOf(parents), message, date);
            gitCommits.put(sha, commit);
            commits.add(sha);
            return commit;
        }

        /** The pull requests, by number: on GitHub every pull request is an issue too. */
        List<PullRequest> pulls() {
            return issues.stream().filter(i -> i.pull != null).map(i -> i.pull).toList();
        }

        /** The commit and all its ancestors that this repository knows. */
        Set<String> ancestors(String commit) {
            Set<String> seen = new LinkedHashSet<>();
            List<String> pending = new ArrayList<>(List.of(commit));
            while (!pending.isEmpty()) {
                String next = pending.remove(0);
                GitCommit known = gitCommits.get(next);
                if (known != null && seen.add(next)) {
                    pending.addAll(known.parents());
                }
            }
            return seen;
        }

        /** Whether ancestor is commit or one of its ancestors: a fast-forward from ancestor to commit. */
        boolean descends(String commit, String ancestor) {
            List<String> pending = new ArrayList<>(List.of(commit));
            Set<String> seen = new HashSet<>();
            while (!pending.isEmpty()) {
                String next = pending.remove(pending.size() - 1);
                if (next.equals(ancestor)) {
                    return true;
                }
                GitCommit known = gitCommits.get(next);
                if (known != null && seen.add(next)) {
                    pending.addAll(known.parents());
                }
            }
            return false;
        }
    }

    record Label(long id, String name, String color, String description) {}

    record GitCommit(String sha, String tree, List<String> parents, String message, Instant date) {}

    /** Git's empty tree, which every repository has. */
    static final String EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    static final class Issue {
        final long id;
        final int number;
        String title;
        String body;
        final User user;
        List<Label> labels;
        final Instant createdAt;
        String state = "open";
        String stateReason;
        Instant closedAt;
        boolean locked;
        String lockReason;
        int comments;
        Instant updatedAt;
        final List<User> assignees = new ArrayList<>();
        User closedBy;
        PullRequest pull; // set when this issue is a pull request

        Issue(long id, int number, String title, String body, User user, List<Label> labels, Instant createdAt) {
            this.id = id;
            this.number = number;
            this.title = title;
            this.body = body;
            this.user = user;
            this.labels = List.copyOf(labels);
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    static final class Comment {
        final long id;
        final Repo repo;
        final Issue issue;
        final User user;
        final Instant createdAt;
        final List<Reaction> reactions = new ArrayList<>();
        String body;
        Instant updatedAt;

        Comment(long id, Repo repo, Issue issue, User user, String body, Instant createdAt) {
            this.id = id;
            this.repo = repo;
            this.issue = issue;
            this.user = user;
            this.body = body;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    record Reaction(long id, User user, String content, Instant createdAt) {}

    /** The pull request side of an issue: its head (a branch here or in a fork), its base, its merge. */
    static final class PullRequest {
        final long id;
        final Issue issue;
        final Repo headRepo;
        final String headRef;
        String headSha; // follows the head branch while open
        String previousHeadSha; // before the head branch last moved: a synchronize event's "before"
        String baseRef;
        String baseSha; // follows the base branch while open
        boolean draft;
        boolean maintainerCanModify;
        boolean merged;
        Instant mergedAt;
        User mergedBy;
        String mergeCommitSha;
        String mergeableState; // set by setMergeable; null: computed
        String mergeableAtClose; // what GitHub had computed when it was closed unmerged (it computes no more after)
        final Set<User> approvals = new LinkedHashSet<>(); // approving reviews, by user

        PullRequest(long id, Issue issue, Repo headRepo, String headRef, String headSha, String baseRef, String baseSha) {
            this.id = id;
            this.issue = issue;
            this.headRepo = headRepo;
            this.headRef = headRef;
            this.headSha = headSha;
            this.baseRef = baseRef;
            this.baseSha = baseSha;
        }

        boolean open() {
            return issue.state.equals("open");
        }
    }

    record CommitStatus(long id, String sha, String state, String targetUrl, String description, String context,
            User creator, Instant createdAt) {}

    /** A GitHub App as check runs and GET /app show it. */
    record App(long id, String slug, String name, String ownerLogin, long ownerId, String description, String externalUrl,
            String clientId, Instant createdAt, Instant updatedAt) {}

    /** GitHub Actions, the app behind GITHUB_TOKEN: what GET /app answers it is, and whose check runs Actions reports CI as. */
    static final App ACTIONS = new App(15368L, "github-actions", "GitHub Actions", "github", 9919L,
            "Automate your workflow from idea to production", "https://help.github.com/en/actions", "Iv1.05c79e9ad1f6bdfa",
            Instant.parse("2018-07-30T09:30:17Z"), Instant.parse("2019-12-10T19:04:12Z"));

    /** One app's check suite on one commit: its check runs' container (check_suite.id). */
    static final class CheckSuite {
        final long id;
        final App app;
        final String headSha;
        final String headBranch; // null when no branch of the repository pointed at it
        final Instant createdAt;
        Instant updatedAt;

        CheckSuite(long id, App app, String headSha, String headBranch, Instant createdAt) {
            this.id = id;
            this.app = app;
            this.headSha = headSha;
            this.headBranch = headBranch;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    /** A check run: what Actions reports each job as (checks/create, checks/update change it). */
    static final class CheckRun {
        final long id;
        final CheckSuite suite;
        final Instant createdAt;
        String name;
        String status = "queued";
        String conclusion;
        Instant startedAt;
        Instant completedAt;
        String detailsUrl;
        String externalId = "";
        String title;
        String summary;
        String text;

        CheckRun(long id, CheckSuite suite, String name, Instant createdAt) {
            this.id = id;
            this.suite = suite;
            this.name = name;
            this.createdAt = createdAt;
        }

        String headSha() {
            return suite.headSha;
        }
    }

    /** A workflow; name is its {@code name:} (null: GitHub shows the path instead). */
    record Workflow(long id, String file, Map<String, Boolean> inputs, String runName, Instant createdAt, String name) {
        String path() {
            return ".github/workflows/" + file;
        }

        String displayName() {
            return name != null ? name : path();
        }

        /** The run's title as GitHub shows it: run-name with its inputs expressions filled in, else the path. */
        String displayTitle(Map<String, Object> inputs) {
            if (runName == null) {
                return path();
            }
            Matcher expression = Pattern.compile("\\$\\{\\{\\s*(?:github\\.event\\.)?inputs\\.([A-Za-z0-9_-]+)\\s*}}").matcher(runName);
            StringBuilder title = new StringBuilder();
            while (expression.find()) {
                expression.appendReplacement(title, Matcher.quoteReplacement(String.valueOf(inputs.getOrDefault(expression.group(1), ""))));
            }
            return expression.appendTail(title).toString();
        }
    }

    /** A run; headRepo is null when the head is in the run's repository, pullRequests those GitHub lists on the run. */
    record WorkflowRun(long id, Workflow workflow, int runNumber, String ref, String headBranch, String headSha,
            Map<String, Object> inputs, User actor, Instant createdAt, String event, String status, String conclusion,
            List<PullRequest> pullRequests, Repo headRepo) {

        /** A run just started by a workflow dispatch: queued. */
        WorkflowRun(long id, Workflow workflow, int runNumber, String ref, String headBranch, String headSha,
                Map<String, Object> inputs, User actor, Instant createdAt) {
            this(id, workflow, runNumber, ref, headBranch, headSha, inputs, actor, createdAt, "workflow_dispatch", "queued", null,
                    List.of(), null);
        }
    }

    /** An artifact and the run that uploaded it (actions/list-artifacts-for-repo's workflow_run). */
    record Artifact(long id, String name, byte[] zip, Instant createdAt, long runId, long repositoryId, long headRepositoryId,
            String headBranch, String headSha) {}

    record Delivered(String repo, Path file) {}

    static final class RateBucket {
        int limit;
        int used;
        long resetEpochSeconds = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();

        RateBucket(int limit) {
            this.limit = limit;
        }

        int remaining() {
            return Math.max(0, limit - used);
        }
    }

    static final class FaultRule {
        final String method;
        final Pattern path;
        final Fault fault;
        int remaining;

        FaultRule(String method, Pattern path, Fault fault, int times) {
            this.method = method;
            this.path = path;
            this.fault = fault;
            this.remaining = times;
        }
    }
}
