package dev.purge.extracta.ingest;

import dev.purge.extracta.call.SendGate;
import dev.purge.extracta.outcome.InboxParking;
import dev.purge.extracta.run.InboxFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * Which inbox files the inbox route takes at a poll. None while sending is halted (the API refused the key: they wait
 * for the restart). A file set aside ("parked") is left alone until its time comes or it changes: a file whose last
 * line has no line break yet (a writer may still be at it), a finished file that could not be moved out, a file
 * stopped by a failed write of ours or by the deleted-pairs repository (tried again after a growing delay, so a
 * lasting failure never turns into the same file read at every poll). A changed file (another inode, size or
 * modification time) is taken at once: it is not the file that was set aside.
 */
public class InboxFilter implements GenericFileFilter<Object>, InboxParking {

    private static final long FIRST_RETRY_MILLIS = 5_000;
    private static final long LONGEST_RETRY_MILLIS = 300_000;

    private record Parked(Object fileKey, long size, long modified, long until, long delay) {
    }

    /** A file as it was when first seen without a final line break: its last line's wait runs from then at the latest. */
    private record Sighting(Object fileKey, long size, long modified, long firstSeen) {
    }

    private final Map<Path, Parked> parked = new ConcurrentHashMap<>();
    private final Map<Path, Sighting> sightings = new ConcurrentHashMap<>();
    private SendGate sendGate;
    private String markerSuffix = "";

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    /**
     * extracta.inbox.marker-suffix: when set (say {@code .ready}), a file is taken only once its marker
     * {@code <name><suffix>} exists, for producers that cannot write under another name and rename; empty: no marker.
     */
    public void setMarkerSuffix(String markerSuffix) {
        this.markerSuffix = markerSuffix == null ? "" : markerSuffix.strip();
    }

    /** The marker of a file, or null when no marker is asked for. */
    @Override
    public Path markerOf(Path file) {
        return markerSuffix.isEmpty() ? null : file.resolveSibling(file.getFileName() + markerSuffix);
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        if (sendGate != null && sendGate.isHalted()) {
            return false;
        }
        Path path = Path.of(file.getAbsoluteFilePath());
        Path marker = markerOf(path);
        if (marker != null && !Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return false; // its producer has not said it is complete
        }
        if (parked.isEmpty()) {
            return true;
        }
        Parked entry = parked.get(path);
        if (entry == null) {
            return true;
        }
        if (!sameFile(path, entry)) {
            parked.remove(path, entry);
            return true;
        }
        // once its time has come it is taken; the entry stays so that parking it again doubles the delay
        return System.currentTimeMillis() >= entry.until();
    }

    /** Leaves the file alone until {@code until} (epoch ms), unless it changes first. */
    void parkUntil(InboxFile file, long until) {
        parked.put(file.path().toAbsolutePath(), new Parked(key(file.path()), file.size(), file.modifiedMillis(),
                until, 0));
    }

    /** Leaves the file alone for a delay that doubles each time it is parked again, from 5 s up to 5 min. */
    @Override
    public long parkWithBackoff(InboxFile file) {
        Path path = file.path().toAbsolutePath();
        Parked earlier = parked.get(path);
        long delay = earlier == null || earlier.delay() == 0 ? FIRST_RETRY_MILLIS
                : Math.min(earlier.delay() * 2, LONGEST_RETRY_MILLIS);
        parked.put(path, new Parked(key(path), file.size(), file.modifiedMillis(),
                System.currentTimeMillis() + delay, delay));
        return delay;
    }

    /**
     * Since when the file has not changed: its modification time, or when this process first saw it as it is now if
     * that is earlier (a modification time in the future, from a skewed clock or a copy that kept it, would otherwise
     * set the file aside until then).
     */
    long unchangedSince(InboxFile file) {
        Path path = file.path().toAbsolutePath();
        Object key = key(path);
        Sighting seen = sightings.compute(path, (p, old) -> old != null && Objects.equals(old.fileKey(), key)
                && old.size() == file.size() && old.modified() == file.modifiedMillis() ? old
                : new Sighting(key, file.size(), file.modifiedMillis(), System.currentTimeMillis()));
        return Math.min(file.modifiedMillis(), seen.firstSeen());
    }

    /** The file left the inbox (or finished): nothing to remember about it. */
    @Override
    public void forget(Path path) {
        parked.remove(path.toAbsolutePath());
        sightings.remove(path.toAbsolutePath());
    }

    private static boolean sameFile(Path path, Parked entry) {
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return Objects.equals(now.fileKey(), entry.fileKey()) && now.size() == entry.size()
                    && now.lastModifiedTime().toMillis() == entry.modified();
        } catch (IOException e) {
            return false;
        }
    }

    private static Object key(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
