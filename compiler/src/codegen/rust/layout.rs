//! Line layout of generated Rust by measured width, the way rustfmt lays the same code out.
//!
//! Templates hold the fixed layout; the few constructs whose length follows the user's names
//! (signatures, field types, derive lists) are laid out here: on one line when they fit in
//! rustfmt's `max_width`, else broken where rustfmt breaks them. What these functions do not
//! cover is caught after rendering: an item with a line over the width is formatted by the
//! fallback (`super::format_rust`) instead.

/// rustfmt's `max_width`.
pub(super) const MAX_WIDTH: usize = 100;

/// `#[derive(A, B, ...)]` at `indent`: one line when its list fits, else one derive per line.
pub(super) fn derive(indent: usize, derives: &[String], width: usize) -> String {
    let pad = " ".repeat(indent);
    let list = derives.join(", ");
    // rustfmt keeps three columns to spare here too (measured: a 98-column line breaks), then
    // tries the list on one line of its own.
    if indent + list.len() + "#[derive()]".len() + 3 <= width {
        return format!("{pad}#[derive({list})]");
    }
    if indent + 4 + list.len() < width {
        return format!("{pad}#[derive(\n{pad}    {list},\n{pad})]");
    }
    let mut out = format!("{pad}#[derive(\n");
    for derive in derives {
        out.push_str(&format!("{pad}    {derive},\n"));
    }
    out.push_str(&format!("{pad})]"));
    out
}

/// `{prefix}{ty}{suffix}` at `indent` as a struct field or an alias: one line; else the type
/// on the next line, one level deeper; else its generic arguments broken one per line.
pub(super) fn field(indent: usize, prefix: &str, ty: &str, suffix: &str, width: usize) -> String {
    let pad = " ".repeat(indent);
    if indent + prefix.len() + ty.len() + suffix.len() <= width {
        return format!("{pad}{prefix}{ty}{suffix}");
    }
    if indent + 4 + ty.len() + suffix.len() <= width {
        return format!("{pad}{}\n{pad}    {ty}{suffix}", prefix.trim_end());
    }
    format!(
        "{pad}{prefix}{}",
        broken_type(indent, prefix.len(), ty, suffix, width)
    )
}

/// A function signature at `indent`: `{head}({params}){ret}{tail}`, where `ret` is the return
/// type (empty for none) and `tail` is `;` or ` {`. On one line when it fits, else one parameter
/// per line and the return type after the `)`, itself broken when it does not fit.
pub(super) fn signature(
    indent: usize,
    head: &str,
    params: &[String],
    ret: &str,
    tail: &str,
    width: usize,
) -> String {
    let pad = " ".repeat(indent);
    let arrow = if ret.is_empty() {
        String::new()
    } else {
        format!(" -> {ret}")
    };
    let one_line = format!("{pad}{head}({}){arrow}{tail}", params.join(", "));
    if one_line.len() <= width {
        return one_line;
    }
    let mut out = format!("{pad}{head}(\n");
    for param in params {
        let (name, ty) = param.split_once(": ").unwrap_or((param, ""));
        if ty.is_empty() {
            out.push_str(&format!("{pad}    {param},\n"));
        } else {
            out.push_str(&field(indent + 4, &format!("{name}: "), ty, ",", width));
            out.push('\n');
        }
    }
    if ret.is_empty() {
        out.push_str(&format!("{pad}){tail}"));
        return out;
    }
    let close = format!("{pad}) -> ");
    // With a body, rustfmt keeps the `{` on this line only with three columns to spare
    // (measured: a 98-column line breaks).
    let spare = if tail == " {" { 3 } else { 0 };
    if close.len() + ret.len() + tail.len() + spare <= width {
        out.push_str(&format!("{close}{ret}{tail}"));
        return out;
    }
    // The body's `{` alone on the next line when only it does not fit.
    if tail == " {" && close.len() + ret.len() <= width {
        out.push_str(&format!("{close}{ret}\n{pad}{{"));
        return out;
    }
    // `impl A<..> + B`: rustfmt first keeps `impl A<..>` whole and moves the other bounds to
    // lines of their own, aligned under the type; failing that, it breaks `A`'s arguments.
    let bounds = split_top(ret.strip_prefix("impl ").unwrap_or(ret), " + ");
    if ret.starts_with("impl ") && bounds.len() > 1 {
        let first = format!("{close}impl {}", bounds[0]);
        // rustfmt lets this line run three columns past the width (measured on its output).
        if first.len() <= width + 3 {
            out.push_str(&first);
            let align = " ".repeat(indent + ") -> ".len() + 2);
            for (index, bound) in bounds[1..].iter().enumerate() {
                let end = if index + 2 == bounds.len() { tail } else { "" };
                out.push_str(&format!("\n{align}+ {bound}{end}"));
            }
            return out;
        }
        let rest: Vec<&str> = bounds[1..].to_vec();
        let suffix = format!(" + {}{tail}", rest.join(" + "));
        out.push_str(&close);
        out.push_str("impl ");
        out.push_str(&broken_type(
            indent,
            close.len() - indent + "impl ".len(),
            bounds[0],
            &suffix,
            width,
        ));
        return out;
    }
    // rustfmt leaves a lone `impl Trait<..>` a little past the width on the line, and breaks
    // its arguments when it is much longer (measured: 108 columns kept, 125 broken).
    if ret.starts_with("impl ") && close.len() + ret.len() + tail.len() <= width + 10 {
        // Past the width, a body's `{` goes to the next line.
        if tail == " {" {
            out.push_str(&format!("{close}{ret}\n{pad}{{"));
        } else {
            out.push_str(&format!("{close}{ret}{tail}"));
        }
        return out;
    }
    out.push_str(&close);
    out.push_str(&broken_type(indent, close.len() - indent, ret, tail, width));
    out
}

