/**
 * What report ingest (on every replica), the webhook and the leader's observer share about the cluster's objects,
 * below all three so that none depends on another: the {@code ProbeReport} store (status writes that survive two
 * writers) and the one label-selector rule by which a probe finds its pods. Nothing here decides anything; the
 * packages above do.
 */
package dev.landscape.operator.store;
