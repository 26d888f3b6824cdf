package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.CheckpointException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns a failed command into one line on stderr and an exit code: input problems (the user's to fix) are exit 2
 * with the reader's message, which names file and offset; anything else is a bug, reported with its stack trace.
 * Nothing goes to stdout, which {@code --json} consumers parse.
 */
final class FailureHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        return report(ex, cl.getCommandSpec().qualifiedName(), cl.getErr());
    }

    /** Writes the failure of {@code command} ("landscape-probe inspect") to {@code err}; returns the exit code. */
    static int report(Exception ex, String command, PrintWriter err) {
        String prefix = command + ": ";
        Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        String message = describe(cause);
        if (message != null) {
            err.println(prefix + message);
            return Main.BAD_INPUT;
        }
        err.println(prefix + "internal error, please report it with the command line and this trace:");
        ex.printStackTrace(err);
        return Main.INTERNAL;
    }

    /**
     * Writes one line for a JVM {@link Error} and returns {@link Main#INTERNAL}. The line is built from constants
     * and the error's own message only: after an {@link OutOfMemoryError} there may be little room to spare.
     */
    static int reportError(Error fatal, String command, PrintWriter err) {
        String what = fatal instanceof OutOfMemoryError ? "out of memory (" + fatal.getMessage() + "): an input"
                + " limit failed to keep within the heap, a bug" : fatal.toString();
        err.println(command + ": internal error: " + what + "; please report it with the command line");
        err.flush();
        return Main.INTERNAL;
    }

    /** The user-facing message for an input problem, or null when {@code t} is not one. */
    static String describe(Throwable t) {
        if (t instanceof CheckpointException) {
            return t.getMessage();
        }
        if (t instanceof NoSuchFileException e) {
            return e.getFile() + ": " + (e.getReason() == null ? "no such file or folder" : e.getReason());
        }
        if (t instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied (the probe needs read access to the checkpoint)";
        }
        if (t instanceof IOException) {
            return "cannot read input: " + t.getMessage();
        }
        return null;
    }
}
