package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.resnet4j.testing.Messages;

/** torchvision's presets by name and a custom transform's checks (values: torchvision's ImageClassification). */
class ImageTransformTest {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    @Test
    void presetsAreTorchvisions() {
        assertSame(ImageTransform.IMAGENET_V1, ImageTransform.preset("v1"));
        assertSame(ImageTransform.IMAGENET_V2, ImageTransform.preset(" V2 "));
        assertEquals(256, ImageTransform.IMAGENET_V1.resizeSize());
        assertEquals(232, ImageTransform.IMAGENET_V2.resizeSize());
        assertEquals(224, ImageTransform.IMAGENET_V2.cropSize());
        assertArrayEquals(MEAN, ImageTransform.IMAGENET_V1.mean());
        assertArrayEquals(STD, ImageTransform.IMAGENET_V1.std());
        assertEquals("v2", ImageTransform.IMAGENET_V2.toString());
        Messages.assertContains(
                assertThrows(IllegalArgumentException.class, () -> ImageTransform.preset("v3"))
                        .getMessage(),
                "'v3'",
                "v1",
                "v2");
    }

    @Test
    void aCustomTransformWithThePresetsSettingsEqualsIt() {
        ImageTransform t = ImageTransform.of(256, 224, MEAN, STD);
        assertEquals(ImageTransform.IMAGENET_V1, t);
        assertEquals(ImageTransform.IMAGENET_V1.hashCode(), t.hashCode());
        assertNotEquals(ImageTransform.IMAGENET_V2, t);
        assertEquals("resize 256, crop 224, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]", t.toString());
    }

    @Test
    void itIsImmutable() {
        float[] mean = MEAN.clone();
        ImageTransform t = ImageTransform.of(64, 56, mean, STD);
        mean[0] = 9;
        t.mean()[1] = 9;
        assertArrayEquals(MEAN, t.mean());
    }

    @Test
    void badSettingsAreRefused() {
        Messages.assertContains(
                assertThrows(IllegalArgumentException.class, () -> ImageTransform.of(0, 224, MEAN, STD))
                        .getMessage(),
                "resize 0");
        Messages.assertContains(
                assertThrows(IllegalArgumentException.class, () -> ImageTransform.of(256, -1, MEAN, STD))
                        .getMessage(),
                "crop -1");
        Messages.assertContains(
                assertThrows(IllegalArgumentException.class, () -> ImageTransform.of(256, 224, new float[2], STD))
                        .getMessage(),
                "3 values",
                "got 2 and 3");
        Messages.assertContains(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ImageTransform.of(256, 224, MEAN, new float[] {0.2f, 0f, 0.2f}))
                        .getMessage(),
                "std finite and positive");
        assertThrows(
                IllegalArgumentException.class, () -> ImageTransform.of(256, 224, new float[] {Float.NaN, 0, 0}, STD));
        assertThrows(NullPointerException.class, () -> ImageTransform.of(256, 224, null, STD));
    }
}
