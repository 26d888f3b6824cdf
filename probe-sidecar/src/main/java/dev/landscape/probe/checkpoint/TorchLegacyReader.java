package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.Unpickler;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the pre-1.6 torch.save format ({@code _use_new_zipfile_serialization=False}): five pickles in a row
 * (magic number, protocol version, sys info, the object, the sorted storage keys), then each storage as an 8-byte
 * little-endian element count followed by its raw elements. Storage positions are found by walking those counts;
 * nothing is read into memory.
 */
final class TorchLegacyReader {

    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** The first bytes of every legacy file: PROTO 2, LONG1 of 10 bytes, the magic number little-endian. */
    static final byte[] PREFIX = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final long PROTOCOL_VERSION = 1001;

    private TorchLegacyReader() {
    }

    static boolean hasMagic(FileChannel ch) throws IOException {
        if (ch.size() < PREFIX.length) {
            return false;
        }
        ByteBuffer b = ZipDirectory.readAt(ch, null, 0, PREFIX.length);
        for (byte p : PREFIX) {
            if (b.get() != p) {
                return false;
            }
        }
        return true;
    }

    static TorchPayload read(FileChannel ch, Path file, Reading r) throws IOException {
        long size = ch.size();
        ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE));
        long pos = 0;
        Unpickler u = unpickler(r, all, pos, file, "magic number pickle", new TorchReducer(r.budget()));
        Object magic = r.load(u);
        if (!MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
            throw new CheckpointException(file, 0, "not a legacy torch.save file: bad magic number");
        }
        pos += u.consumed();
        u = unpickler(r, all, pos, file, "protocol version pickle", new TorchReducer(r.budget()));
        Object version = r.load(u);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(version)) {
            throw new CheckpointException(file, pos, "legacy torch.save protocol version " + version + " is not the supported " + PROTOCOL_VERSION);
        }
        pos += u.consumed();
        u = unpickler(r, all, pos, file, "sys_info pickle", new TorchReducer(r.budget()));
        Object sysInfo = r.load(u);
        if (sysInfo instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian"))) {
            throw new CheckpointException(file, pos, "file was written on a big-endian machine; only little-endian is supported");
        }
        pos += u.consumed();
        TorchReducer reducer = new TorchReducer(r.budget());
        u = unpickler(r, all, pos, file, "object pickle", reducer);
        Object root = r.load(u);
        pos += u.consumed();
        long keysAt = pos;
        u = unpickler(r, all, pos, file, "storage key pickle", new TorchReducer(r.budget()));
        Object keys = r.load(u);
        pos += u.consumed();
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(file, keysAt, "storage key pickle is not a list");
        }
        Map<String, StorageRegion> storages = new HashMap<>();
        for (Object k : keyList) {
            String key = String.valueOf(k);
            DType dtype = reducer.storageDtypes().get(key);
            if (dtype == null) {
                throw new CheckpointException(file, pos, "storage " + key + " is listed but no tensor uses it");
            }
            if (pos + 8 > size) {
                throw new CheckpointException(file, pos, "storage " + key + ": element count runs past the end of the file (truncated?)");
            }
            long numel = ZipDirectory.readAt(ch, file, pos, 8).getLong();
            long bytes;
            try {
                bytes = Math.multiplyExact(numel, dtype.byteSize());
            } catch (ArithmeticException e) {
                bytes = -1;
            }
            if (numel < 0 || bytes < 0 || bytes > size - pos - 8) {
                throw new CheckpointException(file, pos, "storage " + key + ": " + numel + " elements of " + dtype
                        + " run past the end of the " + size + "-byte file (truncated?)");
            }
            storages.put(key, new StorageRegion(ch, file, "legacy storage " + key, pos + 8, bytes));
            pos += 8 + bytes;
        }
        return new TorchPayload(root, file, storages);
    }

    private static Unpickler unpickler(Reading r, ByteBuffer all, long pos, Path file, String what,
                                       TorchReducer reducer) throws CheckpointException {
        if (pos >= all.limit()) {
            throw new CheckpointException(file, pos, "the " + what + " is missing (truncated?)");
        }
        return r.unpickler(all.duplicate().position((int) pos), file, what, pos, reducer);
    }
}
