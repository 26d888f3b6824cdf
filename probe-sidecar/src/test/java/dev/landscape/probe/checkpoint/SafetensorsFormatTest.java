package dev.landscape.probe.checkpoint;

import dev.landscape.probe.testing.Fixtures;
import dev.landscape.probe.testing.Fixtures.ExpectedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFormatTest {

    private final CheckpointFormats formats = CheckpointFormats.standard();

    @Test
    void everySafetensorsFixtureMatchesIndependentReader() throws IOException {
        Map<String, Map<String, ExpectedTensor>> expected = Fixtures.expected();
        int files = 0;
        for (var file : expected.entrySet()) {
            if (!file.getKey().endsWith(".safetensors")) {
                continue;
            }
            files++;
            try (Checkpoint cp = formats.open(Fixtures.file(file.getKey()))) {
                assertThat(cp.format()).isEqualTo("safetensors");
                assertMatches(file.getKey(), cp, file.getValue());
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(20);
    }

    @Test
    void shardedIndexYieldsTheUnionOfItsShards() throws IOException {
        Map<String, Map<String, ExpectedTensor>> expected = Fixtures.expected();
        Map<String, ExpectedTensor> union = new java.util.HashMap<>();
        expected.forEach((k, v) -> {
            if (k.startsWith("safetensors-jl/test/sharded/")) {
                union.putAll(v);
            }
        });
        try (Checkpoint cp = formats.open(Fixtures.file("safetensors-jl/test/sharded/model.safetensors.index.json"))) {
            assertThat(cp.tensors()).hasSize(36);
            assertMatches("sharded index", cp, union);
            assertThat(cp.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void metadataIsExposed() throws IOException {
        try (Checkpoint cp = formats.open(Fixtures.file("safetensors-jl/test/non_sharded/model.with_metadata.safetensors"))) {
            assertThat(cp.metadata()).containsEntry("test", "metadata").containsEntry("version", "2.2");
        }
    }

    @Test
    void writerRoundTripsThroughTheReader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafetensorsWriter()
                .add("model.w", DType.F32, new long[] {2, 2}, new double[] {1, -2, 3, 0.5})
                .add("optimizer.exp_avg.model.w", DType.BF16, new long[] {2, 2}, new double[] {1, 2, 3, 4})
                .add("model.d", DType.F64, new long[] {1}, new double[] {Math.PI})
                .write(file);
        try (Checkpoint cp = formats.open(file)) {
            List<Tensor> ts = cp.tensors();
            assertThat(ts).extracting(t -> t.info().group()).containsExactly("model", "optimizer.exp_avg", "model");
            assertThat(values(ts.get(0))).containsExactly(1, -2, 3, 0.5);
            assertThat(values(ts.get(1))).containsExactly(1, 2, 3, 4);
            assertThat(values(ts.get(2))).containsExactly(Math.PI);
        }
        assertThat(Files.size(file) % 8).isZero();
    }

    @Test
    void writerWritesIntegerClassTargetsAsI64(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("batch.safetensors");
        new SafetensorsWriter().add("target", DType.I64, new long[] {3}, new double[] {2, 0, 1L << 40}).write(file);

        try (Checkpoint cp = formats.open(file)) {
            assertThat(cp.tensors().get(0).info().dtype()).isEqualTo(DType.I64);
            assertThat(values(cp.tensors().get(0))).containsExactly(2, 0, 1L << 40);
        }
    }

    @Test
    void writerRefusesAFractionForAnIntegerTensor() {
        assertThatThrownBy(() -> new SafetensorsWriter().add("target", DType.I64, new long[] {1}, new double[] {0.5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target").hasMessageContaining("0.5");
    }

    @Test
    void optimizerTensorsNameTheirParameter(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.safetensors");
        new SafetensorsWriter()
                .add("model.fc1.weight", new long[] {2}, new double[] {1, 2})
                .add("optimizer.exp_avg.model.fc1.weight", new long[] {2}, new double[] {0, 0})
                .add("optimizer.exp_avg_sq.model.fc1.weight", new long[] {2}, new double[] {0, 0})
                .write(file);
        try (Checkpoint cp = formats.open(file)) {
            assertThat(cp.tensors()).extracting(t -> t.info().parameter())
                    .containsExactly("model.fc1.weight", "model.fc1.weight", "model.fc1.weight");
            assertThat(cp.tensors()).extracting(t -> t.info().group())
                    .containsExactly("model", "optimizer.exp_avg", "optimizer.exp_avg_sq");
        }
    }

    @Test
    void metadataLayoutFillsStepLogAndOptimizerHints(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        new SafetensorsWriter()
                .add("model.w", new long[] {1}, new double[] {1})
                .metadata("step", "40").metadata("loss", "NaN").metadata("grad_norm", "2.5")
                .metadata("learning_rate", "0.001").metadata("optimizer", "adam").metadata("optimizer.lr", "0.001")
                .metadata("optimizer.beta1", "0.9").metadata("optimizer.beta2", "0.999").metadata("optimizer.step", "40")
                .write(file);
        try (Checkpoint cp = formats.open(file)) {
            assertThat(cp.step()).hasValue(40);
            assertThat(cp.log().latestLoss().getAsDouble()).isNaN();
            assertThat(cp.log().latestGradNorm()).hasValue(2.5);
            assertThat(cp.optimizer().type()).isEqualTo("adam");
            assertThat(cp.optimizer().beta2()).hasValue(0.999);
            assertThat(cp.optimizer().stepCount()).hasValue(40);
        }
    }

    @Test
    void nonNumericMetadataValueIsRejectedNamingTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        new SafetensorsWriter().add("model.w", new long[] {1}, new double[] {1}).metadata("optimizer.beta1", "high").write(file);
        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bad.safetensors").hasMessageContaining("optimizer.beta1").hasMessageContaining("high");
    }

    @Test
    void headerLengthPastEndOfFileIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4096).put("{}  ".getBytes(StandardCharsets.US_ASCII)).array());
        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bad.safetensors").hasMessageContaining("header length 4096 runs past the end");
    }

    @Test
    void offsetsOutsideDataAreRejectedNamingTheTensor(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("oob.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("outside the 8-byte data section");
    }

    @Test
    void overlappingTensorsAreRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("overlap.safetensors");
        writeRaw(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("overlaps");
    }

    @Test
    void sizeMismatchBetweenShapeAndOffsetsIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("size.safetensors");
        writeRaw(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("span 8 bytes but F32[3] needs 12");
    }

    static void writeRaw(Path file, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
    }

    static double[] values(Tensor t) throws IOException {
        return ExpectedTensorAssertions.values(t);
    }

    private static void assertMatches(String where, Checkpoint cp, Map<String, ExpectedTensor> expected) throws IOException {
        ExpectedTensorAssertions.assertMatches(where, cp, expected);
    }
}
