package dev.purge.extracta;

import java.time.Instant;

/** How often, and when, one request was sent. Lives in an exchange property, so it survives redeliveries. */
public final class AttemptLog {

    public static final String PROPERTY = "extractaAttempts";

    private int attempts;
    private int unanswered;
    private Instant firstAttemptAt;
    private Instant lastAttemptAt;

    synchronized void begin() {
        attempts++;
        lastAttemptAt = Instant.now();
        if (firstAttemptAt == null) {
            firstAttemptAt = lastAttemptAt;
        }
    }

    /** An attempt got no answer (refused, reset, timeout): the API may have deleted the batch all the same. */
    synchronized void unanswered() {
        unanswered++;
    }

    public synchronized boolean hadUnansweredAttempt() {
        return unanswered > 0;
    }

    public synchronized int attempts() {
        return attempts;
    }

    public synchronized Instant firstAttemptAt() {
        return firstAttemptAt;
    }

    public synchronized Instant lastAttemptAt() {
        return lastAttemptAt;
    }
}
