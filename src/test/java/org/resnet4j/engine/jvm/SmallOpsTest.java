package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.Tensor;

/** Relu, Add, BatchNormalization, Gemm, MatMul, Softmax and the shape ops. */
class SmallOpsTest {
    static final int[] SIZES = {1, 3, 7, 17};

    @Test
    void relu() {
        assertArrayEquals(
                new float[] {0, 0, 2.5f},
                OneNode.of("Relu")
                        .input("x", OneNode.t(new int[] {3}, -1, 0, 2.5f))
                        .runJava()
                        .toArray());
        OneNode.of("Relu").input("x", 1, 2, 17, 7, 3).checkAgainstOrt("[2,17,7,3]");
    }

    @Test
    void addBroadcasting() {
        Tensor y = OneNode.of("Add")
                .input("a", OneNode.t(new int[] {2, 1}, 1, 2))
                .input("b", OneNode.t(new int[] {3}, 10, 20, 30))
                .runJava();
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new float[] {11, 21, 31, 12, 22, 32}, y.toArray());
        int[][][] pairs = {
            {{2, 3, 7, 7}, {2, 3, 7, 7}},
            {{2, 3, 7, 7}, {3, 1, 1}},
            {{1, 3, 1, 17}, {7, 1, 1, 1, 1}},
            {{17}, {3, 1, 17}},
            {{}, {3, 7}},
            {{3, 1, 7}, {1, 17, 1}},
            {{1}, {1}},
        };
        int seed = 0;
        for (int[][] p : pairs) {
            OneNode.of("Add")
                    .input("a", seed++, p[0])
                    .input("b", seed++, p[1])
                    .checkAgainstOrt(java.util.Arrays.toString(p[0]) + "+" + java.util.Arrays.toString(p[1]));
        }
    }

    @Test
    void batchNormalization() {
        // y = (x - mean) / sqrt(var + eps) * scale + B, with var + eps = 4
        Tensor y = OneNode.of("BatchNormalization")
                .input("x", OneNode.t(new int[] {1, 2, 1, 2}, 1, 3, 5, 9))
                .floatInit("s", OneNode.t(new int[] {2}, 2, 1))
                .floatInit("b", OneNode.t(new int[] {2}, 0, 1))
                .floatInit("m", OneNode.t(new int[] {2}, 1, 5))
                .floatInit("v", OneNode.t(new int[] {2}, 3.5f, 3.5f))
                .f("epsilon", 0.5f)
                .runJava();
        assertArrayEquals(new float[] {0, 2, 1, 3}, y.toArray());
        Random r = new Random(3);
        for (int t = 0; t < 8; t++) {
            int c = SIZES[r.nextInt(4)];
            int[] shape = t % 3 == 0
                    ? new int[] {2, c}
                    : t % 3 == 1 ? new int[] {1, c, SIZES[r.nextInt(4)], 3} : new int[] {3, c, 7};
            Tensor var = RandomInit.normal(t + 50, c);
            float[] v = var.toArray();
            for (int i = 0; i < c; i++) {
                v[i] = Math.abs(v[i]) + 0.1f;
            }
            OneNode.of("BatchNormalization")
                    .opset(t % 2 == 0 ? 15 : 11)
                    .input("x", t, shape)
                    .floatInit("s", RandomInit.normal(t + 10, c))
                    .floatInit("b", RandomInit.normal(t + 20, c))
                    .floatInit("m", RandomInit.normal(t + 30, c))
                    .floatInit("v", Tensor.of(new int[] {c}, v))
                    .f("epsilon", 1e-3f)
                    .f("momentum", 0.8f)
                    .checkAgainstOrt(java.util.Arrays.toString(shape));
        }
    }

    @Test
    void gemm() {
        Tensor y = OneNode.of("Gemm")
                .input("a", OneNode.t(new int[] {1, 2}, 1, 2))
                .floatInit("b", OneNode.t(new int[] {3, 2}, 1, 0, 0, 1, 1, 1))
                .floatInit("c", OneNode.t(new int[] {1}, 10))
                .i("transB", 1)
                .f("alpha", 2)
                .f("beta", 0.5f)
                .runJava();
        assertArrayEquals(new float[] {7, 9, 11}, y.toArray());
        Random r = new Random(9);
        int seed = 0;
        for (int t = 0; t < 24; t++) {
            int m = SIZES[r.nextInt(4)];
            int k = SIZES[r.nextInt(4)] + (t % 4 == 0 ? 300 : 0);
            int n = SIZES[r.nextInt(4)] + (t % 5 == 0 ? 600 : 0);
            boolean ta = r.nextBoolean();
            boolean tb = r.nextBoolean();
            int[][] cShapes = {{n}, {m, n}, {1, n}, {m, 1}, {1}, {}};
            OneNode node = OneNode.of("Gemm").input("a", seed++, ta ? new int[] {k, m} : new int[] {m, k});
            Tensor b = RandomInit.normal(seed++, tb ? new int[] {n, k} : new int[] {k, n});
            if (t % 2 == 0) {
                node.floatInit("b", b);
            } else {
                node.input("b", b);
            }
            int ci = r.nextInt(cShapes.length + 1);
            if (ci < cShapes.length) {
                node.floatInit("c", RandomInit.normal(seed++, cShapes[ci]));
            }
            node.i("transA", ta ? 1 : 0)
                    .i("transB", tb ? 1 : 0)
                    .f("alpha", t % 3 == 0 ? 1 : 0.75f)
                    .f("beta", t % 4 == 0 ? 1 : -1.5f)
                    .checkAgainstOrt(String.format(
                            "m=%d k=%d n=%d transA=%s transB=%s c=%s",
                            m, k, n, ta, tb, ci < cShapes.length ? java.util.Arrays.toString(cShapes[ci]) : "none"));
        }
    }

    @Test
    void matMul() {
        Tensor y = OneNode.of("MatMul")
                .input("a", OneNode.t(new int[] {2, 2}, 1, 2, 3, 4))
                .input("b", OneNode.t(new int[] {2}, 1, -1))
                .runJava();
        assertArrayEquals(new int[] {2}, y.shape());
        assertArrayEquals(new float[] {-1, -1}, y.toArray());
        int[][][] pairs = {
            {{3, 7}, {7, 17}},
            {{7}, {7, 3}},
            {{1, 17}, {17}},
            {{2, 3, 7}, {7, 1}},
            {{2, 1, 3, 7}, {3, 7, 17}},
            {{17, 65}, {65, 3}},
            {{3}, {3}},
        };
        int seed = 0;
        for (int[][] p : pairs) {
            OneNode.of("MatMul")
                    .input("a", seed++, p[0])
                    .input("b", seed++, p[1])
                    .checkAgainstOrt(java.util.Arrays.toString(p[0]) + "x" + java.util.Arrays.toString(p[1]));
        }
    }

    @Test
    void softmaxBothSemantics() {
        Tensor y = OneNode.of("Softmax")
                .input("x", OneNode.t(new int[] {1, 2}, 0, (float) Math.log(3)))
                .runJava();
        assertArrayEquals(new float[] {0.25f, 0.75f}, y.toArray(), 1e-7f);
        int seed = 0;
        for (int opset : new int[] {11, 13, 17}) {
            for (int axis : new int[] {-1, 0, 1, 2}) {
                OneNode.of("Softmax")
                        .opset(opset)
                        .input("x", seed++, 3, 7, 17)
                        .i("axis", axis)
                        .checkAgainstOrt("opset " + opset + " axis " + axis);
            }
            OneNode.of("Softmax")
                    .opset(opset)
                    .input("x", seed++, 2, 1000)
                    .checkAgainstOrt("opset " + opset + " default axis");
        }
    }

    @Test
    void flattenReshapeIdentity() {
        int seed = 0;
        for (int axis : new int[] {0, 1, 2, -1, 4}) {
            OneNode.of("Flatten").input("x", seed++, 2, 3, 7, 1).i("axis", axis).checkAgainstOrt("axis " + axis);
        }
        long[][] shapes = {{0, -1}, {-1}, {3, 0, -1}, {1, 0, 0, 6}, {1, 1, 6, 7}};
        for (long[] s : shapes) {
            OneNode.of("Reshape")
                    .input("x", seed++, 6, 7, 1)
                    .longInit("shape", s)
                    .checkAgainstOrt(java.util.Arrays.toString(s));
        }
        Tensor y = OneNode.of("Reshape")
                .opset(14)
                .input("x", 1, 3, 0)
                .longInit("shape", 0, 4)
                .i("allowzero", 1)
                .runJava();
        assertArrayEquals(new int[] {0, 4}, y.shape());
        OneNode.of("Identity").input("x", seed, 3, 17).checkAgainstOrt("[3,17]");
    }

    @Test
    void constantGatherUnsqueezeConcatOnFloats() {
        OneNode.of("Gather")
                .input("x", 1, 3, 7, 2)
                .longInit("i", 2, -1, 0, 2)
                .i("axis", 1)
                .checkAgainstOrt("axis 1");
        OneNode.of("Gather").input("x", 2, 17, 3).longInit("i", 16).checkAgainstOrt("axis 0");
        OneNode.of("Unsqueeze")
                .opset(11)
                .input("x", 3, 3, 7)
                .ints("axes", 0, -1)
                .checkAgainstOrt("opset 11 attribute");
        OneNode.of("Unsqueeze")
                .opset(13)
                .input("x", 4, 3, 7)
                .longInit("axes", 1, 3)
                .checkAgainstOrt("opset 13 input");
        OneNode.of("Concat")
                .input("a", 5, 2, 3, 7)
                .input("b", 6, 2, 1, 7)
                .input("c", 7, 2, 17, 7)
                .i("axis", 1)
                .checkAgainstOrt("axis 1");
        OneNode.of("Concat")
                .input("a", 8, 3, 7)
                .input("b", 9, 3, 1)
                .i("axis", -1)
                .checkAgainstOrt("axis -1");
        Tensor c = OneNode.of("Constant")
                .attr(AttributeProto.newBuilder()
                        .setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(Onnx.floatTensor("", OneNode.t(new int[] {2}, 1.5f, -2)))
                        .build())
                .runJava();
        assertArrayEquals(new float[] {1.5f, -2}, c.toArray());
        assertArrayEquals(
                new float[] {3, 4},
                OneNode.of("Constant")
                        .attr(AttributeProto.newBuilder()
                                .setName("value_floats")
                                .setType(AttributeProto.AttributeType.FLOATS)
                                .addFloats(3)
                                .addFloats(4)
                                .build())
                        .runJava()
                        .toArray());
    }

    @Test
    void initializerEncodings() {
        // float_data instead of raw_data, and int32 indices (held as int64 inside the engine)
        TensorProto w = TensorProto.newBuilder()
                .setName("w")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(1)
                .addDims(2)
                .addFloatData(2)
                .addFloatData(-1)
                .build();
        TensorProto idx = TensorProto.newBuilder()
                .setName("i")
                .setDataType(TensorProto.DataType.INT32_VALUE)
                .addDims(2)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 0, 0, 0, 0, 0, 0, 0}))
                .build();
        GraphProto g = GraphProto.newBuilder()
                .addNode(NodeProto.newBuilder()
                        .setOpType("MatMul")
                        .addInput("x")
                        .addInput("wt")
                        .addOutput("p"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Flatten")
                        .addInput("w")
                        .addOutput("wf")
                        .addAttribute(Onnx.intAttr("axis", 2)))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Reshape")
                        .addInput("wf")
                        .addInput("shape")
                        .addOutput("wt"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Gather")
                        .addInput("p")
                        .addInput("i")
                        .addOutput("y")
                        .addAttribute(Onnx.intAttr("axis", 0)))
                .addInitializer(w)
                .addInitializer(idx)
                .addInitializer(TensorProto.newBuilder()
                        .setName("shape")
                        .setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(2)
                        .setRawData(com.google.protobuf.ByteString.copyFrom(
                                new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})))
                .addInput(Onnx.floatValueInfo("x", 2, 2))
                .addOutput(Onnx.floatValueInfo("y", 2, 1))
                .build();
        ModelProto m = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g)
                .build();
        try (JavaEngine e = new JavaEngine(m, 1)) {
            // x·[2, -1]^T = [1·2 - 2, 3·2 - 5] = [0, 1]; Gather rows [1, 0] -> [1, 0]
            Tensor y = e.run(OneNode.t(new int[] {2, 2}, 1, 2, 3, 5));
            assertArrayEquals(new float[] {1, 0}, y.toArray());
        }
    }

    @Test
    void runTimeWeightsTakeTheSamePathAsInitializers() {
        OneNode.of("Conv")
                .input("x", 1, 2, 3, 7, 7)
                .input("w", 2, 5, 3, 3, 3)
                .input("b", 3, 5)
                .ints("pads", 1, 1, 1, 1)
                .checkAgainstOrt("weights as graph inputs");
        float[] v = RandomInit.normal(4, 3).toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]) + 0.5f;
        }
        OneNode.of("BatchNormalization")
                .input("x", 5, 2, 3, 7, 1)
                .input("s", 6, 3)
                .input("b", 7, 3)
                .input("m", 8, 3)
                .input("v", Tensor.of(new int[] {3}, v))
                .checkAgainstOrt("statistics as graph inputs");
        OneNode.of("Gemm")
                .input("a", 9, 3, 17)
                .input("b", 10, 7, 17)
                .input("c", 11, 7)
                .i("transB", 1)
                .checkAgainstOrt("B and C as graph inputs");
    }

    /**
     * The shape arithmetic of older torch.onnx.export graphs ({@code x.view(x.size(0), -1)}):
     * Shape -> Gather(0) -> Unsqueeze -> Concat with Constant [-1] -> Reshape, on int64 values.
     */
    static ModelProto viewGraph(int opset) {
        NodeProto.Builder unsq =
                NodeProto.newBuilder().setOpType("Unsqueeze").addInput("n").addOutput("n1");
        if (opset >= 13) {
            unsq.addInput("zero_axes");
        } else {
            unsq.addAttribute(Onnx.intsAttr("axes", 0));
        }
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("view")
                .addNode(NodeProto.newBuilder().setOpType("Shape").addInput("x").addOutput("s"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Constant")
                        .addOutput("idx")
                        .addAttribute(AttributeProto.newBuilder()
                                .setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR)
                                .setT(TensorProto.newBuilder()
                                        .setDataType(TensorProto.DataType.INT64_VALUE)
                                        .addInt64Data(0))))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Gather")
                        .addInput("s")
                        .addInput("idx")
                        .addOutput("n")
                        .addAttribute(Onnx.intAttr("axis", 0)))
                // deliberately out of order: Concat and Reshape come before Unsqueeze's producer chain ends
                .addNode(NodeProto.newBuilder()
                        .setOpType("Reshape")
                        .addInput("x")
                        .addInput("shape")
                        .addOutput("y"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Concat")
                        .addInput("n1")
                        .addInput("minus1")
                        .addOutput("shape")
                        .addAttribute(Onnx.intAttr("axis", 0)))
                .addNode(unsq)
                .addInitializer(TensorProto.newBuilder()
                        .setName("minus1")
                        .setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(1)
                        .addInt64Data(-1))
                .addInput(Onnx.floatValueInfo("x", "N", 3, "H", "W"))
                .addOutput(Onnx.floatValueInfo("y", "N", "F"));
        if (opset >= 13) {
            g.addInitializer(TensorProto.newBuilder()
                    .setName("zero_axes")
                    .setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(1)
                    .addInt64Data(0));
        }
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g)
                .build();
    }

    @Test
    void int64ShapeChainOfOldExports() {
        for (int opset : new int[] {11, 13, 17}) {
            Tensor x = RandomInit.normal(opset, 2, 3, 7, 5);
            try (JavaEngine e = new JavaEngine(viewGraph(opset), 1)) {
                Tensor y = e.run(x);
                assertArrayEquals(new int[] {2, 105}, y.shape());
                assertArrayEquals(x.toArray(), y.toArray());
                assertEquals(java.util.List.of("x"), e.inputNames());
            }
        }
    }

    @Test
    void shapeStartEndFromOpset15() {
        // Shape(start=1, end=-1) of [2,3,7,5] is [3,7]: Reshape x to [3, 7, -1]... via Concat with [-1]
        GraphProto g = GraphProto.newBuilder()
                .addNode(NodeProto.newBuilder()
                        .setOpType("Shape")
                        .addInput("x")
                        .addOutput("s")
                        .addAttribute(Onnx.intAttr("start", 1))
                        .addAttribute(Onnx.intAttr("end", -1)))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Concat")
                        .addInput("s")
                        .addInput("m")
                        .addOutput("shape")
                        .addAttribute(Onnx.intAttr("axis", 0)))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Reshape")
                        .addInput("x")
                        .addInput("shape")
                        .addOutput("y"))
                .addInitializer(TensorProto.newBuilder()
                        .setName("m")
                        .setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(1)
                        .addInt64Data(-1))
                .addInput(Onnx.floatValueInfo("x", 2, 3, 7, 5))
                .addOutput(Onnx.floatValueInfo("y", 3, 7, 10))
                .build();
        ModelProto m = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(15))
                .setGraph(g)
                .build();
        try (JavaEngine e = new JavaEngine(m, 1)) {
            assertArrayEquals(
                    new int[] {3, 7, 10},
                    e.run(RandomInit.normal(1, 2, 3, 7, 5)).shape());
        }
    }
}
