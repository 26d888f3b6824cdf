package dev.landscape.operator.testing;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.ReportedFinding;
import dev.landscape.contract.TensorSketch;
import dev.landscape.contract.Tier1Summary;
import dev.landscape.operator.crd.CheckpointSource;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Probes, training pods and reports as the tests need them. */
public final class TestingObjects {

    private TestingObjects() {
    }

    public static LandscapeProbe probe(String namespace, String name, String job) {
        LandscapeProbeSpec spec = new LandscapeProbeSpec();
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("job", job).build());
        CheckpointSource cp = new CheckpointSource();
        cp.setVolume("checkpoints");
        spec.setCheckpoints(cp);
        LandscapeProbe p = new LandscapeProbe();
        p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        p.setSpec(spec);
        return p;
    }

    /** {@link #pod(String, String, String, int)} for the probe named like its job. */
    public static Pod pod(String namespace, String job, int rank) {
        return pod(namespace, job, job, rank);
    }

    /**
     * An Indexed-Job-style training pod of {@code job} holding {@code rank}, running, as the webhook admitted it for
     * {@code probe}: with the sidecar and the {@link LandscapeProbe#LABEL} label.
     */
    public static Pod pod(String namespace, String probe, String job, int rank) {
        Pod pod = unlabelledPod(namespace, job, rank);
        pod.getMetadata().getLabels().put(LandscapeProbe.LABEL, probe);
        return pod;
    }

    /** A running training pod the webhook never saw (created before the probe or while the webhook was down). */
    public static Pod unlabelledPod(String namespace, String job, int rank) {
        return new PodBuilder()
                .withNewMetadata().withName(job + "-" + rank).withNamespace(namespace)
                .addToLabels("job", job).addToLabels("batch.kubernetes.io/job-completion-index", Integer.toString(rank))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("trainer").withImage("trainer:1").endContainer()
                .addNewContainer().withName("landscape-probe").withImage("probe:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running")
                .addNewContainerStatus().withName("trainer").withRestartCount(0).withNewState().withNewRunning().endRunning().endState().endContainerStatus()
                .endStatus().build();
    }

    public static CheckpointReport report(String namespace, String probe, String pod, int rank, long step, Instant at,
                                          List<ReportedFinding> findings, List<TensorSketch> sketches) {
        return new CheckpointReport(CheckpointReport.API_VERSION, probe, namespace, pod, rank, step,
                new CheckpointReport.CheckpointRef("/ckpt/checkpoint-" + step, "hf-trainer", at.toString()), at.toString(),
                new Tier1Summary(10.0, 0L, 0.1, 0.01, 0.2, 1.0, 5.0, 2.0, 2.0, 0.3, 2.5 - step / 1000.0, 1.0, 1e-3),
                null, sketches, findings, List.of());
    }

    /** Deletes what the mock-server tests create in {@code client}'s namespace (reports, probes, pods, Events). */
    public static void cleanUp(io.fabric8.kubernetes.client.KubernetesClient client) {
        String ns = client.getNamespace();
        client.resources(dev.landscape.operator.crd.ProbeReport.class).inNamespace(ns).delete();
        client.resources(LandscapeProbe.class).inNamespace(ns).delete();
        client.pods().inNamespace(ns).delete();
        client.v1().events().inNamespace(ns).delete();
    }

    /** POSTs {@code report} to the running app's ingest endpoint with {@code pod}'s test token; expects 200. */
    public static void post(Pod pod, CheckpointReport report) throws com.fasterxml.jackson.core.JsonProcessingException {
        io.restassured.RestAssured.given()
                .header("Authorization", "Bearer " + TestingTokenReviews.token(pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), pod.getMetadata().getUid()))
                .contentType(io.restassured.http.ContentType.JSON)
                .body(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(report))
                .post("/api/v1alpha1/reports").then().statusCode(200);
    }

    public static ReportedFinding spike(long step) {
        return new ReportedFinding("GradientSpike", "warning", step, "gradient norm 88 at step " + step + " is 9.1 MADs above the median",
                Map.of("z", 9.1));
    }
}
