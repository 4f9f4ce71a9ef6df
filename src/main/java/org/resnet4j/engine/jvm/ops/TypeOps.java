package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.TensorProto;

/** Ops about element types and constant data: Cast, ConstantOfShape, and Dropout at inference. */
final class TypeOps {
    private TypeOps() {}

    /** x (any of the engine's types) as {@code to}: floats truncate toward zero into integers, non-zero is true. */
    static Value convert(Value x, ElemType to, RunContext ctx) {
        ElemType from = x.type();
        int n = x.numel();
        if (to.isFloat()) {
            float[] y = ctx.newFloatArray(n);
            for (int i = 0; i < n; i++) {
                y[i] = to.round(from.isFloat() ? x.f()[i] : (float) x.l()[i]);
            }
            return Value.of(to, x.shape(), y, null);
        }
        long[] y = ctx.newLongs(n);
        for (int i = 0; i < n; i++) {
            if (from.isFloat()) {
                float v = x.f()[i];
                y[i] = to == ElemType.BOOL ? (v != 0f ? 1 : 0) : to.wrap((long) v);
            } else {
                y[i] = to.wrap(x.l()[i]);
            }
        }
        return Value.of(to, x.shape(), null, y);
    }

    /** Cast: input -> output of the type in attribute {@code to}. */
    static final class Cast extends Op {
        private final ElemType to;

        Cast(NodeSpec s) {
            super(s);
            s.attributes(s.opset() >= 19 ? new String[] {"to", "saturate"} : new String[] {"to"})
                    .arity(1, 1, 1, 1);
            if (!s.has("to")) {
                throw s.refuse("attribute to is required");
            }
            int t = (int) s.i("to", 0);
            to = Constants.elemType(t);
            if (to == null) {
                throw s.refuse("to=" + TensorProto.DataType.forNumber(t) + " is not supported, expected one of "
                        + ElemType.onnxNames());
            }
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return new ElemType[] {to};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            return one(convert(in[0], to, ctx));
        }
    }

    /** ConstantOfShape: shape (int64, 1-D) -> a tensor of that shape filled with {@code value} (float 0 by default). */
    static final class ConstantOfShape extends Op {
        private final Value value;

        ConstantOfShape(NodeSpec s) {
            super(s);
            s.attributes("value").arity(1, 1, 1, 1);
            AttributeProto a = s.attr("value");
            if (a == null) {
                value = Value.floats(new int[] {1}, new float[] {0f});
            } else {
                value = Constants.fromProto(a.getT(), s.label() + " value");
                if (value.numel() != 1) {
                    throw s.refuse("value has shape " + Shapes.format(value.shape()) + ", expected one element");
                }
            }
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            if (in[0] != ElemType.INT64) {
                throw new UnsupportedModelException(label + ": input 0 has type " + in[0] + ", expected INT64");
            }
            return new ElemType[] {value.type()};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            long[] dims = LayoutOps.ints1d(this, in[0], "input");
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                    throw mismatch("shape " + Arrays.toString(dims) + " has a negative or too large dimension");
                }
                shape[i] = (int) dims[i];
            }
            int n = Shapes.numel(shape);
            if (value.isFloat()) {
                float[] y = ctx.newFloatArray(n);
                Arrays.fill(y, value.f()[0]);
                return one(Value.of(value.type(), shape, y, null));
            }
            long[] y = ctx.newLongs(n);
            Arrays.fill(y, value.l()[0]);
            return one(Value.of(value.type(), shape, null, y));
        }
    }

    /**
     * Dropout at inference: data -> data, and the optional mask (all true; bool from opset 10, of
     * data's type before). Training mode (the training_mode input from opset 12) with a non-zero
     * ratio is random and refused.
     */
    static final class Dropout extends Op {
        private final float attrRatio;

        Dropout(NodeSpec s) {
            super(s);
            if (s.opset() >= 12) {
                s.attributes("seed").arity(1, 3, 1, 2);
                attrRatio = 0.5f;
            } else {
                s.attributes("ratio").arity(1, 1, 1, 2);
                attrRatio = s.f("ratio", 0.5f);
            }
            Value training = s.constantInput(2);
            Value ratio = s.constantInput(1);
            // a ratio fed at run time may be 0 (then training mode drops nothing): run() checks it
            boolean ratioKnown = !s.hasInput(1) || ratio != null;
            if (training != null
                    && training.numel() == 1
                    && training.l()[0] != 0
                    && ratioKnown
                    && !(ratio != null && ratio.numel() == 1 && ratio.isFloat() && ratio.f()[0] == 0f)) {
                throw s.refuse("training_mode=true with a non-zero ratio is random (training-mode Dropout); "
                        + "the Java engine runs inference only");
            }
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            if (!in[0].isFloat()) {
                throw new UnsupportedModelException(
                        label + ": input 0 has type " + in[0] + ", expected FLOAT or FLOAT16");
            }
            if (in.length > 1 && in[1] != null && !in[1].isFloat()) {
                throw new UnsupportedModelException(
                        label + ": input ratio has type " + in[1] + ", expected a float type (FLOAT or FLOAT16)");
            }
            if (in.length > 2 && in[2] != null && in[2] != ElemType.BOOL) {
                throw new UnsupportedModelException(
                        label + ": input training_mode has type " + in[2] + ", expected BOOL");
            }
            return new ElemType[] {in[0], opset >= 10 ? ElemType.BOOL : in[0]};
        }

        @Override
        public boolean aliasesInput() {
            return true;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            boolean training = in.length > 2 && in[2] != null && in[2].l()[0] != 0;
            float ratio = in.length > 1 && in[1] != null ? in[1].f()[0] : attrRatio;
            if (training && ratio != 0f) {
                throw new UnsupportedModelException(label + ": training_mode=true with ratio " + ratio
                        + " is random (training-mode Dropout); the Java engine runs inference only");
            }
            int n = x.numel();
            Value mask;
            if (opset >= 10) {
                long[] m = ctx.newLongs(n);
                Arrays.fill(m, 1);
                mask = Value.of(ElemType.BOOL, x.shape(), null, m);
            } else {
                float[] m = ctx.newFloatArray(n);
                Arrays.fill(m, 1f);
                mask = Value.of(x.type(), x.shape(), m, null);
            }
            return new Value[] {x, mask};
        }
    }
}
