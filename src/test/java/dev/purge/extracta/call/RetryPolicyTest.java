package dev.purge.extracta.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final int SAMPLES = 500;

    private RetryPolicy policy;
    private CamelContext context;

    @BeforeEach
    void setUp() {
        policy = new RetryPolicy();
        policy.setInitialDelay(1000);
        policy.setMaxDelay(60000);
        context = new DefaultCamelContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private Exchange exchange(int attempts, Throwable failure) {
        Exchange exchange = new DefaultExchange(context);
        RowContext row = new RowContext(new RequestRow(new DeleteBatchRequest("a.csv", 4, "c1", "b1"), null, false),
                FileRun.forMessage("test", false));
        for (int i = 0; i < attempts; i++) {
            row.attemptStarted();
        }
        exchange.setProperty(RowContext.PROPERTY, row);
        exchange.setException(failure);
        return exchange;
    }

    /** How long the row must wait before its next attempt, as the policy set it. */
    private static long waitBeforeNext(Exchange exchange) {
        return RowContext.of(exchange).notBefore() - System.currentTimeMillis();
    }

    private static DeleteFailedException failed(Outcome outcome, Long retryAfter) {
        return new DeleteFailedException(outcome, 503, "x", retryAfter);
    }

    // ---------------------------------------------------------------- delays

    private void assertDelays(int attempt, long min, long max) {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < SAMPLES; i++) {
            long delay = policy.delayBeforeAttempt(attempt, null);
            assertThat(delay).as("delay before attempt %d", attempt).isBetween(min, max);
            seen.add(delay);
        }
        if (min < max) {
            assertThat(seen).as("jitter before attempt %d", attempt).hasSizeGreaterThan(1);
        }
    }

    @Test
    void backoffDoublesWithUpToAQuarterOfJitter() {
        assertDelays(2, 1000, 1250);
        assertDelays(3, 2000, 2500);
        assertDelays(4, 4000, 5000);
        assertDelays(5, 8000, 10000);
        assertDelays(7, 32000, 40000);
    }

    @Test
    void firstAttemptAndNonsenseAttemptNumbersUseTheInitialDelay() {
        assertDelays(1, 1000, 1250);
        assertDelays(0, 1000, 1250);
        assertDelays(-3, 1000, 1250);
    }

    @Test
    void largeAttemptNumbersAreCappedAtMaxDelay() {
        for (int attempt : new int[] {8, 10, 31, 32, 33, 64, 1000, Integer.MAX_VALUE}) {
            for (int i = 0; i < 50; i++) {
                assertThat(policy.delayBeforeAttempt(attempt, null)).as("attempt %d", attempt).isEqualTo(60000L);
            }
        }
    }

    @Test
    void jitterNeverExceedsMaxDelay() {
        policy.setMaxDelay(35000);
        assertDelays(7, 32000, 35000);
    }

    @Test
    void retryAfterSetsTheDelayButIsCapped() {
        assertThat(policy.delayBeforeAttempt(2, 5000L)).isEqualTo(5000L);
        assertThat(policy.delayBeforeAttempt(5, 5000L)).isEqualTo(5000L);
        assertThat(policy.delayBeforeAttempt(2, 0L)).isEqualTo(0L);
        assertThat(policy.delayBeforeAttempt(2, 120000L)).isEqualTo(60000L);
    }

    @Test
    void zeroDelaysStayZero() {
        policy.setInitialDelay(0);
        assertDelays(2, 0, 0);
        assertDelays(9, 0, 0);
        policy.setInitialDelay(-5);
        assertDelays(3, 0, 0);
    }

    @Test
    void maxAttemptsMustBeAtLeastOne() {
        assertThatThrownBy(() -> policy.setMaxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max-attempts");
        assertThatThrownBy(() -> policy.setMaxAttempts(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(policy.getMaxAttempts()).isEqualTo(5);
        policy.setMaxAttempts(1);
        assertThat(policy.getMaxAttempts()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- shouldRetry

    @Test
    void retryableFailuresAreRetriedWhileAttemptsRemain() {
        policy.setMaxAttempts(3);
        for (Outcome outcome : new Outcome[] {Outcome.SERVER_ERROR, Outcome.RATE_LIMITED, Outcome.NETWORK}) {
            assertThat(policy.shouldRetry(exchange(1, failed(outcome, null)))).as("%s after 1", outcome).isTrue();
            assertThat(policy.shouldRetry(exchange(2, failed(outcome, null)))).as("%s after 2", outcome).isTrue();
            assertThat(policy.shouldRetry(exchange(3, failed(outcome, null)))).as("%s after 3", outcome).isFalse();
            assertThat(policy.shouldRetry(exchange(4, failed(outcome, null)))).as("%s after 4", outcome).isFalse();
        }
    }

    @Test
    void defaultMaxAttemptsIsFive() {
        assertThat(policy.shouldRetry(exchange(4, failed(Outcome.SERVER_ERROR, null)))).isTrue();
        assertThat(policy.shouldRetry(exchange(5, failed(Outcome.SERVER_ERROR, null)))).isFalse();
    }

    @Test
    void singleAttemptNeverRetries() {
        policy.setMaxAttempts(1);
        assertThat(policy.shouldRetry(exchange(1, failed(Outcome.SERVER_ERROR, null)))).isFalse();
    }

    @Test
    void nonRetryableFailuresAreNeverRetried() {
        policy.setMaxAttempts(10);
        for (Outcome outcome : new Outcome[] {Outcome.REJECTED, Outcome.UNAUTHORIZED, Outcome.API_ERROR,
                Outcome.INVALID_INPUT, Outcome.UNREADABLE_FILE, Outcome.INTERNAL_ERROR}) {
            assertThat(policy.shouldRetry(exchange(1, failed(outcome, 1000L)))).as("%s", outcome).isFalse();
        }
        assertThat(policy.shouldRetry(exchange(1, DeleteFailedException.invalidInput("bad")))).isFalse();
        assertThat(policy.shouldRetry(exchange(1, new IllegalStateException("bug")))).isFalse();
        assertThat(policy.shouldRetry(exchange(1, new UnreadableFileException("bad file", 3L)))).isFalse();
    }

    @Test
    void networkFailuresAreRetriedButLocalIoFailuresAreNot() {
        // the delete-batch route turns a failed call into DeleteFailedException(NETWORK)
        assertThat(policy.shouldRetry(exchange(1, failed(Outcome.NETWORK, null)))).isTrue();
        assertThat(policy.shouldRetry(exchange(4, failed(Outcome.NETWORK, null)))).isTrue();
        assertThat(policy.shouldRetry(exchange(5, failed(Outcome.NETWORK, null)))).isFalse();
        // an IOException anywhere else (a local file, say) is ours: never retried
        assertThat(Failures.outcomeOf(new IOException("disk full"))).isEqualTo(Outcome.INTERNAL_ERROR);
        assertThat(policy.shouldRetry(exchange(1, new IOException("disk full")))).isFalse();
    }

    @Test
    void wrappedFailuresAreUnwrapped() {
        assertThat(policy.shouldRetry(exchange(1, new RuntimeException(failed(Outcome.SERVER_ERROR, null))))).isTrue();
        assertThat(policy.shouldRetry(exchange(1, new RuntimeException(failed(Outcome.NETWORK, null))))).isTrue();
        assertThat(policy.shouldRetry(exchange(1, new RuntimeException(failed(Outcome.REJECTED, null))))).isFalse();
    }

    @Test
    void exceptionAlreadyMovedToCaughtPropertyIsSeen() {
        Exchange exchange = exchange(1, null);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failed(Outcome.SERVER_ERROR, null));
        assertThat(policy.shouldRetry(exchange)).isTrue();

        Exchange rejected = exchange(1, null);
        rejected.setProperty(Exchange.EXCEPTION_CAUGHT, failed(Outcome.REJECTED, null));
        assertThat(policy.shouldRetry(rejected)).isFalse();
    }

    @Test
    void anExchangeThatIsNotARowIsNeverRetried() {
        Exchange exchange = new DefaultExchange(context);
        exchange.setException(failed(Outcome.SERVER_ERROR, null));
        assertThat(policy.shouldRetry(exchange)).isFalse();
    }

    // ---------------------------------------------------------------- process (onExceptionOccurred)

    @Test
    void processMakesTheRowWaitForRetryAfterAndCamelRedeliverAtOnce() {
        Exchange exchange = exchange(1, new DeleteFailedException(Outcome.RATE_LIMITED, 429, "slow", 5000L));
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 99_999_999L); // as a message could forge it
        policy.process(exchange);
        assertThat(waitBeforeNext(exchange)).isBetween(4900L, 5000L);
        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY, Long.class)).isZero();
    }

    @Test
    void processCapsRetryAfter() {
        Exchange exchange = exchange(1, new DeleteFailedException(Outcome.SERVER_ERROR, 503, "busy", 3_600_000L));
        policy.process(exchange);
        assertThat(waitBeforeNext(exchange)).isBetween(59_900L, 60_000L);
    }

    @Test
    void processUsesBackoffForTheNextAttempt() {
        Exchange exchange = exchange(2, failed(Outcome.NETWORK, null));
        policy.process(exchange);
        // two attempts done: the coming one is attempt 3
        assertThat(waitBeforeNext(exchange)).isBetween(1900L, 2500L);
    }

    @Test
    void processLeavesNonRetryableFailuresAlone() {
        Exchange exchange = exchange(1, failed(Outcome.REJECTED, 5000L));
        policy.process(exchange);
        assertThat(RowContext.of(exchange).notBefore()).isZero();
        assertThat(policy.shouldRetry(exchange)).isFalse();

        Exchange exhausted = exchange(5, failed(Outcome.SERVER_ERROR, 5000L));
        policy.process(exhausted);
        assertThat(RowContext.of(exhausted).notBefore()).isZero();
        assertThat(policy.shouldRetry(exhausted)).as("out of attempts: dead-lettered, outage pause or not").isFalse();
    }
}
