package org.resnet4j;

/**
 * Root of resnet4j's exception family: everything that goes wrong because of the data a user gave
 * us (a file, a spec, an option) is one of its subclasses, with a message that names the file, the
 * tensor key and the expected versus actual values. Programming errors stay
 * {@link IllegalStateException}/{@link IllegalArgumentException}.
 *
 * <p>The family is unchecked so that it crosses lambdas and stream pipelines unchanged; the CLI
 * catches it at the top and prints the message without a stack trace.
 */
public class ResNet4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResNet4jException(String message) {
        super(message);
    }

    public ResNet4jException(String message, Throwable cause) {
        super(message, cause);
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
}
