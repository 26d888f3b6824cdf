package dev.landscape.probe.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a safetensors JSON header token by token. A streaming parser, not a tree: it starts in a few milliseconds
 * where Jackson's databind costs a tenth of a second of class loading on every {@code inspect}, it never holds more
 * than one tensor's declaration, and every error carries the byte offset of the token at fault. Tensors, their
 * names and each shape's dimensions are counted against the {@link MemoryBudget} as they are read, so a header
 * with a million entries or a shape of forty million dimensions is refused before it is held.
 */
final class SafetensorsHeaderParser {

    private static final JsonFactory JSON = new JsonFactory();

    /** One tensor as declared: offsets relative to the start of the data section. */
    record Declared(TensorInfo info, long begin, long end) {
    }

    record Parsed(List<Declared> tensors, Map<String, String> metadata) {
    }

    private final Path file;
    private final long dataSize;
    private final JsonParser p;
    private final Reading reading;

    private SafetensorsHeaderParser(Path file, long dataSize, JsonParser parser, Reading reading) {
        this.file = file;
        this.dataSize = dataSize;
        this.p = parser;
        this.reading = reading;
    }

    /** {@code json} is the header as stored, starting at file offset 8. */
    static Parsed parse(Path file, byte[] json, long dataSize, Reading reading) throws CheckpointException {
        try (JsonParser parser = JSON.createParser(json)) {
            return new SafetensorsHeaderParser(file, dataSize, parser, reading).root();
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getByteOffset());
            throw new CheckpointException(file, 8 + at, "header is not valid JSON: " + e.getOriginalMessage());
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, 8, "header cannot be parsed: " + e.getMessage(), e);
        }
    }

    private Parsed root() throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new CheckpointException(file, 8, "header is not a JSON object");
        }
        List<Declared> tensors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            long at = offset();
            p.nextToken();
            if (!seen.add(name)) {
                throw new CheckpointException(file, at, "tensor " + name + " is declared twice in the header");
            }
            if (name.equals("__metadata__")) {
                metadata(metadata);
            } else {
                reading.tensor(file, at, name);
                tensors.add(entry(name));
            }
        }
        return new Parsed(tensors, metadata);
    }

    private void metadata(Map<String, String> into) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (value.isScalarValue()) {
                into.put(key, value == JsonToken.VALUE_NULL ? "" : p.getText());
            } else {
                p.skipChildren();
                into.put(key, "");
            }
        }
    }

    private Declared entry(String name) throws IOException {
        long at = offset();
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new CheckpointException(file, at, "tensor " + name + ": header entry is not an object");
        }
        String dtypeName = null;
        long[] shape = null;
        String shapeText = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> dtypeName = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "shape" -> {
                    long shapeAt = offset();
                    List<String> text = new ArrayList<>();
                    shape = longs(value, text, reading.budget().maxRank(), name, shapeAt);
                    shapeText = "[" + String.join(",", text) + "]";
                    if (shape == null || anyNegative(shape)) {
                        throw new CheckpointException(file, shapeAt, "tensor " + name + ": shape " + shapeText
                                + " has a bad dimension");
                    }
                }
                case "data_offsets" -> {
                    long offsetsAt = offset();
                    offsets = longs(value, new ArrayList<>(), 2, name, offsetsAt);
                    if (offsets == null || offsets.length != 2) {
                        throw new CheckpointException(file, offsetsAt, "tensor " + name
                                + ": \"data_offsets\" must be [begin, end]");
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (dtypeName == null) {
            throw new CheckpointException(file, at, "tensor " + name + ": missing \"dtype\"");
        }
        String dt = dtypeName;
        DType dtype = DType.fromSafetensorsName(dt).orElseThrow(() -> new CheckpointException(file, at,
                "tensor " + name + ": unsupported dtype " + dt));
        if (shape == null) {
            throw new CheckpointException(file, at, "tensor " + name + ": missing \"shape\" array");
        }
        if (offsets == null) {
            throw new CheckpointException(file, at, "tensor " + name + ": \"data_offsets\" must be [begin, end]");
        }
        TensorInfo info;
        long expectedBytes;
        try {
            info = new TensorInfo(name, SafetensorsFormat.groupOf(name), dtype, shape, SafetensorsFormat.parameterOf(name));
            expectedBytes = info.byteSize();
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, at, "tensor " + name + ": shape " + shapeText + " overflows");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin || end > dataSize) {
            throw new CheckpointException(file, at, "tensor " + name + ": data_offsets [" + begin + ", " + end
                    + "] fall outside the " + dataSize + "-byte data section (truncated?)");
        }
        if (end - begin != expectedBytes) {
            throw new CheckpointException(file, at, "tensor " + name + ": data_offsets span " + (end - begin)
                    + " bytes but " + dtype + shapeText + " needs " + expectedBytes);
        }
        return new Declared(info, begin, end);
    }

    /**
     * An array of integers that fit a long, or null when the value is anything else; refused as soon as it has more
     * than {@code max} items.
     */
    private long[] longs(JsonToken value, List<String> text, int max, String name, long at) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        List<Long> out = new ArrayList<>();
        boolean ok = true;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (text.size() == max) {
                throw new CheckpointException(file, at, "tensor " + Reading.abbreviate(name) + ": array of more than "
                        + max + " items where " + (max == 2 ? "[begin, end]" : "a shape of at most " + max
                        + " dimensions") + " belongs");
            }
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                out.add(p.getLongValue());
                text.add(Long.toString(p.getLongValue()));
            } else {
                ok = false;
                text.add(t.isScalarValue() ? p.getText() : "?");
                p.skipChildren();
            }
        }
        return ok ? out.stream().mapToLong(Long::longValue).toArray() : null;
    }

    private static boolean anyNegative(long[] values) {
        for (long v : values) {
            if (v < 0) {
                return true;
            }
        }
        return false;
    }

    /** File offset of the current token (the header starts at byte 8). */
    private long offset() {
        return 8 + Math.max(0, p.currentTokenLocation().getByteOffset());
    }
}
