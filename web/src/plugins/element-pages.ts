// The Element Plus components of the signed-in pages, registered once when the layout loads
// (see element.ts). Each also registers its children (ElTable → ElTableColumn, ElMenu →
// ElMenuItem, ElSelect → ElOption, ElTabs → ElTabPane, ElSteps → ElStep, ElDescriptions → ElDescriptionsItem, …).
import type { App, Plugin } from 'vue'
import {
  ElAside, ElAutocomplete, ElBreadcrumb, ElCard, ElCheckbox, ElCol, ElContainer, ElDatePicker,
  ElDescriptions, ElDialog, ElDropdown, ElEmpty, ElInputNumber, ElLoading, ElMenu, ElPagination,
  ElPopover, ElProgress, ElRow, ElSelect, ElStatistic, ElSteps, ElSwitch, ElTable, ElTabs, ElTag,
  ElTimeline, ElTimeSelect, ElTree, ElUpload,
} from 'element-plus'

const pages: Plugin[] = [
  ElAside, ElAutocomplete, ElBreadcrumb, ElCard, ElCheckbox, ElCol, ElContainer, ElDatePicker,
  ElDescriptions, ElDialog, ElDropdown, ElEmpty, ElInputNumber, ElMenu, ElPagination, ElPopover,
  ElProgress, ElRow, ElSelect, ElStatistic, ElSteps, ElSwitch, ElTable, ElTabs, ElTag, ElTimeline,
  ElTimeSelect, ElTree, ElUpload,
]

let installed = false
export function installPages(app: App): void {
  if (installed) return
  installed = true
  for (const plugin of pages) app.use(plugin)
  app.use(ElLoading)
}
