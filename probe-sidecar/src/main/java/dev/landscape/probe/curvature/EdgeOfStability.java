package dev.landscape.probe.curvature;

/**
 * Sharpness against the largest value a step of the optimizer can tolerate on a quadratic (DESIGN.md, finding
 * EdgeOfStability). Gradient descent on a quadratic with curvature lambda diverges once lambda > 2/lr; heavy-ball
 * momentum beta moves the limit to 2(1+beta)/lr; for Adam the relevant curvature is the preconditioned sharpness
 * lambda_max(P^-1 H) and the limit (2 + 2 beta1)/((1 - beta1) lr), 38/lr at beta1 = 0.9 (Cohen et al. 2021, 2022).
 * A ratio near or above 1 means training sits at, or beyond, the edge of stability.
 *
 * @param rule      which threshold applied: {@code sgd}, {@code momentum} or {@code adam}
 * @param sharpness lambda_max of H (sgd, momentum) or of P^-1 H (adam)
 */
public record EdgeOfStability(String rule, double sharpness, double threshold, double ratio) {

    public static EdgeOfStability sgd(double sharpness, double lr) {
        return of("sgd", sharpness, 2.0 / positive(lr, "learning rate"));
    }

    public static EdgeOfStability momentum(double sharpness, double lr, double beta) {
        return of("momentum", sharpness, 2.0 * (1 + beta) / positive(lr, "learning rate"));
    }

    public static EdgeOfStability adam(double preconditionedSharpness, double lr, double beta1) {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new CurvatureException("Adam beta1 must be in [0, 1), got " + beta1);
        }
        return of("adam", preconditionedSharpness, (2 + 2 * beta1) / ((1 - beta1) * positive(lr, "learning rate")));
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
