package dev.purge.extracta.run;

/**
 * The deleted-pairs repository (a database, a local file) failed: whether the pair is gone, or claimed, is unknown.
 * The request is left as it is, not final and not dead-lettered: a queue message is rolled back for redelivery, a
 * file stays in the inbox and resumes.
 */
public class LedgerUnavailableException extends Exception {

    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
