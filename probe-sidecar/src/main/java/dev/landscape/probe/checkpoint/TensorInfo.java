package dev.landscape.probe.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a checkpoint says about one tensor before any of its data is read.
 *
 * @param name  the full name, nested dict keys joined with {@code .} (e.g. {@code model.fc1.weight},
 *              {@code optimizer.state.0.exp_avg} before optimizer state is mapped to parameter names)
 * @param group {@code model} for weights and buffers, {@code optimizer.<slot>} for optimizer state
 *              ({@code optimizer.exp_avg}, {@code optimizer.exp_avg_sq}, {@code optimizer.momentum_buffer}, ...)
 * @param dtype element type, in safetensors names
 * @param shape logical shape; {@code []} for a 0-d scalar
 * @param parameter the model parameter this tensor belongs to: its own name for model tensors; for optimizer
 *              state, the parameter's name when the checkpoint allows the mapping (param groups, a parameter-name
 *              list, or a name-keyed layout), else {@code ""}
 */
public record TensorInfo(String name, String group, DType dtype, long[] shape, String parameter) {

    public static final String MODEL = "model";

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(parameter, "parameter");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + " has a negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    /** A tensor whose parameter is itself for {@code model} tensors and unknown for anything else. */
    public TensorInfo(String name, String group, DType dtype, long[] shape) {
        this(name, group, dtype, shape, MODEL.equals(group) ? name : "");
    }

    public boolean isModel() {
        return MODEL.equals(group);
    }

    /** Number of elements; throws if the shape's product does not fit a long (a hostile header). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Payload size in bytes for a contiguous layout. */
    public long byteSize() {
        return Math.multiplyExact(numel(), dtype.byteSize());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && group.equals(t.group) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && parameter.equals(t.parameter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, group, dtype, Arrays.hashCode(shape), parameter);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " (" + group + ")";
    }
}
