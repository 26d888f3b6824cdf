package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Streams a contiguous little-endian tensor payload from a file a window at a time, with positional reads into a
 * direct buffer (one per thread, reused from stream to stream). Not a memory mapping, despite the name: mapped
 * windows are only released when the garbage collector gets round to them, so a 1 GiB tensor read under
 * {@code -Xmx64m} left 1 GiB resident, and a file truncated while mapped raises SIGBUS. Positional reads keep the
 * resident set at one window per thread whatever the tensor size, turn truncation into a short read, copy out of
 * the page cache as fast as a mapping does, and let several threads read slices of one file at once. The file
 * must already be validated to hold the range.
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

    /** Elements {@code [from, to)} of the {@code numel} elements stored contiguously from byte {@code start}. */
    static MappedElementStream slice(FileChannel channel, Path path, DType dtype, long start, long numel, long from, long to) {
        if (from < 0 || to < from || to > numel) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + to + ") of a tensor of " + numel);
        }
        long size = dtype.byteSize();
        return new MappedElementStream(channel, path, dtype, start + from * size, start + to * size);
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
        if (window == null) {
            window = Windows.take();
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
        if (window != null) {
            Windows.give(window);
            window = null;
        }
    }

    /**
     * One window per thread, reused by the streams that thread opens one after another: a direct buffer is freed
     * only when the collector gets round to it, so allocating one per stream (a checkpoint has thousands of
     * tensors; a scan split over threads opens a stream per slice) would run into the direct-memory limit under
     * {@code -Xmx64m}. Taken while in use, so streams read side by side on one thread each get their own.
     */
    private static final class Windows {

        private static final ThreadLocal<ByteBuffer> FREE = new ThreadLocal<>();

        static ByteBuffer take() {
            ByteBuffer b = FREE.get();
            if (b == null) {
                return ByteBuffer.allocateDirect((int) WINDOW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            }
            FREE.set(null);
            return b;
        }

        static void give(ByteBuffer b) {
            FREE.set(b);
        }
    }
}
