// Baoxue's GraphiQL page: start GraphiQL against this server's /graphql.
// The URL parameters ?q= (query) and ?v= (variables) fill the editors, so a link can carry a
// ready query (not ?query=: that is a GraphQL GET request). Headers, which hold tokens, never
// go into the address bar. The first query shown is the README's: signing in as the demo
// administrator.
(function () {
  "use strict";
  var FIRST_QUERY =
    "# 保学 Baoxue GraphiQL\n" +
    "#\n" +
    "# 1. 登录 / sign in: Ctrl-Enter\n" +
    "# 2. 把 token 填入 Headers / put the token into Headers:\n" +
    '#    {"Authorization": "Bearer <token>"}\n' +
    "\n" +
    'mutation { login(username: "demo-admin", password: "baoxue-demo-2026") ' +
    "{ token errors { message } } }\n";

  var parameters = {};
  new URLSearchParams(window.location.search).forEach(function (value, key) {
    parameters[key] = value;
  });

  function updateURL(changes) {
    Object.assign(parameters, changes);
    var search = new URLSearchParams();
    Object.keys(parameters).forEach(function (key) {
      if (parameters[key]) search.set(key, parameters[key]);
    });
    history.replaceState(null, "", "?" + search.toString());
  }

  var fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function BaoxueGraphiQL() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: FIRST_QUERY,
      query: parameters.q,
      variables: parameters.v,
      onEditQuery: function (query) { updateURL({ q: query }); },
      onEditVariables: function (variables) { updateURL({ v: variables }); },
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(BaoxueGraphiQL)
  );
})();
