package org.resnet4j;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.Preprocessing;
import org.resnet4j.vision.RgbImage;

/**
 * Image files decoded ahead, in batches, for {@link ResNetModel#classifyFiles} and
 * {@link ResNetModel#embedFiles}: a small pool of decode threads decodes and preprocesses the images
 * of the next batches while the caller's thread runs the current one. At most
 * {@link Options#batchesAhead()} batches are decoded (or being decoded) ahead of the one being
 * consumed, so memory stays flat whatever the number of files. A file that cannot be read or decoded
 * does not stop the run: it becomes a failed {@link ImageResult} whose message names it, and the
 * others of its batch go on.
 *
 * <pre>{@code
 * try (ImageBatches images = ImageBatches.start(files, ImageTransform.IMAGENET_V1, ImageBatches.Options.of(16, 0));
 *         ResNetModel model = builder.build()) {   // decoding overlaps the model's loading
 *     model.classifyFiles(images, 5, result -> System.out.println(result));
 * }
 * }</pre>
 *
 * <p>Decoding starts when the batches are {@link #start started}, which may be before the model
 * that consumes them is built: loading a checkpoint and opening ONNX Runtime's session take a second
 * or two, during which the decode threads get up to {@link Options#startupImages()} images ready.
 * Decoded images wait as their 8-bit crops (crop x crop x 3 bytes, 150 kB at 224), normalised to
 * float only when their batch is taken.
 *
 * <p>Threads: {@code start} returns at once; the model's call that consumes the batches blocks its
 * caller, and calls its consumer on the caller's thread only, one file at a time, in input order. {@link #close} cancels decoding not yet started, interrupts
 * decoding under way and returns once the decode threads have ended. One instance is consumed
 * once, by one thread.
 */
