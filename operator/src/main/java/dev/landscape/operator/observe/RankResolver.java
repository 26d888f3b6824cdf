package dev.landscape.operator.observe;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.RankSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which rank each training pod holds. {@code Auto} follows the conventions of the common launchers:
 * <ul>
 *   <li>Kubeflow training-operator: {@code training.kubeflow.org/replica-index} with replica type; a PyTorchJob's
 *       Master is rank 0 and Worker {@code i} is rank {@code i + 1} when a Master exists (its {@code RANK} env).</li>
 *   <li>JobSet: {@code jobset.sigs.k8s.io/job-global-index} × pods per job + the completion index, where pods per
 *       job is one more than the largest completion index among the selected pods.</li>
 *   <li>Indexed Job: {@code batch.kubernetes.io/job-completion-index} (label, or annotation on older clusters).</li>
 *   <li>A literal {@code RANK} environment variable on a trainer container.</li>
 * </ul>
 * Ranks are resolved for all selected pods at once because the Kubeflow and JobSet rules need the others.
 */
public final class RankResolver {

    public static final String KUBEFLOW_INDEX = "training.kubeflow.org/replica-index";
    public static final String KUBEFLOW_TYPE = "training.kubeflow.org/replica-type";
    public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    public static final String JOBSET_GLOBAL_INDEX = "jobset.sigs.k8s.io/job-global-index";

    private RankResolver() {
    }

    /** Pod name → rank, for the pods whose rank can be told. */
    public static Map<String, Integer> resolve(RankSource source, Collection<Pod> pods) {
        RankSource.Source mode = source == null || source.getSource() == null ? RankSource.Source.Auto : source.getSource();
        Map<String, Integer> out = new HashMap<>();
        boolean hasMaster = pods.stream().anyMatch(p -> "master".equalsIgnoreCase(label(p, KUBEFLOW_TYPE)));
        int podsPerJob = 1 + pods.stream().mapToInt(p -> parse(label(p, COMPLETION_INDEX)).orElse(0)).max().orElse(0);
        for (Pod p : pods) {
            OptionalInt rank = switch (mode) {
                case Auto -> auto(p, hasMaster, podsPerJob);
                case Label -> parse(label(p, source.getKey()));
                case Annotation -> parse(annotation(p, source.getKey()));
                case Env -> env(p, source.getKey());
            };
            rank.ifPresent(r -> out.put(p.getMetadata().getName(), r));
        }
        return out;
    }

    private static OptionalInt auto(Pod p, boolean hasMaster, int podsPerJob) {
        OptionalInt kubeflow = parse(label(p, KUBEFLOW_INDEX));
        if (kubeflow.isPresent()) {
            boolean worker = "worker".equalsIgnoreCase(label(p, KUBEFLOW_TYPE));
            return OptionalInt.of(kubeflow.getAsInt() + (worker && hasMaster ? 1 : 0));
        }
        OptionalInt completion = parse(Optional.ofNullable(label(p, COMPLETION_INDEX)).orElse(annotation(p, COMPLETION_INDEX)));
        OptionalInt jobIndex = parse(label(p, JOBSET_GLOBAL_INDEX));
        if (jobIndex.isPresent() && completion.isPresent()) {
            return OptionalInt.of(jobIndex.getAsInt() * podsPerJob + completion.getAsInt());
        }
        if (completion.isPresent()) {
            return completion;
        }
        return env(p, "RANK");
    }

    private static OptionalInt env(Pod p, String name) {
        if (p.getSpec() == null || p.getSpec().getContainers() == null) {
            return OptionalInt.empty();
        }
        for (Container c : p.getSpec().getContainers()) {
            if (LandscapeProbe.SIDECAR_CONTAINER.equals(c.getName()) || c.getEnv() == null) {
                continue;
            }
            for (EnvVar e : c.getEnv()) {
                if (name.equals(e.getName()) && e.getValue() != null) {
                    return parse(e.getValue());
                }
            }
        }
        return OptionalInt.empty();
    }

    private static String label(Pod p, String key) {
        Map<String, String> labels = p.getMetadata().getLabels();
        return labels == null || key == null ? null : labels.get(key);
    }

    private static String annotation(Pod p, String key) {
        Map<String, String> a = p.getMetadata().getAnnotations();
        return a == null || key == null ? null : a.get(key);
    }

    private static OptionalInt parse(String s) {
        if (s == null) {
            return OptionalInt.empty();
        }
        try {
            int v = Integer.parseInt(s.trim());
            return v >= 0 ? OptionalInt.of(v) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
