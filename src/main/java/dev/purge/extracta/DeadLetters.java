package dev.purge.extracta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the dead-letter record of a failed exchange from the original request (an exchange property, never the
 * mutated body) and the exception that ended it, as one JSON line addressed to {@code <source>.jsonl}.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    public static final String OUTCOME_PROPERTY = "extractaOutcome";
    public static final String MESSAGE_PROPERTY = "extractaOutcomeMessage";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Values longer than this are cut in records: a 10,000-character "ID" is evidence, not something to replay. */
    private static final int MAX_VALUE_LENGTH = 1024;

    /** Replaces the body with the record's JSON line and sets the target file name. */
    public void toRecord(Exchange exchange) throws JsonProcessingException {
        DeadLetterRecord record = recordOf(exchange);
        exchange.setProperty(OUTCOME_PROPERTY, record.reason());
        exchange.setProperty(MESSAGE_PROPERTY, record.message());
        LOG.warn("Dead letter: {} line {}: {}{}: {}", record.source(), record.line() == null ? "-" : record.line(),
                record.reason(), record.httpStatus() == null ? "" : " (HTTP " + record.httpStatus() + ")",
                record.message());
        exchange.getMessage().setHeader(Exchange.FILE_NAME, record.source() + ".jsonl");
        exchange.getMessage().setBody(MAPPER.writeValueAsString(record) + "\n");
    }

    /** The dead-letter endpoint refused the record: log it whole so it is not lost, and fail the row. */
    public void writeFailed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // wrappers such as Spring's UncategorizedJmsException say nothing: name the root cause too
        String why = Failures.oneLine(cause) + (root == cause ? "" : " (" + Failures.oneLine(root) + ")");
        String record = exchange.getMessage().getBody(String.class);
        LOG.error("Could not write a dead-letter record ({}); its file goes to .failed, its queue message is rolled "
                + "back. Record: {}", why, record == null ? "" : record.strip());
        throw new IllegalStateException("could not write a dead-letter record: " + why);
    }

    static DeadLetterRecord recordOf(Exchange exchange) {
        Throwable e = Failures.caught(exchange);
        Outcome reason = Failures.outcomeOf(e);
        Throwable explaining = Failures.explaining(e);
        Integer httpStatus = explaining instanceof DeleteFailedException failed ? failed.getHttpStatus() : null;
        AttemptLog attempts = exchange.getProperty(AttemptLog.PROPERTY, AttemptLog.class);
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        String source;
        Long line;
        String classificationId = null;
        String batchId = null;
        if (request != null) {
            source = request.source();
            line = request.line();
            classificationId = cut(request.classificationId());
            batchId = cut(request.batchId());
        } else {
            FileRun run = FileRunTracker.fileRun(exchange);
            source = run.source();
            line = explaining instanceof UnreadableFileException unreadable ? unreadable.getLine() : null;
        }
        return new DeadLetterRecord(classificationId, batchId, source, line, reason, httpStatus, Failures.describe(e),
                attempts == null ? 0 : attempts.attempts(),
                attempts == null ? null : text(attempts.firstAttemptAt()),
                attempts == null ? null : text(attempts.lastAttemptAt()));
    }

    private static String cut(String value) {
        if (value == null || value.length() <= MAX_VALUE_LENGTH) {
            return SecretRedactor.redact(value);
        }
        return SecretRedactor.redact(value.substring(0, MAX_VALUE_LENGTH)) + "…(" + value.length() + " characters)";
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
