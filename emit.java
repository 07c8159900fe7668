///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Send one event-bus event as a GitHub repository_dispatch.
//DESCRIPTION
//DESCRIPTION Usage: emit EVENT_TYPE (--payload JSON | --payload-file FILE|-) [--source S]
//DESCRIPTION             [--event-id UUID | --dedupe-key KEY] [--trace-id UUID] [--repo OWNER/NAME]
//DESCRIPTION             [--schemas DIR] [--dry-run] [--max-attempts N] [--retry-budget SECONDS]
//DESCRIPTION Builds the envelope, validates it locally, then sends POST /repos/{owner}/{repo}/dispatches
//DESCRIPTION once, retrying transient failures with the same event_id. Prints the event_id.
//DESCRIPTION Environment: GITHUB_TOKEN or GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH,
//DESCRIPTION GITHUB_OUTPUT, EVENT_SCHEMAS.
//DESCRIPTION Exit codes: 0 sent, 1 GitHub unreachable or refused, 2 invalid input (nothing sent).
//DESCRIPTION Example: jbang emit@org rfc.pr.ready --payload '{"pr":456,"checks_status":"green"}'
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.networknt:json-schema-validator:2.0.8
//DEPS org.slf4j:slf4j-nop:2.0.17
//FILES schemas/=schemas/*.schema.json
//FILES schemas/events/=schemas/events/*.schema.json
//RUNTIME_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off,cds+dynamic=off
//CDS

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "emit", mixinStandardHelpOptions = true, version = "emit 0.1.0",
        description = {
            "Sends one event-bus event as a GitHub repository_dispatch (POST /repos/{owner}/{repo}/dispatches).",
            "Builds the envelope (event_id, source, timestamp, trace_id, data), validates the whole event "
                    + "locally with the same schemas and rules as validate, then sends it: one request when all "
                    + "goes well; transient failures are retried with the same event_id.",
            "Prints the event_id on stdout and writes event_id=... to $GITHUB_OUTPUT."},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  GITHUB_TOKEN, GH_TOKEN  the token (never a flag); needs contents: write on the target repository",
            "  GITHUB_REPOSITORY       owner/name of the target repository (--repo)",
            "  GITHUB_API_URL          API root, for GitHub Enterprise Server (default https://api.github.com)",
            "  GITHUB_EVENT_PATH       the event that started this workflow: trace_id is inherited from it",
            "  GITHUB_OUTPUT           event_id=... is appended to it",
            "  EVENT_SCHEMAS           schema directory when --schemas is not given",
            "",
            "--dedupe-key KEY makes event_id the UUID v5 of KEY (UTF-8) in the namespace",
            "d768854e-7ce7-5a89-8b74-d8a7e84cd9d4, so a cron path and an event path that handle",
            "the same item produce the same id (dedupe claim --key KEY uses the same mapping).",
            "",
            "Example:",
            "  emit rfc.pr.ready --payload '{\"pr\":456,\"checks_status\":\"green\"}' --source readiness-evaluator"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:sent (or printed, with --dry-run)",
            "1:GitHub could not be reached or refused the request after retries, or internal failure",
            "2:invalid input or usage: nothing was sent"})
