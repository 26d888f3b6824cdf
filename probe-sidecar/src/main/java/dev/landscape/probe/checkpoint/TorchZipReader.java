package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a torch.save zip archive ({@code <root>/data.pkl} and {@code <root>/data/<key>}, the root folder named
 * anything) lying in {@code [start, end)} of a file. Storages are mapped in place, never copied. A data.pkl that
 * some tool re-compressed is inflated (it is small); compressed storages are refused, since they cannot be mapped.
 */
final class TorchZipReader {

    private TorchZipReader() {
    }

    static TorchPayload read(FileChannel ch, Path file, long start, long end, Reading r) throws IOException {
        ZipDirectory dir = ZipDirectory.read(ch, file, start, end, r.budget());
        List<ZipDirectory.Entry> pickles = dir.entries().values().stream()
                .filter(e -> e.name().equals("data.pkl") || e.name().endsWith("/data.pkl"))
                .filter(e -> e.name().indexOf('/') == e.name().lastIndexOf('/'))
                .toList();
        if (pickles.size() != 1) {
            throw new CheckpointException(file, start, pickles.isEmpty()
                    ? "zip archive has no <root>/data.pkl entry: not a torch.save file"
                    : "zip archive has " + pickles.size() + " data.pkl entries; expected one");
        }
        ZipDirectory.Entry pkl = pickles.get(0);
        String root = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        ZipDirectory.Entry order = dir.entries().get(root + "byteorder");
        if (order != null && order.method() == ZipDirectory.STORED && order.size() < 16) {
            String bo = StandardCharsets.US_ASCII.decode(ZipDirectory.readAt(ch, file, order.dataStart(), (int) order.size())).toString().trim();
            if (!bo.equals("little")) {
                throw new CheckpointException(file, order.dataStart(), "zip entry " + order.name() + " says \"" + bo
                        + "\": only little-endian torch.save files are supported");
            }
        }
        Map<String, StorageRegion> storages = new HashMap<>();
        String dataPrefix = root + "data/";
        for (ZipDirectory.Entry e : dir.entries().values()) {
            if (e.name().startsWith(dataPrefix) && e.name().length() > dataPrefix.length()) {
                storages.put(e.name().substring(dataPrefix.length()), region(ch, file, e));
            }
        }
        ByteBuffer pickle = pickleBytes(ch, file, pkl, r.budget());
        Object value = r.load(r.unpickler(pickle, file, "zip entry " + pkl.name(), pkl.dataStart(),
                new TorchReducer(r.budget())));
        return new TorchPayload(value, file, storages);
    }

    private static StorageRegion region(FileChannel ch, Path file, ZipDirectory.Entry e) {
        return new StorageRegion(ch, file, "zip entry " + e.name() + (e.method() == ZipDirectory.STORED ? "" : " (compressed)"),
                e.dataStart(), e.method() == ZipDirectory.STORED ? e.size() : -1);
    }

    private static ByteBuffer pickleBytes(FileChannel ch, Path file, ZipDirectory.Entry e, MemoryBudget budget)
            throws IOException {
        if (e.method() == ZipDirectory.STORED) {
            return ch.map(FileChannel.MapMode.READ_ONLY, e.dataStart(), e.size());
        }
        if (e.method() != ZipDirectory.DEFLATED) {
            throw new CheckpointException(file, e.dataStart(), "zip entry " + e.name() + " uses compression method "
                    + e.method() + "; torch.save writes entries uncompressed");
        }
        if (e.size() > budget.maxInflatedPickle() || e.compressedSize() > budget.maxInflatedPickle()) {
            throw new CheckpointException(file, e.dataStart(), "zip entry " + e.name() + " inflates to " + e.size()
                    + " bytes, over " + budget.describe(budget.maxInflatedPickle(), "bytes"));
        }
        byte[] in = new byte[(int) e.compressedSize()];
        ZipDirectory.readAt(ch, file, e.dataStart(), in.length).get(in);
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(in);
            byte[] out = new byte[(int) e.size()];
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int r = inf.inflate(out, n, out.length - n);
                if (r == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += r;
            }
            if (n != out.length) {
                throw new CheckpointException(file, e.dataStart(), "zip entry " + e.name() + " inflates to " + n
                        + " bytes, not the declared " + out.length);
            }
            return ByteBuffer.wrap(out);
        } catch (DataFormatException ex) {
            throw new CheckpointException(file, e.dataStart(), "zip entry " + e.name() + " is not valid deflate data: " + ex.getMessage());
        } finally {
            inf.end();
        }
    }
}
