package org.resnet4j.engine.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.resnet4j.engine.jvm.kernels.NaiveSgemm;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.ops.BufferPool;
import org.resnet4j.engine.jvm.ops.NodeSpec;
import org.resnet4j.engine.jvm.ops.Op;
import org.resnet4j.engine.jvm.ops.Registry;
import org.resnet4j.engine.jvm.ops.RunContext;
import org.resnet4j.engine.jvm.ops.Value;
import org.resnet4j.onnx.NodeProto;

/**
 * Load-time evaluation of the nodes whose inputs are all known: initializers, Constant nodes, and
 * the Shape of a graph input whose declared shape is fixed. Exported graphs compute reshape
 * targets this way (Shape -> Gather -> Unsqueeze -> Concat -> Reshape); folded, the run does no
 * int64 work and the Reshape reads a constant. Where a shape is symbolic the chain stays and runs
 * per input. Runs before {@link org.resnet4j.engine.jvm.ops.Fusion}, which then sees the
 * folded constants.
 */
final class ConstantFolding {
    private ConstantFolding() {}

    /**
     * Evaluates what it can of {@code order} into {@code constants}, returning the nodes left.
     * {@code fixedShapes} maps graph inputs with a fully declared shape to it.
     */
    static List<NodeProto> fold(List<NodeProto> order, Map<String, Value> constants, Map<String, int[]> fixedShapes, int opset) {
        List<NodeProto> left = new ArrayList<>(order.size());
        try (Parallel one = new Parallel(1)) {
            RunContext ctx = new RunContext(one, NaiveSgemm.INSTANCE, new BufferPool());
            for (NodeProto n : order) {
                Value[] in = new Value[n.getInputCount()];
                boolean known = n.getOutputList().stream().noneMatch(String::isEmpty);
                for (int i = 0; known && i < in.length; i++) {
                    String name = n.getInput(i);
                    if (name.isEmpty()) {
                        continue;
                    }
                    in[i] = constants.get(name);
                    if (in[i] == null && n.getOpType().equals("Shape") && fixedShapes.containsKey(name)) {
                        // only the shape is read: zeros of that shape stand in for the input
                        int[] shape = fixedShapes.get(name);
                        in[i] = Value.floats(shape, new float[org.resnet4j.tensor.Shapes.numel(shape)]);
                    }
                    known = in[i] != null;
                }
                if (!known || !n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                    left.add(n);
                    continue;
                }
                Op op = Registry.compile(new NodeSpec(n, opset, constants::get));
                Value[] out = op.run(in, ctx);
                for (int i = 0; i < n.getOutputCount(); i++) {
                    constants.put(n.getOutput(i), out[i]);
                }
            }
        }
        return left;
    }
}
