//! Puts each object of a response in the order its fields were asked for, as GraphQL
//! requires. async-graphql 7 assembles an object's fields as they complete
//! (`resolver_utils/container.rs` uses `FuturesUnordered`), so a field waiting on a DataLoader
//! lands after the others; this pass restores the query's order from the document.
use async_graphql::indexmap::IndexMap;
use async_graphql::{
    Name, Value,
    parser::types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet},
};

/// Fragment spreads followed deeper than this are left as they come (the validation already
/// refuses cycles; this only bounds the walk).
const MAX_SPREAD_DEPTH: usize = 32;

/// Reorders `data` after the operation `operation` of `doc`.
pub fn restore(doc: &ExecutableDocument, operation: Option<&str>, data: &mut Value) {
    let op = match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    if let Some(op) = op {
        apply(doc, &[&op.node.selection_set.node], data);
    }
}

/// The response keys of `sets` in order of first appearance, each with the selection sets
/// of the fields answering to it (fields with one key merge, as in field collection).
fn keys<'a>(doc: &'a ExecutableDocument, sets: &[&'a SelectionSet]) -> Vec<(&'a str, Vec<&'a SelectionSet>)> {
    fn walk<'a>(
        doc: &'a ExecutableDocument,
        set: &'a SelectionSet,
        out: &mut Vec<(&'a str, Vec<&'a SelectionSet>)>,
        depth: usize,
    ) {
        if depth > MAX_SPREAD_DEPTH {
            return;
        }
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    let key = f.node.response_key().node.as_str();
                    let sub = &f.node.selection_set.node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, subs)) => subs.push(sub),
                        None => out.push((key, vec![sub])),
                    }
                }
                Selection::InlineFragment(i) => walk(doc, &i.node.selection_set.node, out, depth + 1),
                Selection::FragmentSpread(s) => {
                    if let Some(frag) = doc.fragments.get(&s.node.fragment_name.node) {
                        walk(doc, &frag.node.selection_set.node, out, depth + 1);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for set in sets {
        walk(doc, set, &mut out, 0);
    }
    out
}

fn apply(doc: &ExecutableDocument, sets: &[&SelectionSet], value: &mut Value) {
    if matches!(value, Value::List(_) | Value::Object(_)) {
        // Once for a whole list: its items answer the same selections.
        let order = keys(doc, sets);
        apply_ordered(doc, &order, value);
    }
}

fn apply_ordered(doc: &ExecutableDocument, order: &[(&str, Vec<&SelectionSet>)], value: &mut Value) {
    match value {
        Value::List(items) => {
            for item in items {
                apply_ordered(doc, order, item);
            }
        }
        Value::Object(map) => {
            let in_order =
                map.len() == order.len() && map.keys().zip(order).all(|(k, (key, _))| k.as_str() == *key);
            if !in_order {
                let mut old = std::mem::take(map);
                let mut sorted: IndexMap<Name, Value> = IndexMap::with_capacity(old.len());
                for (key, _) in order {
                    // The rest of `old` is rebuilt below, so its order may change on removal.
                    if let Some((name, v)) = old.swap_remove_entry(*key) {
                        sorted.insert(name, v);
                    }
                }
                // Anything the document does not name (none is expected) comes at the end.
                sorted.extend(old);
                *map = sorted;
            }
            for (key, subs) in order {
                if subs.iter().any(|s| !s.items.is_empty())
                    && let Some(v) = map.get_mut(*key)
                {
                    apply(doc, subs, v);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_follow_the_query_through_aliases_fragments_and_lists() {
        let doc = async_graphql::parser::parse_query(
            "query Q { b: x { ...F z } a { y } } fragment F on T { w ... on T { v } }",
        )
        .unwrap();
        let mut data = Value::from_json(serde_json::json!({
            "a": {"y": 1},
            "b": [{"z": 1, "v": 2, "w": 3}, {"v": 2, "z": 1, "w": 3}],
        }))
        .unwrap();
        restore(&doc, Some("Q"), &mut data);
        let keys = |v: &Value| match v {
            Value::Object(m) => m.keys().map(|k| k.as_str().to_owned()).collect::<Vec<_>>(),
            _ => vec![],
        };
        assert_eq!(keys(&data), ["b", "a"]);
        let Value::Object(top) = &data else { unreachable!() };
        let Value::List(items) = &top["b"] else {
            unreachable!()
        };
        for item in items {
            assert_eq!(keys(item), ["w", "v", "z"]);
        }
    }
}
