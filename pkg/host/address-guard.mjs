// Which addresses a webhook may be sent to (SPEC §9): never loopback, private,
// shared (CGNAT), link-local or unspecified ones, in any spelling (IPv4-mapped
// IPv6 too), unless private addresses are allowed for development. The check is
// made on the addresses the connection will actually use — a `lookup` for the
// request, so a name can not resolve to one thing when checked and another when
// connected — and up front for literal IPs, for which Node does no lookup.

import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
]) REFUSED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]]) {
  REFUSED.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (a literal IPv4 or IPv6) is one a webhook must not reach. */
export function isRefusedAddress(address) {
  const family = isIP(address);
  if (family === 0) return false;
  // BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rules.
  return REFUSED.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The error of an attempt on a refused address (no answer, so no HTTP status). */
export class RefusedAddressError extends Error {
  constructor(address) {
    super(`address ${address} is private`);
    this.name = 'RefusedAddressError';
    this.code = 'ADDRESS_REFUSED';
  }
}

/** The literal IP of a URL's host (brackets of IPv6 removed), or null for a name. */
export function literalAddressOf(url) {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : null;
}

/**
 * A `lookup` for node:http(s) requests: resolves with the system resolver and
 * fails with RefusedAddressError when any resolved address is refused (a name
 * that also points inward is not trusted for its other addresses).
 */
export function guardedLookup(hostname, options, callback) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const refused = addresses.find(({ address }) => isRefusedAddress(address));
    if (refused) return callback(new RefusedAddressError(refused.address));
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}
