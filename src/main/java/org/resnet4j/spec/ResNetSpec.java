package org.resnet4j.spec;

import java.util.ArrayList;
import java.util.List;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * The architecture of a ResNet as data, generalising torchvision's {@code ResNet(block, layers, ...)}.
 *
 * <p>With the default stem and widths this is exactly torchvision's network: conv1 7x7/2 with 64
 * channels, bn1, relu, maxpool 3x3/2, four stages of planes 64/128/256/512 (stride 1 for the first
 * stage, 2 for the others), global average pool, fc. The stem and width fields describe small and
 * CIFAR-style ResNets with the same module names.
 *
 * @param block          residual block kind
 * @param layers         blocks per stage
 * @param groups         groups of the 3x3 conv in a bottleneck (ResNeXt); 1 for basic blocks
 * @param widthPerGroup  channels per group at planes 64 (torchvision's {@code width_per_group})
 * @param numClasses     outputs of fc
 * @param inChannels     input image channels
 * @param stemWidth      output channels of conv1
 * @param widths         planes of each stage, one per entry of {@code layers}
 * @param stemKernel     conv1 kernel size (odd), padding is kernel/2
 * @param stemStride     conv1 stride
 * @param stemPool       whether the 3x3/2 max pool follows the stem
 */
public record ResNetSpec(
        BlockKind block,
        List<Integer> layers,
        int groups,
        int widthPerGroup,
        int numClasses,
        int inChannels,
        int stemWidth,
        List<Integer> widths,
        int stemKernel,
        int stemStride,
        boolean stemPool) {

    public static final List<Integer> DEFAULT_WIDTHS = List.of(64, 128, 256, 512);
    /** Limits that keep a typo from asking for a terabyte model; far beyond any published ResNet. */
    static final int MAX_BLOCKS_PER_STAGE = 1024;

    static final int MAX_CHANNELS = 1 << 16;
    static final int MAX_CLASSES = 1 << 20;

    public ResNetSpec {
        layers = List.copyOf(layers);
        widths = List.copyOf(widths);
        validate(
                block,
                layers,
                groups,
                widthPerGroup,
                numClasses,
                inChannels,
                stemWidth,
                widths,
                stemKernel,
                stemStride);
    }

    /** torchvision's defaults around a block kind and stage depths. */
    public static ResNetSpec of(BlockKind block, List<Integer> layers, int groups, int widthPerGroup) {
        return new ResNetSpec(block, layers, groups, widthPerGroup, 1000, 3, 64, DEFAULT_WIDTHS, 7, 2, true);
    }

    public ResNetSpec withNumClasses(int n) {
        return new ResNetSpec(
                block,
                layers,
                groups,
                widthPerGroup,
                n,
                inChannels,
                stemWidth,
                widths,
                stemKernel,
                stemStride,
                stemPool);
    }

    public ResNetSpec withInChannels(int n) {
        return new ResNetSpec(
                block,
                layers,
                groups,
                widthPerGroup,
                numClasses,
                n,
                stemWidth,
                widths,
                stemKernel,
                stemStride,
                stemPool);
    }

    /** Number of stages (torchvision: 4). */
    public int stages() {
        return layers.size();
    }

    /** Channels of the 3x3 conv in a bottleneck of the given planes: {@code int(planes * wpg / 64) * groups}. */
    public int bottleneckWidth(int planes) {
        return (int) (planes * (widthPerGroup / 64.0)) * groups;
    }

    /** Features entering fc. */
    public int featureChannels() {
        return widths.get(widths.size() - 1) * block.expansion();
    }

    private static void validate(
            BlockKind block,
            List<Integer> layers,
            int groups,
            int widthPerGroup,
            int numClasses,
            int inChannels,
            int stemWidth,
            List<Integer> widths,
            int stemKernel,
            int stemStride) {
        List<String> problems = new ArrayList<>();
        if (block == null) {
            problems.add("'block' is required, expected one of basic, bottleneck");
        }
        if (layers.isEmpty()) {
            problems.add("'layers' must list at least one stage, e.g. [2, 2, 2, 2]");
        }
        for (int i = 0; i < layers.size(); i++) {
            Integer n = layers.get(i);
            if (n == null || n < 1 || n > MAX_BLOCKS_PER_STAGE) {
                problems.add("'layers[" + i + "]' is " + n + ", expected 1.." + MAX_BLOCKS_PER_STAGE);
            }
        }
        if (widths.size() != layers.size()) {
            problems.add("'widths' has " + widths.size() + " entries but 'layers' has " + layers.size()
                    + ", expected one width per stage");
        }
        for (int i = 0; i < widths.size(); i++) {
            Integer w = widths.get(i);
            if (w == null || w < 1 || w > MAX_CHANNELS) {
                problems.add("'widths[" + i + "]' is " + w + ", expected 1.." + MAX_CHANNELS);
            }
        }
        checkRange(problems, "groups", groups, 1, MAX_CHANNELS);
        checkRange(problems, "width_per_group", widthPerGroup, 1, MAX_CHANNELS);
        checkRange(problems, "num_classes", numClasses, 1, MAX_CLASSES);
        checkRange(problems, "in_channels", inChannels, 1, MAX_CHANNELS);
        checkRange(problems, "stem_width", stemWidth, 1, MAX_CHANNELS);
        checkRange(problems, "stem_stride", stemStride, 1, 16);
        if (stemKernel < 1 || stemKernel > 15 || stemKernel % 2 == 0) {
            problems.add("'stem_kernel' is " + stemKernel + ", expected an odd number 1..15");
        }
        if (block == BlockKind.BASIC && (groups != 1 || widthPerGroup != 64)) {
            // torchvision raises the same: BasicBlock only supports groups=1 and base_width=64.
            problems.add("'block' basic supports only groups 1 and width_per_group 64, got groups " + groups
                    + " and width_per_group " + widthPerGroup);
        }
        if (block == BlockKind.BOTTLENECK && problems.isEmpty()) {
            for (int w : widths) {
                int width = (int) (w * (widthPerGroup / 64.0)) * groups;
                if (width < 1) {
                    problems.add("bottleneck of planes " + w + " has width " + width
                            + " (int(planes * width_per_group / 64) * groups), expected at least 1");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new UnsupportedModelException("invalid ResNet spec: " + String.join("; ", problems));
        }
    }

    private static void checkRange(List<String> problems, String field, int value, int min, int max) {
        if (value < min || value > max) {
            problems.add("'" + field + "' is " + value + ", expected " + min + ".." + max);
        }
    }
}
