-- pf.conf files start the pfconf language server (Neovim 0.10 or newer).
-- Put this file in your runtime path (for example ~/.config/nvim/plugin/).
vim.filetype.add({
  extension = { pf = 'pf' },
  filename = { ['pf.conf'] = 'pf' },
  pattern = { ['.*/pf%.conf%..*'] = 'pf', ['.*/pf/.*%.conf'] = 'pf' },
})
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'pf',
  callback = function(args)
    vim.lsp.start({
      name = 'pfconf',
      cmd = { 'pfconf', 'lsp' },
      root_dir = vim.fs.root(args.buf, { 'pfconf.toml', '.git' }),
      -- On Linux, to have pfconf.toml, node and included files watched
      -- (Neovim 0.11 watches with inotifywait, from inotify-tools):
      -- capabilities = { workspace = { didChangeWatchedFiles = { dynamicRegistration = true } } },
    })
  end,
})
