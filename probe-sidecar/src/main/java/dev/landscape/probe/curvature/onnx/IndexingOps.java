package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The indexing and mask-building ops of transformer exports: Gather (token and position embeddings), Slice and
 * Split (heads, shifted logits), Expand and Tile, Trilu and CumSum (causal masks, position ids), Range and
 * ConstantOfShape. Indices, bounds, shapes and repeats must be known while translating (they are, in exports:
 * they come from the batch's token ids and from shapes); the data may be computed and is then differentiable.
 */
final class IndexingOps {

    private IndexingOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Gather", IndexingOps::gather);
        table.put("Slice", IndexingOps::slice);
        table.put("Split", IndexingOps::split);
        table.put("Expand", IndexingOps::expand);
        table.put("Tile", IndexingOps::tile);
        table.put("Trilu", IndexingOps::trilu);
        table.put("CumSum", IndexingOps::cumsum);
        table.put("Range", IndexingOps::range);
        table.put("ConstantOfShape", IndexingOps::constantOfShape);
    }

    /** Gather along {@code axis}; negative indices count from the end. The gradient scatters back (embedding rows). */
    private static void gather(OnnxNode n, TranslationContext c) {
        OnnxValue data = c.in(0);
        HostTensor indices = c.known(1, "indices");
        int axis = Shapes.axis(n, n.intAttr("axis", 0), data.rank());
        long dim = data.shape()[axis];
        long[] idx = indices.longs();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < -dim || idx[i] >= dim) {
                throw n.unsupported("index " + idx[i] + " at position " + i + " is out of range for axis " + axis
                        + " of size " + dim);
            }
            idx[i] = idx[i] < 0 ? idx[i] + dim : idx[i];
        }
        c.out(0, ValueOps.gather(c, data, idx, indices.shape(), axis));
    }

    /** Slice with numpy semantics: negative bounds count from the end, bounds are clamped, steps may be negative. */
    private static void slice(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (c.opset < 10) {
            starts = n.intsAttr("starts").orElseThrow(() -> n.unsupported("attribute starts is required"));
            ends = n.intsAttr("ends").orElseThrow(() -> n.unsupported("attribute ends is required"));
            axes = n.intsAttr("axes").orElse(null);
        } else {
            starts = c.known(1, "starts").longs();
            ends = c.known(2, "ends").longs();
            axes = n.hasInput(3) ? c.known(3, "axes").longs() : null;
            steps = n.hasInput(4) ? c.known(4, "steps").longs() : null;
        }
        int k = starts.length;
        if (ends.length != k || (axes != null && axes.length != k) || (steps != null && steps.length != k)) {
            throw n.unsupported("starts, ends, axes and steps must have the same length");
        }
        long[] shape = x.shape();
        long[] start = new long[shape.length];
        long[] step = new long[shape.length];
        long[] count = shape.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[shape.length];
        for (int i = 0; i < k; i++) {
            int a = Shapes.axis(n, axes == null ? i : axes[i], shape.length);
            if (seen[a]) {
                throw n.unsupported("axis " + a + " is sliced twice");
            }
            seen[a] = true;
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw n.unsupported("step 0 on axis " + a);
            }
            long dim = shape[a];
            long b = bound(starts[i], dim, 0, s > 0 ? dim : dim - 1);
            long e = bound(ends[i], dim, s > 0 ? 0 : -1, s > 0 ? dim : dim - 1);
            start[a] = b;
            step[a] = s;
            count[a] = Math.max(0, s > 0 ? Math.floorDiv(e - b + s - 1, s) : Math.floorDiv(b - e - s - 1, -s));
        }
        c.out(0, ValueOps.strided(c, x, start, step, count));
    }

    /**
     * A start or end normalised as ONNX says: negative counts from the end, then clamped; forwards both to
     * [0, dim], backwards the start to [0, dim-1] and the end to [-1, dim-1].
     */
    private static long bound(long v, long dim, long lo, long hi) {
        long b = v < 0 ? v + dim : v;
        return Math.max(lo, Math.min(hi, b));
    }

    /**
     * Split along {@code axis} into the given sizes (attribute before opset 13, input after), or into as many equal
     * parts as there are outputs ({@code num_outputs} from opset 18: parts of ceil(dim/n), the last one smaller).
     */
    private static void split(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        int axis = Shapes.axis(n, n.intAttr("axis", 0), x.rank());
        long dim = x.shape()[axis];
        long[] sizes;
        if (c.opset < 13 && n.intsAttr("split").isPresent()) {
            sizes = n.intsAttr("split").get();
        } else if (c.opset >= 13 && n.hasInput(1)) {
            sizes = c.known(1, "split").longs();
        } else {
            int parts = (int) n.intAttr("num_outputs", n.outputCount());
            long chunk = c.opset >= 18 ? (dim + parts - 1) / parts : dim / parts;
            if (c.opset < 18 && dim % parts != 0) {
                throw n.unsupported("axis " + axis + " of size " + dim + " does not split into " + parts + " equal parts");
            }
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(chunk, dim - i * chunk));
            }
        }
        if (Arrays.stream(sizes).sum() != dim || sizes.length != n.outputCount()) {
            throw n.unsupported("split sizes " + Arrays.toString(sizes) + " do not cover axis " + axis + " of size " + dim
                    + " with " + n.outputCount() + " outputs");
        }
        long[] start = new long[x.rank()];
        long[] step = new long[x.rank()];
        Arrays.fill(step, 1);
        for (int i = 0; i < sizes.length; i++) {
            long[] count = x.shape();
            count[axis] = sizes[i];
            c.out(i, ValueOps.strided(c, x, start.clone(), step, count));
            start[axis] += sizes[i];
        }
    }

    /** Expand: numpy broadcasting of the input with the given shape (either may have the larger dimensions). */
    private static void expand(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long[] shape = Shapes.broadcast(n, x.shape(), c.known(1, "shape").longs());
        c.out(0, ValueOps.broadcastTo(c, x, shape));
    }

    /** Tile: a computed input is concatenated with itself along each repeated axis (the gradient sums the copies). */
    private static void tile(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long[] repeats = c.known(1, "repeats").longs();
        if (repeats.length != x.rank() || Arrays.stream(repeats).anyMatch(r -> r < 1)) {
            throw n.unsupported("repeats " + Arrays.toString(repeats) + " must hold one positive count per axis of "
                    + Arrays.toString(x.shape()));
        }
        if (x.isKnown()) {
            c.outKnown(0, HostOps.tile(x.host(), repeats));
            return;
        }
        OnnxValue y = x;
        for (int a = 0; a < repeats.length; a++) {
            if (repeats[a] > 1) {
                List<OnnxValue> copies = new ArrayList<>();
                for (int r = 0; r < repeats[a]; r++) {
                    copies.add(y);
                }
                y = ValueOps.concat(c, copies, a);
            }
        }
        c.out(0, y == x ? ValueOps.computed(c.sd.identity(c.name("tile"), x.var()), x.shape()) : y);
    }

    /** Trilu: the upper (default) or lower triangle of the last two axes from diagonal k; a computed input is masked. */
    private static void trilu(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        if (x.rank() < 2) {
            throw n.unsupported("input must be at least 2-D, got " + Arrays.toString(x.shape()));
        }
        long k = n.hasInput(1) ? scalar(n, c.known(1, "k")) : 0;
        boolean upper = n.intAttr("upper", 1) != 0;
        if (x.isKnown()) {
            c.outKnown(0, HostOps.trilu(x.host(), k, upper));
            return;
        }
        long[] s = x.shape();
        long[] last2 = {s[s.length - 2], s[s.length - 1]};
        double[] ones = new double[Math.toIntExact(last2[0] * last2[1])];
        Arrays.fill(ones, 1);
        HostTensor mask = HostOps.trilu(new HostTensor(last2, ones, false), k, upper);
        c.out(0, ValueOps.binary(c, ValueOps.Binary.MUL, x, ValueOps.known(c, mask)));
    }

    /**
     * CumSum along a known axis. A computed input is multiplied by a triangular matrix of ones along that axis:
     * quadratic in the axis length, but built from matmul and permute, whose gradients are exact.
     */
    private static void cumsum(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        int axis = Shapes.axis(n, scalar(n, c.known(1, "axis")), x.rank());
        boolean exclusive = n.intAttr("exclusive", 0) != 0;
        boolean reverse = n.intAttr("reverse", 0) != 0;
        if (x.isKnown()) {
            c.outKnown(0, HostOps.cumsum(x.host(), axis, exclusive, reverse));
            return;
        }
        int len = (int) x.shape()[axis];
        double[] t = new double[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = 0; j < len; j++) {
                // out[j] = sum of in[i] over i <= j (reverse: i >= j); exclusive drops i == j.
                boolean take = reverse ? i >= j : i <= j;
                t[i * len + j] = take && !(exclusive && i == j) ? 1 : 0;
            }
        }
        int rank = x.rank();
        int[] toLast = new int[rank];
        int[] back = new int[rank];
        for (int d = 0, p = 0; d < rank; d++) {
            if (d != axis) {
                toLast[p++] = d;
            }
        }
        toLast[rank - 1] = axis;
        for (int d = 0; d < rank; d++) {
            back[toLast[d]] = d;
        }
        OnnxValue moved = ValueOps.transpose(c, x, toLast);
        long[] ms = moved.shape();
        long rows = Shapes.product(ms, 0, rank - 1);
        var flat = c.reshape(moved, new long[] {rows, len});
        var summed = c.sd.mmul(c.name("cumsum"), flat, c.constant(new HostTensor(new long[] {len, len}, t, false)));
        OnnxValue out = ValueOps.computed(c.sd.reshape(c.name("reshape"), summed, ms), ms);
        c.out(0, ValueOps.transpose(c, out, back));
    }

    /** Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements, all inputs known scalars. */
    private static void range(OnnxNode n, TranslationContext c) {
        HostTensor start = c.known(0, "start");
        double s = scalarValue(n, start);
        double limit = scalarValue(n, c.known(1, "limit"));
        double delta = scalarValue(n, c.known(2, "delta"));
        if (delta == 0) {
            throw n.unsupported("delta is 0");
        }
        long count = Math.max((long) Math.ceil((limit - s) / delta), 0);
        double[] v = new double[Math.toIntExact(count)];
        for (int i = 0; i < v.length; i++) {
            v[i] = s + i * delta;
        }
        c.outKnown(0, new HostTensor(new long[] {count}, v, start.integral()));
    }

    /** ConstantOfShape: a tensor of the known shape filled with {@code value} (default float 0). */
    private static void constantOfShape(OnnxNode n, TranslationContext c) {
        long[] shape = c.known(0, "shape").longs();
        HostTensor value = n.attribute("value").map(a -> OnnxTensors.decode(a.getT()))
                .orElse(HostTensor.of(new long[] {1}, 0.0));
        if (value.numel() != 1) {
            throw n.unsupported("value must hold one element, holds " + value.numel());
        }
        double[] v = new double[Math.toIntExact(HostTensor.numel(shape))];
        Arrays.fill(v, value.values()[0]);
        c.outKnown(0, new HostTensor(shape, v, value.integral()));
    }

    private static long scalar(OnnxNode n, HostTensor t) {
        return (long) scalarValue(n, t);
    }

    private static double scalarValue(OnnxNode n, HostTensor t) {
        if (t.numel() != 1) {
            throw n.unsupported("expected a scalar, got shape " + Arrays.toString(t.shape()));
        }
        return t.values()[0];
    }
}
