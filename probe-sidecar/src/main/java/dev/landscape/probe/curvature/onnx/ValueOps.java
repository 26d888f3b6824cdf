package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/**
 * Array operations on translated values, shared by the ONNX ops that are made of them. Each one folds: when every
 * operand is known while translating (integer batch inputs, constants, shapes, and anything computed from them,
 * such as position ids and attention masks), the result is computed in Java by {@link HostOps} and is known in
 * turn; otherwise SameDiff ops are added whose gradients are those of a few well-tested primitives (reshape,
 * permute, slice, gather, concat, broadcasting arithmetic).
 */
final class ValueOps {

    private ValueOps() {
    }

    /** Elementwise binary ops with numpy broadcasting. Comparisons and logic give 0/1 values. */
    enum Binary {
        ADD((a, b) -> a + b, false), SUB((a, b) -> a - b, false), MUL((a, b) -> a * b, false),
        DIV(null, false), POW(Math::pow, false), MAX(Math::max, false), MIN(Math::min, false),
        EQUAL((a, b) -> a == b ? 1 : 0, true), LESS((a, b) -> a < b ? 1 : 0, true),
        LESS_OR_EQUAL((a, b) -> a <= b ? 1 : 0, true), GREATER((a, b) -> a > b ? 1 : 0, true),
        GREATER_OR_EQUAL((a, b) -> a >= b ? 1 : 0, true),
        AND((a, b) -> a != 0 && b != 0 ? 1 : 0, true), OR((a, b) -> a != 0 || b != 0 ? 1 : 0, true),
        XOR((a, b) -> (a != 0) != (b != 0) ? 1 : 0, true);

        private final DoubleBinaryOperator host;
        private final boolean boolResult;

        Binary(DoubleBinaryOperator host, boolean boolResult) {
            this.host = host;
            this.boolResult = boolResult;
        }
    }

    static OnnxValue known(TranslationContext c, HostTensor t) {
        return new OnnxValue(c.constant(t), t.shape(), t);
    }

    static OnnxValue computed(SDVariable v, long[] shape) {
        return new OnnxValue(v, shape, null);
    }

    static boolean allKnown(OnnxValue... values) {
        return Arrays.stream(values).allMatch(OnnxValue::isKnown);
    }

