package dev.landscape.probe.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CountSketchTest {

    private static final int W = 256;

    private static CountSketch sketch(double[] x, long seed) {
        CountSketch s = new CountSketch(W, seed);
        for (int i = 0; i < x.length; i++) {
            s.add(i, x[i]);
        }
        return s;
    }

    private static double[][] pair(int n, double noise, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
            y[i] = x[i] + noise * r.nextGaussian();
        }
        return new double[][] {x, y};
    }

    private static double exactSquaredDistance(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - y[i]) * (x[i] - y[i]);
        }
        return s;
    }

    @Test
    void aFoldedSketchIsTheNarrowerSketchOfTheSameVector() {
        Random random = new Random(7);
        CountSketch wide = new CountSketch(1 << 12, CountSketch.DEFAULT_SEED);
        CountSketch narrow = new CountSketch(1 << 6, CountSketch.DEFAULT_SEED);
        for (long key = 0; key < 5_000; key++) {
            double x = random.nextGaussian();
            wide.add(key, x);
            narrow.add(key, x);
        }

        assertThat(wide.folded(1 << 6).buckets()).containsExactly(narrow.buckets(), within(1e-9));
        assertThatThrownBy(() -> wide.folded(48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> narrow.folded(1 << 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void squaredDistanceIsUnbiasedWithTheStatedVarianceOverSeeds() {
        double[][] p = pair(20_000, 0.01, 1);
        double exact = exactSquaredDistance(p[0], p[1]);
        int seeds = 400;
        double sum = 0;
        double sumSq = 0;
        for (int s = 0; s < seeds; s++) {
            double est = sketch(p[0], s).squaredDistance(sketch(p[1], s)) / exact;
            sum += est;
            sumSq += est * est;
        }
        double mean = sum / seeds;
        double sd = Math.sqrt(sumSq / seeds - mean * mean);
        double predictedSd = Math.sqrt(2.0 / W); // relative sd of the squared distance
        assertThat(mean).isCloseTo(1.0, within(4 * predictedSd / Math.sqrt(seeds)));
        assertThat(sd).isBetween(0.75 * predictedSd, 1.25 * predictedSd);
    }

    @Test
    void distanceAtTheFixedSeedIsWithinFourStandardDeviationsOfExact() {
        double tolerance = 4 * Math.sqrt(1.0 / (2 * W)); // 17.7 % at W = 256
        for (long data = 0; data < 20; data++) {
            double[][] p = pair(50_000, 0.001 * (data + 1), data);
            double exact = Math.sqrt(exactSquaredDistance(p[0], p[1]));
            double est = sketch(p[0], CountSketch.DEFAULT_SEED).distance(sketch(p[1], CountSketch.DEFAULT_SEED));
            assertThat(est / exact).as("data set %d", data).isCloseTo(1.0, within(tolerance));
        }
    }

    @Test
    void identicalCopiesHaveDistanceExactlyZero() {
        double[][] p = pair(10_000, 0, 3);
        assertThat(sketch(p[0], CountSketch.DEFAULT_SEED).distance(sketch(p[1], CountSketch.DEFAULT_SEED))).isZero();
    }

    @Test
    void sketchIsLinearSoTheDifferenceOfSketchesIsTheSketchOfTheDifference() {
        double[][] p = pair(5_000, 0.5, 4);
        double[] d = new double[p[0].length];
        for (int i = 0; i < d.length; i++) {
            d[i] = p[0][i] - p[1][i];
        }
        CountSketch sd = sketch(d, 9);
        double viaDifference = sketch(p[0], 9).squaredDistance(sketch(p[1], 9));
        assertThat(viaDifference).isCloseTo(sd.normSquared(), within(1e-9 * sd.normSquared()));
    }

    @Test
    void cosineOfOpposedVectorsIsExactlyMinusOne() {
        double[][] p = pair(100_000, 0, 5);
        double[] neg = p[0].clone();
        for (int i = 0; i < neg.length; i++) {
            neg[i] = -0.3 * neg[i];
        }
        assertThat(sketch(p[0], 1).cosine(sketch(neg, 1))).isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void cosineEstimateIsWithinItsStatedErrorForPartlyCorrelatedVectors() {
        double[][] p = pair(100_000, 1.0, 6); // cos = 1/√2
        double exactCos = dot(p[0], p[1]) / Math.sqrt(dot(p[0], p[0]) * dot(p[1], p[1]));
        CountSketch a = new CountSketch(1 << 16, CountSketch.DEFAULT_SEED);
        CountSketch b = new CountSketch(1 << 16, CountSketch.DEFAULT_SEED);
        for (int i = 0; i < p[0].length; i++) {
            a.add(i, p[0][i]);
            b.add(i, p[1][i]);
        }
        double sd = (1 - exactCos * exactCos) / Math.sqrt(1 << 16);
        assertThat(a.cosine(b)).isCloseTo(exactCos, within(4 * sd));
    }

    @Test
    void sketchesOfDifferentWidthOrSeedAreRefused() {
        assertThatThrownBy(() -> new CountSketch(256, 1).distance(new CountSketch(256, 2)))
                .hasMessageContaining("seed");
        assertThatThrownBy(() -> new CountSketch(100, 1)).hasMessageContaining("power of two");
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
