//! Built-in name tables for services, protocols, ICMP types/codes and TOS
//! keywords.
//!
//! pfctl resolves port names, protocol names and ICMP names through the
//! host's C library and its own tables. pfconf runs on Linux, whose
//! `/etc/services` and `/etc/protocols` differ from OpenBSD's, so reading the
//! host files would give answers pfctl never would. This module owns fixed
//! copies of the facts pfctl sees instead, taken from OpenBSD's /etc/services,
//! /etc/protocols and pfctl's ICMP tables:
//!
//! * services: OpenBSD `src/etc/services` revision 1.105 (2023/05/25), every
//!   `tcp` and `udp` entry with its aliases;
//! * protocols: OpenBSD `src/etc/protocols` revision 1.24 (2014/07/12);
//! * ICMP types and codes: the `icmp_type`, `icmp6_type`, `icmp_code` and
//!   `icmp6_code` arrays of `sbin/pfctl/pfctl_parser.c` revision 1.352
//!   (2024/11/12), with the numeric values of the `<netinet/ip_icmp.h>` and
//!   `<netinet/icmp6.h>` constants they use;
//! * TOS keywords: `map_tos()` in pfctl's `parse.y`.
//!
//! The lookups follow the C functions pfctl calls: the first matching entry
//! of a file wins, and names are compared case-sensitively except for TOS
//! keywords. Every table is a `match` (or, for TOS, a sorted static slice), so
//! lookups allocate nothing.
//!
//! Rooms: `services.rs`, `protocols.rs`, `icmp.rs`; the TOS keywords are
//! here. This module imports nothing from the crate (`service_name` takes
//! a protocol number, which `crate::Protocol` converts into): `numbers`
//! builds its typed `Protocol` and `Port` on these tables.

mod icmp;
mod protocols;
mod services;

pub use icmp::{icmp_code, icmp_code_name, icmp_type, icmp_type_name};
pub use protocols::{protocol_name, protocol_number};
pub use services::{service_name, service_port};

// ---------------------------------------------------------------------------
// TOS keywords
// ---------------------------------------------------------------------------

/// pfctl's `map_tos()` keywords with their `IPTOS_*` values, sorted by
/// keyword (pfctl binary-searches the same sorted list). DSCP code points
/// appear shifted into the upper six bits of the TOS byte.
static TOS_KEYWORDS: &[(&str, u8)] = &[
    ("af11", 0x28),        // IPTOS_DSCP_AF11
    ("af12", 0x30),        // IPTOS_DSCP_AF12
    ("af13", 0x38),        // IPTOS_DSCP_AF13
    ("af21", 0x48),        // IPTOS_DSCP_AF21
    ("af22", 0x50),        // IPTOS_DSCP_AF22
    ("af23", 0x58),        // IPTOS_DSCP_AF23
    ("af31", 0x68),        // IPTOS_DSCP_AF31
    ("af32", 0x70),        // IPTOS_DSCP_AF32
    ("af33", 0x78),        // IPTOS_DSCP_AF33
    ("af41", 0x88),        // IPTOS_DSCP_AF41
    ("af42", 0x90),        // IPTOS_DSCP_AF42
    ("af43", 0x98),        // IPTOS_DSCP_AF43
    ("critical", 0xa0),    // IPTOS_PREC_CRITIC_ECP
    ("cs0", 0x00),         // IPTOS_DSCP_CS0
    ("cs1", 0x20),         // IPTOS_DSCP_CS1
    ("cs2", 0x40),         // IPTOS_DSCP_CS2
    ("cs3", 0x60),         // IPTOS_DSCP_CS3
    ("cs4", 0x80),         // IPTOS_DSCP_CS4
    ("cs5", 0xa0),         // IPTOS_DSCP_CS5
    ("cs6", 0xc0),         // IPTOS_DSCP_CS6
    ("cs7", 0xe0),         // IPTOS_DSCP_CS7
    ("ef", 0xb8),          // IPTOS_DSCP_EF
    ("inetcontrol", 0xc0), // IPTOS_PREC_INTERNETCONTROL
    ("lowdelay", 0x10),    // IPTOS_LOWDELAY
    ("netcontrol", 0xe0),  // IPTOS_PREC_NETCONTROL
    ("reliability", 0x04), // IPTOS_RELIABILITY
    ("throughput", 0x08),  // IPTOS_THROUGHPUT
];

/// Returns the TOS byte for a keyword, like pfctl's `map_tos()`: the
/// Differentiated Services code points `af11`..`af43`, `cs0`..`cs7` and `ef`, plus
/// `critical`, `inetcontrol`, `lowdelay`, `netcontrol`, `reliability` and
/// `throughput`, compared ASCII case-insensitively.
///
/// Numeric TOS values are not handled here. Returns `None` for anything that
/// is not a keyword.
#[must_use]
pub fn tos_value(name: &str) -> Option<u8> {
    TOS_KEYWORDS
        .binary_search_by(|&(keyword, _)| {
            keyword
                .bytes()
                .cmp(name.bytes().map(|b| b.to_ascii_lowercase()))
        })
        .ok()
        .and_then(|index| TOS_KEYWORDS.get(index))
        .map(|&(_, value)| value)
}

#[cfg(test)]
mod tests;
