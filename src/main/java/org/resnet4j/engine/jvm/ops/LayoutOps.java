package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;

/**
 * Ops that rearrange elements of any type: Transpose, Slice, Pad (constant, reflect, edge), and
 * Squeeze (a view). Each computes, per output element, the input element it copies (or -1 for a
 * padded one) and {@link #gather}s.
 */
final class LayoutOps {
    private LayoutOps() {}

    /** C-order strides of {@code shape}. */
    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** Receives one output position's per-axis index and returns the input offset (or -1: padding). */
    @FunctionalInterface
    interface SourceOf {
        int at(int[] idx);
    }

    // x (any), map: out index -> x offset or -1 -> y (outShape); -1 takes {@code fill}
    static Value gather(Value x, int[] outShape, SourceOf map, double fill, RunContext ctx) {
        int n = Shapes.numel(outShape);
        int r = outShape.length;
        int[] idx = new int[r];
        if (x.isFloat()) {
            Value y = ctx.newFloats(outShape);
            float[] xs = x.f();
            float[] ys = y.f();
            float fv = x.type().round((float) fill);
            for (int i = 0; i < n; i++) {
                int s = map.at(idx);
                ys[i] = s < 0 ? fv : xs[s];
                next(idx, outShape);
            }
            return y.as(x.type());
        }
        long[] xs = x.l();
        long[] ys = ctx.newLongs(n);
        long fv = x.type().wrap((long) fill);
        for (int i = 0; i < n; i++) {
            int s = map.at(idx);
            ys[i] = s < 0 ? fv : xs[s];
            next(idx, outShape);
        }
        return Value.of(x.type(), outShape, null, ys);
    }

