package org.resnet4j;

/** The checks the builders share, so that each argument is refused in one wording everywhere. */
final class Arguments {
    private Arguments() {}

    /** A count of 1 or more ({@code numClasses}, {@code inChannels}, a batch size). */
    static int atLeastOne(String name, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " is " + n + ", expected 1 or more");
        }
        return n;
    }

    /** Threads: 0 for all cores, or a count. */
    static int threads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all cores) or more");
        }
        return threads;
    }
}
