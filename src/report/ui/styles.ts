// The HTML report's stylesheet (inlined into the page; covered by the page's CSP hash).

/** CSS of the trace viewer: light theme, dark text, one accent colour per service. */
export const VIEWER_CSS = `
:root{--tree-w:clamp(280px,42%,600px);--row-h:24px;--fg:#1f2328;--muted:#656d76;--line:#e6e9ed;--soft:#f6f8fa;--accent:#0b5cad;--err:#c62828;--sel:#e3edfb;font-size:13px}
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:#fff;color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.osp-mono,.osp-code,.osp-trace-id,.osp-axis{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.osp-app{display:flex;flex-direction:column;height:100vh;min-height:0}
.osp-header{display:flex;align-items:flex-end;justify-content:space-between;gap:16px;padding:12px 16px 10px;border-bottom:1px solid var(--line)}
.osp-brand{font-size:11px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;color:var(--accent)}
.osp-back{text-decoration:none}.osp-back:hover,.osp-back:focus{text-decoration:underline}
.osp-title{margin:2px 0 0;font-size:18px;font-weight:600;overflow-wrap:anywhere}
.osp-trace-id,.osp-started{font-size:12px;color:var(--muted);margin-top:2px}
.osp-started{font-variant-numeric:tabular-nums}
.osp-summary{display:flex;gap:6px;flex-wrap:wrap;justify-content:flex-end}
.osp-summary span{background:var(--soft);border:1px solid var(--line);border-radius:999px;padding:2px 10px;font-size:12px;white-space:nowrap}
.osp-summary .osp-summary-error{background:#fdecea;border-color:#f3c1bd;color:var(--err);font-weight:600}
.osp-toolbar{display:flex;align-items:center;gap:8px;padding:8px 16px;border-bottom:1px solid var(--line);flex-wrap:wrap}
.osp-search{flex:1 1 320px;min-width:200px;padding:6px 10px;border:1px solid #cfd5dc;border-radius:6px;font:inherit}
.osp-search:focus,.osp-select:focus,.osp-btn:focus-visible,.osp-viewport:focus-visible{outline:2px solid #7aa7e0;outline-offset:-1px}
.osp-select,.osp-btn{padding:5px 8px;border:1px solid #cfd5dc;border-radius:6px;background:#fff;color:var(--fg);font:inherit;cursor:pointer}
.osp-btn:hover,.osp-select:hover{background:var(--soft)}
.osp-check{display:flex;align-items:center;gap:2px;white-space:nowrap;cursor:pointer}
.osp-count{margin-left:auto;color:var(--muted);white-space:nowrap}
.osp-legend{display:flex;flex-wrap:wrap;gap:4px 6px;padding:6px 16px;border-bottom:1px solid var(--line)}
.osp-chip{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--line);background:#fff;border-radius:999px;padding:1px 10px 1px 8px;font:inherit;font-size:12px;color:var(--fg);cursor:pointer}
.osp-chip:hover{background:var(--soft)}
.osp-chip-off{opacity:.4}
.osp-dot{display:inline-block;flex:none;width:9px;height:9px;border-radius:50%;margin-right:6px;vertical-align:middle}
.osp-chip .osp-dot{margin-right:0}
.osp-main{flex:1;min-height:0;display:grid;grid-template-columns:minmax(0,1fr) minmax(320px,30%)}
.osp-trace{display:flex;flex-direction:column;min-width:0;min-height:0}
.osp-trace-head{display:flex;height:28px;border-bottom:1px solid var(--line);background:var(--soft);overflow-y:hidden;scrollbar-gutter:stable;font-size:11px;color:var(--muted)}
.osp-minimap{display:flex;height:46px;border-bottom:1px solid var(--line);overflow-y:hidden;scrollbar-gutter:stable;font-size:11px;color:var(--muted)}
.osp-minimap-cell{margin:5px 90px 5px 10px;cursor:pointer;touch-action:none}
.osp-minimap-canvas{position:absolute;inset:0;width:100%;height:100%}
.osp-minimap-frame{position:absolute;min-width:2px;min-height:2px;border:1px solid var(--accent);background:rgba(11,92,173,.10);pointer-events:none}
.osp-head-label{font-weight:600;text-transform:uppercase;letter-spacing:.05em;padding-left:12px}
.osp-body{position:relative;flex:1;min-height:0}
.osp-viewport{position:absolute;inset:0;overflow:auto;scrollbar-gutter:stable;outline:none}
.osp-grid{position:absolute;top:0;bottom:0;pointer-events:none;margin:0 90px 0 10px}
.osp-gridline{position:absolute;top:0;bottom:0;width:1px;background:#eef0f3}
.osp-row{display:flex;align-items:stretch;cursor:pointer;border-bottom:1px solid #f2f4f6;line-height:var(--row-h)}
.osp-row:hover{background:#f5f8fc}
.osp-row.osp-selected{background:var(--sel);box-shadow:inset 3px 0 0 var(--accent)}
.osp-row.osp-context{opacity:.45}
.osp-row.osp-hit .osp-name{font-weight:600}
.osp-cell-tree{flex:none;width:var(--tree-w);display:flex;align-items:center;overflow:hidden;white-space:nowrap;padding-left:8px;border-right:1px solid var(--line)}
.osp-cell-time{position:relative;flex:1;min-width:0;margin:0 90px 0 10px}
.osp-indent{flex:none;align-self:stretch;background-image:repeating-linear-gradient(to right,transparent 0 7px,#e3e7ec 7px 8px,transparent 8px 16px)}
.osp-toggle{flex:none;width:16px;text-align:center;color:var(--muted);font-size:11px;user-select:none}
.osp-toggle:hover{color:var(--fg)}
.osp-name{overflow:hidden;text-overflow:ellipsis;font-weight:500;flex:0 0 auto;max-width:62%}
.osp-svc{flex:0 1 auto;min-width:0;margin-left:8px;padding:0 7px;line-height:16px;border:1px solid var(--line);border-radius:999px;color:#3d444d;font-size:11px;overflow:hidden;text-overflow:ellipsis;max-width:35%}
.osp-errtag{flex:0 1 auto;min-width:18px;margin:0 8px 0 6px;white-space:nowrap;padding:0 6px;line-height:16px;border-radius:3px;background:var(--err);color:#fff;font-size:10px;font-weight:600;overflow:hidden;text-overflow:ellipsis}
.osp-bar{position:absolute;top:6px;height:12px;min-width:2px;border-radius:2px}
.osp-has-error .osp-bar{box-shadow:0 0 0 2px var(--err);background-image:repeating-linear-gradient(135deg,transparent 0 4px,rgba(255,255,255,.55) 4px 7px)}
.osp-critical .osp-bar::after{content:"";position:absolute;left:0;right:0;bottom:-4px;height:2px;border-radius:1px;background:#1f2328}
.osp-bar-label{position:absolute;top:0;padding:0 6px;font-size:11px;color:var(--muted);white-space:nowrap;font-variant-numeric:tabular-nums}
.osp-has-error .osp-bar-label,.osp-has-error .osp-name{color:var(--err)}
.osp-bar-label.osp-label-inside{color:#fff;font-weight:500;text-shadow:0 0 2px rgba(0,0,0,.45)}
.osp-axis{position:relative;height:100%}
.osp-tick{position:absolute;top:0;line-height:28px;padding-left:4px;border-left:1px solid #cfd5dc;white-space:nowrap}
.osp-tick-end{transform:translateX(-100%);border-left:0;border-right:1px solid #cfd5dc;padding:0 4px 0 0}
.osp-empty,.osp-hint{color:var(--muted);padding:16px}
.osp-empty{position:absolute;top:0;left:0;margin:0}
.osp-empty[hidden]{display:none}
.osp-side{display:flex;flex-direction:column;min-height:0;border-left:1px solid var(--line);background:#fcfcfd}
.osp-tabs{display:flex;gap:2px;padding:0 12px;border-bottom:1px solid var(--line);background:var(--soft)}
.osp-tab{border:0;background:none;padding:7px 10px;font:inherit;font-weight:500;color:var(--muted);border-bottom:2px solid transparent;cursor:pointer}
.osp-tab.osp-tab-on{color:var(--fg);border-bottom-color:var(--accent)}
.osp-pane{flex:1;min-height:0;overflow:auto;padding:12px 16px 24px}
.osp-pane[hidden]{display:none}
.osp-details-head h2{display:flex;align-items:center;margin:0;font-size:17px;overflow-wrap:anywhere}
.osp-details-sub{color:var(--muted);margin-top:2px}
.osp-badge-error{display:inline-block;margin-top:6px;padding:1px 8px;border-radius:4px;background:var(--err);color:#fff;font-weight:600;font-size:12px;overflow-wrap:anywhere}
.osp-section{margin-top:14px}
.osp-section h3,.osp-stats h3{margin:0 0 6px;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.osp-error-box{background:#fdecea;border:1px solid #f3c1bd;border-left:4px solid var(--err);border-radius:4px;padding:8px 10px}
.osp-error-box h3{color:var(--err)}
.osp-facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 12px;margin:0}
.osp-facts dt{color:var(--muted)}
.osp-facts dd{margin:0;overflow-wrap:anywhere;white-space:pre-wrap}
.osp-facts dd.osp-mono{font-size:12px}
.osp-code-label{margin:8px 0 3px;font-size:12px;color:var(--muted)}
.osp-code{margin:0;padding:8px 10px;background:var(--soft);border:1px solid var(--line);border-radius:4px;font-size:12px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere;max-height:360px;overflow:auto}
.osp-sql,.osp-request{color:#0a3069;background:#f3f7ff;border-color:#d6e2f5}
.osp-link{margin:8px 16px 0 0;border:0;background:none;padding:0;color:var(--accent);font:inherit;cursor:pointer}
.osp-link:hover{text-decoration:underline}
.osp-raw{margin-top:6px}
.osp-raw summary{cursor:pointer;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;padding:2px 0}
.osp-raw .osp-code{margin-top:4px}
.osp-muted{color:var(--muted);font-size:12px}
.osp-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(110px,1fr));gap:8px;margin-bottom:16px}
.osp-card{border:1px solid var(--line);border-radius:6px;padding:8px 10px;background:#fff}
.osp-card-value{font-size:17px;font-weight:600;font-variant-numeric:tabular-nums}
.osp-card-label{color:var(--muted);font-size:12px}
.osp-card-error .osp-card-value{color:var(--err)}
.osp-table{width:100%;border-collapse:collapse;margin-bottom:18px;font-variant-numeric:tabular-nums}
.osp-table th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;border-bottom:1px solid var(--line);padding:4px 6px}
.osp-table td{padding:5px 6px;border-bottom:1px solid #f0f2f4;position:relative;white-space:nowrap}
.osp-table .osp-num{text-align:right}
.osp-table tr.osp-click{cursor:pointer}
.osp-table tr.osp-click:hover{background:#f5f8fc}
.osp-meter{position:absolute;left:6px;bottom:1px;height:3px;border-radius:2px;background:#9db8d9;max-width:calc(100% - 12px)}
`;
