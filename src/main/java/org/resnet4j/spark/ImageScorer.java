package org.resnet4j.spark;

import java.util.ArrayList;
import java.util.List;
import org.resnet4j.ImageBytes;
import org.resnet4j.ImageResult;
import org.resnet4j.Prediction;
import org.resnet4j.ResNetModel;

/**
 * Scores one batch of a task's rows with a shared {@link ResNetModel}: each input gets its top-k
 * classes or its embedding ({@link ResNetModel#classifyBytes}, {@link ResNetModel#embedBytes}), or
 * an error naming it. Rows whose bytes could not be read arrive with their error and are not
 * decoded. One scorer per task.
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
    private final Mode mode;
    private final int k;

    ImageScorer(ResNetModel model, Mode mode, int k) {
        this.model = model;
        this.mode = mode;
        this.k = k;
    }

    List<Scored> score(List<Input> inputs) {
        Scored[] out = new Scored[inputs.size()];
        List<Integer> at = new ArrayList<>();
        List<ImageBytes> images = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            String name = in.name() != null ? in.name() : "row " + i + " of the batch";
            if (in.error() != null) {
                out[i] = Scored.failed(in.error());
            } else if (in.bytes() == null) {
                out[i] = Scored.failed(name + ": no image bytes (null content)");
            } else {
                at.add(i);
                images.add(new ImageBytes(name, in.bytes()));
            }
        }
        if (!images.isEmpty()) {
            if (mode == Mode.CLASSIFY) {
                List<ImageResult<List<Prediction>>> r = model.classifyBytes(images, k);
                for (int j = 0; j < r.size(); j++) {
                    out[at.get(j)] = r.get(j).ok()
                            ? new Scored(r.get(j).value(), null, null)
                            : Scored.failed(r.get(j).error());
                }
            } else {
                List<ImageResult<float[]>> r = model.embedBytes(images);
                for (int j = 0; j < r.size(); j++) {
                    out[at.get(j)] = r.get(j).ok()
                            ? new Scored(null, r.get(j).value(), null)
                            : Scored.failed(r.get(j).error());
                }
            }
        }
        return List.of(out);
    }
}
