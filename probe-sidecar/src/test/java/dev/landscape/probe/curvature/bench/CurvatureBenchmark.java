package dev.landscape.probe.curvature.bench;

import dev.landscape.probe.curvature.BenchModels;
import dev.landscape.probe.curvature.CurvatureModel;
import dev.landscape.probe.curvature.EdgeOfStability;
import dev.landscape.probe.curvature.linalg.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.LossHead;
import dev.landscape.probe.curvature.WeightBinding;
import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.linalg.PowerIteration;
import dev.landscape.probe.curvature.linalg.SymmetricOperator;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Not a test: {@code bench/curvature.sh} runs it. Part 1 counts the Hessian-vector products that Lanczos and
 * PyHessian's power iteration need for a 1e-3 relative error on lambda_max of the same model and batch, from the
 * same start vector through the same HVP operator; part 2 ({@link SpectrumSweep}) shows how that ratio depends on
 * lambda_2 / lambda_1; part 3 ({@link TopKComparison}) compares block and single-vector Lanczos on the top 3 counted
 * with multiplicity; part 4 times one HVP against the parameter count. Prints Markdown tables for
 * bench/results/curvature.md.
 *
 * <p>Arguments: {@code [maxParams] [seeds]} (defaults 10_000_000 and 5).
 */
public final class CurvatureBenchmark {

    static final double TARGET = 1e-3;

    /** Products power iteration is run to, without its stopping rule, to find when it reaches {@link #TARGET}. */
    static final int POWER_CAP = 300;

    /**
     * The edge-of-stability model: full-batch gradient descent at this learning rate for this many steps, the loss
     * of the last {@link #EOS_WINDOW} steps shown as evidence (bench/results/curvature-eos-prototype.md).
     */
    private static final double EOS_LR = 1.6;
    private static final int EOS_STEPS = 4000;
    private static final int EOS_WINDOW = 1000;

    /**
     * One model's medians, for the summary table. Where power iteration did not reach {@link #TARGET} within
     * {@link #POWER_CAP} products on {@code censored} seeds, those seeds count as {@link #POWER_CAP}: the power
     * median is then exact unless it is the cap itself (a lower bound), and both ratios are upper bounds.
     */
    record Summary(String model, double gapRatio, int lanczos, int power, double medianRatio, double totalRatio,
                   int censored) {

        String powerText() {
            return power >= POWER_CAP ? "> " + POWER_CAP : String.valueOf(power);
        }

        String ratioText(double ratio) {
            return String.format(Locale.ROOT, censored > 0 ? "<= %.3f" : "%.3f", ratio);
        }
    }

    /** A checkpoint of full-batch gradient descent and the loss at every step, the checkpoint's last. */
    record Descent(double[] weights, double[] losses) {
    }

    /**
     * Each method's run under its own stopping rule, and the HVPs until its estimate was first within
     * {@link #TARGET} of lambda_max (an oracle count).
     */
    record Comparison(Lanczos.Result lanczos, int lanczosReach, PowerIteration.Result power, int powerReach) {
    }

