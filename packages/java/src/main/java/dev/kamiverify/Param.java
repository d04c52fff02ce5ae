package dev.kamiverify;

import java.util.Objects;

/** One request field, name and value before encoding. Order matters: T3 signs in send order. */
public final class Param {
  private final String name;
  private final String value;

  private Param(String name, String value) {
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(value, "value");
  }

  /** A field. */
  public static Param of(String name, String value) {
    return new Param(name, value);
  }

  /** The field name. */
  public String name() { return name; }

  /** The field value. */
  public String value() { return value; }

  @Override public boolean equals(Object o) {
    return o instanceof Param && ((Param) o).name.equals(name) && ((Param) o).value.equals(value);
  }

  @Override public int hashCode() { return Objects.hash(name, value); }

  @Override public String toString() { return name + "=" + value; }
}
