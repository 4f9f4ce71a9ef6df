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
 * <p>To learn the shape a Shape node reads, the nodes it depends on are run once on zeros of the
 * fixed input shapes (a probe, done only when some Shape needs it); a node the probe cannot run
 * leaves its dependants unfolded. Runs before {@link org.resnet4j.engine.jvm.ops.Fusion}, which then
 * sees the folded constants.
 */
final class ConstantFolding {
    /**
     * Most input elements the zero probe runs on: 16M floats, 64 MB (a 64x3x224x224 batch is 9.6M).
     * Larger declared inputs keep their Shape chains per run rather than make loading allocate a
     * batch's activations that a file alone asked for.
     */
    static final long PROBE_LIMIT = 1L << 24;

    private ConstantFolding() {}

    /**
     * Evaluates what it can of {@code order} into {@code constants}, returning the nodes left.
     * {@code fixedInputs} maps graph inputs whose declared shape is fully fixed to zeros of that
     * shape and type.
     */
    static List<NodeProto> fold(
            List<NodeProto> order, Map<String, Value> constants, Map<String, Value> fixedInputs, int opset) {
        Set<String> probe = probeSet(order, constants, fixedInputs);
        Map<String, Value> zeros = new HashMap<>(fixedInputs);
        List<NodeProto> left = new ArrayList<>(order.size());
        try (Parallel par = new Parallel(1)) {
            RunContext ctx = new RunContext(par, Kernels.defaultSgemm(), new BufferPool());
            for (NodeProto n : order) {
                boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
                boolean isShape = onnx && n.getOpType().equals("Shape");
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
                    Value[] out = foldOne(n, constants, opset, in, ctx);
                    if (out != null) {
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

    /** The values a Shape node reads and everything they are computed from, when fixed inputs can give them. */
    private static Set<String> probeSet(
            List<NodeProto> order, Map<String, Value> constants, Map<String, Value> fixedInputs) {
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
