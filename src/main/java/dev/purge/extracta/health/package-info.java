/**
 * What the application says about itself: its own writes (journal, reports, dead letters, moves) and whether they
 * work, the extracta_* metrics, and the end of the process on an Error. Used by every stage; uses only the run state.
 */
package dev.purge.extracta.health;
