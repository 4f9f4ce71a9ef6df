package org.resnet4j.vision;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.resnet4j.ReaderLimits;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.tensor.Tensor;

/**
 * torchvision's ImageNet classification preprocessing on the PIL path, bit for bit:
 * {@code ImageClassification(crop_size, resize_size)} applied to {@code Image.open(f).convert("RGB")}.
 *
 * <ol>
 *   <li>{@code Resize(resize_size)}: the shorter side becomes {@code resize_size}, the longer
 *       {@code int(resize_size * long / short)} (torchvision's {@code _compute_resized_output_size});
 *       an image already of that size is left alone; otherwise PIL's bilinear resize ({@link PilResize}).</li>
 *   <li>{@code CenterCrop(crop_size)}: offsets {@code int(round((size - crop) / 2.0))} with Python's
 *       round-half-to-even; an image smaller than the crop is first padded with zeros as torchvision does.</li>
 *   <li>{@code ToTensor}: byte / 255 in float32; {@code Normalize}: {@code (x - mean) / std} in float32.</li>
 * </ol>
 *
 * EXIF orientation is not applied (neither PIL's {@code open} nor torchvision apply it).
 */
public final class Preprocessing {
    /** ImageNet channel means (R, G, B), as torchvision gives them. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations (R, G, B). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final int resizeSize;
    private final int cropSize;
    private final float[] mean;
    private final float[] std;
    /** The normalised value of every byte, per channel: the whole float arithmetic, precomputed. */
    private final float[][] table;
    /** Decodes files: a model's own limits, or null for the limits the system properties set. */
    private ImageLoader loader;

