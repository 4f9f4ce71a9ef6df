package org.resnet4j.engine.jvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.jvm.kernels.BlockedSgemm;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;
import org.resnet4j.engine.jvm.ops.BufferPool;
import org.resnet4j.engine.jvm.ops.Constants;
import org.resnet4j.engine.jvm.ops.ElemType;
import org.resnet4j.engine.jvm.ops.NodeSpec;
import org.resnet4j.engine.jvm.ops.Op;
import org.resnet4j.engine.jvm.ops.Registry;
import org.resnet4j.engine.jvm.ops.RunContext;
import org.resnet4j.engine.jvm.ops.Value;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.Shapes;
import org.resnet4j.tensor.Tensor;

/**
 * The pure-Java executor: runs an ONNX graph of the ops in {@link Registry#supported()} (opsets
 * 11–21) on the CPU, without native code.
 *
 * <p>Lifecycle: the constructor checks and compiles the model once — topological order (sorted when
 * the file is not), every input defined, every op and attribute supported, element types — and
 * plans buffer lifetimes: an intermediate's array goes back to the run's pool after its last use.
 * {@link #run} infers shapes from the actual input, so any batch size and H, W the graph allows
 * work. Runs share nothing mutable but the worker pool, so concurrent calls are safe. {@link
 * #close()} stops the workers and drops pooled buffers; {@code run} then throws
 * {@link IllegalStateException}.
 */
public final class JavaEngine implements Engine {
    /** One compiled node: its op, the slots it reads and writes, the buffers that die after it. */
    private record Step(Op op, int[] in, int[] out, int[] release) {}

    private final List<String> inputNames;
    private final List<String> outputNames;
    private final int[] inputSlots;
    private final int[][] inputDeclaredShapes;
    private final int[] outputSlots;
    private final Value[] constantSlots;
    private final int[] root;
    private final boolean[] pinned;
    private final List<Step> steps;
    private final int slotCount;
    private final Parallel parallel;
    private final Sgemm sgemm;
    private final ConcurrentLinkedQueue<BufferPool> idlePools = new ConcurrentLinkedQueue<>();
    private final String description;
    private volatile boolean closed;

    /** Loads the ONNX file at {@code model}; {@code threads} 0 means all cores. */
    public JavaEngine(Path model, int threads) {
        this(Onnx.read(model), threads);
    }

    /** Compiles {@code model}; {@code threads} 0 means all cores. */
    public JavaEngine(ModelProto model, int threads) {
        this(model, threads, BlockedSgemm.INSTANCE);
    }

    /**
     * For callers holding {@link EngineOptions}: threads as given (0 = all cores); the ONNX Runtime
     * optimisation level does not apply; device cuda is refused, the Java engine runs on the CPU.
     */
    public static JavaEngine create(ModelProto model, EngineOptions options) {
        if (options.device() != EngineOptions.Device.CPU) {
            throw new UnsupportedModelException("the Java engine runs on the CPU only; device "
                    + options.device().name().toLowerCase() + " needs --engine ort");
        }
        return new JavaEngine(model, options.threads());
    }

