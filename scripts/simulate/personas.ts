import type { Rng } from './rng.js';

/**
 * Who watches a simulated brand. Each viewer has one persona for the whole history; the persona decides
 * whether they come to a stream, how long they stay, and what they do while there (docs/simulate.md).
 */
export type PersonaName = 'lurker' | 'chatter' | 'bargain_hunter' | 'buyer' | 'lapsing_regular';

export interface Persona {
  name: PersonaName;
  /** Share of the audience. */
  share: number;
  /** Chance of coming to a stream (a lapsing regular: before they lapse; after it, `lapsedAttendance`). */
  attendance: number;
  /** Minutes they stay, [min, max] (a bargain hunter leaves soon after the drop instead). */
  stayMin: [number, number];
  /** Per 15 s step while present. */
  chat: number;
  like: number;
  click: number;
  /** Per mechanic, while present when it opens. */
  ask: number;
  upvote: number;
  quiz: number;
  quizRight: number;
  lottery: number;
  claim: number;
  /** Chance of ordering in a stream they came to (more with a coupon in hand), and order size range. */
  order: number;
  amount: [number, number];
  /** Share of the time their page is hidden (no watch time). */
  hidden: number;
  /** Chance of answering the post-stream survey when asked, and the score range (0-10) they give. */
  survey: number;
  surveyScore: [number, number];
}

export const PERSONAS: readonly Persona[] = [
  { name: 'lurker', share: 0.35, attendance: 0.55, stayMin: [4, 30], chat: 0.001, like: 0.004, click: 0.002, ask: 0.01, upvote: 0.02, quiz: 0.05, quizRight: 0.5, lottery: 0.08, claim: 0.03, order: 0.02, amount: [15, 40], hidden: 0.2, survey: 0.15, surveyScore: [5, 9] },
  { name: 'chatter', share: 0.2, attendance: 0.7, stayMin: [12, 30], chat: 0.08, like: 0.12, click: 0.01, ask: 0.35, upvote: 0.5, quiz: 0.85, quizRight: 0.7, lottery: 0.7, claim: 0.2, order: 0.06, amount: [15, 60], hidden: 0.05, survey: 0.6, surveyScore: [7, 10] },
  { name: 'bargain_hunter', share: 0.15, attendance: 0.5, stayMin: [2, 6], chat: 0.01, like: 0.02, click: 0.03, ask: 0.05, upvote: 0.05, quiz: 0.3, quizRight: 0.5, lottery: 0.9, claim: 0.95, order: 0.05, amount: [10, 30], hidden: 0.1, survey: 0.2, surveyScore: [3, 8] },
  { name: 'buyer', share: 0.15, attendance: 0.7, stayMin: [15, 30], chat: 0.02, like: 0.05, click: 0.04, ask: 0.2, upvote: 0.2, quiz: 0.5, quizRight: 0.8, lottery: 0.4, claim: 0.6, order: 0.55, amount: [30, 180], hidden: 0.05, survey: 0.5, surveyScore: [7, 10] },
  { name: 'lapsing_regular', share: 0.15, attendance: 0.9, stayMin: [15, 30], chat: 0.04, like: 0.08, click: 0.02, ask: 0.2, upvote: 0.3, quiz: 0.8, quizRight: 0.75, lottery: 0.6, claim: 0.4, order: 0.15, amount: [20, 90], hidden: 0.05, survey: 0.4, surveyScore: [4, 9] },
];

/** After they lapse, a lapsing regular comes this rarely. */
export const LAPSED_ATTENDANCE = 0.05;

export interface SimViewer {
  id: string;
  name: string;
  persona: Persona;
  /** The first stream they may come to: a brand's audience grows, a share of it finds the brand later. */
  discoveredAt: number;
  /** A lapsing regular comes to streams before this index (counted from discovery), then hardly at all. */
  lapsesAfter: number;
}

/** Share of the audience that knows the brand from its first stream; the others find it at a later one. */
export const KNOWN_AT_START = 0.55;

const FIRST = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea', 'Mo', 'Nia', 'Oli', 'Pia', 'Quin', 'Rui', 'Sol', 'Tao'];

/** The audience: personas in their exact shares (rounded), shuffled by the seed. */
export function makeAudience(rng: Rng, count: number, streams: number): SimViewer[] {
  const names: PersonaName[] = [];
  for (const p of PERSONAS) for (let i = 0; i < Math.round(p.share * count); i++) names.push(p.name);
  while (names.length < count) names.push('lurker');
  names.length = count;
  const order = rng.shuffle(names);
  return order.map((name, i) => {
    const persona = PERSONAS.find((p) => p.name === name)!;
    return {
      id: `v${String(i + 1).padStart(4, '0')}`,
      name: `${rng.pick(FIRST)} ${String.fromCharCode(65 + rng.int(0, 25))}.`,
      persona,
      discoveredAt: streams > 1 && !rng.chance(KNOWN_AT_START) ? rng.int(1, streams - 1) : 0,
      lapsesAfter: name === 'lapsing_regular' ? rng.int(1, Math.max(1, Math.ceil(streams / 2))) : streams,
    };
  });
}

export function attends(rng: Rng, v: SimViewer, streamIndex: number): boolean {
  // one draw per viewer and stream whatever the outcome, so the draws that follow do not shift
  const draw = rng.next();
  if (streamIndex < v.discoveredAt) return false;
  // the first stream after they find the brand, they come
  if (streamIndex === v.discoveredAt && v.discoveredAt > 0) return true;
  return draw < (streamIndex - v.discoveredAt < v.lapsesAfter ? v.persona.attendance : LAPSED_ATTENDANCE);
}

export const CHAT_LINES = [
  'hello from the couch!',
  'love this colour',
  'is it true to size?',
  'what fabric is that?',
  'just ordered one',
  'the last one was great',
  'can you show the back?',
  'hi everyone',
  'that price though',
  'waiting for the coupon',
  'how long is shipping?',
  'looks so comfy',
];

export const QUESTIONS = [
  'Does it come in other colours?',
  'Is it machine washable?',
  'What sizes are left?',
  'Do you ship abroad?',
  'How does it fit compared to last season?',
  'Is there a matching bag?',
];
