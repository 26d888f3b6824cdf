package dev.landscape.demo.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a child's log, for error messages that say why it failed. */
public final class Logs {

    private Logs() {
    }

    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The first ERROR line of a Quarkus log and its deepest "Caused by" (what a failed start-up was about). */
    public static String firstError(Path log) {
        try {
            List<String> all = Files.readAllLines(log);
            String error = all.stream().filter(l -> l.contains(" ERROR ")).findFirst().orElse("");
            String cause = all.stream().filter(l -> l.startsWith("Caused by:")).reduce((a, b) -> b).orElse("");
            return error.isEmpty() && cause.isEmpty() ? tail(log, 20) : error + "\n" + cause;
        } catch (IOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }
}
