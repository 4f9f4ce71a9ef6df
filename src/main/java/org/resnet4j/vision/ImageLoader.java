package org.resnet4j.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.files.InputFiles;

/**
 * Decodes JPEG, PNG, BMP, GIF (first frame) and WebP files into 8-bit RGB exactly as
 * {@code PIL.Image.open(file).convert("RGB")} does.
 *
 * <p>Samples are read raw from the decoded raster, never through colour-managed paths
 * ({@code BufferedImage.getRGB}, ICC conversion), which PIL does not apply either; a JPEG's embedded
 * ICC profile is hidden from the JPEG readers altogether ({@link JpegIccHiding}). Per mode:
 * <ul>
 *   <li>gray (PIL "L", also 1/2/4-bit PNGs, scaled to 0..255): the value replicated;</li>
 *   <li>gray + alpha ("LA"), RGBA: the alpha dropped, colours not composited (as PIL);</li>
 *   <li>palette ("P", GIF, palette PNG/BMP), bilevel ("1"): palette lookup, transparency dropped;
 *       an index past a short palette is gray (i, i, i), as Pillow's palette ({@link Palette});</li>
 *   <li>16-bit RGB, RGBA and gray + alpha PNGs: the high byte (PIL's 16-bit unpackers);</li>
 *   <li>16-bit gray PNGs (PIL mode "I"): the value clipped to 0..255, as PIL's {@code I -> RGB};</li>
 *   <li>CMYK JPEGs (read raw through TwelveMonkeys): Adobe polarity inverted, then PIL's
 *       {@code cmyk2rgb}: {@code (255 - k) - (c * (255 - k)) / 255}, rounded as PIL does.</li>
 * </ul>
 * A GIF is its whole logical screen with the first frame on it ({@link GifLayout}). Lossy WebP is
 * decoded here, not by TwelveMonkeys ({@link WebpLossy}): its VP8 decoder and chroma upsampling are
 * not libwebp's, and no ImageIO plugin gives the VP8 planes to upsample them as libwebp does, so
 * this is the one format decoded by hand, to be PIL's pixels exactly (checked against PIL on every
 * header option of the format by {@code PilDecodeParityTest}).
 *
 * <p>The pixel count is checked from the header before anything is decoded (for a GIF or an
 * animated WebP, that of the canvas PIL returns): more than {@link #DEFAULT_MAX_PIXELS} (PIL's
 * {@code 2 * MAX_IMAGE_PIXELS}, where PIL raises {@code DecompressionBombError}) is refused with
 * {@link UnsafeContentException}. Memory is bounded by the pixel count: the planes and the RGB of
 * the image, a lossy WebP's VP8 data (at most {@code image.maxBytes}); a GIF is read whole, to
 * find its first frame. Truncated or undecodable files raise {@link FormatException} (where PIL
 * refuses them: libwebp's end-of-data rule for VP8 included); both messages name the file.
 */
public final class ImageLoader {
    /** PIL's {@code MAX_IMAGE_PIXELS} (1024 * 1024 * 1024 // 4 // 3). */
    public static final long PIL_MAX_IMAGE_PIXELS = 1024L * 1024 * 1024 / 4 / 3;
    /** The default limit: PIL refuses images over twice {@link #PIL_MAX_IMAGE_PIXELS}. */
    public static final long DEFAULT_MAX_PIXELS = 2 * PIL_MAX_IMAGE_PIXELS;

    private static final ImageLoader DEFAULT = new ImageLoader(DEFAULT_MAX_PIXELS);

    private final long maxPixels;
    /** Bytes a stream may hold; 0: {@code image.maxBytes} as the system property says when read. */
    private final long maxBytes;

    public ImageLoader(long maxPixels) {
        this(maxPixels, 0);
    }

