package dev.landscape.probe.metrics;

/**
 * A sum of squares kept as {@code scaled · 4^exponent}, so that float64 tensors whose squares overflow (values
 * beyond 1e154) or underflow (values below 1e-154) still give an exact-to-rounding norm. The exponent is zero for
 * every realistic tensor, which keeps the common path a single addition.
 */
record SumOfSquares(double scaled, int exponent) {

    static final SumOfSquares ZERO = new SumOfSquares(0, 0);

    /** Beyond this a further addition might overflow; renormalise first. */
    private static final double LIMIT = 0x1p900;
    private static final int SHIFT = 256;

    static SumOfSquares of(double scaled, int exponent) {
        double s = scaled;
        int e = exponent;
        while (s > LIMIT) {
            s = Math.scalb(s, -2 * SHIFT);
            e += SHIFT;
        }
        return new SumOfSquares(s, e);
    }

    SumOfSquares plus(double otherScaled, int otherExponent) {
        if (otherScaled == 0) {
            return this;
        }
        if (scaled == 0) {
            return of(otherScaled, otherExponent);
        }
        if (otherExponent == exponent && otherScaled <= LIMIT) {
            return of(scaled + otherScaled, exponent);
        }
        SumOfSquares other = of(otherScaled, otherExponent);
        int e = Math.max(exponent, other.exponent);
        return of(Math.scalb(scaled, 2 * (exponent - e)) + Math.scalb(other.scaled, 2 * (other.exponent - e)), e);
    }

    SumOfSquares plus(SumOfSquares other) {
        return plus(other.scaled, other.exponent);
    }

    /** The square root, {@code +Infinity} only when the true norm exceeds {@link Double#MAX_VALUE}. */
    double sqrt() {
        return Math.scalb(Math.sqrt(scaled), exponent);
    }
}
