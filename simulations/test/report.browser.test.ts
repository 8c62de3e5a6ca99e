/**
 * Issue #14's acceptance: the HTML report renders in a real headless Chromium. A small real sweep (the 60% crash at
 * two LLTVs, a few paths) goes through `cogfi-sim sweep` and `report --format html`; the page is opened as file://
 * with every http(s) request aborted (and none may be attempted), screenshotted, and each chart is checked to have
 * drawn its data: an SVG with one bar and one interval rule per run, as many charts as the page declares, and the
 * bars' colour in the chart's own screenshot. The browser is the Debian `chromium` (`node tools/ensure-chromium.mjs`,
 * run by `npm test` before vitest); without it this test fails saying so, it never skips.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, describe, expect, test } from "vitest";
import { ENSURE_COMMAND, findChromium } from "../../tools/ensure-chromium.mjs";
import { main } from "../src/cli.js";
import { reportCharts } from "../src/report.js";
import type { Results } from "../src/run.js";
import { decodePng, distinctColours, pixelsNear } from "./png.js";

/** The launch flags that work as root in a container (shared/toolchain.md); Playwright adds --headless. */
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
/** The bars' fill in report.ts's interval chart. */
const BAR_COLOUR = "#4c78a8";
const LLTVS = ["0.625", "0.77"];

type Setup = { browser: Browser; dir: string; runs: Results[]; reportUrl: string };
let setup: Promise<Setup> | undefined;

/**
 * The browser and the report, made once for the file's tests. Called in each test (not in a beforeAll), so that a
 * missing browser fails every test with the instruction, rather than leaving them reported as skipped.
 */
function ready(): Promise<Setup> {
  setup ??= (async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error(`no Chromium on this machine: run \`${ENSURE_COMMAND}\` (npm test runs it before vitest)`);
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
    const dir = mkdtempSync(join(tmpdir(), "cogfi-report-"));
    const sweep = await cli("sweep", "share-crash-60", "--seed", "1", "--paths", "3", "--param", "lending.lltv", "--values", LLTVS.join(","));
    writeFileSync(join(dir, "sweep.json"), sweep);
    await cli("report", join(dir, "sweep.json"), "--format", "html", "--out", join(dir, "report.html"));
    return { browser, dir, runs: JSON.parse(sweep) as Results[], reportUrl: pathToFileURL(join(dir, "report.html")).href };
  })();
  return setup;
}

async function cli(...argv: string[]): Promise<string> {
  const out: string[] = [];
  let errors = "";
  const stderr = new PassThrough();
  stderr.on("data", (chunk) => (errors += chunk));
  const code = await main(argv, { stdout: (text) => out.push(text), stderr });
  expect(code, `cogfi-sim ${argv.join(" ")} failed: ${errors}`).toBe(0);
  return out.join("");
}

/** A page whose every request is recorded, and every http(s) one aborted. */
async function offlinePage(browser: Browser): Promise<{ page: Page; requests: string[]; aborted: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  const aborted: string[] = [];
  context.on("request", (request) => void requests.push(request.url()));
  await context.route(/^https?:/, (route) => {
    aborted.push(route.request().url());
    return route.abort("internetdisconnected");
  });
  return { page: await context.newPage(), requests, aborted };
}

afterAll(async () => {
  // Close the browser if it started; a failed setup has already failed the tests.
  const started = await setup?.catch(() => undefined);
  await started?.browser.close();
});

