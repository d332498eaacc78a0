/**
 * Drives a brand's history through the real server and worker (in this process, over real sockets and the
 * real Redis) on a simulated clock: streams a week apart, an audience of personas, every mechanic. The same
 * options and seed give the same history, hence the same figures (docs/simulate.md).
 */
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type StreamerClient, type StreamSummary, type ViewerClient } from '@stickyroom/sdk';
import type { LeaderboardPage, ScoredViewer } from '@stickyroom/sdk/protocol';
import { loadConfig, type Config } from '../../core/src/config.js';
import { TokenService } from '../../core/src/identity/tokens.js';
import { createLogger } from '../../core/src/logger.js';
import { flush as flushReactions } from '../../core/src/reactions/reactions.service.js';
import { unlinkPrefix } from '../../core/src/redis/prefix.js';
import { SimulationClock } from '../../core/src/simulation-clock.js';
import { createApp, type App } from '../../server/src/app.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { attends, CHAT_LINES, makeAudience, QUESTIONS, type SimViewer } from './personas.js';
import { silentProgress, type Progress } from './progress.js';
import { Rng } from './rng.js';

export interface SimOptions {
  seed: number;
  streams: number;
  viewers: number;
  weeksBetween: number;
  /** Minutes each stream lasts (simulated). */
  minutes: number;
  /** 0: a free port. */
  port: number;
  /** The environment the configuration is read from (REDIS_URL, LOG_LEVEL...); the simulator sets the rest. */
  env?: Record<string, string | undefined>;
  /** Key prefix of the run; its keys are deleted first, so a run starts from an empty brand. */
  redisPrefix?: string;
  progress?: Progress;
}

export interface StreamOutcome {
  id: string;
  title: string;
  summary: StreamSummary;
  dashboardUrl: string;
}

export type TopViewer = ScoredViewer & { persona: string };

export interface SimRun {
  url: string;
  brandId: string;
  brandToken: string;
  brandUrl: string;
  streams: StreamOutcome[];
  /** The brand report (GET /api/brands/:id/report) when the server has it, else null. */
  report: unknown;
  topViewers: TopViewer[];
  /** Requests the server refused (sold out, closed...): part of a realistic history, not errors. */
  refusals: number;
  /** Jobs the worker ran, by type (the closes on their timers, the finalizations). */
  jobsRun: Record<string, number>;
  /** Stops the server and the worker and deletes the run's keys. */
  close(): Promise<void>;
}

export const DEFAULTS = { seed: 1, streams: 6, viewers: 300, weeksBetween: 1, minutes: 30, port: 3000 } as const;
/** The first stream's start: fixed, so the history (dates included) is the same on every run. */
export const SIM_START = Date.UTC(2026, 0, 6, 18, 0, 0);
export const BRAND_ID = 'sim-brand';
const STEP_MS = 15_000;
const WEEK_MS = 7 * 24 * 3600_000;
const TITLES = ['Winter knits', 'Denim day', 'Spring coats', 'Sneaker drop', 'Bags & belts', 'Linen edit', 'Weekend basics', 'Party looks'];
const SIM_JWT_SECRET = 'stickyroom-simulation-jwt-secret-0123456789';
const SIM_WEBHOOK_SECRET = 'stickyroom-simulation-webhook-secret-0123456789';

export function simulationConfig(opts: Pick<SimOptions, 'seed' | 'port' | 'env' | 'redisPrefix'>): Config {
  const env = opts.env ?? process.env;
  return loadConfig({
    ...env,
    NODE_ENV: env.NODE_ENV ?? 'development',
    SIMULATION_CLOCK: '1',
    REDIS_PREFIX: opts.redisPrefix ?? `sim${opts.seed}:`,
    JWT_SECRET: SIM_JWT_SECRET,
    WEBHOOK_SECRET: SIM_WEBHOOK_SECRET,
    PORT: String(opts.port),
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    REACTION_FLUSH_MS: '100',
    // the periodic rollup runs in real time: once an hour is never, in a simulation; each stream's end rolls up
    ROLLUP_EVERY_SEC: '3600',
    // the flood guards of a node count real seconds (monotonic time), which a simulation compresses: a
    // viewer's few events of a 15 s step can come a few milliseconds after the last step's
    EVENT_RATE_LIMIT: '100000',
    REACTION_RATE_LIMIT: '100000',
    CORS_ORIGINS: `http://localhost:${opts.port},http://127.0.0.1:${opts.port}`,
  });
}

