package dev.landscape.probe.bench;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.inspect.InspectReport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * In-process timing of {@code inspect}'s work (open + one pass over every tensor), without JVM start-up: the
 * steady-state figure to set beside numpy's in-process time. Usage: {@code InspectThroughput FILE REPS}; prints
 * {@code best_seconds first_seconds l2 nonFinite}.
 */
public final class InspectThroughput {

    private InspectThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int reps = Integer.parseInt(args[1]);
        double best = Double.MAX_VALUE;
        double first = 0;
        InspectReport report = null;
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
                report = InspectReport.of(cp);
            }
            double s = (System.nanoTime() - t) / 1e9;
            first = r == 0 ? s : first;
            best = Math.min(best, s);
        }
        System.out.printf("%.4f %.4f %.10g %d%n", best, first, report.totals().l2(), report.totals().nonFinite());
    }
}
