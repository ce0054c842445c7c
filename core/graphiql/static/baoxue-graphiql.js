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
    "# 3. 实时订阅 / live: subscription { inboxChanges { change counts { unread } } }\n" +
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

  // Subscriptions go over a WebSocket to the same /graphql (graphql-transport-ws, with the
  // graphql-ws client GraphiQL bundles); the Headers editor's JSON is sent as the
  // connection_init payload, so {"Authorization": "Bearer <token>"} signs the socket in too.
  // GraphiQL picks the socket only when it is handed the operation's syntax tree, which it
  // does not always do, so a document whose operation is a subscription is marked here.
  var httpURL = window.location.href.split("?")[0].split("#")[0];
  var graphiqlFetcher = GraphiQL.createFetcher({
    url: httpURL,
    subscriptionUrl: httpURL.replace(/^http/, "ws"),
  });

  function subscriptionName(query, operationName) {
    var text = query.replace(/#[^\n]*/g, "");
    var pattern = /(^|[}\s])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (!operationName || match[3] === operationName) {
        return match[2] === "subscription" ? { name: match[3] } : null;
      }
    }
    return null;
  }

  function fetcher(params, options) {
    var found = subscriptionName(params.query || "", params.operationName);
    if (found) {
      var name = params.operationName ? { kind: "Name", value: params.operationName } : undefined;
      options = Object.assign({}, options, {
        documentAST: {
          kind: "Document",
          definitions: [{ kind: "OperationDefinition", operation: "subscription", name: name,
                          variableDefinitions: [], directives: [],
                          selectionSet: { kind: "SelectionSet", selections: [] } }],
        },
      });
    }
    return graphiqlFetcher(params, options);
  }
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
