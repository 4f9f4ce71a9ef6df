package org.resnet4j.engine.jvm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.ops.BufferPool;
import org.resnet4j.engine.jvm.ops.NodeSpec;
import org.resnet4j.engine.jvm.ops.Op;
import org.resnet4j.engine.jvm.ops.Registry;
import org.resnet4j.engine.jvm.ops.RunContext;
import org.resnet4j.engine.jvm.ops.Value;
import org.resnet4j.onnx.NodeProto;

/**
 * Load-time evaluation of what does not depend on the input's values: nodes whose inputs are all
 * constants (initializers, Constant nodes, earlier folds), and the Shape of any value whose shape
 * follows from fixed input shapes. Exported graphs compute reshape targets this way (Shape ->
 * Gather -> Unsqueeze -> Concat -> Reshape, from {@code x.view(x.size(0), -1)}); folded, the run does
 * no int64 work and the Reshape reads a constant. Where a shape is symbolic the chain stays and
 * runs per input.
 *
 * <p>A Shape node is folded only where its input's shape is provably independent of the input's
 * values: a dataflow pass ({@link #valueShaped}) marks every value whose shape may follow from some
 * input's data, through the op inputs whose values decide an output's shape (Reshape's target,
 * Slice's starts and ends, Pad's pads, ConstantOfShape's shape; every input of an op not listed). A
 * Shape of such a value stays in the graph and runs per input: folding it would freeze the shape one
 * input happened to give (a Shape of ConstantOfShape(n) read [0, 0] from the zeros, for n = [3, 5]).
 * To learn the shapes it may fold, the nodes they depend on are run once on zeros of the fixed input
 * shapes (a probe, done only when some Shape needs it), which by that proof give the shapes any input
 * gives; a node the probe cannot run leaves its dependants unfolded. Runs before {@link
 * org.resnet4j.engine.jvm.ops.Fusion}, which then sees the folded constants.
 */
final class ConstantFolding {
    /**
     * Most input elements the zero probe runs on: 16M floats, 64 MB (a 64x3x224x224 batch is 9.6M).
     * Larger declared inputs keep their Shape chains per run rather than make loading allocate a
     * batch's activations that a file alone asked for.
     */
    static final long PROBE_LIMIT = 1L << 24;

    /**
     * Elements that folding and the probe may allocate in all: 2^26 (256 MiB of float32, 512 MiB of
     * int64), enough to probe a ResNet-50 at 224x224 batch 4. A node that would take more is left to run
     * time: a few bytes of model (ConstantOfShape([2^28]), ten doubling Concats, the broadcast of two
     * constant vectors) made gigabytes at load before any input was read. A fold that frees constants
     * read nowhere else may also allocate as many elements as they hold, beyond the budget: it does not
     * grow the model (the DequantizeLinear of each int8 weight of a QDQ model, 88M of them in a
     * ResNeXt-101, which unfolded would be dequantized again on every run).
     */
    static final long BUDGET = 1L << 26;

    /**
     * Per op type, the inputs whose values (not only their shapes) decide an output's shape. Every
     * registered op is listed; an op that is not is taken to read all of its inputs' values.
     */
    private static final Map<String, Set<Integer>> SHAPE_FROM_VALUES = shapeFromValues();

    private static Map<String, Set<Integer>> shapeFromValues() {
        Map<String, Set<Integer>> m = new HashMap<>();
        for (String op : List.of(
                "Add",
                "Sub",
                "Mul",
                "Div",
                "Sum",
                "Clip",
                "Sigmoid",
                "Relu",
                "Conv",
                "BatchNormalization",
                "MaxPool",
                "AveragePool",
                "GlobalAveragePool",
                "GlobalMaxPool",
                "Flatten",
                "Transpose",
                "Gemm",
                "MatMul",
                "Identity",
                "Dropout",
                "Cast",
                "QuantizeLinear",
                "DequantizeLinear",
                "Softmax",
                "Gather",
                "Concat",
                "Constant",
                "Shape")) {
            m.put(op, Set.of());
        }
        m.put("Reshape", Set.of(1)); // shape
        m.put("Slice", Set.of(1, 2, 3, 4)); // starts, ends, axes, steps (opset 10+)
        m.put("Pad", Set.of(1, 3)); // pads, axes (opset 11+, 18+)
        m.put("Squeeze", Set.of(1)); // axes (opset 13+)
        m.put("Unsqueeze", Set.of(1)); // axes (opset 13+)
        m.put("ReduceMean", Set.of(1)); // axes (opset 18+)
        m.put("ConstantOfShape", Set.of(0)); // shape
        return Map.copyOf(m);
    }

