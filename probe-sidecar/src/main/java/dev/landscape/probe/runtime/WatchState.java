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
 *
 * @param lastModified the last checkpoint's modification time (epoch ms) when it was analysed: a checkpoint whose
 *                     name carries no step (a trainer overwriting {@code latest.pt}) is analysed again only when
 *                     it was rewritten
 */
public record WatchState(long lastStep, String lastPath, long lastModified, long beforeStep, String beforePath) {

    public static final WatchState EMPTY = new WatchState(-1, null, -1, -1, null);
    private static final ObjectMapper JSON = new ObjectMapper();

    public WatchState advance(long step, Path path) throws IOException {
        return new WatchState(step, path.toString(), Files.getLastModifiedTime(path).toMillis(), lastStep, lastPath);
    }

    /** Whether {@code path} is the last checkpoint analysed, not rewritten since. */
    public boolean alreadyAnalysed(Path path) throws IOException {
        return path.toString().equals(lastPath) && Files.getLastModifiedTime(path).toMillis() == lastModified;
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
