package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.Reducer;
import dev.landscape.probe.checkpoint.pickle.Unpickler;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * One checkpoint being opened, all its files together: counts tensors and name characters against the
 * {@link MemoryBudget} before they are kept, and collects the non-tensor pickle globals its files named. Not
 * thread-safe; lives as long as one {@link CheckpointFormat#open}.
 */
final class Reading {

    private final ReadPolicy policy;
    private final Set<String> globals = new TreeSet<>();
    private int tensors;
    private long nameChars;
    private long walkedChars;

    Reading(ReadPolicy policy) {
        this.policy = policy;
    }

    MemoryBudget budget() {
        return policy.budget();
    }

    /** An unpickler under this policy; pass it to {@link #load} so its globals are collected. */
    Unpickler unpickler(ByteBuffer pickle, Path file, String where, long base, Reducer reducer) {
        return new Unpickler(pickle, file, where, base, reducer, policy.budget(), policy.allowlist());
    }

    Object load(Unpickler u) throws CheckpointException {
        Object v = u.load();
        globals.addAll(u.globals());
        return v;
    }

    /** The non-tensor globals the checkpoint's pickles named, sorted. */
    Set<String> globals() {
        return Set.copyOf(globals);
    }

    /** Counts one tensor about to be kept, with its name; refuses it when a limit would be passed. */
    void tensor(Path file, long at, String name) throws CheckpointException {
        MemoryBudget b = policy.budget();
        if (tensors == b.maxTensors()) {
            throw new CheckpointException(file, at, "more than " + b.maxTensors() + " tensors: "
                    + b.describe(b.maxTensors(), "tensors"));
        }
        nameLength(file, at, name.length());
        nameChars += name.length();
        if (nameChars > b.maxTotalNameChars()) {
            throw new CheckpointException(file, at, "tensor names exceed "
                    + b.describe(b.maxTotalNameChars(), "characters") + " in total (at tensor " + tensors + ", "
                    + abbreviate(name) + ")");
        }
        tensors++;
    }

    /** Refuses a single name longer than the budget allows. */
    void nameLength(Path file, long at, long length) throws CheckpointException {
        MemoryBudget b = policy.budget();
        if (length > b.maxNameChars()) {
            throw new CheckpointException(file, at, "a tensor name or key path of " + length + " characters is"
                    + " longer than " + b.describe(b.maxNameChars(), "characters"));
        }
    }

    /**
     * Counts the characters of a key path built while walking an object graph, tensor or not: a graph that
     * reaches one long key by many paths would otherwise spend minutes copying it. Sixteen times the name budget.
     */
    void walked(Path file, long length) throws CheckpointException {
        long limit = 16 * policy.budget().maxTotalNameChars();
        walkedChars += length;
        if (walkedChars > limit) {
            throw new CheckpointException(file, -1, "the object graph's key paths exceed " + limit + " characters in"
                    + " total (16 times " + policy.budget().describe(policy.budget().maxTotalNameChars(), "characters")
                    + "): the same long keys reached by very many paths");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
