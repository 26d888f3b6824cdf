package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Says when a checkpoint on the shared volume is finished, because reading one half-written gives garbage
 * metrics or a spurious "malformed" error. Three guards, all required:
 * <ol>
 *   <li>temporary names are never candidates: {@code *.tmp}, {@code *.incomplete}, hidden dot-files and
 *   {@code tmp-checkpoint-*} (where Hugging Face Trainer writes before its atomic rename);</li>
 *   <li>a folder layout's last-written marker must exist ({@link CompletionMarker});</li>
 *   <li>the size, modification time and identity of every file must be unchanged across two observations at least
 *   a quiet period apart. This catches writers that neither rename nor leave a marker (torch.save, Lightning).</li>
 * </ol>
 * Times come from the {@link Clock} passed in, never the writer's timestamps, so clock skew between the trainer's
 * node and ours on a network volume cannot make a file look old. Not thread-safe: one per watch loop.
 */
public final class CompletionDetector {

    /** Bounds the walk of a pathological folder; a real checkpoint has a few hundred files at most. */
    static final int MAX_FILES = 100_000;
    private static final int MAX_DEPTH = 8;

    public enum State { COMPLETE, WRITING, IGNORED }

    /** The answer for one candidate, with a reason fit for a debug log. */
    public record Verdict(State state, String reason) {
        public boolean isComplete() {
            return state == State.COMPLETE;
        }
    }

    /** What was on disk at one observation: relative file name → (size, mtime, file identity). */
    private record Snapshot(Map<String, List<Object>> files) {
    }

    private record Seen(Snapshot snapshot, Instant since) {
    }

    private final Clock clock;
    private final Duration quietPeriod;
    private final Map<Path, Seen> seen = new HashMap<>();

    public CompletionDetector(Clock clock, Duration quietPeriod) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("quiet period must not be negative: " + quietPeriod);
        }
        this.quietPeriod = quietPeriod;
    }

    /** Whether {@code name} is one that writers use for something not yet finished. */
    public static boolean isTemporaryName(String name) {
        return name.startsWith(".") || name.endsWith(".tmp") || name.endsWith(".incomplete")
                || name.startsWith("tmp-checkpoint-");
    }

    /** Looks at one candidate (a checkpoint file or folder) now; call again later to see it settle. */
    public Verdict observe(Path candidate) throws IOException {
        Path key = candidate.toAbsolutePath().normalize();
        if (isTemporaryName(key.getFileName().toString())) {
            seen.remove(key);
            return new Verdict(State.IGNORED, "temporary name: the writer has not renamed it into place yet");
        }
        Snapshot now;
        CompletionMarker marker;
        try {
            marker = CompletionMarker.of(key);
            now = snapshot(key);
        } catch (NoSuchFileException e) {
            if (Files.exists(key)) {
                seen.remove(key);
                return new Verdict(State.WRITING, "a file vanished while it was being listed: " + e.getFile());
            }
            seen.remove(key);
            return new Verdict(State.IGNORED, "no longer exists");
        }
        Optional<String> temporaryInside = now.files.keySet().stream()
                .filter(f -> f.endsWith(".tmp") || f.endsWith(".incomplete")).findFirst();
        Instant at = clock.instant();
        Seen before = seen.get(key);
        if (before == null || !before.snapshot.equals(now)) {
            seen.put(key, new Seen(now, at));
            return new Verdict(State.WRITING, before == null ? "first seen" : "changed since the last observation");
        }
        if (now.files.isEmpty()) {
            return new Verdict(State.WRITING, "empty folder");
        }
        if (temporaryInside.isPresent()) {
            return new Verdict(State.WRITING, "holds temporary file " + temporaryInside.get());
        }
        Optional<String> missing = marker.missing(key);
        if (missing.isPresent()) {
            return new Verdict(State.WRITING, missing.get());
        }
        Duration quiet = Duration.between(before.since, at);
        if (quiet.compareTo(quietPeriod) < 0) {
            return new Verdict(State.WRITING, "unchanged for " + quiet.toMillis() + " ms of the "
                    + quietPeriod.toMillis() + " ms quiet period");
        }
        return new Verdict(State.COMPLETE, "unchanged for " + quiet.toMillis() + " ms"
                + (marker == CompletionMarker.NONE ? "" : ", " + marker + " marker present"));
    }

    /**
     * The entries directly in {@code dir} that are complete now, in name order. Forgets entries that have gone, so
     * the state stays as small as the folder.
     */
    public List<Path> completeIn(Path dir) throws IOException {
        Path folder = dir.toAbsolutePath().normalize();
        List<Path> entries;
        try (Stream<Path> list = Files.list(folder)) {
            entries = list.map(Path::normalize).sorted().toList();
        }
        Set<Path> present = new HashSet<>(entries);
        seen.keySet().removeIf(p -> folder.equals(p.getParent()) && !present.contains(p));
        List<Path> complete = new ArrayList<>();
        for (Path p : entries) {
            if (observe(p).isComplete()) {
                complete.add(p);
            }
        }
        return complete;
    }

    /** Drops what is remembered about {@code candidate} (after it was analysed, or deleted). */
    public void forget(Path candidate) {
        seen.remove(candidate.toAbsolutePath().normalize());
    }

    private static Snapshot snapshot(Path candidate) throws IOException {
        Map<String, List<Object>> files = new TreeMap<>();
        BasicFileAttributes top = Files.readAttributes(candidate, BasicFileAttributes.class);
        if (!top.isDirectory()) {
            files.put("", describe(top));
            return new Snapshot(files);
        }
        try (Stream<Path> walk = Files.walk(candidate, MAX_DEPTH)) {
            walk.limit(MAX_FILES).forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        files.put(candidate.relativize(p).toString(), describe(a));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Snapshot(files);
    }

    private static List<Object> describe(BasicFileAttributes a) {
        List<Object> d = new ArrayList<>(3);
        d.add(a.size());
        d.add(a.lastModifiedTime());
        d.add(String.valueOf(a.fileKey()));
        return d;
    }
}
