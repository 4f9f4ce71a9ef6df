package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.jvm.ops.Registry;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

/**
 * The Java engine against ONNX Runtime, op by op, on generated edge cases: for every op the {@link
 * Registry} compiles, a generator seeded per op makes one-node models at the edges of the op's ONNX
 * spec — ranks 0 to 4, dimensions of 1 and 0, broadcasting, negative axes, the attribute and input
 * forms of each opset from 7 to 21, every element type the op takes, and values such as NaN, ±inf,
 * -0.0, subnormals and large magnitudes where the op defines them.
 *
 * <p>Each case runs on both engines. When both answer, the outputs must have the same names, types
 * and shapes; integers must be equal, and floats bit-equal (NaN payloads aside) where the op's result
 * is exact (data movement, Relu, Clip, Cast, max pooling, element-wise arithmetic), else NaN and
 * infinities in the same places and the rest within {@link OneNode#OP_TOLERANCE} of the largest
 * reference value (for sums and means, plus that tolerance times the largest input: a sum that
 * cancels is exact only relative to its terms). When ONNX Runtime refuses a case, the Java engine
 * refusing it too with a {@link ResNet4jException} counts as agreement; the Java engine answering is
 * counted and listed as an ONNX Runtime-only refusal (places where ONNX Runtime is stricter than the
 * spec). When only the Java engine refuses, the case fails unless its generator marked that refusal
 * as deliberate (training mode, opsets before 7, models the spec calls invalid). An exception of any
 * other type from the Java engine, or one wrapping an internal exception (an op that crashed), is a
 * mismatch. One line per op is printed; the test fails on any mismatch, naming the op, its seed, the
 * case and the model.
 *
 * <p>Where ONNX Runtime departs from the spec, or the spec leaves a result open, the generators stay
 * off that edge, each with a comment naming ONNX Runtime's behaviour (max pooling's NaN and -inf,
 * Dropout's mask before opset 12, Gemm and MatMul with K = 0, means of nothing, SAME pools with
 * dilations or strides above the window, windows larger than the padded input, Slice's INT64_MAX end
 * with a negative step, wrap pads longer than the axis, ReduceMean's negative axes and
 * noop_with_empty_axes on empty inputs). The edges the Java engine got wrong are pinned per op and
 * run first.
 *
 * <p>{@code -Dresnet4j.opdiff.seed=N} draws other cases from the same generators.
 */
class OpDifferentialTest {
    private static final long BASE_SEED = Long.getLong("resnet4j.opdiff.seed", 0);

    /**
     * How many models one op's generator makes, how it makes case {@code i}, and the edges pinned for
     * the op (ones the Java engine got wrong), run before the generated cases.
     */
    record Gen(int count, Generator make, List<Case> pinned) {
        Gen(int count, Generator make) {
            this(count, make, List.of());
        }
    }

    @FunctionalInterface
    interface Generator {
        Case make(Random r, int i);
    }

    /** How a case's float outputs are compared. */
    enum Match {
        /** Bit for bit, NaN payloads aside. */
        EXACT,
        /** NaN and infinities in place, the rest within the tolerance of max |reference|. */
        CLOSE,
        /**
         * As CLOSE, with an absolute slack of the tolerance times the largest finite |input|: a sum or
         * mean that cancels to near 0 is exact only relative to its terms.
         */
        SUM
    }

    /**
     * One generated model, how its outputs are compared, and {@code javaRefuses}: words of a
     * Java-engine refusal that is deliberate (documented) where ONNX Runtime answers, else null.
     */
    record Case(OneNode node, Match match, String javaRefuses) {
        Case deliberatelyRefusedWith(String words) {
            return new Case(node, match, words);
        }
    }

    static Case exact(OneNode n) {
        return new Case(n, Match.EXACT, null);
    }

    static Case close(OneNode n) {
        return new Case(n, Match.CLOSE, null);
    }

    static Case sums(OneNode n) {
        return new Case(n, Match.SUM, null);
    }

    private static final Map<String, Gen> GENERATORS = new TreeMap<>();

    static {
        for (String op : List.of("Add", "Sub", "Mul", "Div")) {
            GENERATORS.put(op, new Gen(28, (r, i) -> arithmetic(op, r, i)));
        }
        GENERATORS.put("AveragePool", new Gen(32, (r, i) -> pool(false, r, i)));
        GENERATORS.put("BatchNormalization", new Gen(24, OpDifferentialTest::batchNorm));
        GENERATORS.put("Cast", new Gen(36, OpDifferentialTest::cast));
        GENERATORS.put("Clip", new Gen(28, OpDifferentialTest::clip, clipPinned()));
        GENERATORS.put("Concat", new Gen(24, OpDifferentialTest::concat));
        GENERATORS.put("Constant", new Gen(16, OpDifferentialTest::constant));
        GENERATORS.put("ConstantOfShape", new Gen(20, OpDifferentialTest::constantOfShape));
        GENERATORS.put("Conv", new Gen(32, OpDifferentialTest::conv));
        GENERATORS.put("DequantizeLinear", new Gen(36, OpDifferentialTest::dequantizeLinear));
        GENERATORS.put("QuantizeLinear", new Gen(40, OpDifferentialTest::quantizeLinear));
        GENERATORS.put("Dropout", new Gen(24, OpDifferentialTest::dropout, dropoutPinned()));
        GENERATORS.put("Flatten", new Gen(20, OpDifferentialTest::flatten));
        GENERATORS.put("Gather", new Gen(28, OpDifferentialTest::gather));
        GENERATORS.put("Gemm", new Gen(28, OpDifferentialTest::gemm));
        GENERATORS.put("GlobalAveragePool", new Gen(16, (r, i) -> globalPool("GlobalAveragePool", r, i)));
        GENERATORS.put("GlobalMaxPool", new Gen(16, (r, i) -> globalPool("GlobalMaxPool", r, i)));
        GENERATORS.put("Identity", new Gen(12, OpDifferentialTest::identity));
        GENERATORS.put("MatMul", new Gen(24, OpDifferentialTest::matMul));
        GENERATORS.put("MaxPool", new Gen(32, (r, i) -> pool(true, r, i)));
        GENERATORS.put("Pad", new Gen(36, OpDifferentialTest::pad, padPinned()));
        GENERATORS.put("ReduceMean", new Gen(28, OpDifferentialTest::reduceMean));
        GENERATORS.put("Relu", new Gen(16, (r, i) -> unary("Relu", r), reluPinned()));
        GENERATORS.put("Reshape", new Gen(24, OpDifferentialTest::reshape));
        GENERATORS.put("Shape", new Gen(16, OpDifferentialTest::shapeOp));
        GENERATORS.put("Sigmoid", new Gen(16, (r, i) -> unary("Sigmoid", r)));
        GENERATORS.put("Slice", new Gen(36, OpDifferentialTest::slice));
        GENERATORS.put("Softmax", new Gen(24, OpDifferentialTest::softmax));
        GENERATORS.put("Squeeze", new Gen(20, OpDifferentialTest::squeeze));
        GENERATORS.put("Sum", new Gen(20, OpDifferentialTest::sum));
        GENERATORS.put("Transpose", new Gen(20, OpDifferentialTest::transpose));
        GENERATORS.put("Unsqueeze", new Gen(20, OpDifferentialTest::unsqueeze));
    }

    @Test
    void everyRegisteredOpHasAGenerator() {
        assertEquals(Registry.supported(), GENERATORS.keySet(), "ops registered vs ops with a generator here");
    }

    @Test
    void javaEngineAgreesWithOnnxRuntimeAtTheEdgesOfEveryOp() {
        List<String> mismatches = new ArrayList<>();
        List<String> details = new ArrayList<>();
        StringBuilder summary = new StringBuilder();
        int total = 0;
        for (Map.Entry<String, Gen> e : GENERATORS.entrySet()) {
            String op = e.getKey();
            long seed = BASE_SEED * 1_000_003L + op.hashCode();
            Random r = new Random(seed);
            Tally t = new Tally();
            List<Case> pinned = e.getValue().pinned();
            for (int i = 0; i < pinned.size(); i++) {
                Case c = pinned.get(i);
                t.run(op, op + " (pinned edge " + i + ") " + describe(c.node()), c, mismatches, details);
            }
            for (int i = 0; i < e.getValue().count(); i++) {
                Case c = e.getValue().make().make(r, i);
                t.run(op, op + " (seed " + seed + ", case " + i + ") " + describe(c.node()), c, mismatches, details);
            }
            total += t.cases;
            summary.append(String.format(
                    Locale.ROOT,
                    "[op-diff] %-18s seed %11d  cases %2d  agreed %2d  both refused %2d  ORT-only refusals %2d"
                            + "  Java-only refusals (deliberate) %2d  mismatches %d%n",
                    op,
                    seed,
                    t.cases,
                    t.agreed,
                    t.bothRefused,
                    t.ortOnly,
                    t.javaOnly,
                    t.mismatches));
        }
        System.out.print(summary);
        details.forEach(d -> System.out.println("[op-diff]   " + d));
        System.out.println("[op-diff] " + total + " cases, " + mismatches.size() + " mismatches");
        assertTrue(
                mismatches.isEmpty(),
                mismatches.size() + " mismatches between the Java engine and ONNX Runtime:\n"
                        + String.join("\n", mismatches.subList(0, Math.min(mismatches.size(), 25))));
    }

    /** One op's counts. */
    private static final class Tally {
        int cases;
        int agreed;
        int bothRefused;
        int ortOnly;
        int javaOnly;
        int mismatches;

