package dev.agentloop.storage;

import dev.agentloop.storage.Frames.Frame;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Walks the frames of a conversation file forwards or backwards. A damaged region (bytes that are
 * no frame, followed by a frame that is) is stepped over: the reader looks for the next magic and
 * goes on, so no valid record is ever lost behind a bad one. Bytes after the last valid frame that
 * hold no frame at all are a torn tail, left for the start-up repair to cut. Blocking: worker
 * threads only.
 */
final class RecordScanner {

  private static final int CHUNK = 64 * 1024;

  /** Gets each frame; returns false to stop the walk. */
  interface Visitor {
    boolean visit(Frame frame) throws IOException;
  }

  /**
   * What a forward walk met: where the last valid frame ends, the damaged regions stepped over, and
   * whether the bytes after {@code validEnd} are a torn tail (only known when the walk was not stopped).
   */
  record Summary(long validEnd, int damagedRegions, long damagedBytes, boolean tornTail, boolean stopped) {
  }

  private RecordScanner() {
  }

  /** The frames from {@code from} to the end of the file, oldest first. */
  static Summary forward(FileChannel channel, long from, Visitor visitor) throws IOException {
    long size = channel.size();
    long position = from;
    long validEnd = from;
    int regions = 0;
    long damaged = 0;
    while (position < size) {
      Frame frame = Frames.decodeAt(channel, position, size);
      if (frame == null) {
        frame = nextFrame(channel, position + 1, size);
        if (frame == null) {
          return new Summary(validEnd, regions, damaged, true, false);
        }
        regions++;
        damaged += frame.offset() - position;
      }
      validEnd = frame.end();
      position = frame.end();
      if (!visitor.visit(frame)) {
        return new Summary(validEnd, regions, damaged, false, true);
      }
    }
    return new Summary(validEnd, regions, damaged, false, false);
  }

  /**
   * The frames that start at or after {@code floor}, newest first, read from the end of the file
   * through each frame's trailer. Returns true when the walk reached {@code floor}, false when the
   * visitor stopped it.
   */
  static boolean backward(FileChannel channel, long floor, Visitor visitor) throws IOException {
    long end = channel.size();
    while (end > floor) {
      Frame frame = Frames.decodeEndingAt(channel, end);
      if (frame == null || frame.offset() < floor) {
        frame = previousFrame(channel, end, floor);
        if (frame == null) {
          return true;
        }
      }
      if (!visitor.visit(frame)) {
        return false;
      }
      end = frame.offset();
    }
    return true;
  }

  /** The first valid frame starting at or after {@code from} and ending by {@code limit}. */
  static Frame nextFrame(FileChannel channel, long from, long limit) throws IOException {
    for (long start = from; start + Frames.OVERHEAD <= limit; start += CHUNK) {
      int span = (int) Math.min(CHUNK + Frames.MAGIC.length - 1, limit - start);
      byte[] bytes = Frames.read(channel, start, span);
      for (int i = 0; i < Math.min(CHUNK, bytes.length); i++) {
        if (Frames.isMagic(bytes, i)) {
          Frame frame = Frames.decodeAt(channel, start + i, limit);
          if (frame != null) {
            return frame;
          }
        }
      }
    }
    return null;
  }

  /** The last valid frame starting at or after {@code floor} and ending by {@code end}. */
  static Frame previousFrame(FileChannel channel, long end, long floor) throws IOException {
    long highest = end - Frames.OVERHEAD;
    while (highest >= floor) {
      long lowest = Math.max(floor, highest - CHUNK + 1);
      byte[] bytes = Frames.read(channel, lowest, (int) (highest - lowest) + Frames.MAGIC.length);
      for (int i = (int) (highest - lowest); i >= 0; i--) {
        if (Frames.isMagic(bytes, i)) {
          Frame frame = Frames.decodeAt(channel, lowest + i, end);
          if (frame != null) {
            return frame;
          }
        }
      }
      highest = lowest - 1;
    }
    return null;
  }
}
