// The console's one HTTP client. Every page goes through it: it sends the session's CSRF token on
// unsafe methods and the UI language, unwraps the API's error envelope
// {"error":{"code","message","details":[{"field","code","message"}]}} into an ApiError, sends the
// user to the login page on 401, and shows the message as a toast unless the caller handles it
// itself (`quiet`). The UI wiring (toast, redirect, language, token) is injected by main.ts so
// this file has no dependency on Vue, the router or Element Plus and is tested alone.

export interface FieldError {
  field: string
  code: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The first detail code, e.g. auth.locked, auth.throttled, role.escalation. */
  get detailCode(): string {
    return this.details[0]?.code ?? ''
  }

  /** Messages by field name, for showing the API's validation errors beside form items. */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const d of this.details) if (d.field && !(d.field in out)) out[d.field] = d.message
    return out
  }
}

export interface ClientHooks {
  csrfToken: () => string | null
  language: () => string
  onUnauthenticated: () => void
  onError: (message: string) => void
}

const hooks: ClientHooks = {
  csrfToken: () => null,
  language: () => 'zh-CN',
  onUnauthenticated: () => {},
  onError: () => {},
}

export function configureClient(next: Partial<ClientHooks>): void {
  Object.assign(hooks, next)
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** A raw body (an uploaded file), sent as application/octet-stream. */
  raw?: Blob
  /** The version being edited; sent as If-Match: "3". */
  ifMatch?: number | string
  /** The caller shows the error itself: no toast (401 still redirects unless noRedirect). */
  quiet?: boolean
  noRedirect?: boolean
}

const SAFE = new Set(['GET', 'HEAD'])

export function buildUrl(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

async function toError(response: Response, language: string): Promise<ApiError> {
  let code = 'http_' + response.status
  let message = ''
  let details: FieldError[] = []
  let retryAfter: number | null = null
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string; details?: Array<Partial<FieldError> & Record<string, unknown>> }
    }
    if (body.error) {
      code = body.error.code ?? code
      message = body.error.message ?? ''
      details = (body.error.details ?? []).map((d) => ({
        field: String(d.field ?? ''),
        code: String(d.code ?? ''),
        message: String(d.message ?? ''),
      }))
      for (const d of body.error.details ?? []) {
        // The throttle's detail carries the seconds as its message: {field: "retry_after_seconds", message: "120"}.
        if (d.field === 'retry_after_seconds' && /^\d+$/.test(String(d.message ?? ''))) retryAfter = Number(d.message)
      }
    }
  } catch {
    // Not JSON (a proxy's page): keep the status.
  }
  const header = response.headers.get('Retry-After')
  if (retryAfter === null && header && /^\d+$/.test(header)) retryAfter = Number(header)
  if (!message) message = language.startsWith('zh') ? `请求失败（${response.status}）` : `Request failed (${response.status})`
  return new ApiError(response.status, code, message, details, retryAfter)
}

// GET answers asked for ahead of the page that needs them (the router starts the dashboard's
// figures while its code loads); the first matching GET takes the answer, a failed one retries.
const prefetched = new Map<string, Promise<unknown>>()

export function prefetch(path: string, query?: Query): void {
  const url = buildUrl(path, query)
  if (!prefetched.has(url)) prefetched.set(url, request('GET', path, { query, quiet: true, noRedirect: true }).catch(() => undefined))
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  if (method === 'GET') {
    const early = prefetched.get(buildUrl(path, options.query))
    if (early) {
      prefetched.delete(buildUrl(path, options.query))
      const answer = await early
      if (answer !== undefined) return answer as T
    }
  }
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': hooks.language() }
  let body: BodyInit | undefined
  if (options.raw) {
    headers['Content-Type'] = 'application/octet-stream'
    body = options.raw
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  if (!SAFE.has(method)) {
    const token = hooks.csrfToken()
    if (token) headers['X-CSRF-Token'] = token
  }
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    const error = new ApiError(0, 'network', hooks.language().startsWith('zh') ? '无法连接服务器' : 'Cannot reach the server')
    if (!options.quiet) hooks.onError(error.message)
    throw error
  }
  if (!response.ok) {
    const error = await toError(response, hooks.language())
    if (response.status === 401 && !options.noRedirect) {
      hooks.onUnauthenticated()
    } else if (!options.quiet) {
      hooks.onError(error.message)
    }
    throw error
  }
  if (response.status === 204) return undefined as T
  const type = response.headers.get('Content-Type') ?? ''
  if (type.includes('json')) return (await response.json()) as T
  return (await response.text()) as unknown as T
}

export const http = {
  get: <T>(path: string, query?: Query, options: RequestOptions = {}) => request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options: RequestOptions = {}) => request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options: RequestOptions = {}) => request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, body?: unknown, options: RequestOptions = {}) => request<T>('DELETE', path, { ...options, body }),
}

/** A URL the browser downloads itself (report workbooks, exports, the template): GET needs no CSRF. */
export function downloadUrl(path: string, query?: Query): string {
  return buildUrl(path, query)
}

export interface EventHandlers {
  [event: string]: (data: unknown) => void
}

/**
 * Server-Sent Events of a job (GET, cookie-authenticated). Returns a function that closes the
 * stream; the stream closes itself after "done" or "failed".
 */
export function subscribe(path: string, handlers: EventHandlers, onBroken?: () => void): () => void {
  const source = new EventSource(path, { withCredentials: true })
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => {
      const data = (event as MessageEvent<string>).data
      let parsed: unknown = data
      try {
        parsed = JSON.parse(data)
      } catch {
        // keep the text
      }
      handler(parsed)
      if (name === 'done' || name === 'failed') source.close()
    })
  }
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) onBroken?.()
  }
  return () => source.close()
}
