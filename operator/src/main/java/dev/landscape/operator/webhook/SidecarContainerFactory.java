package dev.landscape.operator.webhook;

import dev.landscape.contract.SidecarSettings;
import dev.landscape.contract.Tier2Memory;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.SidecarSpec;
import dev.landscape.operator.rank.RankResolution;
import dev.landscape.operator.rank.TrainerMount;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the sidecar container: a restricted, non-root process that reads the checkpoint volume read-only and is
 * configured through {@code LANDSCAPE_*} env vars (the {@code watch} command's flags) plus the projected config file.
 *
 * <p>Built with the model's setters rather than its builders: this runs on every admission, on the event loop, and a
 * Fabric8 builder copies every nested object and list once more on {@code build()} (a sixth of the admission's
 * allocation when this used builders).
 */
final class SidecarContainerFactory {

    /** The sidecar image's user ({@code probe-sidecar/docker/Dockerfile*}: {@code USER 65532}). */
    static final long RUN_AS_USER = 65532L;

    private SidecarContainerFactory() {
    }

    static Container build(LandscapeProbe probe, InjectionSettings settings, TrainerMount trainer, String checkpointDir,
                           RankResolution rank, GpuPlacement gpu, SidecarPaths paths, SidecarResources.Sizing sizing) {
        SidecarSpec sidecar = probe.getSpec().getSidecar();
        ResourceRequirements resources = gpu.applyTo(sizing.resources());
        Container container = new Container();
        container.setName(LandscapeProbe.SIDECAR_CONTAINER);
        container.setImage(sidecar != null && sidecar.getImage() != null ? sidecar.getImage() : settings.defaultImage());
        container.setArgs(new ArrayList<>(List.of("watch")));
        container.setEnv(env(probe, settings, checkpointDir, rank, gpu, paths, sizing));
        container.setPorts(new ArrayList<>(List.of(metricsPort())));
        container.setResources(resources);
        container.setSecurityContext(securityContext());
        container.setVolumeMounts(mounts(trainer.mount(), paths));
        container.setTerminationMessagePolicy("FallbackToLogsOnError");
        if (sidecar != null && sidecar.getImagePullPolicy() != null) {
            container.setImagePullPolicy(sidecar.getImagePullPolicy().name());
        }
        if (settings.nativeSidecar()) {
            container.setRestartPolicy("Always");
        }
        return container;
    }

    private static List<EnvVar> env(LandscapeProbe probe, InjectionSettings settings, String checkpointDir,
                                    RankResolution rank, GpuPlacement gpu, SidecarPaths paths,
                                    SidecarResources.Sizing sizing) {
        List<EnvVar> env = new ArrayList<>(14);
        env.add(literal("LANDSCAPE_PROBE", probe.getMetadata().getName()));
        env.add(fieldRef("LANDSCAPE_NAMESPACE", "metadata.namespace"));
        env.add(fieldRef("LANDSCAPE_POD", "metadata.name"));
        if (rank.value() != null) {
            env.add(literal("LANDSCAPE_RANK", rank.value()));
        } else if (rank.valueFrom() != null) {
            env.add(new EnvVar("LANDSCAPE_RANK", null, rank.valueFrom()));
        }
        env.add(literal("LANDSCAPE_RANK_ORIGIN", rank.origin()));
        env.add(literal("LANDSCAPE_DIR", checkpointDir));
        env.add(literal("LANDSCAPE_REPORT_URL", settings.reportUrl()));
        env.add(literal("LANDSCAPE_TOKEN_FILE", paths.tokenFile()));
        if (settings.caConfigMap() != null) {
            env.add(literal(SidecarSettings.env(SidecarSettings.CA_FILE), paths.caFile()));
        }
        env.add(literal("LANDSCAPE_SPOOL", paths.spoolDir()));
        env.add(literal(SidecarSettings.CONFIG_FILE_ENV, paths.configFile()));
        env.add(literal("LANDSCAPE_GPU", gpu.mode()));
        env.add(literal("JAVA_TOOL_OPTIONS", Tier2Memory.javaToolOptions(sizing.heapMiB(), sizing.tier2Rank(),
                paths.javacppCacheDir())));
        if (sizing.tier2Rank()) {
            Tier2Memory.environment(sizing.threads()).forEach((k, v) -> env.add(literal(k, v)));
        }
        return env;
    }

    /** Named so that the PodMonitor in deploy/ finds the sidecar's Prometheus endpoint. */
    private static ContainerPort metricsPort() {
        ContainerPort port = new ContainerPort();
        port.setName(SidecarSettings.METRICS_PORT_NAME);
        port.setContainerPort(SidecarSettings.DEFAULT_METRICS_PORT);
        port.setProtocol("TCP");
        return port;
    }

    private static List<VolumeMount> mounts(VolumeMount trainerMount, SidecarPaths paths) {
        VolumeMount checkpoints = mount(trainerMount.getName(), trainerMount.getMountPath(), true);
        checkpoints.setSubPath(trainerMount.getSubPath());
        checkpoints.setSubPathExpr(trainerMount.getSubPathExpr());
        return new ArrayList<>(List.of(checkpoints,
                mount(InjectionAnnotations.SCRATCH_VOLUME, paths.scratchDir(), null),
                mount(InjectionAnnotations.PROJECTED_VOLUME, paths.projectedDir(), true)));
    }

    private static VolumeMount mount(String volume, String path, Boolean readOnly) {
        VolumeMount mount = new VolumeMount();
        mount.setName(volume);
        mount.setMountPath(path);
        mount.setReadOnly(readOnly);
        return mount;
    }

    private static SecurityContext securityContext() {
        SecurityContext context = new SecurityContext();
        context.setRunAsNonRoot(true);
        context.setRunAsUser(RUN_AS_USER);
        context.setReadOnlyRootFilesystem(true);
        context.setAllowPrivilegeEscalation(false);
        context.setCapabilities(new Capabilities(new ArrayList<>(), new ArrayList<>(List.of("ALL"))));
        SeccompProfile seccomp = new SeccompProfile();
        seccomp.setType("RuntimeDefault");
        context.setSeccompProfile(seccomp);
        return context;
    }

    private static EnvVar literal(String name, String value) {
        return new EnvVar(name, value, null);
    }

    private static EnvVar fieldRef(String name, String path) {
        EnvVarSource source = new EnvVarSource();
        source.setFieldRef(new ObjectFieldSelector(null, path));
        return new EnvVar(name, null, source);
    }
}
