package dev.landscape.probe.curvature.onnx;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

import java.util.Arrays;
import java.util.Map;

/**
 * 2-D convolution and pooling over NCHW tensors, the layout ONNX uses. ONNX weights are [out, in, kH, kW];
 * they are permuted to ND4J's [kH, kW, in, out] inside the graph so that gradients flow back to the ONNX layout.
 * Padding must be symmetric (ND4J has one pad per spatial axis); asymmetric pads, groups other than 1 and
 * ceil_mode are rejected with the node named.
 */
final class ConvolutionOps {

    private ConvolutionOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Conv", ConvolutionOps::conv);
        table.put("MaxPool", (n, c) -> pool(n, c, Pooling2D.Pooling2DType.MAX));
        table.put("AveragePool", (n, c) -> pool(n, c, Pooling2D.Pooling2DType.AVG));
        table.put("GlobalAveragePool", (n, c) -> global(n, c, false));
        table.put("GlobalMaxPool", (n, c) -> global(n, c, true));
    }

    private record Geometry(long kH, long kW, long sH, long sW, long pH, long pW, long dH, long dW, boolean same) {

        long outH(long h) {
            return same ? (h + sH - 1) / sH : (h + 2 * pH - ((kH - 1) * dH + 1)) / sH + 1;
        }

        long outW(long w) {
            return same ? (w + sW - 1) / sW : (w + 2 * pW - ((kW - 1) * dW + 1)) / sW + 1;
        }
    }

    private static Geometry geometry(OnnxNode n, long[] kernel) {
        long[] strides = n.intsAttr("strides").orElse(new long[] {1, 1});
        long[] dil = n.intsAttr("dilations").orElse(new long[] {1, 1});
        long[] pads = n.intsAttr("pads").orElse(new long[] {0, 0, 0, 0});
        String autoPad = n.stringAttr("auto_pad", "NOTSET");
        if (kernel.length != 2 || strides.length != 2 || dil.length != 2 || pads.length != 4) {
            throw n.unsupported("only 2-D kernels are supported (kernel " + Arrays.toString(kernel) + ")");
        }
        if (pads[0] != pads[2] || pads[1] != pads[3]) {
            throw n.unsupported("asymmetric pads " + Arrays.toString(pads) + " are not supported");
        }
        boolean same = switch (autoPad) {
            case "NOTSET", "VALID" -> false;
            case "SAME_UPPER" -> true;
            default -> throw n.unsupported("auto_pad=" + autoPad + " is not supported (NOTSET, VALID, SAME_UPPER are)");
        };
        if (same && (dil[0] != 1 || dil[1] != 1)) {
            throw n.unsupported("auto_pad=SAME_UPPER with dilations is not supported");
        }
        return new Geometry(kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], dil[0], dil[1], same);
    }

    private static void conv(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        OnnxValue w = c.in(1);
        if (x.rank() != 4 || w.rank() != 4) {
            throw n.unsupported("only 2-D convolution (4-D NCHW input, 4-D weights) is supported, got input "
                    + Arrays.toString(x.shape()) + ", weights " + Arrays.toString(w.shape()));
        }
        n.requireIntAttr("group", 1, "grouped and depthwise convolutions are not translated");
        long[] ws = w.shape();
        long[] kernel = n.intsAttr("kernel_shape").orElse(new long[] {ws[2], ws[3]});
        Geometry g = geometry(n, kernel);
        if (ws[1] != x.shape()[1]) {
            throw n.unsupported("weights expect " + ws[1] + " input channels, input has " + x.shape()[1]);
        }
        Conv2DConfig cfg = Conv2DConfig.builder().kH(g.kH()).kW(g.kW()).sH(g.sH()).sW(g.sW()).pH(g.pH()).pW(g.pW())
                .dH(g.dH()).dW(g.dW()).paddingMode(g.same() ? PaddingMode.SAME : PaddingMode.VALID)
                .dataFormat("NCHW").build();
        SDVariable kernelYxio = c.sd.permute(c.name("permute"), w.var(), 2, 3, 1, 0);
        SDVariable y = c.optIn(2).isPresent()
                ? c.sd.cnn.conv2d(c.name("conv"), x.var(), kernelYxio, c.in(2).var(), cfg)
                : c.sd.cnn.conv2d(c.name("conv"), x.var(), kernelYxio, cfg);
        long[] xs = x.shape();
        c.out(0, y, new long[] {xs[0], ws[0], g.outH(xs[2]), g.outW(xs[3])});
    }

    private static void pool(OnnxNode n, TranslationContext c, Pooling2D.Pooling2DType type) {
        OnnxValue x = c.in(0);
        if (x.rank() != 4) {
            throw n.unsupported("only 2-D pooling (4-D NCHW input) is supported, got " + Arrays.toString(x.shape()));
        }
        n.requireIntAttr("ceil_mode", 0, "ceil_mode output sizes are not translated");
        if (!n.output(1).isEmpty()) {
            throw n.unsupported("the Indices output is not supported");
        }
        long[] kernel = n.intsAttr("kernel_shape").orElseThrow(() -> n.unsupported("kernel_shape is required"));
        Geometry g = geometry(n, kernel);
        boolean includePad = n.intAttr("count_include_pad", 0) != 0;
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(g.kH()).kW(g.kW()).sH(g.sH()).sW(g.sW()).pH(g.pH())
                .pW(g.pW()).dH(g.dH()).dW(g.dW()).type(type).isNHWC(false)
                .paddingMode(g.same() ? PaddingMode.SAME : PaddingMode.VALID)
                .divisor(includePad ? Pooling2D.Divisor.INCLUDE_PADDING : Pooling2D.Divisor.EXCLUDE_PADDING)
                .build();
        SDVariable y = type == Pooling2D.Pooling2DType.MAX
                ? c.sd.cnn.maxPooling2d(c.name("maxpool"), x.var(), cfg)
                : c.sd.cnn.avgPooling2d(c.name("avgpool"), x.var(), cfg);
        long[] xs = x.shape();
        c.out(0, y, new long[] {xs[0], xs[1], g.outH(xs[2]), g.outW(xs[3])});
    }

    private static void global(OnnxNode n, TranslationContext c, boolean max) {
        OnnxValue x = c.in(0);
        if (x.rank() < 3) {
            throw n.unsupported("input must have spatial axes, got " + Arrays.toString(x.shape()));
        }
        int[] spatial = java.util.stream.IntStream.range(2, x.rank()).toArray();
        SDVariable y = max ? c.sd.max(c.name("gmax"), x.var(), true, spatial)
                : c.sd.mean(c.name("gavg"), x.var(), true, spatial);
        long[] shape = x.shape();
        for (int d : spatial) {
            shape[d] = 1;
        }
        c.out(0, y, shape);
    }
}
