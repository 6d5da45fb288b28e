//! BusyBox `nslookup` inside a pod: the server it asks (the kube-dns
//! Service), then the answer for the first search-path candidate that
//! resolves, CNAMEs as `canonical name` lines (BusyBox 1.36
//! `networking/nslookup.c`).

use super::{sleep, source, Origin, ToolOutput};
use crate::net::addr::IpDisplay;
use crate::net::dns::{self, DnsError};
use crate::net::engine::Failure;
use crate::sim::World;

pub fn nslookup(world: &mut World, from: &Origin, name: &str) -> ToolOutput {
    let src = match source(world, from) {
        Ok(s) => s,
        Err(e) => return ToolOutput::fail(1, format!("{e}\n")),
    };
    let ns = match from {
        Origin::Pod(ns, _) => ns.clone(),
        _ => {
            return ToolOutput::fail(
                1,
                "nslookup: kubesim models nslookup inside pods (kubectl exec)\n",
            )
        }
    };
    let mut out = ToolOutput::default();
    let server = IpDisplay(dns::DNS_SERVICE_IP);
    let path = super::net(world).engine_mut().dns_path(src);
    let per_query = match path {
        Ok(us) => us,
        Err(Failure::DnsTimeout) => {
            sleep(world, crate::net::latency::timings::DNS_TIMEOUT_US);
            out.out(";; connection timed out; no servers could be reached\n\n");
            out.code = 1;
            return out;
        }
        Err(_) => {
            out.out(format!(
                ";; communications error to {server}#53: connection refused\n"
            ));
            out.code = 1;
            return out;
        }
    };
    out.out(format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n"));
    let answer = super::net(world).engine().dns.resolve_in_pod(&ns, name);
    match answer {
        Ok(a) => {
            sleep(world, per_query * a.queries.max(1) as u64);
            for (from, to) in &a.cnames {
                out.out(format!("{from}\tcanonical name = {to}\n"));
            }
            let shown = a
                .cnames
                .last()
                .map(|(_, t)| t.clone())
                .unwrap_or(a.name.clone());
            for ip in &a.ips {
                out.out(format!("Name:\t{shown}\nAddress: {}\n", IpDisplay(*ip)));
            }
            out.out("\n");
        }
        Err(DnsError::NotFound { queries }) => {
            sleep(world, per_query * queries as u64);
            out.out(format!("** server can't find {name}: NXDOMAIN\n\n"));
            out.code = 1;
        }
    }
    out
}
