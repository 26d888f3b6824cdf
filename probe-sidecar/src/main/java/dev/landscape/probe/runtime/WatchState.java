package dev.landscape.probe.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What the watch loop must remember across sidecar restarts: the last two checkpoints it analysed. On restart the
 * analyser is warmed up on that pair (one extra pass) so update norms, update cosines and the secant curvature
 * continue where they stopped instead of starting over. Saved atomically beside the spool.
 */
public record WatchState(long lastStep, String lastPath, long beforeStep, String beforePath) {

    public static final WatchState EMPTY = new WatchState(-1, null, -1, null);
    private static final ObjectMapper JSON = new ObjectMapper();

    public WatchState advance(long step, Path path) {
        return new WatchState(step, path.toString(), lastStep, lastPath);
    }

    public static WatchState load(Path file) {
        try {
            return Files.isRegularFile(file) ? JSON.readValue(file.toFile(), WatchState.class) : EMPTY;
        } catch (IOException e) {
            return EMPTY;
        }
    }

    public void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
