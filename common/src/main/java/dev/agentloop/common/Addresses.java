package dev.agentloop.common;

/**
 * Every event-bus address agentloop uses. Addresses follow {@code agentloop.<service>.<action>};
 * no other class spells one out.
 */
public final class Addresses {

  /** Request a whole completion. Body: a chat request ({@link dev.agentloop.common.openai.ChatRequest#toBus}). Reply: a completion. */
  public static final String LLM_COMPLETE = "agentloop.llm.complete";
  /** Open a token stream. Body: a chat request with an {@code id}. Replies: the stream protocol of {@link dev.agentloop.common.stream.StreamProtocol}. */
  public static final String LLM_STREAM = "agentloop.llm.stream";
  /** List the models. Reply: {@code {"data":[model...]}} in OpenAI's shape. */
  public static final String LLM_MODELS = "agentloop.llm.models";
  /** Published (to every llm-service instance): {@code {"id": ...}} stops that generation wherever it runs. */
  public static final String LLM_CANCEL = "agentloop.llm.cancel";
  /**
   * Published by an llm-service instance just before it unregisters to leave: {@code {"node": ...}}.
   * A request the event bus routed to it in the moment of unregistering is dropped by Vert.x without
   * an answer; a gateway that heard this notice treats the resulting timeout like a lost member's.
   */
  public static final String LLM_LEAVING = "agentloop.llm.leaving";
  /** Liveness of the llm-service. Reply: {@code {"service":"llm"}}. */
  public static final String LLM_PING = "agentloop.llm.ping";
  /** Liveness of the storage-service and its backend. Reply: {@code {"service":"storage","backend":...}}. */
  public static final String STORAGE_PING = "agentloop.storage.ping";

  private Addresses() {
  }
}
