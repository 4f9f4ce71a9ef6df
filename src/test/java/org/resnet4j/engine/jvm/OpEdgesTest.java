package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestModels;

/**
 * Operators at the edges of their spec, each against the spec's own formula written out here (in 64
 * bits, overflow stopping the walk) and against ONNX Runtime: Clip with min above max, Slice with
 * starts and ends far outside the axis and steps of INT64_MAX and INT64_MIN, Pad with negative pads
 * beside wrap, reflect and edge padding and with pads beyond int32, float16 NaN payloads through Identity.
 */
class OpEdgesTest {
    static float[] iota(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    @Test
    void clipWithMinAboveMaxGivesMaxEverywhere() {
        Tensor x = Tensor.of(new int[] {2, 5}, new float[] {-3, 0, 0.5f, 1, 1.5f, 2, 2.5f, 9, Float.NaN, -0f});
        OneNode n = OneNode.of("Clip")
                .opset(13)
                .input("x", x)
                .floatInit("min", Tensor.of(new int[0], new float[] {2f}))
                .floatInit("max", Tensor.of(new int[0], new float[] {1f}));
        // the spec: y = min(max(x, min), max), so every value is max; NaN stays NaN
        float[] want = {1, 1, 1, 1, 1, 1, 1, 1, Float.NaN, 1};
        assertArrayEquals(want, n.runJava().toArray(), "Java");
        assertArrayEquals(want, n.runOrt().toArray(), "ONNX Runtime");
    }

    /** The spec's Slice on one axis of {@code dim}: clamp as the spec says, then walk, stopping on overflow. */
    static List<Integer> sliceIndices(long dim, long start, long end, long step) {
        long s = start < 0 ? start + dim : start;
        long e = end < 0 ? end + dim : end;
        List<Integer> out = new ArrayList<>();
        if (step > 0) {
            s = Math.max(0, Math.min(dim, s));
            e = Math.max(0, Math.min(dim, e));
            for (long i = s; i < e; ) {
                out.add((int) i);
                try {
                    i = Math.addExact(i, step);
                } catch (ArithmeticException overflow) {
                    break;
                }
            }
        } else {
            s = Math.max(0, Math.min(dim - 1, s));
            e = Math.max(-1, Math.min(dim - 1, e));
            for (long i = s; i > e; ) {
                out.add((int) i);
                try {
                    i = Math.addExact(i, step);
                } catch (ArithmeticException overflow) {
                    break;
                }
            }
        }
        return out;
    }

    @Test
    void sliceClampsAndStepsAsTheSpecSays() {
        long max = Long.MAX_VALUE;
        long min = Long.MIN_VALUE;
        long[][] cases = {
            {-10, -20, -1}, // start below -dim with a negative step: clamped to 0, one element
            {-10, 10, 1},
            {6, -100, -1},
            {0, 7, max},
            {6, -100, min},
            {min, max, 2},
            {max, min, -3},
            {2, 2, 1},
            {-1, min, -1},
            {3, max, max},
            {min + 1, min, -1},
            {1, 6, 4},
        };
        int dim = 7;
        Tensor x = Tensor.of(new int[] {dim}, iota(dim));
        for (long[] c : cases) {
            List<Integer> idx = sliceIndices(dim, c[0], c[1], c[2]);
            float[] want = new float[idx.size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = idx.get(i);
            }
            OneNode n = OneNode.of("Slice")
                    .input("x", x)
                    .longInit("s", c[0])
                    .longInit("e", c[1])
                    .longInit("a", 0)
                    .longInit("st", c[2]);
            String what = "Slice start " + c[0] + " end " + c[1] + " step " + c[2];
            assertArrayEquals(want, n.runJava().toArray(), what + ": Java");
            assertArrayEquals(want, n.runOrt().toArray(), what + ": ONNX Runtime");
        }
    }

    /** The spec's Pad on a 1-D x, as ONNX Runtime reads negative pads: crop first, then pad the rest. */
    static float[] pad1d(float[] x, long lo, long hi, String mode, float fill) {
        int from = (int) Math.max(0, -lo);
        int to = x.length - (int) Math.max(0, -hi);
        float[] kept = Arrays.copyOfRange(x, from, to);
        int n = kept.length;
        int before = (int) Math.max(0, lo);
        int after = (int) Math.max(0, hi);
        float[] y = new float[before + n + after];
        for (int i = 0; i < y.length; i++) {
            int p = i - before;
            if (p >= 0 && p < n) {
                y[i] = kept[p];
                continue;
            }
            y[i] = switch (mode) {
                case "constant" -> fill;
                case "edge" -> kept[p < 0 ? 0 : n - 1];
                case "wrap" -> kept[Math.floorMod(p, n)];
                default -> {
                    // reflect: numpy's "reflect", the edge not repeated
                    int q = p;
                    while (q < 0 || q >= n) {
                        q = q < 0 ? -q : 2 * (n - 1) - q;
                    }
                    yield kept[q];
                }
            };
        }
        return y;
    }

    @Test
    void padCropsNegativePadsBeforePadding() {
        float[] x = iota(6);
        long[][] pads = {{2, -1}, {-1, 2}, {3, -2}, {-2, 4}, {0, -6}, {-3, -3}, {4, 0}};
        for (String mode : new String[] {"constant", "edge", "reflect", "wrap"}) {
            for (long[] p : pads) {
                OneNode n = OneNode.of("Pad")
                        .opset(19)
                        .input("x", Tensor.of(new int[] {6}, x))
                        .longInit("p", p[0], p[1])
                        .floatInit("v", Tensor.of(new int[0], new float[] {0.5f}))
                        .s("mode", mode);
                String what = "Pad " + mode + " " + Arrays.toString(p);
                if (!mode.equals("constant") && x.length + Math.min(0, p[0]) + Math.min(0, p[1]) == 0) {
                    // nothing left to repeat: both engines refuse
                    assertThrows(ResNet4jException.class, n::runOrt, what + ": ONNX Runtime");
                    ResNet4jException e = assertThrows(ResNet4jException.class, n::runJava, what + ": Java");
                    assertTrue(e.getMessage().contains("no elements"), e.getMessage());
                    continue;
                }
                float[] want = pad1d(x, p[0], p[1], mode, 0.5f);
                assertArrayEquals(want, n.runJava().toArray(), what + ": Java");
                long kept = x.length + Math.min(0, p[0]) + Math.min(0, p[1]);
                if (mode.equals("reflect") && Math.max(p[0], p[1]) > kept - 1) {
                    // more than one reflection: the spec (numpy's pad) reflects again; ONNX Runtime refuses
                    assertThrows(ResNet4jException.class, n::runOrt, what + ": ONNX Runtime");
                    continue;
                }
                assertArrayEquals(want, n.runOrt().toArray(), what + ": ONNX Runtime");
            }
        }
    }

    @Test
    void padsBeyondInt32AreRefusedNotTruncated() {
        long big = 1L << 32;
        for (long[] p :
                new long[][] {{big, 0}, {big, -big + 1}, {Long.MAX_VALUE, Long.MAX_VALUE}, {Long.MIN_VALUE, 2}}) {
            OneNode n = OneNode.of("Pad")
                    .input("x", Tensor.of(new int[] {3}, iota(3)))
                    .longInit("p", p[0], p[1]);
            ResNet4jException e = assertThrows(ResNet4jException.class, n::runJava, Arrays.toString(p));
            assertTrue(e.getMessage().contains("pads " + Arrays.toString(p)), e.getMessage());
        }
    }

    @Test
    void float16NanPayloadsPassThroughIdentity() {
        short[] bits = {(short) 0x7c01, (short) 0xfc01, (short) 0x7e00, (short) 0x7fff, (short) 0x7d55, 0x3c00};
        GraphProto g = GraphProto.newBuilder()
                .setName("identity")
                .addNode(TestModels.node("Identity", List.of("h"), "y"))
                .addInput(Onnx.valueInfo("h", DType.FLOAT16, bits.length))
                .addOutput(Onnx.valueInfo("y", DType.FLOAT16, bits.length))
                .build();
        try (JavaEngine e = new JavaEngine(TestModels.of(g, 17), 1)) {
            Tensor y = e.run(Map.of("h", Tensor.ofFloat16Bits(new int[] {bits.length}, bits)))
                    .get("y");
            short[] got = new short[bits.length];
            y.toLittleEndianBytes()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asShortBuffer()
                    .get(got);
            assertArrayEquals(bits, got, "float16 bit patterns, signalling and quiet NaNs with payloads");
        }
    }
}
