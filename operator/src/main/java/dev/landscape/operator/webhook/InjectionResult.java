package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;

/** What the injector did with one pod: injected (with notes worth an Event) or skipped (with the reason). */
public sealed interface InjectionResult {

    /** Something the probe's owner should know about an injection: an Event on the probe and an admission warning. */
    record Note(String reason, String message) {
    }

    /**
     * @param notes requested behaviour that could not be honoured (a shared GPU without a claim), or an injection
     *              that changed what the pod asks the scheduler for (a dedicated GPU)
     */
    record Injected(Pod pod, List<Note> notes) implements InjectionResult {
    }

    /** @param reason a sentence naming the probe, the pod field and what to do */
    record Skipped(String reason) implements InjectionResult {
    }
}
