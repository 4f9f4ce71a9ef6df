package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.resnet4j.ResNet4jException;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.Messages;
import org.resnet4j.testing.PythonReference;

/**
 * Quantized tensors as torch.save writes them (testdata/quantized, made by
 * tools/make_quantized_fixtures.py with torch's own constructors): the integers, scales and zero
 * points torch reports, and one clear error for each broken quantizer torch lets one build.
 */
class QuantizedTensorsTest {
    static final Path DIR = PythonReference.root().resolve("testdata/quantized");

    static JsonNode expected() throws IOException {
        return new ObjectMapper()
                .readTree(DIR.resolve("expected.json").toFile())
                .get("files");
    }

    @TestFactory
    List<DynamicTest> valuesAreTorchs() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode want = e.getValue();
            if (want.has("error")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                LoadedCheckpoint c = CheckpointLoader.load(DIR.resolve(e.getKey() + ".pth"));
                assertTrue(c.quantized(), e.getKey() + " is quantized");
                String key = want.get("key").asText();
                Tensor t = c.tensors().get(key);
                int[] shape = new ObjectMapper().convertValue(want.get("shape"), int[].class);
                assertArrayEquals(shape, t.shape(), key);
                float[] ints = new float[want.get("ints").size()];
                for (int i = 0; i < ints.length; i++) {
                    ints[i] = want.get("ints").get(i).floatValue();
                }
                assertArrayEquals(ints, t.toArray(), key + ": the integers");
                Tensor scale = c.tensors().get(key + "_scale");
                Tensor zp = c.tensors().get(key + "_zero_point");
                assertEquals(DType.INT64, zp.sourceType());
                if (want.has("scales")) {
                    assertEquals(1, scale.rank());
                    for (int i = 0; i < want.get("scales").size(); i++) {
                        assertEquals((float) want.get("scales").get(i).asDouble(), scale.get(i), key + " scale " + i);
                        assertEquals(want.get("zero_points").get(i).asLong(), (long) zp.get(i), key + " zp " + i);
                    }
                    Messages.assertContains(c.quantization(), "per-channel qint8 (1)");
                } else {
                    assertEquals(0, scale.rank());
                    assertEquals((float) want.get("scale").asDouble(), scale.get(0), key + " scale");
                    assertEquals(want.get("zero_point").asLong(), (long) zp.get(0), key + " zero point");
                    Messages.assertContains(c.quantization(), "per-tensor");
                }
                if (want.has("bias")) {
                    Tensor bias = c.tensors().get("fc.bias");
                    assertArrayEquals(new float[] {0.5f, -1f}, bias.toArray(), "the packed bias");
                    assertFalse(c.tensors().contains("fc._packed_params.dtype"));
                }
            }));
        }
        assertEquals(4, tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> brokenQuantizersAreOneClearError() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().has("error")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                Path file = DIR.resolve(e.getKey() + ".pth");
                ResNet4jException x = assertThrows(ResNet4jException.class, () -> CheckpointLoader.load(file));
                Messages.assertContains(
                        x.getMessage(),
                        file.toString(),
                        e.getValue().get("error").asText());
                assertFalse(x.getMessage().contains("\n"), "one line: " + x.getMessage());
            }));
        }
        assertEquals(10, tests.size());
        return tests;
    }

    @Test
    void aFloatCheckpointIsNotQuantized() {
        LoadedCheckpoint c = CheckpointLoader.load(PythonReference.root().resolve("testdata/digits/model.pth"));
        assertFalse(c.quantized());
    }
}
