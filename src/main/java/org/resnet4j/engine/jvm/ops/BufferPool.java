package org.resnet4j.engine.jvm.ops;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
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
    /** Arrays handed out since {@link #endRun}: the ones worth keeping for the next run. */
    private final Map<float[], Boolean> takenThisRun = new IdentityHashMap<>();

    private long allocatedFloats;

    /** An array of exactly {@code n} floats with unspecified contents. */
    public float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[n];
            allocatedFloats += n;
        }
        takenThisRun.put(a, Boolean.TRUE);
        return a;
    }

    /** Scratch of at least {@code n} floats: the smallest free array that is large enough. */
    public float[] takeAtLeast(int n) {
        for (Map.Entry<Integer, ArrayDeque<float[]>> e = free.ceilingEntry(n);
                e != null;
                e = free.higherEntry(e.getKey())) {
            float[] a = e.getValue().poll();
            if (a != null) {
                takenThisRun.put(a, Boolean.TRUE);
                return a;
            }
        }
        return take(n);
    }

    public void give(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /**
     * Ends a run: drops the free arrays this run did not use, so that a service that sees many
     * input sizes keeps one run's worth of buffers, not one per size it has ever seen.
     */
    public void endRun() {
        for (Iterator<Map.Entry<Integer, ArrayDeque<float[]>>> it =
                        free.entrySet().iterator();
                it.hasNext(); ) {
            ArrayDeque<float[]> q = it.next().getValue();
            q.removeIf(a -> !takenThisRun.containsKey(a));
            if (q.isEmpty()) {
                it.remove();
            }
        }
        takenThisRun.clear();
        allocatedFloats = 0;
        for (ArrayDeque<float[]> q : free.values()) {
            for (float[] a : q) {
                allocatedFloats += a.length;
            }
        }
    }

    /** Floats this pool holds: after {@link #endRun}, what one run needed (tests of the liveness plan). */
    public long allocatedFloats() {
        return allocatedFloats;
    }

    public void clear() {
        free.clear();
    }
}
