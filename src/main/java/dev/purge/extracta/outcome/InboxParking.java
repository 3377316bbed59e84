package dev.purge.extracta.outcome;

import dev.purge.extracta.run.InboxFile;
import java.nio.file.Path;

/**
 * What the end of a file's run tells the inbox: a file left in place is set aside for a while, a file gone is
 * forgotten. Implemented by the inbox's filter; an interface so that the end of a run knows nothing of the inbox route.
 */
public interface InboxParking {

    /** Nothing is parked: for a run's end used without an inbox (tests, one-shot pieces). */
    InboxParking NONE = new InboxParking() {
        @Override
        public long parkWithBackoff(InboxFile file) {
            return 0;
        }

        @Override
        public void forget(Path path) {
        }

        @Override
        public Path markerOf(Path file) {
            return null;
        }
    };

    /** Sets the file aside, for longer each time in a row; returns the delay (ms). */
    long parkWithBackoff(InboxFile file);

    /** The file has left the inbox (or is finished with): nothing is kept about it. */
    void forget(Path path);

    /** The producer's marker of the file, or null when markers are off. */
    Path markerOf(Path file);
}
