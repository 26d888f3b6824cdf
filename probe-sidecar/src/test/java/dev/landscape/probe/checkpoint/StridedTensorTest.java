package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import dev.landscape.probe.checkpoint.TorchSaveWriter.ViewSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Views that torch.save keeps as they are: transposes, slices with offsets, broadcasts; and views that lie. */
class StridedTensorTest {

    @TempDir
    Path dir;

    @Test
    void largeTransposedViewStreamsInLogicalOrderAcrossMappingWindows() throws IOException {
        int rows = 1024;
        int cols = 3000; // 12 MB of F32, more than one 8 MiB mapping window
        double[] storage = new double[rows * cols];
        for (int k = 0; k < storage.length; k++) {
            storage[k] = k;
        }
        TensorSpec s = TensorSpec.f32(new long[] {storage.length}, storage);

        double[] v = valuesOf(new ViewSpec(s, 0, new long[] {rows, cols}, new long[] {1, rows}));

        for (int i = 0; i < rows; i += 97) {
            for (int j = 0; j < cols; j += 101) {
                assertThat(v[i * cols + j]).as("[%d, %d]", i, j).isEqualTo(i + (double) rows * j);
            }
        }
        assertThat(v[v.length - 1]).isEqualTo(storage.length - 1);
    }

    @Test
    void sliceWithStorageOffsetReadsOnlyItsElements() throws IOException {
        TensorSpec s = TensorSpec.f32(new long[] {6}, 0, 1, 2, 3, 4, 5);

        assertThat(valuesOf(new ViewSpec(s, 2, new long[] {2, 2}, new long[] {1, 2}))).containsExactly(2, 4, 3, 5);
    }

    @Test
    void broadcastViewRepeatsItsStorage() throws IOException {
        TensorSpec s = TensorSpec.f32(new long[] {3}, 7, 8, 9);

        assertThat(valuesOf(new ViewSpec(s, 0, new long[] {2, 3}, new long[] {0, 1}))).containsExactly(7, 8, 9, 7, 8, 9);
    }

    @Test
    void contiguousViewWithAnOffsetReadsInSlicesAndATransposeDoesNot() throws IOException {
        TensorSpec s = TensorSpec.f32(new long[] {8}, 0, 1, 2, 3, 4, 5, 6, 7);
        Path file = dir.resolve("views.pt");
        TorchSaveWriter.save(Map.of("rows", new ViewSpec(s, 2, new long[] {2, 3}, new long[] {3, 1}),
                "transposed", new ViewSpec(s, 0, new long[] {2, 2}, new long[] {1, 2})), file);

        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            Tensor rows = cp.tensors().stream().filter(t -> t.info().name().equals("rows")).findFirst().orElseThrow();
            Tensor transposed = cp.tensors().stream().filter(t -> t.info().name().equals("transposed")).findFirst().orElseThrow();
            assertThat(rows.splittable()).isTrue();
            double[] slice = new double[8];
            try (ElementStream stream = rows.open(1, 5)) {
                assertThat(stream.read(slice, 0, slice.length)).isEqualTo(4);
            }
            assertThat(slice).startsWith(3, 4, 5, 6);
            assertThat(transposed.splittable()).isFalse();
        }
    }

    @Test
    void viewReachingPastItsStorageIsRefusedAtOpen() throws IOException {
        TensorSpec s = TensorSpec.f32(new long[] {4}, 1, 2, 3, 4);
        Path file = dir.resolve("past.pt");
        TorchSaveWriter.save(Map.of("w", new ViewSpec(s, 1, new long[] {2, 2}, new long[] {2, 1})), file);

        assertThatThrownBy(() -> CheckpointFormats.standard().open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("reaches byte 20 of storage 0, which declares only 16 bytes");
    }

    @Test
    void hugeBroadcastIsRefusedRatherThanStreamedForever() throws IOException {
        TensorSpec s = TensorSpec.f32(new long[] {1}, 1);
        Path file = dir.resolve("huge.pt");
        TorchSaveWriter.save(Map.of("w", new ViewSpec(s, 0, new long[] {1L << 40}, new long[] {0})), file);

        assertThatThrownBy(() -> CheckpointFormats.standard().open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("stride-0 expansion");
    }

    private double[] valuesOf(ViewSpec view) throws IOException {
        Path file = dir.resolve("view.pt");
        TorchSaveWriter.save(Map.of("t", view), file);
        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            return values(cp.tensors().get(0));
        }
    }
}
