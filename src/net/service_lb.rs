//! A load-balancer implementation for `type: LoadBalancer` Services, as a
//! bare-metal lab would install (MetalLB in layer-2 mode): it gives each
//! such Service an address from a pool on the lab network, writes it to
//! `status.loadBalancer.ingress`, and records MetalLB's `IPAllocated`
//! event. kube-proxy then accepts traffic for that address on every node.
//! `spec.loadBalancerIP` is honoured when it is free and in the pool.
//! Follows MetalLB's controller (`controller/service.go`) in outline.

use super::addr::{fmt_ip, parse_ip, Ip, LB_POOL_FIRST, LB_POOL_LAST};
use crate::controllers::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::Object;
use crate::sim::store::{EventSource, Store, WatchEvent, WriteOptions};
use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service};
use std::any::Any;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Default)]
pub struct ServiceLb;

impl ServiceLb {
    pub fn new() -> ServiceLb {
        ServiceLb
    }
}

fn lb_ips(s: &Service) -> Vec<Ip> {
    s.status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref())
        .map(|v| {
            v.iter()
                .filter_map(|i| i.ip.as_deref().and_then(parse_ip))
                .collect()
        })
        .unwrap_or_default()
}

fn is_lb(s: &Service) -> bool {
    s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) == Some("LoadBalancer")
        // Services for another implementation are not ours.
        && s.spec.as_ref().and_then(|sp| sp.load_balancer_class.as_ref()).is_none()
}

impl Controller for ServiceLb {
    fn name(&self) -> &'static str {
        "service-lb"
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::Service(s) = &*ev.object {
            q.add(object_key(
                s.metadata.namespace.as_deref(),
                s.metadata.name.as_deref().unwrap_or(""),
            ));
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(svc) = ctx.store.get_as::<Service>(ns, name).cloned() else {
            return Action::AwaitChange;
        };
        let have = lb_ips(&svc);
        if !is_lb(&svc) {
            if !have.is_empty() {
                // No longer a LoadBalancer: the address goes back to the pool.
                let r = ctx.store.modify::<Service>(ns, name, true, |s| {
                    if let Some(st) = s.status.as_mut() {
                        st.load_balancer = Some(LoadBalancerStatus::default());
                    }
                });
                if r.is_err() {
                    return Action::RequeueAfter(Duration::from_millis(100));
                }
            }
            return Action::AwaitChange;
        }
        if !have.is_empty() {
            return Action::AwaitChange;
        }
        let used: BTreeSet<Ip> = ctx
            .store
            .list_as::<Service>(None)
            .filter(|s| s.metadata.uid != svc.metadata.uid)
            .flat_map(lb_ips)
            .collect();
        let wanted = svc
            .spec
            .as_ref()
            .and_then(|s| s.load_balancer_ip.as_deref())
            .and_then(parse_ip);
        let ip = match wanted {
            Some(ip) if (LB_POOL_FIRST..=LB_POOL_LAST).contains(&ip) && !used.contains(&ip) => {
                Some(ip)
            }
            Some(_) => None,
            None => (LB_POOL_FIRST..=LB_POOL_LAST).find(|ip| !used.contains(ip)),
        };
        let obj = Object::Service(svc.clone());
        let Some(ip) = ip else {
            ctx.store.record_event(
                &obj,
                "Warning",
                "AllocationFailed",
                &format!("Failed to allocate IP for \"{ns}/{name}\": no available IPs"),
                &EventSource::new("metallb-controller"),
            );
            return Action::AwaitChange;
        };
        let mut s = svc.clone();
        s.status.get_or_insert_with(Default::default).load_balancer = Some(LoadBalancerStatus {
            ingress: Some(vec![LoadBalancerIngress {
                ip: Some(fmt_ip(ip)),
                ip_mode: Some("VIP".into()),
                ..Default::default()
            }]),
        });
        match ctx
            .store
            .update_status(Object::Service(s), &WriteOptions::default())
        {
            Ok(_) => {
                ctx.store.record_event(
                    &obj,
                    "Normal",
                    "IPAllocated",
                    &format!("Assigned IP [\"{}\"]", fmt_ip(ip)),
                    &EventSource::new("metallb-controller"),
                );
                Action::AwaitChange
            }
            Err(_) => Action::RequeueAfter(Duration::from_millis(100)),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
