package dev.landscape.probe.curvature.linalg;

/**
 * A symmetric linear map on R^n known only through its action on vectors: the Hessian of the loss (through
 * Hessian-vector products), its Adam-preconditioned form, or an explicit matrix in tests. Lanczos, power iteration
 * and Hutchinson's estimator need nothing more.
 */
public interface SymmetricOperator {

    int dimension();

    /** Writes {@code A x} into {@code out} ({@code out != x}). */
    void apply(double[] x, double[] out);
}
