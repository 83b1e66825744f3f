package dev.agentloop.gateway.admin;

/**
 * The learners' stand-in for blocking work (a JDBC call, a slow file read). Only the admin demo
 * routes call it, and only when {@code observability.demo_enabled} is true.
 */
final class DemoWork {

  private DemoWork() {
  }

  /**
   * !!! DELIBERATELY BLOCKING !!! Sleeps the calling thread for {@code ms}. This is the ONE
   * Thread.sleep in agentloop's main code: on an event loop it freezes every connection and timer of
   * that loop (which is what {@code POST /admin/demo/block} wants to show); through executeBlocking
   * ({@code POST /admin/demo/offload}) the same call is harmless.
   */
  static void pretendToWork(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
