package org.resnet4j.tensor;

/**
 * Element types a tensor can have in a file. In memory every tensor is float32; the dtype records
 * what the file stored, so that {@code inspect} can report it and writers can round-trip it.
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    FLOAT16("float16", 2),
    BFLOAT16("bfloat16", 2),
    INT64("int64", 8),
    INT32("int32", 4),
    INT16("int16", 2),
    INT8("int8", 1),
    UINT8("uint8", 1),
    BOOL("bool", 1);

    private final String label;
    private final int byteSize;

    DType(String label, int byteSize) {
        this.label = label;
        this.byteSize = byteSize;
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
