package dev.agentloop.gateway.conversations;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A conversation rendered as JSON Lines (one object per line, the conversation first) or Markdown,
 * one page of messages at a time, so an export of any length is built from bounded pieces.
 */
enum ExportFormat {

  JSONL("application/x-ndjson; charset=utf-8", "jsonl"),
  MARKDOWN("text/markdown; charset=utf-8", "md");

  final String contentType;
  final String extension;

  ExportFormat(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  static ExportFormat of(String format) {
    return switch (format) {
      case "jsonl" -> JSONL;
      case "markdown", "md" -> MARKDOWN;
      default -> throw ApiException.badRequest("Invalid 'format': expected 'jsonl' or 'markdown'.", "format",
          "invalid_value");
    };
  }

  /** What opens the export: the conversation itself ({@code messages} left out). */
  Buffer header(JsonObject conversation) {
    if (this == JSONL) {
      JsonObject header = conversation.copy();
      for (String paging : new String[] {"messages", "has_more", "last_position"}) {
        header.remove(paging);
      }
      return Buffer.buffer(header.encode()).appendString("\n");
    }
    String title = conversation.getString("title");
    return Buffer.buffer(new StringBuilder("# ")
        .append(title == null || title.isBlank() ? conversation.getString("id") : title).append("\n\n")
        .append("- id: `").append(conversation.getString("id")).append("`\n")
        .append("- created_at: ").append(conversation.getLong("created_at")).append("\n")
        .append("- messages: ").append(conversation.getInteger("message_count")).append("\n").toString());
  }

  /** One page of messages. */
  Buffer messages(JsonArray messages) {
    StringBuilder out = new StringBuilder();
    for (Object m : messages) {
      JsonObject message = (JsonObject) m;
      if (this == JSONL) {
        out.append(message.encode()).append('\n');
        continue;
      }
      out.append("\n## ").append(message.getString("role"));
      if ("assistant".equals(message.getString("role"))) {
        if (message.getString("model") != null) {
          out.append(" (").append(message.getString("model")).append(')');
        }
        if (Boolean.FALSE.equals(message.getBoolean("complete"))) {
          out.append(" [incomplete]");
        }
      }
      out.append("\n\n").append(ChatRequest.text(message)).append('\n');
    }
    return Buffer.buffer(out.toString());
  }
}