    /** Same, with a chosen GEMM kernel (tests run the whole engine on the naive oracle). */
    public JavaEngine(ModelProto model, int threads, Sgemm sgemm) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all cores) or more");
        }
        int opset = defaultOpset(model);
        GraphProto g = model.getGraph();

        // values: constants (initializers, Constant nodes), graph inputs, node outputs
        Map<String, Integer> slotOf = new HashMap<>();
        Map<String, Value> constants = new HashMap<>();
        Map<String, ElemType> types = new HashMap<>();
        List<Value> constantList = new ArrayList<>();
        for (TensorProto t : g.getInitializerList()) {
            Value v = Constants.fromProto(t, "initializer '" + t.getName() + "'");
            constants.put(t.getName(), v);
        }
        List<String> ins = new ArrayList<>();
        List<int[]> declared = new ArrayList<>();
        for (ValueInfoProto vi : g.getInputList()) {
            if (constants.containsKey(vi.getName())) {
                continue; // an initializer listed as input (IR < 4): a constant here
            }
            int elem = vi.getType().getTensorType().getElemType();
            if (elem != TensorProto.DataType.FLOAT_VALUE) {
                throw new UnsupportedModelException("graph input '" + vi.getName() + "' has type "
                        + TensorProto.DataType.forNumber(elem) + ", the Java engine takes FLOAT inputs");
            }
            ins.add(vi.getName());
            declared.add(declaredShape(vi));
            types.put(vi.getName(), ElemType.FLOAT);
        }
        List<NodeProto> order = topologicalOrder(g, ins, constants.keySet());

        // compile in order; Constant nodes are evaluated now and leave the plan
        List<Op> ops = new ArrayList<>();
        List<NodeProto> planned = new ArrayList<>();
        for (NodeProto node : order) {
            Op op = Registry.compile(new NodeSpec(node, opset, constants::get));
            Value c = Registry.constantValue(op);
            if (c != null) {
                constants.put(node.getOutput(0), c);
                continue;
            }
            ElemType[] inTypes = new ElemType[node.getInputCount()];
            for (int i = 0; i < inTypes.length; i++) {
                String name = node.getInput(i);
                inTypes[i] = name.isEmpty() ? null : constants.containsKey(name) ? constants.get(name).type() : types.get(name);
            }
            ElemType[] outTypes = op.outputTypes(inTypes);
            for (int i = 0; i < node.getOutputCount(); i++) {
                if (!node.getOutput(i).isEmpty()) {
                    types.put(node.getOutput(i), outTypes[i]);
                }
            }
            ops.add(op);
            planned.add(node);
        }
        for (Map.Entry<String, Value> e : constants.entrySet()) {
            slotOf.put(e.getKey(), slotOf.size());
            constantList.add(e.getValue());
        }
        int nConst = constantList.size();
        for (String in : ins) {
            slotOf.put(in, slotOf.size());
        }
        for (NodeProto node : planned) {
            for (String out : node.getOutputList()) {
                if (!out.isEmpty()) {
                    slotOf.put(out, slotOf.size());
                }
            }
        }
        slotCount = slotOf.size();
        constantSlots = constantList.toArray(new Value[0]);

        List<String> outs = new ArrayList<>();
        for (ValueInfoProto vi : g.getOutputList()) {
            String name = vi.getName();
            ElemType t = constants.containsKey(name) ? constants.get(name).type() : types.get(name);
            if (t == null) {
                throw new UnsupportedModelException("graph output '" + name + "' is not produced by any node, input or initializer");
            }
            if (t != ElemType.FLOAT) {
                throw new UnsupportedModelException("graph output '" + name + "' has type " + t
                        + ", the Java engine returns FLOAT outputs only");
            }
            outs.add(name);
        }
        inputNames = List.copyOf(ins);
        outputNames = List.copyOf(outs);
        inputSlots = ins.stream().mapToInt(slotOf::get).toArray();
        inputDeclaredShapes = declared.toArray(new int[0][]);
        outputSlots = outs.stream().mapToInt(slotOf::get).toArray();

        // liveness: views share their source's array (same root); a root dies after its last reader
        root = new int[slotCount];
        pinned = new boolean[slotCount];
        for (int s = 0; s < slotCount; s++) {
            root[s] = s;
            pinned[s] = s < nConst + ins.size();
        }
        int[] lastUse = new int[slotCount];
        Arrays.fill(lastUse, -1);
        List<int[]> stepIn = new ArrayList<>();
        List<int[]> stepOut = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            NodeProto node = planned.get(i);
            int[] in = node.getInputList().stream().mapToInt(n -> n.isEmpty() ? -1 : slotOf.get(n)).toArray();
            int[] out = node.getOutputList().stream().mapToInt(n -> n.isEmpty() ? -1 : slotOf.get(n)).toArray();
            if (ops.get(i).aliasesInput()) {
                root[out[0]] = root[in[0]];
            }
            for (int s : in) {
                if (s >= 0) {
                    lastUse[root[s]] = Math.max(lastUse[root[s]], i);
                }
            }
            for (int s : out) {
                if (s >= 0) {
                    lastUse[root[s]] = Math.max(lastUse[root[s]], i);
                }
            }
            stepIn.add(in);
            stepOut.add(out);
        }
        for (int s : outputSlots) {
            lastUse[root[s]] = Integer.MAX_VALUE; // released after the outputs are copied out
        }
        List<List<Integer>> releases = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            releases.add(new ArrayList<>());
        }
        String[] slotNames = new String[slotCount];
        slotOf.forEach((name, s) -> slotNames[s] = name);
        for (int s = 0; s < slotCount; s++) {
            boolean isFloat = s >= nConst + ins.size() && types.get(slotNames[s]) == ElemType.FLOAT;
            if (root[s] == s && !pinned[s] && isFloat && lastUse[s] >= 0 && lastUse[s] < Integer.MAX_VALUE) {
                releases.get(lastUse[s]).add(s);
            }
        }
        List<Step> st = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            st.add(new Step(ops.get(i), stepIn.get(i), stepOut.get(i),
                    releases.get(i).stream().mapToInt(Integer::intValue).toArray()));
        }
        steps = List.copyOf(st);

        int t = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.sgemm = sgemm;
        this.parallel = new Parallel(t);
        description = "java engine (cpu, " + t + " thread" + (t == 1 ? "" : "s") + ", gemm " + sgemm.name()
                + ", " + steps.size() + " nodes, opset " + opset + ")";
    }

    private static int defaultOpset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (v < Registry.MIN_OPSET || v > Registry.MAX_OPSET) {
                    throw new UnsupportedModelException("opset " + v + " is not supported by the Java engine, expected "
                            + Registry.MIN_OPSET + ".." + Registry.MAX_OPSET);
                }
                return (int) v;
            }
        }
        throw new UnsupportedModelException("the model imports no ai.onnx opset, expected one of "
                + Registry.MIN_OPSET + ".." + Registry.MAX_OPSET);
    }

    /** Declared dims, -1 where symbolic or absent; null when the input has no shape. */
    private static int[] declaredShape(ValueInfoProto vi) {
        if (!vi.getType().getTensorType().hasShape()) {
            return null;
        }
        List<TensorShapeProto.Dimension> dims = vi.getType().getTensorType().getShape().getDimList();
        int[] out = new int[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i).hasDimValue() ? (int) dims.get(i).getDimValue() : -1;
        }
        return out;
    }

    /**
     * The nodes in an order where every input is defined before use: the file's order when it
     * already is one (stable), else sorted. An input nobody defines, a value defined twice, or a
     * cycle is refused naming the node.
     */
    static List<NodeProto> topologicalOrder(GraphProto g, List<String> inputs, Set<String> initializers) {
        Set<String> defined = new HashSet<>(inputs);
        defined.addAll(initializers);
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                if (o.isEmpty()) {
                    continue;
                }
                if (defined.contains(o) || producer.put(o, n) != null) {
                    throw new UnsupportedModelException(label(n) + ": output '" + o
                            + "' is already defined by another node, an input or an initializer");
                }
            }
        }
        for (NodeProto n : g.getNodeList()) {
            for (String i : n.getInputList()) {
                if (!i.isEmpty() && !defined.contains(i) && !producer.containsKey(i)) {
                    throw new UnsupportedModelException(label(n) + ": input '" + i
                            + "' is not defined by any node, initializer or graph input");
                }
            }
        }
        List<NodeProto> pending = new ArrayList<>(g.getNodeList());
        List<NodeProto> order = new ArrayList<>(pending.size());
        while (!pending.isEmpty()) {
            List<NodeProto> next = new ArrayList<>();
            for (NodeProto n : pending) {
                boolean ready = n.getInputList().stream().allMatch(i -> i.isEmpty() || defined.contains(i));
                if (ready) {
                    order.add(n);
                    defined.addAll(n.getOutputList());
                } else {
                    next.add(n);
                }
            }
            if (next.size() == pending.size()) {
                throw new UnsupportedModelException(label(next.get(0)) + " is part of a cycle: its inputs "
                        + next.get(0).getInputList() + " depend on its own outputs");
            }
            pending = next;
        }
        return order;
    }

    private static String label(NodeProto n) {
        String name = !n.getName().isEmpty() ? n.getName() : n.getOutputCount() > 0 ? n.getOutput(0) : "?";
        return "node '" + name + "' (" + n.getOpType() + ")";
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    @Override
    public List<String> outputNames() {
        return outputNames;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        if (!inputs.keySet().equals(Set.copyOf(inputNames))) {
            throw new MismatchException("inputs " + new ArrayList<>(inputs.keySet()) + " given, expected " + inputNames);
        }
        Value[] slots = new Value[slotCount];
        System.arraycopy(constantSlots, 0, slots, 0, constantSlots.length);
        for (int i = 0; i < inputSlots.length; i++) {
            Tensor t = inputs.get(inputNames.get(i));
            checkShape(inputNames.get(i), inputDeclaredShapes[i], t);
            slots[inputSlots[i]] = Value.floats(t.shape(), t.toArray());
        }
        BufferPool pool = idlePools.poll();
        if (pool == null) {
            pool = new BufferPool();
        }
        RunContext ctx = new RunContext(parallel, sgemm, pool);
        for (Step step : steps) {
            Value[] in = new Value[step.in().length];
            for (int i = 0; i < in.length; i++) {
                in[i] = step.in()[i] < 0 ? null : slots[step.in()[i]];
            }
            Value[] out;
            try {
                out = step.op().run(in, ctx);
            } catch (ResNet4jException e) {
                throw e;
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
        for (int i = 0; i < outputSlots.length; i++) {
            Value v = slots[outputSlots[i]];
            result.put(outputNames.get(i), Tensor.of(v.shape(), v.f().clone()));
            int r = root[outputSlots[i]];
            if (!pinned[r] && returned.put(v.f(), Boolean.TRUE) == null) {
                pool.give(v.f());
            }
        }
        pool.endRun();
        if (!closed) {
            idlePools.add(pool);
        }
        return result;
    }

    private static void checkShape(String name, int[] declared, Tensor t) {
        if (declared == null) {
            return;
        }
        boolean ok = declared.length == t.rank();
        for (int i = 0; ok && i < declared.length; i++) {
            ok = declared[i] < 0 || declared[i] == t.dim(i);
        }
        if (!ok) {
            throw new MismatchException("input '" + name + "' has shape " + Shapes.format(t.shape())
                    + ", the model expects " + Arrays.toString(declared).replace("-1", "?"));
        }
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
        return steps.stream().mapToInt(s -> s.release().length).sum();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        parallel.close();
        idlePools.clear();
    }
}
