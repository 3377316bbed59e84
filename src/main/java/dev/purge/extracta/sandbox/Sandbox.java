package dev.purge.extracta.sandbox;

import dev.purge.extracta.ExtractaPurgeApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole application on a newcomer's machine without any key: starts the {@link ExtractaEmulator} on loopback
 * (150 ms latency, one answer in ten a 500 to show retries), puts a sample CSV of 40 rows into the inbox of a fresh
 * data folder (one batch the emulator never had, so one row is dead-lettered), and runs the real application
 * (properties, routes, pipeline) once over it. The environment's EXTRACTA_* variables are ignored here, so an
 * exported production key, base URL or database can never be reached from the sandbox.
 *
 * <pre>java -cp target/extracta-purge.jar dev.purge.extracta.sandbox.Sandbox [data-folder]</pre>
 *
 * Exits with the one-shot status: 2, since one row is dead-lettered on purpose.
 */
public final class Sandbox {

    static final int ROWS = 40;
    static final String UNKNOWN_BATCH = ExtractaEmulator.Settings.DEFAULT_UNKNOWN_PREFIX + "-Qx7Tz2Lm";
    private static final String CLASSIFICATION = "-OPXR1F82I0cRYJPcHNo";

    private Sandbox() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(Path.of(args.length > 0 ? args[0] : "sandbox-data").toAbsolutePath()));
    }

    static int run(Path dataDir) throws IOException {
        wipe(dataDir);
        Path inbox = Files.createDirectories(dataDir.resolve("inbox"));
        Files.writeString(inbox.resolve("sample.csv"), sample());
        ExtractaEmulator.Settings settings = ExtractaEmulator.Settings.defaults()
                .withLatencyMillis(150).withErrorRate(0.1).withSeed(42);
        try (ExtractaEmulator emulator = new ExtractaEmulator(settings).start()) {
            Map<String, String> properties = new LinkedHashMap<>();
            // 0 = never: no exported EXTRACTA_* variable (a real key, base URL or database) applies here
            properties.put("camel.component.properties.environment-variable-mode", "0");
            properties.put("extracta.api-key", settings.apiKey());
            properties.put("extracta.base-url", emulator.baseUrl());
            properties.put("extracta.data-dir", dataDir.toString());
            properties.put("extracta.concurrency", "2");
            properties.put("extracta.retry.initial-delay", "200");
            properties.put("extracta.retry.max-attempts", "6");
            properties.put("extracta.progress-interval", "1000");
            // a one-shot run that ends in seconds: no management port to clash with anything
            properties.put("extracta.management.enabled", "false");
            int status = ExtractaPurgeApplication.run(new String[] {"--once"}, properties);
            System.out.println();
            System.out.println("Sandbox: the emulator answered " + emulator.stats().requests() + " requests and "
                    + "deleted " + emulator.stats().deletes() + " batches. Look at:");
            System.out.println("  " + dataDir.resolve("reports").resolve("sample.csv.report.json") + "  the report");
            System.out.println("  " + dataDir.resolve("deadletter").resolve("sample.csv.jsonl")
                    + "  the dead-lettered row (" + UNKNOWN_BATCH + ", unknown to the emulator)");
            System.out.println("  " + inbox.resolve(".done") + "  the processed file");
            return status;
        }
    }

    /** 39 batches the emulator deletes, and one it never had, at line 21. */
    static String sample() {
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 1; i <= ROWS; i++) {
            csv.append(CLASSIFICATION).append(',')
                    .append(i == 20 ? UNKNOWN_BATCH : String.format("b%09d", i)).append('\n');
        }
        return csv.toString();
    }

    private static void wipe(Path dataDir) throws IOException {
        if (!Files.exists(dataDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
