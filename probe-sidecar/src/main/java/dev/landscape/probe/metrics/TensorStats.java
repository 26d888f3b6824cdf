package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.Tensor;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The per-tensor numbers of {@code inspect} and of tier 1's non-finite check: how many elements, how many are NaN
 * or ±Inf, and the L2 norm and largest magnitude of the finite ones (so that a single NaN does not hide what the
 * rest of the tensor looks like). A tensor with no finite element has {@code l2 = maxAbs = 0}.
 *
 * <p>Stats combine with {@link #plus}, which is how checkpoint totals and per-group norms are formed without a
 * second pass: counts add, maxima take the larger, norms add in quadrature.
 */
public final class TensorStats {

    public static final TensorStats EMPTY = new TensorStats(0, 0, 0, SumOfSquares.ZERO);

    /** Element types whose every value is a float: streamed as floats, which halves the bytes moved per element. */
    private static final Set<DType> FLOAT_EXACT = EnumSet.of(DType.F32, DType.BF16, DType.F16, DType.F8_E4M3, DType.F8_E5M2);
    /** 32 KiB of floats: the chunk stays in L1 between the copy out of the file and the loop over it. */
    private static final int CHUNK = 8192;
    /**
     * Elements per slice when a tensor is split over threads (4 MiB of F32): small enough for the threads to share
     * out a 64 MiB tensor evenly when one of them is slowed by other work on the machine, large enough that
     * opening a slice costs nothing measurable. Tensors of fewer than two slices are read by one thread.
     */
    static final long SLICE = 1 << 20;

    private final long elements;
    private final long nonFinite;
    private final double maxAbs;
    private final SumOfSquares squares;

    TensorStats(long elements, long nonFinite, double maxAbs, SumOfSquares squares) {
        this.elements = elements;
        this.nonFinite = nonFinite;
        this.maxAbs = maxAbs;
        this.squares = squares;
    }

    /**
     * Reads {@code tensor} once, start to end. The caller compares {@link #elements()} with the tensor's shape when
     * it needs to know the stream was complete.
     *
     * <p>A large float tensor that can be read in slices ({@link Tensor#splittable()}) is read by every core at once
     * (the calling thread and the common fork-join pool); the result has the same bits as a one-thread read (see
     * {@link SplitScan}).
     */
    public static TensorStats of(Tensor tensor) throws IOException {
        int helpers = Math.min(ForkJoinPool.getCommonPoolParallelism(), Runtime.getRuntime().availableProcessors() - 1);
        return of(tensor, SLICE, ForkJoinPool.commonPool(), helpers);
    }

    /** {@link #of(Tensor)} with the splitting spelled out: {@code helpers == 0} reads on the calling thread only. */
    static TensorStats of(Tensor tensor, long slice, Executor executor, int helpers) throws IOException {
        if (helpers > 0 && tensor.splittable() && FLOAT_EXACT.contains(tensor.info().dtype())
                && tensor.info().numel() >= 2 * slice) {
            return new SplitScan(tensor, slice, SplitScan.MAX_BLOCKS_PER_ROUND, executor, helpers).run();
        }
        StatsAccumulator acc = new StatsAccumulator();
        long limit = tensor.info().numel();
        // small tensors (biases, norms, scalars) are most of a checkpoint's count: no 32 KiB buffer for each
        int size = (int) Math.max(1, Math.min(CHUNK, limit));
        try (ElementStream stream = tensor.open()) {
            if (FLOAT_EXACT.contains(tensor.info().dtype())) {
                float[] chunk = new float[size];
                int n;
                while ((n = stream.read(chunk, 0, size)) >= 0) {
                    checkProgress(tensor, n, acc.elements(), limit);
                    acc.acceptFloats(chunk, 0, n);
                }
            } else {
                double[] chunk = new double[size];
                int n;
                while ((n = stream.read(chunk, 0, size)) >= 0) {
                    checkProgress(tensor, n, acc.elements(), limit);
                    acc.acceptDoubles(chunk, 0, n);
                }
            }
        }
        return acc.result();
    }

    /** A stream that stalls or overruns its shape is a reader bug or a hostile file; never loop on it. */
    private static void checkProgress(Tensor tensor, int n, long soFar, long limit) throws IOException {
        if (n == 0) {
            throw new IOException("tensor " + tensor.info().name() + ": element stream returned no elements after "
                    + soFar + " of " + limit);
        }
        if (soFar + n > limit) {
            throw new IOException("tensor " + tensor.info().name() + ": element stream yields more than the "
                    + limit + " elements of its shape");
        }
    }

    /** Stats of the concatenation of both tensors' elements. */
    public TensorStats plus(TensorStats other) {
        return new TensorStats(elements + other.elements, nonFinite + other.nonFinite,
                Math.max(maxAbs, other.maxAbs), squares.plus(other.squares));
    }

    public long elements() {
        return elements;
    }

    /** NaN and ±Inf elements. */
    public long nonFinite() {
        return nonFinite;
    }

    /** Largest magnitude among the finite elements; 0 when there are none. */
    public double maxAbs() {
        return maxAbs;
    }

    /** Euclidean norm of the finite elements; {@code +Infinity} only when it exceeds {@link Double#MAX_VALUE}. */
    public double l2() {
        return squares.sqrt();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorStats t && elements == t.elements && nonFinite == t.nonFinite
                && Double.compare(maxAbs, t.maxAbs) == 0 && squares.equals(t.squares);
    }

    @Override
    public int hashCode() {
        return Objects.hash(elements, nonFinite, maxAbs, squares);
    }

    @Override
    public String toString() {
        return "TensorStats[elements=" + elements + ", nonFinite=" + nonFinite + ", l2=" + l2() + ", maxAbs=" + maxAbs + "]";
    }
}
