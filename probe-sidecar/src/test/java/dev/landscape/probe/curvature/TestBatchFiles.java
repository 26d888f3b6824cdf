package dev.landscape.probe.curvature;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes safetensors files with F32 and I64 tensors (class targets), which the production SafetensorsWriter does
 * not write. Layout as safetensors.torch.save_file: 8-byte header length, JSON header, data.
 */
public final class TestBatchFiles {

    private final Map<String, HostTensor> tensors = new LinkedHashMap<>();

    public TestBatchFiles add(String name, HostTensor t) {
        tensors.put(name, t);
        return this;
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            long bytes = t.numel() * (t.integral() ? 8 : 4);
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.integral() ? "I64" : "F32");
            var shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = json.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(h);
            out.write(" ".repeat(padded - h.length).getBytes());
            for (HostTensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate((int) t.numel() * (t.integral() ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : t.values()) {
                    if (t.integral()) {
                        b.putLong((long) v);
                    } else {
                        b.putFloat((float) v);
                    }
                }
                out.write(b.array());
            }
        }
    }
}
