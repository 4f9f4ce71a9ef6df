package org.resnet4j.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.resnet4j.console.OneLineErrors;
import org.resnet4j.console.VersionLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code resnet4j} command. Exit codes: 0 success, 1 bad input or failed run (one message, no
 * stack trace unless {@code --verbose}), 2 usage error, 3 internal error (a bug: please report it).
 */
@Command(
        name = "resnet4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionLine.class,
        description = "Run torchvision ResNet checkpoints in Java: classify images, export to ONNX, run with ONNX "
                + "Runtime or the pure-Java engine, inspect and convert checkpoints.")
public final class Main {
    public static final int EXIT_FAILURE = OneLineErrors.EXIT_FAILURE;
    public static final int EXIT_INTERNAL = OneLineErrors.EXIT_INTERNAL;

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description =
                    "Print stack traces with errors, and the library's debug log (what was inferred) on standard error.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        CommandLine cl = commandLine(args);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return OneLineErrors.outOfMemory(e, cl.getErr(), args);
        }
    }

    /** Same, with the command's standard output and error sent to the given writers (for tests and embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return OneLineErrors.outOfMemory(e, err, args);
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
        SUBCOMMANDS.put("quantize", QuantizeCommand::new);
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
        String first =
                Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean one = SUBCOMMANDS.containsKey(first) && !first.equals("help");
        for (Map.Entry<String, Supplier<Object>> e : SUBCOMMANDS.entrySet()) {
            if (!one || e.getKey().equals(first)) {
                cl.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        boolean verbose = Arrays.asList(args).contains("--verbose");
        cl.setExecutionExceptionHandler(new OneLineErrors(verbose));
        if (verbose && System.getProperty("resnet4j.ort.logLevel") == null) {
            System.setProperty("resnet4j.ort.logLevel", "WARNING"); // ONNX Runtime's own warnings too
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /**
     * The library logs through SLF4J; the command line binds slf4j-simple, on standard error, warnings
     * only unless {@code --verbose}. Takes effect before the first logger is made (once per JVM); a
     * level set with {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} wins.
     */
    private static void configureLogging(boolean verbose) {
        // named, so that another provider on the class path (Spark's log4j binding, in the tests and
        // beside `spark`) neither wins nor makes SLF4J print its multiple-providers warning; SLF4J's
        // own report of that choice is an info line, kept off stderr
        System.setProperty(
                "slf4j.provider", System.getProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider"));
        System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
        String prefix = "org.slf4j.simpleLogger.";
        System.setProperty(
                prefix + "defaultLogLevel", System.getProperty(prefix + "defaultLogLevel", verbose ? "debug" : "warn"));
        System.setProperty(prefix + "logFile", System.getProperty(prefix + "logFile", "System.err"));
        System.setProperty(prefix + "showThreadName", System.getProperty(prefix + "showThreadName", "false"));
        System.setProperty(prefix + "showLogName", System.getProperty(prefix + "showLogName", "false"));
        System.setProperty(prefix + "levelInBrackets", System.getProperty(prefix + "levelInBrackets", "false"));
    }
}
