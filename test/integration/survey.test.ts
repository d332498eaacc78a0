import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StickyroomError, ViewerClient } from '@stickyroom/sdk';
import type { PushPayload, RequestInput, StreamSummary } from '@stickyroom/sdk/protocol';
import { startTestApp, type TestApp } from '../helpers/app.js';

const HOUR = 3_600_000;
let t: TestApp;
let brandToken: string;
beforeAll(async () => {
  // the config's defaults for streams that set nothing: 2 minutes watched, a 48-hour window
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000', SURVEY_MIN_WATCH_MIN: '2', SURVEY_WINDOW_HOURS: '48' });
  brandToken = await t.token('brand', 'analyst', { brandId: 'brand-a' });
});
afterAll(async () => {
  await t.close();
});

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ok' }) as { code: string; reason?: string }, (e: StickyroomError) => e);

/** Every viewer heartbeats now, then `beats` more times 15 s apart on the test clock; `short` viewers stop after two. */
async function watch(streamId: string, long: ViewerClient[], short: ViewerClient[], beats: number): Promise<void> {
  await Promise.all([...long, ...short].map((v) => v.heartbeat(streamId)));
  for (let i = 1; i <= beats; i++) {
    t.clock.advance(15_000);
    await Promise.all([...long, ...(i <= 2 ? short : [])].map((v) => v.heartbeat(streamId)));
  }
}

async function summary(streamId: string): Promise<StreamSummary> {
  const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token: brandToken });
  expect(res.status).toBe(200);
  return res.body as StreamSummary;
}

