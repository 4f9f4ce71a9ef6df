package org.resnet4j.pipeline;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.resnet4j.ResNet4jException;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.Preprocessing;

/**
 * Image files in batches, the rule classify and embed share, with decoding overlapped with
 * inference: a small pool of decode threads decodes and preprocesses the images of the next
 * batches while the caller's thread runs the current one. At most {@link Options#batchesAhead()}
 * batches are decoded (or being decoded) ahead of the one being consumed, so memory stays flat
 * whatever the number of files. A file that cannot be read or decoded does not stop the run but is
 * reported as a {@link Failure} whose message names it, and the others of its batch go on.
 *
 * <p>Threads: {@code run} blocks its caller. The consumer and the progress callback are called on
 * the caller's thread only, one batch at a time, in input order; the preprocessing function is
 * called from the decode threads concurrently, and from the caller's thread for images of the batch
 * it waits for that no decode thread has started, so it must be thread-safe ({@link Preprocessing} is).
 * The decode pool is made per run and is shut down, its threads ended, before {@code run} returns
 * or throws: when the consumer (or the progress callback) throws, decoding not yet started is
 * cancelled, decoding under way is interrupted, and the exception is rethrown once the decode
 * threads have ended.
 */
public final class FileBatches {
    private FileBatches() {}

    /** An input that was skipped, and why (the message names the file). */
    public record Failure(Path image, String message) {}

    /** Told after each batch: how many inputs are done (processed or failed) out of how many. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total);
    }

    /**
     * How files are batched and decoded.
     *
     * @param batchSize     images per batch, 1 or more
     * @param decodeThreads threads that decode and preprocess images, 1 or more
     *                      ({@link #decodeThreadsFor}: the cores the engine leaves)
     * @param batchesAhead  batches decoded ahead of the one being consumed, 0 or more (default
     *                      {@value #DEFAULT_BATCHES_AHEAD}); at most {@code batchesAhead + 1} batches
     *                      of preprocessed images are held at once. 0 decodes each batch only after
     *                      the previous one was consumed (no overlap)
     */
    public record Options(int batchSize, int decodeThreads, int batchesAhead) {
        /** Two batches ahead: enough to hide one slow image, small enough to keep memory flat. */
        public static final int DEFAULT_BATCHES_AHEAD = 2;

        public Options {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size is " + batchSize + ", expected 1 or more");
            }
            if (decodeThreads < 1) {
                throw new IllegalArgumentException("decode threads is " + decodeThreads + ", expected 1 or more");
            }
            if (batchesAhead < 0) {
                throw new IllegalArgumentException("batches ahead is " + batchesAhead + ", expected 0 or more");
            }
        }

        /**
         * Batches of {@code batchSize}, decoded {@value #DEFAULT_BATCHES_AHEAD} batches ahead by the
         * cores an engine with {@code engineThreads} intra-op threads (0: all cores) leaves over.
         */
        public static Options of(int batchSize, int engineThreads) {
            return new Options(batchSize, decodeThreadsFor(engineThreads), DEFAULT_BATCHES_AHEAD);
        }

