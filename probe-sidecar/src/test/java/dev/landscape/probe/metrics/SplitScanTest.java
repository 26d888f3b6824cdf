package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointException;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.testing.TestingTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitScanTest {

    private static final int BLOCK = StatsAccumulator.BLOCK;
    private static final long SLICE = 2L * BLOCK;
    /** Not a whole number of slices, rounds or blocks: the last block, slice and round are all short. */
    private static final int AWKWARD = (int) (5 * SLICE + BLOCK + 4097);
    private static final Executor THREAD_PER_TASK = task -> new Thread(task).start();

    @ParameterizedTest(name = "{0}, {1} blocks per round")
    @CsvSource({"F32, 5", "F32, 1", "F32, 65536", "BF16, 5", "BF16, 65536"})
    void splitOverThreadsGivesTheBitsOfOneThread(DType dtype, int blocksPerRound, @TempDir Path dir) throws IOException {
        double[] values = values(AWKWARD, 1);
        try (Checkpoint cp = open(dir, dtype, values)) {
            Tensor tensor = cp.tensors().get(0);

            TensorStats split = new SplitScan(tensor, SLICE, blocksPerRound, THREAD_PER_TASK, 3).run();

            assertThat(split).isEqualTo(TensorStats.of(tensor, SLICE, THREAD_PER_TASK, 0));
            assertThat(split).isEqualTo(TensorStats.of(TestingTensor.of(dtype, stored(tensor))));
            assertThat(split.elements()).isEqualTo(AWKWARD);
            assertThat(split.nonFinite()).isEqualTo(4);
        }
    }

    @Test
    void nonFiniteElementsOnSliceAndBlockEdgesAreCountedAndLeftOut(@TempDir Path dir) throws IOException {
        double[] values = new double[AWKWARD];
        Arrays.fill(values, 0.5);
        values[(int) SLICE - 1] = Double.NaN;
        values[(int) SLICE] = Double.POSITIVE_INFINITY;
        values[BLOCK] = Double.NEGATIVE_INFINITY;
        values[AWKWARD - 1] = 1e30; // beyond F32's square root of MAX_VALUE: its square must still be exact in double
        try (Checkpoint cp = open(dir, DType.F32, values)) {

            TensorStats split = new SplitScan(cp.tensors().get(0), SLICE, 5, THREAD_PER_TASK, 1).run();

            assertThat(split.nonFinite()).isEqualTo(3);
            assertThat(split.maxAbs()).isEqualTo((double) 1e30f);
            double finiteHalves = (AWKWARD - 4) * 0.25;
            assertThat(split.l2()).isEqualTo(Math.sqrt(finiteHalves + (double) 1e30f * (double) 1e30f));
        }
    }

    @Test
    void helpersThatNeverRunLeaveTheWholeScanToTheCaller(@TempDir Path dir) throws IOException {
        double[] values = values(AWKWARD, 2);
        try (Checkpoint cp = open(dir, DType.F32, values)) {
            Tensor tensor = cp.tensors().get(0);

            TensorStats split = new SplitScan(tensor, SLICE, 5, task -> { }, 4).run();

            assertThat(split).isEqualTo(TensorStats.of(tensor, SLICE, THREAD_PER_TASK, 0));
        }
    }

    @Test
    void largeTensorsAreSplitByDefaultWithTheSameResult(@TempDir Path dir) throws IOException {
        double[] values = values((int) (2 * TensorStats.SLICE + 12345), 3);
        try (Checkpoint cp = open(dir, DType.F32, values)) {
            Tensor tensor = cp.tensors().get(0);

            assertThat(TensorStats.of(tensor)).isEqualTo(TensorStats.of(tensor, TensorStats.SLICE, THREAD_PER_TASK, 0));
        }
    }

    @Test
    void fileTruncatedUnderTheScanIsACheckpointExceptionNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", DType.F32, new long[] {AWKWARD}, values(AWKWARD, 4)).write(file);
        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 4 * SLICE);
            }

            assertThatThrownBy(() -> new SplitScan(cp.tensors().get(0), SLICE, 5, THREAD_PER_TASK, 2).run())
                    .isInstanceOf(CheckpointException.class).hasMessageContaining(file.toString()).hasMessageContaining("truncated");
        }
    }

    private static Checkpoint open(Path dir, DType dtype, double[] values) throws IOException {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", dtype, new long[] {values.length}, values).write(file);
        return CheckpointFormats.standard().open(file);
    }

    /** Weights-like values, a few large, and NaN/±Inf at the first element, a block end, a slice start, the last. */
    private static double[] values(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian() * (i % 997 == 0 ? 300 : 0.02);
        }
        v[0] = Double.NaN;
        v[BLOCK - 1] = Double.NEGATIVE_INFINITY;
        v[(int) SLICE] = Double.POSITIVE_INFINITY;
        v[n - 1] = Double.NaN;
        return v;
    }

    /** The elements as the file holds them (rounded to its dtype), read whole through the one-stream path. */
    private static double[] stored(Tensor tensor) throws IOException {
        double[] out = new double[(int) tensor.info().numel()];
        try (ElementStream stream = tensor.open()) {
            int at = 0;
            int n;
            while ((n = stream.read(out, at, out.length - at)) > 0) {
                at += n;
            }
        }
        return out;
    }
}
