package dev.purge.extracta;

import org.apache.camel.Exchange;

/**
 * First step for every row: keeps the request as read in exchange properties, the only place the rest of the
 * pipeline reads it from, and stops invalid rows before any call is made.
 */
public class RowGate {

    public static final String REQUEST_PROPERTY = "extractaRequest";
    public static final String DUPLICATE_PROPERTY = "extractaDuplicate";
    private static final String SENT_EARLIER_PROPERTY = "extractaSentEarlier";

    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    /** Admits a row. Throws {@link DeleteFailedException} with {@link Outcome#INVALID_INPUT} for an invalid one. */
    public void admit(Exchange exchange) throws DeleteFailedException {
        RequestRow row = exchange.getMessage().getBody(RequestRow.class);
        if (row == null) {
            throw new IllegalArgumentException("the row route expects a RequestRow body");
        }
        exchange.setProperty(REQUEST_PROPERTY, row.request());
        exchange.setProperty(DUPLICATE_PROPERTY, row.duplicate());
        if (!row.valid()) {
            throw DeleteFailedException.invalidInput(row.problem());
        }
    }

    /**
     * Whether this request may have been carried out before the current attempt without our knowing: an earlier
     * attempt in this run got no answer (timeout, reset), or an earlier run sent it and stopped before an answer.
     * An attempt that got a definite answer (a 503, a 429, a 401) did not delete anything.
     */
    static boolean sentBefore(Exchange exchange) {
        AttemptLog log = exchange.getProperty(AttemptLog.PROPERTY, AttemptLog.class);
        if (log != null && log.hadUnansweredAttempt()) {
            return true;
        }
        return Boolean.TRUE.equals(exchange.getProperty(SENT_EARLIER_PROPERTY, Boolean.class));
    }

    /** The request as the JSON-ready body {"classificationId":…,"batchId":…}, from the original request. */
    public void requestBody(Exchange exchange) {
        DeleteBatchRequest request = exchange.getProperty(REQUEST_PROPERTY, DeleteBatchRequest.class);
        exchange.getMessage().setBody(request.body());
    }

    /** Starts one attempt: counts it and puts the JSON-ready body, rebuilt from the original request, in place. */
    public void beginAttempt(Exchange exchange) {
        AttemptLog log = exchange.getProperty(AttemptLog.PROPERTY, AttemptLog.class);
        if (log == null) {
            log = new AttemptLog();
            exchange.setProperty(AttemptLog.PROPERTY, log);
        }
        DeleteBatchRequest request = exchange.getProperty(REQUEST_PROPERTY, DeleteBatchRequest.class);
        FileRun run = exchange.getProperty(FileRunTracker.RUN_PROPERTY, FileRun.class);
        if (log.attempts() == 0 && run != null) {
            // sent by an earlier run of the file without an answer, or claimed by an earlier delivery of the message
            boolean earlier = run.attemptedEarlier(request.line())
                    || Boolean.TRUE.equals(exchange.getProperty(DeleteLedger.TOOK_OVER_PROPERTY, Boolean.class));
            exchange.setProperty(SENT_EARLIER_PROPERTY, earlier);
        }
        log.begin();
        if (run != null) {
            run.attempted(request.line()); // on disk before the request leaves (files)
        }
        metrics.attemptStarted(exchange);
        exchange.getMessage().setBody(request.body());
    }
}
