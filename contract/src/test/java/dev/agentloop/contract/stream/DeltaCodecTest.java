package dev.agentloop.contract.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The batch encoding: each entry kind round-trips, locally and through the wire form; anything else is refused. */
class DeltaCodecTest {

  /** A batch as another node receives it: encoded to text and parsed back. */
  private static JsonObject overTheWire(JsonObject batch) {
    return new JsonObject(batch.encode());
  }

  @Test
  @DisplayName("a text entry encodes as [\"t\", text] and round-trips, also through the wire form")
  void text_round_trip() {
    Delta text = Delta.text("Hel\"lo\n ✓");
    assertThat(DeltaCodec.encode(text).encode()).isEqualTo("[\"t\",\"Hel\\\"lo\\n ✓\"]");
    assertThat(DeltaCodec.decode(DeltaCodec.encode(text), 0)).isEqualTo(text);
    JsonObject batch = overTheWire(StreamProtocol.batch(List.of(text, Delta.text(""))));
    assertThat(StreamProtocol.decode(batch, 8)).isEqualTo(new StreamProtocol.Batch(List.of(text, Delta.text("")), null));
  }

  @Test
  @DisplayName("an event entry encodes as [\"e\", {...}] and round-trips with nested JSON intact")
  void event_round_trip() {
    Delta event = Delta.event(new JsonObject().put("object", "job.progress")
        .put("progress", new JsonObject().put("done", 3)).put("items", new JsonArray().add(1).add("two")));
    assertThat(DeltaCodec.encode(event).getValue(0)).isEqualTo("e");
    assertThat(DeltaCodec.decode(DeltaCodec.encode(event), 0)).isEqualTo(event);
    JsonObject batch = overTheWire(StreamProtocol.batch(List.of(event)));
    assertThat(StreamProtocol.decode(batch, 8).deltas()).containsExactly(event);
  }

  @Test
  @DisplayName("a terminal batch carries its end: finish reason and usage; mixed kinds keep their order")
  void terminal_batch_round_trip() {
    List<Delta> deltas = List.of(Delta.text("a"), Delta.event(new JsonObject().put("n", 1)), Delta.text("b"));
    JsonObject usage = new JsonObject().put("prompt_tokens", 2).put("completion_tokens", 2).put("total_tokens", 4);
    JsonObject last = StreamProtocol.lastBatch(deltas, "length", usage);
    assertThat(last.encode()).isEqualTo("{\"d\":[[\"t\",\"a\"],[\"e\",{\"n\":1}],[\"t\",\"b\"]],"
        + "\"end\":{\"finish_reason\":\"length\",\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":2,\"total_tokens\":4}}}");
    StreamProtocol.Batch decoded = StreamProtocol.decode(overTheWire(last), 8);
    assertThat(decoded.deltas()).isEqualTo(deltas);
    assertThat(decoded.end()).isEqualTo(new StreamEnd("length", usage));
  }

  @Test
  @DisplayName("malformed batches are refused whole, with a message that says what is wrong")
  void malformed_batches() {
    List<Object> bad = List.of("text", new JsonObject(), new JsonObject().put("d", "t"),
        new JsonObject().put("tokens", new JsonArray().add("hello")),
        batchOf(new JsonArray().add("hello")),
        batchOf(new JsonArray().add(new JsonArray())),
        batchOf(new JsonArray().add(new JsonArray().add("x").add("y"))),
        batchOf(new JsonArray().add(new JsonArray().add("t"))),
        batchOf(new JsonArray().add(new JsonArray().add("t").add(3))),
        batchOf(new JsonArray().add(new JsonArray().add("t").add("a").add("b").add("c"))),
        batchOf(new JsonArray().add(new JsonArray().add("e").add("not an object"))),
        batchOf(new JsonArray().add(new JsonArray().add(7).add("a"))),
        batchOf(new JsonArray()).put("end", "stop"),
        batchOf(new JsonArray()).put("end", new JsonObject().put("finish_reason", 1)),
        batchOf(new JsonArray()).put("end", new JsonObject().put("usage", "none")));
    for (Object body : bad) {
      assertThatThrownBy(() -> StreamProtocol.decode(body, 8)).as("%s", body)
          .isInstanceOf(DeltaCodec.MalformedBatch.class).hasMessageNotContaining("null");
    }
    assertThatThrownBy(() -> StreamProtocol.decode(batchOf(new JsonArray().add(new JsonArray().add("x").add("y"))), 8))
        .hasMessage("entry 0 has an unknown kind `x`");
    assertThatThrownBy(() -> StreamProtocol.decode(batchOf(new JsonArray().add(new JsonArray().add("t").add("ok"))
            .add(new JsonArray().add("t").add(3))), 8))
        .hasMessage("entry 1 (t): the text is not a string");
  }

