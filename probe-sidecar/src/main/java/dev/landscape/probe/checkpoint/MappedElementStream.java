package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Streams a contiguous little-endian tensor payload from a file by mapping it a window at a time, so neither the
 * heap nor the address space grows with the tensor. The file must already be validated to hold the range.
 */
final class MappedElementStream implements ElementStream {

    /** 8 MiB windows: large enough to amortise the mapping, small enough to keep the resident set modest. */
    static final long WINDOW_BYTES = 8L << 20;

    private final FileChannel channel;
    private final Path path;
    private final DType dtype;
    private final long end;
    private long position;
    private MappedByteBuffer window;
    private short[] halves;

    MappedElementStream(FileChannel channel, Path path, DType dtype, long start, long end) {
        this.channel = channel;
        this.path = path;
        this.dtype = dtype;
        this.position = start;
        this.end = end;
    }

    @Override
    public int read(double[] dst, int off, int len) throws IOException {
        if (!nextWindow()) {
            return -1;
        }
        int n = Math.min(len, window.remaining() / dtype.byteSize());
        try {
            dtype.decode(window, dst, off, n);
        } catch (InternalError e) {
            throw shrank(e);
        }
        return n;
    }

    /** F32 is a bulk copy and BF16 a bulk copy plus a shift: no per-element buffer access on the hot path. */
    @Override
    public int read(float[] dst, int off, int len) throws IOException {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            return ElementStream.super.read(dst, off, len);
        }
        if (!nextWindow()) {
            return -1;
        }
        int n = Math.min(len, window.remaining() / dtype.byteSize());
        try {
            copyFloats(dst, off, n);
        } catch (InternalError e) {
            throw shrank(e);
        }
        window.position(window.position() + n * dtype.byteSize());
        return n;
    }

    private void copyFloats(float[] dst, int off, int n) {
        if (dtype == DType.F32) {
            window.asFloatBuffer().get(dst, off, n);
        } else {
            if (halves == null || halves.length < n) {
                halves = new short[Math.max(n, 4096)];
            }
            short[] h = halves;
            window.asShortBuffer().get(h, 0, n);
            for (int i = 0; i < n; i++) {
                dst[off + i] = Float.intBitsToFloat(h[i] << 16);
            }
        }
    }

    /**
     * Touching a mapped page past the end of a file that shrank after it was mapped raises SIGBUS, which the JVM
     * reports as an InternalError. That is a checkpoint overwritten in place while being read, not a bug here.
     */
    private CheckpointException shrank(InternalError e) throws IOException {
        long size = channel.size();
        return new CheckpointException(path, position, "file shrank to " + size + " bytes while tensor data up to byte "
                + end + " was being read (overwritten in place?)", e);
    }

    /** Makes {@link #window} hold unread bytes; false once the payload is exhausted. */
    private boolean nextWindow() throws IOException {
        if (window != null && window.hasRemaining()) {
            return true;
        }
        if (position >= end) {
            return false;
        }
        long size = Math.min(end - position, WINDOW_BYTES - (WINDOW_BYTES % dtype.byteSize()));
        if (position + size > channel.size()) {
            throw new CheckpointException(path, position, "tensor data ends at byte " + end
                    + " but the file has only " + channel.size() + " bytes (truncated?)");
        }
        window = channel.map(FileChannel.MapMode.READ_ONLY, position, size);
        window.order(ByteOrder.LITTLE_ENDIAN);
        position += size;
        return true;
    }

    @Override
    public void close() {
        window = null;
    }
}
