package dev.landscape.probe.testing;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.checkpoint.TensorInfo;

/**
 * An in-memory tensor whose stream implements only {@code read(double[])}, so code under test also goes through
 * {@link ElementStream}'s default float path, as it will for formats without a fast one. {@code yielded} may
 * differ from the shape's element count to imitate a broken reader.
 */
public final class TestingTensor implements Tensor {

    private final TensorInfo info;
    private final double[] values;

    public TestingTensor(String name, DType dtype, long[] shape, double... values) {
        this.info = new TensorInfo(name, TensorInfo.MODEL, dtype, shape);
        this.values = values.clone();
    }

    /** A 1-d tensor holding {@code values}. */
    public static TestingTensor of(DType dtype, double... values) {
        return new TestingTensor("t", dtype, new long[] {values.length}, values);
    }

    @Override
    public TensorInfo info() {
        return info;
    }

    @Override
    public ElementStream open() {
        return new ElementStream() {
            private int pos;

            @Override
            public int read(double[] dst, int off, int len) {
                if (pos >= values.length) {
                    return -1;
                }
                int n = Math.min(len, values.length - pos);
                System.arraycopy(values, pos, dst, off, n);
                pos += n;
                return n;
            }
        };
    }
}
