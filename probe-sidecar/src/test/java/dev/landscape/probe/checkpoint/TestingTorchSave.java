package dev.landscape.probe.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test-only {@code torch.save} (zip layout): {@code <root>/data.pkl} with tensors as
 * {@code _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())}, one stored
 * {@code <root>/data/<key>} per tensor, plus {@code byteorder} and {@code version}, as torch 2.x writes them.
 */
final class TestingTorchSave {

    /** A contiguous tensor to save; {@code storageClass} is torch's name ({@code FloatStorage}, {@code LongStorage}...). */
    record TensorSpec(String storageClass, DType dtype, long[] shape, double[] values) {
        static TensorSpec f32(long[] shape, double... values) {
            return new TensorSpec("FloatStorage", DType.F32, shape, values);
        }

        static TensorSpec scalar(double v) {
            return new TensorSpec("FloatStorage", DType.F32, new long[0], new double[] {v});
        }
    }

    /** A view of {@code storage}'s values with its own offset, shape and strides (a slice, a transpose). */
    record ViewSpec(TensorSpec storage, long offset, long[] shape, long[] stride) {
    }

    private TestingTorchSave() {
    }

    static void save(Object value, Path file) throws IOException {
        Files.write(file, bytes(value, "archive"));
    }

    static byte[] bytes(Object value, String root) throws IOException {
        Map<String, byte[]> storages = new LinkedHashMap<>();
        TestingPickleWriter w = new TestingPickleWriter((writer, v) -> {
            ViewSpec view;
            if (v instanceof TensorSpec t) {
                view = new ViewSpec(t, 0, t.shape(), rowMajor(t.shape()));
            } else if (v instanceof ViewSpec vs) {
                view = vs;
            } else {
                return false;
            }
            TensorSpec t = view.storage();
            String key = Integer.toString(storages.size());
            storages.put(key, encode(t));
            writer.global("torch._utils", "_rebuild_tensor_v2").op('(');
            writer.op('(').string("storage").global("torch", t.storageClass()).string(key).string("cpu")
                    .integer(t.values().length).op('t').op('Q');
            writer.integer(view.offset()).value(longs(view.shape())).value(longs(view.stride())).op(0x89);
            writer.global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
            return true;
        });
        byte[] pickle = w.proto().value(value).stop().bytes();
        return zip(root, pickle, storages);
    }

    static byte[] zip(String root, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            stored(z, root + "/data.pkl", pickle);
            stored(z, root + "/byteorder", "little".getBytes());
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                stored(z, root + "/data/" + e.getKey(), e.getValue());
            }
            stored(z, root + "/version", "3\n".getBytes());
        }
        return bos.toByteArray();
    }

    static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    static long[] rowMajor(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = stride.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        return stride;
    }

    private static TestingPickleWriter.Tuple longs(long[] v) {
        Object[] items = new Object[v.length];
        for (int i = 0; i < v.length; i++) {
            items[i] = v[i];
        }
        return TestingPickleWriter.Tuple.of(items);
    }

    static byte[] encode(TensorSpec t) {
        ByteBuffer b = ByteBuffer.allocate(t.values().length * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : t.values()) {
            switch (t.dtype()) {
                case F32 -> b.putFloat((float) v);
                case F64 -> b.putDouble(v);
                case I64 -> b.putLong((long) v);
                case I32 -> b.putInt((int) v);
                default -> throw new IllegalArgumentException("test writer does not encode " + t.dtype());
            }
        }
        return b.array();
    }

    static void write(OutputStream out, byte[] b) throws IOException {
        out.write(b);
    }
}
