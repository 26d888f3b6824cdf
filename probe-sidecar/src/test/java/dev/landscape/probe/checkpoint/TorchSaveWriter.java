package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleWriter;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes {@code torch.save} files in the zip layout torch 2.x writes, for checkpoints that this project produces
 * itself: the embedded demo's {@code optimizer.pt} and the test layouts (HF Trainer, Lightning, DeepSpeed) that have
 * no public real files. The archive holds {@code <root>/data.pkl}, {@code .format_version}, {@code .storage_alignment},
 * {@code byteorder}, one stored {@code data/<key>} per tensor, {@code version} and {@code .data/serialization_id};
 * every record starts on a 64-byte boundary (padded through an {@code FB} extra field, as PyTorch's
 * {@code PyTorchStreamWriter} does) so that a reader can map storages in place. Tensors are pickled as
 * {@code torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())} with the
 * storage as {@code ('storage', torch.<Type>Storage, key, 'cpu', numel)}.
 *
 * <p>Values are {@link PickleWriter}'s plus {@link TensorSpec} (a contiguous tensor with its own storage),
 * {@link ViewSpec} (a strided view of one) and {@link LazyF32} (float32 values produced while the file is written,
 * for benchmark files larger than the heap). Test code: it ships in the sidecar's test-jar, not in the product.
 */
public final class TorchSaveWriter {

