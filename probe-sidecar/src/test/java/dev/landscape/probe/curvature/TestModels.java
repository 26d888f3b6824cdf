package dev.landscape.probe.curvature;

import onnx.Onnx;

/** ONNX models shaped like PyTorch exports, for CLI tests and the benchmark. */
public final class TestModels {

    private TestModels() {
    }

    /** x [n, in] -> Linear(in, hid) -> Tanh -> Linear(hid, out): Gemm with transB=1, weights [out, in] as nn.Linear. */
    public static Onnx.ModelProto pytorchStyleMlp(int n, int in, int hid, int out) {
        return TestGraphs.model(17, TestGraphs.graph("mlp")
                .addInput(TestGraphs.input("x", n, in))
                .addInitializer(TestGraphs.floats("fc1.weight", new long[] {hid, in}, new double[hid * in]))
                .addInitializer(TestGraphs.floats("fc1.bias", new long[] {hid}, new double[hid]))
                .addInitializer(TestGraphs.floats("fc2.weight", new long[] {out, hid}, new double[out * hid]))
                .addInitializer(TestGraphs.floats("fc2.bias", new long[] {out}, new double[out]))
                .addNode(TestGraphs.node("Gemm", "/fc1/Gemm", new String[] {"x", "fc1.weight", "fc1.bias"}, "h")
                        .addAttribute(TestGraphs.intAttr("transB", 1)))
                .addNode(TestGraphs.node("Tanh", "/act/Tanh", new String[] {"h"}, "a"))
                .addNode(TestGraphs.node("Gemm", "/fc2/Gemm", new String[] {"a", "fc2.weight", "fc2.bias"}, "logits")
                        .addAttribute(TestGraphs.intAttr("transB", 1)))
                .addOutput(TestGraphs.input("logits", n, out)));
    }
}
