package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.resnet4j.ReaderLimits;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.vision.ImageLoader;
import org.resnet4j.weights.CheckpointLoader;
import org.resnet4j.weights.LoadedCheckpoint;

/** Every limit can be raised (or lowered) with its system property, and the messages say which. */
class ReaderLimitsTest {
    static final Path HOSTILE = PythonReference.root().resolve("testdata/hostile");

    @AfterEach
    void clear() {
        ReaderLimits.DEFAULTS.keySet().forEach(k -> System.clearProperty(ReaderLimits.PREFIX + k));
    }

    @Test
    void defaultsAndOverrides() {
        assertEquals(
                ReaderLimits.DEFAULTS.get("pickle.maxValues"),
                ReaderLimits.current().pickleMaxValues());
        System.setProperty("resnet4j.limit.pickle.maxValues", "5_000_000");
        assertEquals(5_000_000L, ReaderLimits.current().pickleMaxValues());
        System.setProperty("resnet4j.limit.pickle.maxValues", "-1");
        ResNet4jException e = assertThrows(ResNet4jException.class, ReaderLimits::current);
        assertTrue(e.getMessage().contains("resnet4j.limit.pickle.maxValues"), e.getMessage());
    }

    @Test
    void raisingTheInflateLimitLetsALegitimatelyLargeDeflatedCheckpointThrough() {
        UnsafeContentException e = assertThrows(
                UnsafeContentException.class, () -> CheckpointLoader.load(HOSTILE.resolve("zip_bomb.pth")));
        assertTrue(e.getMessage().contains("-Dresnet4j.limit.zip.maxInflateRatio="), e.getMessage());
        System.setProperty("resnet4j.limit.zip.maxInflateRatio", "2000");
        LoadedCheckpoint ok = CheckpointLoader.load(HOSTILE.resolve("zip_bomb.pth"));
        assertEquals(1, ok.tensors().size());
    }

    @Test
    void raisingThePickleLimitsMovesTheFailureOn() {
        System.setProperty("resnet4j.limit.pickle.maxTupleDepth", "400");
        FormatException e = assertThrows(
                FormatException.class, () -> CheckpointLoader.load(HOSTILE.resolve("pickle_tuple_depth.pth")));
        assertTrue(e.getMessage().contains("expected a dict"), e.getMessage());
        System.setProperty("resnet4j.limit.pickle.maxStack", "100");
        UnsafeContentException u = assertThrows(
                UnsafeContentException.class,
                () -> CheckpointLoader.load(PythonReference.root().resolve("testdata/golden/tiny_basic/weights.pth")));
        assertTrue(u.getMessage().contains("-Dresnet4j.limit.pickle.maxStack="), u.getMessage());
    }

    @Test
    void imagePixelLimitCanBeLowered() {
        Path png = PythonReference.root().resolve("testdata/images/rgb_big.png");
        ImageLoader.load(png);
        System.setProperty("resnet4j.limit.image.maxPixels", "100");
        UnsafeContentException e = assertThrows(UnsafeContentException.class, () -> ImageLoader.load(png));
        assertTrue(e.getMessage().contains("limit of 100 pixels"), e.getMessage());
    }
}
