package dev.landscape.probe.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes safetensors files the way {@code safetensors.torch.save_file} does (header padded with spaces to 8 bytes,
 * tensors in insertion order), through a temporary file and an atomic rename so that a watcher never sees a
 * half-written checkpoint. Used by the embedded demo's trainer, the tests and the benchmarks.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(DType dtype, long[] shape, double[] values) {
    }

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /**
     * Adds a tensor; {@code values} are rounded to {@code dtype} (F64, F32 or BF16) or, for I64 (class targets of an
     * eval batch), must be whole numbers within ±2^53.
     */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, double[] values) {
        long n = new TensorInfo(name, TensorInfo.MODEL, dtype, shape).numel();
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape holds " + n + " elements, got " + values.length);
        }
        if (dtype != DType.F64 && dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.I64) {
            throw new IllegalArgumentException(name + ": writing " + dtype + " is not supported");
        }
        if (dtype == DType.I64) {
            for (double v : values) {
                if (v != Math.rint(v) || Math.abs(v) > 0x1p53) {
                    throw new IllegalArgumentException(name + ": " + v + " is not an integer an I64 tensor can hold exactly");
                }
            }
        }
        tensors.put(name, new Pending(dtype, shape.clone(), values));
        return this;
    }

    public SafetensorsWriter add(String name, long[] shape, double[] values) {
        return add(name, DType.F32, shape, values);
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Writes to {@code target} atomically (temporary sibling, then rename). */
    public void write(Path target) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            Pending p = e.getValue();
            long bytes = (long) p.values.length * p.dtype.byteSize();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", p.dtype.name());
            var shape = t.putArray("shape");
            for (long d : p.shape) {
                shape.add(d);
            }
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offs.add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            for (Pending p : tensors.values()) {
                ByteBuffer buf = ByteBuffer.allocate(p.values.length * p.dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : p.values) {
                    switch (p.dtype) {
                        case F64 -> buf.putDouble(v);
                        case F32 -> buf.putFloat((float) v);
                        case BF16 -> buf.putShort(toBf16((float) v));
                        case I64 -> buf.putLong((long) v);
                        default -> throw new AssertionError(p.dtype);
                    }
                }
                out.write(buf.array());
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Round-to-nearest-even float32 → bfloat16, NaN kept NaN. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
