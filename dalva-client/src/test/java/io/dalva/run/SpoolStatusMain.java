package io.dalva.run;

import java.nio.file.Path;

/**
 * The child JVM of {@link InProcessLockTest}: prints {@code HELD <true|false> <folder>}
 * for every run folder of the spool given, as another process sees it.
 */
public final class SpoolStatusMain {

    private SpoolStatusMain() {
    }

    public static void main(String[] args) {
        for (SpoolStatus status : SpoolStatus.list(Path.of(args[0]))) {
            System.out.println("HELD " + status.held() + " " + status.folder());
        }
        System.out.flush();
    }

}
