package dev.purge.extracta;

import java.io.IOException;
import org.apache.camel.Exchange;

/**
 * First step for every row: makes its {@link RowContext} (the only place the rest of the pipeline reads the row from)
 * and stops invalid rows before any call is made; and the last step before each attempt leaves: on disk first, then
 * counted, then the body rebuilt from the request as read.
 */
public class RowGate {

    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();
    private StateWrites stateWrites = new StateWrites();

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    /** Admits a row. Throws {@link DeleteFailedException} with {@link Outcome#INVALID_INPUT} for an invalid one. */
    public void admit(Exchange exchange) throws DeleteFailedException {
        RequestRow row = exchange.getMessage().getBody(RequestRow.class);
        if (row == null) {
            throw new IllegalArgumentException("the row route expects a RequestRow body");
        }
        FileRun run = FileRunTracker.fileRun(exchange);
        RowContext context = new RowContext(row, run);
        // sent by an earlier run of this file without an answer: a 404 then means it is already gone
        context.appliedEarlierMaybe(run.attemptedEarlier(row.request().line()));
        exchange.setProperty(RowContext.PROPERTY, context);
        if (!row.valid()) {
            throw DeleteFailedException.invalidInput(row.problem());
        }
    }

    /** Whether the row's pair appeared earlier in the same file (or message): it is counted, not sent. */
    public boolean isDuplicate(Exchange exchange) {
        return RowContext.of(exchange).duplicate();
    }

    /** The request as the JSON-ready body {"classificationId":…,"batchId":…}, from the request as read. */
    public void requestBody(Exchange exchange) {
        exchange.getMessage().setBody(RowContext.of(exchange).request().body());
    }

    /** Starts one attempt: on disk before it leaves (files), counted, and the body rebuilt from the request. */
    public void beginAttempt(Exchange exchange) throws StateWriteException {
        RowContext row = RowContext.of(exchange);
        FileRun run = row.run();
        try {
            run.attempted(row.request().line());
        } catch (IOException e) {
            stateWrites.failed(StateWrites.Kind.JOURNAL, run.journal().path(), e, run.source()
                    + " stops here (nothing more of it is sent) and is taken up again later");
            throw new StateWriteException("cannot write the progress journal of " + run.source() + ": "
                    + Failures.oneLine(e), e);
        }
        row.attemptStarted();
        metrics.attemptStarted();
        exchange.getMessage().setBody(row.request().body());
    }
}
