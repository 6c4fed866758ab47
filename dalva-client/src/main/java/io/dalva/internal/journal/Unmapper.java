package io.dalva.internal.journal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Releases a mapping at once instead of when the garbage collector finds its buffer
 * ({@code sun.misc.Unsafe.invokeCleaner}, in the {@code jdk.unsupported} module). The
 * caller guarantees that nothing touches the buffer afterwards: the journal unmaps a
 * segment only once its appender has moved on, and readers never use mappings.
 */
final class Unmapper {

    private static final MethodHandle INVOKE_CLEANER = find();

    private Unmapper() {
    }

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            return MethodHandles.lookup()
                .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                .bindTo(unsafe);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Unmaps {@code buffer}; false when this JVM does not allow it (then GC does). */
    static boolean unmap(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
            return false;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
            return true;
        }
        catch (Throwable e) {
            return false;
        }
    }

}
