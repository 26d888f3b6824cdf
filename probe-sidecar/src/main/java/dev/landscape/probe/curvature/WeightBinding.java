package dev.landscape.probe.curvature;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How checkpoint tensors were bound to graph initializers ({@link WeightBinder}).
 *
 * @param values       initializer name to value taken from the checkpoint (parameters are read from it when asked
 *                     for, see {@link WeightBinder})
 * @param sources      initializer name to the checkpoint tensor name it came from
 * @param trainable    initializers that are parameters (differentiated): bound floats that are not buffers
 * @param keptFromModel float initializers left at their ONNX value (exporter constants, or allowed missing)
 * @param unused       checkpoint model tensors that bound to nothing
 */
public record WeightBinding(Map<String, HostTensor> values, Map<String, String> sources, Set<String> trainable,
                            List<String> keptFromModel, List<String> unused) {

    /** Whether the value of {@code name} stays in the checkpoint until streamed ({@link #writeInto}). */
    public boolean streamed(String name) {
        return values instanceof StreamedValues s && s.isDeferred(name);
    }

    /** Writes the value of initializer {@code name} into {@code dst} (a native array's buffer) from its position on. */
    public void writeInto(String name, java.nio.DoubleBuffer dst) throws java.io.IOException {
        if (values instanceof StreamedValues s) {
            s.writeInto(name, dst);
        } else {
            dst.put(values.get(name).values());
        }
    }

    /** Every given value is a trainable parameter (tests, benchmarks, and slices that move all weights). */
    public static WeightBinding allTrainable(Map<String, HostTensor> values) {
        Map<String, String> sources = new java.util.LinkedHashMap<>();
        values.keySet().forEach(k -> sources.put(k, k));
        return new WeightBinding(values, sources, new java.util.LinkedHashSet<>(values.keySet()), List.of(), List.of());
    }
}
