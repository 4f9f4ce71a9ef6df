package org.resnet4j.vision;

/**
 * Lossy WebP files (a VP8 frame, possibly with an alpha chunk, possibly the first frame of an
 * animation), decoded as libwebp decodes them for PIL: {@link Vp8Decoder}, then libwebp's fancy
 * upsampling ({@link WebpYuvToRgb}). TwelveMonkeys' reader has its own VP8 decoder, which upsamples
 * chroma by repetition and rounds differently (tensors off by up to 1.55, enough to change a top-1
 * class); lossless WebP (VP8L) is exact there and stays with it.
 *
 * <p>{@link WebpContainer} finds the frame and checks the file's structure. What PIL returns: the
 * alpha channel dropped without compositing ({@code convert("RGB")}); for an animation, the first
 * frame at its offset on the VP8X canvas, black where it does not cover the canvas (libwebp's
 * animation decoder starts from transparent black).
 */
final class WebpLossy {
    private WebpLossy() {}

    /**
     * Decodes the VP8 frame {@code vp8} (the chunk's payload) and places it on the canvas of
     * {@code layout}.
     */
    static RgbImage decode(String file, byte[] vp8, WebpContainer.Layout layout) {
        RgbImage frame = WebpYuvToRgb.convert(Vp8Decoder.decode(file, vp8, 0, vp8.length));
        if (frame.width() == layout.canvasWidth() && frame.height() == layout.canvasHeight()) {
            return frame;
        }
        int cw = layout.canvasWidth();
        byte[] canvas = new byte[Math.multiplyExact(Math.multiplyExact(cw, layout.canvasHeight()), 3)];
        for (int y = 0; y < frame.height(); y++) {
            System.arraycopy(
                    frame.rgb(),
                    y * frame.width() * 3,
                    canvas,
                    ((layout.frameY() + y) * cw + layout.frameX()) * 3,
                    frame.width() * 3);
        }
        return new RgbImage(cw, layout.canvasHeight(), canvas);
    }
}
