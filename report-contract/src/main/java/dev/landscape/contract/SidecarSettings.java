package dev.landscape.contract;

import java.util.List;
import java.util.Locale;

/**
 * The sidecar's settings, named once for both sides: the webhook writes them (environment variables
 * {@code LANDSCAPE_<KEY>} and a JSON config file with these keys), the sidecar reads them. A key the sidecar does
 * not know in the file is an error there, so the two cannot drift silently.
 */
public final class SidecarSettings {

    public static final String PROBE = "probe";
    public static final String NAMESPACE = "namespace";
    public static final String POD = "pod";
    public static final String RANK = "rank";
    public static final String DIR = "dir";
    public static final String REPORT_URL = "report-url";
    public static final String TOKEN_FILE = "token-file";
    /**
     * A PEM file with the CA certificates the sidecar trusts for an {@code https} {@code report-url}, and only those
     * (hostname verification stays on). The webhook projects it from the ConfigMap the operator publishes in the
     * pod's namespace; the sidecar re-reads it when the kubelet refreshes it (a CA rotation). Empty: the JVM's
     * default trust store (TLS terminated by something the cluster's public CAs vouch for).
     */
    public static final String CA_FILE = "ca-file";
    public static final String SPOOL = "spool";
    public static final String QUIET_PERIOD = "quiet-period";
    public static final String POLL_INTERVAL = "poll-interval";
    public static final String METRICS_PORT = "metrics-port";
    public static final String HEALTH_PORT = "health-port";
    public static final String GPU = "gpu";
    public static final String MODEL = "model";
    public static final String BATCH = "batch";
    public static final String LOSS = "loss";
    public static final String TOP_K = "top-k";
    /** A JSON array of globs: tier 2 measures curvature over the matching parameters only ({@code spec.metrics.parameters}). */
    public static final String PARAMETERS = "parameters";
    /**
     * The model's parameter count as the probe states it ({@code spec.metrics.modelParameters}), which sized this
     * pod's memory ({@link Tier2Memory}); the sidecar warns when the model it loads is larger. 0: not stated.
     */
    public static final String MODEL_PARAMETERS = "model-parameters";
    /** {@code true} or {@code false}: estimate the Hessian trace (Hutchinson) in tier 2 ({@code spec.metrics.trace}). */
    public static final String TRACE = "trace";
    /** A JSON array of the ranks whose sidecar runs tier 2 ({@code spec.metrics.ranks}); empty: every rank. */
    public static final String TIER2_RANKS = "tier2-ranks";
    public static final String SKETCH_WIDTH = "sketch-width";
    /** A JSON array of glob patterns checkpoint names must match ({@code spec.checkpoints.patterns}); empty: all. */
    public static final String PATTERNS = "patterns";
    /** A JSON object of the probe's {@code spec.thresholds}, CRD field names to decimal strings. */
    public static final String THRESHOLDS = "thresholds";
    /** A JSON object of {@code spec.optimizer}: type, learningRate, beta1, beta2, momentum, eps. */
    public static final String OPTIMIZER = "optimizer";
    /**
     * A JSON array of pickle globals ({@code module.Name}) to accept beside the analyser's allowlist
     * ({@code spec.checkpoints.trustedGlobals}); empty: the allowlist only.
     */
    public static final String TRUSTED_GLOBALS = "trusted-globals";
    /**
     * What one trusted global looks like: a module path and an attribute path, Python identifiers joined by dots
     * ({@code mytrainer.config.TrainConfig}). The CRD schema and the sidecar check it alike.
     */
    public static final String DOTTED_NAME = "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$";

    public static final List<String> ALL = List.of(PROBE, NAMESPACE, POD, RANK, DIR, REPORT_URL, TOKEN_FILE, CA_FILE, SPOOL,
            QUIET_PERIOD, POLL_INTERVAL, METRICS_PORT, HEALTH_PORT, GPU, MODEL, BATCH, LOSS, TOP_K, PARAMETERS, MODEL_PARAMETERS,
            TRACE, TIER2_RANKS, SKETCH_WIDTH, PATTERNS,
            THRESHOLDS, OPTIMIZER, TRUSTED_GLOBALS);

    /*
     * Defaults of the settings a LandscapeProbe also states (the CRD's @Default names these constants; the sidecar
     * uses them when a setting is absent, e.g. offline or in a config written by hand): one value in one place.
     */
    /** {@code quiet-period} and {@code spec.checkpoints.quietPeriod}. */
    public static final String DEFAULT_QUIET_PERIOD = "30s";
    /** {@code poll-interval} and {@code spec.checkpoints.pollInterval}. */
    public static final String DEFAULT_POLL_INTERVAL = "10s";
    /** {@code gpu} and {@code spec.sidecar.gpu}. */
    public static final String DEFAULT_GPU = "none";
    /** {@code loss} and {@code spec.metrics.loss}. */
    public static final String DEFAULT_LOSS = "cross-entropy";
    /** {@code top-k} and {@code spec.metrics.topK}. */
    public static final String DEFAULT_TOP_K = "3";
    /** {@code trace} and {@code spec.metrics.trace}. */
    public static final String DEFAULT_TRACE = "true";
    /** {@code sketch-width} and {@code spec.metrics.sketchWidth}. */
    public static final String DEFAULT_SKETCH_WIDTH = "256";

    /** The sidecar's Prometheus port unless {@code metrics-port} says otherwise; the webhook declares it on the container. */
    public static final int DEFAULT_METRICS_PORT = 9464;
    /**
     * The name of that container port, which the PodMonitor in deploy/ scrapes. Not plain "metrics": port names must
     * be unique in a pod, and trainers often have a port of that name.
     */
    public static final String METRICS_PORT_NAME = "lp-metrics";

    /** Where the config file's path is given. */
    public static final String CONFIG_FILE_ENV = "LANDSCAPE_CONFIG_FILE";

    private SidecarSettings() {
    }

    /**
     * Whether a rank's sidecar runs tier 2: a model and batch are configured ({@code spec.metrics.model} and
     * {@code batch}) and {@code tier2Ranks} is empty or holds the rank. The sidecar decides with it whether to load
     * ND4J; the webhook decides with it whether a {@code gpu: dedicated} sidecar gets a GPU at all.
     */
    public static boolean runsTier2(boolean modelAndBatchConfigured, List<Integer> tier2Ranks, int rank) {
        return modelAndBatchConfigured && (tier2Ranks.isEmpty() || tier2Ranks.contains(rank));
    }

    /** {@code report-url} → {@code LANDSCAPE_REPORT_URL}. */
    public static String env(String key) {
        return "LANDSCAPE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
