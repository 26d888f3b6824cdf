package dev.landscape.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.contract.SidecarSettings;
import dev.landscape.operator.crd.CheckpointSource;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.ThresholdsSpec;
import dev.landscape.operator.rank.RankResolution;

/**
 * The sidecar's whole configuration as one JSON document, keyed by {@link SidecarSettings} (the keys the sidecar
 * reads, defined once in the report contract), stored in the pod annotation
 * {@value InjectionAnnotations#SIDECAR_CONFIG} and projected into the sidecar as a file. Env vars carry only what
 * the {@code watch} command's flags need; thresholds, tiers and patterns travel here, with schema defaults filled in.
 * Keys are sorted at every level, as the tree is written, so that the annotation — and so the golden files — are
 * byte-stable.
 */
final class SidecarConfigDocument {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private SidecarConfigDocument() {
    }

    static String render(LandscapeProbe probe, String namespace, String checkpointDir, String mountPath,
                         RankResolution rank, GpuPlacement gpu, SidecarPaths paths, InjectionSettings settings) {
        LandscapeProbeSpec spec = probe.getSpec();
        ObjectNode doc = JSON.createObjectNode();
        doc.put(SidecarSettings.PROBE, probe.getMetadata().getName());
        doc.put(SidecarSettings.NAMESPACE, namespace);
        doc.put(SidecarSettings.DIR, checkpointDir);
        if (rank.value() != null) {
            doc.put(SidecarSettings.RANK, rank.value());
        }

        ObjectNode checkpoints = EffectiveSpec.of(JSON, spec.getCheckpoints(), CheckpointSource.class);
        if (checkpoints.hasNonNull("quietPeriod")) {
            doc.put(SidecarSettings.QUIET_PERIOD, checkpoints.get("quietPeriod").asText());
        }
        if (checkpoints.hasNonNull("pollInterval")) {
            doc.put(SidecarSettings.POLL_INTERVAL, checkpoints.get("pollInterval").asText());
        }
        if (checkpoints.has("patterns") && checkpoints.get("patterns").isArray() && !checkpoints.get("patterns").isEmpty()) {
            doc.set(SidecarSettings.PATTERNS, checkpoints.get("patterns"));
        }
        if (checkpoints.has("trustedGlobals") && checkpoints.get("trustedGlobals").isArray()
                && !checkpoints.get("trustedGlobals").isEmpty()) {
            doc.set(SidecarSettings.TRUSTED_GLOBALS, checkpoints.get("trustedGlobals"));
        }

        ObjectNode metrics = EffectiveSpec.of(JSON, spec.getMetrics(), MetricsSpec.class);
        if (metrics.hasNonNull("model") && metrics.hasNonNull("batch")) {
            doc.put(SidecarSettings.MODEL, inMount(mountPath, metrics.get("model").asText()));
            doc.put(SidecarSettings.BATCH, inMount(mountPath, metrics.get("batch").asText()));
        }
        if (metrics.hasNonNull("loss")) {
            doc.put(SidecarSettings.LOSS, metrics.get("loss").asText());
        }
        if (metrics.has("ranks") && metrics.get("ranks").isArray() && !metrics.get("ranks").isEmpty()) {
            doc.set(SidecarSettings.TIER2_RANKS, metrics.get("ranks"));
        }
        if (metrics.hasNonNull("trace")) {
            doc.put(SidecarSettings.TRACE, metrics.get("trace").asText());
        }
        if (metrics.hasNonNull("topK")) {
            doc.put(SidecarSettings.TOP_K, metrics.get("topK").asText());
        }
        if (metrics.has("parameters") && metrics.get("parameters").isArray() && !metrics.get("parameters").isEmpty()) {
            doc.set(SidecarSettings.PARAMETERS, metrics.get("parameters"));
        }
        if (metrics.hasNonNull("modelParameters")) {
            doc.put(SidecarSettings.MODEL_PARAMETERS, metrics.get("modelParameters").asText());
        }
        if (metrics.hasNonNull("sketchWidth")) {
            doc.put(SidecarSettings.SKETCH_WIDTH, metrics.get("sketchWidth").asText());
        }
        doc.set(SidecarSettings.THRESHOLDS, EffectiveSpec.of(JSON, spec.getThresholds(), ThresholdsSpec.class));
        doc.set(SidecarSettings.OPTIMIZER, spec.getOptimizer() == null ? JSON.createObjectNode() : JSON.valueToTree(spec.getOptimizer()));
        doc.put(SidecarSettings.REPORT_URL, settings.reportUrl());
        doc.put(SidecarSettings.TOKEN_FILE, paths.tokenFile());
        if (settings.caConfigMap() != null) {
            doc.put(SidecarSettings.CA_FILE, paths.caFile());
        }
        doc.put(SidecarSettings.SPOOL, paths.spoolDir());
        doc.put(SidecarSettings.GPU, gpu.mode());
        try {
            return JSON.writeValueAsString(doc);
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
