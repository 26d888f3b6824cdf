package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleValueException;
import dev.landscape.probe.checkpoint.pickle.PyGlobal;
import dev.landscape.probe.checkpoint.pickle.PyRepr;
import dev.landscape.probe.checkpoint.pickle.PyTuple;
import dev.landscape.probe.checkpoint.pickle.Reducer;

import java.util.List;
import java.util.Map;

/**
 * The part of {@code torch.load} that matters for reading weights, without torch: storages from persistent ids,
 * tensors from {@code _rebuild_tensor*}, parameters, {@code torch.Size}, {@code torch.device} and dtype globals.
 * Storage types are torch's legacy typed names ({@code torch.FloatStorage}, also under {@code torch.cuda}) or
 * {@code torch.UntypedStorage} (bytes, with the tensor's dtype given to {@code _rebuild_tensor_v3}), which is what
 * {@code torch.save} writes for every storage, typed or not.
 * Other torch calls (quantized, sparse or meta tensors, numpy arrays) stay inert and are therefore not listed as
 * tensors.
 */
final class TorchReducer implements Reducer {

    private final Map<String, DType> storageDtypes = new java.util.HashMap<>();
    private final int maxRank;

    TorchReducer(MemoryBudget budget) {
        this.maxRank = budget.maxRank();
    }

