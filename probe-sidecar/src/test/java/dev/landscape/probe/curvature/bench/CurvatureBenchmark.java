package dev.landscape.probe.curvature.bench;

import dev.landscape.probe.curvature.BenchModels;
import dev.landscape.probe.curvature.CurvatureModel;
import dev.landscape.probe.curvature.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.LossHead;
import dev.landscape.probe.curvature.WeightBinding;
import dev.landscape.probe.curvature.Lanczos;
import dev.landscape.probe.curvature.PowerIteration;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: {@code bench/curvature.sh} runs it. Part 1 counts the Hessian-vector products that Lanczos and
 * PyHessian's power iteration need for a 1e-3 relative error on lambda_max of the same model and batch; part 2 times
 * one HVP against the parameter count. Prints Markdown tables for BENCH-tier2.md.
 *
 * <p>Arguments: {@code [maxParams] [seeds]} (defaults 10_000_000 and 5).
 */
public final class CurvatureBenchmark {

    public static void main(String[] args) {
        long maxParams = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        out.printf(Locale.ROOT, "java %s, %d cores available, max heap %d MiB%n%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        CurvatureModel m = BenchModels.mlp(256, 32, 64, 10, 1);
        lanczosVersusPower(out, seeds, m, m.point(), "at initialisation");
        lanczosVersusPower(out, seeds, m, trained(m, 300, 0.5), "after 300 gradient-descent steps, lr 0.5");
        BenchModels.Problem cnn = BenchModels.cnn(128, 4, 10);
        CurvatureModel c = CurvatureModel.build(cnn.model(), cnn.batch(), WeightBinding.allTrainable(cnn.weights()),
                LossHead.CROSS_ENTROPY, null);
        lanczosVersusPower(out, seeds, c, trained(c, 300, 0.2), "CNN conv(4, 3x3)-tanh-maxpool-linear(10) on 8x8 inputs, "
                + "batch 128, after 300 gradient-descent steps, lr 0.2");
        hvpTiming(out, maxParams);
    }

    /** Full-batch gradient descent from the model's initial point: a checkpoint further into training. */
    private static double[] trained(CurvatureModel m, int steps, double lr) {
        double[] w = m.point();
        double[] g = new double[w.length];
        for (int s = 0; s < steps; s++) {
            m.loss().lossAndGradient(w, g);
            for (int i = 0; i < w.length; i++) {
                w[i] -= lr * g[i];
            }
        }
        return w;
    }

    private static void lanczosVersusPower(PrintStream out, int seeds, CurvatureModel m, double[] w, String when) {
        FiniteDifferenceHvp ref = new FiniteDifferenceHvp(m.loss(), w);
        Lanczos.Result exact = Lanczos.topEigenvalues(ref, 3, 1e-10, 400, 99);
        double lmax = exact.eigenvalues()[0];
        out.printf(Locale.ROOT, "## Lanczos vs power iteration (%s, %d parameters; loss %.4f)%n%n",
                when.startsWith("CNN") ? when : "MLP 32-64-10, tanh, cross-entropy, batch 256, " + when,
                m.layout().dimension(), m.loss().loss(w));
        out.printf(Locale.ROOT, "reference lambda_max = %.10g, lambda_2 = %.6g, lambda_3 = %.6g (Lanczos, tol 1e-10, %d HVPs)%n%n",
                lmax, exact.eigenvalues()[1], exact.eigenvalues()[2], exact.iterations());
        out.println("| seed | Lanczos: HVPs to 1e-3 rel. error | Lanczos (tol 1e-3) stops at | its rel. error | power: HVPs to 1e-3 rel. error | power (PyHessian tol 1e-3, max 100) stops at | its rel. error |");
        out.println("|---|---|---|---|---|---|---|");
        List<Double> ratios = new ArrayList<>();
        List<Integer> lanczosCounts = new ArrayList<>();
        List<Integer> powerCounts = new ArrayList<>();
        for (int seed = 0; seed < seeds; seed++) {
            int[] lanczosReach = {-1};
            int[] powerReach = {-1};
            FiniteDifferenceHvp h1 = new FiniteDifferenceHvp(m.loss(), w);
            Lanczos.Result l = Lanczos.topEigenvalues(h1, 1, 1e-3, 400, seed, (i, top) -> {
                if (lanczosReach[0] < 0 && Math.abs(top[0] - lmax) <= 1e-3 * Math.abs(lmax)) lanczosReach[0] = i;
            });
            FiniteDifferenceHvp h2 = new FiniteDifferenceHvp(m.loss(), w);
            PowerIteration.Result p = PowerIteration.topEigenvalue(h2, 1e-3, 100, seed, (i, top) -> {
                if (powerReach[0] < 0 && Math.abs(top[0] - lmax) <= 1e-3 * Math.abs(lmax)) powerReach[0] = i;
            });
            // Continue Lanczos-to-reach if its own stop came first (it cannot: residual bound), and power to 100.
            if (powerReach[0] < 0) {
                FiniteDifferenceHvp h3 = new FiniteDifferenceHvp(m.loss(), w);
                PowerIteration.topEigenvalue(h3, 0, 300, seed, (i, top) -> {
                    if (powerReach[0] < 0 && Math.abs(top[0] - lmax) <= 1e-3 * Math.abs(lmax)) powerReach[0] = i;
                });
            }
            out.printf(Locale.ROOT, "| %d | %d | %d | %.1e | %s | %d%s | %.1e |%n", seed, lanczosReach[0], l.iterations(),
                    Math.abs(l.eigenvalues()[0] - lmax) / lmax, powerReach[0] < 0 ? "> 300" : String.valueOf(powerReach[0]),
                    p.iterations(), p.converged() ? "" : " (not converged)", Math.abs(p.eigenvalue() - lmax) / lmax);
            if (powerReach[0] > 0 && lanczosReach[0] > 0) {
                ratios.add((double) lanczosReach[0] / powerReach[0]);
                lanczosCounts.add(lanczosReach[0]);
                powerCounts.add(powerReach[0]);
            }
        }
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (lanczosCounts.isEmpty()) {
            out.println();
            return;
        }
        int[] l = lanczosCounts.stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] p = powerCounts.stream().mapToInt(Integer::intValue).sorted().toArray();
        out.printf(Locale.ROOT, "%nmedian HVPs to reach 1e-3: Lanczos %d, power %d; median of per-seed ratios %.3f; ratio of totals %.3f (target <= 0.333)%n%n",
                l[l.length / 2], p[p.length / 2], r.length == 0 ? Double.NaN : r[r.length / 2],
                (double) Arrays.stream(l).sum() / Arrays.stream(p).sum());
    }

