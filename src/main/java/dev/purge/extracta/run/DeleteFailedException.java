package dev.purge.extracta.run;

/**
 * A delete request that did not end as {@link Outcome#DELETED}. Carries the outcome, the HTTP status when there was a
 * response, the API's message and the server's {@code Retry-After} wish. Never carries request headers.
 */
public class DeleteFailedException extends Exception {

    private final Outcome outcome;
    private final Integer httpStatus;
    private final Long retryAfterMillis;

    public DeleteFailedException(Outcome outcome, Integer httpStatus, String message, Long retryAfterMillis) {
        super(message, null, false, false);
        this.outcome = outcome;
        this.httpStatus = httpStatus;
        this.retryAfterMillis = retryAfterMillis;
    }

    public static DeleteFailedException invalidInput(String problem) {
        return new DeleteFailedException(Outcome.INVALID_INPUT, null, problem, null);
    }

    public Outcome getOutcome() {
        return outcome;
    }

    public Integer getHttpStatus() {
        return httpStatus;
    }

    /** Delay the server asked for before the next attempt, or null when it did not say. */
    public Long getRetryAfterMillis() {
        return retryAfterMillis;
    }
}
