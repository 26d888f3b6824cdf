package dev.landscape.probe.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;

/** A pull stream of a tensor's elements as doubles, in row-major logical order. Not thread-safe. */
public interface ElementStream extends Closeable {

    /**
     * Fills {@code dst[off..off+len)} with the next elements.
     *
     * @return how many were written, or {@code -1} once every element has been read
     * @throws CheckpointException when the data is truncated or otherwise unreadable
     */
    int read(double[] dst, int off, int len) throws IOException;

    default int read(double[] dst) throws IOException {
        return read(dst, 0, dst.length);
    }

    /**
     * Like {@link #read(double[], int, int)} but narrows to float, which halves the memory traffic of a scan over
     * a float tensor. Exact only for element types whose values are all floats (F32, BF16, F16, F8_E4M3,
     * F8_E5M2); for others it rounds, so callers choose this path by dtype. Streams over contiguous storage
     * override it to copy floats straight out of the file; this default goes through doubles.
     */
    default int read(float[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        double[] scratch = NarrowingScratch.take();
        try {
            int n = read(scratch, 0, Math.min(len, scratch.length));
            for (int i = 0; i < n; i++) {
                dst[off + i] = (float) scratch[i];
            }
            return n;
        } finally {
            NarrowingScratch.give(scratch);
        }
    }

    @Override
    default void close() throws IOException {
    }
}
