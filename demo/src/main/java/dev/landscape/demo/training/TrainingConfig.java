package dev.landscape.demo.training;

/**
 * The demo job's shape and hyper-parameters. The defaults ({@link #demo()}) are what the scripted scenario was tuned
 * on: a tanh MLP small enough that one training step of all ranks, forward, backward, all-reduce and Adam, costs
 * about a millisecond, so the scenario's wall time is the pacing the caller chooses, not compute.
 *
 * @param seed            data, teacher, initial weights and perturbation noise all derive from it
 * @param ranks           data-parallel workers (the demo's pods)
 * @param inputs          features per sample
 * @param hidden          hidden units of the student MLP ({@code fc1})
 * @param classes         output classes ({@code fc2})
 * @param samplesPerRank  each rank's shard; every step is full-batch on the shard (deterministic gradients)
 * @param evalSamples     held-out samples of the tier-2 eval batch
 * @param learningRate    Adam's initial learning rate
 * @param beta1           Adam β1 (PyTorch default 0.9)
 * @param beta2           Adam β2 (PyTorch default 0.999)
 * @param eps             Adam ε (PyTorch default 1e-8)
 * @param saveSteps       optimizer steps between checkpoints (HF {@code save_steps}; also {@code logging_steps})
 * @param maxSteps        the run's planned length, recorded in {@code trainer_state.json} as {@code max_steps}
 */
public record TrainingConfig(long seed, int ranks, int inputs, int hidden, int classes, int samplesPerRank,
                             int evalSamples, double learningRate, double beta1, double beta2, double eps,
                             int saveSteps, int maxSteps) {

    public TrainingConfig {
        if (ranks < 1 || inputs < 1 || hidden < 1 || classes < 2 || samplesPerRank < 1 || evalSamples < 1
                || saveSteps < 1 || maxSteps < 1) {
            throw new IllegalArgumentException("training config out of range: " + this);
        }
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException("Adam hyper-parameters out of range: " + this);
        }
    }

    /** The scenario's job: 4 ranks, a 12-32-4 MLP, 96 samples per rank, Adam at 0.01, a checkpoint every step. */
    public static TrainingConfig demo() {
        return new TrainingConfig(20240611L, 4, 12, 32, 4, 96, 128, 0.01, 0.9, 0.999, 1e-8, 1, 60);
    }

    public TrainingConfig withMaxSteps(int steps) {
        return new TrainingConfig(seed, ranks, inputs, hidden, classes, samplesPerRank, evalSamples, learningRate,
                beta1, beta2, eps, saveSteps, steps);
    }

    public TrainingConfig withSeed(long newSeed) {
        return new TrainingConfig(newSeed, ranks, inputs, hidden, classes, samplesPerRank, evalSamples, learningRate,
                beta1, beta2, eps, saveSteps, maxSteps);
    }

    /** Number of trainable parameters of the MLP. */
    public int parameterCount() {
        return hidden * inputs + hidden + classes * hidden + classes;
    }
}
