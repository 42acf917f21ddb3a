//! The module graph has no cycles: no module imports another that imports it back, directly or
//! through others. (Modules are named by responsibility; a helper two modules share gets a
//! module of its own.)
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// `config`, `browser::host`, ... for each file under src/ (lib.rs is the root, not a module).
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            modules(&path, &format!("{prefix}{name}::"), out);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            let module =
                if name == "mod" { prefix.trim_end_matches("::").to_owned() } else { format!("{prefix}{name}") };
            out.insert(module, fs::read_to_string(&path).unwrap());
        }
    }
}

/// The modules `source` (of module `me`) refers to in code (not in comments): every
/// `crate::a::b` and `super::a` path, and each item of a `{a, b}` group at its end, resolved
/// to the longest module it names.
fn references(me: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = me.rsplit_once("::").map_or("", |(p, _)| p);
    let ident =
        |s: &str| -> String { s.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
    // The longest known module that `base` + the idents of `rest` name.
    let resolve = |base: &str, rest: &str| -> (String, usize) {
        let mut path = base.to_owned();
        let mut used = 0;
        for part in rest.split("::") {
            let id = ident(part);
            if id.is_empty() {
                break;
            }
            let candidate = if path.is_empty() { id.clone() } else { format!("{path}::{id}") };
            if !known.contains(&candidate) {
                break;
            }
            path = candidate;
            used += part.len() + 2;
        }
        (path, used)
    };
    let mut found = BTreeSet::new();
    for line in source.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
        for (marker, base) in [("crate::", ""), ("super::", parent)] {
            for (i, _) in line.match_indices(marker) {
                let rest = &line[i + marker.len()..];
                let (path, used) = resolve(base, rest);
                if !path.is_empty() {
                    found.insert(path.clone());
                }
                // `use super::{a, b}` / `use crate::browser::{x, y}`: each item may be a module.
                if let Some(group) = rest.get(used.min(rest.len())..).and_then(|r| r.strip_prefix('{')) {
                    for item in group.split('}').next().unwrap_or("").split(',') {
                        let (p, _) = resolve(&path, item.trim());
                        if !p.is_empty() {
                            found.insert(p);
                        }
                    }
                }
            }
        }
    }
    found.remove(me);
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut sources = BTreeMap::new();
    modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), "", &mut sources);
    let known: BTreeSet<String> = sources.keys().cloned().collect();
    let graph: BTreeMap<&str, BTreeSet<String>> = sources
        .iter()
        .map(|(m, s)| {
            // A module's own children are its business (`browser` declares them).
            let refs = references(m, s, &known).into_iter().filter(|r| !r.starts_with(&format!("{m}::"))).collect();
            (m.as_str(), refs)
        })
        .collect();
    assert!(graph["browser::host"].contains("runner"), "the scan sees imports: {:?}", graph["browser::host"]);
    assert!(graph["browser::host"].contains("browser::lock"), "{:?}", graph["browser::host"]);
    // Depth-first search for a way back to where it started.
    for start in graph.keys() {
        let mut stack = vec![(start.to_string(), vec![start.to_string()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(at.as_str()).into_iter().flatten() {
                assert!(next != start, "an import cycle: {} -> {}", path.join(" -> "), next);
                if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
}
