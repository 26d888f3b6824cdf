package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tensor rebuild calls that the shared fixtures do not contain, written opcode by opcode as torch 2.x's pickler
 * emits them: {@code _rebuild_tensor_v3} over an untyped storage (dtypes without a legacy storage class), CUDA
 * storage classes, and storage classes the reader cannot decode.
 */
class TorchRebuildTest {

    @TempDir
    Path dir;

    @Test
    void rebuildV3ReadsUntypedBytesAsTheGivenDtype() throws IOException {
        PickleWriter w = tensorPickle("torch", "UntypedStorage", 4, "_rebuild_tensor_v3", true);
        byte[] storage = {1, 0, 2, 1}; // uint16 little-endian: 1, 258

        try (Checkpoint cp = CheckpointFormats.standard().open(archive(w, storage))) {
            Tensor t = cp.tensors().get(0);
            assertThat(t.info().dtype()).isEqualTo(DType.U16);
            assertThat(values(t)).containsExactly(1, 258);
        }
    }

    @Test
    void cudaStorageClassesReadLikeCpuOnes() throws IOException {
        PickleWriter w = tensorPickle("torch.cuda", "ShortStorage", 2, "_rebuild_tensor_v2", false);

        try (Checkpoint cp = CheckpointFormats.standard().open(archive(w, new byte[] {1, 0, 2, 1}))) {
            assertThat(values(cp.tensors().get(0))).containsExactly(1, 258);
        }
    }

    @Test
    void complexStorageIsRefusedNamingIt() throws IOException {
        PickleWriter w = tensorPickle("torch", "ComplexFloatStorage", 2, "_rebuild_tensor_v2", false);
        Path file = archive(w, new byte[16]);

        assertThatThrownBy(() -> CheckpointFormats.standard().open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("storage type torch.ComplexFloatStorage is not supported");
    }

    /** {'t': rebuild(('storage', cls, '0', 'cpu', n), 0, (2,), (1,), False, OrderedDict()[, torch.uint16])}. */
    private static PickleWriter tensorPickle(String module, String storageClass, int numel, String rebuild, boolean v3) {
        PickleWriter w = new PickleWriter().proto().op('}').string("t");
        w.global("torch._utils", rebuild).op('(');
        w.op('(').string("storage").global(module, storageClass).string("0").string("cpu").integer(numel).op('t').op('Q');
        w.integer(0).integer(2).op(0x85).integer(1).op(0x85).op(0x89);
        w.global("collections", "OrderedDict").op(')').op('R');
        if (v3) {
            w.global("torch", "uint16");
        }
        return w.op('t').op('R').op('s').stop();
    }

    private Path archive(PickleWriter w, byte[] storage) throws IOException {
        Path file = dir.resolve("t.pt");
        Files.write(file, TorchSaveWriter.zip("t", w.bytes(), Map.of("0", storage)));
        return file;
    }
}
