package dev.purge.extracta.run;

/**
 * Nothing to do with this file now: it may still be being written (its last line has no line break yet), or it is
 * finished and only waits to be moved out of the inbox. It is left alone, without a report, and looked at later.
 */
public class FileSetAsideException extends Exception {

    public FileSetAsideException(String message) {
        super(message, null, false, false);
    }
}
