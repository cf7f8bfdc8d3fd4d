// Grid clustering of map points: points whose screen positions fall into the same square cell
// (in pixels, at the current zoom) become one cluster at their mean position. Simple, linear,
// and enough for the tens of thousands of buildings of a city; recomputed when the view moves.

export interface ScreenPoint<T> {
  x: number
  y: number
  item: T
}

export interface Cluster<T> {
  x: number
  y: number
  items: T[]
}

export function clusterByGrid<T>(points: ScreenPoint<T>[], cellSize: number): Cluster<T>[] {
  const cells = new Map<string, { sx: number; sy: number; items: T[] }>()
  for (const p of points) {
    const key = `${Math.floor(p.x / cellSize)}:${Math.floor(p.y / cellSize)}`
    let cell = cells.get(key)
    if (!cell) {
      cell = { sx: 0, sy: 0, items: [] }
      cells.set(key, cell)
    }
    cell.sx += p.x
    cell.sy += p.y
    cell.items.push(p.item)
  }
  return [...cells.values()].map((c) => ({ x: c.sx / c.items.length, y: c.sy / c.items.length, items: c.items }))
}
