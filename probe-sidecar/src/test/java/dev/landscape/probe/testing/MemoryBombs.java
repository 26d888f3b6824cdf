package dev.landscape.probe.testing;

import dev.landscape.probe.checkpoint.TorchSaveWriter;
import dev.landscape.probe.checkpoint.pickle.PickleWriter;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The memory bombs of issue 17, generated: small files that made the analyser hold gigabytes, each now refused
 * by a {@link dev.landscape.probe.checkpoint.MemoryBudget} limit. Used in-process with a 128 MiB budget
 * ({@code MemoryBudgetTest}) and by the packaged jar at {@code -Xmx128m} ({@code MemoryBombJarIT}).
 */
public final class MemoryBombs {

    /** A bomb: what it is, and the file name it is written under. */
    public record Bomb(String name, String fileName) {
    }

    public static final Bomb LONG_KEY = new Bomb("one tensor under a 65,000-character key, 200,000 times",
            "long-key.pt");
    public static final Bomb INFLATE = new Bomb("a 195 KB zip whose data.pkl inflates to 200 MB",
            "inflate.pt");
    public static final Bomb DIMENSIONS = new Bomb("a safetensors shape of 40 million dimensions",
            "dims.safetensors");
    public static final Bomb TINY_TENSORS = new Bomb("1 million tiny tensors in a safetensors header",
            "tiny.safetensors");
    public static final Bomb TENSOR_LIST = new Bomb("1 million references to one tensor in a torch list",
            "tensor-list.pt");
    public static final Bomb ZIP64_WRAP = new Bomb("a ZIP64 size of 0x7FFFFFFFFFFFFFF0 that wrapped an offset check",
            "zip64.pt");

    public static final Map<Bomb, Writer> ALL = new LinkedHashMap<>();

    static {
        ALL.put(LONG_KEY, MemoryBombs::longKey);
        ALL.put(INFLATE, MemoryBombs::inflate);
        ALL.put(DIMENSIONS, MemoryBombs::dimensions);
        ALL.put(TINY_TENSORS, MemoryBombs::tinyTensors);
        ALL.put(TENSOR_LIST, MemoryBombs::tensorList);
        ALL.put(ZIP64_WRAP, MemoryBombs::zip64Wrap);
    }

    /** Writes one bomb to a file. */
    public interface Writer {
        void write(Path file) throws IOException;
    }

    private MemoryBombs() {
    }

    /** One {@code java -Xmx128m -jar JAR inspect FILE}: whether it ended in time, its exit code, stderr, wall seconds. */
    public record JarRun(boolean ended, int exit, String err, double seconds) {
    }

    /** The sidecar's heap: what the webhook gives the container ({@code -Xmx128m}). */
    public static final String SIDECAR_HEAP = "-Xmx128m";

