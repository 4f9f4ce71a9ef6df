package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.QuantizedReference;
import org.resnet4j.weights.Npy;

/**
 * Live: {@code classify} and {@code embed} take a quantized torchvision checkpoint like a float one
 * (architecture inferred) and give PyTorch's quantized model's answer on photo-like JPEGs within
 * {@link QuantizedReference}'s bounds: the same top-1 where PyTorch's is not tied, embeddings within
 * {@value QuantizedReference#MAX_STEPS} of the pool's quantization steps.
 */
class QuantizedImagesLiveTest {
    static final int COUNT = 8;

    @TempDir
    static Path dir;

    static QuantizedReference ref;

    @BeforeAll
    static void pytorch() throws Exception {
        ref = QuantizedReference.make(dir, COUNT);
    }

    static String execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out), new PrintWriter(err), args), err.toString());
        return out.toString();
    }

    @Test
    void classifyGivesPyTorchsTop1() throws Exception {
        JsonNode results = new ObjectMapper()
                .readTree(execute(
                        "classify",
                        "--weights",
                        ref.weights().toString(),
                        "--json",
                        "--batch",
                        "4",
                        "--threads",
                        "2",
                        ref.folder().toString()))
                .get("results");
        assertEquals(COUNT, results.size());
        int compared = 0;
        for (int i = 0; i < COUNT; i++) {
            assertEquals(ref.images().get(i), results.get(i).get("image").asText(), "row order");
            JsonNode first = results.get(i).get("top").get(0);
            compared += ref.assertTop1(
                            i,
                            first.get("index").asInt(),
                            first.get("probability").asDouble(),
                            "classify " + ref.images().get(i))
                    ? 1
                    : 0;
        }
        System.out.printf(
                Locale.ROOT,
                "classify on quantized resnet18 (%d JPEGs): top-1 equal PyTorch's on the %d not tied%n",
                COUNT,
                compared);
        assertTrue(compared > 0, "every top-1 tied, nothing compared");
    }

    @Test
    void embedGivesPyTorchsFeatures() {
        Path npy = dir.resolve("features.npy");
        List<String> args = new ArrayList<>(
                List.of("embed", "--weights", ref.weights().toString(), "--threads", "2", "--out", npy.toString()));
        args.add(ref.folder().toString());
        execute(args.toArray(String[]::new));
        Tensor features = Npy.read(npy);
        assertEquals(COUNT, features.dim(0));
        int d = features.dim(1);
        float[] all = features.toArray();
        double worst = 0;
        for (int i = 0; i < COUNT; i++) {
            double steps = ref.featureSteps(i, Arrays.copyOfRange(all, i * d, (i + 1) * d));
            worst = Math.max(worst, steps);
            assertTrue(steps <= QuantizedReference.MAX_STEPS, ref.images().get(i) + ": " + steps + " steps");
        }
        System.out.printf(
                Locale.ROOT,
                "embed on quantized resnet18 (%d JPEGs): max %.2f pool steps from PyTorch%n",
                COUNT,
                worst);
    }
}
