package org.resnet4j.vision;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * The number of entries in a PNG's PLTE chunk. ImageIO's PNG reader pads a short palette with black
 * up to 2, 4, 16 or 256 entries, so its colour model no longer tells how long the file's was; Pillow
 * shows an index past the PLTE as gray (see {@link Palette}).
 */
final class PngPalette {
    private PngPalette() {}

    private static final int PLTE = 0x504C5445;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454E44;

    /**
     * The PLTE entry count of the PNG in {@code in} (read from its start, chunk headers only), or -1
     * when no PLTE comes before the image data or the chunk list is unreadable; the stream position
     * is left anywhere.
     */
    static int entries(ImageInputStream in) throws IOException {
        long pos = 8; // signature
        long length = in.length();
        while (length < 0 || pos + 8 <= length) {
            in.seek(pos);
            long size;
            int type;
            try {
                size = in.readUnsignedInt();
                type = in.readInt();
            } catch (java.io.EOFException e) {
                return -1;
            }
            if (type == PLTE) {
                return (int) Math.min(size / 3, 256);
            }
            if (type == IDAT || type == IEND) {
                return -1;
            }
            pos += 12 + size; // length, type, data, CRC
        }
        return -1;
    }
}
