package org.resnet4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.resnet4j.ResNet4jException;
import org.resnet4j.files.Folders;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.LoadedCheckpoint;
import org.resnet4j.weights.Npy;
import org.resnet4j.weights.PthWriter;

/**
 * PyTorch as a reference engine: runs a block spec and canonical weights through torchvision in a
 * Python subprocess ({@code tools/torch_parity.py}, shipped in the jar with {@code resnet_torch.py})
 * and returns its output, so a parity check needs no hand-made reference file.
 *
 * <p>The weights are handed over as a {@code .pth} written by {@link PthWriter} under torchvision's
 * names (the same tensors the ONNX graph gets), the spec as JSON, the input as {@code .npy}, in a
 * private temporary folder removed afterwards. PyTorch builds the model from the spec with
 * torchvision's own blocks and loads the weights with {@code strict=True}. A quantized checkpoint's
 * integers, scales and zero points are handed over as plain tensors (int8/uint8, float32, int64) that
 * the script rebuilds into torch's quantized tensors, and PyTorch builds, fuses, prepares and converts
 * the quantizable model before loading them; plain tensors because torch 1.13's {@code weights_only}
 * loader refuses pickled quantized tensors, and building them from their parts is exact. Calls are
 * independent; the class is stateless and thread-safe.
 *
 * <p>A call that ends early still cleans up: when the waiting thread is interrupted, or the JVM
 * shuts down on a signal (Ctrl-C, {@code kill}), the Python child and its descendants are ended and
 * the temporary folder is removed by a shutdown hook held for the duration of the call; no orphan
 * keeps computing after we are gone.
 */
final class TorchReference {
    /** Exit status of torch_parity.py when torch, torchvision or numpy cannot be imported. */
    static final int EXIT_NO_TORCH = 4;

    private static final List<String> SCRIPTS = List.of("torch_parity.py", "resnet_torch.py");

    /**
     * What PyTorch returned.
     *
     * @param output   the model's output (logits) on the input
     * @param versions e.g. "torch 1.13.0, torchvision 0.14.1 (builder)", for a quantized checkpoint with
     *                 the quantized engine that ran it: "... (quantizable:..., quantized engine onednn)"
     */
    record Result(Tensor output, String versions) {}

    private TorchReference() {}

    /**
     * Runs {@code spec} with the {@code checkpoint}'s weights (canonical names; quantized or not) on
     * {@code input} in torchvision, with the Python interpreter {@code python} (a command name such as
     * {@code python3}, or a path).
     *
     * @throws ResNet4jException when that Python cannot be started, lacks torch or torchvision, or
     *                           the model fails there; the message carries Python's own last line
     */
    static Result run(String python, ResNetSpec spec, LoadedCheckpoint checkpoint, Tensor input) {
        Path dir;
        try {
            dir = Files.createTempDirectory("resnet4j-torch");
        } catch (IOException e) {
            throw new ResNet4jException("the torchvision reference failed: " + e.getMessage(), e);
        }
        Child child = new Child(dir);
        Thread hook = new Thread(child::end, "resnet4j-torch-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runIn(dir, child, python, spec, checkpoint, input);
        } finally {
            child.end();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it ends the same child and folder
            }
        }
    }

    /** The Python process of one call and its folder, ended at most once by whichever comes first. */
    private static final class Child {
        private final Path dir;
        private Process process;
        private boolean ended;

        Child(Path dir) {
            this.dir = dir;
        }

        synchronized Process start(ProcessBuilder pb) throws IOException {
            if (ended) {
                throw new IOException("shutting down");
            }
            process = pb.start();
            return process;
        }

        synchronized void end() {
            if (ended) {
                return;
            }
            ended = true;
            if (process != null && process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                try {
                    process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Folders.deleteTree(dir);
        }
    }

    private static Result runIn(
            Path dir, Child child, String python, ResNetSpec spec, LoadedCheckpoint checkpoint, Tensor input) {
        try {
            for (String s : SCRIPTS) {
                try (InputStream in = TorchReference.class.getResourceAsStream("/org/resnet4j/torch/" + s)) {
                    if (in == null) {
                        throw new IllegalStateException(
                                "resource org/resnet4j/torch/" + s + " is missing from the build");
                    }
                    Files.copy(in, dir.resolve(s), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            PthWriter.write(checkpoint.tensors(), dir.resolve("weights.pth"));
            Files.writeString(dir.resolve("spec.json"), SpecJson.toJson(spec), StandardCharsets.UTF_8);
            Npy.write(
                    input.dtype() == org.resnet4j.tensor.DType.FLOAT32
                            ? input
                            : input.astype(org.resnet4j.tensor.DType.FLOAT32),
                    dir.resolve("input.npy"));
            Path out = dir.resolve("output.npy");
            Path stdout = dir.resolve("stdout.txt");
            Path stderr = dir.resolve("stderr.txt");
            List<String> command = new ArrayList<>(List.of(
                    python,
                    dir.resolve("torch_parity.py").toString(),
                    "--weights",
                    dir.resolve("weights.pth").toString(),
                    "--spec",
                    dir.resolve("spec.json").toString(),
                    "--input",
                    dir.resolve("input.npy").toString(),
                    "--output",
                    out.toString()));
            if (checkpoint.quantized()) {
                command.add("--quantized");
            }
            Process p;
            try {
                p = child.start(new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile()));
            } catch (IOException e) {
                throw new ResNet4jException("cannot start Python '" + python + "': " + e.getMessage());
            }
            int code = p.waitFor();
            String err = lastLine(stderr);
            if (code == EXIT_NO_TORCH) {
                throw new ResNet4jException("Python '" + python + "' " + err + "; the torchvision reference needs "
                        + "torch and torchvision (Debian: apt-get install python3-torch python3-torchvision), or "
                        + "another Python that has them");
            }
            if (code != 0) {
                throw new ResNet4jException(
                        "the torchvision reference failed in Python '" + python + "' (exit " + code + "): " + err);
            }
            JsonNode meta = new ObjectMapper().readTree(lastLine(stdout)); // the script's JSON line comes last
            String engine = meta.path("quantized_engine").asText("");
            String versions = "torch " + meta.path("torch").asText() + ", torchvision "
                    + meta.path("torchvision").asText() + " ("
                    + meta.path("construction").asText()
                    + (engine.isEmpty() ? "" : ", quantized engine " + engine) + ")";
            return new Result(Npy.read(out), versions);
        } catch (IOException e) {
            throw new ResNet4jException("the torchvision reference failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResNet4jException("interrupted while waiting for the torchvision reference");
        }
    }

    private static String lastLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .toList();
        return lines.isEmpty() ? "(no message)" : lines.get(lines.size() - 1).trim();
    }
}
