import { describe, expect, it } from 'vitest'
import { emptyModel, toInput } from './useResidentForm'

describe('resident form', () => {
  it('sends every field for a new resident, phones split on commas', () => {
    const model = { ...emptyModel(), name: ' 王芳 ', phones: '13800000000，13900000000', unit_id: '7' }
    const body = toInput(model, null)
    expect(body.name).toBe('王芳')
    expect(body.phones).toEqual(['13800000000', '13900000000'])
    expect(body.unit_id).toBe('7')
    expect(body.id_number).toBeNull()
  })

  it('sends only what changed on an edit', () => {
    const original = { ...emptyModel(), name: '王芳', unit_id: '7', notes: '' }
    const edited = { ...original, notes: '独居，需每周探访' }
    expect(toInput(edited, original)).toEqual({ notes: '独居，需每周探访' })
  })
})
