package dev.landscape.probe.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.Durations;
import dev.landscape.contract.SidecarSettings;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one configuration of the in-pod sidecar, read once at start and validated as a whole: every problem is
 * reported at once, naming the setting and where it came from, and the sidecar refuses to start rather than run
 * half-configured. Each setting {@code some-key} can come from (highest first) a command-line flag
 * {@code --some-key}, the environment variable {@code LANDSCAPE_SOME_KEY}, or the JSON config file the webhook
 * mounts ({@code LANDSCAPE_CONFIG_FILE}, default {@value #DEFAULT_CONFIG_FILE}, keys as here).
 *
 * @param thresholds      probe thresholds as decimal strings, by their CRD field name (e.g. {@code spikeZScore})
 * @param parameters      globs of the parameters tier 2 measures curvature over (empty: all)
 * @param modelParameters the model's parameter count the pod was sized for (0: not stated)
 * @param trustedGlobals  pickle globals accepted beside the analyser's allowlist ({@code --trust-global} offline)
 */
public record SidecarConfig(String probe, String namespace, String pod, int rank, Path dir, URI reportUrl,
                            Path tokenFile, Optional<Path> caFile, Path spoolDir, Duration quietPeriod, Duration pollInterval,
                            int metricsPort, int healthPort, String gpu, Optional<Path> model, Optional<Path> batch,
                            String loss, int topK, boolean trace, List<Integer> tier2Ranks, int sketchWidth, List<String> patterns,
                            Map<String, String> thresholds, Map<String, String> optimizer, List<String> parameters,
                            long modelParameters, List<String> trustedGlobals) {

    public static final String DEFAULT_CONFIG_FILE = "/etc/landscape/config.json";

    /** Every key the sidecar understands, with its default ({@code null}: required). */
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put(SidecarSettings.PROBE, null);
        KEYS.put(SidecarSettings.NAMESPACE, null);
        KEYS.put(SidecarSettings.POD, null);
        KEYS.put(SidecarSettings.RANK, null);
        KEYS.put(SidecarSettings.DIR, null);
        KEYS.put(SidecarSettings.REPORT_URL, null);
        KEYS.put(SidecarSettings.TOKEN_FILE, "/var/run/secrets/landscape/token");
        KEYS.put(SidecarSettings.CA_FILE, "");
        KEYS.put(SidecarSettings.SPOOL, "/var/lib/landscape/spool");
        KEYS.put(SidecarSettings.QUIET_PERIOD, SidecarSettings.DEFAULT_QUIET_PERIOD);
        KEYS.put(SidecarSettings.POLL_INTERVAL, SidecarSettings.DEFAULT_POLL_INTERVAL);
        KEYS.put(SidecarSettings.METRICS_PORT, Integer.toString(SidecarSettings.DEFAULT_METRICS_PORT));
        KEYS.put(SidecarSettings.HEALTH_PORT, "8090");
        KEYS.put(SidecarSettings.GPU, SidecarSettings.DEFAULT_GPU);
        KEYS.put(SidecarSettings.MODEL, "");
        KEYS.put(SidecarSettings.BATCH, "");
        KEYS.put(SidecarSettings.LOSS, SidecarSettings.DEFAULT_LOSS);
        KEYS.put(SidecarSettings.TOP_K, SidecarSettings.DEFAULT_TOP_K);
        KEYS.put(SidecarSettings.PARAMETERS, "[]");
        KEYS.put(SidecarSettings.MODEL_PARAMETERS, "0");
        KEYS.put(SidecarSettings.TRACE, SidecarSettings.DEFAULT_TRACE);
        KEYS.put(SidecarSettings.TIER2_RANKS, "[]");
        KEYS.put(SidecarSettings.SKETCH_WIDTH, SidecarSettings.DEFAULT_SKETCH_WIDTH);
        KEYS.put(SidecarSettings.PATTERNS, "[]");
        KEYS.put(SidecarSettings.THRESHOLDS, "{}");
        KEYS.put(SidecarSettings.OPTIMIZER, "{}");
        KEYS.put(SidecarSettings.TRUSTED_GLOBALS, "[]");
        if (!KEYS.keySet().equals(new java.util.LinkedHashSet<>(SidecarSettings.ALL))) {
            throw new IllegalStateException("SidecarConfig and SidecarSettings disagree on the keys");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A configuration that cannot be used; the message lists every problem. */
    public static final class InvalidConfigException extends Exception {
        public InvalidConfigException(List<String> problems) {
            super("the sidecar configuration is invalid:\n  - " + String.join("\n  - ", problems));
        }
    }

    /**
     * Resolves every key from the three layers and validates the result.
     *
     * @param flags values given on the command line (key → value)
     * @param env   the process environment
     */
    public static SidecarConfig load(Map<String, String> flags, Map<String, String> env) throws InvalidConfigException {
        List<String> problems = new ArrayList<>();
        Map<String, String> file = new LinkedHashMap<>();
        String fileName = env.getOrDefault(SidecarSettings.CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE);
        Path configFile = Path.of(fileName);
        if (Files.isRegularFile(configFile)) {
            try {
                JsonNode root = JSON.readTree(configFile.toFile());
                if (root == null || !root.isObject()) {
                    problems.add(fileName + ": not a JSON object");
                } else {
                    root.fields().forEachRemaining(e -> file.put(e.getKey(),
                            e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                }
            } catch (IOException e) {
                problems.add(fileName + ": unreadable config file: " + e.getMessage());
            }
        } else if (env.containsKey(SidecarSettings.CONFIG_FILE_ENV)) {
            problems.add("LANDSCAPE_CONFIG_FILE names " + fileName + ", which does not exist");
        }
        for (String k : file.keySet()) {
            if (!KEYS.containsKey(k)) {
                problems.add(fileName + ": unknown key \"" + k + "\" (known: " + String.join(", ", KEYS.keySet()) + ")");
            }
        }
        for (String k : flags.keySet()) {
            if (!KEYS.containsKey(k)) {
                problems.add("--" + k + ": unknown option");
            }
        }
        Map<String, String> value = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        for (Map.Entry<String, String> k : KEYS.entrySet()) {
            String envName = SidecarSettings.env(k.getKey());
            if (flags.containsKey(k.getKey())) {
                value.put(k.getKey(), flags.get(k.getKey()));
                origin.put(k.getKey(), "--" + k.getKey());
            } else if (env.containsKey(envName)) {
                value.put(k.getKey(), env.get(envName));
                origin.put(k.getKey(), envName);
            } else if (file.containsKey(k.getKey())) {
                value.put(k.getKey(), file.get(k.getKey()));
                origin.put(k.getKey(), fileName + " key " + k.getKey());
            } else if (k.getValue() != null) {
                value.put(k.getKey(), k.getValue());
                origin.put(k.getKey(), "default");
            } else {
                problems.add(k.getKey() + " is required: pass --" + k.getKey() + " or set " + envName);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        Parser p = new Parser(value, origin, problems);
        SidecarConfig config = new SidecarConfig(
                p.name("probe"), p.name("namespace"), p.name("pod"), p.integer("rank", 0, 1 << 20),
                p.path("dir"), p.uri("report-url"), p.path("token-file"), p.optionalPath("ca-file"), p.path("spool"),
                p.duration("quiet-period"), p.duration("poll-interval"),
                p.integer("metrics-port", -1, 65535), p.integer("health-port", -1, 65535),
                p.oneOf("gpu", "none", "auto", "shared", "dedicated"),
                p.optionalPath("model"), p.optionalPath("batch"),
                p.oneOf("loss", "mse", "cross-entropy", "graph"),
                p.integer("top-k", 1, 20), p.oneOf("trace", "true", "false").equals("true"), p.ranks("tier2-ranks"),
                p.integer("sketch-width", 16, 4096), p.globs("patterns"),
                p.decimals("thresholds"), p.decimals("optimizer"), p.globs("parameters"),
                p.count("model-parameters"), p.globals(SidecarSettings.TRUSTED_GLOBALS));
        if (config.model().isPresent() != config.batch().isPresent()) {
            problems.add("model (from " + origin.get("model") + ") and batch (from " + origin.get("batch") + ") must be given together: tier 2 needs both");
        }
        if (config.caFile().isPresent() && !"https".equals(config.reportUrl().getScheme())) {
            problems.add("ca-file (from " + origin.get("ca-file") + ") names a CA bundle, but report-url (from "
                    + origin.get("report-url") + ") is not https: the bundle would never be used");
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return config;
    }

    /**
     * Whether this sidecar runs tier 2 (ND4J): a model is configured and this rank is one of {@code tier2-ranks}
     * (or that list is empty). Tier 1 alone never loads ND4J.
     */
    public boolean tier2() {
        return SidecarSettings.runsTier2(model.isPresent(), tier2Ranks, rank);
    }

    private record Parser(Map<String, String> value, Map<String, String> origin, List<String> problems) {

        String where(String k) {
            return k + " \"" + value.get(k) + "\" (from " + origin.get(k) + ")";
        }

        String name(String k) {
            String v = value.get(k);
            if (!v.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
                problems.add(where(k) + " is not a valid Kubernetes name");
            }
            return v;
        }

        int integer(String k, int min, int max) {
            try {
                int v = Integer.parseInt(value.get(k).trim());
                if (v < min || v > max) {
                    problems.add(where(k) + " must lie in [" + min + ", " + max + "]");
                }
                return v;
            } catch (NumberFormatException e) {
                problems.add(where(k) + " is not an integer");
                return min;
            }
        }

        long count(String k) {
            try {
                long v = Long.parseLong(value.get(k).trim());
                if (v < 0) {
                    problems.add(where(k) + " must not be negative");
                }
                return v;
            } catch (NumberFormatException e) {
                problems.add(where(k) + " is not an integer");
                return 0;
            }
        }

        Path path(String k) {
            return Path.of(value.get(k));
        }

        Optional<Path> optionalPath(String k) {
            String v = value.get(k);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v));
        }

        URI uri(String k) {
            try {
                URI u = URI.create(value.get(k));
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    problems.add(where(k) + " must be an http(s) URL with a host");
                }
                return u;
            } catch (IllegalArgumentException e) {
                problems.add(where(k) + " is not a URL: " + e.getMessage());
                return URI.create("http://invalid");
            }
        }

        Duration duration(String k) {
            try {
                return Durations.parse(value.get(k));
            } catch (IllegalArgumentException e) {
                problems.add(where(k) + " is not a duration like 30s, 2m or 1h30m");
                return Duration.ZERO;
            }
        }

        String oneOf(String k, String... allowed) {
            String v = value.get(k);
            if (!List.of(allowed).contains(v)) {
                problems.add(where(k) + " must be one of " + String.join(", ", allowed));
            }
            return v;
        }

        List<String> globs(String k) {
            List<String> out = new ArrayList<>();
            try {
                JsonNode n = JSON.readTree(value.get(k));
                if (n == null || !n.isArray()) {
                    problems.add(where(k) + " must be a JSON array of glob patterns");
                    return out;
                }
                for (JsonNode g : n) {
                    try {
                        java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + g.asText());
                        out.add(g.asText());
                    } catch (IllegalArgumentException e) {
                        problems.add(k + " entry \"" + g.asText() + "\" (from " + origin.get(k) + ") is not a glob: " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                problems.add(where(k) + " is not JSON: " + e.getMessage());
            }
            return out;
        }

        List<String> globals(String k) {
            List<String> out = new ArrayList<>();
            try {
                JsonNode n = JSON.readTree(value.get(k));
                if (n == null || !n.isArray()) {
                    problems.add(where(k) + " must be a JSON array of dotted names like module.Class");
                    return out;
                }
                for (JsonNode g : n) {
                    if (!g.isTextual() || !dev.landscape.probe.checkpoint.pickle.GlobalAllowlist.isDottedPath(g.asText())) {
                        problems.add(k + " entry " + g + " (from " + origin.get(k) + ") is not a dotted name like module.Class");
                    } else {
                        out.add(g.asText());
                    }
                }
            } catch (IOException e) {
                problems.add(where(k) + " is not JSON: " + e.getMessage());
            }
            return out;
        }

        List<Integer> ranks(String k) {
            List<Integer> out = new ArrayList<>();
            try {
                JsonNode n = JSON.readTree(value.get(k));
                if (n == null || !n.isArray()) {
                    problems.add(where(k) + " must be a JSON array of ranks");
                    return out;
                }
                for (JsonNode r : n) {
                    if (!r.canConvertToInt() || r.asInt() < 0 || !(r.isIntegralNumber() || r.asText().matches("[0-9]+"))) {
                        problems.add(k + " entry " + r + " (from " + origin.get(k) + ") is not a rank (an integer ≥ 0)");
                    } else {
                        out.add(r.asInt());
                    }
                }
            } catch (IOException e) {
                problems.add(where(k) + " is not JSON: " + e.getMessage());
            }
            return out;
        }

        Map<String, String> decimals(String k) {
            Map<String, String> out = new LinkedHashMap<>();
            try {
                JsonNode n = JSON.readTree(value.get(k));
                if (n == null || !n.isObject()) {
                    problems.add(where(k) + " must be a JSON object of decimal strings");
                    return out;
                }
                n.fields().forEachRemaining(e -> {
                    String v = e.getValue().asText();
                    if (e.getValue().isContainerNode() || !v.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?|[a-z]+|[0-9]+(ms|s|m|h)")) {
                        problems.add(k + "." + e.getKey() + " \"" + v + "\" (from " + origin.get(k) + ") is not a decimal, duration or name");
                    }
                    out.put(e.getKey(), v);
                });
            } catch (IOException e) {
                problems.add(where(k) + " is not JSON: " + e.getMessage());
            }
            return out;
        }
    }
}
