package org.resnet4j.engine.jvm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.resnet4j.Device;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.InputCheck;
import org.resnet4j.engine.RunGate;
import org.resnet4j.engine.RunWatch;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;
import org.resnet4j.engine.jvm.ops.BufferPool;
import org.resnet4j.engine.jvm.ops.Fusion;
import org.resnet4j.engine.jvm.ops.Registry;
import org.resnet4j.engine.jvm.ops.RunContext;
import org.resnet4j.engine.jvm.ops.Value;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;

/**
 * The pure-Java executor: runs an ONNX graph of the ops in {@link Registry#supported()} (opsets
 * 7–21) on the CPU, without native code. Inputs and outputs of float32, float16, int64, int32, int8, uint8
 * and bool; float math in float32, shape arithmetic in int64.
 *
 * <p>Lifecycle: the constructor checks and compiles the model once — topological order (sorted when
 * the file is not), every input defined, every op and attribute supported, element types — and
 * plans buffer lifetimes: an intermediate's array goes back to the run's pool after its last use.
 * {@link #run} infers shapes from the actual input, so any batch size and H, W the graph allows
 * work. Runs share nothing mutable but the worker pool, so concurrent calls are safe. {@link
 * #close()} waits for the runs in flight ({@link RunGate}), then stops the workers and drops pooled
 * buffers; {@code run} then throws {@link IllegalStateException}.
 */
public final class JavaEngine implements Engine {
    private final Plan plan;
    private final Parallel parallel;
    private final Sgemm sgemm;
    private final ConcurrentLinkedQueue<BufferPool> idlePools = new ConcurrentLinkedQueue<>();
    private final String description;
    private final RunGate gate = new RunGate("engine");
    /** How long one run may take (null: no limit); runs also stop between nodes when their thread is interrupted. */
    private volatile Duration timeout;

    /** Loads the ONNX file at {@code model}; {@code threads} 0 means all cores. */
    public JavaEngine(Path model, int threads) {
        this(Onnx.read(model), threads);
    }

    /** Compiles {@code model}; {@code threads} 0 means all cores. */
    public JavaEngine(ModelProto model, int threads) {
        this(model, threads, Kernels.defaultSgemm());
    }

    /**
     * For callers holding {@link EngineOptions}: threads as given (0 = all cores); the ONNX Runtime
     * optimisation level does not apply; device cuda is refused, the Java engine runs on the CPU.
     */
    public static JavaEngine create(ModelProto model, EngineOptions options) {
        if (options.device() != Device.CPU) {
            throw new UnsupportedModelException("the Java engine runs on the CPU only; device "
                    + options.device().name().toLowerCase() + " needs the ONNX Runtime engine");
        }
        JavaEngine e = new JavaEngine(model, options.threads());
        e.timeout = options.timeout();
        return e;
    }

    /** Same, with a chosen GEMM kernel (tests run the whole engine on the naive oracle). */
    public JavaEngine(ModelProto model, int threads, Sgemm sgemm) {
        this(model, threads, sgemm, true);
    }

    /**
     * Same, choosing whether to fold BatchNormalization and fuse Conv+Add+Relu at load ({@code fuse}
     * false runs every node as written: the reference the fused plan is tested against).
     */
    public JavaEngine(ModelProto model, int threads, Sgemm sgemm, boolean fuse) {
        this(model, threads, sgemm, fuse, fuse && sgemm == Kernels.defaultSgemm() && Kernels.blockedLayout());
    }

    /**
     * Same, choosing as well whether the fused plan runs its convolutions on the channel-blocked
     * layout with direct kernels ({@code blocked}, needs the Vector API; the default when the engine
     * uses the default GEMM) or as GEMMs ({@code false}: the reference the blocked kernels are tested
     * against).
     */
    public JavaEngine(ModelProto model, int threads, Sgemm sgemm, boolean fuse, boolean blocked) {
        this(model, threads, sgemm, fuse, blocked, fuse && Fusion.quantizePairsByDefault());
    }

