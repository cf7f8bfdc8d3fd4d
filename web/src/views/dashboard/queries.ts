// The dashboard's two requests for a unit, shared by the page and the router, which starts them
// while the page's code is still loading (small: it lives in the first chunk).
import { prefetch, type Query } from '@/api/request'
import type { MeUnit, UnitKind } from '@/api/types'

export const childKind: Partial<Record<UnitKind, UnitKind>> = {
  city: 'street',
  street: 'community',
  community: 'grid',
  grid: 'micro_grid',
}

export function summaryQuery(unit: string | null): Query {
  return { unit: unit ?? undefined }
}

export function boundariesQuery(unit: string | null, kind: UnitKind | null): Query {
  const child = kind ? childKind[kind] : undefined
  return child ? { kind: child, within: unit ?? undefined, tolerance: 0.0002 } : { kind: 'street' }
}

export function startUnit(units: MeUnit[]): { id: string | null; name: string; kind: UnitKind | null } {
  return units.length === 1 ? { id: units[0]!.id, name: units[0]!.name, kind: units[0]!.kind } : { id: null, name: '', kind: null }
}

export function prefetchDashboard(units: MeUnit[]): void {
  const start = startUnit(units)
  prefetch('/api/v1/stats/summary', summaryQuery(start.id))
  prefetch('/api/v1/org/boundaries', boundariesQuery(start.id, start.kind))
}
