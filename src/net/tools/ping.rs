//! `ping`: iputils' (on the nodes and outside) or BusyBox's (in pods), one
//! ICMP echo per second. ClusterIPs do not answer (kube-proxy's iptables
//! rules only translate the Service's ports); dropped packets are lost
//! replies. Formats of iputils `ping/ping_common.c` and BusyBox
//! `networking/ping.c`.

use super::{now_us, sleep, source, Origin, ToolOutput};
use crate::net::addr::IpDisplay;
use crate::sim::World;

/// Runs `ping -c count host`.
pub fn ping(world: &mut World, from: &Origin, host: &str, count: u32) -> ToolOutput {
    let src = match source(world, from) {
        Ok(s) => s,
        Err(e) => return ToolOutput::fail(1, format!("{e}\n")),
    };
    let busybox = matches!(from, Origin::Pod(..));
    let resolved = super::net(world).engine_mut().resolve(src, host);
    let ip = match resolved {
        Ok((ip, cost)) => {
            sleep(world, cost);
            ip
        }
        Err((_, cost)) => {
            sleep(world, cost);
            return if busybox {
                ToolOutput::fail(1, format!("ping: bad address '{host}'\n"))
            } else {
                ToolOutput::fail(2, format!("ping: {host}: Name or service not known\n"))
            };
        }
    };
    let ips = IpDisplay(ip).to_string();
    let named = ips != host;
    let mut out = ToolOutput::default();
    if busybox {
        out.out(format!("PING {host} ({ips}): 56 data bytes\n"));
    } else {
        out.out(format!("PING {host} ({ips}) 56(84) bytes of data.\n"));
    }
    let start = now_us(world);
    let mut rtts: Vec<f64> = Vec::new();
    for seq in 0..count {
        let echo = super::net(world).engine_mut().icmp(src, ip);
        if let Some((rtt, ttl)) = echo {
            sleep(world, rtt);
            let ms = rtt as f64 / 1000.0;
            rtts.push(ms);
            if busybox {
                out.out(format!(
                    "64 bytes from {ips}: seq={seq} ttl={ttl} time={ms:.3} ms\n"
                ));
            } else if named {
                out.out(format!(
                    "64 bytes from {host} ({ips}): icmp_seq={} ttl={ttl} time={ms:.3} ms\n",
                    seq + 1
                ));
            } else {
                out.out(format!(
                    "64 bytes from {ips}: icmp_seq={} ttl={ttl} time={ms:.3} ms\n",
                    seq + 1
                ));
            }
        }
        if seq + 1 < count {
            let spent = now_us(world) - start;
            let next = (seq as u64 + 1) * 1_000_000;
            sleep(world, next.saturating_sub(spent));
        }
    }
    let received = rtts.len() as u32;
    if received < count {
        // Waits a little for late replies.
        sleep(world, 1_000_000);
    }
    let loss = ((count - received) * 100).checked_div(count).unwrap_or(0);
    out.out(format!("\n--- {host} ping statistics ---\n"));
    let (min, max) = (
        rtts.iter().cloned().fold(f64::MAX, f64::min),
        rtts.iter().cloned().fold(0.0, f64::max),
    );
    let avg = if received > 0 {
        rtts.iter().sum::<f64>() / received as f64
    } else {
        0.0
    };
    if busybox {
        out.out(format!(
            "{count} packets transmitted, {received} packets received, {loss}% packet loss\n"
        ));
        if received > 0 {
            out.out(format!(
                "round-trip min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms\n"
            ));
        }
    } else {
        let time = (count.saturating_sub(1)) as u64 * 1000 + if received > 0 { 2 } else { 40 };
        out.out(format!(
            "{count} packets transmitted, {received} received, {loss}% packet loss, time {time}ms\n"
        ));
        if received > 0 {
            let mdev =
                (rtts.iter().map(|r| (r - avg) * (r - avg)).sum::<f64>() / received as f64).sqrt();
            out.out(format!(
                "rtt min/avg/max/mdev = {min:.3}/{avg:.3}/{max:.3}/{mdev:.3} ms\n"
            ));
        }
    }
    if received == 0 {
        out.code = 1;
    }
    out
}
