package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PyObject;
import dev.landscape.probe.checkpoint.pickle.PyTuple;
import dev.landscape.probe.checkpoint.pickle.Reducer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A torch.distributed.checkpoint folder: {@code .metadata} (a pickle of {@code Metadata}, whose
 * {@code state_dict_metadata} gives each tensor's dtype, global size and chunks, and whose {@code storage_data}
 * maps {@code MetadataIndex(fqn, chunk offsets)} to {@code _StorageInfo(relative_path, offset, length)}) and the
 * {@code *.distcp} files those point into. Each chunk's bytes are a whole torch.save archive of the chunk tensor
 * (raw chunk bytes are accepted too); the chunks are reassembled into the logical tensor while streaming.
 *
 * <p>Tensors keep their fully-qualified names. Those under an optimizer's {@code state}
 * ({@code optim.state.<param>.<slot>}, as {@code get_state_dict} keys them) get group {@code optimizer.<slot>} and
 * their parameter's name. Non-tensor entries (param groups, steps, saved as bytes) are not read, so optimizer
 * hints and the step stay empty.
 */
public final class DcpFormat implements CheckpointFormat {

    static final int MAX_CHUNKS_FOR_OVERLAP_CHECK = 4096;

    private final ReadPolicy policy;

    public DcpFormat() {
        this(ReadPolicy.standard());
    }

    public DcpFormat(ReadPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "dcp";
    }

