package org.resnet4j.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ordered mapping from parameter name to tensor, like PyTorch's {@code state_dict()}. Insertion
 * order is the file's order. Mutable while being built by a reader, then passed on read-only.
 */
public final class StateDict {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();

    public StateDict() {}

    public StateDict(Map<String, Tensor> entries) {
        tensors.putAll(entries);
    }

    /** Adds or replaces {@code name}. */
    public StateDict put(String name, Tensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    public Tensor get(String name) {
        return tensors.get(name);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, Tensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    /** Total number of elements over all tensors. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.numel();
        }
        return n;
    }
}
