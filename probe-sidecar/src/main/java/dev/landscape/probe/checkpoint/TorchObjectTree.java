package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PyBytes;
import dev.landscape.probe.checkpoint.pickle.PyGlobal;
import dev.landscape.probe.checkpoint.pickle.PyObject;
import dev.landscape.probe.checkpoint.pickle.PyTuple;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the tensors in an unpickled torch object and names them by their key path joined with {@code .}
 * ({@code model_state_dict.fc1.weight}, {@code optimizer_state_dict.state.0.momentum_buffer}). Tensors under a torch
 * optimizer state dict get group {@code optimizer.<slot>}; everything else is {@code model}.
 *
 * <p>An optimizer state dict is a dict with a {@code state} dict of per-parameter dicts and either a
 * {@code param_groups} list (what {@code Optimizer.state_dict()} returns) or a key path mentioning "optim" (hand-made
 * checkpoints that drop the groups). Tensors inside inert objects (numpy arrays, custom classes) are not listed.
 *
 * <p>The walk is bounded in depth and in total visits, and skips cycles, since the object graph is hostile input;
 * tensors, their names and the key paths it builds are counted against the {@link MemoryBudget} as they are found
 * (a 65,000-character key reached 200,000 times is 13 GB of names).
 */
final class TorchObjectTree {

    static final int MAX_DEPTH = 1000;
    static final long MAX_VISITS = 10_000_000;

    /** A tensor and where it was found. {@code stateId} is the optimizer's parameter id for optimizer state. */
    record Found(String name, TensorRef ref, String group, OptimizerDict optimizer, Object stateId) {
    }

    /** A torch optimizer state dict found in the object, by its key path. */
    record OptimizerDict(String name, Map<?, ?> state, List<?> paramGroups) {
    }

    record Walk(List<Found> tensors, List<OptimizerDict> optimizers) {
    }

    private final Path file;
    private final Reading reading;
    private final int maxNameChars;
    private final List<Found> found = new ArrayList<>();
    private final List<OptimizerDict> optimizers = new ArrayList<>();
    private final Set<Object> ancestors = Collections.newSetFromMap(new IdentityHashMap<>());
    private long visits;

    private TorchObjectTree(Path file, Reading reading) {
        this.file = file;
        this.reading = reading;
        this.maxNameChars = reading.budget().maxNameChars();
    }

    static Walk walk(Object root, String prefix, Path file, Reading reading) throws CheckpointException {
        TorchObjectTree t = new TorchObjectTree(file, reading);
        t.visit(root, prefix, 0, TensorInfo.MODEL, null, null);
        return new Walk(List.copyOf(t.found), List.copyOf(t.optimizers));
    }

    private void visit(Object v, String name, int depth, String group, OptimizerDict opt, Object id)
            throws CheckpointException {
        if (++visits > MAX_VISITS) {
            throw new CheckpointException(file, -1, "the checkpoint's object graph has more than " + MAX_VISITS
                    + " reachable values (a pickle bomb?)");
        }
        if (depth > MAX_DEPTH) {
            throw new CheckpointException(file, -1, "values nested more than " + MAX_DEPTH + " deep at " + name);
        }
        if (name.length() > maxNameChars) {
            reading.nameLength(file, -1, name.length());
        }
        reading.walked(file, name.length());
        if (v instanceof TensorRef t) {
            reading.tensor(file, -1, name.isEmpty() ? "tensor" : name);
            found.add(new Found(name.isEmpty() ? "tensor" : name, t, group, opt, id));
            return;
        }
        if (!(v instanceof Map<?, ?> || v instanceof List<?> || v instanceof PyTuple) || !ancestors.add(v)) {
            return;
        }
        try {
            if (v instanceof Map<?, ?> m) {
                if (opt == null && isOptimizer(m, name)) {
                    visitOptimizer(m, name, depth);
                } else {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        visit(e.getValue(), join(name, key(e.getKey()), maxNameChars), depth + 1, group, opt, id);
                    }
                }
            } else {
                List<?> items = v instanceof PyTuple t ? t.items() : (List<?>) v;
                for (int i = 0; i < items.size(); i++) {
                    visit(items.get(i), join(name, Integer.toString(i), maxNameChars), depth + 1, group, opt, id);
                }
            }
        } finally {
            ancestors.remove(v);
        }
    }

    private void visitOptimizer(Map<?, ?> m, String name, int depth) throws CheckpointException {
        Map<?, ?> state = (Map<?, ?>) m.get("state");
        List<?> groups = m.get("param_groups") instanceof List<?> l ? l : List.of();
        OptimizerDict od = new OptimizerDict(name, state, groups);
        optimizers.add(od);
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = key(e.getKey());
            if (!"state".equals(e.getKey())) {
                visit(e.getValue(), join(name, k, maxNameChars), depth + 1, "optimizer." + k, od, null);
                continue;
            }
            String stateName = join(name, "state", maxNameChars);
            for (Map.Entry<?, ?> s : state.entrySet()) {
                String idName = join(stateName, key(s.getKey()), maxNameChars);
                if (s.getValue() instanceof Map<?, ?> slots) {
                    for (Map.Entry<?, ?> slot : slots.entrySet()) {
                        String slotName = key(slot.getKey());
                        visit(slot.getValue(), join(idName, slotName, maxNameChars), depth + 3, "optimizer." + slotName, od, s.getKey());
                    }
                } else {
                    visit(s.getValue(), idName, depth + 2, "optimizer.state", od, s.getKey());
                }
            }
        }
    }

    private static boolean isOptimizer(Map<?, ?> m, String name) {
        if (!(m.get("state") instanceof Map<?, ?> state)) {
            return false;
        }
        for (Object v : state.values()) {
            if (!(v instanceof Map<?, ?>)) {
                return false;
            }
        }
        return m.get("param_groups") instanceof List<?> || name.toLowerCase(java.util.Locale.ROOT).contains("optim");
    }

    static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** As above, cut just over {@code limit} characters for {@link #visit} to refuse without building a huge string. */
    static String join(String prefix, String key, int limit) {
        if ((long) prefix.length() + key.length() + 1 > limit) {
            String joined = prefix + "." + key.substring(0, Math.min(key.length(), limit));
            return joined.substring(0, Math.min(joined.length(), limit + 1));
        }
        return join(prefix, key);
    }

    static String key(Object k) {
        if (k instanceof String s) {
            return s;
        }
        if (k == null) {
            return "None";
        }
        if (k instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (k instanceof Number) {
            return k.toString();
        }
        if (k instanceof PyGlobal g) {
            return g.qualifiedName();
        }
        if (k instanceof PyObject o) {
            return o.type() instanceof PyGlobal g ? g.name() : "object";
        }
        if (k instanceof PyBytes) {
            return "bytes";
        }
        if (k instanceof PyTuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size() && i < 8; i++) {
                sb.append(i > 0 ? "," : "").append(t.get(i) instanceof PyTuple ? "…" : key(t.get(i)));
            }
            return sb.append(')').toString();
        }
        return k.getClass().getSimpleName();
    }
}
