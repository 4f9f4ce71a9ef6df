package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.PoolKernels.PoolGeometry;
import org.resnet4j.engine.jvm.kernels.Sgemm;
import org.resnet4j.engine.jvm.kernels.nchwc.BlockedPools;
import org.resnet4j.engine.jvm.kernels.nchwc.BlockedWeights;
import org.resnet4j.engine.jvm.kernels.nchwc.DirectConv;
import org.resnet4j.engine.jvm.kernels.nchwc.Nchwc;
import org.resnet4j.engine.jvm.kernels.nchwc.Winograd;

/**
 * The ops {@link NchwcRewrite} puts in the graph (internal domain {@link Fusion#DOMAIN}, never read
 * from a file): Conv, MaxPool and the global pools on the channel-blocked layout (N, ceil(C/L), H, W, L)
 * of {@link Nchwc}, and the conversion back to the plain layout. Relu runs on blocked values as it is
 * (an element-wise op does not care about the layout, and keeps the padded lanes at zero).
 */
final class NchwcOps {
    /** Marks a (fused-domain) Conv that runs on the blocked layout. */
    static final String LAYOUT_ATTR = "nchwc_layout";

    static final String FROM = "FromNchwc";
    static final String MAX_POOL = "NchwcMaxPool";
    static final String GLOBAL_AVERAGE = "NchwcGlobalAveragePool";
    static final String GLOBAL_MAX = "NchwcGlobalMaxPool";
    /** The logical channel count, on ops whose output is in the plain layout. */
    static final String CHANNELS_ATTR = "channels";

    static final Map<String, Function<NodeSpec, Op>> OPS = Map.of(
            FROM,
            FromBlocked::new,
            MAX_POOL,
            MaxPool::new,
            GLOBAL_AVERAGE,
            s -> new Global(s, false),
            GLOBAL_MAX,
            s -> new Global(s, true));

    private NchwcOps() {}

    /**
     * A value made once, on first use, by whichever run gets there first (the others wait), then read
     * without a lock: the packed weights of a kernel path that a convolution may never take.
     */
    static final class Lazy<T> {
        private final Supplier<T> make;
        private volatile T value;

        Lazy(Supplier<T> make) {
            this.make = make;
        }

