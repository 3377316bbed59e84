package dev.purge.extracta;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of a dead-letter file: the request as it was read, where it came from, and why it was not deleted.
 * A dead-letter file moved into the inbox is read back as JSON lines (only the two IDs are used), which is replay.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"classificationId", "batchId", "source", "line", "reason", "httpStatus", "message", "attempts",
        "firstAttemptAt", "lastAttemptAt"})
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
        String lastAttemptAt) {
}
