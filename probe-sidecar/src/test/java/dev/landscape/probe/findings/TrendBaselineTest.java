package dev.landscape.probe.findings;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrendBaselineTest {

    @Test
    void anOutlierInTheHistoryMovesNeitherTheTrendNorTheScale() {
        double[] history = {1, 1.1, 0.9, 1.05, 0.95, 50, 1, 1.02, 0.97, 1.08, 0.93, 1.01, 0.99, 1.06, 0.94, 1.03};

        assertThat(TrendBaseline.score(1.0, history).z()).isCloseTo(0, within(1.0));
        assertThat(TrendBaseline.score(2.0, history).z()).isGreaterThan(6);
    }

    @Test
    void aLossFallingBySteadyFactorsIsAStraightLineInItsLogarithm() {
        // Loss × 0.9 per checkpoint with a log-normal scatter of σ 0.085: the next point on the trend scores about 0,
        // and a spike ×2 on it is about ln 2 / 0.085 ≈ 8.2 robust σ (the scale reads σ to within the sampling error
        // of 20 values) although it is below the window's median.
        double[] history = falling(0.9, 0.085, 5);
        double next = Math.pow(0.9, 20);

        TrendBaseline.Score onTrend = TrendBaseline.score(next, history);
        TrendBaseline.Score spike = TrendBaseline.score(2 * next, history);

        assertThat(onTrend.logScale()).isTrue();
        assertThat(onTrend.predicted()).isCloseTo(next, within(0.1 * next));
        assertThat(onTrend.z()).isCloseTo(0, within(1.5));
        assertThat(spike.z()).isCloseTo(Math.log(2) / 0.085, within(2.0));
        assertThat(2 * next).isLessThan(history[10]);
    }

    @Test
    void aSeriesWithoutScatterGetsTheFloorAsScale() {
        double[] flat = new double[10];
        java.util.Arrays.fill(flat, 2.0);

        assertThat(TrendBaseline.score(2.0, flat).z()).isZero();
        assertThat(TrendBaseline.score(2.0 * Math.exp(TrendBaseline.FLOOR), flat).z()).isCloseTo(1, within(1e-6));
        assertThat(TrendBaseline.score(2.0 * 1.2, flat).z()).isCloseTo(Math.log(1.2) / TrendBaseline.FLOOR, within(1e-9));
    }

    @Test
    void seriesThatAreNotPositiveAreJudgedOnTheirValues() {
        double[] history = {-1, -1.1, -0.9, -1.05, -0.95, -1, -1.02, -0.98};

        TrendBaseline.Score s = TrendBaseline.score(0.5, history);

        assertThat(s.logScale()).isFalse();
        assertThat(s.z()).isGreaterThan(6);
    }

    @Test
    void aWindowWhoseResidualsBunchByChanceKeepsTheNoiseScale() {
        // The minibatch loss of a heavy-ball clean control (bench/results/tier1-signals.md, momentum ramp high clean,
        // seed 7, steps 63–82 and 83; log σ of the loss 0.28): 12 of the 20 residuals lie within ±0.07 of the line,
        // so Qn reads 0.097 and the next value, ×1.8 over the trend, read 6.2 robust σ — a LossSpike on a clean run.
        double[] history = {1.6799, 1.3947, 2.9065, 1.4665, 1.5692, 1.6350, 1.5167, 2.4642, 1.6608, 1.6953, 2.5404,
            1.7617, 1.8302, 1.8371, 2.4251, 1.9413, 1.8794, 1.7094, 2.6725, 2.3784};
        double next = 3.9033;

        TrendBaseline.Score s = TrendBaseline.score(next, history);

        assertThat(Math.log(next / s.predicted()) / 0.097).as("z on Qn alone").isGreaterThan(6);
        assertThat(s.z()).isLessThan(4);
    }

    @Test
    void aDoubledLossOnASmoothRunIsStillASpike() {
        // A smooth loss falling 1 % per checkpoint with 2 % scatter: the floor (6 %) is the scale, and ×2 reads
        // ln 2 / 0.06 ≈ 11.6 σ whatever the residuals' spread.
        double[] history = falling(0.99, 0.02, 3);
        double next = Math.pow(0.99, 20);

        assertThat(TrendBaseline.score(2 * next, history).z()).isGreaterThan(10);
        assertThat(TrendBaseline.score(next, history).z()).isLessThan(2);
    }

    /** 20 checkpoints of a loss falling by {@code factor} each, with a log-normal scatter of {@code logSigma}. */
    private static double[] falling(double factor, double logSigma, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        return IntStream.range(0, 20).mapToDouble(i -> Math.pow(factor, i) * Math.exp(logSigma * rnd.nextGaussian()))
                .toArray();
    }
}
