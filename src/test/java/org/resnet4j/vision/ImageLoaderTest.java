package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.testing.TestImages;

class ImageLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void decompressionBombIsRefusedFromTheHeader() throws IOException {
        Path bomb = tmp.resolve("bomb.png");
        Files.write(bomb, TestImages.pngHeaderOnly(20000, 20000));
        UnsafeContentException e = assertThrows(UnsafeContentException.class, () -> ImageLoader.load(bomb));
        assertTrue(e.getMessage().contains(bomb.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("400000000 pixels"), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(ImageLoader.DEFAULT_MAX_PIXELS)), e.getMessage());
        assertEquals(178_956_970L, ImageLoader.DEFAULT_MAX_PIXELS, "PIL's 2 * MAX_IMAGE_PIXELS");
    }

    @Test
    void streamThatNeverProgressesIsRefused() {
        // read returns 0 for ever, breaking InputStream's contract: refused after a bounded number of reads
        int[] calls = {0};
        java.io.InputStream stuck = new java.io.InputStream() {
            boolean first = true;

            @Override
            public int read() {
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                calls[0]++;
                if (first) {
                    first = false;
                    b[off] = (byte) 0x89;
                    return 1;
                }
                return 0;
            }
        };
        org.resnet4j.ResNet4jException e =
                assertThrows(org.resnet4j.ResNet4jException.class, () -> ImageLoader.load(stuck, "upload"));
        assertContains(e.getMessage(), "upload", "no bytes");
        assertTrue(e.getMessage().contains("after 1 bytes"), e.getMessage());
        assertTrue(calls[0] <= 1001, calls[0] + " reads");
    }

    @Test
    void endlessStreamIsRefusedAfterTheByteLimit() throws IOException {
        // a stream that never ends (an upload that lies about its length): read up to the limit, then refused
        long[] served = {0};
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served[0] += len;
                return len;
            }
        };
        System.setProperty("resnet4j.limit.image.maxBytes", "1048576");
        try {
            UnsafeContentException e =
                    assertThrows(UnsafeContentException.class, () -> ImageLoader.load(endless, "upload"));
            assertContains(e.getMessage(), "upload", "1048576");
            assertTrue(served[0] <= 1048577, "read " + served[0] + " bytes, limit 1048576");
            // a real image under the limit still decodes from a stream
            byte[] png = Files.readAllBytes(VisionTesting.images().resolve("rgb_big.png"));
            assertTrue(png.length <= 1048576, "fixture size " + png.length);
            assertEquals(
                    2400,
                    ImageLoader.load(new java.io.ByteArrayInputStream(png), "ok")
                            .width());
        } finally {
            System.clearProperty("resnet4j.limit.image.maxBytes");
        }
    }

    @Test
    void limitIsConfigurable() {
        Path file = VisionTesting.images().resolve("rgb_big.png");
        UnsafeContentException e =
                assertThrows(UnsafeContentException.class, () -> new ImageLoader(1_000_000).read(file));
        assertContains(e.getMessage(), "2400x1601", "1000000");
        assertEquals(2400, new ImageLoader(2400L * 1601).read(file).width());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "rgb_wide.png",
                "palette.png",
                "gray16.png",
                "photo420.jpg",
                "progressive.jpg",
                "cmyk.jpg",
                "gray.jpg",
                "anim.gif",
                "rgb.bmp",
                "palette.bmp",
                "lossless.webp",
                "lossy.webp"
            })
    void truncatedFileIsRefusedByName(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(VisionTesting.images().resolve(name));
        Path cut = tmp.resolve("cut-" + name);
        // anim.gif: its first frame ends before the middle, and PIL (like us) reads a GIF cut after it
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / (name.endsWith(".gif") ? 4 : 2)));
        FormatException e = assertThrows(FormatException.class, () -> ImageLoader.load(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }

    @Test
    void nonImageIsRefusedByName() throws IOException {
        Path text = tmp.resolve("notes.jpg");
        Files.writeString(text, "this is not an image\n");
        FormatException e = assertThrows(FormatException.class, () -> ImageLoader.load(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
        Path empty = tmp.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertThrows(FormatException.class, () -> ImageLoader.load(empty));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = tmp.resolve("nope.png");
        ResNet4jException e = assertThrows(ResNet4jException.class, () -> ImageLoader.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertThrows(ResNet4jException.class, () -> ImageLoader.load(tmp));
    }

    @Test
    void gifCutAfterTheFirstFrameStillReadsAsInPil() throws IOException {
        byte[] bytes = Files.readAllBytes(VisionTesting.images().resolve("anim.gif"));
        Path cut = tmp.resolve("cut.gif");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals(257, ImageLoader.load(cut).width());
    }

    @Test
    void gifReadsTheFirstFrame() {
        RgbImage gif = ImageLoader.load(VisionTesting.images().resolve("anim.gif"));
        assertEquals(257, gif.width());
        assertEquals(239, gif.height());
    }
}
