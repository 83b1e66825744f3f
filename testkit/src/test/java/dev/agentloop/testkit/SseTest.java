package dev.agentloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseTest {

  @Test
  void the_sse_parser_reassembles_events_split_across_reads() {
    List<String> data = new ArrayList<>();
    Sse.Parser parser = new Sse.Parser(data::add);
    parser.feed(Buffer.buffer("data: {\"a\":1}\n\nda"));
    parser.feed(Buffer.buffer("ta: {\"b\":2}\n"));
    assertThat(data).containsExactly("{\"a\":1}");
    parser.feed(Buffer.buffer("\ndata: [DONE]\r\n\r\n: comment\n\ndata: x\ndata: y\n\n"));
    assertThat(data).containsExactly("{\"a\":1}", "{\"b\":2}", "[DONE]", "x\ny");
  }

  @Test
  void the_strict_parser_reads_events_comments_and_done() {
    Sse.Stream stream = Sse.parse(": keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\ndata: [DONE]\n\n");
    assertThat(stream.done()).isTrue();
    assertThat(stream.comments()).isEqualTo(1);
    assertThat(stream.content()).isEqualTo("ab");
  }

  @Test
  void the_strict_parser_rejects_a_line_that_is_neither_data_nor_comment_and_an_event_after_done() {
    assertThatThrownBy(() -> Sse.parse("event: x\n\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an SSE line");
    assertThatThrownBy(() -> Sse.parse("data: [DONE]\n\ndata: {}\n\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after [DONE]");
    assertThatThrownBy(() -> Sse.parse("data: {}\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank line");
  }
}
