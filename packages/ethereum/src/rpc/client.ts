export type RpcErrorKind = 'unreachable' | 'timeout' | 'http' | 'non-json' | 'rpc-error';

/** A failed JSON-RPC call, typed by where it failed: transport, HTTP, body, or the node's own error. */
export class RpcError extends Error {
  constructor(readonly kind: RpcErrorKind, message: string, readonly code?: number) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_RPC_TIMEOUT_MS = 5_000;
/** Largest response body we read; a misbehaving endpoint must not fill the memory. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

let nextId = 1;

/** One JSON-RPC 2.0 call over HTTP(S) with the global fetch. */
export async function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = [], options: CallOptions = {}): Promise<T> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  const id = nextId++;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      signal,
    });
  } catch (err) {
    throw transportError(err);
  }
  let text: string;
  try {
    text = await readCapped(response);
  } catch (err) {
    throw transportError(err);
  }
  return parseRpcResponse<T>(text, id, response);
}

/**
 * A JSON-RPC 2.0 response body to its result, or a typed RpcError: not JSON, not a response, the
 * node's own error, an HTTP failure, or an answer to another request (a mismatched id).
 */
export function parseRpcResponse<T = unknown>(text: string, id: number, response: { ok: boolean; status: number; statusText: string } = { ok: true, status: 200, statusText: 'OK' }): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!response.ok) throw new RpcError('http', `HTTP ${response.status} ${response.statusText}`.trim());
    throw new RpcError('non-json', `not JSON: ${JSON.stringify(text.slice(0, 60))}`);
  }
  const reply = body as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (!reply || typeof reply !== 'object' || Array.isArray(reply)) {
    if (!response.ok) throw new RpcError('http', `HTTP ${response.status} ${response.statusText}`.trim());
    throw new RpcError('non-json', 'not a JSON-RPC response');
  }
  // A result for some other request (or a cached or forged one) is not the answer to this one. An
  // error is a failure whatever its id (a node that cannot parse a request answers with id null).
  const idMatches = reply.id === id;
  if (reply.error && typeof reply.error === 'object') {
    const code = typeof reply.error.code === 'number' ? reply.error.code : undefined;
    throw new RpcError('rpc-error', typeof reply.error.message === 'string' ? reply.error.message : 'error', code);
  }
  if (!response.ok) throw new RpcError('http', `HTTP ${response.status} ${response.statusText}`.trim());
  if (!('result' in reply)) throw new RpcError('non-json', 'not a JSON-RPC response');
  if (!idMatches) throw new RpcError('non-json', `response id ${short(reply.id)} does not match request id ${id}`);
  return reply.result as T;
}

function short(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The body, refused once it passes MAX_RESPONSE_BYTES while it streams in: a Content-Length is only a
 * claim, and a chunked or endless body has none.
 */
async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw new RpcError('http', `response of ${declared} bytes (limit ${MAX_RESPONSE_BYTES})`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      throw new RpcError('http', `response over ${MAX_RESPONSE_BYTES} bytes (reading stopped there)`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function transportError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new RpcError('timeout', 'timed out');
  const cause = e?.cause;
  const detail = cause?.code ? `${cause.code}${cause.message ? `: ${cause.message}` : ''}` : (cause?.message ?? e?.message ?? String(err));
  return new RpcError('unreachable', detail);
}

export function errorOf(err: unknown): { kind: RpcErrorKind; message: string } {
  if (err instanceof RpcError) return { kind: err.kind, message: err.message };
  return { kind: 'non-json', message: (err as Error)?.message ?? String(err) };
}
