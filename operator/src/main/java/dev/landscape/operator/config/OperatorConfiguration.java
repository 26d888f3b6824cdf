package dev.landscape.operator.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Beans that tests replace: the reconcilers' clock. (Status patch mode is set in application.properties:
 * {@code quarkus.operator-sdk.enable-ssa=false}, so JSON merge patches are what both tests and production use;
 * the Fabric8 mock server answers server-side apply with 415.)
 */
@ApplicationScoped
public class OperatorConfiguration {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
