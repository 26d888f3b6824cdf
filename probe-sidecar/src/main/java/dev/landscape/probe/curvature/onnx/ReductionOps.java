package dev.landscape.probe.curvature.onnx;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare and ReduceL2. Axes come from the
 * attribute (older opsets) or the second input (ReduceSum from opset 13, the others from 18); an empty axes list
 * reduces everything unless {@code noop_with_empty_axes=1}.
 */
final class ReductionOps {

    private ReductionOps() {
    }

    private enum Kind { SUM, MEAN, MAX, MIN, PROD, SUM_SQUARE, L2 }

    static void register(Map<String, OnnxOp> table) {
        table.put("ReduceSum", (n, c) -> reduce(n, c, Kind.SUM, 13));
        table.put("ReduceMean", (n, c) -> reduce(n, c, Kind.MEAN, 18));
        table.put("ReduceMax", (n, c) -> reduce(n, c, Kind.MAX, 18));
        table.put("ReduceMin", (n, c) -> reduce(n, c, Kind.MIN, 18));
        table.put("ReduceProd", (n, c) -> reduce(n, c, Kind.PROD, 18));
        table.put("ReduceSumSquare", (n, c) -> reduce(n, c, Kind.SUM_SQUARE, 18));
        table.put("ReduceL2", (n, c) -> reduce(n, c, Kind.L2, 18));
    }

    private static void reduce(OnnxNode n, TranslationContext c, Kind kind, int axesInputFrom) {
        OnnxValue x = c.in(0);
        int rank = x.rank();
        long[] axes = c.opset >= axesInputFrom
                ? (n.hasInput(1) ? c.known(1, "axes").longs() : new long[0])
                : n.intsAttr("axes").orElse(new long[0]);
        boolean keep = n.intAttr("keepdims", 1) != 0;
        if (axes.length == 0 && n.intAttr("noop_with_empty_axes", 0) != 0) {
            c.out(0, c.sd.identity(c.name("noop"), x.var()), x.shape());
            return;
        }
        int[] dims = axes.length == 0 ? IntStream.range(0, rank).toArray()
                : java.util.Arrays.stream(axes).mapToInt(a -> Shapes.axis(n, a, rank)).sorted().distinct().toArray();
        SDVariable v = x.var();
        String name = c.name("reduce");
        SDVariable y = switch (kind) {
            case SUM -> c.sd.sum(name, v, keep, dims);
            case MEAN -> c.sd.mean(name, v, keep, dims);
            case MAX -> c.sd.max(name, v, keep, dims);
            case MIN -> c.sd.min(name, v, keep, dims);
            case PROD -> c.sd.prod(name, v, keep, dims);
            case SUM_SQUARE -> c.sd.sum(name, c.sd.math.square(v), keep, dims);
            case L2 -> c.sd.math.sqrt(c.sd.sum(name, c.sd.math.square(v), keep, dims));
        };
        long[] shape = IntStream.range(0, rank)
                .filter(i -> keep || java.util.Arrays.binarySearch(dims, i) < 0)
                .mapToLong(i -> java.util.Arrays.binarySearch(dims, i) >= 0 ? 1 : x.shape()[i]).toArray();
        if (shape.length == 0 && rank > 0) {
            y = c.sd.reshape(c.name("scalar"), y, new long[0]);
        }
        c.out(0, y, shape);
    }
}
