package dev.landscape.operator.webhook;

/**
 * Names the webhook reads and writes on pods. Kept together so that the skip rules, the injector and the reconciler
 * (which counts injected pods) agree on them.
 */
public final class InjectionAnnotations {

    /** Set to {@code "false"} (annotation or label) on a pod to opt out of injection. */
    public static final String INJECT = "landscape.dev/inject";
    /** The probe whose sidecar was injected; its presence makes every later pass a no-op. */
    public static final String INJECTED = "landscape.dev/injected";
    /** JSON describing what was injected (mode, volumes, GPU, notes) for {@code kubectl describe} readers. */
    public static final String STATUS = "landscape.dev/injection-status";
    /** The sidecar's full configuration as JSON, projected into the sidecar as a file by the downward API. */
    public static final String SIDECAR_CONFIG = "landscape.dev/sidecar-config";
    /** Which container {@code kubectl logs/exec} pick by default; set when the sidecar is a plain container. */
    public static final String DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

    /** Scratch emptyDir: report spool and javacpp cache. */
    public static final String SCRATCH_VOLUME = "landscape-scratch";
    /** Projected volume: the service-account token for reporting, the config file and the operator's CA bundle. */
    public static final String PROJECTED_VOLUME = "landscape-probe";
    /** Key of the operator's CA bundle in its ConfigMap, and the file's name in the projected volume. */
    public static final String CA_BUNDLE_KEY = "ca.crt";

    private InjectionAnnotations() {
    }
}
