package dev.landscape.probe.curvature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each trainable tensor lives in the flat parameter vector that the curvature algorithms work on: tensors in
 * graph-initializer order, each row-major. The same layout aligns Adam moments and filter-normalised directions.
 */
public final class ParameterLayout {

    /** One tensor: its ONNX initializer name, shape and offset in the flat vector. */
    public record Slot(String name, long[] shape, int offset, int length) {
        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private final List<Slot> slots;
    private final Map<String, Slot> byName = new LinkedHashMap<>();
    private final int dimension;

    public ParameterLayout(Map<String, long[]> shapes) {
        List<Slot> s = new ArrayList<>();
        long off = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long len = HostTensor.numel(e.getValue());
            if (off + len > Integer.MAX_VALUE - 8) {
                throw new CurvatureException("more than 2^31 parameters are not supported");
            }
            Slot slot = new Slot(e.getKey(), e.getValue().clone(), (int) off, (int) len);
            s.add(slot);
            byName.put(e.getKey(), slot);
            off += len;
        }
        this.slots = List.copyOf(s);
        this.dimension = (int) off;
    }

    public List<Slot> slots() {
        return slots;
    }

    public int dimension() {
        return dimension;
    }

    public Slot slot(String name) {
        Slot s = byName.get(name);
        if (s == null) {
            throw new CurvatureException("no trainable parameter named '" + name + "'");
        }
        return s;
    }

    /** The layout of the named tensors alone, in this layout's order, packed from offset 0. */
    public ParameterLayout restrictedTo(java.util.Set<String> names) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (names.contains(s.name())) {
                shapes.put(s.name(), s.shape());
            }
        }
        if (shapes.size() != names.size()) {
            List<String> unknown = new ArrayList<>(names);
            unknown.removeAll(shapes.keySet());
            throw new CurvatureException("no trainable parameter named " + unknown);
        }
        return new ParameterLayout(shapes);
    }

    /** Concatenates per-tensor values (by name) into one flat vector. */
    public double[] flatten(Map<String, HostTensor> values) {
        double[] w = new double[dimension];
        for (Slot s : slots) {
            HostTensor t = values.get(s.name());
            if (t == null || !Arrays.equals(t.shape(), s.shape())) {
                throw new CurvatureException("no value of shape " + Arrays.toString(s.shape()) + " for parameter '"
                        + s.name() + "'");
            }
            System.arraycopy(t.values(), 0, w, s.offset(), s.length());
        }
        return w;
    }
}
