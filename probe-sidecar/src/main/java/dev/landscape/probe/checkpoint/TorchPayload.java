package dev.landscape.probe.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * What one {@code torch.save} call wrote, as read without torch: the unpickled object (tensors are
 * {@link TensorRef}s) and where each storage's bytes are. Zip and legacy files differ only in how they store
 * those two things.
 *
 * @param storages storage key → its bytes in the file
 */
record TorchPayload(Object root, Path file, Map<String, StorageRegion> storages) {

    /** Views may repeat storage elements (stride 0), but not so often that streaming them becomes a hang. */
    static final long MAX_REPEAT = 1024;

    /** The storage a tensor views, checked to hold every element the view reaches. */
    StridedView view(String tensorName, TensorRef t) throws CheckpointException {
        StorageRegion region = storages.get(t.storage.key());
        if (region == null) {
            throw new CheckpointException(file, -1, "tensor " + tensorName + " uses storage " + t.storage.key()
                    + ", which the file does not contain");
        }
        if (region.length() < 0) {
            throw new CheckpointException(file, region.start(), "tensor " + tensorName + ": " + region.where()
                    + " is compressed; storages can only be read uncompressed, as torch.save writes them");
        }
        try {
            long storageElements = Math.max(1, region.length() / t.dtype.byteSize());
            if (t.numel() > MAX_REPEAT * storageElements) {
                throw new CheckpointException(file, region.start(), "tensor " + tensorName + " (" + t + ") has "
                        + t.numel() + " elements but its storage holds " + storageElements + ": a stride-0 expansion"
                        + " repeating it more than " + MAX_REPEAT + " times is refused");
            }
            long declared = t.storage.byteOffset() + t.storage.byteSize();
            long reached = t.storage.byteOffset() + t.bytesReached();
            if (reached > declared && t.numel() > 0) {
                throw new CheckpointException(file, region.start(), "tensor " + tensorName + " (" + t + ") reaches byte "
                        + reached + " of storage " + t.storage.key() + ", which declares only " + declared + " bytes");
            }
            if (reached > region.length()) {
                throw new CheckpointException(file, region.start(), "tensor " + tensorName + " (" + t + ") reaches byte "
                        + reached + " but " + region.where() + " holds only " + region.length() + " bytes (truncated?)");
            }
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, region.start(), "tensor " + tensorName + ": shape, stride and offset"
                    + " overflow (" + t + ")");
        }
        return new StridedView(region, t.dtype, t.storage.byteOffset(), t.offset, t.shape, t.stride);
    }
}
