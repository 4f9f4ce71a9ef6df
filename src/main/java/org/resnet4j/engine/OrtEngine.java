package org.resnet4j.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.resnet4j.Device;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.Onnx.ValidatedModel;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;

/**
 * ONNX Runtime through its Java API: the fast path. One {@link OrtSession} per engine, created in
 * the constructor and closed by {@link #close()}; {@code OrtSession.run} is thread-safe, so is this.
 * {@link #close()} waits for the runs in flight before it frees the session ({@link RunGate}). A model
 * whose integer divisions could trap (SIGFPE ends the process) is refused ({@link OrtDivisionGuard}).
 *
 * <p>Unless {@link EngineOptions#ortGuard()} is off, a model where ORT's optimiser is known to change
 * the results ({@link OrtGuard}) gets a session with that one rewrite disabled.
 *
 * <p>Takes and returns every tensor type ({@link DType#isTensorType()}). Inputs are checked by
 * {@link InputCheck}, then copied into direct buffers in native byte order: ORT reads a direct
 * buffer as native-endian, and a big-endian buffer would be read as garbage without an error.
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
    /** The cached optimised model the session reads its weights from (null: ORT's own copy); freed after it. */
    private final ByteBuffer sessionBytes;

    private final boolean fromCache;
    private final List<TensorSpec> inputs;
    private final List<String> outputNames;
    private final String description;
    private final List<String> guardedPads;
    private final RunGate gate = new RunGate("engine");
    private final java.time.Duration timeout;

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

    /** Loads a model built in memory, validated first; {@code name} is used in messages. */
    public OrtEngine(ModelProto model, EngineOptions options, String name) {
        this(Onnx.validated(model, name), options);
    }

    /** Loads a model already validated ({@link Onnx#readValidated}, {@link Onnx#parse}, {@link Onnx#validated}). */
    public OrtEngine(ValidatedModel model, EngineOptions options) {
        env = environment();
        timeout = options.timeout();
        OrtDivisionGuard.check(model.proto()); // always: what it refuses would end the process
        guardedPads = options.ortGuard() ? OrtGuard.padsOrtWouldMisfuse(model.proto()) : List.of();
        try {
            OrtSessionCache.Options made = () -> {
                OrtSession.SessionOptions so = sessionOptions(options);
                if (!guardedPads.isEmpty()) {
                    so.addConfigEntry(OrtGuard.DISABLE_KEY, OrtGuard.PAD_FUSION_RULE);
                }
                return so;
            };
            if (options.sessionCache() != null && options.device() == Device.CPU) {
                OrtSessionCache.Opened opened = new OrtSessionCache(options.sessionCache(), OrtSessionCache.MAX_BYTES)
                        .open(
                                env,
                                model.bytes(),
                                made,
                                "level " + options.optimization() + ", disabled rules "
                                        + (guardedPads.isEmpty() ? "none" : OrtGuard.PAD_FUSION_RULE));
                session = opened.session();
                sessionBytes = opened.buffer();
                fromCache = opened.hit();
            } else {
                try (OrtSession.SessionOptions so = made.make()) {
                    session = env.createSession(model.bytes(), so);
                }
                sessionBytes = null;
                fromCache = false;
            }
            inputs = specs(session.getInputInfo());
            outputNames = List.copyOf(session.getOutputNames());
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime cannot load " + model.name() + ": " + e.getMessage(), e);
        }
        description = "onnxruntime " + env.getVersion() + " ("
                + options.device().name().toLowerCase()
                + ", "
                + (options.threads() == 0
                        ? "all cores"
                        : options.threads() + (options.threads() == 1 ? " thread" : " threads"))
                + ", optimisation " + options.optimization()
                + (fromCache ? " (from the session cache)" : "")
                + (guardedPads.isEmpty()
                        ? ""
                        : " but " + OrtGuard.PAD_FUSION_RULE + " off: " + guardedPads.size() + " zero Pad"
                                + (guardedPads.size() == 1 ? "" : "s") + " before a pool")
                + ")";
    }

    /**
     * The Pads this session keeps ORT from folding into the next pool ({@link OrtGuard}); empty when
     * the model has none or {@link EngineOptions#ortGuard()} is off.
     */
    public List<String> guardedPads() {
        return guardedPads;
    }

    /**
     * The process's ONNX Runtime environment, its libraries loaded from resnet4j's cache
     * ({@link OrtNativeLibraries}) and its usage telemetry off. ONNX Runtime 1.29 sends telemetry from
     * Linux too and keeps an event database and a device id under ~/.cache/Microsoft; only the
     * environment variable {@code ORT_DISABLE_TELEMETRY=1}, read before the environment exists, stops
     * all of it (the launcher sets it; a service should), so here what is left is turned off.
     */
    private static synchronized OrtEnvironment environment() {
        OrtNativeLibraries.prepare();
        OrtEnvironment e = OrtEnvironment.getEnvironment(QUIET);
        try {
            e.setTelemetry(false);
        } catch (OrtException ex) {
            throw new EngineException("ONNX Runtime refused to turn its telemetry off: " + ex.getMessage(), ex);
        }
        return e;
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
            if (options.device() == Device.CUDA) {
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
            throw new EngineException(
                    "the CUDA execution provider cannot be loaded (" + e.getMessage() + "). "
                            + "Device cuda needs resnet4j built with the GPU profile (mvn -Pgpu package, which uses "
                            + "onnxruntime_gpu 1.29.0) and an NVIDIA GPU with CUDA 12 and cuDNN 9 installed; "
                            + "use device cpu otherwise",
                    e);
        }
    }

    static OptLevel optLevel(String name) {
        return switch (name.toLowerCase()) {
            case "none" -> OptLevel.NO_OPT;
            case "basic" -> OptLevel.BASIC_OPT;
            case "extended" -> OptLevel.EXTENDED_OPT;
            case "all" -> OptLevel.ALL_OPT;
            default ->
                throw new EngineException(
                        "unknown optimisation level '" + name + "', expected one of none, basic, extended, all");
        };
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo info : infos.values()) {
            if (info.getInfo() instanceof TensorInfo ti) {
                DType dtype = dtypeOf(ti.type);
                out.add(new TensorSpec(
                        info.getName(),
                        dtype,
                        dtype != null
                                ? dtype.label()
                                : ti.onnxType
                                        .name()
                                        .replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "")
                                        .toLowerCase(Locale.ROOT),
                        ti.getShape()));
            } else {
                out.add(new TensorSpec(info.getName(), null, info.getInfo().toString(), null));
            }
        }
        return List.copyOf(out);
    }

    /** ORT's Java type of each tensor type (ORT's own enum numbers differ from ONNX's). */
    private static final Map<DType, OnnxJavaType> ORT_TYPES = Map.of(
            DType.FLOAT32,
            OnnxJavaType.FLOAT,
            DType.FLOAT16,
            OnnxJavaType.FLOAT16,
            DType.INT64,
            OnnxJavaType.INT64,
            DType.INT32,
            OnnxJavaType.INT32,
            DType.INT8,
            OnnxJavaType.INT8,
            DType.UINT8,
            OnnxJavaType.UINT8,
            DType.BOOL,
            OnnxJavaType.BOOL);

    /** The tensor type of an ORT element type, null for those no {@link Tensor} holds. */
    private static DType dtypeOf(OnnxJavaType type) {
        return ORT_TYPES.entrySet().stream()
                .filter(e -> e.getValue() == type)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
    }

    private static OnnxJavaType ortType(DType dtype) {
        return ORT_TYPES.get(dtype);
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<String> outputNames() {
        return outputNames;
    }

    /** The declared shape of an input, -1 for symbolic dimensions. */
    public long[] inputShape(String name) {
        for (TensorSpec s : inputs) {
            if (s.name().equals(name)) {
                return s.shape();
            }
        }
        throw new MismatchException(
                "'" + name + "' is not an input of the model (model inputs: " + TensorSpec.describe(inputs) + ")");
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> given) {
        return gate.run(() -> runOpen(given));
    }

    // the session is open for as long as this runs (RunGate)
    private Map<String, Tensor> runOpen(Map<String, Tensor> given) {
        InputCheck.check(inputs, given);
        Map<String, OnnxTensor> feeds = new HashMap<>();
        DirectBuffers direct = new DirectBuffers();
        try {
            for (Map.Entry<String, Tensor> e : given.entrySet()) {
                feeds.put(e.getKey(), toOrt(e.getValue(), direct));
            }
            try (OrtSession.RunOptions ro = new OrtSession.RunOptions();
                    RunWatch watch = RunWatch.start(timeout, () -> terminate(ro))) {
                watch.check();
                try (OrtSession.Result result = session.run(feeds, ro)) {
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    for (Map.Entry<String, OnnxValue> e : result) {
                        out.put(e.getKey(), fromOrt(e.getKey(), e.getValue()));
                    }
                    return out;
                } catch (OrtException e) {
                    throw watch.failure(new EngineException("ONNX Runtime failed: " + e.getMessage(), e));
                }
            }
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : feeds.values()) {
                t.close();
            }
            direct.close();
        }
    }

    // called from the watcher thread: ONNX Runtime checks the flag between nodes and fails the run
    private static void terminate(OrtSession.RunOptions ro) {
        try {
            ro.setTerminate(true);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies {@code t} into a new direct buffer from {@code direct} (the caller frees it once the ORT
     * tensor is closed, instead of leaving it to a GC that may not come before RSS grows).
     */
    private OnnxTensor toOrt(Tensor t, DirectBuffers direct) throws OrtException {
        ByteBuffer bytes;
        if (t.dtype() == DType.FLOAT32) {
            // the floats straight into the direct buffer, one copy (an image batch's only copy after
            // preprocessing)
            bytes = direct.allocate(t.numel() * 4).order(ByteOrder.nativeOrder());
            bytes.asFloatBuffer().put(t.buffer());
        } else {
            ByteBuffer le = t.toLittleEndianBytes();
            bytes = direct.allocate(le.remaining()).order(ByteOrder.nativeOrder());
            copyToOrder(le, bytes, t.dtype().byteSize());
        }
        bytes.rewind();
        return OnnxTensor.createTensor(env, bytes, Shapes.toLong(t.shape()), ortType(t.dtype()));
    }

    /** Copies the elements of {@code from} into {@code to}, each in {@code to}'s byte order. */
    private static void copyToOrder(ByteBuffer from, ByteBuffer to, int itemSize) {
        if (from.order() == to.order() || itemSize == 1) {
            to.put(from.duplicate());
            return;
        }
        ByteBuffer src = from.duplicate().order(from.order());
        while (src.hasRemaining()) {
            switch (itemSize) {
                case 2 -> to.putShort(src.getShort());
                case 4 -> to.putInt(src.getInt());
                default -> to.putLong(src.getLong());
            }
        }
    }

    /**
     * An ORT output as a tensor of the same type. float64 and int16 (which no ResNet graph returns, but
     * a model may) are narrowed or widened to float32 and int32, recording the source type.
     */
    private static Tensor fromOrt(String name, OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new EngineException("output '" + name + "' is not a tensor: " + value.getInfo());
        }
        TensorInfo info = tensor.getInfo();
        int[] dims = new int[info.getShape().length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.toIntExact(info.getShape()[i]);
        }
        switch (info.type) {
            case FLOAT -> {
                FloatBuffer fb = tensor.getFloatBuffer();
                float[] data = new float[fb.remaining()];
                fb.get(data);
                return Tensor.of(dims, data);
            }
            case DOUBLE -> {
                double[] d = new double[Math.toIntExact(info.getNumElements())];
                tensor.getDoubleBuffer().get(d);
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                return Tensor.of(dims, f, DType.FLOAT64);
            }
            case INT16 -> {
                ByteBuffer b = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
                int[] v = new int[Math.toIntExact(info.getNumElements())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = b.getShort(i * 2);
                }
                return Tensor.ofInts(dims, v).withSourceType(DType.INT16);
            }
            default -> {
                DType dtype = dtypeOf(info.type);
                if (dtype == null) {
                    throw new EngineException("output '" + name + "' has element type " + info.onnxType
                            + ", which resnet4j tensors cannot hold (expected one of " + DType.tensorTypes() + ")");
                }
                ByteBuffer nativeBytes = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
                ByteBuffer le = ByteBuffer.allocate(nativeBytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                copyToOrder(nativeBytes, le, dtype.byteSize());
                le.flip();
                return Tensor.overLittleEndian(dtype, dims, le);
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        gate.close(() -> {
            try {
                session.close();
            } catch (OrtException e) {
                throw new EngineException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
            }
            if (sessionBytes != null) {
                DirectBuffers.free(sessionBytes); // only once the session that reads it is gone
            }
        });
    }
}