describe('the post-stream survey', () => {
  it('asks viewers who watched long enough at the end, takes one answer each within the window, and the summary reports an exact NPS', async () => {
    const streamId = await t.createStream('survey main', 'brand-a', { start: true });
    const host = await t.streamer('survey-host');
    await host.join(streamId);
    await host.chatSettings(streamId, { blockedWords: ['scam'] });
    const scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 10];
    // ten who answer (the last one is away at the end), one who answers too late, two who watched 30 s only
    const long = await Promise.all(Array.from({ length: 10 }, (_, i) => t.joinedViewer(streamId, `sv-${i}`)));
    const late = await t.joinedViewer(streamId, 'sv-late');
    const short = await Promise.all([0, 1].map((i) => t.joinedViewer(streamId, `sv-short-${i}`)));
    await watch(streamId, [...long, late], short, 8);

    expect(await refusal(long[0]!.answerSurvey(streamId, 9))).toMatchObject({ code: 'not_found' });
    expect(await long[0]!.survey(streamId)).toEqual({ survey: null, answered: false });

    const away = long[9]!;
    away.close();
    const connected = [...long.slice(0, 9), late];
    const requests = connected.map((v) => v.once('survey:request', (r) => r.streamId === streamId));
    const shortPushes: PushPayload<'survey:request'>[] = [];
    for (const v of short) v.on('survey:request', (r) => shortPushes.push(r));
    await host.end(streamId);
    const endedAt = t.clock.now();
    const closesAt = endedAt + 48 * HOUR;
    for (const r of await Promise.all(requests)) {
      expect(r).toMatchObject({ streamId, question: 'How likely are you to recommend this stream to a friend?', closesAt });
    }
    // the summary stored at the end, before any answer
    const finalized = await t.http('POST', `/api/streams/${streamId}/summary/finalize`, { token: brandToken });
    expect(finalized.status).toBe(200);
    expect(finalized.body.survey).toMatchObject({ eligible: 11, responses: 0, nps: null, responseRate: 0 });

    for (const v of short) {
      expect(await v.survey(streamId)).toEqual({ survey: null, answered: false });
      expect(await refusal(v.answerSurvey(streamId, 10))).toMatchObject({ code: 'not_eligible', reason: 'min_watch' });
    }
    expect(shortPushes).toEqual([]);

    // refused without using up the answer: a blocked word (chat's rule and code), bad payloads
    expect(await refusal(long[0]!.answerSurvey(streamId, 10, 'total SCAM, avoid'))).toMatchObject({ code: 'invalid_payload', reason: 'blocked_word' });
    for (const bad of [
      { streamId, score: 11 },
      { streamId, score: -1 },
      { streamId, score: 7.5 },
      { streamId, score: 8, comment: 'x'.repeat(501) },
      { streamId, score: 8, comment: '\u200b\u200b' },
      { streamId },
    ]) {
      expect(await refusal(long[0]!.request('survey:answer', bad as RequestInput<'survey:answer'>)), JSON.stringify(bad)).toMatchObject({ code: 'invalid_payload' });
    }
    expect(await t.http('GET', `/api/streams/${streamId}/survey`, { token: brandToken }).then((r) => r.body.answers)).toEqual([]);

    const comments: Record<number, string> = { 0: '<script>alert(1)</script>', 4: 'Great   stream,\nthanks' };
    await Promise.all(
      long.slice(0, 9).map((v, i) => (comments[i] === undefined ? v.answerSurvey(streamId, scores[i]!) : v.answerSurvey(streamId, scores[i]!, comments[i]))),
    );
    expect(await refusal(long[1]!.answerSurvey(streamId, 0))).toMatchObject({ code: 'already_done' });
    expect(await long[1]!.survey(streamId)).toEqual({ survey: null, answered: true });

    // the viewer who was away asks later, and answers
    const back = await t.viewer('sv-9');
    expect(await back.survey(streamId)).toEqual({ survey: { streamId, question: expect.any(String), closesAt }, answered: false });
    t.clock.advance(47 * HOUR);
    await back.answerSurvey(streamId, scores[9]!);

    // the window closes
    t.clock.advance(HOUR);
    expect(await late.survey(streamId)).toEqual({ survey: null, answered: false });
    expect(await refusal(late.answerSurvey(streamId, 10))).toMatchObject({ code: 'closed' });

    // the stored summary shows the answers that came after it: promoters 5, passives 2, detractors 3
    expect((await summary(streamId)).survey).toEqual({
      question: 'How likely are you to recommend this stream to a friend?',
      minWatchMin: 2,
      closesAt,
      open: false,
      eligible: 11,
      responses: 10,
      responseRate: 0.9091,
      promoters: 5,
      passives: 2,
      detractors: 3,
      nps: 20,
    });

    const json = await t.http('GET', `/api/streams/${streamId}/survey`, { token: brandToken });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ streamId, responses: 10, promoters: 5, passives: 2, detractors: 3, nps: 20 });
    expect(json.body.answers).toHaveLength(10);
    expect(json.body.answers).toContainEqual({ viewerId: 'sv-0', score: 10, comment: '<script>alert(1)</script>', at: expect.any(Number) });
    expect(json.body.answers).toContainEqual({ viewerId: 'sv-4', score: 7, comment: 'Great   stream, thanks', at: expect.any(Number) });
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    const csv = await t.http('GET', `/api/streams/${streamId}/survey?format=csv`, { token: brandToken });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('viewerId,score,comment,at');
    expect(lines).toHaveLength(11);
    expect(lines.find((l) => l.startsWith('sv-0,'))).toMatch(/^sv-0,10,<script>alert\(1\)<\/script>,/);
    expect(lines.find((l) => l.startsWith('sv-4,'))).toMatch(/^sv-4,7,"Great {3}stream, thanks",/);

    // viewers and other brands do not read it
    expect((await t.http('GET', `/api/streams/${streamId}/survey`, { token: await t.token('viewer', 'sv-0') })).status).toBe(403);
    expect((await t.http('GET', `/api/streams/${streamId}/survey`, { token: await t.token('brand', 'other', { brandId: 'brand-b' }) })).status).toBe(403);
  });

  it('follows what the stream set: its own minimum, question and window, or no survey at all', async () => {
    const streamId = await t.createStream('survey own', 'brand-a', { start: true });
    const host = await t.streamer('own-host');
    const { survey } = await host.configureSurvey(streamId, { question: 'Would you recommend our shop?', minWatchMin: 1, windowHours: 2 });
    expect(survey).toEqual({ streamId, enabled: true, question: 'Would you recommend our shop?', minWatchMin: 1, windowHours: 2 });
    const viewer = await t.joinedViewer(streamId, 'own-viewer');
    await watch(streamId, [viewer], [], 4);
    const asked = viewer.once('survey:request', (r) => r.streamId === streamId);
    await host.end(streamId);
    expect(await asked).toMatchObject({ question: 'Would you recommend our shop?', closesAt: t.clock.now() + 2 * HOUR });
    expect(await refusal(host.configureSurvey(streamId, { minWatchMin: 3 }))).toMatchObject({ code: 'closed' });

    // set at creation, turned off later over HTTP by the brand team
    const hostToken = await t.token('streamer', 'own-host', { brandId: 'brand-a' });
    const created = await t.http('POST', '/api/streams', { token: hostToken, body: { title: 'survey off', survey: { minWatchMin: 1, windowHours: 3 } } });
    expect(created.status, created.text).toBe(201);
    const off = created.body.id as string;
    await t.http('POST', `/api/streams/${off}/start`, { token: hostToken });
    expect((await host.configureSurvey(off, {})).survey).toEqual({ streamId: off, enabled: true, question: expect.any(String), minWatchMin: 1, windowHours: 3 });
    expect((await t.http('POST', '/api/streams', { token: hostToken, body: { title: 'bad', survey: { minWatchMin: -1 } } })).status).toBe(400);
    const res = await t.http('PUT', `/api/streams/${off}/survey`, { token: brandToken, body: { enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body.survey).toMatchObject({ enabled: false, minWatchMin: 1, windowHours: 3 });
    const offViewer = await t.joinedViewer(off, 'off-viewer');
    await watch(off, [offViewer], [], 9);
    await host.end(off);
    expect(await refusal(offViewer.answerSurvey(off, 9))).toMatchObject({ code: 'not_found' });
    expect((await summary(off)).survey).toBeNull();
  });
});
