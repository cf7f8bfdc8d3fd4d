// The Element Plus components of the signed-in pages other than the dashboard, registered once
// when the first of those pages loads (the router awaits them with it): the dashboard, the page
// people land on, does not parse them. Each also registers its children (ElTable → ElTableColumn,
// ElSelect → ElOption, ElTabs → ElTabPane, ElSteps → ElStep, ElDescriptions → ElDescriptionsItem, …).
import type { App, Plugin } from 'vue'
import {
  ElAutocomplete, ElCheckbox, ElCol, ElDatePicker, ElDescriptions, ElDialog, ElEmpty,
  ElInputNumber, ElLoading, ElPagination, ElPopover, ElProgress, ElRow, ElSelect, ElStatistic,
  ElSteps, ElSwitch, ElTable, ElTabs, ElTag, ElTimeline, ElTimeSelect, ElTree, ElUpload,
} from 'element-plus'

const more: Plugin[] = [
  ElAutocomplete, ElCheckbox, ElCol, ElDatePicker, ElDescriptions, ElDialog, ElEmpty, ElInputNumber,
  ElLoading, ElPagination, ElPopover, ElProgress, ElRow, ElSelect, ElStatistic, ElSteps, ElSwitch,
  ElTable, ElTabs, ElTag, ElTimeline, ElTimeSelect, ElTree, ElUpload,
]

let installed = false
export function installMore(app: App): void {
  if (installed) return
  installed = true
  for (const plugin of more) app.use(plugin)
}
