package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.ImageNetLabels;

/** Softmax, top-k and labels, without a model. */
class TopKTest {
    @TempDir
    Path dir;

    @Test
    void softmaxIsStableAndSumsToOne() {
        double[] p = TopK.softmax(new float[] {9, 1000f, 1001f, 999f}, 1, 3);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-12);
        assertEquals(Math.exp(1) / (1 + Math.exp(1) + Math.exp(-1)), p[1], 1e-12);
    }

    @Test
    void topKOrdersByProbabilityThenIndex() {
        Tensor logits = Tensor.of(new int[] {2, 4}, new float[] {0, 3, 1, 3, 5, 4, 3, 2});
        List<List<Prediction>> top = TopK.of(logits, 3, List.of("a", "b", "c", "d"));
        assertEquals(
                List.of(1, 3, 2), top.get(0).stream().map(Prediction::index).toList());
        assertEquals(
                List.of("b", "d", "c"),
                top.get(0).stream().map(Prediction::label).toList());
        assertEquals(
                List.of(0, 1, 2), top.get(1).stream().map(Prediction::index).toList());
        assertEquals(4, TopK.of(logits, 10, List.of("a", "b", "c", "d")).get(0).size());
    }

    @Test
    void labelsByClassCount() throws Exception {
        assertEquals(ImageNetLabels.load(), ClassNames.of(1000, null, null, "m"));
        assertEquals(List.of("class 0", "class 1", "class 2"), ClassNames.of(3, null, null, "m"));
        Path f = dir.resolve("l.txt");
        Files.writeString(f, "x\ny\n");
        assertEquals(List.of("x", "y"), ClassNames.of(2, null, f, "m"));
        assertEquals(List.of("x", "y"), ClassNames.of(-1, null, f, "m"));
        MismatchException e = assertThrows(MismatchException.class, () -> ClassNames.of(3, null, f, "m"));
        assertEquals("labels file " + f + " has 2 class names, the model has 3 classes", e.getMessage());
        assertThrows(MismatchException.class, () -> ClassNames.of(-1, null, null, "m"));
    }
}
