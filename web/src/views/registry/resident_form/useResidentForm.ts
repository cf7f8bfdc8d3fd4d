// Creating or editing a resident. Edits send only the changed fields with If-Match on the
// version read; the API's validation messages come back per field (details[].field) and are
// shown beside the form items.
import { reactive, ref } from 'vue'
import { ApiError, http } from '@/api/request'
import type { Resident, ResidentInput } from '@/api/types'

export interface FormModel {
  name: string
  gender: string
  birth_date: string | null
  id_number: string
  phones: string
  unit_id: string | null
  unit_name: string
  household_id: string
  ethnicity: string
  hukou_address: string
  residence_status: string
  relation_to_head: string
  tags: string[]
  notes: string
}

export function emptyModel(): FormModel {
  return { name: '', gender: 'male', birth_date: null, id_number: '', phones: '', unit_id: null, unit_name: '', household_id: '', ethnicity: '汉族', hukou_address: '', residence_status: 'both', relation_to_head: '', tags: [], notes: '' }
}

export function fromResident(r: Resident): FormModel {
  return {
    name: r.name ?? '', gender: r.gender ?? 'male', birth_date: r.birth_date ?? null, id_number: r.id_number ?? '',
    phones: (r.phones ?? []).join(', '), unit_id: r.unit?.id ?? null, unit_name: r.unit?.name ?? '', household_id: r.household_id ?? '',
    ethnicity: r.ethnicity ?? '', hukou_address: r.hukou_address ?? '', residence_status: r.residence_status ?? 'both',
    relation_to_head: r.relation_to_head ?? '', tags: [...(r.tags ?? [])], notes: r.notes ?? '',
  }
}

/** The body to send: every field for a new resident, only the changed ones for an edit. */
export function toInput(model: FormModel, original: FormModel | null): ResidentInput {
  const full: ResidentInput = {
    name: model.name.trim(), gender: model.gender, birth_date: model.birth_date || null,
    id_number: model.id_number.trim() || null,
    phones: model.phones.split(/[,，\s]+/).map((p) => p.trim()).filter(Boolean),
    unit_id: model.unit_id ?? undefined, household_id: model.household_id.trim() || null,
    ethnicity: model.ethnicity.trim(), hukou_address: model.hukou_address.trim(), residence_status: model.residence_status,
    relation_to_head: model.relation_to_head, tags: model.tags, notes: model.notes,
  }
  if (!original) return full
  const before = toInput(original, null) as Record<string, unknown>
  const changed: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(full)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) changed[key] = value
  }
  return changed as ResidentInput
}

export function useResidentForm(id: string | null) {
  const model = reactive<FormModel>(emptyModel())
  const original = ref<FormModel | null>(null)
  const version = ref<number | null>(null)
  const errors = ref<Record<string, string>>({})
  const message = ref('')
  const saving = ref(false)

  async function load() {
    if (!id) return
    const r = await http.get<Resident>(`/api/v1/residents/${id}`)
    Object.assign(model, fromResident(r))
    original.value = fromResident(r)
    version.value = r.version ?? null
  }

  async function save(): Promise<string | null> {
    errors.value = {}
    message.value = ''
    saving.value = true
    try {
      const body = toInput(model, original.value)
      const answer = id
        ? await http.patch<Resident>(`/api/v1/residents/${id}`, body, { ifMatch: version.value ?? undefined, quiet: true })
        : await http.post<Resident>('/api/v1/residents', body, { quiet: true })
      return answer.id ?? id
    } catch (error) {
      if (error instanceof ApiError) {
        errors.value = error.fieldMessages()
        message.value = error.message
      } else throw error
      return null
    } finally {
      saving.value = false
    }
  }
  return { model, errors, message, saving, load, save }
}
