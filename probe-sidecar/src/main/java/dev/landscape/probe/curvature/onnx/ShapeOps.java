package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import onnx.Onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;

/**
 * Reshape, Flatten, Transpose, Concat, Squeeze, Unsqueeze, and the constant-producing Constant, Shape and Cast
 * that exporters put in front of them. Target shapes are computed here, statically, from the known batch shapes.
 */
final class ShapeOps {

    private ShapeOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Reshape", ShapeOps::reshape);
        table.put("Flatten", ShapeOps::flatten);
        table.put("Transpose", ShapeOps::transpose);
        table.put("Concat", ShapeOps::concat);
        table.put("Squeeze", ShapeOps::squeeze);
        table.put("Unsqueeze", ShapeOps::unsqueeze);
        table.put("Constant", ShapeOps::constant);
        table.put("Shape", ShapeOps::shape);
        table.put("Cast", ShapeOps::cast);
    }

    /** ONNX Reshape: 0 copies the input dimension (unless allowzero=1), one -1 is inferred. */
    private static void reshape(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long[] req = c.known(1, "shape").longs();
        boolean allowZero = n.intAttr("allowzero", 0) != 0;
        long[] out = new long[req.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < req.length; i++) {
            long d = req[i];
            if (d == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw n.unsupported("shape " + Arrays.toString(req) + " copies dimension " + i + " of a rank-" + x.rank() + " input");
                }
                d = x.shape()[i];
            }
            if (d == -1) {
                if (infer >= 0) {
                    throw n.unsupported("shape " + Arrays.toString(req) + " has more than one -1");
                }
                infer = i;
            } else {
                known *= d;
            }
            out[i] = d;
        }
        long total = HostTensor.numel(x.shape());
        if (infer >= 0) {
            out[infer] = known == 0 ? 0 : total / known;
        }
        if (HostTensor.numel(out) != total) {
            throw n.unsupported("cannot reshape " + Arrays.toString(x.shape()) + " to " + Arrays.toString(req));
        }
        define(c, x, out);
    }

    private static void flatten(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long axis = n.intAttr("axis", 1);
        int a = axis == x.rank() ? x.rank() : Shapes.axis(n, axis, x.rank());
        define(c, x, new long[] {Shapes.product(x.shape(), 0, a), Shapes.product(x.shape(), a, x.rank())});
    }

    private static void define(TranslationContext c, OnnxValue x, long[] shape) {
        HostTensor host = x.isKnown() ? new HostTensor(shape, x.host().values(), x.host().integral()) : null;
        c.out(0, c.reshape(x, shape), shape, host);
    }

    private static void transpose(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        int rank = x.rank();
        long[] perm = n.intsAttr("perm").orElse(IntStream.range(0, rank).map(i -> rank - 1 - i).asLongStream().toArray());
        if (perm.length != rank) {
            throw n.unsupported("perm " + Arrays.toString(perm) + " does not match rank " + rank);
        }
        c.out(0, ValueOps.transpose(c, x, Arrays.stream(perm).mapToInt(v -> Shapes.axis(n, v, rank)).toArray()));
    }

    private static void concat(OnnxNode n, TranslationContext c) {
        List<OnnxValue> in = c.inputs();
        long[] first = in.get(0).shape();
        int axis = Shapes.axis(n, n.attribute("axis").orElseThrow(() -> n.unsupported("axis is required")).getI(), first.length);
        for (int i = 0; i < in.size(); i++) {
            long[] a = in.get(i).shape();
            long[] b = first.clone();
            if (a.length == b.length) {
                a[axis] = 0;
                b[axis] = 0;
            }
            if (!Arrays.equals(a, b)) {
                throw n.unsupported("input " + i + " has shape " + Arrays.toString(in.get(i).shape()) + ", incompatible with "
                        + Arrays.toString(first) + " along axis " + axis);
            }
        }
        c.out(0, ValueOps.concat(c, in, axis));
    }

    private static long[] axesOf(OnnxNode n, TranslationContext c) {
        if (c.opset >= 13 && n.hasInput(1)) {
            return c.known(1, "axes").longs();
        }
        return n.intsAttr("axes").orElse(null);
    }

    private static void squeeze(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long[] axes = axesOf(n, c);
        boolean[] drop = new boolean[x.rank()];
        if (axes == null) {
            for (int i = 0; i < drop.length; i++) {
                drop[i] = x.shape()[i] == 1;
            }
        } else {
            for (long a : axes) {
                int ax = Shapes.axis(n, a, x.rank());
                if (x.shape()[ax] != 1) {
                    throw n.unsupported("cannot squeeze axis " + a + " of size " + x.shape()[ax]);
                }
                drop[ax] = true;
            }
        }
        define(c, x, IntStream.range(0, drop.length).filter(i -> !drop[i]).mapToLong(i -> x.shape()[i]).toArray());
    }

    private static void unsqueeze(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        long[] axes = axesOf(n, c);
        if (axes == null) {
            throw n.unsupported("axes are required");
        }
        int rank = x.rank() + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            added[Shapes.axis(n, a, rank)] = true;
        }
        long[] shape = new long[rank];
        int j = 0;
        for (int i = 0; i < rank; i++) {
            shape[i] = added[i] ? 1 : x.shape()[j++];
        }
        define(c, x, shape);
    }

    private static void constant(OnnxNode n, TranslationContext c) {
        Onnx.AttributeProto a = n.proto().getAttributeCount() == 1 ? n.proto().getAttribute(0) : null;
        if (a == null) {
            throw n.unsupported("expected exactly one value attribute");
        }
        HostTensor t = switch (a.getName()) {
            case "value" -> OnnxTensors.decode(a.getT());
            case "value_float" -> HostTensor.of(new long[0], a.getF());
            case "value_floats" -> HostTensor.of(new long[] {a.getFloatsCount()},
                    a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray());
            case "value_int" -> HostTensor.ofIntegers(new long[0], a.getI());
            case "value_ints" -> HostTensor.ofIntegers(new long[] {a.getIntsCount()},
                    a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray());
            default -> throw n.unsupported("attribute '" + a.getName() + "' is not supported");
        };
        c.outKnown(0, t);
    }

    /** Shape is folded: every shape is static here. Opset 15's start/end select a range of axes. */
    private static void shape(OnnxNode n, TranslationContext c) {
        long[] s = c.in(0).shape();
        int start = (int) clampAxis(n.intAttr("start", 0), s.length);
        int end = (int) clampAxis(n.intAttr("end", s.length), s.length);
        long[] dims = Arrays.copyOfRange(s, start, Math.max(start, end));
        c.outKnown(0, HostTensor.ofIntegers(new long[] {dims.length}, Arrays.stream(dims).asDoubleStream().toArray()));
    }

    private static long clampAxis(long a, int rank) {
        return Math.max(0, Math.min(rank, a < 0 ? a + rank : a));
    }

    /**
     * Casts of known values are folded (to integer types by truncation toward zero, to BOOL as "not zero"); a cast of
     * a computed value to FLOAT or DOUBLE is a no-op (everything runs in double). Casts of computed values to
     * narrower floats (FLOAT16, BFLOAT16, FLOAT8) are rejected: their rounding is part of the model's function and
     * is not reproduced; so are casts of computed values to integers, which have no gradient.
     */
    private static void cast(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        Onnx.TensorProto.DataType to = Onnx.TensorProto.DataType.forNumber((int) n.intAttr("to", 1));
        boolean toFloat = to == Onnx.TensorProto.DataType.FLOAT || to == Onnx.TensorProto.DataType.DOUBLE;
        boolean toBool = to == Onnx.TensorProto.DataType.BOOL;
        boolean toInt = to != null && INTEGER_TYPES.contains(to);
        if (x.isKnown() && (toFloat || toBool || toInt)) {
            DoubleUnaryOperator f = toBool ? v -> v != 0 ? 1 : 0 : toInt ? v -> (double) (long) v : v -> v;
            c.outKnown(0, HostOps.map(x.host(), f, !toFloat));
        } else if (toFloat) {
            c.out(0, x.var(), x.shape());
        } else {
            throw n.unsupported("cast of " + (x.isKnown() ? "a known" : "a computed") + " value to "
                    + (to == null ? "type " + n.intAttr("to", 1) : to) + " is not supported (only casts to FLOAT or "
                    + "DOUBLE, which are no-ops in double precision, and casts of known values to integer and BOOL types)");
        }
    }

    private static final java.util.Set<Onnx.TensorProto.DataType> INTEGER_TYPES = java.util.EnumSet.of(
            Onnx.TensorProto.DataType.INT64, Onnx.TensorProto.DataType.INT32, Onnx.TensorProto.DataType.INT16,
            Onnx.TensorProto.DataType.INT8, Onnx.TensorProto.DataType.UINT8, Onnx.TensorProto.DataType.UINT16,
            Onnx.TensorProto.DataType.UINT32, Onnx.TensorProto.DataType.UINT64);
}
