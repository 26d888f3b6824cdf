package dev.landscape.probe.curvature.linalg;

/**
 * Hessian-vector products by central differences of gradients, in double precision:
 * {@code H v ~ ||v|| (g(w + h u) - g(w - h u)) / (2h)} with {@code u = v / ||v||}.
 *
 * <p><b>Why differences, not double backward.</b> SameDiff 1.0.0-M2.1 builds gradients from backward ops whose own
 * {@code doDiff} throws (checked in its bytecode: every {@code BaseArithmeticBackpropOp} such as AddBp/MulBp, "Not
 * supported"; {@code MmulBp}; {@code Conv2DDerivative}, "Unable to take derivative of derivative"), so a gradient of
 * a gradient cannot be formed for the ops we translate. Two gradient evaluations per product, in double, give about ten
 * correct digits instead, which is far more than curvature monitoring needs.
 *
 * <p><b>Step size.</b> By Taylor expansion along u,
 * g(w +- h u) = g +- h H u + (h^2/2) D^3L[u,u] +- (h^3/6) D^4L[u,u,u] + O(h^4), so the central quotient has
 * truncation error (h^2/6) |D^4L[u,u,u]| <= h^2 M / 6. Each gradient is computed with an absolute rounding error
 * delta ~ c eps G (eps = 2^-52 the double machine epsilon, G the size of the gradient's terms, c a modest
 * accumulation factor), and the quotient amplifies it to about delta / h. The total h^2 M / 6 + delta / h is
 * smallest at h* = (3 delta / M)^(1/3); with M and G of the same order in units where the parameters are O(1),
 * h* ~ (3 c eps)^(1/3), i.e. a step of order eps^(1/3) ~ 6e-6, and the relative error of the product is then of
 * order eps^(2/3) ~ 4e-11 (Nocedal and Wright, Numerical Optimization, 2nd ed., section 8.1). Parameters are not
 * always O(1), so the step is scaled by the root-mean-square parameter when that exceeds 1:
 * {@code h = eps^(1/3) * max(1, rms(w))}. In single precision the same analysis gives h ~ 5e-3 and only ~ 4 digits,
 * which is why the whole graph is translated to DOUBLE.
 *
 * <p>Piecewise-linear activations (ReLU, max pooling) have a Hessian that jumps across kinks; when w +- h u straddles
 * one, that product is perturbed. With h ~ 1e-5 this is rare and shows up as noise, not bias, in the estimates.
 */
public final class FiniteDifferenceHvp implements SymmetricOperator {

    /** eps^(1/3) for double precision (eps = 2^-52). */
    public static final double BASE_STEP = Math.cbrt(Math.ulp(1.0));

    private final DifferentiableLoss loss;
    private final double[] w0;
    private final double step;
    private final double[] gm;
    private int products;

    /**
     * @param w0 the point; kept by reference, not copied (on a large model every n-vector counts), so the caller
     *           must not change it while this operator is in use
     */
    public FiniteDifferenceHvp(DifferentiableLoss loss, double[] w0) {
        this.loss = loss;
        this.w0 = w0;
        double rms = Vectors.norm(w0) / Math.sqrt(Math.max(1, w0.length));
        this.step = BASE_STEP * Math.max(1.0, rms);
        this.gm = new double[w0.length];
    }

    @Override
    public int dimension() {
        return w0.length;
    }

    /** The difference step h along a unit direction. */
    public double step() {
        return step;
    }

    /** Hessian-vector products computed so far (each costs two gradient evaluations). */
    public int products() {
        return products;
    }

    @Override
    public void apply(double[] v, double[] out) {
        products++;
        double norm = Vectors.norm(v);
        if (norm == 0) {
            java.util.Arrays.fill(out, 0);
            return;
        }
        double t = step / norm;
        loss.lossAndGradientAlong(w0, t, v, out);
        loss.lossAndGradientAlong(w0, -t, v, gm);
        double s = 1.0 / (2 * t);
        for (int i = 0; i < w0.length; i++) {
            out[i] = (out[i] - gm[i]) * s;
        }
    }
}
