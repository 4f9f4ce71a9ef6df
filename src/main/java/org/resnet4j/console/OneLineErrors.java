package org.resnet4j.console;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.resnet4j.ResNet4jException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * One line for errors the user can fix; the stack trace only with --verbose or for bugs. Shared by
 * the two command-line front ends (the {@code resnet4j} command and the Spark batch job), which keep
 * the same exit codes: 0 success, 1 bad input or a failed run, 2 usage, 3 a bug.
 */
public final class OneLineErrors implements IExecutionExceptionHandler {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_INTERNAL = 3;

    private final boolean verbose;

    public OneLineErrors(boolean verbose) {
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

    public static int outOfMemory(OutOfMemoryError e, PrintWriter err, String... args) {
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
