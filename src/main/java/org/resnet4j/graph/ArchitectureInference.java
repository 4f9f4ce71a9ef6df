package org.resnet4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.StateDict;

/**
 * Infers a {@link ResNetSpec} from canonical (torchvision-named) tensor shapes alone, and names the
 * torchvision preset it equals.
 *
 * <p>What the shapes tell:
 * <ul>
 * <li>block kind: a {@code layer1.0.conv3.weight} means bottleneck, else basic;</li>
 * <li>layers per stage: the number of block indices {@code B} in {@code layerS.B.*}, per stage
 *     {@code S = 1, 2, ...} (both must run without gaps from 1 and 0);</li>
 * <li>widths (planes per stage): {@code layerS.0.conv1.weight} rows for basic blocks,
 *     {@code layerS.0.conv3.weight} rows / 4 for bottlenecks;</li>
 * <li>groups and width per group: from the bottleneck's 3x3 conv, weight {@code [width, width/groups, 3, 3]}:
 *     {@code groups = width / shape[1]}, {@code width_per_group = width * 64 / (planes * groups)}
 *     (basic blocks: 1 and 64);</li>
 * <li>num_classes: {@code fc.weight} rows; in_channels: {@code conv1.weight} dim 1;
 *     stem_width: {@code conv1.weight} rows; stem_kernel: {@code conv1.weight}'s kernel size.</li>
 * </ul>
 *
 * <p><b>Not in the weights:</b> the stem's stride and whether a max pool follows it have no
 * parameters, so no checkpoint records them. Inference assumes torchvision's stem (stride 2, max
 * pool) unless the stem kernel is 3, which is the CIFAR-style stem (stride 1, no max pool). A
 * checkpoint trained with another stem needs an explicit {@code --spec}. {@link Inferred#assumption()}
 * says which assumption was made, for {@code inspect} and error messages.
 *
 * <p>Every inferred spec is checked with the binding's own comparison ({@link ModelAssembler#compare}):
 * the graph it describes must need exactly the file's shapes for every parameter (extra keys are
 * left to the strict binding to report).
 */
public final class ArchitectureInference {
    private ArchitectureInference() {}

    /** The stem assumption made for a kernel-3 stem. */
    static final String CIFAR_STEM = "stem stride and max pool are not stored in weights: a 3x3 stem is taken as"
            + " CIFAR-style (stride 1, no max pool); give an explicit spec if the model differs";
    /** The stem assumption made for any other stem kernel. */
    static final String TORCHVISION_STEM = "stem stride and max pool are not stored in weights: torchvision's"
            + " stem is assumed (stride 2, 3x3/2 max pool); give an explicit spec if the model differs";

    /**
     * An inferred architecture.
     *
     * @param spec       the spec the shapes describe
     * @param preset     the torchvision preset equal to it up to classes and input channels, if any
     * @param assumption what was assumed about the stem, which the weights cannot show
     */
    public record Inferred(ResNetSpec spec, Optional<String> preset, String assumption) {
        /**
         * Short description: {@code resnet50 (bottleneck [3, 4, 6, 3], groups 1, width 64, 1000 classes)},
         * with non-default input channels, stem and widths added when they differ from torchvision's.
         */
        public String describe() {
            return ArchitectureInference.describe(preset.orElse("a custom ResNet"), spec);
        }
    }

    private static final Pattern BLOCK_KEY = Pattern.compile("layer(\\d+)\\.(\\d+)\\..+");

    /** Infers from canonical tensors (only their shapes are read). */
    public static Inferred infer(StateDict canonical) {
        return infer(shapesOf(canonical));
    }

