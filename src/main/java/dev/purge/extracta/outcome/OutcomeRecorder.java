package dev.purge.extracta.outcome;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.OutageBreaker;
import dev.purge.extracta.health.PurgeMetrics;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.DryRunPlanEntry;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.DeliveryLostException;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RequestResult;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.run.RowSteps;
import dev.purge.extracta.run.StateWriteException;
import dev.purge.extracta.run.StoppingException;
import dev.purge.extracta.secret.SecretRedactor;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a row's record: opens its {@link RowContext} when the row enters (whatever a caller or a
 * message put on the exchange is never read in its place), writes its journal lines (an attempt before it leaves, the
 * final outcome), and records its final outcome once: the run's counters, the metrics, the outage breaker, the answer
 * of a message. Routes call it at the row's start, before each attempt and at its end; nothing else writes these.
 */
public class OutcomeRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);
    private static final ObjectMapper LINE_MAPPER = new ObjectMapper();

    private OutageBreaker outageBreaker;
    private StateWrites stateWrites = new StateWrites();
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();
    private FileReports reports = new FileReports(Path.of("data", "reports"));
    private String deleteUrl = "";
    private boolean dryRun;

    // ---- the row route's steps, called directly (process: ref / the ref language) rather than through bean binding

    public static Processor admitStep(OutcomeRecorder recorder) {
        return RowSteps.step(recorder::admit);
    }

    public static Predicate duplicateCheck(OutcomeRecorder recorder) {
        return RowSteps.check(recorder::isDuplicate);
    }

    public static Processor attemptLeavesStep(OutcomeRecorder recorder) {
        return RowSteps.step(recorder::attemptLeaves);
    }

    public static Processor deletedStep(OutcomeRecorder recorder) {
        return RowSteps.step(recorder::deleted);
    }

    // ---- a row enters ---------------------------------------------------------------------------------------------

    /** Admits a row. Throws {@link DeleteFailedException} with {@link Outcome#INVALID_INPUT} for an invalid one. */
    public void admit(Exchange exchange) throws DeleteFailedException {
        RequestRow row = exchange.getMessage().getBody(RequestRow.class);
        if (row == null) {
            throw new IllegalArgumentException("the row route expects a RequestRow body");
        }
        FileRun run = FileRun.of(exchange);
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
    public void attemptLeaves(Exchange exchange) throws StateWriteException {
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

    // ---- a row ends -----------------------------------------------------------------------------------------------

    /** DELETED, or ALREADY_ABSENT when the classifier said so. */
    public void deleted(Exchange exchange) {
        RowContext row = RowContext.of(exchange);
        finalOutcome(exchange, row.outcome() == Outcome.ALREADY_ABSENT ? Outcome.ALREADY_ABSENT : Outcome.DELETED);
    }

    public void duplicate(Exchange exchange) {
        finalOutcome(exchange, Outcome.DUPLICATE);
    }

    public void enqueued(Exchange exchange) {
        finalOutcome(exchange, Outcome.ENQUEUED);
    }

    public void skippedAlreadyDeleted(Exchange exchange) {
        finalOutcome(exchange, Outcome.SKIPPED_ALREADY_DELETED);
    }

    /**
     * A row stopped by a halt, a shutdown, a lost queue delivery, or a failure that is not the row's (the deleted-pairs
     * repository, a write of ours): not final, not dead-lettered; its file stays in the inbox, its message is rolled
     * back, and no further row of either starts.
     */
    public void interrupted(Exchange exchange) {
        FileRun run = FileRun.of(exchange);
        Throwable e = Failures.caught(exchange);
        FileRun.Stop stop = FileRun.stopOf(e, StoppingException.isStopping(exchange.getContext()));
        if (stop == null) {
            stop = Failures.find(e, DeliveryLostException.class) != null ? FileRun.Stop.DELIVERY_LOST
                    : FileRun.Stop.SHUTDOWN;
        }
        if (!run.interrupted() && (stop == FileRun.Stop.LEDGER || stop == FileRun.Stop.DELIVERY_LOST)) {
            LOG.warn("{}: {}; no further request of it starts, and it is taken up again later", run.source(),
                    SecretRedactor.redact(Failures.describe(e)));
        }
        run.interrupt(stop, FileRun.describeStop(stop, e));
        run.rowStopped();
        metrics.requestStopped(exchange);
    }

    /** Counts a dead-lettered request (or file) once its record is written, and remembers where the record went. */
    public void deadLettered(Exchange exchange) {
        FileRun run = FileRun.of(exchange);
        RowContext row = RowContext.find(exchange);
        if (row != null && !row.recordWritten()) {
            metrics.requestStopped(exchange);
            return; // not final: stopped when its record failed, taken up again later
        }
        if (row == null && run.stop() == FileRun.Stop.STATE_WRITE) {
            return; // the record of a whole file or message was not written: nothing is final
        }
        metrics.deadLettered();
        finalOutcome(exchange, deadLetterReason(run, row));
        if (!dryRun && !run.isMessage()) {
            run.deadLetterTarget(deadLetterTarget(run)); // shown in the file's report
        }
    }

    /** Dry-run: writes what would be sent for a valid row to the plan file. */
    public void wouldDelete(Exchange exchange) throws IOException {
        FileRun run = FileRun.of(exchange);
        DeleteBatchRequest request = RowContext.of(exchange).request();
        run.appendToDryRunPlan(reports.planFile(run), LINE_MAPPER.writeValueAsString(
                new DryRunPlanEntry(request.line(), "DELETE", deleteUrl, request.body())));
        finalOutcome(exchange, Outcome.WOULD_DELETE);
    }

    /** Dry-run: writes the dead-letter record a row would have produced to the plan file, instead of dead-lettering. */
    public void wouldDeadLetter(Exchange exchange) throws IOException {
        FileRun run = FileRun.of(exchange);
        run.appendToDryRunPlan(reports.planFile(run), exchange.getMessage().getBody(String.class).strip());
        finalOutcome(exchange, deadLetterReason(run, RowContext.find(exchange)));
    }

    private static Outcome deadLetterReason(FileRun run, RowContext row) {
        return row != null ? row.outcome() : run.isMessage() ? Outcome.UNREADABLE_MESSAGE : Outcome.UNREADABLE_FILE;
    }

    private void finalOutcome(Exchange exchange, Outcome outcome) {
        metrics.requestFinal(exchange, outcome);
        RowContext row = RowContext.find(exchange);
        if (outageBreaker != null && row != null && row.attempts() > 0) {
            outageBreaker.record(outcome);
        }
        FileRun run = FileRun.of(exchange);
        DeleteBatchRequest request = row == null ? null : row.request();
        String message = !outcome.isDeadLettered() ? null : row != null ? row.outcomeMessage() : run.wholeFailure();
        if (request == null) {
            run.increment(outcome); // a whole-file outcome, not a row
        } else {
            try {
                run.finalOutcome(request.line(), outcome);
                if (run.journal() != null) {
                    stateWrites.succeeded(StateWrites.Kind.JOURNAL);
                }
            } catch (IOException e) {
                // the outcome stands (a delete the API confirmed is never sent again in this run); the file stops
                // here and is read again later, when the journal can be written
                stateWrites.failed(StateWrites.Kind.JOURNAL, run.journal().path(), e, run.source() + " line "
                        + request.line() + " counts as " + outcome + "; no further row of the file starts, and it is "
                        + "taken up again later");
                run.interrupt(FileRun.Stop.STATE_WRITE, "stopped: cannot write its progress journal ("
                        + Failures.oneLine(e) + ")");
            }
        }
        if (run.isMessage()) {
            run.result(request == null ? new RequestResult(null, null, null, outcome, message)
                    : new RequestResult(request.classificationId(), request.batchId(), request.line(), outcome,
                            message));
        }
    }

    /** A readable address for a run's dead-letter records: the file path for a folder URI. */
    static String deadLetterTarget(FileRun run) {
        Path dir = StateWrites.folderOf(run.getDeadLetterUri());
        return dir == null ? run.getDeadLetterUri() : dir.resolve(run.source() + ".jsonl").toString();
    }

    public void setOutageBreaker(OutageBreaker outageBreaker) {
        this.outageBreaker = outageBreaker;
    }

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    public void setReportsDir(String reportsDir) {
        this.reports = new FileReports(Path.of(reportsDir));
    }

    public void setDeleteUrl(String deleteUrl) {
        this.deleteUrl = deleteUrl;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }
}