    private static void next(int[] idx, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                return;
            }
            idx[d] = 0;
        }
    }

    /** Data of any type in, the same type out; the listed operand inputs are integer tensors. */
    abstract static class AnyType extends Op {
        private final int[] intInputs;

        AnyType(NodeSpec s, int... intInputs) {
            super(s);
            this.intInputs = intInputs;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            for (int i : intInputs) {
                if (i < in.length && in[i] != null && in[i] != ElemType.INT64 && in[i] != ElemType.INT32) {
                    throw new UnsupportedModelException(
                            label + ": input " + i + " has type " + in[i] + ", expected INT64 or INT32");
                }
            }
            return new ElemType[] {in[0]};
        }
    }

    /** Transpose: x (d0..dr-1) -> y (d[perm[0]]..d[perm[r-1]]); perm defaults to reversed axes. */
    static final class Transpose extends AnyType {
        private final long[] perm;

        Transpose(NodeSpec s) {
            super(s);
            s.attributes("perm").arity(1, 1, 1, 1);
            perm = s.ints("perm");
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            int r = x.rank();
            int[] p = new int[r];
            boolean[] seen = new boolean[r];
            for (int i = 0; i < r; i++) {
                p[i] = perm == null ? r - 1 - i : i < perm.length ? axis(perm[i], r, "perm entry") : -1;
                if (perm != null && perm.length != r || p[i] < 0 || seen[p[i]]) {
                    throw mismatch("perm " + Arrays.toString(perm) + " is not a permutation of the axes of "
                            + Shapes.format(x.shape()));
                }
                seen[p[i]] = true;
            }
            int[] st = strides(x.shape());
            int[] out = new int[r];
            int[] pst = new int[r];
            for (int i = 0; i < r; i++) {
                out[i] = x.dim(p[i]);
                pst[i] = st[p[i]];
            }
            return one(gather(
                    x,
                    out,
                    idx -> {
                        int o = 0;
                        for (int i = 0; i < idx.length; i++) {
                            o += idx[i] * pst[i];
                        }
                        return o;
                    },
                    0,
                    ctx));
        }
    }

    /** A 1-D integer operand (starts, ends, axes, steps, pads). */
    static long[] ints1d(Op op, Value v, String name) {
        if (v.rank() != 1 || v.isFloat()) {
            throw op.mismatch("input " + name + " has " + v + ", expected a 1-D integer tensor");
        }
        return v.l();
    }

    /**
     * Slice: data, starts, ends, axes?, steps? -> data[starts:ends:steps] along axes (inputs from
     * opset 10; before, attributes starts, ends, axes and steps of 1). Out-of-range bounds clamp.
     */
    static final class Slice extends AnyType {
        private final long[] attrStarts;
        private final long[] attrEnds;
        private final long[] attrAxes;

        Slice(NodeSpec s) {
            super(s, 1, 2, 3, 4);
            if (s.opset() >= 10) {
                s.attributes().arity(3, 5, 1, 1);
                attrStarts = attrEnds = attrAxes = null;
            } else {
                s.attributes("starts", "ends", "axes").arity(1, 1, 1, 1);
                attrStarts = s.ints("starts");
                attrEnds = s.ints("ends");
                attrAxes = s.ints("axes");
                if (attrStarts == null || attrEnds == null) {
                    throw s.refuse("attributes starts and ends are required before opset 10");
                }
            }
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            int r = x.rank();
            long[] starts = attrStarts != null ? attrStarts : ints1d(this, in[1], "starts");
            long[] ends = attrStarts != null ? attrEnds : ints1d(this, in[2], "ends");
            long[] axes =
                    attrStarts != null ? attrAxes : in.length > 3 && in[3] != null ? ints1d(this, in[3], "axes") : null;
            long[] steps = attrStarts == null && in.length > 4 && in[4] != null ? ints1d(this, in[4], "steps") : null;
            int k = starts.length;
            if (ends.length != k || (axes != null && axes.length != k) || (steps != null && steps.length != k)) {
                throw mismatch("starts, ends, axes and steps have lengths " + k + ", " + ends.length + ", "
                        + (axes == null ? "-" : axes.length) + ", " + (steps == null ? "-" : steps.length)
                        + "; expected equal");
            }
            int[] begin = new int[r];
            int[] step = new int[r];
            int[] out = x.shape().clone();
            Arrays.fill(step, 1);
            boolean[] seen = new boolean[r];
            for (int i = 0; i < k; i++) {
                int ax = axis(axes == null ? i : axes[i], r, "axis");
                if (seen[ax]) {
                    throw mismatch("axes " + Arrays.toString(axes) + " repeat axis " + ax);
                }
                seen[ax] = true;
                long st = steps == null ? 1 : steps[i];
                if (st == 0) {
                    throw mismatch("steps " + Arrays.toString(steps) + " contain 0");
                }
                long dim = x.dim(ax);
                // the spec's clamping, in 64 bits: a negative start or end counts from the end once, then
                // starts clamp to [0, dim] and ends to [0, dim] for positive steps, starts to [0, dim - 1]
                // and ends to [-1, dim - 1] for negative ones
                long a = starts[i] < 0 ? starts[i] + dim : starts[i];
                long b = ends[i] < 0 ? ends[i] + dim : ends[i];
                // |step|, with INT64_MIN's taken as INT64_MAX: either way one element at most
                long mag = st == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(st);
                long count;
                if (dim == 0) {
                    a = 0;
                    count = 0;
                } else if (st > 0) {
                    a = Math.max(0, Math.min(dim, a));
                    b = Math.max(0, Math.min(dim, b));
                    count = b > a ? (b - a - 1) / mag + 1 : 0;
                } else {
                    a = Math.max(0, Math.min(dim - 1, a));
                    b = Math.max(-1, Math.min(dim - 1, b));
                    count = a > b ? (a - b - 1) / mag + 1 : 0;
                }
                begin[ax] = (int) a;
                // more than one element only when |step| < dim, so the step then fits an int
                step[ax] = count > 1 ? (int) st : 1;
                out[ax] = (int) count;
            }
            int[] xs = strides(x.shape());
            return one(gather(
                    x,
                    out,
                    idx -> {
                        int o = 0;
                        for (int i = 0; i < idx.length; i++) {
                            o += (begin[i] + idx[i] * step[i]) * xs[i];
                        }
                        return o;
                    },
                    0,
                    ctx));
        }
    }

    /**
     * Pad: data, pads (begins then ends, per axis; negative crops), constant_value?, axes? -> y.
     * Before opset 11 pads and value are attributes. Modes constant, reflect, edge (and wrap, 19).
     */
    static final class Pad extends AnyType {
        private final String mode;
        private final long[] attrPads;
        private final float attrValue;

        Pad(NodeSpec s) {
            super(s, 1, 3);
            if (s.opset() >= 11) {
                s.attributes("mode").arity(2, s.opset() >= 18 ? 4 : 3, 1, 1);
                attrPads = null;
                attrValue = 0;
            } else {
                s.attributes("mode", "pads", "value").arity(1, 1, 1, 1);
                attrPads = s.ints("pads");
                if (attrPads == null) {
                    throw s.refuse("attribute pads is required before opset 11");
                }
                attrValue = s.f("value", 0f);
            }
            mode = s.s("mode", "constant");
            if (!mode.equals("constant")
                    && !mode.equals("reflect")
                    && !mode.equals("edge")
                    && !(mode.equals("wrap") && s.opset() >= 19)) {
                throw s.refuse("mode '" + mode + "' is not supported, expected one of [constant, reflect, edge"
                        + (s.opset() >= 19 ? ", wrap]" : "]"));
            }
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            int r = x.rank();
            long[] pads = attrPads != null ? attrPads : ints1d(this, in[1], "pads");
            double fill = attrValue;
            if (attrPads == null && in.length > 2 && in[2] != null) {
                Value v = in[2];
                if (v.numel() != 1 || v.type() != x.type()) {
                    throw mismatch("input constant_value has " + v + ", expected a scalar of type " + x.type());
                }
                fill = v.isFloat() ? v.f()[0] : v.l()[0];
            }
            int[] axes = new int[r];
            if (in.length > 3 && in[3] != null) {
                long[] a = ints1d(this, in[3], "axes");
                axes = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    axes[i] = axis(a[i], r, "axis");
                }
            } else {
                for (int i = 0; i < r; i++) {
                    axes[i] = i;
                }
            }
            if (pads.length != 2 * axes.length) {
                throw mismatch("pads " + Arrays.toString(pads) + " has " + pads.length + " values, expected "
                        + 2 * axes.length + " for input " + Shapes.format(x.shape()));
            }
            // per axis, as ONNX Runtime reads negative pads: the input is first cropped (a negative pad
            // removes that many elements from its side), then padded on the other (non-negative pads);
            // edge, reflect and wrap read the cropped input. All in 64 bits: a pad may be any int64.
            int[] cropLo = new int[r];
            int[] kept = x.shape().clone();
            int[] padLo = new int[r];
            int[] out = x.shape().clone();
            for (int i = 0; i < axes.length; i++) {
                int ax = axes[i];
                long lo = pads[i];
                long hi = pads[i + axes.length];
                long dim = x.dim(ax);
                long cutLo = lo < 0 ? (lo == Long.MIN_VALUE ? Long.MAX_VALUE : -lo) : 0;
                long cutHi = hi < 0 ? (hi == Long.MIN_VALUE ? Long.MAX_VALUE : -hi) : 0;
                if (cutLo > dim || cutHi > dim - cutLo) {
                    throw mismatch("pads " + Arrays.toString(pads) + " crop more than the " + dim + " elements of axis "
                            + ax + " of input " + Shapes.format(x.shape()));
                }
                long size = dim - cutLo - cutHi;
                long grown = (double) size + Math.max(0, lo) + Math.max(0, hi) > Integer.MAX_VALUE
                        ? -1
                        : size + Math.max(0, lo) + Math.max(0, hi);
                if (grown < 0) {
                    throw mismatch("pads " + Arrays.toString(pads) + " give axis " + ax + " of input "
                            + Shapes.format(x.shape()) + " more than " + Integer.MAX_VALUE + " elements");
                }
                cropLo[ax] = (int) cutLo;
                kept[ax] = (int) size;
                padLo[ax] = (int) Math.max(0, lo);
                out[ax] = (int) grown;
            }
            if (!mode.equals("constant")) {
                for (int d = 0; d < r; d++) {
                    // cropped or padded: a crop at the start and a pad at the end of equal size leave the
                    // size and the leading pad as they were, but an axis cropped empty has nothing to repeat
                    boolean changed = cropLo[d] != 0 || padLo[d] != 0 || out[d] != x.dim(d);
                    int padded = out[d] - kept[d];
                    if (changed && kept[d] == 0) {
                        // as ONNX Runtime refuses it ("zero effective input extent"): nothing to repeat
                        throw mismatch("mode " + mode + " cannot pad an axis left with no elements: axis " + d + " of "
                                + Shapes.format(x.shape()) + " with pads " + Arrays.toString(pads));
                    }
                    if (padded > 0 && mode.equals("reflect") && kept[d] < 2) {
                        throw mismatch("mode reflect needs at least 2 elements along padded axis " + d + " of "
                                + Shapes.format(x.shape()) + " with pads " + Arrays.toString(pads));
                    }
                }
            }
            int[] xs = strides(x.shape());
            return one(gather(
                    x,
                    out,
                    idx -> {
                        int o = 0;
                        for (int i = 0; i < idx.length; i++) {
                            int p = idx[i] - padLo[i];
                            int n = kept[i];
                            if (p < 0 || p >= n) {
                                switch (mode) {
                                    case "constant" -> {
                                        return -1;
                                    }
                                    case "edge" -> p = p < 0 ? 0 : n - 1;
                                    case "wrap" -> p = Math.floorMod(p, n);
                                    default -> {
                                        // reflect: mirror without repeating the edge, period 2(n-1)
                                        int period = 2 * (n - 1);
                                        p = Math.floorMod(p, period);
                                        if (p >= n) {
                                            p = period - p;
                                        }
                                    }
                                }
                            }
                            o += (cropLo[i] + p) * xs[i];
                        }
                        return o;
                    },
                    fill,
                    ctx));
        }
    }

    /** Squeeze: data, axes (attribute before opset 13, optional input from 13) -> data without those 1s (all 1s by default). */
    static final class Squeeze extends AnyType {
        private final long[] axesAttr;

        Squeeze(NodeSpec s) {
            super(s, 1);
            if (s.opset() >= 13) {
                s.attributes().arity(1, 2, 1, 1);
                axesAttr = null;
            } else {
                s.attributes("axes").arity(1, 1, 1, 1);
                axesAttr = s.ints("axes");
            }
        }

        @Override
        public boolean aliasesInput() {
            return true;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            long[] axes =
                    axesAttr != null ? axesAttr : in.length > 1 && in[1] != null ? ints1d(this, in[1], "axes") : null;
            boolean[] drop = new boolean[x.rank()];
            if (axes == null) {
                for (int i = 0; i < drop.length; i++) {
                    drop[i] = x.dim(i) == 1;
                }
            } else {
                for (long a : axes) {
                    int ax = axis(a, x.rank(), "axis");
                    if (x.dim(ax) != 1) {
                        throw mismatch("axis " + a + " of " + Shapes.format(x.shape()) + " has size " + x.dim(ax)
                                + ", expected 1");
                    }
                    drop[ax] = true;
                }
            }
            int[] out = new int[x.rank()];
            int n = 0;
            for (int i = 0; i < drop.length; i++) {
                if (!drop[i]) {
                    out[n++] = x.dim(i);
                }
            }
            return one(x.reshaped(Arrays.copyOf(out, n)));
        }
    }
}
