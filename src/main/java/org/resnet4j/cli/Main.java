package org.resnet4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.resnet4j.ResNet4jException;
import org.resnet4j.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code resnet4j} command. Exit codes: 0 success, 1 bad input or failed run (one message, no
 * stack trace unless {@code --verbose}), 2 usage error, 3 internal error (a bug: please report it).
 */
@Command(
        name = "resnet4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Run torchvision ResNet checkpoints in Java: classify images, export to ONNX, run with ONNX "
                + "Runtime or the pure-Java engine, inspect and convert checkpoints.")
public final class Main {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_INTERNAL = 3;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors, and the library's debug log (what was inferred) on standard error.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        return commandLine(args).execute(args);
    }

    /** Same, with the command's standard output and error sent to the given writers (for tests and embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * The subcommands, in the order help lists them. Only the one being run is registered: picocli
     * builds each command's model by reflection, and skipping the others saves a short {@code export}
     * about a fifth of its start-up time.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("demo", DemoCommand::new);
        SUBCOMMANDS.put("classify", ClassifyCommand::new);
        SUBCOMMANDS.put("embed", EmbedCommand::new);
        SUBCOMMANDS.put("export", ExportCommand::new);
        SUBCOMMANDS.put("run", RunCommand::new);
        SUBCOMMANDS.put("inspect", InspectCommand::new);
        SUBCOMMANDS.put("convert", ConvertCommand::new);
        SUBCOMMANDS.put("parity", ParityCommand::new);
        SUBCOMMANDS.put("bench", BenchCommand::new);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    static CommandLine commandLine(String... args) {
        configureLogging(Arrays.asList(args).contains("--verbose"));
        CommandLine cl = new CommandLine(new Main());
        String first = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean one = SUBCOMMANDS.containsKey(first) && !first.equals("help");
        for (Map.Entry<String, Supplier<Object>> e : SUBCOMMANDS.entrySet()) {
            if (!one || e.getKey().equals(first)) {
                cl.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        cl.setExecutionExceptionHandler(new ErrorHandler(Arrays.asList(args).contains("--verbose")));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /**
     * The library logs through SLF4J; the command line binds slf4j-simple, on standard error, warnings
     * only unless {@code --verbose}. Takes effect before the first logger is made (once per JVM); a
     * level set with {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} wins.
     */
    private static void configureLogging(boolean verbose) {
        String prefix = "org.slf4j.simpleLogger.";
        System.setProperty(prefix + "defaultLogLevel",
                System.getProperty(prefix + "defaultLogLevel", verbose ? "debug" : "warn"));
        System.setProperty(prefix + "logFile", System.getProperty(prefix + "logFile", "System.err"));
        System.setProperty(prefix + "showThreadName", System.getProperty(prefix + "showThreadName", "false"));
        System.setProperty(prefix + "showLogName", System.getProperty(prefix + "showLogName", "false"));
        System.setProperty(prefix + "levelInBrackets", System.getProperty(prefix + "levelInBrackets", "false"));
    }

    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Version.NAME + " " + Version.VERSION};
        }
    }

    /**
     * One line for errors the user can fix; the stack trace only with --verbose or for bugs. Public for
     * the other main classes (the Spark batch job), which keep the same exit codes.
     */
    public static final class ErrorHandler implements IExecutionExceptionHandler {
        private final boolean verbose;

        public ErrorHandler(boolean verbose) {
            this.verbose = verbose;
        }

        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
            PrintWriter err = cl.getErr();
            Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            // the library raises IllegalArgumentException for a bad argument: here, a bad option value
            boolean userError = cause instanceof ResNet4jException || cause instanceof IOException
                    || cause instanceof IllegalArgumentException;
            err.println("error: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
            if (verbose || !userError) {
                cause.printStackTrace(err);
            }
            if (!userError) {
                err.println("This is a bug in resnet4j; please report it with the command line and the trace above.");
            }
            err.flush();
            return userError ? EXIT_FAILURE : EXIT_INTERNAL;
        }
    }
}
