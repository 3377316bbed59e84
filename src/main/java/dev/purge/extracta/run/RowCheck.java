package dev.purge.extracta.run;

import org.apache.camel.Predicate;
import org.apache.camel.RuntimeCamelException;

/**
 * A yes/no question a route asks of each row (is it a duplicate, is its pair already deleted), answered by the owner of
 * the state. Routes call it as a plain {@link Predicate} through the {@code ref} language: a {@code method} predicate
 * binds the bean's parameters and copies the whole exchange on every row. A predicate cannot throw a checked
 * exception, so one that stops the row (a halt, a shutdown, the ledger) travels wrapped; the error handlers and
 * {@link Failures} look through the causes.
 */
@FunctionalInterface
public interface RowCheck {

    boolean test(org.apache.camel.Exchange exchange) throws Exception;

    static Predicate predicate(RowCheck check) {
        return exchange -> {
            try {
                return check.test(exchange);
            } catch (Exception e) {
                throw RuntimeCamelException.wrapRuntimeException(e);
            }
        };
    }
}
