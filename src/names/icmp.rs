//! pfctl's ICMP and ICMPv6 type and code names (`pfctl_parser.c`'s
//! `icmp_type`, `icmp6_type`, `icmp_code` and `icmp6_code` arrays), with
//! the numeric values of the `<netinet/ip_icmp.h>` and `<netinet/icmp6.h>`
//! constants they use. Lookups by name and by number, per family.

// ICMP type numbers from <netinet/ip_icmp.h>, named as there.
const ICMP_ECHOREPLY: u8 = 0;
const ICMP_UNREACH: u8 = 3;
const ICMP_SOURCEQUENCH: u8 = 4;
const ICMP_REDIRECT: u8 = 5;
const ICMP_ALTHOSTADDR: u8 = 6;
const ICMP_ECHO: u8 = 8;
const ICMP_ROUTERADVERT: u8 = 9;
const ICMP_ROUTERSOLICIT: u8 = 10;
const ICMP_TIMXCEED: u8 = 11;
const ICMP_PARAMPROB: u8 = 12;
const ICMP_TSTAMP: u8 = 13;
const ICMP_TSTAMPREPLY: u8 = 14;
const ICMP_IREQ: u8 = 15;
const ICMP_IREQREPLY: u8 = 16;
const ICMP_MASKREQ: u8 = 17;
const ICMP_MASKREPLY: u8 = 18;
const ICMP_TRACEROUTE: u8 = 30;
const ICMP_DATACONVERR: u8 = 31;
const ICMP_MOBILE_REDIRECT: u8 = 32;
const ICMP_IPV6_WHEREAREYOU: u8 = 33;
const ICMP_IPV6_IAMHERE: u8 = 34;
const ICMP_MOBILE_REGREQUEST: u8 = 35;
const ICMP_MOBILE_REGREPLY: u8 = 36;
const ICMP_SKIP: u8 = 39;
const ICMP_PHOTURIS: u8 = 40;

// ICMPv6 type numbers from <netinet/icmp6.h>. Several C names share a value;
// the other names are given in the comments.
const ICMP6_DST_UNREACH: u8 = 1;
const ICMP6_PACKET_TOO_BIG: u8 = 2;
const ICMP6_TIME_EXCEEDED: u8 = 3;
const ICMP6_PARAM_PROB: u8 = 4;
const ICMP6_ECHO_REQUEST: u8 = 128;
const ICMP6_ECHO_REPLY: u8 = 129;
/// Also `ICMP6_MEMBERSHIP_QUERY`.
const MLD_LISTENER_QUERY: u8 = 130;
/// Also `ICMP6_MEMBERSHIP_REPORT`.
const MLD_LISTENER_REPORT: u8 = 131;
/// Also `ICMP6_MEMBERSHIP_REDUCTION`.
const MLD_LISTENER_DONE: u8 = 132;
const ND_ROUTER_SOLICIT: u8 = 133;
const ND_ROUTER_ADVERT: u8 = 134;
const ND_NEIGHBOR_SOLICIT: u8 = 135;
const ND_NEIGHBOR_ADVERT: u8 = 136;
const ND_REDIRECT: u8 = 137;
const ICMP6_ROUTER_RENUMBERING: u8 = 138;
/// Also `ICMP6_FQDN_QUERY` and `ICMP6_NI_QUERY`.
const ICMP6_WRUREQUEST: u8 = 139;
/// Also `ICMP6_FQDN_REPLY` and `ICMP6_NI_REPLY`.
const ICMP6_WRUREPLY: u8 = 140;
const MLDV2_LISTENER_REPORT: u8 = 143;
const MLD_MTRACE_RESP: u8 = 200;
const MLD_MTRACE: u8 = 201;

/// Returns the ICMP type number for `name`, like pfctl's
/// `geticmptypebyname()`: the `icmp6_type` table when `v6` is true
/// (`AF_INET6`), the `icmp_type` table otherwise. Names are case-sensitive.
#[must_use]
pub fn icmp_type(name: &str, v6: bool) -> Option<u8> {
    if v6 {
        icmp6_type_by_name(name)
    } else {
        icmp4_type_by_name(name)
    }
}

/// Returns pfctl's name for ICMP type `number`, like `geticmptypebynumber()`.
///
/// Where the `icmp6_type` table gives one number several names (130 to 132, 139 and
/// 140), the first in pfctl's table is returned, as pfctl does.
#[must_use]
pub fn icmp_type_name(number: u8, v6: bool) -> Option<&'static str> {
    if v6 {
        icmp6_type_by_number(number)
    } else {
        icmp4_type_by_number(number)
    }
}

