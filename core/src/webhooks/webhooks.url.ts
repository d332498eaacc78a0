import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for outbound webhooks. A brand names the URL we POST to; without a guard it could make the
 * service call its own network (Redis' HTTP-ish ports, a cloud metadata address, an admin page on
 * localhost). In production (unless WEBHOOK_ALLOW_PRIVATE_URLS) an endpoint is refused when its host is a
 * loopback, private, link-local or otherwise non-public address, at registration (a literal address or
 * `localhost`) and again at each delivery (every address the name resolves to). Redirects are never
 * followed. What is left: a name whose DNS answer changes between our check and the request's own lookup
 * (DNS rebinding); an egress firewall is the complete answer (docs/webhooks.md).
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** Whether an IP address (v4 or v6, an IPv4-mapped v6 by its v4) is not a public unicast address. */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) return blocked.check(ip, 'ipv6');
  return false;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Why a URL's host is refused by its name alone (a private literal address, localhost), or null. */
export function privateHostReason(url: URL): string | null {
  const host = hostOf(url).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost is not a public address';
  if (isIP(host) && isPrivateAddress(host)) return `${host} is not a public address`;
  return null;
}

/** Why the URL's host resolves to a refused address, or null (every address it resolves to is public). */
export async function privateResolutionReason(url: URL): Promise<string | null> {
  const byName = privateHostReason(url);
  if (byName) return byName;
  const host = hostOf(url);
  if (isIP(host)) return null;
  const addresses = await lookup(host, { all: true, verbatim: true });
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? `${host} resolves to ${bad.address}, not a public address` : null;
}
