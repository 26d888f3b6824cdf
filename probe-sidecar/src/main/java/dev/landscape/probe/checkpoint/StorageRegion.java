package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The bytes of one storage: a checked range of a file (a zip entry, a legacy record, a DCP chunk). Elements are
 * read by random access through a mapped window, because views with strides and reassembled chunks do not read
 * their storage front to back. Not thread-safe; each open stream makes its own reader.
 */
record StorageRegion(FileChannel channel, Path file, String where, long start, long length) {

    Reader reader(DType dtype) {
        return new Reader(dtype);
    }

    /** Windowed random-access decoding of elements of one dtype. */
    final class Reader {
        private final DType dtype;
        private MappedByteBuffer window;
        private long windowStart = -1;

        private Reader(DType dtype) {
            this.dtype = dtype;
        }

        /** Decodes {@code count} consecutive elements starting at byte {@code byteOffset} of this region. */
        void read(long byteOffset, int count, double[] dst, int off) throws IOException {
            int size = dtype.byteSize();
            long pos = byteOffset;
            int done = 0;
            while (done < count) {
                if (pos < 0 || pos + size > length) {
                    throw new CheckpointException(file, start + pos, where + ": element at byte " + pos
                            + " lies outside the " + length + "-byte storage");
                }
                if (window == null || pos < windowStart || pos + size > windowStart + window.capacity()) {
                    long wStart = pos - (pos % size);
                    long wLen = Math.min(length - wStart, MappedElementStream.WINDOW_BYTES);
                    if (start + wStart + wLen > channel.size()) {
                        throw new CheckpointException(file, start + wStart, where + ": storage data runs past the end of"
                                + " the file (truncated?)");
                    }
                    window = channel.map(FileChannel.MapMode.READ_ONLY, start + wStart, wLen);
                    window.order(ByteOrder.LITTLE_ENDIAN);
                    windowStart = wStart;
                }
                int inWindow = (int) ((windowStart + window.capacity() - pos) / size);
                int n = Math.min(count - done, inWindow);
                window.position((int) (pos - windowStart));
                dtype.decode(window, dst, off + done, n);
                done += n;
                pos += (long) n * size;
            }
        }
    }
}
