package org.resnet4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ResNetGraph;

class SpecTest {

    /** Learnable parameter counts as torchvision's model docs list them (running stats excluded). */
    private static final Map<String, Long> TORCHVISION_PARAMS = Map.of(
            "resnet18", 11_689_512L,
            "resnet34", 21_797_672L,
            "resnet50", 25_557_032L,
            "resnet101", 44_549_160L,
            "resnet152", 60_192_808L,
            "resnext50_32x4d", 25_028_904L,
            "resnext101_32x8d", 88_791_336L,
            "resnext101_64x4d", 83_455_272L,
            "wide_resnet50_2", 68_883_240L,
            "wide_resnet101_2", 126_886_696L);

    @Test
    void presetsHaveTorchvisionParameterCounts() {
        assertEquals(10, Presets.names().size());
        for (String name : Presets.names()) {
            ResNetGraph g = GraphBuilder.build(Presets.get(name), false);
            long learnable = g.parameters().entrySet().stream()
                    .filter(e ->
                            !e.getKey().endsWith("running_mean") && !e.getKey().endsWith("running_var"))
                    .mapToLong(e -> Shapes.numel(e.getValue()))
                    .sum();
            assertEquals(TORCHVISION_PARAMS.get(name), learnable, name);
        }
    }

    @Test
    void resnet50StructureIsTorchvisions() {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet50"), false);
        Map<String, int[]> p = g.parameters();
        // stride sits on the 3x3 conv; downsample only on the first block of a stage
        assertEquals("[128, 128, 3, 3]", Shapes.format(p.get("layer2.0.conv2.weight")));
        assertEquals("[512, 256, 1, 1]", Shapes.format(p.get("layer2.0.downsample.0.weight")));
        assertTrue(p.containsKey("layer1.0.downsample.0.weight"), "layer1.0 changes channels 64 -> 256");
        assertTrue(!p.containsKey("layer1.1.downsample.0.weight"));
        assertEquals("[1000, 2048]", Shapes.format(p.get("fc.weight")));
        long convs =
                g.nodes().stream().filter(n -> n.getOpType().equals("Conv")).count();
        long relus =
                g.nodes().stream().filter(n -> n.getOpType().equals("Relu")).count();
        long adds = g.nodes().stream().filter(n -> n.getOpType().equals("Add")).count();
        assertEquals(53, convs);
        assertEquals(49, relus);
        assertEquals(16, adds);
        String stride = g.nodes().stream()
                .filter(n -> n.getName().equals("layer2.0.conv2"))
                .findFirst()
                .orElseThrow()
                .getAttributeList()
                .stream()
                .filter(a -> a.getName().equals("strides"))
                .findFirst()
                .orElseThrow()
                .getIntsList()
                .toString();
        assertEquals("[2, 2]", stride);
    }

    @Test
    void resnextGroupsAndWidth() {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnext101_32x8d"), false);
        // width = int(64 * 8 / 64) * 32 = 256 channels in 32 groups of 8
        assertEquals("[256, 8, 3, 3]", Shapes.format(g.parameters().get("layer1.0.conv2.weight")));
    }

    @Test
    void overridesChangeOnlyStemAndClassifier() {
        ResNetSpec spec = Presets.get("resnet18").withInChannels(1).withNumClasses(10);
        ResNetGraph g = GraphBuilder.build(spec, false);
        assertEquals("[64, 1, 7, 7]", Shapes.format(g.parameters().get("conv1.weight")));
        assertEquals("[10, 512]", Shapes.format(g.parameters().get("fc.weight")));
        assertEquals(Presets.get("resnet18").withInChannels(1).withNumClasses(10), spec);
        assertEquals("resnet18", Presets.match(spec).orElseThrow());
    }

    @Test
    void jsonRoundTripAndDefaults() {
        ResNetSpec s = SpecJson.parse("{\"block\": \"bottleneck\", \"layers\": [3, 4, 6, 3]}", "test");
        assertEquals(Presets.get("resnet50"), s);
        ResNetSpec small = SpecJson.parse(
                "{\"block\": \"basic\", \"layers\": [1, 1, 1], \"widths\": [8, 16, 32],"
                        + " \"stem_width\": 8, \"stem_kernel\": 3, \"stem_stride\": 1, \"stem_pool\": false, \"num_classes\": 10}",
                "t");
        assertEquals(small, SpecJson.parse(SpecJson.toJson(small), "roundtrip"));
        assertEquals(SpecJson.toNode(small).toString(), SpecJson.toJson(small), "hand-written JSON equals Jackson's");
        assertEquals(List.of(8, 16, 32), small.widths());
        assertTrue(Presets.match(small).isEmpty());
    }

    @Test
    void validationNamesFieldAndAllowedValues() {
        var e = assertThrows(
                UnsupportedModelException.class,
                () -> SpecJson.parse("{\"block\": \"triple\", \"layers\": [1]}", "spec.json"));
        assertContains(e.getMessage(), "'block'", "basic, bottleneck");
        e = assertThrows(
                UnsupportedModelException.class,
                () -> SpecJson.parse("{\"block\": \"basic\", \"layers\": [2,2,2,2], \"groups\": 32}", "spec.json"));
        assertTrue(e.getMessage().contains("groups 1 and width_per_group 64"), e.getMessage());
        e = assertThrows(
                UnsupportedModelException.class,
                () -> SpecJson.parse("{\"block\": \"basic\", \"layers\": [2,2,2,2], \"num_clases\": 3}", "spec.json"));
        assertContains(e.getMessage(), "'num_clases'", "num_classes");
        e = assertThrows(
                UnsupportedModelException.class,
                () -> SpecJson.parse("{\"block\": \"basic\", \"layers\": [2,0,2], \"stem_kernel\": 4}", "spec.json"));
        assertContains(e.getMessage(), "'layers[1]' is 0", "'stem_kernel' is 4", "'widths' has 4 entries");
        var f = assertThrows(ResNet4jException.FormatException.class, () -> SpecJson.parse("{block", "spec.json"));
        assertTrue(f.getMessage().startsWith("spec.json: not valid JSON"), f.getMessage());
        var p = assertThrows(UnsupportedModelException.class, () -> Presets.get("resnet51"));
        assertContains(p.getMessage(), "resnet51", "wide_resnet101_2");
    }

    /** torchvision's model docs list GFLOPS (multiply-accumulates, in G) at 224x224. */
    @Test
    void macsMatchTorchvisionDocs() {
        Map<String, Double> docs = Map.of(
                "resnet18",
                1.81,
                "resnet34",
                3.66,
                "resnet50",
                4.09,
                "resnet101",
                7.80,
                "resnet152",
                11.51,
                "resnext50_32x4d",
                4.23,
                "resnext101_32x8d",
                16.41,
                "resnext101_64x4d",
                15.46,
                "wide_resnet50_2",
                11.40,
                "wide_resnet101_2",
                22.75);
        for (var e : docs.entrySet()) {
            double g = Flops.macs(Presets.get(e.getKey()), 224, 224) / 1e9;
            assertEquals(e.getValue(), g, 0.006, e.getKey() + " GMACs");
        }
    }
}
