import { describe, expect, it } from 'vitest'
import { wgs84ToGcj02 } from '@/geo/gcj02'
import { drawnToWgs84 } from './boundary'

const square = [[119.1, 28.0], [119.11, 28.0], [119.11, 28.01], [119.1, 28.01], [119.1, 28.0]]

describe('drawnToWgs84', () => {
  it('keeps a shape drawn without tiles offset as it is, rounded to 7 decimals', () => {
    const drawn = { type: 'Polygon' as const, coordinates: [square.map(([x, y]) => [x! + 1e-9, y!])] }
    expect(drawnToWgs84(drawn, 'wgs84')).toEqual({ type: 'Polygon', coordinates: [square] })
  })

  it('takes a shape drawn on GCJ-02 tiles back to WGS-84', () => {
    const drawn = { type: 'Polygon' as const, coordinates: [square.map(([x, y]) => wgs84ToGcj02(x!, y!))] }
    const back = drawnToWgs84(drawn, 'gcj02').coordinates as number[][][]
    back[0]!.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(square[i]![0]!, 6)
      expect(y).toBeCloseTo(square[i]![1]!, 6)
    })
  })

  it('closes an open ring and keeps every polygon of a MultiPolygon', () => {
    const open = square.slice(0, 4)
    const drawn = { type: 'MultiPolygon' as const, coordinates: [[open], [open.map(([x, y]) => [x! + 0.1, y!])]] }
    const back = drawnToWgs84(drawn, 'wgs84').coordinates as number[][][][]
    expect(back).toHaveLength(2)
    for (const [ring] of back) {
      expect(ring).toHaveLength(5)
      expect(ring![4]).toEqual(ring![0])
    }
  })
})
