// The boundary drawer's arithmetic, apart from the map: a shape drawn on the tiles goes back to
// WGS-84 (from GCJ-02 on 高德/腾讯 tiles) with 7 decimals (about a centimetre), every ring closed,
// before it is sent to PUT /api/v1/org/units/{id}/boundary.
import { fromDisplay, type CoordinateSystem } from '@/geo/gcj02'

export interface DrawnGeometry {
  type: 'Polygon' | 'MultiPolygon'
  coordinates: number[][][] | number[][][][]
}

const round = (v: number) => Math.round(v * 1e7) / 1e7

function ringToWgs84(ring: number[][], system: CoordinateSystem): number[][] {
  const out = ring.map(([lon, lat]) => fromDisplay(system, lon!, lat!).map(round))
  const [first, last] = [out[0], out[out.length - 1]]
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([...first])
  return out
}

/** The drawn Polygon or MultiPolygon as the API stores it. */
export function drawnToWgs84(geometry: DrawnGeometry, system: CoordinateSystem): DrawnGeometry {
  if (geometry.type === 'Polygon') {
    return { type: 'Polygon', coordinates: (geometry.coordinates as number[][][]).map((r) => ringToWgs84(r, system)) }
  }
  return {
    type: 'MultiPolygon',
    coordinates: (geometry.coordinates as number[][][][]).map((p) => p.map((r) => ringToWgs84(r, system))),
  }
}
