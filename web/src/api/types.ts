// Types of the API, taken from the file openapi-typescript generates from api/openapi.yaml
// (src/api/generated/schema.d.ts, never edited by hand). Shapes the document only describes in
// prose are written here, next to the routes.
import type { components, paths } from './generated/schema'

export type Schemas = components['schemas']
export type Unit = Schemas['Unit']
export type ResidentListItem = Schemas['ResidentListItem']
export type Resident = Schemas['Resident']
export type ResidentInput = Schemas['ResidentInput']
export type UnitKind = NonNullable<Unit['kind']>

/** GET /api/v1/auth/me: the signed-in user, with the units of their scopes. */
export type Me = Schemas['Me']
export type MeUnit = Schemas['MeUnit']
/** GET /api/v1/stats/summary: the dashboard's figures. */
export type Summary = Schemas['Summary']
export type HouseholdsMembers = Schemas['HouseholdsMembers']
export type ChildFigure = NonNullable<Summary['by_child']>[number]
/** An import or export job (GET /api/v1/imports/{id}, /api/v1/exports/{id}). */
export type Job = Schemas['Job']
export type ImportPreview = Schemas['ImportPreview']
export type HistoryEntry = Schemas['HistoryEntry']
export type HouseholdMember = Schemas['HouseholdMember']
export type Staff = Schemas['Staff']
/** The one map's layers: GET /api/v1/org/boundaries?kind= and one unit's boundary. */
export type GeoFeature = Schemas['GeoFeature']
export type FeatureCollection = Schemas['FeatureCollection']

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

export interface LoginAnswer {
  user: { id: string; login: string }
  csrf_token: string
  must_change_password: boolean
  expires_at: number
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

