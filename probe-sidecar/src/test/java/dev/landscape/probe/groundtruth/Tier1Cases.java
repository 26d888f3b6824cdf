package dev.landscape.probe.groundtruth;

import dev.landscape.probe.groundtruth.Tier1Case.Fault;
import dev.landscape.probe.groundtruth.Tier1Case.Noise;
import dev.landscape.probe.groundtruth.Tier1Case.Optimizer;
import dev.landscape.probe.groundtruth.Tier1Case.Schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tier-1 ground-truth cases, fixed before they were measured (bench/results/tier1-signals.md, "Definition").
 * Learning rates of SGD and heavy ball are in units of their edge ({@code 2/λmax}, {@code 3.8/λmax}); Adam's edge
 * moves with its second moment, so its learning rates are absolute and were chosen from the exact ratio alone
 * (crossing where the case says, controls below 0.6: {@link GroundTruthRunTest}).
 */
final class Tier1Cases {

    /** The step at which spikes and NaN are injected; the detectors have 49 checkpoints of history by then. */
    static final int FAULT_STEP = 50;
    /** Exact ratio a clean control (and a fault run before its fault) never reaches. */
    static final double CLEAN_CEILING = 0.6;

    static final int SPIKE_RUN = 80;
    static final int NAN_RUN = FAULT_STEP + 6;
    static final int RAMP_RUN = 90;
    static final int JUMP_RUN = 70;
    static final int ADAM_EDGE_RUN = 160;
    static final int ADAM_SHAPED_RUN = 90;
    static final int WARMUP = 20;

    private Tier1Cases() {
    }

    /** Every case: faults first, then the clean controls. */
    static List<Tier1Case> all() {
        List<Tier1Case> out = new ArrayList<>(faults());
        out.addAll(controls());
        return out;
    }

    static List<Tier1Case> faults() {
        List<Tier1Case> out = new ArrayList<>();
        for (Optimizer o : List.of(Optimizer.SGD, Optimizer.MOMENTUM)) {
            for (Noise n : List.of(Noise.LOW, Noise.HIGH)) {
                out.add(edge(o, edgeRamp(o), n, RAMP_RUN));
                out.add(edge(o, edgeJump(o), n, JUMP_RUN));
            }
        }
        for (Optimizer o : List.of(Optimizer.ADAM, Optimizer.ADAMW)) {
            out.add(edge(o, Schedule.constant(WARMUP, 0.3), Noise.QUIET, ADAM_EDGE_RUN));
            out.add(edge(o, adamJump(Noise.LOW, 10), Noise.LOW, ADAM_SHAPED_RUN));
        }
        out.add(edge(Optimizer.ADAM, adamJump(Noise.HIGH, 10), Noise.HIGH, ADAM_SHAPED_RUN));
        out.add(edge(Optimizer.ADAM, adamRamp(Noise.LOW, 10), Noise.LOW, ADAM_SHAPED_RUN));
        out.add(edge(Optimizer.ADAM, adamRamp(Noise.HIGH, 20), Noise.HIGH, ADAM_SHAPED_RUN));
        for (Optimizer o : List.of(Optimizer.SGD, Optimizer.ADAM)) {
            for (Noise n : List.of(Noise.QUIET, Noise.HIGH)) {
                out.add(at(o, n, Fault.nan(FAULT_STEP), NAN_RUN));
                for (double k : new double[] {2, 4, 10}) {
                    out.add(at(o, n, Fault.gradientSpike(FAULT_STEP, k), SPIKE_RUN));
                }
                for (double k : new double[] {1.3, 2, 4, 10}) {
                    out.add(at(o, n, Fault.lossSpike(FAULT_STEP, k), SPIKE_RUN));
                }
            }
        }
        return out;
    }

    /** One clean control per optimizer, schedule shape and noise level that a fault case uses. */
    static List<Tier1Case> controls() {
        List<Tier1Case> out = new ArrayList<>();
        for (Optimizer o : List.of(Optimizer.SGD, Optimizer.ADAM)) {
            for (Noise n : List.of(Noise.QUIET, Noise.HIGH)) {
                out.add(at(o, n, Fault.NONE, SPIKE_RUN));
            }
        }
        out.add(at(Optimizer.ADAMW, Noise.QUIET, Fault.NONE, SPIKE_RUN));
        for (Optimizer o : List.of(Optimizer.SGD, Optimizer.MOMENTUM)) {
            for (Noise n : List.of(Noise.LOW, Noise.HIGH)) {
                out.add(control(o, edgeRamp(o).scaled(0.4), n, RAMP_RUN));
                double edge = o.edgeLearningRate();
                out.add(control(o, Schedule.jump(0, 0.25 * edge, FAULT_STEP, 0.55 * edge), n, JUMP_RUN));
            }
        }
        for (Optimizer o : List.of(Optimizer.ADAM, Optimizer.ADAMW)) {
            out.add(control(o, adamJump(Noise.LOW, 1.5), Noise.LOW, ADAM_SHAPED_RUN));
        }
        out.add(control(Optimizer.ADAM, adamJump(Noise.HIGH, 1.5), Noise.HIGH, ADAM_SHAPED_RUN));
        out.add(control(Optimizer.ADAM, adamRamp(Noise.LOW, 1.5), Noise.LOW, ADAM_SHAPED_RUN));
        out.add(control(Optimizer.ADAM, adamRamp(Noise.HIGH, 2), Noise.HIGH, ADAM_SHAPED_RUN));
        return out;
    }

