package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PyTuple;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Optimizer type and hyper-parameters from a torch optimizer state dict: {@code param_groups[0]} gives lr, betas,
 * momentum and eps; the largest {@code step} in {@code state} (a Python number, or a 0-d tensor since torch 1.12)
 * gives the step count. The type is inferred only where the state dict tells optimizers apart: Adam and AdamW are
 * the groups with {@code betas} and {@code amsgrad} (NAdam, RAdam and Adamax have no {@code amsgrad}), reported as
 * {@code adamw} when the group says {@code decoupled_weight_decay} and as {@code adam} otherwise (older torch
 * versions keep identical state and group keys for the two, whose moments read the same); SGD is the group with
 * {@code dampening}/{@code nesterov}, {@code sgd-momentum} when momentum is positive. Without param groups, the
 * state's slots decide ({@code exp_avg} and {@code exp_avg_sq} only: Adam; {@code momentum_buffer} only: SGD with
 * momentum). Anything else (RMSprop, Adagrad, ZeRO wrappers) leaves the type empty.
 */
final class OptimizerHintsReader {

    private OptimizerHintsReader() {
    }

    static OptimizerHints read(List<TorchObjectTree.OptimizerDict> optimizers, List<Tensor> tensors) throws IOException {
        if (optimizers.isEmpty()) {
            return OptimizerHints.NONE;
        }
        TorchObjectTree.OptimizerDict opt = optimizers.get(0);
        Map<?, ?> group = opt.paramGroups().isEmpty() || !(opt.paramGroups().get(0) instanceof Map<?, ?> g) ? Map.of() : g;
        Set<Object> slots = new HashSet<>();
        long step = -1;
        for (Object perParam : opt.state().values()) {
            if (perParam instanceof Map<?, ?> m) {
                slots.addAll(m.keySet());
                if (m.get("step") instanceof Number n) {
                    step = Math.max(step, n.longValue());
                }
            }
        }
        String stepPrefix = TorchObjectTree.join(opt.name(), "state") + ".";
        for (Tensor t : tensors) {
            TensorInfo info = t.info();
            if (info.group().equals("optimizer.step") && info.name().startsWith(stepPrefix) && info.numel() == 1) {
                double[] v = new double[1];
                try (ElementStream s = t.open()) {
                    if (s.read(v) == 1 && Double.isFinite(v[0])) {
                        step = Math.max(step, (long) v[0]);
                    }
                }
            }
        }
        if (step < 0 && group.get("step") instanceof Number n) {
            step = n.longValue();
        }
        OptionalDouble momentum = number(group.get("momentum"));
        OptionalDouble beta1 = OptionalDouble.empty();
        OptionalDouble beta2 = OptionalDouble.empty();
        if (group.get("betas") instanceof PyTuple b && b.size() == 2) {
            beta1 = number(b.get(0));
            beta2 = number(b.get(1));
        } else if (group.get("betas") instanceof List<?> b && b.size() == 2) {
            beta1 = number(b.get(0));
            beta2 = number(b.get(1));
        }
        String type = type(group, slots, momentum);
        return new OptimizerHints(type, number(group.get("lr")), beta1, beta2, momentum, number(group.get("eps")),
                step >= 0 ? OptionalLong.of(step) : OptionalLong.empty());
    }

    private static String type(Map<?, ?> group, Set<Object> slots, OptionalDouble momentum) {
        Set<Object> adamSlots = Set.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq");
        boolean adam = group.isEmpty() ? slots.contains("exp_avg") && adamSlots.containsAll(slots)
                : group.containsKey("amsgrad") && group.containsKey("betas");
        if (adam) {
            return Boolean.TRUE.equals(group.get("decoupled_weight_decay")) ? "adamw" : "adam";
        }
        if (group.containsKey("dampening") || group.containsKey("nesterov")) {
            return momentum.orElse(0) > 0 || slots.contains("momentum_buffer") ? "sgd-momentum" : "sgd";
        }
        if (group.isEmpty() && slots.contains("momentum_buffer") && Set.of("step", "momentum_buffer").containsAll(slots)) {
            return "sgd-momentum";
        }
        return "";
    }

    private static OptionalDouble number(Object o) {
        return o instanceof Number n && !(o instanceof Boolean) ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }
}