    /** Record alignment of torch's zip writer ({@code kFieldAlignment}). */
    static final int ALIGNMENT = 64;
    /**
     * torch writes no real timestamps (DOS time 0); a fixed one keeps saves reproducible here too. Not 1980-01-01
     * 00:00:00: Java reads that as "before 1980" and adds an extended-timestamp field that breaks the alignment.
     */
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0, 2);

    /**
     * A contiguous tensor to save.
     *
     * @param storageClass torch's storage type name ({@code FloatStorage}, {@code LongStorage}, ...)
     */
    public record TensorSpec(String storageClass, DType dtype, long[] shape, double[] values) {
        public static TensorSpec f32(long[] shape, double... values) {
            return new TensorSpec("FloatStorage", DType.F32, shape, values);
        }

        /** A 0-d float32 tensor, as torch ≥ 1.12 stores an optimizer's {@code step}. */
        public static TensorSpec scalar(double v) {
            return new TensorSpec("FloatStorage", DType.F32, new long[0], new double[] {v});
        }

        /** A tensor of {@code dtype} (F32, F64, I64 or I32) with torch's storage type for it. */
        public static TensorSpec of(DType dtype, long[] shape, double... values) {
            String storage = switch (dtype) {
                case F32 -> "FloatStorage";
                case F64 -> "DoubleStorage";
                case I64 -> "LongStorage";
                case I32 -> "IntStorage";
                default -> throw new IllegalArgumentException("writing " + dtype + " tensors is not supported");
            };
            return new TensorSpec(storage, dtype, shape, values);
        }
    }

    /** A view of {@code storage}'s values with its own offset, shape and strides (a slice, a transpose). */
    public record ViewSpec(TensorSpec storage, long offset, long[] shape, long[] stride) {
    }

    private TorchSaveWriter() {
    }

    /**
     * A float32 tensor too large to hold as doubles (benchmark data): {@code fill} puts its {@code numel} values,
     * little-endian, into the buffer it is given when the storage is written, so one tensor is in memory at a time.
     */
    public record LazyF32(long[] shape, Consumer<ByteBuffer> fill) {
    }

    /** A storage record's bytes, produced when the record is written. */
    private interface Storage {
        byte[] bytes();
    }

    /**
     * Saves {@code value} to {@code file} through a temporary sibling and an atomic rename; archive root "archive".
     * Streams: only the pickle and one storage at a time are held in memory.
     */
    public static void save(Object value, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            write(value, "archive", out);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The archive bytes of {@code value} under the folder name {@code root}. */
    public static byte[] bytes(Object value, String root) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        write(value, root, bos);
        return bos.toByteArray();
    }

    private static void write(Object value, String root, OutputStream out) throws IOException {
        Map<String, Storage> storages = new LinkedHashMap<>();
        PickleWriter w = new PickleWriter((writer, v) -> {
            ViewSpec view;
            if (v instanceof TensorSpec t) {
                view = new ViewSpec(t, 0, t.shape(), rowMajor(t.shape()));
            } else if (v instanceof ViewSpec vs) {
                view = vs;
            } else if (v instanceof LazyF32 lazy) {
                long n = numel(lazy.shape());
                String key = Integer.toString(storages.size());
                storages.put(key, () -> {
                    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
                    lazy.fill().accept(b);
                    return b.array();
                });
                rebuild(writer, "FloatStorage", key, n, 0, lazy.shape(), rowMajor(lazy.shape()));
                return true;
            } else {
                return false;
            }
            TensorSpec t = view.storage();
            String key = Integer.toString(storages.size());
            byte[] encoded = encode(t);
            storages.put(key, () -> encoded);
            rebuild(writer, t.storageClass(), key, t.values().length, view.offset(), view.shape(), view.stride());
            return true;
        });
        byte[] pickle = w.proto().value(value).stop().bytes();
        zip(root, pickle, storages, out);
    }

    /** {@code torch._utils._rebuild_tensor_v2(('storage', torch.<class>, key, 'cpu', numel), offset, shape, stride, False, OrderedDict())}. */
    private static void rebuild(PickleWriter writer, String storageClass, String key, long numel, long offset,
                                long[] shape, long[] stride) {
        writer.global("torch._utils", "_rebuild_tensor_v2").op('(');
        writer.op('(').string("storage").global("torch", storageClass).string(key).string("cpu")
                .integer(numel).op('t').op('Q');
        writer.integer(offset).value(longs(shape)).value(longs(stride)).op(0x89);
        writer.global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    }

    /** A torch zip archive around an already written pickle and its storages (keyed as the pickle names them). */
    public static byte[] zip(String root, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Map<String, Storage> eager = new LinkedHashMap<>();
        storages.forEach((key, data) -> eager.put(key, () -> data));
        zip(root, pickle, eager, bos);
        return bos.toByteArray();
    }

    private static void zip(String root, byte[] pickle, Map<String, Storage> storages, OutputStream out) throws IOException {
        Counting counted = new Counting(out);
        try (ZipOutputStream z = new ZipOutputStream(counted)) {
            aligned(z, counted, root + "/data.pkl", pickle);
            aligned(z, counted, root + "/.format_version", ascii("1"));
            aligned(z, counted, root + "/.storage_alignment", ascii(Integer.toString(ALIGNMENT)));
            aligned(z, counted, root + "/byteorder", ascii("little"));
            for (Map.Entry<String, Storage> e : storages.entrySet()) {
                aligned(z, counted, root + "/data/" + e.getKey(), e.getValue().bytes());
            }
            aligned(z, counted, root + "/version", ascii("3\n"));
            aligned(z, counted, root + "/.data/serialization_id", serializationId(pickle));
        }
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Adds an uncompressed entry, as torch stores every record (no alignment padding). */
    public static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        z.putNextEntry(entry(name, data, null));
        z.write(data);
        z.closeEntry();
    }

    /** Row-major (C-contiguous) strides of {@code shape}. */
    public static long[] rowMajor(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = stride.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        return stride;
    }

    /** The little-endian storage bytes of {@code t}. */
    public static byte[] encode(TensorSpec t) {
        ByteBuffer b = ByteBuffer.allocate(t.values().length * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : t.values()) {
            switch (t.dtype()) {
                case F32 -> b.putFloat((float) v);
                case F64 -> b.putDouble(v);
                case I64 -> b.putLong((long) v);
                case I32 -> b.putInt((int) v);
                default -> throw new IllegalArgumentException("writing " + t.dtype() + " tensors is not supported");
            }
        }
        return b.array();
    }

    /**
     * Writes {@code data} so that it starts on a multiple of {@link #ALIGNMENT} in the archive. Only stored entries
     * are written, so everything goes straight through to {@code out} once the zip stream is flushed, and its count
     * is the current offset.
     */
    private static void aligned(ZipOutputStream z, Counting out, String name, byte[] data) throws IOException {
        z.flush();
        int nameLength = name.getBytes(StandardCharsets.UTF_8).length;
        long headerEnd = out.count + 30 + nameLength + 4;
        int pad = (int) ((ALIGNMENT - headerEnd % ALIGNMENT) % ALIGNMENT);
        byte[] extra = new byte[4 + pad];
        ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'F').put((byte) 'B').putShort((short) pad);
        java.util.Arrays.fill(extra, 4, extra.length, (byte) 'Z');
        z.putNextEntry(entry(name, data, extra));
        z.write(data);
        z.closeEntry();
    }

    private static ZipEntry entry(String name, byte[] data, byte[] extra) {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTimeLocal(FIXED_TIME);
        if (extra != null) {
            e.setExtra(extra);
        }
        return e;
    }

    /** torch writes a 40-digit decimal id; derived from the content here so that equal saves give equal files. */
    private static byte[] serializationId(byte[] pickle) {
        CRC32 crc = new CRC32();
        crc.update(pickle);
        return ascii(String.format("%040d", crc.getValue()));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static PickleWriter.Tuple longs(long[] v) {
        Object[] items = new Object[v.length];
        for (int i = 0; i < v.length; i++) {
            items[i] = v[i];
        }
        return PickleWriter.Tuple.of(items);
    }

    /** Counts the bytes written, so that each entry's data offset is known before its header is written. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
