package dev.landscape.probe.metrics;

import java.util.Arrays;

/**
 * A one-row CountSketch (Charikar, Chen and Farach-Colton 2002, "Finding frequent items in data streams"):
 * {@code S(x)_j = Σ_{i : h(i) = j} s(i)·x_i} with a bucket hash {@code h} and a sign hash {@code s ∈ {±1}}, both
 * taken from one 64-bit mix of the element's key and a fixed seed. It is linear, so it is built in one streaming
 * pass and {@code S(x) − S(y) = S(x − y)}: two ranks that sketch the same tensor with the same seed can compare
 * it without moving it.
 *
 * <p><b>Distance.</b> {@code ‖S(z)‖² = Σ z_i² + Σ_{i≠k, h(i)=h(k)} s(i)s(k) z_i z_k}. The cross terms have mean
 * zero over the choice of hash (signs pairwise independent), so {@code ‖S(x) − S(y)‖²} is an unbiased estimate of
 * {@code ‖x − y‖²}, with variance {@code (2/W)·(‖z‖₂⁴ − ‖z‖₄⁴) ≤ (2/W)·‖z‖⁴} when signs are 4-wise independent:
 * relative standard deviation ≤ √(2/W) for the squared distance (8.8 % at W = 256) and ≈ √(1/(2W)) for the
 * distance itself (4.4 %), which is biased low by about 1/(4W) (Jensen). Identical tensors give exactly 0.
 *
 * <p><b>Inner products and cosines.</b> {@code ⟨S(a), S(b)⟩} is unbiased for {@code ⟨a, b⟩} with variance
 * {@code ≈ (‖a‖²‖b‖² + ⟨a,b⟩²)/W}. The cosine of the two sketches estimates the cosine of the vectors with a
 * standard deviation of about {@code (1 − cos²)/√W} (as for a Gaussian random projection): exact in the limit
 * {@code cos = ±1}, which is where oscillation detection needs it.
 *
 * <p><b>Known failure modes.</b> The guarantees are over a random seed; the seed is fixed (it must be, for ranks
 * to agree), so a given vector has a fixed, not random, error. The hash is a SplitMix64 finaliser, a strong mixer
 * but not a provably 4-wise independent family. Vectors whose energy sits in fewer coordinates than {@code W}
 * are sketched almost exactly (few collisions); vectors with a few huge coordinates among many small ones have
 * the worst relative error.
 */
public final class CountSketch {

    /** The seed every rank uses; changing it makes sketches from different builds incomparable. */
    public static final long DEFAULT_SEED = 0x6C616E6473636170L; // "landscap"

    private final double[] buckets;
    private final int mask;
    private final long seed;

    public CountSketch(int width, long seed) {
        if (width <= 0 || Integer.bitCount(width) != 1) {
            throw new IllegalArgumentException("CountSketch width must be a power of two, got " + width);
        }
        this.buckets = new double[width];
        this.mask = width - 1;
        this.seed = seed;
    }

    public static CountSketch of(double[] buckets, long seed) {
        CountSketch s = new CountSketch(buckets.length, seed);
        System.arraycopy(buckets, 0, s.buckets, 0, buckets.length);
        return s;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A per-tensor salt, so that element {@code i} of two different tensors hash independently. */
    public static long salt(String name) {
        return mix(name.hashCode() * 0x9E3779B97F4A7C15L + name.length());
    }

    /** Adds {@code value} for the element with the given key (an element index, or salt + index). */
    public void add(long key, double value) {
        long h = mix(key ^ seed);
        int j = (int) h & mask;
        buckets[j] += h < 0 ? -value : value;
    }

    /**
     * Adds {@code a} to this sketch, {@code b} to {@code other} and {@code c} to {@code third} (same width and seed)
     * for one key, hashing once: the update, gradient and preconditioned-gradient sketches of a pass share their
     * hash, as their inner products require.
     */
    public void addWith(long key, double a, CountSketch other, double b, CountSketch third, double c) {
        long h = mix(key ^ seed);
        int j = (int) h & mask;
        if (h < 0) {
            buckets[j] -= a;
            other.buckets[j] -= b;
            third.buckets[j] -= c;
        } else {
            buckets[j] += a;
            other.buckets[j] += b;
            third.buckets[j] += c;
        }
    }

    /** Adds the sketch of another vector built with the same width and seed (linearity). */
    public void addAll(CountSketch other) {
        requireCompatible(other);
        for (int j = 0; j < buckets.length; j++) {
            buckets[j] += other.buckets[j];
        }
    }

    public int width() {
        return buckets.length;
    }

    public long seed() {
        return seed;
    }

    public double[] buckets() {
        return buckets.clone();
    }

    /**
     * This sketch folded to {@code width} buckets, a power of two dividing this one's: bucket {@code j} sums the
     * buckets {@code j mod width}. The bucket hash takes its low bits, so the result is the sketch of width
     * {@code width} (same seed) of the same vector.
     */
    public CountSketch folded(int width) {
        if (Integer.bitCount(width) != 1 || width > buckets.length) {
            throw new IllegalArgumentException("a sketch of width " + buckets.length + " cannot be folded to " + width);
        }
        CountSketch out = new CountSketch(width, seed);
        for (int j = 0; j < buckets.length; j++) {
            out.buckets[j & (width - 1)] += buckets[j];
        }
        return out;
    }

    public double normSquared() {
        double s = 0;
        for (double b : buckets) {
            s += b * b;
        }
        return s;
    }

    public double dot(CountSketch other) {
        requireCompatible(other);
        double s = 0;
        for (int j = 0; j < buckets.length; j++) {
            s += buckets[j] * other.buckets[j];
        }
        return s;
    }

    /** Unbiased estimate of {@code ‖x − y‖²} for the vectors these two sketches summarise. */
    public double squaredDistance(CountSketch other) {
        requireCompatible(other);
        double s = 0;
        for (int j = 0; j < buckets.length; j++) {
            double d = buckets[j] - other.buckets[j];
            s += d * d;
        }
        return s;
    }

    /** Estimate of {@code ‖x − y‖} (the square root of the unbiased squared estimate). */
    public double distance(CountSketch other) {
        return Math.sqrt(squaredDistance(other));
    }

    /** Cosine of the two sketches, an estimate of the vectors' cosine; {@code NaN} when either is zero. */
    public double cosine(CountSketch other) {
        double den = Math.sqrt(normSquared() * other.normSquared());
        return den > 0 ? dot(other) / den : Double.NaN;
    }

    private void requireCompatible(CountSketch other) {
        if (other.buckets.length != buckets.length || other.seed != seed) {
            throw new IllegalArgumentException("CountSketches differ (width " + buckets.length + " seed " + seed
                    + " vs width " + other.buckets.length + " seed " + other.seed + "): not comparable");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CountSketch c && c.seed == seed && Arrays.equals(c.buckets, buckets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(buckets) * 31 + Long.hashCode(seed);
    }
}
