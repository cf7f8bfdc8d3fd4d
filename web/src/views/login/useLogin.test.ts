import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/request'
import { classify } from './useLogin'

describe('login problems', () => {
  it('tells a wrong password, a locked or disabled account and a throttled address apart', () => {
    expect(classify(new ApiError(401, 'unauthenticated', '用户名或密码错误'))).toBe('credentials')
    expect(classify(new ApiError(403, 'permission_denied', '已锁定', [{ field: '', code: 'auth.locked', message: '' }]))).toBe('locked')
    expect(classify(new ApiError(403, 'permission_denied', '已停用', [{ field: '', code: 'auth.disabled', message: '' }]))).toBe('disabled')
    expect(classify(new ApiError(429, 'unavailable', '稍后再试', [{ field: 'retry_after_seconds', code: 'auth.throttled', message: '60' }], 60))).toBe('throttled')
  })
})
