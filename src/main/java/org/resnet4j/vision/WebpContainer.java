package org.resnet4j.vision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.stream.ImageInputStream;
import org.resnet4j.ResNet4jException.FormatException;

/**
 * Finds the first image of a WebP file in its RIFF chunks, checking the structure as libwebp's
 * demuxer does (PIL opens every WebP through it), so that a file PIL refuses is refused here too:
 * chunk sizes (padded to even) within the RIFF size, only known feature flags, an ANIM chunk before
 * the ANMF frames of an animation, each frame an optional ALPH chunk then its VP8 or VP8L chunk,
 * frames within the canvas (their size is their bitstream's, not the ANMF header's), a still
 * image exactly the canvas size, and the header of the alpha data that PIL decodes. A damaged
 * lossless-compressed alpha channel is not detected (that needs a VP8L decoder); PIL refuses such
 * a file, we decode its colours.
 *
 * <p>Only chunk headers are read. When the first image is lossless (VP8L), the file is left to
 * ImageIO's reader as before, whatever these checks found.
 */
final class WebpContainer {
    private static final int ALL_VALID_FLAGS = 0x3E; // ICC, alpha, EXIF, XMP, animation
    private static final int ANIMATION = 0x02;
    private static final int ALPHA = 0x10;

    /** Where the VP8 frame lies in the file, and the canvas it is placed on. */
    record Layout(int canvasWidth, int canvasHeight, int frameX, int frameY, long vp8Offset, long vp8Length) {}

    private record Chunk(String kind, long payload, long size) {
        long next() {
            return payload + size + (size & 1);
        }
    }

    /** A frame's ALPH chunk (or null), image chunk (or null), size, offset, and where its chunks end. */
    private record Frame(Chunk alpha, Chunk image, int width, int height, int x, int y, long next) {}

    private final String file;
    private final ImageInputStream in;
    private Boolean firstIsLossless; // unknown until the first image is found

    private WebpContainer(String file, ImageInputStream in) {
        this.file = file;
        this.in = in;
    }

    /** Whether {@code head} (the first 12 bytes or more) starts a RIFF WebP file. */
    static boolean isWebp(byte[] head) {
        return head.length >= 12
                && head[0] == 'R'
                && head[1] == 'I'
                && head[2] == 'F'
                && head[3] == 'F'
                && head[8] == 'W'
                && head[9] == 'E'
                && head[10] == 'B'
                && head[11] == 'P';
    }

    /**
     * The layout of the WebP file in {@code in} when its (first) image is lossy; null when it is
     * lossless, or when the first chunk is not an image ImageIO's reader could know better.
     *
     * @throws FormatException when libwebp's demuxer would refuse the file
     */
    static Layout locate(String file, ImageInputStream in) throws IOException {
        return new WebpContainer(file, in).locate();
    }

    private Layout locate() throws IOException {
        byte[] head = read(0, 12);
        long end = 8 + u32(head, 4);
        Chunk first = chunk(12, end);
        switch (first.kind()) {
            case "VP8 " -> {
                Frame f = storeFrame(12, end); // the chunk after the image is read (and checked) too
                return new Layout(
                        f.width(),
                        f.height(),
                        0,
                        0,
                        f.image().payload(),
                        f.image().size());
            }
            case "VP8X" -> {
                try {
                    return extended(first, end);
                } catch (FormatException e) {
                    if (Boolean.TRUE.equals(firstIsLossless)) {
                        return null; // as before: ImageIO's lossless reader decides
                    }
                    throw e;
                }
            }
            default -> {
                return null;
            }
        }
    }

