package dev.landscape.probe.curvature;

import java.util.Arrays;

/**
 * A tensor held in Java memory as doubles: batch inputs, targets, initializer values and folded constants. Integer
 * tensors (token ids, class targets, shapes, axes) keep {@code integral = true}; their values are exact up to 2^53,
 * far beyond any shape, axis or class index.
 */
public record HostTensor(long[] shape, double[] values, boolean integral) {

    public HostTensor {
        shape = shape.clone();
        long n = numel(shape);
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements, got " + values.length);
        }
    }

    public static HostTensor of(long[] shape, double... values) {
        return new HostTensor(shape, values, false);
    }

    public static HostTensor ofIntegers(long[] shape, double... values) {
        return new HostTensor(shape, values, true);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return values.length;
    }

    public int rank() {
        return shape.length;
    }

    /** The values as longs, for shapes, axes and class indices. */
    public long[] longs() {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (long) values[i];
        }
        return out;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h && integral == h.integral && Arrays.equals(shape, h.shape)
                && Arrays.equals(values, h.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return (integral ? "int" : "float") + Arrays.toString(shape);
    }
}
