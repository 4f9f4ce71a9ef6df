package org.resnet4j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Maps a partition's iterator chunk by chunk: takes up to {@code size} elements, maps them together
 * (one inference batch), hands out the results, then takes the next chunk. Lazy, so a partition is
 * never held in memory whole.
 */
final class BatchedIterator<A, B> implements Iterator<B> {
    private final Iterator<A> in;
    private final int size;
    private final Function<List<A>, List<B>> map;
    private Iterator<B> current = List.<B>of().iterator();

    BatchedIterator(Iterator<A> in, int size, Function<List<A>, List<B>> map) {
        this.in = in;
        this.size = size;
        this.map = map;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && in.hasNext()) {
            List<A> chunk = new ArrayList<>(size);
            while (chunk.size() < size && in.hasNext()) {
                chunk.add(in.next());
            }
            List<B> out = map.apply(chunk);
            if (out.size() != chunk.size()) {
                throw new IllegalStateException("a batch of " + chunk.size() + " gave " + out.size() + " results");
            }
            current = out.iterator();
        }
        return current.hasNext();
    }

    @Override
    public B next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
