// WGS-84 → GCJ-02, the offset coordinate system that 高德 (AMap) and 腾讯 tiles are drawn in.
// Our shapes are stored in WGS-84 (天地图's CGCS2000 is within centimetres of it), so on those
// tiles every coordinate goes through wgs84ToGcj02 before it is drawn. The published algorithm
// (Krasovsky 1940 ellipsoid, a = 6378245, ee = 0.00669342162296594323); outside China the
// coordinates are returned unchanged, as the offset is not applied there.

const A = 6378245.0
const EE = 0.00669342162296594323

export function outOfChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return ret
}

function transformLon(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return ret
}

/** [lon, lat] in WGS-84 → [lon, lat] in GCJ-02. */
export function wgs84ToGcj02(lon: number, lat: number): [number, number] {
  if (outOfChina(lon, lat)) return [lon, lat]
  let dLat = transformLat(lon - 105.0, lat - 35.0)
  let dLon = transformLon(lon - 105.0, lat - 35.0)
  const radLat = (lat / 180.0) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - EE * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [lon + dLon, lat + dLat]
}

export type CoordinateSystem = 'wgs84' | 'gcj02'

/** The coordinate as the tiles of `system` expect it. */
export function toDisplay(system: CoordinateSystem, lon: number, lat: number): [number, number] {
  return system === 'gcj02' ? wgs84ToGcj02(lon, lat) : [lon, lat]
}

/**
 * GCJ-02 → WGS-84, for points drawn on GCJ-02 tiles: the forward transform is smooth, so a few
 * fixed-point steps (guess − (forward(guess) − target)) bring the round trip under a millimetre.
 */
export function gcj02ToWgs84(lon: number, lat: number): [number, number] {
  if (outOfChina(lon, lat)) return [lon, lat]
  let [x, y] = [lon, lat]
  for (let i = 0; i < 8; i++) {
    const [fx, fy] = wgs84ToGcj02(x, y)
    x -= fx - lon
    y -= fy - lat
  }
  return [x, y]
}

/** A point drawn on the tiles of `system`, back in WGS-84 as it is stored. */
export function fromDisplay(system: CoordinateSystem, lon: number, lat: number): [number, number] {
  return system === 'gcj02' ? gcj02ToWgs84(lon, lat) : [lon, lat]
}
