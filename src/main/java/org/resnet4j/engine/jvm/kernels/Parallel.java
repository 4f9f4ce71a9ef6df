package org.resnet4j.engine.jvm.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads that splits a range into contiguous chunks, one per thread; the
 * calling thread runs the first chunk itself. Tasks never wait on other tasks, so several runs
 * sharing one pool cannot deadlock: a busy pool only queues work.
 *
 * <p>Lifecycle: created by the engine, closed by the engine's {@code close()}.
 */
public final class Parallel implements AutoCloseable {
    /** A body over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * Items per task for streaming element-wise loops (Relu, Add). An estimate, not a measurement:
     * 16K floats take a few microseconds, well above the cost of handing a task to a parked
     * worker. Issue 5 is to measure it (JMH) and replace the number.
     */
    public static final int ELEMENTWISE_GRAIN = 1 << 14;
    /** Channel planes per task for per-plane loops (BatchNorm, global pools); same status as above. */
    public static final int PLANE_GRAIN = 8;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final int threads;
    private final ExecutorService workers;

    /** {@code threads} ≥ 1; 1 runs everything on the caller. */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 1 or more");
        }
        this.threads = threads;
        if (threads == 1) {
            workers = null;
        } else {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            workers = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "resnet4j-java-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@code threads} contiguous chunks of at
     * least {@code grain} items. The split never changes what a single item computes, so results
     * do not depend on the thread count.
     */
    public void forRange(int n, int grain, RangeBody body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || workers == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            futures.add(workers.submit(() -> body.run(start, end)));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        } else if (failure != null) {
            throw new IllegalStateException("parallel task failed", failure);
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdown();
        }
    }
}
