// GraphiQL as Tally serves it: opens one tab per example operation (the dashboard query
// first), with the demo tokens in the tabs' headers when the page carries them.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("tally-config").textContent);

  // Tabs live in memory only: every visit opens on the current examples, and a token
  // typed in the Headers tab is never written to localStorage.
  var memory = new Map();
  var storage = {
    getItem: function (k) { return memory.has(k) ? memory.get(k) : null; },
    setItem: function (k, v) { memory.set(k, String(v)); },
    removeItem: function (k) { memory.delete(k); },
    clear: function () { memory.clear(); },
    get length() { return memory.size; },
  };

  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var tabs = config.tabs.map(function (tab) {
    return { query: tab.query, headers: tab.headers || "" };
  });

  var note = document.getElementById("console-note");
  if (note) {
    note.textContent = config.demo
      ? "Demo mode: the tabs carry demo tokens (Headers). Examples: one tab per domain."
      : 'Add {"Authorization": "Bearer <token>"} in the Headers tab.';
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      defaultHeaders: config.defaultHeaders || "",
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      storage: storage,
      inputValueDeprecation: true,
    })
  );
})();
