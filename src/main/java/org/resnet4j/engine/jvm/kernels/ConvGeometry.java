package org.resnet4j.engine.jvm.kernels;

/**
 * Everything a 2-D convolution kernel needs to know, resolved from attributes and input shapes:
 * x (n,c,h,w), w (oc,c/group,kh,kw) -> y (n,oc,oh,ow); padT/padL are the leading pads (the
 * trailing pads only show in oh/ow).
 */
public record ConvGeometry(
        int n,
        int c,
        int h,
        int w,
        int oc,
        int group,
        int kh,
        int kw,
        int strideH,
        int strideW,
        int dilH,
        int dilW,
        int padT,
        int padL,
        int oh,
        int ow) {

    /** The same convolution on a batch of {@code n}. */
    public ConvGeometry withBatch(int n) {
        return new ConvGeometry(n, c, h, w, oc, group, kh, kw, strideH, strideW, dilH, dilW, padT, padL, oh, ow);
    }

    public int cPerGroup() {
        return c / group;
    }

    public int ocPerGroup() {
        return oc / group;
    }

    /** Rows of the im2col matrix per group: (c/g)·kh·kw. */
    public int colRows() {
        return cPerGroup() * kh * kw;
    }

    /** True when the input itself is the im2col matrix: 1x1, stride 1, no padding. */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padT == 0 && padL == 0 && oh == h && ow == w;
    }
}