class emit implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EVENT_TYPE", description = "the event type, e.g. rfc.pr.ready")
    String eventType;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PayloadOption payload;

    static final class PayloadOption {
        @Option(names = "--payload", paramLabel = "JSON", description = "the data object, as JSON")
        String json;

        @Option(names = "--payload-file", paramLabel = "FILE", description = "read the data object from FILE ('-' for stdin)")
        String file;
    }

    @Option(names = "--source", paramLabel = "S",
            description = "who emits it (default: the workflow file name in Actions, else 'emit-cli')")
    String source;

    @ArgGroup(exclusive = true)
    IdOption id;

    static final class IdOption {
        @Option(names = "--event-id", paramLabel = "UUID", description = "use this event_id (lowercase UUID)")
        String eventId;

        @Option(names = "--dedupe-key", paramLabel = "KEY", description = "derive event_id from a natural key (UUID v5)")
        String dedupeKey;
    }

    @Option(names = "--trace-id", paramLabel = "UUID",
            description = "the chain's trace_id (default: inherited from $GITHUB_EVENT_PATH, else this event_id)")
    String traceId;

    @Option(names = "--repo", paramLabel = "OWNER/NAME", description = "target repository (default: $GITHUB_REPOSITORY)")
    String repo;

    @Option(names = "--schemas", paramLabel = "DIR", description = "schema directory (default: see validate --help)")
    Path schemasDir;

    @Option(names = "--dry-run", description = "print the request body and send nothing")
    boolean dryRun;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "5", description = "attempts in all (default: ${DEFAULT-VALUE})")
    int maxAttempts;

    @Option(names = "--retry-budget", paramLabel = "SECONDS", defaultValue = "300",
            description = "give up when waiting would pass this many seconds in all (default: ${DEFAULT-VALUE})")
    int retryBudgetSeconds;

    @Option(names = "--verbose", description = "print stack traces of internal failures")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The process environment; tests replace it. */
    Map<String, String> env = System.getenv();

    /** RFC 3339, UTC, milliseconds: what the envelope schema asks for. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The namespace of --dedupe-key ids: uuid5(NAMESPACE_URL, "https://event-bus.dev/dedupe-key"). */
    static final UUID DEDUPE_KEY_NAMESPACE = UUID.fromString("d768854e-7ce7-5a89-8b74-d8a7e84cd9d4");

    public static void main(String... args) {
        int exitCode = newCommandLine(new emit()).execute(args);
        GitHub.shutdown();
        System.exit(exitCode);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (maxAttempts < 1 || retryBudgetSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-attempts must be at least 1 and --retry-budget at least 0");
        }
        ObjectNode document = buildDocument();
        List<Violation> violations = EventSchemas.load(schemasDir, env, spec).check(document);
        if (!violations.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            violations.forEach(v -> Actions.error(err, null, 0, "Invalid event (" + v.rule() + ")", v.describe(), env));
            return CommandLine.ExitCode.USAGE;
        }
        String eventId = document.at("/client_payload/event_id").asText();
        if (dryRun) {
            spec.commandLine().getOut().println(document.toPrettyString());
            return CommandLine.ExitCode.OK;
        }
        GitHub github = GitHub.fromEnv(env, repo, spec, maxAttempts, Duration.ofSeconds(retryBudgetSeconds));
        github.call("POST", github.repoPath("/dispatches"), document, "create repository dispatch events", "contents: write");
        spec.commandLine().getOut().println(eventId);
        spec.commandLine().getErr().println("emit: sent " + eventType + " " + eventId + " to " + github.repository());
        Actions.output("event_id", eventId, env);
        return CommandLine.ExitCode.OK;
    }

    // ---- the event --------------------------------------------------------------------

    /** {"event_type", "client_payload": {event_id, source, timestamp, trace_id, data}}. */
    private ObjectNode buildDocument() throws IOException {
        String eventId = id == null || (id.eventId == null && id.dedupeKey == null) ? UUID.randomUUID().toString()
                : id.eventId != null ? id.eventId
                : nameBasedUuid(DEDUPE_KEY_NAMESPACE, id.dedupeKey).toString();
        ObjectNode document = JSON.createObjectNode();
        document.put("event_type", eventType);
        ObjectNode envelope = document.putObject("client_payload");
        envelope.put("event_id", eventId);
        envelope.put("source", source != null ? source : defaultSource());
        envelope.put("timestamp", TIMESTAMP.format(Instant.now()));
        envelope.put("trace_id", traceId != null ? traceId : inheritedTraceId().orElse(eventId));
        envelope.set("data", readPayload());
        return document;
    }

    private JsonNode readPayload() {
        String text;
        String where;
        try {
            if (payload.json != null) {
                text = payload.json;
                where = "--payload";
            } else if (payload.file.equals("-")) {
                text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                where = "--payload-file - (stdin)";
            } else {
                text = Files.readString(Path.of(payload.file));
                where = "--payload-file " + payload.file;
            }
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read --payload-file " + payload.file + ": " + e.getMessage());
        }
        if (text.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), where + ": empty; expected a JSON object such as {\"pr\":456}");
        }
        try {
            JsonNode data = JSON.readTree(text);
            if (!data.isObject()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        where + ": expected a JSON object, found " + data.getNodeType().toString().toLowerCase());
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), where + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** In Actions, the workflow file's name (".../assign.yml@refs/heads/main" gives "assign"); else emit-cli. */
    private String defaultSource() {
        String workflowRef = env.getOrDefault("GITHUB_WORKFLOW_REF", "");
        String name = workflowRef.replaceFirst("@.*$", "").replaceFirst("^.*/", "").replaceFirst("\\.ya?ml$", "");
        name = name.replaceAll("[^A-Za-z0-9._/:@-]", "-").replaceFirst("^[^A-Za-z0-9]+", "");
        return name.isEmpty() ? "emit-cli" : name.substring(0, Math.min(name.length(), 100));
    }

    /**
     * The chain's trace_id from the event that started this workflow: a repository_dispatch
     * carries it in client_payload, a workflow_dispatch from the router in its inputs;
     * a first event in a chain has none, and its own event_id becomes the trace.
     */
    private Optional<String> inheritedTraceId() {
        String eventPath = env.get("GITHUB_EVENT_PATH");
        if (eventPath == null || eventPath.isBlank() || !Files.isRegularFile(Path.of(eventPath))) {
            return Optional.empty();
        }
        try {
            JsonNode event = JSON.readTree(Files.readString(Path.of(eventPath)));
            for (JsonNode parent : List.of(event.path("client_payload"), event.path("inputs"))) {
                for (String field : List.of("trace_id", "event_id")) {
                    String value = parent.path(field).asText("");
                    if (UUID_TEXT.matcher(value).matches()) {
                        return Optional.of(value);
                    }
                }
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("emit: cannot read $GITHUB_EVENT_PATH for trace_id, starting a new trace: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static final Pattern UUID_TEXT = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    /** RFC 4122 name-based UUID, version 5 (SHA-1); the same function as Python's uuid.uuid5. */
    static UUID nameBasedUuid(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(namespace));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (hash[i] & 0xff);
                lsb = (lsb << 8) | (hash[i + 8] & 0xff);
            }
            return new UUID(msb, lsb);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] toBytes(UUID uuid) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (uuid.getMostSignificantBits() >>> (56 - 8 * i));
            bytes[i + 8] = (byte) (uuid.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return bytes;
    }

    // ---- GitHub REST client (the same block in every script that calls GitHub) ----------

    /**
     * GitHub's REST API on the JDK's HttpClient: one request per call when all goes well,
     * no extra lookups (github-api's getRepository() would cost a GET first). Transient
     * failures (connection errors, 5xx, 429, rate limits) are retried with exponential backoff
     * and full jitter, honouring retry-after and x-ratelimit-reset, within a number of
     * attempts and a time budget. The token is sent, never printed.
     */
    static final class GitHub {
        private static final Duration BASE_DELAY = Duration.ofSeconds(1);
        private static final Duration MAX_DELAY = Duration.ofSeconds(30);
        /** GitHub's rule: without retry-after, wait at least a minute after a secondary rate limit. */
        private static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);
        private static final Pattern REPOSITORY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$");

        /** One client per process, built at the first request (a holder class, so shutdown() never builds one). */
        private static final class Client {
            static final HttpClient HTTP = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        }

        /**
         * Stops the selector threads of this process's HTTP clients before it exits. Such a thread
         * waits in native code (epoll) for as long as its client lives, and the JVM's exit waits up to
         * 300 ms for threads in native code to settle; JDK 17's HttpClient has no close() (JDK 21
         * added one), but an interrupted selector thread ends.
         */
        static void shutdown() {
            Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().matches("HttpClient-\\d+-SelectorManager"))
                    .forEach(Thread::interrupt);
        }

        private final String apiUrl;
        private final String token;
        private final String repository;
        private final String userAgent;
        private final int maxAttempts;
        private final Duration retryBudget;
        private final PrintWriter err;
        private int requests;

        private GitHub(String apiUrl, String token, String repository, String userAgent, int maxAttempts, Duration retryBudget, PrintWriter err) {
            this.apiUrl = apiUrl;
            this.token = token;
            this.repository = repository;
            this.userAgent = userAgent;
            this.maxAttempts = maxAttempts;
            this.retryBudget = retryBudget;
            this.err = err;
        }

        /** GITHUB_TOKEN or GH_TOKEN, --repo or GITHUB_REPOSITORY, GITHUB_API_URL: what Actions sets. */
        static GitHub fromEnv(Map<String, String> env, String repoOption, CommandSpec spec, int maxAttempts, Duration retryBudget) {
            String token = Stream.of(env.get("GITHUB_TOKEN"), env.get("GH_TOKEN"))
                    .filter(t -> t != null && !t.isBlank()).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "no token: set GITHUB_TOKEN or GH_TOKEN (in a workflow step: env: GITHUB_TOKEN: ${{ github.token }})"));
            String repository = repoOption != null ? repoOption : env.getOrDefault("GITHUB_REPOSITORY", "");
            if (repository.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY");
            }
            if (!REPOSITORY.matcher(repository).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--repo must be OWNER/NAME, not '" + repository + "'");
            }
            String apiUrl = env.getOrDefault("GITHUB_API_URL", "").isBlank() ? "https://api.github.com" : env.get("GITHUB_API_URL");
            if (!apiUrl.matches("^https?://[^\\s]+$")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "GITHUB_API_URL must be an http(s) URL, not '" + apiUrl + "'");
            }
            return new GitHub(apiUrl.replaceFirst("/+$", ""), token.strip(), repository, "event-bus-" + spec.name() + "/" + spec.version()[0],
                    maxAttempts, retryBudget, spec.commandLine().getErr());
        }

        String repository() {
            return repository;
        }

        String repoPath(String suffix) {
            return "/repos/" + repository + suffix;
        }

        /** HTTP requests sent so far, retries included. */
        int requests() {
            return requests;
        }

        /** Sends with retries and returns GitHub's final answer, whatever its status. */
        Response exchange(String method, String path, JsonNode body, Map<String, String> headers) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/vnd.github+json")
                    .header("Authorization", "Bearer " + token)
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("User-Agent", userAgent)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            headers.forEach(request::header);
            Instant deadline = Instant.now().plus(retryBudget);
            for (int attempt = 1; ; attempt++) {
                String failure;
                Duration wait;
                try {
                    requests++;
                    HttpResponse<String> answer = Client.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    Response response = new Response(answer.statusCode(), answer.headers().map(), answer.body());
                    Optional<Duration> retryAfter = transientWait(response, attempt);
                    if (retryAfter.isEmpty()) {
                        return response;
                    }
                    failure = response.status() + " " + response.message();
                    wait = retryAfter.get();
                } catch (IOException e) {
                    failure = "connection failed (" + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")";
                    wait = backoff(attempt);
                }
                String what = method + " " + path;
                if (attempt >= maxAttempts) {
                    throw new GitHubException(what + " failed after " + attempt + " attempts; last: " + failure);
                }
                if (Instant.now().plus(wait).isAfter(deadline)) {
                    throw new GitHubException(what + ": " + failure + "; the next attempt would be in " + wait.toSeconds()
                            + " s, past the retry budget of " + retryBudget.toSeconds() + " s");
                }
                err.printf("%s: attempt %d/%d: %s; retrying in %.1f s%n", what, attempt, maxAttempts, failure, wait.toMillis() / 1000.0);
                err.flush();
                Thread.sleep(wait.toMillis());
            }
        }

        /** Like exchange, but a 4xx or 5xx answer is a GitHubException saying what to fix. */
        Response call(String method, String path, JsonNode body, String action, String permission) throws IOException, InterruptedException {
            Response response = exchange(method, path, body, Map.of());
            if (response.status() >= 400) {
                throw new GitHubException(refusal(response, action, permission));
            }
            return response;
        }

        /** GitHub's own error text plus what to do about it; never the token. */
        String refusal(Response response, String action, String permission) {
            String said = response.status() + " " + response.message();
            return switch (response.status()) {
                case 401 -> "GitHub did not accept the token (" + said + "): check GITHUB_TOKEN / GH_TOKEN";
                case 403 -> "the token may not " + action + " in " + repository + " (" + said + "): the workflow needs `permissions: "
                        + permission + "`; for another repository use a PAT or GitHub App token with that access";
                case 404 -> "not found while trying to " + action + " (" + said + "): check that " + repository
                        + " exists and that the token can see it (private repositories answer 404 to tokens without access)";
                case 422 -> "GitHub refused to " + action + " (" + said + ")";
                default -> "GitHub answered " + said + " when asked to " + action;
            };
        }

        /** How long to wait before retrying, or empty when the answer is final. */
        private Optional<Duration> transientWait(Response response, int attempt) {
            int status = response.status();
            Optional<Duration> retryAfter = response.header("retry-after").map(GitHub::parseRetryAfter);
            boolean primaryExhausted = response.header("x-ratelimit-remaining").filter("0"::equals).isPresent();
            boolean secondary = status == 403 && response.message().toLowerCase().contains("secondary rate limit");
            if (status == 429 || secondary || (status == 403 && (primaryExhausted || retryAfter.isPresent()))) {
                if (retryAfter.isPresent()) {
                    return retryAfter;
                }
                if (primaryExhausted) {
                    return response.header("x-ratelimit-reset").map(reset -> Duration.ofSeconds(
                            Math.max(1, Long.parseLong(reset) - Instant.now().getEpochSecond() + 1)));
                }
                return Optional.of(status == 429 ? backoff(attempt) : SECONDARY_LIMIT_WAIT);
            }
            if (status >= 500) {
                return Optional.of(retryAfter.orElse(backoff(attempt)));
            }
            return Optional.empty();
        }

        /** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
        private static Duration backoff(int attempt) {
            long ceiling = Math.min(MAX_DELAY.toMillis(), BASE_DELAY.toMillis() << Math.min(attempt - 1, 20));
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
        }

        private static Duration parseRetryAfter(String value) {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
            } catch (NumberFormatException notSeconds) {
                try {
                    Duration untilDate = Duration.between(Instant.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                    return untilDate.isNegative() ? Duration.ZERO : untilDate;
                } catch (DateTimeParseException notADate) {
                    return BASE_DELAY;
                }
            }
        }
    }

    record Response(int status, Map<String, List<String>> headers, String body) {
        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(h -> h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty())
                    .map(h -> h.getValue().get(0)).findFirst();
        }

        JsonNode json() {
            try {
                return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new GitHubException("GitHub answered " + status + " with a body that is not JSON");
            }
        }

        /** GitHub's "message" (and the messages of its "errors"), else the start of the body. */
        String message() {
            try {
                JsonNode json = JSON.readTree(body == null ? "" : body);
                StringBuilder message = new StringBuilder(json.path("message").asText(""));
                for (JsonNode error : json.path("errors")) {
                    String detail = error.isTextual() ? error.asText() : error.path("message").asText(error.path("code").asText(""));
                    message.append(message.length() > 0 ? "; " : "").append(detail);
                }
                return message.toString().replace("\n", " ").strip();
            } catch (JsonProcessingException | RuntimeException e) {
                return body == null ? "" : body.substring(0, Math.min(200, body.length())).replace("\n", " ");
            }
        }
    }

    // ---- event schemas (the same block in validate.java) ------------------------------------

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final Pattern EVENT_TYPE = Pattern.compile("^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$");
    static final int MAX_EVENT_TYPE_LENGTH = 100;
    static final int MAX_PAYLOAD_PROPERTIES = 10;
    /** GitHub refuses dispatch bodies of 64 KB and more. */
    static final int MAX_BODY_BYTES = 65_536;

    /**
     * The envelope and event-type schemas from one directory, compiled once per process.
     * Looked up in --schemas, $EVENT_SCHEMAS, docs/events/schema/ of the current repository,
     * then the copy bundled into the script with //FILES.
     */
    static final class EventSchemas {
        private final String origin;
        private final Map<String, String> idByEventType = new TreeMap<>();
        private final String envelopeId;
        private final SchemaRegistry registry;
        private final Map<String, Schema> compiled = new HashMap<>();

        private EventSchemas(Path directory, String origin) throws IOException {
            this.origin = origin;
            Map<String, String> textById = new HashMap<>();
            Path envelope = directory.resolve("envelope.schema.json");
            if (!Files.isRegularFile(envelope)) {
                throw new IOException("no envelope.schema.json in " + origin);
            }
            List<Path> schemaFiles = new ArrayList<>(List.of(envelope));
            Path eventsDir = directory.resolve("events");
            if (Files.isDirectory(eventsDir)) {
                try (Stream<Path> list = Files.list(eventsDir)) {
                    list.filter(p -> p.getFileName().toString().endsWith(".schema.json")).sorted().forEach(schemaFiles::add);
                }
            }
            String envelopeSchemaId = null;
            for (Path file : schemaFiles) {
                String text = Files.readString(file);
                String id = JSON.readTree(text).path("$id").asText(null);
                if (id == null) {
                    throw new IOException(file + " has no $id");
                }
                textById.put(id, text);
                String name = file.getFileName().toString();
                if (file.equals(envelope)) {
                    envelopeSchemaId = id;
                } else {
                    idByEventType.put(name.substring(0, name.length() - ".schema.json".length()), id);
                }
            }
            this.envelopeId = envelopeSchemaId;
            // Every $ref resolves from the loaded files: nothing is fetched from the network.
            this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                    .schemas(textById)
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .pathType(PathType.JSON_POINTER)
                            .formatAssertionsEnabled(true)
                            .build()));
        }

        static EventSchemas load(Path option, Map<String, String> env, CommandSpec spec) throws IOException {
            try {
                if (option != null) {
                    return new EventSchemas(existingDirectory(option, "--schemas", spec), option.toString());
                }
                String fromEnv = env.get("EVENT_SCHEMAS");
                if (fromEnv != null && !fromEnv.isBlank()) {
                    return new EventSchemas(existingDirectory(Path.of(fromEnv), "$EVENT_SCHEMAS", spec), fromEnv);
                }
                Path repositoryDocs = repositoryRoot().resolve("docs/events/schema");
                if (Files.isDirectory(repositoryDocs)) {
                    return new EventSchemas(repositoryDocs, repositoryDocs.toString());
                }
                return new EventSchemas(bundledDirectory(), "the bundled schemas");
            } catch (JsonProcessingException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "a schema is not valid JSON: " + e.getOriginalMessage());
            }
        }

        private static Path existingDirectory(Path dir, String what, CommandSpec spec) {
            if (!Files.isDirectory(dir)) {
                throw new CommandLine.ParameterException(spec.commandLine(), what + ": no such directory: " + dir);
            }
            return dir;
        }

        /** The git work tree around the current directory, else the current directory. */
        private static Path repositoryRoot() {
            Path cwd = Path.of("").toAbsolutePath();
            for (Path dir = cwd; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(".git"))) {
                    return dir;
                }
            }
            return cwd;
        }

        /** The schemas JBang packed into the script's jar (or Maven's test class path). */
        private static Path bundledDirectory() throws IOException {
            var resource = EventSchemas.class.getResource("/schemas/envelope.schema.json");
            if (resource == null) {
                throw new IOException("no schemas found: pass --schemas DIR or set EVENT_SCHEMAS");
            }
            try {
                URI uri = resource.toURI();
                if (uri.getScheme().equals("jar")) {
                    try {
                        FileSystems.getFileSystem(uri);
                    } catch (FileSystemNotFoundException e) {
                        FileSystems.newFileSystem(uri, Map.of());
                    }
                }
                return Path.of(uri).getParent();
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }

        /** Every rule of the contract, reported together: type name, size, property count, schema. */
        List<Violation> check(JsonNode document) {
            List<Violation> violations = new ArrayList<>();
            JsonNode type = document.path("event_type");
            String eventType = type.isTextual() ? type.asText() : null;
            if (eventType != null && eventType.length() > MAX_EVENT_TYPE_LENGTH) {
                violations.add(new Violation("/event_type", "maxLength",
                        "is " + eventType.length() + " characters long; GitHub allows at most " + MAX_EVENT_TYPE_LENGTH));
            } else if (eventType != null && !EVENT_TYPE.matcher(eventType).matches()) {
                violations.add(new Violation("/event_type", "pattern",
                        "'" + eventType + "' is not a dotted lowercase name like rfc.pr.ready (" + EVENT_TYPE.pattern() + ")"));
            }
            int bytes = compactBytes(document);
            if (bytes >= MAX_BODY_BYTES) {
                violations.add(new Violation("", "maxBytes",
                        "the request body is " + bytes + " bytes; GitHub accepts bodies under " + MAX_BODY_BYTES));
            }
            JsonNode payload = document.path("client_payload");
            if (payload.isObject() && payload.size() > MAX_PAYLOAD_PROPERTIES) {
                violations.add(new Violation("/client_payload", "maxProperties",
                        "has " + payload.size() + " top-level properties; GitHub allows at most " + MAX_PAYLOAD_PROPERTIES));
            }
            String schemaId = eventType == null ? envelopeId : idByEventType.get(eventType);
            if (schemaId == null) {
                if (violations.stream().noneMatch(v -> v.pointer().equals("/event_type"))) {
                    violations.add(new Violation("/event_type", "knownType", "unknown event type '" + eventType
                            + "': no schema events/" + eventType + ".schema.json in " + origin
                            + " (known: " + String.join(", ", idByEventType.keySet()) + ")"));
                }
                schemaId = envelopeId;
            }
            for (var error : schema(schemaId).validate(document)) {
                Violation violation = Violation.of(error);
                if (!violations.contains(violation) && !coveredByLimitCheck(violations, violation)) {
                    violations.add(violation);
                }
            }
            return violations;
        }

        /** The limit checks above say more than the schema's maxLength/maxProperties for the same field. */
        private static boolean coveredByLimitCheck(List<Violation> violations, Violation violation) {
            return violations.stream().anyMatch(v -> v.pointer().equals(violation.pointer())
                    && v.rule().equals(violation.rule()));
        }

        private static int compactBytes(JsonNode document) {
            try {
                return JSON.writeValueAsBytes(document).length;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private Schema schema(String id) {
            return compiled.computeIfAbsent(id, key -> registry.getSchema(SchemaLocation.of(key)));
        }
    }

    /** One broken rule: where (JSON pointer), which rule (the schema keyword), and what is wrong. */
    record Violation(String pointer, String rule, String message) {
        static Violation of(com.networknt.schema.Error error) {
            String pointer = error.getInstanceLocation().toString();
            if (pointer.equals("/")) {
                pointer = "";
            }
            // 'required' and 'additionalProperties' are reported on the parent object; name the field itself.
            if (error.getProperty() != null && List.of("required", "additionalProperties").contains(error.getKeyword())) {
                pointer = pointer + "/" + error.getProperty();
            }
            String message = error.getMessage();
            String prefix = error.getInstanceLocation() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
            return new Violation(pointer, error.getKeyword(), message);
        }

        String describe() {
            return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message + " (rule: " + rule + ")";
        }
    }

    // ---- GitHub Actions output (the same block in every script) --------------------------

    static final class Actions {
        static boolean inActions(Map<String, String> env) {
            return "true".equals(env.get("GITHUB_ACTIONS"));
        }

        /** One line on stderr; inside Actions, an ::error:: annotation with file and line. */
        static void error(PrintWriter err, String file, int line, String title, String message, Map<String, String> env) {
            if (!inActions(env)) {
                err.println((file != null ? file + (line > 0 ? ":" + line : "") + ": " : "") + message);
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
            err.println("::error " + properties.entrySet().stream()
                    .map(p -> p.getKey() + "=" + escapeProperty(p.getValue()))
                    .collect(Collectors.joining(",")) + "::" + escapeData(message));
        }

        /** Appends name=value to $GITHUB_OUTPUT (single-line values only). */
        static void output(String name, String value, Map<String, String> env) throws IOException {
            String path = env.get("GITHUB_OUTPUT");
            if (path != null && !path.isBlank()) {
                Files.writeString(Path.of(path), name + "=" + value + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        // Escaping as @actions/core's command.ts does it.
        static String escapeData(String s) {
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
        }

        static String escapeProperty(String s) {
            return escapeData(s).replace(":", "%3A").replace(",", "%2C");
        }
    }

    // ---- command line plumbing (the same block in every script) -------------------------

    static CommandLine newCommandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        Map<String, String> env = System.getenv();
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            Actions.error(err, null, 0, "Invalid input", ex.getMessage(), env);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Actions.error(err, null, 0, "Failed", ex instanceof GitHubException ? ex.getMessage()
                    : ex.getClass().getSimpleName() + ": " + ex.getMessage(), env);
            // --verbose may be the failing subcommand's own option: the full parse result does not list those.
            if (parseResult.hasMatchedOption("--verbose") || commandLine.getParseResult().hasMatchedOption("--verbose")
                    || "1".equals(env.get("RUNNER_DEBUG"))) {
                ex.printStackTrace(err);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    /** GitHub could not be reached, or refused: exit 1 with one line that says what to fix. */
    static final class GitHubException extends RuntimeException {
        GitHubException(String message) {
            super(message);
        }
    }
}
