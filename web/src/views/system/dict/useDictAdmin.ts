// Dictionaries (RuoYi's dict data): each type's items, disabled ones too (GET /api/v1/dict/{type}),
// relabelled, reordered, enabled or disabled with If-Match; new items only in open dictionaries;
// and the tag dictionary (GET/POST /api/v1/dict/tags, PATCH /api/v1/dict/tags/{code}).
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import { loadDict } from '@/composables/useDict'
import type { Items, TagItem } from '@/api/types'

export const TYPES = ['relation_to_head', 'gender', 'residence_status', 'unit_kind', 'scope', 'assistance'] as const
export interface DictAdminItem {
  id: string
  code: string
  label: string
  label_en: string
  sort_order: number
  enabled: boolean
  builtin: boolean
  version: number
}

export function useDictAdmin() {
  const type = ref<string>('relation_to_head')
  const open = ref(false)
  const items = shallowRef<DictAdminItem[]>([])
  const tags = shallowRef<TagItem[]>([])
  async function load() {
    if (type.value === 'tags') {
      tags.value = (await http.get<Items<TagItem>>('/api/v1/dict/tags')).items
      return
    }
    const r = await http.get<{ type: string; open: boolean; items: DictAdminItem[] }>(`/api/v1/dict/${type.value}`)
    items.value = r.items
    open.value = r.open
  }
  async function update(item: DictAdminItem, change: Partial<Pick<DictAdminItem, 'label' | 'label_en' | 'sort_order' | 'enabled'>>) {
    await http.patch(`/api/v1/dict/${type.value}/${encodeURIComponent(item.code)}`, change, { ifMatch: item.version })
    await Promise.all([load(), loadDict(true)])
  }
  async function add(code: string, label: string, labelEn: string) {
    await http.post(`/api/v1/dict/${type.value}`, { code: code.trim(), label: label.trim() || undefined, label_en: labelEn.trim() || undefined })
    await Promise.all([load(), loadDict(true)])
  }
  async function addTag(code: string, name: string, sensitive: boolean) {
    await http.post('/api/v1/dict/tags', { code: code.trim(), name: name.trim(), sensitive })
    await Promise.all([load(), loadDict(true)])
  }
  async function renameTag(tag: TagItem, name: string) {
    await http.patch(`/api/v1/dict/tags/${encodeURIComponent(tag.code)}`, { name: name.trim() })
    await Promise.all([load(), loadDict(true)])
  }
  return { type, open, items, tags, load, update, add, addTag, renameTag }
}