    public Preprocessing(int resizeSize, int cropSize, float[] mean, float[] std) {
        if (resizeSize <= 0 || cropSize <= 0) {
            throw new IllegalArgumentException(
                    "resize and crop sizes must be positive, got " + resizeSize + ", " + cropSize);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
        this.resizeSize = resizeSize;
        this.cropSize = cropSize;
        this.mean = mean.clone();
        this.std = std.clone();
        this.table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = (float) v / 255f; // torch: uint8 -> float32, then / 255 in float32
                table[c][v] = (x - this.mean[c]) / this.std[c]; // sub_(mean).div_(std) in float32
            }
        }
    }

    /** The same preprocessing, decoding files with {@code loader} (its pixel and byte limits). */
    public Preprocessing withLoader(ImageLoader loader) {
        Preprocessing p = new Preprocessing(resizeSize, cropSize, mean, std);
        p.loader = loader;
        return p;
    }

    private RgbImage load(Path file) {
        return loader != null ? loader.read(file) : ImageLoader.load(file);
    }

    public int resizeSize() {
        return resizeSize;
    }

    public int cropSize() {
        return cropSize;
    }

    /** Decodes {@code file} ({@link ImageLoader#load(Path)}) and preprocesses it: [3, crop, crop]. */
    public Tensor apply(Path file) {
        return apply(load(file), file.toString());
    }

    /**
     * The preprocessed image as a float32 tensor [3, crop, crop] (channels R, G, B).
     *
     * @throws UnsafeContentException when the resized image torchvision would make exceeds
     *                                {@code image.maxPixels} (see {@link #resizeAndCrop})
     */
    public Tensor apply(RgbImage image) {
        return apply(image, "image");
    }

    private Tensor apply(RgbImage image, String where) {
        float[] out = new float[3 * cropSize * cropSize];
        normalize(resizeAndCrop(image, where), out, 0);
        return Tensor.of(new int[] {3, cropSize, cropSize}, out);
    }

    /**
     * Decodes {@code file} ({@link ImageLoader#load(Path)}) and resizes and crops it: the 8-bit image
     * that {@link #apply(Path)} normalises. {@link #stackCrops} turns crops into a batch, the same
     * floats as {@link #apply(Path)} gives image by image; held as bytes, a crop takes a quarter of
     * the memory of its tensor.
     */
    public RgbImage decodeAndCrop(Path file) {
        return resizeAndCrop(load(file), file.toString());
    }

    /** Normalises crops from {@link #decodeAndCrop} or {@link #resizeAndCrop} into a batch [N, 3, crop, crop]. */
    public Tensor stackCrops(List<RgbImage> crops) {
        return stackCrops(crops, float[]::new);
    }

    /**
     * The same, into an array of the batch's size from {@code arrays} (every element is written), so
     * that a caller whose batches do not outlive the next one can give back the same array each time.
     */
    public Tensor stackCrops(List<RgbImage> crops, IntFunction<float[]> arrays) {
        if (crops.isEmpty()) {
            throw new IllegalArgumentException("cannot batch zero images");
        }
        int per = 3 * cropSize * cropSize;
        float[] out = arrays.apply(Math.multiplyExact(per, crops.size()));
        for (int i = 0; i < crops.size(); i++) {
            RgbImage c = crops.get(i);
            if (c.width() != cropSize || c.height() != cropSize) {
                throw new IllegalArgumentException("image " + i + " is " + c.width() + "x" + c.height() + ", not a "
                        + cropSize + "x" + cropSize + " crop");
            }
            normalize(c, out, i * per);
        }
        return Tensor.of(new int[] {crops.size(), 3, cropSize, cropSize}, out);
    }

    // crop (cropSize x cropSize, RGB bytes) -> out[at ..] as [3, crop, crop], ImageNet-normalised
    private void normalize(RgbImage crop, float[] out, int at) {
        int n = cropSize * cropSize;
        byte[] px = crop.rgb();
        for (int i = 0; i < n; i++) {
            out[at + i] = table[0][px[i * 3] & 0xff];
            out[at + n + i] = table[1][px[i * 3 + 1] & 0xff];
            out[at + 2 * n + i] = table[2][px[i * 3 + 2] & 0xff];
        }
    }

    /** The normalised value of byte {@code value} in channel {@code channel} (0 = R). */
    public float normalized(int channel, int value) {
        return table[channel][value];
    }

    /**
     * The 8-bit image torchvision normalises: resized and center-cropped, {@code crop x crop}. Only
     * the pixels the crop keeps are resized ({@link PilResize#resizeRegion}), so memory does not grow
     * with the resized size; that size is still held to {@code image.maxPixels}, the limit a decoded
     * image has, since torchvision would allocate it (a 1x3000 image becomes 256x768000).
     *
     * @throws UnsafeContentException when the resized size exceeds {@code image.maxPixels}
     */
    public RgbImage resizeAndCrop(RgbImage image) {
        return resizeAndCrop(image, "image");
    }

    private RgbImage resizeAndCrop(RgbImage image, String where) {
        int w = image.width();
        int h = image.height();
        long[] size = resizedSizeExact(w, h, resizeSize);
        long maxPixels = ReaderLimits.current().imageMaxPixels();
        if (size[0] > Integer.MAX_VALUE || size[1] > Integer.MAX_VALUE || size[0] * size[1] > maxPixels) {
            throw new UnsafeContentException(where + ": image of " + w + "x" + h + " would be resized to " + size[0]
                    + "x" + size[1] + " ("
                    + (size[0] > Integer.MAX_VALUE || size[1] > Integer.MAX_VALUE
                            ? "over 2^31 per side"
                            : size[0] * size[1] + " pixels")
                    + "), more than the limit of " + maxPixels + " pixels (" + ReaderLimits.hint("image.maxPixels")
                    + "); its aspect ratio is too extreme for Resize(" + resizeSize + ")");
        }
        int rw = (int) size[0];
        int rh = (int) size[1];
        if (rw == w && rh == h) {
            return centerCrop(image, cropSize);
        }
        // the part of the resized image the crop keeps (all of an axis smaller than the crop, which is padded)
        int x0 = rw > cropSize ? pythonRound((rw - cropSize) / 2.0) : 0;
        int y0 = rh > cropSize ? pythonRound((rh - cropSize) / 2.0) : 0;
        RgbImage window = PilResize.resizeRegion(image, rw, rh, x0, y0, Math.min(rw, cropSize), Math.min(rh, cropSize));
        return centerCrop(window, cropSize);
    }

    /**
     * torchvision's {@code _compute_resized_output_size} for a single size: {width, height} with
     * the shorter side {@code size} and the longer {@code int(size * long / short)}.
     *
     * @throws ArithmeticException when the longer side does not fit an int (see {@link #resizeAndCrop})
     */
    public static int[] resizedSize(int width, int height, int size) {
        long[] s = resizedSizeExact(width, height, size);
        return new int[] {Math.toIntExact(s[0]), Math.toIntExact(s[1])};
    }

    private static long[] resizedSizeExact(int width, int height, int size) {
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        // Python: int(size * long / short) -- true division in double, truncated toward zero; below
        // 2^53 the double is exact enough that the long cast never saturates
        long newLong = (long) ((double) ((long) size * longSide) / shortSide);
        return width <= height ? new long[] {size, newLong} : new long[] {newLong, size};
    }

    /** Python 3's {@code round(x)} for a double: half to even. */
    static int pythonRound(double x) {
        return (int) Math.rint(x);
    }

    /** torchvision's {@code center_crop} on a PIL image (zero padding when the image is smaller). */
    public static RgbImage centerCrop(RgbImage image, int crop) {
        int w = image.width();
        int h = image.height();
        if (crop > w || crop > h) {
            int left = crop > w ? (crop - w) / 2 : 0;
            int top = crop > h ? (crop - h) / 2 : 0;
            int right = crop > w ? (crop - w + 1) / 2 : 0;
            int bottom = crop > h ? (crop - h + 1) / 2 : 0;
            int pw = w + left + right;
            int ph = h + top + bottom;
            byte[] padded = new byte[Math.multiplyExact(Math.multiplyExact(pw, ph), 3)];
            for (int y = 0; y < h; y++) {
                System.arraycopy(image.rgb(), y * w * 3, padded, ((y + top) * pw + left) * 3, w * 3);
            }
            image = new RgbImage(pw, ph, padded);
            w = pw;
            h = ph;
            if (w == crop && h == crop) {
                return image;
            }
        }
        int top = pythonRound((h - crop) / 2.0);
        int left = pythonRound((w - crop) / 2.0);
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(crop, crop), 3)];
        for (int y = 0; y < crop; y++) {
            System.arraycopy(image.rgb(), ((top + y) * w + left) * 3, out, y * crop * 3, crop * 3);
        }
        return new RgbImage(crop, crop, out);
    }

    /** Stacks [3, H, W] tensors of equal shape into a batch [N, 3, H, W]. */
    public static Tensor batch(List<Tensor> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot batch zero images");
        }
        int[] shape = images.get(0).shape();
        int per = images.get(0).numel();
        float[] out = new float[Math.multiplyExact(per, images.size())];
        for (int i = 0; i < images.size(); i++) {
            Tensor t = images.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("image " + i + " has shape " + Arrays.toString(t.shape())
                        + ", image 0 has " + Arrays.toString(shape));
            }
            t.buffer().get(out, i * per, per);
        }
        int[] batched = new int[shape.length + 1];
        batched[0] = images.size();
        System.arraycopy(shape, 0, batched, 1, shape.length);
        return Tensor.of(batched, out);
    }

    @Override
    public String toString() {
        return "Preprocessing[resize " + resizeSize + ", crop " + cropSize + ", mean " + Arrays.toString(mean)
                + ", std " + Arrays.toString(std) + "]";
    }
}
