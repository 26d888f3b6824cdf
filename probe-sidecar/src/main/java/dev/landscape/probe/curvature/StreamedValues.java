package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.DoubleBuffer;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Initializer values by name where the parameters stay in the checkpoint until asked for: {@link #get} reads one
 * tensor (as a {@link HostTensor}, not kept), {@link #writeInto} streams it in chunks into a native array without
 * ever holding it on the Java heap. Small values (buffers, integer constants) are held. Valid while the checkpoint
 * is open; a read after that fails with the checkpoint's own error.
 */
final class StreamedValues extends AbstractMap<String, HostTensor> {

    /** Elements per chunk when streaming: 512 KiB of doubles. */
    private static final int CHUNK = 1 << 16;

    private final Map<String, HostTensor> held;
    private final Map<String, Tensor> deferred;

    StreamedValues(Map<String, HostTensor> held, Map<String, Tensor> deferred) {
        this.held = held;
        this.deferred = deferred;
    }

    @Override
    public boolean containsKey(Object key) {
        return held.containsKey(key) || deferred.containsKey(key);
    }

    @Override
    public HostTensor get(Object key) {
        HostTensor h = held.get(key);
        if (h != null) {
            return h;
        }
        Tensor t = deferred.get(key);
        if (t == null) {
            return null;
        }
        try {
            return WeightBinder.read(t, false);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + t.info().name() + " from the checkpoint", e);
        }
    }

    /** The names, without reading any value (the inherited view would read each one). */
    @Override
    public Set<String> keySet() {
        Set<String> keys = new java.util.LinkedHashSet<>(held.keySet());
        keys.addAll(deferred.keySet());
        return java.util.Collections.unmodifiableSet(keys);
    }

    @Override
    public Set<Entry<String, HostTensor>> entrySet() {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        held.keySet().forEach(k -> keys.put(k, true));
        deferred.keySet().forEach(k -> keys.put(k, true));
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, HostTensor>> iterator() {
                Iterator<String> it = keys.keySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Entry<String, HostTensor> next() {
                        String k = it.next();
                        return new SimpleImmutableEntry<>(k, get(k));
                    }
                };
            }

            @Override
            public int size() {
                return keys.size();
            }
        };
    }

    /** Whether {@code name} is read from the checkpoint on demand (not held). */
    boolean isDeferred(String name) {
        return deferred.containsKey(name);
    }

    /** Writes the value of {@code name} into {@code dst} from its position on, in chunks. */
    void writeInto(String name, DoubleBuffer dst) throws IOException {
        Tensor t = deferred.get(name);
        if (t == null) {
            dst.put(held.get(name).values());
            return;
        }
        long n = t.info().numel();
        double[] chunk = new double[(int) Math.min(CHUNK, Math.max(1, n))];
        long done = 0;
        try (ElementStream s = t.open()) {
            while (done < n) {
                int r = s.read(chunk, 0, (int) Math.min(chunk.length, n - done));
                if (r < 0) {
                    throw new CurvatureException("tensor " + t.info().name() + " ended after " + done + " of " + n + " elements");
                }
                dst.put(chunk, 0, r);
                done += r;
            }
        }
    }
}
