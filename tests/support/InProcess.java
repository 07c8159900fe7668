import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs a script's command line in this JVM, with its stdout and stderr captured: the runner behind
 * EmitTest.emit, ValidateTest.validate, DedupeTest.dedupe and RouteTest.route. (Scripts runs them
 * as real processes.)
 */
final class InProcess {
    /** What one run left: its exit code, and what it wrote to stdout and stderr. */
    record Run(int exitCode, String out, String err) {
        /** stdout without the line break: dedupe's new or duplicate, emit's event id. */
        String verdict() {
            return out.strip();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
        }
    }

    private InProcess() {
    }

    /** Executes cli with args, its output and error writers replaced by captured ones. */
    static Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
