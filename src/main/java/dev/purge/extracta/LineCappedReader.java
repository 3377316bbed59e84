package dev.purge.extracta;

import java.io.IOException;
import java.io.Reader;

/**
 * Hands out text at most one line at a time and refuses a line longer than {@code maxLength} characters: the read that
 * would go past the cap throws {@link LineTooLongException} (naming the line and keeping its first characters), and
 * the rest of that line is then skipped unread, so memory is bounded by the cap, never by the line. The next read
 * starts at the next line. Line breaks are LF, CRLF or a lone CR, counted as the CSV parser counts them. Because no
 * read crosses a line break, a parser reading through it never holds text of an earlier line when the cap is hit.
 */
final class LineCappedReader extends Reader {

    /** Characters of a refused line kept for its dead-letter record. */
    static final int HEAD_LENGTH = 1024;

    private final Reader in;
    private final int maxLength;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private boolean eof;
    /** Physical line of the next character handed out (1-based). */
    private long line = 1;
    private int lineLength;
    private boolean afterCr;
    private boolean skipping;
    private final StringBuilder head = new StringBuilder();

    LineCappedReader(Reader in, int maxLength) {
        this.in = in;
        this.maxLength = maxLength;
    }

    /** The line the next character belongs to. */
    long line() {
        return line;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (skipping) {
            skipRestOfLine();
        }
        int n = 0;
        while (n < len) {
            if (!fill()) {
                return n == 0 ? -1 : n;
            }
            char c = buffer[position];
            if (c == '\n') {
                position++;
                cbuf[off + n++] = c;
                if (!afterCr) {
                    endLine();
                }
                afterCr = false;
                return n;
            }
            if (c == '\r') {
                position++;
                cbuf[off + n++] = c;
                endLine();
                afterCr = true;
                return n;
            }
            afterCr = false;
            if (lineLength >= maxLength) {
                if (n > 0) {
                    return n; // hand out what fits; the next read refuses the line
                }
                skipping = true;
                throw new LineTooLongException(line, maxLength, head.toString());
            }
            position++;
            cbuf[off + n++] = c;
            lineLength++;
            if (head.length() < HEAD_LENGTH) {
                head.append(c);
            }
        }
        return n;
    }

    /**
     * The next line without its line break, or null at the end of the text. A line longer than the cap throws
     * {@link LineTooLongException}; the following call returns the line after it.
     */
    String readLine() throws IOException {
        StringBuilder text = new StringBuilder();
        char[] chunk = new char[1024];
        boolean any = false;
        while (true) {
            if (afterCr && fill() && buffer[position] == '\n') {
                position++; // the LF of a CRLF that ended the previous line
                afterCr = false;
            }
            int n = read(chunk, 0, chunk.length);
            if (n < 0) {
                return any ? text.toString() : null;
            }
            any = true;
            char last = chunk[n - 1];
            if (last == '\n' || last == '\r') {
                return text.append(chunk, 0, n - 1).toString();
            }
            text.append(chunk, 0, n);
        }
    }

    private void skipRestOfLine() throws IOException {
        while (fill()) {
            char c = buffer[position++];
            if (c == '\n') {
                endLine();
                break;
            }
            if (c == '\r') {
                endLine();
                if (fill() && buffer[position] == '\n') {
                    position++;
                }
                break;
            }
        }
        skipping = false;
        afterCr = false;
    }

    private void endLine() {
        line++;
        lineLength = 0;
        head.setLength(0);
    }

    private boolean fill() throws IOException {
        if (position < limit) {
            return true;
        }
        if (eof) {
            return false;
        }
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A line longer than the cap: refused as that line's error; reading goes on at the next line. */
    static final class LineTooLongException extends IOException {

        private final long line;
        private final String head;

        LineTooLongException(long line, int maxLength, String head) {
            super("line " + line + " is longer than " + maxLength + " characters (extracta.input.max-line-length)");
            this.line = line;
            this.head = head;
        }

        long line() {
            return line;
        }

        /** The first characters of the line. */
        String head() {
            return head;
        }
    }
}