/// Returns the code number for the ICMP code `name` of type `icmp_type`,
/// like pfctl's `geticmpcodebyname(type, name, af)`. Names are
/// case-sensitive; a name that exists only for another type gives `None`.
#[must_use]
pub fn icmp_code(icmp_type: u8, name: &str, v6: bool) -> Option<u8> {
    if v6 {
        icmp6_code_by_name(icmp_type, name)
    } else {
        icmp4_code_by_name(icmp_type, name)
    }
}

/// Returns pfctl's name for code `code` of ICMP type `icmp_type`, like
/// `geticmpcodebynumber()`.
#[must_use]
pub fn icmp_code_name(icmp_type: u8, code: u8, v6: bool) -> Option<&'static str> {
    if v6 {
        icmp6_code_by_number(icmp_type, code)
    } else {
        icmp4_code_by_number(icmp_type, code)
    }
}

/// pfctl's `icmp_type` table, by name.
fn icmp4_type_by_name(name: &str) -> Option<u8> {
    let number = match name {
        "echoreq" => ICMP_ECHO,
        "echorep" => ICMP_ECHOREPLY,
        "unreach" => ICMP_UNREACH,
        "squench" => ICMP_SOURCEQUENCH,
        "redir" => ICMP_REDIRECT,
        "althost" => ICMP_ALTHOSTADDR,
        "routeradv" => ICMP_ROUTERADVERT,
        "routersol" => ICMP_ROUTERSOLICIT,
        "timex" => ICMP_TIMXCEED,
        "paramprob" => ICMP_PARAMPROB,
        "timereq" => ICMP_TSTAMP,
        "timerep" => ICMP_TSTAMPREPLY,
        "inforeq" => ICMP_IREQ,
        "inforep" => ICMP_IREQREPLY,
        "maskreq" => ICMP_MASKREQ,
        "maskrep" => ICMP_MASKREPLY,
        "trace" => ICMP_TRACEROUTE,
        "dataconv" => ICMP_DATACONVERR,
        "mobredir" => ICMP_MOBILE_REDIRECT,
        "ipv6-where" => ICMP_IPV6_WHEREAREYOU,
        "ipv6-here" => ICMP_IPV6_IAMHERE,
        "mobregreq" => ICMP_MOBILE_REGREQUEST,
        "mobregrep" => ICMP_MOBILE_REGREPLY,
        "skip" => ICMP_SKIP,
        "photuris" => ICMP_PHOTURIS,
        _ => return None,
    };
    Some(number)
}

/// pfctl's `icmp_type` table, by number.
fn icmp4_type_by_number(number: u8) -> Option<&'static str> {
    let name = match number {
        ICMP_ECHOREPLY => "echorep",
        ICMP_UNREACH => "unreach",
        ICMP_SOURCEQUENCH => "squench",
        ICMP_REDIRECT => "redir",
        ICMP_ALTHOSTADDR => "althost",
        ICMP_ECHO => "echoreq",
        ICMP_ROUTERADVERT => "routeradv",
        ICMP_ROUTERSOLICIT => "routersol",
        ICMP_TIMXCEED => "timex",
        ICMP_PARAMPROB => "paramprob",
        ICMP_TSTAMP => "timereq",
        ICMP_TSTAMPREPLY => "timerep",
        ICMP_IREQ => "inforeq",
        ICMP_IREQREPLY => "inforep",
        ICMP_MASKREQ => "maskreq",
        ICMP_MASKREPLY => "maskrep",
        ICMP_TRACEROUTE => "trace",
        ICMP_DATACONVERR => "dataconv",
        ICMP_MOBILE_REDIRECT => "mobredir",
        ICMP_IPV6_WHEREAREYOU => "ipv6-where",
        ICMP_IPV6_IAMHERE => "ipv6-here",
        ICMP_MOBILE_REGREQUEST => "mobregreq",
        ICMP_MOBILE_REGREPLY => "mobregrep",
        ICMP_SKIP => "skip",
        ICMP_PHOTURIS => "photuris",
        _ => return None,
    };
    Some(name)
}

