package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestModels;
import org.resnet4j.weights.Npy;

/**
 * ONNX Runtime's libraries are copied once into the cache and loaded from there, so a process leaves
 * nothing in the temporary folder (ONNX Runtime's own extraction left a folder per process, and 28 MB
 * of libraries after a kill).
 */
class OrtNativeLibrariesTest {
    @TempDir
    Path tmp;

    @Test
    void librariesAreCopiedOnceAndWhole() throws Exception {
        Path root = tmp.resolve("cache");
        Path dir = OrtNativeLibraries.cached(root);
        assertNotNull(dir, "ONNX Runtime's libraries are in a jar on the test class path");
        String lib = System.mapLibraryName("onnxruntime");
        try (InputStream in = ai.onnxruntime.OrtEnvironment.class.getResourceAsStream(
                "/ai/onnxruntime/native/" + OrtNativeLibraries.platform() + "/" + lib)) {
            assertEquals(in.readAllBytes().length, Files.size(dir.resolve(lib)), lib + " copied whole");
        }
        assertTrue(Files.exists(dir.resolve(System.mapLibraryName("onnxruntime4j_jni"))));
        assertTrue(Files.exists(dir.resolve(".complete")));
        FileTime first = Files.getLastModifiedTime(dir.resolve(lib));
        Thread.sleep(20);
        assertEquals(dir, OrtNativeLibraries.cached(root), "the same folder for the same libraries");
        assertEquals(first, Files.getLastModifiedTime(dir.resolve(lib)), "not copied again");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".part-")), "no partial file left");
        }
    }

    @Test
    void aRunLeavesNothingInTheTemporaryFolder() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .setName("relu")
                .addNode(TestModels.node("Relu", List.of("x"), "y"))
                .addInput(Onnx.floatValueInfo("x", 1, 3))
                .addOutput(Onnx.floatValueInfo("y", 1, 3))
                .build();
        Path model = tmp.resolve("relu.onnx");
        Files.write(model, TestModels.of(g, 13).toByteArray());
        Path x = tmp.resolve("x.npy");
        Npy.write(Tensor.of(new int[] {1, 3}, new float[] {-1, 0, 2}), x);
        Path childTmp = Files.createDirectory(tmp.resolve("child-tmp"));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + childTmp,
                        org.resnet4j.cli.Main.class.getName(),
                        "run",
                        "--model",
                        model.toString(),
                        "--input",
                        x.toString(),
                        "--output",
                        tmp.resolve("y.npy").toString())
                .redirectErrorStream(true);
        // the class path through the environment: a long -cp made ONNX Runtime's JVM crash here
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child timed out");
        assertEquals(0, p.exitValue(), out);
        assertTrue(Files.exists(tmp.resolve("y.npy")), out);
        try (Stream<Path> left = Files.list(childTmp)) {
            List<String> names = left.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.startsWith("onnxruntime-java")), "left behind: " + names);
        }
        try (Stream<Path> cached = Files.list(tmp.resolve("cache/resnet4j"))) {
            assertTrue(cached.anyMatch(d -> d.getFileName().toString().startsWith("onnxruntime-")));
        }
    }
}
