package dev.purge.extracta.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.purge.extracta.run.Outcome;

/**
 * One line of a dead-letter file: the request as it was read, where it came from, and why it was not deleted.
 * A dead-letter file moved into the inbox is read back as JSON lines (only the two IDs are used), which is replay.
 *
 * @param mayHaveBeenDeleted true when an attempt got no answer that proves it did nothing (a timeout, a reset, a 5xx):
 *                           the batch may be gone; a replay then reads a 404 as ALREADY_ABSENT (the deleted-pairs
 *                           repository remembers this, the field is for the operator)
 * @param raw                for a line that could not be used as a request, the line as read (cut to 1024
 *                           characters), so it can be fixed and replayed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"classificationId", "batchId", "source", "line", "reason", "httpStatus", "message", "attempts",
        "firstAttemptAt", "lastAttemptAt", "mayHaveBeenDeleted", "raw"})
public record DeadLetterRecord(
        String classificationId,
        String batchId,
        String source,
        Long line,
        Outcome reason,
        Integer httpStatus,
        String message,
        int attempts,
        String firstAttemptAt,
        String lastAttemptAt,
        Boolean mayHaveBeenDeleted,
        String raw) {
}
