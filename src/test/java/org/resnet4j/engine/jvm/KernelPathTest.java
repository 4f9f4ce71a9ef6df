package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.VectorWidth;
import org.resnet4j.engine.jvm.kernels.nchwc.Nchwc;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Presets;

/**
 * Each surefire run really runs the kernels it is named for: the scalar path with
 * -Dresnet4j.scalar=true, else the vector kernels at the width -Dresnet4j.vectorBits forces (or the
 * CPU's preferred width), every kernel at that one width.
 */
class KernelPathTest {
    @Test
    void pathFollowsTheProperties() {
        String path = JavaEngine.kernelPath();
        if (Boolean.getBoolean(Kernels.SCALAR_PROPERTY)) {
            assertTrue(path.startsWith("scalar (forced"), path);
            assertEquals(0, JavaEngine.vectorBits(), path);
            return;
        }
        assertTrue(path.startsWith("vector"), "tests run with --add-modules jdk.incubator.vector, got " + path);
        String forced = System.getProperty(VectorWidth.PROPERTY);
        int bits = forced != null ? Integer.parseInt(forced) : VectorWidth.PREFERRED_BITS;
        assertEquals(bits, JavaEngine.vectorBits(), path);
        assertTrue(path.startsWith("vector " + bits + "-bit"), path);
        assertEquals(bits / Float.SIZE, Nchwc.L, "NCHWc block lanes at " + bits + " bits");
        assertEquals(bits / Float.SIZE, VectorWidth.FLOATS.length(), "the kernels' species at " + bits + " bits");
        assertTrue(
                Kernels.defaultSgemm().name().startsWith("vector-" + bits + "bit-"),
                Kernels.defaultSgemm().name());
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet18").withNumClasses(3), false);
        try (JavaEngine e =
                new JavaEngine(ModelAssembler.assemble(g, RandomInit.weights(g, 1), Onnx.DEFAULT_OPSET, "t"), 1)) {
            assertTrue(e.describe().contains(", " + bits + "-bit vectors, "), e.describe());
        }
    }
}
