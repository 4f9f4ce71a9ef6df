package org.resnet4j.vision;

import java.util.Locale;

/**
 * torchvision's ImageNet classification presets ({@code torchvision.transforms._presets.ImageClassification}):
 * resize the shorter side to {@link #resizeSize()} with PIL's bilinear filter, center-crop
 * {@link #cropSize()}, scale to [0, 1], normalise with the ImageNet mean and std.
 */
public enum Preset {
    /** The original weights ({@code IMAGENET1K_V1}): resize 256, crop 224. */
    V1(256, 224),
    /** The newer recipe ({@code IMAGENET1K_V2} of ResNet-50/101/152 and others): resize 232, crop 224. */
    V2(232, 224);

    private final int resizeSize;
    private final int cropSize;

    Preset(int resizeSize, int cropSize) {
        this.resizeSize = resizeSize;
        this.cropSize = cropSize;
    }

    public int resizeSize() {
        return resizeSize;
    }

    public int cropSize() {
        return cropSize;
    }

    /** {@code v1} or {@code v2}, case-insensitive. */
    public static Preset parse(String name) {
        for (Preset p : values()) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown preset '" + name + "', expected v1 (resize 256) or v2 (resize 232)");
    }

    /** The lower-case name used on the command line ({@code v1}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
