package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip archive that lies anywhere inside a file: torch.save archives are whole files,
 * but torch.distributed.checkpoint embeds one per tensor chunk inside its {@code .distcp} files, which
 * {@link java.util.zip.ZipFile} cannot open. torch writes entries uncompressed, so each entry's data is a byte
 * range of the file that can be mapped; the range is checked against the archive before it is used. ZIP64 is read.
 * Its 64-bit sizes and offsets are attacker-chosen, so every bound is checked by subtraction from a position known
 * to lie in the file, never by adding to one (0x7FFF…F0 + anything wraps negative and would pass).
 */
final class ZipDirectory {

    static final int STORED = 0;
    static final int DEFLATED = 8;
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;

    /** One entry: where its (possibly compressed) data lies in the file. */
    record Entry(String name, int method, long dataStart, long compressedSize, long size) {
    }

    private final Path file;
    private final Map<String, Entry> entries;

    private ZipDirectory(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    Path file() {
        return file;
    }

    static boolean hasZipSignature(FileChannel ch, long start) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        if (ch.size() - start < 4) {
            return false;
        }
        ch.read(b, start);
        return b.flip().remaining() == 4 && b.getInt() == LOC_SIG;
    }

    /** Reads the directory of the archive occupying {@code [start, end)} of {@code ch}. */
    static ZipDirectory read(FileChannel ch, Path file, long start, long end, MemoryBudget budget) throws IOException {
        long length = end - start;
        if (length < 22) {
            throw new CheckpointException(file, start, "a " + length + "-byte region is too small to be a zip archive");
        }
        int tail = (int) Math.min(length, 22 + 0xFFFF);
        ByteBuffer t = readAt(ch, file, end - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (t.getInt(i) == EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(file, end - tail, "no zip end-of-central-directory record in the last "
                    + tail + " bytes (truncated, or not a zip archive)");
        }
        long eocdPos = end - tail + eocd;
        long count = t.getShort(eocd + 10) & 0xFFFF;
        long cdSize = t.getInt(eocd + 12) & 0xFFFFFFFFL;
        long cdOffset = t.getInt(eocd + 16) & 0xFFFFFFFFL;
        long cdEnd = eocdPos;
        boolean needs64 = count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL;
        if (eocd >= 20 && t.getInt(eocd - 20) == ZIP64_LOCATOR_SIG) {
            // torch always writes the ZIP64 records (between the directory and the end record), needed or not.
            long z64Offset = t.getLong(eocd - 20 + 8);
            long z64 = start + z64Offset;
            if (z64Offset < 0 || z64Offset > eocdPos - 20 - 56 - start
                    || readAt(ch, file, z64, 4).getInt(0) != ZIP64_EOCD_SIG) {
                z64 = eocdPos - 20 - 56;
            }
            ByteBuffer z = z64 >= start ? readAt(ch, file, z64, 56) : null;
            if (z == null || z.getInt(0) != ZIP64_EOCD_SIG) {
                throw new CheckpointException(file, eocdPos, "zip ZIP64 locator points to no ZIP64 end record (corrupt)");
            }
            if (needs64) {
                count = z.getLong(32);
                cdSize = z.getLong(40);
                cdOffset = z.getLong(48);
            }
            cdEnd = z64;
        } else if (needs64) {
            throw new CheckpointException(file, eocdPos, "zip archive needs ZIP64 but has no ZIP64 locator");
        }
        if (count < 0 || cdSize < 0 || cdSize > length || cdOffset < 0) {
            throw new CheckpointException(file, eocdPos, "zip directory declares " + count + " entries in "
                    + cdSize + " bytes at offset " + cdOffset + " (corrupt)");
        }
        if (count > budget.maxZipEntries() || cdSize > budget.maxMetadataBytes()) {
            throw new CheckpointException(file, eocdPos, "zip directory of " + count + " entries in " + cdSize
                    + " bytes is larger than " + (count > budget.maxZipEntries()
                    ? budget.describe(budget.maxZipEntries(), "entries") : budget.describe(budget.maxMetadataBytes(), "bytes")));
        }
        if (cdOffset > cdEnd - cdSize) {
            throw new CheckpointException(file, eocdPos, "zip central directory [" + cdOffset + ", +" + cdSize
                    + ") lies outside the archive (truncated or corrupt)");
        }
        // Where offset 0 lies: the archive's start, later when data was prepended (as java.util.zip allows), or the
        // file's start when a writer embedding an archive recorded absolute offsets.
        long base = cdEnd - cdSize - cdOffset;
        long cdStart = base + cdOffset;
        if (base < 0 || cdStart < start || cdSize > end - cdStart) {
            throw new CheckpointException(file, eocdPos, "zip central directory [" + cdOffset + ", +" + cdSize
                    + ") lies outside the archive (truncated or corrupt)");
        }
        ByteBuffer cd = readAt(ch, file, cdStart, (int) cdSize);
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CEN_SIG) {
                throw new CheckpointException(file, cdStart + p, "zip central directory entry " + i + " is corrupt");
            }
            int method = cd.getShort(p + 10) & 0xFFFF;
            long csize = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long usize = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long local = cd.getInt(p + 42) & 0xFFFFFFFFL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw new CheckpointException(file, cdStart + p, "zip central directory entry " + i + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xFFFF;
                int sz = cd.getShort(x + 2) & 0xFFFF;
                if (x + 4 + sz > xEnd) {
                    throw new CheckpointException(file, cdStart + x, "zip entry " + name + ": extra field 0x"
                            + Integer.toHexString(id) + " of " + sz + " bytes runs past the entry's " + extraLen
                            + " bytes of extra fields (corrupt)");
                }
                if (id == 0x0001) {
                    int f = x + 4;
                    if (usize == 0xFFFFFFFFL && f + 8 <= x + 4 + sz) {
                        usize = cd.getLong(f);
                        f += 8;
                    }
                    if (csize == 0xFFFFFFFFL && f + 8 <= x + 4 + sz) {
                        csize = cd.getLong(f);
                        f += 8;
                    }
                    if (local == 0xFFFFFFFFL && f + 8 <= x + 4 + sz) {
                        local = cd.getLong(f);
                    }
                }
                x += 4 + sz;
            }
            p += 46 + nameLen + extraLen + commentLen;
            if (local < 0 || local > cdStart - 30 - base || base + local < start) {
                throw new CheckpointException(file, cdStart, "zip entry " + name + ": local header offset " + local
                        + " lies outside the archive");
            }
            long localPos = base + local;
            ByteBuffer lh = readAt(ch, file, localPos, 30);
            if (lh.getInt(0) != LOC_SIG) {
                throw new CheckpointException(file, localPos, "zip entry " + name + ": bad local header signature");
            }
            long dataStart = localPos + 30 + (lh.getShort(26) & 0xFFFF) + (lh.getShort(28) & 0xFFFF);
            if (csize < 0 || usize < 0 || dataStart > cdStart || csize > cdStart - dataStart) {
                throw new CheckpointException(file, dataStart, "zip entry " + name + ": its " + csize
                        + " bytes of data run past the archive's data (truncated or corrupt)");
            }
            if (method == STORED && csize != usize) {
                throw new CheckpointException(file, localPos, "zip entry " + name + ": stored entry with compressed size "
                        + csize + " but size " + usize);
            }
            out.put(name, new Entry(name, method, dataStart, csize, usize));
        }
        return new ZipDirectory(file, out);
    }

    static ByteBuffer readAt(FileChannel ch, Path file, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        long p = pos;
        while (b.hasRemaining()) {
            int r = ch.read(b, p);
            if (r < 0) {
                throw new CheckpointException(file, p, "unexpected end of file (truncated?)");
            }
            p += r;
        }
        return b.flip();
    }
}
