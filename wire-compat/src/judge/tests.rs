//! The rules on small schemas written as JSON, the way they travel.

use super::*;

fn schema(json: &str) -> ChannelSchema {
    ChannelSchema::from_json(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// An interface with one method `m` taking `params` and returning `result`, over `types`.
fn interface(params: &str, result: &str, types: &str) -> ChannelSchema {
    let result = if result.is_empty() {
        String::new()
    } else {
        format!(",\"result\":{result}")
    };
    schema(&format!(
        r#"{{"format":1,"kind":"interface","members":{{"m":{{"params":[{params}]{result}}}}},"types":[{types}]}}"#
    ))
}

const PERSON_OPTIONAL_AGE: &str = r#"{"kind":"struct","name":"Person","fields":[{"name":"name","type":"string"},{"name":"age","type":{"optional":"u32"}}]}"#;
const PERSON_REQUIRED_AGE: &str = r#"{"kind":"struct","name":"Person","fields":[{"name":"name","type":"string"},{"name":"age","type":"u32"}]}"#;

/// The verdict on `m`: `None` when usable, else the reason.
fn verdict(frontend: &ChannelSchema, backend: &ChannelSchema) -> Option<String> {
    let judgement = judge(frontend, backend, DEFAULT_BUDGET).expect("within budget");
    judgement.members["m"].unusable.clone()
}

#[test]
fn identical_schemas_have_no_findings() {
    let a = interface(
        r#"{"name":"p","type":{"ref":0}}"#,
        r#"{"ref":0}"#,
        PERSON_OPTIONAL_AGE,
    );
    let judgement = judge(&a, &a, DEFAULT_BUDGET).unwrap();
    assert!(judgement.findings.is_empty(), "{:?}", judgement.findings);
    assert_eq!(judgement.members["m"].unusable, None);
}

#[test]
fn a_field_made_required_breaks_writers_of_the_old_shape_only() {
    let param = r#"{"name":"p","type":{"ref":0}}"#;
    let old_arg = interface(param, "", PERSON_OPTIONAL_AGE);
    let new_arg = interface(param, "", PERSON_REQUIRED_AGE);
    assert_eq!(
        verdict(&old_arg, &new_arg).as_deref(),
        Some("the frontend may leave out field `age` of `Person` (or send null), which the backend requires")
    );
    // The other way round the frontend always sends it, and the backend may take it absent.
    assert_eq!(verdict(&new_arg, &old_arg), None);

    // In a result the backend writes: an old frontend (optional) reads a new backend fine.
    let old_result = interface("", r#"{"ref":0}"#, PERSON_OPTIONAL_AGE);
    let new_result = interface("", r#"{"ref":0}"#, PERSON_REQUIRED_AGE);
    assert_eq!(verdict(&old_result, &new_result), None);
    assert!(verdict(&new_result, &old_result).is_some());
}

#[test]
fn new_enum_values_and_union_variants_break_old_readers() {
    let mood = |values: &str| format!(r#"{{"kind":"enum","name":"Mood","values":[{values}]}}"#);
    let old = interface("", r#"{"ref":0}"#, &mood(r#""happy","sad""#));
    let new = interface("", r#"{"ref":0}"#, &mood(r#""happy","sad","meh""#));
    assert_eq!(
        verdict(&old, &new).as_deref(),
        Some("the backend may send value `meh` of `Mood`, which the frontend does not know")
    );
    assert_eq!(verdict(&new, &old), None);

    let shape = |extra: &str| {
        format!(
            r#"{{"kind":"union","name":"Shape","variants":[{{"name":"circle","fields":[{{"name":"r","type":"f64"}}]}}{extra}]}}"#
        )
    };
    let old = interface(r#"{"name":"s","type":{"ref":0}}"#, "", &shape(""));
    let new = interface(
        r#"{"name":"s","type":{"ref":0}}"#,
        "",
        &shape(r#",{"name":"empty"}"#),
    );
    // As an argument, the old frontend never sends the new variant.
    assert_eq!(verdict(&old, &new), None);
    assert_eq!(
        verdict(&new, &old).as_deref(),
        Some("the frontend may send variant `empty` of `Shape`, which the backend does not know")
    );
}

#[test]
fn parameters_are_positional_names_tell_a_move_from_a_rename() {
    let two = |a: &str, b: &str| {
        interface(
            &format!(r#"{{"name":"{a}","type":"string"}},{{"name":"{b}","type":"string"}}"#),
            "",
            "",
        )
    };
    assert!(verdict(&two("first", "last"), &two("last", "first"))
        .unwrap()
        .contains("sends `first` as argument #1 of `m`; the backend reads it as argument #2"));
    let renamed = judge(&two("first", "last"), &two("given", "last"), DEFAULT_BUDGET).unwrap();
    assert_eq!(renamed.members["m"].unusable, None);
    assert!(matches!(
        renamed.findings[0].kind,
        FindingKind::ParamRenamed { .. }
    ));
}

#[test]
fn argument_counts_follow_omittable_parameters() {
    let one = interface(r#"{"name":"a","type":"string"}"#, "", "");
    let optional_second = interface(
        r#"{"name":"a","type":"string"},{"name":"b","type":{"optional":"u8"},"omittable":true}"#,
        "",
        "",
    );
    let required_second = interface(
        r#"{"name":"a","type":"string"},{"name":"b","type":"u8"}"#,
        "",
        "",
    );
    assert_eq!(verdict(&one, &optional_second), None);
    assert_eq!(
        verdict(&optional_second, &one).as_deref(),
        Some("the frontend may send 2 arguments to `m`; the backend takes at most 1")
    );
    assert_eq!(
        verdict(&one, &required_second).as_deref(),
        Some("the backend requires argument #2 `b` of `m`, which the frontend does not send")
    );
}

#[test]
fn scalars_widen_only_where_every_value_survives() {
    let arg = |ty: &str| interface(&format!(r#"{{"name":"x","type":"{ty}"}}"#), "", "");
    for (from, to) in [
        ("u8", "u16"),
        ("i16", "i32"),
        ("u32", "f64"),
        ("f32", "f64"),
        ("u16", "f32"),
    ] {
        assert_eq!(verdict(&arg(from), &arg(to)), None, "{from} -> {to}");
    }
    for (from, to) in [
        ("u16", "u8"),
        ("i8", "u8"),
        ("i32", "i64"),
        ("f64", "f32"),
        ("i64", "u64"),
        ("string", "bytes"),
        ("i32", "f32"),
    ] {
        assert!(verdict(&arg(from), &arg(to)).is_some(), "{from} -> {to}");
    }
}

#[test]
fn declared_errors_never_make_a_method_unusable() {
    let err = |variants: &str| format!(r#"{{"kind":"union","name":"E","variants":[{variants}]}}"#);
    let with_throws = |types: &str| {
        schema(&format!(
            r#"{{"format":1,"kind":"interface","members":{{"m":{{"params":[],"throws":{{"ref":0}}}}}},"types":[{types}]}}"#
        ))
    };
    let old = with_throws(&err(r#"{"name":"a"}"#));
    let new = with_throws(&err(r#"{"name":"a"},{"name":"b"}"#));
    let judgement = judge(&old, &new, DEFAULT_BUDGET).unwrap();
    assert_eq!(judgement.members["m"].unusable, None);
    assert!(judgement
        .findings
        .iter()
        .any(|f| matches!(f.kind, FindingKind::VariantUnknown { .. }) && !f.breaking));
    let none = interface("", "", "");
    assert_eq!(verdict(&none, &old), None);
}

#[test]
fn missing_members_and_void_results() {
    let a = schema(
        r#"{"format":1,"kind":"interface","members":{"m":{"params":[]},"n":{"params":[]}}}"#,
    );
    let b = schema(
        r#"{"format":1,"kind":"interface","members":{"n":{"params":[],"result":"string"}}}"#,
    );
    let judgement = judge(&a, &b, DEFAULT_BUDGET).unwrap();
    assert_eq!(
        judgement.members["m"].unusable.as_deref(),
        Some("the backend has no method `m`")
    );
    assert!(judgement.members["n"]
        .unusable
        .as_deref()
        .unwrap()
        .contains("expects `void`"));
    let back = judge(&b, &a, DEFAULT_BUDGET).unwrap();
    assert_eq!(back.backend_only, ["m"]);
}

#[test]
fn recursive_types_terminate_and_long_chains_do_not_recurse() {
    let tree = r#"{"kind":"struct","name":"Node","fields":[{"name":"children","type":{"array":{"ref":0}}},{"name":"label","type":"string"}]}"#;
    let tree_with_extra = r#"{"kind":"struct","name":"Node","fields":[{"name":"children","type":{"array":{"ref":0}}},{"name":"label","type":"string"},{"name":"extra","type":"bool"}]}"#;
    let old = interface(r#"{"name":"n","type":{"ref":0}}"#, "", tree);
    let new = interface(r#"{"name":"n","type":{"ref":0}}"#, "", tree_with_extra);
    assert!(verdict(&old, &new)
        .unwrap()
        .contains("without field `extra`"));

    // 100,000 structs, each holding the next: compared with a work list, not the stack.
    let depth = 100_000;
    let mut types = String::new();
    for i in 0..depth {
        if i > 0 {
            types.push(',');
        }
        let field = if i + 1 < depth {
            format!(
                r#"{{"name":"next","type":{{"optional":{{"ref":{}}}}}}}"#,
                i + 1
            )
        } else {
            r#"{"name":"end","type":"bool"}"#.to_owned()
        };
        types.push_str(&format!(
            r#"{{"kind":"struct","name":"S{i}","fields":[{field}]}}"#
        ));
    }
    let chain = interface(r#"{"name":"s","type":{"ref":0}}"#, "", &types);
    let mut changed = chain.clone();
    if let TypeSchema::Struct { fields, .. } =
        &mut std::sync::Arc::make_mut(&mut changed.types)[depth - 1]
    {
        fields[0].ty = WireType::Primitive(Primitive::String);
    }
    assert!(verdict(&chain, &changed)
        .unwrap()
        .contains("field `end` of `S99999`"));
    // A budget below the chain's length gives up instead.
    assert_eq!(judge(&chain, &changed, 1_000), Err(TooComplex));
}

#[test]
fn large_hostile_schemas_cost_linear_time_or_are_refused() {
    // A struct of 50,000 fields the backend does not know: one comparison, each field once.
    let fields: Vec<String> = (0..50_000)
        .map(|i| format!(r#"{{"name":"f{i}","type":"bool"}}"#))
        .collect();
    let wide = interface(
        r#"{"name":"s","type":{"ref":0}}"#,
        "",
        &format!(
            r#"{{"kind":"struct","name":"S","fields":[{}]}}"#,
            fields.join(",")
        ),
    );
    let narrow = interface(
        r#"{"name":"s","type":{"ref":0}}"#,
        "",
        r#"{"kind":"struct","name":"S","fields":[]}"#,
    );
    let judgement = judge(&wide, &narrow, DEFAULT_BUDGET).unwrap();
    assert_eq!(judgement.findings.len(), 50_000);
    assert_eq!(judgement.members["m"].unusable, None);

    // 20,000 members over one chain of 20,000 types broken at its end: each member's verdict
    // walks the chain, so the walks together exceed the budget and the judge gives up instead
    // of doing quadratic work.
    let depth = 20_000;
    let mut types = Vec::new();
    for i in 0..depth {
        let field = if i + 1 < depth {
            format!(r#"{{"name":"n","type":{{"ref":{}}}}}"#, i + 1)
        } else {
            r#"{"name":"end","type":"bool"}"#.to_owned()
        };
        types.push(format!(
            r#"{{"kind":"struct","name":"S{i}","fields":[{field}]}}"#
        ));
    }
    let members: Vec<String> = (0..20_000)
        .map(|i| format!(r#""m{i}":{{"params":[{{"name":"s","type":{{"ref":0}}}}]}}"#))
        .collect();
    let text = format!(
        r#"{{"format":1,"kind":"interface","members":{{{}}},"types":[{}]}}"#,
        members.join(","),
        types.join(",")
    );
    let frontend = schema(&text);
    let backend = schema(&text.replace(
        r#"{"name":"end","type":"bool"}"#,
        r#"{"name":"end","type":"string"}"#,
    ));
    assert_eq!(judge(&frontend, &backend, DEFAULT_BUDGET), Err(TooComplex));
    // The same with a budget that covers the walks: every member gets the verdict.
    let few: Vec<String> = members.iter().take(3).cloned().collect();
    let small = text.replace(&members.join(","), &few.join(","));
    let judgement = judge(
        &schema(&small),
        &schema(&small.replace(
            r#"{"name":"end","type":"bool"}"#,
            r#"{"name":"end","type":"string"}"#,
        )),
        DEFAULT_BUDGET,
    )
    .unwrap();
    assert_eq!(judgement.members.len(), 3);
    assert!(judgement.members.values().all(|v| v.unusable.is_some()));
}

/// An interface (format 2) with one method `m` taking `params` and returning `result`, a
/// stream of it when `result_stream`.
fn streaming(params: &str, result: &str, result_stream: bool, types: &str) -> ChannelSchema {
    let result = if result.is_empty() {
        String::new()
    } else if result_stream {
        format!(",\"result\":{result},\"resultStream\":true")
    } else {
        format!(",\"result\":{result}")
    };
    schema(&format!(
        r#"{{"format":2,"kind":"interface","members":{{"m":{{"params":[{params}]{result}}}}},"types":[{types}]}}"#
    ))
}

#[test]
fn a_stream_never_meets_a_single_value() {
    // The result: a stream of `T` against one `T`, either way.
    let single = interface("", r#""string""#, "");
    let stream = streaming("", r#""string""#, true, "");
    assert_eq!(
        verdict(&single, &stream).as_deref(),
        Some("the backend sends the result of `m` as a stream of items; the frontend expects a single value")
    );
    assert_eq!(
        verdict(&stream, &single).as_deref(),
        Some("the backend sends the result of `m` as a single value; the frontend expects a stream of items")
    );
    // A parameter: the same, with the frontend writing.
    let value = interface(r#"{"name":"c","type":"bytes"}"#, "", "");
    let items = streaming(
        r#"{"name":"c","type":"bytes","stream":true}"#,
        "",
        false,
        "",
    );
    assert_eq!(
        verdict(&value, &items).as_deref(),
        Some("the frontend sends argument #1 `c` of `m` as a single value; the backend expects a stream of items")
    );
    assert_eq!(
        verdict(&items, &value).as_deref(),
        Some("the frontend sends argument #1 `c` of `m` as a stream of items; the backend expects a single value")
    );
    // Exactly one finding: the types agree, and a stream against a list is no better.
    let judgement = judge(&value, &items, DEFAULT_BUDGET).unwrap();
    assert_eq!(judgement.findings.len(), 1, "{:?}", judgement.findings);
    let list = interface("", r#"{"array":"string"}"#, "");
    assert!(verdict(&list, &stream).is_some() && verdict(&stream, &list).is_some());
    // Format 2 with the same streams on both sides is the same channel.
    assert_eq!(verdict(&stream, &stream), None);
    assert_eq!(verdict(&items, &items), None);
}

#[test]
fn stream_items_are_judged_like_arguments_going_in_and_results_coming_out() {
    // Output items are written by the backend: a new required field in them is fine for an
    // old frontend, but a new frontend misses it from an old backend.
    let old_out = streaming("", r#"{"ref":0}"#, true, PERSON_OPTIONAL_AGE);
    let new_out = streaming("", r#"{"ref":0}"#, true, PERSON_REQUIRED_AGE);
    assert_eq!(verdict(&old_out, &new_out), None);
    assert_eq!(
        verdict(&new_out, &old_out).as_deref(),
        Some("the backend may leave out field `age` of `Person` (or send null), which the frontend requires")
    );
    // Input items are written by the frontend: the other way round.
    let param = r#"{"name":"p","type":{"ref":0},"stream":true}"#;
    let old_in = streaming(param, "", false, PERSON_OPTIONAL_AGE);
    let new_in = streaming(param, "", false, PERSON_REQUIRED_AGE);
    assert_eq!(
        verdict(&old_in, &new_in).as_deref(),
        Some("the frontend may leave out field `age` of `Person` (or send null), which the backend requires")
    );
    assert_eq!(verdict(&new_in, &old_in), None);
    // Widening follows the writer: `u8` items into a `u16` reader are fine, not the reverse.
    let narrow = streaming(r#"{"name":"n","type":"u8","stream":true}"#, "", false, "");
    let wide = streaming(r#"{"name":"n","type":"u16","stream":true}"#, "", false, "");
    assert_eq!(verdict(&narrow, &wide), None);
    assert!(verdict(&wide, &narrow).is_some());
    let narrow = streaming("", r#""u8""#, true, "");
    let wide = streaming("", r#""u16""#, true, "");
    assert_eq!(verdict(&wide, &narrow), None);
    assert!(verdict(&narrow, &wide).is_some());
}
