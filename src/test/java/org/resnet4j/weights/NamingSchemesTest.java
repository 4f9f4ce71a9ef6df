package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.spec.Presets;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

class NamingSchemesTest {

    /** torchvision's state_dict keys for a preset, num_batches_tracked included (after running_var, as torch orders them). */
    static List<String> canonicalKeys(String preset) {
        List<String> keys = new ArrayList<>();
        for (String k :
                GraphBuilder.build(Presets.get(preset), false).parameters().keySet()) {
            keys.add(k);
            if (k.endsWith(".running_var")) {
                keys.add(k.substring(0, k.length() - "running_var".length()) + "num_batches_tracked");
            }
        }
        return keys;
    }

    private static final Pattern LAYER = Pattern.compile("layer(\\d+)\\.(\\d+)\\.(.*)");

    /**
     * The inverse table, written independently of the one under test: canonical → transformers'
     * ResNetForImageClassification name (with {@code resnet.}) or ResNetModel name (without; null
     * for fc, which ResNetModel lacks).
     */
    static String toHuggingFace(String key, boolean classification) {
        String p = classification ? "resnet." : "";
        if (key.startsWith("fc.")) {
            return classification ? "classifier.1." + key.substring(3) : null;
        }
        if (key.equals("conv1.weight")) {
            return p + "embedder.embedder.convolution.weight";
        }
        if (key.startsWith("bn1.")) {
            return p + "embedder.embedder.normalization." + key.substring(4);
        }
        Matcher m = LAYER.matcher(key);
        assertTrue(m.matches(), key);
        String base = p + "encoder.stages." + (Integer.parseInt(m.group(1)) - 1) + ".layers." + m.group(2) + ".";
        String rest = m.group(3);
        if (rest.equals("downsample.0.weight")) {
            return base + "shortcut.convolution.weight";
        }
        if (rest.startsWith("downsample.1.")) {
            return base + "shortcut.normalization." + rest.substring("downsample.1.".length());
        }
        Matcher conv = Pattern.compile("conv(\\d)\\.weight").matcher(rest);
        if (conv.matches()) {
            return base + "layer." + (Integer.parseInt(conv.group(1)) - 1) + ".convolution.weight";
        }
        Matcher bn = Pattern.compile("bn(\\d)\\.(.*)").matcher(rest);
        assertTrue(bn.matches(), key);
        return base + "layer." + (Integer.parseInt(bn.group(1)) - 1) + ".normalization." + bn.group(2);
    }

