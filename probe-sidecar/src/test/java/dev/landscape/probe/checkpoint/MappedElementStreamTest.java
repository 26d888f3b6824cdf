package dev.landscape.probe.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappedElementStreamTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F64"})
    void floatAndDoubleReadsInterleaveAcrossWindows(DType dtype, @TempDir Path dir) throws IOException {
        int n = (int) (MappedElementStream.WINDOW_BYTES / dtype.byteSize()) + 1001;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (i % 251) - 125;
        }
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", dtype, new long[] {n}, values).write(file);

        double[] got = new double[n];
        try (Checkpoint cp = CheckpointFormats.standard().open(file); ElementStream s = cp.tensors().get(0).open()) {
            int pos = 0;
            float[] f = new float[777];
            double[] d = new double[333];
            boolean useFloat = true;
            int r;
            while ((r = useFloat ? s.read(f, 0, f.length) : s.read(d, 0, d.length)) >= 0) {
                for (int i = 0; i < r; i++) {
                    got[pos + i] = useFloat ? f[i] : d[i];
                }
                pos += r;
                useFloat = !useFloat;
            }
            assertThat(pos).isEqualTo(n);
        }
        assertThat(java.util.Arrays.mismatch(got, values)).as("first differing element").isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void slicesHoldTheSameElementsAsTheWholeStream(DType dtype, @TempDir Path dir) throws IOException {
        int window = (int) (MappedElementStream.WINDOW_BYTES / dtype.byteSize());
        int n = window + 1001;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (i % 251) - 125;
        }
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", dtype, new long[] {n}, values).write(file);

        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            Tensor tensor = cp.tensors().get(0);
            assertThat(tensor.splittable()).isTrue();
            for (int[] slice : new int[][] {{0, 5}, {window - 3, window + 7}, {n - 1, n}, {17, 17}, {0, n}}) {
                double[] got = readAll(tensor.open(slice[0], slice[1]));
                assertThat(got).as("slice [%d, %d)", slice[0], slice[1]).hasSize(slice[1] - slice[0]);
                assertThat(java.util.Arrays.mismatch(got, java.util.Arrays.copyOfRange(values, slice[0], slice[1])))
                        .as("first differing element of slice [%d, %d)", slice[0], slice[1]).isEqualTo(-1);
            }
        }
    }

    @Test
    void sliceOutsideTheTensorIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", DType.F32, new long[] {10}, new double[10]).write(file);

        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            Tensor tensor = cp.tensors().get(0);
            assertThatThrownBy(() -> tensor.open(4, 11)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> tensor.open(5, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> tensor.open(-1, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    private static double[] readAll(ElementStream stream) throws IOException {
        try (stream) {
            double[] out = new double[0];
            float[] f = new float[1000];
            int r;
            while ((r = stream.read(f, 0, f.length)) >= 0) {
                int at = out.length;
                out = java.util.Arrays.copyOf(out, at + r);
                for (int i = 0; i < r; i++) {
                    out[at + i] = f[i];
                }
            }
            return out;
        }
    }

    @Test
    void fileTruncatedWhileBeingReadIsACheckpointException(@TempDir Path dir) throws IOException {
        int n = 1 << 20;
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", DType.F32, new long[] {n}, new double[n]).write(file);

        try (Checkpoint cp = CheckpointFormats.standard().open(file); ElementStream s = cp.tensors().get(0).open()) {
            float[] f = new float[1024];
            assertThat(s.read(f, 0, f.length)).isEqualTo(1024);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            assertThatThrownBy(() -> {
                while (s.read(f, 0, f.length) >= 0) {
                    // drain
                }
            }).isInstanceOf(CheckpointException.class).hasMessageContaining("the file has only 4096 bytes");
        }
    }
}
