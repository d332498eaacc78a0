import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Re-renders its host every second while connected, for countdowns. */
export class Ticker implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | undefined;
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    this.timer = setInterval(() => this.host.requestUpdate(), 1000);
  }
  hostDisconnected(): void {
    clearInterval(this.timer);
  }
}

export function secondsLeft(endsAt: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((endsAt - now) / 1000));
}
