package org.resnet4j.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

class ModelAssemblerTest {
    /** fp32 rounding of folded vs unfolded convolutions, relative to max |logit|. */
    static final double FOLD_TOLERANCE = 1e-5;

    static final ResNetSpec TINY =
            new ResNetSpec(BlockKind.BOTTLENECK, List.of(1, 2, 1), 2, 16, 7, 3, 8, List.of(8, 8, 16), 5, 2, true);

    @Test
    void reportsEveryMismatchSorted() {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet18"), false);
        StateDict sd = RandomInit.weights(g, 1);
        StateDict broken = new StateDict(sd.asMap());
        StateDict rebuilt = new StateDict();
        for (String k : broken.names()) {
            if (!k.equals("layer3.1.bn2.running_var") && !k.equals("bn1.bias")) {
                rebuilt.put(k, broken.get(k));
            }
        }
        rebuilt.put("fc.weight", Tensor.zeros(10, 512));
        rebuilt.put("layer1.0.conv1.weight", Tensor.zeros(64, 3, 7, 7));
        rebuilt.put("extra.weight", Tensor.zeros(1));
        rebuilt.put("bn1.num_batches_tracked", Tensor.zeros());
        var e = assertThrows(MismatchException.class, () -> ModelAssembler.check(g, rebuilt, "w.pth"));
        String m = e.getMessage();
        assertTrue(
                m.startsWith(
                        "w.pth: weights do not match the architecture (2 missing, 1 unexpected, 2 shape mismatches)"),
                m);
        assertTrue(m.contains("; missing: bn1.bias, layer3.1.bn2.running_var"), m);
        assertTrue(m.contains("; unexpected: extra.weight"), m);
        assertEquals(1, m.lines().count(), "one line: " + m);
        assertTrue(
                m.indexOf("Shape mismatch in `fc.weight`: expected [1000, 512], found [10, 512]")
                        < m.indexOf(
                                "Shape mismatch in `layer1.0.conv1.weight`: expected [64, 64, 3, 3], found [64, 3, 7, 7]"),
                m);
        assertTrue(!m.contains("num_batches_tracked"), m);
    }

    @Test
    void aLongMismatchListsAFewAndCountsTheRest() {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet18"), false);
        StateDict other = RandomInit.weights(GraphBuilder.build(Presets.get("resnet50"), false), 1);
        String m = assertThrows(MismatchException.class, () -> ModelAssembler.check(g, other, "w.pth"))
                .getMessage();
        assertEquals(1, m.lines().count(), "one line: " + m);
        assertTrue(m.length() < 2000, m.length() + " characters: " + m);
        assertTrue(m.matches(".*; unexpected: [^;]* and \\d+ more;.*"), m);
        assertTrue(m.matches(".*; shapes: [^;]* and \\d+ more$"), m);
    }

    @Test
    void modelCarriesContractNamesAndMetadata() {
        ResNetGraph g = GraphBuilder.build(TINY, false);
        ModelProto m = ModelAssembler.assemble(g, RandomInit.weights(g, 2), 17, "tiny.pth");
        assertEquals(8, m.getIrVersion());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("resnet4j", m.getProducerName());
        assertEquals("input", m.getGraph().getInput(0).getName());
        assertEquals(
                "N",
                m.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimParam());
        assertEquals("logits", m.getGraph().getOutput(0).getName());
        assertTrue(m.getGraph().getInitializerList().stream()
                .anyMatch(t -> t.getName().equals("layer2.1.bn3.running_var")));
        assertTrue(Onnx.metadata(m, ModelAssembler.META_SPEC).contains("\"groups\":2"));
        assertEquals(10, Onnx.irVersionFor(21));
        assertEquals(9, Onnx.irVersionFor(19));
    }

    @Test
    void foldedBatchNormGivesTheSameLogits() {
        ResNetGraph plain = GraphBuilder.build(TINY, false);
        ResNetGraph folded = GraphBuilder.build(TINY, true);
        StateDict sd = RandomInit.weights(plain, 3);
        Tensor x = RandomInit.normal(4, 2, 3, 37, 29);
        ModelProto mp = ModelAssembler.assemble(plain, sd, 17, "t");
        ModelProto mf = ModelAssembler.assemble(folded, sd, 13, "t");
        assertEquals(
                0,
                mf.getGraph().getNodeList().stream()
                        .filter(n -> n.getOpType().equals("BatchNormalization"))
                        .count());
        try (OrtEngine a = new OrtEngine(mp.toByteArray(), EngineOptions.defaults(), "plain");
                OrtEngine b = new OrtEngine(mf.toByteArray(), EngineOptions.defaults(), "folded")) {
            Tensor ya = a.run(x);
            Tensor yb = b.run(x);
            assertEquals(List.of(2, 7), List.of(ya.dim(0), ya.dim(1)));
            double rel = Comparison.of("folded vs unfolded", yb, ya).relative();
            assertTrue(rel <= FOLD_TOLERANCE, "folded vs unfolded relative error " + rel);
        }
    }

    @Test
    void opsetOutOfRangeListsRange() {
        ResNetGraph g = GraphBuilder.build(TINY, false);
        var e = assertThrows(
                org.resnet4j.ResNet4jException.UnsupportedModelException.class,
                () -> ModelAssembler.assemble(g, RandomInit.weights(g, 2), 12, "t"));
        assertTrue(e.getMessage().contains("13..21"), e.getMessage());
    }
}
