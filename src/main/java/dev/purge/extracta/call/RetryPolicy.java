package dev.purge.extracta.call;

import dev.purge.extracta.health.PurgeMetrics;
import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how long to wait before a request is sent again. Only rate limits, server errors and network failures are
 * retried, up to {@code maxAttempts} attempts in all, with exponential backoff plus up to 25 % jitter, starting at
 * {@code initialDelay} and capped by {@code maxDelay}; a {@code Retry-After} answer sets the next delay (capped too).
 * Used as the {@code retryWhile} predicate and the {@code onExceptionOccurred} processor, so this is the only retry
 * layer (the HTTP client's own retries are disabled). A row out of attempts is dead-lettered, outage pause or not.
 * <p>
 * Camel redelivers at once; the wait itself is the send gate's ({@link SendGate#enterCall}), which a stop ends at once.
 * Not Camel's redelivery delay: a stop waits it out, then skips every onException, or dead-letters rows (CamelFeatureFitTest).
 */
public class RetryPolicy implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    private int maxAttempts = 5;
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

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    /** retryWhile: true when the failure is retryable and attempts remain. */
    public boolean shouldRetry(Exchange exchange) {
        // onExceptionOccurred (process) runs first and decides once
        RowContext row = RowContext.find(exchange);
        Boolean decided = row == null ? null : row.takeRetryDecision();
        return decided != null ? decided : decide(exchange);
    }

    private boolean decide(Exchange exchange) {
        Outcome outcome = Failures.outcomeOf(Failures.caught(exchange));
        RowContext row = RowContext.find(exchange);
        return outcome.isRetryable() && row != null && row.attempts() < maxAttempts;
    }

    /** onExceptionOccurred: decides, sets when the next attempt may leave, and logs it. */
    @Override
    public void process(Exchange exchange) {
        boolean retry = decide(exchange);
        RowContext row = RowContext.find(exchange);
        // Camel redelivers at once, whatever a message header asks for: the send gate does the waiting
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 0L);
        if (row == null) {
            return;
        }
        row.retryDecision(retry);
        if (!retry) {
            return;
        }
        Throwable e = Failures.caught(exchange);
        int attempts = row.attempts();
        metrics.retrying(Failures.outcomeOf(e));
        Long retryAfter = Failures.explaining(e) instanceof DeleteFailedException failed
                ? failed.getRetryAfterMillis() : null;
        long delay = delayBeforeAttempt(attempts + 1, retryAfter);
        row.notBefore(System.currentTimeMillis() + delay);
        DeleteBatchRequest request = row.request();
        LOG.warn("Retrying {} line {} (attempt {} of {}) in {} ms after {}: {}", request.source(), request.line(),
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
}
