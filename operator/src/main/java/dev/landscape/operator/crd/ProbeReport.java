package dev.landscape.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The durable history of one rank of one probe, named {@code <probe>-rank-<n>} and owned by its
 * {@link LandscapeProbe} (deleted with it). Reports accepted by any operator replica land here first, so nothing
 * is lost when the operator restarts. Bounded: the last K checkpoint summaries, sketches for the latest only.
 */
@Group(LandscapeProbe.GROUP)
@Version(LandscapeProbe.VERSION)
// Not "pr": Tekton's PipelineRun has it.
@ShortNames("lpr")
@Categories(LandscapeProbe.CATEGORY)
@Singular("probereport")
@Plural("probereports")
@AdditionalPrinterColumn(name = "Probe", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.probe")
@AdditionalPrinterColumn(name = "Rank", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".spec.rank")
@AdditionalPrinterColumn(name = "Pod", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.currentPod")
@AdditionalPrinterColumn(name = "Step", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.latestStep")
@AdditionalPrinterColumn(name = "Loss", type = AdditionalPrinterColumn.Type.NUMBER, jsonPath = ".status.latestLoss")
@AdditionalPrinterColumn(name = "GradNorm", type = AdditionalPrinterColumn.Type.NUMBER, jsonPath = ".status.latestGradNorm")
@AdditionalPrinterColumn(name = "EoS", type = AdditionalPrinterColumn.Type.NUMBER, jsonPath = ".status.latestEosRatio")
@AdditionalPrinterColumn(name = "Restarts", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.restarts")
@AdditionalPrinterColumn(name = "OOMs", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.oomKills")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class ProbeReport extends CustomResource<ProbeReportSpec, ProbeReportStatus> implements Namespaced {

    /** The name of rank {@code rank}'s report of probe {@code probe}. */
    public static String nameFor(String probe, int rank) {
        return probe + "-rank-" + rank;
    }
}