    /**
     * A small subset for the unit test: the kinds the bench finds in every seed (an Adam learning-rate jump past the
     * edge, NaN, a gradient ×4 and a loss ×2 on smooth runs) and two quiet controls, on which the bench raised
     * nothing. The noisy controls are left to the bench: their spike rules raise a few findings per thousand
     * checkpoints there (bench/results/tier1-signals.md).
     */
    static List<Tier1Case> quick() {
        List<Tier1Case> out = new ArrayList<>();
        out.add(edge(Optimizer.ADAM, adamJump(Noise.LOW, 10), Noise.LOW, ADAM_SHAPED_RUN));
        out.add(at(Optimizer.ADAM, Noise.QUIET, Fault.lossSpike(FAULT_STEP, 2), SPIKE_RUN));
        out.add(at(Optimizer.SGD, Noise.QUIET, Fault.nan(FAULT_STEP), NAN_RUN));
        out.add(at(Optimizer.SGD, Noise.QUIET, Fault.gradientSpike(FAULT_STEP, 4), SPIKE_RUN));
        out.add(at(Optimizer.ADAM, Noise.QUIET, Fault.NONE, SPIKE_RUN));
        out.add(at(Optimizer.SGD, Noise.QUIET, Fault.NONE, SPIKE_RUN));
        return out;
    }

    /** SGD and heavy ball: from 0.4 to 1.4 of the edge between steps 1 and 80; the exact crossing is step 49. */
    private static Schedule edgeRamp(Optimizer o) {
        double edge = o.edgeLearningRate();
        return Schedule.ramp(0, 0.4 * edge, 1, 80, 1.4 * edge);
    }

    /** SGD and heavy ball: 0.5 of the edge, then 1.2 from step 50 on: the exact crossing is step 50. */
    private static Schedule edgeJump(Optimizer o) {
        double edge = o.edgeLearningRate();
        return Schedule.jump(0, 0.5 * edge, FAULT_STEP, 1.2 * edge);
    }

    /** Adam: the base learning rate of a noise level (ratio 0.1 to 0.4 there) multiplied by {@code factor} at step 60. */
    private static Schedule adamJump(Noise n, double factor) {
        double base = adamBase(n);
        return Schedule.jump(WARMUP, base, 60, base * factor);
    }

    /** Adam: the base learning rate ramped linearly to {@code factor} times it between steps 40 and 70. */
    private static Schedule adamRamp(Noise n, double factor) {
        double base = adamBase(n);
        return Schedule.ramp(WARMUP, base, 40, 70, base * factor);
    }

    private static double adamBase(Noise n) {
        return switch (n) {
            case QUIET -> 0.003;
            case LOW -> 0.3;
            case HIGH -> 1;
        };
    }

    private static Tier1Case edge(Optimizer o, Schedule s, Noise n, int steps) {
        return new Tier1Case(name(o, s, n, Fault.EDGE), o, s, n, Fault.EDGE, steps);
    }

    private static Tier1Case control(Optimizer o, Schedule s, Noise n, int steps) {
        return new Tier1Case(name(o, s, n, Fault.NONE), o, s, n, Fault.NONE, steps);
    }

    /** Spikes, NaN and their controls: SGD at half its edge, Adam after warm-up at a rate far from its edge. */
    private static Tier1Case at(Optimizer o, Noise n, Fault f, int steps) {
        Schedule s = o.adaptive() ? Schedule.constant(WARMUP, n == Noise.QUIET ? 0.003 : 0.3)
                : Schedule.constant(0, 0.5 * o.edgeLearningRate());
        return new Tier1Case(name(o, s, n, f), o, s, n, f, steps);
    }

    /**
     * What is wrong with a run's physics, if anything: an edge run that does not cross where its schedule forces
     * it (or at all), a control or a fault run before its fault that reaches {@link #CLEAN_CEILING}. A run with
     * such physics measures the case, not the analyser, so the harness refuses to score it.
     */
    static java.util.Optional<String> violation(Tier1Case c, long seed, GroundTruthRun.Truth t) {
        String where = c.name() + " seed " + seed + ": ";
        return switch (c.fault().kind()) {
            case NONE -> t.peak() < CLEAN_CEILING ? java.util.Optional.empty()
                    : java.util.Optional.of(where + "the control's exact ratio peaks at " + t.peak());
            case EDGE -> {
                int forced = forcedCrossing(c);
                yield t.crossing() > WARMUP && (forced < 0 || t.crossing() == forced) ? java.util.Optional.empty()
                        : java.util.Optional.of(where + "the exact ratio crosses 1 at step " + t.crossing()
                        + (forced < 0 ? "" : ", not at " + forced));
            }
            default -> {
                double before = 0;
                for (int s = 1; s < c.fault().step(); s++) {
                    before = Math.max(before, t.ratio()[s]);
                }
                yield before < CLEAN_CEILING ? java.util.Optional.empty()
                        : java.util.Optional.of(where + "the exact ratio reaches " + before + " before the fault");
            }
        };
    }

    /** The crossing a schedule forces (49 on the SGD/heavy-ball ramp, the jump's step), or -1 where Adam's state decides. */
    private static int forcedCrossing(Tier1Case c) {
        Schedule s = c.schedule();
        if (s.kind() == Schedule.Kind.JUMP) {
            return s.from();
        }
        return c.optimizer().adaptive() ? -1 : 49;
    }

    private static String name(Optimizer o, Schedule s, Noise n, Fault f) {
        return String.format(Locale.ROOT, "%s %s %s %s", o.label(), s.label(), n.label(), f.label());
    }
}
