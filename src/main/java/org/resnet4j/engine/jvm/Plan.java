package org.resnet4j.engine.jvm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.engine.jvm.ops.Constants;
import org.resnet4j.engine.jvm.ops.ElemType;
import org.resnet4j.engine.jvm.ops.Fusion;
import org.resnet4j.engine.jvm.ops.NchwcRewrite;
import org.resnet4j.engine.jvm.ops.NodeSpec;
import org.resnet4j.engine.jvm.ops.Op;
import org.resnet4j.engine.jvm.ops.Registry;
import org.resnet4j.engine.jvm.ops.Value;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.TensorSpec;

/**
 * A model compiled for the Java engine: every value numbered (a slot), the nodes in execution
 * order as compiled ops, and the lifetime plan. Slots [0, constants) hold initializers and
 * Constant-node values, then the graph inputs, then node outputs. A view (an op that
 * {@linkplain Op#aliasesInput() aliases} its input) shares its source's array, so each slot has a
 * root: the slot that owns the array. A root that is neither pinned (constant or input) nor a graph
 * output is released after the last step that reads it or any of its views. Immutable.
 *
 * <p>This is where load-time transformations of a later issue belong (BatchNorm folding, fusing
 * Conv+Add+Relu, repacking weights): they rewrite the step list before the lifetimes are planned.
 */
final class Plan {
    /**
     * How large one value may get in a run, as a multiple of the model's constants and the run's
     * inputs (the largest ResNet activation is under 6x its input), and at least {@link #VALUE_FLOOR}.
     */
    static final long VALUE_FACTOR = 16;

    static final long VALUE_FLOOR = 1L << 26;

    /** The size one value may have in a run given {@code inputElements} of input. */
    long maxValueElements(long inputElements) {
        return Math.max(VALUE_FLOOR, VALUE_FACTOR * (modelElements + inputElements));
    }

    /** One compiled node: its op, the slots it reads and writes, the roots whose arrays die after it. */
    record Step(Op op, int[] in, int[] out, int[] release) {}

    final int opset;
    final List<String> inputNames;
    final List<String> outputNames;
    final int[] inputSlots;
    /** Per input: name, declared element type and dims (-1 where symbolic; null when undeclared). */
    final List<TensorSpec> inputs;

    final int[] outputSlots;
    final Value[] constantSlots;
    /**
     * Elements of the constants the model file holds (initializers and Constant nodes' tensors),
     * counted before folding, so that what folding makes does not raise the run's value cap.
     */
    final long modelElements;

    final int[] root;
    final boolean[] pinned;
    final List<Step> steps;
    final int slotCount;
    /** What load-time fusion did (zeros when it was off). */
    final Fusion.Stats fusion;
    /** Convolutions running on the channel-blocked layout (0 when it was off). */
    final int blockedConvs;

    private Plan(
            int opset,
            List<String> inputNames,
            List<String> outputNames,
            int[] inputSlots,
            List<TensorSpec> inputs,
            int[] outputSlots,
            Value[] constantSlots,
            int[] root,
            boolean[] pinned,
            List<Step> steps,
            int slotCount,
            Fusion.Stats fusion,
            int blockedConvs,
            long modelElements) {
        this.opset = opset;
        this.inputNames = inputNames;
        this.outputNames = outputNames;
        this.inputSlots = inputSlots;
        this.inputs = inputs;
        this.outputSlots = outputSlots;
        this.constantSlots = constantSlots;
        this.modelElements = modelElements;
        this.root = root;
        this.pinned = pinned;
        this.steps = steps;
        this.slotCount = slotCount;
        this.fusion = fusion;
        this.blockedConvs = blockedConvs;
    }

    /**
     * Checks and compiles {@code model}: opset, topological order (sorted when the file is not),
     * every input defined, every op and attribute supported, element types, initializer shapes.
     * With {@code fuse}, BatchNormalization is folded into Conv and Conv+Add+Relu / Conv+Relu fused
     * ({@link Fusion}) before compiling, QuantizeLinear → DequantizeLinear pairs too with {@code
     * quantizePairs}, and with {@code blocked} as well the convolution trunk moved to the
     * channel-blocked layout ({@link NchwcRewrite}).
     */
    static Plan compile(ModelProto model, boolean fuse, boolean blocked, boolean quantizePairs) {
        Compiler c = new Compiler(model);
        c.readConstants();
        c.readInputs();
        c.order();
        if (fuse) {
            c.rewrite(blocked, quantizePairs);
        }
        c.compileNodes();
        c.assignSlots();
        c.readOutputs();
        return c.planLifetimes();
    }

