// Starts GraphiQL against this service. Served from the service itself, like every asset of
// the page, so the page works without internet and under `script-src 'self'`.
(function () {
  var defaultQuery = [
    '# A token goes in the Headers pane below:',
    '#   {"Authorization": "Bearer <token>"}',
    '# (cargo run -q -p samverkan -- token --kommun 1880 --roles editor,admin)',
    '# Without a token only publishedEServices answers.',
    'query FirstLook {',
    '  viewer { municipality { name } roles }',
    '  eServiceProjects(first: 5) {',
    '    totalCount',
    '    edges { node { title phase visibility owner { name } } }',
    '  }',
    '}',
    ''
  ].join('\n');
  // Subscriptions go over graphql-transport-ws on the same URL; GraphiQL sends the Headers
  // pane as connection_init's payload, which is where the service reads the token.
  var ws = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql';
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql', subscriptionUrl: ws });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: true
  }));
})();
