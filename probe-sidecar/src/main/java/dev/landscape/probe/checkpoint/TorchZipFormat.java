package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code torch.save} since torch 1.6: a zip archive of {@code <root>/data.pkl} and one entry per storage. Also
 * claims files with torch's usual extensions that are not zips, so that a damaged {@code .pt} gets a torch-specific
 * error instead of "not a recognised checkpoint" (legacy files are recognised first, by their magic number).
 */
public final class TorchZipFormat implements CheckpointFormat {

    private static final List<String> EXTENSIONS = List.of(".pt", ".pth", ".bin", ".pkl", ".tar");

    @Override
    public String name() {
        return "torch-zip";
    }

    @Override
    public boolean recognises(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return TorchFile.isZip(path) || EXTENSIONS.stream().anyMatch(file::endsWith);
    }

    @Override
    public Checkpoint open(Path path) throws IOException {
        return TorchFile.open(path, "", List.of()).checkpoint(name()).build();
    }
}
