// Tally's dashboard: every figure is fetched from Tally's own GraphQL API (POST /graphql)
// with the token in the token field (or, in demo mode on this machine, the demo
// principals' tokens). One section per domain: stat cards with period-over-period
// change, a time series (uPlot), a breakdown and a leaderboard. Each chart element
// carries data-points / data-total so a browser test can see what was drawn.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("tally-config").textContent);
  var PRESET_LABELS = {
    LAST_24H: "the last 24 hours", LAST_7D: "the last 7 days", LAST_30D: "the last 30 days",
    LAST_90D: "the last 90 days", YTD: "this year to date",
  };
  var COLORS = ["#4f46e5", "#0d9488", "#f59e0b", "#e11d48"];
  var state = {
    preset: "LAST_30D",
    start: null,
    end: null,
    timezone: browserTimezone(),
    token: "",
  };
  var generation = 0;
  var plots = [];

  // --- helpers -----------------------------------------------------------------------

  function browserTimezone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  var compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
  var whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  var FORMATS = {
    count: function (v) { return Math.abs(v) >= 10000 ? compact.format(v) : whole.format(v); },
    percent: function (v) { return v.toFixed(v >= 100 ? 0 : 1) + " %"; },
    cents: function (v) { return "$" + (v / 100 >= 1000 ? compact.format(v / 100) : (v / 100).toFixed(2)); },
    ms: function (v) { return v >= 1000 ? (v / 1000).toFixed(1) + " s" : whole.format(v) + " ms"; },
    score: function (v) { return v.toFixed(1); },
  };
  function fmt(value, kind) {
    if (value === null || value === undefined || Number.isNaN(value)) return "–";
    return (FORMATS[kind] || FORMATS.count)(Number(value));
  }

  function sum(values) {
    return values.reduce(function (a, v) { return a + (Number(v) || 0); }, 0);
  }

  function periodInput() {
    if (state.preset === "CUSTOM") {
      return { start: state.start, end: state.end, timezone: state.timezone };
    }
    return { preset: state.preset, timezone: state.timezone };
  }

  function periodDays() {
    if (state.preset === "CUSTOM") {
      return Math.round((Date.parse(state.end) - Date.parse(state.start)) / 86400000) + 1;
    }
    if (state.preset === "YTD") {
      var now = new Date();
      return Math.ceil((now - new Date(now.getFullYear(), 0, 1)) / 86400000);
    }
    return { LAST_24H: 1, LAST_7D: 7, LAST_30D: 30, LAST_90D: 90 }[state.preset] || 30;
  }

  function granularity() {
    if (state.preset === "LAST_24H") return "HOUR";
    var days = periodDays();
    return days > 370 ? "MONTH" : days > 120 ? "WEEK" : "DAY";
  }

  function tokenFor(section) {
    if (state.token) return { token: state.token, principal: null };
    var t = config.tokens[section] || config.tokens["default"];
    return t ? { token: t.token, principal: t.principal } : { token: "", principal: null };
  }

  function GraphQLFailure(errors) {
    this.errors = errors;
    this.message = errors.map(function (e) {
      var code = e.extensions && e.extensions.code ? " (" + e.extensions.code + ")" : "";
      return e.message + code;
    }).join("; ");
  }

  function gql(section, query, variables) {
    var auth = tokenFor(section).token;
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (auth) headers.Authorization = "Bearer " + auth;
    return fetch(config.endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables }),
    }).then(function (res) {
      return res.json().catch(function () {
        throw new GraphQLFailure([{ message: "HTTP " + res.status + " without a JSON body" }]);
      });
    }).then(function (body) {
      if (body.errors && body.errors.length) throw new GraphQLFailure(body.errors);
      return body.data;
    });
  }

  // --- widgets -------------------------------------------------------------------------

  // A stat card from a MetricChange-like {current, previous, changePercent}.
  // `lowerIsBetter` flips the colour of the change (errors, cost).
  function card(label, change, kind, lowerIsBetter) {
    var pct = change.changePercent;
    var cls = "flat", text = "no change";
    if (pct === null || pct === undefined) {
      text = change.previous ? "–" : "new";
    } else if (Math.abs(pct) >= 0.05) {
      var up = pct > 0;
      cls = up !== Boolean(lowerIsBetter) ? "good" : "bad";
      text = (up ? "▲ " : "▼ ") + Math.abs(pct).toFixed(1) + " %";
    }
    return el("div", { class: "card", "data-card": label }, [
      el("div", { class: "label", text: label }),
      el("div", { class: "value", text: fmt(change.current, kind) }),
      el("span", { class: "delta " + cls, text: text }),
      el("span", { class: "prev", text: "prev. " + fmt(change.previous, kind) }),
    ]);
  }

  function changeOf(current, previous) {
    var pct = previous ? (100 * (current - previous)) / previous : null;
    return { current: current, previous: previous, changePercent: pct };
  }

  function panel(title, body, opts) {
    opts = opts || {};
    var h = el("h3", { text: title });
    if (opts.legend) {
      var legend = el("span", { class: "legend" });
      opts.legend.forEach(function (name, i) {
        var swatch = el("i");
        swatch.style.background = COLORS[i % COLORS.length];
        legend.appendChild(swatch);
        legend.appendChild(document.createTextNode(name));
      });
      h.appendChild(legend);
    }
    return el("div", { class: "panel" + (opts.full ? " full" : "") }, [h, body]);
  }

  function mark(node, kind, values) {
    node.setAttribute("data-chart", kind);
    node.setAttribute("data-points", String(values.length));
    node.setAttribute("data-total", String(sum(values)));
    return node;
  }

  // A time series: buckets (ISO instants) and one or more named value arrays.
  function timeSeries(title, buckets, series) {
    var box = el("div", { class: "chart" });
    var all = [].concat.apply([], series.map(function (s) { return s.values; }));
    mark(box, "series", buckets.length ? all : []);
    var body = el("div", {}, [box]);
    var node = panel(title, body, { legend: series.map(function (s) { return s.label; }) });
    if (!buckets.length) {
      box.appendChild(el("div", { class: "empty", text: "No data in this period." }));
      return node;
    }
    var xs = buckets.map(function (b) { return Date.parse(b) / 1000; });
    var data = [xs].concat(series.map(function (s) {
      return s.values.map(function (v) { return v === null ? null : Number(v); });
    }));
    var hourly = granularity() === "HOUR";
    // a second line much smaller than the first gets its own (right-hand) axis
    var peak = function (s) { return Math.max.apply(null, s.values.map(Number).concat([0])); };
    var split = series.length === 2 && peak(series[1]) * 5 < peak(series[0]);
    requestAnimationFrame(function () {
      var width = Math.max(box.clientWidth, 240);
      var opts = {
        width: width,
        height: 230,
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), state.timezone); },
        legend: { show: false },
        cursor: { points: { size: 7 } },
        scales: { x: { time: true } },
        axes: [
          { stroke: "#64748b", grid: { stroke: "#f1f5f9" }, ticks: { show: false },
            values: hourly ? undefined : "{MMM} {D}" },
          { stroke: "#64748b", grid: { stroke: "#f1f5f9" }, ticks: { show: false }, size: 50,
            values: function (u, vals) { return vals.map(function (v) { return fmt(v, series[0].kind); }); } },
        ].concat(split ? [{
          scale: "y2", side: 1, stroke: COLORS[1], grid: { show: false }, ticks: { show: false }, size: 50,
          values: function (u, vals) { return vals.map(function (v) { return fmt(v, series[1].kind); }); },
        }] : []),
        series: [{}].concat(series.map(function (s, i) {
          var color = COLORS[i % COLORS.length];
          return {
            label: s.label, stroke: color, width: 2, scale: split && i === 1 ? "y2" : "y",
            fill: i === 0 ? color + "1f" : undefined,
            points: { show: buckets.length <= 31 },
          };
        })),
      };
      var plot = new uPlot(opts, data, box);
      plots.push({ plot: plot, box: box });
    });
    return node;
  }

  // Horizontal bars: rows of {label, value} (value formatted with `kind`).
  function breakdown(title, rows, kind) {
    var box = el("div", { class: "bars" });
    var values = rows.map(function (r) { return Number(r.value) || 0; });
    mark(box, "breakdown", values.filter(function (v) { return v > 0; }));
    var max = Math.max.apply(null, values.concat([0]));
    if (!rows.length || max <= 0) box.appendChild(el("div", { class: "empty", text: "Nothing to break down." }));
    rows.forEach(function (r) {
      var fill = el("div", { class: "fill" });
      fill.style.width = (max > 0 ? (100 * (Number(r.value) || 0)) / max : 0).toFixed(1) + "%";
      box.appendChild(el("div", { class: "bar" }, [
        el("span", { class: "name", title: r.label, text: r.label }),
        el("div", { class: "track" }, [fill]),
        el("span", { class: "num", text: fmt(r.value, kind) + (r.note ? " · " + r.note : "") }),
      ]));
    });
    return panel(title, box);
  }

  // A ranked table: columns of {title, value(row) -> text, num?, cls?}.
  function leaderboard(title, columns, rows, opts) {
    var head = el("tr", {}, [el("th", { text: "#" })].concat(columns.map(function (c) {
      return el("th", { class: c.num ? "num" : "", text: c.title });
    })));
    var body = el("tbody");
    rows.forEach(function (row, i) {
      body.appendChild(el("tr", {}, [el("td", { class: "rank", text: String(i + 1) })].concat(
        columns.map(function (c) {
          var v = c.value(row);
          var td = el("td", { class: c.num ? "num" : c.cls || "text" });
          if (v instanceof Node) td.appendChild(v); else td.textContent = v;
          return td;
        })
      )));
    });
    var table = el("table", { class: "board" }, [el("thead", {}, [head]), body]);
    mark(table, "leaderboard", rows.map(function () { return 1; }));
    var wrap = rows.length ? table : el("div", { class: "empty", text: "No entries in this period." }, []);
    if (!rows.length) mark(wrap, "leaderboard", []);
    return panel(title, wrap, opts);
  }

  function heatmap(title, matrix) {
    var grid = el("div", { class: "heatmap" });
    var flat = [].concat.apply([], matrix);
    mark(grid, "heatmap", flat.filter(function (v) { return v > 0; }));
    var max = Math.max.apply(null, flat.concat([1]));
    grid.appendChild(el("span"));
    for (var h = 0; h < 24; h++) grid.appendChild(el("span", { class: "hour", text: h % 3 === 0 ? String(h) : "" }));
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].forEach(function (day, d) {
      grid.appendChild(el("span", { class: "day", text: day }));
      (matrix[d] || []).forEach(function (v, hour) {
        var cell = el("span", { class: "cell", title: day + " " + hour + ":00 — " + v + " messages" });
        if (v > 0) cell.style.background = "rgba(79, 70, 229, " + (0.15 + 0.85 * (v / max)).toFixed(3) + ")";
        grid.appendChild(cell);
      });
    });
    return panel(title, grid);
  }

  function pill(status) {
    var s = String(status || "").toLowerCase();
    return el("span", { class: "pill " + s, text: s || "–" });
  }

  function pct(change) {
    var p = change && change.changePercent;
    return p === null || p === undefined ? "–" : (p > 0 ? "+" : "") + p.toFixed(1) + " %";
  }

  // --- the domains ---------------------------------------------------------------------

  var CHANGE = "{ current previous changePercent direction }";

  var SECTIONS = [
    {
      id: "missions", title: "Missions", sub: "AMP content performance across every mission",
      load: function (v) {
        return gql("missions", "query DashboardMissions($period: PeriodInput!, $granularity: Granularity!) {\n" +
          "  missionAnalytics(period: $period, granularity: $granularity) {\n" +
          "    summary { missionsActive followersGained }\n" +
          "    trends { impressions " + CHANGE + " engagements " + CHANGE + " engagementRate " + CHANGE + " posts " + CHANGE + " }\n" +
          "    timeSeries { buckets impressions engagements }\n" +
          "    byPlatform { key impressions engagementRate }\n" +
          "    topContent(limit: 8, orderBy: IMPRESSIONS) { contentId platform preview impressions engagementRate }\n" +
          "  }\n}", v).then(function (d) {
          var a = d.missionAnalytics;
          return {
            cards: [
              card("Impressions", a.trends.impressions),
              card("Engagements", a.trends.engagements),
              card("Engagement rate", a.trends.engagementRate, "percent"),
              card("Posts published", a.trends.posts),
            ],
            panels: [
              timeSeries("Impressions and engagements", a.timeSeries.buckets, [
                { label: "impressions", values: a.timeSeries.impressions },
                { label: "engagements", values: a.timeSeries.engagements },
              ]),
              breakdown("Impressions by platform", a.byPlatform.map(function (g) {
                return { label: g.key || "(none)", value: g.impressions, note: fmt(g.engagementRate, "percent") };
              })),
              leaderboard("Top content by impressions", [
                { title: "Content", value: function (r) { return r.preview || r.contentId; } },
                { title: "Platform", value: function (r) { return r.platform; }, cls: "plain" },
                { title: "Impressions", value: function (r) { return fmt(r.impressions); }, num: true },
                { title: "Engagement rate", value: function (r) { return fmt(r.engagementRate, "percent"); }, num: true },
              ], a.topContent || [], { full: true }),
            ],
          };
        });
      },
    },
    {
      id: "learners", title: "Learners", sub: "ibl.ai mentors: conversations, topics and when learners chat",
      load: function (v) {
        return gql("learners", "query DashboardLearners($period: PeriodInput!, $granularity: Granularity!) {\n" +
          "  learnerAnalytics(period: $period) {\n" +
          "    messages " + CHANGE + " conversations " + CHANGE + " activeUsers " + CHANGE + " costCents " + CHANGE + "\n" +
          "    messageSeries: series(metric: MESSAGES, granularity: $granularity) { buckets values }\n" +
          "    sessionsOverTime(granularity: $granularity) { buckets values }\n" +
          "    topicDetails(limit: 8) { topic messages sessions }\n" +
          "    accessHeatmap { matrix total }\n" +
          "    users(first: 8, orderBy: MESSAGES) { nodes { username name messages sessions costCents } }\n" +
          "  }\n}", v).then(function (d) {
          var a = d.learnerAnalytics;
          return {
            cards: [
              card("Messages", a.messages),
              card("Conversations", a.conversations),
              card("Active learners", a.activeUsers),
              card("LLM cost", a.costCents, "cents", true),
            ],
            panels: [
              timeSeries("Messages and sessions", a.messageSeries.buckets, [
                { label: "messages", values: a.messageSeries.values },
                { label: "sessions", values: a.sessionsOverTime.values },
              ]),
              breakdown("Messages by topic", a.topicDetails.map(function (t) {
                return { label: t.topic || "(no topic)", value: t.messages };
              })),
              heatmap("When learners chat (weekday × hour, " + state.timezone + ")", a.accessHeatmap.matrix),
              leaderboard("Most active learners", [
                { title: "Learner", value: function (r) { return r.name || r.username; } },
                { title: "Messages", value: function (r) { return fmt(r.messages); }, num: true },
                { title: "Sessions", value: function (r) { return fmt(r.sessions); }, num: true },
                { title: "Cost", value: function (r) { return fmt(r.costCents, "cents"); }, num: true },
              ], a.users.nodes),
            ],
          };
        });
      },
    },
    {
      id: "agents", title: "Agents", sub: "The agent platform: traffic, errors and the busiest agents",
      load: function (v) {
        var one = function (name) { return name + ": change(name: " + name.toUpperCase() + ", period: $period) { current previous }"; };
        return gql("agents", "query DashboardAgents($period: PeriodInput!, $granularity: Granularity!, $timezone: String!) {\n" +
          "  agentPlatform(period: $period, timezone: $timezone) {\n" +
          "    agents { total active inactive failed }\n" +
          "    uptime { platformUptime }\n" +
          "  }\n" +
          "  agents(kind: PLATFORM, first: 100) {\n" +
          "    totalCount\n" +
          "    nodes { key name status " + one("messages") + " " + one("requests") + " " + one("errors") + "\n" +
          "      series(metric: MESSAGES, period: $period, granularity: $granularity) { buckets values } }\n" +
          "  }\n}", Object.assign({ timezone: state.timezone }, v)).then(function (d) {
          var agents = d.agents.nodes;
          var total = function (field, which) { return sum(agents.map(function (a) { return a[field][which] || 0; })); };
          var cur = { m: total("messages", "current"), r: total("requests", "current"), e: total("errors", "current") };
          var prev = { m: total("messages", "previous"), r: total("requests", "previous"), e: total("errors", "previous") };
          var buckets = agents.length ? agents[0].series.buckets : [];
          var values = buckets.map(function (_, i) {
            return sum(agents.map(function (a) { return a.series.values[i]; }));
          });
          var ranked = agents.slice().sort(function (a, b) {
            return (b.messages.current || 0) - (a.messages.current || 0) || a.name.localeCompare(b.name);
          }).slice(0, 8);
          var p = d.agentPlatform;
          return {
            cards: [
              card("Messages", changeOf(cur.m, prev.m)),
              card("Requests", changeOf(cur.r, prev.r)),
              card("Errors", changeOf(cur.e, prev.e), "count", true),
              card("Error rate", changeOf(cur.r ? (100 * cur.e) / cur.r : null, prev.r ? (100 * prev.e) / prev.r : null), "percent", true),
            ],
            panels: [
              timeSeries("Messages processed", buckets, [{ label: "messages", values: values }]),
              breakdown("Agents by status (" + p.agents.total + " agents, uptime " + fmt(p.uptime.platformUptime, "percent") + ")", [
                { label: "active", value: p.agents.active },
                { label: "inactive", value: p.agents.inactive },
                { label: "failed", value: p.agents.failed },
              ]),
              leaderboard("Busiest agents", [
                { title: "Agent", value: function (r) { return r.name; } },
                { title: "Status", value: function (r) { return pill(r.status); }, cls: "plain" },
                { title: "Messages", value: function (r) { return fmt(r.messages.current); }, num: true },
                { title: "vs previous", value: function (r) { return pct(changeOf(r.messages.current, r.messages.previous)); }, num: true },
                { title: "Requests", value: function (r) { return fmt(r.requests.current); }, num: true },
                { title: "Errors", value: function (r) { return fmt(r.errors.current); }, num: true },
              ], ranked, { full: true }),
            ],
          };
        });
      },
    },
    {
      id: "publications", title: "Publications", sub: "AISquare studios: views, plays and engagement",
      load: function (v) {
        return gql("publications", "query DashboardStudios {\n" +
          "  mine: publications(first: 1, filter: {viewerRoles: [OWNER, CO_CREATOR]}) { nodes { customUrl name } }\n" +
          "  all: publications(first: 50) { nodes { name customUrl publicImpact { influenceScore totalPlays activeUsers } } }\n" +
          "}", {}).then(function (list) {
          var mine = list.mine.nodes[0];
          if (!mine) throw new GraphQLFailure([{ message: "This token owns no publication (owner metrics are for owners and co-creators)." }]);
          return gql("publications", "query DashboardStudio($url: String!, $period: PeriodInput!, $granularity: Granularity!) {\n" +
            "  publication(customUrl: $url) {\n" +
            "    name\n" +
            "    views: change(name: VIEWS, period: $period) " + CHANGE + "\n" +
            "    plays: change(name: PLAYS, period: $period) " + CHANGE + "\n" +
            "    completions: change(name: COMPLETIONS, period: $period) " + CHANGE + "\n" +
            "    activeUsers: change(name: ACTIVE_USERS, period: $period) " + CHANGE + "\n" +
            "    viewSeries: series(metric: VIEWS, period: $period, granularity: $granularity) { buckets values }\n" +
            "    playSeries: series(metric: PLAYS, period: $period, granularity: $granularity) { buckets values }\n" +
            "    mix: metrics(names: [LIKES, BOOKMARKS, SHARES, COMMENTS, COMPLETIONS, APPOINTMENTS], period: $period) { name value }\n" +
            "  }\n}", Object.assign({ url: mine.customUrl }, v)).then(function (d) {
            var p = d.publication;
            var studios = list.all.nodes.slice().sort(function (a, b) {
              return b.publicImpact.influenceScore - a.publicImpact.influenceScore || a.name.localeCompare(b.name);
            }).slice(0, 8);
            return {
              subtitle: p.name,
              cards: [
                card("Views", p.views),
                card("Plays", p.plays),
                card("Completions", p.completions),
                card("Active users", p.activeUsers),
              ],
              panels: [
                timeSeries("Views and plays · " + p.name, p.viewSeries.buckets, [
                  { label: "views", values: p.viewSeries.values },
                  { label: "plays", values: p.playSeries.values },
                ]),
                breakdown("Engagement mix", p.mix.map(function (m) {
                  return { label: m.name.toLowerCase(), value: m.value };
                })),
                leaderboard("Studios by influence score (last 30 days)", [
                  { title: "Studio", value: function (r) { return r.name; } },
                  { title: "Influence", value: function (r) { return fmt(r.publicImpact.influenceScore, "score"); }, num: true },
                  { title: "Plays", value: function (r) { return fmt(r.publicImpact.totalPlays); }, num: true },
                  { title: "Active users", value: function (r) { return fmt(r.publicImpact.activeUsers); }, num: true },
                ], studios, { full: true }),
              ],
            };
          });
        });
      },
    },
    {
      id: "workspaces", title: "Workspaces", sub: "Athena: workflow runs and the agent leaderboard",
      load: function (v) {
        return gql("workspaces", "query DashboardWorkspaceList {\n" +
          "  workspaces(first: 1, role: OWNER) { nodes { uuid name } }\n}", {}).then(function (list) {
          var ws = list.workspaces.nodes[0];
          if (!ws) throw new GraphQLFailure([{ message: "This token owns no workspace (workspace metrics are for its owner)." }]);
          return gql("workspaces", "query DashboardWorkspace($uuid: String!, $period: PeriodInput!, $granularity: Granularity!) {\n" +
            "  workspace(uuid: $uuid) {\n" +
            "    name\n" +
            "    runs: change(name: WORKFLOW_EXECUTIONS, period: $period) " + CHANGE + "\n" +
            "    failedRuns: change(name: WORKFLOW_FAILED_EXECUTIONS, period: $period) " + CHANGE + "\n" +
            "    agentRuns: change(name: AGENT_EXECUTIONS, period: $period) " + CHANGE + "\n" +
            "    messages: change(name: THREAD_MESSAGES, period: $period) " + CHANGE + "\n" +
            "    runSeries: series(metric: WORKFLOW_EXECUTIONS, period: $period, granularity: $granularity) { buckets values }\n" +
            "    agentSeries: series(metric: AGENT_EXECUTIONS, period: $period, granularity: $granularity) { buckets values }\n" +
            "    executionCounts(dateRange: $period) { succeeded failed running }\n" +
            "    agentLeaderboard(dateRange: $period, limit: 8) { entries { name status executions avgDurationMs uniqueUsers } }\n" +
            "  }\n}", Object.assign({ uuid: ws.uuid }, v)).then(function (d) {
            var w = d.workspace;
            var counts = w.executionCounts;
            return {
              subtitle: w.name,
              cards: [
                card("Workflow runs", w.runs),
                card("Failed runs", w.failedRuns, "count", true),
                card("Agent runs", w.agentRuns),
                card("Thread messages", w.messages),
              ],
              panels: [
                timeSeries("Runs · " + w.name, w.runSeries.buckets, [
                  { label: "workflow runs", values: w.runSeries.values },
                  { label: "agent runs", values: w.agentSeries.values },
                ]),
                breakdown("Workflow runs by outcome", [
                  { label: "succeeded", value: counts.succeeded },
                  { label: "failed", value: counts.failed },
                  { label: "running", value: counts.running },
                ]),
                leaderboard("Agent leaderboard", [
                  { title: "Agent", value: function (r) { return r.name; } },
                  { title: "Status", value: function (r) { return pill(r.status); }, cls: "plain" },
                  { title: "Runs", value: function (r) { return fmt(r.executions); }, num: true },
                  { title: "Avg duration", value: function (r) { return fmt(r.avgDurationMs, "ms"); }, num: true },
                  { title: "Users", value: function (r) { return fmt(r.uniqueUsers); }, num: true },
                ], w.agentLeaderboard.entries, { full: true }),
              ],
            };
          });
        });
      },
    },
  ];

  // --- page ----------------------------------------------------------------------------

  var root = document.getElementById("sections");
  var nodes = {};
  SECTIONS.forEach(function (s) {
    var node = el("section", { class: "domain", id: "section-" + s.id, "data-state": "idle" }, [
      el("header", {}, [
        el("h2", { text: s.title }),
        el("span", { class: "sub", text: s.sub }),
        el("span", { class: "as" }),
      ]),
      el("div", { class: "body" }),
    ]);
    root.appendChild(node);
    nodes[s.id] = node;
  });

  function describePeriod() {
    var what = state.preset === "CUSTOM" ? state.start + " → " + state.end : PRESET_LABELS[state.preset];
    return "Showing " + what + " (" + state.timezone + "), compared with the period of equal length before it.";
  }

  // The period lives in the URL (#preset=LAST_7D&tz=UTC, or #start=…&end=…&tz=…) so a
  // link or a reload shows the same view; the token never goes there.
  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var tz = params.get("tz");
    if (tz) state.timezone = tz;
    var day = /^\d{4}-\d{2}-\d{2}$/;
    if (day.test(params.get("start") || "") && day.test(params.get("end") || "")) {
      state.preset = "CUSTOM";
      state.start = params.get("start");
      state.end = params.get("end");
    } else if (PRESET_LABELS[params.get("preset")]) {
      state.preset = params.get("preset");
    }
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.preset === "CUSTOM") {
      params.set("start", state.start);
      params.set("end", state.end);
    } else {
      params.set("preset", state.preset);
    }
    params.set("tz", state.timezone);
    history.replaceState(null, "", "#" + params.toString());
  }

  function load() {
    var mine = ++generation;
    writeHash();
    plots.forEach(function (p) { p.plot.destroy(); });
    plots = [];
    document.getElementById("period-label").textContent = describePeriod();
    document.body.setAttribute("data-period", JSON.stringify(periodInput()));
    var vars = { period: periodInput(), granularity: granularity() };
    return Promise.all(SECTIONS.map(function (s) {
      var node = nodes[s.id];
      var who = tokenFor(s.id);
      node.querySelector(".as").textContent = who.principal
        ? "demo: as " + who.principal.replace(/_/g, " ")
        : who.token ? "your token" : "no token";
      node.setAttribute("data-state", "loading");
      node.classList.add("loading");
      return s.load(vars).then(function (result) {
        if (mine !== generation) return;
        var body = el("div", { class: "body" }, [
          el("div", { class: "cards" }, result.cards),
          el("div", { class: "panels" }, result.panels),
        ]);
        node.replaceChild(body, node.querySelector(".body"));
        node.setAttribute("data-state", "ready");
      }).catch(function (err) {
        if (mine !== generation) return;
        var message = err && err.message ? err.message : String(err);
        if (!who.token) message = "Enter a token above to see this section. " + message;
        node.replaceChild(el("div", { class: "body" }, [el("div", { class: "error", text: message })]), node.querySelector(".body"));
        node.setAttribute("data-state", "error");
      }).then(function () {
        if (mine === generation) node.classList.remove("loading");
      });
    })).then(function () {
      if (mine === generation) document.body.setAttribute("data-loaded", String(mine));
    });
  }

  // controls
  var presetButtons = document.querySelectorAll("#presets button");
  function pressPreset(preset) {
    presetButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.preset === preset)); });
    document.getElementById("custom-range").hidden = preset !== "CUSTOM";
  }
  presetButtons.forEach(function (b) {
    b.addEventListener("click", function () {
      pressPreset(b.dataset.preset);
      if (b.dataset.preset === "CUSTOM") return;
      state.preset = b.dataset.preset;
      load();
    });
  });
  readHash();
  var today = new Date();
  var iso = function (d) { return d.toISOString().slice(0, 10); };
  document.getElementById("end").value = state.end || iso(today);
  document.getElementById("start").value = state.start || iso(new Date(today.getTime() - 13 * 86400000));
  document.getElementById("apply-range").addEventListener("click", function () {
    var start = document.getElementById("start").value, end = document.getElementById("end").value;
    if (!start || !end || start > end) {
      document.getElementById("period-label").textContent = "Pick a first day on or before the last day.";
      return;
    }
    state.preset = "CUSTOM";
    state.start = start;
    state.end = end;
    load();
  });

  var tzSelect = document.getElementById("timezone");
  var zones = [];
  try { zones = Intl.supportedValuesOf("timeZone"); } catch (e) { zones = []; }
  ["UTC", browserTimezone(), state.timezone].forEach(function (z) { if (zones.indexOf(z) < 0) zones.unshift(z); });
  zones.forEach(function (z) { tzSelect.appendChild(el("option", { value: z, text: z })); });
  tzSelect.value = state.timezone;
  tzSelect.addEventListener("change", function () { state.timezone = tzSelect.value; load(); });

  // Demo mode: the field shows the demo admin's token; while it is unchanged each section
  // uses its own demo principal (see DASHBOARD_PRINCIPALS in gateway/console).
  var tokenInput = document.getElementById("token");
  var demoDefault = config.tokens["default"];
  if (demoDefault) tokenInput.value = demoDefault.token;
  function readToken() {
    var value = tokenInput.value.trim();
    state.token = demoDefault && value === demoDefault.token ? "" : value;
  }
  tokenInput.addEventListener("change", function () { readToken(); load(); });
  document.getElementById("refresh").addEventListener("click", function () { readToken(); load(); });
  document.getElementById("viewer-note").textContent = config.demo
    ? "Demo mode: sections use the demo principals' tokens until you enter one."
    : "";

  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p.plot.setSize({ width: Math.max(p.box.clientWidth, 240), height: 230 }); });
  });

  pressPreset(state.preset);
  load();
})();
