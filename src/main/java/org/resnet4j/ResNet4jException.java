package org.resnet4j;

/**
 * Root of resnet4j's exception family: everything that goes wrong because of the data a user gave
 * us (a file, a spec, a model) is one of its subclasses ({@link FormatException},
 * {@link UnsafeContentException}, {@link MismatchException}, {@link UnsupportedModelException},
 * {@link EngineException}, {@link FileAccessException}), with a message that names the file, the
 * tensor key and the expected versus actual values. Programming errors stay
 * {@link IllegalStateException}/{@link IllegalArgumentException}.
 *
 * <p>The family is unchecked so that it crosses lambdas and stream pipelines unchanged; the CLI
 * catches it at the top and prints the message without a stack trace.
 *
 * <p>Messages quote names read from files (tensor keys, zip entries, node names), so every message
 * is passed through {@link #printable}: a key holding a newline and {@code "error: ..."}, or a
 * terminal escape sequence, shows as visible escapes instead of forging a second line or moving
 * the cursor.
 */
public class ResNet4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResNet4jException(String message) {
        super(printable(message));
    }

    public ResNet4jException(String message, Throwable cause) {
        super(printable(message), cause);
    }

    /**
     * {@code s} with control characters made visible, so that it prints as one inert line: {@code \n},
     * {@code \r}, {@code \t}, other C0 and C1 controls and DEL as {@code \xHH}, Unicode line and
     * paragraph separators and bidirectional overrides as a backslash, {@code u} and four hex digits. A backslash is left alone,
     * so applying it twice changes nothing. Null stays null.
     */
    public static String printable(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !isControl(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isControl(c)) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c <= 0xff) {
                b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20
                || (c >= 0x7f && c <= 0x9f)
                || c == 0x2028
                || c == 0x2029
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }

    /** A file is not in the format it claims or is truncated/corrupt (checkpoint, ONNX, .npy, JSON). */
    public static class FormatException extends ResNet4jException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }

        public FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A file asks for something we refuse on principle: a pickle global off the allow-list, a bomb. */
    public static class UnsafeContentException extends ResNet4jException {
        private static final long serialVersionUID = 1L;

        public UnsafeContentException(String message) {
            super(message);
        }
    }

    /** Weights and architecture disagree: missing or unexpected keys, shape mismatches. */
    public static class MismatchException extends ResNet4jException {
        private static final long serialVersionUID = 1L;

        public MismatchException(String message) {
            super(message);
        }
    }

    /** A well-formed input that describes a model or feature we do not support (spec values, ops, dtypes). */
    public static class UnsupportedModelException extends ResNet4jException {
        private static final long serialVersionUID = 1L;

        public UnsupportedModelException(String message) {
            super(message);
        }
    }

    /** The inference engine failed to load or run (ORT errors, a missing CUDA provider). */
    public static class EngineException extends ResNet4jException {
        private static final long serialVersionUID = 1L;

        public EngineException(String message) {
            super(message);
        }

        public EngineException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A file, folder or stream that cannot be opened, read or written: missing, not a regular file,
     * unreadable, an I/O error (the cause). The message names it.
     */
    public static class FileAccessException extends ResNet4jException {
        private static final long serialVersionUID = 1L;

        public FileAccessException(String message) {
            super(message);
        }

        public FileAccessException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A run that did not finish within the timeout it was given; the engine stopped it. */
    public static class DeadlineException extends EngineException {
        private static final long serialVersionUID = 1L;

        public DeadlineException(String message) {
            super(message);
        }
    }
}