/// `ty` followed by `suffix`, starting `used` columns after `indent`: on one line if it fits,
/// else its outermost generic arguments one per line one level deeper (each broken the same
/// way), and `>` back at `indent`. Text without generic arguments stays whole.
fn broken_type(indent: usize, used: usize, ty: &str, suffix: &str, width: usize) -> String {
    if indent + used + ty.len() + suffix.len() <= width {
        return format!("{ty}{suffix}");
    }
    let Some(open) = ty.find('<') else {
        return format!("{ty}{suffix}");
    };
    if !ty.ends_with('>') {
        return format!("{ty}{suffix}");
    }
    let head = &ty[..=open];
    let args = split_top(&ty[open + 1..ty.len() - 1], ", ");
    let pad = " ".repeat(indent);
    let mut out = format!("{head}\n");
    for arg in args {
        // `Output = T`: the binding's name stays in front of its type.
        let (name, value) = match arg.split_once(" = ") {
            Some((name, value)) if !name.contains('<') => (format!("{name} = "), value),
            _ => (String::new(), arg),
        };
        out.push_str(&format!(
            "{pad}    {name}{}\n",
            broken_type(indent + 4, name.len(), value, ",", width)
        ));
    }
    out.push_str(&format!("{pad}>{suffix}"));
    out
}

