package dev.purge.extracta.run;

/** A dropped file that cannot be read as CSV or JSON lines at all; nothing from it is sent. */
public class UnreadableFileException extends Exception {

    private final Long line;

    /**
     * @param reason why the file cannot be read
     * @param line   1-based line where reading failed, or null when the failure is not tied to a line
     */
    public UnreadableFileException(String reason, Long line) {
        super(line == null ? reason : reason + " (line " + line + ")", null, false, false);
        this.line = line;
    }

    public Long getLine() {
        return line;
    }
}
