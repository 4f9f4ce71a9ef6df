package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.testing.TestImages;

/**
 * Resize bombs: torchvision's Resize(256) of an extreme aspect ratio multiplies the pixels
 * (1x3000 becomes 256x768000; 3,000,000x1 overflowed {@code w * h * 3}). The resized size is held to
 * {@code image.maxPixels} and only the cropped window is computed; and {@code classify} on a folder
 * with such files classifies the good images and reports the others (it used to classify none).
 */
class ResizeBombsTest {
    static final Path ROOT = PythonReference.root();
    static final Path GOLDEN = ROOT.resolve("testdata/golden/tiny_basic");
    static final List<HostileCorpus.Item> CASES = HostileCorpus.load(ROOT).stream()
            .filter(i -> i.name().startsWith("r2-img-"))
            .toList();
    static final List<String> GOOD = List.of("photo420.jpg", "rgb_wide.png", "gray.png");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> preprocessingRefusesExplodingResize() {
        assertTrue(CASES.size() >= 2);
        return CASES.stream()
                .map(item -> DynamicTest.dynamicTest(item.name(), () -> {
                    ResNet4jException e = assertTimeoutPreemptively(
                            Duration.ofSeconds(60),
                            () -> assertThrows(
                                    ResNet4jException.class,
                                    () -> TestImages.imagenet(256).apply(item.file())));
                    assertEquals(item.exception(), e.getClass().getSimpleName(), e.getMessage());
                    assertTrue(
                            e.getMessage().contains(item.file().toString())
                                    && e.getMessage().contains(item.reason())
                                    && e.getMessage().contains("resnet4j.limit.image.maxPixels"),
                            e.getMessage());
                }));
    }

    /** {@code classify} of the golden tiny model, one thread, in a child JVM of {@link ChildCli#HEAP}. */
    static ChildCli.Result classifyInSmallHeap(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(
                "classify",
                "--spec",
                GOLDEN.resolve("spec.json").toString(),
                "--weights",
                GOLDEN.resolve("weights.pth").toString(),
                "--threads",
                "1"));
        all.addAll(List.of(args));
        return ChildCli.run(120, all.toArray(new String[0]));
    }

    /** The folder case through the CLI in a 256 MiB JVM: three good images classified, two reported, exit 1. */
    @Test
    void classifySkipsExplodingImagesInAFolder() throws Exception {
        Path folder = dir.resolve("photos");
        Files.createDirectories(folder);
        for (String g : GOOD) {
            Files.copy(ROOT.resolve("testdata/images").resolve(g), folder.resolve(g));
        }
        for (HostileCorpus.Item item : CASES) {
            Files.copy(item.file(), folder.resolve(item.name()));
        }
        ChildCli.Result r = classifyInSmallHeap("--json", folder.toString());
        assertEquals(1, r.code(), r.err());
        assertFalse(
                r.err().contains("\tat ")
                        || r.err().contains("OutOfMemoryError")
                        || r.err().contains("bug"),
                r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(GOOD.size(), j.get("results").size(), r.out());
        assertEquals(CASES.size(), j.get("errors").size(), r.out());
        for (HostileCorpus.Item item : CASES) {
            String f = folder.resolve(item.name()).toString();
            assertContains(r.err(), "skipped " + f + ": ", item.reason());
        }
        assertTrue(r.err().contains(CASES.size() + " of " + (GOOD.size() + CASES.size()) + " inputs failed"), r.err());
    }

    /**
     * A 1x2000 image is resized to 256x512000 (131 M pixels, under the limit): torchvision allocates
     * 393 MB for it; computing only the crop, classify needs a few MB and succeeds in 256 MiB.
     */
    @Test
    void acceptedExtremeAspectRatioNeedsOnlyTheCrop() throws Exception {
        Path png = dir.resolve("tall.png");
        Files.write(png, VisionPng.gray1Bit(1, 2000));
        ChildCli.Result r = classifyInSmallHeap(png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(png.toString()), r.out());
    }

    /**
     * An image under the pixel limit that no heap of this JVM could decode (6000x6000 needs up to 275
     * MiB, in a 256 MiB JVM) is one clear error before decoding starts, not an OutOfMemoryError.
     */
    @Test
    void anImageTheHeapCannotHoldIsRefusedBeforeDecoding() throws Exception {
        Path png = dir.resolve("wide.png");
        Files.write(png, VisionPng.gray1Bit(6000, 6000));
        ChildCli.Result r = classifyInSmallHeap(png.toString());
        assertEquals(1, r.code(), r.err());
        assertContains(r.err(), "skipped " + png + ": image size 6000x6000 needs about 274 MiB of heap", "-Xmx");
        assertFalse(r.err().contains("OutOfMemoryError") || r.err().contains("\tat "), r.err());
    }
}
