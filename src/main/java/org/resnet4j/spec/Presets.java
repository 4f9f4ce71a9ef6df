package org.resnet4j.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/** The ten torchvision ResNet builders as a table: name → (block, layers, groups, width per group). */
public final class Presets {
    private static final Map<String, ResNetSpec> TABLE = new LinkedHashMap<>();

    static {
        BlockKind basic = BlockKind.BASIC;
        BlockKind bottleneck = BlockKind.BOTTLENECK;
        add("resnet18", basic, List.of(2, 2, 2, 2), 1, 64);
        add("resnet34", basic, List.of(3, 4, 6, 3), 1, 64);
        add("resnet50", bottleneck, List.of(3, 4, 6, 3), 1, 64);
        add("resnet101", bottleneck, List.of(3, 4, 23, 3), 1, 64);
        add("resnet152", bottleneck, List.of(3, 8, 36, 3), 1, 64);
        add("resnext50_32x4d", bottleneck, List.of(3, 4, 6, 3), 32, 4);
        add("resnext101_32x8d", bottleneck, List.of(3, 4, 23, 3), 32, 8);
        add("resnext101_64x4d", bottleneck, List.of(3, 4, 23, 3), 64, 4);
        add("wide_resnet50_2", bottleneck, List.of(3, 4, 6, 3), 1, 128);
        add("wide_resnet101_2", bottleneck, List.of(3, 4, 23, 3), 1, 128);
    }

    private Presets() {}

    private static void add(String name, BlockKind block, List<Integer> layers, int groups, int widthPerGroup) {
        TABLE.put(name, ResNetSpec.of(block, layers, groups, widthPerGroup));
    }

    /** Preset names in torchvision's order. */
    public static List<String> names() {
        return List.copyOf(TABLE.keySet());
    }

    public static Map<String, ResNetSpec> all() {
        return Collections.unmodifiableMap(TABLE);
    }

    /** The preset called {@code name}; the error lists the legal names. */
    public static ResNetSpec get(String name) {
        ResNetSpec spec = TABLE.get(name);
        if (spec == null) {
            throw new UnsupportedModelException("unknown architecture '" + name + "', expected one of " + names());
        }
        return spec;
    }

    /**
     * The preset that {@code spec} equals up to the number of classes and input channels (those
     * change only conv1 and fc), if any.
     */
    public static Optional<String> match(ResNetSpec spec) {
        for (Map.Entry<String, ResNetSpec> e : TABLE.entrySet()) {
            ResNetSpec p = e.getValue().withNumClasses(spec.numClasses()).withInChannels(spec.inChannels());
            if (p.equals(spec)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }
}
