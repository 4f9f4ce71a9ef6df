package org.resnet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.spec.Presets;

/**
 * A parsed or validated model's tensors share the serialised bytes instead of copying them (a
 * resnet50 is 100 MB either way): shown by writing into the bytes after parsing and reading the
 * change back through the parsed initializer.
 */
class OnnxParseTest {
    static ModelProto model() {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet18").withNumClasses(3), false);
        return ModelAssembler.assemble(g, RandomInit.weights(g, 5), 17, "w.pth");
    }

    @Test
    void parsedTensorsShareTheBytes() {
        byte[] bytes = model().toByteArray();
        assertSharesBytes(Onnx.parse(bytes, "m.onnx"));
    }

    @Test
    void validatedModelsTensorsShareItsBytesNotTheBuiltModels() {
        ModelProto built = model();
        Onnx.ValidatedModel v = Onnx.validated(built, "m");
        assertEquals(built, v.proto());
        assertSharesBytes(v);
    }

    // flips the first byte of the largest initializer's data in the bytes; the proto must see it
    static void assertSharesBytes(Onnx.ValidatedModel v) {
        TensorProto largest = v.proto().getGraph().getInitializerList().stream()
                .max(java.util.Comparator.comparingInt(t -> t.getRawData().size()))
                .orElseThrow();
        byte[] data = largest.getRawData().toByteArray();
        int at = indexOf(v.bytes(), data);
        byte before = largest.getRawData().byteAt(0);
        v.bytes()[at] ^= 0x5a;
        assertNotEquals(before, largest.getRawData().byteAt(0), "the parsed tensor is a copy");
        v.bytes()[at] ^= 0x5a;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < Math.min(64, needle.length); j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("tensor data not found in the bytes");
    }
}
