//! KubeSchedulerConfiguration (`kubescheduler.config.k8s.io/v1`): profiles
//! by schedulerName, plugins enabled/disabled per extension point, score
//! weights, plugin args, percentageOfNodesToScore. Defaults and merging
//! follow `pkg/scheduler/apis/config/v1/defaults.go`, `default_plugins.go`
//! (mergePlugins / mergePluginSet) and `framework/runtime/framework.go`
//! (expandMultiPointPlugins).

use super::framework::{points, Framework};
use super::plugins::node_resources_fit::Strategy;
use super::plugins::pod_topology_spread::DefaultConstraint;
use super::plugins::{self, PluginArgs};
use serde_json::Value;
use std::collections::BTreeMap;

/// A plugin list at one extension point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PluginSet {
    /// (name, weight)
    pub enabled: Vec<(String, Option<i64>)>,
    pub disabled: Vec<String>,
}

/// The extension points a profile configures, in config order.
pub const EXTENSION_POINTS: &[(&str, u16)] = &[
    ("preEnqueue", points::PRE_ENQUEUE),
    ("queueSort", points::QUEUE_SORT),
    ("preFilter", points::PRE_FILTER),
    ("filter", points::FILTER),
    ("postFilter", points::POST_FILTER),
    ("preScore", points::PRE_SCORE),
    ("score", points::SCORE),
    ("reserve", points::RESERVE),
    ("permit", points::PERMIT),
    ("preBind", points::PRE_BIND),
    ("bind", points::BIND),
];

/// One profile.
#[derive(Clone, Debug)]
pub struct ProfileConfig {
    pub scheduler_name: String,
    pub percentage_of_nodes_to_score: Option<i32>,
    pub multi_point: PluginSet,
    /// By extension point name (`filter`, `score`, ...).
    pub points: BTreeMap<String, PluginSet>,
    pub args: PluginArgs,
}

impl ProfileConfig {
    pub fn default_scheduler() -> ProfileConfig {
        ProfileConfig {
            scheduler_name: "default-scheduler".into(),
            percentage_of_nodes_to_score: None,
            multi_point: PluginSet::default(),
            points: BTreeMap::new(),
            args: PluginArgs::default(),
        }
    }
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// 0 = adaptive.
    pub percentage_of_nodes_to_score: i32,
    pub pod_initial_backoff_seconds: u64,
    pub pod_max_backoff_seconds: u64,
    pub profiles: Vec<ProfileConfig>,
}

impl Default for SchedulerConfig {
    fn default() -> SchedulerConfig {
        SchedulerConfig {
            percentage_of_nodes_to_score: 0,
            pod_initial_backoff_seconds: 1,
            pod_max_backoff_seconds: 10,
            profiles: vec![ProfileConfig::default_scheduler()],
        }
    }
}

fn err(path: &str, msg: &str) -> String {
    format!("invalid KubeSchedulerConfiguration: {path}: {msg}")
}

fn check_fields(v: &Value, path: &str, known: &[&str]) -> Result<(), String> {
    if let Some(o) = v.as_object() {
        for k in o.keys() {
            if !known.contains(&k.as_str()) {
                return Err(format!(
                    "invalid KubeSchedulerConfiguration: strict decoding error: unknown field \"{}{k}\"",
                    if path.is_empty() { String::new() } else { format!("{path}.") }
                ));
            }
        }
        Ok(())
    } else if v.is_null() {
        Ok(())
    } else {
        Err(err(path, "must be an object"))
    }
}

fn parse_set(v: &Value, path: &str) -> Result<PluginSet, String> {
    check_fields(v, path, &["enabled", "disabled"])?;
    let mut s = PluginSet::default();
    for (i, e) in v["enabled"].as_array().into_iter().flatten().enumerate() {
        check_fields(e, &format!("{path}.enabled[{i}]"), &["name", "weight"])?;
        let name = e["name"]
            .as_str()
            .ok_or_else(|| err(&format!("{path}.enabled[{i}].name"), "Required value"))?;
        let w = e["weight"].as_i64();
        s.enabled.push((name.to_string(), w));
    }
    for (i, e) in v["disabled"].as_array().into_iter().flatten().enumerate() {
        let name = e["name"]
            .as_str()
            .ok_or_else(|| err(&format!("{path}.disabled[{i}].name"), "Required value"))?;
        s.disabled.push(name.to_string());
    }
    Ok(s)
}

