package dev.landscape.probe.checkpoint;

import java.io.IOException;

/**
 * A named tensor whose elements are streamed on demand, so that a checkpoint of any size is analysed in bounded
 * memory. Opening a tensor twice gives two independent streams (tier 1 reads the same tensor from two
 * checkpoints, and a parameter next to its optimizer moments, side by side).
 */
public interface Tensor {

    TensorInfo info();

    /** Streams the elements in row-major logical order, whatever the storage layout (views, strides, shards). */
    ElementStream open() throws IOException;

    /**
     * Whether {@link #open(long, long)} works: the elements lie in row-major order in one range of one file, so
     * any slice of them can be read on its own, and several slices at once from different threads. This is how a
     * scan splits a large tensor over cores. False for strided views, chunked (DCP) tensors and in-memory ones.
     */
    default boolean splittable() {
        return false;
    }

    /**
     * Streams elements {@code [from, to)} of the row-major order, independently of any other stream of this tensor;
     * only when {@link #splittable()}.
     */
    default ElementStream open(long from, long to) throws IOException {
        throw new UnsupportedOperationException("tensor " + info().name() + " cannot be read in slices");
    }
}
