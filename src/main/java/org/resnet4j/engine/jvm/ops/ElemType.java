package org.resnet4j.engine.jvm.ops;

/** Element types the Java engine computes with: float32 activations and int64 shape values. */
public enum ElemType {
    FLOAT, INT64
}
