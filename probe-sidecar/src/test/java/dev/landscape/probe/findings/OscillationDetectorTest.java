package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.Tier1Metrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SGD on the ground truth's quadratic (24 eigenvalues geometric from 1 down to 1/50, bench/results/tier1-signals.md)
 * near its optimum, where isotropic gradient noise drives every update: the regime of the noisy ramp controls. The
 * exact update cosine and the weights' fingerprints are computed as tier 1 does, and the checkpoints judged by
 * {@link FindingMonitor}.
 */
class OscillationDetectorTest {

    private static final int DIM = 24;

    /** Reasons raised (new) over a run of {@code steps} SGD steps at {@code ratio} of the edge; counts the old rule's runs. */
    private static final class Run {
        final List<Reason> raised = new ArrayList<>();
        int threeReversalsInARow;
    }

    private static Run sgd(double ratio, double noise, double startExcess, int steps, long seed) {
        double[] lambda = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            lambda[i] = Math.pow(50, -i / (DIM - 1.0));
        }
        double lr = 2 * ratio; // λmax = 1: the edge is lr = 2
        Random rnd = new Random(seed);
        double[] e = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            e[i] = startExcess * rnd.nextGaussian();
        }
        double[] previous = null;
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        Run run = new Run();
        int reversals = 0;
        for (int s = 1; s <= steps; s++) {
            double[] u = new double[DIM];
            for (int i = 0; i < DIM; i++) {
                u[i] = -lr * (lambda[i] * e[i] + noise * rnd.nextGaussian());
                e[i] += u[i];
            }
            double cosine = previous == null ? Double.NaN : cosine(u, previous);
            reversals = cosine <= Thresholds.DEFAULTS.oscillationCosine() ? reversals + 1 : 0;
            if (reversals == Thresholds.DEFAULTS.oscillationCheckpoints()) {
                run.threeReversalsInARow++;
            }
            for (var f : monitor.observe(metrics(s, cosine, e))) {
                run.raised.add(f.reason());
            }
            previous = u;
        }
        return run;
    }

    private static Tier1Metrics metrics(long step, double cosine, double[] theta) {
        CountSketch fingerprint = new CountSketch(256, CountSketch.DEFAULT_SEED);
        long salt = CountSketch.salt("w");
        for (int i = 0; i < theta.length; i++) {
            fingerprint.add(salt + i, theta[i]);
        }
        return new Tier1Metrics(step, "sgd", 0.1, 1, 1, 0, Map.of(), 0.1, 0.1, cosine, 1, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 20, 0.5, OptionalDouble.empty(),
                OptionalDouble.empty(),
                Map.of(), Map.of(), Map.of("w", fingerprint), false, null);
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return dot / Math.sqrt(aa * bb);
    }

    @Test
    void gradientNoiseAtTheNoisyControlsRatioRaisesNoOscillation() {
        // 0.56 of the edge, the noisy ramp controls' top: noise alone reverses consecutive updates (lag-1 cosine
        // about −0.19 here, scatter about 0.2), enough for three cosines ≤ −0.5 in a row now and then.
        Run run = sgd(0.56, 1, 0, 20_000, 7);

        assertThat(run.threeReversalsInARow).as("the cosine-only rule's raises on the same run").isGreaterThan(3);
        assertThat(run.raised).doesNotContain(Reason.UpdateOscillation);
    }

    @Test
    void aPeriodTwoOscillationPastTheEdgeIsRaised() {
        // 1.1 of the edge: the top direction's multiplier is −1.2, so its bounce grows out of the noise.
        Run run = sgd(1.1, 1, 1, 60, 7);

        assertThat(run.raised).contains(Reason.UpdateOscillation);
    }

    @Test
    void withoutFingerprintsNothingIsRaised() {
        FindingMonitor monitor = new FindingMonitor(Thresholds.DEFAULTS);
        List<Reason> raised = new ArrayList<>();
        for (int s = 1; s <= 10; s++) {
            Tier1Metrics m = new Tier1Metrics(s, "sgd", 0.1, 1, 1, 0, Map.of(), 0.1, 0.1, -0.99, 1, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 20, 0.5,
                    OptionalDouble.empty(),
                    OptionalDouble.empty(), Map.of(), Map.of(), Map.of(), false, null);
            monitor.observe(m).forEach(f -> raised.add(f.reason()));
        }

        assertThat(raised).isEmpty();
    }
}