    /** Distinct one-element tensors, so that identity checks mean something. */
    static StateDict dummy(List<String> keys) {
        StateDict sd = new StateDict();
        int i = 0;
        for (String k : keys) {
            sd.put(k, Tensor.of(new int[] {1}, new float[] {i++}));
        }
        return sd;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "resnext50_32x4d"})
    void huggingFaceClassificationNamesMapBack(String preset) {
        List<String> canonical = canonicalKeys(preset);
        StateDict hf = new StateDict();
        Map<String, Tensor> expected = new LinkedHashMap<>();
        int i = 0;
        for (String k : canonical) {
            Tensor t = Tensor.of(new int[] {1}, new float[] {i++});
            hf.put(toHuggingFace(k, true), t);
            expected.put(k, t);
        }
        NamingSchemes.MappedWeights mapped = NamingSchemes.map(hf);
        assertEquals("huggingface", mapped.scheme());
        assertEquals(
                List.copyOf(expected.keySet()), List.copyOf(mapped.tensors().names()));
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            assertSame(e.getValue(), mapped.tensors().get(e.getKey()), e.getKey());
        }
        assertEquals(List.of(), mapped.unmapped());
        assertEquals(canonical.size(), mapped.renamed().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50"})
    void huggingFaceBackboneNamesWithoutPrefixOrClassifier(String preset) {
        List<String> canonical =
                canonicalKeys(preset).stream().filter(k -> !k.startsWith("fc.")).toList();
        List<String> hf = canonical.stream().map(k -> toHuggingFace(k, false)).toList();
        NamingSchemes.MappedWeights mapped = NamingSchemes.map(dummy(hf));
        assertEquals("huggingface", mapped.scheme());
        assertEquals(canonical, List.copyOf(mapped.tensors().names()));
    }

    @Test
    void spotChecksOfTheHuggingFaceTable() {
        NamingSchemes.Scheme hf = NamingSchemes.byName("huggingface").orElseThrow();
        Map<String, String> cases = Map.of(
                "resnet.embedder.embedder.convolution.weight", "conv1.weight",
                "resnet.embedder.embedder.normalization.num_batches_tracked", "bn1.num_batches_tracked",
                "resnet.encoder.stages.0.layers.2.layer.2.convolution.weight", "layer1.2.conv3.weight",
                "resnet.encoder.stages.3.layers.1.layer.0.normalization.running_mean", "layer4.1.bn1.running_mean",
                "resnet.encoder.stages.1.layers.0.shortcut.convolution.weight", "layer2.0.downsample.0.weight",
                "encoder.stages.1.layers.0.shortcut.normalization.running_var", "layer2.0.downsample.1.running_var",
                "resnet.encoder.stages.12.layers.35.layer.1.normalization.bias", "layer13.35.bn2.bias",
                "classifier.1.weight", "fc.weight",
                "classifier.1.bias", "fc.bias");
        cases.forEach((from, to) -> assertEquals(to, hf.canonical(from).orElseThrow(), from));
        assertTrue(hf.canonical("resnet.pooler.weight").isEmpty());
        assertTrue(hf.canonical("classifier.0.weight").isEmpty());
    }

    @Test
    void torchvisionAndTimmNamesAreKeptAsTheyAre() {
        List<String> keys = canonicalKeys("resnet34");
        StateDict sd = dummy(keys);
        NamingSchemes.MappedWeights mapped = NamingSchemes.map(sd);
        assertEquals("torchvision", mapped.scheme());
        assertEquals(keys, List.copyOf(mapped.tensors().names()));
        for (String k : keys) {
            assertSame(sd.get(k), mapped.tensors().get(k));
        }
        assertEquals(List.of(), mapped.unmapped());
    }

    @Test
    void keysNoRuleCoversAreKeptAndListed() {
        List<String> keys = new ArrayList<>(canonicalKeys("resnet18").stream()
                .map(k -> toHuggingFace(k, true))
                .toList());
        keys.add("resnet.extra.thing");
        NamingSchemes.MappedWeights mapped = NamingSchemes.map(dummy(keys));
        assertEquals(List.of("resnet.extra.thing"), mapped.unmapped());
        assertTrue(mapped.tensors().contains("resnet.extra.thing"));

        StateDict tv = dummy(List.of("conv1.weight", "fc.weight", "head.proj.weight"));
        assertEquals(List.of("head.proj.weight"), NamingSchemes.map(tv).unmapped());
    }

    @Test
    void unknownSchemeListsKeysAndSchemesTried() {
        StateDict sd = dummy(
                List.of("backbone.stem.conv.weight", "backbone.stem.bn.weight", "head.fc.weight", "a", "b", "c", "d"));
        FormatException e = assertThrows(FormatException.class, () -> NamingSchemes.map(sd));
        String m = e.getMessage();
        assertContains(m, "backbone.stem.conv.weight", "head.fc.weight");
        assertContains(m, "7 tensors", "...");
        assertContains(m, "torchvision", "huggingface");
        assertTrue(!m.contains(" d,") && !m.endsWith(" d"), "only a few keys: " + m);
    }

    @Test
    void twoKeysOntoOneNameIsAnError() {
        StateDict sd =
                dummy(List.of("resnet.embedder.embedder.convolution.weight", "embedder.embedder.convolution.weight"));
        FormatException e = assertThrows(FormatException.class, () -> NamingSchemes.map(sd));
        assertTrue(e.getMessage().contains("conv1.weight"), e.getMessage());
    }

    @Test
    void mapsShapesWithoutTensors() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("resnet.embedder.embedder.convolution.weight", new int[] {64, 3, 7, 7});
        shapes.put("classifier.1.weight", new int[] {10, 512});
        Map<String, int[]> out = NamingSchemes.mapKeys(shapes);
        assertEquals(List.of("conv1.weight", "fc.weight"), List.copyOf(out.keySet()));
        assertSame(shapes.get("classifier.1.weight"), out.get("fc.weight"));
    }

    @Test
    void tableIsOrderedAndNamed() {
        assertEquals(List.of("torchvision", "huggingface"), NamingSchemes.names());
    }
}
