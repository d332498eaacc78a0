/**
 * The provably fair draw: commitment, entrant-list hash, winner derivation and verification.
 * The server draws with these functions and the SDK verifies with the very same ones, so the documented
 * algorithm (docs/protocol.md, "Lotteries") has exactly one implementation.
 *
 * SHA-256 comes from WebCrypto (`crypto.subtle`), present in browsers and in Node 20 without imports:
 * no Node built-ins, no dependency, at the price of async functions.
 */

/** One entrant of a frozen draw: the viewer id and the entropy their client supplied, if any. */
export interface DrawEntry {
  id: string;
  /** Lower-case hex (16–64 digits) sent by the viewer's client with `lottery:enter`. */
  nonce?: string;
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const HEX = /^[0-9a-f]+$/;
/** Nonces: 8–32 random bytes in lower-case hex. */
export const NONCE_PATTERN = /^[0-9a-f]{16,64}$/;

/**
 * WebCrypto and TextEncoder, typed here with just what is used: they are globals of browsers and of
 * Node 20, but their types live in the DOM lib or @types/node, and a project using the SDK may have neither.
 */
interface WebCrypto {
  subtle?: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> };
  getRandomValues?(array: Uint8Array): Uint8Array;
}
const platform = globalThis as { crypto?: WebCrypto; TextEncoder?: new () => { encode(text: string): Uint8Array } };

function subtle(): NonNullable<WebCrypto['subtle']> {
  const c = platform.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available in this runtime');
  return c.subtle;
}

function utf8(text: string): Uint8Array {
  if (!platform.TextEncoder) throw new Error('TextEncoder is not available in this runtime');
  return new platform.TextEncoder().encode(text);
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** SHA-256 of the UTF-8 bytes of `text`, in lower-case hex. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await subtle().digest('SHA-256', utf8(text))));
}

/** `bytes` random bytes from the platform's CSPRNG, in lower-case hex (seeds and entry nonces). */
export function randomHex(bytes: number): string {
  const c = platform.crypto;
  if (!c?.getRandomValues) throw new Error('crypto.getRandomValues is not available in this runtime');
  return toHex(c.getRandomValues(new Uint8Array(bytes)));
}

/**
 * The commitment published when a lottery starts: SHA-256 over the seed's hex text, so anyone can
 * check it with `printf %s <seed> | sha256sum`.
 */
export function commitmentOf(seed: string): Promise<string> {
  return sha256Hex(seed);
}

/** Entrants in the canonical order (by id, UTF-16 code unit order = byte order for the id alphabet). */
export function sortEntries(entries: readonly (DrawEntry | string)[]): DrawEntry[] {
  const out = entries.map((e) => (typeof e === 'string' ? { id: e } : { id: e.id, ...(e.nonce ? { nonce: e.nonce } : {}) }));
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 0; i < out.length; i++) {
    const e = out[i]!;
    if (!ID.test(e.id)) throw new Error(`bad entrant id ${JSON.stringify(e.id)}`);
    if (e.nonce !== undefined && !NONCE_PATTERN.test(e.nonce)) throw new Error(`bad nonce for ${e.id}`);
    if (i > 0 && out[i - 1]!.id === e.id) throw new Error(`entrant ${e.id} appears twice`);
  }
  return out;
}

/** One line per entrant, sorted by id: `id` or `id nonce`, joined with `\n` (no trailing newline). */
export function entrantLines(entries: readonly (DrawEntry | string)[]): string {
  return sortEntries(entries)
    .map((e) => (e.nonce ? `${e.id} ${e.nonce}` : e.id))
    .join('\n');
}

/** SHA-256 of `entrantLines(entries)`: published with the result; each entrant can find their line. */
export function entrantsHashOf(entries: readonly (DrawEntry | string)[]): Promise<string> {
  return sha256Hex(entrantLines(entries));
}

/** 2^48: we read 48 bits per block, which stays exact in a JS number. */
const SPAN = 2 ** 48;

/**
 * The winners of a draw: a partial Fisher–Yates shuffle of the sorted entrant ids, driven by the blocks
 * SHA-256(`<seed>:<entrantsHash>:<counter>`), counter = 0, 1, 2, …. Each pick of an index below m reads
 * the first 48 bits of the next block and rejects values at or above the largest multiple of m (no
 * modulo bias). Returns min(count, entrants) ids, in draw order.
 */
