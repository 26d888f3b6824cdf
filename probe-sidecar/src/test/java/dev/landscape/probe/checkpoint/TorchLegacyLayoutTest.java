package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleWriter;
import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The legacy layout written by hand, for what the real legacy fixtures lack: storage views (the sixth element of
 * the persistent id, written by torch before 1.0) and a Lightning {@code .ckpt} in the legacy layout. The layout is
 * torch/serialization.py's {@code _legacy_save}: magic number, protocol version and sys-info pickles, the object
 * pickle, the storage-key list pickle, then each storage as an int64 element count and its raw elements.
 */
class TorchLegacyLayoutTest {

    @TempDir
    Path dir;

    @Test
    void storageViewReadsItsSliceOfTheRootStorage() throws IOException {
        // {'v': _rebuild_tensor_v2(('storage', FloatStorage, 'root', 'cpu', 6, ('view', 2, 3)), 0, (3,), (1,), ...)}
        PickleWriter obj = new PickleWriter().proto().op('}').string("v");
        obj.global("torch._utils", "_rebuild_tensor_v2").op('(');
        obj.op('(').string("storage").global("torch", "FloatStorage").string("root").string("cpu").integer(6)
                .op('(').string("view").integer(2).integer(3).op('t').op('t').op('Q');
        obj.integer(0).integer(3).op(0x85).integer(1).op(0x85).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('s').stop();
        Path file = legacy(obj.bytes(), "root", new float[] {0, 1, 2, 3, 4, 5});

        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            assertThat(cp.format()).isEqualTo("torch-legacy");
            assertThat(values(cp.tensors().get(0))).containsExactly(2, 3, 4);
        }
    }

    @Test
    void lightningCheckpointInTheLegacyLayout() throws IOException {
        Map<String, Object> ckpt = Map.of("global_step", 7, "state_dict", Map.of("w", TensorSpec.f32(new long[] {2}, 1, 2)));
        byte[] zip = TorchSaveWriter.bytes(ckpt, "x");
        byte[] pickle = extract(zip, "x/data.pkl");
        Path file = dir.resolve("old.ckpt");
        Files.write(file, legacyBytes(pickle, "0", new float[] {1, 2}));

        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            assertThat(cp.format()).isEqualTo("lightning");
            assertThat(cp.step()).hasValue(7);
            assertThat(values(cp.tensors().get(0))).containsExactly(1, 2);
        }
    }

    @Test
    void storageRecordPastTheEndIsRefused() throws IOException {
        byte[] zip = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {2}, 1, 2)), "x");
        byte[] full = legacyBytes(extract(zip, "x/data.pkl"), "0", new float[] {1, 2});
        Path file = dir.resolve("cut.pt");
        Files.write(file, java.util.Arrays.copyOf(full, full.length - 3));

        assertThatThrownBy(() -> CheckpointFormats.standard().open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("storage 0: 2 elements of F32 run past the end");
    }

    private Path legacy(byte[] objectPickle, String key, float[] data) throws IOException {
        Path file = dir.resolve("legacy.pt");
        Files.write(file, legacyBytes(objectPickle, key, data));
        return file;
    }

    static byte[] legacyBytes(byte[] objectPickle, String key, float[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new PickleWriter().proto().op(0x8a).op(10)
                .raw(new byte[] {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19})
                .stop().bytes());
        out.writeBytes(new PickleWriter().proto().op('M').op(0xe9).op(0x03).stop().bytes());
        out.writeBytes(PickleWriter.pickle(Map.of("protocol_version", 1001, "little_endian", true)));
        out.writeBytes(objectPickle);
        out.writeBytes(PickleWriter.pickle(java.util.List.of(key)));
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        for (float f : data) {
            b.putFloat(f);
        }
        out.writeBytes(b.array());
        return out.toByteArray();
    }

    private static byte[] extract(byte[] zip, String entry) throws IOException {
        try (var z = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals(entry)) {
                    return z.readAllBytes();
                }
            }
        }
        throw new AssertionError("no entry " + entry);
    }
}
