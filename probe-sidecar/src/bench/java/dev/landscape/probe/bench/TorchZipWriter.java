package dev.landscape.probe.bench;

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
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A {@code torch.save} zip as torch 2.x lays it out (root folder, {@code data.pkl}, {@code data/<key>} storages,
 * {@code version}, {@code byteorder}; every entry STORED and every storage 64-byte aligned through an extra-field
 * pad), holding an OrderedDict of F32 tensors. Only for benchmark data: the pickle uses the opcodes real files use.
 */
final class TorchZipWriter {

    private TorchZipWriter() {
    }

    static Path write(Path file, int tensors, long elementsPerTensor, int columns) throws IOException {
        long rows = elementsPerTensor / columns;
        if (Files.isRegularFile(file) && Files.size(file) > (long) tensors * elementsPerTensor * 4) {
            return file;
        }
        String root = "f32/";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        BenchData.Values values = new BenchData.Values(12345);
        long total = (long) tensors * elementsPerTensor;
        try (Counting counting = new Counting(Files.newOutputStream(tmp)); ZipOutputStream zip = new ZipOutputStream(counting)) {
            stored(zip, counting, root + "data.pkl", pickle(tensors, rows, columns));
            byte[] storage = new byte[Math.toIntExact(elementsPerTensor * 4)];
            ByteBuffer le = ByteBuffer.wrap(storage).order(ByteOrder.LITTLE_ENDIAN);
            long index = 0;
            for (int t = 0; t < tensors; t++) {
                le.clear();
                for (long i = 0; i < elementsPerTensor; i++) {
                    le.putFloat(values.next(index++, total));
                }
                stored(zip, counting, root + "data/" + t, storage);
            }
            stored(zip, counting, root + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, counting, root + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** A STORED entry whose data starts on a 64-byte boundary, padded with an extra field as torch's writer does. */
    private static void stored(ZipOutputStream zip, Counting out, String name, byte[] data) throws IOException {
        zip.flush();
        int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
        long dataStart = out.count + 30 + nameLen + 4;
        int pad = (int) ((64 - dataStart % 64) % 64);
        byte[] extra = new byte[4 + pad];
        ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x4246).putShort((short) pad);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** {@code OrderedDict(name -> torch._utils._rebuild_tensor_v2(storage, 0, (rows, columns), (columns, 1), False, OrderedDict()))}. */
    private static byte[] pickle(int tensors, long rows, int columns) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        global(p, "collections", "OrderedDict");
        p.write(')');
        p.write('R');
        p.write('(');
        for (int t = 0; t < tensors; t++) {
            unicode(p, "model.layers." + t + ".weight");
            global(p, "torch._utils", "_rebuild_tensor_v2");
            p.write('(');
            p.write('(');
            unicode(p, "storage");
            global(p, "torch", "FloatStorage");
            unicode(p, Integer.toString(t));
            unicode(p, "cpu");
            binint(p, Math.toIntExact(rows * columns));
            p.write('t');
            p.write('Q');
            binint(p, 0);
            binint(p, Math.toIntExact(rows));
            binint(p, columns);
            p.write(0x86);
            binint(p, columns);
            binint(p, 1);
            p.write(0x86);
            p.write(0x89);
            global(p, "collections", "OrderedDict");
            p.write(')');
            p.write('R');
            p.write('t');
            p.write('R');
        }
        p.write('u');
        p.write('.');
        return p.toByteArray();
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
        p.writeBytes(("c" + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }

    private static void binint(ByteArrayOutputStream p, int v) {
        p.write('J');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    /** Counts bytes so that each entry's data offset is known before its header is written. */
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
