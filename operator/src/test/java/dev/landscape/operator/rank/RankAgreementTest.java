package dev.landscape.operator.rank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.contract.CheckpointReport;
import dev.landscape.operator.crd.CheckpointSource;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.RankSource;
import dev.landscape.operator.ingest.ReportAuthorizer;
import dev.landscape.operator.ingest.TokenReviewer;
import dev.landscape.operator.observe.Observation;
import dev.landscape.operator.observe.ProbeObserver;
import dev.landscape.operator.observe.ProbeReportStore;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.webhook.AdmissionHandler;
import dev.landscape.operator.webhook.InjectionSettings;
import dev.landscape.operator.webhook.ProbeEvents;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhook, observer and report ingest agree on every pod's rank, for each launcher convention. Expected ranks come
 * from the launchers' own rules, worked out by hand in the table (not from the resolver): Kubeflow's training
 * operator numbers the Master 0 and Worker {@code i} as {@code i + 1} in the {@code RANK} it sets, JobSet numbers
 * jobs across replicated jobs in spec order, an Indexed Job's pod is its completion index. For each case: the
 * webhook's admission records the rank on the pod and gives it to the sidecar; the observer files the injected pod
 * under it, and the same pod admitted before the operator ran (no record) too; ingest accepts a report for that
 * rank from the pod's token and refuses one claiming the next rank.
 */
@EnableKubernetesMockClient(crud = true)
class RankAgreementTest {

    static final String NS = "ml-team";
    static final ObjectMapper JSON = new ObjectMapper();

    static KubernetesClient client;

    /** A JobSet of two replicated jobs: driver (1 job × 1 pod), then workers (2 jobs × 4 pods): ranks 0, 1-4, 5-8. */
    static final JobSetShapes TWO_REPLICATED_JOBS = (namespace, name) -> "moe".equals(name)
            ? Optional.of(new JobSetShape(List.of(new JobSetShape.ReplicatedJob("driver", 1, 1),
            new JobSetShape.ReplicatedJob("workers", 2, 4))))
            : Optional.empty();

