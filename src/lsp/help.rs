//! One paragraph per pf.conf keyword, for hover: what the word does, in
//! our own words, from the facts of pf.conf(5).
//!
//! Invariants: [`KEYWORD_HELP`] is sorted by word (looked up by binary
//! search); every entry is one paragraph of plain prose (Markdown inline
//! code allowed); words that mean different things in different places
//! (`set`, `state`, `route`, `max`) say so.

/// The explanation of a keyword, if there is one.
pub(crate) fn keyword(word: &str) -> Option<&'static str> {
    KEYWORD_HELP
        .binary_search_by(|(w, _)| (*w).cmp(word))
        .ok()
        .map(|i| KEYWORD_HELP[i].1)
}

/// Keyword and explanation, sorted by keyword.
pub(crate) static KEYWORD_HELP: &[(&str, &str)] = &[
    ("af-to", "`af-to inet|inet6 from ADDR [to ADDR]` translates between address families (NAT64): the packet leaves as the other family, with the given source address and, optionally, the destination prefix the original address is embedded in. Only on inbound rules, and the source address is required."),
    ("all", "`all` stands for `from any to any`: the rule does not look at addresses or ports. With `log (all)` it means something else: log every packet of the connection, not only the one that creates the state."),
    ("allow-opts", "`allow-opts` lets packets that pass by this rule carry IPv4 options or IPv6 hop-by-hop and destination option headers, which pf otherwise blocks. For packets matching a state, the rule that created the state decides."),
    ("anchor", "`anchor NAME` evaluates the rules attached at that anchor when evaluation reaches it, filtered by the rule's own parameters. With a `{ }` block the anchor's rules are written inline; `load anchor NAME from FILE` fills it from a file; `NAME/*` evaluates every anchor attached below NAME."),
    ("antispoof", "`antispoof [log] [quick] for IFSPEC [inet|inet6]` expands to block rules that drop packets coming in on any other interface with a source address from the networks attached to IFSPEC (spoofed sources), and, for non-loopback interfaces, packets claiming the interface's own address. Its rules also catch loopback traffic to local addresses, which must be passed explicitly."),
    ("any", "`any` as an address matches every address. After `on`, it matches every interface except loopback ones."),
    ("binat-to", "`binat-to ADDR` maps a network bidirectionally: it acts as `nat-to` for outgoing packets and `rdr-to` for incoming ones between the internal and the external netblock. Ports are never translated."),
    ("bitmask", "`bitmask` (pool option) keeps the host part of the address being translated and replaces its network part with the translation address's network (source with `nat-to`, destination with `rdr-to`). Not allowed with several addresses or a table."),
    ("block", "`block` blocks matching packets; the last matching `block` or `pass` rule decides (or the first `quick` one). How the packet is refused follows `set block-policy` (`drop` by default) unless the rule says `drop`, `return`, `return-rst` or `return-icmp`."),
    ("block-policy", "`set block-policy drop|return` chooses what a plain `block` does: `drop` discards silently (the default), `return` answers TCP with a RST and UDP with an ICMP unreachable, and drops the rest."),
    ("const", "`const` (table flag) forbids changing the table's contents with pfctl once it is loaded, even at a low securelevel."),
    ("counters", "`counters` (table flag) keeps packet and byte counters per address of the table, shown by pfctl."),
    ("debug", "`set debug LEVEL` limits the severity of pf's log messages to a syslog level: emerg, alert, crit, err (the default), warning, notice, info or debug."),
    ("divert-packet", "`divert-packet port PORT` hands matching packets to a divert(4) socket bound to that port, for a userland program to inspect and reinject."),
    ("divert-reply", "`divert-reply` delivers replies to sockets bound to addresses that are not local to the machine (transparent proxies)."),
    ("divert-to", "`divert-to HOST port PORT` delivers matching packets to a local socket bound to that address and port without rewriting them, so the program can read the original destination."),
    ("drop", "`drop` silently discards the blocked packet: the sender hears nothing. The default of `set block-policy`."),
    ("dup-to", "`dup-to ADDR` sends a copy of each matching packet to the given gateway (routed like `route-to`) while the original is routed normally."),
    ("file", "`file \"PATH\"` (table option) loads addresses from a file: one entry per line, `#` comments allowed; host names resolve at load time. Several files may be given."),
    ("fingerprints", "`set fingerprints \"FILE\"` loads the operating system fingerprints used by `os` matches from FILE instead of /etc/pf.os."),
    ("flags", "`flags SET/MASK` matches TCP packets whose flags among MASK are exactly those in SET (F, S, R, P, A, U, E, W); `flags any` looks at no flags. Stateful TCP rules default to `flags S/SA`: only the initial SYN creates state."),
    ("floating", "`floating` (state policy) lets a state match the connection's packets on any interface; the default of `set state-policy`."),
    ("fragment", "`fragment` restricts the rule to fragments (not whole packets), which only reach the rules when reassembly is off; rules without it still match fragments as long as they look at IP header fields only (no ports, no ICMP types)."),
    ("from", "`from SRC [port SRC] to DST [port DST]` restricts the rule to packets with these source and destination addresses and ports. Addresses are networks, host or interface names, `<tables>`, `any`, `self`, `no-route`, `urpf-failed` or `route LABEL`; `!` negates."),
    ("group", "`group GROUP` matches only packets of sockets owned by that group (effective gid), compared like ports (`group { wheel, >= 1000 }`). Only TCP and UDP sockets have an owner."),
    ("hostid", "`set hostid NUMBER` sets the 32-bit id that marks this firewall's states for the other members of a pfsync(4) cluster; random by default."),
    ("icmp-type", "`icmp-type TYPE [code CODE]` matches ICMP packets of this type (and code), by name (`echoreq`) or number. Needs `proto icmp` (and `inet`)."),
    ("icmp6-type", "`icmp6-type TYPE [code CODE]` matches ICMPv6 packets of this type (and code), by name (`neighbrsol`) or number. Needs `proto icmp6` (and `inet6`)."),
    ("if-bound", "`if-bound` binds a state to the interface it was created on: packets of the connection on another interface do not match it. Set per rule or by `set state-policy`."),
    ("in", "`in` makes the rule match packets coming in on an interface only; without `in` or `out` a rule matches both directions."),
    ("include", "`include \"FILE\"` reads FILE's statements as if written here; macros defined before the include are visible in it."),
    ("inet", "`inet` restricts the rule to IPv4 packets."),
    ("inet6", "`inet6` restricts the rule to IPv6 packets."),
    ("keep", "`keep state` creates a state for the connection when this rule passes its first packet, so that the rest of it (both directions) passes without evaluating the rules. It is the default for `pass` rules."),
    ("label", "`label \"TEXT\"` names the rule for statistics (`pfctl -s labels`); `$if`, `$srcaddr`, `$dstaddr`, `$srcport`, `$dstport`, `$proto` and `$nr` in it are filled in per expanded rule."),
    ("least-states", "`least-states` (pool option) chooses the translation address with the fewest active states, respecting weights."),
    ("limit", "`set limit ITEM NUMBER` sets a hard limit on one of pf's memory pools: `states`, `src-nodes`, `frags`, `tables`, `table-entries`, `anchors`, `pktdelay_pkts`."),
    ("load", "`load anchor NAME from \"FILE\"` fills the anchor NAME with the rules of FILE when the ruleset is loaded; an `anchor NAME` rule is what evaluates them."),
    ("log", "`log` copies the packet to a pflog(4) interface (pflog0 unless `to pflogN`): only the packet creating the state, or every packet with `(all)`, on every later matching rule with `(matches)`, with the socket's uid and pid with `(user)`."),
    ("loginterface", "`set loginterface IF|none` collects packet and byte statistics for one interface or group, shown by `pfctl -s info`; `none` (the default) turns it off."),
    ("match", "`match` applies the rule's parameters (translation, `tag`, `queue`, `rtable`, `scrub`, `log`...) to every matching packet without deciding whether it passes: the pass/block state is left as it was, and later rules see the translated packet."),
    ("max", "`max NUMBER` (state option) limits the states this rule may create; once reached, packets that would create one are dropped. In a queue's `bandwidth` it is the upper limit."),
    ("max-mss", "`max-mss NUMBER` (scrub option) lowers the maximum segment size announced in TCP SYN packets to NUMBER."),
    ("max-pkt-rate", "`max-pkt-rate NUMBER/SECONDS` stops the rule from matching while more than NUMBER packets per SECONDS match it (counted in the direction the state was created)."),
    ("max-src-conn", "`max-src-conn NUMBER` (state option) limits the established TCP connections one source address may hold through this rule; see `overload`."),
    ("max-src-conn-rate", "`max-src-conn-rate NUMBER/SECONDS` (state option) limits the rate of new TCP connections from one source address; see `overload`."),
    ("max-src-nodes", "`max-src-nodes NUMBER` (state option) limits the source addresses that may have states from this rule at once."),
    ("max-src-states", "`max-src-states NUMBER` (state option) limits the states one source address may create through this rule."),
    ("min-ttl", "`min-ttl NUMBER` (scrub option) raises the TTL of matching IP packets to at least NUMBER."),
    ("modulate", "`modulate state` keeps state and replaces the TCP initial sequence numbers with strong random ones (only for TCP). Modulated connections cannot be picked up again after the state table is lost."),
    ("nat-to", "`nat-to ADDR` rewrites the source address (and port) of matching packets, usually outbound, so that many inside hosts share the outside address; return traffic is translated back through the state. `(if)` follows the interface's address."),
    ("no", "`no state` makes a `pass` rule stateless: each packet is evaluated against the rules on its own and replies need their own rule."),
    ("no-df", "`no-df` clears the don't-fragment bit (scrub option), or with `set reassemble yes no-df` reassembles fragments that carry it instead of dropping them."),
    ("no-route", "`no-route` as an address matches any address for which there is currently no route."),
    ("no-sync", "`no-sync` (state option) keeps changes to the rule's states off the pfsync(4) interface: the other firewalls of a cluster do not hear of them."),
    ("on", "`on IF` restricts the rule to packets on this interface or interface group (`egress`, `carp`...); `on any` means any interface but loopback; `on rdomain N` a routing domain; `!` negates."),
    ("once", "`once` makes a one-shot rule: the first packet that matches it marks it expired, and it is skipped from then on."),
    ("optimization", "`set optimization normal|high-latency|satellite|aggressive|conservative` picks a set of state timeouts for a kind of network; `normal` is the default."),
    ("os", "`os \"NAME\"` matches TCP connections whose source's operating system, guessed from its SYN by pf.os(5) fingerprints, is NAME."),
    ("out", "`out` makes the rule match packets going out through an interface only; without `in` or `out` a rule matches both directions."),
    ("overload", "`overload <TABLE> [flush [global]]` (state option) adds a source address that exceeds `max-src-conn` or `max-src-conn-rate` to the table; `flush` also kills its states from this rule (`global`: from every rule)."),
    ("pass", "`pass` lets matching packets through and, unless `no state`, creates a state so the rest of the connection passes without rule evaluation. The last matching `pass` or `block` rule decides (or the first `quick` one)."),
    ("persist", "`persist` (table flag) keeps the table in the kernel even when no rule refers to it, so it can be filled with pfctl at run time."),
    ("pflow", "`pflow` (state option) exports the states this rule creates on the pflow(4) interface."),
    ("port", "`port` compares TCP or UDP ports: a number or service name (`ssh`), `= != < <= > >=` with one value, `a:b` (inclusive range), `a >< b` (between, exclusive), `a <> b` (outside). Needs `proto tcp` or `udp`."),
    ("prio", "`prio NUMBER` matches packets with that queueing priority (0 to 7). `set prio N` or `set prio (N, M)` assigns the priority, the second one to TCP ACKs without data and `lowdelay` packets."),
    ("probability", "`probability N%` makes the rule match only that share of the packets it would otherwise match, chosen at random."),
    ("proto", "`proto PROTOCOL` restricts the rule to one IP protocol, by name (`tcp`, `udp`, `icmp`, `icmp6`...) or number, or a `{ }` list of them."),
    ("queue", "`queue NAME` (or `set queue NAME`) assigns matching packets to a queue defined by a `queue` statement; a second name gets TCP ACKs and `lowdelay` packets. As a statement, `queue NAME on IF bandwidth ...` defines a queue of the hierarchy."),
    ("quick", "`quick` makes a matching rule final: evaluation stops at it and its action applies, instead of the last matching rule's. On an anchor, evaluation stops when the anchor is left if any of its rules matched."),
    ("random", "`random` (pool option) picks a translation address at random within the given block of addresses."),
    ("random-id", "`random-id` (scrub option) replaces the IPv4 identification field with random values."),
    ("rdomain", "`rdomain N` names a routing domain: `on rdomain N` matches packets in it."),
    ("rdr-to", "`rdr-to ADDR [port PORT]` redirects matching packets to another destination address (and port), usually inbound; replies are translated back through the state. Port ranges map one to one with `port N:*`."),
    ("reassemble", "`set reassemble yes|no [no-df]` turns fragment reassembly on (the default) or off. In `scrub (reassemble tcp)` it normalises TCP connections (timestamps, TTL) for the rule's states."),
    ("received-on", "`received-on IF` matches packets that came in on this interface or group (useful on outbound rules); `!` negates."),
    ("reply-to", "`reply-to ADDR` routes the replies of a connection (packets passing the other way on its state) through the given gateway, so answers leave by the path the request came in on."),
    ("return", "`return` answers a blocked TCP packet with a RST and others with an ICMP unreachable (as a `block` option or `set block-policy return`)."),
    ("return-icmp", "`return-icmp [(CODE[, CODE6])]` answers a blocked packet with an ICMP (for IPv6, ICMPv6) message, port unreachable unless a code is given."),
    ("return-icmp6", "`return-icmp6 [(CODE)]` answers a blocked IPv6 packet with an ICMPv6 message, port unreachable unless a code is given."),
    ("return-rst", "`return-rst [(ttl N)]` answers a blocked TCP packet with a RST that closes the connection; other protocols are dropped."),
    ("round-robin", "`round-robin` (pool option) cycles through the translation addresses (a list or a table), respecting weights."),
    ("route", "`route LABEL` as an address matches addresses routed through routes carrying that route(8) label."),
    ("route-to", "`route-to ADDR` sends matching packets to the given gateway instead of routing them by the routing table; with state, packets of the connection in the rule's direction follow it, replies do not."),
    ("rtable", "`rtable N` looks up the route of matching packets in routing table N (only effective before routing, i.e. inbound)."),
    ("ruleset-optimization", "`set ruleset-optimization none|basic|profile` controls how pfctl rewrites the ruleset when loading it: `basic` (the default) removes duplicates and rules covered by others, merges addresses into tables and reorders; `profile` uses the loaded ruleset's counters."),
    ("scrub", "`scrub (OPTIONS)` normalises matching packets: `no-df`, `random-id`, `min-ttl N`, `max-mss N`, `reassemble tcp`. On a `match` rule it sticks to later rules."),
    ("self", "`self` as an address means every address of every interface of this host, as they are when the ruleset loads."),
    ("set", "`set OPTION` at the start of a statement sets a global option (`skip`, `block-policy`, `limit`, `timeout`, `state-policy`...). Inside a rule, `set prio`, `set queue`, `set tos` and `set delay` change what happens to matching packets."),
    ("skip", "`set skip on IFSPEC` makes pf ignore the listed interfaces or groups entirely: packets on them pass as if pf were disabled (typical for `lo`)."),
    ("sloppy", "`sloppy` (state option) tracks TCP without checking sequence numbers, for asymmetric routing where the firewall does not see every packet (not with `modulate` or `synproxy state`); for ICMP it lets replies create states."),
    ("source-hash", "`source-hash [KEY]` (pool option) chooses the translation address from a hash of the source address, so a given source always gets the same one; the key is random at each load unless given."),
    ("source-track", "`source-track [rule|global]` (state option) counts states per source address, needed by the `max-src-*` limits and `sticky-address`."),
    ("state", "`keep state`, `modulate state`, `synproxy state` and `no state` choose how a `pass` rule tracks connections; `state limiter NAME` and `state-defaults` are other uses of the word."),
    ("state-defaults", "`set state-defaults OPTIONS` gives the state options used by rules that create state without an explicit `keep state` list (`pflow`, `no-sync`...)."),
    ("state-policy", "`set state-policy if-bound|floating` chooses whether states are bound to their interface (`if-bound`) or match on any interface (`floating`, the default)."),
    ("static-port", "`static-port` (pool option) keeps the source port unchanged in `nat-to` translations."),
    ("sticky-address", "`sticky-address` (pool option) gives connections from the same source the same translation address while it has states (longer with `set timeout src.track`)."),
    ("syncookies", "`set syncookies never|always|adaptive [(start N%, end N%)]` answers TCP SYNs with syncookies instead of creating states, always or when half-open connections fill that share of the state table; `never` is the default."),
    ("synproxy", "`synproxy state` makes pf complete the TCP handshake with the client itself before opening the connection to the server, so spoofed SYN floods never reach it. Includes `modulate state`; inbound TCP only."),
    ("table", "`table <NAME> [persist] [const] [counters] [file \"PATH\"] [{ ADDRESSES }]` defines a table: a set of addresses and networks looked up quickly, referred to as `<NAME>` in rules."),
    ("tag", "`tag NAME` marks matching packets with NAME, even if a later rule decides; a later rule can replace the tag (a packet has one). `tagged NAME` matches it."),
    ("tagged", "`tagged NAME` matches only packets already marked with that tag by a `tag NAME` rule; `! tagged` negates."),
    ("timeout", "`set timeout NAME SECONDS` sets a state or fragment timeout (`tcp.established`, `udp.single`, `frag`, `interval`, `src.track`...); in a rule's state options it applies to that rule's states. In a table, `timeout N` expires entries after N seconds."),
    ("to", "`to DST [port DST]` restricts the rule to packets with this destination address (and port); see `from`. `log (to pflogN)` names the log interface."),
    ("tos", "`tos VALUE` matches packets with these TOS bits (a name such as `lowdelay`, a DiffServ code point such as `af11`, or a number); `set tos VALUE` rewrites them."),
    ("urpf-failed", "`urpf-failed` as a source matches packets that fail the unicast reverse path check: they came in on an interface other than the one the route back to their source uses."),
    ("user", "`user USER` matches only packets of sockets owned by that user (effective uid), compared like ports (`user { < 1000, _pbuild }`). Only TCP and UDP sockets have an owner; combine with `self` to be sure the traffic is local."),
    ("weight", "`weight N` gives an address of a pool or table a weight from 1 to 65535 for `round-robin` and `least-states`: heavier addresses are chosen more often."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_every_main_keyword_is_explained() {
        assert!(KEYWORD_HELP.windows(2).all(|w| w[0].0 < w[1].0));
        for word in [
            "pass",
            "block",
            "match",
            "quick",
            "in",
            "out",
            "on",
            "inet",
            "inet6",
            "proto",
            "from",
            "to",
            "port",
            "keep",
            "modulate",
            "synproxy",
            "nat-to",
            "rdr-to",
            "binat-to",
            "route-to",
            "tag",
            "tagged",
            "label",
            "antispoof",
            "anchor",
            "table",
            "skip",
            "scrub",
            "log",
            "all",
            "any",
            "self",
            "urpf-failed",
        ] {
            assert!(keyword(word).is_some(), "{word}");
        }
        assert_eq!(keyword("nonsense"), None);
    }

    #[test]
    fn every_explained_word_is_a_keyword_and_every_entry_one_paragraph() {
        for (word, text) in KEYWORD_HELP {
            assert!(super::super::words::is_keyword(word), "{word}");
            assert!(!text.contains('\n'), "{word}");
            assert!(text.len() < 600, "{word}: keep it to a paragraph");
        }
    }
}
