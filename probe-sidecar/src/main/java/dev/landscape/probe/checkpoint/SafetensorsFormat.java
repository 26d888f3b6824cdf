package dev.landscape.probe.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.probe.checkpoint.SafetensorsHeaderParser.Declared;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * <a href="https://github.com/huggingface/safetensors">safetensors</a>: an 8-byte little-endian header length, a
 * JSON header mapping names to {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of the
 * header), then the raw data. Old writers did not pad the header to 8 bytes, so nothing here assumes alignment.
 * Also reads sharded checkpoints through their {@code *.safetensors.index.json} and {@code save_pretrained}
 * folders holding {@code model.safetensors} or its index.
 *
 * <p>Every offset is checked against the file before anything is mapped: out-of-range, overlapping or
 * wrongly-sized tensors are reported with the tensor's name and offset, never read.
 *
 * <p>Tensors named {@code optimizer.<slot>.<param>} (the layout this project's own writers use for Adam moments)
 * are put in group {@code optimizer.<slot>} with {@code parameter = <param>}; everything else is {@code model}.
 * Step, training log and optimizer hyper-parameters come from {@code __metadata__} as {@link SafetensorsMetadata}
 * describes.
 */
public final class SafetensorsFormat implements CheckpointFormat {

    static final String INDEX_SUFFIX = ".safetensors.index.json";

    /** Only sharded indexes need a tree; a holder keeps databind's start-up cost off single-file reads. */
    private static final class Index {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private final ReadPolicy policy;

    public SafetensorsFormat() {
        this(ReadPolicy.standard());
    }

    public SafetensorsFormat(ReadPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "safetensors";
    }

    @Override
    public boolean recognises(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return Files.isRegularFile(path.resolve("model.safetensors"))
                    || Files.isRegularFile(path.resolve("model" + INDEX_SUFFIX));
        }
        String file = path.getFileName().toString();
        return file.endsWith(".safetensors") || file.endsWith(INDEX_SUFFIX);
    }

    @Override
    public Checkpoint open(Path path) throws IOException {
        return open(path, policy.start());
    }

    Checkpoint open(Path path, Reading r) throws IOException {
        if (Files.isDirectory(path)) {
            Path index = path.resolve("model" + INDEX_SUFFIX);
            return Files.isRegularFile(index) ? openSharded(path, index, r) : openSingle(path, path.resolve("model.safetensors"), r);
        }
        return path.getFileName().toString().endsWith(INDEX_SUFFIX)
                ? openSharded(path, path, r)
                : openSingle(path, path, r);
    }

    private Checkpoint openSingle(Path reported, Path file, Reading r) throws IOException {
        FileChannel channel = RegularFile.open(file);
        try {
            Header header = readHeader(file, channel, r);
            Checkpoint.Builder b = Checkpoint.builder(reported, name())
                    .tensors(header.tensors(channel))
                    .metadata(header.metadata)
                    .resource(channel);
            SafetensorsMetadata.apply(file, header.metadata, b);
            return b.build();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private Checkpoint openSharded(Path reported, Path index, Reading r) throws IOException {
        JsonNode root;
        try {
            root = Index.JSON.readTree(RegularFile.readSmall(index, r.budget(), "the index"));
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new CheckpointException(index, at, "index is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new CheckpointException(index, "index has no \"weight_map\" object mapping tensor names to shard files");
        }
        Set<String> shards = new LinkedHashSet<>();
        Map<String, String> expected = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(index, "weight_map entry \"" + e.getKey() + "\" is not a file name");
            }
            String shard = e.getValue().asText();
            if (shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new CheckpointException(index, "weight_map entry \"" + e.getKey() + "\" names \"" + shard
                        + "\", which is not a file beside the index");
            }
            shards.add(shard);
            expected.put(e.getKey(), shard);
        }
        Path dir = index.toAbsolutePath().getParent();
        Checkpoint.Builder b = Checkpoint.builder(reported, name());
        List<FileChannel> opened = new ArrayList<>();
        Map<String, String> metadata = new HashMap<>();
        try {
            Map<String, Tensor> byName = new HashMap<>();
            for (String shard : shards) {
                Path file = dir.resolve(shard);
                if (!Files.exists(file)) {
                    throw new CheckpointException(index, "shard " + shard + " listed in the index is missing");
                }
                FileChannel channel = RegularFile.open(file);
                opened.add(channel);
                Header header = readHeader(file, channel, r);
                metadata.putAll(header.metadata);
                for (Tensor t : header.tensors(channel)) {
                    byName.put(t.info().name(), t);
                }
            }
            for (Map.Entry<String, String> e : expected.entrySet()) {
                Tensor t = byName.get(e.getKey());
                if (t == null) {
                    throw new CheckpointException(index, "tensor " + e.getKey() + " is listed in the index but not found in shard " + e.getValue());
                }
                b.tensor(t);
            }
            opened.forEach(b::resource);
            SafetensorsMetadata.apply(index, metadata, b);
            return b.metadata(metadata).build();
        } catch (IOException | RuntimeException e) {
            for (FileChannel c : opened) {
                c.close();
            }
            throw e;
        }
    }

    private record Header(Path file, long dataStart, List<Declared> entries, Map<String, String> metadata) {

        List<Tensor> tensors(FileChannel channel) {
            List<Tensor> out = new ArrayList<>(entries.size());
            for (Declared e : entries) {
                out.add(new Tensor() {
                    @Override
                    public TensorInfo info() {
                        return e.info();
                    }

                    @Override
                    public ElementStream open() {
                        return new MappedElementStream(channel, file, e.info().dtype(), dataStart + e.begin(), dataStart + e.end());
                    }

                    @Override
                    public boolean splittable() {
                        return true;
                    }

                    @Override
                    public ElementStream open(long from, long to) {
                        return MappedElementStream.slice(channel, file, e.info().dtype(), dataStart + e.begin(),
                                e.info().numel(), from, to);
                    }
                });
            }
            return out;
        }
    }

    private static Header readHeader(Path file, FileChannel channel, Reading r) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new CheckpointException(file, 0, "file has " + size + " bytes, fewer than the 8-byte safetensors header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        long maxHeader = r.budget().maxMetadataBytes();
        if (headerLen <= 0) {
            throw new CheckpointException(file, 0, "header length " + Long.toUnsignedString(headerLen)
                    + " is not positive (not a safetensors file, or corrupt)");
        }
        if (headerLen > maxHeader) {
            throw new CheckpointException(file, 0, "header length " + headerLen + " is larger than "
                    + r.budget().describe(maxHeader, "bytes"));
        }
        if (8 + headerLen > size) {
            throw new CheckpointException(file, 0, "header length " + headerLen + " runs past the end of the "
                    + size + "-byte file (truncated?)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(file, channel, headerBuf, 8);
        long dataStart = 8 + headerLen;
        SafetensorsHeaderParser.Parsed parsed = SafetensorsHeaderParser.parse(file, headerBuf.array(), size - dataStart, r);
        List<Declared> entries = parsed.tensors();
        checkNoOverlap(file, dataStart, entries);
        return new Header(file, dataStart, List.copyOf(entries), parsed.metadata());
    }

    private static void checkNoOverlap(Path file, long dataStart, List<Declared> entries) throws CheckpointException {
        List<Declared> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Declared::begin).thenComparingLong(Declared::end));
        Declared reach = null; // the non-empty tensor that extends furthest so far; empty ones overlap nothing
        for (Declared cur : sorted) {
            if (cur.end() == cur.begin()) {
                continue;
            }
            if (reach != null && cur.begin() < reach.end()) {
                throw new CheckpointException(file, dataStart + cur.begin(), "tensor " + cur.info().name()
                        + " overlaps tensor " + reach.info().name() + " in the data section");
            }
            if (reach == null || cur.end() > reach.end()) {
                reach = cur;
            }
        }
    }

    /**
     * The model parameter a tensor belongs to: itself for model tensors, {@code <param>} for
     * {@code optimizer.<slot>.<param>}, and {@code ""} for an optimizer tensor with no parameter part.
     */
    static String parameterOf(String name) {
        String group = groupOf(name);
        if (group.equals(TensorInfo.MODEL)) {
            return name;
        }
        return name.length() > group.length() + 1 ? name.substring(group.length() + 1) : "";
    }

    static String groupOf(String name) {
        if (name.startsWith("optimizer.")) {
            int dot = name.indexOf('.', "optimizer.".length());
            if (dot > 0) {
                return name.substring(0, dot);
            }
        }
        return TensorInfo.MODEL;
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException(file, pos, "unexpected end of file");
            }
            pos += n;
        }
    }
}
