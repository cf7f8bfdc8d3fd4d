// ECharts, wrapped once: only the chart kinds and components the console draws are registered
// (tree-shaken through echarts/core), one instance per element, resized with its element and
// disposed with the component. `rendered` turns true after the first complete render, which the
// dashboard's data-ready marker waits for.
import { onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue'
import * as echarts from 'echarts/core'
import { BarChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { BarSeriesOption, PieSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption, TitleComponentOption, TooltipComponentOption } from 'echarts/components'
import type { ComposeOption } from 'echarts/core'

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer])

export type ChartOption = ComposeOption<
  BarSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TitleComponentOption | TooltipComponentOption
>

export const palette = ['#c0392b', '#e67e22', '#2e86de', '#27ae60', '#8e44ad', '#16a085', '#f1c40f']

export function useChart(element: Ref<HTMLElement | null>, option: () => ChartOption | null, onClick?: (name: string, dataIndex: number) => void) {
  const chart = shallowRef<echarts.ECharts | null>(null)
  const rendered = ref(false)
  let observer: ResizeObserver | null = null

  function draw() {
    const next = option()
    if (!chart.value || !next) return
    // No entry animation: figures appear at once, and 'finished' (the data-ready marker) follows the render.
    chart.value.setOption({ color: palette, animation: false, ...next }, { notMerge: true })
  }

  onMounted(() => {
    if (!element.value) return
    chart.value = echarts.init(element.value, undefined, { renderer: 'canvas' })
    chart.value.on('finished', () => {
      if (option()) rendered.value = true
    })
    if (onClick) chart.value.on('click', (params) => onClick(String(params.name), params.dataIndex))
    draw()
    // The observer reports the element's size at once: resizing only on a change spares every
    // chart a second full render as the dashboard loads.
    let size = `${element.value.clientWidth}x${element.value.clientHeight}`
    observer = new ResizeObserver(() => {
      const next = element.value ? `${element.value.clientWidth}x${element.value.clientHeight}` : size
      if (next === size) return
      size = next
      chart.value?.resize()
    })
    observer.observe(element.value)
  })
  watch(option, draw)
  onBeforeUnmount(() => {
    observer?.disconnect()
    chart.value?.dispose()
  })
  return { chart, rendered }
}
