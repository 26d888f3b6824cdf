package dev.landscape.probe.curvature.onnx;

/** Translates one ONNX op type into SameDiff ops, reading inputs from and defining outputs in the context. */
@FunctionalInterface
interface OnnxOp {
    void translate(OnnxNode node, TranslationContext ctx);
}
