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

    private final ReadPolicy policy;

    public TorchZipFormat() {
        this(ReadPolicy.standard());
    }

    public TorchZipFormat(ReadPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "torch-zip";
    }

    @Override
    public boolean recognises(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return false;
        }
        String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
        // By name first: a named pipe called model.pt is then refused when opened, not waited on here.
        return EXTENSIONS.stream().anyMatch(file::endsWith) || Files.isRegularFile(path) && TorchFile.isZip(path);
    }

    @Override
    public Checkpoint open(Path path) throws IOException {
        Reading r = policy.start();
        return TorchFile.open(r, path, "", List.of()).checkpoint(name(), r).build();
    }
}
