import { describe, expect, it } from 'vitest'
import { buildUrl } from '@/api/request'
import { emptyFilters, toQuery } from './useResidentList'

describe('resident list filters', () => {
  it('send only what is filled, tags comma-separated', () => {
    const filters = { ...emptyFilters(), name: ' 王 ', tags: ['lives_alone', 'disabled'], age_min: 60, unit: '42' }
    expect(buildUrl('/api/v1/residents', toQuery(filters, 2, 50))).toBe(
      '/api/v1/residents?name=%E7%8E%8B&unit=42&tags=lives_alone%2Cdisabled&age_min=60&page=2&page_size=50',
    )
  })
})
