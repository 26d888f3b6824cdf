package dev.landscape.probe.checkpoint;

/**
 * The double buffer behind {@link ElementStream}'s default float read, one per thread and reused, so that formats
 * without a float path of their own do not allocate a buffer on every call (a 1 GiB tensor is some 30,000 calls,
 * which under {@code -Xmx64m} would mean hundreds of collections). Taken while in use, so a nested default read on
 * the same thread gets its own buffer instead of overwriting this one.
 */
final class NarrowingScratch {

    static final int SIZE = 8192;
    private static final ThreadLocal<double[]> FREE = new ThreadLocal<>();

    private NarrowingScratch() {
    }

    static double[] take() {
        double[] b = FREE.get();
        if (b == null) {
            return new double[SIZE];
        }
        FREE.set(null);
        return b;
    }

    static void give(double[] b) {
        FREE.set(b);
    }
}
