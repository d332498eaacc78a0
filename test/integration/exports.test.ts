import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND_EXPORT_TABLES, EXPORT_TABLES } from '@stickyroom/sdk/protocol';
import { grantPoints } from '../../core/src/points/points.service.js';
import { queueActivity } from '../../core/src/activity/activity.store.js';
import { chatKeys } from '../../core/src/chat/chat.keys.js';
import { exportKeys } from '../../core/src/exports/exports.keys.js';
import { prepareBrandExport } from '../../core/src/exports/exports.service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { asCsvCell, csvObjects, deliverOrder, ndjson } from '../helpers/exports.js';

const BRAND = 'brand-exp';
const NASTY_NAME = 'Eve, "the" <script>alert(1)</script>';
const FORMULA_NAME = '=HYPERLINK("http://x")';
const NASTY_TEXT = 'hi, "you" <script>alert(2)</script>';
const FORMULA_TEXT = '=cmd|\' /C calc\'!A0';

let t: TestApp;
let brandToken: string;
let streamId: string;
let code: string;
beforeAll(async () => {
  t = await startTestApp({ CHAT_HISTORY: '50', EVENT_RATE_LIMIT: '1000', SURVEY_MIN_WATCH_MIN: '0' });
  brandToken = await t.token('brand', 'analyst', { brandId: BRAND });
  streamId = await t.createStream('Exported', BRAND, { start: true });
  const host = await t.streamer(`host-${BRAND}`, BRAND);
  await host.join(streamId);
  const eve = await t.joinedViewer(streamId, 'eve', { name: NASTY_NAME });
  const mal = await t.joinedViewer(streamId, 'mal', { name: FORMULA_NAME });
  await eve.chat(streamId, NASTY_TEXT);
  await mal.chat(streamId, FORMULA_TEXT);
  const { drop } = await host.dropCoupon(streamId, { title: '5 off', discount: { type: 'amount', value: 5 }, quantity: 10, durationSec: 600 });
  ({ code } = await eve.claimCoupon(drop.id));
  expect((await deliverOrder(t, { orderId: 'ord-1', viewerId: 'eve', amount: 12.5, currency: 'EUR', couponCode: code })).status).toBe(200);
  await host.mute(streamId, 'mal', 60);
  // a message whose text holds a line break, as the log would store one (the chat itself turns breaks into spaces)
  const at = t.clock.now();
  await t.app.ctx.redis.zadd(
    exportKeys(t.app.ctx.keys, streamId).chatLog,
    1000,
    JSON.stringify({ id: '1000', streamId, userId: 'eve', name: NASTY_NAME, text: 'two\nlines, "quoted"', at, role: 'viewer' }),
  );
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, token = brandToken) => t.http('GET', path, { token });

async function both(path: string): Promise<{ json: Record<string, unknown>[]; csv: Record<string, string>[] }> {
  const [nd, csv] = await Promise.all([get(`${path}?format=ndjson`), get(`${path}?format=csv`)]);
  expect(nd.status, nd.text).toBe(200);
  expect(csv.status, csv.text).toBe(200);
  expect(nd.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
  const json = ndjson(nd.text);
  const rows = csvObjects(csv.text);
  // the same rows in both formats, cell for cell
  expect(rows).toEqual(json.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asCsvCell(v)]))));
  return { json, csv: rows };
}

