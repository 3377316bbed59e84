package dev.purge.extracta.run;

/**
 * One of the application's own writes (a journal line, a dead-letter record, a report) failed: the row or file it
 * was for is not taken as done. It stays where it is and is taken up again later; {@link StateWrites} has said why.
 */
public class StateWriteException extends Exception {

    public StateWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
