package dev.landscape.probe.bench;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.inspect.InspectReport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * In-process timing of {@code inspect}'s work (open + one pass over every tensor), without JVM start-up: the
 * steady-state figure to set beside numpy's in-process time. Usage: {@code InspectThroughput FILE REPS}; prints
 * {@code best_wall_seconds best_cpu_seconds first_wall_seconds l2 nonFinite}. CPU time is the whole process's (every
 * thread: the scan's helpers, and also the JIT and the collector), as numpy's {@code time.process_time()} is; on a
 * machine shared with other jobs it says more than wall time does. {@code -XX:ActiveProcessorCount=1} gives the
 * one-thread scan.
 */
public final class InspectThroughput {

    private InspectThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int reps = Integer.parseInt(args[1]);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        double first = 0;
        InspectReport report = null;
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            long c = os.getProcessCpuTime();
            try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
                report = InspectReport.of(cp);
            }
            double s = (System.nanoTime() - t) / 1e9;
            bestCpu = Math.min(bestCpu, (os.getProcessCpuTime() - c) / 1e9);
            first = r == 0 ? s : first;
            best = Math.min(best, s);
        }
        System.out.printf("%.4f %.4f %.4f %.10g %d%n", best, bestCpu, first, report.totals().l2(), report.totals().nonFinite());
    }
}
