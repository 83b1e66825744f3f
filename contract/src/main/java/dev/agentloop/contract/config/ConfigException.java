package dev.agentloop.contract.config;

/** A configuration value that agentloop cannot use; its message is meant for one log line. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
