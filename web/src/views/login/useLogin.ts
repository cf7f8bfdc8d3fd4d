// Sign-in: the API's own messages for a wrong password (401), a locked or disabled account (403
// auth.locked / auth.disabled) and a throttled address (429 auth.throttled with
// retry_after_seconds, counted down here with the button disabled until then).
import { computed, onBeforeUnmount, reactive, ref } from 'vue'
import { ApiError } from '@/api/request'
import { signIn } from '@/auth/session'

export type LoginProblem = 'credentials' | 'locked' | 'disabled' | 'throttled' | 'other'

export function classify(error: ApiError): LoginProblem {
  if (error.status === 429 || error.detailCode === 'auth.throttled') return 'throttled'
  if (error.detailCode === 'auth.locked') return 'locked'
  if (error.detailCode === 'auth.disabled') return 'disabled'
  if (error.status === 401) return 'credentials'
  return 'other'
}

export function useLogin(onSignedIn: (mustChangePassword: boolean) => void) {
  const form = reactive({ login: '', password: '' })
  const busy = ref(false)
  const message = ref('')
  const problem = ref<LoginProblem | null>(null)
  const waitSeconds = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null

  function startCountdown(seconds: number) {
    waitSeconds.value = seconds
    if (timer) clearInterval(timer)
    timer = setInterval(() => {
      waitSeconds.value -= 1
      if (waitSeconds.value <= 0 && timer) {
        clearInterval(timer)
        timer = null
      }
    }, 1000)
  }
  onBeforeUnmount(() => timer && clearInterval(timer))

  const canSubmit = computed(() => !busy.value && waitSeconds.value <= 0 && form.login !== '' && form.password !== '')

  async function submit() {
    if (!canSubmit.value) return
    busy.value = true
    message.value = ''
    problem.value = null
    try {
      const answer = await signIn(form.login.trim(), form.password)
      onSignedIn(answer.must_change_password)
    } catch (error) {
      if (error instanceof ApiError) {
        problem.value = classify(error)
        message.value = error.message
        if (problem.value === 'throttled' && error.retryAfterSeconds) startCountdown(error.retryAfterSeconds)
      } else {
        problem.value = 'other'
        message.value = String(error)
      }
    } finally {
      busy.value = false
    }
  }

  return { form, busy, message, problem, waitSeconds, canSubmit, submit }
}
