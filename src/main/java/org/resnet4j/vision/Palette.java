package org.resnet4j.vision;

import java.awt.image.IndexColorModel;

/**
 * A colour table as Pillow applies it in {@code convert("RGB")}: Pillow's palette starts as the gray
 * ramp (i, i, i) for all 256 indices and the file's entries overwrite the first ones, so an index
 * past a short table (a PNG whose PLTE has fewer entries than its pixels use, a BMP with a short
 * colour table, a GIF frame's fill index) reads as gray i, not black.
 */
final class Palette {
    private final int[] rgb; // packed 0xRRGGBB per index, all 256

    private Palette(int[] rgb) {
        this.rgb = rgb;
    }

    /**
     * The first {@code entries} colours of {@code cm} (all of them when negative or past its size;
     * ImageIO's PNG reader pads a short PLTE with black up to a power of two, so the caller passes
     * the file's own count), the gray ramp after them.
     */
    static Palette of(IndexColorModel cm, int entries) {
        int n = entries < 0 ? cm.getMapSize() : Math.min(entries, cm.getMapSize());
        int[] rgb = new int[256];
        for (int i = 0; i < 256; i++) {
            rgb[i] = i < n ? cm.getRGB(i) & 0xffffff : i * 0x010101;
        }
        return new Palette(rgb);
    }

    /** Writes the colour of {@code index} to {@code out[o .. o + 3)}. */
    void put(int index, byte[] out, int o) {
        int c = index >= 0 && index < 256 ? rgb[index] : 0; // indices are 8-bit in every format read
        out[o] = (byte) (c >> 16);
        out[o + 1] = (byte) (c >> 8);
        out[o + 2] = (byte) c;
    }
}
