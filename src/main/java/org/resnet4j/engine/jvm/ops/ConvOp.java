package org.resnet4j.engine.jvm.ops;

import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.ConvKernels;
import org.resnet4j.engine.jvm.kernels.PackedA;
import org.resnet4j.engine.jvm.kernels.Sgemm;

/**
 * Conv (opsets 7–21), 2-D: x (N,C,H,W), w (OC,C/group,kH,kW), b (OC) optional -> y (N,OC,OH,OW);
 * other spatial ranks (1-D, 3-D) on the general path ({@link ConvNd}).
 * Also the fused form {@link Fusion} makes: a fourth input, a residual r (N,OC,OH,OW), and
 * {@code fused_relu}: y = relu?(conv + b + r), applied by the GEMM as it stores.
 */
final class ConvOp extends Op {
    private final Spatial spatial;
    private final int group;
    private final boolean relu;
    /** The constant W, when it is one, and its per-group packing for the engine's GEMM (set by prepare). */
    private final Value constantW;

    private PackedA[] packedW;
    private Sgemm packedFor;

    ConvOp(NodeSpec s) {
        super(s);
        boolean fused = s.proto().getDomain().equals(Fusion.DOMAIN);
        if (fused) {
            s.attributes(
                            "auto_pad",
                            "dilations",
                            "group",
                            "kernel_shape",
                            "pads",
                            "strides",
                            Fusion.RELU_ATTR,
                            NchwcOps.LAYOUT_ATTR)
                    .arity(2, 4, 1, 1);
        } else {
            s.attributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides")
                    .arity(2, 3, 1, 1);
        }
        relu = s.i(Fusion.RELU_ATTR, 0) != 0;
        spatial = new Spatial(s, false, true, false);
        long g = s.i("group", 1);
        if (g < 1 || g > Integer.MAX_VALUE) {
            throw s.refuse("group " + g + " must be positive");
        }
        group = (int) g;
        Value w = s.constantInput(1);
        Value b = s.constantInput(2);
        constantW = w != null && w.type() == ElemType.FLOAT && w.rank() == 4 && w.dim(0) % group == 0 ? w : null;
        // checked once here when the weights are initializers; run() checks them against X
        if (w != null && (w.rank() < 3 || w.dim(0) % group != 0)) {
            throw new MismatchException(label + ": W has shape " + Shapes.format(w.shape())
                    + ", expected rank 3 or more (OC, C/group, k...) with OC divisible by group=" + group);
        }
        if (w != null && b != null && (b.rank() != 1 || b.dim(0) != w.dim(0))) {
            throw new MismatchException(label + ": B has shape " + Shapes.format(b.shape()) + ", expected [" + w.dim(0)
                    + "] for W " + Shapes.format(w.shape()));
        }
        if (w != null
                && w.rank() == 4
                && spatial.kernel != null
                && spatial.rank() == 2
                && (spatial.kernel[0] != w.dim(2) || spatial.kernel[1] != w.dim(3))) {
            throw new MismatchException(label + ": kernel_shape [" + spatial.kernel[0] + ", " + spatial.kernel[1]
                    + "] does not match W " + Shapes.format(w.shape()));
        }
    }

    int group() {
        return group;
    }

    boolean relu() {
        return relu;
    }

    /** The geometry for these inputs, after every shape check. */
    ConvGeometry geometry(Value x, Value w, Value b) {
        requireRank(x, "X", 4);
        return geometry(x.shape(), w, b);
    }

