package dev.purge.extracta;

/** A file that may still be being written (its last line has no line break yet): left in the inbox for later. */
public class FileNotReadyException extends Exception {

    public FileNotReadyException(String message) {
        super(message, null, false, false);
    }
}
