package dev.landscape.probe.checkpoint;

import java.util.Arrays;

/**
 * What {@code torch._utils._rebuild_tensor_v2} would have built: a strided view of a storage. Offsets and strides
 * count elements of {@code dtype} (which differs from the storage's own type only for untyped storages).
 */
final class TensorRef {

    final StorageRef storage;
    final DType dtype;
    final long offset;
    final long[] shape;
    final long[] stride;
    final boolean parameter;

    TensorRef(StorageRef storage, DType dtype, long offset, long[] shape, long[] stride, boolean parameter) {
        this.storage = storage;
        this.dtype = dtype;
        this.offset = offset;
        this.shape = shape;
        this.stride = stride;
        this.parameter = parameter;
    }

    TensorRef asParameter() {
        return new TensorRef(storage, dtype, offset, shape, stride, true);
    }

    long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of the storage this view reaches, from the storage's start; 0 for an empty tensor. */
    long bytesReached() {
        if (numel() == 0) {
            return 0;
        }
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
        return Math.multiplyExact(last + 1, dtype.byteSize());
    }

    boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + " stride " + Arrays.toString(stride) + " offset " + offset
                + " of storage " + storage.key();
    }
}
