// Changing one's password: forced after the first sign-in (the API refuses everything else until
// then), offered from the user menu otherwise. The API's rule messages are shown as they come.
import { reactive, ref } from 'vue'
import { ApiError } from '@/api/request'
import { changePassword } from '@/auth/session'

export function usePassword(onChanged: () => void, mismatchMessage: () => string) {
  const form = reactive({ old: '', next: '', again: '' })
  const busy = ref(false)
  const message = ref('')

  async function submit() {
    message.value = ''
    if (form.next !== form.again) {
      message.value = mismatchMessage()
      return
    }
    busy.value = true
    try {
      await changePassword(form.old, form.next)
      onChanged()
    } catch (error) {
      message.value = error instanceof ApiError ? error.message : String(error)
    } finally {
      busy.value = false
    }
  }
  return { form, busy, message, submit }
}