fn parse_args(name: &str, v: &Value, args: &mut PluginArgs, path: &str) -> Result<(), String> {
    match name {
        "NodeResourcesFit" => {
            check_fields(
                v,
                path,
                &[
                    "ignoredResources",
                    "ignoredResourceGroups",
                    "scoringStrategy",
                ],
            )?;
            args.fit.ignored_resources = strings(&v["ignoredResources"]);
            args.fit.ignored_resource_groups = strings(&v["ignoredResourceGroups"]);
            let ss = &v["scoringStrategy"];
            if !ss.is_null() {
                check_fields(
                    ss,
                    &format!("{path}.scoringStrategy"),
                    &["type", "resources", "requestedToCapacityRatio"],
                )?;
                if let Some(rs) = ss["resources"].as_array() {
                    args.fit.resources = Vec::new();
                    for (i, r) in rs.iter().enumerate() {
                        let n = r["name"].as_str().unwrap_or("").to_string();
                        let w = r["weight"].as_i64().unwrap_or(1);
                        if !(1..=100).contains(&w) {
                            return Err(err(
                                &format!("{path}.scoringStrategy.resources[{i}].weight"),
                                &format!("Invalid value: {w}: resource weight of {n} not in valid range [1, 100]"),
                            ));
                        }
                        args.fit.resources.push((n, w));
                    }
                }
                args.fit.strategy = match ss["type"].as_str().unwrap_or("LeastAllocated") {
                    "LeastAllocated" => Strategy::LeastAllocated,
                    "MostAllocated" => Strategy::MostAllocated,
                    "RequestedToCapacityRatio" => {
                        let shape = ss["requestedToCapacityRatio"]["shape"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default();
                        if shape.is_empty() {
                            return Err(err(
                                &format!("{path}.scoringStrategy.requestedToCapacityRatio.shape"),
                                "Required value: at least one point must be specified",
                            ));
                        }
                        // Shape scores are 0..10 (MaxCustomPriorityScore), scaled ×10.
                        Strategy::RequestedToCapacityRatio(
                            shape
                                .iter()
                                .map(|p| {
                                    (
                                        p["utilization"].as_i64().unwrap_or(0),
                                        p["score"].as_i64().unwrap_or(0) * 10,
                                    )
                                })
                                .collect(),
                        )
                    }
                    other => {
                        return Err(err(
                            &format!("{path}.scoringStrategy.type"),
                            &format!("Unsupported value: \"{other}\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\""),
                        ))
                    }
                };
            }
        }
        "NodeResourcesBalancedAllocation" => {
            check_fields(v, path, &["resources"])?;
            if let Some(rs) = v["resources"].as_array() {
                args.balanced_resources = rs
                    .iter()
                    .filter_map(|r| r["name"].as_str().map(str::to_string))
                    .collect();
            }
        }
        "PodTopologySpread" => {
            check_fields(v, path, &["defaultConstraints", "defaultingType"])?;
            let ty = v["defaultingType"].as_str().unwrap_or("System");
            args.spread_system_defaulted = ty == "System";
            if ty == "List" {
                args.spread_defaults = v["defaultConstraints"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| DefaultConstraint {
                        max_skew: c["maxSkew"].as_i64().unwrap_or(1) as i32,
                        topology_key: c["topologyKey"].as_str().unwrap_or("").to_string(),
                        when_unsatisfiable: c["whenUnsatisfiable"]
                            .as_str()
                            .unwrap_or("DoNotSchedule")
                            .to_string(),
                    })
                    .collect();
            } else if v["defaultConstraints"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
            {
                return Err(err(
                    &format!("{path}.defaultConstraints"),
                    "Invalid value: when .defaultingType is \"System\"",
                ));
            }
        }
        "InterPodAffinity" => {
            check_fields(
                v,
                path,
                &[
                    "hardPodAffinityWeight",
                    "ignorePreferredTermsOfExistingPods",
                ],
            )?;
            if let Some(w) = v["hardPodAffinityWeight"].as_i64() {
                if !(0..=100).contains(&w) {
                    return Err(err(
                        &format!("{path}.hardPodAffinityWeight"),
                        &format!("Invalid value: {w}: not in valid range [0, 100]"),
                    ));
                }
                args.hard_pod_affinity_weight = w as i32;
            }
            args.ignore_preferred_terms_of_existing_pods = v["ignorePreferredTermsOfExistingPods"]
                .as_bool()
                .unwrap_or(false);
        }
        "NodeAffinity" => {
            check_fields(v, path, &["addedAffinity"])?;
            if !v["addedAffinity"].is_null() {
                args.added_affinity = Some(
                    serde_json::from_value(v["addedAffinity"].clone())
                        .map_err(|e| err(&format!("{path}.addedAffinity"), &e.to_string()))?,
                );
            }
        }
        "DefaultPreemption" => {
            check_fields(
                v,
                path,
                &["minCandidateNodesPercentage", "minCandidateNodesAbsolute"],
            )?;
            if let Some(p) = v["minCandidateNodesPercentage"].as_i64() {
                args.min_candidate_nodes_percentage = p as i32;
            }
            if let Some(a) = v["minCandidateNodesAbsolute"].as_i64() {
                args.min_candidate_nodes_absolute = a as i32;
            }
        }
        _ => {}
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

impl SchedulerConfig {
    /// Parses a KubeSchedulerConfiguration document (YAML or JSON).
    pub fn parse(text: &str) -> Result<SchedulerConfig, String> {
        let docs = crate::objects::manifest::parse_documents(text).map_err(|e| e.to_string())?;
        let v = docs
            .into_iter()
            .next()
            .ok_or_else(|| "invalid KubeSchedulerConfiguration: empty document".to_string())?;
        let api = v["apiVersion"].as_str().unwrap_or("");
        let kind = v["kind"].as_str().unwrap_or("");
        if kind != "KubeSchedulerConfiguration" || api != "kubescheduler.config.k8s.io/v1" {
            return Err(format!(
                "no kind \"{kind}\" is registered for version \"{api}\" in scheme \"pkg/scheduler/apis/config/scheme/scheme.go:30\""
            ));
        }
        check_fields(
            &v,
            "",
            &[
                "apiVersion",
                "kind",
                "profiles",
                "percentageOfNodesToScore",
                "podInitialBackoffSeconds",
                "podMaxBackoffSeconds",
                "parallelism",
                "leaderElection",
                "clientConnection",
                "extenders",
                "delayCacheUntilActive",
                "enableProfiling",
                "enableContentionProfiling",
            ],
        )?;
        let mut cfg = SchedulerConfig::default();
        if let Some(p) = v["percentageOfNodesToScore"].as_i64() {
            if !(0..=100).contains(&p) {
                return Err(err(
                    "percentageOfNodesToScore",
                    &format!("Invalid value: {p}: not in valid range [0-100]"),
                ));
            }
            cfg.percentage_of_nodes_to_score = p as i32;
        }
        if let Some(b) = v["podInitialBackoffSeconds"].as_u64() {
            cfg.pod_initial_backoff_seconds = b;
        }
        if let Some(b) = v["podMaxBackoffSeconds"].as_u64() {
            cfg.pod_max_backoff_seconds = b;
        }
        if let Some(profiles) = v["profiles"].as_array() {
            cfg.profiles.clear();
            for (i, p) in profiles.iter().enumerate() {
                let path = format!("profiles[{i}]");
                check_fields(
                    p,
                    &path,
                    &[
                        "schedulerName",
                        "plugins",
                        "pluginConfig",
                        "percentageOfNodesToScore",
                    ],
                )?;
                let mut prof = ProfileConfig::default_scheduler();
                if let Some(n) = p["schedulerName"].as_str() {
                    prof.scheduler_name = n.to_string();
                }
                if cfg
                    .profiles
                    .iter()
                    .any(|x| x.scheduler_name == prof.scheduler_name)
                {
                    return Err(err(
                        &format!("{path}.schedulerName"),
                        &format!("Duplicate value: \"{}\"", prof.scheduler_name),
                    ));
                }
                prof.percentage_of_nodes_to_score =
                    p["percentageOfNodesToScore"].as_i64().map(|x| x as i32);
                let plugins = &p["plugins"];
                let mut known = vec!["multiPoint"];
                known.extend(EXTENSION_POINTS.iter().map(|(n, _)| *n));
                check_fields(plugins, &format!("{path}.plugins"), &known)?;
                if !plugins["multiPoint"].is_null() {
                    prof.multi_point = parse_set(
                        &plugins["multiPoint"],
                        &format!("{path}.plugins.multiPoint"),
                    )?;
                }
                for (ep, _) in EXTENSION_POINTS {
                    if !plugins[*ep].is_null() {
                        prof.points.insert(
                            ep.to_string(),
                            parse_set(&plugins[*ep], &format!("{path}.plugins.{ep}"))?,
                        );
                    }
                }
                for (j, pc) in p["pluginConfig"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let name = pc["name"].as_str().unwrap_or("");
                    parse_args(
                        name,
                        &pc["args"],
                        &mut prof.args,
                        &format!("{path}.pluginConfig[{j}].args"),
                    )?;
                }
                cfg.profiles.push(prof);
            }
        }
        // Build once to validate names.
        for p in &cfg.profiles {
            build_framework(p)?;
        }
        Ok(cfg)
    }
}

/// `mergePluginSet`: defaults minus disabled, re-configured defaults in
/// place, then the custom additions.
fn merge_plugin_set(
    defaults: &[(String, Option<i64>)],
    custom: &PluginSet,
) -> Vec<(String, Option<i64>)> {
    let mut out = Vec::new();
    let mut replaced = Vec::new();
    if !custom.disabled.iter().any(|d| d == "*") {
        for (name, w) in defaults {
            if custom.disabled.contains(name) {
                continue;
            }
            if let Some(i) = custom.enabled.iter().position(|(n, _)| n == name) {
                replaced.push(i);
                out.push(custom.enabled[i].clone());
            } else {
                out.push((name.clone(), *w));
            }
        }
    }
    for (i, p) in custom.enabled.iter().enumerate() {
        if !replaced.contains(&i) {
            out.push(p.clone());
        }
    }
    out
}

/// Builds a profile's framework: plugins instantiated once, lists per
/// extension point in upstream's order, score weights.
pub fn build_framework(p: &ProfileConfig) -> Result<Framework, String> {
    let multi = merge_plugin_set(&plugins::default_multipoint(), &p.multi_point);
    let mut fw = Framework {
        scheduler_name: p.scheduler_name.clone(),
        plugins: Vec::new(),
        pre_enqueue: Vec::new(),
        pre_filter: Vec::new(),
        filter: Vec::new(),
        post_filter: Vec::new(),
        pre_score: Vec::new(),
        score: Vec::new(),
        reserve: Vec::new(),
        permit: Vec::new(),
        bind: Vec::new(),
        percentage_of_nodes_to_score: p.percentage_of_nodes_to_score,
    };
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut instance = |name: &str, fw: &mut Framework| -> Result<usize, String> {
        if let Some(i) = index.get(name) {
            return Ok(*i);
        }
        let plugin = plugins::build(name, &p.args).ok_or_else(|| {
            format!(
                "couldn't create scheduler profile \"{}\": plugin {name:?} does not exist",
                p.scheduler_name
            )
        })?;
        fw.plugins.push(plugin);
        index.insert(name.to_string(), fw.plugins.len() - 1);
        Ok(fw.plugins.len() - 1)
    };
    let empty = PluginSet::default();
    for (ep, bit) in EXTENSION_POINTS {
        let custom = p.points.get(*ep).unwrap_or(&empty);
        let mut names: Vec<(String, Option<i64>)> = Vec::new();
        let implements =
            |name: &str| plugins::build(name, &p.args).is_some_and(|pl| pl.points() & bit != 0);
        if custom.disabled.iter().any(|d| d == "*") {
            names.extend(custom.enabled.iter().cloned());
        } else {
            let enabled_names: Vec<&str> = custom.enabled.iter().map(|(n, _)| n.as_str()).collect();
            let mut overrides = Vec::new();
            let mut multi_enabled = Vec::new();
            for (name, w) in &multi {
                if !implements(name) || custom.disabled.contains(name) {
                    continue;
                }
                if enabled_names.contains(&name.as_str()) {
                    overrides.push(name.clone());
                    continue;
                }
                multi_enabled.push((name.clone(), *w));
            }
            for (n, w) in &custom.enabled {
                if overrides.contains(n) {
                    names.push((n.clone(), *w));
                }
            }
            names.extend(multi_enabled);
            for (n, w) in &custom.enabled {
                if !overrides.contains(n) {
                    names.push((n.clone(), *w));
                }
            }
        }
        for (name, w) in names {
            let i = instance(&name, &mut fw)?;
            if fw.plugins[i].points() & bit == 0 {
                return Err(format!(
                    "couldn't create scheduler profile \"{}\": plugin {name:?} does not extend {ep} plugin",
                    p.scheduler_name
                ));
            }
            match *bit {
                points::PRE_ENQUEUE => fw.pre_enqueue.push(i),
                points::PRE_FILTER => fw.pre_filter.push(i),
                points::FILTER => fw.filter.push(i),
                points::POST_FILTER => fw.post_filter.push(i),
                points::PRE_SCORE => fw.pre_score.push(i),
                points::SCORE => {
                    // The score point's weight, else MultiPoint's, else 1.
                    let mw = multi.iter().find(|(n, _)| *n == name).and_then(|(_, w)| *w);
                    let weight = w
                        .filter(|w| *w != 0)
                        .or(mw)
                        .filter(|w| *w != 0)
                        .unwrap_or(1);
                    fw.score.push((i, weight));
                }
                points::RESERVE => fw.reserve.push(i),
                points::PERMIT => fw.permit.push(i),
                points::BIND => fw.bind.push(i),
                _ => {}
            }
        }
    }
    Ok(fw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fw: &Framework, list: &[usize]) -> Vec<&'static str> {
        list.iter().map(|i| fw.plugins[*i].name()).collect()
    }

    /// apis/config/v1/default_plugins_test.go TestApplyFeatureGates /
    /// runtime/framework_test.go: the default profile's filter and score
    /// lists and weights.
    #[test]
    fn default_profile_lists_and_weights() {
        let fw = build_framework(&ProfileConfig::default_scheduler()).unwrap();
        assert_eq!(
            names(&fw, &fw.filter),
            [
                "NodeUnschedulable",
                "NodeName",
                "TaintToleration",
                "NodeAffinity",
                "NodePorts",
                "NodeResourcesFit",
                "VolumeRestrictions",
                "NodeVolumeLimits",
                "VolumeBinding",
                "VolumeZone",
                "PodTopologySpread",
                "InterPodAffinity"
            ]
        );
        let scores: Vec<(&str, i64)> = fw
            .score
            .iter()
            .map(|(i, w)| (fw.plugins[*i].name(), *w))
            .collect();
        assert_eq!(
            scores,
            [
                ("TaintToleration", 3),
                ("NodeAffinity", 2),
                ("NodeResourcesFit", 1),
                ("PodTopologySpread", 2),
                ("InterPodAffinity", 2),
                ("NodeResourcesBalancedAllocation", 1),
                ("ImageLocality", 1)
            ]
        );
        assert_eq!(names(&fw, &fw.post_filter), ["DefaultPreemption"]);
    }

    #[test]
    fn profiles_enable_disable_and_reweight() {
        let cfg = SchedulerConfig::parse(
            r#"
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 50
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  plugins:
    score:
      disabled:
      - name: ImageLocality
      enabled:
      - name: NodeResourcesFit
        weight: 5
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"#,
        )
        .unwrap();
        assert_eq!(cfg.percentage_of_nodes_to_score, 50);
        let fw = build_framework(&cfg.profiles[1]).unwrap();
        let scores: Vec<(&str, i64)> = fw
            .score
            .iter()
            .map(|(i, w)| (fw.plugins[*i].name(), *w))
            .collect();
        assert_eq!(scores[0], ("NodeResourcesFit", 5));
        assert!(!scores.iter().any(|(n, _)| *n == "ImageLocality"));
        assert_eq!(cfg.profiles[1].args.fit.strategy, Strategy::MostAllocated);
    }

    #[test]
    fn bad_configs_are_rejected_clearly() {
        let e = SchedulerConfig::parse("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- plugins:\n    score:\n      enabled:\n      - name: Nope\n").unwrap_err();
        assert!(e.contains("plugin \"Nope\" does not exist"), "{e}");
        let e = SchedulerConfig::parse("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nbogus: 1\n").unwrap_err();
        assert!(e.contains("unknown field \"bogus\""), "{e}");
        let e = SchedulerConfig::parse("apiVersion: v1\nkind: Pod\n").unwrap_err();
        assert!(e.contains("no kind \"Pod\""), "{e}");
    }
}
