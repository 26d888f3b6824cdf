package dev.landscape.probe.curvature.onnx;

import java.util.Arrays;
import java.util.List;

/** Static shape arithmetic for the ONNX translator (numpy broadcasting, negative axes). */
public final class Shapes {

    private Shapes() {
    }

    /** Numpy/ONNX multidirectional broadcasting of two shapes, or an error naming both. */
    static long[] broadcast(OnnxNode node, long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw node.unsupported("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The shape with leading 1s up to {@code rank}. */
    static long[] padLeft(long[] s, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(s, 0, out, rank - s.length, s.length);
        return out;
    }

    static int axis(OnnxNode node, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw node.unsupported("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    static long product(long[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= s[i];
        }
        return p;
    }

    /** Numpy broadcasting of any number of shapes. */
    static long[] broadcast(OnnxNode node, List<long[]> shapes) {
        long[] out = shapes.get(0);
        for (int i = 1; i < shapes.size(); i++) {
            out = broadcast(node, out, shapes.get(i));
        }
        return out;
    }

    /** Gather's output shape: data[:axis] + indices + data[axis+1:]. */
    static long[] gathered(long[] data, long[] indices, int axis) {
        long[] out = new long[data.length - 1 + indices.length];
        System.arraycopy(data, 0, out, 0, axis);
        System.arraycopy(indices, 0, out, axis, indices.length);
        System.arraycopy(data, axis + 1, out, axis + indices.length, data.length - axis - 1);
        return out;
    }

    /** The shape without the given (sorted, distinct) axes. */
    public static long[] without(long[] shape, int... axes) {
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> Arrays.binarySearch(axes, i) < 0)
                .mapToLong(i -> shape[i]).toArray();
    }
}
