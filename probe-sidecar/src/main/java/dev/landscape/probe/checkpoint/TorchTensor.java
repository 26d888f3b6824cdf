package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A tensor of a torch checkpoint: one strided view of a mapped storage, or several chunks of a DCP tensor. Its
 * bounds were checked when the checkpoint was opened, so streaming can only fail if the file changes underneath.
 */
final class TorchTensor implements Tensor {

    /** A block of the logical tensor at {@code offsets}. */
    record Chunk(long[] offsets, StridedView view) {
    }

    private final TensorInfo info;
    private final List<Chunk> chunks;
    private final boolean contiguous;

    private TorchTensor(TensorInfo info, List<Chunk> chunks, boolean contiguous) {
        this.info = info;
        this.chunks = List.copyOf(chunks);
        this.contiguous = contiguous;
    }

    static TorchTensor of(TensorInfo info, TensorRef ref, StridedView view) {
        return new TorchTensor(info, List.of(new Chunk(new long[Math.max(1, ref.shape.length)], view)), ref.isContiguous());
    }

    static TorchTensor chunked(TensorInfo info, List<Chunk> chunks) {
        return new TorchTensor(info, chunks, false);
    }

    @Override
    public TensorInfo info() {
        return info;
    }

    @Override
    public ElementStream open() throws IOException {
        if (contiguous) {
            return open(0, info.numel());
        }
        List<RowMajorStream.Piece> pieces = new ArrayList<>(chunks.size());
        for (Chunk c : chunks) {
            pieces.add(new RowMajorStream.Piece(c.offsets(), c.view(), c.view().region.reader(c.view().dtype)));
        }
        return new RowMajorStream(info.name(), info.shape(), pieces);
    }

    @Override
    public boolean splittable() {
        return contiguous;
    }

    @Override
    public ElementStream open(long from, long to) throws IOException {
        if (!contiguous) {
            return Tensor.super.open(from, to);
        }
        StridedView v = chunks.get(0).view();
        long start = v.region.start() + v.byteBase + v.offset * v.dtype.byteSize();
        return MappedElementStream.slice(v.region.channel(), v.region.file(), v.dtype, start, info.numel(), from, to);
    }

    @Override
    public String toString() {
        return info.toString();
    }
}
