package dev.purge.extracta.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.run.UnreadableFileException;
import dev.purge.extracta.secret.SecretRedactor;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the dead-letter record of a failed exchange from the row as read (its {@link RowContext}, never the mutated
 * body) and the exception that ended it, as one JSON line addressed to {@code <source>.jsonl}.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Values longer than this are cut in records: a 10,000-character "ID" is evidence, not something to replay. */
    public static final int MAX_VALUE_LENGTH = 1024;

    private StateWrites stateWrites = new StateWrites();

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    /** Replaces the body with the record's JSON line and sets the target file name. */
    public void toRecord(Exchange exchange) throws JsonProcessingException {
        DeadLetterRecord record = recordOf(exchange);
        RowContext row = RowContext.find(exchange);
        if (row != null) {
            row.outcome(record.reason(), record.message());
        } else {
            FileRun.of(exchange).wholeFailure(record.message()); // an unreadable file or message
        }
        LOG.warn("Dead letter: {} line {}: {}{}: {}", record.source(), record.line() == null ? "-" : record.line(),
                record.reason(), record.httpStatus() == null ? "" : " (HTTP " + record.httpStatus() + ")",
                record.message());
        exchange.getMessage().setHeader(Exchange.FILE_NAME, record.source() + ".jsonl");
        exchange.getMessage().setBody(MAPPER.writeValueAsString(record) + "\n");
    }

    /**
     * Holds the record (the body {@link #toRecord} made) on its queue message's run, to be sent by the message's
     * consumer thread in the message's transaction once every request has its outcome ({@link #takeHeld}).
     */
    public void hold(Exchange exchange) {
        RowContext row = RowContext.find(exchange);
        FileRun.of(exchange).holdDeadLetter(row == null ? null : row.request().line(),
                exchange.getMessage().getBody(String.class));
    }

    /** The records held for the exchange's queue message, in line order; none are held after. */
    public List<String> takeHeld(Exchange exchange) {
        return FileRun.of(exchange).takeHeldDeadLetters();
    }

    /** The dead-letter endpoint (a queue) took a record: dead letters are healthy again if they were not. */
    public void endpointAccepted() {
        stateWrites.succeeded(StateWrites.Kind.DEAD_LETTER);
    }

    /** The dead-letter endpoint (a queue) refused the record: see {@link #writeFailed(Exchange, Object, Throwable, StateWrites)}. */
    public void endpointRefused(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // wrappers such as Spring's UncategorizedJmsException say nothing: name the root cause too
        Exception why = new Exception(Failures.oneLine(cause) + (root == cause ? "" : " (" + Failures.oneLine(root)
                + ")"));
        writeFailed(exchange, FileRun.of(exchange).getDeadLetterUri(), why,
                stateWrites);
    }

    /**
     * A record could not be written: it is logged whole, so it is not lost, and the request is not final: its file
     * stays in the inbox (its message is rolled back) and it is taken up again later, when records can be written.
     * Nothing is thrown: the error handling that called the dead-letter route would only log a second failure.
     */
    static void writeFailed(Exchange exchange, Object target, Throwable e, StateWrites stateWrites) {
        FileRun run = exchange.getProperty(FileRun.PROPERTY, FileRun.class);
        String record = exchange.getMessage().getBody(String.class);
        stateWrites.failed(StateWrites.Kind.DEAD_LETTER, target, e, "the request is not final: "
                + (run != null && run.isMessage() ? "its message is rolled back" : "its file stays in the inbox")
                + " and it is taken up again later. Record: " + (record == null ? "" : record.strip()));
        if (run != null) {
            run.interrupt(FileRun.Stop.STATE_WRITE, "stopped: cannot write a dead-letter record ("
                    + Failures.oneLine(e) + ")");
        }
        RowContext row = RowContext.find(exchange);
        if (row != null) {
            row.recordNotWritten();
            if (run != null) {
                run.rowStopped();
            }
        }
    }

    static DeadLetterRecord recordOf(Exchange exchange) {
        Throwable e = Failures.caught(exchange);
        Outcome reason = Failures.outcomeOf(e);
        Throwable explaining = Failures.explaining(e);
        Integer httpStatus = explaining instanceof DeleteFailedException failed ? failed.getHttpStatus() : null;
        RowContext row = RowContext.find(exchange);
        String source;
        Long line;
        String classificationId = null;
        String batchId = null;
        String raw = null;
        Boolean mayHaveBeenDeleted = null;
        if (row != null) {
            DeleteBatchRequest request = row.request();
            source = request.source();
            line = request.line();
            classificationId = cut(request.classificationId());
            batchId = cut(request.batchId());
            raw = cut(row.raw());
            if (row.mayHaveBeenApplied()) {
                mayHaveBeenDeleted = true; // for the operator: a replay reads a 404 as ALREADY_ABSENT
            }
        } else {
            FileRun run = FileRun.of(exchange);
            source = run.source();
            line = explaining instanceof UnreadableFileException unreadable ? unreadable.getLine() : null;
        }
        return new DeadLetterRecord(classificationId, batchId, source, line, reason, httpStatus, Failures.describe(e),
                row == null ? 0 : row.attempts(),
                row == null ? null : text(row.firstAttemptAt()),
                row == null ? null : text(row.lastAttemptAt()), mayHaveBeenDeleted, raw);
    }

    /**
     * Redacted, then cut: cut first, a secret across the cut would keep its first part. The value may itself be the
     * head of a longer line, cut before it got here: a secret's beginning at its end is masked too.
     */
    private static String cut(String value) {
        String redacted = SecretRedactor.redactTruncated(value);
        if (redacted == null || redacted.length() <= MAX_VALUE_LENGTH) {
            return redacted;
        }
        // every whole secret is masked already: the cut cannot leave a part of one
        return redacted.substring(0, MAX_VALUE_LENGTH) + "…(" + value.length() + " characters)";
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
