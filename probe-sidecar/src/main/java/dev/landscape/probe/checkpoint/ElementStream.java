package dev.landscape.probe.checkpoint;

import java.io.Closeable;
import java.io.IOException;

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

    @Override
    default void close() throws IOException {
    }
}
