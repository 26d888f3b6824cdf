package dev.landscape.demo.training;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.optim.Adam} (no weight decay, no AMSGrad), the single-tensor path of PyTorch 2.x step by step:
 * <pre>
 * step += 1
 * exp_avg.lerp_(grad, 1 − β1)                       # m ← m + (1 − β1)(g − m)
 * exp_avg_sq.mul_(β2).addcmul_(grad, grad, 1 − β2)  # v ← β2 v + (1 − β2) g²
 * denom = exp_avg_sq.sqrt() / sqrt(1 − β2^step) + ε
 * param.addcdiv_(exp_avg, denom, −lr / (1 − β1^step))
 * </pre>
 * in float32 like the parameters, with the bias corrections in double as Python computes them.
 */
final class Adam {

    /** One replica's optimizer state: torch's {@code state[p]} for each parameter. */
    static final class State {
        long step;
        final Map<String, INDArray> expAvg = new LinkedHashMap<>();
        final Map<String, INDArray> expAvgSq = new LinkedHashMap<>();

        static State zeros(Map<String, INDArray> params) {
            State s = new State();
            params.forEach((name, p) -> {
                s.expAvg.put(name, p.like());
                s.expAvgSq.put(name, p.like());
            });
            return s;
        }
    }

    private final double beta1;
    private final double beta2;
    private final double eps;

    Adam(double beta1, double beta2, double eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** Applies one step with learning rate {@code lr} and gradients {@code grads} to {@code params} in place. */
    void step(Map<String, INDArray> params, Map<String, INDArray> grads, State state, double lr) {
        state.step++;
        double bc1 = 1 - Math.pow(beta1, state.step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, state.step));
        double stepSize = lr / bc1;
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray g = grads.get(e.getKey());
            INDArray m = state.expAvg.get(e.getKey());
            INDArray v = state.expAvgSq.get(e.getKey());
            m.addi(g.sub(m).muli(1 - beta1));
            v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(v, true).divi(bc2Sqrt).addi(eps);
            e.getValue().subi(m.div(denom).muli(stepSize));
        }
    }
}
