import { describe, expect, it } from 'vitest'
import { emptyGroup, fromTree, toTree, type Group } from './useSegment'

function elderlyAlone(): Group {
  return {
    kind: 'group', join: 'and', negate: false,
    items: [
      { kind: 'compare', field: 'age', op: '>=', value: '60' },
      { kind: 'has', names: ['lives_alone'] },
      {
        kind: 'group', join: 'or', negate: true,
        items: [
          { kind: 'unit_in', names: ['城东社区', '城西社区'] },
          { kind: 'compare', field: 'phone_valid', op: '=', value: 'false' },
        ],
      },
    ],
  }
}

describe('segment builder', () => {
  it('writes the JSON the API reads: typed values, and/or, not around a group', () => {
    expect(toTree(elderlyAlone())).toEqual({
      and: [
        { field: 'age', op: '>=', value: 60 },
        { has: ['lives_alone'] },
        { not: { or: [{ unit_in: ['城东社区', '城西社区'] }, { field: 'phone_valid', op: '=', value: false }] } },
      ],
    })
  })

  it('leaves out rows still being filled in, and a group of one is its row', () => {
    const group = emptyGroup()
    expect(toTree(group)).toBeNull()
    group.items.push({ kind: 'compare', field: 'age', op: '>', value: ' ' }, { kind: 'has_any', names: [] })
    expect(toTree(group)).toBeNull()
    group.items.push({ kind: 'compare', field: 'birth_date', op: '<', value: '1960-01-01' })
    expect(toTree(group)).toEqual({ field: 'birth_date', op: '<', value: '1960-01-01' })
  })

  it('keeps a number that is not one as text, so the API can say which row is wrong', () => {
    const group = emptyGroup()
    group.items.push({ kind: 'compare', field: 'age', op: '>=', value: '六十' })
    expect(toTree(group)).toEqual({ field: 'age', op: '>=', value: '六十' })
  })

  it('reads back the tree it wrote', () => {
    const tree = toTree(elderlyAlone())
    expect(toTree(fromTree(tree)!)).toEqual(tree)
    expect(fromTree({ not: { has: ['disabled'] } })).toEqual({
      kind: 'group', join: 'and', negate: true, items: [{ kind: 'has', names: ['disabled'] }],
    })
  })

  it('leaves to the text mode what the builder cannot show', () => {
    expect(fromTree({ field: 'gender', in: ['male', 'female'] })).toBeNull()
    expect(fromTree({ and: [{ has: ['veteran'] }, { called_within: '7d' }] })).toBeNull()
    expect(fromTree({ field: 'planet', op: '=', value: 'x' })).toBeNull()
  })
})