    /** The same for an input of logical shape {@code xShape} (N, C, H, W), whatever its layout. */
    ConvGeometry geometry(int[] xShape, Value w, Value b) {
        requireRank(w, "W", 4);
        int c = xShape[1];
        int oc = w.dim(0);
        if (c % group != 0 || w.dim(1) * group != c || oc % group != 0) {
            throw mismatch("X " + Shapes.format(xShape) + " and W " + Shapes.format(w.shape()) + " do not fit group="
                    + group + ": expected W[1]·group = C and OC divisible by group");
        }
        if (spatial.kernel != null && (spatial.kernel[0] != w.dim(2) || spatial.kernel[1] != w.dim(3))) {
            throw mismatch("kernel_shape [" + spatial.kernel[0] + ", " + spatial.kernel[1] + "] does not match W "
                    + Shapes.format(w.shape()));
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != oc)) {
            throw mismatch("B has shape " + Shapes.format(b.shape()) + ", expected [" + oc + "]");
        }
        Spatial.Resolved r = spatial.resolve(xShape[2], xShape[3], w.dim(2), w.dim(3));
        if (r == null) {
            throw mismatch("kernel " + Shapes.format(w.shape()) + " does not fit input " + Shapes.format(xShape)
                    + " with the given pads and dilations");
        }
        return new ConvGeometry(
                xShape[0],
                c,
                xShape[2],
                xShape[3],
                oc,
                group,
                w.dim(2),
                w.dim(3),
                spatial.strides[0],
                spatial.strides[1],
                spatial.dilations[0],
                spatial.dilations[1],
                r.padT(),
                r.padL(),
                r.oh(),
                r.ow());
    }

    @Override
    public void prepare(Sgemm sgemm) {
        if (constantW != null) {
            packedW = pack(constantW, sgemm);
            packedFor = sgemm;
        }
    }

    // w (OC,C/g,kH,kW) -> per group the (OC/g, (C/g)kHkW) matrix in the GEMM's layout
    private PackedA[] pack(Value w, Sgemm sgemm) {
        int ocg = w.dim(0) / group;
        int kdim = w.dim(1) * w.dim(2) * w.dim(3);
        PackedA[] p = new PackedA[group];
        for (int grp = 0; grp < group; grp++) {
            p[grp] = sgemm.pack(ocg, kdim, w.f(), grp * ocg * kdim, kdim);
        }
        return p;
    }

    @Override
    public Value[] run(Value[] in, RunContext ctx) {
        Value x = in[0];
        Value w = in[1];
        Value b = in.length > 2 ? in[2] : null;
        Value r = in.length > 3 ? in[3] : null;
        if (x.rank() != 4 || w.rank() != 4 || spatial.rank() != 2) {
            return one(ConvNd.run(this, spatial, group, relu, x, w, b, r, ctx));
        }
        ConvGeometry g = geometry(x, w, b);
        int[] yShape = {g.n(), g.oc(), g.oh(), g.ow()};
        boolean residualFits = r == null || java.util.Arrays.equals(r.shape(), yShape);
        Value y = ctx.newFloats(yShape);
        int scratch = ConvKernels.scratchSize(g, ctx.sgemm());
        float[] col = scratch == 0 ? null : ctx.scratch(scratch);
        PackedA[] pw = w == constantW && packedFor == ctx.sgemm() ? packedW : pack(w, ctx.sgemm());
        try {
            ConvKernels.conv(
                    g,
                    x.f(),
                    pw,
                    b == null ? null : b.f(),
                    residualFits && r != null ? r.f() : null,
                    relu && residualFits,
                    y.f(),
                    col,
                    ctx.sgemm(),
                    ctx.par());
        } finally {
            if (col != null) {
                ctx.release(col);
            }
        }
        if (!residualFits) {
            // a residual that only broadcasts: the unfused Add and Relu after the plain conv
            int[] shape = Broadcast.shape(yShape, r.shape());
            if (shape == null) {
                throw mismatch("conv output " + Shapes.format(yShape) + " and residual " + Shapes.format(r.shape())
                        + " cannot be broadcast together");
            }
            Value sum = ctx.newFloats(shape);
            float[] ss = sum.f();
            Broadcast.binary(shape, yShape, y.f(), r.shape(), r.f(), ss, Float::sum);
            if (relu) {
                for (int i = 0; i < ss.length; i++) {
                    ss[i] = Math.max(ss[i], 0f);
                }
            }
            ctx.release(y.f());
            return one(sum);
        }
        return one(y);
    }
}
