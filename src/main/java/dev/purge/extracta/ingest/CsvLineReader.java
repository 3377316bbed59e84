package dev.purge.extracta.ingest;

import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams the non-blank records of a CSV file with Commons CSV (RFC 4180 quotes, LF or CRLF, BOM skipped, values
 * trimmed), with the line each record starts on. The delimiter, {@code ,} or {@code ;}, is detected from the first
 * non-blank line. A record holding a line longer than the cap is handed out as unreadable, and reading goes on with
 * a fresh parser at the next record (Commons CSV has no length limit of its own: the cap sits in the reader under it).
 */
final class CsvLineReader implements Closeable {

    /** Default cap on one line, in characters (extracta.input.max-line-length). */
    static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    private final LineCappedReader text;
    private final CSVFormat format;
    private final Closeable owned;
    private CSVParser parser;
    private Iterator<CSVRecord> records;
    /** Lines before the current parser's first line (it restarts after a line that was too long). */
    private long lineOffset;

    /** The records of a pinned file, as it was when taken. */
    CsvLineReader(InboxFile file, LongConsumer bytesRead, int maxLineLength) throws IOException {
        this(TextFiles.open(file, bytesRead), detectDelimiter(file, maxLineLength), maxLineLength, null);
    }

    /** The records of a file on its own (tests, tools), with the default cap. */
    CsvLineReader(Path file, LongConsumer bytesRead) throws IOException {
        this(openPinned(file), bytesRead);
    }

    private CsvLineReader(InboxFile pinned, LongConsumer bytesRead) throws IOException {
        this(TextFiles.open(pinned, bytesRead), detectDelimiter(pinned, DEFAULT_MAX_LINE_LENGTH),
                DEFAULT_MAX_LINE_LENGTH, pinned);
    }

    /** CSV text already in memory, such as a message body. */
    static CsvLineReader forText(String text, int maxLineLength) throws IOException {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        return new CsvLineReader(new StringReader(body), delimiterOf(firstNonBlankLine(new StringReader(body),
                maxLineLength)), maxLineLength, null);
    }

    private CsvLineReader(Reader reader, char delimiter, int maxLineLength, Closeable owned) throws IOException {
        this.text = LineCappedReader.forCsv(reader, maxLineLength, delimiter);
        this.owned = owned;
        this.format = CSVFormat.RFC4180.builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(false) // we skip blank lines ourselves so line numbers stay exact
                .setIgnoreSurroundingSpaces(true)
                .get(); // values are stripped of whitespace below; control characters are kept, so they are refused
        try {
            startParser();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static InboxFile openPinned(Path file) throws IOException {
        try {
            return InboxFile.open(file);
        } catch (UnreadableFileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private void startParser() throws IOException {
        parser = CSVParser.builder().setReader(text).setFormat(format).get();
        records = parser.iterator();
    }

    /** Returns the next non-blank record (or a line too long to read), or null at the end of the file. */
    CsvLine next() throws IOException, UnreadableFileException {
        while (true) {
            long line = lineOffset + parser.getCurrentLineNumber() + 1;
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof LineCappedReader.LineTooLongException tooLong) {
                    // the rest of the record is skipped unread (a quoted value may span lines: text inside it is
                    // never read as records); a fresh parser starts on the next record
                    try {
                        lineOffset = text.skipRestOfRecord() - 1;
                        if (text.endedInsideQuotes()) {
                            // as the parser itself refuses it: the rest of the file is one value that never ends
                            throw new UnreadableFileException("malformed CSV: the record that starts on line " + line
                                    + " opens a quoted value that is never closed (and line " + tooLong.line()
                                    + " in it is longer than the cap)", line);
                        }
                        startParser();
                    } catch (IOException restart) {
                        throw new UnreadableFileException("cannot read on after line " + tooLong.line() + ": "
                                + restart.getMessage(), tooLong.line());
                    }
                    return CsvLine.tooLong(line, tooLong);
                }
                if (cause instanceof IOException io && !(cause instanceof CSVException)) {
                    throw io; // the file could not be read (or changed under us): not a fault of its text
                }
                throw new UnreadableFileException("malformed CSV: " + cause.getMessage(), line);
            }
            List<String> values = new ArrayList<>(record.size());
            boolean blank = true;
            for (String value : record) {
                String trimmed = value == null ? "" : value.strip();
                values.add(trimmed);
                if (!TextFiles.isBlank(trimmed)) {
                    blank = false;
                }
            }
            if (!blank) {
                return new CsvLine(line, values);
            }
        }
    }

    /** The record as one CSV line again (for a dead-letter record of a row that could not be used). */
    String format(List<String> values) {
        return format.format(values.toArray());
    }

    @Override
    public void close() throws IOException {
        try {
            text.close();
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }

    /** {@code ;} when the first non-blank line has more semicolons than commas outside quotes, else {@code ,}. */
    static char detectDelimiter(InboxFile file, int maxLineLength) throws IOException {
        try (Reader reader = TextFiles.open(file, n -> { })) {
            return delimiterOf(firstNonBlankLine(reader, maxLineLength));
        }
    }

    /** As {@link #detectDelimiter(InboxFile, int)}, for a file on its own (tests, tools). */
    static char detectDelimiter(Path file) throws IOException {
        try (InboxFile pinned = openPinned(file)) {
            return detectDelimiter(pinned, DEFAULT_MAX_LINE_LENGTH);
        }
    }

    /** The first non-blank line, or "" when there is none or it is longer than the cap. */
    private static String firstNonBlankLine(Reader reader, int maxLineLength) throws IOException {
        LineCappedReader lines = new LineCappedReader(reader, maxLineLength);
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!TextFiles.isBlank(line)) {
                    return line;
                }
            }
        } catch (LineCappedReader.LineTooLongException e) {
            return ""; // no layout can be read from it: the first record is refused with the reason
        }
        return "";
    }

    private static char delimiterOf(String line) {
        int commas = 0;
        int semicolons = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == ',') {
                commas++;
            } else if (!quoted && c == ';') {
                semicolons++;
            }
        }
        return semicolons > commas ? ';' : ',';
    }
}
