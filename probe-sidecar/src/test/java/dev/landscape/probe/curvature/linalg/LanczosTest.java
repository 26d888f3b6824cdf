package dev.landscape.probe.curvature.linalg;

import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import dev.landscape.probe.curvature.linalg.Vectors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
        assertThat(r.products()).isLessThan(100);
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

        assertThat(r.products()).isEqualTo(3);
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

    /** 7, 7, 7 (a triple eigenvalue), 4, 4, then a bulk in [-2, 2). */
    private static double[] tiedSpectrum(int n) {
        double[] ev = new double[n];
        ev[0] = 7;
        ev[1] = 7;
        ev[2] = 7;
        ev[3] = 4;
        ev[4] = 4;
        for (int i = 5; i < n; i++) {
            ev[i] = 4.0 * (n - i) / n - 2.0;
        }
        return ev;
    }

    @Test
    void findsEveryCopyOfATiedEigenvalue() {
        MatrixOperator a = MatrixOperator.withSpectrum(tiedSpectrum(120), 21);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 5, 1e-10, 300, 4);

        assertThat(r.converged()).isTrue();
        assertThat(r.eigenvalues()).containsExactly(new double[] {7, 7, 7, 4, 4}, within(1e-8));
        for (double res : r.residuals()) {
            assertThat(res).isLessThanOrEqualTo(1e-10 * 7);
        }
    }

    @Test
    void aSingleStartVectorSeesATiedEigenvalueOnce() {
        // why the default block size grows with k: one Krylov vector meets the triple eigenspace in one direction
        MatrixOperator a = MatrixOperator.withSpectrum(tiedSpectrum(120), 21);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 2, 1e-3, 300, 4,
                new Lanczos.Settings(1, 301, Lanczos.Precision.DOUBLE), (i, top) -> { });

        assertThat(r.converged()).isTrue();
        assertThat(r.eigenvalues()[0]).isCloseTo(7, within(1e-2));
        assertThat(r.eigenvalues()[1]).isCloseTo(4, within(1e-2));
    }

    @Test
    void findsAllCopiesUpToTheBlockSize() {
        // ten copies of 7, two of 4: the top 12 need a block of 12 (the default for k = 12)
        double[] ev = new double[150];
        for (int i = 0; i < ev.length; i++) {
            ev[i] = i < 10 ? 7 : i < 12 ? 4 : 3.0 * (ev.length - i) / ev.length - 1.5;
        }
        MatrixOperator a = MatrixOperator.withSpectrum(ev, 5);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 12, 1e-9, 400, 2);

        assertThat(r.converged()).isTrue();
        assertThat(r.eigenvalues()).containsExactly(Arrays.copyOf(ev, 12), within(1e-7));
    }

    @Test
    void convergedOnlyWhenEveryReportedResidualMeetsTheTolerance() {
        MatrixOperator a = MatrixOperator.withSpectrum(tiedSpectrum(200), 8);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 5, 1e-12, 15, 3);

        assertThat(r.converged()).isFalse();
        assertThat(r.products()).isLessThanOrEqualTo(15);
        assertThat(Arrays.stream(r.residuals()).max().orElseThrow()).isGreaterThan(1e-12 * 7);
    }

    @Test
    void aRestartedBasisReachesTheSameEigenvalues() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(300), 12);
        Lanczos.Settings small = new Lanczos.Settings(1, 8, Lanczos.Precision.DOUBLE);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 3, 1e-9, 600, 5, small, (i, top) -> { });

        assertThat(r.converged()).isTrue();
        assertThat(r.restarts()).isPositive();
        assertThat(r.eigenvalues()).containsExactly(new double[] {50, 42, 30}, within(1e-6));
        for (int i = 0; i < 3; i++) {
            assertThat(Math.abs(r.eigenvalues()[i] - new double[] {50, 42, 30}[i])).isLessThanOrEqualTo(r.residuals()[i] + 1e-12);
        }
    }

    @Test
    void aRestartedBlockBasisKeepsTheMultiplicities() {
        MatrixOperator a = MatrixOperator.withSpectrum(tiedSpectrum(200), 13);
        Lanczos.Settings small = new Lanczos.Settings(3, 12, Lanczos.Precision.DOUBLE);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 3, 1e-8, 900, 6, small, (i, top) -> { });

        assertThat(r.converged()).isTrue();
        assertThat(r.restarts()).isPositive();
        assertThat(r.eigenvalues()).containsExactly(new double[] {7, 7, 7}, within(1e-6));
    }

    @Test
    void aFloatBasisIsAccurateToAboutTheFloatPrecision() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(300), 14);
        Lanczos.Settings floats = new Lanczos.Settings(1, 20, Lanczos.Precision.FLOAT);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 2, 1e-5, 600, 5, floats, (i, top) -> { });

        assertThat(r.converged()).isTrue();
        assertThat(r.eigenvalues()[0]).isCloseTo(50, within(50 * 1e-5));
        assertThat(r.eigenvalues()[1]).isCloseTo(42, within(50 * 1e-5));
    }

    @Test
    void aBlockStopsExactlyWhenTheSpaceIsExhausted() {
        MatrixOperator a = MatrixOperator.withSpectrum(new double[] {3, 3, 1}, 3);

        Lanczos.Result r = Lanczos.topEigenvalues(a, 5, 1e-12, 50, 1);

        assertThat(r.converged()).isTrue();
        assertThat(r.products()).isEqualTo(3);
        assertThat(r.eigenvalues()).containsExactly(new double[] {3, 3, 1}, within(1e-12));
    }

    @Test
    void tooSmallABasisIsRefused() {
        MatrixOperator a = MatrixOperator.withSpectrum(spectrum(50), 1);

        assertThatThrownBy(() -> Lanczos.topEigenvalues(a, 3, 1e-6, 100, 1,
                new Lanczos.Settings(3, 8, Lanczos.Precision.DOUBLE), (i, top) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot hold the top 3");
    }

    @Test
    void denseSolverAgreesWithJacobi() {
        java.util.Random rng = new java.util.Random(3);
        int n = 9;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                m[i][j] = rng.nextGaussian();
                m[j][i] = m[i][j];
            }
        }
        m[2][2] = m[5][5];

        SymmetricEigen dense = SymmetricEigen.dense(m, n);
        SymmetricEigen jac = SymmetricEigen.jacobi(m);

        assertThat(dense.values()).containsExactly(jac.values(), within(1e-12));
        for (int i = 0; i < n; i++) {
            double[] mv = new double[n];
            for (int r = 0; r < n; r++) {
                mv[r] = Vectors.dot(m[r], dense.vectors()[i]);
            }
            Vectors.axpy(-dense.values()[i], dense.vectors()[i], mv);
            assertThat(Vectors.norm(mv)).as("residual of eigenpair %d", i).isLessThan(1e-12);
        }
    }
}
