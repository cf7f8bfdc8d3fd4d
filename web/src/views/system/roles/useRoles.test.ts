import { describe, expect, it } from 'vitest'
import { byDomain } from './useRoles'

describe('permission catalogue', () => {
  it('groups domain:resource:action strings by domain, keeping their order', () => {
    const groups = byDomain([
      { code: 'registry:resident:view', name: '查看居民', name_en: '' },
      { code: 'org:unit:view', name: '查看单位', name_en: '' },
      { code: 'registry:pii:unmask', name: '查看完整信息', name_en: '' },
    ])
    expect(groups.map((g) => g.domain)).toEqual(['registry', 'org'])
    expect(groups[0]!.items.map((i) => i.code)).toEqual(['registry:resident:view', 'registry:pii:unmask'])
  })
})
