package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.WindowNd;

/**
 * Conv over any number of spatial dims on the direct kernel ({@link WindowNd}): 1-D (audio, ECG)
 * and 3-D (video) ResNets. x (N,C,in...), w (OC,C/group,k...), b (OC) -> y (N,OC,out...); with
 * the fused form's residual and relu applied after.
 */
final class ConvNd {
    private ConvNd() {}

    static Value run(
            Op op, Spatial spatial, int group, boolean relu, Value x, Value w, Value b, Value r, RunContext ctx) {
        if (w.rank() != x.rank() || x.rank() < 3) {
            throw op.mismatch("X " + Shapes.format(x.shape()) + " and W " + Shapes.format(w.shape())
                    + " must have the same rank, 3 or more (N, C, spatial...)");
        }
        int c = x.dim(1);
        int oc = w.dim(0);
        if (c % group != 0 || w.dim(1) * group != c || oc % group != 0) {
            throw op.mismatch("X " + Shapes.format(x.shape()) + " and W " + Shapes.format(w.shape())
                    + " do not fit group=" + group + ": expected W[1]·group = C and OC divisible by group");
        }
        int[] k = Arrays.copyOfRange(w.shape(), 2, w.rank());
        if (spatial.kernel != null && !Arrays.equals(spatial.kernel, k)) {
            throw op.mismatch("kernel_shape " + Arrays.toString(spatial.kernel) + " does not match W "
                    + Shapes.format(w.shape()));
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != oc)) {
            throw op.mismatch("B has shape " + Shapes.format(b.shape()) + ", expected [" + oc + "]");
        }
        Spatial.Nd nd = spatial.nd(op, x.shape(), k);
        int[] shape = new int[x.rank()];
        shape[0] = x.dim(0);
        shape[1] = oc;
        System.arraycopy(nd.g().out(), 0, shape, 2, shape.length - 2);
        Value y = ctx.newFloats(shape);
        WindowNd.conv(nd.g(), oc, group, x.f(), w.f(), b == null ? null : b.f(), y.f(), ctx.par());
        if (r == null && !relu) {
            return y;
        }
        int[] out = r == null ? shape : Broadcast.shape(shape, r.shape());
        if (out == null) {
            throw op.mismatch("conv output " + Shapes.format(shape) + " and residual " + Shapes.format(r.shape())
                    + " cannot be broadcast together");
        }
        Value sum = r == null ? y : ctx.newFloats(out);
        if (r != null) {
            Broadcast.binary(out, shape, y.f(), r.shape(), r.f(), sum.f(), Float::sum);
            ctx.release(y.f());
        }
        if (relu) {
            float[] ss = sum.f();
            for (int i = 0; i < ss.length; i++) {
                ss[i] = Math.max(ss[i], 0f);
            }
        }
        return sum;
    }
}
