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