        void run(String op, String where, Case c, List<String> mismatchList, List<String> details) {
            cases++;
            Object ort = ort(c.node());
            Object java = java(c.node());
            String problem = null;
            if (java instanceof Throwable j && !typedRefusal(j)) {
                problem = "the Java engine crashed: " + stackTop(j);
            } else if (ort instanceof Throwable && java instanceof Throwable) {
                bothRefused++;
            } else if (ort instanceof Throwable o) {
                ortOnly++;
                details.add("ORT-only refusal: " + where + "\n      ORT: " + brief(o));
            } else if (java instanceof Throwable j) {
                if (c.javaRefuses() != null && j.getMessage().contains(c.javaRefuses())) {
                    javaOnly++;
                    details.add("Java-only refusal (deliberate): " + where + "\n      Java: " + brief(j));
                } else {
                    problem = "only the Java engine refuses: " + j.getMessage();
                }
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Tensor> o = (Map<String, Tensor>) ort;
                @SuppressWarnings("unchecked")
                Map<String, Tensor> j = (Map<String, Tensor>) java;
                problem = compare(op, o, j, c);
                if (problem == null) {
                    agreed++;
                }
            }
            if (problem != null) {
                mismatches++;
                mismatchList.add(where + "\n    " + problem);
                details.add("MISMATCH: " + where + "\n      " + problem);
            }
        }
    }

    private static Object ort(OneNode n) {
        try {
            return n.runOrtOutputs();
        } catch (RuntimeException e) {
            return e; // ONNX Runtime's refusal, as OrtEngine reports it
        }
    }

    private static Object java(OneNode n) {
        try {
            return n.runJavaOutputs();
        } catch (RuntimeException | AssertionError e) {
            return e;
        }
    }

