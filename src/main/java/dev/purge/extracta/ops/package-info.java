/**
 * Running the application: the settings and their rules, the start-up checks, the data-folder lock, readiness, and
 * the one-shot mode. Sits on top: it may use every stage, and no stage uses it.
 */
package dev.purge.extracta.ops;