  @Test
  @DisplayName("a batch is bounded: one entry past the bound is refused before any entry is decoded")
  void bounded_batches() {
    JsonArray entries = new JsonArray();
    for (int i = 0; i < 9; i++) {
      entries.add(DeltaCodec.encode(Delta.text("x")));
    }
    assertThatThrownBy(() -> StreamProtocol.decode(batchOf(entries), 8))
        .isInstanceOf(DeltaCodec.MalformedBatch.class)
        .hasMessage("the batch has 9 entries, more than the 8 allowed");
    entries.remove(8);
    assertThat(StreamProtocol.decode(batchOf(entries), 8).deltas()).hasSize(8);
  }

  @Test
  @DisplayName("joinedText gathers the text entries in order and leaves events out")
  void joined_text() {
    String text = List.of(Delta.text("Hel"), Delta.event(new JsonObject().put("a", 1)), Delta.text("lo")).stream()
        .collect(Delta.joinedText());
    assertThat(text).isEqualTo("Hello");
  }

  @Test
  @DisplayName("tool-call starts [\"s\",index,id,name] and argument fragments [\"a\",index,fragment] round-trip; "
      + "a choice index is an optional last element, absent for choice 0")
  void tool_call_and_choice_round_trip() {
    List<Delta> deltas = List.of(new Delta.ToolCallStart(0, "call_a", "get_weather", 0),
        new Delta.ToolArguments(0, "{\"city\":", 0), new Delta.ToolArguments(0, "\"Paris\"}", 0),
        new Delta.ToolCallStart(1, "call_b", "get_time", 2), new Delta.ToolArguments(1, "{}", 2),
        new Delta.Text("hi", 1), new Delta.Text("there"));
    assertThat(DeltaCodec.encodeAll(deltas).encode()).isEqualTo("[[\"s\",0,\"call_a\",\"get_weather\"],"
        + "[\"a\",0,\"{\\\"city\\\":\"],[\"a\",0,\"\\\"Paris\\\"}\"],[\"s\",1,\"call_b\",\"get_time\",2],"
        + "[\"a\",1,\"{}\",2],[\"t\",\"hi\",1],[\"t\",\"there\"]]");
    JsonObject batch = overTheWire(StreamProtocol.batch(deltas));
    assertThat(StreamProtocol.decode(batch, 8).deltas()).isEqualTo(deltas);
    assertThat(deltas.get(3).choiceIndex()).isEqualTo(2);
  }

  @Test
  @DisplayName("malformed tool-call and choice entries are refused: arity, types, index and choice bounds")
  void malformed_tool_entries() {
    List<JsonArray> bad = List.of(new JsonArray().add("s").add(0).add("id"),
        new JsonArray().add("s").add("0").add("id").add("name"),
        new JsonArray().add("s").add(0).add(1).add("name"),
        new JsonArray().add("s").add(-1).add("id").add("name"),
        new JsonArray().add("s").add(Delta.MAX_TOOL_CALLS).add("id").add("name"),
        new JsonArray().add("s").add(0).add("id").add("name").add(Delta.MAX_CHOICES),
        new JsonArray().add("s").add(0).add("id").add("name").add(1).add(2),
        new JsonArray().add("a").add(0),
        new JsonArray().add("a").add(0).add(7),
        new JsonArray().add("a").add(0).add("x").add("1"),
        new JsonArray().add("t").add("x").add(-1));
    for (JsonArray entry : bad) {
      assertThatThrownBy(() -> StreamProtocol.decode(batchOf(new JsonArray().add(entry)), 8)).as("%s", entry)
          .isInstanceOf(DeltaCodec.MalformedBatch.class).hasMessageStartingWith("entry 0");
    }
  }

  @Test
  @DisplayName("gathered answers: text per choice, tool calls in OpenAI's shape by index, content null beside calls")
  void gathered_answer() {
    Gathered answer = List.of(new Delta.ToolCallStart(1, "call_b", "b", 0), new Delta.ToolCallStart(0, "call_a", "a", 0),
        new Delta.ToolArguments(0, "{\"x\":", 0), new Delta.ToolArguments(1, "{}", 0), new Delta.ToolArguments(0, "1}", 0),
        new Delta.Text("second", 1), Delta.event(new JsonObject().put("e", 1))).stream().collect(Delta.gathered());
    assertThat(answer.choices()).isEqualTo(2);
    assertThat(answer.content(0)).isNull();
    assertThat(answer.content(1)).isEqualTo("second");
    assertThat(answer.toolCalls(0).encode()).isEqualTo("[{\"id\":\"call_a\",\"type\":\"function\",\"function\":"
        + "{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}},{\"id\":\"call_b\",\"type\":\"function\","
        + "\"function\":{\"name\":\"b\",\"arguments\":\"{}\"}}]");
    assertThat(answer.toolCalls(1)).isEmpty();
    assertThat(List.of(Delta.text("a"), new Delta.Text("b", 1)).stream().collect(Delta.joinedText())).isEqualTo("a");
  }

  private static JsonObject batchOf(JsonArray entries) {
    return new JsonObject().put(StreamProtocol.DELTAS, entries);
  }
}
