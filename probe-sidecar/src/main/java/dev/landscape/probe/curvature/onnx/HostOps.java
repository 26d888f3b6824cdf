package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Array operations on {@link HostTensor}s in plain Java, for folding: a node whose inputs are all known while
 * translating (positions, masks, shapes: what the batch fixes) is computed here once instead of in every pass, and
 * its result can feed shape-like inputs. Row-major index arithmetic only; the sizes involved are those of masks
 * and index tensors.
 */
final class HostOps {

    private HostOps() {
    }

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Maps every output position (as a multi-index) to an input flat index. */
    private interface IndexMap {
        long source(long[] index);
    }

    private static double[] gatherBy(long[] outShape, double[] in, IndexMap map) {
        int n = Math.toIntExact(HostTensor.numel(outShape));
        double[] out = new double[n];
        long[] idx = new long[outShape.length];
        for (int i = 0; i < n; i++) {
            out[i] = in[Math.toIntExact(map.source(idx))];
            for (int d = outShape.length - 1; d >= 0; d--) {
                if (++idx[d] < outShape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    /** The tensor broadcast (numpy rules) to {@code shape}, which must be a broadcast of its shape. */
    static HostTensor broadcastTo(HostTensor t, long[] shape) {
        if (Arrays.equals(t.shape(), shape)) {
            return t;
        }
        long[] s = Shapes.padLeft(t.shape(), shape.length);
        long[] st = strides(s);
        double[] v = gatherBy(shape, t.values(), idx -> {
            long f = 0;
            for (int d = 0; d < idx.length; d++) {
                f += s[d] == 1 ? 0 : idx[d] * st[d];
            }
            return f;
        });
        return new HostTensor(shape, v, t.integral());
    }

    static HostTensor map(HostTensor t, DoubleUnaryOperator f, boolean integral) {
        double[] v = t.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(v[i]);
        }
        return new HostTensor(t.shape(), v, integral);
    }

    static HostTensor zip(HostTensor a, HostTensor b, long[] shape, DoubleBinaryOperator f, boolean integral) {
        double[] x = broadcastTo(a, shape).values();
        double[] y = broadcastTo(b, shape).values();
        double[] v = new double[x.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(x[i], y[i]);
        }
        return new HostTensor(shape, v, integral);
    }

    static HostTensor transpose(HostTensor t, int[] perm) {
        long[] in = t.shape();
        long[] st = strides(in);
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = in[perm[i]];
        }
        double[] v = gatherBy(out, t.values(), idx -> {
            long f = 0;
            for (int d = 0; d < idx.length; d++) {
                f += idx[d] * st[perm[d]];
            }
            return f;
        });
        return new HostTensor(out, v, t.integral());
    }

    /** Per axis: output element j reads input element {@code start[d] + j * step[d]}; {@code count[d]} elements. */
    static HostTensor strided(HostTensor t, long[] start, long[] step, long[] count) {
        long[] st = strides(t.shape());
        double[] v = gatherBy(count, t.values(), idx -> {
            long f = 0;
            for (int d = 0; d < idx.length; d++) {
                f += (start[d] + idx[d] * step[d]) * st[d];
            }
            return f;
        });
        return new HostTensor(count, v, t.integral());
    }

    /** Gather along {@code axis} with already-normalised (non-negative) indices. */
    static HostTensor gather(HostTensor data, long[] indices, long[] indexShape, int axis) {
        long[] in = data.shape();
        long[] out = Shapes.gathered(in, indexShape, axis);
        long[] st = strides(in);
        int r = indexShape.length;
        long[] ist = strides(indexShape);
        double[] v = gatherBy(out, data.values(), idx -> {
            long f = 0;
            for (int d = 0; d < axis; d++) {
                f += idx[d] * st[d];
            }
            long k = 0;
            for (int d = 0; d < r; d++) {
                k += idx[axis + d] * ist[d];
            }
            f += indices[(int) k] * st[axis];
            for (int d = axis + 1; d < in.length; d++) {
                f += idx[d - 1 + r] * st[d];
            }
            return f;
        });
        return new HostTensor(out, v, data.integral());
    }

    static HostTensor concat(List<HostTensor> parts, int axis, long[] shape) {
        double[] v = new double[Math.toIntExact(HostTensor.numel(shape))];
        long outer = Shapes.product(shape, 0, axis);
        long inner = Shapes.product(shape, axis + 1, shape.length);
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (HostTensor p : parts) {
                int len = (int) (p.shape()[axis] * inner);
                System.arraycopy(p.values(), (int) (o * len), v, pos, len);
                pos += len;
            }
        }
        return new HostTensor(shape, v, parts.get(0).integral());
    }

    /** Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two axes, zeroing the rest. */
    static HostTensor trilu(HostTensor t, long k, boolean upper) {
        long[] s = t.shape();
        long rows = s[s.length - 2];
        long cols = s[s.length - 1];
        double[] v = t.values().clone();
        for (int i = 0; i < v.length; i++) {
            long j = i % cols;
            long r = (i / cols) % rows;
            if (upper ? j - r < k : j - r > k) {
                v[i] = 0;
            }
        }
        return new HostTensor(s, v, t.integral());
    }

    static HostTensor cumsum(HostTensor t, int axis, boolean exclusive, boolean reverse) {
        long[] s = t.shape();
        long inner = Shapes.product(s, axis + 1, s.length);
        long outer = Shapes.product(s, 0, axis);
        int len = (int) s[axis];
        double[] in = t.values();
        double[] v = new double[in.length];
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                double acc = 0;
                for (int q = 0; q < len; q++) {
                    int j = reverse ? len - 1 - q : q;
                    int f = (int) ((o * len + j) * inner + i);
                    if (exclusive) {
                        v[f] = acc;
                        acc += in[f];
                    } else {
                        acc += in[f];
                        v[f] = acc;
                    }
                }
            }
        }
        return new HostTensor(s, v, t.integral());
    }

    static HostTensor tile(HostTensor t, long[] repeats) {
        long[] in = t.shape();
        long[] out = new long[in.length];
        for (int d = 0; d < in.length; d++) {
            out[d] = in[d] * repeats[d];
        }
        long[] st = strides(in);
        double[] v = gatherBy(out, t.values(), idx -> {
            long f = 0;
            for (int d = 0; d < idx.length; d++) {
                f += (idx[d] % in[d]) * st[d];
            }
            return f;
        });
        return new HostTensor(out, v, t.integral());
    }

    /** ONNX integer division truncates toward zero (C semantics); the caller rejects a zero divisor. */
    static double divide(double a, double b, boolean integral) {
        if (!integral) {
            return a / b;
        }
        double q = a / b;
        return q < 0 ? Math.ceil(q) : Math.floor(q);
    }
}
