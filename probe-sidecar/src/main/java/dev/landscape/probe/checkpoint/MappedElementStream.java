package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Streams a contiguous little-endian tensor payload from a file a window at a time, with positional reads into one
 * direct buffer per stream. Not a memory mapping, despite the name: mapped windows are only released when the
 * garbage collector gets round to them, so a 1 GiB tensor read under {@code -Xmx64m} left 1 GiB resident, and a
 * file truncated while mapped raises SIGBUS. Positional reads keep the resident set at one window whatever the
 * tensor size, turn truncation into a short read, and copy out of the page cache as fast as a mapping does.
 * The file must already be validated to hold the range.
 */
final class MappedElementStream implements ElementStream {

    /** 1 MiB: large enough to amortise the system call, small enough to stay in L2 until it is consumed. */
    static final long WINDOW_BYTES = 1L << 20;

    private final FileChannel channel;
    private final Path path;
    private final DType dtype;
    private final long end;
    private long position;
    private ByteBuffer window;
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
        dtype.decode(window, dst, off, n);
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
        window.position(window.position() + n * dtype.byteSize());
        return n;
    }

    /** Makes {@link #window} hold unread whole elements; false once the payload is exhausted. */
    private boolean nextWindow() throws IOException {
        if (window != null && window.hasRemaining()) {
            return true;
        }
        if (position >= end) {
            return false;
        }
        int size = (int) Math.min(end - position, WINDOW_BYTES - (WINDOW_BYTES % dtype.byteSize()));
        if (window == null || window.capacity() < size) {
            window = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        }
        window.clear().limit(size);
        long at = position;
        while (window.hasRemaining()) {
            int r = channel.read(window, at);
            if (r < 0) {
                throw new CheckpointException(path, at, "tensor data ends at byte " + end + " but the file has only "
                        + channel.size() + " bytes (truncated, or overwritten while being read?)");
            }
            at += r;
        }
        window.flip();
        position += size;
        return true;
    }

    @Override
    public void close() {
        window = null;
    }
}
