package dev.landscape.probe.curvature.linalg;

/**
 * D A D for a positive diagonal D, the symmetric form of a diagonally preconditioned operator: with D = P^(-1/2),
 * P^(-1/2) H P^(-1/2) is similar to P^(-1) H (same eigenvalues, since P^(-1) H = P^(-1/2) (P^(-1/2) H P^(-1/2))
 * P^(1/2)) but symmetric, so Lanczos applies. Its top eigenvalue is the preconditioned sharpness that governs the
 * stability of Adam (Cohen et al. 2022, "Adaptive gradient methods at the edge of stability").
 */
public final class PreconditionedOperator implements SymmetricOperator {

    private final SymmetricOperator a;
    private final double[] d;
    private final double[] scratch;

    /** @param d the diagonal of D (P^(-1/2)), one entry per parameter; kept by reference, not copied */
    public PreconditionedOperator(SymmetricOperator a, double[] d) {
        if (d.length != a.dimension()) {
            throw new IllegalArgumentException("diagonal has " + d.length + " entries, operator dimension is " + a.dimension());
        }
        this.a = a;
        this.d = d;
        this.scratch = new double[d.length];
    }

    @Override
    public int dimension() {
        return d.length;
    }

    @Override
    public void apply(double[] x, double[] out) {
        for (int i = 0; i < d.length; i++) {
            scratch[i] = d[i] * x[i];
        }
        a.apply(scratch, out);
        for (int i = 0; i < d.length; i++) {
            out[i] *= d[i];
        }
    }
}
