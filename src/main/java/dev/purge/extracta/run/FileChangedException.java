package dev.purge.extracta.run;

import java.io.IOException;

/**
 * The file under a run changed while it was read (cut shorter than when it was taken, or its bytes no longer read as
 * they did): not the file's failure but a stop; it stays in the inbox and is read again, as it is now, once stable.
 */
public final class FileChangedException extends IOException {

    FileChangedException(String message) {
        super(message);
    }
}