    static OnnxValue binary(TranslationContext c, Binary op, OnnxValue a, OnnxValue b) {
        OnnxNode n = c.node();
        long[] shape = Shapes.broadcast(n, a.shape(), b.shape());
        if (allKnown(a, b)) {
            boolean integral = op.boolResult || (a.host().integral() && b.host().integral());
            DoubleBinaryOperator f = op.host;
            if (op == Binary.DIV) {
                if (integral && Arrays.stream(b.host().values()).anyMatch(v -> v == 0)) {
                    throw n.unsupported("integer division by zero in a folded value");
                }
                f = (x, y) -> HostOps.divide(x, y, integral);
            }
            return known(c, HostOps.zip(a.host(), b.host(), shape, f, integral));
        }
        // Equal ranks (leading 1s) so that libnd4j only ever sees equal-rank broadcasting.
        SDVariable x = c.reshape(a, Shapes.padLeft(a.shape(), shape.length));
        SDVariable y = c.reshape(b, Shapes.padLeft(b.shape(), shape.length));
        SDVariable out = switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case POW -> c.sd.math.pow(x, y);
            case MAX -> c.sd.math.max(x, y);
            case MIN -> c.sd.math.min(x, y);
            case EQUAL -> c.sd.eq(x, y).castTo(DataType.DOUBLE);
            case LESS -> c.sd.lt(x, y).castTo(DataType.DOUBLE);
            case LESS_OR_EQUAL -> c.sd.lte(x, y).castTo(DataType.DOUBLE);
            case GREATER -> c.sd.gt(x, y).castTo(DataType.DOUBLE);
            case GREATER_OR_EQUAL -> c.sd.gte(x, y).castTo(DataType.DOUBLE);
            // 0/1 operands: and = xy, or = x + y - xy, xor = x + y - 2xy.
            case AND -> x.mul(y);
            case OR -> x.add(y).sub(x.mul(y));
            case XOR -> x.add(y).sub(x.mul(y).mul(2.0));
        };
        return computed(out, shape);
    }

    static OnnxValue reshape(TranslationContext c, OnnxValue v, long[] shape) {
        if (v.isKnown()) {
            HostTensor h = v.host();
            return known(c, new HostTensor(shape, h.values(), h.integral()));
        }
        return computed(c.reshape(v, shape), shape);
    }

    static OnnxValue transpose(TranslationContext c, OnnxValue v, int[] perm) {
        if (v.isKnown()) {
            return known(c, HostOps.transpose(v.host(), perm));
        }
        long[] shape = Arrays.stream(perm).mapToLong(i -> v.shape()[i]).toArray();
        return computed(c.sd.permute(c.name("permute"), v.var(), perm), shape);
    }

    /**
     * Per axis, {@code count[d]} elements from {@code start[d]} in steps of {@code step[d]} (already clamped to the
     * axis). Unit steps are one SameDiff slice; other steps gather the chosen indices along their axis.
     */
    static OnnxValue strided(TranslationContext c, OnnxValue v, long[] start, long[] step, long[] count) {
        if (v.isKnown()) {
            return known(c, HostOps.strided(v.host(), start, step, count));
        }
        if (HostTensor.numel(count) == 0) {
            throw c.node().unsupported("the result is empty (shape " + Arrays.toString(count) + "), which is not supported "
                    + "for a computed value");
        }
        long[] shape = v.shape();
        int[] begin = new int[shape.length];
        int[] size = new int[shape.length];
        boolean[] gathered = new boolean[shape.length];
        for (int d = 0; d < shape.length; d++) {
            gathered[d] = step[d] != 1;
            begin[d] = gathered[d] ? 0 : (int) start[d];
            size[d] = gathered[d] ? (int) shape[d] : (int) count[d];
        }
        OnnxValue out = v;
        if (!Arrays.equals(Arrays.stream(size).asLongStream().toArray(), shape)) {
            long[] sliced = Arrays.stream(size).asLongStream().toArray();
            out = computed(c.sd.slice(c.name("slice"), v.var(), begin, size), sliced);
        }
        for (int d = 0; d < shape.length; d++) {
            if (gathered[d]) {
                long[] idx = new long[(int) count[d]];
                for (int j = 0; j < idx.length; j++) {
                    idx[j] = start[d] + j * step[d];
                }
                out = gather(c, out, idx, new long[] {idx.length}, d);
            }
        }
        return out;
    }

    /**
     * Gather along {@code axis} with non-negative, in-range indices of the given shape. SameDiff 1.0.0-M2.1's own
     * gather has no working backward pass (it fails on shapes for every axis), so a computed value is gathered in
     * two steps whose gradients are exact: an unsorted segment sum moves each distinct row used into a small table
     * (one pass over the data, its backward a gather of gradient rows), and a constant one-hot matrix [indices,
     * distinct rows] multiplies the table out to every index. For a token embedding that costs one pass over the
     * embedding plus tokens x distinct tokens x width, far below a one-hot product with the whole vocabulary.
     */
    static OnnxValue gather(TranslationContext c, OnnxValue v, long[] indices, long[] indexShape, int axis) {
        long[] shape = Shapes.gathered(v.shape(), indexShape, axis);
        if (v.isKnown()) {
            return known(c, HostOps.gather(v.host(), indices, indexShape, axis));
        }
        if (indices.length == 0) {
            throw c.node().unsupported("gathering no indices gives an empty result, which is not supported for a computed value");
        }
        int rank = v.rank();
        int[] toFront = new int[rank];
        toFront[0] = axis;
        for (int d = 0, p = 1; d < rank; d++) {
            if (d != axis) {
                toFront[p++] = d;
            }
        }
        OnnxValue front = axis == 0 ? v : transpose(c, v, toFront);
        long rows = v.shape()[axis];
        long rest = HostTensor.numel(front.shape()) / rows;
        long[] distinct = Arrays.stream(indices).distinct().sorted().toArray();
        int[] segment = new int[Math.toIntExact(rows)];
        Arrays.fill(segment, distinct.length);
        for (int u = 0; u < distinct.length; u++) {
            segment[(int) distinct[u]] = u;
        }
        SDVariable table = c.sd.unsortedSegmentSum(c.name("rows"), c.reshape(front, new long[] {rows, rest}),
                c.sd.constant(c.name("segments"), Nd4j.createFromArray(segment)), distinct.length + 1);
        table = c.sd.slice(c.name("table"), table, new int[] {0, 0}, distinct.length, (int) rest);
        double[] oneHot = new double[Math.toIntExact(indices.length * (long) distinct.length)];
        for (int i = 0; i < indices.length; i++) {
            oneHot[i * distinct.length + Arrays.binarySearch(distinct, indices[i])] = 1;
        }
        SDVariable picked = c.sd.mmul(c.name("gather"), c.constant(new HostTensor(
                new long[] {indices.length, distinct.length}, oneHot, false)), table);
        long[] frontRest = Arrays.copyOfRange(front.shape(), 1, rank);
        long[] gatheredFront = new long[indexShape.length + frontRest.length];
        System.arraycopy(indexShape, 0, gatheredFront, 0, indexShape.length);
        System.arraycopy(frontRest, 0, gatheredFront, indexShape.length, frontRest.length);
        OnnxValue out = computed(c.sd.reshape(c.name("reshape"), picked, gatheredFront), gatheredFront);
        if (axis == 0) {
            return out;
        }
        // [indices..., data[:axis]..., data[axis+1:]...] to [data[:axis]..., indices..., data[axis+1:]...]
        int r = indexShape.length;
        int[] perm = new int[gatheredFront.length];
        int p = 0;
        for (int d = 0; d < axis; d++) {
            perm[p++] = r + d;
        }
        for (int d = 0; d < r; d++) {
            perm[p++] = d;
        }
        for (int d = r + axis; d < gatheredFront.length; d++) {
            perm[p++] = d;
        }
        return transpose(c, out, perm);
    }

    static OnnxValue concat(TranslationContext c, List<OnnxValue> parts, int axis) {
        long[] shape = parts.get(0).shape();
        shape[axis] = parts.stream().mapToLong(p -> p.shape()[axis]).sum();
        if (parts.stream().allMatch(OnnxValue::isKnown)) {
            return known(c, HostOps.concat(parts.stream().map(OnnxValue::host).toList(), axis, shape));
        }
        List<OnnxValue> nonEmpty = parts.stream().filter(p -> p.shape()[axis] > 0).toList();
        if (nonEmpty.size() == 1) {
            return nonEmpty.get(0);
        }
        SDVariable[] vars = nonEmpty.stream().map(OnnxValue::var).toArray(SDVariable[]::new);
        return computed(c.sd.concat(c.name("concat"), axis, vars), shape);
    }

    /**
     * The value broadcast to {@code shape}. A computed value is added to zeros of the target shape: the gradient of a
     * broadcasting add sums over the broadcast axes, as a bias gradient does.
     */
    static OnnxValue broadcastTo(TranslationContext c, OnnxValue v, long[] shape) {
        if (Arrays.equals(v.shape(), shape)) {
            return v;
        }
        if (v.isKnown()) {
            return known(c, HostOps.broadcastTo(v.host(), shape));
        }
        HostTensor zeros = new HostTensor(shape, new double[Math.toIntExact(HostTensor.numel(shape))], false);
        return binary(c, Binary.ADD, v, known(c, zeros));
    }

    /**
     * {@code where(cond, x, y)} for a known condition. Each side is multiplied by its 0/1 mask; a known side is
     * masked in Java, so that an infinite fill value (a -inf attention mask) never meets a zero.
     */
    static OnnxValue where(TranslationContext c, HostTensor cond, OnnxValue x, OnnxValue y) {
        OnnxNode n = c.node();
        long[] shape = Shapes.broadcast(n, List.of(cond.shape(), x.shape(), y.shape()));
        double[] m = HostOps.broadcastTo(cond, shape).values();
        if (allKnown(x, y)) {
            double[] xv = HostOps.broadcastTo(x.host(), shape).values();
            double[] yv = HostOps.broadcastTo(y.host(), shape).values();
            double[] v = new double[m.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = m[i] != 0 ? xv[i] : yv[i];
            }
            return known(c, new HostTensor(shape, v, x.host().integral()));
        }
        return binary(c, Binary.ADD, masked(c, x, m, shape, true), masked(c, y, m, shape, false));
    }

    private static OnnxValue masked(TranslationContext c, OnnxValue v, double[] mask, long[] shape, boolean keepWhereTrue) {
        double[] keep = new double[mask.length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = (mask[i] != 0) == keepWhereTrue ? 1 : 0;
        }
        if (v.isKnown()) {
            double[] values = HostOps.broadcastTo(v.host(), shape).values();
            double[] out = new double[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = keep[i] != 0 ? values[i] : 0;
            }
            return known(c, new HostTensor(shape, out, false));
        }
        return binary(c, Binary.MUL, v, known(c, new HostTensor(shape, keep, false)));
    }

    /** A computed scalar-times-value or known product, without a constant node for the scalar. */
    static OnnxValue scale(TranslationContext c, OnnxValue v, double s) {
        if (v.isKnown()) {
            return known(c, HostOps.map(v.host(), x -> x * s, false));
        }
        return computed(v.var().mul(s), v.shape());
    }
}
