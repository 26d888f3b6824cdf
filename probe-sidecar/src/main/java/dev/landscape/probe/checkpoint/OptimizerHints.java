package dev.landscape.probe.checkpoint;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Optimizer hyper-parameters as stored in the checkpoint ({@code param_groups} of a torch optimizer state dict),
 * needed for bias correction of Adam moments and for edge-of-stability thresholds. Absent values stay empty: the
 * probe's {@code spec.optimizer} fills them, never a guess.
 *
 * @param type          {@code adam}, {@code adamw}, {@code sgd}, {@code sgd-momentum} or empty when unknown
 * @param stepCount     optimizer steps taken (Adam's {@code step}), for bias correction
 */
public record OptimizerHints(String type, OptionalDouble learningRate, OptionalDouble beta1, OptionalDouble beta2,
                             OptionalDouble momentum, OptionalDouble eps, OptionalLong stepCount) {

    public static final OptimizerHints NONE = new OptimizerHints("", OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.empty());

    public boolean isKnown() {
        return !type.isEmpty();
    }
}
