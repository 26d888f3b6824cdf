package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.Tensor;
import onnx.Onnx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds checkpoint weights to ONNX graph initializers by name.
 *
 * <p>Rule: an initializer {@code I} takes the checkpoint model tensor named exactly {@code I}; failing that, the one
 * tensor whose name becomes {@code I} after repeatedly stripping the wrapper prefixes {@code model.},
 * {@code module.} (DataParallel/DDP), {@code _orig_mod.} (torch.compile) and {@code state_dict.}. Shapes must
 * match exactly. Bound tensors are parameters, except buffers ({@code running_mean}, {@code running_var},
 * {@code num_batches_tracked}), which take the checkpoint value but are not differentiated. Integer initializers
 * are always constants. Float initializers that nothing binds are an error, listed with their shapes, unless they
 * are exporter-made constants (names starting {@code onnx::} or {@code /}) or {@code allowMissing} is set; they
 * then keep the value stored in the ONNX file.
 *
 * <p>Parameter values are not read here: a model's weights would take 8 bytes per parameter of Java heap as doubles
 * (1 GB for GPT-2 small). They are read when asked for ({@link StreamedValues}), and {@link CurvatureModel} streams
 * them in chunks straight into the graph's native arrays; buffers and integer constants are small and read at once.
 */
public final class WeightBinder {

    static final List<String> PREFIXES = List.of("model.", "module.", "_orig_mod.", "state_dict.");
    private static final List<String> BUFFER_SUFFIXES = List.of("running_mean", "running_var", "num_batches_tracked");

    private WeightBinder() {
    }

    public static WeightBinding bind(Onnx.ModelProto model, Checkpoint checkpoint, boolean allowMissing) throws IOException {
        Map<String, Tensor> exact = new LinkedHashMap<>();
        Map<String, List<Tensor>> stripped = new LinkedHashMap<>();
        for (Tensor t : checkpoint.tensors()) {
            if (!t.info().isModel()) {
                continue;
            }
            exact.put(t.info().name(), t);
            for (String key : strippedNames(t.info().name())) {
                stripped.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, HostTensor> values = new LinkedHashMap<>();
        Map<String, Tensor> deferred = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Set<String> trainable = new LinkedHashSet<>();
        List<String> kept = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Onnx.TensorProto init : model.getGraph().getInitializerList()) {
            String name = init.getName();
            long[] shape = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
            boolean isFloat = isFloat(init.getDataType());
            Tensor t = exact.get(name);
            if (t == null) {
                List<Tensor> candidates = stripped.getOrDefault(name, List.of());
                if (candidates.size() > 1) {
                    problems.add("ambiguous: " + name + " matches " + candidates.stream().map(c -> c.info().name()).toList());
                    continue;
                }
                t = candidates.isEmpty() ? null : candidates.get(0);
            }
            if (t == null) {
                if (!isFloat) {
                    continue;
                }
                if (allowMissing || name.startsWith("onnx::") || name.startsWith("/")) {
                    kept.add(name);
                } else {
                    problems.add("missing: " + name + " " + Arrays.toString(shape) + " (no checkpoint tensor named "
                            + name + " or " + PREFIXES.get(0) + name + ", " + PREFIXES.get(1) + name + ", ...)");
                }
                continue;
            }
            used.add(t.info().name());
            if (!Arrays.equals(t.info().shape(), shape)) {
                problems.add("shape mismatch: " + name + " expects " + Arrays.toString(shape) + ", checkpoint tensor "
                        + t.info().name() + " has " + Arrays.toString(t.info().shape()));
                continue;
            }
            sources.put(name, t.info().name());
            if (isFloat && BUFFER_SUFFIXES.stream().noneMatch(name::endsWith)) {
                trainable.add(name);
                deferred.put(name, t);
            } else {
                values.put(name, read(t, !isFloat));
            }
        }
        if (!problems.isEmpty()) {
            throw new CurvatureException("checkpoint " + checkpoint.path() + " does not fit the model's initializers:\n  "
                    + String.join("\n  ", problems));
        }
        if (trainable.isEmpty()) {
            throw new CurvatureException("checkpoint " + checkpoint.path() + " binds no trainable initializer of the "
                    + "model; checkpoint model tensors: " + exact.keySet());
        }
        List<String> unused = exact.keySet().stream().filter(n -> !used.contains(n)).toList();
        return new WeightBinding(new StreamedValues(values, deferred), sources, trainable, kept, unused);
    }

    /** The name with wrapper prefixes stripped one at a time, e.g. module.model.fc.w gives model.fc.w and fc.w. */
    static List<String> strippedNames(String name) {
        List<String> out = new ArrayList<>();
        String cur = name;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String p : PREFIXES) {
                if (cur.startsWith(p) && cur.length() > p.length()) {
                    cur = cur.substring(p.length());
                    out.add(cur);
                    changed = true;
                    break;
                }
            }
        }
        return out;
    }

    /** Reads a whole tensor into memory as doubles. */
    public static HostTensor read(Tensor t, boolean integral) throws IOException {
        long n = t.info().numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CurvatureException("tensor " + t.info().name() + " has " + n + " elements, too many to load");
        }
        double[] v = new double[(int) n];
        try (ElementStream s = t.open()) {
            int off = 0;
            while (off < v.length) {
                int r = s.read(v, off, v.length - off);
                if (r < 0) {
                    throw new CurvatureException("tensor " + t.info().name() + " ended after " + off + " of " + n + " elements");
                }
                off += r;
            }
        }
        return new HostTensor(t.info().shape(), v, integral);
    }

    private static boolean isFloat(int onnxType) {
        Onnx.TensorProto.DataType t = Onnx.TensorProto.DataType.forNumber(onnxType);
        return t == Onnx.TensorProto.DataType.FLOAT || t == Onnx.TensorProto.DataType.DOUBLE
                || t == Onnx.TensorProto.DataType.FLOAT16 || t == Onnx.TensorProto.DataType.BFLOAT16;
    }
}
