/**
 * Not API: the journal, a run's on-disk spool of events in Dalva's journal format, and
 * its folders and manifest. Public only for this project's own modules; it may change in
 * any release.
 */
package io.dalva.internal.journal;