    /** One compilation, step by step; each step reads what the previous ones filled in. */
    private static final class Compiler {
        final GraphProto g;
        final int opset;
        final Map<String, Value> constants = new HashMap<>();
        final Map<String, ElemType> types = new HashMap<>();
        final List<String> ins = new ArrayList<>();
        final List<TensorSpec> declared = new ArrayList<>();
        List<NodeProto> order;
        Fusion.Stats fusion = Fusion.Stats.NONE;
        int blockedConvs;
        final List<Op> ops = new ArrayList<>();
        final List<NodeProto> planned = new ArrayList<>();
        final Map<String, Integer> slotOf = new HashMap<>();
        Value[] constantSlots;
        long modelElements;
        final List<String> outs = new ArrayList<>();
        int[] outputSlots;

        Compiler(ModelProto model) {
            opset = defaultOpset(model);
            g = model.getGraph();
        }

        /** Initializers become constants (Constant nodes join them when compiled). */
        void readConstants() {
            for (TensorProto t : g.getInitializerList()) {
                Value v = Constants.fromProto(t, "initializer '" + t.getName() + "'");
                constants.put(t.getName(), v);
                modelElements += v.numel();
            }
            for (NodeProto n : g.getNodeList()) {
                for (org.resnet4j.onnx.AttributeProto a : n.getAttributeList()) {
                    if (a.hasT()) { // a Constant's value (its size the validator bounded)
                        long e = 1;
                        for (long d : a.getT().getDimsList()) {
                            e = Math.multiplyExact(e, d);
                        }
                        modelElements += e;
                    }
                }
            }
        }

        /** Graph inputs that are not initializers: their element types and declared shapes. */
        void readInputs() {
            for (ValueInfoProto vi : g.getInputList()) {
                if (constants.containsKey(vi.getName())) {
                    continue; // an initializer listed as input (IR < 4): a constant here
                }
                int elem = vi.getType().getTensorType().getElemType();
                DType dtype = DType.fromOnnxCode(elem);
                ElemType et = ElemType.of(dtype);
                if (!vi.getType().hasTensorType() || et == null) {
                    throw new UnsupportedModelException("graph input '" + vi.getName() + "' has type "
                            + (vi.getType().hasTensorType()
                                    ? TensorProto.DataType.forNumber(elem)
                                    : vi.getType().getValueCase())
                            + ", the Java engine takes tensors of " + ElemType.onnxNames());
                }
                ins.add(vi.getName());
                declared.add(TensorSpec.of(vi.getName(), dtype, declaredShape(vi)));
                types.put(vi.getName(), et);
            }
        }

        /**
         * Zero-filled inputs of the declared shape, for inputs whose shape is fixed and small enough
         * to probe at load ({@link ConstantFolding}): their Shape chains fold to constants.
         */
        Map<String, Value> fixedInputs() {
            Map<String, Value> fixed = new HashMap<>();
            for (int i = 0; i < ins.size(); i++) {
                long[] dims = declared.get(i).shape();
                if (dims != null && Arrays.stream(dims).allMatch(d -> d >= 0 && d <= Integer.MAX_VALUE)) {
                    int[] shape = Arrays.stream(dims).mapToInt(d -> (int) d).toArray();
                    ElemType t = types.get(ins.get(i));
                    long numel = 1;
                    for (long d : dims) {
                        numel = Math.min(numel * d, ConstantFolding.PROBE_LIMIT + 1);
                    }
                    if (numel > ConstantFolding.PROBE_LIMIT) {
                        continue; // too large to probe at load: its Shape chains run per input
                    }
                    int n = (int) numel;
                    fixed.put(
                            ins.get(i),
                            Value.of(t, shape, t.isFloat() ? new float[n] : null, t.isFloat() ? null : new long[n]));
                }
            }
            return fixed;
        }

        /** Topological order; the engine's internal domain is refused in a file. */
        void order() {
            order = topologicalOrder(g, ins, constants.keySet());
            for (NodeProto n : order) {
                if (n.getDomain().equals(Fusion.DOMAIN)) {
                    throw new UnsupportedModelException(label(n) + " is in domain '" + Fusion.DOMAIN
                            + "', which is internal to the Java engine; expected ai.onnx");
                }
            }
        }

