package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.resnet4j.testing.Messages.assertContains;

import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.tensor.Tensor;

/** What the Java engine refuses, and that every refusal says what and where. */
class RefusalTest {

    static String loadError(OneNode node) {
        return assertThrows(UnsupportedModelException.class, () -> new JavaEngine(node.model(), 1).close())
                .getMessage();
    }

    @Test
    void unknownOpNamesNodeOpOpsetAndSupportedList() {
        String m = loadError(OneNode.of("LeakyRelu").input("x", 1, 3).opset(15));
        assertContains(
                m,
                "node 'leakyrelu'",
                "LeakyRelu",
                "opset 15",
                "supported ops",
                "Conv",
                "BatchNormalization",
                "Unsqueeze");
    }

    @Test
    void opInAnotherDomainIsRefused() {
        ModelProto m = OneNode.of("Relu").input("x", 1, 3).model();
        ModelProto custom = m.toBuilder()
                .setGraph(m.getGraph().toBuilder()
                        .setNode(0, m.getGraph().getNode(0).toBuilder().setDomain("com.microsoft")))
                .build();
        String msg = assertThrows(UnsupportedModelException.class, () -> new JavaEngine(custom, 1))
                .getMessage();
        assertContains(msg, "com.microsoft", "Relu");
    }

    @Test
    void trainingModeIsRefused() {
        OneNode bn = OneNode.of("BatchNormalization").opset(15).input("x", 1, 1, 2, 3, 3);
        for (String n : new String[] {"s", "b", "m", "v"}) {
            bn.floatInit(n, Tensor.zeros(2));
        }
        assertContains(
                loadError(bn.i("training_mode", 1)), "node 'batchnormalization'", "training_mode=1", "expected 0");
        OneNode old = OneNode.of("BatchNormalization").opset(13).input("x", 1, 1, 2, 3, 3);
        for (String n : new String[] {"s", "b", "m", "v"}) {
            old.floatInit(n, Tensor.zeros(2));
        }
        assertContains(loadError(old.outputs(5)), "running_mean/running_var", "training mode");
    }

    @Test
    void unknownAttributeIsNamedWithTheSupportedOnes() {
        assertContains(
                loadError(OneNode.of("Conv")
                        .input("x", 1, 1, 1, 3, 3)
                        .floatInit("w", Tensor.zeros(1, 1, 1, 1))
                        .i("foo", 1)),
                "attribute 'foo'",
                "[auto_pad, dilations, group, kernel_shape, pads, strides]");
        assertContains(
                loadError(OneNode.of("Relu").input("x", 1, 3).f("alpha", 1)), "attribute 'alpha'", "no attributes");
        assertContains(
                loadError(OneNode.of("Reshape")
                        .opset(13)
                        .input("x", 1, 3)
                        .longInit("s", 3)
                        .i("allowzero", 1)),
                "attribute 'allowzero'");
    }

    @Test
    void unsupportedAttributeValuesAreNamed() {
        assertContains(
                loadError(OneNode.of("MaxPool")
                        .input("x", 1, 1, 1, 4, 4)
                        .ints("kernel_shape", 2, 2)
                        .i("storage_order", 2)),
                "storage_order=2",
                "[0, 1]");
        assertContains(
                loadError(OneNode.of("Conv")
                        .input("x", 1, 1, 1, 3, 3)
                        .floatInit("w", Tensor.zeros(1, 1, 1, 1))
                        .s("auto_pad", "SAME")),
                "auto_pad 'SAME'",
                "SAME_UPPER");
        assertContains(
                loadError(OneNode.of("Conv")
                        .input("x", 1, 1, 1, 9)
                        .floatInit("w", Tensor.zeros(1, 1, 3))
                        .ints("kernel_shape", 3)
                        .ints("strides", 1, 1)),
                "strides has 2 values",
                "expected 1");
        assertContains(
                loadError(OneNode.of("Gemm")
                        .input("a", 1, 2, 2)
                        .input("b", 2, 2, 2)
                        .i("transA", 2)),
                "transA=2");
        assertContains(
                loadError(OneNode.of("AveragePool")
                        .opset(18)
                        .input("x", 1, 1, 1, 4, 4)
                        .ints("kernel_shape", 2, 2)
                        .ints("dilations", 2, 2)),
                "dilations",
                "opset 19");
    }

