//! IP protocols and ports as typed numbers: read from a number or a name
//! as pfctl reads them (`getprotobyname`, `getservice`), written as pfctl
//! prints them. The names come from OpenBSD's tables in [`crate::names`].
//!
//! ```
//! use pfconf::{Port, Protocol};
//!
//! let tcp: Protocol = "tcp".parse().unwrap();
//! assert_eq!(tcp, Protocol::TCP);
//! assert_eq!(Protocol(112).to_string(), "carp");
//! assert_eq!(Protocol(253).to_string(), "253");
//!
//! let https: Port = "https".parse().unwrap();
//! assert_eq!(https, Port(443));
//! assert_eq!(https.to_string(), "443");
//! assert_eq!(https.name(Protocol::TCP), Some("https"));
//! assert_eq!("70000".parse::<Port>().unwrap_err().to_string(), "illegal port value 70000");
//! ```

use crate::names;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// An IP protocol number. `Display` writes its name when OpenBSD's
/// protocols file has one (`tcp`), else the number; `FromStr` reads a
/// number (0 to 255) or a name. Serialized as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Protocol(pub u8);

impl Protocol {
    /// icmp (1)
    pub const ICMP: Protocol = Protocol(1);
    /// tcp (6)
    pub const TCP: Protocol = Protocol(6);
    /// udp (17)
    pub const UDP: Protocol = Protocol(17);
    /// ipv6-icmp (58)
    pub const ICMP6: Protocol = Protocol(58);
    /// carp (112)
    pub const CARP: Protocol = Protocol(112);
    /// pfsync (240)
    pub const PFSYNC: Protocol = Protocol(240);

    /// The number.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The official name (`getprotobynumber`), if there is one.
    pub fn name(self) -> Option<&'static str> {
        names::protocol_name(self.0)
    }
}

impl From<u8> for Protocol {
    fn from(n: u8) -> Self {
        Protocol(n)
    }
}

impl From<Protocol> for u8 {
    fn from(p: Protocol) -> Self {
        p.0
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.pad(n),
            None => f.pad(&self.0.to_string()),
        }
    }
}

impl FromStr for Protocol {
    type Err = ProtocolError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<u8>()
            .ok()
            .or_else(|| names::protocol_number(s))
            .map(Protocol)
            .ok_or_else(|| ProtocolError {
                word: s.to_string(),
            })
    }
}

/// A word that is no protocol number or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// The word.
    pub word: String,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown protocol {}", self.word)
    }
}

impl std::error::Error for ProtocolError {}

/// A TCP or UDP port. `Display` writes the number (as `pfctl -nv`
/// does); `FromStr` reads a number as pfctl's `atoul` (decimal, `0x`
/// hex, `0` octal) up to 65535, or a service name (`getservice`: tcp,
/// then udp). Serialized as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Port(pub u16);

impl Port {
    /// The number.
    pub fn number(self) -> u16 {
        self.0
    }

    /// The official service name of the port for `proto` (`getservbyport`;
    /// tcp and udp only).
    pub fn name(self, proto: Protocol) -> Option<&'static str> {
        names::service_name(self.0, proto)
    }
}

impl From<u16> for Port {
    fn from(n: u16) -> Self {
        Port(n)
    }
}

impl From<Port> for u16 {
    fn from(p: Port) -> Self {
        p.0
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Port {
    type Err = PortError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let illegal = || PortError::Illegal {
            word: s.to_string(),
        };
        if let Some(n) = atoul(s) {
            return u16::try_from(n).map(Port).map_err(|_| illegal());
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(illegal());
        }
        names::service_port(s)
            .map(Port)
            .ok_or_else(|| PortError::Unknown {
                word: s.to_string(),
            })
    }
}

/// A word that is no port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortError {
    /// A number above 65535 (or digits that are no number).
    Illegal {
        /// The word.
        word: String,
    },
    /// A name that is no service.
    Unknown {
        /// The word.
        word: String,
    },
}

impl PortError {
    /// The word that is no port.
    pub fn word(&self) -> &str {
        match self {
            PortError::Illegal { word } | PortError::Unknown { word } => word,
        }
    }
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortError::Illegal { word } => write!(f, "illegal port value {word}"),
            PortError::Unknown { word } => write!(f, "unknown port {word}"),
        }
    }
}

impl std::error::Error for PortError {}

/// pfctl's `atoul`: decimal, `0x` hex or `0` octal.
pub(crate) fn atoul(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_round_trip_through_their_names_and_numbers() {
        // OpenBSD's protocols file gives one name to 61, 63, 68 and 99
        // ("any ... protocol"); getprotobyname returns the first.
        for n in 0..=255u8 {
            let p = Protocol(n);
            let back = if matches!(n, 63 | 68 | 99) { 61 } else { n };
            assert_eq!(p.to_string().parse::<Protocol>(), Ok(Protocol(back)), "{n}");
        }
        assert_eq!("6".parse::<Protocol>(), Ok(Protocol::TCP));
        assert_eq!("ipv6-icmp".parse::<Protocol>(), Ok(Protocol::ICMP6));
        assert_eq!(
            "nonsense".parse::<Protocol>().unwrap_err().to_string(),
            "unknown protocol nonsense"
        );
        assert_eq!(serde_json::to_string(&Protocol::UDP).unwrap(), "17");
    }

    #[test]
    fn ports_read_numbers_as_atoul_and_names_as_getservice() {
        for n in [0u16, 1, 22, 443, 65535] {
            assert_eq!(Port(n).to_string().parse::<Port>(), Ok(Port(n)));
        }
        assert_eq!("0x50".parse::<Port>(), Ok(Port(80)));
        assert_eq!("ssh".parse::<Port>(), Ok(Port(22)));
        assert_eq!(
            "65536".parse::<Port>(),
            Err(PortError::Illegal {
                word: "65536".into()
            })
        );
        let e = "nosuchservice".parse::<Port>().unwrap_err();
        assert_eq!(e.to_string(), "unknown port nosuchservice");
        assert_eq!(e.word(), "nosuchservice");
        assert_eq!(Port(53).name(Protocol::UDP), Some("domain"));
        assert_eq!(Port(53).name(Protocol::ICMP), None);
        assert_eq!(serde_json::to_string(&Port(8080)).unwrap(), "8080");
    }
}
