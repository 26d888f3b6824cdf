package dev.landscape.operator.webhook;

/**
 * Where the sidecar finds its scratch space, token and config. Fixed paths: the sidecar image and the injector agree
 * on them, and the trainer never sees these mounts.
 */
record SidecarPaths(String scratchDir, String projectedDir) {

    static final SidecarPaths DEFAULT = new SidecarPaths("/var/lib/landscape", "/var/run/landscape");

    String spoolDir() {
        return scratchDir + "/spool";
    }

    String javacppCacheDir() {
        return scratchDir + "/javacpp";
    }

    String tokenFile() {
        return projectedDir + "/token";
    }

    String configFile() {
        return projectedDir + "/config.json";
    }

    /** The CA bundle projected from the operator's ConfigMap (key {@code ca.crt}). */
    String caFile() {
        return projectedDir + "/" + InjectionAnnotations.CA_BUNDLE_KEY;
    }
}