    /** A loader with its own limits: {@code maxPixels} per image, {@code maxBytes} per encoded stream (0: the property). */
    public ImageLoader(long maxPixels, long maxBytes) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxPixels = maxPixels;
        this.maxBytes = maxBytes;
    }

    /**
     * Decodes {@code file} with the default pixel limit, or the one set with the system property
     * {@code resnet4j.limit.image.maxPixels} ({@link org.resnet4j.ReaderLimits}).
     */
    public static RgbImage load(Path file) {
        long limit = org.resnet4j.ReaderLimits.current().imageMaxPixels();
        return (limit == DEFAULT_MAX_PIXELS ? DEFAULT : new ImageLoader(limit)).read(file);
    }

    /**
     * Decodes an encoded image read to its end from {@code in} (which stays open), with the same
     * limit as {@link #load(Path)}; {@code name} names it in error messages.
     */
    public static RgbImage load(InputStream in, String name) {
        long limit = org.resnet4j.ReaderLimits.current().imageMaxPixels();
        return (limit == DEFAULT_MAX_PIXELS ? DEFAULT : new ImageLoader(limit)).read(in, name);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Decodes {@code file} into 8-bit RGB as PIL's {@code convert("RGB")}.
     *
     * @throws UnsafeContentException when the header gives more pixels than the limit
     * @throws FormatException when the file is not a readable image or is truncated
     */
    public RgbImage read(Path file) {
        InputFiles.requireRegular(file, "image file"); // a FIFO would block the decoder's open
        return decode(new Source(file.toString(), file, null));
    }

    /**
     * Decodes an encoded image (JPEG, PNG, BMP, GIF, WebP) read to its end from {@code in}, which
     * stays open; {@code name} names it in error messages. At most {@code image.maxBytes} (256 MiB,
     * {@link org.resnet4j.ReaderLimits}) are read: a longer stream is refused, not buffered.
     *
     * @throws UnsafeContentException when the stream is longer than that, or the header gives more
     *     pixels than the limit
     * @throws FormatException when the bytes are not a readable image or are truncated
     */
    public RgbImage read(InputStream in, String name) {
        long max = Math.min(
                maxBytes > 0 ? maxBytes : org.resnet4j.ReaderLimits.current().imageMaxBytes(), Integer.MAX_VALUE - 9);
        byte[] bytes;
        try {
            bytes = readAtMost(in, (int) max + 1, name);
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot read " + name + ": " + e.getMessage(), e);
        }
        if (bytes.length > max) {
            throw new UnsafeContentException(name + ": the encoded image is longer than " + max + " bytes ("
                    + org.resnet4j.ReaderLimits.hint("image.maxBytes") + ")");
        }
        return decode(new Source(name, null, bytes));
    }

    /**
     * Reads made in a row that return no bytes before a stream is taken to be broken: {@code read} must
     * block until a byte comes or return -1 at the end, and one that returns 0 for ever made
     * {@code readNBytes} spin (1.3 GB of RSS in 50 s).
     */
    static final int MAX_EMPTY_READS = 1000;

    // in's bytes up to its end or to limit bytes, whichever comes first
    private static byte[] readAtMost(InputStream in, int limit, String name) throws IOException {
        byte[] buf = new byte[Math.min(limit, 1 << 16)];
        int n = 0;
        int empty = 0;
        while (n < limit) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(limit, 2L * buf.length));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            if (r == 0) {
                if (++empty >= MAX_EMPTY_READS) {
                    throw new ResNet4jException("cannot read " + name + ": the stream returned no bytes "
                            + MAX_EMPTY_READS + " times in a row after " + n + " bytes, without ending"
                            + " (InputStream.read must wait for data or return -1)");
                }
                continue;
            }
            empty = 0;
            n += r;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /** Where encoded bytes come from: a file (read by the decoder as it goes) or bytes in memory. */
    private record Source(String name, Path file, byte[] bytes) {
        /** The encoded bytes, a JPEG's ICC profile hidden ({@link JpegIccHiding}). */
        ImageInputStream open() throws IOException {
            ImageInputStream in = file != null
                    ? ImageIO.createImageInputStream(file.toFile())
                    : new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
            return in == null ? null : JpegIccHiding.wrap(in);
        }

        byte[] readAll() throws IOException {
            return file != null ? Files.readAllBytes(file) : bytes;
        }

        byte[] head(int n) throws IOException {
            if (file == null) {
                return Arrays.copyOf(bytes, Math.min(n, bytes.length));
            }
            try (InputStream in = Files.newInputStream(file)) {
                return in.readNBytes(n);
            }
        }

        long size() throws IOException {
            return file != null ? Files.size(file) : bytes.length;
        }
    }

    private RgbImage decode(Source source) {
        RgbImage lossyWebp = decodeLossyWebp(source);
        if (lossyWebp != null) {
            return lossyWebp;
        }
        List<ImageReader> readers = readersFor(source);
        String file = source.name();
        if (readers.isEmpty()) {
            throw new FormatException(file + ": not an image in a format we read (JPEG, PNG, BMP, GIF, WebP)");
        }
        try {
            for (ImageReader reader : readers) {
                RgbImage image = decode(source, reader);
                if (image != null) {
                    return image;
                }
            }
        } finally {
            readers.forEach(ImageReader::dispose);
        }
        throw new FormatException(file + ": no image reader supports its pixel layout (tried "
                + readers.stream().map(r -> r.getClass().getName()).toList() + ")");
    }

    /** A lossy WebP decoded as libwebp does ({@link WebpLossy}); null for any other file. */
    private RgbImage decodeLossyWebp(Source source) {
        String file = source.name();
        try {
            byte[] head = source.head(12);
            if (!WebpContainer.isWebp(head)) {
                return null;
            }
            Truncation.checkRiff(file, head, source.size());
            byte[] vp8;
            WebpContainer.Layout layout;
            try (ImageInputStream in = source.open()) {
                if (in == null) {
                    throw new ResNet4jException("cannot open " + file);
                }
                layout = WebpContainer.locate(file, in);
                if (layout == null) {
                    return null;
                }
                checkPixels(file, layout.canvasWidth(), layout.canvasHeight());
                long max = Math.min(
                        maxBytes > 0
                                ? maxBytes
                                : org.resnet4j.ReaderLimits.current().imageMaxBytes(),
                        Integer.MAX_VALUE - 9);
                if (layout.vp8Length() > max) {
                    throw new UnsafeContentException(file + ": the VP8 frame is longer than " + max + " bytes ("
                            + org.resnet4j.ReaderLimits.hint("image.maxBytes") + ")");
                }
                vp8 = new byte[(int) layout.vp8Length()];
                in.seek(layout.vp8Offset());
                in.readFully(vp8);
            }
            return WebpLossy.decode(file, vp8, layout);
        } catch (ResNet4jException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // as for the ImageIO readers below
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new FormatException(file + ": cannot decode WEBP image: " + msg, e);
        }
    }

    /** Bytes of heap decoding takes per pixel, at most: the decoder's raster and our RGB copy, with slack. */
    static final long DECODE_BYTES_PER_PIXEL = 8;

    private void checkPixels(String file, int width, int height) {
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new UnsafeContentException(file + ": image size " + width + "x" + height + " (" + pixels
                    + " pixels) exceeds the limit of " + maxPixels + " pixels; refusing a possible decompression bomb");
        }
        // an image the heap can never hold is refused before decoding, not left to an OutOfMemoryError
        long need = pixels * DECODE_BYTES_PER_PIXEL;
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap) {
            throw new UnsafeContentException(file + ": image size " + width + "x" + height + " needs about "
                    + (need >> 20) + " MiB of heap to decode, more than this JVM's " + (heap >> 20)
                    + " MiB; give Java more heap (-Xmx) or lower -Dresnet4j.limit.image.maxPixels");
        }
    }

    /**
     * The readers that claim the file, the JDK's own first: they decode without colour management,
     * and TwelveMonkeys' JPEG reader is only needed for what the JDK refuses (CMYK, YCCK).
     */
    private static List<ImageReader> readersFor(Source source) {
        List<ImageReader> jdk = new ArrayList<>();
        List<ImageReader> others = new ArrayList<>();
        try (ImageInputStream in = source.open()) {
            if (in == null) {
                throw new ResNet4jException("cannot open " + source.name());
            }
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            while (it.hasNext()) {
                ImageReader r = it.next();
                (r.getClass().getName().startsWith("com.sun.imageio.") ? jdk : others).add(r);
            }
        } catch (IOException e) {
            throw new ResNet4jException("cannot read " + source.name() + ": " + e.getMessage(), e);
        }
        jdk.addAll(others);
        return jdk;
    }

    private RgbImage decode(Source source, ImageReader reader) {
        String format = formatName(reader);
        String file = source.name();
        try (ImageInputStream in = source.open()) {
            reader.setInput(in, true, true);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((src, message) -> warnings.add(message));
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            GifLayout gif = null;
            if (format.equalsIgnoreCase("gif")) { // PIL's image is the logical screen, not the frame
                gif = GifLayout.read(file, source.readAll());
                width = gif.width();
                height = gif.height();
            }
            if (width <= 0 || height <= 0) {
                throw new FormatException(file + ": " + format + " header gives an empty size " + width + "x" + height);
            }
            checkPixels(file, width, height);
            if (!isTwelveMonkeysJpeg(reader) && !hasImageTypes(reader)) {
                return null; // e.g. the JDK's JPEG reader on CMYK: the next reader (TwelveMonkeys) takes it
            }
            if (format.equalsIgnoreCase("webp")) {
                Truncation.checkRiff(file, source.head(12), source.size());
            }
            RgbImage rgb;
            if (isTwelveMonkeysJpeg(reader) && isFourChannel(reader)) {
                rgb = cmykToRgb(file, reader.readRaster(0, null), true); // stored samples: Adobe-inverted
            } else if (gif != null) {
                rgb = gif.compose(file, reader.read(0));
            } else {
                int paletteEntries = -1;
                if (format.equalsIgnoreCase("png")) {
                    try (ImageInputStream png = source.open()) {
                        paletteEntries = PngPalette.entries(png);
                    }
                }
                rgb = toRgb(file, reader.read(0), paletteEntries);
            }
            for (String w : warnings) {
                String lower = w.toLowerCase(Locale.ROOT);
                if (lower.contains("premature end") || lower.contains("truncat") || lower.contains("unexpected end")) {
                    throw new FormatException(file + ": truncated " + format + " image (" + w + ")");
                }
            }
            return rgb;
        } catch (ResNet4jException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, and some plugins as runtime exceptions
            // (IndexOutOfBounds on truncated data): all mean the file cannot be decoded.
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new FormatException(file + ": cannot decode " + format + " image: " + msg, e);
        }
    }

    private static String formatName(ImageReader reader) {
        try {
            String[] names = reader.getOriginatingProvider().getFormatNames();
            return names.length == 0 ? "image" : names[0].toUpperCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return "image";
        }
    }

    private static boolean isTwelveMonkeysJpeg(ImageReader reader) {
        return reader.getClass().getName().startsWith("com.twelvemonkeys.imageio.plugins.jpeg.");
    }

    private static boolean hasImageTypes(ImageReader reader) {
        try {
            return reader.getImageTypes(0).hasNext();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isFourChannel(ImageReader reader) throws IOException {
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null) {
            return true;
        }
        ColorSpace cs = raw.getColorModel().getColorSpace();
        return raw.getNumBands() == 4 && !raw.getColorModel().hasAlpha()
                || cs.getType() == ColorSpace.TYPE_CMYK
                || cs.getType() == ColorSpace.TYPE_4CLR;
    }

    /**
     * PIL's JPEG CMYK path: rawmode "CMYK;I" (Adobe polarity, always assumed), then cmyk2rgb.
     * {@code inverted}: the raster holds the stored (Adobe-inverted) samples, not yet undone.
     */
    static RgbImage cmykToRgb(String file, Raster raster, boolean inverted) {
        if (raster.getNumBands() != 4) {
            throw new FormatException(file + ": expected 4 CMYK channels, the decoder gave " + raster.getNumBands());
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w * 4];
        int x0 = raster.getMinX();
        int y0 = raster.getMinY();
        for (int y = 0; y < h; y++) {
            raster.getPixels(x0, y0 + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int k = inverted ? 255 - row[x * 4 + 3] : row[x * 4 + 3];
                int nk = 255 - k;
                for (int c = 0; c < 3; c++) {
                    int v = inverted ? 255 - row[x * 4 + c] : row[x * 4 + c];
                    out[(y * w + x) * 3 + c] = (byte) clamp8(nk - mulDiv255(v, nk));
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** PIL's {@code MULDIV255}: a * b / 255 rounded, in integers. */
    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int clamp8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * A decoded image as 8-bit RGB exactly as PIL's {@code convert("RGB")} turns the same pixels:
     * raw raster samples, no colour management (see the class comment for each pixel layout). Use
     * it for images a service already holds in memory.
     *
     * @throws IllegalArgumentException when the image's colour model has no PIL counterpart
     *                                  (neither indexed, gray, RGB, CMYK nor packed RGB)
     */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        try {
            return toRgb("image", image);
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Raw raster samples to RGB, mode by mode as PIL's {@code convert("RGB")}; {@code file} names the source. */
    static RgbImage toRgb(String file, BufferedImage image) {
        return toRgb(file, image, -1);
    }

    /**
     * As {@link #toRgb(String, BufferedImage)}; {@code paletteEntries} is the file's own palette
     * length when the colour model's was padded (PNG), -1 to take the colour model's.
     */
    static RgbImage toRgb(String file, BufferedImage image, int paletteEntries) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        if (cm instanceof IndexColorModel icm) {
            Palette palette = Palette.of(icm, paletteEntries); // past its entries: Pillow's gray ramp
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    palette.put(row[x], out, (y * w + x) * 3);
                }
            }
        } else if (cm instanceof ComponentColorModel) {
            int type = cm.getColorSpace().getType();
            int colours = cm.getNumColorComponents();
            int bands = raster.getNumBands();
            int dataType = raster.getDataBuffer().getDataType();
            int bits = cm.getComponentSize(0);
            if (type == ColorSpace.TYPE_CMYK && colours == 4 && dataType == DataBuffer.TYPE_BYTE) {
                // The JDK's JPEG reader on CMYK/YCCK: libjpeg's CMYK output, Adobe polarity already undone.
                return cmykToRgb(file, raster, false);
            }
            boolean gray = type == ColorSpace.TYPE_GRAY && colours == 1;
            boolean rgb = type == ColorSpace.TYPE_RGB && colours == 3;
            if (!(gray || rgb) || (dataType != DataBuffer.TYPE_BYTE && dataType != DataBuffer.TYPE_USHORT)) {
                throw new FormatException(file + ": unsupported pixel layout (" + colours
                        + " colour channels in colour space type " + type + ", data type " + dataType + ")");
            }
            boolean sixteen = dataType == DataBuffer.TYPE_USHORT && bits > 8;
            // 16-bit gray without alpha is PIL mode "I": convert("RGB") clips; other 16-bit modes keep the high byte.
            boolean clip = sixteen && gray && bands == 1;
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    int p = x * bands;
                    for (int c = 0; c < 3; c++) {
                        int v = row[p + (gray ? 0 : c)];
                        if (sixteen) {
                            v = clip ? Math.min(v, 255) : v >> 8;
                        }
                        out[o + c] = (byte) v;
                    }
                }
            }
        } else if (cm instanceof DirectColorModel dcm) {
            int[] masks = {dcm.getRedMask(), dcm.getGreenMask(), dcm.getBlueMask()};
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    Object data = raster.getDataElements(x, y, null);
                    int pixel = data instanceof int[] ia
                            ? ia[0]
                            : data instanceof short[] sa ? sa[0] & 0xffff : ((byte[]) data)[0] & 0xff;
                    int o = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        out[o + c] = (byte) fromMask(pixel, masks[c]);
                    }
                }
            }
        } else {
            throw new FormatException(
                    file + ": unsupported colour model " + cm.getClass().getSimpleName());
        }
        return new RgbImage(w, h, out);
    }

    /** A packed channel scaled to 0..255 as PIL's unpackers do ({@code v * 255 / max}, truncated). */
    private static int fromMask(int pixel, int mask) {
        if (mask == 0) {
            return 0;
        }
        int shift = Integer.numberOfTrailingZeros(mask);
        int max = mask >>> shift;
        int v = (pixel & mask) >>> shift;
        return max == 255 ? v : (int) ((long) v * 255 / max);
    }
}
