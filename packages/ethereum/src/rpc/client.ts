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
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
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
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!response.ok) throw new RpcError('http', `HTTP ${response.status} ${response.statusText}`.trim());
    throw new RpcError('non-json', `not JSON: ${JSON.stringify(text.slice(0, 60))}`);
  }
  const reply = body as { result?: unknown; error?: { code?: number; message?: string } };
  if (reply && typeof reply === 'object' && reply.error && typeof reply.error === 'object') {
    throw new RpcError('rpc-error', reply.error.message ?? 'error', reply.error.code);
  }
  if (!response.ok) throw new RpcError('http', `HTTP ${response.status} ${response.statusText}`.trim());
  if (!reply || typeof reply !== 'object' || !('result' in reply)) {
    throw new RpcError('non-json', 'not a JSON-RPC response');
  }
  return reply.result as T;
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) throw new RpcError('http', `response of ${declared} bytes`);
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength > MAX_RESPONSE_BYTES) throw new RpcError('http', `response of ${buffer.byteLength} bytes`);
  return new TextDecoder().decode(buffer);
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
