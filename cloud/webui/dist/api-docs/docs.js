// Renders /api/v1/openapi.json with Redoc below the page's bar. A failure
// (the cloud unreachable, the script missing) is said on the page.
(function () {
  var el = document.getElementById('redoc')
  function fail(msg) {
    el.className = 'failed'
    el.textContent = '接口文档加载失败 · The API documentation failed to load: ' + msg
  }
  if (typeof Redoc === 'undefined') {
    fail('redoc.standalone.js')
    return
  }
  Redoc.init('/api/v1/openapi.json', {
    scrollYOffset: 48,
    expandResponses: '200,201',
    jsonSampleExpandLevel: 3,
    hideHostname: true,
    sortTagsAlphabetically: false,
    theme: {
      colors: { primary: { main: '#409eff' } },
      typography: {
        fontFamily: "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
        headings: { fontFamily: "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif" },
        code: { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace" },
      },
      sidebar: { width: '280px' },
    },
  }, el, function (err) {
    if (err) fail(String(err && err.message ? err.message : err))
    else el.className = ''
  })
})()
