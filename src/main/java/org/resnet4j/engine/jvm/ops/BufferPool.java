package org.resnet4j.engine.jvm.ops;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Float arrays released by one run, reused by its later nodes (and by later runs that pick up
 * the same pool). Exact-size matching: a ResNet has few distinct activation sizes, and kernels may
 * then rely on {@code array.length == numel}. Arrays come back dirty; ops overwrite every element.
 * Not thread-safe: one run owns a pool at a time.
 */
public final class BufferPool {
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long allocatedFloats;

    /** An array of exactly {@code n} floats with unspecified contents. */
    public float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[n];
            allocatedFloats += n;
        }
        return a;
    }

    public void give(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /** Floats this pool has allocated over its life (for tests of the liveness plan). */
    public long allocatedFloats() {
        return allocatedFloats;
    }

    public void clear() {
        free.clear();
    }
}
