package dev.landscape.demo.scenario;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.file.Path;
import java.util.Map;

/**
 * The objects a platform team and a training operator would create: the LandscapeProbe for the job, and one
 * worker pod per rank as Kubeflow's training-operator writes them for a PyTorchJob (labels, {@code RANK} env, the
 * checkpoint volume). Each pod's volume is a {@code hostPath} folder of its own, mounted at {@code /mnt/checkpoints}.
 */
final class DemoObjects {

    static final String JOB = "demo-train";
    static final String MOUNT = "/mnt/checkpoints";

    private DemoObjects() {
    }

    /**
     * The probe: tier 1 on every checkpoint of every rank, tier 2 on rank 0 (the replicas share their weights) with
     * the exported model and batch, the optimizer's learning rate
     * taken from each checkpoint (the demo changes it while training), and timings short enough for a demo.
     */
    static GenericKubernetesResource probe(String namespace, String name, Timings t) {
        String yaml = """
                apiVersion: landscape.dev/v1alpha1
                kind: LandscapeProbe
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  selector:
                    matchLabels:
                      training.kubeflow.org/job-name: %s
                  checkpoints:
                    volume: checkpoints
                    patterns: ["checkpoint-*"]
                    quietPeriod: %dms
                    pollInterval: %dms
                  metrics:
                    model: probe/model.onnx
                    batch: probe/eval-batch.safetensors
                    loss: cross-entropy
                    topK: 1
                    trace: false
                    ranks: [0]
                  optimizer:
                    type: adam
                  history:
                    checkpoints: 200
                    findings: 50
                  sidecar:
                    gpu: none
                """.formatted(name, namespace, JOB, t.quietPeriod().toMillis(), t.pollInterval().toMillis());
        return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    }

    /** Worker {@code rank}'s pod as the training operator sends it to the API server (which admits it and sets its UID). */
    static Pod worker(String namespace, int rank, int worldSize, Path volume) {
        return new PodBuilder().withNewMetadata().withName(JOB + "-worker-" + rank).withNamespace(namespace)
                .withLabels(Map.of("training.kubeflow.org/job-name", JOB,
                        "training.kubeflow.org/replica-type", "worker",
                        "training.kubeflow.org/replica-index", Integer.toString(rank),
                        "training.kubeflow.org/operator-name", "pytorchjob-controller"))
                .endMetadata()
                .withNewSpec().withRestartPolicy("OnFailure").withServiceAccountName("trainer")
                .addNewContainer().withName("pytorch").withImage("ghcr.io/landscape-dev/demo-trainer:nd4j")
                .withCommand("java", "dev.landscape.demo.training")
                .addNewEnv().withName("RANK").withValue(Integer.toString(rank)).endEnv()
                .addNewEnv().withName("WORLD_SIZE").withValue(Integer.toString(worldSize)).endEnv()
                .addNewEnv().withName("MASTER_ADDR").withValue(JOB + "-worker-0").endEnv()
                .addNewVolumeMount().withName("checkpoints").withMountPath(MOUNT).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("checkpoints").withNewHostPath().withPath(volume.toString())
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .endSpec().build();
    }
}
