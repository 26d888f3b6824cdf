package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss, for graphs exported with their loss ({@code --loss
 * graph}). Targets must be known integer tensors (a batch input); they become a constant one-hot mask over the
 * class axis (axis 1), so the loss is a differentiable masked sum. Targets equal to {@code ignore_index} (what
 * {@code torch.onnx.export} writes for {@code F.cross_entropy}: -100 unless set) count for nothing, and the mean is
 * over the others, as in PyTorch. Class weights are rejected.
 */
final class LossOps {

    private LossOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("SoftmaxCrossEntropyLoss", (n, c) -> loss(n, c, true));
        table.put("NegativeLogLikelihoodLoss", (n, c) -> loss(n, c, false));
    }

    private static void loss(OnnxNode n, TranslationContext c, boolean fromScores) {
        if (n.hasInput(2)) {
            throw n.unsupported("class weights are not supported");
        }
        OnnxValue scores = c.in(0);
        HostTensor labels = c.known(1, "target class indices");
        if (labels.rank() == 0) {
            throw n.unsupported("targets must have a batch axis");
        }
        Long ignore = n.attribute("ignore_index").isPresent() ? n.intAttr("ignore_index", 0) : null;
        SDVariable logp = fromScores ? ElementwiseOps.softmax(c, scores.var(), 1, true) : scores.var();
        OneHot hot = OneHot.encode(n.describe(), labels, scores.shape(), 1, ignore);
        SDVariable perItem = c.sd.math.neg(c.sd.sum(c.name("picked"), logp.mul(c.constant(hot.mask())), false, 1));
        String reduction = n.stringAttr("reduction", "mean");
        SDVariable out = switch (reduction) {
            case "mean" -> c.sd.sum(c.name("loss"), perItem).div((double) hot.count());
            case "sum" -> c.sd.sum(c.name("loss"), perItem);
            case "none" -> perItem;
            default -> throw n.unsupported("reduction='" + reduction + "' is not one of mean, sum, none");
        };
        long[] itemShape = labels.shape();
        c.out(0, out, reduction.equals("none") ? itemShape : new long[0]);
        if (fromScores) {
            c.out(1, logp, scores.shape());
        }
    }
}
