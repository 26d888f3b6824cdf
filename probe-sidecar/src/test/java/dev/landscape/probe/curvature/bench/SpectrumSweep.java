package dev.landscape.probe.curvature.bench;

import dev.landscape.probe.curvature.CurvatureModel;
import dev.landscape.probe.curvature.linalg.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import dev.landscape.probe.curvature.linalg.SymmetricOperator;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Part 2 of the benchmark: how the ratio of HVPs (Lanczos / power iteration, to 1e-3 on lambda_max) depends on the
 * top of the spectrum. From a Gaussian start vector both counts depend on the eigenvalues alone (the start's
 * distribution is invariant under rotations), so a diagonal operator holding a model's eigenvalues behaves as that
 * model's Hessian does. The model here is the trained CNN, whose whole Hessian is small enough to form (one
 * finite-difference product per unit vector, symmetrised, Jacobi). Its spectrum is used as measured, and then with
 * only lambda_1 moved up or down to lambda_2 / r, everything else kept: a model whose top eigenvalue stands closer
 * to the rest.
 */
final class SpectrumSweep {

    private SpectrumSweep() {
    }

    static void run(PrintStream out, CurvatureModel m, double[] w, int seeds) {
        double[] ev = eigenvalues(new FiniteDifferenceHvp(m.loss(), w));
        out.printf(Locale.ROOT, "## Ratio vs lambda_2/lambda_1 (trained CNN's full spectrum, %d eigenvalues, lambda_1 = %.10g "
                + "from the dense Hessian; diagonal operator, %d Gaussian starts each)%n%n", ev.length, ev[0], seeds);
        out.println("| lambda_2/lambda_1 | lambda_1 | Lanczos: median HVPs to 1e-3 | power: median HVPs to 1e-3 "
                + "| median per-seed ratio | ratio of totals |");
        out.println("|---|---|---|---|---|---|");
        double measured = ev[1] / ev[0];
        for (double r : new double[] {0.5, measured, 0.8, 0.9, 0.95, 0.98}) {
            double[] d = ev.clone();
            if (r != measured) {
                d[0] = d[1] / r;
            }
            CurvatureBenchmark.Tally tally = new CurvatureBenchmark.Tally();
            for (int seed = 0; seed < seeds; seed++) {
                tally.add(CurvatureBenchmark.compare(() -> new Diagonal(d), d[0], seed));
            }
            CurvatureBenchmark.Summary s = tally.summarise("", r);
            out.printf(Locale.ROOT, "| %.3f%s | %.4g | %d | %s | %s | %s |%n", r, r == measured ? " (as measured)" : "",
                    d[0], s.lanczos(), s.powerText(), s.ratioText(s.medianRatio()), s.ratioText(s.totalRatio()));
            out.flush();
        }
        out.println();
    }

    /** All eigenvalues, descending, of the operator's dense matrix (symmetrised). */
    private static double[] eigenvalues(SymmetricOperator op) {
        int n = op.dimension();
        double[][] a = new double[n][n];
        double[] unit = new double[n];
        double[] column = new double[n];
        for (int j = 0; j < n; j++) {
            unit[j] = 1;
            op.apply(unit, column);
            unit[j] = 0;
            for (int i = 0; i < n; i++) {
                a[i][j] = column[i];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double s = (a[i][j] + a[j][i]) / 2;
                a[i][j] = s;
                a[j][i] = s;
            }
        }
        return SymmetricEigen.jacobi(a).values();
    }

    /** diag(d) as an operator. */
    private record Diagonal(double[] d) implements SymmetricOperator {

        @Override
        public int dimension() {
            return d.length;
        }

        @Override
        public void apply(double[] x, double[] out) {
            for (int i = 0; i < d.length; i++) {
                out[i] = d[i] * x[i];
            }
        }
    }
}
