// The resident list: filters that map one to one onto GET /api/v1/residents' query, a page, and
// the columns the user chose (kept in localStorage). The route's query carries the unit, so the
// one map's "residents of this unit" link lands here filtered.
import { reactive, ref, shallowRef } from 'vue'
import { http, type Query } from '@/api/request'
import type { Page, ResidentListItem } from '@/api/types'

export const ALL_COLUMNS = ['name', 'gender', 'age', 'birth_date', 'id_number', 'phone', 'unit', 'residence_status', 'relation_to_head', 'tags'] as const
export type Column = (typeof ALL_COLUMNS)[number]
const COLUMNS_KEY = 'steward.residents.columns'

export interface Filters {
  name: string
  id_number: string
  phone: string
  unit: string | null
  gender: string
  residence_status: string
  tags: string[]
  age_min: number | undefined
  age_max: number | undefined
}

export function emptyFilters(): Filters {
  return { name: '', id_number: '', phone: '', unit: null, gender: '', residence_status: '', tags: [], age_min: undefined, age_max: undefined }
}

export function toQuery(filters: Filters, page: number, pageSize: number): Query {
  return {
    name: filters.name.trim(),
    id_number: filters.id_number.trim(),
    phone: filters.phone.trim(),
    unit: filters.unit,
    gender: filters.gender,
    residence_status: filters.residence_status,
    tags: filters.tags.join(','),
    age_min: filters.age_min,
    age_max: filters.age_max,
    page,
    page_size: pageSize,
  }
}

function savedColumns(): Column[] {
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? 'null') as string[] | null
    if (Array.isArray(saved)) return ALL_COLUMNS.filter((c) => saved.includes(c))
  } catch {
    // ignore
  }
  return ['name', 'gender', 'age', 'id_number', 'phone', 'unit', 'residence_status', 'tags']
}

export function useResidentList(initialUnit: string | null) {
  const filters = reactive<Filters>({ ...emptyFilters(), unit: initialUnit })
  const page = ref(1)
  const pageSize = ref(20)
  const result = shallowRef<Page<ResidentListItem>>({ total: 0, page: 1, page_size: 20, items: [] })
  const loading = ref(false)
  const columns = ref<Column[]>(savedColumns())

  async function load() {
    loading.value = true
    try {
      result.value = await http.get<Page<ResidentListItem>>('/api/v1/residents', toQuery(filters, page.value, pageSize.value))
    } finally {
      loading.value = false
    }
  }
  function search() {
    page.value = 1
    return load()
  }
  function reset() {
    Object.assign(filters, emptyFilters())
    return search()
  }
  function setColumns(next: Column[]) {
    columns.value = ALL_COLUMNS.filter((c) => next.includes(c))
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns.value))
  }
  return { filters, page, pageSize, result, loading, columns, load, search, reset, setColumns }
}
