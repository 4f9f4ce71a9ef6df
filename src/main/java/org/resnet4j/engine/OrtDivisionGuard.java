package org.resnet4j.engine;

import java.util.HashMap;
import java.util.Map;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.ValueInfoProto;

/**
 * Keeps ONNX Runtime from killing the process: its integer {@code Div} and {@code Mod} divide with the
 * CPU's instruction, and {@code INT64_MIN / -1} or a division by zero raises SIGFPE, which ends the JVM
 * (exit 134, an hs_err file left behind), where no exception can be caught. So a model whose main
 * graph divides integers is refused for ONNX Runtime unless every divisor is a constant without 0 and
 * -1 (exporters' shape arithmetic divides by constants such as 2, which stays accepted). The Java
 * engine runs the others (Java's division does not trap; it refuses a zero divisor with an error).
 *
 * <p>Element types come from the graph's declarations (inputs, initializers, value_info, Constant
 * nodes) and a short propagation: Shape and Size give int64, Cast its {@code to}, any other node the
 * type of its first typed input. A Div whose type stays unknown is checked as if it were integer.
 * Subgraphs (If, Loop, Scan bodies) are not walked: ResNets have none; a model with one divides
 * there at ONNX Runtime's risk. Stateless.
 */
public final class OrtDivisionGuard {
    private OrtDivisionGuard() {}

    /** Throws when ONNX Runtime could divide integers by 0 or -1 in {@code model}, naming the node. */
    public static void check(ModelProto model) {
        GraphProto g = model.getGraph();
        Map<String, Integer> types = new HashMap<>();
        Map<String, TensorProto> constants = new HashMap<>();
        for (ValueInfoProto v : g.getInputList()) {
            types.put(v.getName(), v.getType().getTensorType().getElemType());
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            types.put(v.getName(), v.getType().getTensorType().getElemType());
        }
        for (TensorProto t : g.getInitializerList()) {
            types.put(t.getName(), t.getDataType());
            constants.put(t.getName(), t);
        }
        for (NodeProto n : g.getNodeList()) {
            String op = n.getOpType();
            boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (onnx && (op.equals("Div") || op.equals("Mod")) && n.getInputCount() == 2) {
                Integer t = type(types, n.getInput(0));
                if (t == null) {
                    t = type(types, n.getInput(1));
                }
                if (t == null || isInteger(t)) {
                    checkDivisor(n, constants.get(n.getInput(1)), t == null);
                }
            }
            int out = outputType(n, types, constants, onnx);
            for (String o : n.getOutputList()) {
                if (out != TensorProto.DataType.UNDEFINED_VALUE) {
                    types.putIfAbsent(o, out);
                }
            }
        }
    }

    private static Integer type(Map<String, Integer> types, String name) {
        Integer t = types.get(name);
        return t == null || t == TensorProto.DataType.UNDEFINED_VALUE ? null : t;
    }

    private static boolean isInteger(int t) {
        return t == TensorProto.DataType.INT8_VALUE
                || t == TensorProto.DataType.INT16_VALUE
                || t == TensorProto.DataType.INT32_VALUE
                || t == TensorProto.DataType.INT64_VALUE
                || t == TensorProto.DataType.UINT8_VALUE
                || t == TensorProto.DataType.UINT16_VALUE
                || t == TensorProto.DataType.UINT32_VALUE
                || t == TensorProto.DataType.UINT64_VALUE;
    }

    private static void checkDivisor(NodeProto n, TensorProto divisor, boolean typeUnknown) {
        String node = n.getName().isEmpty() ? "the node making '" + n.getOutput(0) + "'" : "node '" + n.getName() + "'";
        String what =
                node + " (" + n.getOpType() + ") divides " + (typeUnknown ? "values of unknown type" : "integers");
        String why = ": ONNX Runtime ends the process with SIGFPE on a division by zero or INT64_MIN / -1,"
                + " which no error can report; run this model with the Java engine (--engine java)";
        if (divisor == null) {
            throw new UnsupportedModelException(
                    what + " by '" + n.getInput(1) + "', a value computed at run time" + why);
        }
        if (divisor.getDataType() == TensorProto.DataType.FLOAT_VALUE
                || divisor.getDataType() == TensorProto.DataType.DOUBLE_VALUE
                || divisor.getDataType() == TensorProto.DataType.FLOAT16_VALUE) {
            return; // float division does not trap
        }
        for (long v : integerValues(divisor)) {
            if (v == 0 || v == -1) {
                throw new UnsupportedModelException(
                        what + " by the constant '" + n.getInput(1) + "', which holds " + v + why);
            }
        }
    }

    // the integer values of a constant (int64_data, int32_data, or raw little-endian bytes)
    private static long[] integerValues(TensorProto t) {
        if (t.getInt64DataCount() > 0) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        if (t.getInt32DataCount() > 0) {
            return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
        }
        // slice: a model parsed in place shares its file's array, so the buffer need not start at 0
        java.nio.ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int size = switch (t.getDataType()) {
            case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.UINT64_VALUE -> 8;
            case TensorProto.DataType.INT32_VALUE, TensorProto.DataType.UINT32_VALUE -> 4;
            case TensorProto.DataType.INT16_VALUE, TensorProto.DataType.UINT16_VALUE -> 2;
            default -> 1;
        };
        long[] v = new long[raw.remaining() / size];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (size) {
                case 8 -> raw.getLong(i * 8);
                case 4 -> raw.getInt(i * 4);
                case 2 -> raw.getShort(i * 2);
                default -> raw.get(i);
            };
        }
        return v;
    }

    // a node's output type from its op and inputs; Constant nodes' values are recorded as constants
    private static int outputType(
            NodeProto n, Map<String, Integer> types, Map<String, TensorProto> constants, boolean onnx) {
        String op = onnx ? n.getOpType() : "";
        switch (op) {
            case "Shape", "Size", "ArgMax", "ArgMin", "NonZero" -> {
                return TensorProto.DataType.INT64_VALUE;
            }
            case "ConstantOfShape" -> {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value")) {
                        return a.getT().getDataType();
                    }
                }
                return TensorProto.DataType.FLOAT_VALUE;
            }
            case "Cast" -> {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("to")) {
                        return (int) a.getI();
                    }
                }
                return TensorProto.DataType.UNDEFINED_VALUE;
            }
            case "Constant" -> {
                for (AttributeProto a : n.getAttributeList()) {
                    switch (a.getName()) {
                        case "value" -> {
                            if (n.getOutputCount() == 1) {
                                constants.put(n.getOutput(0), a.getT());
                            }
                            return a.getT().getDataType();
                        }
                        case "value_int", "value_ints" -> {
                            TensorProto.Builder t =
                                    TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE);
                            if (a.getName().equals("value_int")) {
                                t.addInt64Data(a.getI());
                            } else {
                                t.addAllInt64Data(a.getIntsList());
                            }
                            if (n.getOutputCount() == 1) {
                                constants.put(n.getOutput(0), t.build());
                            }
                            return TensorProto.DataType.INT64_VALUE;
                        }
                        case "value_float", "value_floats" -> {
                            return TensorProto.DataType.FLOAT_VALUE;
                        }
                        default -> {}
                    }
                }
                return TensorProto.DataType.UNDEFINED_VALUE;
            }
            default -> {
                for (String in : n.getInputList()) {
                    Integer t = in.isEmpty() ? null : type(types, in);
                    if (t != null) {
                        return t;
                    }
                }
                return TensorProto.DataType.UNDEFINED_VALUE;
            }
        }
    }
}
