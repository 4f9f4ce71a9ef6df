package org.resnet4j.tensor;

/**
 * Element types. A {@link Tensor} holds the {@linkplain #isTensorType() tensor types} (those ResNet
 * graphs use: float32, float16, int64, int32, int8, uint8, bool; int8 for the weights of quantized
 * QDQ models) in memory; the others occur only in
 * checkpoint files, whose readers widen them to float32 and record the file's type as the tensor's
 * {@link Tensor#sourceType()}, so that {@code inspect} can report it and writers can round-trip it.
 */
public enum DType {
    FLOAT32("float32", 4, 1, "f4", true),
    FLOAT64("float64", 8, 11, "f8", false),
    FLOAT16("float16", 2, 10, "f2", true),
    BFLOAT16("bfloat16", 2, 16, null, false),
    INT64("int64", 8, 7, "i8", true),
    INT32("int32", 4, 6, "i4", true),
    INT16("int16", 2, 5, "i2", false),
    INT8("int8", 1, 3, "i1", true),
    UINT8("uint8", 1, 2, "u1", true),
    BOOL("bool", 1, 9, "b1", true);

    private final String label;
    private final int byteSize;
    private final int onnxCode;
    private final String npyKind;
    private final boolean tensorType;

    DType(String label, int byteSize, int onnxCode, String npyKind, boolean tensorType) {
        this.label = label;
        this.byteSize = byteSize;
        this.onnxCode = onnxCode;
        this.npyKind = npyKind;
        this.tensorType = tensorType;
    }

    /** Whether a {@link Tensor} holds this type in memory (else only files store it). */
    public boolean isTensorType() {
        return tensorType;
    }

    /** The tensor types, in declaration order. */
    public static java.util.List<DType> tensorTypes() {
        return java.util.Arrays.stream(values()).filter(DType::isTensorType).toList();
    }

    /** ONNX's {@code TensorProto.DataType} number ({@code FLOAT} = 1, {@code INT64} = 7, ...). */
    public int onnxCode() {
        return onnxCode;
    }

    /** The type with ONNX {@code TensorProto.DataType} number {@code code}, or null if none. */
    public static DType fromOnnxCode(int code) {
        for (DType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }

    /** NumPy's type code without byte order ({@code f4}, {@code i8}, {@code b1}), or null if NumPy has none. */
    public String npyKind() {
        return npyKind;
    }

    /** The type with NumPy type code {@code kind} ({@code f4}, {@code u1}), or null if none. */
    public static DType fromNpyKind(String kind) {
        for (DType t : values()) {
            if (kind.equals(t.npyKind)) {
                return t;
            }
        }
        return null;
    }

    /** Lower-case name as PyTorch and NumPy print it ({@code float16}). */
    public String label() {
        return label;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    @Override
    public String toString() {
        return label;
    }
}
