/**
 * Every kind of finding test/helpers/floating-promises.ts reports, once each, and the handled forms it must
 * accept; read (never run) by test/unit/floating-promises.test.ts.
 */
import { EventEmitter } from 'node:events';

const publish = (): Promise<number> => Promise.resolve(1);
const events = new EventEmitter();

export function findings(): void {
  publish(); // promise not handled
  void publish(); // promise voided
  publish().then(() => 1); // promise not handled: no rejection handler
  publish().catch(() => 0).finally(() => undefined); // promise not handled: finally may reject again
  setTimeout(async () => publish(), 10); // async callback where nothing awaits it
  events.on('message', async () => {
    await publish();
  }); // async callback where nothing awaits it
}

export async function accepted(): Promise<void> {
  await publish();
  publish().catch(() => 0);
  publish().then(
    () => 1,
    () => 0,
  );
  let stored: Promise<number> | undefined;
  stored = publish();
  setTimeout(() => {
    publish().catch(() => 0);
  }, 10);
  await stored;
}
