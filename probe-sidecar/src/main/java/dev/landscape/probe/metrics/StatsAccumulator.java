package dev.landscape.probe.metrics;

import java.util.Objects;

/**
 * The hot loop behind {@link TensorStats}: element count, non-finite count, and the L2 norm and largest magnitude of
 * the finite elements, accumulated in double whatever the element type.
 *
 * <p>Checkpoints are gigabytes, so this loop decides how long {@code inspect} and tier 1 take. Each block of 8192
 * elements gets two branch-free passes while it sits in L1: the largest magnitude, a loop the JIT vectorises,
 * which also tells whether the block holds any NaN or ±Inf (the maximum is then non-finite); then the sum of
 * squares in eight independent chains, so that the additions' latency overlaps. Non-finite elements are rare, and
 * only their blocks take the slower path that masks them on the raw bits. Floats are squared in double, where even
 * {@code Float.MAX_VALUE²} is finite; blocks of doubles whose squares would overflow or underflow are redone with
 * exact power-of-two scaling ({@link SumOfSquares}). No {@code Math.fma}: it is a software routine on CPUs without
 * FMA.
 *
 * <p>Not thread-safe; one per tensor or per thread.
 */
public final class StatsAccumulator {

    /**
     * Elements per block: one pass finds the largest magnitude (and so whether any element is non-finite), a
     * second sums the squares; a block of 32 KiB floats stays in L1 between the two. For doubles it is also the
     * unit that is redone with scaling when its squares overflow.
     */
    static final int BLOCK = 8192;
    private static final int FLOAT_EXP_MASK = 0x7f800000;
    private static final long DOUBLE_EXP_MASK = 0x7ff0000000000000L;
    /** Below this magnitude the squares of doubles start losing bits to underflow. */
    private static final double TINY = 0x1p-480;

    private long elements;
    private long finite;
    private float maxFloat;
    private double maxDouble;
    private SumOfSquares squares = SumOfSquares.ZERO;

    /** Adds {@code values[off..off+len)}. */
    public void acceptFloats(float[] values, int off, int len) {
        Objects.checkFromIndexSize(off, len, values.length);
        int end = off + len;
        for (int start = off; start < end; start += BLOCK) {
            squares = squares.plus(floatBlock(values, start, Math.min(BLOCK, end - start)), 0);
        }
        elements += len;
    }

    /**
     * Adds one block of at most {@link #BLOCK} floats except its sum of squares, which is returned instead: the
     * caller adds it with {@link #addBlockSums} in block order. This is what lets a tensor be scanned by several
     * threads and still give the same bits as one thread, block sums being the only order-dependent part
     * (counts add exactly and maxima do not depend on order).
     */
    double acceptFloatBlock(float[] values, int off, int len) {
        Objects.checkFromIndexSize(off, len, values.length);
        if (len > BLOCK) {
            throw new IllegalArgumentException("a block is at most " + BLOCK + " elements, not " + len);
        }
        elements += len;
        return floatBlock(values, off, len);
    }

    /** Adds block sums from {@link #acceptFloatBlock}, in the order of {@code sums[from..to)}. */
    void addBlockSums(double[] sums, int from, int to) {
        for (int i = from; i < to; i++) {
            squares = squares.plus(sums[i], 0);
        }
    }

    /** Adds the counts and maxima of {@code other} and its sum of squares (after this one's). */
    void merge(StatsAccumulator other) {
        elements += other.elements;
        finite += other.finite;
        maxFloat = Math.max(maxFloat, other.maxFloat);
        maxDouble = Math.max(maxDouble, other.maxDouble);
        squares = squares.plus(other.squares);
    }

    /** Counts and maxima of one block; returns its Σ x² over the finite elements. */
    private double floatBlock(float[] values, int off, int len) {
        float max = maxAbs(values, off, len);
        if (Float.isFinite(max)) {
            finite += len;
            maxFloat = Math.max(maxFloat, max);
            return sumOfSquares(values, off, len);
        }
        return maskedBlock(values, off, len);
    }

    /** Largest |x|; NaN or infinite when the block holds a non-finite element. A loop C2 vectorises. */
    private static float maxAbs(float[] values, int off, int len) {
        float m = 0;
        for (int i = off, end = off + len; i < end; i++) {
            m = Math.max(m, Math.abs(values[i]));
        }
        return m;
    }

