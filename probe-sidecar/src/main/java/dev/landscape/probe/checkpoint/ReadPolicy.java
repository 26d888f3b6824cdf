package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.GlobalAllowlist;

import java.util.Collection;
import java.util.Objects;

/**
 * What reading a checkpoint may cost and trust: the {@link MemoryBudget} every limit comes from and the pickle
 * globals a file may name. One per process ({@link #standard()}, or with the user's {@code --trust-global} /
 * {@code spec.checkpoints.trustedGlobals}), handed to {@link CheckpointFormats}; tests pass smaller budgets.
 */
public record ReadPolicy(MemoryBudget budget, GlobalAllowlist allowlist) {

    public ReadPolicy {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(allowlist, "allowlist");
    }

    /** This heap's budget and the standard allowlist. */
    public static ReadPolicy standard() {
        return new ReadPolicy(MemoryBudget.ofThisHeap(), GlobalAllowlist.STANDARD);
    }

    /**
     * This policy, also accepting the given globals.
     *
     * @throws IllegalArgumentException when one is not a dotted name
     */
    public ReadPolicy trusting(Collection<String> globals) {
        return new ReadPolicy(budget, allowlist.trusting(globals));
    }

    /** Counters for one checkpoint being opened. */
    Reading start() {
        return new Reading(this);
    }
}
