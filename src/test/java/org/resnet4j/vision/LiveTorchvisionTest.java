package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.testing.TestImages;
import org.resnet4j.weights.Npy;

/**
 * Live check against torchvision: reruns {@code tools/pil_reference.py --full} into a temp dir
 * (images regenerated, torchvision's float tensors and PIL's {@code convert("RGB")} written as
 * .npy) and compares, so the committed fixtures are not the only check. Skipped where
 * /usr/bin/python3 lacks torch, torchvision or PIL, except with {@code CI=true}, where that fails.
 */
class LiveTorchvisionTest {
    static final String PYTHON = PythonReference.PYTHON;

    static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    static void requirePython() {
        PythonReference.require();
    }

    @Test
    void decodingAndPreprocessingEqualTorchvision(@TempDir Path tmp) throws Exception {
        requirePython();
        Path out = tmp.resolve("ref");
        run(
                VisionTesting.root(),
                List.of(
                        PYTHON,
                        VisionTesting.root().resolve("tools/pil_reference.py").toString(),
                        "--full",
                        out.toString()));
        JsonNode manifest =
                new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode entry : manifest.get("images")) {
            String name = entry.get("file").asText();
            boolean lossy = VisionTesting.lossy(name);
            Path file = out.resolve(name);
            RgbImage ours = ImageLoader.load(file);
            Tensor pilRgb = Npy.read(out.resolve(name + ".rgb.npy"));
            assertArrayEquals(new int[] {ours.height(), ours.width(), 3}, pilRgb.shape(), name + ": decoded size");
            float[] decoded = new float[ours.rgb().length];
            for (int i = 0; i < decoded.length; i++) {
                decoded[i] = ours.rgb()[i] & 0xff;
            }
            VisionTesting.Diff rgbDiff = VisionTesting.Diff.of(decoded, pilRgb.toArray());
            report.add(String.format(
                    "%-18s %-5s decode (0..255)  %s",
                    name, entry.get("pil_mode").asText(), rgbDiff));
            if (!lossy && rgbDiff.maxAbs() != 0) {
                failures.add(name + ": decoded RGB differs from PIL's convert('RGB'): " + rgbDiff);
            }
            for (String preset : new java.util.TreeSet<>(TestImages.PRESETS.keySet())) {
                Tensor theirs = Npy.read(out.resolve(name + "." + preset + ".npy"));
                Tensor mine =
                        TestImages.imagenet(TestImages.PRESETS.get(preset)).apply(ours);
                VisionTesting.Diff d = VisionTesting.Diff.of(mine, theirs);
                report.add(String.format(
                        "%-18s %-5s %-4s tensor      %s",
                        name, entry.get("pil_mode").asText(), preset, d));
                boolean ok = !lossy
                        ? d.maxAbs() <= FixturePreprocessingTest.LOSSLESS_TOLERANCE
                        : d.meanAbs() <= FixturePreprocessingTest.JPEG_MEAN_TOLERANCE
                                && d.maxAbs() <= FixturePreprocessingTest.JPEG_MAX_TOLERANCE;
                if (!ok) {
                    failures.add(name + " " + preset + ": " + d);
                }
                checked++;
            }
        }
        System.out.println(
                "vision: ours vs torchvision " + manifest.get("torchvision").asText() + " / Pillow "
                        + manifest.get("pillow").asText() + " (live)");
        report.forEach(l -> System.out.println("  " + l));
        assertEquals(manifest.get("images").size() * TestImages.PRESETS.size(), checked);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