/// pfctl's `icmp6_type` table, by name.
fn icmp6_type_by_name(name: &str) -> Option<u8> {
    let number = match name {
        "unreach" => ICMP6_DST_UNREACH,
        "toobig" => ICMP6_PACKET_TOO_BIG,
        "timex" => ICMP6_TIME_EXCEEDED,
        "paramprob" => ICMP6_PARAM_PROB,
        "echoreq" => ICMP6_ECHO_REQUEST,
        "echorep" => ICMP6_ECHO_REPLY,
        "groupqry" | "listqry" => MLD_LISTENER_QUERY,
        "grouprep" | "listenrep" => MLD_LISTENER_REPORT,
        "groupterm" | "listendone" => MLD_LISTENER_DONE,
        "routersol" => ND_ROUTER_SOLICIT,
        "routeradv" => ND_ROUTER_ADVERT,
        "neighbrsol" => ND_NEIGHBOR_SOLICIT,
        "neighbradv" => ND_NEIGHBOR_ADVERT,
        "redir" => ND_REDIRECT,
        "routrrenum" => ICMP6_ROUTER_RENUMBERING,
        "wrureq" | "fqdnreq" | "niqry" => ICMP6_WRUREQUEST,
        "wrurep" | "fqdnrep" | "nirep" => ICMP6_WRUREPLY,
        "mtraceresp" => MLD_MTRACE_RESP,
        "mtrace" => MLD_MTRACE,
        "listenrepv2" => MLDV2_LISTENER_REPORT,
        _ => return None,
    };
    Some(number)
}

/// pfctl's `icmp6_type` table, by number (first name in table order).
fn icmp6_type_by_number(number: u8) -> Option<&'static str> {
    let name = match number {
        ICMP6_DST_UNREACH => "unreach",
        ICMP6_PACKET_TOO_BIG => "toobig",
        ICMP6_TIME_EXCEEDED => "timex",
        ICMP6_PARAM_PROB => "paramprob",
        ICMP6_ECHO_REQUEST => "echoreq",
        ICMP6_ECHO_REPLY => "echorep",
        MLD_LISTENER_QUERY => "groupqry",
        MLD_LISTENER_REPORT => "grouprep",
        MLD_LISTENER_DONE => "groupterm",
        ND_ROUTER_SOLICIT => "routersol",
        ND_ROUTER_ADVERT => "routeradv",
        ND_NEIGHBOR_SOLICIT => "neighbrsol",
        ND_NEIGHBOR_ADVERT => "neighbradv",
        ND_REDIRECT => "redir",
        ICMP6_ROUTER_RENUMBERING => "routrrenum",
        ICMP6_WRUREQUEST => "wrureq",
        ICMP6_WRUREPLY => "wrurep",
        MLDV2_LISTENER_REPORT => "listenrepv2",
        MLD_MTRACE_RESP => "mtraceresp",
        MLD_MTRACE => "mtrace",
        _ => return None,
    };
    Some(name)
}

/// pfctl's `icmp_code` table, by type and name.
fn icmp4_code_by_name(icmp_type: u8, name: &str) -> Option<u8> {
    let code = match (icmp_type, name) {
        (ICMP_UNREACH, "net-unr") => 0,
        (ICMP_UNREACH, "host-unr") => 1,
        (ICMP_UNREACH, "proto-unr") => 2,
        (ICMP_UNREACH, "port-unr") => 3,
        (ICMP_UNREACH, "needfrag") => 4,
        (ICMP_UNREACH, "srcfail") => 5,
        (ICMP_UNREACH, "net-unk") => 6,
        (ICMP_UNREACH, "host-unk") => 7,
        (ICMP_UNREACH, "isolate") => 8,
        (ICMP_UNREACH, "net-prohib") => 9,
        (ICMP_UNREACH, "host-prohib") => 10,
        (ICMP_UNREACH, "net-tos") => 11,
        (ICMP_UNREACH, "host-tos") => 12,
        (ICMP_UNREACH, "filter-prohib") => 13,
        (ICMP_UNREACH, "host-preced") => 14,
        (ICMP_UNREACH, "cutoff-preced") => 15,
        (ICMP_REDIRECT, "redir-net") => 0,
        (ICMP_REDIRECT, "redir-host") => 1,
        (ICMP_REDIRECT, "redir-tos-net") => 2,
        (ICMP_REDIRECT, "redir-tos-host") => 3,
        (ICMP_ROUTERADVERT, "normal-adv") => 0,
        (ICMP_ROUTERADVERT, "common-adv") => 16,
        (ICMP_TIMXCEED, "transit") => 0,
        (ICMP_TIMXCEED, "reassemb") => 1,
        (ICMP_PARAMPROB, "badhead") => 0,
        (ICMP_PARAMPROB, "optmiss") => 1,
        (ICMP_PARAMPROB, "badlen") => 2,
        (ICMP_PHOTURIS, "unknown-ind") => 1,
        (ICMP_PHOTURIS, "auth-fail") => 2,
        (ICMP_PHOTURIS, "decrypt-fail") => 3,
        _ => return None,
    };
    Some(code)
}

