package dev.agentloop.it.observe;

import java.util.Comparator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Opens /dashboard in a real headless Chromium (Debian's chromium + chromium-driver, driven by
 * Selenium with explicit paths so Selenium Manager never downloads anything), sends traffic, and
 * watches the numbers move; the blocking demo must raise the BLOCKED marker. Leaves a screenshot in
 * it/target/dashboard.png.
 */
@DisplayName("The live dashboard in a headless browser")
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  @DisplayName("shows traffic, streams and event-bus counts changing while requests flow, and marks a blocked loop")
  void dashboard_shows_numbers_that_change_while_requests_flow() throws Exception {
    requireBrowser();
    JsonObject overrides = new JsonObject().put("observability", new JsonObject()
        .put("blocked_thread_check_interval_ms", 100).put("max_event_loop_execute_time_ms", 300)
        .put("demo_enabled", true));
    Path profile = Files.createTempDirectory("agentloop-chromium-");
    try (TestApp app = TestApp.start(overrides)) {
      WebDriver driver = browser(profile);
      Traffic traffic = new Traffic(app.gatewayUrl());
      try {
        driver.get(app.gatewayUrl() + "/dashboard");
        Await.until("the page to receive two snapshots", PATIENCE, () -> samples(driver) >= 2);
        assertThat(driver.findElement(By.id("conn")).getText()).isEqualTo("live");
        assertThat(driver.findElements(By.cssSelector("#loops .loop"))).hasSizeGreaterThanOrEqualTo(1);
        long requestsBefore = number(driver, By.id("requests-total"));
        long sentBefore = number(driver, By.cssSelector("tr[data-address='agentloop.llm.stream'] .sent-total"));

        traffic.start();
        Await.until("requests/s above zero on the page", PATIENCE, () -> decimal(driver, By.id("rps")) > 0);
        Await.until("streams in flight above zero on the page", PATIENCE, () -> number(driver, By.id("streams")) > 0);
        Await.until("the served-requests total to grow", PATIENCE,
            () -> number(driver, By.id("requests-total")) > requestsBefore);
        Await.until("agentloop.llm.stream's sent count to grow", PATIENCE,
            () -> number(driver, By.cssSelector("tr[data-address='agentloop.llm.stream'] .sent-total")) > sentBefore);
        Await.until("a per-model row for mock-realistic", PATIENCE,
            () -> !driver.findElements(By.cssSelector("tr[data-model='mock-realistic']")).isEmpty());
        // a cold JVM may already have blocked a loop (class loading): count from here
        long blocksBefore = number(driver, By.id("blocked-total"));

        HttpResponse<String> blocked = Http.post(app.gatewayUrl() + "/admin/demo/block?ms=800", "");
        assertThat(blocked.statusCode()).isEqualTo(200);
        String loop = Http.json(blocked).getString("event_loop");
        By marker = By.cssSelector(".loop[data-thread='" + loop + "'] .badge.blocked");
        Await.until("a BLOCKED marker of at least 500 ms on " + loop, PATIENCE, () -> {
          try {
            List<WebElement> badges = driver.findElements(marker);
            return badges.size() == 1 && Integer.parseInt(badges.get(0).getText().replaceAll("[^0-9]", "")) >= 500;
          } catch (StaleElementReferenceException redrawn) {
            return false; // the page redrew the loop between finding the badge and reading it: look again
          }
        });
        assertThat(number(driver, By.id("blocked-total"))).isGreaterThan(blocksBefore);
        assertThat(driver.findElement(By.id("events")).getText()).contains("DemoWork.pretendToWork");

        int shown = samples(driver);
        Await.until("three more snapshots for the sparklines", PATIENCE, () -> samples(driver) >= shown + 3);
        Path screenshot = Path.of(System.getProperty("basedir", "."), "target", "dashboard.png");
        Files.createDirectories(screenshot.getParent());
        File png = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
      } finally {
        traffic.stop();
        driver.quit();
      }
    } finally {
      deleteTree(profile);
    }
  }

  private static void requireBrowser() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && System.getenv("CI") != null) {
      Assertions.fail("CI is set but " + CHROMIUM + " or " + CHROMEDRIVER
          + " is missing: apt-get install -y chromium chromium-driver");
    }
    Assumptions.assumeTrue(present, "Debian chromium and chromium-driver are not installed");
  }

  private static WebDriver browser(Path profile) {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1440,1080", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static int samples(WebDriver driver) {
    String value = driver.findElement(By.tagName("body")).getAttribute("data-samples");
    return value == null ? 0 : Integer.parseInt(value);
  }

  private static long number(WebDriver driver, By locator) {
    return Math.round(decimal(driver, locator));
  }

  private static double decimal(WebDriver driver, By locator) {
    String text = null;
    for (int tries = 0; text == null; tries++) {
      List<WebElement> found = driver.findElements(locator);
      if (found.isEmpty()) {
        return -1;
      }
      try {
        text = found.get(0).getText().replace(",", "").trim();
      } catch (StaleElementReferenceException redrawn) {
        if (tries == 10) {
          throw redrawn; // the page never stops redrawing it: that is a failure of its own
        }
      }
    }
    return text.isEmpty() || text.equals("–") ? -1 : Double.parseDouble(text);
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A few clients in a loop: streams to mock-realistic (so streams stay open) and quick mock-fast calls. */
  private static final class Traffic {
    private final String base;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<CompletableFuture<Void>> clients = new ArrayList<>();

    Traffic(String base) {
      this.base = base;
    }

    void start() {
      running.set(true);
      for (int i = 0; i < 4; i++) {
        clients.add(loop(Http.chat("mock-realistic", "stream " + i).put("stream", true)));
      }
      clients.add(loop(Http.chat("mock-fast", "quick")));
    }

    private CompletableFuture<Void> loop(JsonObject body) {
      if (!running.get()) {
        return CompletableFuture.completedFuture(null);
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
      return Http.client().sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .handle((r, e) -> null).thenCompose(v -> loop(body));
    }

    void stop() {
      running.set(false);
      clients.forEach(CompletableFuture::join);
    }
  }
}
