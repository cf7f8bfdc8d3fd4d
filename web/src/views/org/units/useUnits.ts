// Units and grids: the tree (lazily, GET /api/v1/org/units?parent=), and on the selected unit the
// edits the API offers — create a child (its kind is the level below), rename (If-Match), move
// under another parent on a date (the unit is retired and a successor carries on), retire on a
// date, upload a GeoJSON boundary (If-Match), and its staff (assign, end).
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Items, Staff, Unit } from '@/api/types'

export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** The Polygon or Feature the boundary route accepts, from an uploaded .geojson text. */
export function boundaryFromText(text: string): object {
  const parsed = JSON.parse(text) as { type?: string; features?: unknown[] }
  if (parsed.type === 'FeatureCollection') {
    if (!parsed.features || parsed.features.length !== 1) throw new Error('FeatureCollection must hold exactly one feature')
    return parsed.features[0] as object
  }
  if (parsed.type !== 'Feature' && parsed.type !== 'Polygon' && parsed.type !== 'MultiPolygon') throw new Error(`unexpected GeoJSON type ${parsed.type}`)
  return parsed
}

export function useUnits() {
  const selected = shallowRef<Unit | null>(null)
  const staff = shallowRef<Staff[]>([])
  const treeVersion = ref(0)

  async function children(parent: string | null): Promise<Unit[]> {
    const r = await http.get<Items<Unit>>('/api/v1/org/units', parent ? { parent } : undefined)
    return r.items
  }

  async function select(unit: Unit) {
    selected.value = await http.get<Unit>(`/api/v1/org/units/${unit.id}`)
    const r = await http.get<Items<Staff>>(`/api/v1/org/units/${unit.id}/staff`).catch(() => ({ items: [] as Staff[] }))
    staff.value = r.items
  }
  const refresh = async () => {
    treeVersion.value += 1
    if (selected.value) await select(selected.value)
  }

  async function createChild(body: { name: string; official_name: string; subtype: string; division_code: string; valid_from: string }) {
    const parent = selected.value!
    const payload: Record<string, string> = { parent_id: parent.id!, name: body.name.trim() }
    for (const key of ['official_name', 'subtype', 'division_code', 'valid_from'] as const) if (body[key].trim()) payload[key] = body[key].trim()
    const unit = await http.post<Unit>('/api/v1/org/units', payload)
    await refresh()
    return unit
  }
  async function rename(name: string, officialName: string) {
    const unit = selected.value!
    selected.value = await http.patch<Unit>(`/api/v1/org/units/${unit.id}`, { name: name.trim(), official_name: officialName.trim() }, { ifMatch: unit.version })
    await refresh()
  }
  async function move(parentId: string, effective: string) {
    const successor = await http.post<Unit>(`/api/v1/org/units/${selected.value!.id}/move`, { parent_id: parentId, effective })
    selected.value = successor
    await refresh()
  }
  async function end(effective: string) {
    await http.post(`/api/v1/org/units/${selected.value!.id}/end`, { effective })
    await refresh()
  }
  async function uploadBoundary(text: string) {
    const unit = selected.value!
    selected.value = await http.put<Unit>(`/api/v1/org/units/${unit.id}/boundary`, boundaryFromText(text), { ifMatch: unit.version })
    await refresh()
  }
  async function assign(body: { role: string; name: string; phone: string; building_id: string }) {
    const payload: Record<string, string> = { role: body.role, name: body.name.trim() }
    if (body.phone.trim()) payload.phone = body.phone.trim()
    if (body.building_id.trim()) payload.building_id = body.building_id.trim()
    await http.post(`/api/v1/org/units/${selected.value!.id}/staff`, payload)
    await refresh()
  }
  async function endAssignment(staffId: string) {
    await http.delete(`/api/v1/org/units/${selected.value!.id}/staff/${staffId}`)
    await refresh()
  }
  return { selected, staff, treeVersion, children, select, refresh, createChild, rename, move, end, uploadBoundary, assign, endAssignment }
}
