package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.resnet4j.tensor.Tensor;

/**
 * The ops other exporters' ResNets use, each on odd shapes against ONNX Runtime (no Python needed;
 * the full ONNX node cases are in OnnxNodeConformanceTest), plus hand-computed cases for the
 * per-opset forms.
 */
class ExporterOpsTest {
    @Test
    void transposeSliceAndPadMatchOrt() {
        OneNode.of("Transpose")
                .input("x", 1, 2, 5, 7, 3)
                .ints("perm", 0, 3, 1, 2)
                .checkAgainstOrt("NHWC->NCHW");
        OneNode.of("Slice")
                .input("x", 2, 3, 7, 9)
                .longInit("s", 1, -2)
                .longInit("e", 3, -9)
                .longInit("a", 0, 2)
                .longInit("st", 1, -2)
                .checkAgainstOrt("negative step");
        for (String mode : new String[] {"constant", "reflect", "edge"}) {
            OneNode.of("Pad")
                    .input("x", 3, 1, 2, 5, 4)
                    .longInit("p", 0, 0, 2, 1, 0, 0, 1, 3)
                    .s("mode", mode)
                    .checkAgainstOrt("Pad " + mode);
        }
        OneNode.of("Pad")
                .opset(9)
                .input("x", 4, 1, 2, 5, 4)
                .ints("pads", 0, 0, 1, 1, 0, 0, 1, 1)
                .f("value", 0.5f)
                .checkAgainstOrt("Pad opset 9 attributes");
    }

    @Test
    void arithmeticClipAndMeanMatchOrt() {
        OneNode.of("Sub").input("a", 5, 2, 3, 5, 7).input("b", 6, 3, 1, 1).checkAgainstOrt("Sub broadcast");
        OneNode.of("Div").input("a", 7, 2, 3, 5, 7).input("b", 8, 1, 3, 1, 1).checkAgainstOrt("Div broadcast");
        OneNode.of("Mul").input("a", 9, 2, 3, 5, 7).input("b", 10, 7).checkAgainstOrt("Mul broadcast");
        OneNode.of("Sum")
                .input("a", 11, 2, 3, 5)
                .input("b", 12, 3, 5)
                .input("c", 13, 5)
                .checkAgainstOrt("Sum of three");
        OneNode.of("Clip")
                .opset(9)
                .input("x", 14, 2, 3, 5)
                .f("min", 0f)
                .f("max", 0.5f)
                .checkAgainstOrt("Clip opset 9");
        OneNode.of("ReduceMean")
                .opset(13)
                .input("x", 15, 2, 5, 7, 3)
                .ints("axes", 1, 2)
                .i("keepdims", 0)
                .checkAgainstOrt("mean over H, W of NHWC");
        OneNode.of("Sigmoid").input("x", 16, 3, 17).checkAgainstOrt("Sigmoid");
    }

    @Test
    void oneAndThreeDimensionalConvAndPoolsMatchOrt() {
        OneNode.of("Conv")
                .input("x", 17, 2, 4, 29)
                .floatInit("w", org.resnet4j.graph.RandomInit.normal(18, 6, 2, 5))
                .ints("strides", 2)
                .ints("pads", 2, 1)
                .i("group", 2)
                .checkAgainstOrt("1-D grouped conv");
        OneNode.of("Conv")
                .input("x", 19, 1, 2, 5, 7, 6)
                .floatInit("w", org.resnet4j.graph.RandomInit.normal(20, 3, 2, 3, 3, 3))
                .ints("pads", 1, 0, 1, 1, 0, 1)
                .ints("dilations", 1, 2, 1)
                .checkAgainstOrt("3-D conv");
        OneNode.of("MaxPool")
                .input("x", 21, 2, 3, 31)
                .ints("kernel_shape", 3)
                .ints("strides", 2)
                .ints("pads", 1, 1)
                .checkAgainstOrt("1-D max pool");
        OneNode.of("AveragePool")
                .input("x", 22, 1, 2, 5, 6, 7)
                .ints("kernel_shape", 2, 3, 2)
                .ints("pads", 1, 1, 0, 0, 1, 1)
                .i("count_include_pad", 1)
                .checkAgainstOrt("3-D average pool");
    }

    @Test
    void maxPoolIndicesAreFlatInputOffsets() {
        // x (1,1,2,3): the max of each 2x2 window and its C-order offset in x
        Tensor x = OneNode.t(new int[] {1, 1, 2, 3}, 1, 5, 2, 4, 3, 6);
        OneNode pool =
                OneNode.of("MaxPool").input("x", x).ints("kernel_shape", 2, 2).outputs(2);
        try (JavaEngine e = new JavaEngine(pool.model(), 1)) {
            var out = e.run(pool.feeds());
            var it = out.values().iterator();
            assertArrayEquals(new float[] {5, 6}, it.next().toArray());
            assertArrayEquals(new long[] {1, 5}, it.next().toLongArray());
        }
    }

    @Test
    void dropoutAtInferenceIsIdentityWithAnAllTrueMask() {
        Tensor x = OneNode.t(new int[] {2, 2}, 1, -2, 3, -4);
        OneNode d = OneNode.of("Dropout").input("x", x).outputs(2);
        try (JavaEngine e = new JavaEngine(d.model(), 1)) {
            var it = e.run(d.feeds()).values().iterator();
            assertArrayEquals(x.toArray(), it.next().toArray());
            assertArrayEquals(new boolean[] {true, true, true, true}, it.next().toBooleanArray());
        }
    }
}
