package dev.landscape.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.CheckpointSource;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.RankSource;
import dev.landscape.operator.crd.Thresholds;

/**
 * The sidecar's whole configuration as one JSON document, stored in the pod annotation
 * {@value InjectionAnnotations#SIDECAR_CONFIG} and projected into the sidecar as a file. Env vars carry only what
 * the {@code watch} command's flags need; thresholds, tiers and patterns travel here, with schema defaults filled in.
 * Keys are sorted so that the annotation — and so the golden files — are byte-stable.
 */
final class SidecarConfigDocument {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SidecarConfigDocument() {
    }

    static String render(LandscapeProbe probe, String namespace, String checkpointDir, String mountPath,
                         RankResolution rank, GpuPlacement gpu, SidecarPaths paths, String reportUrl) {
        LandscapeProbeSpec spec = probe.getSpec();
        ObjectNode doc = JSON.createObjectNode();
        doc.put("apiVersion", LandscapeProbe.GROUP + "/" + LandscapeProbe.VERSION);
        doc.put("probe", probe.getMetadata().getName());
        doc.put("namespace", namespace);

        ObjectNode checkpoints = EffectiveSpec.of(JSON, spec.getCheckpoints(), CheckpointSource.class);
        checkpoints.put("dir", checkpointDir);
        doc.set("checkpoints", checkpoints);

        ObjectNode rankNode = EffectiveSpec.of(JSON, spec.getRank(), RankSource.class);
        if (rank.value() != null) {
            rankNode.put("value", rank.value());
        }
        rankNode.put("origin", rank.origin());
        doc.set("rank", rankNode);

        ObjectNode metrics = EffectiveSpec.of(JSON, spec.getMetrics(), MetricsSpec.class);
        boolean tier2 = metrics.hasNonNull("model") && metrics.hasNonNull("batch");
        metrics.put("tier", tier2 ? 2 : 1);
        if (tier2) {
            metrics.put("model", inMount(mountPath, metrics.get("model").asText()));
            metrics.put("batch", inMount(mountPath, metrics.get("batch").asText()));
        }
        doc.set("metrics", metrics);
        doc.set("thresholds", EffectiveSpec.of(JSON, spec.getThresholds(), Thresholds.class));
        if (spec.getOptimizer() != null) {
            doc.set("optimizer", JSON.valueToTree(spec.getOptimizer()));
        }
        ObjectNode report = doc.putObject("report");
        report.put("url", reportUrl);
        report.put("tokenFile", paths.tokenFile());
        report.put("spoolDir", paths.spoolDir());
        doc.put("gpu", gpu.mode());
        try {
            return JSON.writeValueAsString(JSON.treeToValue(doc, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the sidecar config of probe " + probe.getMetadata().getName(), e);
        }
    }

    /** A path given relative to the checkpoint volume, as the sidecar sees it (under the trainer's mount path). */
    static String inMount(String mountPath, String relative) {
        if (relative == null || relative.isEmpty()) {
            return mountPath;
        }
        String joined = (mountPath.endsWith("/") ? mountPath : mountPath + "/") + relative;
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
