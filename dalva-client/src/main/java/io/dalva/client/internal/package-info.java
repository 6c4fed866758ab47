/**
 * Not API: value rules and encoding shared by the client, runs and the sender. Public
 * only for this project's own modules; it may change in any release.
 */
package io.dalva.client.internal;
