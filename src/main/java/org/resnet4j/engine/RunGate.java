package org.resnet4j.engine;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * What makes an engine safe to close while other threads run it: runs proceed together, each holding
 * the gate's shared side for its whole length; {@link #close} takes the exclusive side, so it waits
 * for the runs in flight, releases the engine's resources once, and makes every later run throw
 * {@link IllegalStateException}. Without it, ONNX Runtime freed its session's native memory under a run
 * still inside it and the JVM died of a SIGSEGV in libonnxruntime (a service's normal shutdown, 4
 * threads classifying, close after 150 ms: the first of 15 cycles).
 *
 * <p>A waiting close holds back runs that arrive after it (the lock's writer preference), so it waits
 * at most for the runs already started. A run must not close its own engine: it would wait for itself,
 * so that is refused. Thread-safe.
 */
public final class RunGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    /** Written under the exclusive side, read under either. */
    private boolean closed;

    /** {@code what} names the resource in messages: "engine is closed". */
    public RunGate(String what) {
        this.what = what;
    }

    /** Runs {@code body} while the gate is open; throws {@link IllegalStateException} once it is closed. */
    public <T> T run(Supplier<T> body) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(what + " is closed");
            }
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Closes the gate: waits for the runs in flight, then runs {@code release} once (the first close
     * only; later ones return at once). {@code release} runs even if a run failed; if it throws, the
     * gate stays closed.
     *
     * @throws IllegalStateException when called from inside a run of this gate
     */
    public void close(Runnable release) {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("cannot close the " + what + " from inside one of its own runs");
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            release.run();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
