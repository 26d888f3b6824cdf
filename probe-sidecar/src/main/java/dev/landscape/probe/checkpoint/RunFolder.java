package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The successive checkpoints of one run in a folder, as trainers name them: HF Trainer {@code checkpoint-N/},
 * DeepSpeed {@code global_stepN/} (beside its {@code latest} pointer file), Lightning {@code epoch=E-step=S.ckpt},
 * and {@code step_N} / {@code step-N} files; plus anything else the format registry recognises. Hidden files and
 * temporary files ({@code .x.tmp}, the in-progress name of an atomic write) are never candidates.
 */
public final class RunFolder {

    private static final Pattern HF = Pattern.compile("checkpoint-(\\d{1,18})");
    private static final Pattern DEEPSPEED = Pattern.compile("global_step(\\d{1,18})");
    private static final Pattern LIGHTNING = Pattern.compile("epoch=(\\d{1,18})(?:-step=(\\d{1,18}))?");
    private static final Pattern STEP = Pattern.compile("(?:^|[^a-z])step[_-]?(\\d{1,18})", Pattern.CASE_INSENSITIVE);

    /** A candidate checkpoint and the step its name carries, if any. */
    public record Entry(Path path, OptionalLong stepFromName) {
    }

    private RunFolder() {
    }

    /** Candidates in {@code dir}, in name order (callers order by step once they know it). */
    public static List<Entry> list(Path dir, CheckpointFormats formats) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "not a folder of checkpoints");
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(".tmp") || name.equals("latest")) {
                    continue;
                }
                OptionalLong step = stepFromName(name);
                if (step.isPresent() || recognised(formats, p)) {
                    out.add(new Entry(p, step));
                }
            }
        }
        return out;
    }

    private static boolean recognised(CheckpointFormats formats, Path p) throws IOException {
        for (CheckpointFormat f : formats.formats()) {
            if (f.recognises(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The step a checkpoint's name carries. Lightning's {@code epoch=E} without {@code -step=S} gives {@code E}: the
     * epoch stands in for the step, which still orders the run.
     */
    public static OptionalLong stepFromName(String name) {
        for (Pattern p : List.of(HF, DEEPSPEED)) {
            Matcher m = p.matcher(name);
            if (m.matches()) {
                return OptionalLong.of(Long.parseLong(m.group(1)));
            }
        }
        Matcher l = LIGHTNING.matcher(name);
        if (l.find()) {
            return OptionalLong.of(Long.parseLong(l.group(2) != null ? l.group(2) : l.group(1)));
        }
        Matcher s = STEP.matcher(name);
        if (s.find()) {
            return OptionalLong.of(Long.parseLong(s.group(1)));
        }
        return OptionalLong.empty();
    }
}
