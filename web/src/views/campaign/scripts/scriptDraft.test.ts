// @vitest-environment node
// The script editor's edits on a draft: what a social worker does in the node forms must leave a
// script the server reads the same way (the built-in residence check is the sample).
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ScriptJson } from '../useCampaign'
import { addNode, fromRows, keyRows, moveNode, removeNode, renameNode, rows, setDigits, slots, targets, tidy, valuesOf, writeKeyRows } from './scriptDraft'

const root = fileURLToPath(new URL('../../../../../', import.meta.url))
function sample(): ScriptJson {
  return JSON.parse(readFileSync(`${root}src/campaign/templates/residence_check.json`, 'utf8')) as ScriptJson
}

describe('script draft', () => {
  it('renames a node and every reference to it, and refuses a bad or taken id', () => {
    const script = sample()
    expect(renameNode(script, 'residence', 'where_now')).toBe(true)
    expect(script.nodes.find((n) => n.id === 'opening')?.next).toBe('where_now')
    expect(renameNode(script, 'goodbye_moved', 'bye_moved')).toBe(true)
    const branch = script.nodes.find((n) => n.id === 'by_residence')!
    expect(branch.cases).toEqual({ here: 'alone', moved_within_city: 'bye_moved', moved_away: 'bye_moved' })
    expect(renameNode(script, 'opening', 'start_here')).toBe(true)
    expect(script.start).toBe('start_here')
    expect(renameNode(script, 'alone', 'goodbye')).toBe(false) // taken
    expect(renameNode(script, 'alone', '独居')).toBe(false) // not a name
    expect(script.nodes.map((n) => n.id)).toContain('alone')
  })

  it('removes a node: cases leading to it are dropped, a next naming it emptied', () => {
    const script = sample()
    removeNode(script, 'goodbye_moved')
    expect(script.nodes.some((n) => n.id === 'goodbye_moved')).toBe(false)
    expect(script.nodes.find((n) => n.id === 'by_residence')!.cases).toEqual({ here: 'alone' })
    removeNode(script, 'goodbye')
    expect(script.nodes.find((n) => n.id === 'alone')!.next).toBe('')
    removeNode(script, 'opening')
    expect(script.start).toBe('residence')
  })

  it('adds nodes with unique ids after the chosen one, and moves them', () => {
    const script = sample()
    const ask = addNode(script, 'ask', 'opening')
    expect(ask.id).toBe('ask_1')
    expect(script.nodes[1].id).toBe('ask_1')
    expect(ask.keys).toEqual({ 1: 'yes', 2: 'no', 9: 'repeat' })
    expect(addNode(script, 'ask').id).toBe('ask_2')
    expect(script.nodes.at(-1)!.id).toBe('ask_2')
    moveNode(script, 'ask_1', -1)
    expect(script.nodes[0].id).toBe('ask_1')
    moveNode(script, 'ask_1', -1) // already first: stays
    expect(script.nodes[0].id).toBe('ask_1')
  })

  it('edits keypad choices as rows: key, value, ledger label, spoken words, door-visit task', () => {
    const script = sample()
    const residence = script.nodes.find((n) => n.id === 'residence')!
    const list = keyRows(residence)
    expect(list.find((r) => r.digit === '3')).toEqual({
      digit: '3', value: 'moved_away', label: '已迁出', speech: '外地，搬走了，离开了，不在本市', followUp: '居民称已搬离本市，请上门核实人户状态',
    })
    list.find((r) => r.digit === '3')!.label = '已搬离本市'
    list.push({ digit: '4', value: 'unknown', label: '不清楚', speech: '不知道、不清楚', followUp: '' })
    list.push({ digit: '5', value: '', label: 'ignored', speech: '', followUp: '' }) // no value: dropped
    writeKeyRows(residence, list)
    expect(residence.keys).toEqual({ 1: 'here', 2: 'moved_within_city', 3: 'moved_away', 9: 'repeat', 4: 'unknown' })
    expect((residence.labels as Record<string, string>).moved_away).toBe('已搬离本市')
    expect((residence.speech as Record<string, string[]>).unknown).toEqual(['不知道', '不清楚'])
    expect(residence.updates).toBeDefined() // updates are JSON-only and kept
    expect(valuesOf(script, 'residence')).toEqual(['here', 'moved_within_city', 'moved_away', 'unknown'])
  })

  it('turns an ask into one keying in a phone number and back', () => {
    const script = sample()
    const ask = addNode(script, 'ask', 'alone')
    setDigits(ask, true)
    expect(ask.keys).toBeUndefined()
    expect(ask.digits).toEqual({ min: 11, max: 12, end_key: '#', format: 'phone' })
    expect(ask.update_field).toBe('phone')
    setDigits(ask, false)
    expect(ask.digits).toBeUndefined()
    expect(ask.update_field).toBeUndefined()
    expect(ask.keys).toEqual({ 1: 'yes', 2: 'no', 9: 'repeat' })
  })

  it('lists targets and slots, keeps rows as maps, and tidies empty members away', () => {
    const script = sample()
    expect(targets(script.nodes.find((n) => n.id === 'by_residence')!).map((x) => x.id)).toEqual(['alone', 'goodbye_moved', 'goodbye_moved'])
    expect(slots(script)).toEqual(['residence', 'lives_alone'])
    expect(fromRows([{ key: 'a', value: 'x' }, { key: ' ', value: 'y' }, { key: 'a', value: 'z' }])).toEqual({ a: 'z' })
    expect(rows({ a: 'x' })).toEqual([{ key: 'a', value: 'x' }])
    const say = addNode(script, 'say')
    say.interruptible = true
    say.on_fail = ''
    const tidied = tidy(script)
    const out = tidied.nodes.find((n) => n.id === say.id)!
    expect('interruptible' in out).toBe(false)
    expect('on_fail' in out).toBe(false)
    expect(tidied.nodes.find((n) => n.id === 'opening')!.interruptible).toBe(false)
  })
})
