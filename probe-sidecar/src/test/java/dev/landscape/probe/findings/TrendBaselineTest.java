package dev.landscape.probe.findings;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrendBaselineTest {

    /** The window's residuals alone: no earlier prediction errors. */
    private static TrendBaseline.Score score(double x, double[] history) {
        return TrendBaseline.score(x, history, new TrendBaseline.Errors());
    }

    /** Earlier errors of a series judged on its logarithm. */
    private static TrendBaseline.Errors logErrors(double[] earlier) {
        TrendBaseline.Errors errors = new TrendBaseline.Errors();
        errors.in(true);
        for (double e : earlier) {
            errors.add(e);
        }
        return errors;
    }

    @Test
    void anOutlierInTheHistoryMovesNeitherTheTrendNorTheScale() {
        double[] history = {1, 1.1, 0.9, 1.05, 0.95, 50, 1, 1.02};

        assertThat(score(1.0, history).z()).isCloseTo(0, within(1.0));
        assertThat(score(2.0, history).z()).isGreaterThan(6);
    }

    @Test
    void aLossFallingBySteadyFactorsIsAStraightLineInItsLogarithm() {
        // Loss × 0.9 per checkpoint with a scatter of exp(0.12·sin(2.4·i)) (standard deviation 0.12/√2 ≈ 0.085 in the
        // logarithm): the next point on the trend scores about 0, and a spike ×2 on it is ln 2 / 0.085 ≈ 8.2 robust σ
        // (Qn of the residuals reads their standard deviation) although it is below the window's median.
        double[] history = IntStream.range(0, 20).mapToDouble(i -> Math.pow(0.9, i) * Math.exp(0.12 * Math.sin(2.4 * i))).toArray();
        double next = Math.pow(0.9, 20);

        TrendBaseline.Score onTrend = score(next, history);
        TrendBaseline.Score spike = score(2 * next, history);

        assertThat(onTrend.logScale()).isTrue();
        assertThat(onTrend.predicted()).isCloseTo(next, within(0.05 * next));
        assertThat(onTrend.z()).isCloseTo(0, within(1.0));
        assertThat(spike.z()).isCloseTo(Math.log(2) / (0.12 / Math.sqrt(2)), within(0.5));
        assertThat(2 * next).isLessThan(history[10]);
    }

    @Test
    void earlierPredictionErrorsKeepAWindowWhoseResidualsBunchFromCollapsingTheScale() {
        // (The errors only bound the scale from below: fewer than POOL_MIN of them, and the window's residuals alone.)
        // A noisy loss (σ 0.28 in its logarithm, flat trend) whose last 20 values happen to put 12 within ±0.03 of
        // the trend, as on the clean control in bench/results/tier1-signals.md: Qn of the window alone reads far
        // below σ, so an ordinary ×1.8 (0.59 = 2.1 σ) scores as a spike. The 40 errors before, spread as the noise
        // is, keep the scale at half of σ at least: 4.2 σ.
        double[] window = {0.01, -0.02, 0.4, 0.03, -0.01, -0.35, 0.02, 0.0, 0.3, -0.03, 0.01, -0.5, 0.02, 0.25, -0.02,
            0.0, -0.3, 0.03, 0.45, -0.01};
        double[] history = java.util.Arrays.stream(window).map(Math::exp).toArray();
        double[] errors = IntStream.range(0, 40).mapToDouble(i -> 0.28 * Math.sqrt(2) * Math.sin(2.4 * i + 0.3)).toArray();

        double alone = score(1.8, history).z();
        TrendBaseline.Errors carried = logErrors(errors);
        TrendBaseline.Score bounded = TrendBaseline.score(1.8, history, carried);

        assertThat(alone).isGreaterThan(6);
        assertThat(bounded.z()).isBetween(3.5, 5.0);
        double[] after = carried.in(true);
        assertThat(after).hasSize(TrendBaseline.POOL);
        assertThat(after[after.length - 1]).as("1.8's own error is carried to the next checkpoint")
                .isCloseTo(Math.log(1.8) - Math.log(bounded.predicted()), within(1e-12));
        assertThat(TrendBaseline.score(1.8 * 1.8 * 1.8 * 1.8, history, logErrors(errors)).z()).as("×10 still stands out").isGreaterThan(6);
        assertThat(TrendBaseline.score(1.8, history, logErrors(java.util.Arrays.copyOf(errors, TrendBaseline.POOL_MIN - 1))).z())
                .isEqualTo(alone);
    }

    @Test
    void aSeriesThatFlattensIsJudgedAgainstItsLaterHalf() {
        // The gradient norm of steps 1–16 of a clean SGD run (tier-1 ground truth, SGD ramp control, low noise, seed
        // 15) as its fast directions die out, and step 17's ordinary value: the line through all 16 logarithms falls
        // faster than the series now does and read step 17 as a spike (z 6.4); the later half's line puts it at 1.6.
        double[] history = {1.35041, 1.13731, 0.974904, 0.766623, 0.633406, 0.534976, 0.462732, 0.402366, 0.327726,
            0.300882, 0.248709, 0.220516, 0.206589, 0.157614, 0.180081, 0.155131};

        assertThat(score(0.149660, history).z()).isBetween(1.0, 2.5);
        assertThat(score(1.8 * 0.149660, history).z()).as("×1.8 on it still a spike").isGreaterThan(6);
    }

    @Test
    void onlyTheLastPoolOfEarlierErrorsCounts() {
        double[] history = new double[20];
        java.util.Arrays.fill(history, 1.0);
        // 60 widely spread errors, then the last POOL of them 0: only the zeros may count, and the floor is the scale.
        double[] old = IntStream.range(0, 60 + TrendBaseline.POOL).mapToDouble(i -> i < 60 ? (i % 2 == 0 ? 1 : -1) * (1.0 + i) : 0)
                .toArray();

        assertThat(TrendBaseline.score(Math.exp(0.6), history, logErrors(old)).z()).isCloseTo(0.6 / TrendBaseline.FLOOR, within(1e-9));
    }

    @Test
    void errorsOfTheOtherUnitsAreDropped() {
        // A series judged on its logarithm that turns non-positive is judged on its values: the logarithm's errors
        // say nothing about those, and the other way round.
        TrendBaseline.Errors errors = logErrors(IntStream.range(0, 30).mapToDouble(i -> 0.3 * Math.sin(i)).toArray());

        assertThat(errors.in(true)).hasSize(30);
        assertThat(errors.in(false)).isEmpty();
        errors.add(0.5);
        assertThat(errors.in(false)).containsExactly(0.5);
        assertThat(errors.in(true)).isEmpty();
    }

    @Test
    void aSeriesWithoutScatterGetsTheFloorAsScale() {
        double[] flat = new double[10];
        java.util.Arrays.fill(flat, 2.0);

        assertThat(score(2.0, flat).z()).isZero();
        assertThat(score(2.0 * Math.exp(TrendBaseline.FLOOR), flat).z()).isCloseTo(1, within(1e-6));
        assertThat(score(2.0 * 1.2, flat).z()).isCloseTo(Math.log(1.2) / TrendBaseline.FLOOR, within(1e-9));
    }

    @Test
    void seriesThatAreNotPositiveAreJudgedOnTheirValues() {
        double[] history = {-1, -1.1, -0.9, -1.05, -0.95, -1, -1.02, -0.98};

        TrendBaseline.Score s = score(0.5, history);

        assertThat(s.logScale()).isFalse();
        assertThat(s.z()).isGreaterThan(6);
    }
}
