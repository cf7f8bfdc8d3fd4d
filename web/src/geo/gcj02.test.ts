import { describe, expect, it } from 'vitest'
import { fromDisplay, gcj02ToWgs84, outOfChina, toDisplay, wgs84ToGcj02 } from './gcj02'

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

describe('gcj02ToWgs84', () => {
  it('undoes the offset to within a millimetre, across the city', () => {
    for (const [lon, lat] of [[119.14, 28.07], [119.02, 27.95], [119.31, 28.2], [116.404, 39.915]] as const) {
      const [gx, gy] = wgs84ToGcj02(lon, lat)
      const [x, y] = gcj02ToWgs84(gx, gy)
      expect(Math.abs(x - lon) * 111320).toBeLessThan(0.001)
      expect(Math.abs(y - lat) * 110540).toBeLessThan(0.001)
    }
  })

  it('is applied only for points drawn on GCJ-02 tiles', () => {
    expect(fromDisplay('wgs84', 119.14, 28.07)).toEqual([119.14, 28.07])
    const [x, y] = fromDisplay('gcj02', ...wgs84ToGcj02(119.14, 28.07))
    expect(x).toBeCloseTo(119.14, 8)
    expect(y).toBeCloseTo(28.07, 8)
    expect(gcj02ToWgs84(2.35, 48.85)).toEqual([2.35, 48.85])
  })
})
