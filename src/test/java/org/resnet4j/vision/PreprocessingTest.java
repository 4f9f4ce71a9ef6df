package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestImages;

class PreprocessingTest {
    static RgbImage random(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    @Test
    void resizedSizeFollowsTorchvision() {
        // short side = size, long side = int(size * long / short)
        assertArrayEquals(new int[] {428, 256}, Preprocessing.resizedSize(641, 383, 256)); // int(428.44)
        assertArrayEquals(new int[] {232, 401}, Preprocessing.resizedSize(299, 517, 232)); // int(401.15)
        assertArrayEquals(new int[] {256, 256}, Preprocessing.resizedSize(450, 450, 256));
        assertArrayEquals(new int[] {365, 256}, Preprocessing.resizedSize(10, 7, 256)); // int(365.71)
        assertArrayEquals(new int[] {256, 301}, Preprocessing.resizedSize(256, 301, 256));
        assertArrayEquals(new int[] {348, 232}, Preprocessing.resizedSize(3, 2, 232)); // 348.0 exactly
    }

    @Test
    void cropOffsetsRoundHalfToEven() {
        assertEquals(0, Preprocessing.pythonRound(0.5));
        assertEquals(2, Preprocessing.pythonRound(1.5));
        assertEquals(2, Preprocessing.pythonRound(2.5));
        assertEquals(38, Preprocessing.pythonRound(38.5));
        assertEquals(40, Preprocessing.pythonRound(39.5));
        // width 227: (227 - 224) / 2 = 1.5 -> 2; height 225: 0.5 -> 0
        RgbImage img = random(227, 225, 1);
        RgbImage crop = Preprocessing.centerCrop(img, 224);
        assertEquals(img.get(2, 0, 0), crop.get(0, 0, 0));
        assertEquals(img.get(2 + 223, 223, 2), crop.get(223, 223, 2));
    }

    @Test
    void cropOfSmallImagePadsWithZerosAsTorchvision() {
        RgbImage img = random(3, 2, 2);
        RgbImage crop = Preprocessing.centerCrop(img, 5);
        // padding left (5-3)//2 = 1, top (5-2)//2 = 1, bottom 2
        assertEquals(0, crop.get(0, 0, 0));
        assertEquals(img.get(0, 0, 1), crop.get(1, 1, 1));
        assertEquals(img.get(2, 1, 2), crop.get(3, 2, 2));
        assertEquals(0, crop.get(4, 4, 0));
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage img = random(9, 4, 3);
        RgbImage out = PilResize.resize(img, 9, 4);
        assertNotSame(img.rgb(), out.rgb());
        assertArrayEquals(img.rgb(), out.rgb());
    }

    @Test
    void constantImageStaysConstant() {
        byte[] px = new byte[37 * 23 * 3];
        java.util.Arrays.fill(px, (byte) 200);
        RgbImage out = PilResize.resize(new RgbImage(37, 23, px), 11, 71);
        for (byte b : out.rgb()) {
            assertEquals(200, b & 0xff);
        }
    }

    @Test
    void weightsSumToOneInFixedPoint() {
        for (int[] io : new int[][] {{641, 428}, {7, 365}, {2400, 347}, {256, 232}, {5, 5}}) {
            PilResize.Coefficients c = PilResize.coefficients(io[0], io[1]);
            for (int i = 0; i < io[1]; i++) {
                long sum = 0;
                for (int k = 0; k < c.count[i]; k++) {
                    sum += c.weights[i * c.ksize + k];
                }
                assertEquals(
                        1 << PilResize.PRECISION_BITS, sum, 2.0 * c.count[i], io[0] + "->" + io[1] + " pixel " + i);
            }
        }
    }

    @Test
    void tensorShapeAndBatch() {
        Preprocessing p = TestImages.imagenet(232);
        Tensor a = p.apply(random(300, 200, 4));
        Tensor b = p.apply(random(200, 300, 5));
        assertArrayEquals(new int[] {3, 224, 224}, a.shape());
        Tensor batch = Preprocessing.batch(List.of(a, b));
        assertArrayEquals(new int[] {2, 3, 224, 224}, batch.shape());
        assertEquals(a.get(1000), batch.get(1000));
        assertEquals(b.get(7), batch.get(a.numel() + 7));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.batch(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.batch(List.of(a, a.reshape(3, 112, 448))));
    }

    /**
     * resizeAndCrop computes only the crop window of the resize; it must equal cropping the whole
     * resized image (the path the torchvision fixtures check), bit for bit, for every kind of axis:
     * upscaled, downscaled, unchanged, smaller than the crop (padded), extreme aspect ratios.
     */
    @Test
    void windowedResizeEqualsCropOfWholeResize() {
        int[][] sizes = {
            {1, 40},
            {40, 1},
            {7, 300},
            {300, 7},
            {33, 17},
            {17, 33},
            {224, 500},
            {500, 224},
            {256, 256},
            {256, 999},
            {1000, 3},
            {97, 131},
            {2, 2}
        };
        int[][] configs = {{256, 224}, {232, 224}, {100, 224}, {224, 224}, {31, 17}};
        long seed = 1;
        for (int[] wh : sizes) {
            RgbImage img = random(wh[0], wh[1], seed++);
            for (int[] rc : configs) {
                Preprocessing p =
                        new Preprocessing(rc[0], rc[1], Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
                int[] size = Preprocessing.resizedSize(wh[0], wh[1], rc[0]);
                RgbImage whole = size[0] == wh[0] && size[1] == wh[1] ? img : PilResize.resize(img, size[0], size[1]);
                RgbImage expected = Preprocessing.centerCrop(whole, rc[1]);
                RgbImage got = p.resizeAndCrop(img);
                assertArrayEquals(
                        expected.rgb(), got.rgb(), wh[0] + "x" + wh[1] + " resize " + rc[0] + " crop " + rc[1]);
            }
        }
    }

    @Test
    void resizedSizeBeyondTheLimitIsRefusedBeforeAllocating() {
        Preprocessing p = TestImages.imagenet(256);
        // 1x3000 -> 256x768000 = 196,608,000 pixels > 178,956,970
        var e = assertThrows(
                org.resnet4j.ResNet4jException.UnsafeContentException.class, () -> p.resizeAndCrop(random(1, 3000, 7)));
        assertEquals(
                "image: image of 1x3000 would be resized to 256x768000 (196608000 pixels), more than the limit of "
                        + "178956970 pixels (raise with -Dresnet4j.limit.image.maxPixels=N); its aspect ratio is too extreme for"
                        + " Resize(256)",
                e.getMessage());
        // 1x2000 -> 256x512000: under the limit, and only the 224x224 crop is computed
        assertEquals(224, p.resizeAndCrop(random(1, 2000, 8)).width());
        assertThrows(ArithmeticException.class, () -> Preprocessing.resizedSize(1, Integer.MAX_VALUE, 256));
    }

    @Test
    void stackedCropsAreTheImagesTensorsStacked() {
        Preprocessing p = TestImages.imagenet(256);
        List<RgbImage> images = List.of(random(300, 200, 1), random(224, 224, 2), random(50, 90, 3));
        List<RgbImage> crops = images.stream().map(p::resizeAndCrop).toList();
        Tensor stacked = p.stackCrops(crops);
        assertArrayEquals(new int[] {3, 3, 224, 224}, stacked.shape());
        Tensor expected = Preprocessing.batch(images.stream().map(p::apply).toList());
        assertArrayEquals(expected.toArray(), stacked.toArray());
        assertThrows(IllegalArgumentException.class, () -> p.stackCrops(List.of(random(224, 223, 4))));
        assertThrows(IllegalArgumentException.class, () -> p.stackCrops(List.of()));
    }
}
