package dev.landscape.probe.findings;

import java.util.Arrays;

/**
 * The robust statistics the rules share: the median, and {@code 1.4826·MAD} as a standard deviation that the very
 * outliers a rule looks for cannot drag (it equals σ for normal data; Rousseeuw and Croux 1993).
 */
final class RobustZ {

    static final double MAD_TO_SIGMA = 1.4826;

    private RobustZ() {
    }

    /** The median of {@code v}, which it sorts in place. */
    static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
