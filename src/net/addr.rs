//! IPv4 addresses and CIDRs as the simulated network uses them: `u32`
//! values (cheap to copy, compare and index), with the cluster's ranges.
//!
//! The ranges are kubeadm's defaults (`cmd/kubeadm/app/constants`:
//! `DefaultServicesSubnet` 10.96.0.0/12; the pod network 10.244.0.0/16 the
//! workshop's add-on uses, one /24 per node) and the apiserver's NodePort
//! range (`pkg/kubeapiserver/options/options.go` `DefaultServiceNodePortRange`).

use std::fmt;
use std::net::Ipv4Addr;

/// An IPv4 address as a number (network byte order value).
pub type Ip = u32;

/// The Service ClusterIP range.
pub const SERVICE_CIDR: Cidr = Cidr {
    base: 0x0a60_0000, // 10.96.0.0
    prefix: 12,
};
/// The pod network (each node gets a /24 of it).
pub const POD_CIDR: Cidr = Cidr {
    base: 0x0af4_0000, // 10.244.0.0
    prefix: 16,
};
/// The first and last NodePort.
pub const NODE_PORT_MIN: i32 = 30000;
pub const NODE_PORT_MAX: i32 = 32767;
/// The simulated load balancer's address pool (a MetalLB-style L2 pool on
/// the lab's network, as kind's documentation uses).
pub const LB_POOL_FIRST: Ip = 0xac12_ffc8; // 172.18.255.200
pub const LB_POOL_LAST: Ip = 0xac12_fffa; // 172.18.255.250
/// Where "outside" clients (the teacher's laptop, a browser) come from.
pub const OUTSIDE_CLIENT_IP: Ip = 0xc0a8_0164; // 192.168.1.100

/// Parses a dotted quad.
pub fn parse_ip(s: &str) -> Option<Ip> {
    s.trim().parse::<Ipv4Addr>().ok().map(u32::from)
}

/// Formats an address as a dotted quad.
pub fn fmt_ip(ip: Ip) -> String {
    Ipv4Addr::from(ip).to_string()
}

/// Displays an address without allocating.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct IpDisplay(pub Ip);

impl fmt::Display for IpDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0.to_be_bytes();
        write!(f, "{}.{}.{}.{}", o[0], o[1], o[2], o[3])
    }
}

/// An IPv4 prefix.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cidr {
    pub base: Ip,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `10.96.0.0/12` (a bare address is a /32).
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, p.parse::<u8>().ok()?),
            None => (s, 32),
        };
        if prefix > 32 {
            return None;
        }
        let ip = parse_ip(addr)?;
        Some(Cidr {
            base: ip & Self::mask_of(prefix),
            prefix,
        })
    }
    fn mask_of(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        }
    }
    pub fn mask(&self) -> u32 {
        Self::mask_of(self.prefix)
    }
    pub fn contains(&self, ip: Ip) -> bool {
        ip & self.mask() == self.base
    }
    /// Number of addresses in the prefix.
    pub fn size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }
    /// The last address (broadcast).
    pub fn last(&self) -> Ip {
        self.base | !self.mask()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", IpDisplay(self.base), self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_addresses_and_prefixes() {
        assert_eq!(parse_ip("10.96.0.10"), Some(0x0a60_000a));
        assert_eq!(fmt_ip(0x0a60_000a), "10.96.0.10");
        assert_eq!(parse_ip("10.96.0"), None);
        let c = Cidr::parse("10.96.0.0/12").unwrap();
        assert_eq!(c, SERVICE_CIDR);
        assert!(c.contains(parse_ip("10.111.255.254").unwrap()));
        assert!(!c.contains(parse_ip("10.112.0.1").unwrap()));
        assert_eq!(c.last(), parse_ip("10.111.255.255").unwrap());
        assert_eq!(
            Cidr::parse("10.244.1.7/24").unwrap().to_string(),
            "10.244.1.0/24"
        );
        assert_eq!(Cidr::parse("1.2.3.4").unwrap().prefix, 32);
        assert_eq!(Cidr::parse("0.0.0.0/0").unwrap().size(), 1 << 32);
        assert!(Cidr::parse("1.2.3.4/33").is_none());
    }
}
