package dev.landscape.probe.curvature.linalg;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PowerIterationTest {

    /** Close top eigenvalues (ratio 0.95), so the stop comes after a few dozen products. */
    private static MatrixOperator closeTop() {
        double[] ev = new double[120];
        ev[0] = 10;
        ev[1] = 9.5;
        for (int i = 2; i < ev.length; i++) {
            ev[i] = 8.0 * (ev.length - i) / ev.length;
        }
        return MatrixOperator.withSpectrum(ev, 7);
    }

    @Test
    void stopsOnTheFirstSmallRelativeChangeAndReturnsThePreviousQuotientAsPyHessianDoes() {
        List<Double> quotients = new ArrayList<>();

        PowerIteration.Result r = PowerIteration.topEigenvalue(closeTop(), 1e-3, 100, 2, (i, top) -> quotients.add(top[0]));

        int k = r.iterations();
        assertThat(r.converged()).isTrue();
        assertThat(quotients).hasSize(k);
        assertThat(r.eigenvalue()).isEqualTo(quotients.get(k - 2));
        assertThat(relativeChange(quotients, k - 1)).isLessThan(1e-3);
        for (int i = 1; i < k - 1; i++) {
            assertThat(relativeChange(quotients, i)).as("step %d", i + 1).isGreaterThanOrEqualTo(1e-3);
        }
    }

    @Test
    void stopsAtTheProductLimitWithTheLastQuotientWhenTheChangeStaysLarge() {
        List<Double> quotients = new ArrayList<>();
        MatrixOperator a = closeTop();

        PowerIteration.Result r = PowerIteration.topEigenvalue(a, 1e-12, 5, 2, (i, top) -> quotients.add(top[0]));

        assertThat(r.converged()).isFalse();
        assertThat(r.iterations()).isEqualTo(5);
        assertThat(a.products).isEqualTo(5);
        assertThat(r.eigenvalue()).isEqualTo(quotients.get(4));
    }

    private static double relativeChange(List<Double> q, int i) {
        return Math.abs(q.get(i - 1) - q.get(i)) / (Math.abs(q.get(i - 1)) + 1e-6);
    }
}
