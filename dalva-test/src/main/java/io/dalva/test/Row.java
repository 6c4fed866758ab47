package io.dalva.test;

import java.time.LocalDateTime;

/**
 * One metric row: the value is a Double (maybe NaN), Long, Boolean or String; step null
 * for a scalar.
 */
record Row(long id, String path, String type, Integer step, LocalDateTime timestamp, Object value) {
}
