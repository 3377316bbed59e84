package dev.purge.extracta.run;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One input file, pinned when it is taken: opened once (never through a symbolic link) and from then on read only
 * through this handle, and only up to the size it had then. Whatever happens to its name meanwhile (another file
 * renamed over it, removed, appended to, rewritten), every pass reads the same bytes of the same file, and
 * {@link #whereNow} tells what became of the name. Its {@link #identity} (device and inode) plus a hash of its content
 * is what keys its progress journal: never its name.
 */
public final class InboxFile implements Closeable {

    /** What the name of a pinned file points to now. */
    public enum Where {
        /** The same file, same size and modification time: nothing happened to it. */
        UNCHANGED,
        /** The same file, but written to since it was taken (appended, rewritten in place). */
        CHANGED,
        /** Another file has the name now (renamed over it), or nothing does. */
        REPLACED
    }

    private static final int OPEN_ATTEMPTS = 3;

    private final Path path;
    private final FileChannel channel;
    private final Object fileKey;
    private final long size;
    private final long modifiedMillis;

    private InboxFile(Path path, FileChannel channel, BasicFileAttributes attributes) {
        this.path = path;
        this.channel = channel;
        this.fileKey = attributes.fileKey();
        this.size = attributes.size();
        this.modifiedMillis = attributes.lastModifiedTime().toMillis();
    }

    /**
     * Opens the file for reading. A symbolic link or anything but a regular file is refused without being opened
     * (a named pipe would block, a link could point anywhere on the machine).
     */
    public static InboxFile open(Path path) throws IOException, UnreadableFileException {
        for (int attempt = 1; ; attempt++) {
            BasicFileAttributes before = attributes(path);
            if (before.isSymbolicLink()) {
                throw new UnreadableFileException("a symbolic link: links in the inbox are not followed", null);
            }
            if (!before.isRegularFile()) {
                throw new UnreadableFileException("not a regular file", null);
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes after;
            try {
                after = attributes(path);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            // the name pointed at the same file before and after the open: the channel is that file
            if (Objects.equals(before.fileKey(), after.fileKey()) && before.fileKey() != null) {
                return new InboxFile(path, channel, after);
            }
            channel.close();
            if (before.fileKey() == null) {
                throw new IOException("this file system gives files no identity (device and inode): " + path);
            }
            if (attempt == OPEN_ATTEMPTS) {
                throw new IOException("the file keeps being replaced while it is opened: " + path);
            }
        }
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    public Path path() {
        return path;
    }

    /** Bytes the file had when it was taken: every pass reads exactly these. */
    public long size() {
        return size;
    }

    public long modifiedMillis() {
        return modifiedMillis;
    }

    /** The file's identity on this machine (device and inode), the same under any name it is renamed to. */
    public String identity() {
        return fileKey.toString();
    }

    /** A short, file-name-safe digest of {@link #identity}. */
    String identityDigest() {
        return HexFormat.of().formatHex(sha256().digest(identity().getBytes(StandardCharsets.UTF_8)), 0, 10);
    }

    /** A fresh stream over the bytes the file had when it was taken. */
    public InputStream openStream() {
        return new Slice();
    }

    /** What the file's name points to now. */
    public Where whereNow() {
        BasicFileAttributes now;
        try {
            now = attributes(path);
        } catch (NoSuchFileException e) {
            return Where.REPLACED;
        } catch (IOException e) {
            return Where.CHANGED; // cannot tell: never taken as unchanged
        }
        if (!fileKey.equals(now.fileKey())) {
            return Where.REPLACED;
        }
        return now.size() == size && now.lastModifiedTime().toMillis() == modifiedMillis ? Where.UNCHANGED
                : Where.CHANGED;
    }

    /** Whether the file now at {@code other} is this very file. */
    public boolean isSameFileAs(Path other) {
        try {
            return fileKey.equals(attributes(other).fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the bytes that were read to {@code target} (a record of a file whose name was taken by another). */
    public void copyTo(Path target) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (InputStream in = openStream()) {
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** {@link InputStream#read()} for a stream whose reads all go through {@code read(byte[], int, int)}. */
    public static int readOne(InputStream in) throws IOException {
        byte[] one = new byte[1];
        return in.read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    /** Positional reads of [0, size): independent of other streams and of the channel's own position. */
    private final class Slice extends InputStream {

        private long position;

        @Override
        public int read() throws IOException {
            return readOne(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long left = size - position;
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), position);
            if (n < 0) {
                // the file was cut shorter than it was when taken: never read as if it ended there
                throw new FileChangedException(path.getFileName() + " was cut shorter while it was read");
            }
            position += n;
            return n;
        }
    }
}
