package org.resnet4j.vision;

import org.resnet4j.ResNet4jException.FormatException;

/**
 * Structural checks for formats whose ImageIO readers decode a truncated file without complaint
 * (the JDK's GIF reader and TwelveMonkeys' WebP reader fill the missing part), where PIL refuses
 * it ("image file is truncated"). PNG, JPEG and BMP readers report truncation themselves.
 */
final class Truncation {
    private Truncation() {}

    /** Throws {@link FormatException} when {@code bytes} ends before the first GIF frame's data ends. */
    static void checkGif(String file, byte[] b) {
        int p = 6 + 7; // "GIF89a" + logical screen descriptor
        need(file, b, p, "GIF");
        int flags = b[10] & 0xff;
        if ((flags & 0x80) != 0) {
            p += 3 << ((flags & 7) + 1); // global colour table
        }
        while (true) {
            need(file, b, p + 1, "GIF");
            int kind = b[p] & 0xff;
            if (kind == 0x21) { // extension: label, then data sub-blocks
                p = skipSubBlocks(file, b, p + 2);
            } else if (kind == 0x2C) { // image descriptor: 9 bytes, local table, LZW code size, sub-blocks
                need(file, b, p + 10, "GIF");
                int local = b[p + 9] & 0xff;
                p += 10;
                if ((local & 0x80) != 0) {
                    p += 3 << ((local & 7) + 1);
                }
                skipSubBlocks(file, b, p + 1);
                return; // the first frame is complete
            } else {
                throw new FormatException(file + ": GIF has no image data (block 0x" + Integer.toHexString(kind) + ")");
            }
        }
    }

    private static int skipSubBlocks(String file, byte[] b, int p) {
        while (true) {
            need(file, b, p + 1, "GIF");
            int len = b[p] & 0xff;
            p += 1 + len;
            if (len == 0) {
                return p;
            }
        }
    }

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

    private static void need(String file, byte[] b, int end, String format) {
        if (end > b.length) {
            throw new FormatException(file + ": truncated " + format + " image (ends at byte " + b.length + ")");
        }
    }
}
