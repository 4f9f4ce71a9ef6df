package org.resnet4j.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.Onnx.ValidatedModel;
import org.resnet4j.tensor.Shapes;
import org.resnet4j.tensor.Tensor;

/**
 * ONNX Runtime through its Java API: the fast path. One {@link OrtSession} per engine, created in
 * the constructor and closed by {@link #close()}; {@code OrtSession.run} is thread-safe, so is this.
 *
 * <p>Inputs are copied into direct buffers in native byte order: ORT reads a direct buffer as
 * native-endian, and a big-endian buffer would be read as garbage without an error.
 */
public final class OrtEngine implements Engine {
    /**
     * ONNX Runtime's own log lines (coloured, on stderr) would precede our one error line: only its
     * fatal messages pass, unless {@code -Dresnet4j.ort.logLevel=VERBOSE|INFO|WARNING|ERROR} (the CLI's
     * --verbose sets WARNING). The environment is a process-wide singleton, so the first engine decides.
     */
    private static final OrtLoggingLevel QUIET = ortLogLevel();

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final String description;
    private volatile boolean closed;

    /**
     * Loads the ONNX file at {@code model}: read once and checked by {@link Onnx#readValidated} (an
     * untrusted file never reaches ONNX Runtime unvalidated, nor makes it read external data), and
     * ONNX Runtime is given those bytes, never the path, so a file swapped after the check (or a FIFO
     * serving two different models) cannot slip past it.
     */
    public OrtEngine(Path model, EngineOptions options) {
        this(Onnx.readValidated(model), options);
    }

    /** Loads a serialised ONNX model, validated first as a file would be; {@code name} is used in messages. */
    public OrtEngine(byte[] model, EngineOptions options, String name) {
        this(Onnx.parse(model, name), options);
    }

    /** Loads a model already validated ({@link Onnx#readValidated}, {@link Onnx#parse}, {@link Onnx#validated}). */
    public OrtEngine(ValidatedModel model, EngineOptions options) {
        env = OrtEnvironment.getEnvironment(QUIET);
        try (OrtSession.SessionOptions so = sessionOptions(options)) {
            session = env.createSession(model.bytes(), so);
            inputNames = List.copyOf(session.getInputNames());
            outputNames = List.copyOf(session.getOutputNames());
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime cannot load " + model.name() + ": " + e.getMessage(), e);
        }
        description = "onnxruntime " + env.getVersion() + " (" + options.device().name().toLowerCase()
                + ", " + (options.threads() == 0 ? "all cores" : options.threads() + " threads")
                + ", optimisation " + options.optimization() + ")";
    }

    private static OrtLoggingLevel ortLogLevel() {
        String v = System.getProperty("resnet4j.ort.logLevel", "FATAL").trim().toUpperCase(java.util.Locale.ROOT);
        for (OrtLoggingLevel l : OrtLoggingLevel.values()) {
            if (l.name().equals("ORT_LOGGING_LEVEL_" + v)) {
                return l;
            }
        }
        return OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
    }

    private static OrtSession.SessionOptions sessionOptions(EngineOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setSessionLogLevel(QUIET);
            so.setOptimizationLevel(optLevel(options.optimization()));
            if (options.threads() > 0) {
                so.setIntraOpNumThreads(options.threads());
            }
            so.setInterOpNumThreads(1);
            if (options.device() == EngineOptions.Device.CUDA) {
                addCuda(so);
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    // No silent fallback to CPU: a user asking for CUDA wants to know it is not there.
    private static void addCuda(OrtSession.SessionOptions so) {
        try {
            so.addCUDA(0);
        } catch (OrtException | UnsatisfiedLinkError e) {
            throw new EngineException("the CUDA execution provider cannot be loaded (" + e.getMessage() + "). "
                    + "Device cuda needs resnet4j built with the GPU profile (mvn -Pgpu package, which uses "
                    + "onnxruntime_gpu 1.29.0) and an NVIDIA GPU with CUDA 12 and cuDNN 9 installed; "
                    + "use device cpu otherwise", e);
        }
    }

    static OptLevel optLevel(String name) {
        return switch (name.toLowerCase()) {
            case "none" -> OptLevel.NO_OPT;
            case "basic" -> OptLevel.BASIC_OPT;
            case "extended" -> OptLevel.EXTENDED_OPT;
            case "all" -> OptLevel.ALL_OPT;
            default -> throw new EngineException(
                    "unknown optimisation level '" + name + "', expected one of none, basic, extended, all");
        };
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    @Override
    public List<String> outputNames() {
        return outputNames;
    }

    /** The declared shape of an input, -1 for symbolic dimensions. */
    public long[] inputShape(String name) {
        try {
            NodeInfo info = session.getInputInfo().get(name);
            return ((TensorInfo) info.getInfo()).getShape();
        } catch (OrtException e) {
            throw new EngineException("cannot read input info: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        checkNames(inputs.keySet());
        Map<String, OnnxTensor> feeds = new HashMap<>();
        List<ByteBuffer> direct = new ArrayList<>(inputs.size());
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                checkShape(e.getKey(), e.getValue());
                feeds.put(e.getKey(), toOrt(e.getValue(), direct));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt(e.getKey(), e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : feeds.values()) {
                t.close();
            }
            direct.forEach(DirectMemory::free);
        }
    }

    private void checkNames(Set<String> given) {
        if (!given.equals(Set.copyOf(inputNames))) {
            throw new MismatchException("inputs " + new ArrayList<>(given) + " given, expected " + inputNames);
        }
    }

    private void checkShape(String name, Tensor t) {
        long[] declared = inputShape(name);
        boolean ok = declared.length == t.rank();
        for (int i = 0; ok && i < declared.length; i++) {
            ok = declared[i] < 0 || declared[i] == t.dim(i);
        }
        if (!ok) {
            throw new MismatchException("input '" + name + "' has shape " + Shapes.format(t.shape())
                    + ", the model expects " + Arrays.toString(declared).replace("-1", "?"));
        }
    }

    /**
     * Copies {@code t} into a new direct buffer (recorded in {@code direct}: the caller frees it once
     * the ORT tensor is closed, instead of leaving it to a GC that may not come before RSS grows).
     */
    private OnnxTensor toOrt(Tensor t, List<ByteBuffer> direct) throws OrtException {
        ByteBuffer bytes = ByteBuffer.allocateDirect(t.numel() * 4).order(ByteOrder.nativeOrder());
        direct.add(bytes);
        FloatBuffer buf = bytes.asFloatBuffer();
        buf.put(t.buffer());
        buf.rewind();
        return OnnxTensor.createTensor(env, buf, Shapes.toLong(t.shape()));
    }

    private static Tensor fromOrt(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw new EngineException("output '" + name + "' is not a float tensor: " + value.getInfo());
        }
        long[] shape = tensor.getInfo().getShape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        FloatBuffer fb = tensor.getFloatBuffer();
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return Tensor.of(dims, data);
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
        try {
            session.close();
        } catch (OrtException e) {
            throw new EngineException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }
}
