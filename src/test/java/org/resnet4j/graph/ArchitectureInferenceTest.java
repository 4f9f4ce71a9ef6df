package org.resnet4j.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.StateDict;

class ArchitectureInferenceTest {

    /** The shapes torchvision's state_dict has for {@code spec}, num_batches_tracked ([]) included. */
    static Map<String, int[]> shapes(ResNetSpec spec) {
        Map<String, int[]> out = new LinkedHashMap<>();
        GraphBuilder.build(spec, false).parameters().forEach((k, v) -> {
            out.put(k, v.clone());
            if (k.endsWith(".running_var")) {
                out.put(k.replace("running_var", "num_batches_tracked"), new int[0]);
            }
        });
        return out;
    }

    static List<String> presets() {
        return Presets.names();
    }

    @ParameterizedTest
    @MethodSource("presets")
    void recognisesEveryPreset(String name) {
        ResNetSpec preset = Presets.get(name);
        ArchitectureInference.Inferred inferred = ArchitectureInference.infer(shapes(preset));
        assertEquals(preset, inferred.spec());
        assertEquals(Optional.of(name), inferred.preset());
        assertTrue(
                inferred.describe().startsWith(name + " (" + preset.block().label() + " " + preset.layers()),
                inferred.describe());
        assertEquals(ArchitectureInference.TORCHVISION_STEM, inferred.assumption());
    }

    @Test
    void presetWithOtherClassesAndChannelsIsStillThePreset() {
        ResNetSpec spec = Presets.get("resnext101_64x4d").withNumClasses(10).withInChannels(1);
        ArchitectureInference.Inferred inferred = ArchitectureInference.infer(shapes(spec));
        assertEquals(spec, inferred.spec());
        assertEquals(Optional.of("resnext101_64x4d"), inferred.preset());
        assertEquals(
                "resnext101_64x4d (bottleneck [3, 4, 23, 3], groups 64, width 4, 10 classes, 1 input channel)",
                inferred.describe());
    }

    static List<ResNetSpec> customSpecs() {
        return List.of(
                // the example: non-preset depths, 37 classes, grey input
                new ResNetSpec(
                        BlockKind.BASIC, List.of(1, 2, 1, 1), 1, 64, 37, 1, 64, ResNetSpec.DEFAULT_WIDTHS, 7, 2, true),
                // CIFAR-style: 3x3 stem, stride 1, no max pool, three narrow stages
                new ResNetSpec(BlockKind.BASIC, List.of(3, 3, 3), 1, 64, 10, 3, 16, List.of(16, 32, 64), 3, 1, false),
                // a small ResNeXt with a 5x5 stem
                new ResNetSpec(
                        BlockKind.BOTTLENECK, List.of(1, 2, 1, 1), 4, 16, 5, 2, 24, List.of(8, 16, 32, 64), 5, 2, true),
                // bottleneck CIFAR-style, wide
                new ResNetSpec(BlockKind.BOTTLENECK, List.of(2, 2), 1, 128, 100, 3, 32, List.of(32, 64), 3, 1, false));
    }

    @ParameterizedTest
    @MethodSource("customSpecs")
    void customSpecRoundTripsThroughRandomWeights(ResNetSpec spec) {
        StateDict weights = RandomInit.weights(GraphBuilder.build(spec, false), 42);
        ArchitectureInference.Inferred inferred = ArchitectureInference.infer(weights);
        assertEquals(spec, inferred.spec());
        assertEquals(Optional.empty(), inferred.preset());
        assertTrue(inferred.describe().startsWith("a custom ResNet ("), inferred.describe());
        assertEquals(
                spec.stemKernel() == 3 ? ArchitectureInference.CIFAR_STEM : ArchitectureInference.TORCHVISION_STEM,
                inferred.assumption());
    }

    @Test
    void describesCustomStems() {
        ResNetSpec cifar = customSpecs().get(1);
        assertEquals(
                "a custom ResNet (basic [3, 3, 3], groups 1, width 64, 10 classes, stem 3x3/1 width 16 without max pool,"
                        + " widths [16, 32, 64])",
                ArchitectureInference.infer(shapes(cifar)).describe());
    }

    @Test
    void explainsWhatIsMissingOrWrong() {
        Map<String, int[]> headless = shapes(Presets.get("resnet18"));
        headless.remove("fc.weight");
        headless.remove("fc.bias");
        assertMessage(headless, "no fc.weight: the file has no classifier");

        Map<String, int[]> gap = shapes(Presets.get("resnet18"));
        gap.keySet().removeIf(k -> k.startsWith("layer3."));
        assertMessage(gap, "expected layer1..layer3 without gaps");

        Map<String, int[]> hole = shapes(Presets.get("resnet18"));
        hole.keySet().removeIf(k -> k.startsWith("layer2.0."));
        assertMessage(hole, "layer2 has blocks [1], expected 0..0");

        Map<String, int[]> bent = shapes(Presets.get("resnet50"));
        bent.put("layer3.2.conv2.weight", new int[] {256, 128, 3, 3});
        assertMessage(
                bent, "Shape mismatch in `layer3.2.conv2.weight`: expected [256, 256, 3, 3], found [256, 128, 3, 3]");

        Map<String, int[]> noStem = shapes(Presets.get("resnet18"));
        noStem.remove("conv1.weight");
        assertMessage(noStem, "no conv1.weight");

        Map<String, int[]> deepStem = shapes(Presets.get("resnet50"));
        deepStem.remove("conv1.weight");
        deepStem.put("conv1.0.weight", new int[] {32, 3, 3, 3});
        assertMessage(deepStem, "deep stem");
    }

    private static void assertMessage(Map<String, int[]> shapes, String part) {
        UnsupportedModelException e =
                assertThrows(UnsupportedModelException.class, () -> ArchitectureInference.infer(shapes));
        assertTrue(e.getMessage().startsWith("cannot infer the architecture from the weights: "), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
