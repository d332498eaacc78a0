/**
 * The one place Redis key names are put together. Features name their keys in `<feature>.keys.ts`
 * through these builders, so every key carries the deployment prefix and the right hash tag:
 * all keys of one stream share `{s:<streamId>}` and all keys of one brand share `{b:<brandId>}`,
 * which keeps every multi-key Lua script valid on Redis Cluster.
 */
export class Keys {
  constructor(readonly prefix: string) {}

  /** A key in the slot of one stream: `<prefix>{s:<id>}:<parts...>`. */
  stream(streamId: string, ...parts: string[]): string {
    return `${this.prefix}{s:${streamId}}:${parts.join(':')}`;
  }

  /** A key in the slot of one brand: `<prefix>{b:<id>}:<parts...>`. */
  brand(brandId: string, ...parts: string[]): string {
    return `${this.prefix}{b:${brandId}}:${parts.join(':')}`;
  }

  /** A deployment-wide key with its own hash tag (e.g. the index of live streams): one key, one slot. */
  global(...parts: string[]): string {
    return `${this.prefix}{g:${parts[0]}}:${parts.slice(1).join(':')}`;
  }

  /**
   * One entry of a deployment-wide lookup (a coupon code's stream, an order seen once): `<prefix>{x:<kind>:<id>}`.
   * The id is inside the hash tag, so the entries spread over every slot of a Redis Cluster instead of
   * making one hot slot (and one node) of every lookup. Only single-key commands touch them.
   */
  lookup(kind: string, id: string): string {
    return `${this.prefix}{x:${kind}:${id}}`;
  }

  /** BullMQ's prefix: braced so each queue's keys share one slot on Redis Cluster. */
  get bullPrefix(): string {
    return `{${this.prefix}bull}`;
  }

  /** Pub/sub channel of pushes made outside a server node (the worker): every node emits them to its own sockets. */
  get pushChannel(): string {
    return `${this.prefix}push`;
  }

  /** Socket.IO adapter channel prefix. */
  get ioChannel(): string {
    return `${this.prefix}io`;
  }
}
