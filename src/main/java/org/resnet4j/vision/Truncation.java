package org.resnet4j.vision;

import org.resnet4j.ResNet4jException.FormatException;

/**
 * Structural checks for formats whose ImageIO readers decode a truncated file without complaint
 * (TwelveMonkeys' WebP reader fills the missing part in), where PIL refuses it ("image file is
 * truncated"). GIFs are checked as their layout is read ({@link GifLayout}); PNG, JPEG and BMP
 * readers report truncation themselves, and lossy WebP is decoded here ({@link Vp8Decoder}).
 */
final class Truncation {
    private Truncation() {}

    /** Throws {@link FormatException} when the file is shorter than its RIFF header says. */
    static void checkRiff(String file, byte[] head, long fileSize) {
        if (head.length < 12) {
            throw new FormatException(file + ": truncated WebP image (no RIFF header)");
        }
        long size = (head[4] & 0xffL) | (head[5] & 0xffL) << 8 | (head[6] & 0xffL) << 16 | (head[7] & 0xffL) << 24;
        if (fileSize < size + 8) {
            throw new FormatException(file + ": truncated WebP image (RIFF header gives " + (size + 8)
                    + " bytes, the file has " + fileSize + ")");
        }
    }
}