    /** A refusal: the project's typed error, not wrapping an internal exception (an op that crashed). */
    static boolean typedRefusal(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (!(c instanceof ResNet4jException)) {
                return false;
            }
        }
        return true;
    }

    private static String stackTop(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        StackTraceElement[] st = root.getStackTrace();
        return e + (root != e ? " caused by " + root : "") + (st.length > 0 ? " at " + st[0] : "");
    }

    private static String brief(Throwable e) {
        String m = String.valueOf(e.getMessage()).replace('\n', ' ');
        return m.length() > 220 ? m.substring(0, 220) + "..." : m;
    }

    // ---- comparison ----

    /** Null when the outputs agree, else what differs. */
    static String compare(String op, Map<String, Tensor> ort, Map<String, Tensor> java, Case c) {
        double slack = c.match() == Match.SUM ? largestFiniteInput(c.node()) : 0;
        if (!ort.keySet().equals(java.keySet())) {
            return "outputs " + java.keySet() + ", ONNX Runtime " + ort.keySet();
        }
        for (String name : ort.keySet()) {
            Tensor o = ort.get(name);
            Tensor j = java.get(name);
            String d;
            if (o.dtype() != j.dtype()) {
                d = "type " + j.dtype() + ", ONNX Runtime " + o.dtype();
            } else if (!Arrays.equals(o.shape(), j.shape())) {
                d = "shape " + Shapes.format(j.shape()) + ", ONNX Runtime " + Shapes.format(o.shape());
            } else if (!o.dtype().isFloatingPoint()) {
                d = integersDiffer(o, j);
            } else {
                d = c.match() == Match.EXACT ? bitsDiffer(o, j) : notClose(op, o, j, slack);
            }
            if (d != null) {
                return "output " + name + ": " + d;
            }
        }
        return null;
    }

    private static String integersDiffer(Tensor ort, Tensor java) {
        long[] o = ort.toLongArray();
        long[] j = java.toLongArray();
        for (int i = 0; i < o.length; i++) {
            if (o[i] != j[i]) {
                return "element " + i + " is " + j[i] + ", ONNX Runtime " + o[i] + " (of " + o.length + ")";
            }
        }
        return null;
    }

    // bit equality, every NaN alike (payloads are not compared)
    private static String bitsDiffer(Tensor ort, Tensor java) {
        float[] o = ort.toArray();
        float[] j = java.toArray();
        for (int i = 0; i < o.length; i++) {
            if (Float.floatToIntBits(o[i]) != Float.floatToIntBits(j[i])) {
                return "element " + i + " is " + j[i] + ", ONNX Runtime " + o[i] + " (of " + o.length + ")";
            }
        }
        return null;
    }

    /** The largest finite |value| among the float inputs and initializers of a case's model. */
    private static double largestFiniteInput(OneNode n) {
        List<Tensor> inputs = new ArrayList<>(n.feeds().values());
        for (TensorProto t : n.model().getGraph().getInitializerList()) {
            inputs.add(Onnx.toAnyTensor(t));
        }
        double m = 0;
        for (Tensor t : inputs) {
            for (int i = 0; t.dtype().isFloatingPoint() && i < t.numel(); i++) {
                float v = t.get(i);
                m = Float.isFinite(v) ? Math.max(m, Math.abs(v)) : m;
            }
        }
        return m;
    }

    // NaN and infinities in the same places, the finite rest within the tolerance of max |reference|
    // (plus the tolerance times {@code scale})
    private static String notClose(String op, Tensor ort, Tensor java, double scale) {
        float[] o = ort.toArray();
        float[] j = java.toArray();
        for (int i = 0; i < o.length; i++) {
            boolean special = !Float.isFinite(o[i]) || !Float.isFinite(j[i]);
            if (special && Float.floatToIntBits(o[i]) != Float.floatToIntBits(j[i])) {
                return "element " + i + " is " + j[i] + ", ONNX Runtime " + o[i] + " (of " + o.length + ")";
            }
            if (special) {
                o[i] = 0;
                j[i] = 0;
            }
        }
        Comparison c = Comparison.of(op, Tensor.of(java.shape(), j), Tensor.of(ort.shape(), o));
        // float16 results are rounded to 11 significant bits after the float math
        double tol = ort.dtype() == DType.FLOAT16 ? 1e-3 : OneNode.OP_TOLERANCE;
        ErrorLog.record(op, c.relative());
        return c.close(tol, tol * scale)
                ? null
                : c.describe() + ", relative > " + tol + (scale > 0 ? " and above " + tol + " x " + scale : "");
    }

    /** The model in one line: opset, inputs (type, shape, small values), attributes. */
    static String describe(OneNode n) {
        ModelProto m = n.model();
        NodeProto node = m.getGraph().getNode(0);
        Map<String, Tensor> inits = new TreeMap<>();
        for (TensorProto t : m.getGraph().getInitializerList()) {
            inits.put(t.getName(), Onnx.toAnyTensor(t));
        }
        StringBuilder b = new StringBuilder("opset ").append(n.opset()).append(':');
        for (String in : node.getInputList()) {
            if (in.isEmpty()) {
                b.append(" -");
            } else if (inits.containsKey(in)) {
                b.append(' ').append(in).append("=const ").append(show(inits.get(in)));
            } else {
                b.append(' ').append(in).append('=').append(show(n.feeds().get(in)));
            }
        }
        for (AttributeProto a : node.getAttributeList()) {
            b.append(' ').append(a.getName()).append('=');
            switch (a.getType()) {
                case INT -> b.append(a.getI());
                case INTS -> b.append(a.getIntsList());
                case FLOAT -> b.append(a.getF());
                case FLOATS -> b.append(a.getFloatsList());
                case STRING -> b.append(a.getS().toStringUtf8());
                case TENSOR -> b.append(show(Onnx.toAnyTensor(a.getT())));
                default -> b.append(a.getType());
            }
        }
        return b.append(" outputs ").append(node.getOutputCount()).toString();
    }

    private static String show(Tensor t) {
        String s = t.dtype() + Shapes.format(t.shape());
        if (t.numel() > 8) {
            return s;
        }
        StringBuilder v = new StringBuilder(s).append('{');
        for (int i = 0; i < t.numel(); i++) {
            v.append(i > 0 ? ", " : "")
                    .append(t.dtype().isFloatingPoint() ? String.valueOf(t.get(i)) : String.valueOf(t.getLong(i)));
        }
        return v.append('}').toString();
    }

    // ---- values and shapes ----

    /** Which edge values a generated float tensor may hold, besides Gaussian ones. */
    enum Edges {
        NONE(),
        /**
         * NaN, ±inf, ±0, subnormals, moderate magnitudes: no values large enough for a sum to overflow,
         * which would make infinities depend on the order of summation.
         */
        NONFINITE(
                Float.NaN,
                Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY,
                -0f,
                0f,
                Float.MIN_VALUE,
                -1e-40f,
                1e4f,
                -3e3f),
        /** Those and large finite magnitudes (and float16's limits): for ops without sums. */
        ALL(
                Float.NaN,
                Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY,
                -0f,
                0f,
                Float.MIN_VALUE,
                -1e-40f,
                -1e-39f,
                Float.MAX_VALUE,
                -Float.MAX_VALUE,
                1e20f,
                -3e30f,
                65504f,
                65520f,
                6e-8f),
        /**
         * ALL but NaN, -inf and +0.0, for max pooling: ONNX Runtime's keeps the largest value above the
         * lowest finite float, so it skips NaN (ONNX leaves NaN to the implementation; ONNX's reference
         * GlobalMaxPool, np.max, and PyTorch propagate it, as the Java engine does) and gives -3.4e38,
         * not -inf, for a window of -inf; and which of -0.0 and +0.0 a maximum keeps depends on the
         * order it compares them in.
         */
        ORDERED(
                Float.POSITIVE_INFINITY,
                -0f,
                Float.MIN_VALUE,
                -1e-40f,
                Float.MAX_VALUE,
                -Float.MAX_VALUE,
                1e20f,
                -3e30f);

        final float[] values;

        Edges(float... values) {
            this.values = values;
        }
    }

    private static final long[] LONG_EDGES = {
        Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1L << 40, -(1L << 33) - 7, Integer.MIN_VALUE, Integer.MAX_VALUE
    };

    static int opset(Random r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    @SafeVarargs
    static <T> T pick(Random r, T... xs) {
        return xs[r.nextInt(xs.length)];
    }

    static int pickInt(Random r, int... xs) {
        return xs[r.nextInt(xs.length)];
    }

    /** A dimension: 1 often, 2..5, and 0 now and then when {@code zeros}. */
    static int dim(Random r, boolean zeros) {
        int k = r.nextInt(20);
        return zeros && k == 0 ? 0 : k < 7 ? 1 : 2 + r.nextInt(4);
    }

    static int[] shape(Random r, int minRank, int maxRank, boolean zeros) {
        int[] s = new int[minRank + r.nextInt(maxRank - minRank + 1)];
        for (int i = 0; i < s.length; i++) {
            s[i] = dim(r, zeros);
        }
        return s;
    }

    /** A shape that broadcasts with {@code s}: leading dims dropped or added, some dims set to 1. */
    static int[] broadcastable(Random r, int[] s) {
        int[] b = Arrays.copyOfRange(s, r.nextInt(s.length + 1), s.length);
        for (int i = 0; i < b.length; i++) {
            if (r.nextInt(3) == 0) {
                b[i] = 1;
            }
        }
        if (b.length < 4 && r.nextInt(4) == 0) {
            int[] c = new int[b.length + 1];
            c[0] = 1 + r.nextInt(3);
            System.arraycopy(b, 0, c, 1, b.length);
            b = c;
        }
        return b;
    }

    /** A shape of {@code s}'s rank that does not broadcast with it (or {@code s} when every dim is 1). */
    static int[] incompatible(Random r, int[] s) {
        int[] b = s.clone();
        for (int i = b.length - 1; i >= 0; i--) {
            if (s[i] != 1) {
                b[i] = s[i] == 2 ? 3 : 2;
                return b;
            }
        }
        return b;
    }

    static Tensor values(Random r, DType t, int[] shape, Edges edges) {
        int n = Shapes.numel(shape);
        switch (t) {
            case FLOAT32, FLOAT16 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) r.nextGaussian();
                    if (edges != Edges.NONE && r.nextInt(6) == 0) {
                        f[i] = edges.values[r.nextInt(edges.values.length)];
                    }
                }
                Tensor x = Tensor.of(shape, f);
                return t == DType.FLOAT16 ? x.astype(DType.FLOAT16) : x;
            }
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) {
                    b[i] = r.nextBoolean();
                }
                return Tensor.ofBools(shape, b);
            }
            default -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = edges != Edges.NONE && r.nextInt(6) == 0
                            ? LONG_EDGES[r.nextInt(LONG_EDGES.length)]
                            : r.nextInt(t == DType.UINT8 ? 256 : 41) - (t == DType.UINT8 ? 0 : 20);
                }
                return Tensor.ofLongs(shape, l).astype(t);
            }
        }
    }

    private static Float[] boxed(float[] f) {
        Float[] b = new Float[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = f[i];
        }
        return b;
    }

    static Tensor longs(long... v) {
        return Tensor.ofLongs(new int[] {v.length}, v);
    }

    static Tensor scalar(DType t, float v) {
        return Tensor.of(new int[0], new float[] {v}).astype(t);
    }

    /** Adds {@code t} as an initializer or as a graph input, at random. */
    static OneNode operand(OneNode n, Random r, String name, Tensor t) {
        return r.nextBoolean() ? n.init(name, t) : n.input(name, t);
    }

    /** An axis of a rank-{@code r} tensor: negative too from opset 11, where ONNX allows it. */
    static long axis(Random r, int rank, int opset) {
        int a = r.nextInt(Math.max(rank, 1));
        return opset >= 11 && r.nextBoolean() ? a - rank : a;
    }

    private static final DType[] ANY = {
        DType.FLOAT32, DType.FLOAT32, DType.FLOAT32, DType.INT64, DType.INT32, DType.UINT8, DType.BOOL, DType.FLOAT16
    };

    /** A data type for ops of any type; float only before opset 9, where some of them took floats only. */
    static DType anyType(Random r, int opset) {
        return opset < 9 ? DType.FLOAT32 : ANY[r.nextInt(ANY.length)];
    }

    // ---- edges the Java engine got wrong, pinned ----

    private static Tensor floats(float... v) {
        return Tensor.of(new int[] {v.length}, v);
    }

    /** Relu(-0.0) is -0.0 (max(x, 0) keeps x when they are equal: ONNX's reference, ONNX Runtime); it was +0.0. */
    static List<Case> reluPinned() {
        Tensor x = floats(-0f, 0f, Float.NaN, -Float.MIN_VALUE, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
        return List.of(exact(OneNode.of("Relu").opset(14).input("x", x)));
    }

    /**
     * An absent Clip bound is the type's lowest or highest finite value (ONNX: numeric_limits lowest()
     * and max(); Clip-6's attribute defaults), so ±inf become ±3.4028235e38; they passed through.
     */
    static List<Case> clipPinned() {
        Tensor x = floats(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -0f, Float.MAX_VALUE, 2f);
        return List.of(
                exact(OneNode.of("Clip").opset(13).input("x", x)),
                exact(OneNode.of("Clip").opset(9).input("x", x).f("max", 1f)),
                exact(OneNode.of("Clip").opset(11).input("x", x).floatInit("min", Tensor.of(new int[0], new float[] {0f
                }))));
    }

    /** Dropout in training mode with a ratio of 0 fed at run time drops nothing; it was refused at load. */
    static List<Case> dropoutPinned() {
        return List.of(exact(OneNode.of("Dropout")
                .opset(13)
                .input("x", floats(1.5f, -0f, Float.NaN))
                .input("ratio", Tensor.of(new int[0], new float[] {0f}))
                .init("training_mode", Tensor.ofBools(new int[0], new boolean[] {true}))
                .outputTypes(DType.FLOAT32, DType.BOOL)));
    }

    /**
     * Pad edge and wrap on an axis cropped at the start and padded at the end by as much, leaving it
     * its size but nothing to repeat: refused, as ONNX Runtime does; it crashed (floorMod by zero).
     */
    static List<Case> padPinned() {
        List<Case> cases = new ArrayList<>();
        for (String mode : List.of("edge", "wrap")) {
            cases.add(exact(OneNode.of("Pad")
                    .opset(19)
                    .input("x", Tensor.of(new int[] {2, 1}, new float[] {1, 2}))
                    .longInit("pads", 0, -1, 0, 1)
                    .s("mode", mode)));
        }
        return cases;
    }

    // ---- element-wise ----

    /** Add, Sub, Mul, Div: NumPy broadcasting (opset 7 on); floats with IEEE edges, int64 and int32 wrapping. */
    static Case arithmetic(String op, Random r, int i) {
        DType t = i % 4 == 1 ? DType.INT64 : i % 8 == 3 ? DType.INT32 : i % 8 == 7 ? DType.FLOAT16 : DType.FLOAT32;
        int[] a = shape(r, 0, 4, true);
        int[] b = r.nextInt(10) == 0 ? incompatible(r, a) : broadcastable(r, a);
        if (r.nextBoolean()) {
            int[] s = a;
            a = b;
            b = s;
        }
        OneNode n = OneNode.of(op)
                .opset(opset(r, 7, 21))
                .input("a", values(r, t, a, Edges.ALL))
                .outputTypes(t);
        if (op.equals("Div") && !t.isFloatingPoint()) {
            // ONNX Runtime divides integers with the CPU's instruction, where 0 and INT_MIN / -1 raise SIGFPE
            // and end the JVM; OrtEngine refuses a divisor that is not a constant free of 0 and -1
            // (every value in the divisor's own type: no int64 that wraps to 0 or -1 as an int32)
            long big = t == DType.INT64 ? Long.MAX_VALUE : Integer.MAX_VALUE;
            long small = t == DType.INT64 ? Long.MIN_VALUE : Integer.MIN_VALUE;
            long[] d = new long[Shapes.numel(b)];
            for (int k = 0; k < d.length; k++) {
                d[k] = pick(r, 1L, 2L, 3L, -2L, -7L, 1000L, big, small, (long) Integer.MIN_VALUE);
            }
            return exact(n.init("b", Tensor.ofLongs(b, d).astype(t)));
        }
        Tensor bv = values(r, t, b, Edges.ALL);
        return exact(r.nextInt(3) == 0 ? n.init("b", bv) : n.input("b", bv));
    }

    /** Sum of 1 to 4 inputs: equal shapes at opset 7 (Sum-6), broadcasting from 8. */
    static Case sum(Random r, int i) {
        int opset = opset(r, 7, 21);
        int[] base = shape(r, 0, 4, true);
        OneNode n = OneNode.of("Sum").opset(opset);
        int k = 1 + r.nextInt(4);
        for (int j = 0; j < k; j++) {
            int[] s = j == 0 || opset < 8 ? base : broadcastable(r, base);
            n.input("x" + j, values(r, DType.FLOAT32, s, Edges.NONFINITE));
        }
        return sums(n);
    }

    /** Relu (exact) and Sigmoid on every rank and edge value. */
    static Case unary(String op, Random r) {
        OneNode n = OneNode.of(op)
                .opset(opset(r, 7, 21))
                .input("x", values(r, DType.FLOAT32, shape(r, 0, 4, true), Edges.ALL));
        return op.equals("Relu") ? exact(n) : close(n);
    }

    /**
     * Clip: float attributes min and max before opset 11 (opset 6 deliberately refused: the Java engine
     * starts at 7), optional scalar inputs from 11, integer types from 12; min above max.
     */
    static Case clip(Random r, int i) {
        int opset = i % 4 == 0 ? opset(r, 6, 10) : opset(r, 11, 21);
        DType t = opset >= 12 && i % 3 == 0 ? pick(r, DType.INT64, DType.INT32, DType.UINT8) : DType.FLOAT32;
        OneNode n = OneNode.of("Clip")
                .opset(opset)
                .input("x", values(r, t, shape(r, 0, 4, true), Edges.ALL))
                .outputTypes(t);
        float lo = (float) r.nextGaussian();
        float hi = r.nextInt(5) == 0 ? lo - 1 : lo + Math.abs((float) r.nextGaussian());
        if (t == DType.UINT8) {
            lo = r.nextInt(200);
            hi = r.nextInt(5) == 0 ? lo - 1 : lo + r.nextInt(56);
        } else if (t != DType.FLOAT32) {
            lo = r.nextInt(21) - 10;
            hi = r.nextInt(5) == 0 ? lo - 1 : lo + r.nextInt(10);
        }
        boolean withMin = r.nextInt(4) != 0;
        boolean withMax = r.nextInt(4) != 0;
        if (opset < 11) {
            if (withMin) {
                n.f("min", lo);
            }
            if (withMax) {
                n.f("max", hi);
            }
            Case c = exact(n);
            return opset < 7 ? c.deliberatelyRefusedWith("opset 6 is not supported") : c;
        }
        if (withMin) {
            operand(n, r, "min", scalar(t, lo));
        } else if (withMax) {
            n.skip();
        }
        if (withMax) {
            operand(n, r, "max", scalar(t, hi));
        }
        return exact(n);
    }

    /** Cast between float32, float16, int64, int32, uint8 and bool. */
    static Case cast(Random r, int i) {
        DType[] types = {DType.FLOAT32, DType.FLOAT16, DType.INT64, DType.INT32, DType.UINT8, DType.BOOL};
        DType from = types[i % types.length];
        DType to = types[(i / types.length) % types.length];
        int[] shape = shape(r, 0, 4, true);
        Tensor x;
        if (from.isFloatingPoint() && !to.isFloatingPoint() && to != DType.BOOL) {
            // float to integer is defined for values in the target's range (ONNX: undefined otherwise):
            // fractions, negatives, -0.0 and large in-range values, truncated toward zero
            float[] f = new float[Shapes.numel(shape)];
            for (int k = 0; k < f.length; k++) {
                // (float16 sources within float16's range, and below 255.5 where uint8 takes them)
                f[k] = to == DType.UINT8
                        ? r.nextFloat() * 255.5f
                        : r.nextBoolean()
                                ? (float) r.nextGaussian() * 100
                                : from == DType.FLOAT16
                                        ? pick(r, -0f, 65504f, -65504f, 1000.5f)
                                        : to == DType.INT32
                                                ? pick(r, -0f, 2.1e9f, -2.1e9f, 65504f)
                                                : pick(r, -0f, 9.2e18f, -9.2e18f, 1e10f);
            }
            x = Tensor.of(shape, f).astype(from);
        } else {
            x = values(r, from, shape, Edges.ALL);
        }
        return exact(OneNode.of("Cast")
                .opset(opset(r, 7, 21))
                .input("x", x)
                .i("to", to.onnxCode())
                .outputTypes(to));
    }

    // ---- quantization ----

    /** A quantization step: powers of two (x / scale exact, so .5 ties are real ties) and others. */
    static float quantScale(Random r) {
        return r.nextBoolean()
                ? pick(r, 1f, 0.5f, 0.25f, 2f, 0.0078125f, 1024f)
                : pick(r, 0.1f, 1f / 3, 0.02f, 3e-3f, 7.5f, (float) Math.exp(r.nextGaussian() * 3));
    }

    /** Zero points of {@code t} (int8, uint8, int32: 0), the type's ends among them. */
    static Tensor zeroPoints(Random r, DType t, int[] shape) {
        long[] z = new long[Shapes.numel(shape)];
        for (int k = 0; k < z.length; k++) {
            z[k] = t == DType.INT32
                    ? 0
                    : t == DType.UINT8
                            ? r.nextInt(4) == 0 ? pick(r, 0L, 255L, 128L) : r.nextInt(256)
                            : r.nextInt(4) == 0 ? pick(r, -128L, 127L, 0L) : r.nextInt(256) - 128;
        }
        return Tensor.ofLongs(shape, z).astype(t);
    }

    /**
     * The scale's and zero point's shape: per tensor (a scalar, or [1]: one element is per tensor at
     * any axis), or from opset 13 per axis along {@code axis} of {@code x}; null for per tensor.
     */
    static int[] quantShape(Random r, int[] x, Long axis) {
        if (axis == null) {
            return r.nextBoolean() ? new int[0] : new int[] {1};
        }
        int a = (int) (axis < 0 ? axis + x.length : axis);
        return new int[] {x[a]};
    }

    /**
     * QuantizeLinear (opsets 10 to 21; before 10 both engines refuse): float32 x holding exact .5
     * ties of the step, values far past both ends of the type (saturation), ±inf, NaN (ONNX Runtime
     * gives the type's lowest, as the Java engine does), -0.0; per-tensor and per-axis scales (axis
     * default 1, negative), zero points int8 or uint8 or omitted (uint8, or opset 21's output_dtype).
     * Hostile forms: a zero point of another type or length and an axis out of range (both refuse); a
     * scale of 0, negative or NaN and a per-axis scale before opset 13 (the Java engine refuses them
     * deliberately: ONNX Runtime quantizes with them). Not float16 x: ONNX Runtime 1.29 truncates
     * float16 QuantizeLinear toward zero (0.29 / 0.1 gives 2) where ONNX rounds half to even, as the
     * Java engine does.
     */
    static Case quantizeLinear(Random r, int i) {
        // hostile forms, one kind every fifth case: 0, 1 a bad scale, 2 an axis out of range, 3 a zero
        // point of another type, 4 of another length, 5 a 1-D scale before opset 13
        int hostile = i % 5 == 3 ? (i / 5) % 6 : -1;
        int opset = i == 0
                ? opset(r, 7, 9)
                : hostile == 5 || (i % 4 == 1 && hostile != 2) ? opset(r, 10, 12) : opset(r, 13, 21);
        if (hostile == 5) {
            // ONNX Runtime takes a 1-D scale at opsets 10-12 as per axis 1; ONNX defines a scalar only
            int[] xs = {1, 2 + r.nextInt(3)};
            float[] v = new float[xs[1]];
            Arrays.fill(v, 0.5f);
            return exact(OneNode.of("QuantizeLinear")
                            .opset(opset)
                            .input("x", values(r, DType.FLOAT32, xs, Edges.NONE))
                            .init("scale", Tensor.of(new int[] {xs[1]}, v))
                            .outputTypes(DType.UINT8))
                    .deliberatelyRefusedWith("expected a scalar before opset 13");
        }
        boolean perAxis = opset >= 13 && (i % 2 == 0 || hostile == 2);
        int[] shape = shape(r, perAxis ? 1 : 0, 4, true);
        // per axis: the axis attribute, or its default 1
        boolean axisAttr = shape.length < 2 || r.nextInt(3) > 0 || hostile == 2;
        Long axis = perAxis ? axisAttr ? axis(r, shape.length, 13) : 1L : null;
        int[] qShape = quantShape(r, shape, axis);
        float[] scales = new float[Shapes.numel(qShape)];
        for (int k = 0; k < scales.length; k++) {
            scales[k] = quantScale(r);
        }
        DType t = pick(r, DType.UINT8, DType.INT8, null);
        boolean outputDtype = t == null && opset >= 21 && r.nextBoolean();
        DType yType = t != null ? t : outputDtype ? DType.INT8 : DType.UINT8;
        int inner = 1;
        for (int d = axis == null ? shape.length : (int) (axis < 0 ? axis + shape.length : axis) + 1;
                d < shape.length;
                d++) {
            inner *= shape[d];
        }
        float[] x = new float[Shapes.numel(shape)];
        for (int k = 0; k < x.length; k++) {
            float step = scales[(k / Math.max(inner, 1)) % scales.length];
            x[k] = switch (r.nextInt(8)) {
                case 0, 1, 2 -> (r.nextInt(601) - 300 + 0.5f) * step; // ties, in range and beyond both ends
                case 3 -> pick(r, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 3e38f, -1e20f);
                default -> (float) r.nextGaussian() * 100 * step;
            };
        }
        OneNode n = OneNode.of("QuantizeLinear").opset(opset).outputTypes(yType);
        operand(n, r, "x", Tensor.of(shape, x));
        boolean scaleBad = (hostile == 0 || hostile == 1) && scales.length > 0;
        if (scaleBad) {
            scales[r.nextInt(scales.length)] = pick(r, 0f, -scales[0], Float.NaN);
        }
        operand(n, r, "scale", Tensor.of(qShape, scales));
        if (perAxis && axisAttr) {
            n.i("axis", hostile == 2 ? (r.nextBoolean() ? shape.length : -shape.length - 1) : axis);
        } else if (!perAxis && opset >= 13 && r.nextInt(4) == 0) {
            n.i("axis", r.nextInt(9) - 4); // ignored by a per-tensor scale, in range or not
        }
        if (hostile == 3) {
            operand(
                    n,
                    r,
                    "zero_point",
                    values(r, pick(r, DType.INT32, DType.FLOAT32, DType.INT64), qShape, Edges.NONE));
        } else if (hostile == 4) {
            operand(n, r, "zero_point", zeroPoints(r, yType, new int[] {Shapes.numel(qShape) + 1}));
        } else if (t != null) {
            operand(n, r, "zero_point", zeroPoints(r, t, qShape));
        } else if (outputDtype) {
            n.i("output_dtype", DType.INT8.onnxCode());
        }
        Case c = exact(n);
        return scaleBad && opset >= 10 ? c.deliberatelyRefusedWith("expected positive finite scales") : c;
    }

    /**
     * DequantizeLinear (opsets 10 to 21; before 10 both engines refuse): int8 and uint8 x over their
     * whole range, int32 x (biases: zero point 0 or omitted) with large values that float32 rounds;
     * per-tensor and per-axis scales (axis default 1, negative), float16 scales (and y) from opset 19,
     * scales whose product overflows to infinity or underflows. Hostile forms: a zero point of another
     * type or length, an axis out of range (both refuse); a scale of 0, -0.0, negative or NaN, an int32
     * zero point other than 0, a per-axis scale before opset 13 (the Java engine refuses them
     * deliberately: ONNX Runtime dequantizes with them).
     */
    static Case dequantizeLinear(Random r, int i) {
        // hostile forms, one kind every fifth case: 0 a bad scale, 1 an axis out of range, 2 a zero point
        // of another type, 3 of another length, 4 an int32 zero point other than 0, 5 a 1-D scale before 13
        int hostile = i % 5 == 3 ? (i / 5) % 6 : -1;
        int opset = i == 0
                ? opset(r, 7, 9)
                : hostile == 5 || (i % 4 == 1 && hostile != 1) ? opset(r, 10, 12) : opset(r, 13, 21);
        if (hostile == 5) {
            // ONNX Runtime takes a 1-D scale at opsets 10-12 as per axis 1; ONNX defines a scalar only
            int c = 2 + r.nextInt(3);
            float[] v = new float[c];
            Arrays.fill(v, 0.5f);
            return exact(OneNode.of("DequantizeLinear")
                            .opset(opset)
                            .input("x", zeroPoints(r, DType.INT8, new int[] {1, c}))
                            .init("scale", Tensor.of(new int[] {c}, v)))
                    .deliberatelyRefusedWith("expected a scalar before opset 13");
        }
        boolean perAxis = opset >= 13 && (i % 2 == 0 || hostile == 1);
        int[] shape = shape(r, perAxis ? 1 : 0, 4, true);
        boolean axisAttr = shape.length < 2 || r.nextInt(3) > 0 || hostile == 1;
        Long axis = perAxis ? axisAttr ? axis(r, shape.length, 13) : 1L : null;
        int[] qShape = quantShape(r, shape, axis);
        DType t = hostile == 4 ? DType.INT32 : pick(r, DType.UINT8, DType.INT8, DType.INT32);
        DType scaleType = opset >= 19 && r.nextInt(3) == 0 ? DType.FLOAT16 : DType.FLOAT32;
        float[] scales = new float[Shapes.numel(qShape)];
        for (int k = 0; k < scales.length; k++) {
            // extremes: products that overflow to infinity, and the smallest scales (of float16 too)
            scales[k] = r.nextInt(8) > 0
                    ? quantScale(r)
                    : scaleType == DType.FLOAT16 ? pick(r, 60000f, 6e-8f) : pick(r, 1e30f, 1e-30f, Float.MIN_VALUE);
        }
        long[] x = new long[Shapes.numel(shape)];
        for (int k = 0; k < x.length; k++) {
            x[k] = t == DType.INT32
                    ? r.nextBoolean() ? r.nextInt() : r.nextInt(2001) - 1000
                    : t == DType.UINT8 ? r.nextInt(256) : r.nextInt(256) - 128;
        }
        OneNode n = OneNode.of("DequantizeLinear").opset(opset).outputTypes(scaleType);
        operand(n, r, "x", Tensor.ofLongs(shape, x).astype(t));
        boolean scaleBad = hostile == 0 && scales.length > 0;
        if (scaleBad) {
            scales[r.nextInt(scales.length)] = pick(r, 0f, -0.5f, Float.NaN, -0f);
        }
        operand(n, r, "scale", Tensor.of(qShape, scales).astype(scaleType));
        if (perAxis && axisAttr) {
            n.i("axis", hostile == 1 ? (r.nextBoolean() ? shape.length : -shape.length - 1) : axis);
        }
        if (hostile == 2) {
            operand(n, r, "zero_point", zeroPoints(r, t == DType.INT8 ? DType.UINT8 : DType.INT8, qShape));
        } else if (hostile == 3) {
            operand(n, r, "zero_point", zeroPoints(r, t, new int[] {Shapes.numel(qShape) + 1}));
        } else if (hostile == 4) {
            long[] z = new long[Shapes.numel(qShape)];
            Arrays.fill(z, 1 + r.nextInt(100));
            operand(n, r, "zero_point", Tensor.ofLongs(qShape, z).astype(DType.INT32));
            return exact(n).deliberatelyRefusedWith("expected 0: int32 values");
        } else if (r.nextInt(3) > 0) {
            operand(n, r, "zero_point", zeroPoints(r, t, qShape));
        }
        Case c = exact(n);
        return scaleBad ? c.deliberatelyRefusedWith("expected positive finite scales") : c;
    }

    // ---- shape and layout ----

    /** Concat of 1 to 4 inputs of any type along a (negative from opset 11) axis, 0-length parts too. */
    static Case concat(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = anyType(r, opset);
        int[] base = shape(r, 1, 4, true);
        long axis = axis(r, base.length, opset);
        int ax = (int) (axis < 0 ? axis + base.length : axis);
        OneNode n = OneNode.of("Concat").opset(opset).i("axis", axis).outputTypes(t);
        int k = 1 + r.nextInt(4);
        for (int j = 0; j < k; j++) {
            int[] s = base.clone();
            s[ax] = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(3);
            if (j == k - 1 && r.nextInt(10) == 0) {
                s = incompatible(r, s);
            }
            operand(n, r, "x" + j, values(r, t, s, Edges.ALL));
        }
        return exact(n);
    }

    /** Constant: a tensor of any type and shape (0 dims too), or value_float(s) / value_int(s) from opset 12. */
    static Case constant(Random r, int i) {
        int opset = i % 2 == 0 ? opset(r, 7, 21) : opset(r, 12, 21);
        OneNode n = OneNode.of("Constant").opset(opset);
        if (i % 2 == 0) {
            DType t = anyType(r, opset);
            return exact(n.attr(AttributeProto.newBuilder()
                            .setName("value")
                            .setType(AttributeProto.AttributeType.TENSOR)
                            .setT(Onnx.tensor("", values(r, t, shape(r, 0, 3, true), Edges.ALL)))
                            .build())
                    .outputTypes(t));
        }
        Tensor f = values(r, DType.FLOAT32, new int[] {r.nextInt(4)}, Edges.ALL);
        Tensor l = values(r, DType.INT64, new int[] {r.nextInt(4)}, Edges.ALL);
        return exact(
                switch (i % 8) {
                    case 1 -> n.f("value_float", f.numel() > 0 ? f.get(0) : -0f);
                    case 3 ->
                        n.attr(AttributeProto.newBuilder()
                                .setName("value_floats")
                                .setType(AttributeProto.AttributeType.FLOATS)
                                .addAllFloats(Arrays.asList(boxed(f.toArray())))
                                .build());
                    case 5 ->
                        n.i("value_int", l.numel() > 0 ? l.getLong(0) : Long.MIN_VALUE)
                                .outputTypes(DType.INT64);
                    default -> n.ints("value_ints", l.toLongArray()).outputTypes(DType.INT64);
                });
    }

    /** ConstantOfShape (opset 9 on): a shape of 0 to 4 dims (0 too), the value of any type or the default 0f. */
    static Case constantOfShape(Random r, int i) {
        int opset = opset(r, 9, 21);
        long[] dims = new long[r.nextInt(5)];
        for (int k = 0; k < dims.length; k++) {
            dims[k] = dim(r, true);
        }
        OneNode n = OneNode.of("ConstantOfShape").opset(opset);
        operand(n, r, "shape", longs(dims));
        if (r.nextInt(4) == 0) {
            return exact(n);
        }
        DType t = ANY[r.nextInt(ANY.length)];
        return exact(n.attr(AttributeProto.newBuilder()
                        .setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(Onnx.tensor("", values(r, t, new int[] {1}, Edges.ALL)))
                        .build())
                .outputTypes(t));
    }

    /**
     * Dropout at inference: ratio attribute before opset 12, ratio and training_mode inputs from 12
     * (training with a non-zero ratio is random: deliberately refused), the bool mask output.
     */
    static Case dropout(Random r, int i) {
        int opset = opset(r, 7, 21);
        OneNode n = OneNode.of("Dropout")
                .opset(opset)
                .input("x", values(r, DType.FLOAT32, shape(r, 0, 4, true), Edges.ALL));
        boolean random = false;
        if (opset < 12) {
            if (r.nextBoolean()) {
                n.f("ratio", pick(r, 0f, 0.3f, 0.5f));
            }
        } else if (r.nextInt(3) != 0) {
            float ratio = pick(r, 0f, 0.3f, 0.5f);
            operand(n, r, "ratio", scalar(DType.FLOAT32, ratio));
            if (r.nextBoolean()) {
                boolean training = r.nextInt(3) == 0;
                operand(n, r, "training_mode", Tensor.ofBools(new int[0], new boolean[] {training}));
                random = training && ratio != 0f;
            }
        }
        // the mask from opset 12 only: at 7 to 11 ONNX Runtime's mask at inference is all false (zeros),
        // where ONNX's reference (and the Java engine) gives all true, no element being dropped
        if (opset >= 12 && r.nextBoolean()) {
            n.outputTypes(DType.FLOAT32, DType.BOOL);
        }
        Case c = exact(n);
        return random ? c.deliberatelyRefusedWith("training_mode=true") : c;
    }

    /** Flatten of ranks 0 to 4 at every axis from -r (opset 11 on) to r. */
    static Case flatten(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = anyType(r, opset);
        int[] s = shape(r, 0, 4, true);
        long axis = r.nextInt(s.length + 1) - (opset >= 11 && r.nextBoolean() ? s.length : 0);
        return exact(OneNode.of("Flatten")
                .opset(opset)
                .input("x", values(r, t, s, Edges.ALL))
                .i("axis", axis)
                .outputTypes(t));
    }

    /** Gather along any axis with int64 or int32 indices of rank 0 to 2, negative ones from opset 11; out of range refused. */
    static Case gather(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = anyType(r, opset);
        int[] s = shape(r, 1, 4, true);
        long axis = axis(r, s.length, opset);
        int len = s[(int) (axis < 0 ? axis + s.length : axis)];
        int[] is = shape(r, 0, 2, len == 0);
        long[] idx = new long[Shapes.numel(is)];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = len == 0 ? 0 : r.nextInt(len) - (opset >= 11 && r.nextBoolean() ? len : 0);
            if (r.nextInt(40) == 0) {
                idx[k] = len + r.nextInt(2); // out of range: both refuse
            }
        }
        OneNode n = OneNode.of("Gather").opset(opset).input("x", values(r, t, s, Edges.ALL));
        operand(n, r, "i", Tensor.ofLongs(is, idx).astype(r.nextBoolean() ? DType.INT64 : DType.INT32));
        return exact(n.i("axis", axis).outputTypes(t));
    }

    static Case identity(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = ANY[r.nextInt(ANY.length)];
        return exact(OneNode.of("Identity")
                .opset(opset)
                .input("x", values(r, t, shape(r, 0, 4, true), Edges.ALL))
                .outputTypes(t));
    }

    /** Reshape to a random factorisation with -1 and 0 (copy), allowzero (opset 14) with real 0 dims. */
    static Case reshape(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = anyType(r, opset);
        int[] s = shape(r, 0, 4, true);
        int numel = Shapes.numel(s);
        long[] target = new long[r.nextInt(5)];
        int left = numel;
        for (int k = 0; k < target.length; k++) {
            int d = k == target.length - 1 ? left : divisorOf(r, left);
            target[k] = d;
            left = d == 0 ? left : left / d;
        }
        if (target.length == 0 && numel != 1) {
            target = new long[] {numel};
        }
        boolean allowZero = opset >= 14 && r.nextInt(3) == 0;
        for (int k = 0; k < target.length; k++) {
            if (!allowZero && k < s.length && target[k] == s[k] && r.nextInt(3) == 0) {
                target[k] = 0; // copy the input's dim
            }
        }
        if (target.length > 0 && r.nextInt(3) == 0) {
            target[r.nextInt(target.length)] = -1;
        }
        if (r.nextInt(12) == 0 && target.length > 0) {
            target[0] += 1; // wrong element count: both refuse
        }
        OneNode n = OneNode.of("Reshape").opset(opset).input("x", values(r, t, s, Edges.ALL));
        operand(n, r, "shape", longs(target));
        if (allowZero || (opset >= 14 && r.nextInt(4) == 0)) {
            n.i("allowzero", allowZero ? 1 : 0);
        }
        Case c = exact(n.outputTypes(t));
        // with allowzero, a shape holding both 0 and -1 is invalid (ONNX: -1 cannot be inferred); ONNX Runtime
        // refuses it when the shape is a constant, and answers when it is fed at run time
        boolean zeroAndInferred = Arrays.stream(target).anyMatch(d -> d == 0)
                && Arrays.stream(target).anyMatch(d -> d == -1);
        return allowZero && zeroAndInferred ? c.deliberatelyRefusedWith("cannot reshape") : c;
    }

    private static int divisorOf(Random r, int n) {
        if (n == 0) {
            return r.nextInt(3);
        }
        int d;
        do {
            d = 1 + r.nextInt(n);
        } while (n % d != 0);
        return d;
    }

    /** Shape of ranks 0 to 4 of any type; start and end (clamped, negative) from opset 15. */
    static Case shapeOp(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = ANY[r.nextInt(ANY.length)];
        OneNode n = OneNode.of("Shape")
                .opset(opset)
                .input("x", values(r, t, shape(r, 0, 4, true), Edges.NONE))
                .outputTypes(DType.INT64);
        if (opset >= 15 && r.nextBoolean()) {
            n.i("start", r.nextInt(13) - 6);
        }
        if (opset >= 15 && r.nextBoolean()) {
            n.i("end", r.nextInt(13) - 6);
        }
        return exact(n);
    }

    /**
     * Slice: attributes starts, ends, axes before opset 10; int64 or int32 inputs with optional axes
     * and steps (negative, beyond the dims, the integer extremes) from 10.
     */
    static Case slice(Random r, int i) {
        int opset = i % 6 == 0 ? opset(r, 7, 9) : opset(r, 10, 21);
        DType t = anyType(r, opset);
        DType it = opset >= 10 && r.nextInt(4) == 0 ? DType.INT32 : DType.INT64;
        long big = it == DType.INT32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
        long small = it == DType.INT32 ? Integer.MIN_VALUE : Long.MIN_VALUE;
        int[] s = shape(r, 1, 4, true);
        int k = 1 + r.nextInt(s.length);
        boolean withAxes = r.nextInt(3) != 0;
        List<Integer> axes = new ArrayList<>();
        for (int a = 0; a < s.length; a++) {
            axes.add(a);
        }
        if (withAxes) {
            java.util.Collections.shuffle(axes, r);
        }
        long[] starts = new long[k];
        long[] ends = new long[k];
        long[] ax = new long[k];
        long[] steps = new long[k];
        for (int j = 0; j < k; j++) {
            int a = axes.get(j);
            ax[j] = opset >= 11 && r.nextBoolean() ? a - s.length : a;
            long d = s[a];
            steps[j] = opset < 10 ? 1 : pick(r, 1L, 1L, 2L, 3L, -1L, -2L, big, small);
            starts[j] = r.nextInt(5) == 0 ? pick(r, small, big) : r.nextInt((int) d * 2 + 7) - d - 3;
            ends[j] = r.nextInt(5) == 0 ? pick(r, small, big) : r.nextInt((int) d * 2 + 7) - d - 3;
            if (steps[j] < 0 && ends[j] == big) {
                // ONNX Runtime reads an end of exactly INT64_MAX (INT32_MAX) with a negative step as "through
                // element 0"; the spec clamps it to dim - 1, so nothing is taken (NumPy: x[4:maxsize:-1] is empty)
                ends[j] = small;
            }
        }
        if (r.nextInt(15) == 0) {
            steps[0] = 0; // both refuse
        }
        OneNode n = OneNode.of("Slice")
                .opset(opset)
                .input("x", values(r, t, s, Edges.ALL))
                .outputTypes(t);
        if (opset < 10) {
            n.ints("starts", starts).ints("ends", ends);
            return exact(withAxes ? n.ints("axes", ax) : n);
        }
        operand(n, r, "starts", longs(starts).astype(it));
        operand(n, r, "ends", longs(ends).astype(it));
        boolean withSteps = r.nextInt(3) != 0;
        if (withAxes) {
            operand(n, r, "axes", longs(ax).astype(it));
        } else if (withSteps) {
            n.skip();
        }
        if (withSteps) {
            operand(n, r, "steps", longs(steps).astype(it));
        }
        return exact(n);
    }

    /**
     * Pad: attributes pads and value before opset 11, inputs pads, constant_value and (opset 18) axes
     * after; modes constant, reflect, edge and (opset 19) wrap; negative pads crop.
     */
    static Case pad(Random r, int i) {
        int opset = i % 5 == 0 ? opset(r, 7, 10) : opset(r, 11, 21);
        String mode = i % 4 == 0 ? "constant" : pick(r, "constant", "reflect", "edge", opset >= 19 ? "wrap" : "edge");
        DType t = opset < 11
                ? DType.FLOAT32
                : opset < 13 ? pick(r, DType.FLOAT32, DType.INT64, DType.INT32, DType.UINT8) : anyType(r, opset);
        int[] s = shape(r, 1, 4, true);
        int[] axes = new int[s.length];
        for (int a = 0; a < axes.length; a++) {
            axes[a] = a;
        }
        boolean withAxes = opset >= 18 && r.nextBoolean();
        if (withAxes) {
            List<Integer> all = new ArrayList<>();
            for (int a = 0; a < s.length; a++) {
                all.add(a);
            }
            java.util.Collections.shuffle(all, r);
            axes = all.subList(0, 1 + r.nextInt(s.length)).stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        long[] pads = new long[2 * axes.length];
        for (int k = 0; k < pads.length; k++) {
            pads[k] = r.nextInt(3) == 0 ? 0 : r.nextInt(6) - 2;
        }
        String refusal = null;
        for (int k = 0; k < axes.length; k++) {
            long lo = pads[k];
            long hi = pads[k + axes.length];
            long kept = s[axes[k]] - Math.max(0, -lo) - Math.max(0, -hi);
            if (mode.equals("wrap") && lo > Math.max(kept, 0)) {
                // ONNX Runtime leaves the rows of a leading wrap pad longer than the axis unfilled (zeros or
                // stale memory) on any but the innermost axis
                pads[k] = lo = Math.max(kept, 0);
            }
            if (kept < 0) {
                // negative pads cropping more than the axis holds: ONNX Runtime sums the pads (a size of
                // dim + begin + end, refused when negative), ONNX's reference crops with NumPy slicing first
                // and pads what is left; the Java engine refuses them (OpEdgesTest)
                refusal = "crop more than";
            } else if (!mode.equals("constant") && kept == 0 && (lo != 0 || hi != 0) && refusal == null) {
                // edge, reflect, wrap on an axis left empty: both refuse, as nothing is left to repeat, but
                // ONNX Runtime answers when the input was empty already
                refusal = "no elements";
            } else if (mode.equals("reflect") && kept == 1 && (lo > 0 || hi > 0) && refusal == null) {
                refusal = "at least 2 elements"; // as above, for reflect's two
            }
        }
        OneNode n = OneNode.of("Pad")
                .opset(opset)
                .input("x", values(r, t, s, Edges.ALL))
                .s("mode", mode)
                .outputTypes(t);
        float fill = pick(r, 0f, 1.5f, -2f, Float.NaN, -0f);
        if (opset < 11) {
            n.ints("pads", pads);
            return exact(r.nextBoolean() ? n.f("value", fill) : n).deliberatelyRefusedWith(refusal);
        }
        operand(n, r, "pads", longs(pads));
        boolean withValue = r.nextBoolean();
        if (withValue) {
            operand(n, r, "value", scalar(t, t.isFloatingPoint() ? fill : Math.abs(fill) * 3 % 200));
        }
        if (withAxes) {
            if (!withValue) {
                n.skip();
            }
            long[] a = new long[axes.length];
            for (int k = 0; k < a.length; k++) {
                a[k] = r.nextBoolean() ? axes[k] - s.length : axes[k];
            }
            operand(n, r, "axes", longs(a));
        }
        return exact(n).deliberatelyRefusedWith(refusal);
    }

    /** Squeeze: axes attribute before opset 13, optional input after, none meaning every 1; a non-1 axis refused. */
    static Case squeeze(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = ANY[r.nextInt(ANY.length)];
        int[] s = shape(r, 0, 4, true);
        List<Long> axes = new ArrayList<>();
        for (int a = 0; a < s.length; a++) {
            if ((s[a] == 1 && r.nextBoolean()) || r.nextInt(25) == 0) {
                axes.add(opset >= 11 && r.nextBoolean() ? a - s.length : (long) a);
            }
        }
        long[] ax = axes.stream().mapToLong(Long::longValue).toArray();
        OneNode n = OneNode.of("Squeeze")
                .opset(opset)
                .input("x", values(r, t, s, Edges.ALL))
                .outputTypes(t);
        if (ax.length == 0 || r.nextInt(4) == 0) {
            return exact(n);
        }
        return exact(opset < 13 ? n.ints("axes", ax) : operand(n, r, "axes", longs(ax)));
    }

    /** Unsqueeze: 1 to 3 axes of the output (negative from opset 11), attribute before opset 13, input after. */
    static Case unsqueeze(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = ANY[r.nextInt(ANY.length)];
        int[] s = shape(r, 0, 3, true);
        int k = 1 + r.nextInt(3);
        int out = s.length + k;
        List<Integer> all = new ArrayList<>();
        for (int a = 0; a < out; a++) {
            all.add(a);
        }
        java.util.Collections.shuffle(all, r);
        long[] ax = new long[k];
        for (int j = 0; j < k; j++) {
            ax[j] = opset >= 11 && r.nextBoolean() ? all.get(j) - out : all.get(j);
        }
        if (k > 1 && r.nextInt(10) == 0) {
            ax[1] = ax[0]; // a repeated axis: both refuse
        }
        OneNode n = OneNode.of("Unsqueeze")
                .opset(opset)
                .input("x", values(r, t, s, Edges.ALL))
                .outputTypes(t);
        return exact(opset < 13 ? n.ints("axes", ax) : operand(n, r, "axes", longs(ax)));
    }

    /** Transpose of ranks 0 to 5 with a random or the default (reversed) perm; a non-permutation refused. */
    static Case transpose(Random r, int i) {
        int opset = opset(r, 7, 21);
        DType t = ANY[r.nextInt(ANY.length)];
        int[] s = shape(r, 0, 5, true);
        OneNode n = OneNode.of("Transpose")
                .opset(opset)
                .input("x", values(r, t, s, Edges.ALL))
                .outputTypes(t);
        if (r.nextInt(4) == 0) {
            return exact(n);
        }
        List<Integer> p = new ArrayList<>();
        for (int a = 0; a < s.length; a++) {
            p.add(a);
        }
        java.util.Collections.shuffle(p, r);
        long[] perm = p.stream().mapToLong(Integer::longValue).toArray();
        if (perm.length > 1 && r.nextInt(10) == 0) {
            perm[0] = perm[1]; // not a permutation: both refuse
        }
        return exact(n.ints("perm", perm));
    }

    // ---- reductions and normalisation ----

    /**
     * ReduceMean: axes attribute before opset 18, optional input from 18 (empty: all, or none with
     * noop_with_empty_axes), keepdims; ranks 0 to 4, dims of 0.
     */
    static Case reduceMean(Random r, int i) {
        int opset = opset(r, 7, 21);
        int[] s = shape(r, 0, 4, true);
        List<Long> axes = new ArrayList<>();
        boolean[] reduced = new boolean[s.length];
        for (int a = 0; a < s.length; a++) {
            if (r.nextBoolean()) {
                // negative axes only on non-empty data: on an empty input, ONNX Runtime ignores them
                // (ReduceMean of [5,1,0,2] over axes [-4, -1] keeps [5,1,0,2], not [1,1,0,1])
                axes.add(opset >= 11 && Shapes.numel(s) > 0 && r.nextBoolean() ? a - s.length : (long) a);
                reduced[a] = true;
            }
        }
        boolean noop = opset >= 18 && r.nextInt(4) == 0;
        if (noop) {
            // noop_with_empty_axes on an empty input: ONNX Runtime reduces every axis instead of passing
            // the input through
            for (int a = 0; a < s.length; a++) {
                s[a] = Math.max(s[a], 1);
            }
        }
        if (axes.isEmpty()) {
            Arrays.fill(reduced, !noop);
        }
        // the mean of no elements is undefined in ONNX (ONNX Runtime gives 0, NumPy and the Java engine
        // NaN): a reduced dim of 0 becomes 1 unless the output is empty anyway
        int kept = 1;
        for (int a = 0; a < s.length; a++) {
            kept *= reduced[a] ? 1 : s[a];
        }
        for (int a = 0; a < s.length; a++) {
            if (reduced[a] && s[a] == 0 && kept > 0) {
                s[a] = 1;
            }
        }
        long[] ax = axes.stream().mapToLong(Long::longValue).toArray();
        OneNode n = OneNode.of("ReduceMean").opset(opset).input("x", values(r, DType.FLOAT32, s, Edges.NONFINITE));
        if (r.nextBoolean()) {
            n.i("keepdims", r.nextInt(2));
        }
        if (opset < 18) {
            return sums(ax.length > 0 || r.nextBoolean() ? n.ints("axes", ax) : n);
        }
        if (noop || r.nextBoolean()) {
            n.i("noop_with_empty_axes", noop ? 1 : 0);
        }
        return sums(ax.length > 0 || r.nextBoolean() ? operand(n, r, "axes", longs(ax)) : n);
    }

    /**
     * Softmax on ranks 1 to 4: before opset 13 over the 2-D view (prod(dims[:axis]), prod(dims[axis:])),
     * from 13 along one axis; -inf and +inf inputs, whole rows of -inf.
     */
    static Case softmax(Random r, int i) {
        int opset = opset(r, 7, 21);
        int[] s = shape(r, 1, 4, true);
        Tensor x = values(r, DType.FLOAT32, s, Edges.NONFINITE);
        if (i % 6 == 0) {
            x = Tensor.of(s, filled(x.numel(), Float.NEGATIVE_INFINITY));
        }
        OneNode n = OneNode.of("Softmax").opset(opset).input("x", x);
        return close(r.nextInt(4) == 0 ? n : n.i("axis", axis(r, s.length, opset)));
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        Arrays.fill(f, v);
        return f;
    }

    /**
     * BatchNormalization (inference) on ranks 2 to 4, statistics as initializers or inputs, spatial=1
     * at opsets 7-8, training_mode=1 (deliberately refused) from 14.
     */
    static Case batchNorm(Random r, int i) {
        int opset = opset(r, 7, 21);
        int[] s = shape(r, 2, 4, true);
        int c = s[1];
        float[] var = values(r, DType.FLOAT32, new int[] {c}, Edges.NONE).toArray();
        for (int k = 0; k < c; k++) {
            var[k] = k == 0 && r.nextBoolean() ? 0 : Math.abs(var[k]) + 0.01f;
        }
        OneNode n =
                OneNode.of("BatchNormalization").opset(opset).input("x", values(r, DType.FLOAT32, s, Edges.NONFINITE));
        operand(n, r, "scale", values(r, DType.FLOAT32, new int[] {c}, Edges.NONE));
        operand(n, r, "bias", values(r, DType.FLOAT32, new int[] {c}, Edges.NONE));
        operand(n, r, "mean", values(r, DType.FLOAT32, new int[] {c}, Edges.NONE));
        operand(n, r, "var", Tensor.of(new int[] {c}, var));
        if (r.nextBoolean()) {
            n.f("epsilon", pick(r, 1e-5f, 1e-3f, 0.1f));
        }
        if (r.nextBoolean()) {
            n.f("momentum", 0.7f);
        }
        if (opset < 9 && r.nextBoolean()) {
            n.i("spatial", 1);
        }
        if (opset >= 14 && i % 8 == 7) {
            return sums(n.i("training_mode", 1)).deliberatelyRefusedWith("training_mode=1");
        }
        return sums(n);
    }

    /**
     * Gemm: transA, transB, alpha, beta; C of every shape that broadcasts to (M, N), or none (opset 11
     * on); M and N of 0 and 1, K of 1 or more; NaN and infinities in A.
     */
    static Case gemm(Random r, int i) {
        int opset = opset(r, 7, 21);
        int m = dim(r, true);
        int k = dim(r, false); // K = 0: ONNX Runtime returns C unscaled, not beta·C (the sum of no terms is 0)
        int nn = dim(r, true);
        boolean ta = r.nextBoolean();
        boolean tb = r.nextBoolean();
        float alpha = pick(r, 1f, 1f, 0.5f, -2f);
        float beta = pick(r, 1f, 1f, 0.25f, -1f, 0f);
        OneNode n = OneNode.of("Gemm")
                .opset(opset)
                .input("a", values(r, DType.FLOAT32, ta ? new int[] {k, m} : new int[] {m, k}, Edges.NONFINITE));
        operand(n, r, "b", values(r, DType.FLOAT32, tb ? new int[] {nn, k} : new int[] {k, nn}, Edges.NONE));
        int[][] cShapes = {{}, {1}, {nn}, {m, 1}, {1, nn}, {m, nn}};
        if (opset < 11 || r.nextInt(5) != 0) {
            operand(n, r, "c", values(r, DType.FLOAT32, cShapes[r.nextInt(cShapes.length)], Edges.NONE));
        }
        return sums(n.i("transA", ta ? 1 : 0)
                .i("transB", tb ? 1 : 0)
                .f("alpha", alpha)
                .f("beta", beta));
    }

    /** MatMul: 1-D operands, batch dims of ranks 0 to 2 broadcasting, M, N and batch dims of 0 and 1; a wrong K refused. */
    static Case matMul(Random r, int i) {
        int opset = opset(r, 7, 21);
        int m = dim(r, true);
        int k = dim(r, false); // K = 0: ONNX Runtime leaves the output uninitialised, not zeros
        int nn = dim(r, true);
        int[] batch = shape(r, 0, 2, true);
        int[] a = r.nextInt(5) == 0 ? new int[] {k} : concat(broadcastable(r, batch), m, k);
        int[] b =
                r.nextInt(5) == 0 ? new int[] {r.nextInt(20) == 0 ? k + 1 : k} : concat(broadcastable(r, batch), k, nn);
        return sums(OneNode.of("MatMul")
                .opset(opset)
                .input("a", values(r, DType.FLOAT32, a, Edges.NONFINITE))
                .input("b", values(r, DType.FLOAT32, b, Edges.NONE)));
    }

    private static int[] concat(int[] batch, int... tail) {
        int[] s = Arrays.copyOf(batch, batch.length + tail.length);
        System.arraycopy(tail, 0, s, batch.length, tail.length);
        return s;
    }

    // ---- convolution and pooling ----

    /** The window attributes shared by Conv and the pools, for {@code d} spatial dims. */
    private record Window(int[] kernel, int[] in) {}

    /**
     * Kernel, strides, dilations, pads or auto_pad for {@code d} spatial dims, and an input size each
     * window fits: where a dilated window is larger than the padded input, ONNX Runtime's pools compute
     * the output size with C++'s truncating division (1 + (in + pads - span) / stride, 1 for -1 / 2)
     * and read outside the input (a segfault), where the Java engine refuses the window. Conv checks
     * the window in ONNX Runtime, so {@code tooSmall} may ask for one: both refuse it.
     */
    private static Window window(OneNode n, Random r, int d, boolean dilations, boolean pool, boolean tooSmall) {
        String autoPad = pick(r, "NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID");
        // SAME_UPPER and SAME_LOWER pools with dilations: ONNX Runtime computes the padding from the
        // undilated kernel, giving fewer outputs than the spec's ceil(in / stride) (Conv refuses them)
        boolean dilate = dilations && r.nextBoolean() && !(pool && autoPad.startsWith("SAME"));
        // no pads on dilated pools: a dilated window can then see padding only, whose maximum or mean ONNX
        // leaves open (ONNX Runtime gives -3.4e38, its reference 0, the Java engine -inf)
        boolean withPads = autoPad.equals("NOTSET") && r.nextBoolean() && !(pool && dilate);
        int[] kernel = new int[d];
        int[] in = new int[d];
        long[] strides = new long[d];
        long[] dil = new long[d];
        long[] pads = new long[2 * d];
        for (int a = 0; a < d; a++) {
            kernel[a] = 1 + r.nextInt(3);
            // SAME pools with a stride above the window: the spec's total padding (out - 1)·stride + span - in
            // is then negative, which ONNX Runtime's Conv clamps to 0 (as TensorFlow, where SAME comes from,
            // and the Java engine do) but its pools take as a negative leading pad, starting the windows
            // inside the input
            boolean samePool = pool && autoPad.startsWith("SAME");
            strides[a] = 1 + r.nextInt(samePool ? kernel[a] : 3);
            dil[a] = dilate ? 1 + r.nextInt(2) : 1;
        }
        for (int a = 0; a < 2 * d; a++) {
            // pools: below the kernel, as ONNX Runtime requires
            pads[a] = withPads && r.nextBoolean() ? r.nextInt(pool ? kernel[a % d] : kernel[a % d] + 1) : 0;
        }
        for (int a = 0; a < d; a++) {
            int span = (kernel[a] - 1) * (int) dil[a] + 1;
            int fits = autoPad.startsWith("SAME") ? 1 : Math.max(1, span - (int) (pads[a] + pads[a + d]));
            in[a] = tooSmall && fits > 1 ? fits - 1 : fits + r.nextInt(5);
        }
        if (r.nextBoolean()) {
            n.ints("strides", strides);
        }
        if (dilate) {
            n.ints("dilations", dil);
        }
        if (!autoPad.equals("NOTSET") || r.nextInt(5) == 0) {
            n.s("auto_pad", autoPad);
        }
        if (withPads) {
            n.ints("pads", pads);
        }
        return new Window(kernel, in);
    }

    /**
     * Conv, 1-D to 3-D: strides, dilations, pads, auto_pad, groups, kernel_shape given or not, bias
     * optional, a batch of 0; weights as initializers (the load-time packed path) or inputs.
     */
    static Case conv(Random r, int i) {
        int opset = opset(r, 7, 21);
        int d = pickInt(r, 1, 2, 2, 2, 3);
        OneNode n = OneNode.of("Conv").opset(opset);
        Window w = window(n, r, d, true, false, r.nextInt(16) == 0);
        int group = pickInt(r, 1, 1, 2, 3);
        int cpg = 1 + r.nextInt(2);
        int oc = group * (1 + r.nextInt(2));
        int batch = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(2);
        n.input("x", values(r, DType.FLOAT32, concat(new int[] {batch, group * cpg}, w.in()), Edges.NONFINITE));
        if (r.nextBoolean()) {
            n.ints("kernel_shape", Arrays.stream(w.kernel()).asLongStream().toArray());
        }
        if (group > 1 || r.nextBoolean()) {
            n.i("group", group);
        }
        Tensor weights = values(r, DType.FLOAT32, concat(new int[] {oc, cpg}, w.kernel()), Edges.NONE);
        if (r.nextInt(4) == 0) {
            n.input("w", weights);
        } else {
            n.floatInit("w", weights);
        }
        if (r.nextBoolean()) {
            operand(n, r, "b", values(r, DType.FLOAT32, new int[] {oc}, Edges.NONE));
        }
        return sums(n);
    }

    /**
     * MaxPool and AveragePool, 1-D to 3-D: strides, pads, auto_pad, ceil_mode (opset 10 on), dilations
     * (MaxPool 10 on, AveragePool 19 on), count_include_pad, storage_order and the Indices output
     * (MaxPool 8 on), uint8 MaxPool (12 on). Max pooling is exact, averages within tolerance.
     */
    static Case pool(boolean max, Random r, int i) {
        int opset = opset(r, 7, 21);
        int d = pickInt(r, 1, 2, 2, 2, 3);
        OneNode n = OneNode.of(max ? "MaxPool" : "AveragePool").opset(opset);
        Window w = window(n, r, d, max ? opset >= 10 : opset >= 19, true, false);
        n.ints("kernel_shape", Arrays.stream(w.kernel()).asLongStream().toArray());
        DType t = max && opset >= 12 && r.nextInt(5) == 0 ? DType.UINT8 : DType.FLOAT32;
        int[] x = concat(new int[] {1 + r.nextInt(2), 1 + r.nextInt(3)}, w.in());
        n.input("x", values(r, t, x, max ? Edges.ORDERED : Edges.NONFINITE));
        if (opset >= 10 && r.nextInt(3) == 0) {
            n.i("ceil_mode", 1);
        }
        if (!max && r.nextBoolean()) {
            n.i("count_include_pad", r.nextInt(2));
        }
        if (max && opset >= 8 && r.nextInt(3) == 0) {
            if (r.nextBoolean()) {
                n.i("storage_order", r.nextInt(2));
            }
            n.outputTypes(t, DType.INT64);
        } else {
            n.outputTypes(t);
        }
        return max ? exact(n) : sums(n);
    }

    /**
     * GlobalAveragePool and GlobalMaxPool on ranks 3 to 5 (0-size dims too), opsets 1 to 21; no NaN
     * for the maximum (see {@link Edges#ORDERED}).
     */
    static Case globalPool(String op, Random r, int i) {
        boolean max = op.equals("GlobalMaxPool");
        int[] s = concat(new int[] {dim(r, true), dim(r, true)}, shape(r, 1, 3, i % 4 == 0));
        OneNode n = OneNode.of(op)
                .opset(opset(r, 1, 21))
                .input("x", values(r, DType.FLOAT32, s, max ? Edges.ORDERED : Edges.NONFINITE));
        return max ? exact(n) : sums(n);
    }
}
