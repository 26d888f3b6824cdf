package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Streams a tensor in row-major logical order from one or more rectangular pieces: one piece for a strided view
 * (a Fortran-ordered tensor, a slice with an offset), several for a tensor reassembled from DCP chunks. Each read
 * serves a run along the last dimension from the piece that holds it.
 */
final class RowMajorStream implements ElementStream {

    /** A block of the logical tensor starting at {@code offsets}, with the block's own shape in {@code view}. */
    record Piece(long[] offsets, StridedView view, StorageRegion.Reader reader) {
    }

    private final String tensor;
    private final long[] shape;
    private final List<Piece> pieces;
    private final long[] index;
    private final long[] local;
    private final long total;
    private long produced;
    private Piece current;

    RowMajorStream(String tensor, long[] shape, List<Piece> pieces) {
        this.tensor = tensor;
        this.shape = shape.length == 0 ? new long[] {1} : shape;
        this.pieces = pieces;
        this.index = new long[this.shape.length];
        this.local = new long[this.shape.length];
        long n = 1;
        for (long d : this.shape) {
            n *= d;
        }
        this.total = n;
    }

    @Override
    public int read(double[] dst, int off, int len) throws IOException {
        if (produced >= total) {
            return -1;
        }
        int done = 0;
        int last = shape.length - 1;
        while (done < len && produced < total) {
            Piece p = pieceAt();
            long pieceEnd = p.offsets[last] + pieceShape(p)[last];
            int n = (int) Math.min(len - done, pieceEnd - index[last]);
            for (int i = 0; i < shape.length; i++) {
                local[i] = index[i] - p.offsets[i];
            }
            p.view.readRun(p.reader, local, n, dst, off + done);
            done += n;
            produced += n;
            index[last] += n;
            for (int i = last; i > 0 && index[i] == shape[i]; i--) {
                index[i] = 0;
                index[i - 1]++;
            }
        }
        return done;
    }

    private static long[] pieceShape(Piece p) {
        return p.view.shape.length == 0 ? new long[] {1} : p.view.shape;
    }

    private Piece pieceAt() throws CheckpointException {
        if (current != null && contains(current)) {
            return current;
        }
        for (Piece p : pieces) {
            if (contains(p)) {
                current = p;
                return p;
            }
        }
        throw new CheckpointException(pieces.get(0).view().region.file(), -1, "tensor " + tensor + ": element " + Arrays.toString(index)
                + " is in none of its " + pieces.size() + " chunks");
    }

    private boolean contains(Piece p) {
        long[] s = pieceShape(p);
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < p.offsets[i] || index[i] >= p.offsets[i] + s[i]) {
                return false;
            }
        }
        return true;
    }
}