async function dropKeys(config: Config): Promise<void> {
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await unlinkPrefix(redis, config.REDIS_PREFIX);
  } finally {
    redis.disconnect();
  }
}

interface Attendee {
  v: SimViewer;
  arrive: number;
  leave: number;
  client?: ViewerClient;
  present: boolean;
  couponCode?: string;
  clicked: boolean;
  ordered: boolean;
  asked?: boolean;
  upvoted?: boolean;
}

export async function runSimulation(options: Partial<SimOptions> = {}): Promise<SimRun> {
  const opts: SimOptions = { ...DEFAULTS, ...options };
  const progress = opts.progress ?? silentProgress;
  const config = simulationConfig(opts);
  const log = createLogger(config.LOG_LEVEL, 'simulate');
  await dropKeys(config);

  const clock = new SimulationClock(SIM_START - 10 * 60_000);
  const app: App = createApp({ config, clock, log });
  const port = await app.listen(opts.port, '127.0.0.1');
  const worker: RunningWorker = startWorker({ config, log: createLogger(config.LOG_LEVEL, 'worker'), clock });
  await worker.whenReady();
  const jobsRun: Record<string, number> = {};
  worker.worker.on('completed', (job: Job) => {
    if (job.name !== 'rollup' && job.name !== 'outbox.sweep') jobsRun[job.name] = (jobsRun[job.name] ?? 0) + 1;
  });
  const url = `http://localhost:${port}`;
  const local = `http://127.0.0.1:${port}`;
  const tokens = new TokenService(config.JWT_SECRET);
  const sign = (sub: string, role: 'viewer' | 'streamer' | 'brand', extra: Record<string, string> = {}) =>
    tokens.sign({ sub, role, ...(role === 'viewer' ? {} : { brandId: BRAND_ID }), ...extra }, '24h');
  const hostToken = await sign('sim-host', 'streamer', { name: 'Host' });
  const brandToken = await sign('sim-analyst', 'brand');
  const clients = new Set<{ close(): void }>();
  let refusals = 0;
  const refused = () => {
    refusals++;
  };

  async function http(method: string, path: string, body?: unknown, token = hostToken, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(local + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(raw !== undefined ? { body: raw } : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  }

  /** Until the jobs the last step released (a close at its time, a finalize) have run. */
  async function settle(): Promise<void> {
    const deadline = performance.now() + 60_000;
    for (let quiet = 0; quiet < 2; ) {
      const c = await worker.ctx.jobs.queue.getJobCounts('waiting', 'active', 'prioritized');
      quiet = (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0 ? quiet + 1 : 0;
      if (performance.now() > deadline) throw new Error('the worker did not finish the simulation jobs within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function order(a: Attendee, rng: Rng, streamId: string): Promise<void> {
    a.ordered = true;
    const [min, max] = a.v.persona.amount;
    const amount = rng.int(min * 100, max * 100) / 100;
    const useCoupon = a.couponCode !== undefined && rng.chance(0.85);
    const body = JSON.stringify({
      orderId: `${streamId}-${a.v.id}`,
      viewerId: a.v.id,
      amount,
      currency: 'EUR',
      streamId,
      ...(useCoupon ? { couponCode: a.couponCode } : {}),
      at: clock.now(),
    });
    const res = await http('POST', '/api/webhooks/orders', body, '', { 'x-stickyroom-signature': signBody(config.WEBHOOK_SECRET, body) });
    if (res.status >= 300) throw new Error(`order webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  }

  async function shutdown(): Promise<void> {
    for (const c of clients) c.close();
    await worker.close({ graceMs: 5000 });
    await app.close({ graceMs: 5000 });
    await dropKeys(config);
  }

  // a run that fails stops what it started, then says why
  try {
    const rng = new Rng(opts.seed);
    const audience = makeAudience(rng, opts.viewers, opts.streams);
    const outcomes: StreamOutcome[] = [];
    const steps = opts.minutes * 4;

    for (let i = 0; i < opts.streams; i++) {
      const srng = rng.fork(i);
      const title = `${TITLES[i % TITLES.length]} #${i + 1}`;
      const startAt = SIM_START + i * opts.weeksBetween * WEEK_MS;
      await clock.advanceTo(startAt - 10 * 60_000, settle);
      const created = await http('POST', '/api/streams', { title });
      if (created.status !== 201) throw new Error(`creating a stream answered ${created.status}: ${JSON.stringify(created.body)}`);
      const streamId = created.body.id as string;
      const host: StreamerClient = createStreamerClient({ url: local, token: hostToken, transports: ['websocket'] });
      clients.add(host);
      await host.connect();
      await host.join(streamId);

      // the agenda, in steps (every mechanic once or twice); bargain hunters come for the drop
      const at = (share: number) => Math.min(steps - 2, Math.max(1, Math.round(share * steps)));
      const agenda = { pin1: at(0.04), quiz1: at(0.15), drop: at(0.33), poll: at(0.26), pin2: at(0.4), ask: at(0.48), answer: at(0.56), lottery: at(0.62), pin3: at(0.7), quiz2: at(0.82) };
      const attendees: Attendee[] = [];
      for (const v of audience) {
        if (!attends(srng, v, i)) continue;
        const bargain = v.persona.name === 'bargain_hunter';
        const arrive = bargain ? Math.max(0, agenda.drop - srng.int(0, 4)) : srng.int(0, Math.floor(steps / 3));
        const stay = srng.int(v.persona.stayMin[0] * 4, v.persona.stayMin[1] * 4);
        attendees.push({ v, arrive, leave: Math.min(steps, arrive + stay), present: false, clicked: false, ordered: false });
      }
      const bar = progress.stream(i, opts.streams, title);
      await clock.advanceTo(startAt, settle);
      const started = await http('POST', `/api/streams/${streamId}/start`);
      if (started.status !== 200) throw new Error(`starting the stream answered ${started.status}`);
      const products = [
        { id: `p${i}-1`, title: `${TITLES[i % TITLES.length]} hero piece`, price: 89, currency: 'EUR' },
        { id: `p${i}-2`, title: 'Everyday tote', price: 45, currency: 'EUR' },
        { id: `p${i}-3`, title: 'Gift card', price: 25, currency: 'EUR' },
      ];
      let pinned: string[] = [];
      let quizId: string | undefined;
      let quizCorrect = 0;
      let lotteryId: string | undefined;
      let dropId: string | undefined;
      let pollId: string | undefined;
      const questions: string[] = [];

      for (let s = 0; s <= steps; s++) {
        const last = s === steps;
        // arrivals and departures
        const arriving = attendees.filter((a) => a.arrive === s && !last);
        await Promise.all(
          arriving.map(async (a) => {
            const c = createViewerClient({ url: local, token: await sign(a.v.id, 'viewer', { name: a.v.name }), transports: ['websocket'], heartbeats: false });
            clients.add(c);
            await c.connect();
            await c.join(streamId);
            a.client = c;
            a.present = true;
          }),
        );
        const present = attendees.filter((a) => a.present);
        // the streamer's agenda
        if (s === agenda.pin1 || s === agenda.pin2 || s === agenda.pin3) {
          const p = products[s === agenda.pin1 ? 0 : s === agenda.pin2 ? 1 : 2]!;
          await host.pinProduct(streamId, p);
          pinned = [p.id];
          await host.chat(streamId, `Now showing: ${p.title}`);
        }
        if (s === agenda.quiz1 || s === agenda.quiz2) {
          quizCorrect = srng.int(0, 2);
          const { quiz } = await host.createQuiz(streamId, {
            question: s === agenda.quiz1 ? 'Which fabric is this?' : 'What did we show first tonight?',
            options: ['cotton', 'wool', 'linen'],
            correctOption: quizCorrect,
            durationSec: s === agenda.quiz1 ? 60 : 45,
            reward: { points: 10 },
          });
          quizId = quiz.id;
        }
        if (s === agenda.drop) {
          const expected = Math.max(3, Math.round(attendees.length * 0.25));
          const { drop } = await host.dropCoupon(streamId, { title: '15% off tonight', discount: { type: 'percent', value: 15 }, quantity: expected, durationSec: 120 });
          dropId = drop.id;
        }
        if (s === agenda.poll) {
          const { poll } = await host.createPoll(streamId, { question: 'Which colour next week?', options: ['sand', 'navy', 'olive'], durationSec: 60, points: 5 });
          pollId = poll.id;
        }
        if (s === agenda.lottery) {
          const { lottery } = await host.createLottery(streamId, { prize: 'Gift card', winners: Math.max(1, Math.round(present.length / 40)), durationSec: 120 });
          lotteryId = lottery.id;
        }
        if (s === agenda.answer) {
          for (const q of questions.slice(0, 3)) await host.markAnswered(q).catch(refused);
        }

        // the viewers: decisions drawn in a fixed order, then sent (contested ones one by one)
        const beats: Promise<unknown>[] = [];
        const free: (() => Promise<unknown>)[] = [];
        const inTurn: (() => Promise<unknown>)[] = [];
        for (const a of present) {
          const p = a.v.persona;
          const c = a.client!;
          const visible = !srng.chance(p.hidden);
          beats.push(c.request('presence:heartbeat', { streamId, visible }).catch(refused));
          if (last) continue;
          if (srng.chance(p.chat)) {
            const text = srng.pick(CHAT_LINES);
            free.push(() => c.chat(streamId, text));
          }
          if (srng.chance(p.like)) {
            const n = srng.int(1, 5);
            free.push(() => c.react(streamId, 'like', n));
          }
          if (pinned.length && srng.chance(p.click)) {
            a.clicked = true;
            const id = pinned[0]!;
            free.push(() => c.clickProduct(streamId, id));
          }
          // the Q&A stays open four steps: each viewer asks at most once, and upvotes at most once (for eight steps)
          if (s >= agenda.ask && s < agenda.ask + 4 && !a.asked && srng.chance(p.ask / 2)) {
            a.asked = true;
            const text = srng.pick(QUESTIONS);
            inTurn.push(async () => questions.push((await c.ask(streamId, text)).question.id));
          }
          if (s > agenda.ask && s <= agenda.ask + 8 && !a.upvoted && questions.length && srng.chance(p.upvote)) {
            a.upvoted = true;
            const q = srng.pick(questions);
            free.push(() => c.upvote(q));
          }
          if (quizId && (s === agenda.quiz1 + 1 || s === agenda.quiz2 + 1) && srng.chance(p.quiz)) {
            const option = srng.chance(p.quizRight) ? quizCorrect : (quizCorrect + srng.int(1, 2)) % 3;
            const id = quizId;
            inTurn.push(() => c.answerQuiz(id, option));
          }
          if (pollId && s === agenda.poll + 1 && srng.chance(p.quiz)) {
            const id = pollId;
            const option = srng.int(0, 2);
            free.push(() => c.vote(id, option));
          }
          if (lotteryId && s === agenda.lottery + 1 && srng.chance(p.lottery)) {
            const id = lotteryId;
            free.push(() => c.enterLottery(id));
          }
          if (dropId && s === agenda.drop + 1 && srng.chance(p.claim)) {
            const id = dropId;
            inTurn.push(async () => {
              a.couponCode = (await c.claimCoupon(id, { retries: 0 })).code;
            });
          }
        }
        await Promise.all(beats);
        await Promise.all(free.map((f) => f().catch(refused)));
        for (const f of srng.shuffle(inTurn)) await f().catch(refused);
        await flushReactions(app.ctx, { drain: true });

        // orders: a viewer decides once, as they leave (or at the end)
        for (const a of present) {
          if (!(a.leave === s || last) || a.ordered) continue;
          const p = a.v.persona;
          const chance = p.order + (a.couponCode ? 0.35 : 0) + (a.clicked ? 0.1 : 0);
          if (srng.chance(chance)) await order(a, srng, streamId);
        }
        if (!last) {
          for (const a of present.filter((x) => x.leave === s)) {
            a.present = false;
            await a.client!.leave(streamId).catch(refused);
            a.client!.close();
            clients.delete(a.client!);
          }
          await clock.advance(STEP_MS, settle);
        }
        bar.update(s, steps, `${present.length} watching`);
      }

      // the end: the worker finalizes the summary (its job), then the room empties
      const finalized = new Promise<void>((resolve, reject) => {
        const done = (job: Job) => {
          if (job.data?.type === 'stream.finalize' && job.data.streamId === streamId) {
            worker.worker.off('completed', done);
            resolve();
          }
        };
        worker.worker.on('completed', done);
        setTimeout(() => reject(new Error(`stream ${streamId} was not finalized within 60 s`)), 60_000).unref();
      });
      const ended = await http('POST', `/api/streams/${streamId}/end`);
      if (ended.status !== 200) throw new Error(`ending the stream answered ${ended.status}`);
      await finalized;
      await settle();
      // the post-stream survey (on by default): viewers still there at the end who watched long enough are
      // asked; some answer, by persona
      const answers: (() => Promise<unknown>)[] = [];
      for (const a of attendees) {
        if (!a.present || !srng.chance(a.v.persona.survey)) continue;
        const [lo, hi] = a.v.persona.surveyScore;
        const score = srng.int(lo, hi);
        const c = a.client!;
        answers.push(() => c.answerSurvey(streamId, score));
      }
      await Promise.all(answers.map((f) => f().catch(refused)));
      for (const a of attendees) {
        if (a.client) {
          a.client.close();
          clients.delete(a.client);
        }
        a.present = false;
      }
      host.close();
      clients.delete(host);
      const summary = await http('GET', `/api/streams/${streamId}/summary`, undefined, brandToken);
      if (summary.status !== 200) throw new Error(`the summary answered ${summary.status}`);
      const s = summary.body as StreamSummary;
      outcomes.push({ id: streamId, title, summary: s, dashboardUrl: `${url}/dashboard/streams/${streamId}#token=${brandToken}` });
      bar.end(`${s.uniqueViewers} viewers, ${s.orders} orders, ${s.revenue} EUR`);
    }

    const report = await http('GET', `/api/brands/${BRAND_ID}/report`, undefined, brandToken);
    // the brand's top viewers by stickiness score (the scoring API), as the dashboard lists them
    const personaOf = new Map(audience.map((v) => [v.id, v.persona.name]));
    const board = await http('GET', `/api/brands/${BRAND_ID}/viewers?limit=5`, undefined, brandToken);
    if (board.status !== 200) throw new Error(`the brand's viewers answered ${board.status}`);
    const topViewers: TopViewer[] = (board.body as LeaderboardPage).viewers.map((v) => ({ ...v, persona: personaOf.get(v.viewerId) ?? '?' }));
    return {
      url,
      brandId: BRAND_ID,
      brandToken,
      brandUrl: `${url}/dashboard/brands/${BRAND_ID}#token=${brandToken}`,
      streams: outcomes,
      report: report.status === 200 ? report.body : null,
      topViewers,
      refusals,
      jobsRun,
      close: shutdown,
    };
  } catch (err) {
    await shutdown().catch(() => undefined);
    throw err;
  }
}