    record Case(String name, RankSource spec, Pod pod, OptionalInt expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case rank(String name, RankSource spec, Pod pod, int expected) {
        return new Case(name, spec, pod, OptionalInt.of(expected));
    }

    static Case unknown(String name, RankSource spec, Pod pod) {
        return new Case(name, spec, pod, OptionalInt.empty());
    }

    static List<Case> cases() {
        return List.of(
                rank("Kubeflow master (RANK 0)", null, kubeflow("master", 0, "0"), 0),
                rank("Kubeflow worker 0 after a master (RANK 1)", null, kubeflow("worker", 0, "1"), 1),
                rank("Kubeflow worker 2 after a master (RANK 3)", null, kubeflow("worker", 2, "3"), 3),
                rank("Kubeflow worker 1 of a job without master (no RANK)", null, kubeflow("worker", 1, null), 1),
                rank("JobSet driver", null, jobSet("moe", "driver", 0, 0, 0), 0),
                rank("JobSet workers job 0, index 3", null, jobSet("moe", "workers", 0, 1, 3), 4),
                rank("JobSet workers job 1, index 2", null, jobSet("moe", "workers", 1, 2, 2), 7),
                rank("JobSet not readable, global index 0", null, jobSet("unreadable", "workers", 0, 0, 2), 2),
                unknown("JobSet not readable, global index 1", null, jobSet("unreadable", "workers", 1, 1, 2)),
                rank("Indexed Job completion index 5", null, pod(Map.of(RankResolver.COMPLETION_INDEX, "5"), Map.of(), List.of()), 5),
                rank("env RANK literal", null, pod(Map.of(), Map.of(), List.of(env("RANK", "6"))), 6),
                rank("env RANK from a label", null, pod(Map.of("example.com/rank", "11"), Map.of(),
                        List.of(new EnvVarBuilder().withName("RANK").withNewValueFrom().withNewFieldRef()
                                .withFieldPath("metadata.labels['example.com/rank']").endFieldRef().endValueFrom().build())), 11),
                rank("spec.rank Label", source(RankSource.Source.Label, "example.com/rank"),
                        pod(Map.of("example.com/rank", "9", RankResolver.COMPLETION_INDEX, "1"), Map.of(), List.of()), 9),
                rank("spec.rank Annotation", source(RankSource.Source.Annotation, "example.com/rank"),
                        pod(Map.of(), Map.of("example.com/rank", "12"), List.of(env("RANK", "0"))), 12),
                rank("spec.rank Env", source(RankSource.Source.Env, "WORKER_ID"),
                        pod(Map.of(RankResolver.KUBEFLOW_INDEX, "0"), Map.of(), List.of(env("WORKER_ID", "13"), env("RANK", "0"))), 13),
                unknown("no rank anywhere", null, pod(Map.of(), Map.of(), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void webhookObserverAndIngestAgree(Case c) throws Exception {
        LandscapeProbe probe = probe(c.spec());

        Pod injected = admit(probe, c.pod());
        String recorded = injected.getMetadata().getAnnotations().get(RankResolver.RECORDED);
        Optional<EnvVar> sidecarRank = injected.getSpec().getInitContainers().stream().filter(x -> x.getName().equals("landscape-probe"))
                .flatMap(x -> x.getEnv().stream()).filter(e -> e.getName().equals("LANDSCAPE_RANK")).findFirst();
        OptionalInt observedInjected = observedRank(probe, injected);
        OptionalInt observedBeforeTheOperator = observedRank(probe, c.pod());

        if (c.expected().isPresent()) {
            String expected = Integer.toString(c.expected().getAsInt());
            assertThat(recorded).as("recorded at admission").isEqualTo(expected);
            assertThat(sidecarRank).as("the sidecar's LANDSCAPE_RANK").hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(expected));
        } else {
            assertThat(recorded).as("nothing recorded when the rank cannot be told").isNull();
        }
        assertThat(observedInjected).as("observer, injected pod").isEqualTo(c.expected());
        assertThat(observedBeforeTheOperator).as("observer, pod admitted before the operator ran").isEqualTo(c.expected());

        int claimed = c.expected().orElse(0);
        Optional<String> own = ReportAuthorizer.refuse(identity(injected), report(injected, claimed), probe, injected, TWO_REPLICATED_JOBS);
        Optional<String> other = ReportAuthorizer.refuse(identity(injected), report(injected, claimed + 1), probe, injected, TWO_REPLICATED_JOBS);
        if (c.expected().isPresent()) {
            assertThat(own).as("ingest, its own rank").isEmpty();
            assertThat(other).as("ingest, another rank").hasValueSatisfying(m -> assertThat(m)
                    .isEqualTo("report claims rank " + (claimed + 1) + ", but pod " + injected.getMetadata().getName()
                            + " holds rank " + claimed + " (annotation landscape.dev/rank)"));
        } else {
            assertThat(own).as("ingest, a pod whose rank cannot be told").hasValueSatisfying(m -> assertThat(m)
                    .startsWith("the rank of pod " + injected.getMetadata().getName() + " cannot be told ("));
        }
    }

    private Pod admit(LandscapeProbe probe, Pod pod) throws Exception {
        AdmissionHandler handler = new AdmissionHandler(ns -> List.of(probe), () -> new InjectionSettings("probe:1",
                "https://landscape-operator.landscape-system.svc/api/v1alpha1/reports", true, "1Gi", 600, "landscape-probe-ca"),
                dryRun -> ProbeEvents.NONE, "landscape-system", TWO_REPLICATED_JOBS);
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "u").put("operation", "CREATE").put("namespace", NS);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        JsonNode object = JSON.valueToTree(pod);
        request.set("object", object);
        AdmissionReview answer = handler.review(JSON.writeValueAsBytes(review));
        assertThat(answer.getResponse().getPatch()).as("injected: %s", answer.getResponse().getWarnings()).isNotNull();
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(answer.getResponse().getPatch()));
        return JSON.treeToValue(JsonPatch.apply(patch, object), Pod.class);
    }

    private OptionalInt observedRank(LandscapeProbe probe, Pod pod) {
        Observation seen = new ProbeObserver(new ProbeReportStore(client), TWO_REPLICATED_JOBS).observe(probe, List.of(pod), List.of(), Instant.now());
        return seen.podsByRank().keySet().stream().mapToInt(Integer::intValue).findFirst();
    }

    private static TokenReviewer.Identity identity(Pod pod) {
        return new TokenReviewer.Identity(NS, "default", pod.getMetadata().getName(), pod.getMetadata().getUid());
    }

    private static CheckpointReport report(Pod pod, int rank) {
        return TestingObjects.report(NS, "probe", pod.getMetadata().getName(), rank, 100, Instant.parse("2026-11-22T10:00:00Z"),
                List.of(), List.of());
    }

    static LandscapeProbe probe(RankSource rank) {
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("job", "train").build());
        CheckpointSource checkpoints = new CheckpointSource();
        checkpoints.setVolume("checkpoints");
        spec.setCheckpoints(checkpoints);
        spec.setRank(rank);
        LandscapeProbe probe = new LandscapeProbe();
        probe.setMetadata(new ObjectMetaBuilder().withName("probe").withNamespace(NS).build());
        probe.setSpec(spec);
        return probe;
    }

    static RankSource source(RankSource.Source source, String key) {
        RankSource rank = new RankSource();
        rank.setSource(source);
        rank.setKey(key);
        return rank;
    }

    static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    static Pod kubeflow(String type, int index, String rankEnv) {
        return pod(Map.of("training.kubeflow.org/replica-type", type, RankResolver.KUBEFLOW_INDEX, Integer.toString(index)),
                Map.of(), rankEnv == null ? List.of() : List.of(env("MASTER_ADDR", "job-master-0"), env("RANK", rankEnv)));
    }

    static Pod jobSet(String name, String replicatedJob, int jobIndex, int globalIndex, int completion) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RankResolver.JOBSET_NAME, name);
        labels.put(RankResolver.JOBSET_REPLICATED_JOB, replicatedJob);
        labels.put(RankResolver.JOBSET_JOB_INDEX, Integer.toString(jobIndex));
        labels.put(RankResolver.JOBSET_GLOBAL_INDEX, Integer.toString(globalIndex));
        labels.put(RankResolver.COMPLETION_INDEX, Integer.toString(completion));
        return pod(labels, Map.of(RankResolver.COMPLETION_INDEX, Integer.toString(completion)), List.of());
    }

    static Pod pod(Map<String, String> labels, Map<String, String> annotations, List<EnvVar> env) {
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put("job", "train");
        return new PodBuilder()
                .withNewMetadata().withName("train-" + Integer.toHexString(labels.hashCode() ^ env.hashCode()))
                .withNamespace(NS).withUid("uid-1").withLabels(all).withAnnotations(new LinkedHashMap<>(annotations)).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("trainer").withImage("trainer:1").withEnv(new ArrayList<>(env))
                .addNewVolumeMount().withName("checkpoints").withMountPath("/ckpt").endVolumeMount().endContainer()
                .addNewVolume().withName("checkpoints").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build();
    }
}