describe("HTML report in headless Chromium", () => {
  test("the network guard sees and aborts an http request (so 'none attempted' below means something)", async () => {
    const { browser, reportUrl } = await ready();
    const { page, requests, aborted } = await offlinePage(browser);
    await page.goto(reportUrl);
    const fetched = await page.evaluate(() =>
      fetch("http://cogfi.invalid/probe.png").then(
        () => "loaded",
        () => "failed",
      ),
    );
    expect(fetched).toBe("failed");
    expect(aborted).toEqual(["http://cogfi.invalid/probe.png"]);
    expect(requests).toContain("http://cogfi.invalid/probe.png");
    await page.context().close();
  }, 180_000);

  test("opens offline, requests nothing but itself, and every chart drew its data", async () => {
    const { browser, dir, runs, reportUrl } = await ready();
    const { page, requests, aborted } = await offlinePage(browser);
    const response = await page.goto(reportUrl, { waitUntil: "load" });
    expect(response?.ok(), "the report did not load").toBe(true);
    expect(await page.title()).toBe("CogFi risk simulation report");

    // As many charts as the page declares, and as the report defines.
    const declared = Number(await page.getAttribute("#charts", "data-chart-count"));
    const expectedCharts = reportCharts(runs).map((c) => c.name);
    expect(declared).toBe(expectedCharts.length);
    const figures = page.locator("#charts figure[data-chart]");
    expect(await figures.count()).toBe(declared);
    const names = await figures.evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-chart")));
    expect(names).toEqual(expectedCharts);

    for (const name of expectedCharts) {
      const figure = page.locator(`figure[data-chart="${name}"]`);
      // Laid out by the browser: an SVG of non-zero size, with one bar and one interval rule per run, each drawn
      // with a non-empty box (a bar of a non-zero value has height; the CI rule spans its interval or is a point).
      const drawn = await figure.evaluate((node) => {
        const svg = node.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        const marks = (selector: string) => [...node.querySelectorAll<SVGGraphicsElement>(selector)].map((m) => m.getBBox());
        return {
          svg: svg ? { width: box!.width, height: box!.height } : null,
          bars: marks("g.mark-rect.role-mark path").map((b) => ({ width: b.width, height: b.height })),
          rules: marks("g.mark-rule.role-mark line").length,
          symbols: marks("g.mark-symbol.role-mark path").length,
          xLabels: [...node.querySelectorAll("g.role-axis-label text")].map((t) => t.textContent ?? ""),
        };
      });
      expect(drawn.svg, `${name}: no SVG`).not.toBeNull();
      expect(drawn.svg!.width, `${name}: SVG width`).toBeGreaterThan(100);
      expect(drawn.svg!.height, `${name}: SVG height`).toBeGreaterThan(100);
      expect(drawn.bars, `${name}: bars`).toHaveLength(runs.length);
      expect(drawn.rules, `${name}: interval rules`).toBe(runs.length);
      // A sweep's runs are told apart by the swept value, shown whole (not the scenario name cut off by the axis).
      for (const lltv of LLTVS) expect(drawn.xLabels, `${name}: x labels`).toContain(`lltv=${lltv}`);
      expect(drawn.bars.length + drawn.rules + drawn.symbols, `${name}: marks`).toBeGreaterThan(0);
      for (const bar of drawn.bars) expect(bar.width, `${name}: bar width`).toBeGreaterThan(0);
      // This scenario's figures are all non-zero (a 60% crash: bad debt, insolvency, LP loss, TWAP error), so at
      // least one bar per chart has height, and its colour is on the chart's own screenshot.
      expect(Math.max(...drawn.bars.map((b) => b.height)), `${name}: tallest bar`).toBeGreaterThan(1);
      const shot = decodePng(await figure.screenshot({ path: join(dir, `chart-${name}.png`) }));
      expect(pixelsNear(shot, BAR_COLOUR, 6), `${name}: bar-coloured pixels on screen`).toBeGreaterThan(50);
    }

    // The whole page: a real picture, not a blank or single-colour one.
    const file = join(dir, "report.png");
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(statSync(file).size, "screenshot size (bytes)").toBeGreaterThan(20_000);
    const image = decodePng(png);
    expect(image.width).toBe(1200);
    expect(image.height).toBeGreaterThan(900);
    expect(distinctColours(image), "colours on the screenshot").toBeGreaterThan(32);
    let inked = 0;
    for (let i = 0; i < image.rgba.length; i += 4) if (image.rgba[i]! < 200 || image.rgba[i + 1]! < 200 || image.rgba[i + 2]! < 200) inked++;
    expect(inked / (image.width * image.height), "share of non-white pixels").toBeGreaterThan(0.02);
    expect(pixelsNear(image, BAR_COLOUR, 6)).toBeGreaterThan(50 * expectedCharts.length);

    // Offline: the page asked for nothing but its own file.
    expect(aborted, "http(s) requests attempted").toEqual([]);
    expect(requests).toEqual([reportUrl]);
    await page.context().close();
  }, 180_000);
});
