package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.store.EventWriter;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the webhook's Events on probes, through the operator's one {@link EventWriter}, from a background thread
 * with a bounded queue: the admission answers without waiting for the API server, and a burst of pods (a 512-rank
 * job) cannot pile up threads. An Event that cannot be written is logged and dropped; it never fails or delays an
 * admission.
 */
public final class KubernetesProbeEvents implements ProbeEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubernetesProbeEvents.class);

    private final EventWriter writer;
    private final Clock clock;
    private final ExecutorService queue = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "landscape-webhook-events");
                t.setDaemon(true);
                return t;
            });
    private final AtomicLong sequence = new AtomicLong();

    public KubernetesProbeEvents(EventWriter writer, Clock clock) {
        this.writer = writer;
        this.clock = clock;
    }

    @Override
    public void warning(LandscapeProbe probe, String reason, String message) {
        Event event = event(probe, reason, message);
        try {
            queue.execute(() -> writer.write(event));
        } catch (RejectedExecutionException e) {
            LOG.warnf("Event queue full; dropped %s on probe %s/%s: %s", reason,
                    probe.getMetadata().getNamespace(), probe.getMetadata().getName(), message);
        }
    }

    /** Each warning is an Event of its own (one per skipped pod), named after the probe and the moment. */
    Event event(LandscapeProbe probe, String reason, String message) {
        String name = probe.getMetadata().getName() + "." + Long.toHexString(clock.millis() * 1_000_000L + sequence.incrementAndGet() % 1_000_000L);
        return writer.event(name, new ObjectReferenceBuilder()
                .withApiVersion(LandscapeProbe.GROUP + "/" + LandscapeProbe.VERSION)
                .withKind("LandscapeProbe")
                .withNamespace(probe.getMetadata().getNamespace())
                .withName(probe.getMetadata().getName())
                .withUid(probe.getMetadata().getUid())
                .withResourceVersion(probe.getMetadata().getResourceVersion())
                .build(), EventWriter.Type.Warning, reason, message);
    }

    @Override
    public void close() {
        queue.shutdown();
    }
}
