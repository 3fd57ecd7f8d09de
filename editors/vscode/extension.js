// Starts `pfconf lsp` for pf.conf documents; everything else is the server's.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('pfconf').get('path', 'pfconf');
  client = new LanguageClient(
    'pfconf',
    'pfconf',
    { command, args: ['lsp'] },
    { documentSelector: [{ language: 'pf' }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
