package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleWriter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code param_groups} entry of a torch optimizer's {@code state_dict()}, as torch 2.6+ writes it for optimizers
 * built from {@code named_parameters()}, for the optimizer files this project writes itself (the embedded demo, the
 * tier-1 ground truth): {@code param_names} first, the hyper-parameters with torch's defaults, {@code params} last
 * ({@code add_param_group} puts {@code param_names} after {@code params}; {@code state_dict()} moves {@code params}
 * to the end). {@link OptimizerHintsReader} tells the optimizers apart by these keys.
 */
public final class TorchParamGroups {

    private TorchParamGroups() {
    }

    /**
     * {@code torch.optim.Adam} ({@code decoupled = false}) or {@code AdamW} ({@code true}); {@code decoupled = null}
     * leaves the {@code decoupled_weight_decay} key out, as torch before 2.7 does.
     */
    public static Map<String, Object> adam(List<?> names, double lr, double beta1, double beta2, double eps,
                                           Object weightDecay, Boolean decoupled, List<?> params) {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("param_names", names);
        group.put("lr", lr);
        group.put("betas", PickleWriter.Tuple.of(beta1, beta2));
        group.put("eps", eps);
        group.put("weight_decay", weightDecay);
        group.put("amsgrad", false);
        group.put("maximize", false);
        group.put("foreach", null);
        group.put("capturable", false);
        group.put("differentiable", false);
        group.put("fused", null);
        if (decoupled != null) {
            group.put("decoupled_weight_decay", decoupled);
        }
        group.put("params", params);
        return group;
    }

    /** {@code torch.optim.SGD}, with heavy-ball {@code momentum} (0 for plain SGD) and no dampening. */
    public static Map<String, Object> sgd(List<?> names, double lr, Object momentum, List<?> params) {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("param_names", names);
        group.put("lr", lr);
        group.put("momentum", momentum);
        group.put("dampening", 0);
        group.put("weight_decay", 0);
        group.put("nesterov", false);
        group.put("maximize", false);
        group.put("foreach", null);
        group.put("differentiable", false);
        group.put("fused", null);
        group.put("params", params);
        return group;
    }
}