/// `text` split at `separator` where it is outside any `<...>` or `(...)`.
fn split_top<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' | b'(' => depth += 1,
            b'>' | b')' => depth -= 1,
            _ => {}
        }
        if depth == 0 && text[i..].starts_with(separator) {
            parts.push(&text[start..i]);
            i += separator.len();
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// rustfmt's `fn_call_width`: the widest argument list of a call kept on one line.
const FN_CALL_WIDTH: usize = 60;
/// rustfmt's `array_width`: the widest array kept on one line.
const ARRAY_WIDTH: usize = 60;

/// `{prefix}{callee}({args}){suffix}` at `indent` as a statement: on one line when the
/// arguments fit rustfmt's call width and the line fits; else on the next line, one level
/// deeper, when it fits there whole (rustfmt's choice for the right side of a `let`); else one
/// argument per line.
pub(super) fn call(
    indent: usize,
    prefix: &str,
    callee: &str,
    args: &[String],
    suffix: &str,
    width: usize,
) -> String {
    list(
        indent,
        prefix,
        callee,
        "(",
        ")",
        args,
        suffix,
        FN_CALL_WIDTH,
        width,
    )
}

/// `{prefix}[{elements}]{suffix}`, laid out as [`call`] lays out arguments.
pub(super) fn array(
    indent: usize,
    prefix: &str,
    elements: &[String],
    suffix: &str,
    width: usize,
) -> String {
    list(
        indent,
        prefix,
        "",
        "[",
        "]",
        elements,
        suffix,
        ARRAY_WIDTH,
        width,
    )
}

#[allow(clippy::too_many_arguments)]
fn list(
    indent: usize,
    prefix: &str,
    head: &str,
    open: &str,
    close: &str,
    items: &[String],
    suffix: &str,
    list_width: usize,
    width: usize,
) -> String {
    let pad = " ".repeat(indent);
    let joined = items.join(", ");
    let fits_list = joined.len() <= list_width;
    let body = format!("{head}{open}{joined}{close}{suffix}");
    if fits_list && indent + prefix.len() + body.len() <= width {
        return format!("{pad}{prefix}{body}");
    }
    if fits_list && !prefix.is_empty() && indent + 4 + body.len() <= width {
        return format!("{pad}{}\n{pad}    {body}", prefix.trim_end());
    }
    // Short simple items (names, literals, `&name`) fill lines of their own (rustfmt's mixed
    // tactic); any other list goes one item per line.
    if items.iter().all(|item| is_short_simple(item)) {
        let mut out = format!("{pad}{prefix}{head}{open}\n");
        let mut line = String::new();
        for item in items {
            if !line.is_empty() && indent + 4 + line.len() + 1 + item.len() + 1 > width {
                out.push_str(&format!("{pad}    {}\n", line.trim_end()));
                line.clear();
            }
            line.push_str(item);
            line.push_str(", ");
        }
        out.push_str(&format!(
            "{pad}    {}\n",
            line.trim_end().trim_end_matches(',')
        ));
        let last = out.len() - 1;
        out.insert(last, ',');
        out.push_str(&format!("{pad}{close}{suffix}"));
        return out;
    }
    let mut out = format!("{pad}{prefix}{head}{open}\n");
    for item in items {
        out.push_str(&format!("{pad}    {item},\n"));
    }
    out.push_str(&format!("{pad}{close}{suffix}"));
    out
}

/// `{prefix}{expr}{suffix}` at `indent`, a statement whose expression this does not break: on
/// one line, else the expression on the next line one level deeper (rustfmt's choice for the
/// right side of a `let`), else on one line that the generator's overflow check catches.
pub(super) fn statement(
    indent: usize,
    prefix: &str,
    expr: &str,
    suffix: &str,
    width: usize,
) -> String {
    let pad = " ".repeat(indent);
    // A method call (`args.next::<..>(..)?`) is a chain to rustfmt, which keeps two columns
    // for a trailing `?` (measured on its output); a path call keeps none.
    let chain = expr.find('(').is_some_and(|open| {
        let callee = &expr[..open];
        callee.split("::<").next().unwrap_or(callee).contains('.')
    });
    let width_here = if chain && (suffix.starts_with('?') || expr.ends_with('?')) {
        width - 2
    } else {
        width
    };
    if indent + prefix.len() + expr.len() + suffix.len() <= width_here {
        return format!("{pad}{prefix}{expr}{suffix}");
    }
    if !prefix.is_empty() && indent + 4 + expr.len() + suffix.len() <= width_here {
        return format!("{pad}{}\n{pad}    {expr}{suffix}", prefix.trim_end());
    }
    // A call whose head fits: its arguments on a line of their own.
    if let Some(open) = expr.rfind(")").and_then(|close| matching_open(expr, close)) {
        let (head, rest) = expr.split_at(open + 1);
        let args = &rest[..rest.rfind(')').unwrap_or(rest.len())];
        let after = &rest[args.len() + 1..];
        let receiver = expr.find('.').filter(|_| chain);
        // rustfmt lets the head run three columns past the width (measured).
        if indent + prefix.len() + head.len() <= width + 3 && receiver.is_none() && !args.is_empty()
        {
            return format!("{pad}{prefix}{head}\n{pad}    {args},\n{pad}){after}{suffix}");
        }
        // A method call on a receiver: the call on the next line, then its arguments.
        if let Some(dot) = receiver {
            let (receiver, call) = head.split_at(dot);
            if indent + 4 + call.len() <= width {
                return format!(
                    "{pad}{prefix}{receiver}\n{pad}    {call}\n{pad}        {args},\n{pad}    ){after}{suffix}"
                );
            }
        }
    }
    // A path call with a turbofish that fits nowhere whole: rustfmt breaks the turbofish's
    // arguments one per line and keeps the call's own arguments after the `>`.
    if !chain {
        if let Some(close) = expr.find(">(") {
            let (callee, rest) = expr.split_at(close + 1);
            if callee.contains("::<") {
                let tail = format!("{rest}{suffix}");
                return format!(
                    "{pad}{prefix}{}",
                    broken_type(indent, prefix.len(), callee, &tail, width)
                );
            }
        }
    }
    format!("{pad}{prefix}{expr}{suffix}")
}

/// rustfmt's `short_array_element_width_threshold`.
const SHORT_ITEM_WIDTH: usize = 10;

/// Whether rustfmt counts a list item as short and simple: a name, a literal, a field of one,
/// or a reference to one, of at most [`SHORT_ITEM_WIDTH`] columns.
fn is_short_simple(item: &str) -> bool {
    item.len() <= SHORT_ITEM_WIDTH
        && !item.contains("::")
        && item
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '&' | '.' | '"' | '-' | '#'))
}

/// `#[{name}({inner})]` at `indent`: on one line when it fits, else its argument on a line of
/// its own.
pub(super) fn attribute(indent: usize, name: &str, inner: &str, width: usize) -> String {
    let pad = " ".repeat(indent);
    let line = format!("{pad}#[{name}({inner})]");
    // rustfmt breaks an attribute that reaches the last column (measured).
    if line.len() < width {
        return line;
    }
    format!("{pad}#[{name}(\n{pad}    {inner}\n{pad})]")
}

/// The index of the `(` that the `)` at `close` closes.
fn matching_open(text: &str, close: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (index, byte) in text.as_bytes()[..=close].iter().enumerate().rev() {
        match byte {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}
