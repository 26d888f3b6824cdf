package dev.landscape.probe.groundtruth;

import dev.landscape.probe.groundtruth.Tier1Case.Fault;
import dev.landscape.probe.groundtruth.Tier1Case.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * Trains {@link KnownQuadratic} with one case's optimizer (torch's update rules, in double), schedule, noise and
 * fault, writes an HF Trainer checkpoint after every step ({@link HfRunWriter}) and returns the truth: the exact
 * stability ratio of every step, computed from the known Hessian.
 *
 * <p>Step {@code s} (1-based) takes the minibatch gradient {@code g = H(θ − θ*) + ξ} at {@code θ_{s−1}}, with
 * {@code ξ} Gaussian of norm ≈ {@code noise.gradient · ‖∇f(θ0)‖}, logs the minibatch loss
 * {@code f(θ_{s−1}) · exp(σ z − σ²/2)} (σ = {@code noise.loss}) and the norm of {@code g}, and updates with the
 * learning rate {@code schedule.lr(s)}. Faults act on that step: a gradient spike multiplies {@code g} (a loss
 * scale not divided back out), a NaN replaces one element of {@code g} (an overflow in the backward pass: the
 * weights and Adam's moments turn NaN), a loss spike multiplies the logged loss only (the rule that reads the loss
 * is scored on its own). The exact ratio of step {@code s} is the sharpness that step faced over the optimizer's
 * threshold at {@code lr(s)}: {@code λmax(H)·lr/2} (SGD), {@code λmax(H)·lr/(2(1+μ))} (heavy ball),
 * {@code λmax(P⁻¹H)·(1−β1)·lr/(2+2β1)} with {@code P = diag(√v̂_s + ε)} (Adam, AdamW; AdamW's decoupled decay adds
 * {@code lr·wd ≤ 10⁻³} to the step's contraction and is left out).
 */
final class GroundTruthRun {

    /**
     * @param ratio    exact stability ratio of each step, {@code ratio[s]} for step {@code s} ({@code ratio[0]} unused)
     * @param crossing first step whose exact ratio is at least 1, or -1
     * @param peak     the largest exact ratio of the run
     */
    record Truth(double[] ratio, int crossing, double peak) {
    }

    private GroundTruthRun() {
    }

    /** @param runDir where the checkpoints go, or {@code null} for the truth alone */
    static Truth generate(Tier1Case c, long seed, Path runDir) throws IOException {
        KnownQuadratic q = new KnownQuadratic(seed);
        Random noise = new Random(seed * 1_000_003L + 17);
        int d = KnownQuadratic.DIM;
        double[] theta = q.start.clone();
        double[] m = new double[d];
        double[] v = new double[d];
        double g0 = norm(q.gradient(theta));
        double sigma = c.noise().gradient * g0 / Math.sqrt(d);
        Optimizer opt = c.optimizer();
        HfRunWriter writer = runDir == null ? null : new HfRunWriter(runDir, opt, c.steps());
        double[] ratio = new double[c.steps() + 1];
        int crossing = -1;
        double peak = 0;
        for (int s = 1; s <= c.steps(); s++) {
            double lr = c.schedule().lr(s);
            double[] g = q.gradient(theta);
            for (int i = 0; i < d; i++) {
                g[i] += sigma * noise.nextGaussian();
            }
            double sl = c.noise().loss;
            double loss = q.loss(theta) * Math.exp(sl * noise.nextGaussian() - sl * sl / 2);
            Fault f = c.fault();
            if (s == f.step()) {
                switch (f.kind()) {
                    case GRADIENT_SPIKE -> {
                        for (int i = 0; i < d; i++) {
                            g[i] *= f.factor();
                        }
                    }
                    case NAN -> g[d / 2] = Double.NaN;
                    case LOSS_SPIKE -> loss *= f.factor();
                    default -> {
                    }
                }
            }
            if (s > f.step() && f.kind() == Fault.Kind.NAN) {
                loss = Double.NaN;
            }
            double gradNorm = norm(g);
            double[][] state = update(opt, s, lr, theta, g, m, v);
            ratio[s] = exactRatio(q, opt, s, lr, v);
            if (Double.isFinite(ratio[s])) {
                peak = Math.max(peak, ratio[s]);
                if (crossing < 0 && ratio[s] >= 1) {
                    crossing = s;
                }
            }
            if (writer != null) {
                writer.write(s, loss, gradNorm, lr, theta, state, c.schedule().lr(s + 1));
            }
        }
        return new Truth(ratio, crossing, peak);
    }

    /** One step of torch's optimizer, in place; returns the state the checkpoint saves. */
    private static double[][] update(Optimizer opt, int s, double lr, double[] theta, double[] g, double[] m, double[] v) {
        int d = theta.length;
        switch (opt) {
            case SGD -> {
                for (int i = 0; i < d; i++) {
                    theta[i] -= lr * g[i];
                }
                return new double[0][];
            }
            case MOMENTUM -> {
                for (int i = 0; i < d; i++) {
                    m[i] = s == 1 ? g[i] : Optimizer.MOMENTUM_COEFFICIENT * m[i] + g[i];
                    theta[i] -= lr * m[i];
                }
                return new double[][] {m.clone()};
            }
            case ADAM, ADAMW -> {
                double bc1 = 1 - Math.pow(Optimizer.BETA1, s);
                double bc2 = 1 - Math.pow(Optimizer.BETA2, s);
                for (int i = 0; i < d; i++) {
                    if (opt == Optimizer.ADAMW) {
                        theta[i] *= 1 - lr * Optimizer.WEIGHT_DECAY;
                    }
                    m[i] = Optimizer.BETA1 * m[i] + (1 - Optimizer.BETA1) * g[i];
                    v[i] = Optimizer.BETA2 * v[i] + (1 - Optimizer.BETA2) * g[i] * g[i];
                    theta[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + Optimizer.EPS);
                }
                return new double[][] {m.clone(), v.clone()};
            }
            default -> throw new AssertionError(opt);
        }
    }

    private static double exactRatio(KnownQuadratic q, Optimizer opt, int s, double lr, double[] v) {
        double sharpness;
        if (opt.adaptive()) {
            double bc2 = 1 - Math.pow(Optimizer.BETA2, s);
            double[] p = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                p[i] = Math.sqrt(v[i] / bc2) + Optimizer.EPS;
                if (!Double.isFinite(p[i])) {
                    return Double.NaN;
                }
            }
            sharpness = q.preconditionedLambdaMax(p);
        } else {
            sharpness = KnownQuadratic.LAMBDA_MAX;
        }
        return sharpness / opt.threshold(lr);
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double e : x) {
            s += e * e;
        }
        return Math.sqrt(s);
    }
}