    private ConstantFolding() {}

    /**
     * Evaluates what it can of {@code order} into {@code constants}, returning the nodes left.
     * {@code fixedInputs} maps graph inputs whose declared shape is fully fixed to zeros of that
     * shape and type. A constant whose only reader is folded leaves {@code constants} (unless it is
     * one of {@code graphOutputs}).
     */
    static List<NodeProto> fold(
            List<NodeProto> order,
            Map<String, Value> constants,
            Map<String, Value> fixedInputs,
            Set<String> graphOutputs,
            int opset) {
        return fold(order, constants, fixedInputs, graphOutputs, opset, BUDGET);
    }

    /** Same, with {@code budget} elements in place of {@link #BUDGET} (tests of the budget). */
    static List<NodeProto> fold(
            List<NodeProto> order,
            Map<String, Value> constants,
            Map<String, Value> fixedInputs,
            Set<String> graphOutputs,
            int opset,
            long budget) {
        Map<String, Integer> readers = readers(order, graphOutputs);
        Set<String> valueShaped = valueShaped(order, constants);
        Set<String> probe = probeSet(order, constants, fixedInputs, valueShaped);
        Map<String, Value> zeros = new HashMap<>(fixedInputs);
        List<NodeProto> left = new ArrayList<>(order.size());
        try (Parallel par = new Parallel(1)) {
            RunContext ctx = RunContext.budgeted(par, Kernels.defaultSgemm(), new BufferPool(), budget);
            for (NodeProto n : order) {
                boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
                boolean isShape = onnx
                        && n.getOpType().equals("Shape")
                        && n.getInputCount() == 1
                        && !valueShaped.contains(n.getInput(0));
                boolean probed = onnx && n.getOutputList().stream().anyMatch(probe::contains);
                Value[] in = new Value[n.getInputCount()];
                boolean constant = onnx && n.getOutputList().stream().noneMatch(String::isEmpty);
                boolean shaped = true;
                for (int i = 0; i < in.length; i++) {
                    String name = n.getInput(i);
                    if (name.isEmpty()) {
                        continue;
                    }
                    in[i] = constants.get(name);
                    constant &= in[i] != null;
                    if (in[i] == null) {
                        in[i] = zeros.get(name);
                    }
                    shaped &= in[i] != null;
                }
                if (constant || (isShape && shaped)) {
                    List<String> freed = constant ? soleReads(n, readers) : List.of();
                    long frees = freed.stream()
                            .mapToLong(f -> constants.get(f).numel())
                            .sum();
                    Value[] out = ctx.withAllowance(frees, c -> foldOne(n, constants, opset, in, c));
                    if (out != null) {
                        freed.forEach(constants::remove);
                        for (int i = 0; i < n.getOutputCount(); i++) {
                            constants.put(n.getOutput(i), out[i]);
                        }
                        continue;
                    }
                }
                left.add(n);
                if (probed && shaped) {
                    try {
                        Value[] out = compile(n, constants, opset).run(in, ctx);
                        for (int i = 0; i < n.getOutputCount(); i++) {
                            zeros.put(n.getOutput(i), out[i]);
                        }
                    } catch (RuntimeException e) {
                        // the probe cannot run this node (e.g. an integer division by a zero): its
                        // dependants' shapes stay unknown and their Shape nodes run per input
                    }
                }
            }
        }
        return left;
    }

