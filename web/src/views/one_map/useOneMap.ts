// The one map's state: the four boundary layers of the user's view scope (GET
// /api/v1/org/boundaries, cached by the server), the buildings of the scope as points, the unit
// or building selected with its figures and staff, the tile settings (kept in localStorage; no
// tiles by default) and the search over units, buildings and residents (masked).
import { computed, reactive, ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Building, FeatureCollection, GeoFeature, Items, MeUnit, Page, ResidentListItem, Staff, Summary, Unit, UnitKind } from '@/api/types'
import type { CoordinateSystem } from '@/geo/gcj02'
import type { MapLayer } from '@/components/MapView.vue'

export const KINDS: UnitKind[] = ['street', 'community', 'grid', 'micro_grid']
const TILE_KEY = 'steward.map.tiles'

export interface TileSettings {
  url: string
  system: CoordinateSystem
}

export function loadTileSettings(): TileSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(TILE_KEY) ?? 'null') as TileSettings | null
    if (saved && typeof saved.url === 'string') return { url: saved.url, system: saved.system === 'gcj02' ? 'gcj02' : 'wgs84' }
  } catch {
    // ignore a broken setting
  }
  return { url: '', system: 'wgs84' }
}

export interface SearchHit {
  kind: 'unit' | 'building' | 'resident'
  id: string
  label: string
  unitId: string | null
  building?: Building
}

export function useOneMap(scope: MeUnit[]) {
  const layers = ref<MapLayer[]>(KINDS.map((kind) => ({ kind, features: [], visible: true, labels: true })))
  const buildings = shallowRef<Building[]>([])
  const showBuildings = ref(true)
  const tiles = reactive(loadTileSettings())
  const selected = shallowRef<GeoFeature['properties'] | null>(null)
  const selectedBuilding = shallowRef<Building | null>(null)
  const figures = shallowRef<Summary | null>(null)
  const staff = shallowRef<Staff[]>([])
  const loading = ref(true)

  const featureById = computed(() => {
    const map = new Map<string, GeoFeature['properties']>()
    for (const layer of layers.value) for (const f of layer.features) map.set(f.properties.id, f.properties)
    return map
  })

  async function load() {
    loading.value = true
    try {
      const collections = await Promise.all(
        KINDS.map((kind) => http.get<FeatureCollection>('/api/v1/org/boundaries', { kind })),
      )
      layers.value = KINDS.map((kind, i) => ({ kind, features: collections[i]!.features, visible: true, labels: true }))
      const lists = await Promise.all(scope.map((u) => http.get<Items<Building>>('/api/v1/places/buildings', { unit: u.id })))
      buildings.value = lists.flatMap((l) => l.items)
    } finally {
      loading.value = false
    }
  }

  async function select(unit: GeoFeature['properties']) {
    selected.value = unit
    selectedBuilding.value = null
    figures.value = null
    staff.value = []
    const [summary, people] = await Promise.all([
      http.get<Summary>('/api/v1/stats/summary', { unit: unit.id }),
      http.get<Items<Staff>>(`/api/v1/org/units/${unit.id}/staff`).catch(() => ({ items: [] as Staff[] })),
    ])
    if (selected.value?.id !== unit.id) return
    figures.value = summary
    staff.value = people.items
  }

  function selectBuilding(building: Building) {
    selectedBuilding.value = building
    const unit = featureById.value.get(building.unit_id)
    if (unit) void select(unit).then(() => (selectedBuilding.value = building))
  }

  function setVisible(kind: UnitKind, visible: boolean) {
    layers.value = layers.value.map((l) => (l.kind === kind ? { ...l, visible } : l))
  }

  function saveTiles(next: TileSettings) {
    tiles.url = next.url.trim()
    tiles.system = next.system
    localStorage.setItem(TILE_KEY, JSON.stringify({ url: tiles.url, system: tiles.system }))
  }

  async function search(q: string): Promise<SearchHit[]> {
    const text = q.trim()
    if (!text) return []
    const hits: SearchHit[] = []
    const [units, residents] = await Promise.all([
      http.get<Items<Unit>>('/api/v1/org/units/search', { q: text }, { quiet: true }).catch(() => ({ items: [] as Unit[] })),
      http.get<Page<ResidentListItem>>('/api/v1/residents', { name: text, page_size: 5 }, { quiet: true }).catch(() => null),
    ])
    for (const u of units.items.slice(0, 8)) hits.push({ kind: 'unit', id: u.id!, label: u.name!, unitId: u.id! })
    for (const b of buildings.value) {
      if (hits.length > 16) break
      if (b.name.includes(text) || b.address.includes(text)) hits.push({ kind: 'building', id: b.id, label: b.name, unitId: b.unit_id, building: b })
    }
    for (const r of residents?.items ?? []) {
      hits.push({ kind: 'resident', id: r.id!, label: `${r.name} ${r.id_number ?? ''} · ${r.unit?.name ?? ''}`, unitId: r.unit?.id ?? null })
    }
    return hits
  }

  return { layers, buildings, showBuildings, tiles, selected, selectedBuilding, figures, staff, loading, featureById, load, select, selectBuilding, setVisible, saveTiles, search }
}