    private static void hvpTiming(PrintStream out, long maxParams) {
        out.println("## Time per Hessian-vector product vs parameter count (MLP 512-h-h-10, batch 32, CPU backend)");
        out.println();
        out.println("| hidden width h | parameters | gradient (ms) | HVP (ms) | HVP ms per million parameters |");
        out.println("|---|---|---|---|---|");
        for (int h : new int[] {64, 256, 1024, 2048, 2900}) {
            long params = 512L * h + h + (long) h * h + h + 10L * h + 10;
            if (params > maxParams * 1.1) {
                break;
            }
            CurvatureModel m = BenchModels.mlp(32, 512, h, 10, 2);
            double[] w = m.point();
            double[] g = new double[w.length];
            m.loss().lossAndGradient(w, g);
            int reps = params > 2_000_000 ? 3 : 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                m.loss().lossAndGradient(w, g);
            }
            double gradMs = (System.nanoTime() - t0) / 1e6 / reps;
            FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(m.loss(), w);
            double[] v = g.clone();
            double[] hv = new double[w.length];
            hvp.apply(v, hv);
            t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                hvp.apply(v, hv);
            }
            double hvpMs = (System.nanoTime() - t0) / 1e6 / reps;
            out.printf(Locale.ROOT, "| %d | %,d | %.1f | %.1f | %.1f |%n", h, params, gradMs, hvpMs, hvpMs / (params / 1e6));
            out.flush();
        }
        out.println();
    }
}
