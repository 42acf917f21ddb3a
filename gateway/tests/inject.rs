//! The script tag goes into pages as they stream, whatever the chunking.

use autologoff_gateway::inject::{rewrite_whole, Injector};

const TAG: &str = "<script src=\"/.autologoff/autologoff.js\"></script>";

fn streamed(page: &str, chunk: usize) -> String {
    let mut injector = Injector::new(TAG.into());
    let mut out = Vec::new();
    for piece in page.as_bytes().chunks(chunk) {
        out.extend_from_slice(&injector.write(piece).unwrap());
    }
    out.extend_from_slice(&injector.end().unwrap());
    String::from_utf8(out).unwrap()
}

#[test]
fn at_the_end_of_head_once_whatever_the_chunks() {
    let page = "<!doctype html><html><head><title>x</title></head><body><head></head><p>PHI</p></body></html>";
    let want = page.replacen("</head>", &format!("{TAG}</head>"), 1);
    for chunk in [1, 2, 7, 64, 4096] {
        assert_eq!(streamed(page, chunk), want, "chunks of {chunk}");
    }
    assert_eq!(String::from_utf8(rewrite_whole(page.as_bytes(), TAG.into()).unwrap().to_vec()).unwrap(), want);
}

#[test]
fn at_the_start_of_body_without_a_head() {
    let page = "<body class=x><p>PHI</p></body>";
    assert_eq!(streamed(page, 5), format!("<body class=x>{TAG}<p>PHI</p></body>"));
}

#[test]
fn a_fragment_is_left_alone() {
    assert_eq!(streamed("<p>partial</p>", 3), "<p>partial</p>");
}
