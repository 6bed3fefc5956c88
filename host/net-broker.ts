/**
 * `ctx.net.fetch`, performed by the host: http and https only, every hop
 * (redirects included) checked against the grant, a deadline for the whole
 * exchange and a cap on the body, so a plugin cannot use the host to reach
 * an undeclared server or to pull unbounded data into it.
 */
import type { FetchRequest, FetchResponse } from '../api/protocol.js';
import type { CheckResult } from './permissions.js';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

class FetchError extends Error {}

/**
 * `allow(host)` is the grant check for one hop; it returns a denial, which
 * ends the request with that denial's message.
 */
export async function brokeredFetch(
  request: FetchRequest,
  allow: (host: string) => CheckResult,
  limits: FetchLimits,
): Promise<FetchResponse | Extract<CheckResult, { allowed: false }>> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let url = parseUrl(request.url);
  let method = (request.method ?? 'GET').toUpperCase();
  let body = request.body;
  for (let hop = 0; ; hop++) {
    const verdict = allow(url.hostname.replace(/^\[|\]$/g, ''));
    if (!verdict.allowed) return verdict;
    let response: Response;
    try {
      response = await fetch(url, { method, headers: request.headers, body, redirect: 'manual', signal });
    } catch (error) {
      throw new FetchError(signal.aborted ? `fetch ${url.origin} timed out after ${limits.timeoutMs} ms` : `fetch ${url.origin} failed: ${causeOf(error)}`);
    }
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) {
      return {
        status: response.status,
        statusText: response.statusText,
        headers: Object.fromEntries(response.headers),
        bodyBase64: (await readCapped(response, limits.maxBytes, signal)).toString('base64'),
      };
    }
    await response.body?.cancel();
    if (hop === MAX_REDIRECTS) throw new FetchError(`fetch ${request.url}: more than ${MAX_REDIRECTS} redirects`);
    url = parseUrl(new URL(location, url).href);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FetchError(`fetch: ${JSON.stringify(text)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(`fetch: only http and https URLs are brokered, not ${url.protocol}`);
  }
  return url;
}

async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new FetchError(`fetch: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new FetchError(`fetch: response exceeds the ${maxBytes}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError(signal.aborted ? `fetch: response body timed out` : `fetch: reading the response failed: ${causeOf(error)}`);
  }
  return Buffer.concat(chunks);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
