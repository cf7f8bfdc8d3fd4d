// The dictionaries (GET /api/v1/dict), loaded once per sign-in and shared: labels for codes in the
// current language, and the options of the registry's selects.
import { shallowRef } from 'vue'
import { http } from '@/api/request'
import { language } from '@/i18n'
import type { DictItem, TagItem } from '@/api/types'

export interface Dictionaries {
  tags: TagItem[]
  [type: string]: DictItem[] | TagItem[]
}

const dicts = shallowRef<Dictionaries | null>(null)
let pending: Promise<Dictionaries> | null = null

export function loadDict(force = false): Promise<Dictionaries> {
  if (force) pending = null
  if (!pending) {
    pending = http.get<Dictionaries>('/api/v1/dict').then((d) => (dicts.value = d))
    pending.catch(() => (pending = null))
  }
  return pending
}

export function useDict() {
  void loadDict()
  function items(type: string): DictItem[] {
    return (dicts.value?.[type] as DictItem[] | undefined) ?? []
  }
  function label(type: string, code: string | null | undefined): string {
    if (!code) return ''
    if (type === 'tags') return dicts.value?.tags.find((t) => t.code === code)?.name ?? code
    const item = items(type).find((i) => i.code === code)
    if (!item) return code
    return language() === 'en' && item.label_en ? item.label_en : item.label
  }
  return { dicts, items, label, tags: () => dicts.value?.tags ?? [] }
}
