package org.resnet4j.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.resnet4j.Device;
import org.resnet4j.cli.Main;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Presets;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * The promise, end to end: torchvision makes random weights (random BatchNorm statistics too), an
 * input and its logits; we go through the CLI's {@code export} to an ONNX file, check it with
 * onnx's own checker, run it in ONNX Runtime, and compare number by number.
 */
class LiveParityTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void needsTorch() {
        PythonReference.require();
    }

    static List<String> presets() {
        return Presets.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void presetMatchesTorchvision(String arch) throws IOException {
        Path case_ = reference(arch, "--arch", arch, "--batch", "2", "--seed", "11");
        exportRunAndCompare(arch, case_, List.of("--arch", arch), false);
    }

    @Test
    void grayTenClassResNet18OnNonSquareInput() throws IOException {
        Path case_ = reference(
                "resnet18-gray",
                "--arch",
                "resnet18",
                "--in-channels",
                "1",
                "--num-classes",
                "10",
                "--height",
                "64",
                "--width",
                "48",
                "--batch",
                "2",
                "--seed",
                "12");
        exportRunAndCompare(
                "resnet18 1-channel 10 classes 64x48",
                case_,
                List.of("--arch", "resnet18", "--in-channels", "1", "--num-classes", "10"),
                false);
    }

    @Test
    void foldedBatchNormMatchesTorchvision() throws IOException {
        for (String arch : List.of("resnet50", "resnext50_32x4d")) {
            Path case_ = reference(arch + "-fold", "--arch", arch, "--batch", "2", "--seed", "13");
            exportRunAndCompare(arch + " --fold-bn", case_, List.of("--arch", arch), true);
        }
    }

    @Test
    void otherOpsetsRunInOnnxRuntime() throws IOException {
        Path case_ = reference("resnet18-opsets", "--arch", "resnet18", "--batch", "2", "--seed", "14");
        for (String opset : List.of("13", "21")) {
            Path onnx = case_.resolve("m" + opset + ".onnx");
            cli(
                    "export",
                    "--arch",
                    "resnet18",
                    "--weights",
                    case_.resolve("weights.pth").toString(),
                    "--out",
                    onnx.toString(),
                    "--opset",
                    opset);
            compare("resnet18 opset " + opset, onnx, case_);
        }
    }

    private static Path reference(String name, String... args) {
        Path out = dir.resolve(name);
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--out-dir", out.toString()));
        PythonReference.run("torch_reference.py", a.toArray(String[]::new));
        return out;
    }

    private static void exportRunAndCompare(String what, Path case_, List<String> archArgs, boolean fold)
            throws IOException {
        Path onnx = case_.resolve("model.onnx");
        List<String> args = new ArrayList<>(List.of("export"));
        args.addAll(archArgs);
        args.addAll(List.of("--weights", case_.resolve("weights.pth").toString(), "--out", onnx.toString()));
        if (fold) {
            args.add("--fold-bn");
        }
        cli(args.toArray(String[]::new));
        PythonReference.run("check_onnx.py", onnx.toString());
        compare(what, onnx, case_);
        // the big presets are hundreds of MB: do not keep them around for the rest of the suite
        Files.deleteIfExists(case_.resolve("weights.pth"));
        Files.deleteIfExists(onnx);
    }

    private static void compare(String what, Path onnx, Path case_) {
        Tensor x = Npy.read(case_.resolve("input.npy"));
        Tensor expected = Npy.read(case_.resolve("output.npy"));
        EngineOptions options = new EngineOptions(Device.CPU, 2, "all");
        Tensor ort;
        try (OrtEngine engine = new OrtEngine(onnx, options)) {
            ort = engine.run(x);
            Parity.assertClose(what + " (ORT vs torchvision)", ort, expected, Parity.TORCH_TOLERANCE);
        }
        try (JavaEngine engine = JavaEngine.create(Onnx.read(onnx), options)) {
            Tensor java = engine.run(x);
            Parity.assertClose(what + " (Java vs torchvision)", java, expected, Parity.TORCH_TOLERANCE);
            Parity.assertClose(what + " (Java vs ORT)", java, ort, Parity.TORCH_TOLERANCE);
        }
    }

    private static void cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, code, String.join(" ", args) + "\n" + out + err);
    }
}
