package dev.purge.extracta.run;

/** The API refused the key: the row is left as it is (not final, not dead-lettered) for the next start. */
public class ApiHaltedException extends Exception {

    public ApiHaltedException(String message) {
        super(message, null, false, false);
    }
}
