//! Resource arguments as kubectl reads them: `pods`, `po web`, `pods,svc`,
//! `pod/web deploy/api`, `all`.

use crate::objects::Kind;

/// What the positional arguments of get/delete/describe name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceArg {
    /// Kinds with optional names (`get pods web db` → [Pod], [web, db]).
    Kinds(Vec<Kind>, Vec<String>),
    /// `TYPE/NAME` pairs.
    Named(Vec<(Kind, String)>),
}

const SEPARATE_TYPE: &str = "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'";

/// Resolves one resource type word, or kubectl's error.
pub fn resolve_kind(word: &str) -> Result<Kind, String> {
    Kind::from_resource_name(word)
        .ok_or_else(|| format!("the server doesn't have a resource type \"{word}\""))
}

/// Parses positional arguments of get/delete/describe.
pub fn parse(positional: &[String]) -> Result<ResourceArg, String> {
    let Some(first) = positional.first() else {
        return Err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.".into());
    };
    if first.contains('/') {
        let mut out = Vec::new();
        for p in positional {
            let (t, n) = p.split_once('/').ok_or_else(|| SEPARATE_TYPE.to_string())?;
            out.push((resolve_kind(t)?, n.to_string()));
        }
        return Ok(ResourceArg::Named(out));
    }
    let mut kinds = Vec::new();
    for word in first.split(',').filter(|w| !w.is_empty()) {
        if word == "all" {
            kinds.extend(
                Kind::ALL
                    .iter()
                    .copied()
                    .filter(|k| k.info().in_category("all")),
            );
        } else {
            kinds.push(resolve_kind(word)?);
        }
    }
    let names = positional[1..].to_vec();
    if names.iter().any(|n| n.contains('/')) {
        return Err(SEPARATE_TYPE.into());
    }
    Ok(ResourceArg::Kinds(kinds, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn forms() {
        assert_eq!(
            parse(&s(&["po", "web"])).unwrap(),
            ResourceArg::Kinds(vec![Kind::Pod], s(&["web"]))
        );
        assert_eq!(
            parse(&s(&["deploy,svc"])).unwrap(),
            ResourceArg::Kinds(vec![Kind::Deployment, Kind::Service], vec![])
        );
        assert_eq!(
            parse(&s(&["pod/a", "svc/b"])).unwrap(),
            ResourceArg::Named(vec![(Kind::Pod, "a".into()), (Kind::Service, "b".into())])
        );
        assert_eq!(
            parse(&s(&["pdos"])).unwrap_err(),
            "the server doesn't have a resource type \"pdos\""
        );
        // `get all` in discovery order
        let ResourceArg::Kinds(all, _) = parse(&s(&["all"])).unwrap() else {
            panic!()
        };
        assert_eq!(all[0], Kind::Pod);
        assert!(all.contains(&Kind::Deployment));
    }
}
