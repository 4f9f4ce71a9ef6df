package org.resnet4j.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.ReaderLimits;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;

/**
 * Structural checks on a parsed ONNX model, run before anything else looks at it (and before any
 * engine allocates for it). Parsing itself allocates about the file's size; these checks allocate
 * only per name, so that after them every tensor's data is known to be as large as its dims say
 * and no larger than the file justifies:
 * <ul>
 *   <li>every tensor, wherever it sits, through one check ({@link #tensor}): initializers, sparse
 *       initializers, every tensor, tensor list, sparse tensor and sparse tensor list of every
 *       attribute ({@link #attribute}), in subgraphs, function bodies and function attribute
 *       defaults: dims non-negative, at most {@code onnx.maxDim}, their product without overflow and
 *       at most {@code onnx.maxTensorElements}; raw_data or the typed field holds exactly that many
 *       elements; no external data (we never read a file the model names);</li>
 *   <li>every sparse tensor: values [NNZ], indices [NNZ] or [NNZ, rank], and its dense size (ONNX
 *       Runtime densifies it) charged to {@code copy.budgetFactor} × model size + 16 MiB;</li>
 *   <li>every shape in inputs, outputs and value_info: dims non-negative and at most {@code onnx.maxDim};</li>
 *   <li>the graph: at most {@code onnx.maxNodes} nodes, every node input defined by a graph input,
 *       an initializer, an outer scope or an earlier node; no value produced twice; no cycles;
 *       every graph output defined. Outer scopes are a chain pushed and popped per subgraph, so the
 *       work is linear in the model (copying them made 10,000 If nodes take minutes).</li>
 * </ul>
 *
 * <p>One instance per validation; the static entry points are thread-safe.
 */
public final class OnnxValidator {
    private final String file;
    private final ReaderLimits limits;
    private long nodes;
    private long denseBytes;
    private long denseBudget;

    private OnnxValidator(String file, ReaderLimits limits) {
        this.file = file;
        this.limits = limits;
    }

    /**
     * Throws {@link FormatException} or {@link UnsafeContentException} naming {@code file} and the
     * problem. Sparse tensors are charged, once densified, to the copy budget of the model's
     * serialised size ({@code copy.budgetFactor} × size + 16 MiB), as ONNX Runtime densifies them.
     */
    public static void validate(String file, ModelProto model) {
        validate(file, model, model.getSerializedSize());
    }

    /** The same, for a model read from a file of {@code fileSize} bytes. */
    public static void validate(String file, ModelProto model, long fileSize) {
        OnnxValidator v = new OnnxValidator(file, ReaderLimits.current());
        v.denseBudget =
                Math.addExact(Math.multiplyExact(v.limits.copyBudgetFactor(), Math.max(fileSize, 0)), 16L << 20);
        if (!model.hasGraph()) {
            throw new FormatException(file + ": not an ONNX model (no graph)");
        }
        if (model.getTrainingInfoCount() > 0) {
            throw new FormatException(file + ": ONNX training_info is not supported");
        }
        v.graph(model.getGraph(), new Scope(), "graph");
        for (FunctionProto f : model.getFunctionsList()) {
            v.function(f);
        }
    }

    private void countNode(String where, int i) {
        if (++nodes > limits.onnxMaxNodes()) {
            throw new UnsafeContentException(
                    file + ": " + where + (i >= 0 ? " node " + i : "") + " brings the model over "
                            + limits.onnxMaxNodes() + " nodes (" + ReaderLimits.hint("onnx.maxNodes") + ")");
        }
    }

    /**
     * The names visible at a point of the graph: a chain of levels (the main graph, then each
     * enclosing subgraph), pushed on entering a subgraph and popped on leaving it, so that a subgraph
     * costs its own size and not that of every scope around it.
     */
    private static final class Scope {
        private final Map<String, Integer> visible = new HashMap<>(); // name -> levels defining it
        private final ArrayDeque<List<String>> levels = new ArrayDeque<>();

        void push() {
            levels.push(new ArrayList<>());
        }

        void add(String name) {
            levels.peek().add(name);
            visible.merge(name, 1, Integer::sum);
        }

        boolean contains(String name) {
            return visible.containsKey(name);
        }

