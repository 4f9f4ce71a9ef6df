package org.resnet4j.engine.jvm.ops;

import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;

/**
 * A compiled node. Built once per model (attributes parsed and checked in the constructor),
 * immutable afterwards, so one op serves concurrent runs. {@link #run} infers the output shapes
 * from the actual inputs, takes output buffers from the run's pool and fills them.
 */
public abstract class Op {
    protected final String label;
    protected final int opset;

    protected Op(NodeSpec spec) {
        this.label = spec.label();
        this.opset = spec.opset();
    }

    public String label() {
        return label;
    }

    /**
     * Output element types from input types (null for an omitted optional input); refuses what it
     * cannot compute. The default: float inputs, one float output.
     */
    public ElemType[] outputTypes(ElemType[] in) {
        for (int i = 0; i < in.length; i++) {
            if (in[i] != null && in[i] != ElemType.FLOAT) {
                throw new UnsupportedModelException(label + ": input " + i + " has type " + in[i] + ", expected FLOAT");
            }
        }
        return new ElemType[] {ElemType.FLOAT};
    }

    /** True when output 0 shares input 0's data (reshapes): the planner keeps the data alive for both. */
    public boolean aliasesInput() {
        return false;
    }

    /**
     * Load-time preparation once the engine's GEMM is known (weights repacked into its layout).
     * Called once, before any run; the default does nothing.
     */
    public void prepare(org.resnet4j.engine.jvm.kernels.Sgemm sgemm) {}

    /** Runs the op; {@code in[i]} is null for an omitted optional input. */
    public abstract Value[] run(Value[] in, RunContext ctx);

    protected MismatchException mismatch(String message) {
        return new MismatchException(label + ": " + message);
    }

    protected void requireRank(Value v, String name, int rank) {
        if (v.rank() != rank) {
            throw mismatch("input " + name + " has shape " + Shapes.format(v.shape()) + ", expected rank " + rank);
        }
    }

    /** Normalises a possibly negative axis into [0, rank). */
    protected int axis(long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw mismatch(what + " " + axis + " is out of range for rank " + rank + ", expected " + -rank + ".."
                    + (rank - 1));
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    protected static Value[] one(Value v) {
        return new Value[] {v};
    }
}
