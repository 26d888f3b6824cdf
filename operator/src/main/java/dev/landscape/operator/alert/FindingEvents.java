package dev.landscape.operator.alert;

import dev.landscape.operator.correlate.Finding;
import dev.landscape.operator.correlate.Severity;
import dev.landscape.operator.crd.LandscapeProbe;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Kubernetes Events for new findings, on the probe and on the affected pod, so {@code kubectl describe} of either
 * shows them. Deduplicated by name: an Event's name is derived from the finding's identity (reason, rank, since),
 * so a finding announced once is never announced again, even by another replica after a fail-over. A finding a
 * silence covers is announced as a Normal Event saying "Silenced until …" (under a name of its own, so that the
 * Warning still follows if the finding outlives the silence). A failure to write an Event is logged and never
 * fails the reconcile.
 */
@ApplicationScoped
public class FindingEvents {

    private static final Logger LOG = Logger.getLogger(FindingEvents.class);
    static final String COMPONENT = "landscape-operator";

    private final KubernetesClient client;
    private final Clock clock;

    @Inject
    public FindingEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * @param silencedUntil the end of the silence covering the finding, empty when none does
     */
    public void announce(LandscapeProbe probe, Finding finding, Pod pod, Optional<Instant> silencedUntil) {
        String ns = probe.getMetadata().getNamespace();
        String key = finding.key() + (silencedUntil.isPresent() ? "/silenced" : "");
        ObjectReference probeRef = new ObjectReferenceBuilder()
                .withApiVersion(probe.getApiVersion()).withKind(probe.getKind()).withNamespace(ns)
                .withName(probe.getMetadata().getName()).withUid(probe.getMetadata().getUid()).build();
        create(ns, name(probe.getMetadata().getName(), key), probeRef, finding, silencedUntil);
        if (pod != null) {
            ObjectReference podRef = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod").withNamespace(ns)
                    .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
            create(ns, name(pod.getMetadata().getName(), key), podRef, finding, silencedUntil);
        }
    }

    private void create(String ns, String name, ObjectReference about, Finding f, Optional<Instant> silencedUntil) {
        String now = Instant.now(clock).toString();
        String text = f.message() + " Remedy: " + f.remedy();
        Event e = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withInvolvedObject(about)
                .withReason(f.reason().name())
                .withMessage(truncate(silencedUntil.map(u -> "Silenced until " + u + ": " + text).orElse(text), 1024))
                .withType(f.severity() == Severity.INFO || silencedUntil.isPresent() ? "Normal" : "Warning")
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(e).create();
        } catch (KubernetesClientException ex) {
            if (ex.getCode() != 409) {
                LOG.warnf("Event %s/%s (%s) not written: %s", ns, name, f.reason(), ex.getMessage());
            }
        }
    }

    static String name(String object, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            String suffix = HexFormat.of().formatHex(digest, 0, 6);
            String base = object.length() > 200 ? object.substring(0, 200) : object;
            return (base + ".landscape." + suffix).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
