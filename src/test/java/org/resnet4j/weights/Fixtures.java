package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/** Paths to testdata/weights and the exact comparison against what torch saved. */
final class Fixtures {
    private Fixtures() {}

    static Path dir() {
        String root = System.getenv("RESNET4J_ROOT");
        Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        return base.resolve("testdata").resolve("weights");
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts that {@code sd} holds exactly the tensors of {@code <expectedName>.expected.json},
     * in that order, with equal shapes, source dtypes and float32 bit patterns (NaN compared as NaN).
     */
    static void assertMatches(String expectedName, StateDict sd) {
        JsonNode root;
        try {
            root = new ObjectMapper()
                    .readTree(file(expectedName + ".expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        assertEquals(names, new ArrayList<>(sd.names()), "tensor names and order of " + expectedName);
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode exp = e.getValue();
            Tensor t = sd.get(key);
            assertNotNull(t, key);
            int[] shape = new int[exp.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = exp.get("shape").get(i).asInt();
            }
            assertArrayEquals(shape, t.shape(), "shape of " + key);
            assertEquals(exp.get("dtype").asText(), t.sourceType().label(), "source dtype of " + key);
            JsonNode bits = exp.get("bits");
            assertEquals(bits.size(), t.numel(), "numel of " + key);
            for (int i = 0; i < bits.size(); i++) {
                float want = Float.intBitsToFloat((int) bits.get(i).asLong());
                float got = t.get(i);
                if (Float.isNaN(want)
                        ? !Float.isNaN(got)
                        : Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                    fail(key + "[" + i + "]: expected " + want + " (0x"
                            + Integer.toHexString(Float.floatToRawIntBits(want)) + "), got " + got + " (0x"
                            + Integer.toHexString(Float.floatToRawIntBits(got)) + ")");
                }
            }
        }
    }
}
