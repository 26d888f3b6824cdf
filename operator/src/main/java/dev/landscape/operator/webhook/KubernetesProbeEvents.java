package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes core/v1 Events on probes from a background thread with a bounded queue: the admission answers without
 * waiting for the API server, and a burst of pods (a 512-rank job) cannot pile up threads. An Event that cannot be
 * written is logged and dropped; it never fails or delays an admission.
 */
public final class KubernetesProbeEvents implements ProbeEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubernetesProbeEvents.class);
    static final String COMPONENT = "landscape-probe-webhook";

    private final KubernetesClient client;
    private final Clock clock;
    private final ExecutorService writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "landscape-webhook-events");
                t.setDaemon(true);
                return t;
            });
    private final AtomicLong sequence = new AtomicLong();

    public KubernetesProbeEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public void warning(LandscapeProbe probe, String reason, String message) {
        Event event = event(probe, reason, message);
        try {
            writer.execute(() -> write(event));
        } catch (RejectedExecutionException e) {
            LOG.warnf("Event queue full; dropped %s on probe %s/%s: %s", reason,
                    probe.getMetadata().getNamespace(), probe.getMetadata().getName(), message);
        }
    }

    private void write(Event event) {
        try {
            client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
        } catch (RuntimeException e) {
            LOG.warnf("cannot write Event %s on probe %s/%s (%s): %s", event.getReason(),
                    event.getInvolvedObject().getNamespace(), event.getInvolvedObject().getName(), e.getMessage(),
                    event.getMessage());
        }
    }

    Event event(LandscapeProbe probe, String reason, String message) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(now);
        String name = probe.getMetadata().getName() + "." + Long.toHexString(clock.millis() * 1_000_000L + sequence.incrementAndGet() % 1_000_000L);
        return new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(probe.getMetadata().getNamespace()).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(LandscapeProbe.GROUP + "/" + LandscapeProbe.VERSION)
                        .withKind("LandscapeProbe")
                        .withNamespace(probe.getMetadata().getNamespace())
                        .withName(probe.getMetadata().getName())
                        .withUid(probe.getMetadata().getUid())
                        .withResourceVersion(probe.getMetadata().getResourceVersion())
                        .build())
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent("landscape.dev/" + COMPONENT)
                .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", COMPONENT))
                .withFirstTimestamp(timestamp)
                .withLastTimestamp(timestamp)
                .withCount(1)
                .build();
    }

    @Override
    public void close() {
        writer.shutdown();
    }
}
