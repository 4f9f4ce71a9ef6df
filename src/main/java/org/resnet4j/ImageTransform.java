package org.resnet4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.resnet4j.vision.Preprocessing;

/**
 * How an image becomes a model's input, as torchvision's {@code ImageClassification} transform
 * does it on the PIL path: resize the shorter side to {@link #resizeSize()} with PIL's bilinear
 * filter (the longer side in proportion, truncated), center-crop a {@link #cropSize()} square,
 * scale bytes to [0, 1], subtract {@link #mean()} and divide by {@link #std()} per channel (R, G, B).
 *
 * <p>{@link #IMAGENET_V1} and {@link #IMAGENET_V2} are torchvision's presets for its ImageNet
 * weights; {@link #of} describes a fine-tuned model's own (for example {@code Resize(384)},
 * {@code CenterCrop(384)}, mean and std 0.5). The interpolation is bilinear, as in every torchvision
 * classification recipe; a model trained with another filter needs its images resized beforehand.
 *
 * <p>Immutable and thread-safe; equal when all four settings are.
 */
public final class ImageTransform {
    /** torchvision's original ImageNet recipe ({@code IMAGENET1K_V1} weights): resize 256, crop 224. */
    public static final ImageTransform IMAGENET_V1 =
            new ImageTransform("v1", 256, 224, Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
    /** The newer recipe ({@code IMAGENET1K_V2} of ResNet-50/101/152 and others): resize 232, crop 224. */
    public static final ImageTransform IMAGENET_V2 =
            new ImageTransform("v2", 232, 224, Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);

    private final String preset;
    private final int resizeSize;
    private final int cropSize;
    private final float[] mean;
    private final float[] std;

    private ImageTransform(String preset, int resizeSize, int cropSize, float[] mean, float[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (resizeSize <= 0 || cropSize <= 0) {
            throw new IllegalArgumentException(
                    "resize and crop sizes must be positive, got resize " + resizeSize + ", crop " + cropSize);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException(
                    "mean and std need 3 values (R, G, B), got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0) {
                throw new IllegalArgumentException("mean must be finite and std finite and positive, got mean "
                        + Arrays.toString(mean) + ", std " + Arrays.toString(std));
            }
        }
        this.preset = preset;
        this.resizeSize = resizeSize;
        this.cropSize = cropSize;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * A custom transform: {@code Resize(resizeSize)}, {@code CenterCrop(cropSize)}, {@code ToTensor()},
     * {@code Normalize(mean, std)}.
     *
     * @throws IllegalArgumentException when a size is not positive, mean or std has not 3 values, or a
     *                                  std is not finite and positive
     */
    public static ImageTransform of(int resizeSize, int cropSize, float[] mean, float[] std) {
        return new ImageTransform(null, resizeSize, cropSize, mean, std);
    }

    /**
     * A preset by name, {@code v1} or {@code v2} (case-insensitive).
     *
     * @throws IllegalArgumentException for another name
     */
    public static ImageTransform preset(String name) {
        Objects.requireNonNull(name, "name");
        for (ImageTransform t : new ImageTransform[] {IMAGENET_V1, IMAGENET_V2}) {
            if (t.preset.equalsIgnoreCase(name.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown preset '" + name + "', expected v1 (resize 256) or v2 (resize 232)");
    }

    /** The shorter side after resizing. */
    public int resizeSize() {
        return resizeSize;
    }

    /** The side of the square center crop: the model's input height and width. */
    public int cropSize() {
        return cropSize;
    }

    /** The per-channel means (R, G, B), a copy. */
    public float[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviations (R, G, B), a copy. */
    public float[] std() {
        return std.clone();
    }

    /** The preprocessing that does this, decoding files with {@code limits}. */
    Preprocessing preprocessing() {
        return new Preprocessing(resizeSize, cropSize, mean, std);
    }

    /** {@code v1}, {@code v2}, or the four settings of a custom transform. */
    @Override
    public String toString() {
        if (preset != null) {
            return preset;
        }
        return String.format(
                Locale.ROOT,
                "resize %d, crop %d, mean %s, std %s",
                resizeSize,
                cropSize,
                Arrays.toString(mean),
                Arrays.toString(std));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTransform t
                && resizeSize == t.resizeSize
                && cropSize == t.cropSize
                && Arrays.equals(mean, t.mean)
                && Arrays.equals(std, t.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * resizeSize + cropSize) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }
}
