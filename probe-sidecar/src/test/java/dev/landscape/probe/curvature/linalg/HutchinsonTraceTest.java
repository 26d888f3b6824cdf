package dev.landscape.probe.curvature.linalg;

import dev.landscape.probe.curvature.linalg.HutchinsonTrace;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HutchinsonTraceTest {

    private static double[] spectrum(int n) {
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = 1 + (i % 7) - 0.5 * (i % 3);
        }
        return ev;
    }

    @Test
    void confidenceIntervalCoversTheTraceAtAboutItsNominalRate() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(80), 1);
        double trace = 0;
        for (double v : spectrum(80)) {
            trace += v;
        }
        int covered = 0;
        int runs = 200;
        for (int seed = 0; seed < runs; seed++) {
            HutchinsonTrace.Estimate e = HutchinsonTrace.estimate(a, 40, seed);
            if (e.low() <= trace && trace <= e.high()) {
                covered++;
            }
        }
        assertThat(covered / (double) runs).isBetween(0.88, 0.99);
    }

    @Test
    void reportsMeanPlusMinusNormalHalfWidth() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(60), 2);

        HutchinsonTrace.Estimate e = HutchinsonTrace.estimate(a, 30, 3);

        assertThat(e.exact()).isFalse();
        assertThat(e.probes()).isEqualTo(30);
        assertThat(a.products).isEqualTo(30);
        assertThat(e.halfWidth()).isCloseTo(1.96 * e.sd() / Math.sqrt(30), within(1e-12));
    }

    @Test
    void smallOperatorsGetTheExactTrace() {
        MatrixOperator a = MatrixOperator.withSpectrum(new double[] {5, -1, 2}, 4);

        HutchinsonTrace.Estimate e = HutchinsonTrace.estimate(a, 10, 1);

        assertThat(e.exact()).isTrue();
        assertThat(e.mean()).isCloseTo(6, within(1e-12));
        assertThat(e.halfWidth()).isZero();
    }
}
