package org.smarthost.persistence;

/** A CborSerializable event for tests: exercises the jackson-cbor binding in reference.conf. */
public record TestEvent(String text, int number) implements CborSerializable {
}
