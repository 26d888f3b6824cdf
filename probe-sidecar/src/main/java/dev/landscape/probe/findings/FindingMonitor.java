package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Runs every tier-1 detector on a run's checkpoints, in step order, and applies hysteresis so that a finding does
 * not flap: a condition is raised after {@code raiseAfter} consecutive detections and, once raised, stays reported
 * (marked as held, with the values of its last detection) until {@code clearAfter} consecutive clean checkpoints.
 * Events (spikes) are reported only where they happen. Keeps only the bounded history the rules need. Pure.
 */
public final class FindingMonitor {

    private final Thresholds thresholds;
    private final List<Detector> detectors = List.of(new NonFiniteDetector(), SpikeDetector.gradient(),
            SpikeDetector.loss(), new OscillationDetector(), new PlateauDetector(), new EdgeOfStabilityDetector(),
            new ClassLossDriftDetector());
    private final ArrayDeque<Tier1Metrics> history = new ArrayDeque<>();
    private final int keep;
    private final Map<Reason, State> states = new EnumMap<>(Reason.class);

    private static final class State {
        int hits;
        int clean;
        Finding raised;
    }

    public FindingMonitor(Thresholds thresholds) {
        this.thresholds = thresholds;
        this.keep = 1 + IntStream.of(thresholds.spikeWindow(), thresholds.plateauCheckpoints(),
                thresholds.eosCheckpoints(), thresholds.eosApproachCheckpoints(), thresholds.oscillationCheckpoints() + 3,
                thresholds.classDriftWindow() + thresholds.classDriftCheckpoints()).max().getAsInt();
    }

    /** Judges the next checkpoint of the run; returns the findings to report at its step. */
    public List<Finding> observe(Tier1Metrics m) {
        history.addLast(m);
        while (history.size() > keep) {
            history.removeFirst();
        }
        List<Tier1Metrics> view = List.copyOf(history);
        List<Finding> out = new ArrayList<>();
        for (Detector d : detectors) {
            Optional<Finding> raw = d.evaluate(view, thresholds);
            State s = states.computeIfAbsent(d.reason(), r -> new State());
            if (raw.isPresent()) {
                s.hits++;
                s.clean = 0;
                if (d.isEvent() || s.raised != null || s.hits >= thresholds.raiseAfter()) {
                    Finding f = raw.get();
                    long since = !d.isEvent() && s.raised != null ? s.raised.since() : f.step();
                    f = new Finding(f.reason(), f.severity(), f.step(), since, f.values(), f.message());
                    if (!d.isEvent()) {
                        s.raised = f;
                    }
                    out.add(f);
                }
            } else {
                s.hits = 0;
                if (s.raised != null) {
                    s.clean++;
                    if (s.clean >= thresholds.clearAfter()) {
                        s.raised = null;
                        s.clean = 0;
                    } else {
                        out.add(s.raised.heldAt(m.step(), s.clean, thresholds.clearAfter()));
                    }
                }
            }
        }
        return out;
    }
}
