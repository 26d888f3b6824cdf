package dev.landscape.probe.findings;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * How far a new value lies above where a series was heading, in robust standard deviations: a straight line is
 * fitted to the history by Theil–Sen (slope: the median of all pairwise slopes; intercept: the median of
 * {@code y_i − slope·i}; Sen 1968), and another to its later half; each is extrapolated one step, and the new
 * value's excess over the higher of the two is divided by Qn ({@link RobustZ#qn}) of the history's residuals, but
 * never by less than half of Qn of the series' last {@value #POOL} one-step prediction errors (each earlier value's
 * excess over the trend of its own window). Positive series are judged on their logarithm, where a loss that falls
 * by a steady factor per checkpoint is a straight line and a spike ×k is a jump of {@code ln k} whatever the loss's
 * level; series that are not positive, on their values.
 *
 * <p>Why not the median of the window, as before: a loss falling fast spreads the window (its MAD holds the trend,
 * not the noise), so a spike must be far larger to stand out, and a loss near its floor lies below the window's
 * median, so a spike is measured from too high a reference. The line removes both; the medians and Qn keep it
 * robust to earlier spikes in the window (up to 29 % of the pairwise slopes may be outliers).
 *
 * <p>Why Qn and not the residuals' MAD, as before: on 20 residuals the MAD scatters by about a quarter, and where it
 * came out low an ordinary 3.6-σ value of a noisy loss read 8.7 robust σ, a LossSpike or GradientSpike on a clean run
 * (0.9 per 1,000 clean checkpoints in bench/results/tier1-signals.md). Qn scatters less on the same values.
 *
 * <p>Why the earlier prediction errors bound it: Qn is an order statistic of the pairwise distances (about their
 * lower quartile), and on 20 values it collapses when half of them happen to bunch together (12 of 20 log-loss
 * residuals within ±0.07 where the loss's log σ was 0.28 read 0.097, and an ordinary ×1.8 read 6.2 robust σ on a
 * clean control). Over the {@value #POOL} errors before, such a bunch must hold 20 values. They only bound the scale
 * from below, at {@value #GUARD} of theirs, rather than joining the window's residuals, because a run that turns
 * erratic (the demo's learning-rate fault, whose loss bounces for a few checkpoints before it takes off) has large
 * errors among them: pooled in, they hid the take-off (z 5.5 instead of 6.4). A scale that trims the largest
 * residuals instead breaks down when a fault raises the series over several checkpoints (8 of the demo's 9 found).
 *
 * <p>Why the later half's line as well: a series that flattens (a gradient norm in the first steps of a run, as its
 * fast directions die out) lies above the line through the whole window, so an ordinary value read as a ×1.5 spike
 * on a clean control; the later half follows the bend. Taking the higher prediction only ever lowers a score; on
 * the ground truth it lost no spike that was found before (bench/tier1_spike_replay.py replays these choices).
 * Failure mode left: a regime change upwards (a new phase of a schedule) looks like a spike once.
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

    /** Earlier one-step prediction errors whose Qn bounds the scale from below. */
    static final int POOL = 40;

    /** The share of the earlier errors' Qn the scale never falls below. */
    static final double GUARD = 0.5;

    /** Fewer earlier errors than this and they do not bound the scale (the spikes' {@code spikeMinHistory} default). */
    static final int POOL_MIN = 16;

    private TrendBaseline() {
    }

    /**
     * @param x       the new value, finite
     * @param history the previous values, oldest first, all finite; at least 3
     * @param errors  the series' earlier one-step prediction errors; {@code x}'s is added to them
     * @return the robust z-score of {@code x} over the extrapolated trend, and the trend's value
     */
    static Score score(double x, double[] history, Errors errors) {
        boolean log = x > 0 && Arrays.stream(history).allMatch(v -> v > 0);
        double[] y = log ? Arrays.stream(history).map(Math::log).toArray() : history.clone();
        double value = log ? Math.log(x) : x;
        int n = y.length;
        double[] line = theilSen(y, 0, n);
        double[] residuals = new double[n];
        for (int i = 0; i < n; i++) {
            residuals[i] = y[i] - line[1] - line[0] * i;
        }
        double[] recent = theilSen(y, n / 2, n);
        double predicted = Math.max(line[1] + line[0] * n, recent[1] + recent[0] * (n - n / 2));
        double[] earlier = errors.in(log);
        double bound = earlier.length < POOL_MIN ? 0 : GUARD * RobustZ.qn(earlier);
        double scale = Math.max(Math.max(RobustZ.qn(residuals), bound), log ? FLOOR : FLOOR * Math.abs(predicted));
        double error = value - predicted;
        errors.add(error);
        double z = scale == 0 ? (error == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, error)) : error / scale;
        return new Score(z, log ? Math.exp(predicted) : predicted, log);
    }

    /**
     * A series' last {@link #POOL} one-step prediction errors, in the units it was last judged in: a series that turns
     * non-positive (or positive again) is judged on its values instead of their logarithm, and the errors of the other
     * units are dropped. Carried by the rule that judges the series, from one checkpoint to the next.
     */
    static final class Errors {
        private final ArrayDeque<Double> errors = new ArrayDeque<>();
        private boolean logScale;

        /** The errors kept in these units, oldest first (none if the series was last judged in the other ones). */
        double[] in(boolean log) {
            if (log != logScale) {
                errors.clear();
                logScale = log;
            }
            return errors.stream().mapToDouble(Double::doubleValue).toArray();
        }

        void add(double error) {
            errors.addLast(error);
            while (errors.size() > POOL) {
                errors.removeFirst();
            }
        }
    }

    /**
     * Theil–Sen line through {@code y[from..to)}, indexed from {@code from}: {slope, intercept} (slope: the median of
     * all pairwise slopes; intercept: the median of {@code y_i − slope·i}).
     */
    private static double[] theilSen(double[] y, int from, int to) {
        int n = to - from;
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (y[from + j] - y[from + i]) / (j - i);
            }
        }
        double slope = RobustZ.median(slopes);
        double[] intercepts = new double[n];
        for (int i = 0; i < n; i++) {
            intercepts[i] = y[from + i] - slope * i;
        }
        return new double[] {slope, RobustZ.median(intercepts)};
    }

    /**
     * @param z         robust z-score of the new value over the trend
     * @param predicted where the trend put the new value (in the series' own units)
     * @param logScale  whether the series was judged on its logarithm
     */
    record Score(double z, double predicted, boolean logScale) {
    }
}
