// The segment page (人群圈选): the visual builder's conditions as groups of rows, the JSON tree the
// API reads from them (src/segment/README.md, "The JSON form") and back, and the calls: evaluate
// (count, breakdown by community, a page of masked residents), saved segments with their
// versions (If-Match on every change). The export is useExport's (registry/import_export).
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Items, SavedSegment, SegmentAnswer } from '@/api/types'

export type FieldName = 'age' | 'birth_date' | 'household_size' | 'gender' | 'residence_status' | 'assistance' | 'phone_valid'
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>='
export type ListKind = 'has' | 'has_any' | 'has_all' | 'unit_in' | 'building' | 'complex'

export interface CompareRow {
  kind: 'compare'
  field: FieldName
  op: Op
  value: string
}
export interface ListRow {
  kind: ListKind
  names: string[]
}
export interface Group {
  kind: 'group'
  join: 'and' | 'or'
  negate: boolean
  items: BuilderNode[]
}
export type BuilderNode = CompareRow | ListRow | Group
export type Tree = Record<string, unknown>

const ORDERED: Op[] = ['=', '!=', '<', '<=', '>', '>=']
/** What each field compares with, and the operators the language allows for it. */
export const FIELDS: Record<FieldName, { type: 'int' | 'date' | 'enum' | 'bool'; ops: Op[] }> = {
  age: { type: 'int', ops: ORDERED },
  household_size: { type: 'int', ops: ORDERED },
  birth_date: { type: 'date', ops: ORDERED },
  gender: { type: 'enum', ops: ['=', '!='] },
  residence_status: { type: 'enum', ops: ['=', '!='] },
  assistance: { type: 'enum', ops: ['=', '!='] },
  phone_valid: { type: 'bool', ops: ['=', '!='] },
}
export const LIST_KINDS: ListKind[] = ['has', 'has_any', 'has_all', 'unit_in', 'building', 'complex']

export function emptyGroup(join: 'and' | 'or' = 'and'): Group {
  return { kind: 'group', join, negate: false, items: [] }
}

function compareTree(row: CompareRow): Tree | null {
  const text = row.value.trim()
  if (!text) return null
  const type = FIELDS[row.field].type
  // A number that is not one stays text: the API then names the row's path and what it wants.
  const value = type === 'int' && /^\d+$/.test(text) ? Number(text) : type === 'bool' ? text === 'true' : text
  return { field: row.field, op: row.op, value }
}

/**
 * The API's JSON of a builder group; rows still being filled in (no value, no names) and empty
 * groups are left out. null: nothing to evaluate yet.
 */
export function toTree(node: BuilderNode): Tree | null {
  if (node.kind === 'compare') return compareTree(node)
  if (node.kind !== 'group') {
    const names = node.names.map((n) => n.trim()).filter(Boolean)
    if (!names.length) return null
    return { [node.kind]: node.kind === 'has' ? names.slice(0, 1) : names }
  }
  const children = node.items.map(toTree).filter((c): c is Tree => c !== null)
  if (!children.length) return null
  const inner = children.length === 1 ? children[0] : { [node.join]: children }
  return node.negate ? { not: inner } : inner
}

function asGroup(node: BuilderNode): Group {
  return node.kind === 'group' ? node : { kind: 'group', join: 'and', negate: false, items: [node] }
}

function fromNode(tree: unknown): BuilderNode | null {
  if (!tree || typeof tree !== 'object' || Array.isArray(tree)) return null
  const t = tree as Tree
  const keys = Object.keys(t)
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or') && Array.isArray(t[keys[0]])) {
    const items = (t[keys[0]] as unknown[]).map(fromNode)
    if (items.some((i) => i === null)) return null
    return { kind: 'group', join: keys[0] as 'and' | 'or', negate: false, items: items as BuilderNode[] }
  }
  if (keys.length === 1 && keys[0] === 'not') {
    const inner = fromNode(t.not)
    if (!inner) return null
    if (inner.kind === 'group' && !inner.negate) return { ...inner, negate: true }
    return { kind: 'group', join: 'and', negate: true, items: [inner] }
  }
  if (keys.length === 1 && (LIST_KINDS as string[]).includes(keys[0]) && Array.isArray(t[keys[0]])) {
    return { kind: keys[0] as ListKind, names: (t[keys[0]] as unknown[]).map(String) }
  }
  if ('field' in t && 'op' in t && 'value' in t && keys.length === 3 && String(t.field) in FIELDS) {
    return { kind: 'compare', field: t.field as FieldName, op: t.op as Op, value: String(t.value) }
  }
  return null // in-lists and contact history: the text mode shows them
}

/** The builder's form of a tree the API wrote, or null when only the text can show it. */
export function fromTree(tree: unknown): Group | null {
  const node = fromNode(tree)
  return node ? asGroup(node) : null
}

export type Source = { tree: Tree } | { query: string } | { segment_id: string; version?: number }

export function useSegment() {
  const answer = shallowRef<SegmentAnswer | null>(null)
  const counting = ref(false)
  const segments = shallowRef<SavedSegment[]>([])
  let asked = 0

  /** The count and breakdown of a source, or its page of residents; a newer call wins. */
  async function evaluate(source: Source, page = 0): Promise<SegmentAnswer> {
    const mine = ++asked
    counting.value = true
    try {
      const body = { ...source, breakdown: 'community', ...(page > 0 ? { page, page_size: 20 } : {}) }
      const result = await http.post<SegmentAnswer>('/api/v1/segments/evaluate', body, { quiet: true })
      if (mine === asked) answer.value = result
      return result
    } finally {
      if (mine === asked) counting.value = false
    }
  }

  async function loadSegments() {
    segments.value = (await http.get<Items<SavedSegment>>('/api/v1/segments')).items
  }
  const getSegment = (id: string) => http.get<SavedSegment>(`/api/v1/segments/${id}`)
  async function save(source: Source, name: string, description: string, editing: SavedSegment | null): Promise<SavedSegment> {
    const body = { name, description, ...source }
    const saved = editing
      ? await http.patch<SavedSegment>(`/api/v1/segments/${editing.id}`, body, { ifMatch: editing.version })
      : await http.post<SavedSegment>('/api/v1/segments', body)
    await loadSegments()
    return saved
  }
  async function remove(segment: SavedSegment) {
    await http.delete(`/api/v1/segments/${segment.id}`, undefined, { ifMatch: segment.version })
    await loadSegments()
  }

  return { answer, counting, segments, evaluate, loadSegments, getSegment, save, remove }
}
