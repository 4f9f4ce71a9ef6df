package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.onnx.AttributeProto;

/**
 * Ops that move or describe data without arithmetic: Identity, Flatten, Reshape, Unsqueeze (views
 * of their input), Constant, Shape, Gather, Concat. They work on float and int64 values alike.
 */
final class ShapeOps {
    private ShapeOps() {}

    /** Output 0 has input 0's type; {@code extra} inputs must be INT64 (shape or axes operands). */
    private static ElemType[] sameAsFirst(String label, ElemType[] in, int... int64Inputs) {
        for (int i : int64Inputs) {
            if (i < in.length && in[i] != null && in[i] != ElemType.INT64) {
                throw new UnsupportedModelException(label + ": input " + i + " has type " + in[i] + ", expected INT64");
            }
        }
        return new ElemType[] {in[0]};
    }

    private static int toDim(Op op, long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw op.mismatch(what + " " + v + " is not a valid dimension");
        }
        return (int) v;
    }

    /** Identity: x -> y, the same data. */
    static final class Identity extends Op {
        Identity(NodeSpec s) {
            super(s);
            s.attributes().arity(1, 1, 1, 1);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameAsFirst(label, in);
        }

        @Override
        public boolean aliasesInput() {
            return true;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            return one(in[0]);
        }
    }

    /** Flatten: x (d0..dr-1) -> y (d0·..·d(axis-1), d(axis)·..·d(r-1)). */
    static final class Flatten extends Op {
        private final long axis;

        Flatten(NodeSpec s) {
            super(s);
            s.attributes("axis").arity(1, 1, 1, 1);
            axis = s.i("axis", 1);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameAsFirst(label, in);
        }

        @Override
        public boolean aliasesInput() {
            return true;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            int r = x.rank();
            if (axis < -r || axis > r) {
                throw mismatch("axis " + axis + " is out of range for rank " + r + ", expected " + -r + ".." + r);
            }
            int ax = (int) (axis < 0 ? axis + r : axis);
            int outer = 1;
            for (int i = 0; i < ax; i++) {
                outer *= x.dim(i);
            }
            int inner = 1;
            for (int i = ax; i < r; i++) {
                inner *= x.dim(i);
            }
            return one(x.reshaped(new int[] {outer, inner}));
        }
    }

    /** Reshape: data, shape (int64, 1-D) -> reshaped (0 copies a dim unless allowzero, -1 is inferred). */
    static final class Reshape extends Op {
        private final boolean allowZero;

        Reshape(NodeSpec s) {
            super(s);
            s.attributes(s.opset() >= 14 ? new String[] {"allowzero"} : new String[0])
                    .arity(2, 2, 1, 1);
            allowZero = s.oneOf("allowzero", 0, 0, 1) == 1;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameAsFirst(label, in, 1);
        }

        @Override
        public boolean aliasesInput() {
            return true;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value shapeIn = in[1];
            if (shapeIn.rank() != 1) {
                throw mismatch("input shape has shape " + Shapes.format(shapeIn.shape()) + ", expected rank 1");
            }
            long[] req = shapeIn.l();
            int[] out = new int[req.length];
            int infer = -1;
            long known = 1;
            for (int i = 0; i < req.length; i++) {
                long d = req[i];
                if (d == -1) {
                    if (infer >= 0) {
                        throw mismatch("shape " + Arrays.toString(req) + " has more than one -1");
                    }
                    infer = i;
                    continue;
                }
                if (d == 0 && !allowZero) {
                    if (i >= x.rank()) {
                        throw mismatch("shape " + Arrays.toString(req) + " copies dimension " + i + " (0) but input "
                                + Shapes.format(x.shape()) + " has rank " + x.rank());
                    }
                    d = x.dim(i);
                }
                out[i] = toDim(this, d, "shape entry");
                known *= out[i];
            }
            if (infer >= 0) {
                if (known == 0 || x.numel() % known != 0) {
                    throw mismatch("cannot reshape " + Shapes.format(x.shape()) + " to " + Arrays.toString(req));
                }
                out[infer] = (int) (x.numel() / known);
            }
            if (Shapes.numel(out) != x.numel()) {
                throw mismatch("cannot reshape " + Shapes.format(x.shape()) + " (" + x.numel() + " elements) to "
                        + Arrays.toString(req) + " -> " + Shapes.format(out));
            }
            return one(x.reshaped(out));
        }
    }

    /** Unsqueeze: data, axes (attribute before opset 13, int64 input from 13) -> data with 1s inserted. */
    static final class Unsqueeze extends Op {
        private final long[] axesAttr;

        Unsqueeze(NodeSpec s) {
            super(s);
            if (s.opset() >= 13) {
                s.attributes().arity(2, 2, 1, 1);
                axesAttr = null;
            } else {
                s.attributes("axes").arity(1, 1, 1, 1);
                axesAttr = s.ints("axes");
                if (axesAttr == null) {
                    throw s.refuse("attribute axes is required before opset 13");
                }
            }
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameAsFirst(label, in, 1);
        }

        @Override
        public boolean aliasesInput() {
            return true;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            long[] axes = axesAttr;
            if (axes == null) {
                if (in[1].rank() != 1) {
                    throw mismatch("input axes has shape " + Shapes.format(in[1].shape()) + ", expected rank 1");
                }
                axes = in[1].l();
            }
            int r = x.rank() + axes.length;
            boolean[] inserted = new boolean[r];
            for (long a : axes) {
                int ax = axis(a, r, "axis");
                if (inserted[ax]) {
                    throw mismatch("axes " + Arrays.toString(axes) + " repeat axis " + ax);
                }
                inserted[ax] = true;
            }
            int[] out = new int[r];
            for (int i = 0, j = 0; i < r; i++) {
                out[i] = inserted[i] ? 1 : x.dim(j++);
            }
            return one(x.reshaped(out));
        }
    }

    /** Constant: () -> the tensor in its attribute. Evaluated once, at load. */
    static final class Constant extends Op {
        private final Value value;

        Constant(NodeSpec s) {
            super(s);
            s.attributes(
                            "value",
                            "value_float",
                            "value_floats",
                            "value_int",
                            "value_ints",
                            "sparse_value",
                            "value_string",
                            "value_strings")
                    .arity(0, 0, 1, 1);
            if (s.proto().getAttributeCount() != 1) {
                throw s.refuse(
                        "has " + s.proto().getAttributeCount() + " attributes, expected exactly one value attribute");
            }
            AttributeProto a = s.proto().getAttribute(0);
            value = switch (a.getName()) {
                case "value" -> Constants.fromProto(a.getT(), s.label() + " value");
                case "value_float" -> Value.floats(new int[0], new float[] {s.f("value_float", 0)});
                case "value_floats" -> {
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = a.getFloats(i);
                    }
                    yield Value.floats(new int[] {f.length}, f);
                }
                case "value_int" -> Value.longs(new int[0], new long[] {s.i("value_int", 0)});
                case "value_ints" -> {
                    long[] l = s.ints("value_ints");
                    yield Value.longs(new int[] {l.length}, l);
                }
                default ->
                    throw s.refuse(
                            "attribute '" + a.getName()
                                    + "' is not supported, expected one of [value, value_float, value_floats, value_int, value_ints]");
            };
        }

        Value value() {
            return value;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return new ElemType[] {value.type()};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            return one(value);
        }
    }

    /** Shape: x -> its shape as int64 (1-D), sliced by start/end from opset 15. */
    static final class Shape extends Op {
        private final long start;
        private final Long end;

        Shape(NodeSpec s) {
            super(s);
            s.attributes(s.opset() >= 15 ? new String[] {"start", "end"} : new String[0])
                    .arity(1, 1, 1, 1);
            start = s.i("start", 0);
            end = s.has("end") ? s.i("end", 0) : null;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return new ElemType[] {ElemType.INT64};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            int r = in[0].rank();
            int lo = clamp(start, r);
            int hi = end == null ? r : clamp(end, r);
            int n = Math.max(0, hi - lo);
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = in[0].dim(lo + i);
            }
            return one(Value.longs(new int[] {n}, out));
        }

        private static int clamp(long v, int r) {
            long x = v < 0 ? v + r : v;
            return (int) Math.max(0, Math.min(r, x));
        }
    }

    /** Gather: data (d0..dr-1), indices (int64, any shape) -> data[..., indices, ...] along axis. */
    static final class Gather extends Op {
        private final long axis;

        Gather(NodeSpec s) {
            super(s);
            s.attributes("axis").arity(2, 2, 1, 1);
            axis = s.i("axis", 0);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            if (in[1] != ElemType.INT64 && in[1] != ElemType.INT32) {
                throw new UnsupportedModelException(
                        label + ": input 1 has type " + in[1] + ", expected INT64 or INT32");
            }
            return new ElemType[] {in[0]};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value data = in[0];
            Value idx = in[1];
            int r = data.rank();
            int ax = axis(axis, r, "axis");
            int outer = 1;
            for (int i = 0; i < ax; i++) {
                outer *= data.dim(i);
            }
            int len = data.dim(ax);
            int inner = 1;
            for (int i = ax + 1; i < r; i++) {
                inner *= data.dim(i);
            }
            long[] ix = idx.l();
            int[] pos = new int[ix.length];
            for (int i = 0; i < ix.length; i++) {
                long v = ix[i] < 0 ? ix[i] + len : ix[i];
                if (v < 0 || v >= len) {
                    throw mismatch("index " + ix[i] + " is out of range for axis " + ax + " of size " + len);
                }
                pos[i] = (int) v;
            }
            int[] shape = new int[r - 1 + idx.rank()];
            System.arraycopy(data.shape(), 0, shape, 0, ax);
            System.arraycopy(idx.shape(), 0, shape, ax, idx.rank());
            System.arraycopy(data.shape(), ax + 1, shape, ax + idx.rank(), r - ax - 1);
            // data (O,L,I), pos (P) -> out (O,P,I)
            if (data.isFloat()) {
                Value out = ctx.newFloats(shape);
                for (int o = 0; o < outer; o++) {
                    for (int p = 0; p < pos.length; p++) {
                        System.arraycopy(
                                data.f(), (o * len + pos[p]) * inner, out.f(), (o * pos.length + p) * inner, inner);
                    }
                }
                return one(out.as(data.type()));
            }
            long[] out = ctx.newLongs(Shapes.numel(shape));
            for (int o = 0; o < outer; o++) {
                for (int p = 0; p < pos.length; p++) {
                    System.arraycopy(data.l(), (o * len + pos[p]) * inner, out, (o * pos.length + p) * inner, inner);
                }
            }
            return one(Value.of(data.type(), shape, null, out));
        }
    }

    /** Concat: inputs of equal rank, equal but for axis -> one tensor along axis. */
    static final class Concat extends Op {
        private final long axis;

        Concat(NodeSpec s) {
            super(s);
            if (!s.has("axis")) {
                throw s.refuse("attribute axis is required");
            }
            s.attributes("axis").arity(1, Integer.MAX_VALUE, 1, 1);
            axis = s.i("axis", 0);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            for (int i = 1; i < in.length; i++) {
                if (in[i] != in[0]) {
                    throw new UnsupportedModelException(
                            label + ": input " + i + " has type " + in[i] + ", expected " + in[0] + " like input 0");
                }
            }
            return new ElemType[] {in[0]};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            int r = in[0].rank();
            int ax = axis(axis, r, "axis");
            int[] shape = in[0].shape().clone();
            shape[ax] = 0;
            for (Value v : in) {
                boolean ok = v.rank() == r;
                for (int d = 0; ok && d < r; d++) {
                    ok = d == ax || v.dim(d) == shape[d];
                }
                if (!ok) {
                    throw mismatch("input " + Shapes.format(v.shape()) + " does not match "
                            + Shapes.format(in[0].shape()) + " outside axis " + ax);
                }
                shape[ax] += v.dim(ax);
            }
            int outer = 1;
            for (int i = 0; i < ax; i++) {
                outer *= shape[i];
            }
            int inner = 1;
            for (int i = ax + 1; i < r; i++) {
                inner *= shape[i];
            }
            boolean isFloat = in[0].isFloat();
            Value out = isFloat
                    ? ctx.newFloats(shape).as(in[0].type())
                    : Value.of(in[0].type(), shape, null, ctx.newLongs(Shapes.numel(shape)));
            Object dst = isFloat ? out.f() : out.l();
            // inputs (O, L_i, I) -> out (O, sum L_i, I)
            int rowOut = shape[ax] * inner;
            int at = 0;
            for (Value v : in) {
                int row = v.dim(ax) * inner;
                Object src = isFloat ? v.f() : v.l();
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(src, o * row, dst, o * rowOut + at, row);
                }
                at += row;
            }
            return one(out);
        }
    }
}
