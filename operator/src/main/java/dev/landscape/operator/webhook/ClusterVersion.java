package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Whether the cluster runs native sidecars (init containers with {@code restartPolicy: Always}, on by default from
 * Kubernetes 1.29). Read from the API server's {@code /version} and cached, because admission must stay fast; read
 * again after a TTL so an upgraded control plane is noticed. When the version cannot be read the answer is "no": a
 * native sidecar on an older API server loses its {@code restartPolicy} and would block the pod as a never-ending
 * init container, while a plain container always works.
 */
public final class ClusterVersion {

    private static final Logger LOG = Logger.getLogger(ClusterVersion.class);
    static final int NATIVE_SIDECAR_MINOR = 29;
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    private final Supplier<VersionInfo> source;
    private final Clock clock;
    private final Duration ttl;
    private volatile Cached cached;

    private record Cached(boolean nativeSidecars, Instant until) {
    }

    public ClusterVersion(KubernetesClient client, Clock clock, Duration ttl) {
        this(client::getKubernetesVersion, clock, ttl);
    }

    ClusterVersion(Supplier<VersionInfo> source, Clock clock, Duration ttl) {
        this.source = source;
        this.clock = clock;
        this.ttl = ttl;
    }

    public boolean supportsNativeSidecars() {
        Cached current = cached;
        Instant now = clock.instant();
        if (current != null && now.isBefore(current.until())) {
            return current.nativeSidecars();
        }
        synchronized (this) {
            if (cached != null && now.isBefore(cached.until())) {
                return cached.nativeSidecars();
            }
            try {
                VersionInfo version = source.get();
                boolean supported = supports(version.getMajor(), version.getMinor());
                cached = new Cached(supported, now.plus(ttl));
                return supported;
            } catch (RuntimeException e) {
                LOG.warnf("cannot read the API server version (%s); injecting plain sidecar containers for %s",
                        e.getMessage(), RETRY_AFTER_FAILURE);
                cached = new Cached(false, now.plus(RETRY_AFTER_FAILURE));
                return false;
            }
        }
    }

    /** {@code major.minor} as the API server reports them, e.g. {@code "1"}, {@code "29+"} (GKE, EKS). */
    static boolean supports(String major, String minor) {
        int maj = leadingInt(major);
        int min = leadingInt(minor);
        return maj > 1 || (maj == 1 && min >= NATIVE_SIDECAR_MINOR);
    }

    private static int leadingInt(String s) {
        if (s == null) {
            return -1;
        }
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? -1 : Integer.parseInt(s.substring(0, end));
    }
}
