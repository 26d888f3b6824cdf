package dev.landscape.probe.findings;

import java.util.Arrays;

/**
 * How far a new value lies above where a series was heading, in robust standard deviations: a straight line is
 * fitted to the history by Theil–Sen (slope: the median of all pairwise slopes; intercept: the median of
 * {@code y_i − slope·i}; Sen 1968), extrapolated one step, and the new value's excess over it is divided by
 * Qn of the history's residuals ({@link RobustZ#qn}). Positive series are judged on their
 * logarithm, where a loss that falls by a steady factor per checkpoint is a straight line and a spike ×k is a jump
 * of {@code ln k} whatever the loss's level; series that are not positive, on their values.
 *
 * <p>Why not the median of the window, as before: a loss falling fast spreads the window (its MAD holds the trend,
 * not the noise), so a spike must be far larger to stand out, and a loss near its floor lies below the window's
 * median, so a spike is measured from too high a reference. The line removes both; the medians and Qn keep it
 * robust to earlier spikes in the window (up to 29 % of the pairwise slopes may be outliers).
 *
 * <p>Why Qn and not the residuals' MAD, as before: on 20 residuals the MAD scatters by about a quarter, and where it
 * came out low an ordinary 3.6-σ value of a noisy loss read 8.7 robust σ, a LossSpike or GradientSpike on a clean run
 * (0.9 per 1,000 clean checkpoints in bench/results/tier1-signals.md). Qn scatters less on the same values. Failure modes: a
 * series that flattens quickly (the first steps of a run) lies above the extrapolated line, so the residuals of
 * the window itself are the scale; a regime change upwards (a new phase of a schedule) looks like a spike once.
 */
final class TrendBaseline {

    /**
     * Scale floor, 6 % (in the logarithm, or relative to the prediction for series that are not positive): a series
     * without noise (a full-batch loss, a rank's own gradient norm on a fixed batch) still bends and steps by tens
     * of percent where a line cannot follow it — after a learning-rate change, or when another rank's fault reaches
     * this rank's update through the all-reduce — and that is not a spike. With the default z of 6, a jump must be
     * at least ×1.43 to be one (the embedded demo showed ×1.26–×1.39 steps of that kind at a 3 % floor).
     */
    static final double FLOOR = 0.06;

    private TrendBaseline() {
    }

    /**
     * @param history the previous values, oldest first, all finite; at least 3
     * @param x       the new value, finite
     * @return the robust z-score of {@code x} over the extrapolated trend, and the trend's value
     */
    static Score score(double x, double[] history) {
        boolean log = x > 0 && Arrays.stream(history).allMatch(v -> v > 0);
        double[] y = log ? Arrays.stream(history).map(Math::log).toArray() : history.clone();
        double value = log ? Math.log(x) : x;
        int n = y.length;
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (y[j] - y[i]) / (j - i);
            }
        }
        double slope = RobustZ.median(slopes);
        double[] intercepts = new double[n];
        for (int i = 0; i < n; i++) {
            intercepts[i] = y[i] - slope * i;
        }
        double intercept = RobustZ.median(intercepts.clone());
        double[] residuals = new double[n];
        for (int i = 0; i < n; i++) {
            residuals[i] = y[i] - intercept - slope * i;
        }
        double predicted = intercept + slope * n;
        double scale = Math.max(RobustZ.qn(residuals), log ? FLOOR : FLOOR * Math.abs(predicted));
        double z = scale == 0 ? (value == predicted ? 0 : Math.copySign(Double.POSITIVE_INFINITY, value - predicted))
                : (value - predicted) / scale;
        return new Score(z, log ? Math.exp(predicted) : predicted, log);
    }

    /**
     * @param z         robust z-score of the new value over the trend
     * @param predicted where the trend put the new value (in the series' own units)
     * @param logScale  whether the series was judged on its logarithm
     */
    record Score(double z, double predicted, boolean logScale) {
    }
}
