import { describe, expect, it } from 'vitest'
import { outOfChina, toDisplay, wgs84ToGcj02 } from './gcj02'

describe('wgs84ToGcj02', () => {
  it('matches the published reference point in Beijing', () => {
    // The example of the widely used coordtransform library: (116.404, 39.915) →
    // (116.41024449916938, 39.91640428150164).
    const [lon, lat] = wgs84ToGcj02(116.404, 39.915)
    expect(lon).toBeCloseTo(116.41024449916938, 9)
    expect(lat).toBeCloseTo(39.91640428150164, 9)
  })

  it('shifts Longquan by a few hundred metres, south-east', () => {
    const [lon, lat] = wgs84ToGcj02(119.14, 28.07)
    const dx = (lon - 119.14) * 111320 * Math.cos((28.07 * Math.PI) / 180)
    const dy = (lat - 28.07) * 110540
    expect(Math.hypot(dx, dy)).toBeGreaterThan(300)
    expect(Math.hypot(dx, dy)).toBeLessThan(700)
    expect(dx).toBeGreaterThan(0)
    expect(dy).toBeLessThan(0)
  })

  it('leaves coordinates outside China alone', () => {
    expect(outOfChina(2.35, 48.85)).toBe(true)
    expect(wgs84ToGcj02(2.35, 48.85)).toEqual([2.35, 48.85])
  })

  it('is applied only for GCJ-02 tiles', () => {
    expect(toDisplay('wgs84', 119.14, 28.07)).toEqual([119.14, 28.07])
    expect(toDisplay('gcj02', 119.14, 28.07)).not.toEqual([119.14, 28.07])
  })
})
