package dev.agentloop.contract.storage;

import dev.agentloop.contract.ApiException;

/**
 * Who stored data belongs to, as the storage messages say it ({@code "owner"}): the id of the API
 * key that created it ({@code key_} and 16 hex digits of the key's SHA-256, never the key), or
 * {@value #ANONYMOUS} when no keys are configured (and for data stored before owners existed). A
 * request's {@code owner} is whose records it may touch; {@value #ALL} (an admin key, or no keys at
 * all) touches everyone's. Another owner's record answers exactly as an unknown id does.
 */
public final class Owners {

  public static final String ALL = "*";
  public static final String ANONYMOUS = "anonymous";
  private static final int MAX_LENGTH = 64;

  private Owners() {
  }

  /** Whether {@code scope} (an owner or {@value #ALL}) may touch a record of {@code owner}. */
  public static boolean sees(String scope, String owner) {
    return ALL.equals(scope) || scope.equals(owner);
  }

  /** The owner a request may touch: an owner id or {@value #ALL}; otherwise a 400 naming the field. */
  public static String scope(Object value) {
    if (ALL.equals(value)) {
      return ALL;
    }
    return owner(value, "owner");
  }

  /** An owner id to record (never {@value #ALL}); otherwise a 400 naming {@code param}. */
  public static String owner(Object value, String param) {
    if (!(value instanceof String owner) || !valid(owner)) {
      throw ApiException.badRequest("Invalid '" + param + "': expected an owner id ('anonymous' or 'key_' and 16 hex "
          + "digits)" + (ALL.equals(value) ? ", not '*'" : "") + ".", param, "invalid_value");
    }
    return owner;
  }

  /** Letters, digits, {@code _ - . :}, 1 to 64 of them. */
  public static boolean valid(String owner) {
    if (owner.isEmpty() || owner.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < owner.length(); i++) {
      char c = owner.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
          || c == '.' || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
