package dev.landscape.probe.checkpoint.pickle;

/**
 * A recognised construct with malformed arguments (a tensor with a negative size, a storage of unknown type). The
 * unpickler turns it into a {@link dev.landscape.probe.checkpoint.CheckpointException} carrying the byte offset.
 */
public class PickleValueException extends Exception {

    public PickleValueException(String message) {
        super(message);
    }
}