    /**
     * Same, choosing as well whether the fused plan fuses QuantizeLinear → DequantizeLinear pairs
     * ({@code quantizePairs} false: the reference that fusion is tested against, all else fused alike).
     */
    JavaEngine(ModelProto model, int threads, Sgemm sgemm, boolean fuse, boolean blocked, boolean quantizePairs) {
        Kernels.requireValidWidth();
        if (blocked && !Kernels.blockedLayout()) {
            throw new IllegalArgumentException("the blocked layout needs the Vector API (jdk.incubator.vector)");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all cores) or more");
        }
        plan = Plan.compile(model, fuse, blocked, quantizePairs);
        for (Plan.Step step : plan.steps) {
            step.op().prepare(sgemm); // weights repacked once, for this GEMM
        }
        int t = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.sgemm = sgemm;
        this.parallel = new Parallel(t);
        description = "java engine (cpu, " + t + " thread" + (t == 1 ? "" : "s")
                + (Kernels.vectorBits() > 0 ? ", " + Kernels.vectorBits() + "-bit vectors" : ", scalar")
                + ", gemm " + sgemm.name()
                + ", " + plan.steps.size() + " nodes, opset " + plan.opset + ", fused: "
                + plan.fusion.foldedBatchNorms()
                + " bn, " + plan.fusion.fusedAdds() + " add, " + plan.fusion.fusedRelus() + " relu"
                + (plan.fusion.fusedQuantizePairs() > 0 ? ", " + plan.fusion.fusedQuantizePairs() + " q+dq" : "")
                + (plan.blockedConvs > 0 ? ", nchwc: " + plan.blockedConvs + " direct convs" : "") + ")";
    }

    @Override
    public List<TensorSpec> inputs() {
        return plan.inputs;
    }

    @Override
    public List<String> outputNames() {
        return plan.outputNames;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return gate.run(() -> runOpen(inputs));
    }

    // the worker pool is open for as long as this runs (RunGate)
    private Map<String, Tensor> runOpen(Map<String, Tensor> inputs) {
        InputCheck.check(plan.inputs, inputs);
        Value[] slots = new Value[plan.slotCount];
        System.arraycopy(plan.constantSlots, 0, slots, 0, plan.constantSlots.length);
        long inputElements = 0;
        for (int i = 0; i < plan.inputSlots.length; i++) {
            Tensor t = inputs.get(plan.inputNames.get(i));
            slots[plan.inputSlots[i]] = Value.of(t);
            inputElements += t.numel();
        }
        BufferPool pool = idlePools.poll();
        if (pool == null) {
            pool = new BufferPool();
        }
        RunContext ctx = RunContext.forRun(parallel, sgemm, pool, plan.maxValueElements(inputElements));
        RunWatch watch = RunWatch.start(timeout, null);
        for (Plan.Step step : plan.steps) {
            watch.check();
            Value[] in = new Value[step.in().length];
            for (int i = 0; i < in.length; i++) {
                in[i] = step.in()[i] < 0 ? null : slots[step.in()[i]];
            }
            Value[] out;
            try {
                out = step.op().run(in, ctx);
            } catch (ResNet4jException e) {
                throw e;
            } catch (RunContext.OverBudget e) {
                throw new EngineException(step.op().label() + " would allocate " + e.getMessage()
                        + " (" + Plan.VALUE_FACTOR + "x the model's constants and the run's inputs, at least "
                        + Plan.VALUE_FLOOR + "); inputs " + Arrays.toString(in));
            } catch (RuntimeException e) {
                throw new EngineException(step.op().label() + " failed on inputs " + Arrays.toString(in) + ": " + e, e);
            }
            for (int i = 0; i < step.out().length; i++) {
                if (step.out()[i] >= 0) {
                    slots[step.out()[i]] = out[i];
                }
            }
            for (int s : step.release()) {
                pool.give(slots[s].f());
                slots[s] = null;
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        Map<float[], Boolean> returned = new IdentityHashMap<>();
        for (int i = 0; i < plan.outputSlots.length; i++) {
            Value v = slots[plan.outputSlots[i]];
            result.put(plan.outputNames.get(i), v.toTensor());
            int r = plan.root[plan.outputSlots[i]];
            if (v.isFloat() && !plan.pinned[r] && returned.put(v.f(), Boolean.TRUE) == null) {
                pool.give(v.f());
            }
        }
        pool.endRun();
        idlePools.add(pool);
        return result;
    }

    /** Floats held by idle buffer pools: what liveness planning leaves allocated between runs. */
    long pooledFloats() {
        long n = 0;
        for (BufferPool p : idlePools) {
            n += p.allocatedFloats();
        }
        return n;
    }

    /** Number of intermediates the plan releases before the end of a run (tests of the plan). */
    int plannedReleases() {
        return plan.steps.stream().mapToInt(s -> s.release().length).sum();
    }

    /**
     * The kernel path engines made without an explicit GEMM use in this JVM, e.g. "vector: gemm
     * vector-512bit-8x32", or "scalar (...)" with the reason.
     */
    public static String kernelPath() {
        return Kernels.kernelPath();
    }

    /**
     * The width of the vector kernels engines use in this JVM, in bits (128, 256 or 512: the CPU's
     * preferred width unless {@code -Dresnet4j.vectorBits} forces another), or 0 on the scalar path.
     */
    public static int vectorBits() {
        return Kernels.vectorBits();
    }

    /** Steps in the compiled plan, after fusion (tests of the plan). */
    int plannedSteps() {
        return plan.steps.size();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        gate.close(() -> {
            parallel.close();
            idlePools.clear();
        });
    }
}