    /**
     * Infers from canonical key → shape, for callers that know shapes without tensors.
     *
     * @throws UnsupportedModelException when the keys or shapes do not form a ResNet we can build,
     *                                   naming the key and what was expected
     */
    public static Inferred infer(Map<String, int[]> shapes) {
        if (!shapes.containsKey("conv1.weight") && shapes.containsKey("conv1.0.weight")) {
            throw unsupported("conv1.0.weight instead of conv1.weight: a deep stem of three 3x3 convs (timm's"
                    + " resnet*c/resnet*d), which torchvision's ResNet and resnet4j do not have");
        }
        int[] conv1 = require(shapes, "conv1.weight", 4);
        if (conv1[2] != conv1[3]) {
            throw unsupported("conv1.weight has a non-square kernel " + Shapes.format(conv1));
        }
        int stemWidth = conv1[0];
        int inChannels = conv1[1];
        int stemKernel = conv1[2];
        int[] fc = shapes.get("fc.weight");
        if (fc == null) {
            throw unsupported("no fc.weight: the file has no classifier (a headless backbone such as Hugging Face's"
                    + " ResNetModel), so there are no logits to compute");
        }
        if (fc.length != 2) {
            throw unsupported("fc.weight has shape " + Shapes.format(fc) + ", expected [num_classes, features]");
        }
        int numClasses = fc[0];

        // stage -> set of block indices
        TreeMap<Integer, TreeSet<Integer>> blocks = new TreeMap<>();
        for (String key : shapes.keySet()) {
            Matcher m = BLOCK_KEY.matcher(key);
            if (m.matches()) {
                try {
                    blocks.computeIfAbsent(Integer.parseInt(m.group(1)), s -> new TreeSet<>())
                            .add(Integer.parseInt(m.group(2)));
                } catch (NumberFormatException e) {
                    throw unsupported("key " + key + " has a stage or block index out of range");
                }
            }
        }
        if (blocks.isEmpty()) {
            throw unsupported("no layerS.B.* keys: the file has no residual stages");
        }
        List<Integer> layers = new ArrayList<>();
        int expectStage = 1;
        for (Map.Entry<Integer, TreeSet<Integer>> e : blocks.entrySet()) {
            if (e.getKey() != expectStage) {
                throw unsupported("stages are layer"
                        + blocks.keySet().stream().map(String::valueOf).toList() + ", expected layer1..layer"
                        + blocks.size() + " without gaps");
            }
            TreeSet<Integer> idx = e.getValue();
            if (idx.first() != 0 || idx.last() != idx.size() - 1) {
                throw unsupported("layer" + e.getKey() + " has blocks " + idx + ", expected 0.." + (idx.size() - 1));
            }
            layers.add(idx.size());
            expectStage++;
        }

        BlockKind block = shapes.containsKey("layer1.0.conv3.weight") ? BlockKind.BOTTLENECK : BlockKind.BASIC;
        List<Integer> widths = new ArrayList<>();
        int groups = 1;
        int widthPerGroup = 64;
        for (int s = 1; s <= layers.size(); s++) {
            String p = "layer" + s + ".0.";
            if (block == BlockKind.BASIC) {
                widths.add(require(shapes, p + "conv1.weight", 4)[0]);
            } else {
                int[] conv3 = require(shapes, p + "conv3.weight", 4);
                if (conv3[0] % BlockKind.BOTTLENECK.expansion() != 0) {
                    throw unsupported(p + "conv3.weight has " + conv3[0] + " output channels, expected a multiple of 4"
                            + " (bottleneck expansion)");
                }
                widths.add(conv3[0] / BlockKind.BOTTLENECK.expansion());
            }
        }
        if (block == BlockKind.BOTTLENECK) {
            int[] conv2 = require(shapes, "layer1.0.conv2.weight", 4);
            int width = conv2[0];
            if (width < 1 || conv2[1] < 1 || width % conv2[1] != 0) { // width 0 would make groups 0
                throw unsupported("layer1.0.conv2.weight has shape " + Shapes.format(conv2)
                        + ", expected [width, width / groups, 3, 3]");
            }
            groups = width / conv2[1];
            int planes = widths.get(0);
            // torchvision: width = int(planes * width_per_group / 64) * groups; the smallest integer
            // width_per_group giving this width (exact for all torchvision presets)
            int perGroup = width / groups;
            widthPerGroup = Math.max(1, (int) Math.ceil(perGroup * 64.0 / planes));
        }

        String assumption = stemKernel == 3 ? CIFAR_STEM : TORCHVISION_STEM;
        ResNetSpec spec;
        try {
            spec = new ResNetSpec(
                    block,
                    layers,
                    groups,
                    widthPerGroup,
                    numClasses,
                    inChannels,
                    stemWidth,
                    widths,
                    stemKernel,
                    stemKernel == 3 ? 1 : 2,
                    stemKernel != 3);
        } catch (UnsupportedModelException e) {
            throw unsupported("the shapes describe no valid spec: " + e.getMessage());
        }
        List<String> mismatches = compare(spec, shapes);
        if (!mismatches.isEmpty()) {
            throw unsupported("the shapes are not those of the ResNet they most resemble ("
                    + describe("a custom ResNet", spec) + "): " + summarize(mismatches));
        }
        return new Inferred(spec, Presets.match(spec), assumption);
    }