    @Test
    void undefinedInputIsRefusedAtLoad() {
        ModelProto m = OneNode.of("Add").input("x", 1, 3).model();
        NodeProto add = m.getGraph().getNode(0).toBuilder().addInput("ghost").build();
        ModelProto bad = m.toBuilder()
                .setGraph(m.getGraph().toBuilder().setNode(0, add.toBuilder().setInput(1, "ghost")))
                .build();
        String msg = assertThrows(UnsupportedModelException.class, () -> new JavaEngine(bad, 1))
                .getMessage();
        assertContains(msg, "node 'add'", "input 'ghost'", "not defined");
    }

    @Test
    void cycleAndDoubleDefinitionAreRefused() {
        GraphProto g = GraphProto.newBuilder()
                .addNode(NodeProto.newBuilder()
                        .setName("a")
                        .setOpType("Relu")
                        .addInput("q")
                        .addOutput("p"))
                .addNode(NodeProto.newBuilder()
                        .setName("b")
                        .setOpType("Relu")
                        .addInput("p")
                        .addOutput("q"))
                .addInput(Onnx.floatValueInfo("x", 1))
                .addOutput(Onnx.floatValueInfo("q", 1))
                .build();
        ModelProto m = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g)
                .build();
        assertContains(
                assertThrows(UnsupportedModelException.class, () -> new JavaEngine(m, 1))
                        .getMessage(),
                "node 'a'",
                "cycle");
        GraphProto twice = g.toBuilder()
                .setNode(0, g.getNode(0).toBuilder().setInput(0, "x").setOutput(0, "x"))
                .build();
        ModelProto m2 = m.toBuilder().setGraph(twice).build();
        assertContains(
                assertThrows(UnsupportedModelException.class, () -> new JavaEngine(m2, 1))
                        .getMessage(),
                "'x'",
                "already defined");
    }

    @Test
    void badInitializerShapesAreRefusedAtLoad() {
        String conv = assertThrows(
                        MismatchException.class,
                        () -> new JavaEngine(
                                OneNode.of("Conv")
                                        .input("x", 1, 1, 3, 5, 5)
                                        .floatInit("w", Tensor.zeros(4, 3))
                                        .model(),
                                1))
                .getMessage();
        assertContains(conv, "node 'conv' (Conv, opset 17)", "W has shape [4, 3]", "rank 3 or more");
        String bias = assertThrows(
                        MismatchException.class,
                        () -> new JavaEngine(
                                OneNode.of("Conv")
                                        .input("x", 1, 1, 3, 5, 5)
                                        .floatInit("w", Tensor.zeros(4, 3, 3, 3))
                                        .floatInit("b", Tensor.zeros(3))
                                        .model(),
                                1))
                .getMessage();
        assertContains(bias, "B has shape [3]", "expected [4]");
        OneNode bn = OneNode.of("BatchNormalization")
                .input("x", 1, 1, 2, 3, 3)
                .floatInit("s", Tensor.zeros(2))
                .floatInit("b", Tensor.zeros(2))
                .floatInit("m", Tensor.zeros(3))
                .floatInit("v", Tensor.zeros(2));
        assertContains(
                assertThrows(MismatchException.class, () -> new JavaEngine(bn.model(), 1))
                        .getMessage(),
                "input_mean has shape [3]",
                "expected [2]");
    }

    @Test
    void truncatedOrUntypedInitializersAreRefused() {
        ModelProto m = OneNode.of("Add")
                .input("x", 1, 2)
                .floatInit("c", Tensor.zeros(2))
                .model();
        var bad = m.getGraph().getInitializer(0).toBuilder()
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[5]));
        ModelProto truncated = m.toBuilder()
                .setGraph(m.getGraph().toBuilder().setInitializer(0, bad))
                .build();
        assertContains(
                assertThrows(ResNet4jException.FormatException.class, () -> new JavaEngine(truncated, 1))
                        .getMessage(),
                "initializer 'c'",
                "needs 8 bytes",
                "has 5");
        var dbl = m.getGraph().getInitializer(0).toBuilder()
                .setDataType(org.resnet4j.onnx.TensorProto.DataType.DOUBLE_VALUE);
        ModelProto doubles = m.toBuilder()
                .setGraph(m.getGraph().toBuilder().setInitializer(0, dbl))
                .build();
        assertContains(
                assertThrows(UnsupportedModelException.class, () -> new JavaEngine(doubles, 1))
                        .getMessage(),
                "initializer 'c'",
                "DOUBLE",
                "FLOAT, FLOAT16, INT64, INT32, INT8, UINT8, BOOL");
    }

    @Test
    void cudaIsRefusedByName() {
        var options = new org.resnet4j.engine.EngineOptions(org.resnet4j.Device.CUDA, 1, "all");
        assertContains(
                assertThrows(
                                UnsupportedModelException.class,
                                () -> JavaEngine.create(
                                        OneNode.of("Relu").input("x", 1, 3).model(), options))
                        .getMessage(),
                "CPU only",
                "cuda");
    }

    @Test
    void opsetOutsideRangeIsRefused() {
        assertContains(loadError(OneNode.of("Relu").input("x", 1, 3).opset(6)), "(Relu, opset 6)", "7..21");
        assertContains(loadError(OneNode.of("Relu").input("x", 1, 3).opset(22)), "opset 22", "7..21");
    }

    @Test
    void int64GraphOutputIsReturnedAsInt64() {
        OneNode shape = OneNode.of("Shape").input("x", 1, 2, 3);
        try (JavaEngine e = new JavaEngine(shape.model(), 1)) {
            Tensor y = e.run(shape.feeds()).values().iterator().next();
            org.junit.jupiter.api.Assertions.assertEquals(org.resnet4j.tensor.DType.INT64, y.dtype());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {2, 3}, y.toLongArray());
        }
    }

    @Test
    void runTimeShapeErrorsNameNodeAndShapes() {
        OneNode reshape = OneNode.of("Reshape").input("x", 1, 2, 3).longInit("s", 4, -1);
        try (JavaEngine e = new JavaEngine(reshape.model(), 1)) {
            String m = assertThrows(MismatchException.class, () -> e.run(reshape.feeds()))
                    .getMessage();
            assertContains(m, "node 'reshape' (Reshape, opset 17)", "[2, 3]", "[4, -1]");
        }
        OneNode conv = OneNode.of("Conv").input("x", 1, 1, 4, 3, 3).floatInit("w", Tensor.zeros(2, 3, 1, 1));
        try (JavaEngine e = new JavaEngine(conv.model(), 1)) {
            String m = assertThrows(ResNet4jException.class, () -> e.run(conv.feeds()))
                    .getMessage();
            assertContains(m, "node 'conv' (Conv, opset 17)", "[1, 4, 3, 3]", "[2, 3, 1, 1]", "group=1");
        }
    }

    @Test
    void wrongInputNamesAreListed() {
        try (JavaEngine e = new JavaEngine(OneNode.of("Relu").input("x", 1, 3).model(), 1)) {
            String m = assertThrows(MismatchException.class, () -> e.run(java.util.Map.of("z", Tensor.zeros(3))))
                    .getMessage();
            assertContains(
                    m, "input 'x' is missing", "input 'z' is not an input of the model", "model inputs: x float32 [3]");
        }
    }

    @Test
    void dropoutWithAnIntegerRatioIsRefusedAtLoad() {
        String m = loadError(OneNode.of("Dropout").opset(12).input("x", 1, 2, 3).longInit("ratio", 0));
        assertContains(m, "node 'dropout'", "Dropout", "input ratio has type INT64", "expected a float type");
    }

    /**
     * A dilated convolution on a 1x1 one-channel input (a plain-input convolution, which no tap cut
     * shrinks): its zero-bordered copy would be (2^15 + 1)^2 floats, 4.3 GB, for one output pixel; at
     * larger dilations the size overflowed int. Refused with one typed error naming the node, the input
     * and the rule, before anything is allocated.
     */
    @Test
    void convolutionWhosePaddedCopyDwarfsItsInputIsRefused() {
        int d = 1 << 14;
        for (int dil : new int[] {d, 1 << 16}) {
            OneNode conv = OneNode.of("Conv")
                    .input("x", 1, 1, 1, 1, 1)
                    .floatInit("w", org.resnet4j.graph.RandomInit.normal(2, 4, 1, 3, 3))
                    .ints("dilations", dil, dil)
                    .ints("pads", dil, dil, dil, dil);
            if (!org.resnet4j.engine.jvm.kernels.Kernels.blockedLayout()) {
                // the GEMM path (scalar kernels) reads the input through bounds-checked rows: the answer,
                // only the centre tap reads the input, y[o] = w[o, 0, 1, 1] · x
                float x = conv.feeds().get("x").get(0);
                org.resnet4j.tensor.Tensor w = org.resnet4j.graph.RandomInit.normal(2, 4, 1, 3, 3);
                float[] y = conv.runJava().toArray();
                for (int o = 0; o < 4; o++) {
                    org.junit.jupiter.api.Assertions.assertEquals(w.get(o * 9 + 4) * x, y[o], 1e-6f, "channel " + o);
                }
                continue;
            }
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class, conv::runJava);
            assertContains(
                    e.getMessage(),
                    "node 'conv'",
                    "Conv",
                    "[1, 1, 1, 1]",
                    "does not run this convolution",
                    "floats per image");
        }
    }
}
