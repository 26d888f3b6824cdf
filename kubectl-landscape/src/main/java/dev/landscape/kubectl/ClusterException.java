package dev.landscape.kubectl;

/** A problem with the cluster or the probe that the user can act on; its message says what and where. */
final class ClusterException extends RuntimeException {

    ClusterException(String message) {
        super(message);
    }

    ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
