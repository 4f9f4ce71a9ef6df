package org.resnet4j.engine.jvm.ops;

import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.ConvKernels;
import org.resnet4j.tensor.Shapes;

/** Conv (opsets 11–21), 2-D: x (N,C,H,W), w (OC,C/group,kH,kW), b (OC) optional -> y (N,OC,OH,OW). */
final class ConvOp extends Op {
    private final Spatial spatial;
    private final int group;

    ConvOp(NodeSpec s) {
        super(s);
        s.attributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides").arity(2, 3, 1, 1);
        spatial = new Spatial(s, false, true, false);
        long g = s.i("group", 1);
        if (g < 1 || g > Integer.MAX_VALUE) {
            throw s.refuse("group " + g + " must be positive");
        }
        group = (int) g;
        Value w = s.constantInput(1);
        Value b = s.constantInput(2);
        // checked once here when the weights are initializers; run() checks them against X
        if (w != null && (w.rank() != 4 || w.dim(0) % group != 0)) {
            throw new MismatchException(label + ": W has shape " + Shapes.format(w.shape())
                    + ", expected rank 4 (OC, C/group, kH, kW) with OC divisible by group=" + group);
        }
        if (w != null && b != null && (b.rank() != 1 || b.dim(0) != w.dim(0))) {
            throw new MismatchException(label + ": B has shape " + Shapes.format(b.shape())
                    + ", expected [" + w.dim(0) + "] for W " + Shapes.format(w.shape()));
        }
        if (w != null && spatial.kernel != null && (spatial.kernel[0] != w.dim(2) || spatial.kernel[1] != w.dim(3))) {
            throw new MismatchException(label + ": kernel_shape [" + spatial.kernel[0] + ", "
                    + spatial.kernel[1] + "] does not match W " + Shapes.format(w.shape()));
        }
    }

    /** The geometry for these inputs, after every shape check. */
    ConvGeometry geometry(Value x, Value w, Value b) {
        requireRank(x, "X", 4);
        requireRank(w, "W", 4);
        int c = x.dim(1);
        int oc = w.dim(0);
        if (c % group != 0 || w.dim(1) * group != c || oc % group != 0) {
            throw mismatch("X " + Shapes.format(x.shape()) + " and W " + Shapes.format(w.shape())
                    + " do not fit group=" + group + ": expected W[1]·group = C and OC divisible by group");
        }
        if (spatial.kernel != null && (spatial.kernel[0] != w.dim(2) || spatial.kernel[1] != w.dim(3))) {
            throw mismatch("kernel_shape [" + spatial.kernel[0] + ", " + spatial.kernel[1] + "] does not match W "
                    + Shapes.format(w.shape()));
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != oc)) {
            throw mismatch("B has shape " + Shapes.format(b.shape()) + ", expected [" + oc + "]");
        }
        Spatial.Resolved r = spatial.resolve(x.dim(2), x.dim(3), w.dim(2), w.dim(3));
        if (r == null) {
            throw mismatch("kernel " + Shapes.format(w.shape()) + " does not fit input " + Shapes.format(x.shape())
                    + " with the given pads and dilations");
        }
        return new ConvGeometry(x.dim(0), c, x.dim(2), x.dim(3), oc, group, w.dim(2), w.dim(3),
                spatial.strides[0], spatial.strides[1], spatial.dilations[0], spatial.dilations[1],
                r.padT(), r.padL(), r.oh(), r.ow());
    }

    @Override
    public Value[] run(Value[] in, RunContext ctx) {
        Value x = in[0];
        Value w = in[1];
        Value b = in.length > 2 ? in[2] : null;
        ConvGeometry g = geometry(x, w, b);
        Value y = ctx.newFloats(new int[] {g.n(), g.oc(), g.oh(), g.ow()});
        int scratch = ConvKernels.scratchSize(g);
        float[] col = scratch == 0 ? null : ctx.scratch(scratch);
        try {
            ConvKernels.im2colGemm(g, x.f(), w.f(), b == null ? null : b.f(), y.f(), col, ctx.sgemm(), ctx.par());
        } finally {
            if (col != null) {
                ctx.release(col);
            }
        }
        return one(y);
    }
}
