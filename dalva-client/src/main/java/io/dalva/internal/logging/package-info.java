/**
 * Not API: the project's logging over {@link java.lang.System.Logger}, with a
 * warn-then-debug helper for repeated failures. Public only for this project's own
 * modules.
 */
package io.dalva.internal.logging;