export async function deriveWinners(seed: string, entries: readonly (DrawEntry | string)[], count: number): Promise<{ winners: string[]; entrantsHash: string }> {
  if (!HEX.test(seed)) throw new Error('the seed must be lower-case hex');
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
  const sorted = sortEntries(entries);
  const entrantsHash = await entrantsHashOf(sorted);
  const ids = sorted.map((e) => e.id);
  const k = Math.min(count, ids.length);
  let counter = 0;
  const uniform = async (m: number): Promise<number> => {
    const limit = SPAN - (SPAN % m);
    for (;;) {
      const block = await sha256Hex(`${seed}:${entrantsHash}:${counter++}`);
      const x = parseInt(block.slice(0, 12), 16);
      if (x < limit) return x % m;
    }
  };
  for (let i = 0; i < k; i++) {
    const j = i + (await uniform(ids.length - i));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return { winners: ids.slice(0, k), entrantsHash };
}

/** What `verifyDraw` needs: the commitment you saw at the start, and the published draw record. */
export interface DrawToVerify {
  /** The commitment received when the lottery started (`lottery:started`, the join ack), not a later copy. */
  commitment: string;
  /** The seed revealed at the draw. */
  seed: string;
  /** How many winners the lottery promised (`LotteryPublic.winners`). */
  winnerCount: number;
  /** The winners announced in `lottery:drawn`, in announced order. */
  winners: readonly string[];
  /** The frozen entrant list (`GET /api/lotteries/:id/entrants`); order does not matter. */
  entries: readonly (DrawEntry | string)[];
  /** The entrants hash announced in `lottery:drawn`, if you want it checked against the list too. */
  entrantsHash?: string;
}

export interface DrawVerification {
  /** True when every check below passed. */
  valid: boolean;
  /** sha256(seed) equals the commitment: the seed was fixed before anyone entered. */
  commitmentMatches: boolean;
  /** The list hashes to the announced entrants hash (true when none was given). */
  entrantsHashMatches: boolean;
  /** Recomputing the draw gives the announced winners, in order. */
  winnersMatch: boolean;
  /** The winners the algorithm gives for this seed and list (empty if the input was malformed). */
  expectedWinners: string[];
  /** Why the input could not be checked at all (malformed seed, duplicate entrant...). */
  error?: string;
}

/**
 * Recomputes a lottery draw from the revealed seed and the frozen entrant list and compares it with
 * what was announced. Anyone can run it: it needs no server and no secret.
 *
 * @example
 * const started = await viewer.once('lottery:started');           // keep started.commitment
 * const drawn = await viewer.once('lottery:drawn', (d) => d.lotteryId === started.id);
 * const list = await (await fetch(`${url}/api/lotteries/${started.id}/entrants`, { headers: { authorization: `Bearer ${token}` } })).json();
 * const check = await verifyDraw({
 *   commitment: started.commitment,
 *   seed: drawn.seed,
 *   winnerCount: started.winners,
 *   winners: drawn.winners,
 *   entrantsHash: drawn.entrantsHash,
 *   entries: list.entries,
 * });
 * if (!check.valid) console.warn('this draw does not verify', check);
 */
export async function verifyDraw(draw: DrawToVerify): Promise<DrawVerification> {
  const fail = (error: string): DrawVerification => ({
    valid: false,
    commitmentMatches: false,
    entrantsHashMatches: false,
    winnersMatch: false,
    expectedWinners: [],
    error,
  });
  if (typeof draw.seed !== 'string' || !HEX.test(draw.seed)) return fail('the seed is not lower-case hex');
  let derived: { winners: string[]; entrantsHash: string };
  let commitmentMatches: boolean;
  try {
    derived = await deriveWinners(draw.seed, draw.entries, Math.max(1, Math.trunc(draw.winnerCount)));
    commitmentMatches = (await commitmentOf(draw.seed)) === String(draw.commitment).toLowerCase();
  } catch (err) {
    // Malformed input, or no WebCrypto (browsers offer crypto.subtle only on https:// and localhost pages).
    return fail((err as Error).message);
  }
  const entrantsHashMatches = draw.entrantsHash === undefined || draw.entrantsHash.toLowerCase() === derived.entrantsHash;
  const winnersMatch = derived.winners.length === draw.winners.length && derived.winners.every((w, i) => w === draw.winners[i]);
  return {
    valid: commitmentMatches && entrantsHashMatches && winnersMatch,
    commitmentMatches,
    entrantsHashMatches,
    winnersMatch,
    expectedWinners: derived.winners,
  };
}
