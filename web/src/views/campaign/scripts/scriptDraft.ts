// The script editor's model: a script being edited as plain JSON (api/script.schema.json), and the
// edits its node forms make: adding a node of a type with sensible defaults, renaming one (every
// reference follows), removing one (references to it are cleared, for the checker to point at),
// moving one, and the rows a form shows for a JSON map (keys, cases, labels). Pure functions over
// the draft, so the forms stay thin and the edits are tested without a browser.
import { computed, type WritableComputedRef } from 'vue'
import type { ScriptJson, ScriptNode } from '../useCampaign'

/** A text member of the object `of()` returns (a node, the script), as a form's v-model. */
export function textMember(of: () => Record<string, unknown> | null | undefined, key: string): WritableComputedRef<string> {
  return computed({
    get: () => String(of()?.[key] ?? ''),
    set: (value: string) => {
      const target = of()
      if (target) target[key] = value
    },
  })
}

export const NODE_TYPES = ['say', 'ask', 'branch', 'set', 'transfer', 'hangup'] as const
export type NodeType = (typeof NODE_TYPES)[number]

/** One row of a map edited as a table: `key` → `value`. */
export interface Row { key: string; value: string }

export function rows(map: unknown): Row[] {
  if (!map || typeof map !== 'object') return []
  return Object.entries(map as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value ?? '') }))
}

