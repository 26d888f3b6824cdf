package dev.landscape.operator.store;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The one way the operator writes a core/v1 Event, for findings (the reconciler) and for what the webhook did not do
 * alike, so that {@code kubectl get events --field-selector reportingComponent=landscape-operator} shows all of them
 * and every Event carries the same source, replica, timestamps and message limit. Writing never throws: an Event is
 * a courtesy to the reader, and a failure to write one must not fail a reconcile or an admission.
 */
@ApplicationScoped
public class EventWriter {

    private static final Logger LOG = Logger.getLogger(EventWriter.class);

    /** {@code source.component} and {@code reportingComponent} of every Event the operator writes. */
    public static final String COMPONENT = "landscape-operator";
    /** Longest message written; longer ones end in an ellipsis (events.k8s.io caps a note at 1 kB). */
    static final int MAX_MESSAGE = 1024;

    public enum Type { Normal, Warning }

    private final KubernetesClient client;
    private final Clock clock;
    private final String instance;

    @Inject
    public EventWriter(KubernetesClient client, Clock clock) {
        this(client, clock, System.getenv().getOrDefault("HOSTNAME", COMPONENT));
    }

    /** @param instance {@code reportingInstance}: the replica (its pod name) that wrote the Event */
    public EventWriter(KubernetesClient client, Clock clock, String instance) {
        this.client = client;
        this.clock = clock;
        this.instance = instance;
    }

    /**
     * An Event about {@code about}, named {@code name} in its namespace (a name derived from what the Event is
     * about makes a second write of the same Event a no-op: see {@link #write}).
     */
    public Event event(String name, ObjectReference about, Type type, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        return new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(about.getNamespace()).endMetadata()
                .withInvolvedObject(about)
                .withType(type.name())
                .withReason(reason)
                .withMessage(message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…")
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(instance)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
    }

    /**
     * Creates the Event. One that exists already (same name: written before, perhaps by another replica) is left
     * as it is; any other failure is logged.
     *
     * @return whether the Event is now stored
     */
    public boolean write(Event event) {
        String ns = event.getMetadata().getNamespace();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
            return true;
        } catch (RuntimeException e) {
            if (e instanceof KubernetesClientException k && k.getCode() == 409) {
                return true;
            }
            LOG.warnf("Event %s/%s (%s on %s %s) not written: %s", ns, event.getMetadata().getName(), event.getReason(),
                    event.getInvolvedObject().getKind(), event.getInvolvedObject().getName(), e.getMessage());
            return false;
        }
    }
}
