package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.Device;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * ResNets written by other exporters' habits (tools/make_exporter_resnets.py, PyTorch 1.13's
 * exporter): pre-activation NHWC nets with in-graph normalisation, F.pad, ReLU6 and mean pooling at
 * opsets 9, 11 and 13; a 1-D ResNet; a two-input model (testdata/exporter); and torchvision resnet18
 * at opsets 7-10 with initializers listed as graph inputs (made at test time, 45 MB each). Each must
 * match PyTorch's output to {@link #PARITY} relative on both engines. The table is written to
 * target/exporter-table.md.
 */
class ExporterResNetTest {
    static final double PARITY = 1e-5;
    static final List<String> SMALL =
            List.of("preact_nhwc_op9", "preact_nhwc_op11", "preact_nhwc_op13", "resnet1d_op13", "two_input_op13");

    @Test
    void smallExporterGraphsMatchTorchOnBothEngines() throws Exception {
        Path dir = PythonReference.root().resolve("testdata").resolve("exporter");
        StringBuilder table = new StringBuilder();
        for (String name : SMALL) {
            table.append(check(dir, name));
        }
        write("exporter-table-small.md", table.toString());
    }

    @Test
    void torchvisionResnet18AtOpsets7To10MatchesTorchOnBothEngines() throws Exception {
        PythonReference.require();
        Path dir = PythonReference.cached("make_exporter_resnets.py", "resnet18");
        StringBuilder table = new StringBuilder();
        for (int opset = 7; opset <= 10; opset++) {
            String name = "resnet18_op" + opset;
            ModelProto m = Onnx.read(dir.resolve(name + ".onnx"));
            assertEquals(
                    m.getGraph().getInitializerCount() + 1,
                    m.getGraph().getInputCount(),
                    name + ": every initializer is also listed as a graph input");
            table.append(check(dir, name));
        }
        write("exporter-table-resnet18.md", table.toString());
    }

    /**
     * The shape chain of view(x.size(0), -1) is folded at load when the input's shape is fixed: the
     * opset-11 NHWC net with its batch fixed runs fewer steps than with a symbolic batch, and gives
     * the same numbers.
     */
    @Test
    void shapeChainFoldsWhenTheInputShapeIsFixed() throws Exception {
        Path dir = PythonReference.root().resolve("testdata").resolve("exporter");
        ModelProto dynamic = Onnx.read(dir.resolve("preact_nhwc_op11.onnx"));
        assertTrue(dynamic.getGraph().getNodeList().stream()
                .map(NodeProto::getOpType)
                .anyMatch("Shape"::equals));
        var in = dynamic.getGraph().getInput(0).toBuilder();
        in.getTypeBuilder()
                .getTensorTypeBuilder()
                .getShapeBuilder()
                .setDim(0, TensorShapeProto.Dimension.newBuilder().setDimValue(2));
        ModelProto fixed = dynamic.toBuilder()
                .setGraph(dynamic.getGraph().toBuilder().setInput(0, in))
                .build();
        Tensor x = Npy.read(dir.resolve("preact_nhwc_op11.in0.npy"));
        try (JavaEngine d = new JavaEngine(dynamic, 1);
                JavaEngine f = new JavaEngine(fixed, 1)) {
            assertTrue(
                    f.plannedSteps() < d.plannedSteps(),
                    "fixed batch: " + f.plannedSteps() + " steps, symbolic batch: " + d.plannedSteps());
            Comparison c = Comparison.of("folded vs per-run shape chain", f.run(x), d.run(x));
            assertEquals(0.0, c.maxAbs(), "folding changes no number");
        }
    }

    /** Runs one model on both engines against PyTorch's output; returns its table row. */
    private static String check(Path dir, String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        ModelProto model = Onnx.read(file);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        try (JavaEngine java = new JavaEngine(model, 2)) {
            for (int i = 0; i < java.inputNames().size(); i++) {
                feeds.put(java.inputNames().get(i), Npy.read(dir.resolve(name + ".in" + i + ".npy")));
                inputs.add(java.inputNames().get(i));
            }
            Tensor ref = Npy.read(dir.resolve(name + ".out.npy"));
            double relJava = relative(name + " java", java, feeds, ref);
            double relOrt;
            try (OrtEngine ort = new OrtEngine(file, new EngineOptions(Device.CPU, 2, "all"))) {
                relOrt = relative(name + " ort", ort, feeds, ref);
            }
            assertTrue(relJava <= PARITY, name + ": Java engine vs PyTorch " + relJava + " > " + PARITY);
            assertTrue(relOrt <= PARITY, name + ": ONNX Runtime vs PyTorch " + relOrt + " > " + PARITY);
            int opset = (int) model.getOpsetImport(0).getVersion();
            return String.format(
                    "| %s | %d | %s | %.1e | %.1e |%n", name, opset, String.join(", ", inputs), relJava, relOrt);
        }
    }

    private static double relative(String what, Engine e, Map<String, Tensor> feeds, Tensor ref) {
        Tensor y = e.run(feeds).get(e.outputNames().get(0));
        return Comparison.of(what, y, ref).relative();
    }

    private static void write(String file, String rows) throws Exception {
        Path out = PythonReference.root().resolve("target").resolve(file);
        Files.createDirectories(out.getParent());
        Files.writeString(
                out, "| model | opset | inputs | java vs torch | ort vs torch |\n|---|---|---|---|---|\n" + rows);
        System.out.print(rows);
    }
}
