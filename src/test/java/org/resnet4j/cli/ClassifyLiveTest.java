package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.vision.ImageNetLabels;

/**
 * Live: {@code classify} gives torchvision's answer. A seeded random torchvision resnet18
 * (tools/torch_reference.py) classifies PNGs of several modes and JPEGs from testdata/images;
 * tools/classify_reference.py runs torchvision's own transforms on PIL and the torchvision model.
 * Same top-5 indices in the same order, probabilities within 1e-5, ImageNet labels.
 */
class ClassifyLiveTest {
    static final double PROBABILITY_TOLERANCE = 1e-5;
    static final List<String> IMAGES = List.of(
            "rgb_wide.png",
            "rgb_tall.png",
            "rgb_tiny.png",
            "rgba.png",
            "palette.png",
            "gray.png",
            "photo420.jpg",
            "photo444.jpg",
            "progressive.jpg");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void sameTop5AsTorchvision(String preset) throws Exception {
        PythonReference.require();
        PythonReference.run(
                "torch_reference.py",
                "--arch",
                "resnet18",
                "--seed",
                "11",
                "--batch",
                "1",
                "--height",
                "32",
                "--width",
                "32",
                "--out-dir",
                dir.toString(),
                "--no-timings");
        Path weights = dir.resolve("weights.pth");
        List<String> images = new ArrayList<>();
        for (String f : IMAGES) {
            images.add(
                    PythonReference.root().resolve("testdata/images").resolve(f).toString());
        }
        Path refFile = dir.resolve("reference.json");
        List<String> py = new ArrayList<>(List.of(
                "--arch",
                "resnet18",
                "--weights",
                weights.toString(),
                "--preset",
                preset,
                "--top",
                "5",
                "--out",
                refFile.toString()));
        py.addAll(images);
        PythonReference.run("classify_reference.py", py.toArray(String[]::new));

        List<String> args = new ArrayList<>(List.of(
                "classify",
                "--arch",
                "resnet18",
                "--weights",
                weights.toString(),
                "--preset",
                preset,
                "--json",
                "--top",
                "5",
                "--batch",
                "4",
                "--threads",
                "2"));
        args.addAll(images);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, code, err.toString());

        ObjectMapper json = new ObjectMapper();
        JsonNode ours = json.readTree(out.toString()).get("results");
        JsonNode ref = json.readTree(refFile.toFile()).get("results");
        assertEquals(ref.size(), ours.size());
        List<String> labels = ImageNetLabels.load();
        double worst = 0;
        for (int i = 0; i < ref.size(); i++) {
            String image = ref.get(i).get("image").asText();
            assertEquals(image, ours.get(i).get("image").asText());
            JsonNode a = ours.get(i).get("top");
            JsonNode b = ref.get(i).get("top");
            assertEquals(5, a.size());
            for (int k = 0; k < 5; k++) {
                int index = b.get(k).get("index").asInt();
                assertEquals(
                        index,
                        a.get(k).get("index").asInt(),
                        image + " " + preset + ": top-5 rank " + k + "\nours " + a + "\ntorch " + b);
                assertEquals(labels.get(index), a.get(k).get("label").asText());
                double d = Math.abs(a.get(k).get("probability").asDouble()
                        - b.get(k).get("probability").asDouble());
                worst = Math.max(worst, d);
                assertTrue(
                        d <= PROBABILITY_TOLERANCE,
                        image + " " + preset + ": probability differs by " + d + "\nours " + a + "\ntorch " + b);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "classify vs torchvision (resnet18, %s, %d images): same top-5, max probability difference %.2e%n",
                preset,
                ref.size(),
                worst);
    }
}