    private Layout extended(Chunk vp8x, long end) throws IOException {
        if (vp8x.size() < 10) {
            throw bad("its VP8X chunk is " + vp8x.size() + " bytes, not 10");
        }
        byte[] h = read(vp8x.payload(), 10);
        int flags = h[0] & 0xff;
        boolean animated = (flags & ANIMATION) != 0;
        int canvasWidth = 1 + u24(h, 4);
        int canvasHeight = 1 + u24(h, 7);
        boolean anim = false;
        Layout layout = null;
        boolean image = false;
        for (long pos = vp8x.next(); pos < end; ) {
            Chunk c = chunk(pos, end);
            switch (c.kind()) {
                case "VP8X" -> throw bad("it has a second VP8X chunk");
                case "ALPH", "VP8 ", "VP8L" -> {
                    if (animated || anim) {
                        throw bad("it has an image chunk outside its animation frames");
                    }
                    if (image) {
                        throw bad("it has two images");
                    }
                    image = true;
                    Frame f = storeFrame(pos, end);
                    if (f.image() == null) {
                        throw bad("its image has no VP8 or VP8L chunk after the ALPH chunk");
                    }
                    if (f.width() != canvasWidth || f.height() != canvasHeight) {
                        throw bad("its image is " + f.width() + "x" + f.height() + ", the canvas " + canvasWidth + "x"
                                + canvasHeight);
                    }
                    if ((flags & ALPHA) != 0) { // without the flag, libwebp ignores the ALPH chunk
                        checkAlphaOrder(f);
                        checkAlpha(f);
                    }
                    if (f.image().kind().equals("VP8 ")) {
                        layout = new Layout(
                                canvasWidth,
                                canvasHeight,
                                0,
                                0,
                                f.image().payload(),
                                f.image().size());
                    }
                    pos = f.next();
                    continue;
                }
                case "ANIM" -> {
                    if (c.size() < 6) {
                        throw bad("its ANIM chunk is " + c.size() + " bytes");
                    }
                    anim = true;
                }
                case "ANMF" -> {
                    if (!anim) {
                        throw bad("an ANMF frame comes before the ANIM chunk");
                    }
                    Frame f = animationFrame(c, end);
                    if (animated) { // a still image's ANMF chunks are parsed, not shown
                        if (f.image() == null) {
                            throw bad("an animation frame has no VP8 or VP8L chunk");
                        }
                        checkAlphaOrder(f);
                        if (!image) {
                            checkAlpha(f); // the first frame is decoded, with its alpha
                        }
                        if ((long) f.x() + f.width() > canvasWidth || (long) f.y() + f.height() > canvasHeight) {
                            throw bad("an animation frame (" + f.width() + "x" + f.height() + " at " + f.x() + ","
                                    + f.y() + ") leaves the " + canvasWidth + "x" + canvasHeight + " canvas");
                        }
                        if (!image && f.image().kind().equals("VP8 ")) {
                            layout = new Layout(
                                    canvasWidth,
                                    canvasHeight,
                                    f.x(),
                                    f.y(),
                                    f.image().payload(),
                                    f.image().size());
                        }
                        image = true;
                    }
                    pos = f.next(); // where the frame's chunks end, as libwebp goes on
                    continue;
                }
                default -> {} // ICCP, EXIF, XMP and unknown chunks
            }
            pos = c.next();
        }
        if (!image) {
            throw bad("it has no image");
        }
        if ((flags & ~ALL_VALID_FLAGS) != 0) {
            throw bad("unknown VP8X feature flags 0x" + Integer.toHexString(flags));
        }
        return layout;
    }

    /** An ANMF chunk: its offset, then the frame's chunks (libwebp's {@code ParseAnimationFrame}). */
    private Frame animationFrame(Chunk anmf, long end) throws IOException {
        if (anmf.size() < 16) {
            throw bad("an ANMF chunk is " + anmf.size() + " bytes");
        }
        byte[] h = read(anmf.payload(), 16);
        long start = anmf.payload() + 16;
        if (end - start < 8) {
            throw truncated("an animation frame");
        }
        Frame f = storeFrame(start, end);
        if (f.next() - start > anmf.size() + (anmf.size() & 1) - 16) {
            throw bad("an animation frame's chunks run past its ANMF chunk");
        }
        return new Frame(f.alpha(), f.image(), f.width(), f.height(), 2 * u24(h, 0), 2 * u24(h, 3), f.next());
    }

