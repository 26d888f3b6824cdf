package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;

/** The archive layout torch 2.x writes (records and their 64-byte alignment), read back by our own reader. */
class TorchSaveWriterTest {

    @TempDir
    Path dir;

    @Test
    void archiveHasTorchsRecordsInTorchsOrder() throws IOException {
        byte[] zip = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {2}, 1, 2)), "archive");

        assertThat(localHeaders(zip)).extracting(LocalHeader::name).containsExactly("archive/data.pkl",
                "archive/.format_version", "archive/.storage_alignment", "archive/byteorder", "archive/data/0",
                "archive/version", "archive/.data/serialization_id");
    }

    @Test
    void everyRecordStartsOnA64ByteBoundary() throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("a", TensorSpec.f32(new long[] {3}, 1, 2, 3));
        sd.put("bb", TensorSpec.of(DType.I64, new long[] {1}, 7));

        assertThat(localHeaders(TorchSaveWriter.bytes(sd, "x"))).allSatisfy(h -> assertThat(h.dataStart() % 64)
                .as(h.name()).isZero());
    }

    @Test
    void savedFileReadsBackThroughTheStandardFormats() throws IOException {
        Path file = dir.resolve("state.pt");
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("fc.weight", TensorSpec.f32(new long[] {2, 2}, 1, -2, 3, -4));
        sd.put("steps", TensorSpec.of(DType.I64, new long[] {2}, 5, 6));

        TorchSaveWriter.save(sd, file);

        try (Checkpoint c = CheckpointFormats.standard().open(file)) {
            assertThat(c.format()).isEqualTo("torch-zip");
            assertThat(values(c.tensors().get(0))).containsExactly(1, -2, 3, -4);
            assertThat(values(c.tensors().get(1))).containsExactly(5, 6);
        }
        assertThat(Files.list(dir)).containsExactly(file);
    }

    private record LocalHeader(String name, long dataStart) {
    }

    private static List<LocalHeader> localHeaders(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        List<LocalHeader> out = new ArrayList<>();
        int at = 0;
        while (b.getInt(at) == 0x04034b50) {
            int size = b.getInt(at + 18);
            int nameLength = b.getShort(at + 26) & 0xffff;
            int extraLength = b.getShort(at + 28) & 0xffff;
            String name = new String(zip, at + 30, nameLength, java.nio.charset.StandardCharsets.UTF_8);
            long dataStart = at + 30L + nameLength + extraLength;
            out.add(new LocalHeader(name, dataStart));
            at = (int) dataStart + size;
        }
        return out;
    }
}
