package io.dalva.internal.logging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The project's one logging facade, over {@link System.Logger} (no dependency; Spring
 * Boot routes it to its logging system through {@code java.util.logging}). Messages use
 * {@code {}} placeholders, are formatted only when the level is enabled, and a
 * {@link Throwable} given as the last argument is logged as the cause.
 */
public final class Log {

    private final Logger logger;

    private Log(Logger logger) {
        this.logger = logger;
    }

    /** The log of one class. */
    public static Log of(Class<?> type) {
        return new Log(System.getLogger(type.getName()));
    }

    public boolean isDebugEnabled() {
        return this.logger.isLoggable(Level.DEBUG);
    }

    public void debug(String template, Object... args) {
        log(Level.DEBUG, template, args);
    }

    public void info(String template, Object... args) {
        log(Level.INFO, template, args);
    }

    public void warn(String template, Object... args) {
        log(Level.WARNING, template, args);
    }

    public void error(String template, Object... args) {
        log(Level.ERROR, template, args);
    }

    void log(Level level, String template, Object... args) {
        if (!this.logger.isLoggable(level)) {
            return;
        }
        Throwable cause = (args.length > 0 && args[args.length - 1] instanceof Throwable t) ? t : null;
        String message = format(template, args, (cause != null) ? args.length - 1 : args.length);
        if (cause != null) {
            this.logger.log(level, message, cause);
        }
        else {
            this.logger.log(level, message);
        }
    }

    /** Replaces each {@code {}} of the template by the next argument, in order. */
    static String format(String template, Object[] args, int count) {
        if (count == 0) {
            return template;
        }
        StringBuilder message = new StringBuilder(template.length() + 16 * count);
        int from = 0;
        int used = 0;
        int at;
        while (used < count && (at = template.indexOf("{}", from)) >= 0) {
            message.append(template, from, at).append(args[used++]);
            from = at + 2;
        }
        return message.append(template, from, template.length()).toString();
    }

}
