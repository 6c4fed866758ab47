package io.dalva.internal.logging;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * For a failure that repeats (a server down, a rejected value): the first occurrence is a
 * WARN, the next ones DEBUG, with a WARN again at most once per reminder interval while
 * the failure lasts. {@link #reset()} after a success makes the next failure a WARN
 * again.
 */
public final class WarnThenDebug {

    /** How often a lasting failure is repeated at WARN. */
    public static final Duration DEFAULT_REMINDER = Duration.ofMinutes(5);

    private static final long NEVER = Long.MIN_VALUE;

    private final Log log;

    private final long reminderNanos;

    private final LongSupplier nanoTime;

    private final AtomicLong lastWarn = new AtomicLong(NEVER);

    public WarnThenDebug(Class<?> type) {
        this(Log.of(type), DEFAULT_REMINDER, System::nanoTime);
    }

    WarnThenDebug(Log log, Duration reminder, LongSupplier nanoTime) {
        this.log = log;
        this.reminderNanos = reminder.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Logs at WARN the first time and once per reminder interval, at DEBUG otherwise. */
    public void log(String template, Object... args) {
        long now = this.nanoTime.getAsLong();
        long last = this.lastWarn.get();
        boolean warn = (last == NEVER || now - last >= this.reminderNanos) && this.lastWarn.compareAndSet(last, now);
        this.log.log(warn ? Level.WARNING : Level.DEBUG, template, args);
    }

    /** The failure is over: the next one is a WARN again. */
    public void reset() {
        this.lastWarn.set(NEVER);
    }

}
