package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A value computed before translation (a {@link GraphSplit}'s frontier, evaluated once) that the translated graph
 * reads as a constant: its array, its static shape, and its host copy when it was known while translating the part
 * that computed it (so shape-like inputs read from it stay known), else null.
 */
public record FixedValue(INDArray array, long[] shape, HostTensor host) {
}
