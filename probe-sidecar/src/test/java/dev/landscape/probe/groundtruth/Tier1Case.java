package dev.landscape.probe.groundtruth;

import java.util.Locale;
import java.util.Set;

/**
 * One run of the tier-1 ground truth: an optimizer on {@link KnownQuadratic}, a learning-rate schedule, a noise
 * level and at most one fault, with what the analyser must say about it and when (see
 * {@code bench/results/tier1-signals.md}, "Definition"). A case without a fault is a clean control: any finding on
 * it is a false alarm.
 *
 * @param steps optimizer steps, one HF Trainer checkpoint after each
 */
record Tier1Case(String name, Optimizer optimizer, Schedule schedule, Noise noise, Fault fault, int steps) {

    /** torch's optimizers as the Trainer builds them; hyper-parameters are torch's and the Trainer's defaults. */
    enum Optimizer {
        SGD, MOMENTUM, ADAM, ADAMW;

        static final double BETA1 = 0.9;
        static final double BETA2 = 0.95;
        static final double EPS = 1e-8;
        static final double MOMENTUM_COEFFICIENT = 0.9;
        static final double WEIGHT_DECAY = 0.01;

        boolean adaptive() {
            return this == ADAM || this == ADAMW;
        }

        /** Sharpness at which a step of learning rate {@code lr} is at the edge (OptimizerSetup's thresholds). */
        double threshold(double lr) {
            return switch (this) {
                case SGD -> 2 / lr;
                case MOMENTUM -> 2 * (1 + MOMENTUM_COEFFICIENT) / lr;
                case ADAM, ADAMW -> (2 + 2 * BETA1) / ((1 - BETA1) * lr);
            };
        }

        /** For SGD and heavy ball: the learning rate at which λmax(H) is exactly at the edge. */
        double edgeLearningRate() {
            return switch (this) {
                case SGD -> 2 / KnownQuadratic.LAMBDA_MAX;
                case MOMENTUM -> 2 * (1 + MOMENTUM_COEFFICIENT) / KnownQuadratic.LAMBDA_MAX;
                case ADAM, ADAMW -> throw new IllegalStateException("Adam's edge depends on its second moment");
            };
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Gradient noise (standard deviation of the noise vector's norm, relative to the initial full-batch gradient
     * norm) and loss noise (log-normal, σ of the logged loss's logarithm) of a minibatch.
     */
    enum Noise {
        QUIET(0, 0.02), LOW(0.05, 0.05), HIGH(0.3, 0.25);

        final double gradient;
        final double loss;

        Noise(double gradient, double loss) {
            this.gradient = gradient;
            this.loss = loss;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Learning rate of optimizer step {@code s} (1-based): a linear warm-up from 0 at step 1 to {@code base} at step
     * {@code warmup + 1} (as the Trainer's {@code get_linear_schedule_with_warmup}), then {@code base}, changed at
     * step {@code from}: kept ({@code CONSTANT}), jumped to {@code target} ({@code JUMP}), or ramped linearly to
     * {@code target} at step {@code to} and held there ({@code RAMP}).
     */
    record Schedule(int warmup, double base, Kind kind, int from, int to, double target) {
        enum Kind { CONSTANT, JUMP, RAMP }

        static Schedule constant(int warmup, double lr) {
            return new Schedule(warmup, lr, Kind.CONSTANT, 1, 1, lr);
        }

        static Schedule jump(int warmup, double before, int at, double after) {
            return new Schedule(warmup, before, Kind.JUMP, at, at, after);
        }

        static Schedule ramp(int warmup, double from, int start, int end, double to) {
            return new Schedule(warmup, from, Kind.RAMP, start, end, to);
        }

        double lr(int s) {
            if (s <= warmup) {
                return base * (s - 1) / warmup;
            }
            return switch (kind) {
                case CONSTANT -> base;
                case JUMP -> s >= from ? target : base;
                case RAMP -> s <= from ? base : s >= to ? target : base + (target - base) * (s - from) / (to - from);
            };
        }

        Schedule scaled(double f) {
            return new Schedule(warmup, base * f, kind, from, to, target * f);
        }

        String label() {
            return kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** What goes wrong in the run, and at which step. */
    record Fault(Kind kind, int step, double factor) {
        enum Kind { NONE, EDGE, NAN, GRADIENT_SPIKE, LOSS_SPIKE }

        static final Fault NONE = new Fault(Kind.NONE, -1, 1);
        /** The learning rate or the preconditioner takes the run past the edge; the step is found from the exact ratio. */
        static final Fault EDGE = new Fault(Kind.EDGE, -1, 1);

        static Fault nan(int step) {
            return new Fault(Kind.NAN, step, 1);
        }

        static Fault gradientSpike(int step, double factor) {
            return new Fault(Kind.GRADIENT_SPIKE, step, factor);
        }

        static Fault lossSpike(int step, double factor) {
            return new Fault(Kind.LOSS_SPIKE, step, factor);
        }

        /** The finding the analyser must raise; {@code null} for a clean control. */
        String expectedReason() {
            return switch (kind) {
                case NONE -> null;
                case EDGE -> "EdgeOfStability";
                case NAN -> "NonFiniteValues";
                case GRADIENT_SPIKE -> "GradientSpike";
                case LOSS_SPIKE -> "LossSpike";
            };
        }

        String label() {
            return switch (kind) {
                case NONE -> "clean";
                case EDGE -> "edge";
                case NAN -> "NaN";
                case GRADIENT_SPIKE -> String.format(Locale.ROOT, "gradient ×%s", trim(factor));
                case LOSS_SPIKE -> String.format(Locale.ROOT, "loss ×%s", trim(factor));
            };
        }

        private static String trim(double f) {
            return f == Math.rint(f) ? Long.toString((long) f) : Double.toString(f);
        }
    }

    /** Steps a finding may come before or after the exact crossing and still count as found (the targets). */
    int edgeTolerance() {
        return optimizer.adaptive() ? 4 : 3;
    }

    /**
     * Findings that are right once the fault's window has opened although they are not the expected one: the
     * consequences of the fault. Before the window opens, every finding is a false alarm.
     */
    Set<String> companions() {
        return switch (fault.kind()) {
            case NONE, LOSS_SPIKE -> Set.of();
            case EDGE -> Set.of("LossSpike", "GradientSpike", "UpdateOscillation", "NonFiniteValues");
            case NAN -> Set.of("LossSpike", "GradientSpike", "UpdateOscillation", "EdgeOfStability", "Plateau");
            case GRADIENT_SPIKE -> Set.of("LossSpike", "UpdateOscillation", "EdgeOfStability");
        };
    }

    /** Last step (inclusive) at which a companion is still explained by the fault; after it, findings count again. */
    int companionsUntil(int windowStart) {
        return fault.kind() == Fault.Kind.GRADIENT_SPIKE ? fault.step() + GRADIENT_SPIKE_AFTERMATH : steps;
    }

    /** Steps after a gradient spike during which the larger step's consequences (overshoot, loss rise) are expected. */
    static final int GRADIENT_SPIKE_AFTERMATH = 10;

    boolean isControl() {
        return fault.kind() == Fault.Kind.NONE;
    }
}
