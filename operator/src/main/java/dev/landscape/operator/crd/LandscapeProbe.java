package dev.landscape.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What a platform team applies to have a training job watched: which pods, where their checkpoints are, and how
 * sensitive the alarms are. The operator reports back in {@link LandscapeProbeStatus}; per-rank history lives in
 * {@link ProbeReport}s it owns.
 */
@Group(LandscapeProbe.GROUP)
@Version(LandscapeProbe.VERSION)
@ShortNames("lp")
@Singular("landscapeprobe")
@Plural("landscapeprobes")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Ranks", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.ranks")
@AdditionalPrinterColumn(name = "Step", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.latestStep")
@AdditionalPrinterColumn(name = "EoS", type = AdditionalPrinterColumn.Type.NUMBER, jsonPath = ".status.worstEosRatio")
@AdditionalPrinterColumn(name = "GradNorm", type = AdditionalPrinterColumn.Type.NUMBER, jsonPath = ".status.maxGradNorm")
@AdditionalPrinterColumn(name = "Divergence", type = AdditionalPrinterColumn.Type.NUMBER, jsonPath = ".status.maxDivergence")
@AdditionalPrinterColumn(name = "Restarts", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.restarts")
@AdditionalPrinterColumn(name = "OOMs", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.oomKills")
@AdditionalPrinterColumn(name = "Silenced-Until", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.silencedUntil")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class LandscapeProbe extends CustomResource<LandscapeProbeSpec, LandscapeProbeStatus> implements Namespaced {

    public static final String GROUP = "landscape.dev";
    public static final String VERSION = "v1alpha1";

    /** Name of the injected sidecar container: its own restarts never count as the trainer's. */
    public static final String SIDECAR_CONTAINER = "landscape-probe";
}
