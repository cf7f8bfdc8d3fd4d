// The AI social worker's pages (话术库, 外呼任务, 任务监控, 审核与上门): the shapes the campaign API
// answers with (api/openapi.yaml describes them in prose), the wizard's form turned into the API's
// schedule and policy, and the live monitor (a WebSocket on the campaign's events route).
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'

export interface Finding { severity: 'error' | 'warning'; node: string; code: string; message: string }
export interface DryRun { persona: string; outcome: string; outcome_label: string; answers: number; last_node: string }
export interface CheckAnswer { name: string; valid: boolean; findings: Finding[]; dry_run: DryRun[] }
export interface ScriptNode { id: string; type: string; text?: string; prompt?: string; [key: string]: unknown }
export interface ScriptJson { name: string; title: string; nodes: ScriptNode[]; fields?: Array<{ name: string; label?: string }>; [key: string]: unknown }
export interface ScriptItem { name: string; title: string; scenario: string; description: string; built_in: boolean; version: number; script: ScriptJson; created_at?: string }
export interface TranscriptLine { at_ms: number; who: 'ai' | 'resident'; text: string }
export interface TryAnswer { outcome: string; outcome_label: string; persona: string; transcript: TranscriptLine[]; answers: Array<{ slot: string; value: string }> }

export interface Funnel {
  targeted: number; dialled: number; answered: number; completed: number; done: number; attempts: number
  outcomes: Record<string, number>
  answers: Record<string, Record<string, number>>
  by_community: Array<{ unit_id: string; name: string; targeted: number; dialled: number; answered: number; completed: number }>
}
export type TargetStates = Record<'pending' | 'retry' | 'in_call' | 'done', number>
export interface Campaign {
  id: string; name: string; script_name: string; script_title: string; state: string; state_label: string; state_label_en: string
  targeted: number; created_at: string; started_at?: string; funnel: Funnel; target_states: TargetStates
  segment_query: string
  answer_labels?: Record<string, { label: string; values: Record<string, string> }>
  /** why the server holds a running campaign's calls back (its voice failing, its prompts being rendered) */
  waiting?: string
  [key: string]: unknown
}
export interface CallRecord {
  id: string; resident_id: string; resident_name: string; unit_name: string; address: string; round: number; attempt: number
  started_at: string; answered_at: string | null; ended_at: string | null; outcome: string | null; outcome_label: string | null
  /** the call was recorded on the phone line: recordingUrl plays it */
  recording: boolean
}

/** Where a recorded call's WAV is served (cookie-authenticated, so an <audio> element plays it). */
export function recordingUrl(campaignId: string, callId: string): string {
  return `/api/v1/campaigns/${encodeURIComponent(campaignId)}/calls/${encodeURIComponent(callId)}/recording`
}
/** The live monitor's picture; `waiting` says why the server holds the calls back (its voice failing ...). */
export interface Monitor { id: string; state: string; funnel: Funnel; target_states: TargetStates; in_call: CallRecord[]; recent: CallRecord[]; waiting?: string }
export interface PendingChange { id: string; resident_id: string; resident_name: string; unit_name: string; field: string; value: string; campaign_id: string; state: string; created_at: string }
export interface FollowUpTask { id: string; resident_id: string; resident_name: string; unit_name: string; kind: string; detail: string; state: string; created_at: string; campaign_id: string }

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'holiday'] as const

export interface WizardForm {
  name: string
  script: string
  query: string
  fields: Record<string, string>
  /** sim: the simulated residents; sip: the phone line (the server needs a SIP trunk) */
  channel: 'sim' | 'sip'
  startDate: string // YYYY-MM-DD; '' = today
  endDate: string
  /** office: weekdays 9–12 and 14–18, weekends 10–12 and 15–17 (the server's default); all_day; custom */
  windows: 'office' | 'all_day' | 'custom'
  from: string // custom windows, every day: HH:MM
  to: string
  rounds: string // "09:00,16:00": a new round at each time, every day; '' = one round
  maxConcurrent: number
  callsPerSecond: number
  maxAttempts: number
  retryNoAnswerMin: number
  perDayCap: number
  perWeekCap: number
}

export function defaultWizard(): WizardForm {
  return {
    name: '', script: '', query: 'age >= 60', fields: {}, channel: 'sim', startDate: '', endDate: '', windows: 'office', from: '09:00', to: '18:00',
    rounds: '', maxConcurrent: 50, callsPerSecond: 5, maxAttempts: 3, retryNoAnswerMin: 60, perDayCap: 2, perWeekCap: 5,
  }
}

/** The API's schedule for the wizard's choices (members left out take the server's defaults). */
export function scheduleBody(form: WizardForm): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (form.startDate) body.start_date = form.startDate
  if (form.endDate) body.end_date = form.endDate
  if (form.windows !== 'office') {
    const span = form.windows === 'all_day' ? ['00:00', '24:00'] : [form.from, form.to]
    body.windows = Object.fromEntries(DAYS.map((day) => [day, [span]]))
  }
  const rounds = form.rounds.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean)
  if (rounds.length) body.rounds = rounds
  return body
}

