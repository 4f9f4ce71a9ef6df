package org.resnet4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.resnet4j.ResNet4jException;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.Classifier;
import org.resnet4j.vision.Preprocessing;

/**
 * Scores one batch of encoded images with a loaded model: each input gets its top-k classes or its
 * embedding, or an error message naming it. A bad image never fails the batch: it is decoded alone,
 * and the others run together. Thread-safe as the model is; one scorer per task.
 */
final class ImageScorer {
    /** An image to score: its name for messages, its bytes, or the error that kept them from being read. */
    record Input(String name, byte[] bytes, String error) {}

    /** One class of a top-k list, as the rows hold it. */
    record Predicted(int index, String label, float probability) {}

    /** The outcome for one input: {@code top} or {@code embedding} when it succeeded, else {@code error}. */
    record Scored(List<Predicted> top, float[] embedding, String error) {
        static Scored failed(String error) {
            return new Scored(null, null, error);
        }
    }

    private final LoadedModel model;
    private final Mode mode;
    private final int k;

    ImageScorer(LoadedModel model, Mode mode, int k) {
        this.model = model;
        this.mode = mode;
        this.k = k;
    }

    List<Scored> score(List<Input> inputs) {
        Scored[] out = new Scored[inputs.size()];
        List<Integer> ok = new ArrayList<>();
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            String name = in.name() != null ? in.name() : "row " + i + " of the batch";
            if (in.error() != null) {
                out[i] = Scored.failed(in.error());
            } else if (in.bytes() == null) {
                out[i] = Scored.failed(name + ": no image bytes (null content)");
            } else if (in.bytes().length == 0) {
                out[i] = Scored.failed(name + ": empty file (0 bytes)");
            } else {
                try {
                    tensors.add(decode(in.bytes(), name));
                    ok.add(i);
                } catch (ResNet4jException | UncheckedIOException e) {
                    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                    out[i] = Scored.failed(msg.contains(name) ? msg : name + ": " + msg);
                }
            }
        }
        if (!tensors.isEmpty()) {
            Tensor batch = Preprocessing.batch(tensors);
            if (mode == Mode.CLASSIFY) {
                List<List<Classifier.Prediction>> tops = model.classifier().classify(batch, k);
                for (int j = 0; j < ok.size(); j++) {
                    List<Predicted> top = new ArrayList<>();
                    for (Classifier.Prediction p : tops.get(j)) {
                        top.add(new Predicted(p.index(), p.label(), (float) p.probability()));
                    }
                    out[ok.get(j)] = new Scored(List.copyOf(top), null, null);
                }
            } else {
                throw new UnsupportedOperationException("embed: needs ResNetModel");
            }
        }
        return List.of(out);
    }

    /** TEMPORARY: through a temporary file until the decoder reads bytes. */
    private Tensor decode(byte[] bytes, String name) {
        try {
            Path tmp = Files.createTempFile("resnet4j-img", ".bin");
            try {
                Files.write(tmp, bytes);
                try {
                    return model.preprocessing().apply(tmp);
                } catch (ResNet4jException e) {
                    throw new ResNet4jException(e.getMessage().replace(tmp.toString(), name));
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
