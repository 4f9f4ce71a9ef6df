package org.resnet4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.resnet4j.tensor.Tensor;

/**
 * The reference for the image routes (classify, embed, Spark) on a quantized checkpoint: torchvision's
 * quantized resnet18 (tools/quantized_reference.py: seeded weights, randomised BatchNorm, onednn
 * qconfig), photo-like JPEGs (tools/make_images.py), and PyTorch's quantized model on them through
 * torchvision's transforms (tools/classify_reference.py --quantized): its top-5 and pooled features.
 *
 * <p>The bounds are QuantizedParityLiveTest's: within {@value #MAX_STEPS} output quantization steps
 * (fc's for the logits, the pool's for the features), and the same top-1 wherever PyTorch's leads by
 * more than {@value #TIE_STEPS} of fc's steps. Probabilities are compared through the logits they come
 * from: two logits within d of PyTorch's move log p by at most 2d (the log-sum-exp moves by at most d).
 */
public record QuantizedReference(
        Path weights,
        Path folder,
        List<String> images,
        JsonNode top,
        Tensor features,
        double fcScale,
        double featuresScale) {
    /** ORT's and PyTorch's integer kernels requantise with their own rounding: measured within 2 steps. */
    public static final double MAX_STEPS = 2.0 + 1e-3;
    /** A top-1 that leads by fewer steps is a tie the rounding may break either way. */
    public static final double TIE_STEPS = 4;

    /** The checkpoint and images (cached under target/python-cache) and PyTorch's answer, written into {@code dir}. */
    public static QuantizedReference make(Path dir, int count) throws IOException {
        PythonReference.require();
        Path model = PythonReference.cached(
                "quantized_reference.py",
                "--arch",
                "resnet18",
                "--engine",
                "onednn",
                "--size",
                "224",
                "--batch",
                "2",
                "--calibration-batches",
                "4",
                "--out-dir");
        Path folder = PythonReference.cached(
                "make_images.py",
                "--count",
                Integer.toString(count),
                "--width",
                "200",
                "--height",
                "150",
                "--seed",
                "7",
                "--out-dir");
        List<String> images;
        try (Stream<Path> walk = Files.walk(folder)) {
            images = walk.filter(Files::isRegularFile)
                    .map(Path::toString)
                    .sorted()
                    .toList();
        }
        assertEquals(count, images.size(), "images in " + folder);
        Path weights = model.resolve("weights.pth");
        PythonReference.Classified ref =
                PythonReference.classify("resnet18", weights, 5, images, dir, List.of("--quantized", "onednn"));
        JsonNode meta = new ObjectMapper().readTree(model.resolve("meta.json").toFile());
        return new QuantizedReference(
                weights,
                folder,
                images,
                ref.results(),
                ref.features(),
                meta.get("fc_scale").asDouble(),
                meta.get("features_scale").asDouble());
    }

    /**
     * Checks one image's answer: the top-1 index where PyTorch's is not tied, and its probability
     * within the logits' bound. Returns whether the top-1 was compared (not a tie).
     */
    public boolean assertTop1(int row, int index, double probability, String what) {
        JsonNode top = this.top.get(row).get("top");
        assertEquals(images.get(row), this.top.get(row).get("image").asText(), "row order");
        int theirs = top.get(0).get("index").asInt();
        double p1 = top.get(0).get("probability").asDouble();
        double lead = Math.log(p1 / top.get(1).get("probability").asDouble()) / fcScale;
        if (lead <= TIE_STEPS) {
            return false;
        }
        assertEquals(theirs, index, what + ": top-1 (PyTorch's leads by " + lead + " steps)");
        double logRatio = Math.abs(Math.log(probability / p1)) / fcScale;
        assertTrue(
                logRatio <= 2 * MAX_STEPS,
                what + ": top-1 probability " + probability + " against PyTorch's " + p1 + " (log ratio " + logRatio
                        + " steps)");
        return true;
    }

    /** The largest difference from PyTorch's pooled features of {@code row}, in the pool's steps. */
    public double featureSteps(int row, float[] embedding) {
        int d = features.dim(1);
        assertEquals(d, embedding.length, "embedding length");
        double worst = 0;
        for (int j = 0; j < d; j++) {
            worst = Math.max(worst, Math.abs(embedding[j] - features.get(row * d + j)) / featuresScale);
        }
        return worst;
    }
}