export function policyBody(form: WizardForm): Record<string, unknown> {
  return {
    max_concurrent: form.maxConcurrent,
    max_calls_per_second: form.callsPerSecond,
    max_attempts: form.maxAttempts,
    retry_after_min: { no_answer: form.retryNoAnswerMin, busy: form.retryNoAnswerMin },
    per_day_cap: form.perDayCap,
    per_week_cap: form.perWeekCap,
  }
}

export function campaignBody(form: WizardForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    script_name: form.script, query: form.query, schedule: scheduleBody(form), policy: policyBody(form),
  }
  if (form.channel !== 'sim') body.channel = form.channel
  if (form.name.trim()) body.name = form.name.trim()
  if (Object.keys(form.fields).length) body.fields = { ...form.fields }
  return body
}

/** Percent of a part, one decimal ("0.0" for an empty whole). */
export function percent(part: number, whole: number): string {
  return whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0'
}

/** The WebSocket address of a campaign's live monitor, beside the page (ws: or wss:). */
export function monitorUrl(id: string, where: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${where.host}/api/v1/campaigns/${encodeURIComponent(id)}/events?interval_ms=1000`
}

/** One message of the monitor's WebSocket: `monitor` (the picture), `end` or `error`. */
export interface MonitorMessage { event: 'monitor' | 'end' | 'error'; data: Record<string, unknown> }

/**
 * The live monitor of a campaign over a WebSocket: the latest picture, whether the campaign has
 * ended, and whether the link is up. A link that drops before the end (server restart, network)
 * is opened again after `retryMs`; `close()` stops for good.
 */
export function useMonitor(retryMs = 3000, openSocket: (url: string) => WebSocket = (url) => new WebSocket(url)) {
  const picture = shallowRef<Monitor | null>(null)
  const ended = ref(false)
  const connected = ref(false)
  let socket: WebSocket | null = null
  let retry: ReturnType<typeof setTimeout> | null = null
  function open(id: string) {
    close()
    ended.value = false
    const current = openSocket(monitorUrl(id))
    socket = current
    current.onopen = () => { connected.value = true }
    current.onmessage = (e: MessageEvent) => {
      const message = JSON.parse(String(e.data)) as MonitorMessage
      if (message.event === 'monitor') picture.value = message.data as unknown as Monitor
      else if (message.event === 'end' || message.event === 'error') ended.value = true
    }
    current.onclose = () => {
      if (socket !== current) return // replaced or closed by us
      connected.value = false
      socket = null
      if (!ended.value) retry = setTimeout(() => open(id), retryMs)
    }
  }
  function close() {
    if (retry) clearTimeout(retry)
    retry = null
    const current = socket
    socket = null
    connected.value = false
    current?.close()
  }
  return { picture, ended, connected, open, close }
}

export const api = {
  scripts: () => http.get<{ items: ScriptItem[]; personas: string[] }>('/api/v1/scripts'),
  save: (script: unknown) => http.post<ScriptItem & { warnings: Finding[] }>('/api/v1/scripts', { script }, { quiet: true }),
  check: (script: unknown) => http.post<CheckAnswer>('/api/v1/scripts/check', { script }, { quiet: true }),
  tryScript: (body: Record<string, unknown>) => http.post<TryAnswer>('/api/v1/scripts/try', body, { quiet: true }),
  campaigns: () => http.get<{ items: Campaign[] }>('/api/v1/campaigns'),
  campaign: (id: string) => http.get<Campaign>(`/api/v1/campaigns/${id}`),
  create: (body: Record<string, unknown>) => http.post<Campaign>('/api/v1/campaigns', body, { quiet: true }),
  control: (id: string, action: 'pause' | 'resume' | 'cancel') => http.post<Campaign>(`/api/v1/campaigns/${id}/${action}`),
  count: (query: string) => http.post<{ count: number }>('/api/v1/segments/evaluate', { query }, { quiet: true }),
  changes: (state: string) => http.get<{ items: PendingChange[] }>('/api/v1/changes', { state }),
  decide: (id: string, accept: boolean) => http.post<PendingChange>(`/api/v1/changes/${id}/${accept ? 'accept' : 'reject'}`),
  tasks: (state: string) => http.get<{ items: FollowUpTask[] }>('/api/v1/tasks', { state }),
  closeTask: (id: string) => http.post<FollowUpTask>(`/api/v1/tasks/${id}/close`),
  /** 50 calls, newest first; `before` (a call id) pages on */
  calls: (id: string, before?: string) =>
    http.get<{ items: CallRecord[] }>(`/api/v1/campaigns/${id}/calls`, before ? { limit: 50, before } : { limit: 50 }),
}