        T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) {
                        v = make.get();
                        value = v;
                    }
                }
            }
            return v;
        }
    }

    static void requireBlocked(Op op, Value x, int channels) {
        if (x.rank() != 5 || x.dim(4) != Nchwc.L || channels >= 0 && x.dim(1) != Nchwc.blocks(channels)) {
            throw op.mismatch("blocked input has shape " + Shapes.format(x.shape()) + ", expected (N, "
                    + (channels >= 0 ? Nchwc.blocks(channels) : "CB") + ", H, W, " + Nchwc.L + ")");
        }
    }

    /**
     * Conv (plain or fused) on a blocked x (or the plain graph input, converted here) and a blocked
     * residual: the attributes and inputs of {@link ConvOp}, W and B constant.
     *
     * <p>A group-1 conv on the plain graph input with fewer input channels than a block (a ResNet's
     * stem: 3 of L lanes; the digits model's 1) reads that input as it is, one channel per step ({@link
     * BlockedWeights#packPlainInput}): the blocked kernel would multiply L - 3 zero lanes (5 of 8 at
     * 256 bits), and ran the stem at 8-14 GFLOP/s, a sixth of its 3x3 rate. A grouped one with fewer
     * input channels per group than a block runs on the GEMM path and has its output converted.
     */
    static final class Conv extends Op {
        private final ConvOp conv;
        /**
         * The direct kernel's weights, made on the first run that takes that path: a convolution that
         * always runs {@link Winograd} does not keep a second copy.
         */
        private final Lazy<BlockedWeights> packed;
        /** Input channels per group fill less than a block: a plain input does not go through the blocked weights. */
        private final boolean narrow;
        /** For a narrow conv on a plain input, when it takes the direct kernel; else null (the GEMM path). */
        private final BlockedWeights packedPlain;
        /**
         * The direct kernel's tables for the last input size run: made once per size, not per run (at
         * small sizes they cost more than the convolution). Immutable, so concurrent runs share them; two
         * sizes in turn each make their own.
         */
        private volatile DirectConv.Tables tables;
        /** Winograd's transformed weights (16/9 of the 3x3 weights), made on the first run that takes that path. */
        private final Lazy<Winograd.Weights> winogradWeights;
        /** Winograd's tables for the last input size run on that path. */
        private volatile Winograd.Tables winogradTables;
        /** {@link Kernels#winograd()} when the op was made. */
        private final boolean winogradOn = Kernels.winograd();

        Conv(NodeSpec s) {
            super(s);
            conv = new ConvOp(s);
            Value w = s.constantInput(1);
            Value b = s.constantInput(2);
            if (w == null || s.hasInput(2) && b == null) {
                throw s.refuse("W and B must be constants for the blocked convolution");
            }
            int c = w.dim(1) * conv.group();
            int oc = w.dim(0);
            float[] wf = w.f();
            float[] bf = b == null ? null : b.f();
            narrow = w.dim(1) < Nchwc.L;
            packed = new Lazy<>(() -> BlockedWeights.pack(wf, bf, oc, c, conv.group(), w.dim(2), w.dim(3)));
            winogradWeights = new Lazy<>(() -> Winograd.pack(wf, bf, oc, c));
            packedPlain = narrow && DirectConv.takesPlainInput(c, conv.group())
                    ? BlockedWeights.packPlainInput(w.f(), b == null ? null : b.f(), w.dim(0), c, w.dim(2), w.dim(3))
                    : null;
        }

        @Override
        public void prepare(Sgemm sgemm) {
            if (narrow && packedPlain == null) {
                conv.prepare(sgemm);
            }
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value w = in[1];
            Value b = in.length > 2 ? in[2] : null;
            Value r = in.length > 3 ? in[3] : null;
            int c = w.dim(1) * conv.group();
            float[] converted = null;
            ConvGeometry g;
            if (x.rank() == 4 && narrow && r == null && packedPlain != null) {
                return one(direct(conv.geometry(x, w, b), x.f(), packedPlain, null, ctx));
            }
            if (x.rank() == 4 && narrow && r == null) {
                Value plain = conv.run(new Value[] {x, w, b}, ctx)[0];
                Value y = ctx.newFloats(Nchwc.blockedShape(plain.dim(0), plain.dim(1), plain.dim(2), plain.dim(3)));
                Nchwc.toBlocked(plain.f(), plain.dim(0), plain.dim(1), plain.dim(2), plain.dim(3), y.f(), ctx.par());
                ctx.release(plain.f());
                return one(y);
            }
            if (x.rank() == 4) {
                // the plain graph input: the Conv's checks, then converted once here
                g = conv.geometry(x, w, b);
                converted = ctx.scratch(g.n() * Nchwc.blocks(c) * g.h() * g.w() * Nchwc.L);
                Nchwc.toBlocked(x.f(), g.n(), c, g.h(), g.w(), converted, ctx.par());
            } else {
                requireBlocked(this, x, c);
                g = conv.geometry(new int[] {x.dim(0), c, x.dim(2), x.dim(3)}, w, b);
            }
            int[] yShape = Nchwc.blockedShape(g.n(), g.oc(), g.oh(), g.ow());
            if (r != null && !Arrays.equals(r.shape(), yShape)) {
                throw mismatch("residual has blocked shape " + Shapes.format(r.shape()) + ", expected "
                        + Shapes.format(yShape) + " (the convolution's output)");
            }
            try {
                float[] blocked = converted != null ? converted : x.f();
                if (winogradOn && Winograd.takes(g)) {
                    return one(winograd(g, blocked, r == null ? null : r.f(), ctx));
                }
                return one(direct(g, blocked, packed.get(), r == null ? null : r.f(), ctx));
            } finally {
                if (converted != null) {
                    ctx.release(converted);
                }
            }
        }

        // the direct kernel on x (blocked, or plain for packedPlain) -> a new blocked y
        private Value direct(ConvGeometry g, float[] x, BlockedWeights weights, float[] r, RunContext ctx) {
            DirectConv.Tables t = tables;
            if (t == null || !t.fits(g, weights)) {
                try {
                    t = DirectConv.tables(g, weights);
                } catch (DirectConv.BorderTooLarge e) {
                    throw new UnsupportedModelException(
                            label + " on input " + Shapes.format(new int[] {g.n(), g.c(), g.h(), g.w()})
                                    + ": the Java engine does not run this convolution: " + e.getMessage()
                                    + " (its padding and dilation reach far beyond the input; ONNX Runtime runs it)");
                }
                tables = t;
            }
            Value y = ctx.newFloats(Nchwc.blockedShape(g.n(), g.oc(), g.oh(), g.ow()));
            int need = t.scratchSize(g.n());
            float[] border = need == 0 ? null : ctx.scratch(need);
            try {
                DirectConv.conv(t, g, x, r, conv.relu(), y.f(), border, ctx.par());
            } finally {
                if (border != null) {
                    ctx.release(border);
                }
            }
            return y;
        }

        // Winograd's F(2x2, 3x3) on blocked x -> a new blocked y
        private Value winograd(ConvGeometry g, float[] x, float[] r, RunContext ctx) {
            Winograd.Weights ww = winogradWeights.get();
            Winograd.Tables t = winogradTables;
            if (t == null || !t.fits(g, ww)) {
                t = Winograd.tables(g, ww);
                winogradTables = t;
            }
            Value y = ctx.newFloats(Nchwc.blockedShape(g.n(), g.oc(), g.oh(), g.ow()));
            float[][] v = new float[Winograd.POSITIONS][];
            float[][] m = new float[Winograd.POSITIONS][];
            try {
                for (int p = 0; p < Winograd.POSITIONS; p++) {
                    v[p] = ctx.scratch(t.inputSize(g.n()));
                    m[p] = ctx.scratch(t.productSize(g.n()));
                }
                Winograd.conv(t, g, x, r, conv.relu(), y.f(), v, m, ctx.par());
            } finally {
                for (int p = 0; p < Winograd.POSITIONS; p++) {
                    if (v[p] != null) {
                        ctx.release(v[p]);
                    }
                    if (m[p] != null) {
                        ctx.release(m[p]);
                    }
                }
            }
            return y;
        }
    }

    /** x (N,CB,H,W,L) -> (N,C,H,W), C from the {@code channels} attribute. */
    static final class FromBlocked extends Op {
        private final int channels;

        FromBlocked(NodeSpec s) {
            super(s);
            s.attributes(CHANNELS_ATTR).arity(1, 1, 1, 1);
            channels = (int) s.i(CHANNELS_ATTR, 0);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            requireBlocked(this, x, channels);
            Value y = ctx.newFloats(new int[] {x.dim(0), channels, x.dim(2), x.dim(3)});
            Nchwc.fromBlocked(x.f(), x.dim(0), channels, x.dim(2), x.dim(3), y.f(), ctx.par());
            return one(y);
        }
    }

    /** MaxPool's attributes, on (N,CB,H,W,L) -> (N,CB,OH,OW,L). */
    static final class MaxPool extends Op {
        private final Spatial spatial;

        MaxPool(NodeSpec s) {
            super(s);
            s.attributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides")
                    .arity(1, 1, 1, 1);
            s.oneOf("storage_order", 0, 0);
            spatial = new Spatial(s, true, true, true);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            requireBlocked(this, x, -1);
            int kh = spatial.kernel[0];
            int kw = spatial.kernel[1];
            Spatial.Resolved r = spatial.resolve(x.dim(2), x.dim(3), kh, kw);
            if (r == null) {
                throw mismatch(
                        "kernel [" + kh + ", " + kw + "] does not fit blocked input " + Shapes.format(x.shape()));
            }
            PoolGeometry g = new PoolGeometry(
                    x.dim(0),
                    x.dim(1) * Nchwc.L,
                    x.dim(2),
                    x.dim(3),
                    kh,
                    kw,
                    spatial.strides[0],
                    spatial.strides[1],
                    spatial.dilations[0],
                    spatial.dilations[1],
                    r.padT(),
                    r.padL(),
                    r.padB(),
                    r.padR(),
                    r.oh(),
                    r.ow());
            Value y = ctx.newFloats(new int[] {g.n(), x.dim(1), g.oh(), g.ow(), Nchwc.L});
            BlockedPools.maxPool(g, x.f(), y.f(), ctx.par());
            return one(y);
        }
    }

    /** GlobalAveragePool / GlobalMaxPool: (N,CB,H,W,L) -> the plain (N,C,1,1). */
    static final class Global extends Op {
        private final boolean max;
        private final int channels;

        Global(NodeSpec s, boolean max) {
            super(s);
            s.attributes(CHANNELS_ATTR).arity(1, 1, 1, 1);
            this.max = max;
            channels = (int) s.i(CHANNELS_ATTR, 0);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            requireBlocked(this, x, channels);
            Value y = ctx.newFloats(new int[] {x.dim(0), channels, 1, 1});
            BlockedPools.global(x.f(), x.dim(0), channels, x.dim(2) * x.dim(3), max, y.f(), ctx.par());
            return one(y);
        }
    }
}
