package dev.agentloop.contract;

import java.util.List;

/** The services one process may run: their names in {@code services}, and as errors and logs name them. */
public final class Services {

  public static final String GATEWAY = "gateway";
  public static final String LLM = "llm";
  public static final String STORAGE = "storage";
  public static final List<String> ALL = List.of(GATEWAY, LLM, STORAGE);

  /** The llm-service as errors name it ("The llm-service did not answer ..."). */
  public static final String LLM_SERVICE = "llm-service";
  /** The storage-service as errors name it. */
  public static final String STORAGE_SERVICE = "storage-service";

  private Services() {
  }
}
