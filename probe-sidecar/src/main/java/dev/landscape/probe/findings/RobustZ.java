package dev.landscape.probe.findings;

import java.util.Arrays;

/**
 * Robust z-score {@code z = (x − median)/(1.4826·MAD)} of a value against its recent history: the median and the
 * median absolute deviation ignore the very outliers a mean and standard deviation would be dragged by, and
 * {@code 1.4826·MAD} equals the standard deviation for normal data (Rousseeuw and Croux 1993). A history flatter
 * than 0.1 % of its median (a converged or constant series, where MAD = 0) is given that much spread, so that
 * float jitter on a flat series is not a spike but a jump of a few percent still is.
 */
final class RobustZ {

    static final double MAD_TO_SIGMA = 1.4826;
    static final double RELATIVE_FLOOR = 1e-3;

    private RobustZ() {
    }

    /** @return the score of {@code x}, or {@code NaN} when {@code history} is empty */
    static double score(double x, double[] history) {
        if (history.length == 0) {
            return Double.NaN;
        }
        double median = median(history.clone());
        double[] dev = new double[history.length];
        for (int i = 0; i < history.length; i++) {
            dev[i] = Math.abs(history[i] - median);
        }
        double mad = median(dev);
        double scale = Math.max(MAD_TO_SIGMA * mad, RELATIVE_FLOOR * Math.abs(median));
        if (scale == 0) {
            return x == median ? 0 : Math.copySign(Double.POSITIVE_INFINITY, x - median);
        }
        return (x - median) / scale;
    }

    static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
