package dev.landscape.probe.bench;

import dev.landscape.probe.checkpoint.CheckpointFormat;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.TorchSaveWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the benchmark's 1 GiB checkpoints: 16 tensors of 64 MiB each, roughly normal values, and three non-finite
 * elements (so the NaN/Inf path is exercised, as in a real diverging run). Streams in 8 MiB chunks, so it needs no
 * large heap. Files that already exist with the right size are kept.
 *
 * <p>Usage: {@code BenchData DIR} prints one line per file: {@code NAME PATH NONFINITE}, or {@code NAME skipped WHY}.
 */
public final class BenchData {

    static final long BYTES = 1L << 30;
    static final int TENSORS = 16;
    static final int COLUMNS = 4096;

    private BenchData() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench-data"));
        System.out.println("f32 " + safetensors(dir.resolve("f32.safetensors"), "F32", 4) + " 3");
        System.out.println("bf16 " + safetensors(dir.resolve("bf16.safetensors"), "BF16", 2) + " 3");
        boolean torchZip = CheckpointFormats.standard().formats().stream().map(CheckpointFormat::name).anyMatch("torch-zip"::equals);
        if (torchZip) {
            System.out.println("torch-zip " + torchZip(dir.resolve("f32.pt")) + " 3");
        } else {
            System.out.println("torch-zip skipped: this build's format registry has no torch-zip reader yet");
        }
    }

    /**
     * The same values as {@code f32.safetensors} in a {@code torch.save} zip (16 F32 tensors of 64 MiB, STORED and
     * 64-byte aligned as torch 2.x writes them), saved by the test kit's {@link TorchSaveWriter} one tensor at a time.
     */
    static Path torchZip(Path file) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) > BYTES) {
            return file;
        }
        long perTensor = BYTES / TENSORS / 4;
        long total = TENSORS * perTensor;
        Values values = new Values(12345);
        long[] index = {0};
        Map<String, Object> stateDict = new LinkedHashMap<>();
        for (int t = 0; t < TENSORS; t++) {
            stateDict.put("model.layers." + t + ".weight", new TorchSaveWriter.LazyF32(new long[] {perTensor / COLUMNS, COLUMNS}, b -> {
                while (b.hasRemaining()) {
                    b.putFloat(values.next(index[0]++, total));
                }
            }));
        }
        TorchSaveWriter.save(stateDict, file);
        return file;
    }

    static Path safetensors(Path file, String dtype, int elementBytes) throws IOException {
        long perTensor = BYTES / TENSORS;
        StringBuilder h = new StringBuilder("{");
        for (int t = 0; t < TENSORS; t++) {
            long rows = perTensor / elementBytes / COLUMNS;
            h.append(t == 0 ? "" : ",").append("\"model.layers.").append(t).append(".weight\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":[").append(rows).append(',').append(COLUMNS).append("],\"data_offsets\":[")
                    .append(t * perTensor).append(',').append((t + 1) * perTensor).append("]}");
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.US_ASCII);
        long size = 8 + header.length + BYTES;
        if (Files.isRegularFile(file) && Files.size(file) == size) {
            return file;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            while (head.hasRemaining()) {
                ch.write(head);
            }
            Values values = new Values(12345);
            ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long elements = BYTES / elementBytes;
            for (long i = 0; i < elements; i++) {
                float v = values.next(i, elements);
                if (elementBytes == 4) {
                    buf.putFloat(v);
                } else {
                    buf.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                }
                if (!buf.hasRemaining()) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    buf.clear();
                }
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Approximately N(0, 0.02²) like freshly initialised weights; NaN, +Inf and -Inf at fixed places. */
    static final class Values {
        private long state;

        Values(long seed) {
            this.state = seed;
        }

        float next(long index, long count) {
            if (index == count / 3) {
                return Float.NaN;
            }
            if (index == count / 2) {
                return Float.POSITIVE_INFINITY;
            }
            if (index == count - 7) {
                return Float.NEGATIVE_INFINITY;
            }
            long s = state;
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            state = s;
            // sum of four 16-bit uniforms: Irwin-Hall, close enough to normal for a benchmark
            long u = (s & 0xFFFF) + ((s >>> 16) & 0xFFFF) + ((s >>> 32) & 0xFFFF) + ((s >>> 48) & 0xFFFF);
            return (float) ((u / 65536.0 - 2.0) * 0.0346);
        }
    }
}