    private static final Map<String, DType> STORAGES = Map.ofEntries(
            Map.entry("FloatStorage", DType.F32), Map.entry("DoubleStorage", DType.F64),
            Map.entry("HalfStorage", DType.F16), Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("LongStorage", DType.I64), Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16), Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.BOOL),
            Map.entry("UntypedStorage", DType.U8));

    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("float32", DType.F32), Map.entry("float", DType.F32), Map.entry("float64", DType.F64),
            Map.entry("double", DType.F64), Map.entry("float16", DType.F16), Map.entry("half", DType.F16),
            Map.entry("bfloat16", DType.BF16), Map.entry("int64", DType.I64), Map.entry("long", DType.I64),
            Map.entry("int32", DType.I32), Map.entry("int", DType.I32), Map.entry("int16", DType.I16),
            Map.entry("short", DType.I16), Map.entry("int8", DType.I8), Map.entry("uint8", DType.U8),
            Map.entry("bool", DType.BOOL), Map.entry("uint16", DType.U16), Map.entry("uint32", DType.U32),
            Map.entry("uint64", DType.U64), Map.entry("float8_e4m3fn", DType.F8_E4M3),
            Map.entry("float8_e5m2", DType.F8_E5M2));

    @Override
    public Object reduce(PyGlobal f, PyTuple args) throws PickleValueException {
        String m = f.module();
        if (m.equals("torch._utils")) {
            switch (f.name()) {
                case "_rebuild_tensor" -> {
                    return tensor(args, 4, null);
                }
                case "_rebuild_tensor_v2" -> {
                    return tensor(args, 4, null);
                }
                case "_rebuild_tensor_v3" -> {
                    need(args, 7, f);
                    return tensor(args, 4, dtypeOf(args.get(6)));
                }
                case "_rebuild_parameter", "_rebuild_parameter_with_state" -> {
                    need(args, 1, f);
                    return args.get(0) instanceof TensorRef t ? t.asParameter() : null;
                }
                default -> {
                    return null;
                }
            }
        }
        if (f.is("torch._tensor", "_rebuild_from_type_v2") || f.is("torch._tensor", "_rebuild_from_type")) {
            // (func, new_type, args, state): a tensor subclass; the data is whatever func rebuilds.
            need(args, 3, f);
            if (args.get(0) instanceof PyGlobal inner && args.get(2) instanceof PyTuple innerArgs) {
                return reduce(inner, innerArgs);
            }
            return null;
        }
        if (f.is("torch", "Size")) {
            need(args, 1, f);
            return args.get(0) instanceof PyTuple t ? t : args.get(0) instanceof List<?> l ? PyTuple.of(List.copyOf(l)) : null;
        }
        if (f.is("torch", "device")) {
            return args.size() == 1 ? args.get(0) : args.size() == 2 ? args.get(0) + ":" + args.get(1) : null;
        }
        return null;
    }

    /** Key → element type of every root storage a persistent id named (legacy files size their records by it). */
    Map<String, DType> storageDtypes() {
        return storageDtypes;
    }

    @Override
    public Object persistentLoad(Object pid) throws PickleValueException {
        if (!(pid instanceof PyTuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw new PickleValueException("persistent id " + PyRepr.of(pid) + " is not ('storage', type, key, location, size)");
        }
        DType dtype = storageType(t.get(1));
        String key = String.valueOf(t.get(2));
        long numel = nonNegative(t.get(4), "storage size");
        storageDtypes.putIfAbsent(key, dtype);
        if (t.size() > 5 && t.get(5) instanceof PyTuple view && view.size() == 3) {
            // Old legacy files: a view (view key, element offset, view size) of the root storage `key`.
            return new StorageRef(key, dtype, nonNegative(view.get(2), "view size"), nonNegative(view.get(1), "view offset"));
        }
        return new StorageRef(key, dtype, numel, 0);
    }

    private static DType storageType(Object type) throws PickleValueException {
        if (type instanceof PyGlobal g && (g.module().equals("torch") || g.module().equals("torch.cuda")
                || g.module().equals("torch.storage"))) {
            DType d = STORAGES.get(g.name());
            if (d != null) {
                return d;
            }
        }
        throw new PickleValueException("storage type " + PyRepr.of(type) + " is not supported (complex, quantized"
                + " or unknown element type)");
    }

    static DType dtypeOf(Object o) throws PickleValueException {
        if (o instanceof PyGlobal g && g.module().equals("torch") && DTYPES.containsKey(g.name())) {
            return DTYPES.get(g.name());
        }
        throw new PickleValueException("tensor dtype " + PyRepr.of(o) + " is not supported");
    }

    private TensorRef tensor(PyTuple args, int needed, DType explicit) throws PickleValueException {
        if (args.size() < needed) {
            throw new PickleValueException("tensor rebuild with " + args.size() + " arguments, needs " + needed);
        }
        if (!(args.get(0) instanceof StorageRef s)) {
            throw new PickleValueException("tensor rebuild from " + PyRepr.of(args.get(0)) + ", not a storage");
        }
        long offset = nonNegative(args.get(1), "storage offset");
        long[] shape = dims(args.get(2), "size");
        long[] stride = dims(args.get(3), "stride");
        if (shape.length != stride.length) {
            throw new PickleValueException("tensor size has " + shape.length + " dimensions but stride has " + stride.length);
        }
        return new TensorRef(s, explicit != null ? explicit : s.dtype(), offset, shape, stride, false);
    }

    private long[] dims(Object o, String what) throws PickleValueException {
        List<Object> items;
        if (o instanceof PyTuple t) {
            items = t.items();
        } else if (o instanceof List<?> l) {
            items = List.copyOf(l);
        } else {
            throw new PickleValueException("tensor " + what + " is " + PyRepr.of(o) + ", not a tuple");
        }
        if (items.size() > maxRank) {
            throw new PickleValueException("tensor " + what + " has " + items.size() + " dimensions (limit " + maxRank + ")");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(items.get(i), "tensor " + what);
        }
        return out;
    }

    private static long nonNegative(Object o, String what) throws PickleValueException {
        if (o instanceof Long l && l >= 0 && l < (1L << 62)) {
            return l;
        }
        throw new PickleValueException(what + " " + PyRepr.of(o) + " is not a non-negative integer");
    }

    private static void need(PyTuple args, int n, PyGlobal f) throws PickleValueException {
        if (args.size() < n) {
            throw new PickleValueException(f.qualifiedName() + " with " + args.size() + " arguments, needs " + n);
        }
    }
}
