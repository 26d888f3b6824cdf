package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.testing.TestingTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TensorStatsTest {

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void nanAndInfinitiesAreCountedAndLeftOutOfNormAndMax(DType dtype) throws IOException {
        TensorStats s = TensorStats.of(TestingTensor.of(dtype, 3, NAN, -4, INF, -INF));

        assertThat(s.elements()).isEqualTo(5);
        assertThat(s.nonFinite()).isEqualTo(3);
        assertThat(s.l2()).isEqualTo(5.0);
        assertThat(s.maxAbs()).isEqualTo(4.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F64"})
    void fileBackedStreamsGiveTheSameStatsAsTheDefaultPath(DType dtype, @TempDir Path dir) throws IOException {
        double[] values = {3, NAN, -4, INF, 0.5, -INF, 1e-3};
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", dtype, new long[] {values.length}, values).write(file);

        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            TensorStats mapped = TensorStats.of(cp.tensors().get(0));
            TensorStats reference = TensorStats.of(TestingTensor.of(dtype, rounded(dtype, values)));
            assertThat(mapped).isEqualTo(reference);
            assertThat(mapped.nonFinite()).isEqualTo(3);
        }
    }

    @Test
    void emptyTensorHasZeroNormAndMax() throws IOException {
        TensorStats s = TensorStats.of(new TestingTensor("e", DType.F32, new long[] {0, 4}));

        assertThat(s).isEqualTo(TensorStats.EMPTY);
        assertThat(s.l2()).isZero();
        assertThat(s.maxAbs()).isZero();
    }

    @Test
    void scalarIsOneElement() throws IOException {
        TensorStats s = TensorStats.of(new TestingTensor("s", DType.F64, new long[] {}, -2.5));

        assertThat(s.elements()).isEqualTo(1);
        assertThat(s.l2()).isEqualTo(2.5);
        assertThat(s.maxAbs()).isEqualTo(2.5);
    }

    @Test
    void allNonFiniteTensorHasZeroNormAndMax() throws IOException {
        TensorStats s = TensorStats.of(TestingTensor.of(DType.F32, NAN, INF, -INF, NAN));

        assertThat(s.nonFinite()).isEqualTo(4);
        assertThat(s.l2()).isZero();
        assertThat(s.maxAbs()).isZero();
    }

    @Test
    void floatDenormalsAreSquaredInDoubleWithoutUnderflow() throws IOException {
        float tiny = Float.MIN_VALUE;
        TensorStats s = TensorStats.of(TestingTensor.of(DType.F32, tiny, -tiny, tiny, tiny));

        assertThat(s.l2()).isEqualTo(2.0 * tiny);
        assertThat(s.maxAbs()).isEqualTo(tiny);
    }

    @Test
    void doubleDenormalsAreScaledInsteadOfUnderflowingToZero() throws IOException {
        double tiny = Double.MIN_VALUE;
        TensorStats s = TensorStats.of(TestingTensor.of(DType.F64, tiny, -tiny, tiny, tiny));

        assertThat(s.l2()).isEqualTo(2.0 * tiny);
        assertThat(s.maxAbs()).isEqualTo(tiny);
    }

    @Test
    void hugeFloatsDoNotOverflowTheDoubleAccumulator() throws IOException {
        double[] values = new double[1000];
        Arrays.fill(values, Float.MAX_VALUE);

        TensorStats s = TensorStats.of(TestingTensor.of(DType.F32, values));

        // in float, the very first square is already +Inf
        assertThat(s.l2()).isCloseTo(Float.MAX_VALUE * Math.sqrt(1000), within(1e-12 * Float.MAX_VALUE * Math.sqrt(1000)));
        assertThat(s.nonFinite()).isZero();
    }

    @Test
    void hugeDoublesWhoseSquaresOverflowAreScaled() throws IOException {
        TensorStats s = TensorStats.of(TestingTensor.of(DType.F64, 1e300, -1e300, 1e300, 1e300, 1.0));

        assertThat(s.l2()).isCloseTo(2e300, within(1e286));
        assertThat(s.maxAbs()).isEqualTo(1e300);
    }

    @Test
    void normBeyondDoubleRangeIsInfiniteNotNaN() throws IOException {
        TensorStats s = TensorStats.of(TestingTensor.of(DType.F64, Double.MAX_VALUE, Double.MAX_VALUE));

        assertThat(s.l2()).isEqualTo(INF);
        assertThat(s.maxAbs()).isEqualTo(Double.MAX_VALUE);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void manyBlocksWithScatteredNonFiniteMatchANaiveLoop(DType dtype) throws IOException {
        Random random = new Random(42);
        double[] values = new double[100_003];
        for (int i = 0; i < values.length; i++) {
            values[i] = dtype == DType.F32 ? (float) (random.nextGaussian() * 3) : random.nextGaussian() * 3;
        }
        values[5] = NAN;
        values[8191] = INF;
        values[8192] = -INF;
        values[99_999] = NAN;
        double sum = 0;
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v * v;
                max = Math.max(max, Math.abs(v));
            }
        }

        TensorStats s = TensorStats.of(TestingTensor.of(dtype, values));

        assertThat(s.elements()).isEqualTo(values.length);
        assertThat(s.nonFinite()).isEqualTo(4);
        assertThat(s.l2()).isCloseTo(Math.sqrt(sum), within(1e-12 * Math.sqrt(sum)));
        assertThat(s.maxAbs()).isEqualTo(max);
    }

    @Test
    void integerTensorsAreMeasuredAsTheirValues() throws IOException {
        TensorStats s = TensorStats.of(TestingTensor.of(DType.I64, -3, 4, 0));

        assertThat(s.l2()).isEqualTo(5.0);
        assertThat(s.maxAbs()).isEqualTo(4.0);
    }

    @Test
    void plusIsTheStatsOfTheConcatenation() throws IOException {
        TensorStats a = TensorStats.of(TestingTensor.of(DType.F32, 3, NAN, -1));
        TensorStats b = TensorStats.of(TestingTensor.of(DType.F64, 1e300, INF));
        TensorStats both = TensorStats.of(TestingTensor.of(DType.F64, 3, NAN, -1, 1e300, INF));

        TensorStats sum = a.plus(b);

        assertThat(sum.elements()).isEqualTo(both.elements());
        assertThat(sum.nonFinite()).isEqualTo(both.nonFinite());
        assertThat(sum.maxAbs()).isEqualTo(both.maxAbs());
        assertThat(sum.l2()).isCloseTo(both.l2(), within(1e-15 * both.l2()));
        assertThat(TensorStats.EMPTY.plus(a)).isEqualTo(a);
    }

    @Test
    void streamLongerThanItsShapeIsAnError() {
        TestingTensor liar = new TestingTensor("liar", DType.F32, new long[] {2}, 1, 2, 3);

        assertThatThrownBy(() -> TensorStats.of(liar)).isInstanceOf(IOException.class)
                .hasMessageContaining("tensor liar").hasMessageContaining("more than the 2 elements");
    }

    /** What the file holds after the writer rounded {@code values} to {@code dtype}. */
    private static double[] rounded(DType dtype, double[] values) {
        double[] out = values.clone();
        if (dtype != DType.F64) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
                if (dtype == DType.BF16 && Double.isFinite(out[i])) {
                    int bits = Float.floatToRawIntBits((float) out[i]);
                    out[i] = Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000);
                }
            }
        }
        return out;
    }
}
