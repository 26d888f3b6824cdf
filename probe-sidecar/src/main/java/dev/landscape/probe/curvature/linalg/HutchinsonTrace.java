package dev.landscape.probe.curvature.linalg;

import java.util.Random;

/**
 * The trace of a symmetric operator by Hutchinson's estimator: for Rademacher probes z (entries +-1),
 * E[z^T A z] = tr(A), and the variance of one sample is 2 (||A||_F^2 - sum_i A_ii^2), the smallest among
 * i.i.d.-entry probes (Hutchinson 1990; Avron and Toledo 2011). With n probes the mean is reported with the normal
 * 95 % interval mean +- 1.96 sd / sqrt(n), sd the sample standard deviation.
 *
 * <p>When the dimension is no larger than the probe budget, the exact trace sum_i e_i^T A e_i costs no more
 * products, so it is computed instead and reported with a zero-width interval ({@code exact = true}).
 */
public final class HutchinsonTrace {

    /**
     * @param mean      the estimate of tr(A)
     * @param sd        sample standard deviation of the probe values z^T A z (0 when exact)
     * @param probes    operator applications spent
     * @param halfWidth 1.96 sd / sqrt(probes)
     */
    public record Estimate(double mean, double sd, int probes, double halfWidth, boolean exact) {

        public double low() {
            return mean - halfWidth;
        }

        public double high() {
            return mean + halfWidth;
        }
    }

    private HutchinsonTrace() {
    }

    public static Estimate estimate(SymmetricOperator op, int probes, long seed) {
        int n = op.dimension();
        double[] out = new double[n];
        if (n <= probes) {
            double trace = 0;
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = 1;
                op.apply(e, out);
                trace += out[i];
                e[i] = 0;
            }
            return new Estimate(trace, 0, n, 0, true);
        }
        if (probes < 2) {
            throw new IllegalArgumentException("Hutchinson needs at least 2 probes for an interval, got " + probes);
        }
        Random rng = new Random(seed);
        double mean = 0;
        double m2 = 0;
        for (int i = 1; i <= probes; i++) {
            double[] z = Vectors.rademacher(n, rng);
            op.apply(z, out);
            double x = Vectors.dot(z, out);
            double delta = x - mean;
            mean += delta / i;
            m2 += delta * (x - mean);
        }
        double sd = Math.sqrt(m2 / (probes - 1));
        return new Estimate(mean, sd, probes, 1.96 * sd / Math.sqrt(probes), false);
    }
}
