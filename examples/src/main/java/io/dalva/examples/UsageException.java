package io.dalva.examples;

/** Bad command-line arguments; the message says which. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }

}
