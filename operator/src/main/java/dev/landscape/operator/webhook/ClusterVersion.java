package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Whether the cluster runs native sidecars (init containers with {@code restartPolicy: Always}, on by default from
 * Kubernetes 1.29). Read from the API server's {@code /version} at start-up and cached, because admission must stay
 * fast; refreshed in the background after a TTL so an upgraded control plane is noticed. When the version cannot be read the answer is "no": a
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
    private final AtomicBoolean refreshing = new AtomicBoolean();

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

    /**
     * The cached answer. Only the very first call waits for the API server; after the TTL the stale answer is returned
     * while one background refresh runs, so an admission never waits on {@code /version}.
     */
    public boolean supportsNativeSidecars() {
        Cached current = cached;
        if (current == null) {
            synchronized (this) {
                if (cached == null) {
                    cached = read();
                }
                return cached.nativeSidecars();
            }
        }
        if (!clock.instant().isBefore(current.until()) && refreshing.compareAndSet(false, true)) {
            CompletableFuture.runAsync(() -> {
                try {
                    cached = read();
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return current.nativeSidecars();
    }

    /** Reads the version now (start-up warm-up and tests). */
    public void refresh() {
        cached = read();
    }

    private Cached read() {
        Instant now = clock.instant();
        try {
            VersionInfo version = source.get();
            return new Cached(supports(version.getMajor(), version.getMinor()), now.plus(ttl));
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the API server version (%s); injecting plain sidecar containers for %s",
                    e.getMessage(), RETRY_AFTER_FAILURE);
            return new Cached(false, now.plus(RETRY_AFTER_FAILURE));
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
