import { describe, expect, it } from 'vitest'
import { boundaryFromText, today } from './useUnits'

describe('units page helpers', () => {
  const polygon = { type: 'Polygon', coordinates: [[[119.1, 28], [119.2, 28], [119.2, 28.1], [119.1, 28]]] }
  it('accepts a Polygon, a Feature or a one-feature collection', () => {
    expect(boundaryFromText(JSON.stringify(polygon))).toEqual(polygon)
    const feature = { type: 'Feature', properties: {}, geometry: polygon }
    expect(boundaryFromText(JSON.stringify(feature))).toEqual(feature)
    expect(boundaryFromText(JSON.stringify({ type: 'FeatureCollection', features: [feature] }))).toEqual(feature)
  })
  it('refuses anything else', () => {
    expect(() => boundaryFromText(JSON.stringify({ type: 'FeatureCollection', features: [] }))).toThrow()
    expect(() => boundaryFromText(JSON.stringify({ type: 'Point', coordinates: [1, 2] }))).toThrow()
    expect(() => boundaryFromText('not json')).toThrow()
  })
  it('formats today as a date', () => {
    expect(today()).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })
})
