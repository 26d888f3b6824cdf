package dev.landscape.probe.curvature.bench;

import dev.landscape.probe.curvature.linalg.SymmetricOperator;

/** Counts the products asked of an operator, so that both methods' HVPs are counted in one place, the same way. */
final class CountingOperator implements SymmetricOperator {

    private final SymmetricOperator op;
    private int products;

    CountingOperator(SymmetricOperator op) {
        this.op = op;
    }

    int products() {
        return products;
    }

    @Override
    public int dimension() {
        return op.dimension();
    }

    @Override
    public void apply(double[] x, double[] out) {
        products++;
        op.apply(x, out);
    }
}
