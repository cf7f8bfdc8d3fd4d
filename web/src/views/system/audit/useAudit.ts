// Audit log search (GET /api/v1/audit, newest first): actor, action (exact, or a prefix ending
// in "."), target and a time range; "more" pages on with before_seq.
import { reactive, ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Items } from '@/api/types'

export interface AuditEntry {
  seq: number
  at: number
  actor: string
  action: string
  target: string
  detail: unknown
  client: string
  request_id: string
}

export function useAudit() {
  const filters = reactive({ actor: '', action: '', target: '', range: null as [Date, Date] | null })
  const entries = shallowRef<AuditEntry[]>([])
  const loading = ref(false)
  const more = ref(false)
  const LIMIT = 50

  function query(beforeSeq?: number) {
    return {
      actor: filters.actor.trim(), action: filters.action.trim(), target: filters.target.trim(),
      from: filters.range ? filters.range[0].getTime() : undefined,
      to: filters.range ? filters.range[1].getTime() : undefined,
      before_seq: beforeSeq, limit: LIMIT,
    }
  }
  async function search() {
    loading.value = true
    try {
      const r = await http.get<Items<AuditEntry>>('/api/v1/audit', query())
      entries.value = r.items
      more.value = r.items.length === LIMIT
    } finally {
      loading.value = false
    }
  }
  async function loadMore() {
    const last = entries.value[entries.value.length - 1]
    if (!last) return
    const r = await http.get<Items<AuditEntry>>('/api/v1/audit', query(last.seq))
    entries.value = [...entries.value, ...r.items]
    more.value = r.items.length === LIMIT
  }
  return { filters, entries, loading, more, search, loadMore }
}