        void pop() {
            for (String name : levels.pop()) {
                visible.computeIfPresent(name, (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    /** A model-local function: its attribute defaults (which a node takes by ref_attr_name), value infos and body. */
    private void function(FunctionProto f) {
        String where = "function '" + abbreviate(f.getName()) + "'";
        for (AttributeProto a : f.getAttributeProtoList()) {
            attribute(a, new Scope(), where + " default");
        }
        for (ValueInfoProto vi : f.getValueInfoList()) {
            valueInfo(vi, where + " value_info");
        }
        // a function sees only its own inputs and the values its nodes produce
        Scope own = new Scope();
        own.push();
        f.getInputList().forEach(own::add);
        List<NodeProto> nodeList = f.getNodeList();
        for (int i = 0; i < nodeList.size(); i++) {
            NodeProto n = nodeList.get(i);
            countNode(where, i);
            attributes(n, own, where + " node " + i + " " + describe(n));
            n.getOutputList().forEach(own::add);
        }
    }

    private void graph(GraphProto g, Scope scope, String where) {
        // defined here before any node runs: inputs, initializers; a name here may shadow an outer one
        Set<String> local = new HashSet<>();
        for (ValueInfoProto vi : g.getInputList()) {
            valueInfo(vi, where + " input");
            local.add(vi.getName());
        }
        for (TensorProto t : g.getInitializerList()) {
            tensor(t, where + " initializer");
            local.add(t.getName());
        }
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            sparse(s, where + " sparse initializer");
            local.add(s.getValues().getName());
        }
        for (ValueInfoProto vi : g.getOutputList()) {
            valueInfo(vi, where + " output");
        }
        for (ValueInfoProto vi : g.getValueInfoList()) {
            valueInfo(vi, where + " value_info");
        }
        // who produces each value; a value may be produced once (SSA)
        Map<String, Integer> producer = new HashMap<>();
        List<NodeProto> nodeList = g.getNodeList();
        for (int i = 0; i < nodeList.size(); i++) {
            NodeProto n = nodeList.get(i);
            countNode(where, i);
            for (String o : n.getOutputList()) {
                if (o.isEmpty()) {
                    continue;
                }
                if (producer.put(o, i) != null || local.contains(o)) {
                    throw new FormatException(file + ": " + where + ": value '" + abbreviate(o)
                            + "' is produced twice (node " + i + " " + describe(n) + ")");
                }
            }
        }
        // in order: each input defined before use; else say whether it is undefined or part of a cycle
        scope.push();
        local.forEach(scope::add);
        for (int i = 0; i < nodeList.size(); i++) {
            NodeProto n = nodeList.get(i);
            for (String in : n.getInputList()) {
                if (in.isEmpty() || scope.contains(in)) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p == null) {
                    throw new FormatException(file + ": " + where + ": node " + i + " " + describe(n) + " reads '"
                            + abbreviate(in) + "', which no graph input, initializer or node defines");
                }
                List<String> cycle = findCycle(nodeList, producer, local);
                if (cycle != null) {
                    throw new FormatException(
                            file + ": " + where + ": the nodes form a cycle: " + String.join(" -> ", cycle));
                }
                throw new FormatException(file + ": " + where + ": node " + i + " " + describe(n) + " reads '"
                        + abbreviate(in) + "' before node " + p + " produces it (nodes must be in topological order)");
            }
            attributes(n, scope, where + " node " + i + " " + describe(n));
            for (String o : n.getOutputList()) {
                if (!o.isEmpty()) {
                    scope.add(o);
                }
            }
        }
        for (ValueInfoProto vi : g.getOutputList()) {
            if (!scope.contains(vi.getName())) {
                scope.pop();
                throw new FormatException(
                        file + ": " + where + ": output '" + abbreviate(vi.getName()) + "' is never produced");
            }
        }
        scope.pop();
    }

    /** A cycle among the nodes (as "node i (Op) -> ..."), or null; iterative, so deep graphs cannot overflow the stack. */
    private static List<String> findCycle(List<NodeProto> nodes, Map<String, Integer> producer, Set<String> defined) {
        int n = nodes.size();
        int[] state = new int[n]; // 0 new, 1 on the path, 2 done
        int[] parent = new int[n];
        for (int start = 0; start < n; start++) {
            if (state[start] != 0) {
                continue;
            }
            ArrayDeque<int[]> stack = new ArrayDeque<>(); // {node, next input index}
            stack.push(new int[] {start, 0});
            state[start] = 1;
            parent[start] = -1;
            while (!stack.isEmpty()) {
                int[] top = stack.peek();
                NodeProto node = nodes.get(top[0]);
                if (top[1] >= node.getInputCount()) {
                    state[top[0]] = 2;
                    stack.pop();
                    continue;
                }
                String in = node.getInput(top[1]++);
                Integer p = in.isEmpty() || defined.contains(in) ? null : producer.get(in);
                if (p == null) {
                    continue;
                }
                if (state[p] == 1) {
                    List<String> cycle = new ArrayList<>();
                    for (int c = top[0]; c != p && c >= 0 && cycle.size() < 20; c = parent[c]) {
                        cycle.add(0, "node " + c + " " + describe(nodes.get(c)));
                    }
                    cycle.add(0, "node " + p + " " + describe(nodes.get(p)));
                    cycle.add("node " + p);
                    return cycle;
                }
                if (state[p] == 0) {
                    state[p] = 1;
                    parent[p] = top[0];
                    stack.push(new int[] {p, 0});
                }
            }
        }
        return null;
    }

    private void attributes(NodeProto n, Scope scope, String where) {
        for (AttributeProto a : n.getAttributeList()) {
            attribute(a, scope, where);
        }
    }

    /** Every tensor, sparse tensor and graph an attribute holds, whatever its declared type says. */
    private void attribute(AttributeProto a, Scope scope, String where) {
        String w = where + " attribute '" + abbreviate(a.getName()) + "'";
        if (a.hasT()) {
            tensor(a.getT(), w);
        }
        for (TensorProto t : a.getTensorsList()) {
            tensor(t, w);
        }
        if (a.hasSparseTensor()) {
            sparse(a.getSparseTensor(), w);
        }
        for (SparseTensorProto s : a.getSparseTensorsList()) {
            sparse(s, w);
        }
        if (a.hasG()) {
            graph(a.getG(), scope, w);
        }
        for (GraphProto g : a.getGraphsList()) {
            graph(g, scope, w);
        }
    }

    private void valueInfo(ValueInfoProto vi, String where) {
        if (!vi.hasType()) {
            return;
        }
        TypeProto t = vi.getType();
        TensorShapeProto shape = t.hasTensorType()
                ? t.getTensorType().getShape()
                : t.hasSparseTensorType() ? t.getSparseTensorType().getShape() : null;
        if (shape == null) {
            return;
        }
        for (TensorShapeProto.Dimension d : shape.getDimList()) {
            if (d.hasDimValue() && (d.getDimValue() < 0 || d.getDimValue() > limits.onnxMaxDim())) {
                throw new FormatException(file + ": " + where + " '" + abbreviate(vi.getName()) + "' has dimension "
                        + d.getDimValue() + " (allowed 0.." + limits.onnxMaxDim() + ")");
            }
        }
    }

    /**
     * A sparse tensor: its dense dims, values and indices as any tensor; values of shape [NNZ] and
     * indices of shape [NNZ] or [NNZ, rank]; and the dense form, which ONNX Runtime materialises, within
     * the budget (no file bytes back it, unlike a dense tensor's).
     */
    private void sparse(SparseTensorProto s, String where) {
        TensorProto values = s.getValues();
        TensorProto indices = s.getIndices();
        String name = values.getName();
        long n = checkDims(s.getDimsList(), name, where);
        tensor(values, where + " values");
        tensor(indices, where + " indices");
        long nnz = values.getDimsCount() == 1 ? values.getDims(0) : -1;
        boolean indexShape = indices.getDimsCount() == 1 && indices.getDims(0) == nnz
                || indices.getDimsCount() == 2 && indices.getDims(0) == nnz && indices.getDims(1) == s.getDimsCount();
        if (nnz < 0 || !indexShape || nnz > n) {
            throw new FormatException(file + ": " + where + " '" + abbreviate(name) + "' has values of dims "
                    + abbreviate(values.getDimsList().toString()) + " and indices of dims "
                    + abbreviate(indices.getDimsList().toString()) + ", expected [NNZ] and [NNZ] or [NNZ, "
                    + s.getDimsCount() + "] with NNZ <= " + n);
        }
        long bits = bitsPerElement(values.getDataType());
        long bytes = (n * (bits == 0 ? 64 : bits) + 7) / 8; // n <= 2^31, bits <= 128: no overflow; a string counts 8
        denseBytes += bytes;
        if (denseBytes > denseBudget) {
            throw new UnsafeContentException(file + ": " + where + " '" + abbreviate(name) + "' of dense dims "
                    + abbreviate(s.getDimsList().toString()) + " densifies to " + bytes + " bytes; sparse tensors may "
                    + "densify to at most " + denseBudget + " bytes in all (copy.budgetFactor x model size + 16 MiB, "
                    + ReaderLimits.hint("copy.budgetFactor") + ")");
        }
    }

    /** The element count the dims give, after checking each dim and the product. */
    private long checkDims(List<Long> dims, String name, String where) {
        long n = 1;
        for (long d : dims) {
            if (d < 0 || d > limits.onnxMaxDim()) {
                throw new FormatException(file + ": " + where + " '" + abbreviate(name) + "' has dimension " + d
                        + " in " + abbreviate(dims.toString()) + " (allowed 0.." + limits.onnxMaxDim() + ")");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new FormatException(file + ": " + where + " '" + abbreviate(name) + "' has dims "
                        + abbreviate(dims.toString()) + " whose product overflows");
            }
        }
        if (n > limits.onnxMaxTensorElements()) {
            throw new UnsafeContentException(file + ": " + where + " '" + abbreviate(name) + "' has " + n
                    + " elements (dims " + abbreviate(dims.toString()) + "), over the limit of "
                    + limits.onnxMaxTensorElements() + " (" + ReaderLimits.hint("onnx.maxTensorElements") + ")");
        }
        return n;
    }

    private void tensor(TensorProto t, String where) {
        String name = t.getName();
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            String location = t.getExternalDataList().stream()
                    .filter(e -> e.getKey().equals("location"))
                    .map(StringStringEntryProto::getValue)
                    .findFirst()
                    .orElse("?");
            throw new UnsafeContentException(file + ": " + where + " '" + abbreviate(name)
                    + "' keeps its data in external file '" + abbreviate(location)
                    + "'; resnet4j reads no file but the model itself");
        }
        long n = checkDims(t.getDimsList(), name, where);
        if (t.hasSegment()) {
            throw new FormatException(
                    file + ": " + where + " '" + abbreviate(name) + "' is a segment, which is not supported");
        }
        int type = t.getDataType();
        long bits = bitsPerElement(type);
        if (bits < 0) {
            throw new FormatException(
                    file + ": " + where + " '" + abbreviate(name) + "' has unknown data type " + type);
        }
        long have;
        String field;
        long expected;
        if (t.hasRawData()) {
            if (type == TensorProto.DataType.STRING_VALUE) {
                throw new FormatException(
                        file + ": " + where + " '" + abbreviate(name) + "' is a STRING tensor with raw_data");
            }
            field = "raw_data bytes";
            have = t.getRawData().size();
            expected = (n * bits + 7) / 8; // n <= 2^31 and bits <= 128: no overflow
        } else {
            expected = n;
            switch (TensorProto.DataType.forNumber(type)) {
                case FLOAT -> {
                    field = "float_data";
                    have = t.getFloatDataCount();
                }
                case COMPLEX64 -> {
                    field = "float_data";
                    have = t.getFloatDataCount();
                    expected = 2 * n;
                }
                case DOUBLE -> {
                    field = "double_data";
                    have = t.getDoubleDataCount();
                }
                case COMPLEX128 -> {
                    field = "double_data";
                    have = t.getDoubleDataCount();
                    expected = 2 * n;
                }
                case INT64 -> {
                    field = "int64_data";
                    have = t.getInt64DataCount();
                }
                case UINT32, UINT64 -> {
                    field = "uint64_data";
                    have = t.getUint64DataCount();
                }
                case STRING -> {
                    field = "string_data";
                    have = t.getStringDataCount();
                }
                case UINT4, INT4, FLOAT4E2M1 -> {
                    field = "int32_data";
                    have = t.getInt32DataCount();
                    expected = (n + 1) / 2;
                }
                default -> {
                    field = "int32_data";
                    have = t.getInt32DataCount();
                }
            }
            if (have == 0 && n > 0 && type == TensorProto.DataType.UNDEFINED_VALUE) {
                throw new FormatException(file + ": " + where + " '" + abbreviate(name) + "' has no data type");
            }
        }
        if (have != expected) {
            throw new FormatException(file + ": " + where + " '" + abbreviate(name) + "' of dims "
                    + abbreviate(t.getDimsList().toString()) + " and type " + typeName(type) + " needs " + expected
                    + " " + field + ", the file has " + have);
        }
    }

    /** Bits per element of an ONNX data type; 0 for STRING (no raw form), -1 for unknown. */
    static long bitsPerElement(int type) {
        TensorProto.DataType dt = TensorProto.DataType.forNumber(type);
        if (dt == null) {
            return -1;
        }
        return switch (dt) {
            case UNDEFINED -> 0;
            case STRING -> 0;
            case BOOL, UINT8, INT8, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> 8;
            case UINT4, INT4, FLOAT4E2M1 -> 4;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> 16;
            case FLOAT, INT32, UINT32 -> 32;
            case DOUBLE, INT64, UINT64, COMPLEX64 -> 64;
            case COMPLEX128 -> 128;
            default -> -1;
        };
    }

    private static String typeName(int type) {
        TensorProto.DataType dt = TensorProto.DataType.forNumber(type);
        return dt == null ? "type " + type : dt.name();
    }

    private static String describe(NodeProto n) {
        return "(" + abbreviate(n.getOpType()) + (n.getName().isEmpty() ? "" : " '" + abbreviate(n.getName()) + "'")
                + ")";
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
