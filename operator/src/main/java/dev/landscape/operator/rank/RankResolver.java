package dev.landscape.operator.rank;

import dev.landscape.operator.crd.LandscapeProbe;
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
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule for a pod's rank. The webhook applies it at admission and records the result on the pod
 * ({@value #RECORDED}); the observer (restarts, OOM kills) and report ingest (which rank a sidecar may speak for) read
 * that record through {@link #of}, which applies the same rule for pods admitted before the operator ran. So an OOM
 * kill and the metrics it is joined to are always filed under the same rank.
 *
 * <p>{@code Auto}, first that applies:
 * <ol>
 *   <li>Kubeflow training-operator ({@code training.kubeflow.org/replica-index}): the trainer's literal {@code RANK},
 *       which the training operator sets when the job has a Master (master 0, worker {@code i} → {@code i + 1});
 *       without one it sets none, and the replica index is the rank.</li>
 *   <li>JobSet ({@code jobset.sigs.k8s.io/jobset-name} with a completion index): the replicated jobs before this one
 *       in spec order, {@code replicas × pods per job} each, plus {@code job-index × pods per job} plus the completion
 *       index — pods per job comes from the JobSet ({@link JobSetShapes}), since a pod does not carry it. When the
 *       JobSet cannot be read: the completion index if {@code job-global-index} is 0, else the trainer's literal
 *       {@code RANK}, else unknown.</li>
 *   <li>Indexed Job: {@code batch.kubernetes.io/job-completion-index} (label, or annotation on older clusters).</li>
 *   <li>The trainer's env {@code RANK}: a literal, or a field reference to the pod's labels or annotations.</li>
 * </ol>
 * The trainer is the container that mounts the probe's checkpoint volume ({@link TrainerMount}).
 */
public final class RankResolver {

    /** Annotation the webhook writes on an injected pod: the rank it resolved at admission. */
    public static final String RECORDED = "landscape.dev/rank";
    public static final String KUBEFLOW_INDEX = "training.kubeflow.org/replica-index";
    public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    public static final String JOBSET_NAME = "jobset.sigs.k8s.io/jobset-name";
    public static final String JOBSET_REPLICATED_JOB = "jobset.sigs.k8s.io/replicatedjob-name";
    public static final String JOBSET_JOB_INDEX = "jobset.sigs.k8s.io/job-index";
    public static final String JOBSET_GLOBAL_INDEX = "jobset.sigs.k8s.io/job-global-index";
    static final String RANK_ENV = "RANK";
    private static final Pattern METADATA_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private RankResolver() {
    }

    /**
     * At admission: the rank from the pod as the API server sent it. A rank the pod will only carry once running
     * (a label set later, a field reference) comes back as a downward-API reference for the sidecar's env.
     */
    public static RankResolution resolve(RankSource spec, Pod pod, Container trainer, JobSetShapes jobSets) {
        RankSource.Source source = spec == null || spec.getSource() == null
                ? RankSource.Source.valueOf(SchemaDefaults.of(RankSource.class, "source"))
                : spec.getSource();
        Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
        Map<String, String> annotations = orEmpty(pod.getMetadata().getAnnotations());
        return switch (source) {
            case Label -> fromMetadata(labels, spec.getKey(), "labels", "label");
            case Annotation -> fromMetadata(annotations, spec.getKey(), "annotations", "annotation");
            case Env -> fromEnv(pod, trainer, spec.getKey());
            case Auto -> auto(pod, labels, annotations, trainer, jobSets);
        };
    }

    /**
     * After admission: the rank the webhook recorded on the pod, else the same rule applied to the pod as it is now
     * (a pod admitted before the operator ran, or whose rank was not known at admission).
     */
    public static RankResolution of(LandscapeProbe probe, Pod pod, JobSetShapes jobSets) {
        String recorded = orEmpty(pod.getMetadata().getAnnotations()).get(RECORDED);
        if (recorded != null) {
            OptionalInt value = parse(recorded);
            return value.isPresent() ? RankResolution.literal(value.getAsInt(), "annotation " + RECORDED)
                    : RankResolution.unknown("annotation " + RECORDED + " is \"" + recorded + "\", not a rank");
        }
        RankResolution now = resolve(probe.getSpec() == null ? null : probe.getSpec().getRank(), pod, trainer(probe, pod), jobSets);
        if (now.valueFrom() == null) {
            return now;
        }
        // A reference the kubelet would resolve: read it from the pod's metadata as it is now.
        String path = now.valueFrom().getFieldRef() == null ? "" : now.valueFrom().getFieldRef().getFieldPath();
        Optional<String> field = metadataField(pod, path);
        OptionalInt value = field.map(RankResolver::parse).orElse(OptionalInt.empty());
        return value.isPresent() ? RankResolution.literal(value.getAsInt(), now.origin())
                : RankResolution.unknown(now.origin() + ": " + path + (field.isPresent() ? " is \"" + field.get() + "\", not a rank" : " is not set"));
    }

    private static Container trainer(LandscapeProbe probe, Pod pod) {
        String volume = probe.getSpec() == null || probe.getSpec().getCheckpoints() == null ? null
                : probe.getSpec().getCheckpoints().getVolume();
        List<Container> containers = pod.getSpec() == null || pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        return Optional.ofNullable(volume).flatMap(v -> TrainerMount.find(pod, v)).map(TrainerMount::container)
                .or(() -> containers.stream().filter(c -> !LandscapeProbe.SIDECAR_CONTAINER.equals(c.getName())).findFirst())
                .orElseGet(Container::new);
    }

    private static RankResolution auto(Pod pod, Map<String, String> labels, Map<String, String> annotations, Container trainer,
                                       JobSetShapes jobSets) {
        if (labels.containsKey(KUBEFLOW_INDEX)) {
            return literalEnv(trainer).orElseGet(() -> number(labels.get(KUBEFLOW_INDEX), "label " + KUBEFLOW_INDEX
                    + " (no literal " + RANK_ENV + ": a job without a Master)"));
        }
        String completion = labels.containsKey(COMPLETION_INDEX) ? labels.get(COMPLETION_INDEX) : annotations.get(COMPLETION_INDEX);
        String jobSet = labels.getOrDefault(JOBSET_NAME, annotations.get(JOBSET_NAME));
        if (completion != null && jobSet != null) {
            return jobSet(pod, labels, completion, jobSet, trainer, jobSets);
        }
        if (completion != null) {
            return number(completion, "completion index " + COMPLETION_INDEX);
        }
        return fromEnv(pod, trainer, RANK_ENV);
    }

    private static RankResolution jobSet(Pod pod, Map<String, String> labels, String completion, String jobSet,
                                         Container trainer, JobSetShapes jobSets) {
        OptionalInt index = parse(completion);
        OptionalInt jobIndex = parse(labels.get(JOBSET_JOB_INDEX));
        String replicatedJob = labels.get(JOBSET_REPLICATED_JOB);
        if (index.isPresent() && jobIndex.isPresent() && replicatedJob != null) {
            Optional<JobSetShape> shape = jobSets.find(pod.getMetadata().getNamespace(), jobSet);
            OptionalInt rank = shape.map(s -> s.rank(replicatedJob, jobIndex.getAsInt(), index.getAsInt())).orElse(OptionalInt.empty());
            if (rank.isPresent()) {
                return RankResolution.literal(rank.getAsInt(), "JobSet " + jobSet + ": replicated job " + replicatedJob
                        + ", job " + jobIndex.getAsInt() + ", completion index " + index.getAsInt());
            }
        }
        if (index.isPresent() && "0".equals(labels.get(JOBSET_GLOBAL_INDEX))) {
            return RankResolution.literal(index.getAsInt(), "label " + JOBSET_GLOBAL_INDEX + "=0 and completion index");
        }
        return literalEnv(trainer).orElseGet(() -> RankResolution.unknown("JobSet " + jobSet + ": the global rank needs"
                + " the JobSet's replicated jobs and their sizes, which could not be read; set spec.rank"));
    }

    private static RankResolution fromMetadata(Map<String, String> values, String key, String field, String kind) {
        if (values.containsKey(key)) {
            return number(values.get(key), kind + " " + key);
        }
        EnvVarSource ref = new EnvVarSourceBuilder().withNewFieldRef()
                .withFieldPath("metadata." + field + "['" + key + "']").endFieldRef().build();
        return RankResolution.reference(ref, kind + " " + key + " (not set at admission; read at container start)");
    }

    private static RankResolution fromEnv(Pod pod, Container trainer, String key) {
        String where = "env " + key + " of container " + trainer.getName();
        Optional<EnvVar> env = env(trainer, key);
        if (env.isPresent() && env.get().getValue() != null) {
            return number(env.get().getValue(), where);
        }
        if (env.isPresent() && env.get().getValueFrom() != null && env.get().getValueFrom().getFieldRef() != null) {
            String path = env.get().getValueFrom().getFieldRef().getFieldPath();
            Optional<String> now = metadataField(pod, path);
            return now.isPresent() ? number(now.get(), where + " (" + path + ")") : RankResolution.reference(env.get().getValueFrom(), where);
        }
        return RankResolution.unknown(where + (env.isPresent() ? " is not a literal or a field reference" : " is not set in the pod spec"));
    }

    private static Optional<RankResolution> literalEnv(Container trainer) {
        return env(trainer, RANK_ENV).filter(e -> e.getValue() != null && parse(e.getValue()).isPresent())
                .map(e -> number(e.getValue(), "env " + RANK_ENV + " of container " + trainer.getName()));
    }

    private static RankResolution number(String value, String origin) {
        OptionalInt n = parse(value);
        return n.isPresent() ? RankResolution.literal(n.getAsInt(), origin)
                : RankResolution.unknown(origin + " is \"" + value + "\", not a rank (an integer ≥ 0)");
    }

    private static Optional<String> metadataField(Pod pod, String path) {
        Matcher m = METADATA_FIELD.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = orEmpty(m.group(1).equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations());
        return Optional.ofNullable(values.get(m.group(2)));
    }

    private static Optional<EnvVar> env(Container container, String key) {
        List<EnvVar> env = container.getEnv() == null ? List.of() : container.getEnv();
        return env.stream().filter(e -> key.equals(e.getName())).findFirst();
    }

    static OptionalInt parse(String s) {
        if (s == null || !s.trim().matches("[0-9]{1,9}")) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(s.trim()));
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
