;;; pfconf.el --- pf.conf with the pfconf language server through eglot -*- lexical-binding: t; -*-

;; A small major mode for OpenBSD pf.conf files and the eglot set-up that
;; starts `pfconf lsp' for them.  Load it from your init file:
;;   (load "/path/to/pfconf/editors/emacs/pfconf.el")

(require 'eglot)

(define-derived-mode pf-conf-mode prog-mode "pf.conf"
  "Major mode for OpenBSD pf.conf rulesets."
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+\\s-*")
  (modify-syntax-entry ?# "<" pf-conf-mode-syntax-table)
  (modify-syntax-entry ?\n ">" pf-conf-mode-syntax-table)
  (modify-syntax-entry ?_ "w" pf-conf-mode-syntax-table)
  (modify-syntax-entry ?- "w" pf-conf-mode-syntax-table))

(add-to-list 'auto-mode-alist '("/pf\\.conf\\'" . pf-conf-mode))
(add-to-list 'auto-mode-alist '("/pf\\.conf\\.[^/]*\\'" . pf-conf-mode))
(add-to-list 'auto-mode-alist '("\\.pf\\'" . pf-conf-mode))
(add-to-list 'auto-mode-alist '("/pf/[^/]*\\.conf\\'" . pf-conf-mode))

(add-to-list 'eglot-server-programs '(pf-conf-mode . ("pfconf" "lsp")))
(add-hook 'pf-conf-mode-hook #'eglot-ensure)

(provide 'pfconf)
;;; pfconf.el ends here
