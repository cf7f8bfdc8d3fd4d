// Types of the API, taken from the file openapi-typescript generates from api/openapi.yaml
// (src/api/generated/schema.d.ts, never edited by hand). Shapes the document only describes in
// prose (the signed-in user, the dashboard figures, jobs) are written here, next to the routes.
import type { components, paths } from './generated/schema'

export type Schemas = components['schemas']
export type Unit = Schemas['Unit']
export type ResidentListItem = Schemas['ResidentListItem']
export type Resident = Schemas['Resident']
export type ResidentInput = Schemas['ResidentInput']
export type UnitKind = NonNullable<Unit['kind']>

/** A recorded prompt, and GET /api/v1/prompts?script=…: the recordings and the script's fixed pieces. */
export type RecordedPrompt = Schemas['RecordedPrompt']
export type PromptsAnswer = paths['/api/v1/prompts']['get']['responses']['200']['content']['application/json']

/** POST /api/v1/segments/evaluate: count, canonical text and tree, breakdown, page, explain. */
export type SegmentAnswer = paths['/api/v1/segments/evaluate']['post']['responses']['200']['content']['application/json']

/** A saved segment (GET /api/v1/segments/{id} adds its versions, newest first). */
export interface SavedSegment {
  id: string
  name: string
  description: string
  version: number
  query_version: number
  text: string
  tree: Record<string, unknown>
  created_by: string
  created_at: number
  updated_at: number
  versions?: Array<{ version: number; text: string; tree: Record<string, unknown>; created_by: string; created_at: number }>
}

export interface Page<T> {
  total: number
  page: number
  page_size: number
  items: T[]
}

export interface Items<T> {
  items: T[]
}

export interface MeUnit {
  id: string
  kind: UnitKind
  name: string
  scope: 'capture' | 'view' | 'search'
}

export interface Me {
  id: string
  login: string
  display_name: string
  csrf_token: string
  must_change_password: boolean
  permissions: string[]
  roles: string[]
  units: MeUnit[]
}

export interface LoginAnswer {
  user: { id: string; login: string }
  csrf_token: string
  must_change_password: boolean
  expires_at: number
}

export interface ChildFigure {
  id: string
  kind: UnitKind
  name: string
  residents: number
}

export interface HouseholdsMembers {
  households: number
  members: number
}

export interface Summary {
  as_of: string
  unit?: { id: string; kind: UnitKind; name: string }
  residents: number
  residence_status: { both: number; resident_only: number; registered_only: number }
  gender: { male: number; female: number }
  age_bands: Record<string, number>
  /** residents with a birth date by ten years of age (bands 0-9 … 90+), per gender code */
  age_pyramid: { bands: string[]; by_gender: Record<string, number[]> }
  elderly_living_alone: number
  tags: Record<string, { count: number; name: string }>
  assistance?: Record<string, HouseholdsMembers>
  units: Partial<Record<UnitKind, number>>
  staffing: Record<string, number>
  by_child?: ChildFigure[]
  residents_not_in_a_child?: number
}

export interface Building {
  id: string
  name: string
  address: string
  complex_id: string | null
  unit_id: string
  lon: number | null
  lat: number | null
  floors: number | null
  units: number | null
  households: number
  version: number
}

export interface Staff {
  id: string
  role: string
  name: string
  phone: string | null
  user_id?: string | null
  building_id?: string | null
  valid_from?: string
}

export interface Job {
  id: string
  kind: string
  state: 'uploaded' | 'running' | 'done' | 'failed' | 'cancelled'
  step: string
  file_name: string
  progress: number | { done?: number; total?: number; [key: string]: unknown }
  rows: number
  result: Record<string, unknown> | null
  error: string | null
}

export interface ImportPreview {
  id: string
  file_name: string
  state: string
  format: string
  encoding: string
  header_row: number
  columns: Array<{ index: number; header: string; field: string | null }>
  unknown_columns: string[]
  missing_required: string[]
  preview: string[][]
}

export interface DictItem {
  code: string
  label: string
  label_en: string
}

export interface TagItem {
  code: string
  name: string
  sensitive: boolean
  builtin: boolean
}

export interface GeoFeature {
  type: 'Feature'
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] } | null
  properties: { id: string; kind: UnitKind; name: string; parent_id: string | null }
}

export interface FeatureCollection {
  type?: 'FeatureCollection'
  features: GeoFeature[]
}
