import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n, language } from './i18n'
import { installElement, toastError } from './plugins/element'
import { configureClient } from './api/request'
import { session } from './auth/session'
import { vPerm } from './auth/permission'
import './styles.css'

configureClient({
  csrfToken: () => session.csrf,
  language,
  onError: toastError,
  onUnauthenticated: () => {
    session.me = null
    const current = router.currentRoute.value
    if (current.name !== 'login') void router.replace({ name: 'login', query: { redirect: current.fullPath } })
  },
})

const app = createApp(App)
installElement(app)
app.use(i18n)
app.use(router)
app.directive('perm', vPerm)
app.mount('#app')
