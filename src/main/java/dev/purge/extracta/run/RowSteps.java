package dev.purge.extracta.run;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;

/**
 * The steps every row takes, as the routes call them: plain {@link Processor}s ({@code process: ref}) and
 * {@link Predicate}s (the {@code ref} language) made from their owners' methods. A {@code bean} step binds its
 * parameters by reflection and a {@code method} predicate copies the whole exchange, on every row. Two things the bean
 * call did are kept: a predicate may stop the row with a checked exception, and an {@link Error} (out of memory, a
 * stack overflow) reaches the routes' error handling (onException java.lang.Error) instead of escaping Camel, which
 * catches only exceptions around a processor. Both travel wrapped; the error handlers and {@link Failures} look through
 * the causes.
 */
public final class RowSteps {

    /** A yes/no question a route asks of a row; it may stop the row by throwing. */
    @FunctionalInterface
    public interface Check {
        boolean test(Exchange exchange) throws Exception;
    }

    private RowSteps() {
    }

    public static Processor step(Processor step) {
        return exchange -> {
            try {
                step.process(exchange);
            } catch (Error e) {
                throw new RuntimeCamelException(e);
            }
        };
    }

    public static Predicate check(Check check) {
        return exchange -> {
            try {
                return check.test(exchange);
            } catch (Exception | Error e) {
                throw RuntimeCamelException.wrapRuntimeException(e);
            }
        };
    }
}
