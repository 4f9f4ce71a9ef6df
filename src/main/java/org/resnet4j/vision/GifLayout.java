package org.resnet4j.vision;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import org.resnet4j.ResNet4jException.FormatException;

/**
 * Where a GIF's first frame lies on its logical screen, and that frame as Pillow 9 shows it. PIL's
 * image is the whole screen (grown to hold a frame that reaches past it, as Pillow's
 * {@code GifImagePlugin} does), the pixels outside the frame being palette index 0, or the frame's
 * transparency index when it has one (never the screen's background colour); ImageIO returns the
 * frame alone.
 *
 * <p>Reading the layout also checks that the first frame is complete: ImageIO's GIF reader fills
 * a truncated frame in without complaint, where PIL refuses it ("image file is truncated").
 */
record GifLayout(int width, int height, int frameX, int frameY, int frameWidth, int frameHeight, int fillIndex) {

    /** The layout of the GIF in {@code b}, or {@link FormatException} when its first frame is cut short. */
    static GifLayout read(String file, byte[] b) {
        int p = 6 + 7; // "GIF89a" + logical screen descriptor
        need(file, b, p);
        int screenWidth = u16(b, 6);
        int screenHeight = u16(b, 8);
        int flags = b[10] & 0xff;
        if ((flags & 0x80) != 0) {
            p += 3 << ((flags & 7) + 1); // global colour table
        }
        int transparency = -1;
        while (true) {
            need(file, b, p + 1);
            int kind = b[p] & 0xff;
            if (kind == 0x21) { // extension: label, then data sub-blocks
                need(file, b, p + 2);
                if ((b[p + 1] & 0xff) == 0xF9) { // graphic control: flags, delay (2), transparency index
                    need(file, b, p + 7);
                    if ((b[p + 3] & 1) != 0) { // as Pillow, a later block without the flag keeps it
                        transparency = b[p + 6] & 0xff;
                    }
                }
                p = skipSubBlocks(file, b, p + 2);
            } else if (kind == 0x2C) { // image descriptor: 9 bytes, local table, LZW code size, sub-blocks
                need(file, b, p + 10);
                int x = u16(b, p + 1);
                int y = u16(b, p + 3);
                int w = u16(b, p + 5);
                int h = u16(b, p + 7);
                int local = b[p + 9] & 0xff;
                p += 10;
                if ((local & 0x80) != 0) {
                    p += 3 << ((local & 7) + 1);
                }
                skipSubBlocks(file, b, p + 1); // the first frame is complete
                return new GifLayout(
                        Math.max(screenWidth, x + w),
                        Math.max(screenHeight, y + h),
                        x,
                        y,
                        w,
                        h,
                        transparency < 0 ? 0 : transparency);
            } else {
                throw new FormatException(file + ": GIF has no image data (block 0x" + Integer.toHexString(kind) + ")");
            }
        }
    }

    /** The first frame as decoded by ImageIO ({@code frame}), placed on the screen as PIL does. */
    RgbImage compose(String file, BufferedImage frame) {
        if (!(frame.getColorModel() instanceof IndexColorModel cm)) {
            throw new FormatException(file + ": the GIF decoder returned no palette image");
        }
        Palette palette = Palette.of(cm, -1);
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        byte[] fill = new byte[3];
        palette.put(fillIndex, fill, 0);
        for (int i = 0; i < out.length; i += 3) {
            out[i] = fill[0];
            out[i + 1] = fill[1];
            out[i + 2] = fill[2];
        }
        Raster raster = frame.getRaster();
        int w = Math.min(frame.getWidth(), width - frameX);
        int h = Math.min(frame.getHeight(), height - frameY);
        int[] row = new int[Math.max(w, 0)];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            int o = ((frameY + y) * width + frameX) * 3;
            for (int x = 0; x < w; x++, o += 3) {
                palette.put(row[x], out, o);
            }
        }
        return new RgbImage(width, height, out);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int skipSubBlocks(String file, byte[] b, int p) {
        while (true) {
            need(file, b, p + 1);
            int len = b[p] & 0xff;
            p += 1 + len;
            if (len == 0) {
                return p;
            }
        }
    }

    private static void need(String file, byte[] b, int end) {
        if (end > b.length) {
            throw new FormatException(file + ": truncated GIF image (ends at byte " + b.length + ")");
        }
    }
}