describe('stream exports', () => {
  it('exports the chat log with names and texts intact in NDJSON and escaped, formula-safe CSV', async () => {
    const { json, csv } = await both(`/api/streams/${streamId}/export/chat`);
    expect(json.map((m) => [m.userId, m.name, m.text])).toEqual([
      ['eve', NASTY_NAME, NASTY_TEXT],
      ['mal', FORMULA_NAME, FORMULA_TEXT],
      ['eve', NASTY_NAME, 'two\nlines, "quoted"'],
    ]);
    expect(json[0]).toMatchObject({ streamId, role: 'viewer', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // a spreadsheet opening the CSV sees text, never a formula
    expect(csv[1]!.name).toBe(`'${FORMULA_NAME}`);
    expect(csv[1]!.text).toBe(`'${FORMULA_TEXT}`);
    expect(csv[2]!.text).toBe('two\nlines, "quoted"');
  });

  it('exports the survey answers with each comment as written: intact in NDJSON, escaped and formula-safe in CSV, per stream and brand-wide', async () => {
    const id = await t.createStream('Surveyed', BRAND, { start: true });
    const host = await t.streamer(`host-${BRAND}`, BRAND);
    await host.join(id);
    const eve = await t.joinedViewer(id, 'eve', { name: NASTY_NAME });
    const mal = await t.joinedViewer(id, 'mal', { name: FORMULA_NAME });
    const quiet = await t.joinedViewer(id, 'quiet');
    await host.end(id);
    await eve.answerSurvey(id, 10, NASTY_TEXT);
    t.clock.advance(1000);
    await mal.answerSurvey(id, 2, FORMULA_TEXT);
    t.clock.advance(1000);
    await quiet.answerSurvey(id, 8);
    const { json, csv } = await both(`/api/streams/${id}/export/survey`);
    const byViewer = <T extends Record<string, unknown>>(rows: T[]) => [...rows].sort((x, y) => String(x.viewerId).localeCompare(String(y.viewerId)));
    expect(byViewer(json)).toEqual([
      { streamId: id, viewerId: 'eve', score: 10, comment: NASTY_TEXT, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { streamId: id, viewerId: 'mal', score: 2, comment: FORMULA_TEXT, at: expect.any(String) },
      { streamId: id, viewerId: 'quiet', score: 8, comment: null, at: expect.any(String) },
    ]);
    const rows = byViewer(csv);
    expect(rows.map((r) => [r.viewerId, r.score, r.comment])).toEqual([
      ['eve', '10', NASTY_TEXT],
      ['mal', '2', `'${FORMULA_TEXT}`],
      ['quiet', '8', ''],
    ]);
    // the brand's export holds the same rows (its other streams have no survey answers)
    const brand = await get(`/api/brands/${BRAND}/export/survey?format=ndjson`);
    expect(byViewer(ndjson(brand.text))).toEqual(byViewer(json));
    const brandCsv = await get(`/api/brands/${BRAND}/export/survey?format=csv`);
    expect(brandCsv.text.split('\r\n')[0]).toBe('streamId,viewerId,score,comment,at');
    for (const v of [eve, mal, quiet]) v.close();
  });

  it('exports every message of the stream from its chat log, beyond the hot history, deleted ones marked', async () => {
    const id = await t.createStream('Chatty', BRAND, { start: true });
    const host = await t.streamer(`host-${BRAND}`, BRAND);
    await host.join(id);
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) sent.push((await host.chat(id, `line ${i}`)).message.id);
    await host.deleteMessage(id, sent[59]!);
    expect(await t.app.ctx.redis.zcard(chatKeys(t.app.ctx.keys, id).history)).toBe(49);
    const rows = (await both(`/api/streams/${id}/export/chat`)).json;
    expect(rows.map((r) => r.text)).toEqual(sent.map((_, i) => `line ${i}`));
    expect(rows.filter((r) => r.deleted).map((r) => r.messageId)).toEqual([sent[59]]);

    // without a log (CHAT_LOG=false, or a stream older than it) the export is the hot history
    await t.app.ctx.redis.del(exportKeys(t.app.ctx.keys, id).chatLog);
    expect(ndjson((await get(`/api/streams/${id}/export/chat`)).text).map((r) => r.text)).toEqual(sent.slice(10, 59).map((_, i) => `line ${i + 10}`));
  });

  it('exports viewers, orders, claims and the moderation log', async () => {
    const viewers = (await both(`/api/streams/${streamId}/export/viewers`)).json;
    expect(viewers.map((v) => v.viewerId)).toEqual(['eve', 'mal']);
    expect(viewers[0]).toMatchObject({ streamId, chat: 1, couponClaims: 1, orders: 1, revenueCents: 1250 });

    const orders = (await both(`/api/streams/${streamId}/export/orders`)).json;
    expect(orders).toEqual([{ streamId, orderId: 'ord-1', viewerId: 'eve', at: expect.any(String), amountCents: 1250, currency: 'EUR', attributedBy: 'coupon', couponCode: code }]);

    const claims = (await both(`/api/streams/${streamId}/export/claims`)).json;
    expect(claims).toEqual([expect.objectContaining({ streamId, code, viewerId: 'eve', title: '5 off', discountType: 'amount', discountValue: 5, redeemedBy: 'ord-1', dropId: expect.any(String) })]);

    const moderation = (await both(`/api/streams/${streamId}/export/moderation`)).json;
    expect(moderation).toEqual([expect.objectContaining({ streamId, action: 'mute', target: 'mal', byId: `host-${BRAND}`, byRole: 'streamer', seconds: 60 })]);
  });

  it('exports an empty table as a header only (CSV) or nothing (NDJSON)', async () => {
    const other = await t.createStream('Quiet', BRAND);
    for (const table of EXPORT_TABLES) {
      const nd = await get(`/api/streams/${other}/export/${table}`);
      expect(nd.status).toBe(200);
      expect(nd.text).toBe('');
      const csv = await get(`/api/streams/${other}/export/${table}?format=csv`);
      expect(csv.text.split('\r\n')).toEqual([expect.stringMatching(/^streamId,/), '']);
    }
  });

  it('refuses viewers, moderators, other brands and anonymous callers; admins may export', async () => {
    const path = `/api/streams/${streamId}/export/chat`;
    expect((await t.http('GET', path)).status).toBe(401);
    expect((await get(path, await t.token('viewer', 'eve'))).status).toBe(403);
    expect((await get(path, await t.token('moderator', 'mod', { brandId: BRAND }))).status).toBe(403);
    expect((await get(path, await t.token('brand', 'spy', { brandId: 'brand-other' }))).status).toBe(403);
    expect((await get(`/api/brands/${BRAND}/export/chat`, await t.token('brand', 'spy', { brandId: 'brand-other' }))).status).toBe(403);
    expect((await get(path, await t.token('admin', 'root'))).status).toBe(200);
    expect((await get(path, await t.token('streamer', `host-${BRAND}`, { brandId: BRAND }))).status).toBe(200);
    expect((await get(`/api/streams/${streamId}/export/secrets`)).status).toBe(400);
    expect((await get(`/api/streams/${streamId}/export/chat?format=xml`)).status).toBe(400);
    expect((await get(`/api/streams/no-such-stream/export/chat`)).status).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  it('lists the export and data-rights routes, the exports in both content types', async () => {
    const doc = (await t.http('GET', '/api/openapi.json')).body;
    for (const [path, tables] of [
      ['/api/streams/{id}/export/{table}', EXPORT_TABLES],
      ['/api/brands/{brandId}/export/{table}', BRAND_EXPORT_TABLES],
    ] as const) {
      expect(Object.keys(doc.paths[path].get.responses['200'].content).sort()).toEqual(['application/x-ndjson', 'text/csv']);
      expect(doc.paths[path].get.parameters.find((p: { name: string }) => p.name === 'table').schema.enum).toEqual([...tables]);
    }
    expect(Object.keys(doc.paths['/api/brands/{brandId}/viewers/{viewerId}']).sort()).toContain('delete');
    expect(doc.paths['/api/viewers/{viewerId}'].delete).toBeDefined();
    expect(doc.paths['/api/viewers/{viewerId}/export'].get).toBeDefined();
    expect(doc.paths['/api/brands/{brandId}/viewers/{viewerId}/export'].get).toBeDefined();
  });
});

describe('brand exports', () => {
  it("exports the brand's reward redemptions made in [from, to), a brand table only", async () => {
    const brand = 'brand-exp-rewards';
    const token = await t.token('brand', 'analyst', { brandId: brand });
    const reward = await t.http('POST', `/api/brands/${brand}/rewards`, { token, body: { title: '=Gift "box"', kind: 'gift', cost: 10, stock: 10 } });
    expect(reward.status, reward.text).toBe(201);
    const t0 = t.clock.now();
    const made: string[] = [];
    for (const viewer of ['red-1', 'red-2', 'red-3']) {
      await grantPoints(t.app.ctx, { brandId: brand, viewerId: viewer, streamId: 's-x', points: 50, source: 'order', sourceId: `seed-${viewer}` });
      const v = await t.viewer(viewer);
      made.push((await v.redeem(reward.body.id as string)).redemption.id);
      v.close();
      t.clock.advance(60_000);
    }
    const nd = await t.http('GET', `/api/brands/${brand}/export/redemptions`, { token });
    expect(nd.status, nd.text).toBe(200);
    const rows = ndjson(nd.text);
    expect(rows.map((r) => [r.redemptionId, r.viewerId, r.title, r.cost, r.kind])).toEqual(made.map((id, i) => [id, `red-${i + 1}`, '=Gift "box"', 10, 'gift']));
    expect(rows[0]).toMatchObject({ brandId: brand, rewardId: reward.body.id, at: new Date(t0).toISOString(), code: null });
    const csv = await t.http('GET', `/api/brands/${brand}/export/redemptions?format=csv`, { token });
    expect(csvObjects(csv.text).map((r) => r.title)).toEqual(["'=Gift \"box\"", "'=Gift \"box\"", "'=Gift \"box\""]);
    expect(csv.text.split('\r\n')[0]).toBe('brandId,redemptionId,viewerId,at,rewardId,kind,title,cost,code');
    // [from, to) by the redemption's time
    const some = ndjson((await t.http('GET', `/api/brands/${brand}/export/redemptions?from=${t0 + 60_000}&to=${t0 + 120_000}`, { token })).text);
    expect(some.map((r) => r.viewerId)).toEqual(['red-2']);
    // a stream has no redemptions table; another brand may not read them
    const streamOfBrand = await t.createStream('No table', brand);
    expect((await t.http('GET', `/api/streams/${streamOfBrand}/export/redemptions`, { token })).status).toBe(400);
    expect((await t.http('GET', `/api/brands/${brand}/export/redemptions`, { token: brandToken })).status).toBe(403);
  });

  it("concatenates the brand's streams created in [from, to), one header, each row with its streamId", async () => {
    const brand = 'brand-exp-multi';
    const token = await t.token('brand', 'analyst', { brandId: brand });
    const t0 = t.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.set(t0 + i * 3600_000);
      const id = await t.createStream(`S${i}`, brand, { start: true });
      const v = await t.joinedViewer(id, `fan-${i}`);
      await v.chat(id, `hello from ${i}, "friend"`);
      ids.push(id);
    }
    const all = await get(`/api/brands/${brand}/export/chat?format=csv`, token);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-disposition')).toBe(`attachment; filename="brand-${brand}-chat.csv"`);
    expect(all.text.match(/^streamId,/gm)).toHaveLength(1);
    // a stream id may begin with '-', which the CSV defuses like any cell that could start a formula
    expect(csvObjects(all.text).map((r) => [r.streamId, r.text])).toEqual(ids.map((id, i) => [asCsvCell(id), `hello from ${i}, "friend"`]));

    const from = new Date(t0 + 3600_000).toISOString();
    const some = ndjson((await get(`/api/brands/${brand}/export/chat?from=${encodeURIComponent(from)}&to=${t0 + 2 * 3600_000}`, token)).text);
    expect(some.map((r) => r.streamId)).toEqual([ids[1]]);
  });

  it('streams a large export in chunks instead of one built answer', async () => {
    const id = await t.createStream('Crowd', 'brand-exp-big', { start: true });
    const token = await t.token('brand', 'analyst', { brandId: 'brand-exp-big' });
    const n = 6000;
    const pipeline = t.app.ctx.redis.pipeline();
    for (let i = 0; i < n; i++) queueActivity(pipeline, t.app.ctx.keys, { streamId: id, viewerId: `crowd-${String(i).padStart(5, '0')}`, metric: 'chat', n: 1, at: t.clock.now() });
    await pipeline.exec();

    const res = await fetch(`${t.url}/api/brands/brand-exp-big/export/viewers?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    // streamed: no length known up front, the body arrives in several chunks
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const rows = ndjson(text);
    expect(rows).toHaveLength(n);
    expect(rows[0]).toMatchObject({ streamId: id, viewerId: 'crowd-00000', chat: 1 });
    expect(rows[n - 1]).toMatchObject({ viewerId: `crowd-${String(n - 1).padStart(5, '0')}` });
  });

  it('reads the next page only once the previous one was taken (backpressure), and survives a client that leaves', async () => {
    const admin = { id: 'root', role: 'admin' as const, name: 'root' };
    const write = await prepareBrandExport(t.app.ctx, admin, 'brand-exp-big', 'viewers', 'ndjson', {});
    const pages: string[] = [];
    let release: (() => void) | undefined;
    let wrote: (() => void) | undefined;
    const done = write({
      write(chunk) {
        pages.push(chunk);
        wrote?.();
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const nextWrite = () => new Promise<void>((resolve) => (wrote = resolve));
    let written = nextWrite();
    await written;
    // the sink holds the first page: however long it waits, nothing more is read or written
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(pages).toHaveLength(1);
    expect(ndjson(pages[0]!)).toHaveLength(500);
    while (pages.length < 12) {
      written = nextWrite();
      release!();
      await written;
    }
    release!();
    await done;
    expect(pages).toHaveLength(12);

    // a client that hangs up after the first chunk: the server stops, and answers the next request as usual
    const token = await t.token('brand', 'analyst', { brandId: 'brand-exp-big' });
    const abort = new AbortController();
    const res = await fetch(`${t.url}/api/brands/brand-exp-big/export/viewers?format=csv`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    await res.body!.getReader().read();
    abort.abort();
    const again = await get(`/api/streams/${streamId}/export/chat`);
    expect(again.status).toBe(200);
  });
});