    /**
     * libwebp's {@code StoreFrame}: from {@code pos}, an ALPH chunk and an image chunk in either
     * order, stopping at any other chunk (whose header is read and must be sound) or at a second
     * one of either kind. The frame's size is its bitstream's.
     */
    private Frame storeFrame(long pos, long end) throws IOException {
        Chunk alpha = null;
        Chunk image = null;
        int width = 0;
        int height = 0;
        while (pos < end) {
            Chunk c = chunk(pos, end);
            if (c.kind().equals("ALPH") && alpha == null) {
                alpha = c;
            } else if ((c.kind().equals("VP8 ") || c.kind().equals("VP8L")) && image == null) {
                if (c.kind().equals("VP8 ")) {
                    if (firstIsLossless == null) {
                        firstIsLossless = false;
                    }
                    Vp8Decoder.Size size = Vp8Decoder.size(file, read(c.payload(), headerBytes(c)), 0, length(c));
                    width = size.width();
                    height = size.height();
                } else {
                    if (firstIsLossless == null) {
                        firstIsLossless = true;
                    }
                    if (alpha != null) {
                        throw bad("a VP8L image has an ALPH chunk (VP8L carries its own alpha)");
                    }
                    byte[] h = read(c.payload(), (int) Math.min(c.size(), 5));
                    if (h.length < 5 || (h[0] & 0xff) != 0x2f || (h[4] & 0xff) >> 5 != 0) {
                        throw bad("bad VP8L header");
                    }
                    long bits = u32(h, 1);
                    width = 1 + (int) (bits & 0x3fff);
                    height = 1 + (int) ((bits >> 14) & 0x3fff);
                }
                image = c;
            } else {
                break;
            }
            pos = c.next();
        }
        return new Frame(alpha, image, width, height, 0, 0, pos);
    }

    /** The demuxer's rule: a frame's alpha comes before its image. */
    private void checkAlphaOrder(Frame f) {
        if (f.alpha() != null
                && f.image() != null
                && f.alpha().payload() > f.image().payload()) {
            throw bad("an ALPH chunk follows its image");
        }
    }

    /** libwebp's checks of an ALPH chunk's header ({@code ALPHInit}), before it decodes the alpha. */
    private void checkAlpha(Frame f) throws IOException {
        Chunk a = f.alpha();
        if (a == null) {
            return;
        }
        if (a.size() <= 1) {
            throw bad("its ALPH chunk is empty");
        }
        int h = read(a.payload(), 1)[0] & 0xff;
        int method = h & 3;
        int preprocessing = (h >> 4) & 3;
        if (method > 1 || preprocessing > 1 || (h >> 6) != 0) {
            throw bad("bad ALPH header 0x" + Integer.toHexString(h));
        }
        if (method == 0 && a.size() - 1 < (long) f.width() * f.height()) {
            throw bad("its uncompressed alpha is " + (a.size() - 1) + " bytes for " + f.width() + "x" + f.height());
        }
    }

    private Chunk chunk(long pos, long end) throws IOException {
        if (pos + 8 > end) {
            throw truncated("a chunk header");
        }
        byte[] h = read(pos, 8);
        String kind = new String(h, 0, 4, StandardCharsets.ISO_8859_1);
        long size = u32(h, 4);
        if (pos + 8 + size + (size & 1) > end) {
            throw truncated("the " + kind.trim() + " chunk");
        }
        return new Chunk(kind, pos + 8, size);
    }

    private static int headerBytes(Chunk vp8) {
        return (int) Math.min(vp8.size(), 10);
    }

    private static int length(Chunk c) {
        return (int) Math.min(c.size(), Integer.MAX_VALUE);
    }

    private byte[] read(long pos, int n) throws IOException {
        byte[] b = new byte[n];
        in.seek(pos);
        in.readFully(b);
        return b;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static int u24(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16;
    }

    private FormatException bad(String what) {
        return new FormatException(file + ": cannot decode WebP image: " + what);
    }

    private FormatException truncated(String what) {
        return new FormatException(file + ": truncated WebP image (" + what + " runs past the end)");
    }
}