        /**
         * Load-time rewrites: shape chains folded to constants, fusion, then (with {@code blocked})
         * the channel-blocked layout.
         */
        void rewrite(boolean blocked, boolean quantizePairs) {
            Set<String> graphOutputs = new HashSet<>();
            g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
            order = ConstantFolding.fold(order, constants, fixedInputs(), graphOutputs, opset);
            Fusion.Stats[] stats = {fusion};
            order = Fusion.rewrite(order, constants, graphOutputs, quantizePairs, stats);
            fusion = stats[0];
            if (blocked) {
                int[] count = {0};
                order = NchwcRewrite.rewrite(
                        order,
                        constants,
                        g.getOutputList().stream().map(ValueInfoProto::getName).toList(),
                        count);
                blockedConvs = count[0];
            }
            // drop the constants that only the rewritten-away nodes read (the unfolded weights)
            Set<String> read = new HashSet<>(graphOutputs);
            order.forEach(n -> read.addAll(n.getInputList()));
            constants.keySet().retainAll(read);
        }

        /** Compiles the nodes in order; Constant nodes are evaluated now and leave the plan. */
        void compileNodes() {
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
                    inTypes[i] = name.isEmpty()
                            ? null
                            : constants.containsKey(name) ? constants.get(name).type() : types.get(name);
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
        }

        /** Slots: constants, then graph inputs, then node outputs. */
        void assignSlots() {
            List<Value> constantList = new ArrayList<>();
            for (Map.Entry<String, Value> e : constants.entrySet()) {
                slotOf.put(e.getKey(), slotOf.size());
                constantList.add(e.getValue());
            }
            constantSlots = constantList.toArray(new Value[0]);
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
        }

        /** Graph outputs: each produced by something. */
        void readOutputs() {
            for (ValueInfoProto vi : g.getOutputList()) {
                String name = vi.getName();
                ElemType t = constants.containsKey(name) ? constants.get(name).type() : types.get(name);
                if (t == null) {
                    throw new UnsupportedModelException(
                            "graph output '" + name + "' is not produced by any node, input or initializer");
                }
                outs.add(name);
            }
            outputSlots = outs.stream().mapToInt(slotOf::get).toArray();
        }

        /** Liveness: views share their source's array (same root); a root dies after its last reader. */
        Plan planLifetimes() {
            int slotCount = slotOf.size();
            int nConst = constantSlots.length;
            int[] root = new int[slotCount];
            boolean[] pinned = new boolean[slotCount];
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
                int[] in = node.getInputList().stream()
                        .mapToInt(n -> n.isEmpty() ? -1 : slotOf.get(n))
                        .toArray();
                int[] out = node.getOutputList().stream()
                        .mapToInt(n -> n.isEmpty() ? -1 : slotOf.get(n))
                        .toArray();
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
                st.add(new Step(
                        ops.get(i),
                        stepIn.get(i),
                        stepOut.get(i),
                        releases.get(i).stream().mapToInt(Integer::intValue).toArray()));
            }
            return new Plan(
                    opset,
                    List.copyOf(ins),
                    List.copyOf(outs),
                    ins.stream().mapToInt(slotOf::get).toArray(),
                    List.copyOf(declared),
                    outputSlots,
                    constantSlots,
                    root,
                    pinned,
                    List.copyOf(st),
                    slotCount,
                    fusion,
                    blockedConvs,
                    modelElements);
        }
    }

    static int defaultOpset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (!Registry.acceptsModelOpset(v)) {
                    throw new UnsupportedModelException("opset " + v + " is not supported by the Java engine, expected "
                            + Registry.MIN_OPSET + ".." + Registry.MAX_OPSET);
                }
                return (int) v;
            }
        }
        throw new UnsupportedModelException("the model imports no ai.onnx opset, expected one of " + Registry.MIN_OPSET
                + ".." + Registry.MAX_OPSET);
    }

    /** Declared dims, -1 where symbolic or absent; null when the input has no shape. */
    private static long[] declaredShape(ValueInfoProto vi) {
        if (!vi.getType().getTensorType().hasShape()) {
            return null;
        }
        List<TensorShapeProto.Dimension> dims =
                vi.getType().getTensorType().getShape().getDimList();
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
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
                    throw new UnsupportedModelException(
                            label(n) + ": input '" + i + "' is not defined by any node, initializer or graph input");
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
}
