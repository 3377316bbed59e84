/**
 * Memory across files, messages, restarts and instances: the deleted pairs (an idempotent repository on disk or in
 * PostgreSQL), the "maybe deleted" marks and the claims on pairs. Knows nothing of files, counters or reports.
 */
package dev.purge.extracta.ledger;
