package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * One torch.save file, zip or legacy, opened into checked tensors: the building block of every torch-based format
 * (plain {@code .pt}, Lightning {@code .ckpt}, HF Trainer's {@code optimizer.pt} and {@code pytorch_model.bin},
 * DeepSpeed's model and optimizer states). The channel stays open for the tensors and is the caller's to close.
 */
record TorchFile(Path path, FileChannel channel, TorchPayload payload, TorchObjectTree.Walk walk, List<Tensor> tensors,
                 OptimizerHints hints, boolean legacy) {

    static boolean isLegacy(Path path) throws IOException {
        try (FileChannel ch = RegularFile.open(path)) {
            return TorchLegacyReader.hasMagic(ch);
        }
    }

    static boolean isZip(Path path) throws IOException {
        try (FileChannel ch = RegularFile.open(path)) {
            return ZipDirectory.hasZipSignature(ch, 0);
        }
    }

    /** Opens {@code path}; tensor names start with {@code prefix}; optimizer ids map onto {@code trainable}. */
    static TorchFile open(Reading r, Path path, String prefix, List<TensorInfo> trainable) throws IOException {
        return open(r, path, prefix, trainable, "");
    }

    /** As above; only tensors named under {@code modelScope} are model tensors (see {@link TorchTensors}). */
    static TorchFile open(Reading r, Path path, String prefix, List<TensorInfo> trainable, String modelScope)
            throws IOException {
        return open(r, path, prefix, walk -> trainable, modelScope);
    }

    /** As above, choosing the trainable parameters once the file's optimizer param groups are known. */
    static TorchFile open(Reading r, Path path, String prefix, Function<TorchObjectTree.Walk, List<TensorInfo>> trainable,
                          String modelScope) throws IOException {
        return open(r, path, prefix, trainable, List.of(), modelScope);
    }

    /**
     * As above, for an optimizer file whose model is {@code stored} in another file: its {@code param_names}, when
     * present, bind to those tensors by name (see {@link OptimizerParameters}).
     */
    static TorchFile open(Reading r, Path path, String prefix, Function<TorchObjectTree.Walk, List<TensorInfo>> trainable,
                          List<TensorInfo> stored, String modelScope) throws IOException {
        FileChannel ch = RegularFile.open(path);
        try {
            boolean legacy = TorchLegacyReader.hasMagic(ch);
            TorchPayload payload;
            if (legacy) {
                payload = TorchLegacyReader.read(ch, path, r);
            } else if (ZipDirectory.hasZipSignature(ch, 0)) {
                payload = TorchZipReader.read(ch, path, 0, ch.size(), r);
            } else {
                throw new CheckpointException(path, 0, "the " + ch.size() + "-byte file is neither a torch.save zip"
                        + " archive (no zip signature) nor a legacy torch.save file (no magic number)");
            }
            TorchObjectTree.Walk walk = TorchObjectTree.walk(payload.root(), prefix, path, r);
            List<Tensor> tensors = TorchTensors.build(payload, walk, trainable.apply(walk), stored, modelScope);
            OptimizerHints hints = OptimizerHintsReader.read(walk.optimizers(), tensors);
            return new TorchFile(path, ch, payload, walk, tensors, hints, legacy);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The training step the top-level dict records (Lightning, DeepSpeed and hand-written loops), if any. */
    OptionalLong step() {
        if (payload.root() instanceof Map<?, ?> m) {
            for (String k : List.of("global_step", "global_steps", "step", "iteration")) {
                if (m.get(k) instanceof Long l && l >= 0) {
                    return OptionalLong.of(l);
                }
            }
        }
        return OptionalLong.empty();
    }

    Checkpoint.Builder checkpoint(String format, Reading r) {
        return Checkpoint.builder(path, format).tensors(tensors).optimizer(hints).step(step()).resource(channel)
                .globals(r.globals());
    }
}
