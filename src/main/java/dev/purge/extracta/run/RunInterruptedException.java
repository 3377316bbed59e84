package dev.purge.extracta.run;

/** A file whose processing was stopped by a shutdown: it stays in the inbox and resumes at the next start. */
public class RunInterruptedException extends Exception {

    public RunInterruptedException(String message) {
        super(message, null, false, false);
    }
}
