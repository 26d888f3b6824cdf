package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.GlobalAllowlist;
import dev.landscape.probe.inspect.InspectReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The four fuzz targets of issue 17, one static method each, shared by {@code CheckpointFuzzTest} (Jazzer's JUnit
 * integration, a few seconds each inside {@code mvn verify}) and bench/fuzz.sh (Jazzer's standalone driver, a
 * million executions each, through the {@code *Target} classes below). The invariant is the readers' one promise
 * about untrusted bytes: a value or a {@link CheckpointException}, nothing else — any other exception, an Error
 * (out of memory, stack overflow) or a hang is a finding.
 *
 * <p>They read under the budget of a 64 MiB heap, so that inputs of up to 1 MiB reach the limits.
 */
public final class FuzzTargets {

    static final ReadPolicy POLICY = new ReadPolicy(MemoryBudget.forHeap(64L << 20), GlobalAllowlist.STANDARD);
    private static final Path NAME = Path.of("fuzz-input");
    private static Path scratch;

    private FuzzTargets() {
    }

    /** A safetensors file in memory: the 8-byte length, the JSON header parsed, the rest as the data section. */
    public static void safetensorsHeader(byte[] file) {
        if (file.length < 8) {
            return;
        }
        long declared = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int headerLen = declared <= 0 || declared > file.length - 8 ? file.length - 8 : (int) declared;
        byte[] json = Arrays.copyOfRange(file, 8, 8 + headerLen);
        try {
            SafetensorsHeaderParser.parse(NAME, json, file.length - 8L - headerLen, POLICY.start());
        } catch (CheckpointException expected) {
            // the only acceptable failure
        }
    }

    /** A zip archive (or any bytes) whose central directory is read, in memory. */
    public static void zipDirectory(byte[] archive) {
        try (BytesChannel ch = new BytesChannel(archive)) {
            ZipDirectory.read(ch, NAME, 0, archive.length, POLICY.budget());
        } catch (CheckpointException expected) {
            // the only acceptable failure
        } catch (IOException e) {
            throw new UncheckedIOException("not a CheckpointException", e);
        }
    }

    /** A pickle run by the unpickler with torch's reducer, as data.pkl is. */
    public static void pickle(byte[] pickle) {
        Reading r = POLICY.start();
        try {
            r.load(r.unpickler(ByteBuffer.wrap(pickle), NAME, "fuzz", 0, new TorchReducer(POLICY.budget())));
        } catch (CheckpointException expected) {
            // the only acceptable failure
        }
    }

    /**
     * A whole {@code .pt} file (torch.save zip or legacy) opened through the format registry and every tensor read,
     * as {@code inspect} does. Written to one scratch file (in /dev/shm where there is one) and read back.
     */
    public static void torchFile(byte[] file) {
        try {
            Path f = scratch();
            Files.write(f, file);
            try (Checkpoint cp = CheckpointFormats.standard(POLICY).open(f)) {
                InspectReport.of(cp);
            } catch (CheckpointException expected) {
                // the only acceptable failure
            }
        } catch (CheckpointException expected) {
            // thrown by close(): still a checkpoint problem
        } catch (IOException e) {
            throw new UncheckedIOException("not a CheckpointException", e);
        }
    }

    private static synchronized Path scratch() throws IOException {
        if (scratch == null) {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "landscape-fuzz") : Files.createTempDirectory("landscape-fuzz");
            dir.toFile().deleteOnExit();
            scratch = dir.resolve("fuzz.pt");
            scratch.toFile().deleteOnExit();
        }
        return scratch;
    }

    /** bench/fuzz.sh's entry points: Jazzer's standalone driver calls {@code fuzzerTestOneInput}. */
    public static final class SafetensorsHeaderTarget {
        public static void fuzzerTestOneInput(byte[] data) {
            safetensorsHeader(data);
        }
    }

    public static final class ZipDirectoryTarget {
        public static void fuzzerTestOneInput(byte[] data) {
            zipDirectory(data);
        }
    }

    public static final class PickleTarget {
        public static void fuzzerTestOneInput(byte[] data) {
            pickle(data);
        }
    }

    public static final class TorchFileTarget {
        public static void fuzzerTestOneInput(byte[] data) {
            torchFile(data);
        }
    }
}
