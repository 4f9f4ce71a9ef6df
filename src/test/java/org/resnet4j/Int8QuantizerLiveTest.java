package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Live: the digits demo model (testdata/digits, 534 of 540 held-out digits right in float) quantized by
 * {@link Int8Quantizer} on its own training split (tools/digits_calibration.py: train_digits.py's
 * split, so the held-out digits stay unseen) keeps at least {@value #MIN_CORRECT} right on ONNX Runtime,
 * for every calibration method, weights per tensor and per channel.
 */
class Int8QuantizerLiveTest {
    static final int MIN_CORRECT = 533;
    static final Path DIGITS = PythonReference.root().resolve("testdata/digits");

    @TempDir
    static Path dir;

    static List<Tensor> calibration;

    @BeforeAll
    static void trainingSplit() {
        PythonReference.require();
        Path train = dir.resolve("train.npy");
        PythonReference.run("digits_calibration.py", train.toString());
        Tensor all = Npy.read(train);
        float[] data = all.toArray();
        int per = all.numel() / all.dim(0);
        calibration = new ArrayList<>();
        for (int i = 0; i < all.dim(0); i += 128) {
            int n = Math.min(128, all.dim(0) - i);
            calibration.add(Tensor.of(
                    new int[] {n, all.dim(1), all.dim(2), all.dim(3)},
                    Arrays.copyOfRange(data, i * per, (i + n) * per)));
        }
    }

    @ParameterizedTest(name = "{0}, per channel {1}")
    @CsvSource({
        "minmax, false",
        "minmax, true",
        "percentile, false",
        "percentile, true",
        "entropy, false",
        "entropy, true"
    })
    void theDigitsModelKeepsItsAccuracy(String method, boolean perChannel) throws Exception {
        Path out = dir.resolve("digits-" + method + "-" + perChannel + ".onnx");
        Int8Quantizer.Result r = Int8Quantizer.builder()
                .weights(DIGITS.resolve("model.pth"))
                .architecture(Architecture.specFile(DIGITS.resolve("spec.json")))
                .method(CalibrationMethod.parse(method))
                .perChannel(perChannel)
                .threads(2)
                .build()
                .quantizeTensors(calibration, out);
        Tensor test = Npy.read(DIGITS.resolve("test_images.npy"));
        float[] labels = Npy.read(DIGITS.resolve("test_labels.npy")).toArray();
        int correct = 0;
        try (ResNetModel m = ResNetModel.builder().onnx(out).threads(2).build()) {
            Tensor logits = m.logits(test);
            int classes = logits.dim(1);
            for (int row = 0; row < labels.length; row++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (logits.get(row * classes + c) > logits.get(row * classes + best)) {
                        best = c;
                    }
                }
                correct += best == (int) labels[row] ? 1 : 0;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "int8 digits (%s, per channel %b, calibrated on %d training images): %d/%d held-out right%n",
                method,
                perChannel,
                r.images(),
                correct,
                labels.length);
        assertTrue(correct >= MIN_CORRECT, method + ": " + correct + " of " + labels.length);
    }
}
