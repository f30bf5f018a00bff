//! Paging: the `next` link of a data answer, so that the records of every
//! page are checked, within the request budget and the page limit. A
//! `next` link comes from the body's `links` (`{"rel": "next", "href":
//! ...}`, as OGC API - Features and many JSON APIs write it) or from the
//! `Link` header (RFC 8288). A link to another origin is never followed:
//! the request would carry the target's credentials there.

use super::documents;
use super::http::Exchange;

/// Most pages a collection is read to, the first included.
pub(crate) const MAX_PAGES: usize = 5;

/// Where the next page of `x` (answered to `url`) is: `Ok(None)` for the
/// last page, or why the link is not followed.
pub(crate) fn next_page(x: &Exchange, url: &str) -> Result<Option<String>, String> {
    let href = body_next(&x.body).or_else(|| x.header("link").and_then(header_next));
    let Some(href) = href else {
        return Ok(None);
    };
    let base = reqwest::Url::parse(url).map_err(|e| format!("the page's URL: {e}"))?;
    let next = base
        .join(&href)
        .map_err(|_| "the `next` link is not a URL".to_owned())?;
    if next.origin() != base.origin() {
        return Err("the `next` link leaves the API's origin and is not followed".to_owned());
    }
    Ok(Some(next.to_string()))
}

/// The `href` of the body's first `links` member with `rel` `next`.
fn body_next(body: &[u8]) -> Option<String> {
    documents::links(body)?
        .into_iter()
        .find(|l| l.rel.as_deref() == Some("next"))
        .and_then(|l| l.href)
}

/// The target of the `Link` header's `rel="next"` entry (RFC 8288 §3).
fn header_next(value: &str) -> Option<String> {
    value.split(',').find_map(|entry| {
        let (target, params) = entry.trim().split_once('>')?;
        let target = target.trim().strip_prefix('<')?;
        let next = params.split(';').any(|p| {
            p.trim().strip_prefix("rel=").is_some_and(|rel| {
                rel.trim_matches('"')
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        next.then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str, link: Option<&str>) -> Exchange {
        Exchange {
            status: 200,
            headers: link
                .map(|l| vec![("link".to_owned(), l.to_owned())])
                .unwrap_or_default(),
            body: body.as_bytes().to_vec(),
            next_pages: Vec::new(),
            compared: None,
        }
    }

    #[test]
    fn the_next_link_comes_from_the_body_or_the_header() {
        let base = "http://127.0.0.1:8000/collections/c/items?limit=10";
        let body = r#"{"type": "FeatureCollection", "features": [], "links": [{"rel": "self", "href": "x"}, {"rel": "next", "href": "items?offset=10&limit=10"}]}"#;
        assert_eq!(
            next_page(&answer(body, None), base),
            Ok(Some(
                "http://127.0.0.1:8000/collections/c/items?offset=10&limit=10".to_owned()
            ))
        );
        let header = r#"</a?page=2>; rel="next", </a?page=9>; rel="last""#;
        assert_eq!(
            next_page(&answer("[]", Some(header)), base),
            Ok(Some("http://127.0.0.1:8000/a?page=2".to_owned()))
        );
        assert_eq!(next_page(&answer("[1, 2]", None), base), Ok(None));
        assert_eq!(
            next_page(&answer(r#"{"links": "not links"}"#, None), base),
            Ok(None)
        );
    }

    #[test]
    fn a_link_to_another_origin_is_not_followed() {
        let body =
            r#"{"links": [{"rel": "next", "href": "https://elsewhere.example/items?offset=10"}]}"#;
        let next = next_page(&answer(body, None), "http://127.0.0.1:8000/items");
        assert!(next.is_err_and(|reason| reason.contains("leaves the API's origin")));
    }
}
