package org.resnet4j.pipeline;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.resnet4j.ResNet4jException;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.Preprocessing;

/**
 * Image files in batches, the rule classify and embed share: each batch is decoded and
 * preprocessed in parallel; a file that cannot be read or decoded does not stop the run but is
 * reported as a {@link Failure} whose message names it, and the others of its batch go on.
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

    /** Receives each batch of the files that loaded: their paths and their tensor [n, 3, crop, crop]. */
    @FunctionalInterface
    interface BatchConsumer {
        void accept(List<Path> files, List<Tensor> images, Tensor batch);
    }

    /** Runs {@code consumer} on every batch of loadable files; returns the failures in input order. */
    static List<Failure> run(
            List<Path> files,
            int batchSize,
            Function<Path, Tensor> preprocessing,
            Progress progress,
            BatchConsumer consumer) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size is " + batchSize + ", expected 1 or more");
        }
        List<Failure> errors = new ArrayList<>();
        for (int from = 0; from < files.size(); from += batchSize) {
            List<Path> chunk = files.subList(from, Math.min(files.size(), from + batchSize));
            Object[] loaded = preprocessAll(chunk, preprocessing);
            List<Path> ok = new ArrayList<>();
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                if (loaded[i] instanceof Tensor t) {
                    ok.add(chunk.get(i));
                    tensors.add(t);
                } else {
                    errors.add(new Failure(chunk.get(i), (String) loaded[i]));
                }
            }
            if (!tensors.isEmpty()) {
                consumer.accept(ok, tensors, Preprocessing.batch(tensors));
            }
            if (progress != null) {
                progress.update(from + chunk.size(), files.size());
            }
        }
        return List.copyOf(errors);
    }

    /**
     * Decodes and preprocesses in parallel: a Tensor per file, or the failure message naming it.
     * Whatever goes wrong with one file (a refusal, a decoder's RuntimeException, an
     * OutOfMemoryError or StackOverflowError from its pixels) is that file's failure only.
     */
    private static Object[] preprocessAll(List<Path> files, Function<Path, Tensor> preprocessing) {
        Object[] out = new Object[files.size()];
        IntStream.range(0, files.size()).parallel().forEach(i -> out[i] = preprocessOne(files.get(i), preprocessing));
        return out;
    }

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
