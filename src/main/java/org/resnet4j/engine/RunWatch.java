package org.resnet4j.engine;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.resnet4j.ResNet4jException.DeadlineException;

/**
 * Stops a run that its caller no longer wants: when the calling thread is interrupted (a service's
 * {@code Future.cancel(true)}, a shutdown) or the run passes its deadline. The Java engine checks
 * {@link #check()} between nodes. ONNX Runtime cannot be interrupted from Java, so a run registers a
 * way to terminate it ({@code RunOptions.setTerminate}), and one daemon thread looks at the runs in
 * flight every {@value #POLL_MILLIS} ms and terminates those whose thread was interrupted or whose
 * deadline passed; the run then reports why with {@link #failure}. Thread-safe; one watch per run.
 */
public final class RunWatch implements AutoCloseable {
    static final long POLL_MILLIS = 10;

    private static final Set<RunWatch> ACTIVE = ConcurrentHashMap.newKeySet();
    private static ScheduledExecutorService watcher;

    private final Thread thread = Thread.currentThread();
    private final long deadline; // System.nanoTime(); Long.MAX_VALUE for none
    private final Duration timeout;
    private final Runnable terminate;
    private volatile String stopped; // why the watcher terminated the run, or null

    private RunWatch(Duration timeout, Runnable terminate) {
        this.timeout = timeout;
        this.deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        this.terminate = terminate;
    }

    /**
     * Watches the run the current thread is starting, with {@code timeout} (null: none); a non-null
     * {@code terminate} is called from the watcher thread when the run should stop.
     */
    public static RunWatch start(Duration timeout, Runnable terminate) {
        RunWatch w = new RunWatch(timeout, terminate);
        if (terminate != null) {
            ensureWatcher();
            ACTIVE.add(w);
        }
        return w;
    }

    /** Throws when the run should stop: {@link CancellationException} when interrupted, else {@link DeadlineException}. */
    public void check() {
        if (thread.isInterrupted()) {
            throw new CancellationException("the run was interrupted; it stopped between nodes");
        }
        if (System.nanoTime() > deadline) {
            throw deadlineException();
        }
    }

    /**
     * After the engine failed: the typed exception when the watcher stopped the run (the engine's own
     * error only says it was terminated), else {@code engineFailure} itself.
     */
    public RuntimeException failure(RuntimeException engineFailure) {
        String why = stopped;
        if (why == null) {
            return engineFailure;
        }
        if (why.equals("interrupted")) {
            CancellationException c = new CancellationException("the run was interrupted; ONNX Runtime stopped it");
            c.initCause(engineFailure);
            return c;
        }
        return deadlineException();
    }

    @Override
    public void close() {
        ACTIVE.remove(this);
    }

    private DeadlineException deadlineException() {
        return new DeadlineException("the run did not finish within its timeout of " + timeout.toMillis() + " ms");
    }

    private void poll() {
        if (stopped != null) {
            return;
        }
        if (thread.isInterrupted()) {
            stopped = "interrupted";
        } else if (System.nanoTime() > deadline) {
            stopped = "deadline";
        } else {
            return;
        }
        terminate.run();
    }

    private static synchronized void ensureWatcher() {
        if (watcher == null) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "resnet4j-run-watch");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(
                    () -> {
                        for (RunWatch w : ACTIVE) {
                            try {
                                w.poll();
                            } catch (RuntimeException e) {
                                // a run that cannot be terminated finishes on its own; the watch goes on
                            }
                        }
                    },
                    POLL_MILLIS,
                    POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }
}
