package dev.agentloop.storage;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatRequest;
import io.vertx.core.json.JsonObject;

/** A conversation rendered as JSON Lines (one object per line, the conversation first) or Markdown. */
final class Exports {

  private Exports() {
  }

  static void checkFormat(String format) {
    if (!"jsonl".equals(format) && !"markdown".equals(format) && !"md".equals(format)) {
      throw ApiException.badRequest("Invalid 'format': expected 'jsonl' or 'markdown'.", "format", "invalid_value");
    }
  }

  static JsonObject render(JsonObject conversation, String format) {
    checkFormat(format);
    return switch (format) {
      case "jsonl" -> new JsonObject().put("content_type", "application/x-ndjson; charset=utf-8")
          .put("extension", "jsonl").put("body", jsonl(conversation));
      case "markdown", "md" -> new JsonObject().put("content_type", "text/markdown; charset=utf-8")
          .put("extension", "md").put("body", markdown(conversation));
      default -> throw ApiException.badRequest("Invalid 'format': expected 'jsonl' or 'markdown'.", "format",
          "invalid_value");
    };
  }

  private static String jsonl(JsonObject conversation) {
    JsonObject header = conversation.copy();
    header.remove("messages");
    StringBuilder out = new StringBuilder(header.encode()).append('\n');
    for (Object message : conversation.getJsonArray("messages")) {
      out.append(((JsonObject) message).encode()).append('\n');
    }
    return out.toString();
  }

  private static String markdown(JsonObject conversation) {
    String title = conversation.getString("title");
    StringBuilder out = new StringBuilder("# ").append(title == null || title.isBlank() ? conversation.getString("id") : title)
        .append("\n\n").append("- id: `").append(conversation.getString("id")).append("`\n")
        .append("- created_at: ").append(conversation.getLong("created_at")).append("\n")
        .append("- messages: ").append(conversation.getJsonArray("messages").size()).append("\n");
    for (Object m : conversation.getJsonArray("messages")) {
      JsonObject message = (JsonObject) m;
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
    return out.toString();
  }
}