    /** Σ x² in double, eight independent chains so that the additions' latency overlaps. */
    private static double sumOfSquares(float[] values, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int end = off + len;
        int i = off;
        for (; i + 7 < end; i += 8) {
            double a0 = values[i];
            double a1 = values[i + 1];
            double a2 = values[i + 2];
            double a3 = values[i + 3];
            double a4 = values[i + 4];
            double a5 = values[i + 5];
            double a6 = values[i + 6];
            double a7 = values[i + 7];
            s0 += a0 * a0;
            s1 += a1 * a1;
            s2 += a2 * a2;
            s3 += a3 * a3;
            s4 += a4 * a4;
            s5 += a5 * a5;
            s6 += a6 * a6;
            s7 += a7 * a7;
        }
        for (; i < end; i++) {
            double a = values[i];
            s0 += a * a;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * The rare block with NaN or ±Inf in it: finiteness decided on the raw bits (magnitude below the all-ones
     * exponent), non-finite elements masked to zero rather than branched over.
     */
    private double maskedBlock(float[] values, int off, int len) {
        double s0 = 0, s1 = 0;
        int m0 = 0, m1 = 0;
        long f0 = 0, f1 = 0;
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            int a0 = Float.floatToRawIntBits(values[i]) & 0x7fffffff;
            int a1 = Float.floatToRawIntBits(values[i + 1]) & 0x7fffffff;
            // all ones (-1) when finite, 0 for NaN and ±Inf: the sign of (magnitude - exponent mask)
            int k0 = (a0 - FLOAT_EXP_MASK) >> 31;
            int k1 = (a1 - FLOAT_EXP_MASK) >> 31;
            a0 &= k0;
            a1 &= k1;
            f0 -= k0;
            f1 -= k1;
            m0 = Math.max(m0, a0);
            m1 = Math.max(m1, a1);
            double d0 = Float.intBitsToFloat(a0);
            double d1 = Float.intBitsToFloat(a1);
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        for (; i < end; i++) {
            int a = Float.floatToRawIntBits(values[i]) & 0x7fffffff;
            int k = (a - FLOAT_EXP_MASK) >> 31;
            a &= k;
            f0 -= k;
            m0 = Math.max(m0, a);
            double d = Float.intBitsToFloat(a);
            s0 += d * d;
        }
        finite += f0 + f1;
        // for non-negative IEEE values, integer order of the bits is numeric order
        maxFloat = Math.max(maxFloat, Float.intBitsToFloat(Math.max(m0, m1)));
        return s0 + s1;
    }

    /** Adds {@code values[off..off+len)}. */
    public void acceptDoubles(double[] values, int off, int len) {
        Objects.checkFromIndexSize(off, len, values.length);
        int end = off + len;
        for (int start = off; start < end; start += BLOCK) {
            doubleBlock(values, start, Math.min(BLOCK, end - start));
        }
        elements += len;
    }

    private void doubleBlock(double[] values, int off, int len) {
        double max = maxAbs(values, off, len);
        double sum;
        if (Double.isFinite(max)) {
            sum = sumOfSquares(values, off, len);
            finite += len;
        } else {
            long[] counted = new long[1];
            max = maskedMax(values, off, len, counted);
            finite += counted[0];
            sum = Double.NaN;
        }
        maxDouble = Math.max(maxDouble, max);
        if (Double.isFinite(sum) && !(max != 0 && max < TINY)) {
            squares = squares.plus(sum, 0);
        } else {
            // overflowing or underflowing squares, or non-finite elements: one exactly scaled pass
            int exponent = max == 0 ? 0 : Math.getExponent(max);
            squares = squares.plus(scaledSquares(values, off, off + len, exponent), exponent);
        }
    }

    private static double maxAbs(double[] values, int off, int len) {
        double m = 0;
        for (int i = off, end = off + len; i < end; i++) {
            m = Math.max(m, Math.abs(values[i]));
        }
        return m;
    }

    private static double sumOfSquares(double[] values, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int end = off + len;
        int i = off;
        for (; i + 7 < end; i += 8) {
            s0 += values[i] * values[i];
            s1 += values[i + 1] * values[i + 1];
            s2 += values[i + 2] * values[i + 2];
            s3 += values[i + 3] * values[i + 3];
            s4 += values[i + 4] * values[i + 4];
            s5 += values[i + 5] * values[i + 5];
            s6 += values[i + 6] * values[i + 6];
            s7 += values[i + 7] * values[i + 7];
        }
        for (; i < end; i++) {
            s0 += values[i] * values[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Largest finite |x| of a block known to hold NaN or ±Inf; counts its finite elements into {@code finite[0]}. */
    private static double maskedMax(double[] values, int off, int len, long[] finite) {
        long m = 0;
        long f = 0;
        for (int i = off, end = off + len; i < end; i++) {
            long a = Double.doubleToRawLongBits(values[i]) & Long.MAX_VALUE;
            long k = (a - DOUBLE_EXP_MASK) >> 63;
            f -= k;
            m = Math.max(m, a & k);
        }
        finite[0] = f;
        return Double.longBitsToDouble(m);
    }

    /** Σ (x·2^-exponent)² over the finite elements: exact scaling, so nothing is lost but the rounding of the sum. */
    private static double scaledSquares(double[] values, int off, int end, int exponent) {
        double s = 0;
        for (int i = off; i < end; i++) {
            double v = values[i];
            if (Double.isFinite(v)) {
                double x = Math.scalb(v, -exponent);
                s += x * x;
            }
        }
        return s;
    }

    public long elements() {
        return elements;
    }

    public TensorStats result() {
        double maxAbs = Math.max(maxFloat, maxDouble);
        return new TensorStats(elements, elements - finite, maxAbs, squares);
    }
}
