package dev.landscape.probe.metrics;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The branch-free, blocked, scaled accumulator agrees with the obvious exact computation (BigDecimal squares of the
 * finite elements) on arrays mixing ordinary values, NaN, ±Inf, zeros, denormals and values whose squares overflow
 * a double, however the array is split into calls.
 */
class StatsAccumulatorProperties {

    private static final MathContext MC = MathContext.DECIMAL128;

    @Property(tries = 60)
    void doublesMatchExactReference(@ForAll("doubles") double[] values, @ForAll("cuts") List<Integer> cuts) {
        StatsAccumulator acc = new StatsAccumulator();
        int pos = 0;
        for (int cut : cuts) {
            int n = Math.min(cut, values.length - pos);
            acc.acceptDoubles(values, pos, n);
            pos += n;
        }
        acc.acceptDoubles(values, pos, values.length - pos);

        assertMatchesReference(acc.result(), values);
    }

    @Property(tries = 60)
    void floatsMatchExactReference(@ForAll("floats") float[] values) {
        StatsAccumulator acc = new StatsAccumulator();
        acc.acceptFloats(values, 0, values.length);
        double[] widened = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            widened[i] = values[i];
        }

        assertMatchesReference(acc.result(), widened);
    }

    private static void assertMatchesReference(TensorStats s, double[] values) {
        BigDecimal squares = BigDecimal.ZERO;
        long nonFinite = 0;
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                BigDecimal b = new BigDecimal(v);
                squares = squares.add(b.multiply(b, MC), MC);
                max = Math.max(max, Math.abs(v));
            } else {
                nonFinite++;
            }
        }
        double l2 = squares.sqrt(MC).doubleValue();
        assertThat(s.elements()).isEqualTo(values.length);
        assertThat(s.nonFinite()).isEqualTo(nonFinite);
        assertThat(s.maxAbs()).isEqualTo(max);
        if (Double.isInfinite(l2)) {
            assertThat(s.l2()).isInfinite();
        } else {
            assertThat(Math.abs(s.l2() - l2)).as("l2 %s vs exact %s", s.l2(), l2).isLessThanOrEqualTo(1e-12 * l2);
        }
    }

    @Provide
    Arbitrary<double[]> doubles() {
        Arbitrary<Double> special = Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
                Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 1e300, -1e200, Double.MAX_VALUE / 1e3);
        Arbitrary<Double> ordinary = Arbitraries.doubles().between(-1e6, 1e6);
        Arbitrary<Double> anyBits = Arbitraries.longs().map(Double::longBitsToDouble);
        return Arbitraries.frequencyOf(
                        Tuple.of(1, special), Tuple.of(6, ordinary), Tuple.of(1, anyBits))
                .array(double[].class).ofMaxSize(10_000);
    }

    @Provide
    Arbitrary<float[]> floats() {
        Arbitrary<Float> special = Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
                Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE);
        Arbitrary<Float> ordinary = Arbitraries.floats().between(-100, 100);
        Arbitrary<Float> anyBits = Arbitraries.integers().map(Float::intBitsToFloat);
        return Arbitraries.frequencyOf(
                        Tuple.of(1, special), Tuple.of(6, ordinary), Tuple.of(1, anyBits))
                .array(float[].class).ofMaxSize(10_000);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 9000).list().ofMaxSize(4);
    }
}
