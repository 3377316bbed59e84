package dev.purge.extracta.ingest;

import dev.purge.extracta.call.SendGate;
import dev.purge.extracta.ledger.FingerprintSet;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileChangedException;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.StoppingException;
import dev.purge.extracta.run.UnreadableFileException;
import dev.purge.extracta.run.UnreadableMessageException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * Reads a dropped file in two streaming passes. {@link #inspect} checks the whole file first (UTF-8, no binary
 * content, CSV structure and layout) so an unreadable file is refused before any of its rows is sent; {@link #open}
 * then hands the rows, one at a time, to the splitter.
 */
public class RequestReader {


    private String defaultClassificationId;
    private CsvLayout.HeaderMode headerMode = CsvLayout.HeaderMode.AUTO;
    private int maxLineLength = CsvLineReader.DEFAULT_MAX_LINE_LENGTH;
    private int maxMessageLength = 4 * 1024 * 1024;
    private SendGate sendGate;
    private Path pairsFolder;

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    public void setDefaultClassificationId(String defaultClassificationId) {
        this.defaultClassificationId = defaultClassificationId == null || defaultClassificationId.isBlank()
                ? null : defaultClassificationId.strip();
    }

    public String getDefaultClassificationId() {
        return defaultClassificationId;
    }

    /**
     * extracta.state-dir: a file's duplicate check moves out of the heap into a scratch file under its {@code files}
     * folder once it outgrows a small table (without it, the check stays in the heap).
     */
    public void setStateDir(String stateDir) {
        this.pairsFolder = stateDir == null || stateDir.isBlank() ? null : Path.of(stateDir).resolve("files");
    }

    /** Removes the duplicate checks' scratch files a crash may have left (called once the data folder is locked). */
    public void removeLeftovers() {
        if (pairsFolder != null) {
            FingerprintSet.removeLeftovers(pairsFolder, PairFingerprints.SPILL_PREFIX);
        }
    }

    /** extracta.csv.header: auto, present or absent. */
    public void setCsvHeader(String mode) {
        this.headerMode = CsvLayout.HeaderMode.of(mode);
    }

    /** extracta.input.max-line-length: the longest line (characters) read as a row; a longer one is refused. */
    public void setMaxLineLength(int maxLineLength) {
        if (maxLineLength < 256) {
            throw new IllegalArgumentException("extracta.input.max-line-length must be at least 256 (characters)");
        }
        this.maxLineLength = maxLineLength;
    }

    /** extracta.input.max-message-length: the longest queue message or direct call (characters). */
    public void setMaxMessageLength(int maxMessageLength) {
        if (maxMessageLength < 256) {
            throw new IllegalArgumentException("extracta.input.max-message-length must be at least 256 (characters)");
        }
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Refuses a file whose rows cannot be read at all, naming the line; remembers the CSV layout for {@link #open}. The
     * bytes were checked (UTF-8, no binary content) when the file was identified.
     */
    public void inspect(Exchange exchange) throws IOException, UnreadableFileException {
        FileRun run = FileRun.of(exchange);
        InboxFile file = run.file();
        if (isJsonLines(run.path())) {
            JsonLinesRequestSource.checkFirstLine(file, maxLineLength);
            return;
        }
        try (CsvLineReader reader = new CsvLineReader(file, n -> { }, maxLineLength)) {
            CsvLine first = reader.next();
            if (first == null) {
                throw new UnreadableFileException("no header and no rows, only blank lines", null);
            }
            CsvLayout.of(first, defaultClassificationId != null, headerMode);
            while (reader.next() != null) {
                // reading to the end is the check: a malformed record throws with its line
            }
        }
    }

    /** The rows of the file in order, invalid rows and duplicates marked; the splitter closes it. */
    public Iterator<RequestRow> open(Exchange exchange) throws IOException, UnreadableFileException {
        FileRun run = FileRun.of(exchange);
        InboxFile file = run.file();
        RequestSource source = isJsonLines(run.path())
                ? new JsonLinesRequestSource(file, run.source(), defaultClassificationId, run::bytesRead, maxLineLength)
                : new CsvRequestSource(file, run.source(), csvLayout(file), defaultClassificationId, run::bytesRead,
                        maxLineLength);
        return new RowIterator(source, run, pairsFolder, r -> stopHandingOutRows(r, exchange.getContext()));
    }

    /** The layout its first line gives the file, as {@link #inspect} found it (the file is pinned: the same bytes). */
    private CsvLayout csvLayout(InboxFile file) throws IOException, UnreadableFileException {
        try (CsvLineReader reader = new CsvLineReader(file, n -> { }, maxLineLength)) {
            return CsvLayout.of(reader.next(), defaultClassificationId != null, headerMode);
        }
    }

    /** The requests of a queue message or a direct call, invalid ones and duplicates marked. */
    public Iterator<RequestRow> openMessage(Exchange exchange) throws UnreadableMessageException {
        FileRun run = FileRun.of(exchange);
        List<RequestRow> rows = MessageRequests.read(exchange.getMessage().getBody(String.class), run.source(),
                new MessageRequests.Rules(defaultClassificationId, headerMode, maxLineLength, maxMessageLength));
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
        return new RowIterator(source, run, pairsFolder, r -> stopHandingOutRows(r, exchange.getContext()));
    }

    /** Stops a run from handing out rows (shutting down, the API refused the key): rows in flight finish. */
    private void stopHandingOutRows(FileRun run, CamelContext camelContext) {
        if (StoppingException.isStopping(camelContext)) {
            run.interrupt(FileRun.Stop.SHUTDOWN, FileRun.STOPPED_BY_SHUTDOWN);
        } else if (sendGate != null && sendGate.isHalted()) {
            run.interrupt(FileRun.Stop.HALT, FileRun.STOPPED_BY_HALT);
        } else if (!run.deliveryAlive()) {
            run.interrupt(FileRun.Stop.DELIVERY_LOST, "stopped: the JMS session of this delivery is gone");
        }
    }

    static boolean isJsonLines(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
    }

    /** Pulls rows from a source and marks a valid pair seen earlier in the same file as a duplicate. */
    private static final class RowIterator implements Iterator<RequestRow>, Closeable {

        private final RequestSource source;
        private final FileRun run;
        private final Consumer<FileRun> stopCheck;
        private final PairFingerprints seenPairs;
        private RequestRow next;
        private boolean done;

        RowIterator(RequestSource source, FileRun run, Path pairsFolder, Consumer<FileRun> stopCheck) {
            this.source = source;
            this.run = run;
            this.seenPairs = new PairFingerprints(pairsFolder);
            this.stopCheck = stopCheck;
        }

        @Override
        public synchronized boolean hasNext() {
            if (next == null && !done && !run.interrupted()) {
                stopCheck.accept(run);
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
                    return firstOfPair ? row : row.asDuplicate();
                }
            } catch (FileChangedException e) {
                run.interrupt(FileRun.Stop.CHANGED, "changed while it was read (" + e.getMessage() + ")");
            } catch (UnreadableFileException e) {
                // inspection read the same bytes whole: only a change in place makes them unreadable now
                run.interrupt(FileRun.Stop.CHANGED, "changed while it was read (line " + e.getLine() + " no longer "
                        + "reads: " + e.getMessage() + ")");
            } catch (IOException e) {
                run.interrupt(FileRun.Stop.READ, "stopped: cannot read it (" + Failures.oneLine(e) + ")");
            } catch (UncheckedIOException e) {
                // the duplicate check's scratch file could not be made (a full disk): no row goes on unchecked
                run.interrupt(FileRun.Stop.STATE_WRITE, "stopped: " + Failures.oneLine(e));
            }
            // no exception out of the splitter's iterator: that would end the split with rows still in flight; the
            // rows handed out finish, and the run ends interrupted
            return null;
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                source.close();
            } finally {
                seenPairs.close();
            }
        }
    }
}
