package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import dev.landscape.probe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Damaged torch.save archives: each is reported with the file, the place and what is wrong, never read half-way. */
class TorchZipCorruptionTest {

    private static final String FLOAT32 = "burn/crates/burn-store/src/pytorch/tests/reader/test_data/float32.pt";

    @TempDir
    Path dir;

    private final CheckpointFormats formats = CheckpointFormats.standard();

    @Test
    void truncatedArchiveHasNoDirectory() throws IOException {
        byte[] real = Files.readAllBytes(Fixtures.file(FLOAT32));
        Path file = write("cut.pt", Arrays.copyOf(real, real.length / 2));

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cut.pt").hasMessageContaining("no zip end-of-central-directory record");
    }

    @Test
    void storageShorterThanItsTensorNamesTensorAndEntry() throws IOException {
        byte[] archive = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {4}, 1, 2, 3, 4)), "short");
        byte[] pickle = extract(archive, "short/data.pkl");
        Path file = write("short.pt", TorchSaveWriter.zip("short", pickle, Map.of("0", new byte[8])));

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("zip entry short/data/0 holds only 8 bytes");
    }

    @Test
    void missingStorageIsNamed() throws IOException {
        byte[] archive = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {1}, 1)), "gone");
        Path file = write("gone.pt", TorchSaveWriter.zip("gone", extract(archive, "gone/data.pkl"), Map.of()));

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor w uses storage 0, which the file does not contain");
    }

    @Test
    void compressedStorageIsRefusedButCompressedPickleIsRead() throws IOException {
        byte[] archive = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {2}, 1, 2)), "z");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            z.putNextEntry(new ZipEntry("z/data.pkl"));
            z.write(extract(archive, "z/data.pkl"));
            z.putNextEntry(new ZipEntry("z/data/0"));
            z.write(extract(archive, "z/data/0"));
        }
        Path file = write("deflated.pt", bos.toByteArray());

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("z/data/0 (compressed) is compressed");
    }

    @Test
    void deflatedPickleWithStoredStorageIsRead() throws IOException {
        byte[] archive = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {2}, 1, 2)), "z");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            z.putNextEntry(new ZipEntry("z/data.pkl"));
            z.write(extract(archive, "z/data.pkl"));
            TorchSaveWriter.stored(z, "z/data/0", extract(archive, "z/data/0"));
        }
        Path file = write("mixed.pt", bos.toByteArray());

        try (Checkpoint cp = formats.open(file)) {
            assertThat(values(cp.tensors().get(0))).containsExactly(1, 2);
        }
    }

    @Test
    void localHeaderOffsetOutsideTheArchiveIsRefused() throws IOException {
        byte[] real = Files.readAllBytes(Fixtures.file(FLOAT32));
        ByteBuffer b = ByteBuffer.wrap(real).order(ByteOrder.LITTLE_ENDIAN);
        int cen = indexOf(real, new byte[] {'P', 'K', 1, 2});
        b.putInt(cen + 42, 0x7ffffff0);
        Path file = write("offset.pt", real);

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("local header offset 2147483632 lies outside the archive");
    }

    @Test
    void bigEndianArchiveIsRefused() throws IOException {
        byte[] archive = TorchSaveWriter.bytes(Map.of("w", TensorSpec.f32(new long[] {1}, 1)), "be");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            TorchSaveWriter.stored(z, "be/data.pkl", extract(archive, "be/data.pkl"));
            TorchSaveWriter.stored(z, "be/byteorder", "big".getBytes());
            TorchSaveWriter.stored(z, "be/data/0", extract(archive, "be/data/0"));
        }
        Path file = write("be.pt", bos.toByteArray());

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("only little-endian");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static byte[] extract(byte[] zip, String entry) throws IOException {
        try (var z = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals(entry)) {
                    return z.readAllBytes();
                }
            }
        }
        throw new AssertionError("no entry " + entry);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
