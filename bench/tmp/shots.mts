import { chromium } from 'playwright-core';
const base = 'http://localhost:3100';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
await page.goto(`${base}/signin`);
await page.getByRole('link', { name: /email/i }).first().click().catch(() => {});
await page.waitForLoadState();
if (!page.url().includes('3101')) await page.goto(`${base}/login`);
await page.fill('input[name="login"], input[type="email"]', 'member@example.com');
await page.fill('input[type="password"]', 'Member-demo-2026');
await page.locator('button[type="submit"]').first().click();
await page.waitForURL(/3100/);
const pages = process.argv.slice(2);
for (const width of [1280, 375]) {
  await page.setViewportSize({ width, height: 900 });
  for (const p of pages) {
    await page.goto(`${base}${p}`);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const name = p.replace(/[^a-z0-9]+/gi, '_') || 'root';
    await page.screenshot({ path: `/tmp/shot-${width}-${name}.png`, fullPage: false });
    console.log(width, p, 'overflow', over, page.url());
  }
}
await browser.close();
