package dev.agentloop.contract;

/**
 * Every event-bus address agentloop uses. Addresses follow {@code agentloop.<service>.<action>};
 * no other class spells one out.
 */
public final class Addresses {

  /** Request a whole completion. Body: a chat request ({@link dev.agentloop.contract.chat.ChatRequest#toBus}). Reply: a completion. */
  public static final String LLM_COMPLETE = "agentloop.llm.complete";
  /** Open a token stream. Body: a chat request with an {@code id}. Replies: the stream protocol of {@link dev.agentloop.contract.stream.StreamProtocol}. */
  public static final String LLM_STREAM = "agentloop.llm.stream";
  /**
   * Embed texts or token ids. Body: the embeddings request as OpenAI takes it
   * ({@code {"model","input","dimensions"?,"encoding_format"?}}; other fields ignored). Reply: the
   * OpenAI response body as JSON text (a buffer), with headers {@code model}, {@code inputs} and
   * {@code prompt_tokens}; a failure reply in OpenAI's error shape (404 unknown model, 400 bad input).
   */
  public static final String LLM_EMBED = "agentloop.llm.embed";
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
   * Background jobs in storage. A job is a header plus one result record per item. Create. Body:
   * {@code {"id","node","incarnation","created_at","concurrency","requests","state"}}, where a state is
   * {@code {"version","status","started_at","finished_at","progress":{"total","done","succeeded","failed",
   * "cancelled","running"}}}. Reply (once durable): {@code {"id"}}.
   */
  public static final String STORAGE_JOBS_CREATE = "agentloop.storage.jobs.create";
  /** A job's new state. Body: {@code {"id","state"}}; a state older (lower version) than the stored one is ignored. Reply: {@code {"id"}}. */
  public static final String STORAGE_JOBS_UPDATE = "agentloop.storage.jobs.update";
  /** One item's result and the job's state after it. Body: {@code {"id","result":{"index","status",...},"state"}}. Reply: {@code {"id"}}. */
  public static final String STORAGE_JOBS_RECORD = "agentloop.storage.jobs.record";
  /**
   * A job with the first page of its results. Body: {@code {"id","limit"?,"max_bytes"?}}. Reply: the job
   * ({@code {"id","object":"job","status","created_at","started_at","finished_at","concurrency","progress",
   * "node","incarnation"}}) plus {@code "results"} and {@code "results_has_more"}; 404 when unknown.
   */
  public static final String STORAGE_JOBS_GET = "agentloop.storage.jobs.get";
  /**
   * A page of a job's results in index order, the items without a result shown by their status.
   * Body: {@code {"id","after"?,"limit"?,"max_bytes"?}}. Reply: {@code {"object":"list","data","first_index",
   * "last_index","has_more"}}; a page stops early once its results pass {@code max_bytes}.
   */
  public static final String STORAGE_JOBS_RESULTS = "agentloop.storage.jobs.results";
  /**
   * Marks as interrupted the jobs a process of this node was running when it stopped. Body:
   * {@code {"node","incarnation","finished_at"}}: every queued or running job of {@code node} that another
   * incarnation started. Reply: {@code {"interrupted": n}}.
   */
  public static final String STORAGE_JOBS_INTERRUPT = "agentloop.storage.jobs.interrupt";
  /** Deletes finished jobs. Body: {@code {"finished_before","limit"}} (seconds). Reply: {@code {"deleted": n}}, at most limit. */
  public static final String STORAGE_JOBS_EXPIRE = "agentloop.storage.jobs.expire";

  /**
   * Reserves an idempotency key before its write runs. Body: {@code {"owner","key","hash","lock_ms"}}
   * ({@code owner} the key's owner, never {@code "*"}; {@code hash} that of the request). Reply:
   * {@code {"state":"reserved"}}, or {@code {"state":"completed","status","body"}}: the recorded
   * response of the first request. Failures: 409 {@code idempotency_key_in_progress} (with its
   * Retry-After) while another request holds it, 422 {@code idempotency_key_reused} for another
   * hash, 429 {@code idempotency_keys_exhausted} past the owner's cap.
   */
  public static final String STORAGE_IDEMPOTENCY_BEGIN = "agentloop.storage.idempotency.begin";
  /** Frees a reservation whose write did not happen. Body: {@code {"owner","key","hash"}}. Reply: {@code {"released": bool}}. */
  public static final String STORAGE_IDEMPOTENCY_RELEASE = "agentloop.storage.idempotency.release";
  /**
   * Records the response of a request that stores nothing else (an agent run). Body:
   * {@code {"owner","key","hash","status","body","ttl_ms"}}. Reply: the recorded response
   * {@code {"status","body","replayed"}} ({@code replayed}: the key was completed already, its
   * first response answers).
   */
  public static final String STORAGE_IDEMPOTENCY_COMPLETE = "agentloop.storage.idempotency.complete";

  /**
   * Run an agent workflow (local to this node). Body: a checked agent run ({@code AgentRequest}) plus
   * {@code id} (the run id) and {@code stream}. Replies: the stream protocol of
   * {@link dev.agentloop.contract.stream.StreamProtocol} with JSON events: with {@code stream}, each step
   * and tool call as it finishes; always, the run with its timeline as the last event.
   */
  public static final String AGENT_RUN = "agentloop.agent.run";
  /** Published (local): {@code {"id"}} stops that agent run, whose client went away. */
  public static final String AGENT_CANCEL = "agentloop.agent.cancel";

  /** Start a background job (local to this node). Body: a checked job request plus {@code client}. Reply: the job, once durably stored; 429 past the job caps. */
  public static final String JOBS_CREATE = "agentloop.jobs.create";
  /** A job's state with the first page of its results (local). Body: {@code {"id"}}. Reply: the job, or a 404 failure. */
  public static final String JOBS_GET = "agentloop.jobs.get";
  /** A page of a job's results (local). Body: {@code {"id","after"?,"limit"?}}. Reply: the page of {@link #STORAGE_JOBS_RESULTS}. */
  public static final String JOBS_RESULTS = "agentloop.jobs.results";
  /** Cancel a job (local). Body: {@code {"id"}}. Reply: the job after cancelling. */
  public static final String JOBS_CANCEL = "agentloop.jobs.cancel";
  /**
   * Follow a job's progress (local). Body: {@code {"id": watch id, "job_id"}}. Replies: the stream protocol
   * with JSON events {@code {"id","object":"job.progress","status","progress","item"?,"items_dropped"?}}:
   * the current state, then each change, ending with the finished state; 404 unknown, 429 past the watcher caps.
   */
  public static final String JOBS_WATCH = "agentloop.jobs.watch";
  /** Published (local): {@code {"id": watch id}} ends that watch, whose client went away. */
  public static final String JOBS_UNWATCH = "agentloop.jobs.unwatch";

  private Addresses() {
  }
}
