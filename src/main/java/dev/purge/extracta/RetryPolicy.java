package dev.purge.extracta;

import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how long to wait before Camel's error handler sends a request again. Only rate limits, server errors and
 * network failures are retried, up to {@code maxAttempts} attempts in all, with exponential backoff plus up to 25 %
 * jitter, starting at {@code initialDelay} and capped by {@code maxDelay}; a {@code Retry-After} answer sets the next
 * delay (still capped). Used as the {@code retryWhile} predicate and the {@code onExceptionOccurred} processor, so
 * this is the only retry layer (the HTTP client's own retries are disabled).
 */
public class RetryPolicy implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);
    private static final String DECISION_PROPERTY = "extractaRetryDecision";

    private int maxAttempts = 5;
    private OutageBreaker outageBreaker;
    private long initialDelay = 1000;
    private long maxDelay = 60000;
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public void setMaxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("extracta.retry.max-attempts must be at least 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    public void setInitialDelay(long initialDelay) {
        this.initialDelay = Math.max(0, initialDelay);
    }

    public void setMaxDelay(long maxDelay) {
        this.maxDelay = Math.max(0, maxDelay);
    }

    public void setOutageBreaker(OutageBreaker outageBreaker) {
        this.outageBreaker = outageBreaker;
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    /**
     * retryWhile: true when the failure is retryable and attempts remain, and also, past the last attempt, for a
     * server or network failure while sending is paused for an outage: such a row waits for the API, it is not
     * dead-lettered.
     */
    public boolean shouldRetry(Exchange exchange) {
        // onExceptionOccurred (process) runs first and decides once: the breaker may change state in between
        Boolean decided = exchange.getProperty(DECISION_PROPERTY, Boolean.class);
        if (decided != null) {
            exchange.removeProperty(DECISION_PROPERTY);
            return decided;
        }
        return decide(exchange);
    }

    private boolean decide(Exchange exchange) {
        Outcome outcome = Failures.outcomeOf(Failures.caught(exchange));
        return outcome.isRetryable() && (attempts(exchange) < maxAttempts || keptForOutage(outcome));
    }

    private boolean keptForOutage(Outcome outcome) {
        return outageBreaker != null && (outcome == Outcome.SERVER_ERROR || outcome == Outcome.NETWORK)
                && outageBreaker.isPaused();
    }

    /** onExceptionOccurred: sets the delay of the coming redelivery and logs it. */
    @Override
    public void process(Exchange exchange) {
        boolean retry = decide(exchange);
        exchange.setProperty(DECISION_PROPERTY, retry);
        if (!retry) {
            return;
        }
        Throwable e = Failures.caught(exchange);
        int attempts = attempts(exchange);
        if (exchange.getContext().isStopping()) {
            // shutting down: no backoff to sit through; the next attempt is stopped at the send gate, not sent
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 0L);
            return;
        }
        metrics.retrying(Failures.outcomeOf(e));
        if (attempts >= maxAttempts) {
            // out of attempts during an outage pause: give the permit back as a failure and wait for the API
            outageBreaker.record(exchange, Failures.outcomeOf(e));
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 0L);
            DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
            LOG.info("Keeping {} line {} until the API is back (outage pause): not dead-lettered",
                    request == null ? "?" : request.source(), request == null ? "?" : request.line());
            return;
        }
        Long retryAfter = Failures.explaining(e) instanceof DeleteFailedException failed
                ? failed.getRetryAfterMillis() : null;
        long delay = delayBeforeAttempt(attempts + 1, retryAfter);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, delay);
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        LOG.warn("Retrying {} line {} (attempt {} of {}) in {} ms after {}: {}",
                request == null ? "?" : request.source(), request == null ? "?" : request.line(),
                attempts + 1, maxAttempts, delay, Failures.outcomeOf(e), Failures.describe(e));
    }

    /** Delay before attempt number {@code nextAttempt} (2 for the first retry). */
    long delayBeforeAttempt(int nextAttempt, Long retryAfterMillis) {
        if (retryAfterMillis != null) {
            return Math.min(retryAfterMillis, maxDelay);
        }
        int exponent = Math.min(Math.max(nextAttempt - 2, 0), 30);
        double base = Math.min((double) initialDelay * (1L << exponent), maxDelay);
        double jittered = base * (1.0 + 0.25 * ThreadLocalRandom.current().nextDouble());
        return (long) Math.min(jittered, maxDelay);
    }

    private static int attempts(Exchange exchange) {
        AttemptLog log = exchange.getProperty(AttemptLog.PROPERTY, AttemptLog.class);
        return log == null ? 0 : log.attempts();
    }
}
