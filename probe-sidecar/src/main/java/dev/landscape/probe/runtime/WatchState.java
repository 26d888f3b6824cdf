package dev.landscape.probe.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the watch loop must remember across sidecar restarts, saved atomically beside the spool:
 * <ul>
 *   <li>the last two checkpoints it analysed: on restart the analyser is warmed up on that pair (one extra pass)
 *   so update norms, update cosines and the secant curvature continue where they stopped;</li>
 *   <li>the checkpoint being read right now, written before reading starts: if the process dies on it (an
 *   {@link Error} the loop records in {@code fatal}, or a kill by the kernel's OOM killer that nothing can catch),
 *   the restarted sidecar knows which checkpoint it was;</li>
 *   <li>{@code fatal}: checkpoints that ended the process (path → why). The restarted sidecar reports each as an
 *   {@code UnreadableCheckpoint} and moves on instead of dying on it again; a checkpoint left in
 *   {@code reading} after {@link #MAX_ATTEMPTS} starts counts too.</li>
 * </ul>
 *
 * @param lastStep     the newest step handled, analysed or skipped as unreadable
 * @param lastPath     the last checkpoint analysed (never an unreadable one: it is re-opened on restart)
 * @param lastModified its modification time (epoch ms) when it was analysed: a checkpoint whose name carries no
 *                     step (a trainer overwriting {@code latest.pt}) is analysed again only when it was rewritten
 * @param skippedPath  the last checkpoint skipped as unreadable, and its modification time then, likewise
 * @param reading      the checkpoint being read, or {@code null} between checkpoints
 * @param attempts     how many processes started reading {@code reading}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WatchState(long lastStep, String lastPath, long lastModified, long beforeStep, String beforePath,
                         String skippedPath, long skippedModified, String reading, int attempts,
                         Map<String, String> fatal) {

    public static final WatchState EMPTY = new WatchState(-1, null, -1, -1, null, null, -1, null, 0, Map.of());
    /** Processes that may die reading one checkpoint before it is given up as unreadable. */
    static final int MAX_ATTEMPTS = 2;
    private static final int MAX_FATAL = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    public WatchState {
        fatal = fatal == null ? Map.of() : Map.copyOf(fatal);
    }

    /** {@code path} was analysed as {@code step}. */
    public WatchState advance(long step, Path path) throws IOException {
        return new WatchState(step, path.toString(), Files.getLastModifiedTime(path).toMillis(), lastStep, lastPath,
                skippedPath, skippedModified, null, 0, without(path));
    }

    /** {@code path} could not be read; the loop moves past it. */
    public WatchState skip(long step, Path path) throws IOException {
        long modified = Files.exists(path) ? Files.getLastModifiedTime(path).toMillis() : -1;
        return new WatchState(Math.max(step, lastStep), lastPath, lastModified, beforeStep, beforePath,
                path.toString(), modified, null, 0, without(path));
    }

    /** About to read {@code path}: saved before reading, so a process that dies on it leaves its name here. */
    public WatchState reading(Path path) {
        int n = path.toString().equals(reading) ? attempts + 1 : 1;
        return new WatchState(lastStep, lastPath, lastModified, beforeStep, beforePath, skippedPath, skippedModified,
                path.toString(), n, fatal);
    }

    /** {@code path} ended the process with {@code why}; the next process skips it. */
    public WatchState fatal(Path path, String why) {
        Map<String, String> f = new LinkedHashMap<>(fatal);
        while (f.size() >= MAX_FATAL) {
            f.remove(f.keySet().iterator().next());
        }
        f.put(path.toString(), why);
        return new WatchState(lastStep, lastPath, lastModified, beforeStep, beforePath, skippedPath, skippedModified,
                null, 0, f);
    }

    /**
     * Why {@code path} must not be read again, if it ended earlier processes: recorded as fatal, or left in
     * {@code reading} by {@link #MAX_ATTEMPTS} processes that were killed before they could say.
     */
    public java.util.Optional<String> fatalReason(Path path) {
        String p = path.toString();
        if (fatal.containsKey(p)) {
            return java.util.Optional.of(fatal.get(p));
        }
        if (p.equals(reading) && attempts >= MAX_ATTEMPTS) {
            return java.util.Optional.of("the sidecar was killed " + attempts + " times while reading it (out of"
                    + " memory in the kernel's eyes, or a hang ended by the kubelet)");
        }
        return java.util.Optional.empty();
    }

    /** Whether {@code path} is the last checkpoint analysed or skipped, not rewritten since. */
    public boolean alreadyAnalysed(Path path) throws IOException {
        String p = path.toString();
        long modified = Files.getLastModifiedTime(path).toMillis();
        return p.equals(lastPath) && modified == lastModified || p.equals(skippedPath) && modified == skippedModified;
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

    private Map<String, String> without(Path path) {
        Map<String, String> f = new LinkedHashMap<>(fatal);
        f.remove(path.toString());
        return f;
    }
}
