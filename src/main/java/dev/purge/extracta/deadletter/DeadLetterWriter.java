package dev.purge.extracta.deadletter;

import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.run.AppendOnlyFile;
import dev.purge.extracta.run.FileRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;

/**
 * Appends dead-letter records to {@code <folder>/<source>.jsonl} for a {@code file:} dead-letter URI, each record whole
 * or not at all: Camel's file producer, appending, can leave half a record behind when the disk fills up, and the next
 * record is then glued onto it and both are lost to a replay. A failed write is cut back, and a torn record left by a
 * crash is cut off before the next one is appended. Other URIs (a queue) are sent to by the route itself.
 */
public class DeadLetterWriter {

    private StateWrites stateWrites = new StateWrites();

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }


    /** Appends the record (the body, one JSON line) to the run's dead-letter file. */
    public synchronized void write(Exchange exchange) {
        Path folder = StateWrites.folderOf(FileRun.of(exchange).getDeadLetterUri());
        String record = exchange.getMessage().getBody(String.class).strip();
        Path file = folder.resolve(exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class));
        try {
            Files.createDirectories(folder);
            try (AppendOnlyFile out = AppendOnlyFile.open(file)) {
                out.append(record);
            }
            stateWrites.succeeded(StateWrites.Kind.DEAD_LETTER);
        } catch (IOException e) {
            DeadLetters.writeFailed(exchange, file, e, stateWrites);
        }
    }
}
