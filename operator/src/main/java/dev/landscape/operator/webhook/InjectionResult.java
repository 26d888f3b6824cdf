package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;

/** What the injector did with one pod: injected (with notes worth an Event) or skipped (with the reason). */
public sealed interface InjectionResult {

    /** @param notes requested behaviour that could not be honoured, e.g. a shared GPU without a claim */
    record Injected(Pod pod, List<String> notes) implements InjectionResult {
    }

    /** @param reason a sentence naming the probe, the pod field and what to do */
    record Skipped(String reason) implements InjectionResult {
    }
}
