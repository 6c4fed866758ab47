/**
 * Not API: a run's delivery, the sender that reads the journal and writes to the server
 * in order, with retries, and its options. Public only for this project's own modules; it
 * may change in any release.
 */
package io.dalva.internal.delivery;
