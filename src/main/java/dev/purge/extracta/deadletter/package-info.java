/**
 * Dead letters: the record of a failed request (or unreadable file or message) built from the row as read, written
 * whole to the dead-letter folder or queue, and the hold before a queue message is rolled back.
 */
package dev.purge.extracta.deadletter;
