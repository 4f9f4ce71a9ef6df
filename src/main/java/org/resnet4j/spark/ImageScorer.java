package org.resnet4j.spark;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.resnet4j.Prediction;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNetModel;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.ImageLoader;
import org.resnet4j.vision.Preprocessing;

/**
 * Scores one batch of encoded images with a shared {@link ResNetModel}: each input gets its top-k
 * classes or its embedding, or an error naming it. Each image is decoded and preprocessed on its
 * own, so a bad one is reported alone, and the good ones run as one batch. One scorer per task.
 */
final class ImageScorer {
    /** An image to score: its name for messages, its bytes, or the error that kept them from being read. */
    record Input(String name, byte[] bytes, String error) {}

    /** The outcome for one input: {@code top} or {@code embedding} when it succeeded, else {@code error}. */
    record Scored(List<Prediction> top, float[] embedding, String error) {
        static Scored failed(String error) {
            return new Scored(null, null, error);
        }
    }

    private final ResNetModel model;
    private final Preprocessing preprocessing;
    private final Mode mode;
    private final int k;

    ImageScorer(ResNetModel model, Mode mode, int k) {
        this.model = model;
        this.preprocessing = Preprocessing.imagenet(model.preprocessing());
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
                    tensors.add(preprocessing.apply(ImageLoader.load(new ByteArrayInputStream(in.bytes()), name)));
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
                List<List<Prediction>> tops = model.classify(batch, k);
                for (int j = 0; j < ok.size(); j++) {
                    out[ok.get(j)] = new Scored(tops.get(j), null, null);
                }
            } else {
                Tensor features = model.features(batch);
                float[] all = features.toArray();
                int d = features.dim(1);
                for (int j = 0; j < ok.size(); j++) {
                    out[ok.get(j)] = new Scored(null, Arrays.copyOfRange(all, j * d, (j + 1) * d), null);
                }
            }
        }
        return List.of(out);
    }
}
