package dev.purge.extracta.ops;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One process per data folder: at start the state folder and the inbox are locked (an OS file lock on a
 * {@code .extracta-purge.lock} file in each, released by the OS when the process ends, {@code kill -9} included), and a
 * second process (a {@code --once} run while the service runs, two services on one volume) refuses to start, naming
 * the holder. Two processes on one folder would read the same files and send their rows twice. Several instances
 * share the work through the queue and the JDBC repository, each with a data folder of its own.
 */
public final class DataFolderLock implements AutoCloseable {

    public static final String FILE_NAME = ".extracta-purge.lock";

    private final List<FileChannel> channels;

    private DataFolderLock(List<FileChannel> channels) {
        this.channels = channels;
    }

    /** Locks each folder (created if missing); throws naming the holder when one is locked by another process. */
    static DataFolderLock acquire(List<Path> folders) throws IOException {
        Set<Path> distinct = new LinkedHashSet<>();
        for (Path folder : folders) {
            distinct.add(Files.createDirectories(folder).toRealPath());
        }
        List<FileChannel> channels = new ArrayList<>();
        try {
            for (Path folder : distinct) {
                channels.add(lock(folder.resolve(FILE_NAME), folder));
            }
        } catch (IOException | RuntimeException e) {
            for (FileChannel channel : channels) {
                channel.close();
            }
            throw e;
        }
        return new DataFolderLock(channels);
    }

    private static FileChannel lock(Path file, Path folder) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process (another application in the same JVM)
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IllegalStateException(folder + " is in use by another extracta-purge process (" + holder
                    + "): two processes on one data folder would send the same rows twice. Stop the other one "
                    + "first, or give this one a data folder of its own (EXTRACTA_DATA_DIR); several instances "
                    + "share work through the queue and the JDBC repository");
        }
        String me = "pid " + ManagementFactory.getRuntimeMXBean().getPid() + " on host " + host() + " since "
                + Instant.now();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return channel;
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "holder unknown" : text;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        for (FileChannel channel : channels) {
            try {
                channel.close(); // releases the lock; the file stays, its content names the last holder
            } catch (IOException e) {
                // the OS releases it when the process ends
            }
        }
    }
}
