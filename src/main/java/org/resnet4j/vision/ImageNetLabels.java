package org.resnet4j.vision;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The 1000 ImageNet-1k class names in torchvision's order (index i is logit i of every torchvision
 * ImageNet classifier), from the resource {@code imagenet_classes.txt} that
 * {@code tools/make_labels.py} writes from the installed torchvision.
 */
public final class ImageNetLabels {
    /** Number of ImageNet-1k classes. */
    public static final int COUNT = 1000;

    private static final String RESOURCE = "imagenet_classes.txt";
    private static volatile List<String> cached;

    private ImageNetLabels() {}

    /** The class names, an unmodifiable list of {@value #COUNT}. */
    public static List<String> load() {
        List<String> labels = cached;
        if (labels == null) {
            try (InputStream in = ImageNetLabels.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "resource org/resnet4j/vision/" + RESOURCE + " is missing from the build");
                }
                labels = Labels.parse(in, "resource " + RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (labels.size() != COUNT) {
                throw new IllegalStateException(
                        "resource " + RESOURCE + " has " + labels.size() + " names, expected " + COUNT);
            }
            cached = labels;
        }
        return labels;
    }
}
