package dev.landscape.probe.curvature;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LanczosTest {

    private static double[] spectrum(int n) {
        double[] ev = new double[n];
        ev[0] = 50;
        ev[1] = 42;
        ev[2] = 30;
        for (int i = 3; i < n; i++) {
            ev[i] = 10.0 * (n - i) / n - 2.0;
        }
        return ev;
    }

    @Test
    void findsTheTopEigenvaluesInDescendingOrder() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(200), 1);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 3, 1e-10, 200, 5);

        assertThat(r.converged()).isTrue();
        assertThat(r.eigenvalues()).containsExactly(new double[] {50, 42, 30}, within(1e-8));
        assertThat(r.iterations()).isLessThan(100);
    }

    @Test
    void residualTestBoundsTheEigenvalueError() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(300), 2);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 1, 1e-3, 300, 9);

        assertThat(r.converged()).isTrue();
        assertThat(r.residuals()[0]).isLessThanOrEqualTo(1e-3 * 50);
        assertThat(Math.abs(r.eigenvalues()[0] - 50)).isLessThanOrEqualTo(r.residuals()[0]);
    }

    @Test
    void stopsExactlyOnAnInvariantSubspace() {
        MatrixOperator a = MatrixOperator.withSpectrum(new double[] {3, 2, 1}, 3);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 5, 1e-12, 50, 1);

        assertThat(r.iterations()).isEqualTo(3);
        assertThat(r.eigenvalues()).containsExactly(new double[] {3, 2, 1}, within(1e-12));
    }

    @Test
    void needsFewerProductsThanPowerIterationForTheSameAccuracy() {
        MatrixOperator lanczosOp = MatrixOperator.withSpectrum(spectrum(400), 4);
        MatrixOperator powerOp = new MatrixOperator(lanczosOp.a);
        int[] lanczosAt = {-1};
        int[] powerAt = {-1};

        Lanczos.topEigenvalues(lanczosOp, 1, 1e-6, 400, 3, (i, top) -> {
            if (lanczosAt[0] < 0 && Math.abs(top[0] - 50) <= 1e-3 * 50) lanczosAt[0] = i;
        });
        PowerIteration.topEigenvalue(powerOp, 1e-9, 100, 3, (i, top) -> {
            if (powerAt[0] < 0 && Math.abs(top[0] - 50) <= 1e-3 * 50) powerAt[0] = i;
        });

        assertThat(lanczosAt[0]).isPositive();
        assertThat(powerAt[0]).isPositive();
        assertThat(lanczosAt[0] * 3).isLessThanOrEqualTo(powerAt[0]);
    }

    @Test
    void isNeverBehindPowerIterationFromTheSameStart() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(300), 6);
        List<Double> lanczos = new ArrayList<>();
        List<Double> power = new ArrayList<>();

        Lanczos.topEigenvalues(a, 1, 0, 40, 8, (i, top) -> lanczos.add(top[0]));
        PowerIteration.topEigenvalue(new MatrixOperator(a.a), 0, 40, 8, (i, top) -> power.add(top[0]));

        assertThat(lanczos).hasSize(40);
        for (int k = 0; k < 40; k++) {
            assertThat(lanczos.get(k)).as("after %d products", k + 1).isGreaterThanOrEqualTo(power.get(k) - 1e-12)
                    .isLessThanOrEqualTo(50 + 1e-12);
        }
        // the same first Rayleigh quotient, up to PyHessian's norm + 1e-6, which shrinks its vector by ~1e-6
        assertThat(lanczos.get(0)).isCloseTo(power.get(0), within(1e-5 * lanczos.get(0)));
    }

    @Test
    void tridiagonalSolverAgreesWithJacobi() {
        double[] alpha = {4, 1, -2, 3, 0.5};
        double[] beta = {1, 0.3, 2, -1, 0};
        double[][] dense = new double[5][5];
        for (int i = 0; i < 5; i++) {
            dense[i][i] = alpha[i];
            if (i < 4) {
                dense[i][i + 1] = beta[i];
                dense[i + 1][i] = beta[i];
            }
        }

        double[] ql = SymmetricEigen.tridiagonal(alpha, beta).values();
        double[] jac = SymmetricEigen.jacobi(dense).values();

        assertThat(ql).containsExactly(jac, within(1e-12));
    }
}
