package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.OptimizerHints;

import java.util.List;
import java.util.Locale;

/**
 * Optimizer hyper-parameters for the edge-of-stability ratio: the checkpoint's {@link OptimizerHints}, overridden by
 * explicit values (CLI flags, {@code spec.optimizer}). Null means "not given". Adam's beta2 and eps fall back to
 * PyTorch's defaults (0.999, 1e-8) with a note saying so; the learning rate never has a default.
 */
public record OptimizerSettings(String type, Double lr, Double beta1, Double beta2, Double eps, Double momentum,
                                Long step) {

    public static final OptimizerSettings NONE = new OptimizerSettings(null, null, null, null, null, null, null);

    /** These settings where given, else the checkpoint's. */
    public OptimizerSettings over(OptimizerHints h) {
        return new OptimizerSettings(
                type != null ? type.toLowerCase(Locale.ROOT) : (h.isKnown() ? h.type() : null),
                lr != null ? lr : box(h.learningRate()), beta1 != null ? beta1 : box(h.beta1()),
                beta2 != null ? beta2 : box(h.beta2()), eps != null ? eps : box(h.eps()),
                momentum != null ? momentum : box(h.momentum()),
                step != null ? step : (h.stepCount().isPresent() ? h.stepCount().getAsLong() : null));
    }

    public boolean isAdam() {
        return type != null && type.startsWith("adam");
    }

    double beta2OrDefault(List<String> notes) {
        if (beta2 == null) {
            notes.add("Adam beta2 not in the checkpoint or options: PyTorch default 0.999 used");
            return 0.999;
        }
        return beta2;
    }

    double epsOrDefault(List<String> notes) {
        if (eps == null) {
            notes.add("Adam eps not in the checkpoint or options: PyTorch default 1e-8 used");
            return 1e-8;
        }
        return eps;
    }

    double beta1OrDefault(List<String> notes) {
        if (beta1 == null) {
            notes.add("Adam beta1 not in the checkpoint or options: PyTorch default 0.9 used");
            return 0.9;
        }
        return beta1;
    }

    private static Double box(java.util.OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }
}
