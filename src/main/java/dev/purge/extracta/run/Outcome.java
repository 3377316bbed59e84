package dev.purge.extracta.run;

/**
 * The final outcome of one delete request (one CSV row or JSON line), or of a whole unreadable file.
 */
public enum Outcome {
    /** 2xx and JSON {@code status} = {@code success}. */
    DELETED(false, false),
    /** The same pair appeared earlier in the same file: it is deleted once, by the earlier row. */
    DUPLICATE(false, false),
    /** 404 for a request sent before (a retry, or a row re-sent after a crash): the earlier attempt deleted it. */
    ALREADY_ABSENT(false, false),
    /** The pair was deleted earlier (another file, an earlier run): not sent again. */
    SKIPPED_ALREADY_DELETED(false, false),
    /** Enqueue mode: the row was published to the queue, where a worker deletes it. */
    ENQUEUED(false, false),
    /** Dry-run only: the request is valid and would have been sent. */
    WOULD_DELETE(false, false),
    /** Rejected before any call: a missing, empty or malformed ID. */
    INVALID_INPUT(false, true),
    /** A 4xx other than 401 and 429: the API refused this request. */
    REJECTED(false, true),
    /** 401: the API key was refused. */
    UNAUTHORIZED(false, true),
    /** 429, still answered after every attempt. */
    RATE_LIMITED(true, true),
    /** 5xx, still answered after every attempt. */
    SERVER_ERROR(true, true),
    /** Connect refused, connection reset, timeout: still failing after every attempt. */
    NETWORK(true, true),
    /** 2xx whose body is not JSON or whose {@code status} is not {@code success}. */
    API_ERROR(false, true),
    /** The whole file could not be read as CSV or JSON lines; nothing from it was sent. */
    UNREADABLE_FILE(false, true),
    /** A queue message (or direct call) that cannot be read as requests at all; nothing from it was sent. */
    UNREADABLE_MESSAGE(false, true),
    /** An unexpected failure inside this application; the request was not confirmed as deleted. */
    INTERNAL_ERROR(false, true);

    private final boolean retryable;
    private final boolean deadLettered;

    Outcome(boolean retryable, boolean deadLettered) {
        this.retryable = retryable;
        this.deadLettered = deadLettered;
    }

    /** Whether another attempt may succeed (rate limit, server error, network). */
    public boolean isRetryable() {
        return retryable;
    }

    /** Whether a request ending with this outcome is written to the dead-letter channel. */
    public boolean isDeadLettered() {
        return deadLettered;
    }
}
