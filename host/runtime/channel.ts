/**
 * The JSON-RPC channel between host and plugin, both ends: one JSON message
 * per line over a plain pipe on fd 3 (the wire format of Node's own `ipc`
 * channel), read by a reader built to survive a hostile peer.
 *
 * Why not Node's `ipc`: it JSON-parses each line inside the host's event loop
 * and throws an uncaught exception on garbage — one bad line written to the
 * channel's fd kills the host (measured on Node 20.20). Why not
 * vscode-jsonrpc's Content-Length stream framing: it buffers a body of any
 * announced length, and costs about twice the round-trip latency of this
 * framing. vscode-jsonrpc still runs the protocol on top (ids, errors,
 * cancellation); these classes are only its reader and writer.
 *
 * The reader checks every line before anything else sees it — size (a line
 * may never grow past `maxMessageBytes`, even before its end arrives), JSON
 * syntax, JSON-RPC 2.0 shape, the rate of requests and notifications the peer
 * starts on its own, and that every response answers a request this side sent
 * (so responses, which this side's own calls pace, need no rate limit of their
 * own) — and on the
 * first breach calls `onViolation` once and stops reading. This file is loaded by the plugin
 * runtime too, so it imports nothing at run time.
 */
import type { Readable, Writable } from 'node:stream';
import type { DataCallback, Disposable, Event, Message, MessageReader, MessageWriter, PartialMessageInfo } from 'vscode-jsonrpc';

export interface ChannelLimits {
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
  /**
   * What this side may hold for the peer, each way: bytes written to it and not yet read by it, and bytes of its
   * requests not yet answered. A peer that stops reading, or asks faster than it is answered, cannot make it hold more.
   */
  maxQueuedBytes?: number;
}

const NEWLINE = 0x0a;

