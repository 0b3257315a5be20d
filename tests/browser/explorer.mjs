// The explorer as a user meets it, in Debian's Chromium: the page loads with no request
// leaving the service, the documentation explorer lists EServiceProject, a query with a
// token typed into the Headers pane shows the caller's data, and a subscription shows a
// change made meanwhile. Fails on any page error.
//
//   SAMVERKAN_URL=http://127.0.0.1:8080 SAMVERKAN_TOKEN=… node explorer.mjs [screenshot.png]
import { chromium } from 'playwright-core';

const base = process.env.SAMVERKAN_URL ?? 'http://127.0.0.1:8080';
const token = process.env.SAMVERKAN_TOKEN;
const screenshot = process.argv[2];
if (!token) throw new Error('SAMVERKAN_TOKEN is not set');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // The machine has no route out; Chromium's own background traffic is turned off so the
  // only requests are the page's.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const step = (s) => console.log(`explorer: ${s}`);
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const origin = new URL(base).origin;
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && new URL(url).host !== new URL(origin).host) {
      failures.push(`request left the service: ${url}`);
    }
  });
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).host !== new URL(origin).host) failures.push(`socket left the service: ${ws.url()}`);
  });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });

  const response = await page.goto(`${base}/graphql`, { waitUntil: 'load' });
  const csp = response.headers()['content-security-policy'] ?? '';
  if (!csp.includes("script-src 'self'")) failures.push(`no Content-Security-Policy limiting scripts: '${csp}'`);
  await page.locator('.graphiql-container').waitFor({ timeout: 15000 });
  step('page loaded');

  await page.getByRole('button', { name: /Documentation Explorer/ }).click();
  const search = page.locator('.graphiql-doc-explorer-search input');
  await search.click();
  await search.pressSequentially('EServiceProject');
  const hit = page.locator('.graphiql-doc-explorer-search-type', { hasText: /^EServiceProject$/ }).first();
  await hit.waitFor({ timeout: 15000 });
  await hit.click();
  await page.locator('.graphiql-doc-explorer-title', { hasText: /^EServiceProject$/ }).waitFor({ timeout: 15000 });
  await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^costShares$/ }).first().waitFor();
  step('documentation explorer lists EServiceProject and its fields');

  const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
  await headers.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(`{"Authorization": "Bearer ${token}"}`);
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('section.result-window, .result-window').first();
  await result.getByText('Örebro', { exact: false }).first().waitFor({ timeout: 15000 });
  const text = await result.innerText();
  if (!text.includes('"totalCount"')) failures.push(`the result shows no project list: ${text.slice(0, 300)}`);
  step('a query with the token in the Headers pane shows data');
  if (screenshot) {
    await page.screenshot({ path: screenshot });
    step(`screenshot in ${screenshot}`);
  }

  // A subscription from the explorer: the token in the Headers pane opens the socket, and a
  // project created meanwhile shows up in the result pane.
  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('subscription Live { eServiceProjectsChanged { kind project { title } } }');
  // GraphiQL reads the operation from the editor after a short pause.
  await page.waitForTimeout(800);
  await page.locator('.graphiql-execute-button').click();
  await page.waitForTimeout(1000);
  const title = `Från explorern ${Date.now()}`;
  const created = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation($t: String!) { createEServiceProject(input: {title: $t, budget: "1", visibility: COUNTY}) { project { id } } }',
      variables: { t: title },
    }),
  });
  if (!created.ok) failures.push(`the mutation failed: ${created.status}`);
  await result.getByText(title, { exact: false }).first().waitFor({ timeout: 15000 });
  step('a subscription in the explorer shows a change made meanwhile');
} catch (e) {
  failures.push(e.stack ?? String(e));
  const pages = browser.contexts().flatMap((c) => c.pages());
  if (pages[0]) {
    failures.push(`the result pane: ${(await pages[0].locator('.result-window').first().innerText().catch(() => '')).slice(0, 500)}`);
    await pages[0].screenshot({ path: 'failure.png' }).catch(() => {});
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`explorer: FAILED\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('explorer: ok');
