package dev.purge.extracta.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    private static Exchange rowExchange(CamelContext camel) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RowContext.PROPERTY, new RowContext(new RequestRow(
                new DeleteBatchRequest("a.csv", 2, "c1", "b1"), null, false), FileRun.forMessage("m", false)));
        return exchange;
    }

    /** An attempt leaves, as OutcomeRecorder.attemptLeaves starts it. */
    private static void attemptStarted(PurgeMetrics metrics, Exchange exchange) {
        RowContext.of(exchange).attemptStarted();
        metrics.attemptStarted();
    }

    @Test
    void withoutCamelEveryCallDoesNothing() {
        PurgeMetrics metrics = new PurgeMetrics();
        Exchange exchange = rowExchange(new DefaultCamelContext());
        attemptStarted(metrics, exchange);
        metrics.attemptAnswered(RowContext.of(exchange), 200);
        metrics.attemptUnanswered(RowContext.of(exchange));
        metrics.requestFinal(exchange, Outcome.DELETED);
        metrics.requestStopped(exchange);
        metrics.retrying(Outcome.NETWORK);
        metrics.deadLettered();
        metrics.stateWriteFailed(StateWrites.Kind.JOURNAL);
        metrics.fileStarted(new FileRun("a.csv", Path.of("a.csv"), false));
        assertThat(metrics.rowsWaiting()).isZero();
    }

    @Test
    void attemptsAreTimedByAnswerAndCountedInFlightUntilTheirEnd() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PurgeMetrics metrics = withRegistry(registry);
        Exchange first = rowExchange(context);
        Exchange second = rowExchange(context);
        attemptStarted(metrics, first);
        attemptStarted(metrics, second);
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isEqualTo(2);

        metrics.attemptAnswered(RowContext.of(first), 503);
        metrics.attemptUnanswered(RowContext.of(second));
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isZero();
        assertThat(registry.get("extracta.delete.attempt").tag("answer", "5xx").timer().count()).isEqualTo(1);
        assertThat(registry.get("extracta.delete.attempt").tag("answer", "none").timer().count()).isEqualTo(1);
    }

    @Test
    void anAttemptLeftOpenByAnUnexpectedFailureEndsWithItsRequest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PurgeMetrics metrics = withRegistry(registry);
        Exchange exchange = rowExchange(context);
        attemptStarted(metrics, exchange); // an attempt that threw past the classifier: never answered
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isEqualTo(1);

        metrics.requestFinal(exchange, Outcome.INTERNAL_ERROR);
        assertThat(registry.get("extracta.requests.in.flight").gauge().value()).isZero();
        assertThat(registry.get("extracta.requests").tag("outcome", "INTERNAL_ERROR").counter().count()).isEqualTo(1);
        assertThat(registry.get("extracta.requests").tag("outcome", "DELETED").counter().count()).isZero();
    }

    @Test
    void rowsWaitingAreEstimatedFromTheShareOfTheFileRead(@TempDir Path dir) throws Exception {
        PurgeMetrics metrics = withRegistry(new SimpleMeterRegistry());
        Path file = Files.write(dir.resolve("big.csv"), new byte[1000]);
        FileRun run = new FileRun("big.csv", file, false);
        run.pin(InboxFile.open(file));
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
        run.file().close();
    }
}