/** The map of the rows; rows without a key are dropped (a later row wins a repeated key). */
export function fromRows(list: Row[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const row of list) if (row.key.trim()) out[row.key.trim()] = row.value
  return out
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

function freeId(script: ScriptJson, type: string): string {
  const taken = new Set(script.nodes.map((n) => n.id))
  for (let i = 1; ; i++) {
    const id = `${type}_${i}`
    if (!taken.has(id)) return id
  }
}

/** A node of `type` with the defaults a social worker would start from, inserted after `after`. */
export function addNode(script: ScriptJson, type: NodeType, after?: string): ScriptNode {
  const id = freeId(script, type)
  const defaults: Record<NodeType, Omit<ScriptNode, 'id' | 'type'>> = {
    say: { text: '', next: '' },
    ask: { slot: id, text: '', keys: { 1: 'yes', 2: 'no', 9: 'repeat' }, labels: { yes: '是', no: '否' }, next: '' },
    branch: { slot: '', cases: {}, otherwise: '' },
    set: { slot: '', value: '', next: '' },
    transfer: { text: '正在为您转接工作人员，请稍候。', phone: '{{grid_worker_phone}}' },
    hangup: { text: '感谢您的配合，再见。' },
  }
  const node = { id, type, ...clone(defaults[type]) } as ScriptNode
  const at = after ? script.nodes.findIndex((n) => n.id === after) : -1
  script.nodes.splice(at >= 0 ? at + 1 : script.nodes.length, 0, node)
  return node
}

/** The ids a node leads to, by the member that names each. */
export function targets(node: ScriptNode): Array<{ via: string; id: string }> {
  const out: Array<{ via: string; id: string }> = []
  for (const via of ['next', 'on_fail', 'otherwise'] as const) {
    const id = node[via]
    if (typeof id === 'string' && id) out.push({ via, id })
  }
  for (const row of rows(node.cases)) if (row.value) out.push({ via: `cases.${row.key}`, id: row.value })
  return out
}

/** Renames a node; the start and every next, on_fail, otherwise and case naming it follow.
 *  False when `to` is empty, not a name (a-z, 0-9, _) or taken. */
export function renameNode(script: ScriptJson, from: string, to: string): boolean {
  if (!/^[a-z0-9_]{1,64}$/.test(to) || script.nodes.some((n) => n.id === to)) return false
  const node = script.nodes.find((n) => n.id === from)
  if (!node) return false
  node.id = to
  if (script.start === from) script.start = to
  for (const each of script.nodes) {
    for (const via of ['next', 'on_fail', 'otherwise'] as const) if (each[via] === from) each[via] = to
    if (each.cases && typeof each.cases === 'object') {
      const cases = each.cases as Record<string, string>
      for (const key of Object.keys(cases)) if (cases[key] === from) cases[key] = to
    }
  }
  return true
}

/** Removes a node. A branch's cases leading to it are dropped (the checker then names the answers
 *  left without a way on); a next, on_fail or otherwise naming it is emptied (the server's reader
 *  names each such place). */
export function removeNode(script: ScriptJson, id: string): void {
  script.nodes = script.nodes.filter((n) => n.id !== id)
  if (script.start === id) script.start = script.nodes[0]?.id ?? ''
  for (const each of script.nodes) {
    for (const via of ['next', 'on_fail', 'otherwise'] as const) if (each[via] === id) each[via] = ''
    if (each.cases && typeof each.cases === 'object') {
      const cases = each.cases as Record<string, string>
      for (const key of Object.keys(cases)) if (cases[key] === id) delete cases[key]
    }
  }
}

export function moveNode(script: ScriptJson, id: string, delta: -1 | 1): void {
  const at = script.nodes.findIndex((n) => n.id === id)
  const to = at + delta
  if (at < 0 || to < 0 || to >= script.nodes.length) return
  const [node] = script.nodes.splice(at, 1)
  script.nodes.splice(to, 0, node)
}

/** The slots the script's asks and sets fill, for a branch's slot list. */
export function slots(script: ScriptJson): string[] {
  const out = new Set<string>()
  for (const node of script.nodes) {
    if ((node.type === 'ask' || node.type === 'set') && typeof node.slot === 'string' && node.slot) out.add(node.slot)
  }
  return [...out]
}

/** The values an ask's keys give (without "repeat"), for a branch's cases. */
export function valuesOf(script: ScriptJson, slot: string): string[] {
  const out = new Set<string>()
  for (const node of script.nodes) {
    if (node.type === 'ask' && node.slot === slot) for (const row of rows(node.keys)) if (row.value !== 'repeat') out.add(row.value)
    if (node.type === 'set' && node.slot === slot && typeof node.value === 'string') out.add(node.value)
  }
  return [...out]
}

/** Drops empty optional members the forms leave behind, so the JSON reads as written by hand. */
export function tidy(script: ScriptJson): ScriptJson {
  const out = clone(script)
  for (const node of out.nodes) {
    for (const key of ['recording', 'no_input', 'no_match', 'on_fail', 'label', 'otherwise', 'update_field'] as const) {
      if (node[key] === '') delete node[key]
    }
    for (const key of ['labels', 'follow_up', 'speech'] as const) {
      const map = node[key]
      if (map && typeof map === 'object' && Object.keys(map).length === 0) delete node[key]
    }
    if (node.type === 'say' && node.interruptible === true) delete node.interruptible
  }
  return out
}

/** One keypad choice of an ask as its form shows it: the key, the value it gives, how ledgers show
 *  the value, the words that mean it when ASR is on, and the door-visit task it raises. */
export interface KeyRow { digit: string; value: string; label: string; speech: string; followUp: string }

function map(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
}

export function keyRows(node: ScriptNode): KeyRow[] {
  const labels = map(node.labels)
  const speech = map(node.speech)
  const followUp = map(node.follow_up)
  return rows(node.keys).map(({ key, value }) => ({
    digit: key,
    value,
    label: String(labels[value] ?? ''),
    speech: Array.isArray(speech[value]) ? (speech[value] as string[]).join('，') : '',
    followUp: String(followUp[value] ?? ''),
  }))
}

/** Writes the rows back as the ask's keys, labels, speech and follow_up (updates stay as they are). */
export function writeKeyRows(node: ScriptNode, list: KeyRow[]): void {
  const keys: Record<string, string> = {}
  const labels: Record<string, string> = {}
  const speech: Record<string, string[]> = {}
  const followUp: Record<string, string> = {}
  for (const row of list) {
    const value = row.value.trim()
    if (!row.digit || !value) continue
    keys[row.digit] = value
    if (row.label.trim()) labels[value] = row.label.trim()
    const words = row.speech.split(/[,，、]/).map((w) => w.trim()).filter(Boolean)
    if (words.length) speech[value] = words
    if (row.followUp.trim()) followUp[value] = row.followUp.trim()
  }
  node.keys = keys
  node.labels = labels
  node.speech = speech
  node.follow_up = followUp
}

/** Turns an ask into one taking a string of keys (a new phone number), or back into choices. */
export function setDigits(node: ScriptNode, digits: boolean): void {
  if (digits) {
    delete node.keys
    delete node.labels
    delete node.speech
    delete node.follow_up
    delete node.understand
    node.digits = { min: 11, max: 12, end_key: '#', format: 'phone' }
    node.update_field = 'phone'
  } else {
    delete node.digits
    delete node.update_field
    node.keys = { 1: 'yes', 2: 'no', 9: 'repeat' }
  }
}
