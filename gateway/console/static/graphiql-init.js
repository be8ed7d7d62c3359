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

  // GraphiQL 3.8 works out the query editor's operation name in a change handler debounced
  // by 100 ms, while switching tabs (or pasting) replaces the query at once: a run in
  // between sends the new query with the previous operation name, which the server
  // rejects ("Unknown operation named ..."). The fetcher sees the query actually sent, so
  // when the name is not one of its operations and it holds exactly one, it names that one.
  function operationNames(query) {
    try {
      return GraphiQL.GraphQL.parse(query)
        .definitions.filter(function (d) { return d.kind === "OperationDefinition"; })
        .map(function (d) { return d.name ? d.name.value : null; });
    } catch (e) {
      return null; // a syntax error: the server's answer says where
    }
  }
  var send = GraphiQL.createFetcher({ url: config.endpoint });
  function fetcher(params, options) {
    var names = params.operationName ? operationNames(params.query || "") : null;
    if (names && names.length === 1 && names.indexOf(params.operationName) < 0) {
      params = Object.assign({}, params, { operationName: names[0] || undefined });
    }
    return send(params, options);
  }
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
