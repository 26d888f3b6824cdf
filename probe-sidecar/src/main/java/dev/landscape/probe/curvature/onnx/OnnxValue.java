package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A value flowing through the translated graph: a SameDiff variable with its static shape and, for values known at
 * translation time (initializers kept constant, {@code Constant} nodes, integer batch inputs), the host copy that
 * shape-like inputs (Reshape's {@code shape}, Reduce's {@code axes}) and class targets are read from.
 *
 * <p>Shapes are static because the graph is built for one concrete batch: the probe always evaluates the same
 * eval batch, so every dimension is known, and static shapes let Flatten, BatchNormalization and MatMul with
 * broadcast be lowered to plain reshapes.
 */
public record OnnxValue(SDVariable var, long[] shape, HostTensor host) {

    @Override
    public long[] shape() {
        return shape.clone();
    }

    int rank() {
        return shape.length;
    }

    public boolean isKnown() {
        return host != null;
    }
}