public final class ImageBatches implements AutoCloseable {
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
     * @param startupImages images decoded ahead before the first batch is taken, 0 or more (default
     *                      {@value #DEFAULT_STARTUP_IMAGES}), rounded up to whole batches; never
     *                      fewer than {@code batchesAhead + 1} batches. The decode threads work
     *                      through the engine's start-up instead of waiting for it; once batches
     *                      are taken, no more is decoded until the queue is down to {@code batchesAhead}
     */
    public record Options(int batchSize, int decodeThreads, int batchesAhead, int startupImages) {
        /** Two batches ahead: enough to hide one slow image, small enough to keep memory flat. */
        public static final int DEFAULT_BATCHES_AHEAD = 2;
        /**
         * 192 images: what one decode thread gets through (8-10 ms per 640x480 JPEG) while a
         * ResNet-50 checkpoint is loaded and ONNX Runtime's session opened (about 2 s on the
         * 2-core box; docs/PERFORMANCE.md, End to end: classify and embed), held as 29 MB of 224x224
         * crops.
         */
        public static final int DEFAULT_STARTUP_IMAGES = 192;

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
            if (startupImages < 0) {
                throw new IllegalArgumentException("start-up images is " + startupImages + ", expected 0 or more");
            }
        }

        /** No start-up look-ahead beyond {@code batchesAhead}. */
        public Options(int batchSize, int decodeThreads, int batchesAhead) {
            this(batchSize, decodeThreads, batchesAhead, 0);
        }

        /**
         * Batches of {@code batchSize}, decoded {@value #DEFAULT_BATCHES_AHEAD} batches ahead (and
         * {@value #DEFAULT_STARTUP_IMAGES} images during start-up) by the cores an engine with
         * {@code engineThreads} intra-op threads (0: all cores) leaves over.
         */
        public static Options of(int batchSize, int engineThreads) {
            return new Options(
                    batchSize, decodeThreadsFor(engineThreads), DEFAULT_BATCHES_AHEAD, DEFAULT_STARTUP_IMAGES);
        }

        /** The same options with {@code n} decode threads. */
        public Options withDecodeThreads(int n) {
            return new Options(batchSize, n, batchesAhead, startupImages);
        }

        /** The same options with {@code n} start-up images. */
        public Options withStartupImages(int n) {
            return new Options(batchSize, decodeThreads, batchesAhead, n);
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

    /**
     * Receives each batch: its files, the failure message of each (null where the file decoded), and
     * the tensor [n, 3, crop, crop] of the files that decoded, in order (null when none did). The
     * tensor is valid until accept returns: unless inputs are kept, its array holds the next batch.
     */
    @FunctionalInterface
    interface BatchConsumer {
        void accept(List<Path> files, List<String> failures, Tensor decoded);
    }

    /**
     * How files become a batch: {@code decode} one file (on a decode thread), {@code stack} the
     * decoded files of a batch into [n, ...] (on the caller's thread).
     */
    record Decoder<T>(Function<Path, T> decode, BiFunction<List<T>, IntFunction<float[]>, Tensor> stack) {
        /** torchvision's preprocessing: 8-bit crops, normalised as their batch is stacked. */
        static Decoder<RgbImage> of(Preprocessing p) {
            return new Decoder<>(p::decodeAndCrop, p::stackCrops);
        }

        /** Any file-to-tensor step, each tensor [3, h, w] (tests use ones that fail on demand). */
        static Decoder<Tensor> ofTensors(Function<Path, Tensor> preprocessing) {
            return new Decoder<>(preprocessing, (tensors, arrays) -> Preprocessing.batch(tensors));
        }
    }

    /**
     * The batch array, given back for the next batch of the same size: a batch tensor lives only while
     * its consumer runs, but through that inference (~0.4 s for resnet50 at 16 images) the young
     * collections decoding causes promote it, and the serial collector grew its old generation by ~10
     * MB a batch rather than collect it: classify of 2,000 JPEGs peaked at 2.0 GB against 0.74 GB for
     * 200 (docs/PERFORMANCE.md, "End to end").
     */
    private static final class ReusedArray implements IntFunction<float[]> {
        private float[] array;

        @Override
        public float[] apply(int size) {
            if (array == null || array.length != size) {
                array = new float[size];
            }
            return array;
        }
    }

    /** A file that could not be decoded: the message names it. */
    private record Failed(String message) {}

    private final List<Path> files;
    private final ImageTransform transform;
    private final Options options;
    private final Function<Path, ?> decode;
    private final BiFunction<List<Object>, IntFunction<float[]>, Tensor> stack;
    private final ReusedArray batchArray = new ReusedArray();
    private final int batches;
    private final DecodeThreads threads = new DecodeThreads();
    private final ExecutorService pool;
    // the batches submitted to the pool and not yet consumed, oldest first: one future per file
    private final ArrayDeque<List<FutureTask<Object>>> pending = new ArrayDeque<>();
    private int submitted;
    private boolean ran;
    private List<Tensor> kept; // the consumed batches, when their inputs are kept

    @SuppressWarnings("unchecked")
    private ImageBatches(List<Path> files, ImageTransform transform, Options options, Decoder<?> decoder) {
        this.files = List.copyOf(files);
        this.transform = transform;
        this.options = options;
        this.decode = decoder.decode();
        this.stack = (BiFunction<List<Object>, IntFunction<float[]>, Tensor>)
                (BiFunction<?, IntFunction<float[]>, Tensor>) decoder.stack();
        int batchSize = options.batchSize();
        batches = (int) ((this.files.size() + (long) batchSize - 1) / batchSize);
        pool = batches == 0
                ? null
                : Executors.newFixedThreadPool(Math.min(options.decodeThreads(), this.files.size()), threads);
        long startupBatches =
                Math.max(options.batchesAhead() + 1L, ((long) options.startupImages() + batchSize - 1) / batchSize);
        try {
            while (submitted < batches && submitted < startupBatches) {
                submitNext();
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Starts decoding {@code files} with torchvision's preprocessing {@code preset}, at once: up to
     * {@link Options#startupImages()} images (at least {@code batchesAhead + 1} batches) before a
     * model takes the batches ({@link ResNetModel#classifyFiles(ImageBatches, int, java.util.function.Consumer)},
     * {@link ResNetModel#embedFiles(ImageBatches, java.util.function.Consumer)}, whose preset must be
     * the same). Close it when done (those calls do not): closing stops the decode threads.
     */
    public static ImageBatches start(List<Path> files, ImageTransform transform, Options options) {
        Objects.requireNonNull(transform, "transform");
        return new ImageBatches(files, transform, options, Decoder.of(transform.preprocessing()));
    }

    /** With a model's own preprocessing (and so its image limits), which does {@code transform}. */
    static ImageBatches start(
            List<Path> files, ImageTransform transform, Preprocessing preprocessing, Options options) {
        return new ImageBatches(files, transform, options, Decoder.of(preprocessing));
    }

    static ImageBatches start(List<Path> files, Options options, Decoder<?> decoder) {
        return new ImageBatches(files, null, options, decoder);
    }

    /** The files, in input order. */
    public List<Path> files() {
        return files;
    }

    /** How the images are preprocessed (null for a test's own decoder). */
    ImageTransform transform() {
        return transform;
    }

    /**
     * Keeps the preprocessed input of every image that decodes, for {@link #inputs()}: 600 kB per
     * image at 224, held until this object is dropped. Call before the batches are consumed.
     */
    public ImageBatches keepInputs() {
        if (ran) {
            throw new IllegalStateException("these batches were already consumed");
        }
        kept = new ArrayList<>();
        return this;
    }

    /**
     * The preprocessed inputs [N, 3, crop, crop] of the images that decoded, in input order, once the
     * batches were consumed with {@link #keepInputs()}; empty when none decoded.
     */
    public Optional<Tensor> inputs() {
        if (kept == null || !ran) {
            throw new IllegalStateException(
                    "inputs are kept only after keepInputs() and once the batches were consumed");
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(concat(kept));
    }

    /** Runs {@code consumer} on every batch, in input order. Once only. */
    void run(BatchConsumer consumer) {
        if (ran) {
            throw new IllegalStateException("these batches were already consumed");
        }
        ran = true;
        for (int k = 0; k < batches; k++) {
            while (submitted < batches && submitted <= k + options.batchesAhead()) {
                submitNext();
            }
            List<Path> chunk = chunk(k);
            List<FutureTask<Object>> loaded = pending.poll();
            List<String> failures = new ArrayList<>(chunk.size());
            List<Object> decoded = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                Object result = await(loaded.get(i));
                if (result instanceof Failed f) {
                    failures.add(f.message());
                } else {
                    failures.add(null);
                    decoded.add(result);
                }
            }
            // a kept batch outlives the next one: its own array
            Tensor batch = decoded.isEmpty() ? null : stack.apply(decoded, kept == null ? batchArray : float[]::new);
            if (batch != null && kept != null) {
                kept.add(batch);
            }
            consumer.accept(chunk, failures, batch);
        }
    }

    /** Cancels decoding not yet started, interrupts decoding under way, and waits for the decode threads to end. */
    @Override
    public void close() {
        for (List<FutureTask<Object>> batch : pending) {
            batch.forEach(f -> f.cancel(true));
        }
        pending.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
        threads.awaitEnd();
    }

    /** Stacks tensors [n_i, ...] of equal trailing shape into [sum n_i, ...]: batches, or their results. */
    static Tensor concat(List<Tensor> parts) {
        int[] shape = parts.get(0).shape().clone();
        int rows = 0;
        for (Tensor t : parts) {
            if (t.rank() != shape.length || !Arrays.equals(t.shape(), 1, shape.length, shape, 1, shape.length)) {
                throw new IllegalArgumentException("cannot stack " + Arrays.toString(t.shape()) + " under "
                        + Arrays.toString(parts.get(0).shape()));
            }
            rows = Math.addExact(rows, t.dim(0));
        }
        shape[0] = rows;
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] out = new float[Math.toIntExact(size)];
        int at = 0;
        for (Tensor t : parts) {
            t.buffer().get(out, at, t.numel());
            at += t.numel();
        }
        return Tensor.of(shape, out);
    }

    private List<Path> chunk(int k) {
        int batchSize = options.batchSize();
        return files.subList(k * batchSize, (int) Math.min(files.size(), (k + 1L) * batchSize));
    }

    private void submitNext() {
        List<Path> chunk = chunk(submitted);
        List<FutureTask<Object>> tasks = new ArrayList<>(chunk.size());
        for (Path f : chunk) {
            FutureTask<Object> task = new FutureTask<>(() -> decodeOne(f, decode));
            pool.execute(task);
            tasks.add(task);
        }
        pending.add(tasks);
        submitted++;
    }

    /**
     * A decoded file's result: its decoded image or {@link Failed}. A task no decode thread has started
     * yet is run here, on the caller's thread, rather than waited for: the caller has nothing else
     * to do, and the first batch (with nothing to overlap) is decoded by one more thread; a task a
     * decode thread is running or has run is not run again ({@link FutureTask#run} does nothing).
     * An Error that {@link #decodeOne} does not turn into a failure (an AssertionError, a
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
     * Decodes and preprocesses one file: the decoded image, or {@link Failed} with a message naming
     * it. Whatever goes wrong with one file (a refusal, a decoder's RuntimeException, an
     * OutOfMemoryError or StackOverflowError from its pixels) is that file's failure only.
     */
    private static Object decodeOne(Path f, Function<Path, ?> decode) {
        try {
            return decode.apply(f);
        } catch (ResNet4jException | UncheckedIOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return new Failed(msg.contains(f.toString()) ? msg : f + ": " + msg);
        } catch (RuntimeException e) {
            return new Failed(f + ": cannot preprocess the image (" + e + ")");
        } catch (OutOfMemoryError e) {
            return new Failed(f + ": out of memory preprocessing the image (give the JVM more heap, -Xmx)");
        } catch (StackOverflowError e) {
            return new Failed(f + ": the image decoder overflowed its stack");
        }
    }
}
