// The dashboard's state: the figures of GET /api/v1/stats/summary for the unit in view (the
// user's own unit at first, so only figures inside their scope), the child units' boundaries for
// the thumbnail, and drilling down into a child unit and back.
import { computed, ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { FeatureCollection, MeUnit, Summary, UnitKind } from '@/api/types'
import { boundariesQuery, childKind, startUnit, summaryQuery } from './queries'

export { childKind }

export interface Crumb {
  id: string | null
  name: string
  kind: UnitKind | null
}

export function assistanceTotals(summary: Summary | null): { households: number; members: number } {
  const out = { households: 0, members: 0 }
  for (const v of Object.values(summary?.assistance ?? {})) {
    out.households += v.households
    out.members += v.members
  }
  return out
}

export function share(part: number, whole: number): string {
  if (!whole) return '0%'
  return `${((part * 100) / whole).toFixed(1)}%`
}

export function useDashboard(units: MeUnit[]) {
  const start: Crumb = startUnit(units)
  const trail = ref<Crumb[]>([start])
  const summary = shallowRef<Summary | null>(null)
  const boundaries = shallowRef<FeatureCollection>({ type: 'FeatureCollection', features: [] })
  const loading = ref(false)
  const current = computed(() => trail.value[trail.value.length - 1]!)

  async function load() {
    loading.value = true
    try {
      const { id, kind } = current.value
      const [figures, shapes] = await Promise.all([
        http.get<Summary>('/api/v1/stats/summary', summaryQuery(id)),
        http.get<FeatureCollection>('/api/v1/org/boundaries', boundariesQuery(id, kind)),
      ])
      summary.value = figures
      boundaries.value = shapes
    } finally {
      loading.value = false
    }
  }

  async function drill(childId: string) {
    const child = summary.value?.by_child?.find((c) => c.id === childId)
    if (!child || !childKind[child.kind]) return
    trail.value = [...trail.value, { id: child.id, name: child.name, kind: child.kind }]
    await load()
  }

  async function back(index: number) {
    trail.value = trail.value.slice(0, index + 1)
    await load()
  }

  return { trail, current, summary, boundaries, loading, load, drill, back }
}
