package org.resnet4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the {@code tools/} scripts with Debian's Python ({@code /usr/bin/python3}) for live parity
 * tests. The live tests run whenever that Python has torch and torchvision; with {@code CI=true}
 * they must run, so a missing torch fails the test instead of skipping it.
 */
public final class PythonReference {
    public static final String PYTHON = System.getenv().getOrDefault("RESNET4J_PYTHON", "/usr/bin/python3");
    private static Boolean available;

    private PythonReference() {}

    /** The repository root (surefire runs tests there; RESNET4J_ROOT overrides). */
    public static Path root() {
        String r = System.getenv("RESNET4J_ROOT");
        return Path.of(r != null ? r : ".").toAbsolutePath().normalize();
    }

    public static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision, onnx, numpy, PIL")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                available = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        return available;
    }

    /**
     * The one check every live test makes before it runs Python: skips the calling test when torch
     * (with torchvision, onnx, numpy and PIL) is absent, unless CI=true, where it fails.
     */
    public static void require() {
        if (available()) {
            return;
        }
        String msg = PYTHON + " cannot import torch, torchvision, onnx, numpy and PIL "
                + "(apt-get install python3-torch python3-torchvision python3-onnx python3-numpy python3-pil)";
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true requires the live parity tests: " + msg);
        }
        Assumptions.abort(msg);
    }

    /** torchvision's top-k (the script's "results" rows) and the fc = Identity embeddings, one row per image. */
    public record Classified(com.fasterxml.jackson.databind.JsonNode results, org.resnet4j.tensor.Tensor features) {}

    /**
     * Runs tools/classify_reference.py: a torchvision {@code arch} with {@code weights} on {@code images}
     * through PIL, top-{@code top} and the pooled features, written into {@code dir}.
     */
    public static Classified classify(String arch, Path weights, int top, List<String> images, Path dir)
            throws java.io.IOException {
        return classify(arch, weights, top, images, dir, List.of());
    }

    /** As above, with the script's transform options ({@code --resize R --crop C --mean .. --std ..}). */
    public static Classified classify(
            String arch, Path weights, int top, List<String> images, Path dir, List<String> transform)
            throws java.io.IOException {
        Path json = dir.resolve("classify-reference.json");
        Path npy = dir.resolve("classify-reference.npy");
        List<String> args = new ArrayList<>(List.of(
                "--arch",
                arch,
                "--weights",
                weights.toString(),
                "--top",
                Integer.toString(top),
                "--out",
                json.toString(),
                "--features",
                npy.toString()));
        args.addAll(transform);
        args.addAll(images);
        run("classify_reference.py", args.toArray(String[]::new));
        return new Classified(
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(json.toFile())
                        .get("results"),
                org.resnet4j.weights.Npy.read(npy));
    }

    /**
     * The folder {@code tools/<script> args... DIR} writes (the output folder is the script's last
     * argument), made once and kept under
     * target/python-cache: the scripts are deterministic, and the suite runs the Java engine's tests once
     * per vector width, each time against the same references. The folder's name holds a digest of the
     * arguments and of every script in tools/, so a changed script makes a new one; it is written under
     * a temporary name and renamed when complete, so a failed run leaves nothing to reuse.
     */
    public static synchronized Path cached(String script, String... args) {
        Path cache = root().resolve("target").resolve("python-cache");
        Path dir = cache.resolve(script.replace(".py", "") + "-" + digest(script, args));
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            Files.createDirectories(cache);
            Path tmp = Files.createTempDirectory(cache, ".partial-");
            List<String> a = new ArrayList<>(List.of(args));
            a.add(tmp.toString());
            run(script, a.toArray(String[]::new));
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            fail("cannot cache the output of " + script + ": " + e);
        }
        return dir;
    }

    // SHA-256 of the arguments and of tools/*.py (the script and whatever it imports), 16 hex digits
    private static String digest(String script, String... args) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(String.join("\0", args).getBytes(StandardCharsets.UTF_8));
            md.update(script.getBytes(StandardCharsets.UTF_8));
            try (Stream<Path> tools = Files.list(root().resolve("tools"))) {
                for (Path p :
                        tools.filter(p -> p.toString().endsWith(".py")).sorted().toList()) {
                    md.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(p));
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest tools/ for the reference cache", e);
        }
    }

    /** Runs {@code tools/<script> args...}; fails the test with the script's output on a non-zero exit. */
    public static String run(String script, String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(PYTHON, root().resolve("tools").resolve(script).toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, 0);
    }

    /** Runs a command and returns its output; fails unless it exits with {@code expectedExit}. */
    public static String exec(List<String> cmd, int expectedExit) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .directory(root().toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != expectedExit) {
                fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ", expected " + expectedExit + ":\n"
                        + out);
            }
            return out;
        } catch (IOException e) {
            fail("cannot run " + cmd + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted: " + cmd);
        }
        return "";
    }
}