    /**
     * The problems of {@code spec} against the file, sorted: missing keys and shape mismatches, by
     * the binding's own check ({@link ModelAssembler#compare}); extra keys are left to the binding.
     */
    static List<String> compare(ResNetSpec spec, Map<String, int[]> shapes) {
        ResNetGraph graph = QuantizedGraphBuilder.isQuantized(shapes)
                ? QuantizedGraphBuilder.build(spec, shapes)
                : GraphBuilder.build(spec, false);
        ModelAssembler.Mismatches m = ModelAssembler.compare(graph.parameters(), shapes);
        List<String> out = new ArrayList<>();
        m.missing().forEach(k -> out.add("missing " + k));
        out.addAll(m.shapes());
        return out;
    }

    /** {@code name (bottleneck [3, 4, 6, 3], groups 1, width 64, 1000 classes[, ...])}. */
    public static String describe(String name, ResNetSpec s) {
        StringBuilder b = new StringBuilder(name)
                .append(" (")
                .append(s.block().label())
                .append(' ')
                .append(s.layers())
                .append(", groups ")
                .append(s.groups())
                .append(", width ")
                .append(s.widthPerGroup())
                .append(", ")
                .append(s.numClasses())
                .append(s.numClasses() == 1 ? " class" : " classes");
        if (s.inChannels() != 3) {
            b.append(", ").append(s.inChannels()).append(s.inChannels() == 1 ? " input channel" : " input channels");
        }
        if (s.stemWidth() != 64 || s.stemKernel() != 7 || s.stemStride() != 2 || !s.stemPool()) {
            b.append(", stem ")
                    .append(s.stemKernel())
                    .append('x')
                    .append(s.stemKernel())
                    .append('/')
                    .append(s.stemStride())
                    .append(" width ")
                    .append(s.stemWidth())
                    .append(s.stemPool() ? " with max pool" : " without max pool");
        }
        if (!s.widths().equals(ResNetSpec.DEFAULT_WIDTHS)) {
            b.append(", widths ").append(s.widths());
        }
        return b.append(')').toString();
    }

    /** Key → shape of a state dict. */
    public static Map<String, int[]> shapesOf(StateDict sd) {
        return ModelAssembler.shapesOf(sd);
    }

    private static String summarize(List<String> problems) {
        int show = Math.min(problems.size(), 5);
        String head = String.join("; ", problems.subList(0, show));
        return problems.size() > show ? head + "; and " + (problems.size() - show) + " more" : head;
    }

    private static int[] require(Map<String, int[]> shapes, String key, int rank) {
        int[] s = shapes.get(key);
        if (s == null) {
            throw unsupported("no " + key);
        }
        if (s.length != rank) {
            throw unsupported(key + " has shape " + Shapes.format(s) + ", expected rank " + rank);
        }
        return s;
    }

    private static UnsupportedModelException unsupported(String why) {
        return new UnsupportedModelException("cannot infer the architecture from the weights: " + why);
    }
}
