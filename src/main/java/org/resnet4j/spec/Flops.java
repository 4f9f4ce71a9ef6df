package org.resnet4j.spec;

/**
 * Multiply-accumulates of a ResNet forward pass for one image, from the spec alone: the figure
 * torchvision's model docs call "GFLOPS" (ResNet-50: 4.09 G at 224x224). Convolutions and fc
 * count; BatchNorm, ReLU, additions and pooling are left out, as torchvision leaves them out.
 */
public final class Flops {
    private Flops() {}

    /** MACs for one {@code height} x {@code width} image. */
    public static long macs(ResNetSpec spec, int height, int width) {
        Counter c = new Counter(height, width);
        int k = spec.stemKernel();
        c.conv(spec.inChannels(), spec.stemWidth(), k, spec.stemStride(), k / 2, 1);
        if (spec.stemPool()) {
            c.pool(3, 2, 1);
        }
        int inplanes = spec.stemWidth();
        for (int stage = 0; stage < spec.stages(); stage++) {
            int planes = spec.widths().get(stage);
            for (int b = 0; b < spec.layers().get(stage); b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                int h = c.h;
                int w = c.w;
                int outC = planes * spec.block().expansion();
                if (spec.block() == BlockKind.BASIC) {
                    c.conv(inplanes, planes, 3, stride, 1, 1);
                    c.conv(planes, planes, 3, 1, 1, 1);
                } else {
                    int mid = spec.bottleneckWidth(planes);
                    c.conv(inplanes, mid, 1, 1, 0, 1);
                    c.conv(mid, mid, 3, stride, 1, spec.groups());
                    c.conv(mid, outC, 1, 1, 0, 1);
                }
                if (stride != 1 || inplanes != outC) {
                    Counter d = new Counter(h, w);
                    d.conv(inplanes, outC, 1, stride, 0, 1);
                    c.macs += d.macs;
                }
                inplanes = outC;
            }
        }
        c.macs += (long) inplanes * spec.numClasses();
        return c.macs;
    }

    /** Floating-point operations (2 per MAC) for a batch. */
    public static double flops(ResNetSpec spec, int batch, int height, int width) {
        return 2.0 * batch * macs(spec, height, width);
    }

    private static final class Counter {
        int h;
        int w;
        long macs;

        Counter(int h, int w) {
            this.h = h;
            this.w = w;
        }

        void conv(int inC, int outC, int k, int stride, int pad, int groups) {
            h = (h + 2 * pad - k) / stride + 1;
            w = (w + 2 * pad - k) / stride + 1;
            macs += (long) outC * h * w * (inC / groups) * k * k;
        }

        void pool(int k, int stride, int pad) {
            h = (h + 2 * pad - k) / stride + 1;
            w = (w + 2 * pad - k) / stride + 1;
        }
    }
}
