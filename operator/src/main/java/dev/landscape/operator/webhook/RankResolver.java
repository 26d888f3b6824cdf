package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.RankSource;
import dev.landscape.operator.crd.SchemaDefaults;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves {@code spec.rank} against a pod at admission time, so that the sidecar starts knowing its rank whenever
 * the pod's labels, annotations or the trainer's literal env already say it.
 *
 * <p>{@code Auto} order: Kubeflow ({@code training.kubeflow.org/replica-index}; the trainer's literal {@code RANK},
 * which the training operator sets to the global rank, wins over the per-replica-type index, because master 0 and
 * worker 0 share index 0), then the Indexed Job completion index (for JobSet pods only when
 * {@code jobset.sigs.k8s.io/job-index} is 0 — other jobs' global rank depends on the Job's parallelism, which a pod
 * does not carry — else the trainer's {@code RANK}), then the trainer's env {@code RANK}.
 */
public final class RankResolver {

    static final String KUBEFLOW_INDEX = "training.kubeflow.org/replica-index";
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    static final String JOBSET_JOB_INDEX = "jobset.sigs.k8s.io/job-index";
    static final String RANK_ENV = "RANK";

    private RankResolver() {
    }

    public static RankResolution resolve(RankSource spec, Pod pod, Container trainer) {
        RankSource.Source source = spec == null || spec.getSource() == null
                ? RankSource.Source.valueOf(SchemaDefaults.of(RankSource.class, "source"))
                : spec.getSource();
        Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
        Map<String, String> annotations = orEmpty(pod.getMetadata().getAnnotations());
        return switch (source) {
            case Label -> fromMetadata(labels, spec.getKey(), "labels", "label");
            case Annotation -> fromMetadata(annotations, spec.getKey(), "annotations", "annotation");
            case Env -> fromEnv(trainer, spec.getKey());
            case Auto -> auto(labels, annotations, trainer);
        };
    }

    private static RankResolution auto(Map<String, String> labels, Map<String, String> annotations, Container trainer) {
        if (labels.containsKey(KUBEFLOW_INDEX)) {
            return literalEnv(trainer, RANK_ENV)
                    .orElse(RankResolution.literal(labels.get(KUBEFLOW_INDEX), "label " + KUBEFLOW_INDEX));
        }
        String completion = labels.containsKey(COMPLETION_INDEX) ? labels.get(COMPLETION_INDEX) : annotations.get(COMPLETION_INDEX);
        if (completion != null) {
            String jobIndex = labels.get(JOBSET_JOB_INDEX);
            if (jobIndex == null || "0".equals(jobIndex)) {
                return RankResolution.literal(completion, (jobIndex == null ? "" : "label " + JOBSET_JOB_INDEX + "=0 and ")
                        + "label " + COMPLETION_INDEX);
            }
            return literalEnv(trainer, RANK_ENV).orElse(RankResolution.unknown("JobSet job " + jobIndex
                    + ": the global rank needs the Job's parallelism, which the pod does not carry; set spec.rank"));
        }
        return fromEnv(trainer, RANK_ENV);
    }

    private static RankResolution fromMetadata(Map<String, String> values, String key, String field, String kind) {
        if (values.containsKey(key)) {
            return RankResolution.literal(values.get(key), kind + " " + key);
        }
        EnvVarSource ref = new EnvVarSourceBuilder().withNewFieldRef()
                .withFieldPath("metadata." + field + "['" + key + "']").endFieldRef().build();
        return RankResolution.reference(ref, kind + " " + key + " (not set at admission; read at container start)");
    }

    private static RankResolution fromEnv(Container trainer, String key) {
        Optional<EnvVar> env = env(trainer, key);
        if (env.isPresent() && env.get().getValue() != null) {
            return RankResolution.literal(env.get().getValue(), "env " + key + " of container " + trainer.getName());
        }
        if (env.isPresent() && env.get().getValueFrom() != null && env.get().getValueFrom().getFieldRef() != null) {
            return RankResolution.reference(env.get().getValueFrom(), "env " + key + " of container " + trainer.getName());
        }
        return RankResolution.unknown("env " + key + " of container " + trainer.getName()
                + (env.isPresent() ? " is not a literal or a field reference" : " is not set in the pod spec"));
    }

    private static Optional<RankResolution> literalEnv(Container trainer, String key) {
        return env(trainer, key).filter(e -> e.getValue() != null)
                .map(e -> RankResolution.literal(e.getValue(), "env " + key + " of container " + trainer.getName()));
    }

    private static Optional<EnvVar> env(Container container, String key) {
        List<EnvVar> env = container.getEnv() == null ? List.of() : container.getEnv();
        return env.stream().filter(e -> key.equals(e.getName())).findFirst();
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
