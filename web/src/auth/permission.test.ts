import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, withDirectives } from 'vue'
import { mount } from '@vue/test-utils'
import { hasPermission, vPerm } from './permission'
import { session } from './session'
import type { Me } from '@/api/types'

function me(permissions: string[]): Me {
  return { id: '1', login: 'wang', display_name: '王', csrf_token: 't', must_change_password: false, permissions, roles: [], units: [] }
}

describe('permissions', () => {
  it('matches exact strings, any of a list, and no need at all', () => {
    expect(hasPermission(['registry:resident:view'], 'registry:resident:view')).toBe(true)
    expect(hasPermission(['registry:resident:view'], 'registry:resident:edit')).toBe(false)
    expect(hasPermission(['a:b:c'], ['x:y:z', 'a:b:c'])).toBe(true)
    expect(hasPermission([], undefined)).toBe(true)
    // Never a prefix match: registry:resident does not grant registry:resident:edit.
    expect(hasPermission(['registry:resident'], 'registry:resident:edit')).toBe(false)
  })

  it('v-perm hides what the user may not use and shows it once granted', async () => {
    session.me = me(['registry:resident:view'])
    const Buttons = defineComponent({
      render: () =>
        h('div', [
          withDirectives(h('button', { id: 'edit' }, 'edit'), [[vPerm, 'registry:resident:edit']]),
          withDirectives(h('button', { id: 'view' }, 'view'), [[vPerm, 'registry:resident:view']]),
        ]),
    })
    const wrapper = mount(Buttons)
    expect((wrapper.get('#edit').element as HTMLElement).style.display).toBe('none')
    expect((wrapper.get('#view').element as HTMLElement).style.display).toBe('')
    session.me = me(['registry:resident:view', 'registry:resident:edit'])
    wrapper.vm.$forceUpdate()
    await nextTick()
    expect((wrapper.get('#edit').element as HTMLElement).style.display).toBe('')
  })
})
