//! Syntax: the pest grammar and the parser that turns one file's text into the private AST.

pub mod ast;
