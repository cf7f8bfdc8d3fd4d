import { describe, expect, it } from 'vitest'
import { clusterByGrid } from './cluster'

describe('clusterByGrid', () => {
  it('groups points of one cell and keeps far points apart', () => {
    const clusters = clusterByGrid(
      [
        { x: 1, y: 1, item: 'a' },
        { x: 9, y: 9, item: 'b' },
        { x: 55, y: 5, item: 'c' },
      ],
      50,
    )
    expect(clusters).toHaveLength(2)
    const pair = clusters.find((c) => c.items.length === 2)!
    expect(pair.items.sort()).toEqual(['a', 'b'])
    expect(pair.x).toBe(5)
    expect(pair.y).toBe(5)
  })

  it('keeps every point exactly once', () => {
    const points = Array.from({ length: 500 }, (_, i) => ({ x: (i * 37) % 997, y: (i * 91) % 613, item: i }))
    const all = clusterByGrid(points, 60).flatMap((c) => c.items)
    expect(all.sort((a, b) => a - b)).toEqual(points.map((p) => p.item))
  })
})