/** The smallest `Event` vscode-jsonrpc accepts: listeners in a set, a disposable to leave it. */
class Emitter<T> {
  readonly #listeners = new Set<(value: T) => void>();
  readonly event: Event<T> = (listener) => {
    this.#listeners.add(listener);
    return { dispose: () => void this.#listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of this.#listeners) listener(value);
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/**
 * Messages the peer may send, unmetered, in answer to each request of ours: the calls a command handler makes
 * while it runs (a command that shows a message, reads and writes its store), paced by how often it is called.
 */
const ANSWER_ALLOWANCE = 32;
/**
 * How long the last answered request's allowance outlives its answer: a handler that returns and then shows a message
 * on the next turn (`setImmediate`, a promise settling later) still sends it in answer to that call. Only the last
 * answer's, and only this long: answers in a row never pool their allowances into credit for a burst.
 */
const ANSWER_GRACE_MS = 250;

/**
 * The requests this side has sent and not yet seen answered (the only responses the reader accepts), and the
 * unmetered messages they have earned the peer. The flood limit is on what the peer starts on its own: an app
 * calling a plugin 100,000 times in a row must not get it killed for the `showMessage` each call makes. The credit
 * never exceeds ANSWER_ALLOWANCE per credited request still outstanding, so a peer cannot save it up for a burst
 * later; and a request the peer caused itself (a plugin running its own command through the host) earns nothing,
 * or calling itself would buy it unmetered messages.
 */
export class Outstanding extends Set<number | string> {
  #credit = 0;
  /** When the last credited request was answered (monotonic ms). */
  #lastAnswer = -Infinity;
  /** The outstanding requests that earned credit. */
  readonly #credited = new Set<number | string>();
  /** The params of requests about to be sent that earn no credit (see `withoutCredit`). */
  readonly #uncredited = new WeakSet<object>();
  /** The params of messages that came in on that credit, so the broker's own per-plugin rates skip them too. */
  readonly #answers = new WeakSet<object>();

  /** Marks the params of a request about to be sent as one the peer caused: it earns no credit. */
  withoutCredit(params: object): void {
    this.#uncredited.add(params);
  }

  sent(id: number | string, params?: unknown): void {
    this.add(id);
    if (typeof params === 'object' && params !== null && this.#uncredited.has(params)) return;
    this.#credited.add(id);
    this.#credit += ANSWER_ALLOWANCE;
  }

  /** Whether `id` was outstanding; it is not any more (its allowance lasts ANSWER_GRACE_MS longer). */
  answered(id: number | string): boolean {
    if (!this.delete(id)) return false;
    if (this.#credited.delete(id)) this.#lastAnswer = performance.now();
    this.#capCredit();
    return true;
  }

  /** The credit never exceeds the allowance of the credited requests outstanding, and of the last one answered, for the grace. */
  #capCredit(): void {
    const lingering = performance.now() - this.#lastAnswer < ANSWER_GRACE_MS ? 1 : 0;
    this.#credit = Math.min(this.#credit, ANSWER_ALLOWANCE * (this.#credited.size + lingering));
  }

  /** Takes one unit of credit for `message` if there is one: it is an answer's, not metered. */
  spend(message: object): boolean {
    if (this.#credit === 0) return false;
    this.#capCredit();
    if (this.#credit === 0) return false;
    this.#credit -= 1;
    const { params } = message as { params?: unknown };
    if (typeof params === 'object' && params !== null) this.#answers.add(params);
    return true;
  }

  /** Whether `params` (as the JSON-RPC library hands them to a handler) belong to a message that came in on credit. */
  isAnswer(params: object): boolean {
    return this.#answers.has(params);
  }
}

/** The peer's requests this side has read and not yet answered, with their size. */
class PendingCalls {
  readonly #sizes = new Map<number | string, number>();
  bytes = 0;

  add(id: number | string, size: number): void {
    this.settle(id);
    this.#sizes.set(id, size);
    this.bytes += size;
  }

  settle(id: number | string): void {
    const size = this.#sizes.get(id);
    if (size === undefined) return;
    this.#sizes.delete(id);
    this.bytes -= size;
  }
}

/**
 * The two ends of one channel over `stream`, sharing the count of outstanding requests.
 * `coalesce`: see LineMessageWriter.
 */
export function lineChannel(
  stream: Readable & Writable,
  limits: ChannelLimits,
  onViolation: (reason: string) => void,
  coalesce = false,
): { reader: LineMessageReader; writer: LineMessageWriter; outstanding: Outstanding } {
  const outstanding = new Outstanding();
  const pending = new PendingCalls();
  return {
    reader: new LineMessageReader(stream, limits, outstanding, onViolation, pending),
    writer: new LineMessageWriter(stream, outstanding, coalesce, limits.maxQueuedBytes, onViolation, pending),
    outstanding,
  };
}

export class LineMessageReader implements MessageReader {
  readonly #input: Readable;
  readonly #limits: ChannelLimits;
  readonly #outstanding: Outstanding;
  readonly #onViolation: (reason: string) => void;
  readonly #error = new Emitter<Error>();
  readonly #close = new Emitter<void>();
  readonly #partial = new Emitter<PartialMessageInfo>();
  #pending: Buffer = Buffer.alloc(0);
  #windowStart = 0;
  #windowCount = 0;
  #broken = false;

  readonly onError = this.#error.event;
  readonly onClose = this.#close.event;
  /** Never raised: a partial line is simply waited for, within the size limit. */
  readonly onPartialMessage = this.#partial.event;

  readonly #unanswered: PendingCalls;

  constructor(input: Readable, limits: ChannelLimits, outstanding: Outstanding, onViolation: (reason: string) => void, unanswered = new PendingCalls()) {
    this.#input = input;
    this.#limits = limits;
    this.#outstanding = outstanding;
    this.#unanswered = unanswered;
    this.#onViolation = onViolation;
  }

  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer): void => this.#onData(chunk, callback);
    const onError = (error: Error): void => this.#error.fire(error);
    const onClose = (): void => this.#close.fire();
    this.#input.on('data', onData).on('error', onError).on('close', onClose);
    return { dispose: () => void this.#input.off('data', onData).off('error', onError).off('close', onClose) };
  }

  dispose(): void {
    this.#error.clear();
    this.#close.clear();
  }

  #onData(chunk: Buffer, callback: DataCallback): void {
    if (this.#broken) return;
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE, start)) {
      if (end - start > this.#limits.maxMessageBytes) return this.#violate(this.#tooLarge(`${end - start}`));
      const message = parseMessage(data.toString('utf8', start, end));
      const size = end - start;
      start = end + 1;
      if (typeof message === 'string') return this.#violate(message);
      if (!('method' in message)) {
        if (!this.#outstanding.answered((message as unknown as { id: number | string }).id)) return this.#violate('a response to no request');
      } else if (!this.#outstanding.spend(message) && !this.#withinRate()) {
        return this.#violate(`more than ${this.#limits.maxMessagesPerSecond} messages in one second`);
      } else if (this.#limits.maxQueuedBytes !== undefined && 'id' in message && (typeof message.id === 'number' || typeof message.id === 'string')) {
        this.#unanswered.add(message.id, size);
        if (this.#unanswered.bytes > this.#limits.maxQueuedBytes) {
          return this.#violate(`more than ${this.#limits.maxQueuedBytes} bytes of its calls wait for an answer`);
        }
      }
      callback(message);
      if (this.#broken) return;
    }
    this.#pending = data.subarray(start);
    if (this.#pending.length > this.#limits.maxMessageBytes) this.#violate(this.#tooLarge(`more than ${this.#limits.maxMessageBytes}`));
  }

  #tooLarge(size: string): string {
    return `message of ${size} bytes exceeds the ${this.#limits.maxMessageBytes}-byte limit`;
  }

  #withinRate(): boolean {
    const now = performance.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount += 1;
    return this.#windowCount <= this.#limits.maxMessagesPerSecond;
  }

  #violate(reason: string): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#pending = Buffer.alloc(0);
    this.#onViolation(reason);
  }
}

/** A JSON-RPC 2.0 message, or the reason the line is not one. */
function parseMessage(line: string): Message | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'garbage on the channel: a message is not JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'malformed JSON-RPC: a message is not an object';
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return 'malformed JSON-RPC: "jsonrpc" is not "2.0"';
  const isCall = typeof message.method === 'string';
  const hasValidId = typeof message.id === 'number' || typeof message.id === 'string' || message.id === null;
  if (isCall) return 'id' in message && !hasValidId ? 'malformed JSON-RPC: invalid request id' : (message as unknown as Message);
  if (hasValidId && ('result' in message || 'error' in message)) return message as unknown as Message;
  return 'malformed JSON-RPC: neither a request, a notification nor a response';
}

/**
 * Writes one line per message (JSON.stringify never emits a raw newline, so a line is a message).
 * With `coalesce`, the lines of one event-loop turn go out in a single write at the end of it
 * (setImmediate) instead of one write each. The host uses this: vscode-jsonrpc handles one incoming
 * message per loop turn, and each write that wakes an idle plugin process costs the host a syscall
 * several times dearer than the message's own work (measured with --cpu-prof: `writeUtf8String`
 * was 44 % of the host's time under pipelined calls). Order is kept; nothing waits longer than one turn.
 */
export class LineMessageWriter implements MessageWriter {
  readonly #output: Writable;
  readonly #outstanding: Outstanding;
  readonly #coalesce: boolean;
  readonly #error = new Emitter<[Error, Message | undefined, number | undefined]>();
  readonly #close = new Emitter<void>();
  #errors = 0;
  /** Lines waiting for the end of this loop turn (coalescing only). */
  #batch = '';
  readonly #maxQueuedBytes: number;
  readonly #onOverflow: (reason: string) => void;
  #overflowed = false;
  readonly #unanswered: PendingCalls;

  readonly onError = this.#error.event;
  readonly onClose = this.#close.event;

  constructor(
    output: Writable,
    outstanding: Outstanding,
    coalesce = false,
    maxQueuedBytes = Number.POSITIVE_INFINITY,
    onOverflow: (reason: string) => void = () => undefined,
    unanswered = new PendingCalls(),
  ) {
    this.#unanswered = unanswered;
    this.#output = output;
    this.#outstanding = outstanding;
    this.#coalesce = coalesce;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#onOverflow = onOverflow;
    output.on('error', (error: Error) => this.#error.fire([error, undefined, ++this.#errors]));
    output.on('close', () => this.#close.fire());
  }

  write(message: Message): Promise<void> {
    if (this.#output.destroyed || this.#output.writableEnded) return Promise.reject(new Error('the channel is closed'));
    const line = `${JSON.stringify(message)}\n`;
    if (!this.#coalesce) {
      this.#output.write(line);
    } else {
      if (this.#batch === '') setImmediate(this.#flush);
      this.#batch += line;
    }
    const id = (message as { id?: unknown }).id;
    if (typeof id === 'number' || typeof id === 'string') {
      if ('method' in message) this.#outstanding.sent(id, (message as { params?: unknown }).params);
      else this.#unanswered.settle(id);
    }
    this.#checkQueue();
    return Promise.resolve();
  }

  /** What the stream still buffers plus this turn's batch (one byte per character at least) against the bound. */
  #checkQueue(): void {
    if (this.#overflowed) return;
    const queued = this.#output.writableLength + this.#batch.length;
    if (queued <= this.#maxQueuedBytes) return;
    this.#overflowed = true;
    this.#onOverflow(`not reading its channel: more than ${this.#maxQueuedBytes} bytes wait to be read by it`);
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = '';
    if (batch !== '' && !this.#output.destroyed && !this.#output.writableEnded) this.#output.write(batch);
  };

  end(): void {
    this.#flush();
    this.#output.end();
  }

  dispose(): void {
    this.#error.clear();
    this.#close.clear();
  }
}
