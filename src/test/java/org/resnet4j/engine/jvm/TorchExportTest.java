package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Npy;
import org.resnet4j.tensor.Tensor;

/**
 * Graphs written by {@code torch.onnx.export} (BatchNorm folded by PyTorch's constant folding),
 * run by the Java engine and compared with ONNX Runtime and with PyTorch's own output. Live: needs
 * /usr/bin/python3 with torch and torchvision; skipped without them unless CI=true.
 */
class TorchExportTest {
    static final double PARITY = 1e-5;
    static final String PYTHON = "/usr/bin/python3";

    /** Exports seeded random resnet18s (opsets 13, 17) and an old-style x.view(x.size(0), -1) net (opset 11). */
    static final String SCRIPT = """
            import sys, numpy as np, torch, torchvision
            out = sys.argv[1]
            torch.manual_seed(0)
            net = torchvision.models.resnet18(num_classes=10)
            with torch.no_grad():
                for m in net.modules():
                    if isinstance(m, torch.nn.BatchNorm2d):
                        m.running_mean.normal_(0, 0.1); m.running_var.uniform_(0.5, 2.0)
                        m.weight.uniform_(0.5, 1.5); m.bias.normal_(0, 0.1)
            net.eval()
            class Old(torch.nn.Module):
                def __init__(self, r):
                    super().__init__(); self.r = r
                def forward(self, x):
                    r = self.r
                    x = r.maxpool(r.relu(r.bn1(r.conv1(x))))
                    x = r.avgpool(r.layer4(r.layer3(r.layer2(r.layer1(x)))))
                    x = x.view(x.size(0), -1)
                    return torch.softmax(r.fc(x), 1)
            x = torch.randn(2, 3, 67, 61, generator=torch.Generator().manual_seed(1))
            np.save(out + '/x.npy', x.numpy())
            dyn = {'input': {0: 'N', 2: 'H', 3: 'W'}, 'logits': {0: 'N'}}
            with torch.no_grad():
                for opset in (13, 17):
                    torch.onnx.export(net, x, f'{out}/resnet18_op{opset}.onnx', opset_version=opset,
                                      input_names=['input'], output_names=['logits'], dynamic_axes=dyn)
                np.save(out + '/resnet18.npy', net(x).numpy())
                old = Old(net).eval()
                torch.onnx.export(old, x, f'{out}/old_op11.onnx', opset_version=11,
                                  input_names=['input'], output_names=['logits'], dynamic_axes=dyn)
                np.save(out + '/old.npy', old(x).numpy())
            """;

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void torchExportedGraphsMatchTorchAndOnnxRuntime(@TempDir Path dir) throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean torch = torchAvailable();
        if (ci) {
            assertTrue(torch, PYTHON + " with torch and torchvision is required when CI=true");
        }
        assumeTrue(torch, PYTHON + " has no torch/torchvision: live torch.onnx.export parity skipped");
        Path script = dir.resolve("export.py");
        Files.writeString(script, SCRIPT);
        Process p = new ProcessBuilder(PYTHON, script.toString(), dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "export timed out");
        assertEquals(0, p.exitValue(), "export failed:\n" + log);

        Tensor x = Npy.read(dir.resolve("x.npy"));
        for (String[] c : List.of(new String[] {"resnet18_op13", "resnet18"}, new String[] {"resnet18_op17", "resnet18"},
                new String[] {"old_op11", "old"})) {
            Path file = dir.resolve(c[0] + ".onnx");
            ModelProto model = Onnx.read(file);
            if (c[0].startsWith("resnet18")) {
                assertTrue(model.getGraph().getNodeList().stream().map(NodeProto::getOpType).noneMatch("BatchNormalization"::equals),
                        c[0] + ": PyTorch folds BatchNorm into Conv in eval mode");
            } else {
                assertTrue(model.getGraph().getNodeList().stream().map(NodeProto::getOpType).anyMatch("Gather"::equals),
                        c[0] + ": the view(x.size(0), -1) shape chain is in the graph");
            }
            Tensor ref = Npy.read(dir.resolve(c[1] + ".npy"));
            try (JavaEngine java = new JavaEngine(file, 2);
                    OrtEngine ort = new OrtEngine(file, new EngineOptions(EngineOptions.Device.CPU, 2, "all"))) {
                Tensor yj = java.run(x);
                OneNode.assertClose("torch-export " + c[0] + " java vs ort", ort.run(x), yj, PARITY);
                OneNode.assertClose("torch-export " + c[0] + " java vs torch", ref, yj, PARITY);
            }
        }
    }
}
