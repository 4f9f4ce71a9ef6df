package org.resnet4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.files.InputFiles;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

/** Reading, writing and building ONNX protobuf messages. */
public final class Onnx {
    /** Opsets the graph builder can target; DESIGN.md's contract. */
    public static final int MIN_OPSET = 13;

    public static final int MAX_OPSET = 21;
    public static final int DEFAULT_OPSET = 17;

    private Onnx() {}

    /**
     * The IR version that goes with an opset: the lowest IR that the ONNX release introducing the
     * opset wrote (1.13: IR 8 / opset 18, 1.14: IR 9 / opset 19, 1.16: IR 10 / opset 21). Lower IR
     * keeps older checkers (onnx 1.12 accepts IR ≤ 8) happy.
     */
    public static int irVersionFor(int opset) {
        checkOpset(opset);
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    public static void checkOpset(int opset) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new UnsupportedModelException(
                    "opset " + opset + " is not supported, expected " + MIN_OPSET + ".." + MAX_OPSET);
        }
    }

    /**
     * Reads a model; a file that is not an ONNX protobuf gets a message naming it. The model is
     * checked by {@link OnnxValidator} (dims, data sizes, external data, undefined inputs, cycles)
     * before it is returned, so callers may allocate what its tensors' dims say.
     */
    public static ModelProto read(Path file) {
        return readValidated(file).proto();
    }

    /**
     * A model and the exact bytes it was parsed from, after validation: hand {@link #bytes()} to an
     * engine (ONNX Runtime parses them itself), never the path, which could name other bytes by then.
     * The array is shared, not copied: do not modify it.
     */
    public record ValidatedModel(String name, byte[] bytes, ModelProto proto) {}

    /**
     * Reads a model file once (a regular file only: a FIFO or device is refused before it is opened),
     * then {@link #parse parses and validates} those bytes.
     */
    public static ValidatedModel readValidated(Path file) {
        byte[] bytes = InputFiles.readAll(file, "model file", Integer.MAX_VALUE - 8, null);
        return parse(bytes, file.toString());
    }

    /**
     * Parses and validates a serialised model; {@code name} names it in messages. Before protobuf
     * builds anything, the objects the bytes would become are counted ({@code onnx.maxObjects}); tensor
     * data is not copied (the parsed model's raw_data share {@code bytes}).
     */
    public static ValidatedModel parse(byte[] bytes, String name) {
        ObjectCount.check(name, bytes);
        ModelProto model;
        try {
            model = parseAliased(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new FormatException(name + ": not a valid ONNX model (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            throw new FormatException(name + ": not a valid ONNX model (" + e + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new FormatException(name + ": not an ONNX model (no graph nodes)");
        }
        OnnxValidator.validate(name, model, bytes.length);
        return new ValidatedModel(name, bytes, model);
    }

    /**
     * Validates a model built or changed in memory and serialises it, for an engine. What the engine
     * parses is then exactly what was checked.
     */
    public static ValidatedModel validated(ModelProto model, String name) {
        byte[] bytes = model.toByteArray();
        OnnxValidator.validate(name, model, bytes.length);
        try {
            // the bytes parsed again, their tensors aliased, not copied: the result holds nothing of
            // {@code model}, so a checkpoint mapped from disk that it wraps can be let go (100 MB
            // resident for a resnet50) before an engine copies the bytes
            return new ValidatedModel(name, bytes, parseAliased(bytes));
        } catch (IOException e) {
            throw new IllegalStateException(name + ": the model does not parse back from its own bytes", e);
        }
    }

    // the model in bytes, its byte fields (tensor data) sharing the array. Protobuf aliases only an
    // input it may treat as immutable: CodedInputStream.newInstance(byte[]) copied every tensor (a
    // second 100 MB for a resnet50); the array is not written after this
    private static ModelProto parseAliased(byte[] bytes) throws IOException {
        CodedInputStream coded = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        coded.enableAliasing(true);
        coded.setSizeLimit(Integer.MAX_VALUE);
        return ModelProto.parseFrom(coded);
    }

    /**
     * Writes a model atomically (temporary file, then move), streaming initializer bytes from their
     * buffers to the file ({@link OnnxStreamWriter}).
     */
    public static void write(ModelProto model, Path file) throws IOException {
        OnnxStreamWriter.write(model, file);
    }

    /**
     * A float tensor initializer. The tensor's little-endian bytes are wrapped, not copied, so a
     * checkpoint mapped from disk streams straight into the output file.
     */
    public static TensorProto floatTensor(String name, Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("floatTensor('" + name + "') given a " + t.dtype() + " tensor");
        }
        return tensor(name, t);
    }

    /** An initializer of any tensor type, in raw_data (little-endian bytes wrapped, not copied). */
    public static TensorProto tensor(String name, Tensor t) {
        ByteBuffer bytes = t.toLittleEndianBytes();
        ByteString raw = UnsafeByteOperations.unsafeWrap(bytes);
        TensorProto.Builder b = TensorProto.newBuilder()
                .setName(name)
                .setDataType(t.dtype().onnxCode())
                .setRawData(raw);
        for (int d : t.shape()) {
            b.addDims(d);
        }
        return b.build();
    }

    /** The values of a float32 initializer (raw_data or float_data); other types are refused. */
    public static Tensor toTensor(TensorProto p) {
        if (p.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new UnsupportedModelException("initializer '" + p.getName() + "' has data type "
                    + TensorProto.DataType.forNumber(p.getDataType()) + ", expected FLOAT");
        }
        return toAnyTensor(p);
    }

    /**
     * The values of an initializer of any tensor type ({@link DType#isTensorType()}), from raw_data
     * or the typed field ONNX stores it in (float_data; int64_data; int32_data for int32, int8,
     * uint8, bool and float16 bits). Counts are checked against the dims before anything is copied.
     */
    public static Tensor toAnyTensor(TensorProto p) {
        DType dtype = DType.fromOnnxCode(p.getDataType());
        if (dtype == null || !dtype.isTensorType()) {
            throw new UnsupportedModelException("initializer '" + p.getName() + "' has data type "
                    + TensorProto.DataType.forNumber(p.getDataType()) + ", expected one of " + DType.tensorTypes());
        }
        int[] shape = new int[p.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = p.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new FormatException("initializer '" + p.getName() + "' has dimension " + d);
            }
            shape[i] = (int) d;
        }
        int n;
        try {
            n = Shapes.numel(shape);
        } catch (IllegalArgumentException e) {
            throw new FormatException("initializer '" + p.getName() + "' has shape " + Shapes.format(shape)
                    + ", more than 2^31-1 elements");
        }
        if (p.hasRawData()) {
            if (p.getRawData().size() != (long) n * dtype.byteSize()) {
                throw new FormatException("initializer '" + p.getName() + "' of shape " + Shapes.format(shape) + " ("
                        + dtype + ") needs " + (long) n * dtype.byteSize() + " bytes, raw_data has "
                        + p.getRawData().size());
            }
            ByteBuffer copy = ByteBuffer.allocate(p.getRawData().size());
            p.getRawData().copyTo(copy);
            copy.flip();
            return Tensor.overLittleEndian(dtype, shape, copy);
        }
        int have = switch (dtype) {
            case FLOAT32 -> p.getFloatDataCount();
            case INT64 -> p.getInt64DataCount();
            default -> p.getInt32DataCount();
        };
        if (have != n) {
            throw new FormatException("initializer '" + p.getName() + "' of shape " + Shapes.format(shape) + " ("
                    + dtype + ") needs " + n + " values, its typed data field has " + have);
        }
        switch (dtype) {
            case FLOAT32 -> {
                float[] data = new float[n];
                for (int i = 0; i < n; i++) {
                    data[i] = p.getFloatData(i);
                }
                return Tensor.of(shape, data);
            }
            case INT64 -> {
                long[] data = new long[n];
                for (int i = 0; i < n; i++) {
                    data[i] = p.getInt64Data(i);
                }
                return Tensor.ofLongs(shape, data);
            }
            case INT32 -> {
                int[] data = new int[n];
                for (int i = 0; i < n; i++) {
                    data[i] = p.getInt32Data(i);
                }
                return Tensor.ofInts(shape, data);
            }
            case FLOAT16 -> {
                short[] bits = new short[n];
                for (int i = 0; i < n; i++) {
                    bits[i] = (short) p.getInt32Data(i);
                }
                return Tensor.ofFloat16Bits(shape, bits);
            }
            default -> {
                // int8, uint8 and bool: one value per int32_data entry (int8 sign-extended there, so the
                // low byte is the value either way)
                byte[] data = new byte[n];
                for (int i = 0; i < n; i++) {
                    data[i] = dtype == DType.BOOL ? (byte) (p.getInt32Data(i) != 0 ? 1 : 0) : (byte) p.getInt32Data(i);
                }
                return Tensor.overLittleEndian(dtype, shape, ByteBuffer.wrap(data));
            }
        }
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    public static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    /** A float tensor value description; a String dim is symbolic (dim_param), a number fixed. */
    public static ValueInfoProto floatValueInfo(String name, Object... dims) {
        return valueInfo(name, DType.FLOAT32, dims);
    }

    /** A tensor value description of any type; a String dim is symbolic (dim_param), a number fixed. */
    public static ValueInfoProto valueInfo(String name, DType dtype, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String s) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
            }
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(dtype.onnxCode())
                                .setShape(shape)))
                .build();
    }

    /** The value of a metadata_props key, or null. */
    public static String metadata(ModelProto model, String key) {
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (e.getKey().equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }
}
