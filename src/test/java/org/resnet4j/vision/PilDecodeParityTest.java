package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.Npy;

/**
 * Our decoding against PIL's {@code Image.open(f).convert("RGB")}, byte for byte, on the committed
 * fixtures of {@code tools/make_decode_fixtures.py} (testdata/decode): files whose decoding once
 * differed (JPEGs with ICC profiles, GIFs whose first frame does not cover the screen, short
 * palettes, lossy WebP), each with PIL's RGB as a uint8 .npy; and damaged files PIL refuses, which
 * must be refused too. Every file is decoded from its path and from a stream of its bytes, which
 * take different inputs through the decoders.
 */
class PilDecodeParityTest {
    static Path fixtures() {
        return VisionTesting.root().resolve("testdata").resolve("decode");
    }

    static JsonNode manifest() throws IOException {
        return new ObjectMapper().readTree(fixtures().resolve("manifest.json").toFile());
    }

    @TestFactory
    List<DynamicTest> decodesAsPil() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : manifest().get("images")) {
            String name = entry.get("file").asText();
            Path file = fixtures().resolve(name);
            String what = name + " (" + entry.get("tests").asText() + ")";
            if (entry.has("pil_error")) {
                tests.add(DynamicTest.dynamicTest(name + " refused", () -> {
                    FormatException e = assertThrows(FormatException.class, () -> ImageLoader.load(file), what);
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                    try (InputStream in = Files.newInputStream(file)) {
                        FormatException s = assertThrows(FormatException.class, () -> ImageLoader.load(in, name), what);
                        assertTrue(s.getMessage().contains(name), s.getMessage());
                    }
                }));
                continue;
            }
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Tensor pil = Npy.read(fixtures().resolve(name + ".npy"));
                long[] expected = pil.toLongArray();
                assertSamePixels(what + " from its path", pil.shape(), expected, ImageLoader.load(file));
                try (InputStream in = Files.newInputStream(file)) {
                    assertSamePixels(what + " from a stream", pil.shape(), expected, ImageLoader.load(in, name));
                }
            }));
        }
        return tests;
    }

    private static void assertSamePixels(String what, int[] shape, long[] expected, RgbImage ours) {
        assertArrayEquals(shape, new int[] {ours.height(), ours.width(), 3}, what + ": size [H, W, 3]");
        byte[] rgb = ours.rgb();
        int differing = 0;
        int max = 0;
        int first = -1;
        for (int i = 0; i < rgb.length; i++) {
            int d = Math.abs((rgb[i] & 0xff) - (int) expected[i]);
            if (d != 0) {
                differing++;
                max = Math.max(max, d);
                first = first < 0 ? i : first;
            }
        }
        if (differing != 0) {
            int pixel = first / 3;
            throw new AssertionError(what + ": " + differing + " of " + rgb.length + " samples differ from PIL's"
                    + " (max " + max + "), the first at x=" + pixel % ours.width() + " y=" + pixel / ours.width()
                    + " channel " + first % 3 + ": ours " + (rgb[first] & 0xff) + ", PIL " + expected[first]);
        }
    }

    @Test
    void manifestListsEveryFixture() throws IOException {
        Set<String> listed = new TreeSet<>();
        for (JsonNode entry : manifest().get("images")) {
            String name = entry.get("file").asText();
            listed.add(name);
            if (!entry.has("pil_error")) {
                listed.add(name + ".npy");
            }
        }
        listed.add("manifest.json");
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(fixtures())) {
            files.forEach(f -> present.add(f.getFileName().toString()));
        }
        assertEquals(listed, present, "testdata/decode holds exactly what its manifest lists");
    }

    @Test
    void pixelLimitCountsTheWholeCanvasNotTheFirstFrame() {
        // 31x23 GIF screen around a 13x9 frame; 40x30 WebP animation canvas around a 23x17 frame
        Path gif = fixtures().resolve("gif_small_frame.gif");
        UnsafeContentException e =
                assertThrows(UnsafeContentException.class, () -> new ImageLoader(31 * 23 - 1).read(gif));
        assertTrue(e.getMessage().contains("31x23"), e.getMessage());
        assertEquals(31, new ImageLoader(31 * 23).read(gif).width());

        Path webp = fixtures().resolve("webp_lossy_anim.webp");
        e = assertThrows(UnsafeContentException.class, () -> new ImageLoader(40 * 30 - 1).read(webp));
        assertTrue(e.getMessage().contains("40x30"), e.getMessage());
        assertEquals(40, new ImageLoader(40 * 30).read(webp).width());
    }
}
