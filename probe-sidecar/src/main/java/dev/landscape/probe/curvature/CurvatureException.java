package dev.landscape.probe.curvature;

/**
 * Something the user can fix is wrong with the model, batch, checkpoint or options of a curvature analysis: an
 * unsupported ONNX op (named with its node), a checkpoint tensor whose shape does not match the graph, a missing
 * batch input. The message says what and where; the CLI prints it and exits with status 2.
 */
public class CurvatureException extends RuntimeException {

    public CurvatureException(String message) {
        super(message);
    }

    public CurvatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
