package dev.purge.extracta.request;

/**
 * One delete-batch request as read from its source, before validation: where it came from and the two IDs.
 * Immutable, so the dead-letter record is always built from what was read, never from a mutated exchange body.
 *
 * @param source           file name (or other source name) the request was read from
 * @param line             1-based line in the source where the request starts
 * @param classificationId the classification the batch belongs to, as read (trimmed), may be null
 * @param batchId          the batch to delete, as read (trimmed), may be null
 */
public record DeleteBatchRequest(String source, long line, String classificationId, String batchId) {

    /** The JSON body sent to the API for this request. */
    public DeleteBatchBody body() {
        return new DeleteBatchBody(classificationId, batchId);
    }

    /** The pair as one string: '/' never occurs in a valid ID, so ("a/b", "c") cannot be confused with ("a", "b/c"). */
    public String pairKey() {
        return pairKey(classificationId, batchId);
    }

    public static String pairKey(String classificationId, String batchId) {
        return classificationId + "/" + batchId;
    }
}
