package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.graph.ArchitectureInference;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Live (Debian torch): {@code tools/make_hf_fixture.py} writes a seeded torchvision ResNet under
 * Hugging Face names; the names are mapped, the architecture inferred without any --arch, and ORT
 * on the result matches torchvision's logits. The file is read by {@link CheckpointLoader}.
 */
class HuggingFaceNamesLiveTest {
    static final Path TOOL = Path.of("tools/make_hf_fixture.py");

    @Test
    void basicBlockClassifierLoadsWithoutArch(@TempDir Path dir) throws Exception {
        ResNetSpec expected =
                ResNetSpec.of(BlockKind.BASIC, List.of(1, 1, 1, 1), 1, 64).withNumClasses(10);
        endToEnd(dir, expected, "--block", "basic", "--layers", "1,1,1,1", "--num-classes", "10");
    }

    @Test
    void resnextClassifierLoadsWithoutArch(@TempDir Path dir) throws Exception {
        ResNetSpec expected =
                ResNetSpec.of(BlockKind.BOTTLENECK, List.of(1, 2, 1, 1), 2, 32).withNumClasses(5);
        endToEnd(
                dir,
                expected,
                "--block",
                "bottleneck",
                "--layers",
                "1,2,1,1",
                "--groups",
                "2",
                "--width-per-group",
                "32",
                "--num-classes",
                "5");
    }

    @Test
    void backboneNamesMapButHaveNoClassifier(@TempDir Path dir) throws Exception {
        WeightWritersTest.requireTorch();
        runTool(dir, "--block", "bottleneck", "--layers", "1,1,1,1", "--layout", "backbone");
        StateDict hf = load(dir.resolve("hf.safetensors"));
        assertTrue(
                hf.names().stream().allMatch(k -> k.startsWith("embedder.") || k.startsWith("encoder.")),
                hf.names().toString());
        NamingSchemes.MappedWeights mapped = NamingSchemes.map(hf);
        assertEquals("huggingface", mapped.scheme());
        assertEquals(List.of(), mapped.unmapped());
        assertTrue(mapped.tensors().contains("layer1.0.downsample.1.num_batches_tracked"));
        UnsupportedModelException e =
                assertThrows(UnsupportedModelException.class, () -> ArchitectureInference.infer(mapped.tensors()));
        assertTrue(e.getMessage().contains("no fc.weight"), e.getMessage());
    }

    private static void endToEnd(Path dir, ResNetSpec expected, String... args) throws Exception {
        WeightWritersTest.requireTorch();
        runTool(dir, args);
        StateDict hf = load(dir.resolve("hf.safetensors"));
        assertTrue(hf.contains("resnet.embedder.embedder.convolution.weight") && hf.contains("classifier.1.weight"));

        NamingSchemes.MappedWeights mapped = NamingSchemes.map(hf);
        assertEquals("huggingface", mapped.scheme());
        assertEquals(List.of(), mapped.unmapped());
        assertEquals(hf.size(), mapped.tensors().size());
        assertEquals(
                DType.INT64, mapped.tensors().get("bn1.num_batches_tracked").sourceType());

        ArchitectureInference.Inferred inferred = ArchitectureInference.infer(mapped.tensors());
        assertEquals(expected, inferred.spec());
        assertFalse(inferred.preset().isPresent());

        byte[] onnx = ModelAssembler.assemble(GraphBuilder.build(inferred.spec(), false), mapped.tensors(), 17, "hf")
                .toByteArray();
        Tensor x = Npy.read(dir.resolve("input.npy"));
        Tensor ref = Npy.read(dir.resolve("logits.npy"));
        try (OrtEngine engine = new OrtEngine(onnx, EngineOptions.defaults(), "hf")) {
            Tensor y = engine.run(x);
            double err = Comparison.of("hf", y, ref).relative();
            System.out.printf(
                    "Hugging Face names, %s: inferred %s, ORT vs torchvision parity error %.3g%n",
                    expected.block(), inferred.describe(), err);
            assertTrue(err <= WeightWritersTest.PARITY, "parity error " + err);
        }
    }

    private static StateDict load(Path file) {
        LoadedCheckpoint loaded = CheckpointLoader.loadAsStored(file, null);
        assertEquals(CheckpointFormat.SAFETENSORS, loaded.format());
        LoadedCheckpoint mapped = CheckpointLoader.load(file);
        assertEquals("huggingface", mapped.scheme());
        assertEquals(
                NamingSchemes.map(loaded.tensors()).tensors().names(),
                mapped.tensors().names());
        return loaded.tensors();
    }

    private static void runTool(Path dir, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of(WeightWritersTest.PYTHON.toString(), TOOL.toString(), dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("make_hf_fixture.py timed out");
        }
        assertEquals(0, p.exitValue(), () -> "make_hf_fixture.py failed:\n" + new String(out, StandardCharsets.UTF_8));
    }
}
