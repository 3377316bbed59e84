package dev.purge.extracta.health;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;

/** Registers a bean that holds state with Camel's lifecycle. */
public final class Services {

    private Services() {
    }

    /**
     * Camel stops services added this way after the routes, so the bean can close what the routes left open. Camel sets
     * the context again when the service is added: call this once, on the first {@code setCamelContext}.
     */
    public static void stopAfterRoutes(CamelContext camelContext, Service service) {
        try {
            camelContext.addService(service, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register " + service.getClass().getSimpleName() + " with Camel", e);
        }
    }
}
