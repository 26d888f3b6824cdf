package dev.landscape.operator.webhook;

import dev.landscape.contract.SidecarSettings;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.SidecarSpec;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the sidecar container: a restricted, non-root process that reads the checkpoint volume read-only and is
 * configured through {@code LANDSCAPE_*} env vars (the {@code watch} command's flags) plus the projected config file.
 */
final class SidecarContainerFactory {

    static final long RUN_AS_USER = 65532L;

    private SidecarContainerFactory() {
    }

    static Container build(LandscapeProbe probe, InjectionSettings settings, TrainerMount trainer, String checkpointDir,
                           RankResolution rank, GpuPlacement gpu, SidecarPaths paths) {
        SidecarSpec sidecar = probe.getSpec().getSidecar();
        ResourceRequirements resources = gpu.applyTo(SidecarResources.of(sidecar));
        ContainerBuilder container = new ContainerBuilder()
                .withName(InjectionAnnotations.CONTAINER)
                .withImage(sidecar != null && sidecar.getImage() != null ? sidecar.getImage() : settings.defaultImage())
                .withArgs("watch")
                .withEnv(env(probe, settings, checkpointDir, rank, gpu, paths, resources))
                .withResources(resources)
                .withSecurityContext(securityContext())
                .withVolumeMounts(mounts(trainer.mount(), paths))
                .withTerminationMessagePolicy("FallbackToLogsOnError");
        if (sidecar != null && sidecar.getImagePullPolicy() != null) {
            container.withImagePullPolicy(sidecar.getImagePullPolicy().name());
        }
        if (settings.nativeSidecar()) {
            container.withRestartPolicy("Always");
        }
        return container.build();
    }

    private static List<EnvVar> env(LandscapeProbe probe, InjectionSettings settings, String checkpointDir,
                                    RankResolution rank, GpuPlacement gpu, SidecarPaths paths,
                                    ResourceRequirements resources) {
        List<EnvVar> env = new ArrayList<>();
        env.add(literal("LANDSCAPE_PROBE", probe.getMetadata().getName()));
        env.add(fieldRef("LANDSCAPE_NAMESPACE", "metadata.namespace"));
        env.add(fieldRef("LANDSCAPE_POD", "metadata.name"));
        if (rank.value() != null) {
            env.add(literal("LANDSCAPE_RANK", rank.value()));
        } else if (rank.valueFrom() != null) {
            env.add(new EnvVarBuilder().withName("LANDSCAPE_RANK").withValueFrom(rank.valueFrom()).build());
        }
        env.add(literal("LANDSCAPE_RANK_ORIGIN", rank.origin()));
        env.add(literal("LANDSCAPE_DIR", checkpointDir));
        env.add(literal("LANDSCAPE_REPORT_URL", settings.reportUrl()));
        env.add(literal("LANDSCAPE_TOKEN_FILE", paths.tokenFile()));
        env.add(literal("LANDSCAPE_SPOOL", paths.spoolDir()));
        env.add(literal(SidecarSettings.CONFIG_FILE_ENV, paths.configFile()));
        env.add(literal("LANDSCAPE_GPU", gpu.mode()));
        env.add(literal("JAVA_TOOL_OPTIONS", "-Xmx" + SidecarResources.heapMiB(resources) + "m"
                + " -Dorg.bytedeco.javacpp.cachedir=" + paths.javacppCacheDir()));
        return env;
    }

    private static List<VolumeMount> mounts(VolumeMount trainerMount, SidecarPaths paths) {
        VolumeMount checkpoints = new VolumeMountBuilder()
                .withName(trainerMount.getName())
                .withMountPath(trainerMount.getMountPath())
                .withSubPath(trainerMount.getSubPath())
                .withSubPathExpr(trainerMount.getSubPathExpr())
                .withReadOnly(true)
                .build();
        return List.of(checkpoints,
                new VolumeMountBuilder().withName(InjectionAnnotations.SCRATCH_VOLUME).withMountPath(paths.scratchDir()).build(),
                new VolumeMountBuilder().withName(InjectionAnnotations.PROJECTED_VOLUME).withMountPath(paths.projectedDir())
                        .withReadOnly(true).build());
    }

    private static SecurityContext securityContext() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUN_AS_USER)
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withCapabilities(new Capabilities(null, List.of("ALL")))
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    private static EnvVar literal(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path)
                .endFieldRef().endValueFrom().build();
    }
}
