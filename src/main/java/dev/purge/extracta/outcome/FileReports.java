package dev.purge.extracta.outcome;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.purge.extracta.run.FileRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;

/** Writes a file's report, {@code <reports>/<source>.report.json}, whole or not at all (a temporary file renamed). */
final class FileReports {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path reportsDir;

    FileReports(Path reportsDir) {
        this.reportsDir = reportsDir;
    }

    Path reportFile(FileRun run) {
        return reportsDir.resolve(run.source() + ".report.json");
    }

    Path planFile(FileRun run) {
        return reportsDir.resolve(run.source() + ".dry-run.jsonl");
    }

    /** Writes the report; returns its path. */
    Path write(FileRun run, String status, String error, Instant finishedAt) throws IOException {
        long millis = Duration.between(run.startedAt(), finishedAt).toMillis();
        FileReport report = new FileReport(run.source(), status, run.dryRun(), run.startedAt().toString(),
                finishedAt.toString(), millis, run.rowsRead(), run.rowsFromEarlierRuns(), run.totals(),
                run.deadLetterTarget(), error);
        Path reportFile = reportFile(run);
        Files.createDirectories(reportsDir);
        Path temp = Files.createTempFile(reportsDir, ".report-", ".tmp");
        try {
            MAPPER.writeValue(temp.toFile(), report);
            Files.move(temp, reportFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return reportFile;
    }
}
