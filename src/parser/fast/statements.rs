//! The fast path's statements other than filter rules: the statement
//! dispatch, macro definitions, `set` options, antispoof, queues,
//! limiters and tables (`table_def`, nested `{ }` table lists bounded by
//! `MAX_DEPTH`), each following its grammar rule.

use super::{empty_antispoof, is_keyword, push, Parser};
use crate::ast::*;

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ statements

    pub(super) fn statement(&mut self) -> Option<StatementKind> {
        // SOI ~ (...) ~ EOI
        self.skip();
        let kind = match self.word() {
            b"pass" | b"block" | b"match" => StatementKind::Rule(Box::new(self.pf_rule()?)),
            b"anchor" => StatementKind::Anchor(Box::new(self.anchor_rule()?)),
            b"table" => StatementKind::Table(Box::new(self.table_def()?)),
            b"set" => StatementKind::Option(Box::new(self.option()?)),
            b"include" => StatementKind::Include(Box::new(Include {
                path: self.word_arg(Self::string)?,
            })),
            b"antispoof" => StatementKind::Antispoof(Box::new(self.antispoof()?)),
            b"queue" => StatementKind::Queue(Box::new(self.queue_def()?)),
            b"load" => {
                // load_anchor = { kw_load ~ kw_anchor ~ string ~ kw_from ~ string_seq }
                let name = self.word_arg(|p| p.kw_arg("anchor", Self::string))?;
                self.skip();
                let file = self.kw_arg("from", Self::string_seq)?;
                StatementKind::LoadAnchor(Box::new(LoadAnchor { name, file }))
            }
            b"state" => StatementKind::Limiter(Box::new(self.limiter_def()?)),
            // limiter_def comes before varset, and `source` is no keyword.
            b"source" => match self.opt(Self::limiter_def) {
                Some(l) => StatementKind::Limiter(Box::new(l)),
                None => StatementKind::Macro(Box::new(self.varset()?)),
            },
            w if is_keyword(w) => return None,
            _ => StatementKind::Macro(Box::new(self.varset()?)),
        };
        self.skip();
        (self.pos == self.s.len()).then_some(kind)
    }

    /// `varset = { string ~ "=" ~ varstring }`, `varstring = { numberstring* }`.
    pub(super) fn varset(&mut self) -> Option<MacroDef> {
        let (name, value) = self.pair(Self::string, |p| {
            p.prefixed(b'=', |p| Some(p.rep(None, Self::numberstring)))
        })?;
        Some(MacroDef {
            name: Spanned::new(name.node.text().to_string(), name.span),
            value,
        })
    }

    /// `option = { kw_set ~ (...) }`.
    pub(super) fn option(&mut self) -> Option<SetOption> {
        self.skip_word();
        Some(match self.word() {
            // set_skip = { kw_skip ~ interface? }
            b"skip" => SetOption::Skip {
                interfaces: self.word_arg(|p| p.opt_or_default(Self::interface)),
            },
            b"block-policy" => SetOption::BlockPolicy {
                value: self.word_arg(|p| {
                    p.one_of(&[("drop", BlockPolicy::Drop), ("return", BlockPolicy::Return)])
                })?,
            },
            b"state-policy" => SetOption::StatePolicy {
                value: self.word_arg(|p| {
                    p.one_of(&[
                        ("if-bound", StatePolicy::IfBound),
                        ("floating", StatePolicy::Floating),
                    ])
                })?,
            },
            b"optimization" => self.arg(Self::string, |value| SetOption::Optimization { value })?,
            b"ruleset-optimization" => self.arg(Self::string, |value| {
                SetOption::RulesetOptimization { value }
            })?,
            b"fingerprints" => self.arg(Self::string, |value| SetOption::Fingerprints { value })?,
            b"hostid" => self.arg(Self::numberstring, |value| SetOption::HostId { value })?,
            // set_loginterface = { kw_loginterface ~ (kw_all | string) }
            b"loginterface" => self.arg(
                |p| p.keyword_or_string("all"),
                |value| SetOption::LogInterface { value },
            )?,
            // set_debug = { kw_debug ~ (kw_debug | string) }
            b"debug" => self.arg(
                |p| p.keyword_or_string("debug"),
                |value| SetOption::Debug { value },
            )?,
            b"reassemble" => {
                // set_reassemble = { kw_reassemble ~ yesno ~ kw_no_df? },
                // yesno = { kw_no | string }
                let value = self.word_arg(|p| p.keyword_or_string("no"))?;
                self.skip();
                let no_df = self.kw("no-df");
                SetOption::Reassemble { value, no_df }
            }
            b"state-defaults" => self.arg(Self::state_opt_list, |opts| {
                SetOption::StateDefaults { opts }
            })?,
            b"syncookies" => {
                // kw_syncookies ~ string ~ ("(" ~ syncookie_opt ~
                // (","? ~ syncookie_opt)* ~ ")")?, syncookie_opt = { string ~ string }
                let mode = self.word_arg(Self::string)?;
                self.skip();
                let opts =
                    self.opt_or_default(|p| p.paren_list(|p| p.pair(Self::string, Self::string)));
                SetOption::Syncookies { mode, opts }
            }
            b"timeout" => self.arg(Self::limit_values, |values| SetOption::Timeout { values })?,
            b"limit" => self.arg(Self::limit_values, |values| SetOption::Limit { values })?,
            _ => return None,
        })
    }

    /// The values of `set timeout` and `set limit`: `"{" ~ optnl ~ spec ~
    /// optnl ~ (","? ~ spec ~ optnl)* ~ "}" | spec`, `spec = { string ~ num }`.
    pub(super) fn limit_values(&mut self) -> Option<Vec<(SValue, SValue)>> {
        self.list_or_one(|p| p.pair(Self::string, Self::num))
    }

    // ------------------------------------------------------------ others

    /// `antispoof = { kw_antispoof ~ logquick? ~ kw_for ~ antispoof_ifspc ~
    /// af? ~ antispoof_opt* }`
    pub(super) fn antispoof(&mut self) -> Option<Antispoof> {
        let mut a = empty_antispoof();
        if let Some((log, quick)) = self.word_arg(|p| p.opt(Self::logquick)) {
            a.log = log.map(|l| *l);
            a.quick = quick;
        }
        self.skip();
        a.interfaces = self.kw_arg("for", |p| p.list_or_one(Self::antispoof_if))?;
        self.skip();
        a.af = self.af().map(|s| s.node);
        self.skip();
        // antispoof_opt = { kw_label ~ string | kw_rtable ~ num }; the
        // last of each kind wins, as in the Builder.
        let opts = self.rep(None, |p| match p.word() {
            b"label" => Some((true, p.word_arg(Self::string)?)),
            b"rtable" => Some((false, p.word_arg(Self::num)?)),
            _ => None,
        });
        for (label, v) in opts {
            if label {
                a.label = Some(v);
            } else {
                a.rtable = Some(v);
            }
        }
        Some(a)
    }

    /// `antispoof_if = { "(" ~ if_item ~ ")" | if_item }`
    pub(super) fn antispoof_if(&mut self) -> Option<Spanned<AntispoofIf>> {
        self.spanned(|p| {
            // if_item cannot start with `(`.
            let dynamic = p.peek() == b'(';
            let target = if dynamic {
                p.parens(Self::if_item)?
            } else {
                p.if_item()?
            };
            Some(AntispoofIf { dynamic, target })
        })
    }

    /// `queue_def = { kw_queue ~ string ~ interface? ~ queue_opt_item+ }`
    pub(super) fn queue_def(&mut self) -> Option<QueueDef> {
        let name = self.word_arg(Self::string)?;
        self.skip();
        let interfaces = self.opt_or_default(Self::interface);
        self.skip();
        let opts = self.rep1(Self::queue_opt_item)?;
        Some(QueueDef {
            name,
            interfaces,
            opts,
        })
    }

    /// `queue_opt_item = { kw_bandwidth ~ scspec ~ optscs? | kw_parent ~
    /// string | kw_default | kw_qlimit ~ num | kw_flows ~ num | kw_quantum ~ num }`
    pub(super) fn queue_opt_item(&mut self) -> Option<Spanned<QueueOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"bandwidth" => {
                    let share = p.word_arg(Self::scspec)?;
                    p.skip();
                    let (min, max) = p.opt_or_default(Self::optscs);
                    QueueOpt::Bandwidth { share, min, max }
                }
                b"parent" => p.arg(Self::string, |value| QueueOpt::Parent { value })?,
                b"default" => p.word_flag(QueueOpt::Default),
                b"qlimit" => p.arg(Self::num, |value| QueueOpt::Qlimit { value })?,
                b"flows" => p.arg(Self::num, |value| QueueOpt::Flows { value })?,
                b"quantum" => p.arg(Self::num, |value| QueueOpt::Quantum { value })?,
                _ => return None,
            })
        })
    }

    /// `optscs = { ","? ~ (kw_min ~ scspec ~ (","? ~ kw_max ~ scspec)? |
    /// kw_max ~ scspec ~ (","? ~ kw_min ~ scspec)?) }`
    #[allow(clippy::type_complexity)]
    pub(super) fn optscs(&mut self) -> Option<(Option<ServiceCurve>, Option<ServiceCurve>)> {
        self.eat(b',');
        self.skip();
        let (first_min, second) = match self.word() {
            b"min" => (true, "max"),
            b"max" => (false, "min"),
            _ => return None,
        };
        let a = self.word_arg(Self::scspec)?;
        self.skip();
        let b = self.opt(|p| p.comma_then(|p| p.kw_arg(second, Self::scspec)));
        Some(if first_min {
            (Some(a), b)
        } else {
            (b, Some(a))
        })
    }

    /// `scspec = { numberstring ~ (kw_burst ~ numberstring ~ kw_for ~ numberstring)? }`
    pub(super) fn scspec(&mut self) -> Option<ServiceCurve> {
        let bandwidth = self.numberstring()?;
        self.skip();
        let burst = self.opt(|p| {
            p.kw_arg("burst", |p| {
                p.pair(Self::numberstring, |p| p.kw_arg("for", Self::numberstring))
            })
        });
        Some(ServiceCurve { bandwidth, burst })
    }

    /// `limiter_def = { (kw_state | kw_source) ~ kw_limiter ~ string ~
    /// limiter_def_opt* }`
    pub(super) fn limiter_def(&mut self) -> Option<LimiterDef> {
        let (kind, name) = self.limiter_head()?;
        self.skip();
        let opts = self.rep(None, Self::limiter_def_opt);
        Some(LimiterDef { kind, name, opts })
    }

    /// `limiter_def_opt = { kw_id ~ num | kw_limit ~ num | kw_rate ~ num ~
    /// "/" ~ num | kw_entries ~ num | af ~ kw_mask ~ num | kw_table ~ "<" ~
    /// string ~ ">" ~ kw_above ~ num ~ (kw_below ~ num)? }`
    pub(super) fn limiter_def_opt(&mut self) -> Option<Spanned<LimiterOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"id" => p.arg(Self::num, |value| LimiterOpt::Id { value })?,
                b"limit" => p.arg(Self::num, |value| LimiterOpt::Limit { value })?,
                b"rate" => {
                    let (limit, seconds) = p.word_arg(Self::rate)?;
                    LimiterOpt::Rate { limit, seconds }
                }
                b"entries" => p.arg(Self::num, |value| LimiterOpt::Entries { value })?,
                b"inet" | b"inet6" => {
                    let af = p.af()?.node;
                    p.skip();
                    let value = p.kw_arg("mask", Self::num)?;
                    LimiterOpt::Mask { af, value }
                }
                b"table" => {
                    let name = p.word_arg(Self::angle_name)?;
                    p.skip();
                    let above = p.kw_arg("above", Self::num)?;
                    p.skip();
                    let below = p.opt(|p| p.kw_arg("below", Self::num));
                    LimiterOpt::Table { name, above, below }
                }
                _ => return None,
            })
        })
    }

    // ------------------------------------------------------------ tables

    /// `table_def = { kw_table ~ "<" ~ string ~ ">" ~ table_opt* }`
    pub(super) fn table_def(&mut self) -> Option<TableDef> {
        let name = self.word_arg(Self::angle_name)?;
        self.skip();
        let opts = self.rep(None, Self::table_opt);
        Some(TableDef { name, opts })
    }

    /// `table_opt = { kw_file ~ string | kw_timeout ~ "(" ~ num ~ ")" |
    /// "{" ~ optnl ~ table_host_list? ~ "}" | string }`
    pub(super) fn table_opt(&mut self) -> Option<Spanned<TableOpt>> {
        self.spanned(|p| {
            // A keyword alternative that fails leaves nothing else: `string`
            // cannot match a keyword.
            Some(match p.word() {
                b"file" => TableOpt::File(p.word_arg(Self::string)?),
                b"timeout" => TableOpt::Timeout(p.word_arg(|p| p.parens(Self::num))?),
                _ if p.peek() == b'{' => TableOpt::Addresses(
                    p.braces(|p| Some(p.opt_or_default(|p| p.nested(Self::table_host_list))))?,
                ),
                _ => TableOpt::Flag(p.string()?),
            })
        })
    }

    /// `table_host_list = { tablespec ~ optnl ~ (","? ~ tablespec ~ optnl)* }`,
    /// nested lists flattened as the Builder does.
    pub(super) fn table_host_list(&mut self) -> Option<Vec<TableEntry>> {
        let mut out = Vec::new();
        self.table_host_list_into(&mut out)?;
        out.shrink_to_fit();
        Some(out)
    }

    pub(super) fn table_host_list_into(&mut self, out: &mut Vec<TableEntry>) -> Option<()> {
        self.tablespec(out)?;
        self.skip_nl();
        self.rep_into(out, |p, out| {
            p.comma_then(|p| p.tablespec(out))?;
            p.skip();
            p.optnl();
            Some(())
        });
        Some(())
    }

    /// `tablespec = { "{" ~ optnl ~ table_host_list ~ "}" | xhost ~ (kw_weight ~ num)? }`
    /// Pushes the entries (a nested list flattened); on `None` the caller
    /// truncates `out`.
    pub(super) fn tablespec(&mut self, out: &mut Vec<TableEntry>) -> Option<()> {
        if self.peek() == b'{' {
            // xhost cannot start with `{`.
            return self.braces(|p| p.nested(|p| p.table_host_list_into(out)));
        }
        let host = self.xhost()?;
        self.skip();
        let weight = self.opt(Self::weight);
        push(out, TableEntry { host, weight });
        Some(())
    }
}
