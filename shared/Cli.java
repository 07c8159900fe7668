// Command line plumbing: exit codes and the one-line error every script prints.
// A parameter problem is exit 2 with "Try '<cmd> --help'"; any other failure is exit 1 with one
// line (an ::error:: annotation inside Actions) and the stack trace only with --verbose or
// RUNNER_DEBUG=1. A token never reaches the terminal, whatever message carries it.
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

    static CommandLine newCommandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        Map<String, String> env = System.getenv();
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            Actions.error(err, null, 0, "Invalid input", redacted(ex.getMessage(), env), env);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String message = ex instanceof Failure ? ex.getMessage() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
            Actions.error(err, null, 0, "Failed", redacted(message, env), env);
            // --verbose may be the failing subcommand's own option: the full parse result does not list those.
            if (parseResult.hasMatchedOption("--verbose") || commandLine.getParseResult().hasMatchedOption("--verbose")
                    || "1".equals(env.get("RUNNER_DEBUG"))) {
                ex.printStackTrace(err);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    /** The message with the token's value masked: a library may quote a header value (the JDK does) in its error. */
    static String redacted(String message, Map<String, String> env) {
        String text = String.valueOf(message);
        for (String token : Stream.of(env.get("GITHUB_TOKEN"), env.get("GH_TOKEN")).filter(t -> t != null && t.strip().length() >= 4).toList()) {
            text = text.replace(token.strip(), "***");
        }
        return text;
    }

    /** A failure whose message already says what happened and what to do: exit 1 with that one line. */
    static class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    /**
     * JBang records a script's class-data sharing archive (//CDS) as the first run after a build exits,
     * and later runs map only the classes that run loaded: a first --help would leave every later step
     * loading the rest from jars. So the run that records (an AppCDS archive, or on JDK 25+ the AOT
     * cache's training data, which ./jbang asks for) also does the script's usual work on canned input,
     * with its output discarded, before it exits.
     */
    static void trainIfRecording(Class<?> script, Training training) {
        try {
            if (recording(script)) {
                training.run(new PrintWriter(Writer.nullWriter()));
            }
        } catch (Exception | LinkageError e) {
            // Training only makes later runs faster; it must never change this run's outcome.
        }
    }

    /**
     * Whether this JVM records an archive or AOT cache at exit: its command line says so where
     * /proc shows it; elsewhere, whether the archive JBang names is not yet beside the jar.
     */
    static boolean recording(Class<?> script) throws Exception {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (Files.isReadable(cmdline)) {
            for (String arg : new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0")) {
                if (arg.startsWith("-XX:ArchiveClassesAtExit=") || arg.startsWith("-XX:AOTCacheOutput=") || arg.equals("-XX:AOTMode=record")) {
                    return true;
                }
            }
            return false;
        }
        Path jar = Path.of(script.getProtectionDomain().getCodeSource().getLocation().toURI());
        String name = jar.getFileName().toString();
        Path archive = jar.resolveSibling(name.replaceFirst("\\.jar$", ".jsa"));
        return name.endsWith(".jar") && !Files.exists(archive) && Files.isWritable(jar.getParent());
    }

    /** A script's usual work on canned input, writing to out (which nobody reads). */
    interface Training {
        void run(PrintWriter out) throws Exception;
    }
