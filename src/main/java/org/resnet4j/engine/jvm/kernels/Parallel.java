package org.resnet4j.engine.jvm.kernels;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads that splits a range into contiguous chunks, which the calling
 * thread and the workers claim one at a time. The caller works too and waits only for chunks
 * already started: a worker that the OS has not scheduled yet (this machine is shared) finds
 * nothing left and returns. Chunk boundaries depend only on the range, the grain and the chunk
 * count, never on which thread runs a chunk, so results do not depend on scheduling. Tasks never
 * wait on other tasks, so several runs sharing one pool cannot deadlock: a busy pool only queues work.
 *
 * <p>Workers may spin for {@link #SPIN_NANOS} after their last job before they park, as ONNX
 * Runtime's pool does. The default is 0 (park at once): on the shared 2-core box (load 8) three
 * interleaved A/B pairs of resnet50 batch 1, 2 threads, gave min 102/124/100 ms without spinning
 * and 171/208/110 ms with 200 µs of spinning; medians were too noisy to call.
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
     * worker.
     */
    public static final int ELEMENTWISE_GRAIN = 1 << 14;
    /** Channel planes per task for per-plane loops (BatchNorm, global pools); same status as above. */
    public static final int PLANE_GRAIN = 8;
    /** Chunks per thread by default: enough that a thread delayed by the OS leaves work for the others. */
    public static final int CHUNKS_PER_THREAD = 4;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final int threads;
    /** How long an idle worker polls for the next job before it parks; {@code -Dresnet4j.spinNanos} overrides. */
    static final long SPIN_NANOS = Long.getLong("resnet4j.spinNanos", 0);

    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final Thread[] workers;
    private volatile boolean closed;

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
            workers = new Thread[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Thread(this::workerLoop, "resnet4j-java-" + id + "-" + (i + 1));
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }
    }

    private void workerLoop() {
        long idleSince = System.nanoTime();
        while (!closed) {
            Job job = queue.poll();
            if (job != null) {
                job.work();
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
                idleSince = System.nanoTime();
            }
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@code CHUNKS_PER_THREAD · threads} contiguous
     * chunks of at least {@code grain} items. The split never changes what a single item computes,
     * so results do not depend on the thread count.
     */
    public void forRange(int n, int grain, RangeBody body) {
        forRange(n, grain, CHUNKS_PER_THREAD * threads, body);
    }

    /** Same, with at most {@code maxChunks} chunks (when each chunk repeats some set-up work). */
    public void forRange(int n, int grain, int maxChunks, RangeBody body) {
        int chunks = Math.min(maxChunks, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || workers == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        Job job = new Job(n, chunks, body);
        int helpers = Math.min(threads - 1, chunks - 1);
        for (int i = 0; i < helpers; i++) {
            queue.add(job);
        }
        for (int i = 0; i < helpers; i++) {
            LockSupport.unpark(workers[i]); // a no-op for a spinning worker but for a permit
        }
        job.work();
        boolean interrupted = false;
        while (true) {
            try {
                job.done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable failure = job.failure.get();
        if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        } else if (failure != null) {
            throw new IllegalStateException("parallel task failed", failure);
        }
    }

    /** One forRange call: chunks claimed through a counter, completion counted down per chunk. */
    private static final class Job {
        final int n;
        final int chunks;
        final RangeBody body;
        final AtomicInteger next = new AtomicInteger();
        final CountDownLatch done;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int n, int chunks, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.done = new CountDownLatch(chunks);
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (workers != null) {
            for (Thread t : workers) {
                LockSupport.unpark(t);
            }
        }
    }
}