    public static void main(String[] args) {
        long maxParams = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        out.printf(Locale.ROOT, "java %s, %d cores available, max heap %d MiB%n%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        String mlp = "MLP 32-64-10, tanh, cross-entropy, batch 256, ";
        CurvatureModel m = BenchModels.mlp(256, 32, 64, 10, 1);
        CurvatureModel learnable = BenchModels.clusters(256, 32, 64, 10, 1);
        BenchModels.Problem cnn = BenchModels.cnn(128, 4, 10);
        CurvatureModel c = CurvatureModel.build(cnn.model(), cnn.batch(), WeightBinding.allTrainable(cnn.weights()),
                LossHead.CROSS_ENTROPY, null);
        double[] cnnTrained = trained(c, 300, 0.2);
        CurvatureModel square = BenchModels.clusters(256, 32, 64, 10, 1, LossHead.MSE);
        double[] learnableTrained = trained(learnable, 300, 0.5);
        List<Summary> summaries = new ArrayList<>();
        summaries.add(lanczosVersusPower(out, seeds, m, m.point(), "MLP, random labels, at initialisation",
                mlp + "random labels, at initialisation"));
        summaries.add(lanczosVersusPower(out, seeds, m, trained(m, 300, 0.5), "MLP, random labels, trained",
                mlp + "random labels, after 300 gradient-descent steps, lr 0.5"));
        summaries.add(lanczosVersusPower(out, seeds, learnable, learnableTrained,
                "MLP, learnable labels, trained",
                mlp + "learnable labels (10 Gaussian clusters), after 300 gradient-descent steps, lr 0.5"));
        summaries.add(lanczosVersusPower(out, seeds, c, cnnTrained, "CNN, trained", "CNN conv(4, 3x3)-tanh-maxpool-"
                + "linear(10) on 8x8 inputs, batch 128, labels from a binned projection, after 300 gradient-descent "
                + "steps, lr 0.2"));
        Descent eos = descend(square, EOS_STEPS, EOS_LR);
        summaries.add(lanczosVersusPower(out, seeds, square, eos.weights(), "MLP, MSE, edge of stability",
                "MLP 32-64-10, tanh, MSE on one-hot targets, batch 256, learnable labels (10 Gaussian clusters), after "
                        + EOS_STEPS + " gradient-descent steps, lr " + EOS_LR,
                ev -> edgeOfStability(out, ev, eos.losses())));
        out.println("## Summary: HVPs to a 1e-3 relative error on lambda_max (medians over seeds)");
        out.println();
        out.println("| model | lambda_2/lambda_1 | Lanczos | power iteration | median per-seed ratio | ratio of totals |");
        out.println("|---|---|---|---|---|---|");
        for (Summary s : summaries) {
            out.printf(Locale.ROOT, "| %s | %.3f | %d | %s | %s | %s |%n", s.model(), s.gapRatio(), s.lanczos(),
                    s.powerText(), s.ratioText(s.medianRatio()), s.ratioText(s.totalRatio()));
        }
        out.println();
        out.flush();
        SpectrumSweep.run(out, c, cnnTrained, 2 * seeds);
        CurvatureModel linear = BenchModels.clusters(256, 32, 64, 10, 0, LossHead.MSE);
        TopKComparison.run(out, List.of(
                new TopKComparison.Case("linear 32-10, MSE on one-hot targets (Hessian I_10 (x) A)", linear, linear.point()),
                new TopKComparison.Case("MLP, random labels, at initialisation", m, m.point()),
                new TopKComparison.Case("MLP, learnable labels, trained", learnable, learnableTrained),
                new TopKComparison.Case("CNN, trained", c, cnnTrained),
                new TopKComparison.Case("MLP, MSE, edge of stability", square, eos.weights())), seeds);
        hvpTiming(out, maxParams);
    }

    /** Full-batch gradient descent from the model's initial point: a checkpoint further into training. */
    private static double[] trained(CurvatureModel m, int steps, double lr) {
        return descend(m, steps, lr).weights();
    }

    /** {@link #trained}, keeping the loss before every step and at the checkpoint. */
    private static Descent descend(CurvatureModel m, int steps, double lr) {
        double[] w = m.point();
        double[] g = new double[w.length];
        double[] losses = new double[steps + 1];
        for (int s = 0; s < steps; s++) {
            losses[s] = m.loss().lossAndGradient(w, g);
            for (int i = 0; i < w.length; i++) {
                w[i] -= lr * g[i];
            }
        }
        losses[steps] = m.loss().loss(w);
        return new Descent(w, losses);
    }

    /**
     * The evidence that a checkpoint sits at the edge of stability: its top eigenvalues against 2/lr
     * ({@link EdgeOfStability#sgd}), and whether the loss still falls step by step over the last
     * {@link #EOS_WINDOW} steps (at the edge it does not: it rises on some steps, and falls over longer spans).
     */
    private static void edgeOfStability(PrintStream out, double[] ev, double[] losses) {
        EdgeOfStability e = EdgeOfStability.sgd(ev[0], EOS_LR);
        String top = Arrays.stream(ev, 1, ev.length).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v / e.threshold()))
                .collect(Collectors.joining(", "));
        int last = losses.length - 1;
        int from = Math.max(0, last - EOS_WINDOW);
        int rises = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int s = from; s <= last; s++) {
            if (s > from && losses[s] > losses[s - 1]) {
                rises++;
            }
            min = Math.min(min, losses[s]);
            max = Math.max(max, losses[s]);
        }
        out.printf(Locale.ROOT, "edge of stability: lambda_1 / (2/lr) = %.4f (2/lr = %.4g), lambda_2..6 / (2/lr) = %s; "
                        + "loss over steps %d-%d: rose on %d of %d steps, between %.4g and %.4g (%.4g at step %d, %.4g "
                        + "at the checkpoint)%n%n", e.ratio(), e.threshold(), top, from, last, rises, last - from, min,
                max, losses[from], from, losses[last]);
    }

    /**
     * Runs both methods from the seed's start vector with their own stopping rules (Lanczos: residual test at
     * {@link #TARGET}; power iteration: PyHessian's tol 1e-3, at most 100 products), each on a fresh operator from
     * {@code hvp} that counts its products, and records when each estimate is first within {@link #TARGET} of
     * {@code lmax}. Where a method's rule stopped before that, it is run again from the same start, i.e. along the
     * same iterates, without the rule (power: up to 300 products); a count that is still not reached is -1.
     */
    static Comparison compare(Supplier<SymmetricOperator> hvp, double lmax, long seed) {
        int[] lanczosReach = {-1};
        int[] powerReach = {-1};
        Lanczos.Listener lanczosWatch = (i, top) -> {
            if (lanczosReach[0] < 0 && within(top[0], lmax)) lanczosReach[0] = i;
        };
        Lanczos.Listener powerWatch = (i, top) -> {
            if (powerReach[0] < 0 && within(top[0], lmax)) powerReach[0] = i;
        };
        CountingOperator h1 = new CountingOperator(hvp.get());
        Lanczos.Result l = Lanczos.topEigenvalues(h1, 1, TARGET, 400, seed, lanczosWatch);
        CountingOperator h2 = new CountingOperator(hvp.get());
        PowerIteration.Result p = PowerIteration.topEigenvalue(h2, TARGET, 100, seed, powerWatch);
        if (h1.products() != l.products() || h2.products() != p.iterations()) {
            throw new IllegalStateException("products counted by the operator differ from the iteration counts");
        }
        if (lanczosReach[0] < 0) {
            Lanczos.topEigenvalues(hvp.get(), 1, 1e-9, 400, seed, lanczosWatch);
        }
        if (powerReach[0] < 0) {
            PowerIteration.topEigenvalue(hvp.get(), 0, POWER_CAP, seed, powerWatch);
        }
        return new Comparison(l, lanczosReach[0], p, powerReach[0]);
    }

    private static boolean within(double estimate, double lmax) {
        return Math.abs(estimate - lmax) <= TARGET * Math.abs(lmax);
    }

    private static Summary lanczosVersusPower(PrintStream out, int seeds, CurvatureModel m, double[] w, String name,
                                              String model) {
        return lanczosVersusPower(out, seeds, m, w, name, model, ev -> {
        });
    }

    /** @param reference given the reference eigenvalues (top 6) once they are printed, e.g. to print more about them */
    private static Summary lanczosVersusPower(PrintStream out, int seeds, CurvatureModel m, double[] w, String name,
                                              String model, Consumer<double[]> reference) {
        FiniteDifferenceHvp ref = new FiniteDifferenceHvp(m.loss(), w);
        Lanczos.Result exact = Lanczos.topEigenvalues(ref, 6, 1e-10, 400, 99);
        double[] ev = exact.eigenvalues();
        double lmax = ev[0];
        out.printf(Locale.ROOT, "## Lanczos vs power iteration (%s; %d parameters; loss %.4f)%n%n", model,
                m.layout().dimension(), m.loss().loss(w));
        out.printf(Locale.ROOT, "reference lambda_max = %.10g (residual bound %.1e, %s), lambda_2..6 = %.4g, %.4g, %.4g, "
                        + "%.4g, %.4g; lambda_2/lambda_1 = %.3f (Lanczos, tol 1e-10, top 6, start seed 99, %d HVPs)%n%n",
                lmax, exact.residuals()[0], exact.converged() ? "converged" : "NOT converged", ev[1], ev[2], ev[3], ev[4],
                ev[5], ev[1] / lmax, ref.products());
        reference.accept(ev);
        out.println("| seed | Lanczos: HVPs to 1e-3 rel. error | Lanczos (tol 1e-3) stops at | its rel. error "
                + "| power: HVPs to 1e-3 rel. error | power (PyHessian tol 1e-3, max 100) stops at | its rel. error |");
        out.println("|---|---|---|---|---|---|---|");
        Tally tally = new Tally();
        for (int seed = 0; seed < seeds; seed++) {
            Comparison c = compare(() -> new FiniteDifferenceHvp(m.loss(), w), lmax, seed);
            Lanczos.Result l = c.lanczos();
            PowerIteration.Result p = c.power();
            out.printf(Locale.ROOT, "| %d | %d | %d | %.1e | %s | %d%s | %.1e |%n", seed, c.lanczosReach(),
                    l.products(), Math.abs(l.eigenvalues()[0] - lmax) / lmax,
                    c.powerReach() < 0 ? "> " + POWER_CAP : String.valueOf(c.powerReach()), p.iterations(),
                    p.converged() ? "" : " (not converged)", Math.abs(p.eigenvalue() - lmax) / lmax);
            out.flush();
            tally.add(c);
        }
        Summary s = tally.summarise(name, ev[1] / lmax);
        out.printf(Locale.ROOT, "%nmedian HVPs to reach 1e-3: Lanczos %d, power %s; median of per-seed ratios %s; "
                        + "ratio of totals %s (target <= 0.333)%s%n%n", s.lanczos(), s.powerText(),
                s.ratioText(s.medianRatio()), s.ratioText(s.totalRatio()), s.censored() == 0 ? ""
                        : String.format(Locale.ROOT, "; power iteration did not reach 1e-3 within %d products on %d of "
                        + "%d seeds, counted as %d, so the ratios are upper bounds", POWER_CAP, s.censored(), seeds,
                        POWER_CAP));
        return s;
    }

    /**
     * The per-seed counts of one model, over the seeds where Lanczos reached the target; a power count past
     * {@link #POWER_CAP} enters as the cap (see {@link Summary}).
     */
    static final class Tally {

        private final List<Integer> lanczos = new ArrayList<>();
        private final List<Integer> power = new ArrayList<>();
        private final List<Double> ratios = new ArrayList<>();
        private int censored;

        void add(Comparison c) {
            if (c.lanczosReach() < 0) {
                return;
            }
            int p = c.powerReach() < 0 ? POWER_CAP : c.powerReach();
            censored += c.powerReach() < 0 ? 1 : 0;
            lanczos.add(c.lanczosReach());
            power.add(p);
            ratios.add((double) c.lanczosReach() / p);
        }

        /** Medians (for an even count the upper of the two middle values); -1 and NaN when no seed counted. */
        Summary summarise(String name, double gapRatio) {
            if (lanczos.isEmpty()) {
                return new Summary(name, gapRatio, -1, -1, Double.NaN, Double.NaN, censored);
            }
            int[] l = lanczos.stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] p = power.stream().mapToInt(Integer::intValue).sorted().toArray();
            double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double total = (double) Arrays.stream(l).sum() / Arrays.stream(p).sum();
            return new Summary(name, gapRatio, l[l.length / 2], p[p.length / 2], r[r.length / 2], total, censored);
        }
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
