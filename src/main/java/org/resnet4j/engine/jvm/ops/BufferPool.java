package org.resnet4j.engine.jvm.ops;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Float arrays released by one run, reused by its later nodes (and by later runs that pick up
 * the same pool). Values get exact sizes (a ResNet has few distinct activation sizes, and a
 * value's {@code array.length == numel}); scratch takes the smallest array that is large enough. Arrays come back dirty; ops overwrite every element.
 * Not thread-safe: one run owns a pool at a time.
 */
public final class BufferPool {
    private final TreeMap<Integer, ArrayDeque<float[]>> free = new TreeMap<>();
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

    /** Scratch of at least {@code n} floats: the smallest free array that is large enough. */
    public float[] takeAtLeast(int n) {
        for (Map.Entry<Integer, ArrayDeque<float[]>> e = free.ceilingEntry(n); e != null; e = free.higherEntry(e.getKey())) {
            float[] a = e.getValue().poll();
            if (a != null) {
                return a;
            }
        }
        return take(n);
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
