package dev.purge.extracta.request;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One line of a dry-run plan: the exact request a valid row would have sent. */
@JsonPropertyOrder({"line", "method", "url", "body"})
public record DryRunPlanEntry(long line, String method, String url, DeleteBatchBody body) {
}
