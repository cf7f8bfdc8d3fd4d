import { describe, expect, it } from 'vitest'
import { progressFraction } from './useImportExport'

describe('job progress', () => {
  it('reads the fraction of the step and clamps it', () => {
    expect(progressFraction(0.25)).toBe(0.25)
    expect(progressFraction(1.7)).toBe(1)
    expect(progressFraction(-0.1)).toBe(0)
    expect(progressFraction(undefined)).toBe(0)
  })
})
