package dev.purge.extracta;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;

/**
 * Reads a dropped file in two streaming passes. {@link #inspect} checks the whole file first (UTF-8, no binary
 * content, CSV structure and layout) so an unreadable file is refused before any of its rows is sent; {@link #open}
 * then hands the rows, one at a time, to the splitter.
 */
public class RequestReader implements CamelContextAware {

    public static final String LAYOUT_PROPERTY = "extractaCsvLayout";

    private String defaultClassificationId;
    private CamelContext camelContext;
    private SendGate sendGate;

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setDefaultClassificationId(String defaultClassificationId) {
        this.defaultClassificationId = defaultClassificationId == null || defaultClassificationId.isBlank()
                ? null : defaultClassificationId.strip();
    }

    public String getDefaultClassificationId() {
        return defaultClassificationId;
    }

    /** Refuses a file that cannot be read at all, naming the line; remembers the CSV layout for {@link #open}. */
    public void inspect(Exchange exchange) throws IOException, UnreadableFileException {
        Path file = FileRunTracker.fileRun(exchange).path();
        if (Files.isSymbolicLink(file)) {
            // a link could point anywhere on the machine: never followed, the link itself goes to .failed/
            throw new UnreadableFileException("a symbolic link: links in the inbox are not followed", null);
        }
        Utf8FileScanner.scan(file);
        if (isJsonLines(file)) {
            JsonLinesRequestSource.checkFirstLine(file);
            return;
        }
        try (CsvLineReader reader = new CsvLineReader(file, n -> { })) {
            CsvLine first = reader.next();
            if (first == null) {
                throw new UnreadableFileException("no header and no rows, only blank lines", null);
            }
            exchange.setProperty(LAYOUT_PROPERTY, CsvLayout.of(first, defaultClassificationId != null));
            while (reader.next() != null) {
                // reading to the end is the check: a malformed record throws with its line
            }
        }
    }

    /** The rows of the file in order, invalid rows and duplicates marked; the splitter closes it. */
    public Iterator<RequestRow> open(Exchange exchange) throws IOException {
        FileRun run = FileRunTracker.fileRun(exchange);
        Path file = run.path();
        RequestSource source = isJsonLines(file)
                ? new JsonLinesRequestSource(file, run.source(), defaultClassificationId, run::bytesRead)
                : new CsvRequestSource(file, run.source(), exchange.getProperty(LAYOUT_PROPERTY, CsvLayout.class),
                        defaultClassificationId, run::bytesRead);
        return new RowIterator(source, run, this::stopHandingOutRows);
    }

    /** The requests of a queue message or a direct call, invalid ones and duplicates marked. */
    public Iterator<RequestRow> openMessage(Exchange exchange) throws UnreadableMessageException {
        FileRun run = FileRunTracker.fileRun(exchange);
        List<RequestRow> rows = MessageRequests.read(exchange.getMessage().getBody(String.class), run.source(),
                defaultClassificationId);
        Iterator<RequestRow> list = rows.iterator();
        RequestSource source = new RequestSource() {
            @Override
            public RequestRow next() {
                return list.hasNext() ? list.next() : null;
            }

            @Override
            public void close() {
            }
        };
        return new RowIterator(source, run, this::stopHandingOutRows);
    }

    /** Why no new row may start (shutting down, the API refused the key), or null: rows in flight finish. */
    private String stopHandingOutRows() {
        if (camelContext != null && camelContext.isStopping()) {
            return FileRunTracker.STOPPED_BY_SHUTDOWN;
        }
        return sendGate != null && sendGate.isHalted() ? FileRunTracker.STOPPED_BY_HALT : null;
    }

    static boolean isJsonLines(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
    }

    /** Pulls rows from a source and marks a valid pair seen earlier in the same file as a duplicate. */
    private static final class RowIterator implements Iterator<RequestRow>, Closeable {

        private final RequestSource source;
        private final FileRun run;
        private final Supplier<String> stopping;
        private final PairFingerprints seenPairs = new PairFingerprints();
        private RequestRow next;
        private boolean done;

        RowIterator(RequestSource source, FileRun run, Supplier<String> stopping) {
            this.source = source;
            this.run = run;
            this.stopping = stopping;
        }

        @Override
        public synchronized boolean hasNext() {
            String stop = next == null && !done && !run.interrupted() ? stopping.get() : null;
            if (stop != null) {
                run.interrupt(stop);
            }
            if (next == null && !done && run.interrupted()) {
                // rows in flight finish, no new one starts; the file (or message) resumes later
                done = true;
            }
            if (next == null && !done) {
                next = read();
                done = next == null;
            }
            return next != null;
        }

        @Override
        public synchronized RequestRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            RequestRow row = next;
            next = null;
            return row;
        }

        private RequestRow read() {
            try {
                while (true) {
                    RequestRow row = source.next();
                    if (row == null) {
                        return null;
                    }
                    run.rowRead();
                    boolean firstOfPair = !row.valid()
                            || seenPairs.add(row.request().classificationId(), row.request().batchId());
                    if (run.finalEarlier(row.request().line())) {
                        continue; // final in an earlier run: neither sent nor dead-lettered again
                    }
                    return firstOfPair ? row : new RequestRow(row.request(), null, true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (UnreadableFileException e) {
                // the file changed after inspection: fail the file rather than guess
                throw new IllegalStateException(run.source() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }
}
