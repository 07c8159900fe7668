// The options of every command that calls GitHub: how often and how long a request is retried
// (GitHub.java's backoff), checked before anything is read or sent.
package shared;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

final class Retries {
    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "5", description = "attempts per request in all (default: ${DEFAULT-VALUE})")
    int maxAttempts;

    @Option(names = "--retry-budget", paramLabel = "SECONDS", defaultValue = "300",
            description = "give up on a request when waiting would pass this many seconds in all (default: ${DEFAULT-VALUE})")
    int retryBudgetSeconds;

    /** Refuses what no retry loop can use: exit 2, before anything is read or sent. */
    void check(CommandSpec spec) {
        if (maxAttempts < 1 || retryBudgetSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-attempts must be at least 1 and --retry-budget at least 0");
        }
    }

    Duration budget() {
        return Duration.ofSeconds(retryBudgetSeconds);
    }
}
