package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.tensor.Tensor;

/**
 * The pipelined batches' contract, observed with latches and counters, never with timings: the
 * next batch is decoded while the consumer works on the current one, no more than the set number
 * of batches ahead; results and failures come in input order; a consumer that throws stops the
 * decoders and leaves no decode thread behind.
 */
class ImageBatchesTest {
    /** Long enough never to fire on a correct pipeline, however loaded the machine. */
    static final long WAIT_SECONDS = 60;

    static List<Path> files(int n) {
        return IntStream.range(0, n).mapToObj(i -> Path.of("img" + i + ".jpg")).toList();
    }

    static int index(Path f) {
        String s = f.getFileName().toString();
        return Integer.parseInt(s.substring(3, s.indexOf('.')));
    }

    /** A [3, 1, 1] tensor whose values are the file's index: shows which file a batch row came from. */
    static Tensor tensorOf(Path f) {
        float v = index(f);
        return Tensor.of(new int[] {3, 1, 1}, new float[] {v, v, v});
    }

    static List<Thread> decodeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("resnet4j-decode-") && t.isAlive())
                .toList();
    }

    /** A file that failed, as the batches report it. */
    record Failure(Path image, String message) {}

    /** Told after each batch: how many files are done out of how many. */
    interface Progress {
        void update(int done, int total);
    }

    /** Receives each batch of the files that decoded and their tensor. */
    interface BatchConsumer {
        void accept(List<Path> files, Tensor batch);
    }

    /** Starts, runs and closes: {@code consumer} on every batch; the failures in input order. */
    static List<Failure> run(
            List<Path> files,
            ImageBatches.Options options,
            Function<Path, Tensor> preprocessing,
            Progress progress,
            BatchConsumer consumer) {
        try (ImageBatches b = ImageBatches.start(files, options, ImageBatches.Decoder.ofTensors(preprocessing))) {
            return consume(b, progress, consumer);
        }
    }

    /** Consumes {@code b}: the decoded files of each batch to {@code consumer}, the failures returned in order. */
    static List<Failure> consume(ImageBatches b, Progress progress, BatchConsumer consumer) {
        List<Failure> errors = new ArrayList<>();
        int[] done = {0};
        b.run((chunk, failures, batch) -> {
            List<Path> ok = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                if (failures.get(i) == null) {
                    ok.add(chunk.get(i));
                } else {
                    errors.add(new Failure(chunk.get(i), failures.get(i)));
                }
            }
            if (batch != null) {
                consumer.accept(ok, batch);
            }
            done[0] += chunk.size();
            if (progress != null) {
                progress.update(done[0], b.files().size());
            }
        });
        return errors;
    }

    @AfterEach
    void noDecodeThreadOutlivesARun() {
        assertEquals(List.of(), decodeThreads(), "decode threads still alive after the run");
    }

    @Test
    void theNextBatchIsDecodedWhileTheConsumerRunsTheCurrentOne() {
        List<Path> files = files(6);
        CountDownLatch batch1Started = new CountDownLatch(1);
        List<Boolean> sawNextBatchDecoding = new ArrayList<>();
        run(
                files,
                new ImageBatches.Options(2, 1, 1),
                f -> {
                    if (index(f) == 2) {
                        batch1Started.countDown();
                    }
                    return tensorOf(f);
                },
                null,
                (paths, batch) -> {
                    if (index(paths.get(0)) == 0) {
                        // batch 0's consumer does not return until a decoder has started on batch 1
                        sawNextBatchDecoding.add(await(batch1Started));
                    }
                });
        assertEquals(List.of(true), sawNextBatchDecoding);
    }

    @Test
    void withNoBatchesAheadTheNextBatchWaitsForTheConsumer() {
        List<Path> files = files(6);
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        List<Integer> startedWhileConsuming = new ArrayList<>();
        run(
                files,
                new ImageBatches.Options(2, 2, 0),
                f -> {
                    started.add(index(f));
                    return tensorOf(f);
                },
                null,
                (paths, batch) -> startedWhileConsuming.add(started.size()));
        assertEquals(List.of(2, 4, 6), startedWhileConsuming);
    }

    @Test
    void atMostTheSetNumberOfBatchesAreDecodedAhead() {
        int batchSize = 3;
        int ahead = 2;
        List<Path> files = files(20);
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        // the files that may be decoded while batch 0 is consumed: batch 0 and the two after it
        CountDownLatch boundDecoded = new CountDownLatch((1 + ahead) * batchSize);
        List<String> overruns = Collections.synchronizedList(new ArrayList<>());
        List<Integer> batchStarts = new ArrayList<>();
        run(
                files,
                new ImageBatches.Options(batchSize, 3, ahead),
                f -> {
                    started.add(index(f));
                    Tensor t = tensorOf(f);
                    if (index(f) < (1 + ahead) * batchSize) {
                        boundDecoded.countDown();
                    }
                    return t;
                },
                null,
                (paths, batch) -> {
                    int k = index(paths.get(0)) / batchSize;
                    batchStarts.add(k);
                    if (k == 0) {
                        // let the three decoders run as far as they are allowed to
                        assertTrue(await(boundDecoded), "the decoders did not fill the queue");
                    }
                    int limit = (k + 1 + ahead) * batchSize;
                    started.stream()
                            .filter(i -> i >= limit)
                            .forEach(i -> overruns.add("file " + i + " decoded while batch " + k + " was consumed"));
                });
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), batchStarts);
        assertEquals(List.of(), overruns);
        assertEquals(20, started.size());
    }

    @Test
    void decodingStartsWithStartAndRunsToTheStartUpImagesBeforeAnyBatchIsTaken() {
        int batchSize = 2;
        List<Path> files = files(20);
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        // 7 start-up images round up to 4 whole batches: files 0 to 7
        CountDownLatch startupDecoded = new CountDownLatch(8);
        List<String> overruns = Collections.synchronizedList(new ArrayList<>());
        List<Integer> batchStarts = new ArrayList<>();
        try (ImageBatches b = ImageBatches.start(
                files, new ImageBatches.Options(batchSize, 2, 1, 7), ImageBatches.Decoder.ofTensors(f -> {
                    started.add(index(f));
                    if (index(f) < 8) {
                        startupDecoded.countDown();
                    }
                    return tensorOf(f);
                }))) {
            // nothing has been run: the decode threads got there on their own (the engine's start-up)
            assertTrue(await(startupDecoded), "the start-up images were not decoded before run");
            consume(b, null, (paths, batch) -> {
                int k = index(paths.get(0)) / batchSize;
                batchStarts.add(k);
                // past the start-up, one batch ahead of the consumer at most
                int limit = Math.max(8, (k + 2) * batchSize);
                started.stream()
                        .filter(i -> i >= limit)
                        .forEach(i -> overruns.add("file " + i + " decoded while batch " + k + " was consumed"));
            });
            assertThrows(IllegalStateException.class, () -> consume(b, null, (paths, batch) -> {}));
        }
        assertEquals(IntStream.range(0, 10).boxed().toList(), batchStarts);
        assertEquals(List.of(), overruns);
        assertEquals(20, started.size());
    }

    @Test
    void closingBatchesThatWereNeverRunStopsTheDecoders() {
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        CountDownLatch first = new CountDownLatch(1);
        try (ImageBatches b = ImageBatches.start(
                files(400), new ImageBatches.Options(4, 2, 2, 40), ImageBatches.Decoder.ofTensors(f -> {
                    started.add(index(f));
                    first.countDown();
                    return tensorOf(f);
                }))) {
            assertTrue(await(first));
            assertEquals(400, b.files().size());
        }
        assertTrue(started.stream().allMatch(i -> i < 40), "decoded past the start-up images: " + started);
        assertEquals(List.of(), decodeThreads());
    }

    @Test
    void batchesAndResultsStackAlongTheFirstDimension() {
        Tensor a = Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Tensor b = Tensor.of(new int[] {1, 3}, new float[] {7, 8, 9});
        Tensor ab = ImageBatches.concat(List.of(a, b));
        assertEquals(List.of(3, 3), IntStream.of(ab.shape()).boxed().toList());
        assertEquals(
                List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f),
                IntStream.range(0, 9).mapToObj(i -> ab.toArray()[i]).toList());
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageBatches.concat(List.of(a, Tensor.of(new int[] {1, 2}, new float[] {1, 2}))));
    }

    @Test
    void resultsAndFailuresComeInInputOrderWhateverOrderTheDecodersFinishIn() {
        List<Path> files = files(23);
        Set<Integer> failing = Set.of(0, 4, 5, 11, 22);
        Random rnd = new Random(14);
        int[] delays = IntStream.range(0, files.size()).map(i -> rnd.nextInt(4)).toArray();
        Function<Path, Tensor> decode = f -> {
            int i = index(f);
            sleep(delays[i]); // scrambles the order in which the four decoders finish
            if (failing.contains(i)) {
                if (i == 4) {
                    throw new OutOfMemoryError("Java heap space");
                }
                throw new FormatException(f + ": not an image");
            }
            return tensorOf(f);
        };
        List<Integer> rows = new ArrayList<>();
        List<Path> consumed = new ArrayList<>();
        List<Integer> progress = new ArrayList<>();
        Thread caller = Thread.currentThread();
        List<String> wrongThread = new ArrayList<>();
        List<Failure> errors = run(
                files,
                new ImageBatches.Options(4, 4, 2),
                decode,
                (done, total) -> {
                    progress.add(done);
                    assertEquals(23, total);
                },
                (paths, batch) -> {
                    if (Thread.currentThread() != caller) {
                        wrongThread.add(Thread.currentThread().getName());
                    }
                    consumed.addAll(paths);
                    assertEquals(paths.size(), batch.dim(0));
                    float[] data = batch.toArray();
                    for (int r = 0; r < batch.dim(0); r++) {
                        rows.add((int) data[r * 3]);
                    }
                });
        List<Integer> expected =
                IntStream.range(0, 23).filter(i -> !failing.contains(i)).boxed().toList();
        assertEquals(expected, rows);
        assertEquals(expected, consumed.stream().map(ImageBatchesTest::index).toList());
        assertEquals(
                List.of(0, 4, 5, 11, 22),
                errors.stream().map(e -> index(e.image())).toList());
        assertTrue(
                errors.get(1).message().contains("img4.jpg: out of memory"),
                errors.get(1).message());
        assertEquals("img5.jpg: not an image", errors.get(2).message());
        assertEquals(List.of(4, 8, 12, 16, 20, 23), progress);
        assertEquals(List.of(), wrongThread, "consumer called off the caller's thread");
    }

    @Test
    void aConsumerThatThrowsStopsTheDecodersAndItsExceptionIsRethrown() {
        List<Path> files = files(400);
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        IllegalStateException boom = new IllegalStateException("the engine is closed");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> run(
                        files,
                        new ImageBatches.Options(2, 2, 2),
                        f -> {
                            started.add(index(f));
                            return tensorOf(f);
                        },
                        null,
                        (paths, batch) -> {
                            if (index(paths.get(0)) == 2) {
                                throw boom;
                            }
                        }));
        assertSame(boom, thrown);
        // batch 1 was being consumed: batches 0 to 3 at most were ever handed to the decoders
        assertTrue(started.stream().allMatch(i -> i < 8), "decoded after the consumer failed: " + started);
        assertEquals(List.of(), decodeThreads());
    }

    @Test
    void anErrorOutsideTheFailureRuleEndsTheRunWithNoThreadLeft() {
        AssertionError bug = new AssertionError("decoder invariant");
        AssertionError thrown = assertThrows(
                AssertionError.class,
                () -> run(
                        files(10),
                        new ImageBatches.Options(2, 2, 2),
                        f -> {
                            if (index(f) == 3) {
                                throw bug;
                            }
                            return tensorOf(f);
                        },
                        null,
                        (paths, batch) -> {}));
        assertSame(bug, thrown);
    }

    /**
     * Unless inputs are kept, consecutive batches of one size are stacked into the same array (the
     * allocator hands it back), and each batch still holds its own files when its consumer runs; kept
     * batches each get their own array and stay intact.
     */
    @Test
    void batchArraysAreReusedUnlessInputsAreKept() {
        for (boolean keep : new boolean[] {false, true}) {
            List<float[]> arrays = new ArrayList<>();
            ImageBatches.Decoder<Float> decoder = new ImageBatches.Decoder<>(f -> (float) index(f), (values, alloc) -> {
                float[] a = alloc.apply(values.size() * 3);
                arrays.add(a);
                for (int i = 0; i < values.size(); i++) {
                    java.util.Arrays.fill(a, 3 * i, 3 * i + 3, values.get(i));
                }
                return Tensor.of(new int[] {values.size(), 3, 1, 1}, a);
            });
            List<Path> files = files(11); // batches of 4, 4 and 3
            try (ImageBatches b = ImageBatches.start(files, new ImageBatches.Options(4, 2, 1, 4), decoder)) {
                if (keep) {
                    b.keepInputs();
                }
                List<Float> seen = new ArrayList<>();
                b.run((chunk, failures, batch) -> {
                    float[] v = batch.toArray();
                    for (int i = 0; i < chunk.size(); i++) {
                        assertEquals(index(chunk.get(i)), v[3 * i + 2], "row " + i + " of " + chunk);
                        seen.add(v[3 * i]);
                    }
                });
                assertEquals(11, seen.size());
                assertEquals(3, arrays.size());
                assertEquals(!keep, arrays.get(0) == arrays.get(1), "same-size batches share an array: " + !keep);
                assertTrue(arrays.get(1) != arrays.get(2), "a batch of another size has its own array");
                if (keep) {
                    float[] all = b.inputs().orElseThrow().toArray();
                    for (int i = 0; i < 11; i++) {
                        assertEquals(i, all[3 * i], "kept input of file " + i);
                    }
                }
            }
        }
    }

    @Test
    void aBatchLargerThanTheInputIsOneBatch() {
        List<Integer> sizes = new ArrayList<>();
        run(
                files(3),
                new ImageBatches.Options(Integer.MAX_VALUE, 2, 2),
                ImageBatchesTest::tensorOf,
                null,
                (paths, batch) -> sizes.add(batch.dim(0)));
        assertEquals(List.of(3), sizes);
    }

    @Test
    void noFilesNoBatchesNoThreads() {
        List<Failure> errors = run(List.of(), ImageBatches.Options.of(4, 0), f -> tensorOf(f), null, (paths, batch) -> {
            throw new AssertionError("no batch expected");
        });
        assertEquals(List.of(), errors);
    }

    @Test
    void decodeThreadsAreTheCoresTheEngineLeavesAtLeastOne() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(1, ImageBatches.decodeThreadsFor(0));
        assertEquals(1, ImageBatches.decodeThreadsFor(cores));
        assertEquals(1, ImageBatches.decodeThreadsFor(cores + 8));
        assertEquals(Math.max(1, cores - 1), ImageBatches.decodeThreadsFor(1));
        assertEquals(2, ImageBatches.Options.of(16, 0).batchesAhead());
        assertEquals(192, ImageBatches.Options.of(16, 0).startupImages());
        assertEquals(0, new ImageBatches.Options(16, 1, 2).startupImages());
        assertThrows(IllegalArgumentException.class, () -> new ImageBatches.Options(16, 1, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> new ImageBatches.Options(0, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new ImageBatches.Options(16, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new ImageBatches.Options(16, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> ImageBatches.decodeThreadsFor(-1));
    }

    static boolean await(CountDownLatch latch) {
        try {
            return latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
