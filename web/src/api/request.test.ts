import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildUrl, configureClient, http, prefetch } from './request'

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

describe('the HTTP client', () => {
  const onError = vi.fn()
  const onUnauthenticated = vi.fn()
  const fetchMock = vi.fn()

  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock)
    configureClient({ csrfToken: () => 'tok', language: () => 'zh-CN', onError, onUnauthenticated })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    fetchMock.mockReset()
    onError.mockReset()
    onUnauthenticated.mockReset()
  })

  it('sends the CSRF token on unsafe methods only, and If-Match as an ETag', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(answer(200, { ok: true })))
    await http.get('/api/v1/x', { a: 1, empty: '', none: undefined })
    await http.patch('/api/v1/x', { name: 'y' }, { ifMatch: 3 })
    const [getUrl, getInit] = fetchMock.mock.calls[0]!
    expect(getUrl).toBe('/api/v1/x?a=1')
    expect(getInit.headers['X-CSRF-Token']).toBeUndefined()
    expect(getInit.headers['Accept-Language']).toBe('zh-CN')
    const [, patchInit] = fetchMock.mock.calls[1]!
    expect(patchInit.headers['X-CSRF-Token']).toBe('tok')
    expect(patchInit.headers['If-Match']).toBe('"3"')
    expect(patchInit.body).toBe('{"name":"y"}')
  })

  it('unwraps the error envelope with its field details and toasts the message', async () => {
    fetchMock.mockResolvedValue(answer(400, {
      error: { code: 'invalid_argument', message: '身份证号校验位错误', details: [{ field: 'id_number', code: 'registry.id_check', message: '校验位错误' }] },
    }))
    const error = await http.post('/api/v1/residents', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const apiError = error as ApiError
    expect(apiError.status).toBe(400)
    expect(apiError.code).toBe('invalid_argument')
    expect(apiError.fieldMessages()).toEqual({ id_number: '校验位错误' })
    expect(onError).toHaveBeenCalledWith('身份证号校验位错误')
    expect(onUnauthenticated).not.toHaveBeenCalled()
  })

  it('sends the user to the login page on 401 without a toast', async () => {
    fetchMock.mockResolvedValue(answer(401, { error: { code: 'unauthenticated', message: '请先登录' } }))
    await expect(http.get('/api/v1/residents')).rejects.toBeInstanceOf(ApiError)
    expect(onUnauthenticated).toHaveBeenCalledOnce()
    expect(onError).not.toHaveBeenCalled()
  })

  it('reads the throttle seconds and stays quiet when asked', async () => {
    fetchMock.mockResolvedValue(answer(429, {
      error: { code: 'unavailable', message: '登录失败次数过多', details: [{ field: 'retry_after_seconds', code: 'auth.throttled', message: '120' }] },
    }, { 'Retry-After': '120' }))
    const error = (await http.post('/api/v1/auth/login', {}, { quiet: true, noRedirect: true }).catch((e: unknown) => e)) as ApiError
    expect(error.detailCode).toBe('auth.throttled')
    expect(error.retryAfterSeconds).toBe(120)
    expect(onError).not.toHaveBeenCalled()
  })

  it('keeps the status when the body is not JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502 }))
    const error = (await http.get('/api/v1/x').catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(502)
    expect(error.message).toContain('502')
  })

  it('builds query strings without empty values', () => {
    expect(buildUrl('/p', { q: '城东', page: 2, x: null })).toBe('/p?q=%E5%9F%8E%E4%B8%9C&page=2')
  })

  it('hands a prefetched answer to the first matching GET only', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(answer(200, { n: fetchMock.mock.calls.length })))
    prefetch('/api/v1/stats/summary', { unit: '5' })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(await http.get('/api/v1/stats/summary', { unit: '5' })).toEqual({ n: 1 })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(await http.get('/api/v1/stats/summary', { unit: '5' })).toEqual({ n: 2 })
  })
})
