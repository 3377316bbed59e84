package dev.purge.extracta.run;

/** A queue message (or direct call) whose body cannot be read as requests at all: a poison message. */
public class UnreadableMessageException extends UnreadableFileException {

    public UnreadableMessageException(String reason) {
        super(reason, null);
    }
}
