/**
 * The API key and every other secret: where the key is read, how it is added to each call inside the HTTP client
 * (never on the exchange), and how secrets are masked wherever text leaves the process (logs, records, reports).
 * Depends on nothing else of the application.
 */
package dev.purge.extracta.secret;
