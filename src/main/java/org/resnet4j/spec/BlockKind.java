package org.resnet4j.spec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * The two residual blocks of torchvision's ResNet. {@code expansion} is the ratio of a block's
 * output channels to its {@code planes} (torchvision's class attribute of the same name).
 */
public enum BlockKind {
    /** Two 3x3 convolutions (ResNet-18/34). */
    BASIC("basic", 1),
    /** 1x1 reduce, 3x3 (grouped for ResNeXt, stride here), 1x1 expand (ResNet-50 and up). */
    BOTTLENECK("bottleneck", 4);

    private final String label;
    private final int expansion;

    BlockKind(String label, int expansion) {
        this.label = label;
        this.expansion = expansion;
    }

    public String label() {
        return label;
    }

    public int expansion() {
        return expansion;
    }

    public static BlockKind parse(String text) {
        String key = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (BlockKind kind : values()) {
            if (kind.label.equals(key)) {
                return kind;
            }
        }
        throw new UnsupportedModelException("spec field 'block': unknown value '" + text + "', expected one of "
                + Arrays.stream(values()).map(BlockKind::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
