package dev.landscape.probe.curvature;

import dev.landscape.probe.metrics.StabilityLimit;

/**
 * Tier 2's measured sharpness against the largest value a step of the optimizer can tolerate on a quadratic, the
 * {@link StabilityLimit} tier 1 uses too (finding EdgeOfStability). For Adam the relevant curvature is the
 * preconditioned sharpness lambda_max(P^-1 H). A ratio near or above 1 means training sits at, or beyond, the edge
 * of stability.
 *
 * @param rule      which threshold applied: {@code sgd}, {@code momentum} or {@code adam}
 * @param sharpness lambda_max of H (sgd, momentum) or of P^-1 H (adam)
 */
public record EdgeOfStability(String rule, double sharpness, double threshold, double ratio) {

    public static EdgeOfStability sgd(double sharpness, double lr) {
        return of("sgd", sharpness, StabilityLimit.sgd(positive(lr, "learning rate")));
    }

    public static EdgeOfStability momentum(double sharpness, double lr, double beta) {
        return of("momentum", sharpness, StabilityLimit.momentum(positive(lr, "learning rate"), beta));
    }

    public static EdgeOfStability adam(double preconditionedSharpness, double lr, double beta1) {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new CurvatureException("Adam beta1 must be in [0, 1), got " + beta1);
        }
        return of("adam", preconditionedSharpness, StabilityLimit.adam(positive(lr, "learning rate"), beta1));
    }

    private static EdgeOfStability of(String rule, double sharpness, double threshold) {
        return new EdgeOfStability(rule, sharpness, threshold, sharpness / threshold);
    }

    private static double positive(double v, String what) {
        if (!(v > 0)) {
            throw new CurvatureException(what + " must be positive, got " + v);
        }
        return v;
    }
}
