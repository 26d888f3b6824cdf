package dev.landscape.probe.checkpoint;

import java.io.IOException;

/**
 * A validated strided view of a storage region ({@link TensorRef} after its bounds were checked), readable by
 * runs along its last dimension, which is what both a single tensor and a chunk of a reassembled DCP tensor need.
 */
final class StridedView {

    final StorageRegion region;
    final DType dtype;
    final long byteBase;
    final long offset;
    final long[] shape;
    final long[] stride;

    StridedView(StorageRegion region, DType dtype, long byteBase, long offset, long[] shape, long[] stride) {
        this.region = region;
        this.dtype = dtype;
        this.byteBase = byteBase;
        this.offset = offset;
        this.shape = shape;
        this.stride = stride;
    }

    /** Reads {@code count} elements from logical {@code index} on along the last dimension. */
    void readRun(StorageRegion.Reader reader, long[] index, int count, double[] dst, int off) throws IOException {
        int last = shape.length - 1;
        long e = offset;
        for (int i = 0; i < shape.length; i++) {
            e += index[i] * stride[i];
        }
        int size = dtype.byteSize();
        if (last < 0 || stride[last] == 1) {
            reader.read(byteBase + e * size, count, dst, off);
            return;
        }
        for (int k = 0; k < count; k++) {
            reader.read(byteBase + (e + k * stride[last]) * size, 1, dst, off + k);
        }
    }
}
