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

  /** Create a conversation. Body: {@code {"title"?, "metadata"?}}. Reply: the conversation. */
  public static final String STORAGE_CREATE = "agentloop.storage.create";
  /**
   * One conversation with some of its messages, oldest first; 404 when unknown. Body either
   * {@code {"id","limit"?,"after"?}}: a page of up to {@code limit} (default 100, at most 1000)
   * messages after position {@code after} (default 0), reply the conversation plus
   * {@code messages, has_more, last_position}; or {@code {"id","last","max_chars"?}}: the history
   * window, the newest messages that fit in {@code last} messages and {@code max_chars} characters
   * (a tool message stays with the call it answers), reply the conversation plus
   * {@code messages, history:{"used","dropped"}}. Neither reads more of the conversation than it returns.
   */
  public static final String STORAGE_GET = "agentloop.storage.get";
  /** Conversations, newest first. Body: {@code {"limit"?, "after"?}}. Reply: {@code {"object":"list","data","has_more","last_id"}}. */
  public static final String STORAGE_LIST = "agentloop.storage.list";
  /**
   * Append one turn atomically. Body: {@code {"conversation_id","messages":[input...],"assistant":{"content","model",
   * "finish_reason","usage","complete"}}}. Reply (once durable): {@code {"conversation_id","message_count"}}.
   */
  public static final String STORAGE_APPEND = "agentloop.storage.append";
  /** Delete a conversation. Body: {@code {"id"}}. Reply: {@code {"id","object":"conversation.deleted","deleted":true}}. */
  public static final String STORAGE_DELETE = "agentloop.storage.delete";

  /**
   * Run an agent workflow (local to this node). Body: a checked agent run ({@code AgentRequest}) plus
   * {@code run_id} and {@code stream}. Reply: the run with its timeline.
   */
  public static final String AGENT_RUN = "agentloop.agent.run";
  private static final String AGENT_RUN_EVENTS = "agentloop.agent.events.";

  /** Where a streamed agent run publishes its steps and tool calls as they finish, local-only. */
  public static String agentRunEvents(String runId) {
    return AGENT_RUN_EVENTS + runId;
  }

  /** Start a background job (local to this node). Body: a checked job request. Reply: the job, once durably stored. */
  public static final String JOBS_CREATE = "agentloop.jobs.create";
  /** A job's state (local). Body: {@code {"id"}}. Reply: the job, or a 404 failure. */
  public static final String JOBS_GET = "agentloop.jobs.get";
  /** Cancel a job (local). Body: {@code {"id"}}. Reply: the job after cancelling. */
  public static final String JOBS_CANCEL = "agentloop.jobs.cancel";
  private static final String JOB_EVENTS = "agentloop.jobs.events.";

  /** Where a job's progress is published, local-only: {@code {"id","status","progress","item"?}}. */
  public static String jobEvents(String jobId) {
    return JOB_EVENTS + jobId;
  }

  private Addresses() {
  }
}
