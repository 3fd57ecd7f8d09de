// Starts `pfconf lsp` for pf.conf documents; everything else is the server's.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('pfconf');
  const command = config.get('path', 'pfconf');
  const node = config.get('node', '');
  client = new LanguageClient(
    'pfconf',
    'pfconf',
    { command, args: ['lsp'] },
    {
      documentSelector: [{ language: 'pf' }],
      // The node directory (else pfconf.toml's [node] dir), relative to
      // the workspace folder.
      initializationOptions: node ? { node } : {},
      // The files to watch (rulesets, pfconf.toml, node files) are the
      // server's to say: it registers them itself.
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
