package dev.purge.extracta;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outage pause: after {@code failureThreshold} consecutive rows that ended SERVER_ERROR or NETWORK (after their
 * retries), all sending pauses for {@code openDuration}; then one row tries again, and sending resumes when it gets
 * an answer. A row that fails while the breaker is not closed is not dead-lettered but waits and tries again.
 * Resilience4j's circuit breaker keeps the state; Camel's circuitBreaker EIP would fail calls while open, where we
 * need them to wait, so the breaker is used directly. A row holds a permit from its first attempt to its outcome.
 */
public class OutageBreaker {

    static final String PERMIT_PROPERTY = "extractaBreakerPermit";
    private static final Logger LOG = LoggerFactory.getLogger(OutageBreaker.class);

    private int failureThreshold = 10;
    private long openDuration = 60_000;
    private volatile CircuitBreaker breaker;
    private final Object transitions = new Object();

    public void setFailureThreshold(int failureThreshold) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("extracta.circuit.failure-threshold must be at least 1");
        }
        this.failureThreshold = failureThreshold;
    }

    public void setOpenDuration(long openDuration) {
        this.openDuration = Math.max(1, openDuration);
    }

    private CircuitBreaker breaker() {
        if (breaker == null) {
            synchronized (this) {
                if (breaker == null) {
                    CircuitBreaker created = CircuitBreaker.of("extracta-outage", CircuitBreakerConfig.custom()
                            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                            .slidingWindowSize(failureThreshold)
                            .minimumNumberOfCalls(failureThreshold)
                            .failureRateThreshold(100)
                            .waitDurationInOpenState(Duration.ofMillis(openDuration))
                            .automaticTransitionFromOpenToHalfOpenEnabled(true)
                            .permittedNumberOfCallsInHalfOpenState(1)
                            // a trial row that never reports (its file failed) must not hold sending forever
                            .maxWaitDurationInHalfOpenState(Duration.ofMillis(openDuration * 5))
                            .build());
                    created.getEventPublisher().onStateTransition(event -> {
                        CircuitBreaker.StateTransition t = event.getStateTransition();
                        if (t == CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN) {
                            LOG.warn("API outage goes on: the trial row failed again; pausing all sending for {} ms "
                                    + "({} -> {})", openDuration, t.getFromState(), t.getToState());
                        } else if (t.getToState() == CircuitBreaker.State.OPEN) {
                            LOG.warn("API outage: {} rows in a row failed with a server or network error; pausing all "
                                    + "sending for {} ms ({} -> {})", failureThreshold, openDuration,
                                    t.getFromState(), t.getToState());
                        } else {
                            LOG.info("Outage pause: {} -> {}{}", t.getFromState(), t.getToState(),
                                    t.getToState() == CircuitBreaker.State.CLOSED ? ": sending resumes" : "");
                        }
                        synchronized (transitions) {
                            transitions.notifyAll();
                        }
                    });
                    breaker = created;
                }
            }
        }
        return breaker;
    }

    /** Whether sending is paused or on trial: a failing row is then kept for later, not dead-lettered. */
    public boolean isPaused() {
        return breaker().getState() != CircuitBreaker.State.CLOSED;
    }

    /**
     * Blocks until the row may be sent. A row holding a permit passes at once, unless it took it while the breaker was
     * closed and the breaker has opened since (it was retrying when the outage was detected): it then gives the
     * permit back and waits like any other row. The trial row of a half-open breaker keeps its permit.
     */
    void awaitPermission(Exchange exchange, BooleanSupplier stop) throws InterruptedException {
        if (mustWaitAgain(exchange)) {
            release(exchange);
        }
        if (exchange.getProperty(PERMIT_PROPERTY) != null) {
            return;
        }
        while (!breaker().tryAcquirePermission()) {
            if (stop.getAsBoolean()) {
                throw new InterruptedException("stopped while sending was paused");
            }
            synchronized (transitions) {
                transitions.wait(200);
            }
        }
        exchange.setProperty(PERMIT_PROPERTY, breaker().getState().name());
    }

    /** Whether the row's permit was taken while closed and the breaker is no longer closed. */
    boolean mustWaitAgain(Exchange exchange) {
        Object takenIn = exchange.getProperty(PERMIT_PROPERTY);
        return "CLOSED".equals(takenIn) && breaker().getState() != CircuitBreaker.State.CLOSED;
    }

    /** Gives back a row's permit without a verdict (stopped by a halt or a shutdown, or waiting out a pause). */
    void release(Exchange exchange) {
        if (exchange.getProperty(PERMIT_PROPERTY) != null) {
            exchange.removeProperty(PERMIT_PROPERTY);
            breaker().releasePermission();
        }
    }

    /** Records a row's final outcome (or a failure that keeps the row for later) and gives back its permit. */
    void record(Exchange exchange, Outcome outcome) {
        if (exchange.getProperty(PERMIT_PROPERTY) == null) {
            return; // never sent: invalid, duplicate, skipped
        }
        exchange.removeProperty(PERMIT_PROPERTY);
        if (outcome == Outcome.SERVER_ERROR || outcome == Outcome.NETWORK) {
            breaker().onError(0, TimeUnit.MILLISECONDS, new IllegalStateException(outcome.name()));
        } else {
            breaker().onSuccess(0, TimeUnit.MILLISECONDS);
        }
    }
}
