import { describe, expect, it } from 'vitest'
import { progressFraction } from './useImportExport'

describe('job progress', () => {
  it('reads a fraction or done/total and clamps it', () => {
    expect(progressFraction(0.25)).toBe(0.25)
    expect(progressFraction(1.7)).toBe(1)
    expect(progressFraction({ done: 3, total: 4 })).toBe(0.75)
    expect(progressFraction(undefined)).toBe(0)
  })
})
