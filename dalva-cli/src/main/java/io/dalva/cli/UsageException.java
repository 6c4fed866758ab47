package io.dalva.cli;

/** Bad command-line arguments; the message says which, in one line. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }

}
