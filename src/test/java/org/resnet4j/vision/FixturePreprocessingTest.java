package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestImages;
import org.resnet4j.weights.Npy;

/**
 * Our decoding + preprocessing against torchvision's, from the committed fixtures of
 * {@code tools/pil_reference.py} (testdata/images). The fixture for an image and preset is the
 * 8-bit crop torchvision normalised plus torchvision's normalisation table, which together are
 * torchvision's tensor bit for bit (the script checks that before writing them).
 */
class FixturePreprocessingTest {
    /** Lossless formats: same integer arithmetic, so the tensors must agree to this. */
    static final double LOSSLESS_TOLERANCE = 1e-6;
    /**
     * JPEG: the JDK decodes with libjpeg's integer IDCT and fancy upsampling, as PIL's libjpeg-turbo
     * does, and measured identical on every test JPEG; the bound (in normalised units, one 8-bit
     * step is about 0.017) leaves room for another libjpeg build: a few steps at most.
     */
    static final double JPEG_MEAN_TOLERANCE = 0.02;

    static final double JPEG_MAX_TOLERANCE = 0.1;

    private static final List<String> REPORT = new ArrayList<>();

    static JsonNode manifest() throws IOException {
        return new ObjectMapper()
                .readTree(VisionTesting.images().resolve("manifest.json").toFile());
    }

    static Tensor torchvisionTensor(Path cropPng, float[] table) {
        RgbImage crop = ImageLoader.load(cropPng);
        int n = crop.width() * crop.height();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * n + i] = table[c * 256 + (crop.rgb()[i * 3 + c] & 0xff)];
            }
        }
        return Tensor.of(new int[] {3, crop.height(), crop.width()}, out);
    }

    @Test
    void normalisationEqualsTorchvisionForEveryByte() {
        float[] table = Npy.read(VisionTesting.images().resolve("expected/normalize_table.npy"))
                .toArray();
        for (int resize : TestImages.PRESETS.values()) {
            Preprocessing p = TestImages.imagenet(resize);
            for (int c = 0; c < 3; c++) {
                for (int v = 0; v < 256; v++) {
                    assertEquals(
                            Float.floatToIntBits(table[c * 256 + v]),
                            Float.floatToIntBits(p.normalized(c, v)),
                            "channel " + c + " byte " + v);
                }
            }
        }
    }

    @TestFactory
    List<DynamicTest> preprocessingEqualsTorchvision() throws IOException {
        JsonNode manifest = manifest();
        float[] table = Npy.read(VisionTesting.images().resolve("expected/normalize_table.npy"))
                .toArray();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : manifest.get("images")) {
            String name = entry.get("file").asText();
            for (String preset : new java.util.TreeSet<>(TestImages.PRESETS.keySet())) {
                Path expected = VisionTesting.images().resolve("expected").resolve(name + "." + preset + ".png");
                boolean lossy = VisionTesting.lossy(name);
                if (VisionTesting.v1Only(name) && !Files.exists(expected)) {
                    continue; // lossy formats are committed for v1 only; the live test runs both
                }
                tests.add(DynamicTest.dynamicTest(name + " " + preset, () -> {
                    Preprocessing p = TestImages.imagenet(TestImages.PRESETS.get(preset));
                    Path file = VisionTesting.images().resolve(name);
                    Tensor ours = p.apply(file);
                    // what classify batches: the 8-bit crop decoded ahead, normalised as its batch is stacked
                    assertArrayEquals(
                            ours.toArray(),
                            p.stackCrops(List.of(p.decodeAndCrop(file))).toArray(),
                            name);
                    Tensor theirs = torchvisionTensor(expected, table);
                    VisionTesting.Diff d = VisionTesting.Diff.of(ours, theirs);
                    String line = String.format(
                            "%-18s %-5s %-4s %s", name, entry.get("pil_mode").asText(), preset, d);
                    synchronized (REPORT) {
                        REPORT.add(line);
                    }
                    if (lossy) {
                        assertTrue(
                                d.meanAbs() <= JPEG_MEAN_TOLERANCE && d.maxAbs() <= JPEG_MAX_TOLERANCE,
                                name + " " + preset + ": " + d);
                    } else {
                        assertTrue(d.maxAbs() <= LOSSLESS_TOLERANCE, name + " " + preset + ": " + d);
                    }
                }));
            }
        }
        return tests;
    }

    @AfterAll
    static void report() {
        System.out.println("vision: ours vs torchvision (committed fixtures)");
        REPORT.forEach(l -> System.out.println("  " + l));
    }
}
