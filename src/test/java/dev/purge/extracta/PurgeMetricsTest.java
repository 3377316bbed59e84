package dev.purge.extracta;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PurgeMetricsTest {

    private CamelContext context;

    @AfterEach
    void close() throws Exception {
        if (context != null) {
            context.close();
        }
    }

    private PurgeMetrics withRegistry(MeterRegistry registry) {
        context = new DefaultCamelContext();
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        PurgeMetrics metrics = new PurgeMetrics();
        metrics.setCamelContext(context);
        return metrics;
    }

    @Test
    void withoutCamelEveryCallDoesNothing() {
        PurgeMetrics metrics = new PurgeMetrics();
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        metrics.attemptStarted(exchange);
        metrics.attemptAnswered(exchange, 200);
        metrics.attemptUnanswered(exchange);
        metrics.requestFinal(exchange, Outcome.DELETED);
        metrics.requestStopped(exchange);
        metrics.retrying(Outcome.NETWORK);
        metrics.deadLettered();
        metrics.fileStarted(new FileRun("a.csv", Path.of("a.csv"), 10, false, null));
        assertThat(exchange.getProperties()).doesNotContainKey(PurgeMetrics.ATTEMPT_STARTED_PROPERTY);
        assertThat(metrics.rowsWaiting()).isZero();
    }

    @Test
    void attemptsAreTimedByAnswerAndCountedInFlightUntilTheirEnd() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PurgeMetrics metrics = withRegistry(registry);
        Exchange first = new DefaultExchange(context);
        Exchange second = new DefaultExchange(context);
        metrics.attemptStarted(first);
        metrics.attemptStarted(second);
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isEqualTo(2);

        metrics.attemptAnswered(first, 503);
        metrics.attemptUnanswered(second);
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isZero();
        assertThat(registry.get("extracta.delete.attempt").tag("answer", "5xx").timer().count()).isEqualTo(1);
        assertThat(registry.get("extracta.delete.attempt").tag("answer", "none").timer().count()).isEqualTo(1);
    }

    @Test
    void anAttemptLeftOpenByAnUnexpectedFailureEndsWithItsRequest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PurgeMetrics metrics = withRegistry(registry);
        Exchange exchange = new DefaultExchange(context);
        metrics.attemptStarted(exchange);
        metrics.attemptStarted(exchange); // the retry of an attempt that threw past the classifier
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isEqualTo(1);

        metrics.requestFinal(exchange, Outcome.INTERNAL_ERROR);
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isZero();
        assertThat(registry.get("extracta.requests").tag("outcome", "INTERNAL_ERROR").counter().count()).isEqualTo(1);
        assertThat(registry.get("extracta.requests").tag("outcome", "DELETED").counter().count()).isZero();
    }

    @Test
    void rowsWaitingAreEstimatedFromTheShareOfTheFileRead() {
        PurgeMetrics metrics = withRegistry(new SimpleMeterRegistry());
        FileRun run = new FileRun("big.csv", Path.of("big.csv"), 1000, false, null);
        metrics.fileStarted(run);
        for (int i = 0; i < 10; i++) {
            run.rowRead();
        }
        run.bytesRead(500);
        for (int i = 0; i < 3; i++) {
            run.finalOutcome(i + 2, Outcome.DELETED);
        }
        // half the bytes gave 10 rows: about 20 in all, 3 of them final
        assertThat(metrics.rowsWaiting()).isEqualTo(17);

        metrics.fileClosed(run);
        assertThat(metrics.rowsWaiting()).isZero();
    }
}