        /** The same options with {@code n} decode threads. */
        public Options withDecodeThreads(int n) {
            return new Options(batchSize, n, batchesAhead);
        }
    }

    /**
     * The decode threads for an engine with {@code engineThreads} intra-op threads (0: all cores):
     * the available processors it leaves over, at least 1. Inference is the bulk of the work, so it
     * keeps its cores; decoding a 640x480 JPEG and preprocessing it takes a few milliseconds, so
     * one thread keeps a ResNet fed on a small machine.
     */
    public static int decodeThreadsFor(int engineThreads) {
        if (engineThreads < 0) {
            throw new IllegalArgumentException(
                    "engine threads is " + engineThreads + ", expected 0 (all cores) or more");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int engine = engineThreads == 0 ? cores : engineThreads;
        return Math.max(1, cores - engine);
    }

    /** Receives each batch of the files that loaded: their paths and their tensor [n, 3, crop, crop]. */
    @FunctionalInterface
    interface BatchConsumer {
        void accept(List<Path> files, List<Tensor> images, Tensor batch);
    }

    /** Runs {@code consumer} on every batch of loadable files; returns the failures in input order. */
    static List<Failure> run(
            List<Path> files,
            Options options,
            Function<Path, Tensor> preprocessing,
            Progress progress,
            BatchConsumer consumer) {
        List<Failure> errors = new ArrayList<>();
        if (files.isEmpty()) {
            return List.of();
        }
        int batchSize = options.batchSize();
        int batches = (int) ((files.size() + (long) batchSize - 1) / batchSize);
        DecodeThreads threads = new DecodeThreads();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.decodeThreads(), files.size()), threads);
        // the batches submitted to the pool and not yet consumed, oldest first: one future per file
        ArrayDeque<List<FutureTask<Object>>> pending = new ArrayDeque<>();
        int submitted = 0;
        try {
            for (int k = 0; k < batches; k++) {
                while (submitted < batches && submitted <= k + options.batchesAhead()) {
                    pending.add(submit(pool, chunk(files, submitted, batchSize), preprocessing));
                    submitted++;
                }
                List<Path> chunk = chunk(files, k, batchSize);
                List<FutureTask<Object>> loaded = pending.poll();
                List<Path> ok = new ArrayList<>();
                List<Tensor> tensors = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    Object result = await(loaded.get(i));
                    if (result instanceof Tensor t) {
                        ok.add(chunk.get(i));
                        tensors.add(t);
                    } else {
                        errors.add(new Failure(chunk.get(i), (String) result));
                    }
                }
                if (!tensors.isEmpty()) {
                    consumer.accept(ok, tensors, Preprocessing.batch(tensors));
                }
                if (progress != null) {
                    progress.update((int) Math.min(files.size(), (k + 1L) * batchSize), files.size());
                }
            }
        } finally {
            for (List<FutureTask<Object>> batch : pending) {
                batch.forEach(f -> f.cancel(true));
            }
            pool.shutdownNow();
            threads.awaitEnd();
        }
        return List.copyOf(errors);
    }

    private static List<Path> chunk(List<Path> files, int k, int batchSize) {
        return files.subList(k * batchSize, (int) Math.min(files.size(), (k + 1L) * batchSize));
    }

    private static List<FutureTask<Object>> submit(
            ExecutorService pool, List<Path> chunk, Function<Path, Tensor> preprocessing) {
        List<FutureTask<Object>> tasks = new ArrayList<>(chunk.size());
        for (Path f : chunk) {
            FutureTask<Object> task = new FutureTask<>(() -> preprocessOne(f, preprocessing));
            pool.execute(task);
            tasks.add(task);
        }
        return tasks;
    }

    /**
     * A decoded file's result: its Tensor or failure message. A task no decode thread has started
     * yet is run here, on the caller's thread, rather than waited for: the caller has nothing else
     * to do, and the first batch (with nothing to overlap) is decoded by one more thread; a task a
     * decode thread is running or has run is not run again ({@link FutureTask#run} does nothing).
     * An Error that {@link #preprocessOne} does not turn into a failure (an AssertionError, a
     * LinkageError) is rethrown as it was.
     */
    private static Object await(FutureTask<Object> f) {
        f.run();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for decoded images");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ResNet4jException("decoding failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The decode threads of one run: daemons named resnet4j-decode-N (so a thread dump says what
     * they are), remembered so that the run can wait for each to end, not only for the pool to
     * report itself terminated (its last worker is still alive for a moment after that).
     */
    private static final class DecodeThreads implements ThreadFactory {
        private static final AtomicInteger COUNT = new AtomicInteger();
        private final List<Thread> made = new ArrayList<>();

        @Override
        public synchronized Thread newThread(Runnable r) {
            Thread t = new Thread(r, "resnet4j-decode-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            made.add(t);
            return t;
        }

        /**
         * Waits for every thread to end after the pool's {@code shutdownNow}: a decode interrupted
         * mid-image still finishes that image's arithmetic. Waits through interrupts (restoring the
         * flag) for up to a minute, so that no decode thread outlives the run; they are daemons in
         * case a decoder never returns.
         */
        void awaitEnd() {
            List<Thread> threads;
            synchronized (this) {
                threads = List.copyOf(made);
            }
            boolean interrupted = false;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            for (Thread t : threads) {
                while (t.isAlive() && System.nanoTime() < deadline) {
                    try {
                        TimeUnit.NANOSECONDS.timedJoin(t, deadline - System.nanoTime());
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Decodes and preprocesses one file: a Tensor, or the failure message naming it. Whatever goes
     * wrong with one file (a refusal, a decoder's RuntimeException, an OutOfMemoryError or
     * StackOverflowError from its pixels) is that file's failure only.
     */
    private static Object preprocessOne(Path f, Function<Path, Tensor> preprocessing) {
        try {
            return preprocessing.apply(f);
        } catch (ResNet4jException | UncheckedIOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return msg.contains(f.toString()) ? msg : f + ": " + msg;
        } catch (RuntimeException e) {
            return f + ": cannot preprocess the image (" + e + ")";
        } catch (OutOfMemoryError e) {
            return f + ": out of memory preprocessing the image (give the JVM more heap, -Xmx)";
        } catch (StackOverflowError e) {
            return f + ": the image decoder overflowed its stack";
        }
    }
}
