package dev.landscape.demo.training;

import dev.landscape.probe.checkpoint.TrainerStateWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A real data-parallel training job in one JVM, whose ranks write the checkpoints the demo's sidecars analyse. Each
 * step, every rank computes the loss and gradient of its own shard at its own weights, the gradients are averaged in
 * rank order (the all-reduce), and every rank applies the same Adam step to its own copy of the weights and moments,
 * so that clean replicas stay bitwise identical, as DDP keeps them. Every {@code saveSteps} steps each rank logs its
 * loss and gradient norm and writes a Hugging Face Trainer checkpoint into {@code <root>/rank-<r>/}
 * ({@link HfCheckpointWriter}).
 *
 * <p>Faults are injected the way they happen in real jobs, never by editing results: a learning rate raised past what
 * the curvature allows ({@link #setLearningRate}), a replica whose weights drift from the others
 * ({@link #perturb}), a gradient spike on one rank ({@link #spikeGradient}), storage that hangs ({@link #stall}), a
 * killed pod that resumes from its latest checkpoint ({@link #restart}). Not thread-safe: one driver calls it.
 */
public final class DemoTraining {

    /** What one rank did in a step; {@code checkpoint} is the folder written at this step, if any. */
    public record RankStep(int rank, double loss, double gradNorm, Optional<Path> checkpoint) {
    }

    /** One optimizer step of the whole job. */
    public record StepResult(long step, double learningRate, List<RankStep> ranks) {
    }

    private final TrainingConfig config;
    private final Path root;
    private final SyntheticData data;
    private final Adam adam;
    private final List<Replica> replicas = new ArrayList<>();
    private double learningRate;
    private long step;

    /** Creates {@code root/rank-<r>/} for every rank and initialises identical replicas (DDP's broadcast from rank 0). */
    public DemoTraining(TrainingConfig config, Path root) throws IOException {
        this.config = config;
        this.root = root;
        this.data = new SyntheticData(config);
        this.adam = new Adam(config.beta1(), config.beta2(), config.eps());
        this.learningRate = config.learningRate();
        Map<String, INDArray> initial = Mlp.initialise(config, new Random(config.seed() + 1));
        for (int r = 0; r < config.ranks(); r++) {
            Path dir = Files.createDirectories(runDir(r));
            Map<String, INDArray> params = Replica.copy(initial);
            replicas.add(new Replica(r, dir, data.shard(r), params, Adam.State.zeros(params)));
        }
    }

    public TrainingConfig config() {
        return config;
    }

    /** The run folder of {@code rank}: where its trainer writes checkpoints and its sidecar watches. */
    public Path runDir(int rank) {
        return root.resolve("rank-" + rank);
    }

    /** Optimizer steps taken so far (the step of the latest checkpoints). */
    public long globalStep() {
        return step;
    }

    public double learningRate() {
        return learningRate;
    }

    /** The learning rate of the next steps (a scheduler, or an engineer, changing it). */
    public void setLearningRate(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        }
        learningRate = lr;
    }

    /** One optimizer step of every rank; writes the checkpoints due at this step. */
    public StepResult step() throws IOException {
        step++;
        List<Mlp.LossAndGradient> local = new ArrayList<>();
        double[] gradNorms = new double[replicas.size()];
        for (Replica r : replicas) {
            Mlp.LossAndGradient lg = Mlp.lossAndGradient(r.params, r.shard, config.classes(), 1);
            if (r.nextGradientScale != 1) {
                double scale = r.nextGradientScale;
                lg.gradients().values().forEach(g -> g.muli(scale));
                r.nextGradientScale = 1;
            }
            local.add(lg);
            gradNorms[r.rank] = norm(lg.gradients());
        }
        Map<String, INDArray> averaged = allReduceMean(local);
        for (Replica r : replicas) {
            adam.step(r.params, averaged, r.adam, learningRate);
        }
        boolean save = step % config.saveSteps() == 0;
        List<RankStep> out = new ArrayList<>();
        for (Replica r : replicas) {
            double loss = local.get(r.rank).loss();
            r.lossSinceLog += loss;
            r.stepsSinceLog++;
            Optional<Path> written = Optional.empty();
            if (save) {
                r.logHistory.add(new TrainerStateWriter.LogEntry(step, step, r.lossSinceLog / r.stepsSinceLog, gradNorms[r.rank],
                        learningRate));
                r.lossSinceLog = 0;
                r.stepsSinceLog = 0;
                if (!r.stalled) {
                    written = Optional.of(HfCheckpointWriter.write(r, config, step, learningRate));
                }
            }
            out.add(new RankStep(r.rank, loss, gradNorms[r.rank], written));
        }
        return new StepResult(step, learningRate, out);
    }

    /**
     * Adds Gaussian noise of {@code relativeScale}·‖θ‖ to each weight tensor of {@code rank} only, as a bit flip, a
     * skipped all-reduce or a bad restore would leave one replica apart from the others. The all-reduce keeps the
     * replicas moving together afterwards, so the offset stays.
     */
    public void perturb(int rank, double relativeScale) {
        Random r = new Random(config.seed() * 31 + 7919L * rank + step);
        for (INDArray p : replica(rank).params.values()) {
            float[] noise = new float[(int) p.length()];
            double sq = 0;
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) r.nextGaussian();
                sq += (double) noise[i] * noise[i];
            }
            double scale = relativeScale * p.norm2Number().doubleValue() / Math.sqrt(sq);
            p.addi(Nd4j.create(noise, p.shape(), DataType.FLOAT).muli(scale));
        }
    }

    /**
     * Multiplies {@code rank}'s next local gradient by {@code factor} before the all-reduce, as a mixed-precision
     * loss scale that is not divided back out does: that rank's gradient norm spikes for one step, and through the
     * all-reduce the shared update with it. (Scaling the batch's inputs instead saturates the tanh units, and the
     * gradient hardly moves.)
     */
    public void spikeGradient(int rank, double factor) {
        replica(rank).nextGradientScale = factor;
    }

    /**
     * {@code rank}'s checkpoint storage hangs: the rank keeps training in lock-step with the others (its gradients
     * still reach the all-reduce) but none of its checkpoints are written until {@link #resume}, so its sidecar sees
     * no fresh checkpoint, as with a stuck volume mount.
     */
    public void stall(int rank) {
        replica(rank).stalled = true;
    }

    public void resume(int rank) {
        replica(rank).stalled = false;
    }

    public boolean isStalled(int rank) {
        return replica(rank).stalled;
    }

    /**
     * {@code rank}'s pod was killed and restarted: it reloads weights, Adam state and log history from its latest
     * checkpoint, as {@code resume_from_checkpoint} does. When that checkpoint is older than the job's step, the
     * whole worker group restarts from that step (torchrun's elastic agent restarts every worker), each rank from
     * its own checkpoint of that step; otherwise the other ranks, which waited in the all-reduce, carry on.
     *
     * @return the step the job continues from
     */
    public long restart(int rank) throws IOException {
        CheckpointRestore.Restored restored = CheckpointRestore.load(CheckpointRestore.latest(runDir(rank)),
                Mlp.PARAMETERS);
        if (restored.step() > step) {
            throw new IllegalStateException("rank " + rank + "'s latest checkpoint is at step " + restored.step()
                    + ", ahead of the job's step " + step);
        }
        List<Replica> group = restored.step() == step ? List.of(replica(rank)) : replicas;
        for (Replica r : group) {
            CheckpointRestore.Restored s = r.rank == rank ? restored
                    : CheckpointRestore.load(runDir(r.rank).resolve(HfCheckpointWriter.PREFIX + restored.step()),
                    Mlp.PARAMETERS);
            r.params = s.params();
            r.adam = s.adam();
            r.logHistory.clear();
            r.logHistory.addAll(s.logHistory());
            r.lossSinceLog = 0;
            r.stepsSinceLog = 0;
            r.nextGradientScale = 1;
        }
        step = restored.step();
        return step;
    }

    /** Mean cross-entropy of the held-out eval batch at {@code rank}'s current weights (float32, as trained). */
    public double evalLoss(int rank) {
        return Mlp.loss(replica(rank).params, data.eval(), config.classes());
    }

    /**
     * Writes the tier-2 inputs: the model as ONNX ({@code modelOnnx}, initializers named and shaped as the checkpoint
     * tensors, holding rank 0's current weights as an exporter would) and the eval batch ({@code batch}).
     */
    public void exportTier2(Path modelOnnx, Path batch) throws IOException {
        Tier2Export.writeModel(replica(0).params, data.eval().size(), modelOnnx);
        Tier2Export.writeBatch(data.eval(), batch);
    }

    /** A copy of {@code rank}'s weights by parameter name, in {@code named_parameters()} order. */
    public Map<String, float[]> parameters(int rank) {
        Map<String, float[]> out = new LinkedHashMap<>();
        replica(rank).params.forEach((k, v) -> out.put(k, v.dup('c').data().asFloat()));
        return out;
    }

    private Replica replica(int rank) {
        if (rank < 0 || rank >= replicas.size()) {
            throw new IllegalArgumentException("rank " + rank + " does not exist; the job has ranks 0.."
                    + (replicas.size() - 1));
        }
        return replicas.get(rank);
    }

    /** Sum of the ranks' gradients in rank order, divided by the world size: one result that every rank applies. */
    private Map<String, INDArray> allReduceMean(List<Mlp.LossAndGradient> local) {
        Map<String, INDArray> sum = new LinkedHashMap<>();
        for (Mlp.LossAndGradient lg : local) {
            lg.gradients().forEach((k, g) -> sum.merge(k, g.dup(), INDArray::addi));
        }
        sum.values().forEach(g -> g.divi(local.size()));
        return sum;
    }

    private static double norm(Map<String, INDArray> grads) {
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        return Math.sqrt(sq);
    }
}
