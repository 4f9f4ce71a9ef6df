package org.resnet4j.engine.jvm.kernels;

/**
 * The im2col matrix of one image and group, never materialised: a GEMM kernel that packs B copies
 * rows of it straight from the input while it packs ("implicit GEMM"). Row r = (ci, ky, kx) of
 * ((C/g)·kH·kW, OH·OW), column j = (oy, ox); reads outside the input are zeros.
 */
public record ConvSource(ConvGeometry g, float[] x, int xOff) implements RowSource {
    // x (C/g,H,W) at xOff -> dst[0, len) = im2col row r, columns [j0, j0 + len)
    @Override
    public void row(int r, int j0, int len, float[] dst) {
        int kw = g.kw();
        int kk = g.kh() * kw;
        int ci = r / kk;
        int ky = (r % kk) / kw;
        int kx = r % kw;
        int w = g.w();
        int ow = g.ow();
        int sw = g.strideW();
        int plane = xOff + ci * g.h() * w;
        // output columns ox in [lo, hi) read inside the input row; the rest read padding
        int shift = kx * g.dilW() - g.padL();
        int lo = Math.min(ow, Math.max(0, ceilDiv(-shift, sw)));
        int hi = Math.max(lo, Math.min(ow, ceilDiv(w - shift, sw)));
        int oy = j0 / ow;
        int ox = j0 - oy * ow;
        int d = 0;
        while (d < len) {
            int end = Math.min(ow, ox + len - d); // this output row's columns: [ox, end)
            int iy = oy * g.strideH() - g.padT() + ky * g.dilH();
            int base = d - ox; // dst index of column ox' is base + ox'
            if (iy < 0 || iy >= g.h()) {
                for (int t = d; t < base + end; t++) {
                    dst[t] = 0f;
                }
            } else {
                int a = Math.min(end, Math.max(ox, lo));
                int b = Math.max(a, Math.min(end, hi));
                for (int t = d; t < base + a; t++) {
                    dst[t] = 0f;
                }
                int src = plane + iy * w + shift;
                if (b == a) {
                    // this row reads padding only (src + a may lie outside x)
                } else if (sw == 1) {
                    System.arraycopy(x, src + a, dst, base + a, b - a);
                } else {
                    for (int o = a; o < b; o++) {
                        dst[base + o] = x[src + o * sw];
                    }
                }
                for (int t = base + b; t < base + end; t++) {
                    dst[t] = 0f;
                }
            }
            d = base + end;
            ox = 0;
            oy++;
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
