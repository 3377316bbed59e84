package dev.purge.extracta.ingest;

import java.io.IOException;
import java.io.Reader;

/**
 * Hands out text at most one line at a time and refuses a line longer than {@code maxLength} characters: the read that
 * would go past the cap throws {@link LineTooLongException} (naming the line and keeping its first characters), and
 * the rest of that line is then skipped unread, so memory is bounded by the cap, never by the line. Line breaks are
 * LF, CRLF or a lone CR, counted as the CSV parser counts them. Because no read crosses a line break, a parser reading
 * through it never holds text of an earlier line when the cap is hit.
 * <p>
 * For CSV ({@link #forCsv}) it also follows RFC 4180 quotes as Commons CSV reads them (a quote opens a quoted value
 * only at the start of a value, {@code ""} inside one is a quote): a line break inside a quoted value does not end
 * the record, so after a line that is too long the rest of the whole record is skipped, never read as records of
 * its own.
 */
final class LineCappedReader extends Reader {

    /** Characters of a refused line kept for its dead-letter record. */
    static final int HEAD_LENGTH = 1024;
    private static final char QUOTE = '"';

    private final Reader in;
    private final int maxLength;
    /** The CSV delimiter, or 0 when the text is not CSV (no quotes are followed). */
    private final char delimiter;
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
    // the quotes of the CSV record being read
    private boolean atValueStart = true;
    private boolean inQuotes;
    private boolean quoteInQuotes;
    /** The last skip reached the end of the text inside a quoted value that never closed. */
    private boolean openQuoteAtEnd;

    LineCappedReader(Reader in, int maxLength) {
        this(in, maxLength, (char) 0);
    }

    private LineCappedReader(Reader in, int maxLength, char delimiter) {
        this.in = in;
        this.maxLength = maxLength;
        this.delimiter = delimiter;
    }

    /** A reader for CSV text with this delimiter: a record is skipped whole, quoted line breaks included. */
    static LineCappedReader forCsv(Reader in, int maxLength, char delimiter) {
        return new LineCappedReader(in, maxLength, delimiter);
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
            skipRestOfRecord();
        }
        int n = 0;
        while (n < len) {
            if (!fill()) {
                return n == 0 ? -1 : n;
            }
            char c = buffer[position];
            if (c == '\n' || c == '\r') {
                position++;
                cbuf[off + n++] = c;
                lineBreak(c);
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
            follow(c);
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

    /**
     * Skips what is left of the record of the line that was too long: the rest of that line, and for CSV, should the
     * line end inside a quoted value, every line up to the end of that value's line. Returns the line the next record
     * starts on.
     */
    long skipRestOfRecord() throws IOException {
        if (!skipping) {
            return line;
        }
        while (fill()) {
            char c = buffer[position++];
            if (c == '\n' || c == '\r') {
                lineBreak(c);
                if (!inQuotes) {
                    if (c == '\r' && fill() && buffer[position] == '\n') {
                        position++;
                        afterCr = false;
                    }
                    break;
                }
            } else {
                afterCr = false;
                follow(c);
            }
        }
        skipping = false;
        afterCr = false;
        openQuoteAtEnd = inQuotes && !quoteInQuotes;
        inQuotes = false;
        quoteInQuotes = false;
        atValueStart = true;
        lineLength = 0;
        head.setLength(0);
        return line;
    }

    /** Whether the last {@link #skipRestOfRecord} ran to the end of the text inside a quoted value never closed. */
    boolean endedInsideQuotes() {
        return openQuoteAtEnd;
    }

    private void lineBreak(char c) {
        if (c == '\n' && afterCr) {
            afterCr = false; // the LF of a CRLF: the line was counted at its CR
            return;
        }
        line++;
        lineLength = 0;
        head.setLength(0);
        afterCr = c == '\r';
        if (delimiter != 0) {
            if (quoteInQuotes) {
                quoteInQuotes = false; // the quote before it closed the value
                inQuotes = false;
            }
            if (!inQuotes) {
                atValueStart = true;
            }
        }
    }

    /** Follows RFC 4180 quotes as Commons CSV reads them (with surrounding spaces ignored). */
    private void follow(char c) {
        if (delimiter == 0) {
            return;
        }
        if (inQuotes) {
            if (quoteInQuotes) {
                quoteInQuotes = false;
                if (c == QUOTE) {
                    return; // "" is a quote inside the value
                }
                inQuotes = false; // the value ended at the quote before
            } else {
                if (c == QUOTE) {
                    quoteInQuotes = true;
                }
                return;
            }
        }
        if (c == delimiter) {
            atValueStart = true;
        } else if (c == QUOTE && atValueStart) {
            inQuotes = true;
            atValueStart = false;
        } else if (!(atValueStart && (c == ' ' || c == '\t'))) {
            atValueStart = false;
        }
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
