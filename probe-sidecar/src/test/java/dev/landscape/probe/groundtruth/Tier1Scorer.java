package dev.landscape.probe.groundtruth;

import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Finding;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores one analysed run against its truth (bench/results/tier1-signals.md, "Scoring"). Only raised findings
 * count ({@code since == step}: a new event or a condition newly raised; a held condition is the same alarm).
 *
 * <ul>
 * <li>The fault's <b>window</b>: for an edge case, the exact crossing {@code c} ± the case's tolerance (3 steps
 * for SGD and heavy ball, 4 for Adam); for NaN and spikes, exactly the injected step.</li>
 * <li><b>Found</b>: the first raise of the expected reason lies in the window. Its <b>lag</b> is its step minus
 * {@code c} (or the injected step): negative is a lead. A first raise before the window is premature: not found,
 * and a false alarm.</li>
 * <li><b>False alarms</b>: every raise on a control; in a fault run, every raise before the window opens, and after
 * it every raise that is neither the expected reason nor one of the case's companions within their time.</li>
 * <li><b>Clean checkpoints</b>: every checkpoint of a control, and those of a fault run before its window.</li>
 * </ul>
 */
final class Tier1Scorer {

    /** A finding that counted against the analyser. */
    record Alarm(long step, String reason, String why) {
    }

    /**
     * @param expectedAt crossing or injected step, -1 for a control
     * @param found      whether the expected finding came inside the window
     * @param lag        first raise of the expected reason (at or after the window opens) minus {@code expectedAt};
     *                   {@code null} when never raised there
     */
    record Score(Tier1Case c, long seed, int expectedAt, boolean found, Integer lag, List<Alarm> falseAlarms,
                 int cleanCheckpoints) {
    }

    private Tier1Scorer() {
    }

    static Score score(Tier1Case c, long seed, GroundTruthRun.Truth truth, List<RunAnalysis.Result> results) {
        String expected = c.fault().expectedReason();
        int at;
        int from;
        int to;
        if (c.isControl()) {
            at = -1;
            from = Integer.MAX_VALUE;
            to = Integer.MAX_VALUE;
        } else if (c.fault().kind() == Tier1Case.Fault.Kind.EDGE) {
            if (truth.crossing() < 0) {
                throw new IllegalStateException(c.name() + " seed " + seed + ": the exact ratio never reaches 1 "
                        + "(peak " + truth.peak() + "); the case definition is broken, not the analyser");
            }
            at = truth.crossing();
            from = at - c.edgeTolerance();
            to = at + c.edgeTolerance();
        } else {
            at = c.fault().step();
            from = at;
            to = at;
        }
        int companionsUntil = c.companionsUntil(from);
        List<Alarm> alarms = new ArrayList<>();
        Long firstExpected = null;
        boolean premature = false;
        int clean = 0;
        for (RunAnalysis.Result r : results) {
            long step = r.step().orElse(-1);
            if (step < from) {
                clean++;
            }
            for (Finding f : r.findings()) {
                if (f.since() != f.step()) {
                    continue;
                }
                String reason = f.reason().name();
                if (c.isControl()) {
                    alarms.add(new Alarm(step, reason, "clean control"));
                } else if (step < from) {
                    boolean early = reason.equals(expected);
                    premature |= early && firstExpected == null;
                    alarms.add(new Alarm(step, reason, early ? "premature: before the window" : "before the fault"));
                } else if (reason.equals(expected)) {
                    if (firstExpected == null) {
                        firstExpected = step;
                    }
                } else if (!c.companions().contains(reason) || step > companionsUntil) {
                    alarms.add(new Alarm(step, reason, "not explained by the fault"));
                }
            }
        }
        boolean found = !premature && firstExpected != null && firstExpected <= to;
        Integer lag = firstExpected == null ? null : (int) (firstExpected - at);
        return new Score(c, seed, at, found, lag, alarms, clean);
    }
}
