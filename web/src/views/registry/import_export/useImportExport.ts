// Import and export jobs. An import: upload the sheet (POST /api/v1/imports, the file as the body)
// → the detected columns and a preview → a dry run or the commit, each a background job whose
// progress comes by Server-Sent Events (/events), ending with the result (outcomes, problems by
// row) and a report workbook. An export: POST /api/v1/exports (or a segment's), polled until
// done, then its file.
import { ref, shallowRef } from 'vue'
import { downloadUrl, http, request, subscribe } from '@/api/request'
import type { ImportPreview, Job } from '@/api/types'

export interface ImportProblem {
  row: number
  column: string
  code: string
  message: string
  sheet: string
}

export interface ImportResult {
  dry_run: boolean
  rows: number
  outcomes: { ok: number; refused: number; conflict: number }
  applied: { created: number; updated: number; unchanged: number; flagged_for_review: number }
  problem_count: number
  problems: ImportProblem[]
  written: boolean
}

export type OnError = 'abort' | 'skip'

export function progressFraction(progress: Job['progress'] | undefined): number {
  return typeof progress === 'number' ? Math.max(0, Math.min(1, progress)) : 0
}

export function useImport() {
  const preview = shallowRef<ImportPreview | null>(null)
  const job = shallowRef<Job | null>(null)
  const running = ref(false)
  const uploading = ref(false)
  const onError = ref<OnError>('abort')
  let close: (() => void) | null = null

  async function upload(file: File) {
    uploading.value = true
    job.value = null
    try {
      preview.value = await request<ImportPreview>('POST', '/api/v1/imports', { query: { name: file.name }, raw: file })
    } finally {
      uploading.value = false
    }
  }

  function run(step: 'dry-run' | 'commit'): Promise<Job> {
    const id = preview.value?.id
    if (!id) return Promise.reject(new Error('no upload'))
    running.value = true
    return new Promise<Job>((resolve, reject) => {
      http.post<Job>(`/api/v1/imports/${id}/${step}`, { on_error: onError.value }).then((started) => {
        job.value = started
        close?.()
        const finish = (data: unknown) => {
          job.value = data as Job
          running.value = false
          resolve(data as Job)
        }
        close = subscribe(`/api/v1/imports/${id}/events`, {
          progress: (data) => (job.value = { ...(job.value as Job), ...(data as Partial<Job>) }),
          done: finish,
          failed: finish,
        }, () => {
          // The stream broke: read the job once instead.
          void http.get<Job>(`/api/v1/imports/${id}`).then(finish, reject)
        })
      }, (error: unknown) => {
        running.value = false
        reject(error)
      })
    })
  }

  const result = () => (job.value?.result ?? null) as ImportResult | null
  const reportUrl = () => (preview.value ? downloadUrl(`/api/v1/imports/${preview.value.id}/report`) : '')
  const stop = () => close?.()
  return { preview, job, running, uploading, onError, upload, run, result, reportUrl, stop }
}

export interface ExportChoice {
  format: 'xlsx' | 'csv'
  unmasked: boolean
  purpose: string
}

/**
 * An export job: POST `path` (/api/v1/exports, or /api/v1/segments/export) with the format, the
 * unmasked choice and its purpose plus what to export (`what`), then polled until it ends.
 */
export function useExport(path = '/api/v1/exports') {
  const job = shallowRef<Job | null>(null)
  const running = ref(false)

  async function start(choice: ExportChoice, what: Record<string, unknown> = {}) {
    running.value = true
    try {
      const payload: Record<string, unknown> = { ...what, format: choice.format }
      if (choice.unmasked) {
        payload.unmasked = true
        payload.purpose = choice.purpose.trim()
      }
      let current = await http.post<Job>(path, payload)
      job.value = current
      while (current.state === 'running' || current.state === 'uploaded') {
        await new Promise((r) => setTimeout(r, 400))
        current = await http.get<Job>(`/api/v1/exports/${current.id}`)
        job.value = current
      }
    } finally {
      running.value = false
    }
  }
  const fileUrl = () => (job.value?.state === 'done' ? downloadUrl(`/api/v1/exports/${job.value.id}/file`) : '')
  return { job, running, start, fileUrl }
}