/// pfctl's `icmp_code` table, by type and code.
fn icmp4_code_by_number(icmp_type: u8, code: u8) -> Option<&'static str> {
    let name = match (icmp_type, code) {
        (ICMP_UNREACH, 0) => "net-unr",
        (ICMP_UNREACH, 1) => "host-unr",
        (ICMP_UNREACH, 2) => "proto-unr",
        (ICMP_UNREACH, 3) => "port-unr",
        (ICMP_UNREACH, 4) => "needfrag",
        (ICMP_UNREACH, 5) => "srcfail",
        (ICMP_UNREACH, 6) => "net-unk",
        (ICMP_UNREACH, 7) => "host-unk",
        (ICMP_UNREACH, 8) => "isolate",
        (ICMP_UNREACH, 9) => "net-prohib",
        (ICMP_UNREACH, 10) => "host-prohib",
        (ICMP_UNREACH, 11) => "net-tos",
        (ICMP_UNREACH, 12) => "host-tos",
        (ICMP_UNREACH, 13) => "filter-prohib",
        (ICMP_UNREACH, 14) => "host-preced",
        (ICMP_UNREACH, 15) => "cutoff-preced",
        (ICMP_REDIRECT, 0) => "redir-net",
        (ICMP_REDIRECT, 1) => "redir-host",
        (ICMP_REDIRECT, 2) => "redir-tos-net",
        (ICMP_REDIRECT, 3) => "redir-tos-host",
        (ICMP_ROUTERADVERT, 0) => "normal-adv",
        (ICMP_ROUTERADVERT, 16) => "common-adv",
        (ICMP_TIMXCEED, 0) => "transit",
        (ICMP_TIMXCEED, 1) => "reassemb",
        (ICMP_PARAMPROB, 0) => "badhead",
        (ICMP_PARAMPROB, 1) => "optmiss",
        (ICMP_PARAMPROB, 2) => "badlen",
        (ICMP_PHOTURIS, 1) => "unknown-ind",
        (ICMP_PHOTURIS, 2) => "auth-fail",
        (ICMP_PHOTURIS, 3) => "decrypt-fail",
        _ => return None,
    };
    Some(name)
}

/// pfctl's `icmp6_code` table, by type and name.
fn icmp6_code_by_name(icmp_type: u8, name: &str) -> Option<u8> {
    let code = match (icmp_type, name) {
        (ICMP6_DST_UNREACH, "admin-unr") => 1,
        (ICMP6_DST_UNREACH, "noroute-unr") => 0,
        (ICMP6_DST_UNREACH, "beyond-unr") => 2,
        (ICMP6_DST_UNREACH, "addr-unr") => 3,
        (ICMP6_DST_UNREACH, "port-unr") => 4,
        (ICMP6_TIME_EXCEEDED, "transit") => 0,
        (ICMP6_TIME_EXCEEDED, "reassemb") => 1,
        (ICMP6_PARAM_PROB, "badhead") => 0,
        (ICMP6_PARAM_PROB, "nxthdr") => 1,
        (ND_REDIRECT, "redironlink") => 0,
        (ND_REDIRECT, "redirrouter") => 1,
        _ => return None,
    };
    Some(code)
}

/// pfctl's `icmp6_code` table, by type and code.
fn icmp6_code_by_number(icmp_type: u8, code: u8) -> Option<&'static str> {
    let name = match (icmp_type, code) {
        (ICMP6_DST_UNREACH, 0) => "noroute-unr",
        (ICMP6_DST_UNREACH, 1) => "admin-unr",
        (ICMP6_DST_UNREACH, 2) => "beyond-unr",
        (ICMP6_DST_UNREACH, 3) => "addr-unr",
        (ICMP6_DST_UNREACH, 4) => "port-unr",
        (ICMP6_TIME_EXCEEDED, 0) => "transit",
        (ICMP6_TIME_EXCEEDED, 1) => "reassemb",
        (ICMP6_PARAM_PROB, 0) => "badhead",
        (ICMP6_PARAM_PROB, 1) => "nxthdr",
        (ND_REDIRECT, 0) => "redironlink",
        (ND_REDIRECT, 1) => "redirrouter",
        _ => return None,
    };
    Some(name)
}
