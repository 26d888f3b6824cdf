package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code torch.save(..., _use_new_zipfile_serialization=False)} and everything torch wrote before 1.6. */
public final class TorchLegacyFormat implements CheckpointFormat {

    private final ReadPolicy policy;

    public TorchLegacyFormat() {
        this(ReadPolicy.standard());
    }

    public TorchLegacyFormat(ReadPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "torch-legacy";
    }

    @Override
    public boolean recognises(Path path) throws IOException {
        return Files.isRegularFile(path) && !path.getFileName().toString().endsWith(".ckpt") && TorchFile.isLegacy(path);
    }

    @Override
    public Checkpoint open(Path path) throws IOException {
        Reading r = policy.start();
        return TorchFile.open(r, path, "", List.of()).checkpoint(name(), r).build();
    }
}