    @Override
    public boolean recognises(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(".metadata"));
    }

    @Override
    public Checkpoint open(Path dir) throws IOException {
        Reading r = policy.start();
        Path metaFile = dir.resolve(".metadata");
        Object meta;
        try (FileChannel ch = RegularFile.open(metaFile)) {
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(ch.size(), Integer.MAX_VALUE));
            meta = r.load(r.unpickler(buf, metaFile, ".metadata", 0, new MetadataReducer(r.budget())));
        }
        if (!(meta instanceof PyObject m) || !(m.field("state_dict_metadata") instanceof Map<?, ?> tensors)
                || !(m.field("storage_data") instanceof Map<?, ?> storage)) {
            throw new CheckpointException(metaFile, 0, ".metadata is not a Metadata with state_dict_metadata and storage_data");
        }
        Map<String, PyObject> storageByIndex = new HashMap<>();
        for (Map.Entry<?, ?> e : storage.entrySet()) {
            if (e.getKey() instanceof PyObject idx && e.getValue() instanceof PyObject info) {
                storageByIndex.put(indexKey(idx.field("fqn"), idx.field("offset")), info);
            }
        }
        Map<String, FileChannel> channels = new HashMap<>();
        try {
            Checkpoint.Builder b = Checkpoint.builder(dir, name());
            for (Map.Entry<?, ?> e : tensors.entrySet()) {
                if (e.getKey() instanceof String fqn && e.getValue() instanceof PyObject t
                        && t.field("chunks") instanceof List<?> chunks) {
                    r.tensor(metaFile, -1, fqn);
                    try {
                        b.tensor(tensor(r, dir, metaFile, fqn, t, chunks, storageByIndex, channels));
                    } catch (ArithmeticException overflow) {
                        throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": its sizes overflow");
                    }
                }
            }
            channels.values().forEach(b::resource);
            return b.globals(r.globals()).build();
        } catch (IOException | RuntimeException e) {
            for (FileChannel c : channels.values()) {
                c.close();
            }
            throw e;
        }
    }

    private Tensor tensor(Reading r, Path dir, Path metaFile, String fqn, PyObject meta, List<?> chunks,
                          Map<String, PyObject> storageByIndex, Map<String, FileChannel> channels) throws IOException {
        long[] size = dims(metaFile, fqn, "size", meta.field("size"));
        DType dtype = dtype(metaFile, fqn, meta.field("properties"));
        List<TorchTensor.Chunk> pieces = new ArrayList<>();
        long covered = 0;
        for (Object c : chunks) {
            if (!(c instanceof PyObject chunk)) {
                throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": chunk is not a ChunkStorageMetadata");
            }
            Object offsetsKey = chunk.field("offsets");
            long[] offsets = dims(metaFile, fqn, "chunk offsets", offsetsKey);
            long[] sizes = dims(metaFile, fqn, "chunk sizes", chunk.field("sizes"));
            if (offsets.length != size.length || sizes.length != size.length) {
                throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": chunk rank differs from the tensor's");
            }
            for (int i = 0; i < size.length; i++) {
                if (offsets[i] + sizes[i] > size[i]) {
                    throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": chunk at " + Arrays.toString(offsets)
                            + " of size " + Arrays.toString(sizes) + " exceeds the tensor's size " + Arrays.toString(size));
                }
            }
            PyObject info = storageByIndex.get(indexKey(fqn, offsetsKey));
            if (info == null) {
                throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": no storage_data entry for the chunk at "
                        + Arrays.toString(offsets));
            }
            StridedView view = chunkView(r, dir, fqn, info, dtype, offsets, sizes, channels);
            pieces.add(new TorchTensor.Chunk(offsets.length == 0 ? new long[1] : offsets, view));
            covered = Math.addExact(covered, numel(sizes));
        }
        TensorInfo info = info(fqn, dtype, size);
        if (covered != info.numel() || pieces.size() <= MAX_CHUNKS_FOR_OVERLAP_CHECK && overlapping(pieces)) {
            throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": its chunks cover " + covered + " elements"
                    + " (with overlaps or gaps) of " + info.numel());
        }
        return TorchTensor.chunked(info, pieces);
    }

    private StridedView chunkView(Reading r, Path dir, String fqn, PyObject info, DType dtype, long[] offsets, long[] sizes,
                                  Map<String, FileChannel> channels) throws IOException {
        if (!(info.field("relative_path") instanceof String rel) || !(info.field("offset") instanceof Long off)
                || !(info.field("length") instanceof Long len) || off < 0 || len < 0) {
            throw new CheckpointException(dir.resolve(".metadata"), -1, "tensor " + fqn + ": malformed _StorageInfo");
        }
        if (rel.contains("/") || rel.contains("\\") || rel.equals("..") || rel.isEmpty()) {
            throw new CheckpointException(dir.resolve(".metadata"), -1, "tensor " + fqn + ": storage file \"" + rel
                    + "\" is not a file in the checkpoint folder");
        }
        Path file = dir.resolve(rel);
        FileChannel ch = channels.get(rel);
        if (ch == null) {
            if (!Files.exists(file)) {
                throw new CheckpointException(file, "tensor " + fqn + ": storage file is missing");
            }
            ch = RegularFile.open(file);
            channels.put(rel, ch);
        }
        if (off > ch.size() || len > ch.size() - off) {
            throw new CheckpointException(file, off, "tensor " + fqn + ": chunk [" + off + ", +" + len
                    + ") runs past the end of the " + ch.size() + "-byte file (truncated?)");
        }
        String where = "chunk " + Arrays.toString(offsets) + " of tensor " + fqn;
        if (!ZipDirectory.hasZipSignature(ch, off)) {
            long needed = Math.multiplyExact(numel(sizes), dtype.byteSize());
            if (needed != len) {
                throw new CheckpointException(file, off, where + ": " + len + " raw bytes, but " + dtype
                        + Arrays.toString(sizes) + " needs " + needed);
            }
            return new StridedView(new StorageRegion(ch, file, where, off, len), dtype, 0, 0, sizes, rowMajor(sizes));
        }
        TorchPayload p = TorchZipReader.read(ch, file, off, off + len, r);
        if (!(p.root() instanceof TensorRef ref) || !Arrays.equals(ref.shape, sizes) || ref.dtype != dtype) {
            throw new CheckpointException(file, off, where + ": the archive does not hold a " + dtype
                    + Arrays.toString(sizes) + " tensor");
        }
        return p.view(fqn, ref);
    }

    /** {@code MetadataIndex(fqn, offset)} as a string key, so that lookups never depend on tuple hashing. */
    private static String indexKey(Object fqn, Object offset) {
        return fqn + "\u0000" + (offset instanceof PyTuple t ? t.items().toString() : String.valueOf(offset));
    }

    static TensorInfo info(String fqn, DType dtype, long[] size) {
        int state = fqn.indexOf(".state.");
        if (state > 0 && fqn.substring(0, state).toLowerCase(java.util.Locale.ROOT).contains("optim")) {
            String rest = fqn.substring(state + ".state.".length());
            int dot = rest.lastIndexOf('.');
            if (dot > 0) {
                return new TensorInfo(fqn, "optimizer." + rest.substring(dot + 1), dtype, size, rest.substring(0, dot));
            }
        }
        return new TensorInfo(fqn, TensorInfo.MODEL, dtype, size);
    }

    private static boolean overlapping(List<TorchTensor.Chunk> pieces) {
        for (int a = 0; a < pieces.size(); a++) {
            for (int b = a + 1; b < pieces.size(); b++) {
                if (intersects(pieces.get(a), pieces.get(b))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean intersects(TorchTensor.Chunk x, TorchTensor.Chunk y) {
        long[] xs = x.view().shape;
        long[] ys = y.view().shape;
        for (int i = 0; i < xs.length; i++) {
            if (x.offsets()[i] + xs[i] <= y.offsets()[i] || y.offsets()[i] + ys[i] <= x.offsets()[i]) {
                return false;
            }
        }
        return xs.length > 0;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static long[] rowMajor(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    private static long[] dims(Path metaFile, String fqn, String what, Object o) throws CheckpointException {
        if (o instanceof PyTuple t && t.size() <= 64) {
            long[] out = new long[t.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(t.get(i) instanceof Long l) || l < 0 || l > (1L << 48)) {
                    throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": " + what + " " + t + " is not a size");
                }
                out[i] = l;
            }
            return out;
        }
        throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": " + what + " is missing or not a torch.Size");
    }

    private static DType dtype(Path metaFile, String fqn, Object properties) throws CheckpointException {
        Object dt = null;
        if (properties instanceof PyObject p) {
            dt = p.state() instanceof PyTuple t && t.size() > 0 ? t.get(0) : p.field("dtype");
        }
        try {
            return MetadataReducer.dtype(dt);
        } catch (Exception e) {
            throw new CheckpointException(metaFile, -1, "tensor " + fqn + ": " + e.getMessage());
        }
    }

    /** {@code torch.Size} and dtype globals; every dataclass stays inert for the reader above to inspect. */
    private static final class MetadataReducer implements Reducer {
        private final TorchReducer torch;

        MetadataReducer(MemoryBudget budget) {
            this.torch = new TorchReducer(budget);
        }

        @Override
        public Object reduce(dev.landscape.probe.checkpoint.pickle.PyGlobal f, PyTuple args)
                throws dev.landscape.probe.checkpoint.pickle.PickleValueException {
            return f.is("torch", "Size") ? torch.reduce(f, args) : null;
        }

        static DType dtype(Object o) throws dev.landscape.probe.checkpoint.pickle.PickleValueException {
            return TorchReducer.dtypeOf(o);
        }
    }
}
