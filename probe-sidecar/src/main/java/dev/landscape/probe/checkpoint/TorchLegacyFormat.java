package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code torch.save(..., _use_new_zipfile_serialization=False)} and everything torch wrote before 1.6. */
public final class TorchLegacyFormat implements CheckpointFormat {

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
        return TorchFile.open(path, "", List.of()).checkpoint(name()).build();
    }
}
