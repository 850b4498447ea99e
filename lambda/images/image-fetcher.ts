import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { FetchPolicy } from '../config/config.js';
import { quoted } from '../core/gateway-error.js';
import { hostMatches, isPublicAddress } from './address-policy.js';
import { ImageError } from './image-error.js';

export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** A refused or failed fetch; the caller turns it into a 400 naming the content part. */
export class ImageFetchError extends ImageError {
  override readonly name = 'ImageFetchError';
}

const defaultResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Fetches image URLs without becoming a way into the network behind the gateway (SSRF): http(s)
 * only; the name is resolved once and every address checked; the connection goes to the checked
 * address (no second lookup, so no DNS rebinding); each redirect is checked again; a timeout and a
 * size cap bound the work.
 */
export class ImageFetcher {
  constructor(
    private readonly policy: FetchPolicy,
    private readonly resolve: Resolve = defaultResolve,
  ) {}

  async fetch(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    const deadline = AbortSignal.timeout(this.policy.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let current = url;
    for (let hop = 0; hop <= this.policy.maxRedirects; hop++) {
      const target = await this.check(current);
      const response = await this.get(target, combined, deadline);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        current = new URL(response.headers.location, target.url).toString();
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new ImageFetchError(`the image URL answered HTTP ${status}`);
      }
      return this.read(response, combined);
    }
    throw new ImageFetchError(`the image URL redirected more than ${this.policy.maxRedirects} times`);
  }

  /** The URL's scheme, host and every address it resolves to, against the policy. */
  private async check(raw: string): Promise<{ url: URL; address: string; family: number }> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ImageFetchError('the image URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ImageFetchError(`image URLs must be http(s) or data: URLs, not ${quoted(url.protocol, 16)}`);
    if (url.username || url.password) throw new ImageFetchError('image URLs may not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const shown = quoted(host);
    if (hostMatches(host, this.policy.denyHosts)) throw new ImageFetchError(`fetching from ${shown} is not allowed`);
    let addresses: { address: string; family: number }[];
    try {
      addresses = /^[\d.]+$|:/.test(host) ? [{ address: host, family: host.includes(':') ? 6 : 4 }] : await this.resolve(host);
    } catch {
      throw new ImageFetchError(`the image host ${shown} could not be resolved`);
    }
    if (addresses.length === 0) throw new ImageFetchError(`the image host ${shown} could not be resolved`);
    if (!hostMatches(host, this.policy.allowHosts)) {
      const bad = addresses.find((a) => !isPublicAddress(a.address));
      if (bad)
        throw new ImageFetchError(
          `the image host ${shown} resolves to a private or reserved address (${bad.address}); the gateway does not fetch from there unless its operator allows the host in gateway.image_fetch.allow_hosts`,
        );
    }
    return { url, address: addresses[0]!.address, family: addresses[0]!.family };
  }

  private get(target: { url: URL; address: string; family: number }, signal: AbortSignal, deadline: AbortSignal): Promise<IncomingMessage> {
    // Connect to the address that was checked, whatever the name resolves to now.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all)
        (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        target.url,
        { method: 'GET', lookup: pinned, signal, headers: { accept: 'image/*', 'user-agent': 'sagegate-image-fetch' } },
        resolve,
      );
      req.on('error', (error) =>
        reject(
          deadline.aborted
            ? new ImageFetchError(`the image URL did not answer within ${this.policy.timeoutMs} ms`)
            : error instanceof ImageFetchError
              ? error
              : new ImageFetchError(`the image could not be fetched (${(error as NodeJS.ErrnoException).code ?? quoted(error.message, 100)})`),
        ),
      );
      req.end();
    });
  }

  private async read(response: IncomingMessage, signal: AbortSignal): Promise<Uint8Array> {
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > this.policy.maxBytes) {
      response.destroy();
      throw new ImageFetchError(`the image is larger than the gateway's limit of ${this.policy.maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response) {
        size += (chunk as Buffer).length;
        if (size > this.policy.maxBytes) {
          response.destroy();
          throw new ImageFetchError(`the image is larger than the gateway's limit of ${this.policy.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof ImageFetchError) throw error;
      throw new ImageFetchError(
        signal.aborted ? `the image URL did not answer within ${this.policy.timeoutMs} ms` : 'the image download was cut off',
      );
    }
    return Buffer.concat(chunks);
  }
}
