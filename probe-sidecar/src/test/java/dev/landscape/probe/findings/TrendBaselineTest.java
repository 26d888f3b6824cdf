package dev.landscape.probe.findings;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrendBaselineTest {

    @Test
    void anOutlierInTheHistoryMovesNeitherTheTrendNorTheScale() {
        double[] history = {1, 1.1, 0.9, 1.05, 0.95, 50, 1, 1.02};

        assertThat(TrendBaseline.score(1.0, history).z()).isCloseTo(0, within(1.0));
        assertThat(TrendBaseline.score(2.0, history).z()).isGreaterThan(6);
    }

    @Test
    void aLossFallingBySteadyFactorsIsAStraightLineInItsLogarithm() {
        // Loss × 0.9 per checkpoint with a scatter of exp(0.12·sin(2.4·i)) (standard deviation 0.12/√2 ≈ 0.085 in the
        // logarithm): the next point on the trend scores about 0, and a spike ×2 on it is ln 2 / 0.085 ≈ 8.2 robust σ
        // (Qn of the residuals reads their standard deviation) although it is below the window's median.
        double[] history = IntStream.range(0, 20).mapToDouble(i -> Math.pow(0.9, i) * Math.exp(0.12 * Math.sin(2.4 * i))).toArray();
        double next = Math.pow(0.9, 20);

        TrendBaseline.Score onTrend = TrendBaseline.score(next, history);
        TrendBaseline.Score spike = TrendBaseline.score(2 * next, history);

        assertThat(onTrend.logScale()).isTrue();
        assertThat(onTrend.predicted()).isCloseTo(next, within(0.05 * next));
        assertThat(onTrend.z()).isCloseTo(0, within(1.0));
        assertThat(spike.z()).isCloseTo(Math.log(2) / (0.12 / Math.sqrt(2)), within(0.5));
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
}
