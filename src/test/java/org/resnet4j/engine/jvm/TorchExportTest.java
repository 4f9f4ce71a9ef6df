package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resnet4j.Device;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Graphs written by {@code torch.onnx.export} (BatchNorm folded by PyTorch's constant folding),
 * made by tools/torch_export.py, run by the Java engine and compared with ONNX Runtime and with
 * PyTorch's own output. Live: needs /usr/bin/python3 with torch and torchvision; skipped without
 * them unless CI=true.
 */
class TorchExportTest {
    static final double PARITY = 1e-5;

    @Test
    void torchExportedGraphsMatchTorchAndOnnxRuntime() throws Exception {
        PythonReference.require();
        Path dir = PythonReference.cached("torch_export.py");

        Tensor x = Npy.read(dir.resolve("x.npy"));
        for (String[] c : List.of(
                new String[] {"resnet18_op13", "resnet18"},
                new String[] {"resnet18_op17", "resnet18"},
                new String[] {"old_op11", "old"})) {
            Path file = dir.resolve(c[0] + ".onnx");
            ModelProto model = Onnx.read(file);
            if (c[0].startsWith("resnet18")) {
                assertTrue(
                        model.getGraph().getNodeList().stream()
                                .map(NodeProto::getOpType)
                                .noneMatch("BatchNormalization"::equals),
                        c[0] + ": PyTorch folds BatchNorm into Conv in eval mode");
            } else {
                assertTrue(
                        model.getGraph().getNodeList().stream()
                                .map(NodeProto::getOpType)
                                .anyMatch("Gather"::equals),
                        c[0] + ": the view(x.size(0), -1) shape chain is in the graph");
            }
            Tensor ref = Npy.read(dir.resolve(c[1] + ".npy"));
            try (JavaEngine java = new JavaEngine(file, 2);
                    OrtEngine ort = new OrtEngine(file, new EngineOptions(Device.CPU, 2, "all"))) {
                Tensor yj = java.run(x);
                OneNode.assertClose("torch-export " + c[0] + " java vs ort", ort.run(x), yj, PARITY);
                OneNode.assertClose("torch-export " + c[0] + " java vs torch", ref, yj, PARITY);
            }
        }
    }
}
