package org.resnet4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.Prediction;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.ImageNetLabels;

/** Softmax, top-k and labels, without a model. */
class ClassifierTest {
    @TempDir
    Path dir;

    @Test
    void softmaxIsStableAndSumsToOne() {
        double[] p = Classifier.softmax(new float[] {9, 1000f, 1001f, 999f}, 1, 3);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-12);
        assertEquals(Math.exp(1) / (1 + Math.exp(1) + Math.exp(-1)), p[1], 1e-12);
    }

    @Test
    void topKOrdersByProbabilityThenIndex() {
        Tensor logits = Tensor.of(new int[] {2, 4}, new float[] {0, 3, 1, 3, 5, 4, 3, 2});
        List<List<Prediction>> top = Classifier.topK(logits, 3, List.of("a", "b", "c", "d"));
        assertEquals(
                List.of(1, 3, 2), top.get(0).stream().map(Prediction::index).toList());
        assertEquals(
                List.of("b", "d", "c"),
                top.get(0).stream().map(Prediction::label).toList());
        assertEquals(
                List.of(0, 1, 2), top.get(1).stream().map(Prediction::index).toList());
        assertEquals(
                4,
                Classifier.topK(logits, 10, List.of("a", "b", "c", "d")).get(0).size());
    }

    @Test
    void labelsByClassCount() throws Exception {
        assertEquals(ImageNetLabels.load(), Classifier.labelsFor(1000, null));
        assertEquals(List.of("class 0", "class 1", "class 2"), Classifier.labelsFor(3, null));
        Path f = dir.resolve("l.txt");
        Files.writeString(f, "x\ny\n");
        assertEquals(List.of("x", "y"), Classifier.labelsFor(2, f));
        assertEquals(List.of("x", "y"), Classifier.labelsFor(-1, f));
        MismatchException e = assertThrows(MismatchException.class, () -> Classifier.labelsFor(3, f));
        assertEquals("labels file " + f + " has 2 class names, the model has 3 classes", e.getMessage());
        assertThrows(ResNet4jException.class, () -> Classifier.labelsFor(-1, null));
    }
}
