package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.ReadPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** {@code --trust-global}: the one option every command that reads checkpoints shares, turned into a {@link ReadPolicy}. */
final class ReadOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--trust-global", paramLabel = "MODULE.NAME",
            description = "Accept this pickle global besides the built-in allowlist (repeatable), e.g. "
                    + "--trust-global mytrainer.config.TrainConfig. Only for files you trust: CPython's pickle would"
                    + " import it when the file is loaded.")
    List<String> trustGlobals = new ArrayList<>();

    /** This process's policy with the trusted globals; a malformed name is a usage error. */
    ReadPolicy policy() {
        try {
            return ReadPolicy.standard().trusting(trustGlobals);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--trust-global: " + e.getMessage());
        }
    }
}
