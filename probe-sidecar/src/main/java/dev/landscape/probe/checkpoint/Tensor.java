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
}
