package dev.purge.extracta.request;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The JSON body of {@code DELETE /documentClassification/deleteBatch}: exactly these two fields, in this order. */
@JsonPropertyOrder({"classificationId", "batchId"})
public record DeleteBatchBody(String classificationId, String batchId) {
}
