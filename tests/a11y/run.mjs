// Loads each page in headless Chromium at each viewport, runs axe-core and measures overflow.
// Usage: node run.mjs < job.json; job = {chromium, urls: [...], viewports: [{name, width,
// height}], screenshots: [{url, viewport, path}]}. Prints one JSON array of results to stdout.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const job = JSON.parse(readFileSync(0, "utf8"));
const browser = await chromium.launch({
  executablePath: job.chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const results = [];
try {
  for (const viewport of job.viewports) {
    // The pages forbid scripts (CSP script-src 'none'); axe is injected around it.
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      bypassCSP: true,
      javaScriptEnabled: true,
    });
    const page = await context.newPage();
    for (const url of job.urls) {
      const response = await page.goto(url, { waitUntil: "load" });
      await page.evaluate(axeSource);
      const axe = await page.evaluate(async () => {
        const found = await window.axe.run(document, { resultTypes: ["violations"] });
        return found.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => ({
            target: n.target.join(" "),
            html: n.html,
            summary: n.failureSummary,
          })),
        }));
      });
      const size = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        lang: document.documentElement.lang,
      }));
      // The first Tab reaches the skip link, which must then be on screen with a focus ring.
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return {
          first: el.getAttribute("href"),
          onScreen: box.left >= 0 && box.top >= 0 && box.width > 0 && box.right <= window.innerWidth,
          outline: getComputedStyle(el).outlineStyle,
        };
      });
      results.push({
        url,
        viewport: viewport.name,
        status: response.status(),
        violations: axe,
        focus,
        ...size,
      });
    }
    for (const shot of job.screenshots || []) {
      if (shot.viewport !== viewport.name) continue;
      await page.goto(shot.url, { waitUntil: "load" });
      await page.screenshot({ path: shot.path, fullPage: shot.fullPage !== false });
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
