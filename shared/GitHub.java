// The GitHub REST client, on the JDK's HttpClient: one request per call when all goes well and no
// extra lookups (github-api's getRepository() would cost a GET first, and it cannot ask a workflow
// dispatch for return_run_details). The token is sent, never printed. Transient failures (connection
// errors, 5xx, 429, rate limits) are retried with exponential backoff and full jitter, honouring
// retry-after and x-ratelimit-reset, within a number of attempts and a time budget.
package shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;
import shared.Cli.Failure;

import static shared.Json.JSON;

final class GitHub {
    private static final Duration BASE_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_DELAY = Duration.ofSeconds(30);
    /** GitHub's rule: without retry-after, wait at least a minute after a secondary rate limit. */
    private static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);
    private static final Pattern REPOSITORY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$");
    /** Tokens are printable ASCII without spaces (ghs_..., github_pat_..., and GHES's own forms). */
    private static final Pattern TOKEN = Pattern.compile("^[\\x21-\\x7E]+$");

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
        String tokenVariable = Stream.of("GITHUB_TOKEN", "GH_TOKEN")
                .filter(name -> env.get(name) != null && !env.get(name).isBlank()).findFirst()
                .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                        "no token: set GITHUB_TOKEN or GH_TOKEN (in a workflow step: env: GITHUB_TOKEN: ${{ github.token }})"));
        String token = env.get(tokenVariable).strip();
        if (!TOKEN.matcher(token).matches()) {
            // Checked here because the JDK's own error for such a header value quotes the token.
            throw new CommandLine.ParameterException(spec.commandLine(), tokenVariable
                    + " contains a space, line break or other character a token never has; check how it is set (its value is not shown)");
        }
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
        return new GitHub(apiUrl.replaceFirst("/+$", ""), token, repository, "event-bus-" + spec.name() + "/" + spec.version()[0],
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

    /** Like exchange, but any answer other than GitHub's documented successes is a GitHubException saying what to fix. */
    Response call(String method, String path, JsonNode body, String action, String permission) throws IOException, InterruptedException {
        Response response = exchange(method, path, body, Map.of());
        if (!response.succeeded()) {
            throw new GitHubException(refusal(response, action, permission));
        }
        return response;
    }

    /**
     * What a download answered (an artifact, a zipball): GitHub answers it with 302 and a short-lived
     * signed URL on another host. That URL carries its own credentials, so it is fetched without the
     * Authorization header: the token never leaves GitHub. The fetch is a download, not an API request.
     * (REST "Download an artifact", "Download a repository archive (zip)": 302 Found with Location.)
     */
    byte[] download(Response redirect, String action, String permission, String name) throws IOException, InterruptedException {
        Optional<String> location = redirect.header("location");
        if (redirect.status() / 100 != 3 || location.isEmpty()) {
            throw new GitHubException(redirect.status() >= 400 ? refusal(redirect, action, permission)
                    : "GitHub answered " + redirect.status() + " instead of a redirect when asked to " + action);
        }
        HttpClient storage = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/").resolve(location.get()))
                .timeout(Duration.ofMinutes(2)).header("User-Agent", userAgent).GET().build();
        try {
            HttpResponse<byte[]> answer = storage.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                // The signed URL is a credential: named by what it holds, never printed.
                throw new GitHubException("downloading " + name + " from its storage URL failed with " + answer.statusCode());
            }
            return answer.body();
        } catch (IOException e) {
            throw new GitHubException("downloading " + name + " from its storage URL failed: " + e.getClass().getSimpleName());
        }
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
            case 301, 302, 307, 308 -> "GitHub answered " + response.status() + " when asked to " + action + ": " + repository
                    + " has moved to " + response.header("location").orElse("(no location given)")
                    + "; use the new owner/name (a renamed or transferred repository redirects)";
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
        return status >= 500 ? Optional.of(retryAfter.orElse(backoff(attempt))) : Optional.empty();
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
    /** The success codes GitHub documents for the operations called here; anything else is a failure. */
    boolean succeeded() {
        return status == 200 || status == 201 || status == 204;
    }

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

    /** GitHub's clock at the answer, from its Date header. */
    Optional<Instant> date() {
        try {
            return header("date").map(date -> ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
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

/** GitHub could not be reached, or refused: exit 1 with one line that says what to fix. */
final class GitHubException extends Failure {
    GitHubException(String message) {
        super(message);
    }
}
