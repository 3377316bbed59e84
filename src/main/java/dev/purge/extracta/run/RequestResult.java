package dev.purge.extracta.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The outcome of one request, as answered to a queue message's reply-to or to a direct call. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"classificationId", "batchId", "line", "outcome", "message"})
public record RequestResult(String classificationId, String batchId, Long line, Outcome outcome, String message) {
}
