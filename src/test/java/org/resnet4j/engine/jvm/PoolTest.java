package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resnet4j.tensor.Tensor;

class PoolTest {
    static Tensor x3x3() {
        return OneNode.t(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void handComputedMaxPool() {
        Tensor x = OneNode.t(new int[] {1, 1, 4, 4}, 1, 5, 2, 0, 3, 4, -1, 9, 0, 0, 0, 0, -5, -6, -7, -8);
        Tensor y = OneNode.of("MaxPool")
                .input("x", x)
                .ints("kernel_shape", 2, 2)
                .ints("strides", 2, 2)
                .runJava();
        assertArrayEquals(new float[] {5, 9, 0, 0}, y.toArray());
    }

    @Test
    void handComputedMaxPoolCeilMode() {
        // 3x3 windows at stride 2 on 4 columns: ceil_mode adds a window over the last 2 columns
        Tensor x = OneNode.t(new int[] {1, 1, 1, 4}, 1, 3, 2, 7);
        Tensor y = OneNode.of("MaxPool")
                .input("x", x)
                .ints("kernel_shape", 1, 3)
                .ints("strides", 1, 2)
                .i("ceil_mode", 1)
                .runJava();
        assertArrayEquals(new float[] {3, 7}, y.toArray());
    }

    @Test
    void handComputedAveragePoolCountIncludePad() {
        // windows at (-1,-1), (-1,1), (1,-1), (1,1) hold 1, 2+3, 4+7, 5+6+8+9 of the input
        Tensor excl = OneNode.of("AveragePool")
                .input("x", x3x3())
                .ints("kernel_shape", 2, 2)
                .ints("strides", 2, 2)
                .ints("pads", 1, 1, 1, 1)
                .runJava();
        assertArrayEquals(new float[] {1, 2.5f, 5.5f, 7}, excl.toArray());
        Tensor incl = OneNode.of("AveragePool")
                .input("x", x3x3())
                .ints("kernel_shape", 2, 2)
                .ints("strides", 2, 2)
                .ints("pads", 1, 1, 1, 1)
                .i("count_include_pad", 1)
                .runJava();
        assertArrayEquals(new float[] {0.25f, 1.25f, 2.75f, 7}, incl.toArray());
    }

    /**
     * A 2^18-wide kernel over a 4-wide input with as much padding: 2^18 + 4 outputs, each the mean of
     * the few inputs its window covers (the spec's formula, count_include_pad 0 and 1). The kernel visits
     * only the taps inside the input and counts those in the padding, so its work follows the input and
     * the output, not the kernel (it visited every tap: 2^36 of them, minutes).
     */
    @Test
    void hugeKernelAveragePoolVisitsOnlyTheInput() {
        int k = 1 << 18;
        int pad = k;
        float[] x = {1, 2, 4, 8};
        int ow = x.length + 2 * pad - k + 1;
        for (int include = 0; include <= 1; include++) {
            OneNode n = OneNode.of("AveragePool")
                    .input("x", OneNode.t(new int[] {1, 1, 1, 4}, x))
                    .ints("kernel_shape", 1, k)
                    .ints("pads", 0, pad, 0, pad)
                    .i("count_include_pad", include);
            float[] want = new float[ow];
            for (int o = 0; o < ow; o++) {
                long start = (long) o - pad;
                double sum = 0;
                int inside = 0;
                for (int i = 0; i < x.length; i++) {
                    if (i >= start && i < start + k) {
                        sum += x[i];
                        inside++;
                    }
                }
                // every tap lies in the input or its padding: the divisor with the padding is the kernel
                int count = include == 1 ? k : inside;
                want[o] = count == 0 ? 0f : (float) (sum / count);
            }
            Tensor got = n.runJava();
            assertArrayEquals(new int[] {1, 1, 1, ow}, got.shape());
            assertArrayEquals(want, got.toArray(), "count_include_pad " + include);
        }
    }

    @Test
    void handComputedGlobalPools() {
        Tensor x = OneNode.t(new int[] {1, 2, 1, 3}, 1, 2, 6, -1, -2, -3);
        assertArrayEquals(
                new float[] {3, -2},
                OneNode.of("GlobalAveragePool").input("x", x).runJava().toArray());
        Tensor y = OneNode.of("GlobalMaxPool").input("x", x).runJava();
        assertArrayEquals(new int[] {1, 2, 1, 1}, y.shape());
        assertArrayEquals(new float[] {6, -1}, y.toArray());
    }

    static final int[] SIZES = {1, 3, 7, 17};

    @Test
    void randomisedAgainstOnnxRuntime() {
        Random r = new Random(23);
        int done = 0;
        while (done < 120) {
            boolean max = done % 2 == 0;
            int h = SIZES[r.nextInt(4)];
            int w = SIZES[r.nextInt(4)];
            int kh = 1 + r.nextInt(3);
            int kw = 1 + r.nextInt(4);
            int[] s = {1 + r.nextInt(3), 1 + r.nextInt(2)};
            int[] d = max && r.nextInt(3) == 0 ? new int[] {1 + r.nextInt(2), 2} : new int[] {1, 1};
            int[] p = {r.nextInt(kh), r.nextInt(kw), r.nextInt(kh), r.nextInt(kw)};
            int ceil = r.nextInt(2);
            String autoPad =
                    new String[] {"NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"}[r.nextInt(6)];
            if (!autoPad.equals("NOTSET")) {
                p = new int[4];
                d = new int[] {1, 1};
            }
            int spanH = (kh - 1) * d[0] + 1;
            int spanW = (kw - 1) * d[1] + 1;
            if (h + p[0] + p[2] < spanH || w + p[1] + p[3] < spanW) {
                continue;
            }
            OneNode node = OneNode.of(max ? "MaxPool" : "AveragePool")
                    .input("x", 500 + done, 1 + r.nextInt(2), 1 + 2 * r.nextInt(2), h, w)
                    .ints("kernel_shape", kh, kw)
                    .ints("strides", s[0], s[1])
                    .i("ceil_mode", ceil);
            if (autoPad.equals("NOTSET")) {
                node.ints("pads", p[0], p[1], p[2], p[3]);
            } else {
                node.s("auto_pad", autoPad);
            }
            if (max) {
                node.ints("dilations", d[0], d[1]);
            } else {
                node.i("count_include_pad", r.nextInt(2));
            }
            node.checkAgainstOrt(String.format(
                    "x[%d,%d] k[%d,%d] s=[%d,%d] d=[%d,%d] pads=[%d,%d,%d,%d] ceil=%d %s",
                    h, w, kh, kw, s[0], s[1], d[0], d[1], p[0], p[1], p[2], p[3], ceil, autoPad));
            done++;
        }
    }

    @Test
    void averagePoolDilationsFromOpset19() {
        OneNode.of("AveragePool")
                .opset(19)
                .input("x", 3, 1, 2, 17, 7)
                .ints("kernel_shape", 3, 2)
                .ints("dilations", 2, 3)
                .ints("pads", 1, 0, 2, 1)
                .i("count_include_pad", 1)
                .checkAgainstOrt("dilations opset 19");
    }

    @Test
    void globalPoolsAgainstOnnxRuntime() {
        int seed = 0;
        for (int[] shape : new int[][] {{1, 1, 1, 1}, {2, 3, 7, 17}, {1, 17, 3}, {3, 7, 1, 3, 7}}) {
            OneNode.of("GlobalAveragePool").input("x", seed++, shape).checkAgainstOrt(java.util.Arrays.toString(shape));
            OneNode.of("GlobalMaxPool").input("x", seed++, shape).checkAgainstOrt(java.util.Arrays.toString(shape));
        }
    }
}
