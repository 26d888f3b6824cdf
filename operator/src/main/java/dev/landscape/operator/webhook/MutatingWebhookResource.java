package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /mutate}: the API server's call on Pod CREATE. Thin on purpose: it takes the raw body, so that even a
 * body Jackson cannot bind is answered by {@link AdmissionHandler} with {@code allowed: true} and a warning rather
 * than a 400 or 500 that the API server would count against the pod.
 */
@Path("/mutate")
public class MutatingWebhookResource {

    @Inject
    AdmissionHandler handler;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public AdmissionReview mutate(byte[] body) {
        return handler.review(body == null ? new byte[0] : body);
    }
}