    /** How many times each value is read: as a node's input, or as a graph output. */
    private static Map<String, Integer> readers(List<NodeProto> order, Set<String> graphOutputs) {
        Map<String, Integer> readers = new HashMap<>();
        for (NodeProto n : order) {
            for (String i : n.getInputList()) {
                readers.merge(i, 1, Integer::sum);
            }
        }
        graphOutputs.forEach(o -> readers.merge(o, 1, Integer::sum));
        return readers;
    }

    /** The inputs of {@code n} that nothing else reads, which folding {@code n} frees (each once). */
    private static List<String> soleReads(NodeProto n, Map<String, Integer> readers) {
        return n.getInputList().stream()
                .filter(i -> !i.isEmpty() && readers.get(i) == 1)
                .toList();
    }

    /**
     * Runs a node whose inputs are known; a typed refusal (bad shapes, unsupported attributes) is
     * the model's error and propagates. Any other failure (e.g. a value too large for an array)
     * leaves the node to run time, where the engine reports it naming the node: null.
     */
    private static Value[] foldOne(NodeProto n, Map<String, Value> constants, int opset, Value[] in, RunContext ctx) {
        Op op = compile(n, constants, opset);
        try {
            return op.run(in, ctx);
        } catch (org.resnet4j.ResNet4jException e) {
            throw e;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Op compile(NodeProto n, Map<String, Value> constants, int opset) {
        return Registry.compile(new NodeSpec(n, opset, constants::get));
    }

    /**
     * The values whose shape may depend on some graph input's values, in one pass over {@code order}
     * (topological): a value is data-dependent unless it is a constant or computed only from constants
     * and Shapes of values whose shape is not; a node's output is value-shaped when an input is, or
     * when an input whose value decides the output's shape ({@link #SHAPE_FROM_VALUES}) is data-dependent.
     */
    static Set<String> valueShaped(List<NodeProto> order, Map<String, Value> constants) {
        Set<String> valueShaped = new HashSet<>();
        Set<String> dataFree = new HashSet<>(constants.keySet());
        for (NodeProto n : order) {
            boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            boolean shaped = false;
            boolean free = true;
            Set<Integer> byValue = onnx ? SHAPE_FROM_VALUES.get(n.getOpType()) : null;
            for (int i = 0; i < n.getInputCount(); i++) {
                String in = n.getInput(i);
                if (in.isEmpty()) {
                    continue;
                }
                boolean inFree = dataFree.contains(in);
                shaped |= valueShaped.contains(in) || (byValue == null || byValue.contains(i)) && !inFree;
                free &= inFree;
            }
            if (onnx && n.getOpType().equals("Shape")) {
                // its value is the input's shape: free of data exactly when that shape is
                free = !shaped;
            }
            for (String out : n.getOutputList()) {
                if (shaped) {
                    valueShaped.add(out);
                }
                if (free) {
                    dataFree.add(out);
                }
            }
        }
        return valueShaped;
    }

    /**
     * The values a Shape node reads and everything they are computed from, when fixed inputs can give
     * them and their shape does not depend on input values.
     */
    private static Set<String> probeSet(
            List<NodeProto> order,
            Map<String, Value> constants,
            Map<String, Value> fixedInputs,
            Set<String> valueShaped) {
        Set<String> need = new HashSet<>();
        long elements = fixedInputs.values().stream().mapToLong(Value::numel).sum();
        if (fixedInputs.isEmpty() || elements > PROBE_LIMIT) {
            return need;
        }
        Map<String, NodeProto> producer = new HashMap<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (NodeProto n : order) {
            n.getOutputList().forEach(o -> producer.put(o, n));
            if (n.getOpType().equals("Shape")
                    && n.getInputCount() == 1
                    && !valueShaped.contains(n.getInput(0))
                    && !constants.containsKey(n.getInput(0))
                    && !fixedInputs.containsKey(n.getInput(0))) {
                todo.add(n.getInput(0));
            }
        }
        while (!todo.isEmpty()) {
            String v = todo.poll();
            NodeProto p = producer.get(v);
            if (p == null || !need.add(v)) {
                continue;
            }
            for (String i : p.getInputList()) {
                if (!i.isEmpty()) {
                    todo.add(i);
                }
            }
            need.addAll(p.getOutputList());
        }
        return need;
    }
}
