package org.resnet4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
            return ErrorHandler.outOfMemory(e, cl.getErr(), args);
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
            return ErrorHandler.outOfMemory(e, err, args);
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
        String first =
                Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean one = SUBCOMMANDS.containsKey(first) && !first.equals("help");
        for (Map.Entry<String, Supplier<Object>> e : SUBCOMMANDS.entrySet()) {
            if (!one || e.getKey().equals(first)) {
                cl.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        boolean verbose = Arrays.asList(args).contains("--verbose");
        cl.setExecutionExceptionHandler(new ErrorHandler(verbose));
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
            boolean userError = cause instanceof ResNet4jException
                    || cause instanceof IOException
                    || cause instanceof IllegalArgumentException;
            // the whole line made printable: an IOException's message may quote a file name, too
            err.println("error: "
                    + ResNet4jException.printable(cause.getMessage() != null ? cause.getMessage() : cause.toString()));
            if (verbose || !userError) {
                cause.printStackTrace(err);
            }
            if (!userError) {
                err.println("This is a bug in resnet4j; please report it with the command line and the trace above.");
            }
            err.flush();
            return userError ? EXIT_FAILURE : EXIT_INTERNAL;
        }

        /**
         * Out of memory is the input's size meeting the heap, not a bug: one line naming the files the
         * command was given and how to raise the heap (the launcher passes RESNET4J_JAVA_OPTS to java).
         */
        private static boolean isFile(String s) {
            try {
                return java.nio.file.Files.isRegularFile(Path.of(s));
            } catch (RuntimeException e) {
                return false;
            }
        }

        static int outOfMemory(OutOfMemoryError e, PrintWriter err, String... args) {
            List<String> files = new ArrayList<>();
            for (String a : args) {
                String value = a.startsWith("-") ? a.substring(a.indexOf('=') + 1) : a; // --input=x.npy
                if (!value.isEmpty() && !value.startsWith("-") && isFile(value)) {
                    files.add(value);
                }
            }
            long max = Runtime.getRuntime().maxMemory() >> 20;
            err.println("error: "
                    + ResNet4jException.printable("out of memory (" + e.getMessage() + ") with "
                            + (files.isEmpty() ? "the given input" : String.join(", ", files))
                            + " and a Java heap of at most " + max
                            + " MiB; give Java more memory, e.g. RESNET4J_JAVA_OPTS=-Xmx"
                            + Math.max(2, 2 * max / 1024 + 1)
                            + "g (or java -Xmx...), or use smaller inputs"));
            err.flush();
            return EXIT_FAILURE;
        }
    }
}