    /**
     * Runs {@code inspect} on {@code file} with the packaged jar at the sidecar's heap, as users run it; a run
     * that has not ended after {@code limit} is killed ({@code ended} false).
     */
    public static JarRun inspect(Path jar, Path file, Duration limit) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path errFile = Files.createTempFile("landscape-inspect", ".err");
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(javaBin.toString(), SIDECAR_HEAP, "-jar", jar.toString(), "inspect", file.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile()).start();
            boolean ended = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!ended) {
                p.destroyForcibly().waitFor();
            }
            return new JarRun(ended, p.exitValue(), Files.readString(errFile), seconds);
        } finally {
            Files.delete(errFile);
        }
    }

    /** Writes {@code bomb} into {@code dir}; returns the file. */
    public static Path write(Bomb bomb, Path dir) throws IOException {
        Path file = dir.resolve(bomb.fileName());
        ALL.get(bomb).write(file);
        return file;
    }

    /** {@code [{key: t}] * 200_000} with one 65,000-character key and one tensor, all by memo reference: ~1 MB. */
    static void longKey(Path file) throws IOException {
        PickleWriter w = new PickleWriter().proto().op(']').op('}').string("k".repeat(65_000));
        tensor(w).op('s').op('r').raw(le32(0)).op('a');
        Files.write(file, TorchSaveWriter.zip("bomb", appendRefs(w, 200_000 - 1).stop().bytes(), Map.of("0", new byte[4])));
    }

    /** {@code [t] * 1_000_000}: one tensor, a million names. */
    static void tensorList(Path file) throws IOException {
        PickleWriter w = new PickleWriter().proto().op(']');
        tensor(w).op('r').raw(le32(0)).op('a');
        Files.write(file, TorchSaveWriter.zip("bomb", appendRefs(w, 1_000_000 - 1).stop().bytes(), Map.of("0", new byte[4])));
    }

    /** Appends {@code n} references to memo 0 to the list on top, 1000 per APPENDS as CPython's pickler batches. */
    private static PickleWriter appendRefs(PickleWriter w, int n) {
        for (int done = 0; done < n; ) {
            w.op('(');
            for (int i = 0; i < 1000 && done < n; i++, done++) {
                w.op('j').raw(le32(0));
            }
            w.op('e');
        }
        return w;
    }

    /** A float32 tensor of one element on storage "0", as torch.save writes it. */
    private static PickleWriter tensor(PickleWriter w) {
        w.global("torch._utils", "_rebuild_tensor_v2").op('(');
        w.op('(').string("storage").global("torch", "FloatStorage").string("0").string("cpu").integer(1).op('t').op('Q');
        w.integer(0).op('(').integer(1).op('t').op('(').integer(1).op('t').op(0x89);
        return w.global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    }

    /** data.pkl deflated: a pickle holding 200 MiB of zero bytes, compressed to about 200 KB. */
    static void inflate(Path file) throws IOException {
        int size = 200 << 20;
        try (ZipOutputStream z = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            z.setLevel(9);
            z.putNextEntry(new ZipEntry("bomb/data.pkl"));
            ByteBuffer head = ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN);
            head.put((byte) 0x80).put((byte) 2).put((byte) 'B').putInt(size - 8);
            z.write(head.array());
            byte[] zeros = new byte[1 << 20];
            for (long left = size - 8; left > 0; left -= zeros.length) {
                z.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            z.write('.');
            z.closeEntry();
        }
    }

    /** {@code {"t": {"dtype": "F32", "shape": [1, 1, ... 40 million], "data_offsets": [0, 4]}}}: an 80 MB header. */
    static void dimensions(Path file) throws IOException {
        String head = "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4],\"shape\":[1";
        String tail = "]}}";
        long headerLen = head.length() + 2L * (40_000_000 - 1) + tail.length();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(le64(headerLen));
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] more = ",1".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
            for (long left = 40_000_000 - 1; left > 0; left -= 1 << 16) {
                out.write(more, 0, (int) (2 * Math.min(1 << 16, left)));
            }
            out.write(tail.getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[4]);
        }
    }

    /** A million one-byte tensors: a 60 MB header. */
    static void tinyTensors(Path file) throws IOException {
        StringBuilder header = new StringBuilder(64 << 20).append('{');
        for (int i = 0; i < 1_000_000; i++) {
            header.append(i > 0 ? ",\"t" : "\"t").append(i).append("\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[")
                    .append(i).append(',').append(i + 1).append("]}");
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(le64(json.length));
            out.write(json);
            out.write(new byte[1_000_000]);
        }
    }

    /**
     * A valid-looking torch zip whose data.pkl central-directory entry says, in its ZIP64 extra field, that it is
     * 0x7FFFFFFFFFFFFFF0 bytes long: data start + that size wraps negative and passed a bounds check.
     */
    static void zip64Wrap(Path file) throws IOException {
        byte[] pickle = PickleWriter.pickle(Map.of("a", 1L));
        byte[] name = "bomb/data.pkl".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0)
                .putInt(pickle.length).putInt(pickle.length).putShort((short) name.length).putShort((short) 0)
                .put(name).put(pickle);
        int cd = b.position();
        b.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                .putInt(0).putInt(0).putInt(-1).putInt(-1).putShort((short) name.length).putShort((short) 20)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).put(name)
                .putShort((short) 1).putShort((short) 16).putLong(0x7FFFFFFFFFFFFFF0L).putLong(0x7FFFFFFFFFFFFFF0L);
        int cdSize = b.position() - cd;
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1)
                .putInt(cdSize).putInt(cd).putShort((short) 0);
        Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
    }

    private static byte[] le32(int v) {
        return PickleWriter.le32(v);
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
